"""The interface every tracking store offers (:class:`Store`), whatever the database.

A store keeps each tracked request's history of events (the truth) and what derives from
it (state, outcome, deadlines), plus the custody log; it also satisfies
:class:`eevidence.custody.CustodyStore`. Times are aware datetimes (a naive one is refused
with :class:`~eevidence.errors.LifecycleError`); ids are request ids. Any failure of the
database itself is raised as :class:`~eevidence.errors.StoreError`: no driver exception
leaves a store.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import datetime
from typing import Protocol

from eevidence.custody import CustodyEntry
from eevidence.tracking._deadlines import Deadline
from eevidence.tracking._lifecycle import Event, Tracked
from eevidence.tracking._outcomes import Groups, OutcomeRow

__all__ = ["Store"]


class Store(Protocol):
    """What every store offers (:class:`SqliteStore`, :class:`PostgresStore`).

    Each call is one transaction: it happens completely or not at all, and a process killed
    during a call leaves the store as it was before.
    """

    @property
    def location(self) -> str:
        """Where the store is, for messages (never contains a password)."""
        ...

    def add(self, tracked: Tracked) -> None:
        """Start tracking a request, with the events it already has.

        Args:
            tracked: The request and its history; a follow-up (``follows`` set) must
                continue a preservation the store already tracks.

        Raises:
            LifecycleError: The id is already tracked, or ``follows`` names a request that
                is not a preservation.
            UnknownRequestError: ``follows`` names a request the store does not hold.
            StoreError: The store failed (nothing was written).
        """
        ...

    def add_many(self, tracked: Sequence[Tracked]) -> None:
        """Import many requests in one transaction (bulk load; follow-ups are not checked).

        Args:
            tracked: The requests with their histories; ids must be new and distinct.

        Raises:
            StoreError: An id is already tracked or repeated, or the store failed (nothing
                was written).
        """
        ...

    def get(self, request_id: str) -> Tracked:
        """The tracked request ``request_id`` with its whole history.

        Raises:
            UnknownRequestError: The store does not hold ``request_id``.
            StoreError: The store failed or holds an unreadable row.
        """
        ...

    def record(self, request_id: str, event: Event, *, now: datetime) -> Tracked:
        """Append ``event`` to the request's history (optimistic concurrency, retried).

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
            StoreError: The store failed (nothing was written).
        """
        ...

    def list_requests(
        self,
        *,
        open_only: bool = False,
        kinds: Collection[str] | None = None,
        case_reference: str | None = None,
    ) -> list[Tracked]:
        """Every tracked request, oldest first (by creation time, then id).

        Args:
            open_only: Leave out requests that are rejected, withdrawn or expired.
            kinds: Only requests of these kinds (default: every kind).
            case_reference: Only the requests of this case (compared exactly).

        Raises:
            StoreError: The store failed or holds an unreadable row.
        """
        ...

    def get_many(self, request_ids: Iterable[str]) -> list[Tracked]:
        """The tracked requests of ``request_ids`` with their histories, in the order given;
        ids the store does not hold are left out.

        Raises:
            StoreError: The store failed or holds an unreadable row.
        """
        ...

    def followers(self, request_id: str) -> list[Tracked]:
        """The tracked requests that follow ``request_id`` (their ``follows``), oldest first;
        none when it has none or is unknown.

        Raises:
            StoreError: The store failed or holds an unreadable row.
        """
        ...

    def deadlines_before(self, horizon: datetime) -> list[Deadline]:
        """Open deadlines due at or before ``horizon``, most urgent first.

        Args:
            horizon: The latest due time to include (aware).

        Raises:
            LifecycleError: ``horizon`` is naive.
            StoreError: The store failed.
        """
        ...

    def outcome_rows(
        self, *, now: datetime, provider: str | None = None, since: datetime | None = None
    ) -> list[OutcomeRow]:
        """One :class:`~eevidence.tracking.OutcomeRow` per request, for the outcome report.

        Args:
            now: The current time (aware): a preservation whose expiry is before it lapsed.
            provider: Only this provider's requests.
            since: Only requests created at or after this time (aware).

        Raises:
            LifecycleError: ``now`` or ``since`` is naive.
            StoreError: The store failed.
        """
        ...

    def outcome_groups(
        self, *, now: datetime, provider: str | None = None, since: datetime | None = None
    ) -> Groups:
        """The outcome report's statistics per ``(provider, kind)``, grouped by the database.

        Equal to aggregating :meth:`outcome_rows` with the same arguments; answer and
        disclosure times are in hours, percentiles by nearest rank.

        Raises:
            LifecycleError: ``now`` or ``since`` is naive.
            StoreError: The store failed.
        """
        ...

    def verify(self) -> list[str]:
        """Check every request's derived columns and deadlines against its history.

        Returns:
            One line per inconsistency (``"<id>: ..."``); empty when the store is consistent.

        Raises:
            StoreError: The store failed or holds an unreadable row.
        """
        ...

    def close(self) -> None:
        """Close the connection; the store cannot be used afterwards.

        Raises:
            StoreError: The database failed while closing.
        """
        ...

    def append_custody(self, build: Callable[[CustodyEntry | None], CustodyEntry]) -> CustodyEntry:
        """Append ``build(last entry)`` to the custody log, one appender at a time.

        Args:
            build: Called inside the write transaction with the log's last entry (``None``
                for an empty log); returns the entry that follows it.

        Returns:
            The entry appended.

        Raises:
            StoreError: The built entry does not follow the last one, or the store failed
                (nothing was written).
            InputError: The stored last entry cannot be read.
        """
        ...

    def append_custody_many(
        self, builds: Sequence[Callable[[CustodyEntry | None], CustodyEntry]]
    ) -> list[CustodyEntry]:
        """Append several entries in one transaction; each ``build`` gets the one before.

        Raises:
            StoreError: An entry does not follow the one before, or the store failed
                (nothing was written).
            InputError: The stored last entry cannot be read.
        """
        ...

    def custody_lines(self, *, object_id: str | None = None) -> list[bytes]:
        """The stored canonical entries (one JSON line each, no newline), in log order.

        Args:
            object_id: Only the entries about this object; ``None`` for all.

        Raises:
            StoreError: The store failed.
        """
        ...

    def custody_records(self) -> list[tuple[int | None, bytes, str | None, str | None]]:
        """Every stored row of the log, in order: ``(seq, line, entry_hash, object_id)``.

        The columns other than ``line`` duplicate signed fields and are given as stored
        (``None`` where not of their type), for a verifier to compare with the signed line.

        Raises:
            StoreError: The store failed.
        """
        ...

    def custody_size(self) -> int:
        """The number of entries in the custody log.

        Raises:
            StoreError: The store failed.
        """
        ...

    def save_checkpoint(self, size: int, note: str, timestamp_token: bytes | None = None) -> None:
        """Keep a signed checkpoint over the first ``size`` entries (one per size).

        Args:
            size: The number of log entries the checkpoint covers.
            note: The signed checkpoint note (text).
            timestamp_token: Its RFC 3161 time-stamp token (DER bytes), if any.

        Raises:
            StoreError: The store failed (nothing was written).
        """
        ...

    def checkpoints(self) -> list[tuple[int, str, bytes | None]]:
        """Saved checkpoints, smallest first: ``(size, signed note, RFC 3161 token DER)``.

        Raises:
            StoreError: The store failed.
        """
        ...
