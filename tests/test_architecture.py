"""The layout holds: public faces list exactly what they export, modules stay small, and no
module imports another that imports it back (the layer contracts are import-linter's, run
by ``scripts/test``)."""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
import pkgutil
from pathlib import Path

import grimp
import pytest

import eevidence
from eevidence import errors

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


def lazy_names(source_file: str) -> dict[str, tuple[str, str]]:
    """``{public name: (module, attribute)}`` from the type stub beside a face's ``__init__.py``.

    The stub is what ``lazy_loader.attach_stub`` reads at run time and what mypy reads.
    """
    stub = Path(source_file).with_suffix(".pyi")
    package = ".".join(stub.parent.relative_to(SRC.parent).parts)
    found: dict[str, tuple[str, str]] = {}
    for node in ast.parse(stub.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom):
            assert node.level == 1, ast.unparse(node)
            for alias in node.names:
                assert alias.asname in (None, alias.name), ast.unparse(node)
                if node.module is None:  # a subpackage: ``from . import request``
                    found[alias.name] = (f"{package}.{alias.name}", "")
                else:
                    found[alias.name] = (f"{package}.{node.module}", alias.name)
    return found


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
    assert set(names) == declared
    for name in names:
        assert getattr(module, name) is not None  # every public name resolves
        assert name in dir(module)
    with pytest.raises(AttributeError, match="nope"):
        _ = module.nope


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


@functools.cache
def _public_definitions() -> list[
    tuple[str, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef]
]:
    """Every public function, class and public method reachable from a face, with its name."""
    found: dict[str, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef] = {}
    for face in FACES:
        source = importlib.import_module(face).__file__
        assert source is not None
        for name, (module, attribute) in lazy_names(source).items():
            spec = importlib.util.find_spec(module)
            if spec is None or spec.origin is None or module in FACES or not attribute:
                continue
            tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
            for node in tree.body:
                if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    continue
                if node.name != attribute:
                    continue
                found[f"{module}.{attribute}"] = node
                if isinstance(node, ast.ClassDef):
                    for item in node.body:
                        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and (
                            not item.name.startswith("_") or item.name == "__init__"
                        ):
                            found[f"{module}.{attribute}.{item.name}"] = item
            del name
    return sorted(found.items())


def _raised(node: ast.AST) -> set[str]:
    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Raise) and sub.exc is not None:
            target = sub.exc.func if isinstance(sub.exc, ast.Call) else sub.exc
            if isinstance(target, ast.Name) and target.id in ERROR_NAMES:
                names.add(target.id)
    return names


ERROR_NAMES = frozenset(errors.__all__) - {"Problem"}


def test_public_definitions_have_docstrings() -> None:
    missing = [
        name
        for name, node in _public_definitions()
        if not name.endswith(".__init__") and ast.get_docstring(node) is None
    ]
    assert missing == []


def test_public_functions_document_what_they_raise() -> None:
    undocumented = {}
    definitions = dict(_public_definitions())
    for name, node in definitions.items():
        if isinstance(node, ast.ClassDef):
            continue
        doc = ast.get_docstring(node) or ""
        if name.endswith(".__init__"):
            cls = name.rsplit(".", 1)[0]
            doc += (
                dict(_public_definitions()).get(cls)
                and ast.get_docstring(dict(_public_definitions())[cls])
            ) or ""
        raises = doc.split("Raises:", 1)[1] if "Raises:" in doc else ""
        absent = sorted(e for e in _raised(node) if e not in raises)
        if absent:
            undocumented[name] = absent
    assert undocumented == {}


def test_the_command_line_imports_only_public_faces() -> None:
    private = []
    for path in sorted((SRC / "_cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                parts = node.module.split(".")
                if (
                    parts[0] == "eevidence"
                    and len(parts) > 2
                    and parts[1] not in ("_cli", "_internal")
                ):
                    private.append(f"{path.name}: {node.module}")
    assert private == []
