"""The SQL both stores share: optimistic concurrency, derived columns, reports, custody log.

Both stores keep the same tables (see :mod:`eevidence.tracking.store._schema`): ``requests``
(one row per request: its fixed facts as JSON plus columns derived from its events, for
queries), ``events`` (the history, one row per event, numbered from 1), ``deadlines``
(derived from the history) and the custody log. The history is the truth; the derived
columns are rewritten on every event, in the same transaction.

Concurrency is optimistic: a writer reads a request, applies the event with the pure state
machine (:mod:`eevidence.tracking`) and writes back only if the row version (the number of
events) is still the one it read (``UPDATE ... WHERE version = ?``); otherwise it reads again
and retries, so two processes never lose each other's events. Each write is one transaction:
a writer killed half-way leaves the store as it was before.

The database access is the dialect's (:mod:`eevidence.tracking.store._dialect`); the custody
log's SQL is in :mod:`eevidence.tracking.store._custody`.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from eevidence.errors import (
    ConcurrentUpdateError,
    InputError,
    LifecycleError,
    StoreError,
    UnknownRequestError,
)
from eevidence.tracking._apply import apply_event
from eevidence.tracking._deadlines import Deadline, deadlines_of
from eevidence.tracking._lifecycle import PRESERVATION_KINDS, Event, Tracked, as_utc
from eevidence.tracking._outcomes import (
    LIVE_PRESERVATION,
    Groups,
    GroupStats,
    OutcomeRow,
    outcome_of,
    outcome_row,
    spread,
)
from eevidence.tracking.store._custody import CustodyLog

__all__ = ["SqlStore"]

_RETRIES: Final = 60
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_COLUMNS: Final = (
    "state, outcome, version, submitted_at, responded_at, disclosed_at, expires_at, reject_reason, "
    "answer_hours, disclosure_hours"
)


class SqlStore(CustodyLog):
    """The tracking logic both stores share, written against a dialect.

    Every public method runs in one transaction of the dialect, which turns any driver
    error into :class:`~eevidence.errors.StoreError`, so no ``sqlite3`` or ``psycopg``
    exception leaves a store.
    """

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
        """Start tracking a request, with the events it already has.

        Args:
            tracked: The request and its history; a follow-up (``follows`` set) must
                continue a preservation the store already tracks.

        Raises:
            LifecycleError: The id is already tracked (also when another writer adds it at
                the same time), or ``follows`` names a request that is not a preservation.
            UnknownRequestError: ``follows`` names a request the store does not hold.
            StoreError: The store failed; nothing was written.
        """
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
        """Import many requests in one transaction (bulk load; follow-ups are not checked).

        Args:
            tracked: The requests with their histories; ids must be new and distinct.

        Raises:
            StoreError: An id is already tracked or repeated, or the store failed; nothing
                was written.
        """
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
        """Append ``event`` to the request's history; retried while other writers interfere.

        The request is read, the event applied by the lifecycle, and the result written only
        if no other event was recorded in between; otherwise it starts again (up to 60
        times, with a random pause of at most 50 ms).

        Args:
            request_id: The tracked request.
            event: What happened; it must be allowed in the request's current state.
            now: The current time (aware): an event may not be dated after it.

        Returns:
            The request with the event applied, as stored.

        Raises:
            UnknownRequestError: The store does not hold ``request_id``.
            LifecycleError: The lifecycle does not allow the event now.
            ConcurrentUpdateError: Other writers kept changing the request; nothing was
                written.
            StoreError: The store failed; nothing was written.
        """
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
        """Tracked requests for ``(id, facts)`` rows, with their events (one query per 500).

        Raises:
            StoreError: A stored row cannot be read back (the store is damaged).
        """
        if not facts_rows:
            return []
        events: dict[str, list[Event]] = {}
        ids = [row[0] for row in facts_rows]
        request_id = ids[0]
        try:
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
            out = []
            for request_id, facts in facts_rows:
                out.append(Tracked.from_dict(json.loads(facts), tuple(events.get(request_id, ()))))
        except (ValueError, KeyError, TypeError, AttributeError, InputError) as exc:
            raise StoreError(
                f"the store {self.location} holds an unreadable row for request {request_id} "
                f"({type(exc).__name__}: {exc}): the store is damaged"
            ) from exc
        except RecursionError:  # JSON nested too deeply to decode
            raise StoreError(
                f"the store {self.location} holds an unreadable row for request {request_id} "
                "(nested too deeply): the store is damaged"
            ) from None
        return out

    def get(self, request_id: str) -> Tracked:
        """The tracked request ``request_id`` with its whole history.

        Raises:
            UnknownRequestError: The store does not hold ``request_id``.
            StoreError: The store failed or holds an unreadable row.
        """
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

    def list_requests(
        self,
        *,
        open_only: bool = False,
        kinds: Collection[str] | None = None,
        case_reference: str | None = None,
    ) -> list[Tracked]:
        """Every tracked request with its history, oldest first (creation time, then id).

        Args:
            open_only: Leave out requests that are rejected, withdrawn or expired.
            kinds: Only requests of these kinds (default: every kind).
            case_reference: Only the requests of this case (:attr:`Tracked.case_reference`,
                compared exactly).

        Raises:
            StoreError: The store failed or holds an unreadable row.
        """
        where = ["state NOT IN ('rejected', 'withdrawn', 'expired')"] if open_only else []
        wanted: list[str] = sorted(kinds) if kinds is not None else []
        if kinds is not None:
            if not wanted:
                return []
            where.append(f"kind IN ({', '.join('?' * len(wanted))})")
        if case_reference is not None:
            # the facts are JSON written with sort_keys and ASCII escapes (see _insert_rows):
            # a LIKE on the key and its JSON value narrows the scan; the match is then exact
            value = json.dumps(case_reference)
            pattern = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            where.append("facts LIKE ? ESCAPE '\\'")
            wanted.append(f'%"case_reference": {pattern}%')
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        with self._transaction(write=False):
            rows = self._execute(
                self._sql(f"SELECT id, facts FROM requests{clause} ORDER BY created_at, id"),  # noqa: S608
                wanted,
            )
            found = self._load([(r[0], r[1]) for r in rows])
        if case_reference is not None:
            found = [t for t in found if t.case_reference == case_reference]
        return found

    def get_many(self, request_ids: Iterable[str]) -> list[Tracked]:
        """The tracked requests of ``request_ids`` with their histories, in the order given
        (read 500 at a time in one transaction); ids the store does not hold are left out.

        Raises:
            StoreError: The store failed or holds an unreadable row.
        """
        ids = list(dict.fromkeys(request_ids))
        rows: dict[str, str] = {}
        with self._transaction(write=False):
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ", ".join("?" * len(chunk))
                for rid, facts in self._execute(
                    self._sql(f"SELECT id, facts FROM requests WHERE id IN ({marks})"),  # noqa: S608
                    chunk,
                ):
                    rows[rid] = facts
            return self._load([(i, rows[i]) for i in ids if i in rows])

    def followers(self, request_id: str) -> list[Tracked]:
        """The tracked requests that follow ``request_id`` (their ``follows``), oldest first;
        none when it has none or is unknown.

        Raises:
            StoreError: The store failed or holds an unreadable row.
        """
        with self._transaction(write=False):
            rows = self._execute(
                self._sql(
                    "SELECT id, facts FROM requests WHERE follows = ? ORDER BY created_at, id"
                ),
                (request_id,),
            )
            return self._load([(r[0], r[1]) for r in rows])

    def deadlines_before(self, horizon: datetime) -> list[Deadline]:
        """Open deadlines due at or before ``horizon``, most urgent first (index on ``due``).

        Args:
            horizon: The latest due time to include (aware).

        Returns:
            The deadlines ordered by due time, then request id and kind; due times in UTC.
            The follow-up deadlines of a preservation (``follow_up_dispatch``,
            ``follow_up_reminder``) are left out once a request that follows it, and is no
            preservation itself, was submitted and not withdrawn (as
            :func:`~eevidence.tracking.deadlines_of` does with its followers). Each has
            sequence 0 and no case reference: read the request for those.

        Raises:
            LifecycleError: ``horizon`` is naive.
            StoreError: The store failed or holds a deadline without a time.
        """
        kinds = sorted(PRESERVATION_KINDS)
        sent_follower = (  # a follower that closes a follow-up's deadlines (placeholders only)
            "SELECT 1 FROM requests f WHERE f.follows = d.request_id "  # noqa: S608
            "AND f.submitted_at IS NOT NULL AND f.state <> 'withdrawn' "
            f"AND f.kind NOT IN ({', '.join('?' * len(kinds))})"
        )
        with self._transaction(write=False):
            rows = self._execute(
                self._sql(
                    "SELECT d.request_id, d.provider, d.request_kind, d.kind, d.due, d.basis, "  # noqa: S608
                    "d.note FROM deadlines d WHERE d.due <= ? AND NOT (d.kind IN "
                    f"('follow_up_dispatch', 'follow_up_reminder') AND EXISTS ({sent_follower})) "
                    "ORDER BY d.due, d.request_id, d.kind"
                ),
                (self._ts_in(as_utc(horizon, "horizon")), *kinds),
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
        """One :class:`~eevidence.tracking.OutcomeRow` per request, for the outcome report.

        Args:
            now: The current time (aware): a live preservation whose expiry is before it
                counts as lapsed.
            provider: Only this provider's requests.
            since: Only requests created at or after this time (aware).

        Raises:
            LifecycleError: ``now`` or ``since`` is naive.
            StoreError: The store failed.
        """
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
        """The report's statistics, grouped in SQL (what ``aggregate(outcome_rows())`` gives).

        Counts per outcome, lapsed preservations and rejection reasons are grouped by the
        database; answer and disclosure times (hours) are ranked in Python.

        Args:
            now: The current time (aware), as for :meth:`outcome_rows`.
            provider: Only this provider's requests.
            since: Only requests created at or after this time (aware).

        Returns:
            ``{(provider, request kind): GroupStats}``.

        Raises:
            LifecycleError: ``now`` or ``since`` is naive.
            StoreError: The store failed.
        """
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
        """Check every request's derived columns and deadlines against its history.

        Returns:
            One line per inconsistency (``"<id>: event numbers have gaps"``, ``"<id>:
            derived columns do not match the history"``...); empty when consistent.

        Raises:
            StoreError: The store failed or holds an unreadable row.
        """
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
