"""Examples run, the demo runs, the public surface is deliberate, helpers behave."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import eevidence as ee
from eevidence._cli import build_parser, main
from eevidence._internal.documents import load_document
from eevidence._internal.fs import write_atomic
from eevidence._internal.validation import json_path
from eevidence.request import KINDS, PreservationRequest
from tests.helpers import ROOT


def test_python_example_builds_a_valid_preservation(tmp_path: Path) -> None:
    out = tmp_path / "pres.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "build_preservation.py"), str(out)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    request = ee.read_request(out)
    assert isinstance(request, PreservationRequest)
    assert out.read_bytes() == ee.canonical_bytes(request)
    raw = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "build_preservation.py")], capture_output=True
    )
    assert ee.parse_request(raw.stdout).kind == "preservation"


def test_demo_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "demo finished" in out
    written = sorted((tmp_path / "requests").glob("*.json"))
    assert len(written) == len(KINDS)
    for path in written:
        assert path.read_bytes() == ee.canonical_bytes(ee.read_request(path))
    # the letter is signed (PAdES) and verifies against the throwaway CA; the package is
    # encrypted, decrypted with the recipient's identity and verifies again
    assert "verify: valid, trusted: True" in out
    assert "the same letter with one byte changed: invalid" in out
    signed = tmp_path / "letters" / "preservation.en.signed.pdf"
    ca = tmp_path / "letters" / "throwaway-ca.pem"
    assert main(["letter", "verify", str(signed), "--trust-ca", str(ca)]) == 0
    (sealed,) = (tmp_path / "encrypted").glob("*.age")
    assert "preservation" not in sealed.name
    assert "decrypted with" in out
    # the signed letter travels in the package, and the package verify reports it
    assert "letter data/documents/preservation.en.signed.pdf: signature valid (B-B), trusted" in out
    assert "and verified: VERIFIED" in out


def test_console_script_entry_point(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "eevidence",
            "validate",
            str(ROOT / "examples" / "requests" / "preservation.json"),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok")


def test_import_is_cheap() -> None:
    code = (
        "import sys, eevidence; "
        "heavy = [m for m in ('pydantic', 'httpx', 'fpdf', 'psycopg', 'jsonschema') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_version_matches_pyproject() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["version"] == ee.__version__


def test_errors_share_one_root() -> None:
    for cls in (ee.InputError, ee.RequestValidationError, ee.ConfigurationError):
        assert issubclass(cls, ee.EEvidenceError)
    assert ee.EEvidenceError("x").diagnostics() == "x"


@pytest.mark.parametrize(
    ("parts", "expected"),
    [((), "$"), (("a", 0, "b"), "$.a[0].b"), (("odd key",), '$["odd key"]')],
)
def test_json_path(parts: tuple[str | int, ...], expected: str) -> None:
    assert json_path(parts) == expected


def test_write_atomic_failure_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "x.json"
    with pytest.raises(ee.InputError, match="cannot write"):
        write_atomic(target, b"{}")
    ro = tmp_path / "ro"
    ro.mkdir()
    (ro / "x.json").mkdir()  # a directory where the file should go: rename fails
    with pytest.raises(ee.InputError, match="cannot write"):
        write_atomic(ro / "x.json", b"{}")
    assert [p.name for p in ro.iterdir()] == ["x.json"]
    write_atomic(tmp_path / "ok.json", b"{}", mode=0o600)
    assert (tmp_path / "ok.json").read_bytes() == b"{}"
    assert os.stat(tmp_path / "ok.json").st_mode & 0o777 == 0o600


def test_large_documents_are_refused(tmp_path: Path) -> None:
    from eevidence._internal.documents import MAX_DOCUMENT_BYTES

    big = tmp_path / "big.json"
    big.write_bytes(b" " * (MAX_DOCUMENT_BYTES + 1))
    with pytest.raises(ee.InputError, match="larger than"):
        ee.read_request(big)
    big_yaml = tmp_path / "big.yaml"
    big_yaml.write_bytes(b" " * (MAX_DOCUMENT_BYTES + 1))
    with pytest.raises(ee.InputError, match="larger than"):
        load_document(big_yaml)


def test_shipped_data_dirs_exist() -> None:
    from eevidence._internal.resources import data_dir

    assert (data_dir("schemas") / "request.schema.json").is_file()
    assert len(list(data_dir("examples").glob("*.json"))) == len(KINDS)


def test_readme_mentions_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert len(sub.choices) >= 4
    for command in sub.choices:
        assert f"eevidence {command}" in readme, command


def test_command_table_matches_the_parser() -> None:
    from eevidence._cli import COMMANDS

    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(sub.choices) == set(COMMANDS)
    for command, module in COMMANDS.items():
        only = build_parser(command)
        (one,) = [a for a in only._actions if isinstance(a, argparse._SubParsersAction)]
        assert command in one.choices, (command, module)


def test_a_command_loads_only_its_own_stack(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from eevidence._cli import main\n"
        "main(['validate', sys.argv[1]])\n"
        "print(sorted(m for m in ('fpdf', 'httpx', 'psycopg', 'lxml', 'uharfbuzz') "
        "if m in sys.modules))\n"
    )
    example = str(ROOT / "examples" / "requests" / "preservation.json")
    out = subprocess.run(
        [sys.executable, "-c", code, example], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_package_verification_loads_no_models_and_no_store() -> None:
    code = (
        "import sys\n"
        "from eevidence._cli import main\n"
        "code = main(['package', 'verify', sys.argv[1], '--trust', sys.argv[2]])\n"
        "print(code, sorted(m for m in ('pydantic', 'fpdf', 'httpx', 'psycopg', 'sqlite3', "
        "'jsonschema', 'yaml') if m in sys.modules))\n"
    )
    vectors = ROOT / "tests" / "vectors" / "package"
    out = subprocess.run(
        [sys.executable, "-c", code, str(vectors / "golden.zip"), str(vectors / "trust")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip().splitlines()[-1] == "0 []"
