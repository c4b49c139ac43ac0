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
from eevidence.tracking.store._schema import SCHEMA_VERSION, pending_migrations

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


def _read_only(path: Path) -> bool:
    """Whether a store file is a read-only copy: no write permission bit on it or its
    folder (honoured even by a superuser, whom permissions do not stop), or no access."""
    try:
        mode, folder = path.stat().st_mode, path.parent.stat().st_mode
    except OSError:
        return False
    return (
        not mode & 0o222
        or not folder & 0o222
        or not os.access(path, os.W_OK)
        or not os.access(path.parent, os.W_OK)
    )


class SqliteStore(SqlStore):
    """The embedded store: one SQLite file (WAL journal, waits up to ``timeout`` for locks).

    Opening migrates the schema to this release's version. A store is used from the thread
    that opened it.

    Args:
        path: The SQLite file; it and its folder are created when missing (unless
            ``create`` is false).
        timeout: How long to wait for another process's lock before giving up, in seconds.
        create: Whether a missing file may be created (``False`` for read-only commands).
            With ``False``, a file or folder without write permission (a read-only copy,
            write-once media) is opened read-only (``mode=ro``, or ``immutable=1``); its
            schema must then be this release's, and writes raise :class:`StoreError`.
            With ``True``, such a copy is refused (even for a superuser).

    Raises:
        StoreError: The file does not exist and ``create`` is false; it is a read-only copy
            and ``create`` is true; it cannot be created
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
        self.read_only = self.path.exists() and _read_only(self.path)
        if self.read_only:
            if create:  # a command that writes: never into a read-only copy
                raise StoreError(
                    f"the store {self.path} is a read-only copy (no write permission on it "
                    "or its folder): commands that only read can use it, this one writes"
                )
            self._open_read_only(timeout)
            return
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

    def _open_read_only(self, timeout: float) -> None:
        """Open a read-only copy (``mode=ro``; ``immutable=1`` when even that needs to write
        beside it, as on write-once media); its schema must be this release's."""
        uri = self.path.resolve().as_uri()
        last: sqlite3.Error | None = None
        tries = ["mode=ro", "mode=ro&immutable=1"]
        if not self.path.parent.stat().st_mode & 0o222:
            tries.reverse()  # a read-only folder: create nothing beside the copy, even as root
        for flags in tries:
            try:
                self._conn = sqlite3.connect(
                    f"{uri}?{flags}", timeout=timeout, isolation_level=None, uri=True
                )
            except sqlite3.Error as exc:
                last = exc
                continue
            try:
                rows = self._conn.execute("SELECT max(version) FROM schema_version").fetchall()
            except sqlite3.Error as exc:
                last = exc
                self._conn.close()
                continue
            version = int(rows[0][0] or 0)
            if version != SCHEMA_VERSION:
                self._conn.close()
                pending_migrations(version, location=self.location, ts_type="", real_type="")
                raise StoreError(
                    f"the read-only store {self.path} has schema version {version}; this "
                    f"release reads version {SCHEMA_VERSION}: open a writable copy once to "
                    "migrate it"
                )
            return
        raise StoreError(
            f"cannot open the read-only store {self.path}: {last} (is it an eevidence store?)"
        )

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
        if write and self.read_only:
            raise StoreError(f"the store {self.path} was opened read-only (a read-only copy)")
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
