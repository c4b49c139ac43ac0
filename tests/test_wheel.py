"""The built wheel carries the package data: schemas, examples and provider profiles."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from eevidence.request import KINDS
from tests.helpers import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    (path,) = out.glob("eevidence-*.whl")
    return path


def test_wheel_contains_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "eevidence/py.typed" in names
    stubs = {
        str(p.relative_to(ROOT / "src")) for p in (ROOT / "src" / "eevidence").rglob("__init__.pyi")
    }
    assert len(stubs) >= 13
    assert stubs <= names  # the public faces load their names from these stubs
    assert "eevidence/_data/schemas/request.schema.json" in names
    assert sum(n.startswith("eevidence/_data/examples/") for n in names) == len(KINDS)
    assert {f"eevidence/_data/catalogues/{lang}.json" for lang in ("en", "fr", "es", "ar")} <= names
    assert "eevidence/_data/fonts/OFL.txt" in names
    assert "eevidence/_data/fonts/NotoNaskhArabic-Regular.ttf" in names
    providers = {p.name for p in (ROOT / "providers").glob("*.json")}
    assert {
        n.rsplit("/", 1)[1] for n in names if n.startswith("eevidence/_data/providers/")
    } >= providers


def test_installed_wheel_runs_the_demo_away_from_the_checkout(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    env = {**os.environ, "PYTHONPATH": str(target), "PYTHONSAFEPATH": "1"}
    code = (
        "import eevidence, eevidence._internal.resources as r, sys;"
        "print(eevidence.__file__); print(r.data_dir('examples'));"
        "from eevidence._cli import main; sys.exit(main(['demo', '--out', sys.argv[1]]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "demo")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    module_file, examples_dir = proc.stdout.splitlines()[:2]
    assert module_file.startswith(str(target))
    assert examples_dir.startswith(str(target))
    assert "demo finished" in proc.stdout
    # the letter step used the fonts and catalogues shipped in the wheel
    for lang in ("en", "fr", "es", "ar"):
        assert (tmp_path / "demo" / "letters" / f"preservation.{lang}.pdf").is_file()
