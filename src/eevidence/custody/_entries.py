"""The chain of custody: signed, hash-chained entries under an RFC 9162 Merkle tree.

Each :class:`CustodyEntry` records who (actor, role) did what (action) to which object
(its id and its SHA-256 digest at that moment), when (UTC), where, with which tool, and for
a transfer from whom to whom. Entries are numbered from 0; each carries the SHA-256 of the
previous entry's canonical bytes (``prev_hash``; 64 zeros for the first) and a signature
by the actor's key over the DSSE pre-authentication encoding of its canonical body (every
field but the signature), with the payload type :data:`ENTRY_PAYLOAD_TYPE`.

The Merkle tree's leaves are the entries' full canonical bytes (signature included), so a
signed checkpoint (:mod:`eevidence.crypto._note`) pins the whole history up to its size.

:func:`verify_chain` finds every break: an edited entry (its signature or the next
``prev_hash`` fails), a deleted, inserted or reordered entry (numbering and links), an
unknown or untrusted key, and, against a saved checkpoint, a truncated log or a rewritten
history (the first ``size`` entries no longer give the checkpoint's root).

Pure: entries, keys and ``now`` in; entries and reports out. Storage is elsewhere.
Entries that do not satisfy the model raise :class:`~eevidence.errors.InputError` (never a
pydantic error), with every problem and its JSON path.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import multiprocessing
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, Final, Literal, Protocol

from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_der_public_key,
)
from pydantic import ConfigDict, Field

from eevidence._internal.documents import decode_json
from eevidence._internal.models import Model
from eevidence._version import __version__
from eevidence.crypto import (
    EMPTY_ROOT,
    Checkpoint,
    PublicKey,
    canonical_json_bytes,
    key_id,
    node_hash,
    pae,
    verify_signature,
)
from eevidence.errors import InputError

__all__ = [
    "ENTRY_PAYLOAD_TYPE",
    "GENESIS",
    "BreakKind",
    "ChainBreak",
    "ChainReport",
    "CustodyAction",
    "CustodyEntry",
    "EntrySigner",
    "PublicKey",
    "append_entry",
    "entries_from_jsonl",
    "entries_to_jsonl",
    "key_id",
    "pae",
    "verify_chain",
    "verify_lines",
]

ENTRY_PAYLOAD_TYPE: Final = "application/vnd.eevidence.custody-entry+json;version=1"
"""The DSSE payload type an entry's signature binds (the signature covers its PAE)."""
GENESIS: Final = "0" * 64
"""The ``prev_hash`` of the first entry: 64 zeros."""

CustodyAction = Literal[
    "request_created",
    "request_checked",
    "request_signed",
    "request_submitted",
    "request_acknowledged",
    "status_changed",
    "evidence_received",
    "evidence_verified",
    "evidence_accessed",
    "transferred",
    "exported",
    "note",
]

_Hex64 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
_Text = Annotated[str, Field(min_length=1, max_length=2000)]


class EntrySigner(Protocol):
    """What the custody log needs from a signer: its key id and signatures.

    :class:`eevidence.crypto.KeySigner` is one; a hardware or remote signer may be another.
    """

    @property
    def keyid(self) -> str:
        """:func:`eevidence.crypto.key_id` of the signing key (64 lower-case hex digits)."""
        ...

    def sign(self, data: bytes) -> bytes:
        """The raw signature of ``data`` (see :func:`eevidence.crypto.verify_signature`)."""
        ...


class CustodyEntry(Model):
    """One signed entry of the custody log.

    ``seq`` numbers entries from 0; ``at`` is an aware date-time (stored in UTC with
    microseconds); ``object_sha256``, ``prev_hash`` and ``keyid`` are 64 lower-case hex
    digits; ``signature`` is the base64 signature over the DSSE PAE of :meth:`body_bytes`
    with the payload type :data:`ENTRY_PAYLOAD_TYPE`. Free-text fields hold 1 to 2000
    characters.

    Raises:
        InputError: (on construction or ``model_validate``) the data does not satisfy the
            model; every problem with its JSON path.
    """

    model_config = ConfigDict(strict=True, frozen=True, extra="forbid")

    seq: Annotated[int, Field(ge=0)]
    at: datetime
    actor: _Text
    role: _Text
    action: CustodyAction
    object_id: _Text
    object_sha256: _Hex64 | None = None
    location: _Text | None = None
    tool: _Text = "eevidence"
    tool_version: _Text = __version__
    transfer_from: _Text | None = None
    transfer_to: _Text | None = None
    note: _Text | None = None
    prev_hash: _Hex64
    keyid: _Hex64
    signature: Annotated[str, Field(min_length=1, max_length=2048)]

    def body_bytes(self) -> bytes:
        """The canonical bytes of every field but the signature: what is signed."""
        return canonical_json_bytes(self._doc(with_signature=False))

    def canonical(self) -> bytes:
        """The canonical bytes of the whole entry: the Merkle leaf and the chain link."""
        return canonical_json_bytes(self._doc(with_signature=True))

    def entry_hash(self) -> str:
        """SHA-256 of :meth:`canonical` (64 lower-case hex digits): the next ``prev_hash``."""
        return hashlib.sha256(self.canonical()).hexdigest()

    def _doc(self, *, with_signature: bool) -> dict[str, Any]:
        doc = self.model_dump(mode="json", exclude_none=True)
        doc["at"] = _utc_text(self.at)
        if not with_signature:
            doc.pop("signature")
        return doc


def _utc_text(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def append_entry(
    previous: CustodyEntry | None,
    signer: EntrySigner,
    *,
    at: datetime,
    actor: str,
    role: str,
    action: CustodyAction,
    object_id: str,
    object_sha256: str | None = None,
    location: str | None = None,
    transfer_from: str | None = None,
    transfer_to: str | None = None,
    note: str | None = None,
    tool: str = "eevidence",
    tool_version: str = __version__,
) -> CustodyEntry:
    """The next entry after ``previous``, signed by ``signer``.

    Args:
        previous: The last entry of the log, or ``None`` for the first entry.
        signer: Signs the DSSE PAE (payload type :data:`ENTRY_PAYLOAD_TYPE`) of the new
            entry's :meth:`CustodyEntry.body_bytes`.
        at: When it happened: an aware date-time (stored in UTC, microseconds).
        actor: Who did it; ``role``: in which capacity.
        action: What was done (:data:`CustodyAction`).
        object_id: The request or evidence item concerned; ``object_sha256`` its SHA-256
            (64 lower-case hex digits) at that moment.
        location: Where it happened.
        transfer_from: For ``transferred``, the party handing over (required then).
        transfer_to: For ``transferred``, the party receiving (required then).
        note: Free text.
        tool: The software that recorded it; ``tool_version`` its version.

    Returns:
        The signed entry: ``seq`` one more than ``previous``'s, ``prev_hash`` its
        :meth:`CustodyEntry.entry_hash` (:data:`GENESIS` for the first).

    Raises:
        InputError: ``at`` is naive, a transfer lacks a party, or a field does not satisfy
            the model (every problem with its JSON path; source ``custody entry``).
    """
    if at.tzinfo is None:
        raise InputError("custody time must carry a UTC offset", source="custody entry")
    if action == "transferred" and not (transfer_from and transfer_to):
        raise InputError(
            "a transfer needs both transfer_from and transfer_to", source="custody entry"
        )
    fields: dict[str, Any] = {
        "seq": 0 if previous is None else previous.seq + 1,
        "at": datetime.fromisoformat(_utc_text(at)),
        "actor": actor,
        "role": role,
        "action": action,
        "object_id": object_id,
        "object_sha256": object_sha256,
        "location": location,
        "tool": tool,
        "tool_version": tool_version,
        "transfer_from": transfer_from,
        "transfer_to": transfer_to,
        "note": note,
        "prev_hash": GENESIS if previous is None else previous.entry_hash(),
        "keyid": signer.keyid,
        "signature": "-",
    }
    try:
        unsigned = CustodyEntry(**fields)
    except InputError as exc:
        raise InputError(
            "invalid custody entry", source="custody entry", problems=exc.problems
        ) from exc.__cause__
    sig = signer.sign(pae(ENTRY_PAYLOAD_TYPE, unsigned.body_bytes()))
    return unsigned.model_copy(update={"signature": base64.b64encode(sig).decode()})


# -- JSON Lines --------------------------------------------------------------------------------


def entries_to_jsonl(entries: Iterable[CustodyEntry]) -> bytes:
    """The entries as JSON Lines: each entry's :meth:`CustodyEntry.canonical` bytes and ``\n``.

    Returns:
        UTF-8 bytes (empty for no entry); what :func:`entries_from_jsonl` reads back.
    """
    return b"".join(e.canonical() + b"\n" for e in entries)


def entries_from_jsonl(data: bytes, *, source: str = "<custody log>") -> list[CustodyEntry]:
    """Parse JSON Lines written by :func:`entries_to_jsonl`, checking every line.

    Blank lines are skipped. Signatures and links are not checked here: use
    :func:`verify_chain` or :func:`verify_lines`.

    Args:
        data: UTF-8 JSON Lines, one entry object per line.
        source: Where the data came from, for messages.

    Returns:
        The entries, in order.

    Raises:
        InputError: a line is not JSON (read by the bounded reader: at most 4 MiB and 64
            levels deep, no key twice), has a date-time that is not ISO 8601, or does not
            satisfy the entry model (the message names the line; problems give paths).
    """
    out: list[CustodyEntry] = []
    for n, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            doc: Any = decode_json(line, source, integers_only=False)
            if isinstance(doc, dict) and isinstance(doc.get("at"), str):
                doc["at"] = datetime.fromisoformat(doc["at"])
        except (InputError, ValueError) as exc:
            raise InputError(f"line {n}: not a custody entry ({exc})", source=source) from None
        try:
            out.append(CustodyEntry.model_validate(doc))
        except InputError as exc:
            raise InputError(
                f"line {n}: not a custody entry (see problems)",
                source=source,
                problems=exc.problems,
            ) from exc.__cause__
    return out


# -- verification ------------------------------------------------------------------------------

BreakKind = Literal[
    "bad_signature",
    "unknown_key",
    "broken_link",
    "bad_sequence",
    "time_reversed",
    "truncated",
    "rewritten",
    "malformed",
    "column_mismatch",
    "bad_timestamp",
    "anchor_missing",
]
"""What broke: ``column_mismatch`` is a stored column (sequence number, entry hash, object
id, checkpoint size) that says something else than the signed bytes it duplicates;
``bad_timestamp`` an RFC 3161 token that does not verify; ``anchor_missing`` an anchor
the verifier asked for (a witness cosignature) that the log does not have."""


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """One problem found in a custody log.

    ``seq`` is the entry concerned (``None`` for the log as a whole: truncation, rewrite,
    a kept checkpoint); ``kind`` says what broke (:data:`BreakKind`); ``detail`` explains.
    """

    seq: int | None
    kind: BreakKind
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """``{"seq", "kind", "detail"}`` for JSON output."""
        return {"seq": self.seq, "kind": self.kind, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The result of checking a custody log.

    ``size`` entries; ``root`` their 32-byte RFC 9162 root; ``breaks`` every problem (an
    empty tuple for a sound log); ``signatures_checked`` whether signatures were verified;
    ``checkpoint_size`` the size of the checkpoint compared against, if any.
    """

    size: int
    root: bytes
    breaks: tuple[ChainBreak, ...] = field(default_factory=tuple)
    signatures_checked: bool = True
    checkpoint_size: int | None = None
    notices: tuple[ChainBreak, ...] = field(default_factory=tuple)
    """Oddities that break nothing: an entry timed before the one it follows (clock skew
    between workstations appending to a shared store can cause it)."""

    @property
    def ok(self) -> bool:
        """True when nothing broke (notices do not count)."""
        return not self.breaks

    def to_dict(self) -> dict[str, Any]:
        """The report for JSON output (``root`` in base64 and in hex as ``root_hex``)."""
        return {
            "ok": self.ok,
            "size": self.size,
            "root": base64.b64encode(self.root).decode(),
            "root_hex": self.root.hex(),
            "signatures_checked": self.signatures_checked,
            "checkpoint_size": self.checkpoint_size,
            "breaks": [b.to_dict() for b in self.breaks],
            "notices": [b.to_dict() for b in self.notices],
        }


def verify_chain(
    entries: Sequence[CustodyEntry],
    trusted: Mapping[str, PublicKey] | Iterable[PublicKey],
    *,
    checkpoint: Checkpoint | None = None,
    check_signatures: bool = True,
    workers: int = 1,
) -> ChainReport:
    """Check links, numbering, times and signatures, and the tree against ``checkpoint``.

    Args:
        entries: The whole log, in order.
        trusted: The public keys allowed to sign; their ids are computed here from the keys
            themselves (a mapping's own keys are ignored), never taken from the entries.
        checkpoint: A checkpoint (already verified, e.g. by
            :func:`eevidence.crypto.parse_checkpoint`) whose root the first ``size``
            entries must still give (RFC 9162 Merkle Tree Hash).
        check_signatures: False to skip signatures (links and tree only).
        workers: Processes for signature checks (used from 20 000 entries on).

    Returns:
        The report; problems are in ``breaks``, never raised.
    """
    return verify_lines(
        [e.canonical() for e in entries],
        trusted,
        checkpoint=checkpoint,
        check_signatures=check_signatures,
        workers=workers,
    )


def verify_lines(
    lines: Sequence[bytes],
    trusted: Mapping[str, PublicKey] | Iterable[PublicKey],
    *,
    checkpoint: Checkpoint | None = None,
    check_signatures: bool = True,
    workers: int = 1,
) -> ChainReport:
    """:func:`verify_chain` over stored canonical lines (JSON Lines export, store rows).

    The bytes as stored are the Merkle leaves (RFC 9162 section 2.1.1) and the chain links,
    so any change to a stored line, even in whitespace, breaks the chain. Memory beyond the
    lines is O(log n): the root is folded as the lines stream past. Signature checks, the
    costly part, run in ``workers`` processes when there are 20 000 entries or more.

    Args:
        lines: Each entry's stored bytes, in order (without the newline).
        trusted: The public keys allowed to sign (see :func:`verify_chain`).
        checkpoint: A verified checkpoint to compare the tree with.
        check_signatures: False to skip signatures.
        workers: Processes for signature checks.

    Returns:
        The report; malformed lines are ``malformed`` breaks, never raised.

    Raises:
        InputError: a line is not ``bytes`` (e.g. ``str``): the lines must be the stored
            bytes, so text is refused rather than guessed at.
    """
    key_list = list(trusted.values() if isinstance(trusted, Mapping) else trusted)
    breaks: list[ChainBreak] = []
    notices: list[ChainBreak] = []
    stack: list[tuple[int, bytes]] = []
    checkpoint_root: bytes | None = None
    prev_hash = GENESIS
    prev_at = ""
    sha256 = hashlib.sha256
    for position, line in enumerate(lines):
        if not isinstance(line, bytes | bytearray):
            raise InputError(
                f"line {position} is {type(line).__name__}, not bytes: give the stored bytes "
                "of each entry",
                source="custody lines",
            )
        if checkpoint is not None and position == checkpoint.size:
            checkpoint_root = _fold(stack)
        size, node = 1, sha256(b"\x00" + line).digest()
        while stack and stack[-1][0] == size:
            node = sha256(b"\x01" + stack.pop()[1] + node).digest()
            size *= 2
        stack.append((size, node))
        try:
            doc = json.loads(line)
            seq, link, at = doc["seq"], doc["prev_hash"], doc["at"]
            if not isinstance(at, str):
                raise TypeError("at is not a string")
            if not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq < 1 << 63:
                raise TypeError("seq is not an entry number")  # breaks are sorted by it
        except (ValueError, KeyError, TypeError, RecursionError):
            breaks.append(ChainBreak(position, "malformed", "not a custody entry"))
            prev_hash = sha256(line).hexdigest()
            continue
        if seq != position:
            breaks.append(
                ChainBreak(
                    seq,
                    "bad_sequence",
                    f"entry at position {position} is numbered {seq} "
                    "(an entry was deleted, inserted or moved)",
                )
            )
        if link != prev_hash:
            breaks.append(
                ChainBreak(
                    seq,
                    "broken_link",
                    "prev_hash does not match the entry before it "
                    "(that entry was edited, deleted or moved)",
                )
            )
        if at < prev_at:  # canonical UTC text with fixed precision sorts as time
            notices.append(ChainBreak(seq, "time_reversed", "earlier than the entry before"))
        prev_hash = sha256(line).hexdigest()
        prev_at = at
    size = len(lines)
    root = _fold(stack)
    if check_signatures:
        breaks.extend(_check_signatures(lines, key_list, workers))
        breaks.sort(key=lambda b: -1 if b.seq is None else b.seq)
    if checkpoint is not None:
        if checkpoint.size > size:
            breaks.append(
                ChainBreak(
                    None,
                    "truncated",
                    f"the checkpoint covers {checkpoint.size} entries, the log has {size}",
                )
            )
        elif (root if checkpoint_root is None else checkpoint_root) != checkpoint.root:
            breaks.append(
                ChainBreak(
                    None,
                    "rewritten",
                    f"the first {checkpoint.size} entries do not give the checkpoint's root",
                )
            )
    return ChainReport(
        size,
        root,
        tuple(breaks),
        check_signatures,
        checkpoint.size if checkpoint else None,
        tuple(notices),
    )


def _fold(stack: list[tuple[int, bytes]]) -> bytes:
    if not stack:
        return EMPTY_ROOT
    node = stack[-1][1]
    for _, left in reversed(stack[:-1]):
        node = node_hash(left, node)
    return node


_PARALLEL_MIN: Final = 20_000


def _check_signatures(
    lines: Sequence[bytes], keys: Sequence[PublicKey], workers: int
) -> list[ChainBreak]:
    if workers <= 1 or len(lines) < _PARALLEL_MIN:
        return _signature_breaks(list(lines), keys)
    ders = [k.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo) for k in keys]
    step = -(-len(lines) // (workers * 4))
    out: list[ChainBreak] = []
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [
            pool.submit(_signature_breaks_der, list(lines[i : i + step]), ders)
            for i in range(0, len(lines), step)
        ]
        for future in futures:
            out.extend(future.result())
    return out


def _signature_breaks_der(lines: list[bytes], ders: list[bytes]) -> list[ChainBreak]:
    keys: list[PublicKey] = []
    for der in ders:
        key = load_der_public_key(der)
        if isinstance(key, ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
            keys.append(key)
    return _signature_breaks(lines, keys)


def _signature_breaks(lines: list[bytes], keys: Sequence[PublicKey]) -> list[ChainBreak]:
    by_id = {key_id(k): k for k in keys}
    out: list[ChainBreak] = []
    for line in lines:
        try:
            doc = json.loads(line)
            keyid, sig_text = doc.pop("keyid"), doc.pop("signature")
            seq = doc["seq"]
            if not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq < 1 << 63:
                continue  # reported as malformed by the chain pass
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            continue  # reported as malformed by the chain pass
        key = by_id.get(keyid) if isinstance(keyid, str) else None
        if key is None:
            out.append(ChainBreak(seq, "unknown_key", "signed by a key that is not trusted"))
            continue
        doc["keyid"] = keyid
        try:
            sig = base64.b64decode(sig_text, validate=True)
            body = canonical_json_bytes(doc)
        except (binascii.Error, TypeError, InputError):
            sig, body = b"", b""
        if not body or not verify_signature(key, sig, pae(ENTRY_PAYLOAD_TYPE, body)):
            out.append(ChainBreak(seq, "bad_signature", "signature does not verify (entry edited)"))
    return out
