"""The embedded store: one SQLite file per user (the default), safe for several processes.

The file is created ``0600`` in a ``0700`` folder (notes and provider references are case
information). The journal is WAL, so readers never wait for a writer; writers take the
write lock when their transaction begins (``BEGIN IMMEDIATE``) and queue for it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eevidence.errors import StoreError
from eevidence.tracking.store._base import SqlStore

__all__ = ["SqliteStore", "default_store_path"]


def default_store_path() -> Path:
    """Where the default store is: ``$EEVIDENCE_HOME/tracking.sqlite3`` when that variable
    is set, else ``tracking.sqlite3`` in the per-user data directory
    (``$XDG_DATA_HOME/eevidence``, by default ``~/.local/share/eevidence``).

    Returns:
        The path of the SQLite file (it may not exist yet).
    """
    home = os.environ.get("EEVIDENCE_HOME")
    if home:
        return Path(home) / "tracking.sqlite3"
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "eevidence" / "tracking.sqlite3"


class SqliteStore(SqlStore):
    """The embedded store: one SQLite file (WAL journal, waits up to ``timeout`` for locks).

    Opening migrates the schema to this release's version. A store is used from the thread
    that opened it.

    Args:
        path: The SQLite file; it and its folder are created when missing (unless
            ``create`` is false).
        timeout: How long to wait for another process's lock before giving up, in seconds.
        create: Whether a missing file may be created (``False`` for read-only commands).

    Raises:
        StoreError: The file does not exist and ``create`` is false; it cannot be created
            or opened; it is not an eevidence store; or it was written by a newer release.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, timeout: float = 30.0, create: bool = True
    ) -> None:
        self.path = Path(path)
        if not create and not self.path.exists():
            raise StoreError(
                f"no store at {self.path}: nothing has been tracked there yet "
                "(check --store or $EEVIDENCE_STORE)"
            )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fresh = not self.path.exists()
            self._conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the store {self.path}: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"cannot create the store {self.path}: {exc.strerror}") from exc
        try:
            if fresh:
                self.path.chmod(0o600)  # notes and provider references are case information
            self._conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.Error as exc:
            self._conn.close()
            raise StoreError(
                f"cannot open the store {self.path}: {exc} (is it an eevidence store?)"
            ) from exc
        except OSError as exc:
            self._conn.close()
            raise StoreError(f"cannot open the store {self.path}: {exc.strerror or exc}") from exc
        except BaseException:
            self._conn.close()
            raise

    @property
    def location(self) -> str:
        """The path of the SQLite file, as text."""
        return str(self.path)

    def close(self) -> None:
        """Close the connection (a second call does nothing).

        Raises:
            StoreError: SQLite refused, e.g. when called from another thread than the one
                that opened the store.
        """
        try:
            self._conn.close()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot close the store {self.path}: {exc}") from exc

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._conn.execute(sql, params).fetchall()

    def _execute_count(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self._conn.execute(sql, params).rowcount

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._conn.executemany(sql, rows)

    @contextmanager
    def _transaction(self, *, write: bool = True) -> Iterator[None]:
        # IMMEDIATE takes the write lock up front, so two writers queue instead of deadlocking.
        try:
            self._conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        except sqlite3.Error as exc:  # busy past the timeout, closed, another thread...
            raise StoreError(f"the store {self.path} is busy or unusable: {exc}") from exc
        try:
            yield
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise StoreError(f"the store {self.path} failed: {exc}") from exc
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        # A failed rollback leaves the error that caused it to be raised (SQLite rolls the
        # transaction back itself when the connection goes).
        with contextlib.suppress(sqlite3.Error):
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")

    def _lock_schema(self) -> None:
        """BEGIN IMMEDIATE already holds the write lock."""

    def _lock_custody(self) -> None:
        """BEGIN IMMEDIATE already holds the write lock."""

    def _table_exists(self, name: str) -> bool:
        rows = self._execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        )
        return bool(rows)

    def _ts_in(self, value: datetime | None) -> str | None:
        # Fixed width, so text order is time order.
        return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def _ts_out(self, value: Any) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value)
