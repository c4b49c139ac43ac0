"""The built wheel carries the package data (schemas, examples, provider profiles), and a
user install of it (a fresh virtual environment, no extras) runs the demo."""

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
    authorities = {p.name for p in (ROOT / "authorities").glob("*.json")}
    assert authorities
    assert {
        n.rsplit("/", 1)[1] for n in names if n.startswith("eevidence/_data/authorities/")
    } >= authorities


def _user_environment(venv: Path) -> dict[str, str]:
    """The environment of a user who activated ``venv``: nothing of the checkout or of the
    test environment on the paths."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "COVERAGE_PROCESS_START")
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    env["PYTHONSAFEPATH"] = "1"
    env["PIP_NO_INPUT"] = "1"
    return env


@pytest.fixture(scope="module")
def user_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel installed as a user installs it: its
    run-time dependencies resolved from the package index, no extras."""
    venv = tmp_path_factory.mktemp("user") / "venv"
    made = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    env = _user_environment(venv)
    python = str(venv / "bin" / "python")
    installed = subprocess.run(
        [python, "-m", "pip", "install", "-q", str(wheel)],
        capture_output=True,
        text=True,
        env=env,
        cwd=venv.parent,
    )
    assert installed.returncode == 0, installed.stderr
    checked = subprocess.run(
        [python, "-m", "pip", "check"], capture_output=True, text=True, env=env
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    return venv


def test_user_install_has_no_test_or_postgresql_dependencies(user_venv: Path) -> None:
    probe = (
        "import importlib.util as u\n"
        "for name in ('eevidence', 'psycopg', 'pytest', 'hypothesis', 'mypy', 'pypdf'):\n"
        "    print(name, u.find_spec(name) is not None)"
    )
    proc = subprocess.run(
        [str(user_venv / "bin" / "python"), "-c", probe],
        capture_output=True,
        text=True,
        env=_user_environment(user_venv),
        cwd=user_venv.parent,
    )
    assert proc.returncode == 0, proc.stderr
    found = dict(line.split() for line in proc.stdout.splitlines())
    assert found == {
        "eevidence": "True",
        "psycopg": "False",  # the postgres extra was not asked for
        "pytest": "False",
        "hypothesis": "False",
        "mypy": "False",
        "pypdf": "False",
    }


def test_user_install_runs_the_demo_away_from_the_checkout(user_venv: Path, tmp_path: Path) -> None:
    env = _user_environment(user_venv)
    # the console script the wheel declares, found on the user's PATH
    proc = subprocess.run(
        ["eevidence", "demo", "--out", str(tmp_path / "demo")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "demo finished" in proc.stdout
    # the letter step used the fonts and catalogues shipped in the wheel
    for lang in ("en", "fr", "es", "ar"):
        assert (tmp_path / "demo" / "letters" / f"preservation.{lang}.pdf").is_file()
    code = (
        "import eevidence, eevidence._internal.resources as r;"
        "print(eevidence.__file__); print(r.data_dir('examples'))"
    )
    where = subprocess.run(
        [str(user_venv / "bin" / "python"), "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert where.returncode == 0, where.stderr
    module_file, examples_dir = where.stdout.splitlines()[:2]
    assert Path(module_file).is_relative_to(user_venv)
    assert Path(examples_dir).is_relative_to(user_venv)


def test_user_install_names_the_postgres_extra_for_a_postgresql_url(
    user_venv: Path, tmp_path: Path
) -> None:
    proc = subprocess.run(
        ["eevidence", "status", "--store", "postgresql://officer:s3cret@127.0.0.1:9/cases"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_user_environment(user_venv),
    )
    assert proc.returncode != 0
    assert "pip install 'eevidence[postgres]'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "s3cret" not in proc.stderr + proc.stdout
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
