"""``eevidence submit`` and ``poll``: send packages to providers and follow their answers."""

from __future__ import annotations

import argparse
import hashlib
import logging
import shlex
from datetime import datetime
from pathlib import Path
from typing import Any

from eevidence._cli._common import EXIT_INVALID, EXIT_OK, CliUsageError, echo, print_json
from eevidence._cli._custody_hook import record_for
from eevidence._cli._options import actor_of, actor_options, now_of, store_of, store_options
from eevidence._cli._trust import admit_package, allow_unsigned_option, trust_option
from eevidence._internal.fs import open_regular, read_regular
from eevidence.custody import CustodyAction
from eevidence.errors import (
    ConfigurationError,
    CredentialsError,
    InputError,
    SubmissionError,
    UnknownRequestError,
)
from eevidence.provider import Channel, ProviderProfile, load_providers
from eevidence.request import canonical_bytes
from eevidence.submit import (
    BODY_FORMATS,
    CHANNEL_KINDS,
    MAX_ANSWER,
    ChannelName,
    OutgoingPackage,
    PortalChannel,
    SubmissionReceipt,
    apply_status,
    channel_for,
    confirm_portal,
    default_http_client,
    json_body,
    load_credentials,
    load_outgoing,
    parse_answer,
    pick_channel,
    record_submission,
)
from eevidence.tracking import Event, Store, Tracked, allowed_events, track_request

__all__ = ["demo_step", "register"]

log = logging.getLogger(__name__)

_CUSTODY: dict[str, CustodyAction] = {
    "submitted": "request_submitted",
    "acknowledged": "request_acknowledged",
}


def _credentials_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--credentials",
        metavar="FILE",
        help="TOML file with API tokens and mail settings, readable only by you (default: "
        "$EEVIDENCE_CREDENTIALS, else credentials.toml next to the default store); "
        "environment variables EEVIDENCE_API_TOKEN_<PROVIDER> and EEVIDENCE_SMTP_* win",
    )


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "submit",
        help="send a signed package to its provider (API, email or portal bundle)",
        description="Send a package (zip form) to the provider named in its request, through "
        "the first usable channel of the provider's profile or the one given. The package is "
        "verified first against the trust store (--trust DIR or $EEVIDENCE_TRUST): a package "
        "no trusted key signed is refused unless --allow-unsigned is given (then its fixity "
        "alone is checked, and the custody log records it). A successful submission "
        "is recorded in the tracking store (submitted, acknowledged with the provider's "
        "reference) and in the custody log. For a portal, an upload bundle and checklist are "
        "written; run again with --confirm REF once the portal has accepted the upload.",
    )
    p.add_argument("package", metavar="PACKAGE", help="the package zip")
    p.add_argument("--channel", choices=CHANNEL_KINDS, help="default: from the provider profile")
    p.add_argument(
        "--format",
        choices=sorted(BODY_FORMATS),
        default="json",
        help="API body format (default: json)",
    )
    p.add_argument(
        "--out",
        metavar="DIR",
        help="portal: folder for the upload bundle (default: PACKAGE's stem + '-upload', "
        "beside it)",
    )
    p.add_argument(
        "--force", action="store_true", help="portal: replace an upload bundle already written"
    )
    p.add_argument(
        "--confirm",
        metavar="REF",
        help="portal: the upload was accepted with this reference; record the submission",
    )
    trust_option(p, "one of which must have signed the package")
    allow_unsigned_option(p)
    _credentials_option(p)
    store_options(p)
    actor_options(p, "who submits")
    p.set_defaults(handler=_cmd_submit)

    p = sub.add_parser(
        "poll",
        help="ask providers' APIs for the status of submitted requests",
        description="For every open request sent to a provider with an API (or request ID), "
        "GET the provider's status for its reference and record what changed "
        "(acknowledged, preserved, disclosed, rejected) in the tracking store and the "
        "custody log. With --answer, read a status notification the provider sent "
        "(JSON, saved to a file) instead of asking its API.",
    )
    p.add_argument("id", nargs="?", metavar="ID", help="one request (default: every open one)")
    p.add_argument(
        "--answer",
        metavar="FILE",
        help="a provider's status notification (JSON) for request ID, recorded as polled",
    )
    _credentials_option(p)
    store_options(p)
    actor_options(p, "who records the provider's statuses")
    p.set_defaults(handler=_cmd_poll)


# -- helpers -------------------------------------------------------------------------------------


def _record_custody(
    args: argparse.Namespace,
    store: Store,
    request_id: str,
    events: list[Event],
    *,
    now: datetime,
    package_sha256: str | None = None,
    unsigned_note: str | None = None,
) -> None:
    for e in events:
        details: list[str] = [e.name]
        if e.note:
            details.append(e.note)
        if e.ref:
            details.append(f"provider reference {e.ref}")
        if e.reason:
            details.append(f"reason: {e.reason}")
        if unsigned_note and e.name == "submitted":
            details.append(unsigned_note)
        record_for(
            args,
            store,
            _CUSTODY.get(e.name, "status_changed"),
            f"request/{request_id}",
            now=now,
            object_sha256=package_sha256 if e.name == "submitted" else None,
            note=_fit(", ".join(details)),
        )


_NOTE_LIMIT = 2000
"""The longest custody note (:class:`eevidence.custody.CustodyEntry`)."""


def _fit(text: str, limit: int = _NOTE_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, saying so, so that a long provider answer can
    never leave a lifecycle event recorded without its custody entry."""
    if len(text) <= limit:
        return text
    tail = f" ...(truncated, {len(text)} characters)"
    return text[: limit - len(tail)] + tail


def _ensure_tracked(
    args: argparse.Namespace,
    store: Store,
    outgoing: OutgoingPackage,
    profile: ProviderProfile,
    now: datetime,
    *,
    unsigned_note: str | None,
) -> Tracked:
    request = outgoing.request
    try:
        return store.get(request.id)
    except UnknownRequestError:
        tracked = track_request(store, request, profile, now=now)
        note = f"tracking started on submission: {request.kind} to {request.provider}"
        record_for(
            args,
            store,
            "request_created",
            f"request/{request.id}",
            now=now,
            object_sha256=hashlib.sha256(canonical_bytes(request)).hexdigest(),
            note=f"{note}; {unsigned_note}" if unsigned_note else note,
        )
        return tracked


# -- commands ------------------------------------------------------------------------------------


def _cmd_submit(args: argparse.Namespace) -> int:
    if args.confirm is not None and args.channel not in (None, "portal"):
        raise CliUsageError("--confirm records a portal upload; use it with --channel portal")
    now = now_of(args)
    _examinable(args.package)
    # without --allow-unsigned, load_outgoing verifies the signatures as it reads the bytes
    # it sends; with it, a package no trusted key signed is read on its fixity alone
    admission = admit_package(args, args.package, fixity=args.allow_unsigned)
    unsigned_note = admission.unsigned_note
    outgoing = load_outgoing(args.package, trust=None if unsigned_note else admission.trust)
    request = outgoing.request
    profile = load_providers().get(request.provider)
    wanted: ChannelName | None = "portal" if args.confirm is not None else args.channel
    channel = pick_channel(profile, request, wanted)
    actor_of(args, request.authority)  # the officer submits unless --actor or the environment
    store = store_of(args)
    try:
        tracked = _ensure_tracked(args, store, outgoing, profile, now, unsigned_note=unsigned_note)
        if "submitted" not in allowed_events(tracked):
            ref = f" (provider reference {tracked.provider_ref})" if tracked.provider_ref else ""
            raise InputError(
                f"request {request.id} is {tracked.state}{ref}; it is not submitted again",
                source=str(args.package),
            )
        if args.confirm is None and channel.kind in ("portal", "web_form"):
            _refuse_old_bundle(args)
        receipt = _send(args, outgoing, profile, channel, now)
        events: list[Event] = []
        if receipt.submitted:
            events = record_submission(store, receipt, now=now, actor=actor_of(args)[0])
            _record_custody(
                args,
                store,
                request.id,
                events,
                now=now,
                package_sha256=outgoing.sha256,
                unsigned_note=unsigned_note,
            )
        state = store.get(request.id).state
    finally:
        store.close()
    if args.json:
        print_json({**receipt.to_dict(), "state": state, "events": [e.name for e in events]})
        return EXIT_OK
    if not receipt.submitted:
        again = (f" --trust {shlex.quote(str(args.trust))}" if args.trust else "") + (
            " --allow-unsigned" if args.allow_unsigned else ""
        )
        echo(f"upload bundle for {channel.name} written to {receipt.destination}")
        echo(f"  follow {Path(receipt.destination) / 'CHECKLIST.txt'}, then run:")
        package = shlex.quote(str(args.package))
        echo(f"  eevidence submit {package} --channel portal --confirm REFERENCE{again}")
        return EXIT_OK
    echo(f"{request.id}: submitted via {receipt.channel} to {receipt.destination}")
    if unsigned_note:
        echo(f"  {unsigned_note}")
    if receipt.status.ref:
        echo(f"  provider reference {receipt.status.ref}")
    if receipt.status.raw_status:
        echo(f"  provider status {receipt.status.raw_status}")
    echo(f"  state {state}; package sha256 {outgoing.sha256}")
    return EXIT_OK


def _refuse_old_bundle(args: argparse.Namespace) -> None:
    """Refuse to write a portal upload bundle over one already written (its checklist is
    there), unless ``--force``; the folder is the one :class:`~eevidence.submit.PortalChannel`
    uses (``--out``, else the package's stem and ``-upload`` beside it)."""
    package = Path(args.package)
    bundle = Path(args.out) if args.out else package.with_name(f"{package.stem}-upload")
    if not args.force and (bundle / "CHECKLIST.txt").exists():
        raise CliUsageError(
            f"--out {bundle}: an upload bundle is already there; give --force to write it again"
        )


def _send(
    args: argparse.Namespace,
    outgoing: OutgoingPackage,
    profile: ProviderProfile,
    channel: Channel,
    now: datetime,
) -> SubmissionReceipt:
    if args.confirm is not None:
        return confirm_portal(outgoing, args.confirm, portal=str(channel.url or channel.name))
    wanted: ChannelName | None = args.channel
    with channel_for(
        profile,
        outgoing.request,
        kind=wanted,
        credentials=args.credentials,
        body=BODY_FORMATS[args.format],
        out_dir=args.out or None,  # an empty --out: the default folder, as before
    ) as sender:
        return sender.submit(outgoing, now=now)


def _api_of(profile: ProviderProfile | None, tracked: Tracked) -> Channel | None:
    if profile is None:
        return None
    try:
        return pick_channel(profile, tracked, "api")
    except InputError:  # the profile names no API for this kind of request
        return None


def _examinable(package: str) -> None:
    """Refuse, before anything else reads it, a package path that is not a folder and not a
    regular file one can open: a symbolic link loop, a FIFO (never waited on), a device.

    Raises:
        InputError: one line naming the file and why.
    """
    if not Path(package).is_dir():
        open_regular(package, "package").close()


def _cmd_notified(args: argparse.Namespace) -> int:
    if not args.id:
        raise CliUsageError("--answer needs the request ID")
    now = now_of(args)
    # a regular file only (a FIFO is refused, not waited on), of at most MAX_ANSWER bytes
    body = read_regular(args.answer, MAX_ANSWER, "answer")
    status = parse_answer(body, source=args.answer, require_status=True)
    store = store_of(args)
    try:
        tracked = store.get(args.id)
        if status.ref and tracked.provider_ref and status.ref != tracked.provider_ref:
            raise InputError(
                f"the answer is about provider reference {status.ref}, request {args.id} has "
                f"{tracked.provider_ref}",
                source=args.answer,
            )
        events = apply_status(store, tracked, status, now=now, actor=actor_of(args)[0])
        _record_custody(args, store, tracked.id, events, now=now)
        state = store.get(args.id).state
    finally:
        store.close()
    result = {
        "id": args.id,
        "provider_status": status.to_dict(),
        "events": [e.name for e in events],
        "state": state,
    }
    if args.json:
        print_json([result])
    else:
        changed = ", ".join(result["events"]) or "no change"
        echo(f"{args.id}: provider says {status.raw_status}; {changed}; state {state}")
    return EXIT_OK


def _cmd_poll(args: argparse.Namespace) -> int:
    if args.answer is not None:
        return _cmd_notified(args)
    now = now_of(args)
    registry = load_providers()
    creds = load_credentials(args.credentials)
    results: list[dict[str, Any]] = []
    failed = 0
    store = store_of(args)
    try:
        targets = [store.get(args.id)] if args.id else store.list_requests(open_only=True)
        with default_http_client() as client:
            for tracked in targets:
                profile = registry.profiles.get(tracked.provider)
                channel = _api_of(profile, tracked)
                skip = (
                    "final state"
                    if tracked.terminal
                    else "no provider API"
                    if channel is None
                    else "not submitted"
                    if tracked.submitted_at is None
                    else "no provider reference yet"
                    if tracked.provider_ref is None
                    else None
                )
                if (
                    skip is not None
                    or profile is None
                    or channel is None
                    or tracked.provider_ref is None
                ):
                    results.append({"id": tracked.id, "skipped": skip})
                    continue
                try:
                    api = channel_for(
                        profile, tracked, kind="api", credentials=creds, client=client
                    )
                    status = api.status(tracked.provider_ref)
                except CredentialsError:
                    raise
                except (SubmissionError, ConfigurationError) as exc:  # this provider's API only
                    failed += 1
                    results.append({"id": tracked.id, "error": exc.diagnostics()})
                    continue
                events = apply_status(store, tracked, status, now=now, actor=actor_of(args)[0])
                _record_custody(args, store, tracked.id, events, now=now)
                results.append(
                    {
                        "id": tracked.id,
                        "provider_status": status.to_dict(),
                        "events": [e.name for e in events],
                        "state": store.get(tracked.id).state,
                    }
                )
    finally:
        store.close()
    if args.json:
        print_json(results)
    else:
        for r in results:
            if "skipped" in r:
                echo(f"{r['id']}: skipped ({r['skipped']})")
            elif "error" in r:
                echo(f"{r['id']}: FAILED {r['error']}")
            else:
                changed = ", ".join(r["events"]) or "no change"
                raw = r["provider_status"]["raw_status"]
                echo(f"{r['id']}: provider says {raw}; {changed}; state {r['state']}")
        echo(f"{len(results)} request(s) polled, {failed} failed")
    if args.id and results and "skipped" in results[0]:
        return EXIT_INVALID
    return EXIT_INVALID if failed else EXIT_OK


# -- demo ----------------------------------------------------------------------------------------


def demo_step(out: Path) -> None:
    """Write a portal upload bundle for the demo's preservation package, and show the body
    the API channel would send. The package is verified against the demo's trust store
    (``out/trust``) first, as ``eevidence submit`` does."""
    from eevidence.crypto import load_trust_store  # noqa: PLC0415 - the demo only

    packages = sorted((out / "package").glob("preservation-*.zip"))
    trust_dir = out / "trust"
    if not packages or not trust_dir.is_dir():
        echo("  no package to submit (the package step did not run)")
        return
    outgoing = load_outgoing(packages[0], trust=load_trust_store(trust_dir))
    profile = load_providers().get(outgoing.request.provider)
    channel = pick_channel(profile, outgoing.request, "portal")
    receipt = PortalChannel(channel, out / "submit" / "upload").submit(
        outgoing, now=outgoing.request.created_at
    )
    body, content_type = json_body(outgoing)
    echo(f"  verified against {trust_dir} before sending")
    echo(f"  {profile.name} takes {outgoing.request.kind} requests via {channel.name}")
    echo(f"  upload bundle and checklist: {receipt.destination}")
    echo(
        f"  an API submission would POST {len(body)} bytes of {content_type} with "
        f"Idempotency-Key {outgoing.idempotency_key}"
    )
