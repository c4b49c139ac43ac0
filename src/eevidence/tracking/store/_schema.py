"""The store schema: tables, indexes, the schema version and the migrations to reach it.

Each migration is a numbered list of DDL statements written once for both databases;
``{ts}`` and ``{real}`` stand for the dialect's timestamp and floating-point column types
(SQLite ``TEXT`` and ``REAL``, PostgreSQL ``TIMESTAMPTZ`` and ``DOUBLE PRECISION``).
Migrations are applied in order when a store is opened (see ``_SqlStore._migrate``); a
store whose schema is newer than :data:`SCHEMA_VERSION` is refused rather than damaged.
Released migrations are never edited: a change is a new migration.
"""

from __future__ import annotations

from typing import Final

from eevidence.errors import StoreError

__all__ = [
    "MIGRATIONS",
    "RECORD_VERSION",
    "SCHEMA_VERSION",
    "VERSION_TABLE",
    "pending_migrations",
]

_TS: Final = "{ts}"
_REAL: Final = "{real}"
MIGRATIONS: Final[tuple[tuple[int, tuple[str, ...]], ...]] = (
    (
        1,
        (
            f"""CREATE TABLE requests (
                id TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                provider TEXT NOT NULL,
                state TEXT NOT NULL,
                outcome TEXT NOT NULL,
                version INTEGER NOT NULL,
                created_at {_TS} NOT NULL,
                submitted_at {_TS},
                responded_at {_TS},
                disclosed_at {_TS},
                expires_at {_TS},
                reject_reason TEXT,
                answer_hours {_REAL},
                disclosure_hours {_REAL},
                follows TEXT REFERENCES requests (id),
                facts TEXT NOT NULL
            )""",
            """CREATE TABLE events (
                request_id TEXT NOT NULL REFERENCES requests (id),
                seq INTEGER NOT NULL,
                body TEXT NOT NULL,
                PRIMARY KEY (request_id, seq)
            )""",
            f"""CREATE TABLE deadlines (
                request_id TEXT NOT NULL REFERENCES requests (id),
                kind TEXT NOT NULL,
                due {_TS} NOT NULL,
                provider TEXT NOT NULL,
                request_kind TEXT NOT NULL,
                basis TEXT NOT NULL,
                note TEXT NOT NULL,
                PRIMARY KEY (request_id, kind)
            )""",
            "CREATE INDEX deadlines_due ON deadlines (due)",
            # Covering indexes: the report reads them, never the wide rows.
            "CREATE INDEX requests_report ON requests (created_at, provider, kind, outcome, "
            "answer_hours, disclosure_hours, expires_at, reject_reason)",
            "CREATE INDEX requests_provider_report ON requests (provider, created_at, kind, "
            "outcome, answer_hours, disclosure_hours, expires_at, reject_reason)",
        ),
    ),
    (
        2,
        (
            # the custody log: one canonical entry per row, numbered from 0, append-only
            """CREATE TABLE custody (
                seq INTEGER PRIMARY KEY,
                line TEXT NOT NULL,
                entry_hash TEXT NOT NULL,
                object_id TEXT NOT NULL
            )""",
            "CREATE INDEX custody_object ON custody (object_id, seq)",
            # signed checkpoints over the log, by the size they cover
            """CREATE TABLE checkpoints (
                size INTEGER PRIMARY KEY,
                note TEXT NOT NULL,
                timestamp_token TEXT
            )""",
        ),
    ),
    (
        3,
        (
            # the requests that follow a preservation (Store.followers): a follow-up's
            # dispatch deadline closes once one of them is sent
            "CREATE INDEX requests_follows ON requests (follows)",
            # requests of some kinds only (Store.list_requests(kinds=...): the State report)
            "CREATE INDEX requests_kind ON requests (kind, created_at, id)",
        ),
    ),
)
SCHEMA_VERSION: Final = MIGRATIONS[-1][0]
"""The schema version this release writes."""

VERSION_TABLE: Final = (
    "CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)"
)
RECORD_VERSION: Final = "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)"


def pending_migrations(
    current: int, *, location: str, ts_type: str, real_type: str
) -> list[tuple[int, list[str]]]:
    """The migrations a store at schema version ``current`` still needs, in order.

    Reads :data:`MIGRATIONS` and :data:`SCHEMA_VERSION` when called.

    Args:
        current: The store's schema version (0 for a new store).
        location: The store, for the error message.
        ts_type: The dialect's column type for aware timestamps.
        real_type: The dialect's column type for floating-point numbers.

    Returns:
        ``[(version, statements)]`` with the placeholders replaced by the dialect's types.

    Raises:
        StoreError: ``current`` is newer than this release's :data:`SCHEMA_VERSION`.
    """
    if current > SCHEMA_VERSION:
        raise StoreError(
            f"the store {location} was written by a newer eevidence (schema "
            f"version {current}, this one knows up to {SCHEMA_VERSION}): upgrade "
            "eevidence, or use another store (--store)"
        )
    return [
        (version, [s.replace(_TS, ts_type).replace(_REAL, real_type) for s in statements])
        for version, statements in MIGRATIONS
        if version > current
    ]
