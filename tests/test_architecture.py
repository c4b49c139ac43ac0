"""The layout holds: public faces list exactly what they export, modules stay small, and no
module imports another that imports it back (the layer contracts are import-linter's, run
by ``scripts/test``)."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import grimp
import pytest

import eevidence
from eevidence._internal.lazy import lazy_names

SRC = Path(__file__).resolve().parents[1] / "src" / "eevidence"
FACES = sorted(
    ["eevidence"]
    + [
        m.name
        for m in pkgutil.walk_packages(eevidence.__path__, "eevidence.")
        if m.ispkg and not any(part.startswith("_") for part in m.name.split(".")[1:])
    ]
)
MAX_LINES = 700


def test_every_feature_has_a_face() -> None:
    assert set(FACES) >= {
        "eevidence",
        "eevidence.crypto",
        "eevidence.custody",
        "eevidence.hi1",
        "eevidence.letter",
        "eevidence.package",
        "eevidence.provider",
        "eevidence.provider.checker",
        "eevidence.provider.routes",
        "eevidence.request",
        "eevidence.submit",
        "eevidence.tracking",
        "eevidence.tracking.store",
    }


@pytest.mark.parametrize("face", FACES)
def test_face_exports_exactly_its_names(face: str) -> None:
    module = importlib.import_module(face)
    source = module.__file__
    assert source is not None
    declared = set(lazy_names(source))
    names = list(module.__all__)
    assert len(set(names)) == len(names)
    assert set(names) - {"__version__"} == declared
    for name in names:
        assert getattr(module, name) is not None  # every public name resolves
        assert name in dir(module)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = module.nope


@pytest.mark.parametrize("face", FACES)
def test_face_names_come_from_private_modules_or_faces(face: str) -> None:
    source = importlib.import_module(face).__file__
    assert source is not None
    for name, (module, _attribute) in lazy_names(source).items():
        last = module.rsplit(".", 1)[-1]
        assert last.startswith("_") or module in FACES or module == "eevidence.errors", name


def test_no_module_is_too_long() -> None:
    long = {
        str(p.relative_to(SRC)): n
        for p in SRC.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_no_import_cycles() -> None:
    graph = grimp.build_graph("eevidence", include_external_packages=False)
    cycles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if imported != module and graph.chain_exists(imported, module):
                cycles.append((module, imported))
    assert cycles == []
