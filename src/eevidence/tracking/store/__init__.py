"""Tracking stores: SQLite (embedded default) and PostgreSQL (shared), with migrations.

Both keep the lifecycle history, derived deadlines and the custody log (they implement
:class:`eevidence.custody.CustodyStore`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from eevidence._internal.lazy import attach as _attach

if TYPE_CHECKING:
    from eevidence.tracking.store._open import open_store
    from eevidence.tracking.store._postgres import PostgresStore
    from eevidence.tracking.store._protocol import Store
    from eevidence.tracking.store._schema import SCHEMA_VERSION
    from eevidence.tracking.store._sqlite import SqliteStore, default_store_path

__all__ = [
    "SCHEMA_VERSION",
    "PostgresStore",
    "SqliteStore",
    "Store",
    "default_store_path",
    "open_store",
]

__getattr__, __dir__ = _attach(__name__, __file__)
