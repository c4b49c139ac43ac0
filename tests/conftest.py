"""Shared test fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "requests"


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
