"""The custody log kept in a tracking store (:class:`eevidence.custody.CustodyStore`).

Two tables: ``custody`` (one canonical entry per row, numbered from 0, append-only) and
``checkpoints`` (signed checkpoints over the log, one per size, with their RFC 3161 tokens).
Appenders are serialised by a lock inside the write transaction, so the hash chain stays
linear whatever the number of writers.
"""

from __future__ import annotations

import json
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
            object_id: Only the entries whose signed ``object_id`` is this one (read from
                each entry's own bytes, never from the unsigned ``object_id`` column, so an
                edited column cannot hide an entry); ``None`` for all.

        Raises:
            StoreError: The store failed.
        """
        lines = [line for _seq, line, _hash, _object in self.custody_records()]
        if object_id is None:
            return lines
        return [line for line in lines if _signed_object(line) == object_id]

    def custody_records(self) -> list[tuple[int | None, bytes, str | None, str | None]]:
        """Every stored row of the log, in order: ``(seq, line, entry_hash, object_id)``.

        ``line`` is the entry's stored bytes; the other columns duplicate what the signed
        line says and are given as stored, so that a verifier can compare them with it
        (``None`` where the stored value is not of the column's type).

        Raises:
            StoreError: The store failed.
        """
        with self._transaction(write=False):
            rows = self._execute(
                "SELECT seq, line, entry_hash, object_id FROM custody ORDER BY seq"
            )
        return [
            (
                r[0] if isinstance(r[0], int) and not isinstance(r[0], bool) else None,
                _as_bytes(r[1]),
                r[2] if isinstance(r[2], str) else None,
                r[3] if isinstance(r[3], str) else None,
            )
            for r in rows
        ]

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

        Stored values that are not of their column's type are passed on for the verifier
        to report, never raised: a size that is not an integer is given as -1, a note that
        is not text as its text form, a token that is not hexadecimal as its raw bytes
        (which then do not decode as a time-stamp response).

        Returns:
            ``[(size, signed note, RFC 3161 token as DER bytes or None)]``.

        Raises:
            StoreError: The store failed.
        """
        with self._transaction(write=False):
            rows = self._execute(
                "SELECT size, note, timestamp_token FROM checkpoints ORDER BY size"
            )
        return [(_as_size(r[0]), _as_text(r[1]), _as_token(r[2])) for r in rows]


def _as_bytes(value: object) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return str(value).encode()


def _as_text(value: object) -> str:
    if isinstance(value, str):
        return value
    return _as_bytes(value).decode("utf-8", "replace")


def _as_size(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def _as_token(value: object) -> bytes | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return bytes.fromhex(value)
        except ValueError:
            return value.encode("utf-8", "surrogateescape")
    return _as_bytes(value)


def _signed_object(line: bytes) -> object:
    try:
        doc = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return doc.get("object_id") if isinstance(doc, dict) else None
