"""``eevidence evidence``: take in received files, and re-check them against the signed log.

``evidence verify`` takes each file's expected digest and location from its signed
``evidence_received`` entry, and only once the chain verifies against the trusted keys
(the custody trust configuration, or ``--trust DIR``); every stored column that repeats a
signed field must agree with it. A file whose entry does not verify is reported as
``unverified_record`` and never compared; devices, FIFOs and other special files are never
read; reads stop at the size the file had when opened.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import os
import stat
from pathlib import Path

from eevidence._cli._common import EXIT_INVALID, EXIT_OK, echo, print_json
from eevidence._cli._custody_hook import record_for
from eevidence._cli._options import now_of, progress, store_of
from eevidence._cli._trust import custody_trusted
from eevidence.custody import (
    EvidenceCheck,
    Received,
    check_file,
    entries_from_jsonl,
    ingest_file,
    verify_lines,
)
from eevidence.errors import InputError, UnknownRequestError

__all__ = ["cmd_evidence_verify", "cmd_ingest", "record_for"]  # record_for: tests patch it here


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def cmd_ingest(args: argparse.Namespace) -> int:
    """``evidence ingest``: hash, keep and record each received file."""
    now = now_of(args)
    sizes = []
    for f in args.files:
        p = Path(f)
        if not p.is_file():
            raise InputError("not a regular file (or not found)", source=f)
        sizes.append(p.stat().st_size)
    store = store_of(args)
    try:
        store.get(args.request)
    except UnknownRequestError:
        store.close()
        raise UnknownRequestError(
            "evidence is recorded against a tracked request; track it first "
            "(eevidence track add REQUEST)",
            source=args.request,
        ) from None
    bar = progress(sum(sizes), args.quiet)
    results = []
    try:

        def record(got: Received) -> None:  # kept and recorded as one step
            entry = record_for(
                args,
                store,
                "evidence_received",
                f"evidence/{args.request}/{got.name}",
                now=now,
                object_sha256=got.sha256,
                location=got.kept or args.location or str(Path(got.source).resolve()),
                note=args.note,
            )
            results.append({**dataclasses.asdict(got), "custody_entry": entry.seq})

        for f in args.files:
            ingest_file(
                f, request_id=args.request, keep_in=args.keep_in, progress=bar, record=record
            )
    finally:
        if bar is not None:
            bar.finish()
        store.close()
    if args.json:
        print_json(results)
    else:
        for r in results:
            kept = f" kept as {r['kept']}" if r["kept"] else ""
            echo(f"  {r['sha256']}  {r['size']:>12,} B  {r['name']}{kept}")
        echo(f"{len(results)} file(s) recorded for request {args.request}")
    return EXIT_OK


def cmd_evidence_verify(args: argparse.Namespace) -> int:
    """``evidence verify``: re-hash each file against its signed, verified entry."""
    now = now_of(args)
    trusted = custody_trusted(args)
    store = store_of(args, create=False)
    try:
        records = store.custody_records()
        lines = [r[1] for r in records]
        report = verify_lines(lines, trusted)
        broken = {b.seq for b in report.breaks if b.seq is not None}
        for position, (seq, line, entry_hash, _object_id) in enumerate(records):
            if seq != position or entry_hash != _sha256(line):
                broken.add(position)
        # object -> (entry seq, kept where, sha256 when received), from the signed entries
        latest: dict[str, tuple[int, str, str]] = {}
        for position, line in enumerate(lines):
            try:
                [e] = entries_from_jsonl(line, source=store.location)
            except (InputError, ValueError):
                continue  # a malformed entry is a break of the chain report
            if e.object_id != records[position][3]:
                broken.add(position)
            if e.action == "evidence_received" and e.object_sha256 and e.location:
                latest[e.object_id] = (position, e.location, e.object_sha256)
        if args.request:
            store.get(args.request)  # an id the store does not track: UnknownRequestError
            prefix = f"evidence/{args.request}/"
            latest = {k: v for k, v in latest.items() if k.startswith(prefix)}
        checks = _check_evidence(args, latest, broken)
        # nothing is signed into a log that does not verify: an entry would vouch for it
        if not args.no_record and report.ok and not broken:
            for object_id, result in checks:
                if result.status == "unverified_record":
                    continue  # never vouch for a file against an entry that does not verify
                record_for(
                    args,
                    store,
                    "evidence_verified",
                    object_id,
                    now=now,
                    object_sha256=result.found_sha256,
                    location=result.path,
                    note=f"re-hashed: {result.status}",
                )
    finally:
        store.close()
    files = [{"object": o, **r.to_dict()} for o, r in checks]
    bad = [f for f in files if f["status"] != "ok"]
    ok = not bad and report.ok and not broken
    if args.json:
        print_json({"ok": ok, "chain_ok": report.ok and not broken, "files": files})
    else:
        for f in files:
            echo(f"  {str(f['status']).upper():<17} {f['object']}  ({f['path']})")
        if not (report.ok and not broken):
            echo(
                f"  the custody log does not verify ({len(report.breaks)} broken entry link(s) "
                f"or signature(s), {len(broken)} entry(ies) affected): run "
                "'eevidence custody verify'"
            )
        echo(f"{len(files) - len(bad)} of {len(files)} file(s) unchanged")
    return EXIT_OK if ok else EXIT_INVALID


def _check_evidence(
    args: argparse.Namespace, latest: dict[str, tuple[int, str, str]], broken: set[int]
) -> list[tuple[str, EvidenceCheck]]:
    """Re-hash each file whose signed entry verifies; the others are ``unverified_record``."""
    sound = {k: v for k, v in latest.items() if v[0] not in broken}
    total = 0
    for _seq, location, _digest in sound.values():
        try:
            info = os.stat(location)
            total += info.st_size if stat.S_ISREG(info.st_mode) else 0
        except OSError:
            pass
    bar = progress(total, args.quiet)
    out = []
    for object_id, (seq, location, expected) in sorted(latest.items()):
        if seq in broken:
            result = EvidenceCheck(location, "unverified_record", expected, None, None)
        else:
            result = check_file(location, expected, progress=bar)
        out.append((object_id, result))
    if bar is not None:
        bar.finish()
    return out
