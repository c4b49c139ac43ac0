"""The custody log kept in a store: recording, checkpoints, verification, import.

The pure parts live in :mod:`eevidence.custody._entries` (entries, chain checks),
:mod:`eevidence.crypto._merkle` and :mod:`eevidence.crypto._note`; this module joins them to a
:class:`CustodyStore` (any store that keeps custody entries and checkpoints, such as
the tracking stores of :mod:`eevidence.tracking`) and to signing keys.

Every entry is signed. When no key is named, a per-workstation Ed25519 key is used,
created on first use next to the default store (``custody-key.pem``, mode 0600, no
passphrase; its public key beside it as ``custody-key.pub.pem``). Agencies that sign with
their own (possibly passphrase-protected) key name it with ``--key`` or ``EEVIDENCE_KEY``.
Which keys a verifier trusts is never read from beside a store: it is the trust
configuration of :mod:`eevidence.custody._trust`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Final, Protocol

from eevidence.crypto import (
    Checkpoint,
    KeySigner,
    NoteKey,
    PublicKey,
    generate_private_key,
    leaf_hash,
    load_private_key,
    root_of,
    sign_checkpoint,
    write_key_pair,
    write_public_key,
)
from eevidence.custody._entries import (
    CustodyAction,
    CustodyEntry,
    EntrySigner,
    append_entry,
    entries_from_jsonl,
    verify_lines,
)
from eevidence.errors import InputError, IntegrityError, SigningKeyError

__all__ = [
    "WORKSTATION_KEY",
    "CustodyStore",
    "checkpoint_log",
    "import_jsonl",
    "record",
    "root_of_lines",
    "workstation_signer",
]

WORKSTATION_KEY: Final = "custody-key.pem"
"""File name of the per-workstation Ed25519 custody key, next to the default store."""
_log = logging.getLogger(__name__)
_IMPORT_BATCH: Final = 5_000


class CustodyStore(Protocol):
    """Where a custody log is kept: an append-only list of entry lines and signed checkpoints.

    The tracking stores (:class:`eevidence.tracking.SqliteStore`,
    :class:`eevidence.tracking.PostgresStore`) implement it; appends are serialised by the
    store, so ``build`` receives the entry it extends (``None`` for the first). A store
    reports its own failures as :class:`~eevidence.errors.StoreError` (or
    :class:`~eevidence.errors.ConcurrentUpdateError`).
    """

    @property
    def location(self) -> str:
        """Where the store is, for messages (never contains a password)."""
        ...

    def append_custody(self, build: Callable[[CustodyEntry | None], CustodyEntry]) -> CustodyEntry:
        """Append ``build(last entry)`` atomically and return it (errors of ``build`` pass)."""
        ...

    def append_custody_many(
        self, builds: Sequence[Callable[[CustodyEntry | None], CustodyEntry]]
    ) -> list[CustodyEntry]:
        """Append one entry per builder, in order, in one transaction; the new entries."""
        ...

    def custody_lines(self, *, object_id: str | None = None) -> list[bytes]:
        """Every stored entry's canonical bytes in order (only ``object_id``'s when given)."""
        ...

    def custody_records(self) -> list[tuple[int | None, bytes, str | None, str | None]]:
        """Every stored row, in order: ``(seq, line, entry_hash, object_id)``; the columns
        besides ``line`` duplicate signed fields, as stored (``None`` if not of their type)."""
        ...

    def custody_size(self) -> int:
        """The number of entries in the log."""
        ...

    def save_checkpoint(self, size: int, note: str, timestamp_token: bytes | None = None) -> None:
        """Keep a signed checkpoint note over the first ``size`` entries, with an optional
        DER RFC 3161 time-stamp response over the note's UTF-8 bytes."""
        ...

    def checkpoints(self) -> list[tuple[int, str, bytes | None]]:
        """Every kept checkpoint as ``(size, signed note, time-stamp token or None)``."""
        ...


def workstation_signer(directory: str | os.PathLike[str]) -> KeySigner:
    """The workstation's custody key in ``directory``, created on first use.

    A new key is Ed25519 (RFC 8032), written as unencrypted PKCS#8 PEM with mode 0600
    (:data:`WORKSTATION_KEY`, the directory created with mode 0700), its public key beside
    it as ``custody-key.pub.pem`` for verifiers to trust.

    Args:
        directory: The folder of the default store (``$EEVIDENCE_HOME``).

    Returns:
        A signer for the key.

    Raises:
        SigningKeyError: the folder or key cannot be created, or the key cannot be read or
            used.
        InputError: the public key file cannot be written.
    """
    folder = Path(directory)
    path = folder / WORKSTATION_KEY
    public = folder / "custody-key.pub.pem"
    if not path.exists():
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise SigningKeyError(
                f"cannot create the key folder: {exc.strerror or exc}", source=str(folder)
            ) from None
        key = generate_private_key("ed25519")
        # both halves or neither: the private key's file marks a complete pair, so a public
        # key left without its private key is the remains of a cut-short creation (replaced)
        try:
            write_key_pair(key, path, public, replace_public=True)
        except SigningKeyError:
            if not path.exists():  # not a concurrent creation of the same key: a real failure
                raise
            return KeySigner(load_private_key(path))  # another process created it meanwhile
        _log.info("created the workstation custody key %s", path)
        return KeySigner(key)
    private = load_private_key(path)
    if not public.exists():  # a pair cut short by an older release: complete it
        write_public_key(private, public)
    return KeySigner(private)


def record(
    store: CustodyStore,
    signer: EntrySigner,
    *,
    now: datetime,
    actor: str,
    role: str,
    action: CustodyAction,
    object_id: str,
    object_sha256: str | None = None,
    location: str | None = None,
    transfer_from: str | None = None,
    transfer_to: str | None = None,
    note: str | None = None,
) -> CustodyEntry:
    """Append one signed entry to the store's custody log.

    Args:
        store: The store keeping the log.
        signer: Signs the entry (see :func:`append_entry`).
        now: When it happened (aware date-time; stored in UTC, microseconds).
        actor: Who did it; ``role``: in which capacity; ``action``: what was done.
        object_id: The request or evidence item; ``object_sha256`` its SHA-256 (64 hex
            digits) at that moment.
        location: Where it happened.
        transfer_from: For ``transferred``, the party handing over (required then).
        transfer_to: For ``transferred``, the party receiving (required then).
        note: Free text.

    Returns:
        The entry as appended (numbered and linked to the last one by the store).

    Raises:
        InputError: the entry is invalid (see :func:`append_entry`).
        StoreError: the store fails (raised by the store; ``ConcurrentUpdateError`` when
            other writers keep appending).
    """

    def build(previous: CustodyEntry | None) -> CustodyEntry:
        return append_entry(
            previous,
            signer,
            at=now,
            actor=actor,
            role=role,
            action=action,
            object_id=object_id,
            object_sha256=object_sha256,
            location=location,
            transfer_from=transfer_from,
            transfer_to=transfer_to,
            note=note,
        )

    entry = store.append_custody(build)
    _log.info("custody entry %d: %s", entry.seq, action)
    _log.debug("custody entry %d concerns %s", entry.seq, object_id)
    return entry


def checkpoint_log(
    store: CustodyStore,
    origin: str,
    key: NoteKey,
    *,
    timestamp_token: bytes | None = None,
    keep: bool = True,
) -> tuple[Checkpoint, str]:
    """Sign a checkpoint over the whole log as it is now and keep it in the store.

    Args:
        store: The store keeping the log.
        origin: The log's name, the checkpoint's first line and the key name (no white
            space, no ``+``; e.g. ``eevidence.example/custody/FR-PJ``).
        key: An Ed25519 key or signer (C2SP signed-note algorithm 0x01).
        timestamp_token: A DER RFC 3161 time-stamp response to keep with it.
        keep: False to sign without keeping it (the caller keeps it once witnesses and a
            timestamping authority have answered: ``store.save_checkpoint``).

    Returns:
        The checkpoint (size, RFC 9162 root) and its signed note (C2SP signed-note).

    Raises:
        InputError: the origin is not a valid key name or the key is not Ed25519.
        StoreError: the store fails (raised by the store).
    """
    lines = store.custody_lines()
    checkpoint = Checkpoint(origin, len(lines), root_of_lines(lines))
    note = sign_checkpoint(checkpoint, [(origin, key)])
    if keep:
        store.save_checkpoint(checkpoint.size, note, timestamp_token)
    return checkpoint, note


def root_of_lines(lines: Sequence[bytes]) -> bytes:
    """The RFC 9162 root (section 2.1.1) over stored entry lines, each one leaf."""
    return root_of(leaf_hash(line) for line in lines)


def import_jsonl(
    store: CustodyStore, data: bytes, trusted: Iterable[PublicKey], *, source: str
) -> int:
    """Load an exported log into a store whose custody log is empty; every entry checked.

    Args:
        store: The store; its custody log must be empty.
        data: JSON Lines as :func:`eevidence.custody.entries_to_jsonl` writes them.
        trusted: The public keys allowed to have signed the entries.
        source: Where the data came from, for messages.

    Returns:
        The number of entries imported (all of them, or none on any error).

    Raises:
        InputError: a line is not a custody entry, or the store already has a log.
        IntegrityError: the log does not verify (links, numbering or signatures).
        StoreError: the store fails (raised by the store).
    """
    entries = entries_from_jsonl(data, source=source)
    lines = [e.canonical() for e in entries]
    report = verify_lines(lines, list(trusted))
    if not report.ok:
        first = report.breaks[0]
        raise IntegrityError(
            f"{source}: the log does not verify ({len(report.breaks)} problem(s); first: "
            f"entry {first.seq}: {first.kind}: {first.detail}); nothing was imported"
        )
    if store.custody_size():
        raise InputError(
            "the store already has a custody log; import into an empty store", source=source
        )
    for i in range(0, len(entries), _IMPORT_BATCH):
        store.append_custody_many([_fixed(e) for e in entries[i : i + _IMPORT_BATCH]])
    return len(entries)


def _fixed(entry: CustodyEntry) -> Callable[[CustodyEntry | None], CustodyEntry]:
    def build(previous: CustodyEntry | None) -> CustodyEntry:
        return entry

    return build
