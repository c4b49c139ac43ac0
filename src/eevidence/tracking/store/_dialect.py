"""What a database dialect supplies to the shared store SQL, and the schema migration.

A dialect (:class:`~eevidence.tracking.store.SqliteStore`,
:class:`~eevidence.tracking.store.PostgresStore`) supplies the connection, transactions,
locks, placeholders and timestamp conversion. Its :meth:`Dialect._transaction` turns every
driver error into :class:`~eevidence.errors.StoreError`, and every public store call runs
inside one, so no ``sqlite3`` or ``psycopg`` exception leaves a store.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

from eevidence.tracking.store._schema import RECORD_VERSION, VERSION_TABLE, pending_migrations

__all__ = ["Dialect"]


class Dialect(ABC):
    """The database access a store is written against (one connection, one dialect).

    Statements are written with ``?`` placeholders and passed through :meth:`_sql`.
    """

    _placeholder: str = "?"
    _ts_type: str = "TEXT"
    _real_type: str = "REAL"

    @abstractmethod
    def _execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement (inside :meth:`_transaction`); the rows it returns, if any."""

    @abstractmethod
    def _execute_count(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement (inside :meth:`_transaction`); the number of rows it changed."""

    @abstractmethod
    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement once per parameter row (inside :meth:`_transaction`)."""

    @abstractmethod
    def _transaction(self, *, write: bool = True) -> AbstractContextManager[None]:
        """One transaction: committed on success, rolled back on any exception.

        Driver errors (starting, running, committing) are raised as
        :class:`~eevidence.errors.StoreError`; a write transaction serialises writers.
        """

    @abstractmethod
    def _lock_schema(self) -> None:
        """Serialise migrations inside the current write transaction."""

    @abstractmethod
    def _table_exists(self, name: str) -> bool:
        """Whether the table ``name`` exists (inside :meth:`_transaction`)."""

    @abstractmethod
    def _ts_in(self, value: datetime | None) -> Any:
        """An aware datetime as the dialect stores it (``None`` stays ``None``)."""

    @abstractmethod
    def _ts_out(self, value: Any) -> datetime | None:
        """A stored timestamp back as an aware UTC datetime (``None`` stays ``None``)."""

    @property
    @abstractmethod
    def location(self) -> str:
        """Where the store is, for messages (never contains a password)."""

    @abstractmethod
    def close(self) -> None:
        """Close the connection; the store cannot be used afterwards.

        Raises:
            StoreError: The database failed while closing.
        """

    def _sql(self, sql: str) -> str:
        """``sql`` with its ``?`` placeholders in the dialect's style."""
        return sql.replace("?", self._placeholder) if self._placeholder != "?" else sql

    # -- schema -------------------------------------------------------------------------------

    def _migrate(self) -> None:
        """Apply the pending migrations in one transaction, holding the schema lock."""
        with self._transaction():
            self._lock_schema()
            if not self._table_exists("schema_version"):
                self._execute(VERSION_TABLE)
            rows = self._execute("SELECT max(version) FROM schema_version")
            pending = pending_migrations(
                int(rows[0][0] or 0),
                location=self.location,
                ts_type=self._ts_type,
                real_type=self._real_type,
            )
            for version, statements in pending:
                for statement in statements:
                    self._execute(statement)
                self._execute(self._sql(RECORD_VERSION), (version, datetime.now(UTC).isoformat()))

    def schema_version(self) -> int:
        """The schema version of the store (the release's ``SCHEMA_VERSION`` once opened).

        Returns:
            The highest migration number applied (0 for an empty database).

        Raises:
            StoreError: The store failed.
        """
        with self._transaction(write=False):
            rows = self._execute("SELECT max(version) FROM schema_version")
        return int(rows[0][0] or 0)
