"""``eevidence directory`` and ``eevidence intake``: a signed directory of authorities, and
the recipient's verdict on a received package."""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from eevidence._cli._common import EXIT_INVALID, EXIT_OK, CliUsageError, echo, print_json
from eevidence._cli._options import (
    actor_options,
    now_of,
    parse_time,
    passphrase_of,
    passphrase_options,
    store_of,
    store_options,
)
from eevidence._internal.fs import write_atomic
from eevidence.crypto import KeySigner, PublicKey, key_id, load_public_key, public_key_pem
from eevidence.directory import (
    AUTHORITY_KINDS,
    ROLES,
    Authority,
    CertificateAuthority,
    Directory,
    DirectoryKey,
    DirectoryState,
    Revocation,
    RootRole,
    TrustedVersion,
    VerifiedDirectory,
    as_of,
    directory_state,
    edit_directory,
    init_directory,
    sign_directory,
    verify_directory,
)
from eevidence.errors import DirectoryError, DirectoryVerificationError
from eevidence.intake import REPLY_GROUNDS
from eevidence.tracking import parse_within

__all__ = ["register"]

_PRIVATE_MARK = b"PRIVATE KEY-----"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "directory",
        help="a signed directory of authorities and their signing keys",
        description="A directory lists authorities (name, country, kind, official email "
        "domains, call-back number) and the keys each may sign requests with. Root keys "
        "sign each version (a threshold of them); edits make a draft that is published "
        "once the root keys have signed it.",
    )
    dsub = p.add_subparsers(dest="directory_command", metavar="ACTION", required=True)

    q = dsub.add_parser("init", help="create a directory with its root keys")
    q.add_argument("folder", metavar="DIR")
    q.add_argument(
        "--root-key",
        action="append",
        required=True,
        metavar="KEY",
        help="a root key: a private key signs version 1 now, a public key is only listed "
        "(repeat for several)",
    )
    q.add_argument(
        "--threshold",
        type=int,
        default=1,
        metavar="N",
        help="root signatures each version needs (default: 1)",
    )
    _expires(q, "365d")
    _now(q)
    passphrase_options(q)
    q.set_defaults(handler=_cmd_init)

    q = dsub.add_parser(
        "add",
        help="add an authority, or a key to one (makes a draft)",
        description="Add an authority, or, for an id already listed, add a key to it (the "
        "other options then change its entry when given).",
    )
    q.add_argument("folder", metavar="DIR")
    q.add_argument("--id", required=True, metavar="ID", help="stable id, e.g. fr-ocrgdf")
    q.add_argument("--name", metavar="NAME")
    q.add_argument("--country", metavar="CC", help="ISO 3166-1 alpha-2 code, e.g. FR")
    q.add_argument(
        "--kind",
        choices=AUTHORITY_KINDS,
        metavar="KIND",
        help=f"one of {', '.join(AUTHORITY_KINDS)}",
    )
    q.add_argument(
        "--domain",
        action="append",
        default=[],
        metavar="DOMAIN",
        help="an official email domain (repeat for several)",
    )
    q.add_argument("--callback", metavar="PHONE", help="switchboard or 24/7 desk, E.164 (+33...)")
    q.add_argument("--key", metavar="PUB", help="a signing key's public key (PEM)")
    q.add_argument(
        "--ca",
        metavar="CERT.pem",
        help="an X.509 certificate authority (PEM CA certificate) whose certificates sign "
        "for the authority; --role says what they may sign",
    )
    q.add_argument(
        "--recipient",
        action="append",
        default=[],
        metavar="AGE1...",
        help="an age X25519 recipient that packages for this authority are encrypted to "
        "(package build --encrypt-to directory:DIR#ID; repeat for several)",
    )
    q.add_argument(
        "--role",
        action="append",
        default=[],
        choices=ROLES,
        metavar="ROLE",
        help="what the key may sign: requests (every kind but emergencies, the default), "
        "emergency, or a request kind (repeat for several)",
    )
    q.add_argument("--valid-from", metavar="DATETIME", help="default: now")
    q.add_argument("--valid-until", metavar="DATETIME", help="default: no end")
    _expires(q, None)
    _now(q)
    q.set_defaults(handler=_cmd_add)

    q = dsub.add_parser("revoke", help="revoke a signing key (makes a draft)")
    q.add_argument("folder", metavar="DIR")
    q.add_argument("--key", metavar="PUB", help="the key's public key (PEM)")
    q.add_argument(
        "--ca", metavar="CERT.pem", help="revoke a listed certificate authority instead of a key"
    )
    q.add_argument("--reason", required=True, metavar="TEXT")
    q.add_argument("--at", metavar="DATETIME", help="from when (default: now)")
    _expires(q, None)
    _now(q)
    q.set_defaults(handler=_cmd_revoke)

    q = dsub.add_parser(
        "rotate",
        help="replace the root keys and threshold (makes a draft)",
        description="The draft lists new root keys; it is published once signed by the "
        "threshold of the current roots and of the new ones.",
    )
    q.add_argument("folder", metavar="DIR")
    q.add_argument("--root-key", action="append", required=True, metavar="PUB")
    q.add_argument("--threshold", type=int, default=1, metavar="N")
    _expires(q, None)
    _now(q)
    q.set_defaults(handler=_cmd_rotate)

    q = dsub.add_parser("sign", help="sign the draft with a root key (publishes it when enough)")
    q.add_argument("folder", metavar="DIR")
    q.add_argument("--key", required=True, metavar="KEY")
    passphrase_options(q)
    q.set_defaults(handler=_cmd_sign)

    q = dsub.add_parser(
        "verify",
        help="verify the directory from a root key you trust",
        description="Walk the signed versions from the first one ROOTPUB signed to the newest, "
        "each signed by the threshold of the previous roots and of its own; the newest must "
        "not have expired. Exit 0 only when it verifies.",
    )
    q.add_argument("folder", metavar="DIR")
    _root(q)
    _now(q)
    q.add_argument("--json", action="store_true", help="machine-readable output")
    q.set_defaults(handler=_cmd_verify)

    q = dsub.add_parser("show", help="the authorities and keys (unverified), and any draft")
    q.add_argument("folder", metavar="DIR")
    q.add_argument("--json", action="store_true", help="machine-readable output")
    q.set_defaults(handler=_cmd_show)

    p = sub.add_parser(
        "intake",
        help="decide whether a received request package is genuine, and answer it",
        description="eevidence intake PACKAGE (the check action, the default) verifies a "
        "received package; eevidence intake reply VERDICT writes the answer.",
    )
    isub = p.add_subparsers(dest="intake_command", metavar="ACTION", required=True)
    q = isub.add_parser(
        "check",
        help="verify a received package against a directory (the default action)",
        description="Verify PACKAGE against the keys of a verified directory and bind each "
        "signature to the authority the request names: accept only when a key valid at the "
        "request's creation, not revoked, listed for that authority (same country, the "
        "officer's address at one of its domains) and allowed to sign this kind of request "
        "signed it. An emergency is to be confirmed on the directory's call-back number. "
        "Exit 0 only for accept, 1 for reject.",
    )
    q.add_argument("package", metavar="PACKAGE")
    q.add_argument("--directory", required=True, metavar="DIR")
    _root(q)
    _now(q)
    q.add_argument("--json", action="store_true", help="print the verdict as JSON")
    q.set_defaults(handler=_cmd_intake)

    q = isub.add_parser(
        "reply",
        help="write the answer to a request taken in: acknowledgement or rejection",
        description="From a verdict written by eevidence intake --json, write OUT.json (the "
        "structured answer; for an EU order the fields of the Annex III form) and OUT.txt "
        "(a short letter), and record the answer in the custody log.",
    )
    q.add_argument("verdict", metavar="VERDICT")
    q.add_argument("--recipient", required=True, metavar="NAME", help="who answers")
    q.add_argument("--reference", required=True, metavar="REF", help="your reference")
    q.add_argument(
        "--ground",
        action="append",
        default=[],
        choices=REPLY_GROUNDS,
        metavar="GROUND",
        help=f"why it is not executed: {', '.join(REPLY_GROUNDS)} (repeat; default for a "
        "rejected verdict: not_authenticated)",
    )
    q.add_argument(
        "-o", "--output", required=True, metavar="OUT", help="writes OUT.json and OUT.txt"
    )
    q.add_argument("--force", action="store_true", help="replace existing output files")
    store_options(q)  # also --now
    q.add_argument("--no-record", action="store_true", help="do not record it in the custody log")
    actor_options(q, "who answers")
    q.set_defaults(handler=_cmd_reply)


def _expires(q: argparse.ArgumentParser, default: str | None) -> None:
    q.add_argument(
        "--expires",
        metavar="DURATION",
        default=default,
        help="how long the new version stays valid: 365d, 52w, 36h"
        + (f" (default: {default})" if default else " (default: as the version it replaces)"),
    )


def _now(q: argparse.ArgumentParser) -> None:
    q.add_argument("--now", metavar="DATETIME", help="act as of this time (default: now)")


def _root(q: argparse.ArgumentParser) -> None:
    q.add_argument(
        "--root",
        action="append",
        required=True,
        metavar="ROOTPUB",
        help="a root public key you obtained out of band (repeat for several)",
    )
    q.add_argument(
        "--state",
        metavar="FILE",
        help="the version verified last, kept in FILE (created on first use, updated after "
        "each verification): an older or rewritten copy of the directory is then refused",
    )


# -- helpers -------------------------------------------------------------------------------------


def _as_verification(
    exc: DirectoryVerificationError | DirectoryError,
) -> DirectoryVerificationError:
    """A malformed directory file is a directory that does not verify (one reason)."""
    if isinstance(exc, DirectoryVerificationError):
        return exc
    return DirectoryVerificationError(str(exc), [f"{exc.source}: {exc}"])


def _key_file(path: str, args: argparse.Namespace) -> tuple[PublicKey, KeySigner | None]:
    """A public key, and a signer when the file holds a private key."""
    try:
        head = Path(path).read_bytes()[: 1 << 20] if Path(path).is_file() else b""
    except OSError:
        head = b""
    if _PRIVATE_MARK in head:
        signer = KeySigner.from_file(path, passphrase=passphrase_of(args))
        return signer.public_key, signer
    return load_public_key(path), None


def _state_line(folder: str, state: DirectoryState) -> str:
    if state.draft is None:
        v = state.latest.version if state.latest else 0
        return f"{folder}: version {v} published"
    assert state.needed is not None  # noqa: S101 - set with the draft
    new, new_t, old, old_t = state.needed
    text = f"{folder}: draft version {state.draft.version}, signed by {new} of {new_t}"
    if state.latest is None or state.latest.roots == state.draft.roots:
        text += " root key(s) needed"
    else:  # a rotation: both root sets must sign
        text += f" new root key(s) needed and {old} of {old_t} current ones"
    return text + "; sign it with directory sign --key ROOTKEY"


# -- commands ------------------------------------------------------------------------------------


def _cmd_init(args: argparse.Namespace) -> int:
    if args.threshold < 1:
        raise CliUsageError("--threshold must be at least 1")
    keys = [_key_file(k, args) for k in args.root_key]
    state = init_directory(
        args.folder,
        roots=[k for k, _ in keys],
        threshold=args.threshold,
        signers=[s for _, s in keys if s is not None],
        now=now_of(args),
        expires=parse_within(args.expires),
    )
    echo(_state_line(args.folder, state))
    for k, _ in keys:
        echo(f"  root key {key_id(k)}")
    return EXIT_OK


def _edit(args: argparse.Namespace, change: Callable[[Directory], Directory]) -> int:
    expires = parse_within(args.expires) if args.expires else None
    edit_directory(args.folder, change, now=now_of(args), expires=expires)
    echo(_state_line(args.folder, directory_state(args.folder)))
    return EXIT_OK


def _read_ca(path: str, roles: tuple[str, ...]) -> CertificateAuthority:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise DirectoryError(f"cannot read: {exc.strerror or exc}", source=path) from None
    return CertificateAuthority.from_pem(data, roles=roles or ("requests",), source=path)  # type: ignore[arg-type]


def _cmd_add(args: argparse.Namespace) -> int:
    now = now_of(args)
    key_entry = None
    ca_entry = _read_ca(args.ca, tuple(args.role)) if args.ca else None
    if args.ca and not args.key and (args.valid_from or args.valid_until):
        raise CliUsageError("--valid-from and --valid-until describe a --key, not a --ca")
    if args.key:
        key = load_public_key(args.key)
        key_entry = DirectoryKey(
            keyid=key_id(key),
            public_key=public_key_pem(key).decode("ascii"),
            valid_from=parse_time(args.valid_from, "--valid-from") if args.valid_from else now,
            valid_until=parse_time(args.valid_until, "--valid-until") if args.valid_until else None,
            roles=tuple(args.role) or ("requests",),
        )
    elif (args.role and not args.ca) or args.valid_from or args.valid_until:
        raise CliUsageError("--role, --valid-from and --valid-until describe a --key")

    def change(d: Directory) -> Directory:
        current = d.authority(args.id)
        recipients = tuple(dict.fromkeys(args.recipient))
        fields: dict[str, object] = {
            k: v
            for k, v in (
                ("name", args.name),
                ("country", args.country),
                ("kind", args.kind),
                ("callback", args.callback),
                ("domains", tuple(args.domain) or None),
            )
            if v
        }
        if current is None:
            missing = [f"--{k}" for k in ("name", "country", "kind", "callback") if k not in fields]
            if "domains" not in fields:
                missing.append("--domain")
            if missing:
                raise CliUsageError(f"a new authority needs {', '.join(missing)}")
            entry = Authority(
                id=args.id,
                keys=(key_entry,) if key_entry else (),
                certificate_authorities=(ca_entry,) if ca_entry else None,
                encryption_recipients=recipients or None,
                **fields,  # type: ignore[arg-type]
            )
            return d.model_copy(update={"authorities": (*d.authorities, entry)})
        keys = current.keys
        if key_entry is not None:
            if any(k.keyid == key_entry.keyid for k in keys):
                raise DirectoryError(f"key {key_entry.keyid[:16]} is already listed for {args.id}")
            keys = (*keys, key_entry)
        if ca_entry is not None:
            if any(c.fingerprint == ca_entry.fingerprint for c in current.cas):
                raise DirectoryError(f"CA {ca_entry.subject} is already listed for {args.id}")
            fields["certificate_authorities"] = (*current.cas, ca_entry)
        if recipients:
            known = tuple(current.encryption_recipients or ())
            fields["encryption_recipients"] = (*known, *(r for r in recipients if r not in known))
        if key_entry is None and not fields:
            raise CliUsageError(f"{args.id} is listed already: give --key or a field to change")
        updated = current.model_copy(update={**fields, "keys": keys})
        return d.model_copy(
            update={"authorities": tuple(updated if a.id == args.id else a for a in d.authorities)}
        )

    return _edit(args, change)


def _cmd_revoke(args: argparse.Namespace) -> int:
    if bool(args.key) == bool(args.ca):
        raise CliUsageError("give --key or --ca (one of them)")
    at = parse_time(args.at, "--at") if args.at else now_of(args)
    if args.ca:
        fingerprint = _read_ca(args.ca, ()).fingerprint

        def change_ca(d: Directory) -> Directory:
            owner = d.ca_owner(fingerprint)
            if owner is None:
                raise DirectoryError("this CA is not listed in the directory", source=args.ca)
            authority, ca = owner
            if ca.revoked is not None:
                raise DirectoryError(f"CA {ca.subject} is already revoked ({ca.revoked.reason})")
            revoked = ca.model_copy(update={"revoked": Revocation(at=at, reason=args.reason)})
            updated = authority.model_copy(
                update={
                    "certificate_authorities": tuple(
                        revoked if c.fingerprint == fingerprint else c for c in authority.cas
                    )
                }
            )
            return d.model_copy(
                update={
                    "authorities": tuple(
                        updated if a.id == authority.id else a for a in d.authorities
                    )
                }
            )

        return _edit(args, change_ca)
    keyid = key_id(load_public_key(args.key))

    def change(d: Directory) -> Directory:
        owner = d.key_owner(keyid)
        if owner is None:
            raise DirectoryError(
                f"key {keyid[:16]} is not listed in the directory", source=args.key
            )
        authority, key = owner
        if key.revoked is not None:
            raise DirectoryError(f"key {keyid[:16]} is already revoked ({key.revoked.reason})")
        revoked = key.model_copy(update={"revoked": Revocation(at=at, reason=args.reason)})
        updated = authority.model_copy(
            update={"keys": tuple(revoked if k.keyid == keyid else k for k in authority.keys)}
        )
        return d.model_copy(
            update={
                "authorities": tuple(updated if a.id == authority.id else a for a in d.authorities)
            }
        )

    return _edit(args, change)


def _cmd_rotate(args: argparse.Namespace) -> int:
    keys = [load_public_key(k) for k in args.root_key]
    roots = RootRole(
        keys={key_id(k): public_key_pem(k).decode("ascii") for k in keys}, threshold=args.threshold
    )
    return _edit(args, lambda d: d.model_copy(update={"roots": roots}))


def _cmd_sign(args: argparse.Namespace) -> int:
    signer = KeySigner.from_file(args.key, passphrase=passphrase_of(args))
    state = sign_directory(args.folder, signer)
    echo(_state_line(args.folder, state))
    return EXIT_OK


def _verified(args: argparse.Namespace, folder: str, now: datetime) -> VerifiedDirectory:
    """The directory verified from ``--root``, from the version ``--state`` kept, whose
    state file is then updated to the newest version."""
    roots = [load_public_key(r) for r in args.root]
    trusted = TrustedVersion.read(args.state) if args.state else None
    verified = verify_directory(folder, roots, now=now, trusted=trusted)
    if args.state and verified.state is not None and verified.state != trusted:
        write_atomic(args.state, verified.state.to_bytes(), mode=0o600)
    return verified


def _cmd_verify(args: argparse.Namespace) -> int:
    try:
        verified = _verified(args, args.folder, now_of(args))
    except (DirectoryVerificationError, DirectoryError) as exc:
        if not args.json and isinstance(exc, DirectoryError):
            raise  # a file that cannot be read: one line on standard error
        exc = _as_verification(exc)
        if args.json:
            print_json({"ok": False, "reasons": list(exc.reasons)})
        else:
            echo(f"{args.folder}: NOT VERIFIED")
            for reason in exc.reasons:
                echo(f"  {reason}")
        return EXIT_INVALID
    if args.json:
        print_json(verified.to_dict())
    else:
        d = verified.directory
        echo(
            f"{args.folder}: VERIFIED version {d.version} (from version "
            f"{verified.anchor_version}), {len(d.authorities)} authorities, valid until "
            f"{as_of(d.expires)}"
        )
    return EXIT_OK


def _cmd_show(args: argparse.Namespace) -> int:
    state = directory_state(args.folder)
    shown = state.latest
    if args.json:
        print_json(
            {
                "verified": False,
                "published": None if state.latest is None else state.latest.model_dump(mode="json"),
                "draft": None if state.draft is None else state.draft.model_dump(mode="json"),
            }
        )
        return EXIT_OK
    echo(_state_line(args.folder, state) + " (not verified: use directory verify)")
    for label, doc in (("published", shown), ("draft", state.draft)):
        if doc is None:
            continue
        echo(
            f"{label} version {doc.version}, issued {as_of(doc.issued)}, "
            f"expires {as_of(doc.expires)}"
        )
        for a in doc.authorities:
            echo(f"  {a.id}  {a.name} ({a.country}, {a.kind})  call back {a.callback}")
            echo(f"      domains: {', '.join(a.domains)}")
            for k in a.keys:
                until = as_of(k.valid_until) if k.valid_until else "no end"
                status = (
                    f"REVOKED {as_of(k.revoked.at)}: {k.revoked.reason}" if k.revoked else "active"
                )
                echo(
                    f"      key {k.keyid[:16]}  {', '.join(k.roles)}  "
                    f"{as_of(k.valid_from)} .. {until}  {status}"
                )
            for c in a.cas:
                status = (
                    f"REVOKED {as_of(c.revoked.at)}: {c.revoked.reason}" if c.revoked else "active"
                )
                echo(f"      CA {c.fingerprint[:16]}  {c.subject}  {', '.join(c.roles)}  {status}")
    return EXIT_OK


def _cmd_intake(args: argparse.Namespace) -> int:
    from eevidence.intake import intake_package  # noqa: PLC0415 - intake only

    now: datetime = now_of(args)
    try:
        verified = _verified(args, args.directory, now)
    except (DirectoryVerificationError, DirectoryError) as exc:
        if not args.json and isinstance(exc, DirectoryError):
            raise  # a file that cannot be read: one line on standard error
        exc = _as_verification(exc)
        if args.json:
            print_json({"decision": "reject", "reasons": [f"directory: {r}" for r in exc.reasons]})
        else:
            echo(f"{args.package}: REJECT")
            for reason in exc.reasons:
                echo(f"  directory: {reason}")
        return EXIT_INVALID
    verdict = intake_package(args.package, verified, now=now)
    if args.json:
        print_json(verdict.to_dict())
        return EXIT_OK if verdict.accepted else EXIT_INVALID
    if verdict.accepted:
        a = verdict.authority
        r = verdict.request
        assert a is not None  # noqa: S101 - set on accept
        assert r is not None  # noqa: S101
        echo(f"{args.package}: ACCEPT {r.kind} {r.id}")
        echo(f"  from {a.name} ({a.country}, {a.kind}), directory entry {a.id}")
        for s in verdict.signers:
            echo(
                f"  signed by key {s.keyid[:16]} of {s.authority_name}"
                + (f" (certificate {s.certificate_subject})" if s.certificate_subject else "")
                + ("" if s.ok else " (does not bind: " + "; ".join(s.reasons) + ")")
            )
        for notice in verdict.notices:
            echo(f"  note: {notice}")
        echo(f"  call back: {verdict.callback} (from the directory)")
        if verdict.callback_note:
            echo(f"  {verdict.callback_note}")
        return EXIT_OK
    echo(f"{args.package}: REJECT")
    for reason in verdict.reasons:
        echo(f"  {reason}")
    return EXIT_INVALID


def _cmd_reply(args: argparse.Namespace) -> int:
    from eevidence._cli._custody_hook import record_for  # noqa: PLC0415 - reply only
    from eevidence.intake import build_reply, read_verdict  # noqa: PLC0415

    now = now_of(args)
    reply = build_reply(
        read_verdict(args.verdict),
        recipient=args.recipient,
        reference=args.reference,
        now=now,
        grounds=tuple(args.ground),
    )
    targets = [Path(f"{args.output}.json"), Path(f"{args.output}.txt")]
    existing = [str(t) for t in targets if t.exists()]
    if existing and not args.force:
        raise CliUsageError(f"{', '.join(existing)} exist(s); give --force to replace")
    data = (json.dumps(reply.to_dict(), indent=2, ensure_ascii=False) + "\n").encode()
    write_atomic(targets[0], data)
    write_atomic(targets[1], reply.to_text().encode())
    if not args.no_record:
        store = store_of(args)
        try:
            entry = record_for(
                args,
                store,
                "request_acknowledged" if reply.kind == "acknowledgement" else "note",
                f"reply/{reply.request_id or args.reference}",
                now=now,
                object_sha256=hashlib.sha256(data).hexdigest(),
                note=f"{reply.kind} sent, reference {reply.reference}",
            )
        finally:
            store.close()
        echo(f"custody entry {entry.seq} recorded in {store.location}")
    echo(f"{reply.kind} written: {targets[0]}, {targets[1]}")
    return EXIT_OK
