"""Tracking stores: SQLite (embedded default) and PostgreSQL (shared), with migrations.

Both keep the lifecycle history, derived deadlines and the custody log (they implement
:class:`eevidence.custody.CustodyStore`).
"""

from ._open import open_store as open_store
from ._postgres import PostgresStore as PostgresStore
from ._protocol import Store as Store
from ._schema import SCHEMA_VERSION as SCHEMA_VERSION
from ._sqlite import (
    SqliteStore as SqliteStore,
    default_store_path as default_store_path,
)

__all__ = [
    "SCHEMA_VERSION",
    "PostgresStore",
    "SqliteStore",
    "Store",
    "default_store_path",
    "open_store",
]
