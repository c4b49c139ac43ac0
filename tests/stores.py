"""Fixtures giving every store: SQLite in a temporary file, and a real PostgreSQL server.

The PostgreSQL server is started once per test session on a free loopback port in a
temporary directory and stopped at the end. PostgreSQL refuses to run as root, so under
root it runs as the ``postgres`` system user (``runuser``). Each test gets a database of
its own. The tests are skipped, with the reason, only when the server binaries are absent
(``.ci/run`` installs them on a clean machine).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from eevidence.tracking import PostgresStore, SqliteStore, open_store

PG_BIN = Path(os.environ.get("EEVIDENCE_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _as_server_user() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """Base URL (no database) of a throwaway PostgreSQL server."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip(
            f"PostgreSQL server binaries not found in {PG_BIN}: install the postgresql "
            "package (.ci/run does) or set EEVIDENCE_PG_BIN"
        )
    prefix = _as_server_user()
    base = Path(tempfile.mkdtemp(prefix="eevidence-pg-"))
    if prefix:
        shutil.chown(base, "postgres")
    data, log = base / "data", base / "log"
    subprocess.run(
        [*prefix, str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
    started = subprocess.run(
        [
            *prefix,
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(data),
            "-w",
            "-l",
            str(log),
            "-o",
            options,
            "start",
        ],
        capture_output=True,
        text=True,
    )
    if started.returncode != 0:
        text = log.read_text(errors="replace") if log.exists() else started.stderr
        shutil.rmtree(base, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {text}")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(
            [*prefix, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


def new_database(server: str) -> str:
    """A fresh, empty database on ``server``; returns its URL."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}".encode())
    return f"{server}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_spec(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """What ``--store`` takes, for an empty store of each kind."""
    if request.param == "sqlite":
        return str(tmp_path / "store" / "tracking.sqlite3")
    return new_database(request.getfixturevalue("pg_server"))


@pytest.fixture
def store(store_spec: str) -> Iterator[SqliteStore | PostgresStore]:
    opened = open_store(store_spec)
    try:
        yield opened
    finally:
        opened.close()
