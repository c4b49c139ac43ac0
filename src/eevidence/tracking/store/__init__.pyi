# Public names of eevidence.tracking.store, imported on first use (lazy_loader.attach_stub).

from ._open import (
    open_store as open_store,
    sqlite_file_of as sqlite_file_of,
)
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
    "sqlite_file_of",
]
