"""The PostgreSQL tests are skipped locally without a server, and fail under ``CI=true``.

Each case runs pytest in a subprocess on two PostgreSQL tests (the second gets the session
fixture's cached skip) and one test skipped for another reason, with the server binaries
pointed at a folder that does not exist.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

TESTS = """
import pytest


def test_first(pg_server: str) -> None:
    assert pg_server


def test_second(pg_server: str) -> None:
    assert pg_server


def test_other_skip() -> None:
    pytest.skip("skipped for a reason of its own")
"""


def _run(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_pg_probe.py").write_text(TESTS, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["EEVIDENCE_PG_BIN"] = str(tmp_path / "no-such-bin")
    env["PYTHONPATH"] = str(ROOT)
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
            "-p",
            "tests.conftest",
            "--rootdir",
            str(tmp_path),
            "-c",
            os.devnull,
            str(tmp_path / "test_pg_probe.py"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )


@pytest.mark.parametrize("ci", [None, "false"])
def test_local_run_skips_postgresql_tests_with_the_reason(tmp_path: Path, ci: str | None) -> None:
    proc = _run(tmp_path, ci)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "3 skipped" in proc.stdout
    assert proc.stdout.count("PostgreSQL server binaries not found") == 2
    assert "skipped for a reason of its own" in proc.stdout


@pytest.mark.parametrize("ci", ["true", "1"])
def test_ci_run_fails_on_skipped_postgresql_tests(tmp_path: Path, ci: str) -> None:
    proc = _run(tmp_path, ci)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    # both PostgreSQL tests fail (in their setup); the unrelated skip stays a skip
    assert "2 errors" in proc.stdout
    assert "1 skipped" in proc.stdout
    for name in ("test_first", "test_second"):
        assert (
            f"CI=true: the PostgreSQL tests must run, but test_pg_probe.py::{name} was skipped: "
            "PostgreSQL server binaries not found"
        ) in proc.stdout
    assert "skipped for a reason of its own" in proc.stdout
