"""Shared test fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "requests"


@pytest.fixture
def example_paths() -> list[Path]:
    return sorted(EXAMPLES.glob("*.json"))


# Store fixtures (SQLite and a real PostgreSQL server) for the tracking tests.
from tests.stores import pg_server, store, store_spec  # noqa: E402, F401
