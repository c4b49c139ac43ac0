"""Opening a store from what ``--store`` gives: a PostgreSQL URL or a SQLite file."""

from __future__ import annotations

import os

from eevidence.tracking.store._postgres import PostgresStore
from eevidence.tracking.store._sqlite import SqliteStore, default_store_path

__all__ = ["open_store"]


def open_store(
    spec: str | os.PathLike[str] | None = None, *, create: bool = True
) -> SqliteStore | PostgresStore:
    """A store from ``--store``: a ``postgresql://`` URL, a SQLite file, or the default file.

    With ``create=False`` (commands that only read) a SQLite file that does not exist is an
    error rather than a new, empty store.

    Args:
        spec: A ``postgresql://`` or ``postgres://`` URL (:class:`PostgresStore`), a SQLite
            file path (:class:`SqliteStore`), or ``None`` for :func:`default_store_path`.
        create: Whether a missing SQLite file may be created.

    Returns:
        The opened store, its schema migrated; the caller closes it.

    Raises:
        StoreError: The store cannot be opened (see :class:`SqliteStore` and
            :class:`PostgresStore`).
    """
    if spec is None:
        return SqliteStore(default_store_path(), create=create)
    text = os.fspath(spec)
    if text.startswith(("postgresql://", "postgres://")):
        return PostgresStore(text)
    return SqliteStore(text, create=create)
