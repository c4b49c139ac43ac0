"""Verifying a stored custody log, and saying what the verdict rests on.

:func:`audit_log` checks the log as :func:`eevidence.custody.verify_lines` does (links,
numbering, signatures by trusted keys, the Merkle tree), and also everything the store
keeps beside the signed lines: each stored column that duplicates a signed field (the
sequence number, the entry hash, the object id, a checkpoint's size) must say what the
signed bytes say; each kept checkpoint must be signed by a trusted key and still match the
log; each RFC 3161 token kept with a checkpoint must verify (RFC 3161 section 2.4.2)
against the configured timestamping authority roots.

A log checked against nothing but itself cannot reveal that whoever holds the store has
deleted its last entries and the checkpoints that covered them (a rollback), or all of it.
So the audit names its :class:`Anchor` s: a checkpoint file kept outside the store, a
verified RFC 3161 timestamp on a kept checkpoint, or a witness cosignature (supplied by the
witness code as an extra anchor); with none, the verdict rests on the store only
(:data:`STORE_ONLY`).

Inclusion proofs (RFC 9162 section 2.1.3) of exported entries under a checkpoint let one
entry be checked without the store (:func:`inclusion_proofs`, :func:`verify_entry_proof`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from eevidence.crypto import (
    Checkpoint,
    MerkleTree,
    NoteVerifier,
    PublicKey,
    leaf_hash,
    parse_checkpoint,
    verifier_key,
    verify_inclusion,
)
from eevidence.custody._entries import ChainBreak, ChainReport, verify_lines
from eevidence.custody._log import CustodyStore, root_of_lines
from eevidence.custody._timestamp import TimestampAuthority, read_timestamp, verify_timestamp
from eevidence.errors import EEvidenceError, InputError, IntegrityError, ProofError, TrustError

__all__ = [
    "STORE_ONLY",
    "Anchor",
    "AnchorKind",
    "LogAudit",
    "audit_log",
    "inclusion_proofs",
    "verify_entry_proof",
    "verify_log",
]

STORE_ONLY: Final = "store only: does not detect rollback by the store's holder"
"""What a verdict rests on when no anchor outside the store was given or found."""

AnchorKind = Literal["checkpoint_file", "witness_cosignature", "rfc3161_timestamp"]
_SHOWN: Final = 80


@dataclass(frozen=True, slots=True)
class Anchor:
    """Something outside the store's control that the log was checked against.

    ``kind``: a signed checkpoint file the verifier holds (``checkpoint_file``), a
    cosignature by a witness run by another party (``witness_cosignature``), or a verified
    RFC 3161 timestamp on a kept checkpoint (``rfc3161_timestamp``). ``size`` is the number
    of entries it covers; ``holds`` whether the log is consistent with it; ``detail`` says
    which one (file, witness key, TSA time).
    """

    kind: AnchorKind
    size: int
    holds: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """``{"kind", "size", "holds", "detail"}`` for JSON output."""
        return {"kind": self.kind, "size": self.size, "holds": self.holds, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class LogAudit:
    """The verdict on a stored log: the chain report, the store's other problems, anchors.

    ``report`` covers the signed lines (see :class:`ChainReport`); ``problems`` lists what
    is wrong beside them (stored columns, kept checkpoints and their timestamps, missing
    anchors); ``anchors`` what the verdict rests on besides the store; ``notices`` what
    breaks nothing but should be known (a timestamp that could not be checked).
    """

    report: ChainReport
    problems: tuple[ChainBreak, ...] = ()
    anchors: tuple[Anchor, ...] = ()
    notices: tuple[str, ...] = field(default_factory=tuple)
    kept_sizes: tuple[int, ...] = ()
    """The sizes of the checkpoints kept in the store, each checked."""

    @property
    def ok(self) -> bool:
        """True when nothing broke and every anchor holds."""
        return self.report.ok and not self.problems and all(a.holds for a in self.anchors)

    @property
    def anchored(self) -> bool:
        """True when at least one anchor outside the store holds."""
        return any(a.holds for a in self.anchors)

    @property
    def breaks(self) -> tuple[ChainBreak, ...]:
        """Every break: the chain's, then the store's."""
        return (*self.report.breaks, *self.problems)

    def anchor_text(self) -> str:
        """One line saying what the verdict rests on (:data:`STORE_ONLY` without anchor)."""
        held = [a for a in self.anchors if a.holds]
        failed = [
            f"{a.kind} at size {a.size} does NOT hold ({a.detail})"
            for a in self.anchors
            if not a.holds
        ]
        if not held:
            return "; ".join([*failed, STORE_ONLY])
        return "; ".join([*(f"{a.kind} at size {a.size} ({a.detail})" for a in held), *failed])

    def to_dict(self) -> dict[str, Any]:
        """The report for JSON output: the chain report's fields with ``breaks`` holding
        every break (the chain's and the store's), then ``problems`` (the store's only),
        ``kept_checkpoints`` (the checkpoints kept in the store: their sizes and whether
        each verified), ``anchored``, ``anchor``
        (the anchors, or ``[{"kind": "store_only", "detail": STORE_ONLY}]``) and
        ``timestamp_notices``."""
        out = self.report.to_dict()
        out["ok"] = self.ok
        out["breaks"] = [b.to_dict() for b in self.breaks]
        out["problems"] = [b.to_dict() for b in self.problems]
        broken = {b.detail.split(":", 1)[0] for b in self.problems if b.seq is None}
        out["kept_checkpoints"] = [
            {"size": n, "ok": f"kept checkpoint {n}" not in broken} for n in self.kept_sizes
        ]
        out["anchored"] = self.anchored
        out["anchor"] = [a.to_dict() for a in self.anchors] or [
            {"kind": "store_only", "size": None, "holds": True, "detail": STORE_ONLY}
        ]
        out["timestamp_notices"] = list(self.notices)
        return out


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def _column_breaks(
    records: Sequence[tuple[int | None, bytes, str | None, str | None]],
) -> list[ChainBreak]:
    out: list[ChainBreak] = []
    for position, (seq, line, entry_hash, object_id) in enumerate(records):
        try:
            doc = json.loads(line)
            signed_seq, signed_object = doc["seq"], doc["object_id"]
        except (ValueError, KeyError, TypeError, RecursionError):
            continue  # a malformed line is reported by the chain check
        at = signed_seq if isinstance(signed_seq, int) else position
        if seq != signed_seq:
            out.append(
                ChainBreak(
                    at,
                    "column_mismatch",
                    f"the stored seq column says {_short(seq)}, the signed entry {at}",
                )
            )
        if entry_hash != hashlib.sha256(line).hexdigest():
            out.append(
                ChainBreak(
                    at,
                    "column_mismatch",
                    "the stored entry_hash column is not the SHA-256 of the stored entry",
                )
            )
        if object_id != signed_object:
            out.append(
                ChainBreak(
                    at,
                    "column_mismatch",
                    f"the stored object_id column says {_short(object_id)}, the signed "
                    f"entry {_short(signed_object)} (a query by object would mislead)",
                )
            )
    return out


def _verifiers(origin: str, keys: Sequence[PublicKey]) -> list[NoteVerifier]:
    out = []
    for k in keys:
        if isinstance(k, Ed25519PublicKey):  # only Ed25519 keys sign notes
            try:
                out.append(verifier_key(origin, k))
            except InputError:
                return []  # an origin that is not a valid key name: no signature can match
    return out


def _kept(
    store: CustodyStore,
    lines: Sequence[bytes],
    keys: Sequence[PublicKey],
    tsa: TimestampAuthority | None,
) -> tuple[list[ChainBreak], list[Anchor], list[str]]:
    problems: list[ChainBreak] = []
    anchors: list[Anchor] = []
    notices: list[str] = []
    for size, note, token in store.checkpoints():
        where = f"kept checkpoint {size}"
        origin = note.split("\n", 1)[0]
        consistent: bool | None = None
        try:
            saved = parse_checkpoint(note, _verifiers(origin, keys), source=where)
        except TrustError as exc:
            problems.append(ChainBreak(None, "unknown_key", f"{where}: {exc}"))
        except IntegrityError as exc:
            problems.append(ChainBreak(None, "rewritten", f"{where}: {exc}"))
        except InputError as exc:
            problems.append(ChainBreak(None, "malformed", f"{where}: {exc}"))
        else:
            if saved.size != size:
                problems.append(
                    ChainBreak(
                        None,
                        "column_mismatch",
                        f"{where}: the stored size column says {size}, the signed "
                        f"checkpoint {saved.size}",
                    )
                )
            if saved.size > len(lines):
                consistent = False
                problems.append(
                    ChainBreak(
                        None,
                        "truncated",
                        f"a kept checkpoint covers {saved.size} entries, the log has {len(lines)}",
                    )
                )
            elif root_of_lines(lines[: saved.size]) != saved.root:
                consistent = False
                problems.append(
                    ChainBreak(
                        None,
                        "rewritten",
                        f"the first {saved.size} entries no longer give the root of the "
                        "checkpoint kept for that size",
                    )
                )
            else:
                consistent = True
        if token is None:
            continue
        if tsa is None:
            try:
                read_timestamp(token, source=where)
            except EEvidenceError as exc:
                problems.append(ChainBreak(None, "bad_timestamp", f"{where}: {exc}"))
            else:
                notices.append(
                    f"{where}: its RFC 3161 timestamp was not checked: no TSA root is "
                    "configured ('eevidence custody trust add-tsa-root PEM', or --tsa-root)"
                )
            continue
        try:
            when = verify_timestamp(token, note.encode(), tsa, source=where)
        except EEvidenceError as exc:
            problems.append(ChainBreak(None, "bad_timestamp", f"{where}: {exc}"))
            continue
        if consistent is not None:
            anchors.append(
                Anchor("rfc3161_timestamp", size, consistent, f"timestamped {when.isoformat()}")
            )
    return problems, anchors, notices


def audit_log(
    store: CustodyStore,
    trusted: Iterable[PublicKey],
    *,
    checkpoint: Checkpoint | None = None,
    checkpoint_source: str = "checkpoint file",
    tsa: TimestampAuthority | None = None,
    check_signatures: bool = True,
    workers: int = 1,
    anchors: Sequence[Anchor] = (),
    problems: Sequence[ChainBreak] = (),
) -> LogAudit:
    """Check a stored log, everything stored beside it, and the anchors it is given.

    Args:
        store: The store keeping the log.
        trusted: The public keys allowed to sign entries (and, for Ed25519 ones,
            checkpoints): the verifier's trust configuration, never keys found in the store.
        checkpoint: A verified checkpoint held outside the store (e.g. a file parsed with
            :func:`eevidence.crypto.parse_checkpoint`); the log must still extend it.
        checkpoint_source: Where ``checkpoint`` came from, for the anchor's detail.
        tsa: The timestamping authority roots kept RFC 3161 tokens must verify against;
            ``None``: tokens are only decoded (one that does not decode is a break) and a
            notice says they were not checked.
        check_signatures: False to skip entry signatures.
        workers: Processes for signature checks (from 20 000 entries on).
        anchors: Further anchors checked elsewhere (witness cosignatures).
        problems: Further problems found elsewhere (a required witness cosignature that is
            missing: ``anchor_missing``).

    Returns:
        The audit; problems are reported in it, never raised.

    Raises:
        StoreError: the store fails (raised by the store).
    """
    keys = list(trusted)
    records = store.custody_records()
    lines = [r[1] for r in records]
    report = verify_lines(
        lines, keys, checkpoint=checkpoint, check_signatures=check_signatures, workers=workers
    )
    found = _column_breaks(records)
    kept, stamped, notices = _kept(store, lines, keys, tsa)
    sizes = tuple(size for size, _, _ in store.checkpoints())
    held: list[Anchor] = []
    if checkpoint is not None:
        holds = not any(b.seq is None for b in report.breaks)
        held.append(Anchor("checkpoint_file", checkpoint.size, holds, checkpoint_source))
    return LogAudit(
        report,
        (*found, *kept, *problems),
        (*held, *stamped, *anchors),
        tuple(notices),
        sizes,
    )


def verify_log(
    store: CustodyStore,
    trusted: Iterable[PublicKey],
    *,
    checkpoint: Checkpoint | None = None,
    check_signatures: bool = True,
    workers: int = 1,
) -> tuple[ChainReport, list[ChainBreak]]:
    """Check the stored log, and every checkpoint and column kept beside it.

    :func:`audit_log` without anchors: see it for what is checked.

    Args:
        store: The store keeping the log.
        trusted: The public keys allowed to sign entries (and, for Ed25519 ones,
            checkpoints).
        checkpoint: A verified checkpoint (e.g. one received earlier) to compare with.
        check_signatures: False to skip entry signatures.
        workers: Processes for signature checks (from 20 000 entries on).

    Returns:
        The chain report (see :func:`verify_lines`) and the problems found beside it
        (stored columns, kept checkpoints, their RFC 3161 tokens); never raised.

    Raises:
        StoreError: the store fails (raised by the store).
    """
    audit = audit_log(
        store,
        trusted,
        checkpoint=checkpoint,
        check_signatures=check_signatures,
        workers=workers,
    )
    return audit.report, list(audit.problems)


def inclusion_proofs(
    lines: Sequence[bytes], size: int, *, first: int = 0, count: int | None = None
) -> list[dict[str, Any]]:
    """Inclusion proofs (RFC 9162 section 2.1.3.1) of entries in the tree of ``size`` leaves.

    Args:
        lines: The stored entry lines (at least ``size``).
        size: The tree size of the checkpoint the proofs are for.
        first: The first entry to prove; ``count`` how many (default: up to ``size``).

    Returns:
        ``[{"seq", "tree_size", "leaf_hash", "proof"}]``, hashes as lower-case hex.

    Raises:
        InputError: ``size`` is larger than the log.
    """
    if size > len(lines) or size < 0:
        raise InputError(f"a tree of {size} entries needs {size} lines; the log has {len(lines)}")
    tree = MerkleTree(leaf_hash(x) for x in lines[:size])
    last = size if count is None else min(size, first + count)
    return [
        {
            "seq": i,
            "tree_size": size,
            "leaf_hash": tree.leaf(i).hex(),
            "proof": [h.hex() for h in tree.inclusion_proof(i)],
        }
        for i in range(first, last)
    ]


def verify_entry_proof(line: bytes, proof: dict[str, Any], checkpoint: Checkpoint) -> None:
    """Check one exported entry against a verified checkpoint, without the store.

    Args:
        line: The entry's stored bytes (one JSON line, no newline).
        proof: Its item from :func:`inclusion_proofs` (``seq``, ``tree_size``, ``proof``).
        checkpoint: The checkpoint, verified by the caller
            (:func:`eevidence.crypto.parse_checkpoint` with trusted keys).

    Raises:
        ProofError: the proof is malformed, is for another tree size, or does not lead from
            this entry to the checkpoint's root (RFC 9162 section 2.1.3.2).
    """
    try:
        index, size = proof["seq"], proof["tree_size"]
        hashes = [bytes.fromhex(h) for h in proof["proof"]]
    except (KeyError, TypeError, ValueError):
        raise ProofError("not an inclusion proof (seq, tree_size, proof)") from None
    if not isinstance(index, int) or size != checkpoint.size:
        raise ProofError(f"the proof is for a tree of {size} entries, not {checkpoint.size}")
    verify_inclusion(index, size, leaf_hash(line), hashes, checkpoint.root)
