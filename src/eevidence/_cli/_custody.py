"""``eevidence custody`` and ``eevidence evidence``: the chain of custody, kept in the store.

Every entry is signed: with ``--key FILE`` (or ``$EEVIDENCE_KEY``; passphrase from
``$EEVIDENCE_PASSPHRASE`` or a prompt), else with the workstation's custody key, created
on first use next to the default store. :func:`record_for` is what the other commands
(``track add``, ``track event``) call to record what they did.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from eevidence._cli._common import EXIT_INVALID, EXIT_OK, CliUsageError, echo, print_json
from eevidence._cli._custody_hook import record_for, signer_for
from eevidence._cli._evidence import cmd_evidence_verify, cmd_ingest
from eevidence._cli._options import (
    actor_options,
    new_output,
    now_of,
    passphrase_options,
    store_of,
    store_options,
)
from eevidence._cli._trust import (
    certificate_of,
    custody_trust_option,
    custody_trusted,
    custody_tsa,
    register_custody_trust,
)
from eevidence._cli._witness import cosign_with, witness_evidence
from eevidence._internal.documents import read_limited
from eevidence._internal.fs import write_atomic
from eevidence.crypto import KeySigner, NoteVerifier, parse_checkpoint
from eevidence.custody import (
    CustodyAction,
    CustodyEntry,
    add_tsa_root,
    audit_log,
    checkpoint_log,
    custody_to_case,
    entries_from_jsonl,
    entries_to_jsonl,
    import_jsonl,
    inclusion_proofs,
    ingest_file,
    record,
    request_timestamp,
    sha256_file,
    verify_log,
    workstation_signer,
)
from eevidence.errors import ConfigurationError, InputError
from eevidence.tracking import SqliteStore, Store

__all__ = ["demo_step", "register"]

_log = logging.getLogger(__name__)

MAX_IMPORT_BYTES = 1 << 30
"""Largest custody log `custody import` reads (1 GiB: about a million entries of JSON lines)."""
_ACTIONS: tuple[str, ...] = CustodyAction.__args__  # type: ignore[attr-defined]


def _who(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--key",
        metavar="FILE",
        help="signing key (default: $EEVIDENCE_KEY, else the workstation custody key)",
    )
    passphrase_options(p)
    actor_options(p, "who acts")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("custody", help="the chain of custody: log, verify, checkpoint, export")
    csub = p.add_subparsers(dest="custody_command", metavar="ACTION", required=True)

    q = csub.add_parser("log", help="the custody entries, oldest first")
    q.add_argument(
        "object_id",
        nargs="?",
        metavar="OBJECT|ID",
        help="only entries about this object (request/ID, evidence/ID/NAME...), or, for a "
        "request id, about the request and the evidence received for it",
    )
    store_options(q)
    q.set_defaults(handler=_cmd_log)

    q = csub.add_parser("record", help="record an action on an object")
    q.add_argument("action", choices=_ACTIONS, metavar="ACTION", help=" | ".join(_ACTIONS))
    q.add_argument("object_id", metavar="OBJECT", help="request/ID, evidence/..., package/...")
    _object_options(q)
    q.set_defaults(handler=_cmd_record)

    q = csub.add_parser("transfer", help="record a hand-over of an object")
    q.add_argument("object_id", metavar="OBJECT")
    q.add_argument("--from", dest="transfer_from", required=True, metavar="WHO")
    q.add_argument("--to", dest="transfer_to", required=True, metavar="WHO")
    _object_options(q)
    q.set_defaults(handler=_cmd_transfer)

    q = csub.add_parser(
        "checkpoint",
        help="sign a checkpoint over the whole log (C2SP tlog-checkpoint)",
        description="Sign the log's size and Merkle root with an Ed25519 key, keep the signed "
        "note in the store and write it to a file. With --tsa, also get an RFC 3161 timestamp.",
    )
    q.add_argument("--origin", default="eevidence/custody", help="the log's name (one word)")
    q.add_argument("-o", "--output", metavar="FILE", help="also write the signed checkpoint here")
    q.add_argument("--force", action="store_true", help="replace an existing --output file")
    q.add_argument("--tsa", metavar="URL", help="RFC 3161 timestamping authority")
    q.add_argument(
        "--witness",
        action="append",
        default=[],
        metavar="URL",
        help="a witness (C2SP tlog-witness) to cosign the checkpoint (repeatable)",
    )
    q.add_argument(
        "--witness-key",
        action="append",
        default=[],
        metavar="VKEY",
        help="the witness's verifier key (or a file holding it): its cosignature must verify",
    )
    q.add_argument(
        "--tsa-root",
        metavar="PEM",
        action="append",
        default=[],
        help="trusted root certificate of the TSA (repeatable)",
    )
    store_options(q)
    _who(q)
    q.set_defaults(handler=_cmd_checkpoint)

    q = csub.add_parser(
        "verify",
        help="verify the whole chain: links, signatures, Merkle tree, checkpoints",
        description="Exit 0 only when every entry links to the one before, every signature is "
        "by a trusted key, and every kept (or given) checkpoint still matches the log.",
    )
    custody_trust_option(q)
    q.add_argument(
        "--checkpoint",
        metavar="FILE",
        help="a signed checkpoint kept outside the store (an anchor: detects rollback)",
    )
    q.add_argument(
        "--require-anchor",
        action="store_true",
        help="exit 1 unless the verdict rests on an anchor outside the store",
    )
    q.add_argument(
        "--witness-key",
        action="append",
        default=[],
        metavar="VKEY",
        help="require a kept (or given) checkpoint cosigned by this witness (repeatable)",
    )
    q.add_argument("--no-signatures", action="store_true", help="skip signature checks")
    q.add_argument(
        "--workers",
        type=_positive,
        default=os.cpu_count() or 1,
        metavar="N",
        help="processes checking signatures, at least 1 (default: the CPU count)",
    )
    store_options(q)
    q.set_defaults(handler=_cmd_verify)

    q = csub.add_parser("export", help="write the log as JSON Lines or CASE/UCO JSON-LD")
    q.add_argument("--format", choices=("jsonl", "case"), default="jsonl")
    q.add_argument("-o", "--output", metavar="FILE", required=True)
    q.add_argument(
        "--force", action="store_true", help="replace an existing FILE (and FILE.proofs.json)"
    )
    q.add_argument("--name", default="eevidence-custody", help="log name used in the export")
    store_options(q, json_option=False)
    _who(q)
    q.set_defaults(handler=_cmd_export)
    register_custody_trust(csub)

    q = csub.add_parser("import", help="load an exported JSON Lines log into an empty store")
    q.add_argument("file", metavar="FILE")
    custody_trust_option(q)
    store_options(q, json_option=False)
    q.set_defaults(handler=_cmd_import)

    p = sub.add_parser("evidence", help="take in evidence files and re-check them later")
    esub = p.add_subparsers(dest="evidence_command", metavar="ACTION", required=True)
    q = esub.add_parser(
        "ingest",
        help="hash received files and record them in the custody log",
        description="Hash each file as it is read (one pass, bounded memory), record an "
        "evidence_received entry with its SHA-256, and with --keep-in keep a read-only copy.",
    )
    q.add_argument("files", nargs="+", metavar="FILE")
    q.add_argument("--request", required=True, metavar="ID", help="the request it answers")
    q.add_argument("--keep-in", metavar="DIR", help="evidence folder for read-only copies")
    q.add_argument("--location", metavar="TEXT", help="where the originals are held")
    q.add_argument("--note", metavar="TEXT")
    q.add_argument("--quiet", action="store_true", help="no progress bar")
    store_options(q)
    _who(q)
    q.set_defaults(handler=cmd_ingest)

    q = esub.add_parser(
        "verify",
        help="re-hash recorded evidence files; report changed or missing ones",
        description="The expected digest and location of each file come from its signed "
        "evidence_received entry, once the chain verifies against the trusted keys; a file "
        "whose entry does not verify is reported, never compared. Devices, FIFOs and other "
        "special files are never read. Exit 0 only when every file is present and unchanged "
        "and the chain verifies.",
    )
    q.add_argument("--request", metavar="ID", help="only evidence for this request")
    q.add_argument("--no-record", action="store_true", help="do not record the check")
    q.add_argument("--quiet", action="store_true", help="no progress bar")
    custody_trust_option(q)
    store_options(q)
    _who(q)
    q.set_defaults(handler=cmd_evidence_verify)


def _object_options(q: argparse.ArgumentParser) -> None:
    digest = q.add_mutually_exclusive_group()
    digest.add_argument("--file", metavar="FILE", help="hash this file as the object's state")
    digest.add_argument("--sha256", metavar="HEX", help="the object's SHA-256, if known")
    q.add_argument("--location", metavar="TEXT", help="where the object is")
    q.add_argument("--note", metavar="TEXT")
    store_options(q)
    _who(q)


# -- objects and entries -------------------------------------------------------------------------


def _digest(args: argparse.Namespace) -> str | None:
    if args.file:
        path = Path(args.file)
        if not path.is_file():
            raise InputError("not a regular file (or not found)", source=args.file)
        return sha256_file(path)[0]
    if args.sha256:
        value = args.sha256.lower()
        if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
            raise CliUsageError("--sha256 needs 64 hexadecimal digits")
        return str(value)
    return None


def _entry_line(e: CustodyEntry) -> str:
    extra = f" {e.transfer_from} -> {e.transfer_to}" if e.action == "transferred" else ""
    digest = f" sha256={e.object_sha256[:16]}..." if e.object_sha256 else ""
    note = f"  ({e.note})" if e.note else ""
    return (
        f"{e.seq:>6} {e.at.isoformat(timespec='seconds')} {e.action:<20} {e.object_id}"
        f"{digest}{extra}  by {e.actor} [{e.role}]{note}"
    )


# -- custody commands --------------------------------------------------------------------------


def _cmd_log(args: argparse.Namespace) -> int:
    store = store_of(args, create=False)
    wanted: str | None = args.object_id
    try:
        lines = store.custody_lines()
    finally:
        store.close()
    shown: list[CustodyEntry | int] = []  # an int: the position of an unreadable entry
    for position, line in enumerate(lines):
        try:
            [entry] = entries_from_jsonl(line, source=store.location)
        except (InputError, ValueError):
            shown.append(position)
            continue
        if wanted is None or _about(entry.object_id, wanted):  # the signed object id
            shown.append(entry)
    if args.json:
        print_json(
            [
                json.loads(e.canonical()) if isinstance(e, CustodyEntry) else {"malformed": e}
                for e in shown
            ]
        )
        return EXIT_OK
    for e in shown:
        if isinstance(e, CustodyEntry):
            echo(_entry_line(e))
        else:
            echo(f"{e:>6} (not a readable custody entry: run 'eevidence custody verify')")
    echo(f"{len(shown)} entr{'y' if len(shown) == 1 else 'ies'} in {store.location}")
    return EXIT_OK


def _about(object_id: str, wanted: str) -> bool:
    """Whether an entry's object is ``wanted``; a request id also selects its evidence."""
    if "/" in wanted:
        return object_id == wanted
    return object_id in (wanted, f"request/{wanted}") or object_id.startswith(f"evidence/{wanted}/")


def _record_cmd(
    args: argparse.Namespace,
    action: CustodyAction,
    transfer_from: str | None = None,
    transfer_to: str | None = None,
) -> int:
    store = store_of(args)
    try:
        entry = record_for(
            args,
            store,
            action,
            args.object_id,
            now=now_of(args),
            object_sha256=_digest(args),
            note=args.note,
            location=args.location,
            transfer_from=transfer_from,
            transfer_to=transfer_to,
        )
    finally:
        store.close()
    if args.json:
        print_json(json.loads(entry.canonical()))
    else:
        echo(_entry_line(entry))
    return EXIT_OK


def _cmd_record(args: argparse.Namespace) -> int:
    return _record_cmd(args, args.action)


def _cmd_transfer(args: argparse.Namespace) -> int:
    return _record_cmd(
        args, "transferred", transfer_from=args.transfer_from, transfer_to=args.transfer_to
    )


def _positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _log_problem(args: argparse.Namespace, store: Store) -> str | None:
    """The first reason the stored log does not verify against the trust configuration, or
    ``None`` when it verifies (or no key is trusted yet: nothing to judge it by)."""
    try:
        trusted = custody_trusted(args)
    except ConfigurationError:
        return None
    audit = audit_log(store, trusted)
    if audit.ok:
        return None
    first = audit.breaks[0] if audit.breaks else None
    return "a kept checkpoint does not hold" if first is None else f"{first.kind}: {first.detail}"


def _refuse_broken_log(args: argparse.Namespace, store: Store, signer: KeySigner) -> None:
    """A checkpoint vouches for the log: refuse to sign one over a log that does not verify
    (entries, links, stored columns, kept checkpoints)."""
    try:
        trusted = custody_trusted(args)
    except ConfigurationError:
        trusted = []
    audit = audit_log(store, [*trusted, signer.public_key])
    if not audit.ok:
        first = audit.breaks[0] if audit.breaks else None
        where = "" if first is None else f": {first.kind} ({first.detail})"
        raise InputError(
            f"the custody log does not verify{where}; a checkpoint would vouch for it, so none "
            "is signed: run 'eevidence custody verify' to see every break",
            source=store.location,
        )


def _cmd_checkpoint(args: argparse.Namespace) -> int:
    signer = signer_for(args)
    if not isinstance(signer.public_key, Ed25519PublicKey):
        raise InputError(
            "checkpoints are signed with Ed25519 keys (signed-note algorithm 1); generate one "
            "with: eevidence keys generate --type ed25519",
            source=args.key or os.environ.get("EEVIDENCE_KEY") or "signing key",
        )
    if args.output:  # refused before anything is signed or kept
        new_output(args.output, "--output", force=args.force)
        if args.tsa:
            new_output(f"{args.output}.tsr", "--output", force=args.force)
    store = store_of(args, create=False)
    try:
        _refuse_broken_log(args, store, signer)
        token = None
        # kept only once every witness and the timestamping authority answered
        checkpoint, note = checkpoint_log(store, args.origin, signer, keep=False)
        if args.witness:  # cosignatures go into the note, before any timestamp over it
            note = cosign_with(
                store.custody_lines(),
                note,
                NoteVerifier(args.origin, signer.public_key),
                args.witness,
                args.witness_key,
            )
        if args.tsa:
            authority = custody_tsa(args)  # --tsa-root, else the configured roots
            if authority is None:
                raise CliUsageError(
                    "--tsa needs the timestamping authority's root: --tsa-root PEM, or "
                    "'eevidence custody trust add-tsa-root PEM' once"
                )
            with httpx.Client(timeout=30.0) as client:
                token, when = request_timestamp(note.encode(), args.tsa, authority, client=client)
            for path in args.tsa_root or ():  # given here: its timestamps are checked later too
                add_tsa_root(
                    certificate_of(path),
                    now=now_of(args),
                    reason=f"custody checkpoint --tsa {args.tsa} --tsa-root {path}",
                )
        store.save_checkpoint(checkpoint.size, note, token)
    finally:
        store.close()
    if args.output:
        write_atomic(args.output, note.encode())
        if token is not None:
            write_atomic(f"{args.output}.tsr", token)
    if args.json:
        print_json(
            {
                "origin": checkpoint.origin,
                "size": checkpoint.size,
                "root": checkpoint.root.hex(),
                "note": note,
                "timestamped": token is not None,
            }
        )
    else:
        sys.stdout.write(note)
        if token is not None:
            echo(f"timestamped by {args.tsa} at {when.isoformat()}")
    return EXIT_OK


def _cmd_verify(args: argparse.Namespace) -> int:
    trusted = custody_trusted(args)
    tsa = custody_tsa(args)
    given = None
    if args.checkpoint:
        text = read_limited(args.checkpoint, 1 << 20, "checkpoint")  # a note is a few lines
        origin = text.split(b"\n", 1)[0].decode("utf-8", "replace")
        verifiers = [NoteVerifier(origin, k) for k in trusted if isinstance(k, Ed25519PublicKey)]
        given = parse_checkpoint(text, verifiers, source=args.checkpoint)
    store = store_of(args, create=False)
    try:
        anchors, missing = witness_evidence(
            store,
            trusted,
            args.witness_key,
            (args.checkpoint, text.decode("utf-8", "replace")) if given else None,
        )
        audit = audit_log(
            store,
            trusted,
            checkpoint=given,
            checkpoint_source=f"checkpoint file {args.checkpoint}",
            tsa=tsa,
            check_signatures=not args.no_signatures,
            workers=max(1, args.workers),
            anchors=anchors,
            problems=missing,
        )
    finally:
        store.close()
    report = audit.report
    ok = audit.ok and (audit.anchored or not args.require_anchor)
    if args.json:
        out: dict[str, Any] = audit.to_dict()
        out["ok"] = ok
        out["store"] = store.location
        print_json(out)
        return EXIT_OK if ok else EXIT_INVALID
    if not audit.ok:
        state = "FAILED"
    elif audit.anchored:
        state = "VERIFIED"
    else:
        state = "VERIFIED, UNANCHORED" if ok else "FAILED, UNANCHORED"
    echo(
        f"{state}: {report.size} entries, root {report.root.hex()[:16]}..., "
        f"signatures {'checked' if report.signatures_checked else 'NOT checked'}"
        + (f", checkpoint at {report.checkpoint_size}" if given else "")
    )
    echo(f"  anchor: {audit.anchor_text()}")
    for b in audit.breaks:
        where = f"entry {b.seq}" if b.seq is not None else "log"
        echo(f"  {b.kind:<14} {where}: {b.detail}")
    for n in report.notices:
        echo(f"  note: entry {n.seq}: {n.detail}")
    for text_notice in audit.notices:
        echo(f"  note: {text_notice}")
    if any(b.kind == "unknown_key" for b in audit.breaks):
        echo(
            "  hint: a key not in the custody trust configuration signed it; "
            "'eevidence custody trust list' shows the trusted keys, 'custody trust add PUB' "
            "adds a foreign signer (check it first)"
        )
    return EXIT_OK if ok else EXIT_INVALID


def _cmd_export(args: argparse.Namespace) -> int:
    new_output(args.output, "--output", force=args.force)
    new_output(f"{args.output}.proofs.json", "--output", force=args.force)
    store = store_of(args, create=False)
    try:
        lines = store.custody_lines()
        kept = store.checkpoints()
        entries = entries_from_jsonl(b"\n".join(lines), source=store.location)
        if args.format == "jsonl":
            data = entries_to_jsonl(entries)
        else:
            doc = custody_to_case(entries, log_name=args.name)
            data = (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode()
        write_atomic(args.output, data)
        covered = _write_proofs(f"{args.output}.proofs.json", lines, kept)
        problem = _log_problem(args, store)
        if problem is None:
            record_for(
                args,
                store,
                "exported",
                f"custody/{args.name}",
                now=now_of(args),
                object_sha256=_sha256(data),
                note=f"{len(entries)} entries as {args.format} to {Path(args.output).name}",
            )
    finally:
        store.close()
    if problem is not None:  # exported as it is, for examination; never vouched for
        echo(
            f"eevidence: warning: the custody log does not verify ({problem}): it is exported "
            "as it is, its proofs may not verify, and no export entry is signed into it; run "
            "'eevidence custody verify'",
            file=sys.stderr,
        )
    echo(f"wrote {len(entries)} entries as {args.format} to {args.output}")
    if covered:
        echo(
            f"wrote the latest checkpoint and the inclusion proofs of the {covered} entries it "
            f"covers to {args.output}.proofs.json"
        )
    else:
        echo("no checkpoint covers the log yet: run 'eevidence custody checkpoint' to add proofs")
    return EXIT_OK


def _write_proofs(path: str, lines: list[bytes], kept: list[tuple[int, str, bytes | None]]) -> int:
    """The latest kept checkpoint and the RFC 9162 inclusion proofs of the entries it covers."""
    usable = [(size, note, token) for size, note, token in kept if 0 < size <= len(lines)]
    if not usable:
        return 0
    size, note, token = usable[-1]
    doc = {
        "checkpoint": note,
        "timestamp_token": None if token is None else token.hex(),
        "entries": [line.decode("utf-8", "replace") for line in lines[:size]],
        "proofs": inclusion_proofs(lines, size),
    }
    write_atomic(path, (json.dumps(doc, indent=1) + "\n").encode())
    return size


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _cmd_import(args: argparse.Namespace) -> int:
    data = read_limited(args.file, MAX_IMPORT_BYTES, "custody log")
    trusted = custody_trusted(args)
    store = store_of(args)
    try:
        n = import_jsonl(store, data, trusted, source=args.file)
    finally:
        store.close()
    echo(f"imported {n} verified entries into {store.location}")
    return EXIT_OK


def demo_step(out: Path, request_path: Path, now: datetime) -> bool:
    """Record the example's custody in the demo store, checkpoint it, verify the chain."""
    from eevidence.request import canonical_bytes, read_request  # noqa: PLC0415

    request = read_request(request_path)
    keys = out / "custody"
    signer = workstation_signer(keys)
    store = SqliteStore(out / "tracking.sqlite3")
    try:
        if store.custody_size() == 0:
            package = sorted((out / "package").glob("*.zip"))
            sample = out / "custody" / "provider-return-sample.csv"
            write_atomic(sample, b"account,created,last_login_ip\nsample,2024-01-01,198.51.100.7\n")
            received = ingest_file(sample, request_id=request.id, keep_in=out / "evidence")
            steps: list[tuple[CustodyAction, str, str | None, dict[str, str]]] = [
                (
                    "request_created",
                    f"request/{request.id}",
                    _sha256(canonical_bytes(request)),
                    {},
                ),
                (
                    "request_signed",
                    f"package/{package[0].name}" if package else f"package/{request.id}",
                    _sha256(package[0].read_bytes()) if package else None,
                    {},
                ),
                ("request_submitted", f"request/{request.id}", None, {"note": "portal upload"}),
                (
                    "evidence_received",
                    f"evidence/{request.id}/{received.name}",
                    received.sha256,
                    {"location": received.kept or ""},
                ),
                (
                    "transferred",
                    f"evidence/{request.id}/{received.name}",
                    received.sha256,
                    {"transfer_from": "Lt. Claire Martin", "transfer_to": "Digital forensics lab"},
                ),
            ]
            for i, (action, object_id, digest, extra) in enumerate(steps):
                entry = record(
                    store,
                    signer,
                    now=now + timedelta(minutes=i),
                    actor="Lt. Claire Martin",
                    role="investigator",
                    action=action,
                    object_id=object_id,
                    object_sha256=digest,
                    **extra,
                )
                echo(f"  {_entry_line(entry)}")
            checkpoint, note = checkpoint_log(store, "eevidence.demo/custody", signer)
            write_atomic(out / "custody" / "checkpoint.txt", note.encode())
            echo(
                f"  signed checkpoint: size {checkpoint.size}, {out / 'custody' / 'checkpoint.txt'}"
            )
        report, kept = verify_log(store, [signer.public_key])  # the demo's own key
        entries = entries_from_jsonl(b"\n".join(store.custody_lines()), source=store.location)
    finally:
        store.close()
    case = custody_to_case(entries, log_name="eevidence-demo")
    write_atomic(out / "custody" / "custody.case.jsonld", json.dumps(case, indent=2).encode())
    ok = report.ok and not kept
    echo(
        f"  chain {'VERIFIED' if ok else 'FAILED'}: {report.size} entries, links, signatures, "
        f"Merkle root {report.root.hex()[:16]}... and the kept checkpoint"
    )
    echo(f"  CASE/UCO export: {out / 'custody' / 'custody.case.jsonld'}")
    return ok
