"""Shared test fixtures, and the rule that CI runs the PostgreSQL tests.

Locally, the PostgreSQL tests are skipped, with the reason, when the server binaries are
absent (``tests/stores.py``). Under ``CI=true`` (``.ci/run`` installs the binaries) such a
skip is a failure: a CI run that skipped them would pass without testing the shared store.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from pathlib import Path
from types import TracebackType

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "requests"
STORES = Path(__file__).resolve().with_name("stores.py")
"""The module whose ``pg_server`` fixture starts PostgreSQL, or skips when it cannot."""


def _in_ci() -> bool:
    """Whether this run is CI's (``CI`` set to ``true`` or ``1``, as CI services set it)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1")


def _skipped_by_pg_server(tb: TracebackType | None) -> bool:
    """Whether a skip was raised inside the ``pg_server`` fixture of :data:`STORES` (also
    when pytest re-raises the session fixture's cached skip for a later test)."""
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name == "pg_server" and Path(code.co_filename).resolve() == STORES:
            return True
        tb = tb.tb_next
    return False


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Under ``CI=true``, a PostgreSQL test skipped for want of a server fails instead."""
    report = yield
    if (
        report.skipped
        and _in_ci()
        and call.excinfo is not None
        and call.excinfo.errisinstance(pytest.skip.Exception)
        and _skipped_by_pg_server(call.excinfo.tb)
    ):
        reason = str(call.excinfo.value)
        report.outcome = "failed"
        report.longrepr = (
            f"CI=true: the PostgreSQL tests must run, but {item.nodeid} was skipped: {reason}"
        )
    return report


@pytest.fixture(autouse=True)
def private_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep every test's default store and workstation custody key out of the user's home."""
    home = tmp_path_factory.mktemp("eevidence-home")
    monkeypatch.setenv("EEVIDENCE_HOME", str(home))
    for name in (
        "EEVIDENCE_STORE",
        "EEVIDENCE_KEY",
        "EEVIDENCE_ACTOR",
        "EEVIDENCE_ROLE",
        "EEVIDENCE_TRUST",
    ):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def example_paths() -> list[Path]:
    return sorted(EXAMPLES.glob("*.json"))


# Store fixtures (SQLite and a real PostgreSQL server) for the tracking tests.
from tests.stores import pg_server, store, store_spec  # noqa: E402, F401
