"""The custody log kept in a tracking store (:class:`eevidence.custody.CustodyStore`).

Two tables: ``custody`` (one canonical entry per row, numbered from 0, append-only) and
``checkpoints`` (signed checkpoints over the log, one per size, with their RFC 3161 tokens).
Appenders are serialised by a lock inside the write transaction, so the hash chain stays
linear whatever the number of writers.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Sequence

from eevidence.custody import CustodyEntry, entries_from_jsonl
from eevidence.errors import StoreError
from eevidence.tracking.store._dialect import Dialect

__all__ = ["CustodyLog"]


class CustodyLog(Dialect):
    """The custody log operations, written against a :class:`Dialect`."""

    @abstractmethod
    def _lock_custody(self) -> None:
        """Serialise custody appenders inside the current write transaction."""

    def append_custody(self, build: Callable[[CustodyEntry | None], CustodyEntry]) -> CustodyEntry:
        """Append ``build(last entry)`` to the custody log, one appender at a time.

        ``build`` receives the current last entry (``None`` for an empty log) inside the
        write transaction, so concurrent appenders form one linear chain: none forks it,
        none is lost. A writer killed here leaves the log as it was.

        Args:
            build: Returns the entry that follows the one it is given (its ``seq`` one more,
                its ``prev_hash`` that entry's hash; ``seq`` 0 for an empty log).

        Returns:
            The entry appended.

        Raises:
            StoreError: The built entry does not follow the last one, or the store failed;
                nothing was written.
            InputError: The stored last entry cannot be read.
        """
        return self.append_custody_many([build])[-1]

    def append_custody_many(
        self, builds: Sequence[Callable[[CustodyEntry | None], CustodyEntry]]
    ) -> list[CustodyEntry]:
        """Append several entries in one transaction (each ``build`` gets the one before).

        Args:
            builds: As for :meth:`append_custody`, applied in order.

        Returns:
            The entries appended, in order (empty when ``builds`` is).

        Raises:
            StoreError: An entry does not follow the one before, or the store failed;
                nothing was written.
            InputError: The stored last entry cannot be read.
        """
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
        """The stored canonical entries (one JSON line each, no newline), in log order.

        Args:
            object_id: Only the entries about this object; ``None`` for all.

        Raises:
            StoreError: The store failed.
        """
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
        """The number of entries in the custody log.

        Raises:
            StoreError: The store failed.
        """
        with self._transaction(write=False):
            rows = self._execute("SELECT count(*) FROM custody")
        return int(rows[0][0])

    def save_checkpoint(self, size: int, note: str, timestamp_token: bytes | None = None) -> None:
        """Keep a signed checkpoint (and its RFC 3161 token); one per log size.

        A checkpoint already saved for ``size`` is replaced.

        Args:
            size: The number of log entries the checkpoint covers.
            note: The signed checkpoint note (text).
            timestamp_token: Its RFC 3161 time-stamp token (DER bytes), if any.

        Raises:
            StoreError: The store failed; nothing was written.
        """
        token = None if timestamp_token is None else timestamp_token.hex()
        with self._transaction():
            self._execute(self._sql("DELETE FROM checkpoints WHERE size = ?"), (size,))
            self._execute(
                self._sql("INSERT INTO checkpoints (size, note, timestamp_token) VALUES (?, ?, ?)"),
                (size, note, token),
            )

    def checkpoints(self) -> list[tuple[int, str, bytes | None]]:
        """Saved checkpoints, smallest first.

        Returns:
            ``[(size, signed note, RFC 3161 token as DER bytes or None)]``.

        Raises:
            StoreError: The store failed.
        """
        with self._transaction(write=False):
            rows = self._execute(
                "SELECT size, note, timestamp_token FROM checkpoints ORDER BY size"
            )
        return [(int(r[0]), r[1], None if r[2] is None else bytes.fromhex(r[2])) for r in rows]
