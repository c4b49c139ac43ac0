"""Where tracked requests live: SQLite (embedded default) or PostgreSQL (shared), one interface.

Both stores keep the same two tables: ``requests`` (one row per request: its fixed facts as
JSON plus columns derived from its events, for queries) and ``events`` (the history, one row
per event, numbered from 1). The history is the truth; the derived columns are rewritten on
every event, in the same transaction.

Concurrency is optimistic: a writer reads a request, applies the event with the pure state
machine (:mod:`eevidence.tracking`) and writes back only if the row version (the number of
events) is still the one it read (``UPDATE ... WHERE version = ?``); otherwise it reads again
and retries, so two processes never lose each other's events. Each write is one transaction:
a writer killed half-way leaves the store as it was before.

The schema is versioned (``schema_version`` table); migrations are applied when a store is
opened, and a store written by a newer release is refused rather than damaged.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

from eevidence.custody import CustodyEntry, entries_from_jsonl
from eevidence.errors import (
    ConcurrentUpdateError,
    LifecycleError,
    StoreError,
    UnknownRequestError,
)
from eevidence.tracking._deadlines import Deadline, deadlines_of
from eevidence.tracking._lifecycle import PRESERVATION_KINDS, Event, Tracked, apply_event, as_utc
from eevidence.tracking._outcomes import (
    LIVE_PRESERVATION,
    Groups,
    GroupStats,
    OutcomeRow,
    outcome_of,
    outcome_row,
    spread,
)

if TYPE_CHECKING:
    import psycopg

__all__ = [
    "SCHEMA_VERSION",
    "PostgresStore",
    "SqliteStore",
    "Store",
    "default_store_path",
    "open_store",
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
)
SCHEMA_VERSION: Final = MIGRATIONS[-1][0]
"""The schema version this release writes."""

_RETRIES: Final = 60
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_COLUMNS: Final = (
    "state, outcome, version, submitted_at, responded_at, disclosed_at, expires_at, reject_reason, "
    "answer_hours, disclosure_hours"
)


class Store(Protocol):
    """What every store offers. Times are aware datetimes; ids are request ids."""

    @property
    def location(self) -> str:
        """Where the store is, for messages (never contains a password)."""
        ...

    def add(self, tracked: Tracked) -> None: ...
    def add_many(self, tracked: Sequence[Tracked]) -> None: ...
    def get(self, request_id: str) -> Tracked: ...
    def record(self, request_id: str, event: Event, *, now: datetime) -> Tracked: ...
    def list_requests(self, *, open_only: bool = False) -> list[Tracked]: ...
    def deadlines_before(self, horizon: datetime) -> list[Deadline]: ...
    def outcome_rows(
        self, *, now: datetime, provider: str | None = None, since: datetime | None = None
    ) -> list[OutcomeRow]: ...
    def outcome_groups(
        self, *, now: datetime, provider: str | None = None, since: datetime | None = None
    ) -> Groups: ...
    def verify(self) -> list[str]: ...
    def close(self) -> None: ...
    def append_custody(
        self, build: Callable[[CustodyEntry | None], CustodyEntry]
    ) -> CustodyEntry: ...
    def append_custody_many(
        self, builds: Sequence[Callable[[CustodyEntry | None], CustodyEntry]]
    ) -> list[CustodyEntry]: ...
    def custody_lines(self, *, object_id: str | None = None) -> list[bytes]: ...
    def custody_size(self) -> int: ...
    def save_checkpoint(
        self, size: int, note: str, timestamp_token: bytes | None = None
    ) -> None: ...
    def checkpoints(self) -> list[tuple[int, str, bytes | None]]: ...


class _SqlStore(ABC):
    """SQL shared by both stores; subclasses supply the connection and the dialect."""

    _placeholder: str = "?"
    _ts_type: str = "TEXT"
    _real_type: str = "REAL"

    # -- dialect ------------------------------------------------------------------------------

    @abstractmethod
    def _execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    @abstractmethod
    def _execute_count(self, sql: str, params: Sequence[Any] = ()) -> int: ...

    @abstractmethod
    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    @abstractmethod
    def _transaction(self, *, write: bool = True) -> AbstractContextManager[None]: ...

    @abstractmethod
    def _lock_schema(self) -> None: ...

    @abstractmethod
    def _table_exists(self, name: str) -> bool: ...

    @abstractmethod
    def _ts_in(self, value: datetime | None) -> Any: ...

    @abstractmethod
    def _ts_out(self, value: Any) -> datetime | None: ...

    @property
    @abstractmethod
    def location(self) -> str: ...

    def _sql(self, sql: str) -> str:
        return sql.replace("?", self._placeholder) if self._placeholder != "?" else sql

    # -- schema -------------------------------------------------------------------------------

    def _migrate(self) -> None:
        with self._transaction():
            self._lock_schema()
            if not self._table_exists("schema_version"):
                self._execute(
                    "CREATE TABLE schema_version (version INTEGER NOT NULL, "
                    "applied_at TEXT NOT NULL)"
                )
            rows = self._execute("SELECT max(version) FROM schema_version")
            current = int(rows[0][0] or 0)
            if current > SCHEMA_VERSION:
                raise StoreError(
                    f"the store {self.location} was written by a newer eevidence (schema "
                    f"version {current}, this one knows up to {SCHEMA_VERSION}): upgrade "
                    "eevidence, or use another store (--store)"
                )
            for version, statements in MIGRATIONS:
                if version <= current:
                    continue
                for statement in statements:
                    self._execute(
                        statement.replace(_TS, self._ts_type).replace(_REAL, self._real_type)
                    )
                self._execute(
                    self._sql("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)"),
                    (version, datetime.now(UTC).isoformat()),
                )

    def schema_version(self) -> int:
        with self._transaction(write=False):
            rows = self._execute("SELECT max(version) FROM schema_version")
        return int(rows[0][0] or 0)

    # -- writes -------------------------------------------------------------------------------

    def _derived(self, tracked: Tracked) -> tuple[Any, ...]:
        row = outcome_row(tracked, now=tracked.created_at)  # durations only: now is unused
        return (
            tracked.state,
            outcome_of(tracked),
            tracked.version,
            self._ts_in(tracked.submitted_at),
            self._ts_in(tracked.responded_at),
            self._ts_in(tracked.disclosed_at),
            self._ts_in(tracked.expires),
            tracked.reject_reason,
            row.answer_hours,
            row.disclosure_hours,
        )

    def _deadline_rows(self, tracked: Tracked) -> list[tuple[Any, ...]]:
        return [
            (d.request_id, d.kind, self._ts_in(d.due), d.provider, d.request_kind, d.basis, d.note)
            for d in deadlines_of(tracked)
        ]

    _INSERT_DEADLINE: Final = (
        "INSERT INTO deadlines (request_id, kind, due, provider, request_kind, basis, note) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)"
    )

    def _write_deadlines(self, tracked: Tracked, *, replace: bool) -> None:
        if replace:
            self._execute(self._sql("DELETE FROM deadlines WHERE request_id = ?"), (tracked.id,))
        rows = self._deadline_rows(tracked)
        if rows:
            self._executemany(self._sql(self._INSERT_DEADLINE), rows)

    def _insert_rows(self, tracked: Tracked) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
        row = (
            tracked.id,
            tracked.kind,
            tracked.provider,
            self._ts_in(tracked.created_at),
            tracked.follows,
            json.dumps(tracked.facts_dict(), sort_keys=True),
            *self._derived(tracked),
        )
        events = [
            (tracked.id, i, json.dumps(e.to_dict(), sort_keys=True))
            for i, e in enumerate(tracked.events, start=1)
        ]
        return row, events

    _INSERT: Final = (
        "INSERT INTO requests (id, kind, provider, created_at, follows, facts, state, outcome, "
        "version, submitted_at, responded_at, disclosed_at, expires_at, reject_reason, "
        "answer_hours, disclosure_hours) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    _INSERT_EVENT: Final = "INSERT INTO events (request_id, seq, body) VALUES (?, ?, ?)"

    def _check_follows(self, tracked: Tracked) -> None:
        if tracked.follows is None:
            return
        rows = self._execute(
            self._sql("SELECT kind FROM requests WHERE id = ?"), (tracked.follows,)
        )
        if not rows:
            raise UnknownRequestError(
                f"no tracked request with id {tracked.follows} to follow; "
                "track the preservation first",
                source=tracked.id,
            )
        if rows[0][0] not in PRESERVATION_KINDS:
            raise LifecycleError(
                f"a follow-up continues a preservation; {tracked.follows} is a {rows[0][0]}",
                source=tracked.id,
            )

    def add(self, tracked: Tracked) -> None:
        """Start tracking ``tracked`` (refused if its id is already tracked)."""
        with self._transaction():
            self._check_follows(tracked)
            row, events = self._insert_rows(tracked)
            # ON CONFLICT: a concurrent add of the same id is refused the same way.
            if not self._execute_count(
                self._sql(self._INSERT + " ON CONFLICT (id) DO NOTHING"), row
            ):
                raise LifecycleError(
                    "this request is already tracked; record what happened with "
                    "eevidence track event",
                    source=tracked.id,
                )
            if events:
                self._executemany(self._sql(self._INSERT_EVENT), events)
            self._write_deadlines(tracked, replace=False)

    def add_many(self, tracked: Sequence[Tracked]) -> None:
        """Bulk import in one transaction (no follow-up checks; used to load data)."""
        rows, events, deadlines = [], [], []
        for t in tracked:
            row, evs = self._insert_rows(t)
            rows.append(row)
            events.extend(evs)
            deadlines.extend(self._deadline_rows(t))
        with self._transaction():
            self._executemany(self._sql(self._INSERT), rows)
            if events:
                self._executemany(self._sql(self._INSERT_EVENT), events)
            if deadlines:
                self._executemany(self._sql(self._INSERT_DEADLINE), deadlines)

    def record(self, request_id: str, event: Event, *, now: datetime) -> Tracked:
        """Append ``event`` to the request's history; retried while other writers interfere."""
        for attempt in range(_RETRIES):
            tracked = self.get(request_id)
            updated = apply_event(tracked, event, now=now)
            if self._write_event(tracked, updated):
                return updated
            time.sleep(random.uniform(0, min(0.05, 0.002 * 2**attempt)))  # noqa: S311
        raise ConcurrentUpdateError(
            f"request {request_id} kept changing while this event was recorded; "
            "nothing was written: try again"
        )

    _UPDATE: Final = (
        "UPDATE requests SET state = ?, outcome = ?, version = ?, submitted_at = ?, "
        "responded_at = ?, disclosed_at = ?, expires_at = ?, reject_reason = ?, answer_hours = ?, "
        "disclosure_hours = ? "
        "WHERE id = ? AND version = ?"
    )

    def _write_event(self, before: Tracked, after: Tracked) -> bool:
        """Write ``after``'s new event if the row is still at ``before``'s version."""
        with self._transaction():
            changed = self._execute_count(
                self._sql(self._UPDATE), (*self._derived(after), after.id, before.version)
            )
            if changed != 1:
                return False
            self._execute(
                self._sql(self._INSERT_EVENT),
                (after.id, after.version, json.dumps(after.events[-1].to_dict(), sort_keys=True)),
            )
            self._write_deadlines(after, replace=True)
        return True

    # -- reads --------------------------------------------------------------------------------

    def _load(self, facts_rows: Sequence[tuple[str, str]]) -> list[Tracked]:
        """Tracked requests for ``(id, facts)`` rows, with their events (one query per 500)."""
        if not facts_rows:
            return []
        events: dict[str, list[Event]] = {}
        ids = [row[0] for row in facts_rows]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            for request_id, body in self._execute(
                self._sql(
                    f"SELECT request_id, body FROM events WHERE request_id IN ({marks}) "  # noqa: S608
                    "ORDER BY request_id, seq"
                ),
                chunk,
            ):
                events.setdefault(request_id, []).append(Event.from_dict(json.loads(body)))
        return [
            Tracked.from_dict(json.loads(facts), tuple(events.get(request_id, ())))
            for request_id, facts in facts_rows
        ]

    def get(self, request_id: str) -> Tracked:
        with self._transaction(write=False):
            rows = self._execute(
                self._sql("SELECT id, facts FROM requests WHERE id = ?"), (request_id,)
            )
            if not rows:
                raise UnknownRequestError(
                    "no tracked request with this id; list them with: eevidence status",
                    source=request_id,
                )
            return self._load([(rows[0][0], rows[0][1])])[0]

    def list_requests(self, *, open_only: bool = False) -> list[Tracked]:
        where = " WHERE state NOT IN ('rejected', 'withdrawn', 'expired')" if open_only else ""
        with self._transaction(write=False):
            rows = self._execute(
                f"SELECT id, facts FROM requests{where} ORDER BY created_at, id"  # noqa: S608
            )
            return self._load([(r[0], r[1]) for r in rows])

    def deadlines_before(self, horizon: datetime) -> list[Deadline]:
        """Open deadlines due at or before ``horizon``, most urgent first (index on ``due``)."""
        with self._transaction(write=False):
            rows = self._execute(
                self._sql(
                    "SELECT request_id, provider, request_kind, kind, due, basis, note "
                    "FROM deadlines WHERE due <= ? ORDER BY due, request_id, kind"
                ),
                (self._ts_in(as_utc(horizon, "horizon")),),
            )
        return [
            Deadline(r, p, rk, k, self._ts_required(due), b, n) for r, p, rk, k, due, b, n in rows
        ]

    def _ts_required(self, value: Any) -> datetime:
        out = self._ts_out(value)
        if out is None:
            raise StoreError(f"the store {self.location} holds a deadline without a time")
        return out

    def _report_filter(
        self, now: datetime, provider: str | None, since: datetime | None
    ) -> tuple[str, list[Any]]:
        where, params = ["created_at >= ?"], [self._ts_in(as_utc(since or _EPOCH, "since"))]
        if provider is not None:
            where.append("provider = ?")
            params.append(provider)
        return " AND ".join(where), params

    _LAPSED: Final = (
        "CASE WHEN outcome = 'expired' OR (outcome IN ("
        + ", ".join(f"'{state}'" for state in LIVE_PRESERVATION)
        + ") AND expires_at < ?) THEN 1 ELSE 0 END"
    )

    def outcome_rows(
        self, *, now: datetime, provider: str | None = None, since: datetime | None = None
    ) -> list[OutcomeRow]:
        """One :class:`OutcomeRow` per request."""
        where, params = self._report_filter(now, provider, since)
        sql = (
            "SELECT provider, kind, outcome, answer_hours, disclosure_hours, "  # noqa: S608
            f"{self._LAPSED}, reject_reason FROM requests WHERE {where}"
        )
        with self._transaction(write=False):
            rows = self._execute(self._sql(sql), [self._ts_in(as_utc(now, "now")), *params])
        return [
            OutcomeRow(p, k, o, a, d, bool(lapsed), reason)
            for p, k, o, a, d, lapsed, reason in rows
        ]

    def outcome_groups(
        self, *, now: datetime, provider: str | None = None, since: datetime | None = None
    ) -> Groups:
        """The report's statistics, grouped in SQL (what ``aggregate(outcome_rows())`` gives)."""
        where, params = self._report_filter(now, provider, since)
        groups: Groups = {}

        def group(p: str, k: str) -> GroupStats:
            found = groups.get((p, k))
            if found is None:
                found = groups[p, k] = GroupStats()
            return found

        with self._transaction(write=False):
            for p, k, outcome, count, lapsed in self._execute(
                self._sql(
                    f"SELECT provider, kind, outcome, count(*), sum({self._LAPSED}) "  # noqa: S608
                    f"FROM requests WHERE {where} GROUP BY provider, kind, outcome"
                ),
                [self._ts_in(as_utc(now, "now")), *params],
            ):
                g = group(p, k)
                g.outcomes[outcome] = int(count)
                g.lapsed += int(lapsed)
            for p, k, reason, count in self._execute(
                self._sql(
                    "SELECT provider, kind, reject_reason, count(*) FROM requests "  # noqa: S608
                    f"WHERE {where} AND reject_reason IS NOT NULL "
                    "GROUP BY provider, kind, reject_reason"
                ),
                params,
            ):
                group(p, k).reasons[reason] = int(count)
            # Percentiles in Python: ranking with SQL window functions measured 3 to 4 times
            # slower on SQLite than fetching the durations (docs/benchmarks.md).
            durations: dict[tuple[str, str], tuple[list[float], list[float]]] = {}
            for p, k, answer, disclosure in self._execute(
                self._sql(
                    "SELECT provider, kind, answer_hours, disclosure_hours "  # noqa: S608
                    f"FROM requests WHERE {where} AND answer_hours IS NOT NULL"
                ),
                params,
            ):
                lists = durations.get((p, k))
                if lists is None:
                    lists = durations[p, k] = ([], [])
                lists[0].append(answer)
                if disclosure is not None:
                    lists[1].append(disclosure)
        for key, (answers, disclosures) in durations.items():
            g = group(*key)
            g.answer, g.disclosure = spread(answers), spread(disclosures)
        return groups

    def verify(self) -> list[str]:
        """Check every request against its history; an empty list means consistent."""
        problems: list[str] = []
        with self._transaction(write=False):
            rows = self._execute(f"SELECT id, facts, {_COLUMNS} FROM requests")  # noqa: S608
            counts = {
                r[0]: (int(r[1]), int(r[2]))
                for r in self._execute(
                    "SELECT request_id, count(*), max(seq) FROM events GROUP BY request_id"
                )
            }
            loaded = {t.id: t for t in self._load([(r[0], r[1]) for r in rows])}
            stored_deadlines: dict[str, set[tuple[Any, ...]]] = {}
            for d in self._execute(
                "SELECT request_id, kind, due, provider, request_kind, basis, note FROM deadlines"
            ):
                stored_deadlines.setdefault(d[0], set()).add(tuple(d))
        for row in rows:
            tracked = loaded[row[0]]
            n, top = counts.get(row[0], (0, 0))
            if n != top:
                problems.append(f"{row[0]}: event numbers have gaps")
            if tuple(row[2:]) != self._derived(tracked):
                problems.append(f"{row[0]}: derived columns do not match the history")
            if stored_deadlines.pop(row[0], set()) != set(self._deadline_rows(tracked)):
                problems.append(f"{row[0]}: deadlines do not match the history")
        problems.extend(f"{orphan}: deadlines without a request" for orphan in stored_deadlines)
        return problems

    # -- custody log --------------------------------------------------------------------------

    @abstractmethod
    def _lock_custody(self) -> None:
        """Serialise custody appenders inside the current write transaction."""

    def append_custody(self, build: Callable[[CustodyEntry | None], CustodyEntry]) -> CustodyEntry:
        """Append ``build(last entry)`` to the custody log, one appender at a time.

        ``build`` receives the current last entry (``None`` for an empty log) inside the
        write transaction, so concurrent appenders form one linear chain: none forks it,
        none is lost. A writer killed here leaves the log as it was.
        """
        return self.append_custody_many([build])[-1]

    def append_custody_many(
        self, builds: Sequence[Callable[[CustodyEntry | None], CustodyEntry]]
    ) -> list[CustodyEntry]:
        """Append several entries in one transaction (each ``build`` gets the one before)."""
        if not builds:
            return []
        out: list[CustodyEntry] = []
        with self._transaction():
            self._lock_custody()
            rows = self._execute("SELECT line FROM custody ORDER BY seq DESC LIMIT 1")
            last = entries_from_jsonl(rows[0][0].encode(), source=self.location) if rows else []
            previous = last[0] if last else None
            for build in builds:
                entry = build(previous)
                expected = previous.seq + 1 if previous else 0
                if entry.seq != expected or (
                    previous is not None and entry.prev_hash != previous.entry_hash()
                ):
                    raise StoreError(
                        f"custody entry {entry.seq} does not follow the log (next is {expected})"
                    )
                out.append(entry)
                previous = entry
            self._executemany(
                self._sql(
                    "INSERT INTO custody (seq, line, entry_hash, object_id) VALUES (?, ?, ?, ?)"
                ),
                [(e.seq, e.canonical().decode(), e.entry_hash(), e.object_id) for e in out],
            )
        return out

    def custody_lines(self, *, object_id: str | None = None) -> list[bytes]:
        """The stored canonical entries in order (all, or those about ``object_id``)."""
        with self._transaction(write=False):
            if object_id is None:
                rows = self._execute("SELECT line FROM custody ORDER BY seq")
            else:
                rows = self._execute(
                    self._sql("SELECT line FROM custody WHERE object_id = ? ORDER BY seq"),
                    (object_id,),
                )
        return [r[0].encode() for r in rows]

    def custody_size(self) -> int:
        rows = self._execute("SELECT count(*) FROM custody")
        return int(rows[0][0])

    def save_checkpoint(self, size: int, note: str, timestamp_token: bytes | None = None) -> None:
        """Keep a signed checkpoint (and its RFC 3161 token); one per log size."""
        token = None if timestamp_token is None else timestamp_token.hex()
        with self._transaction():
            self._execute(self._sql("DELETE FROM checkpoints WHERE size = ?"), (size,))
            self._execute(
                self._sql("INSERT INTO checkpoints (size, note, timestamp_token) VALUES (?, ?, ?)"),
                (size, note, token),
            )

    def checkpoints(self) -> list[tuple[int, str, bytes | None]]:
        """Saved checkpoints, smallest first: (size, signed note, timestamp token)."""
        rows = self._execute("SELECT size, note, timestamp_token FROM checkpoints ORDER BY size")
        return [(int(r[0]), r[1], None if r[2] is None else bytes.fromhex(r[2])) for r in rows]


# ---------------------------------------------------------------------------------------------
# SQLite
# ---------------------------------------------------------------------------------------------


def default_store_path() -> Path:
    """``$EEVIDENCE_HOME/tracking.sqlite3``, else the per-user data directory."""
    home = os.environ.get("EEVIDENCE_HOME")
    if home:
        return Path(home) / "tracking.sqlite3"
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "eevidence" / "tracking.sqlite3"


class SqliteStore(_SqlStore):
    """The embedded store: one SQLite file (WAL journal, waits up to ``timeout`` for locks)."""

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
        except BaseException:
            self._conn.close()
            raise

    @property
    def location(self) -> str:
        return str(self.path)

    def close(self) -> None:
        self._conn.close()

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
        except sqlite3.OperationalError as exc:
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


# ---------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------


def _redact(url: str) -> str:
    """``host:port/dbname`` of a connection URL, without user or password."""
    from psycopg.conninfo import conninfo_to_dict  # noqa: PLC0415 - loaded only for PostgreSQL

    try:
        info = conninfo_to_dict(url)
    except Exception:
        return "postgresql://(unreadable URL)"
    return (
        f"postgresql://{info.get('host', 'localhost')}:{info.get('port', 5432)}/"
        f"{info.get('dbname', '')}"
    )


class PostgresStore(_SqlStore):
    """A shared store in a PostgreSQL database (psycopg 3), for many users at once."""

    _placeholder = "%s"
    _ts_type = "TIMESTAMPTZ"
    _real_type = "DOUBLE PRECISION"
    _LOCK_KEY: Final = 0x6565_7664  # advisory lock taken while migrating

    def __init__(self, url: str, *, connect_timeout: int = 5) -> None:
        import psycopg  # noqa: PLC0415 - loaded only for PostgreSQL

        self._where = _redact(url)
        try:
            self._conn: psycopg.Connection[tuple[Any, ...]] = psycopg.connect(
                url, autocommit=True, connect_timeout=connect_timeout
            )
        except psycopg.Error as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreError(
                f"cannot reach PostgreSQL at {self._where}: {first}; check that the server "
                "runs and the URL (--store) is right"
            ) from exc
        try:
            self._conn.execute("SET TIME ZONE 'UTC'")
            self._migrate()
        except psycopg.Error as exc:
            self._conn.close()
            raise StoreError(f"cannot use the store {self._where}: {exc}") from exc
        except BaseException:
            self._conn.close()
            raise

    @property
    def location(self) -> str:
        return self._where

    def close(self) -> None:
        self._conn.close()

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cur = self._conn.execute(sql.encode(), params)
        return cur.fetchall() if cur.description is not None else []

    def _execute_count(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self._conn.execute(sql.encode(), params).rowcount

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self._conn.cursor() as cur:
            cur.executemany(sql.encode(), rows)

    @contextmanager
    def _transaction(self, *, write: bool = True) -> Iterator[None]:
        import psycopg  # noqa: PLC0415 - already loaded by __init__

        try:
            with self._conn.transaction():
                if not write:
                    self._conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                yield
        except psycopg.Error as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreError(f"the store {self._where} failed: {first}") from exc

    def _lock_schema(self) -> None:
        self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (self._LOCK_KEY,))

    def _lock_custody(self) -> None:
        self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (self._LOCK_KEY + 1,))

    def _table_exists(self, name: str) -> bool:
        rows = self._execute("SELECT to_regclass(%s) IS NOT NULL", (name,))
        return bool(rows[0][0])

    def _ts_in(self, value: datetime | None) -> datetime | None:
        return None if value is None else value.astimezone(UTC)

    def _ts_out(self, value: Any) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.astimezone(UTC)
        return datetime.fromisoformat(value)


def open_store(
    spec: str | os.PathLike[str] | None = None, *, create: bool = True
) -> SqliteStore | PostgresStore:
    """A store from ``--store``: a ``postgresql://`` URL, a SQLite file, or the default file.

    With ``create=False`` (commands that only read) a SQLite file that does not exist is an
    error rather than a new, empty store.
    """
    if spec is None:
        return SqliteStore(default_store_path(), create=create)
    text = os.fspath(spec)
    if text.startswith(("postgresql://", "postgres://")):
        return PostgresStore(text)
    return SqliteStore(text, create=create)
