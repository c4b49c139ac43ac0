"""``eevidence track``, ``status``, ``deadlines`` and ``report``: follow requests after sending."""

from __future__ import annotations

import argparse
import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from eevidence._cli._common import EXIT_OK, CliUsageError, echo, print_json
from eevidence._cli._custody_hook import record_for, signer_for
from eevidence._cli._options import (
    STORE_ENV,
    actor_of,
    actor_options,
    new_output,
    now_of,
    parse_time,
    store_of,
    store_options,
)
from eevidence._cli._trust import admit_package, allow_unsigned_option, trust_option
from eevidence._internal.fs import write_atomic
from eevidence.custody import CustodyAction
from eevidence.errors import InputError, LifecycleError, UnknownRequestError
from eevidence.provider import load_providers
from eevidence.request import Request, parse_request, read_request
from eevidence.tracking import (
    EVENTS,
    Deadline,
    Event,
    Groups,
    SqliteStore,
    Store,
    Tracked,
    build_report,
    deadlines_of,
    format_report,
    parse_within,
    resolve_id,
    sqlite_file_of,
    start_tracking,
    to_ics,
    track_request,
)

__all__ = ["demo_step", "register"]

log = logging.getLogger(__name__)

_CUSTODY_ACTIONS: dict[str, CustodyAction] = {
    "checked": "request_checked",
    "signed": "request_signed",
    "submitted": "request_submitted",
    "acknowledged": "request_acknowledged",
}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("track", help="track a request and record what happens to it")
    tsub = p.add_subparsers(dest="track_command", metavar="ACTION", required=True)
    q = tsub.add_parser(
        "add",
        help="start tracking a request file",
        description="Start tracking a request (state draft). Its deadline terms are fixed now, "
        "from the EU Regulation, the provider profile or the statute it rests on.",
    )
    q.add_argument(
        "file", metavar="FILE|PACKAGE", help="request (JSON or YAML) or signed package (zip, dir)"
    )
    q.add_argument(
        "--follows",
        metavar="ID",
        help="id (or unique prefix) of the tracked preservation this request continues; it "
        "must have gone to the same provider",
    )
    trust_option(q, "for a package: a trusted key must have signed it")
    allow_unsigned_option(q)
    actor_options(q, "who starts tracking")
    store_options(q)
    q.set_defaults(handler=_cmd_add)

    q = tsub.add_parser(
        "event",
        help="record an event (submitted, acknowledged, preserved...)",
        description="Record what happened to a tracked request. Events: "
        + ", ".join(EVENTS)
        + ". received, transmitted, validated, preservation_extended, "
        "production_request_confirmed and follow_up_drafted record a fact and keep the state.",
    )
    q.add_argument(
        "id", metavar="ID", help="request id, or a unique prefix of it (at least 4 characters)"
    )
    q.add_argument(
        "event",
        metavar="EVENT",
        choices=EVENTS,
        help=" | ".join(EVENTS) + " (received: the addressee received the request; "
        "validated: ex post validation, Regulation (EU) 2023/1543 art. 4(5); "
        "preservation_extended: Annex VI extension of an EU preservation order; "
        "production_request_confirmed: Annex V confirmation of the subsequent request for "
        "production, art. 11(2); transmitted: the requested State's central authority "
        "transmitted the request for execution; follow_up_drafted: the follow-up of a "
        "preservation was drafted, with its dispatch deadline --due)",
    )
    q.add_argument("--ref", metavar="R", help="the provider's reference number")
    q.add_argument("--note", metavar="N", help="a free-text note")
    q.add_argument("--at", metavar="TIME", help="when it happened (default: now)")
    q.add_argument(
        "--expires",
        metavar="DATE",
        help="expiry stated by the provider (preserved, extended); a plain date means "
        "00:00 UTC that day; never for an EU preservation order (its expiry runs from "
        "receipt, art. 11(1))",
    )
    q.add_argument(
        "--due",
        metavar="DATE",
        help="follow_up_drafted: the latest moment to dispatch the follow-up request (not after "
        "the preservation's expiry); eevidence follow-up records it for you",
    )
    q.add_argument("--reason", metavar="TEXT", help="why the provider refused (rejected)")
    q.add_argument("--partial", action="store_true", help="only part of the data was disclosed")
    actor_options(q, "who records the event")
    store_options(q)
    q.set_defaults(handler=_cmd_event)

    p = sub.add_parser("status", help="tracked requests and their state")
    p.add_argument(
        "id", nargs="?", metavar="ID", help="one request (id or unique prefix), with its history"
    )
    p.add_argument("--all", action="store_true", help="include final requests")
    store_options(p)
    p.set_defaults(handler=_cmd_status)

    p = sub.add_parser(
        "deadlines",
        help="what is due soon, most urgent first",
        description="List deadlines due within a period (overdue ones included), most urgent "
        "first, each with its basis: preservation expiries, extension reminders, EU "
        "production deadlines, the end of the enforcing authority's review, ex post "
        "validations and acknowledgements to chase.",
    )
    p.add_argument("--within", default="14d", metavar="DURATION", help="e.g. 14d, 36h, 2w")
    p.add_argument("--ics", metavar="FILE", help="also write an iCalendar file")
    p.add_argument("--force", action="store_true", help="replace an existing --ics file")
    store_options(p)
    p.set_defaults(handler=_cmd_deadlines)

    p = sub.add_parser(
        "report",
        help="outcome report per provider and request kind",
        description="Counts by outcome, time to answer and to disclosure (median, 90th "
        "percentile), rejection reasons and lapsed preservations, per provider and kind.",
    )
    p.add_argument("--provider", metavar="ID", help="one provider only")
    p.add_argument("--since", metavar="DATE", help="requests created on or after this date")
    store_options(p)
    p.set_defaults(handler=_cmd_report)


# -- helpers used by the commands and the demo -------------------------------------------------


def _add(store: Store, request: Request, follows: str | None, now: datetime | None) -> Tracked:
    profile = load_providers().profiles.get(request.provider)
    tracked = track_request(store, request, profile, follows=follows, now=now)
    log.info("tracking a %s request to %s", tracked.kind, tracked.provider)
    return tracked


def _line(t: Tracked, due: list[Deadline] | None = None) -> str:
    """One line for a tracked request; ``due`` its open deadlines, when they are known with
    its followers (:func:`_deadlines`)."""
    due = deadlines_of(t) if due is None else due
    nxt = f"{due[0].kind} {_short(due[0].due)}" if due else "-"
    return (
        f"{t.id}  {t.kind:<22} {t.provider:<10} {t.stage:<19} "
        f"ref={t.provider_ref or '-':<12} next={nxt}"
    )


def _short(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%MZ")


# -- commands ------------------------------------------------------------------------------------


def _is_package(path: Path) -> bool:
    return (path.is_dir() and (path / "bagit.txt").is_file()) or (
        path.is_file() and path.suffix.lower() == ".zip"
    )


def _request_from_package(args: argparse.Namespace, path: Path) -> tuple[Request, str | None]:
    """The request inside a package, once a trusted key's signature and the package's
    fixity hold (or its fixity alone with ``--allow-unsigned``); and the custody note of an
    unsigned admission."""
    from eevidence.package import reading  # noqa: PLC0415 - only for packages

    admission = admit_package(args, path, fixity=True)
    with reading(path) as reader:
        data = reader.read_bytes("data/request.json", 16 * 1024 * 1024)
    return parse_request(data, source=f"{path}:data/request.json"), admission.unsigned_note


def _cmd_add(args: argparse.Namespace) -> int:
    path = Path(args.file)
    unsigned_note = None
    if _is_package(path):
        request, unsigned_note = _request_from_package(args, path)
    elif (args.trust or args.allow_unsigned) and path.exists():  # else: "cannot read" below
        option = "--trust" if args.trust else "--allow-unsigned"
        raise CliUsageError(f"{option} applies to packages only")
    else:
        request = read_request(args.file)
    now = now_of(args)
    actor, role = actor_of(args, request.authority)
    # a request to an id no profile knows is refused (with the closest known id)
    profile = load_providers().get(request.provider, source=f"{args.file}: provider")
    store = store_of(args)
    try:
        follows = resolve_id(store, args.follows) if args.follows else None
        note = f"tracking started: {request.kind} to {request.provider}"
        log.info("tracking a %s request to %s", request.kind, request.provider)
        tracked, _ = start_tracking(
            store,
            request,
            profile,
            now=now,
            actor=actor,
            role=role,
            signer=signer_for(args, now=now),
            follows=follows,
            note=f"{note}; {unsigned_note}" if unsigned_note else note,
        )
    finally:
        store.close()
    if args.json:
        print_json(tracked.to_dict())
    else:
        echo(f"tracking {tracked.id}: {tracked.kind} to {tracked.provider}, state draft")
        if unsigned_note:
            echo(f"  {unsigned_note}")
        for label, basis in _bases(tracked):
            echo(f"  {label}: {basis}")
    return EXIT_OK


def _cmd_event(args: argparse.Namespace) -> int:
    now = now_of(args)
    at = parse_time(args.at, "--at") if args.at else now
    expires = parse_time(args.expires, "--expires") if args.expires else None
    due = parse_time(args.due, "--due") if args.due else None
    actor, _ = actor_of(args)  # the custody entry below names the same actor
    event = Event(
        name=args.event,
        at=at,
        actor=actor,
        note=args.note,
        ref=args.ref,
        expires=expires,
        reason=args.reason,
        partial=args.partial,
        due=due,
    )
    store = store_of(args, create=False)
    try:
        request_id = resolve_id(store, args.id)
        created = store.get(request_id).created_at
        if event.at < created:
            raise LifecycleError(
                f"event time {event.at.isoformat()} is before the request was created "
                f"({created.isoformat()}); check --at / --now",
                source=request_id,
            )
        tracked = store.record(request_id, event, now=now)
        record_for(
            args,
            store,
            _CUSTODY_ACTIONS.get(args.event, "status_changed"),
            f"request/{request_id}",
            now=now,
            note=f"{args.event}" + (f", provider reference {args.ref}" if args.ref else ""),
        )
    finally:
        store.close()
    log.info("recorded %s", args.event)
    if args.json:
        print_json(tracked.to_dict())
    else:
        echo(f"{tracked.id}: {tracked.stage}" + _expiry_text(tracked))
    return EXIT_OK


def _bases(t: Tracked) -> list[tuple[str, str]]:
    """The bases of the terms fixed when ``t`` was tracked, labelled, for people."""
    terms = t.terms
    found = [
        ("deadline terms", terms.basis),
        ("enforcing authority's review", terms.enforcing_review_basis),
        ("ex post validation", terms.validation_basis),
    ]
    return [(label, basis) for label, basis in found if basis]


def _expiry_text(t: Tracked) -> str:
    if t.production_request_confirmed:
        return ", preserved as long as necessary to produce the data"
    return f", preserved until {_short(t.expires)}" if t.expires else ""


_NOTHING = "nothing tracked yet"


def _store_missing(args: argparse.Namespace) -> bool:
    """Whether the store the options name is a SQLite file that does not exist yet (a fresh
    machine: nothing was ever tracked there)."""
    spec = (
        getattr(args, "store", None)
        or getattr(args, "global_store", None)
        or os.environ.get(STORE_ENV)
        or None
    )
    path = sqlite_file_of(spec)  # a malformed URL raises StoreError, as opening would
    return path is not None and not path.exists()


def _cmd_status(args: argparse.Namespace) -> int:
    if args.id is None and _store_missing(args):
        if args.json:
            print_json([])
        else:
            echo(_NOTHING)
        return EXIT_OK
    store = store_of(args, create=False)
    try:
        if args.id:
            tracked = store.get(resolve_id(store, args.id))
            if args.json:
                due = _deadlines(store, tracked)
                print_json({**tracked.to_dict(), "deadlines": [d.to_dict() for d in due]})
                return EXIT_OK
            open_due = _deadlines(store, tracked)
            echo(_line(tracked, open_due))
            if tracked.case_reference:
                echo(f"  case {tracked.case_reference}")
            if tracked.follows:
                echo(f"  follows {tracked.follows}")
            for e in tracked.events:
                extra = "".join(
                    f" {k}={v}"
                    for k, v in (
                        ("ref", e.ref),
                        ("expires", _short(e.expires) if e.expires else None),
                        ("reason", e.reason),
                        ("partial", "yes" if e.partial else None),
                        ("due", _short(e.due) if e.due else None),
                    )
                    if v
                )
                echo(f"  {_short(e.at)}  {e.name:<19} by {e.actor}{extra}")
                if e.note:
                    echo(f"      {e.note}")
            for d in open_due:
                echo(f"  due {_short(d.due)}  {d.kind:<21} {d.note} ({d.basis})")
            return EXIT_OK
        items = store.list_requests(open_only=not args.all)
        empty = not items and (args.all or not store.list_requests())
        lines = [_line(t, _deadlines(store, t)) for t in items] if not args.json else []
    finally:
        store.close()
    if args.json:
        print_json([t.to_dict() for t in items])
    elif empty:
        echo(_NOTHING)
    else:
        for line in lines:
            echo(line)
        echo(f"{len(items)} request(s)" + ("" if args.all else " not final (--all for every one)"))
    return EXIT_OK


def _deadlines(store: Store, tracked: Tracked, *, sequence: bool = True) -> list[Deadline]:
    """The open deadlines of ``tracked``, knowing the requests that follow it (a submitted
    follow-up closes the dispatch deadline of a drafted one)."""
    drafted = tracked.first("follow_up_drafted") is not None
    followers = store.followers(tracked.id) if drafted else ()
    return deadlines_of(tracked, followers=followers, sequence=sequence)


def _due_before(store: Store, horizon: datetime, *, sequence: bool = True) -> list[Deadline]:
    """The open deadlines due at or before ``horizon``, most urgent first, each with its case
    reference and (``sequence``) calendar revision, read from the tracked requests the
    store's deadline index names (in batches)."""
    ids = dict.fromkeys(d.request_id for d in store.deadlines_before(horizon))
    due = [
        d
        for t in store.get_many(ids)
        for d in _deadlines(store, t, sequence=sequence)
        if d.due <= horizon
    ]
    due.sort(key=lambda d: (d.due, d.request_id, d.kind))
    return due


def due_lines(store: Store, now: datetime, within: timedelta, request_id: str) -> list[str]:
    """The text lines of ``eevidence deadlines`` for one request (used by the demo)."""
    due = [d for d in _due_before(store, now + within) if d.request_id == request_id]
    return [_due_line(d, now) for d in due]


def _due_line(d: Deadline, now: datetime) -> str:
    left = d.due - now
    when = "OVERDUE" if left < timedelta(0) else f"in {_duration(left)}"
    return (
        f"{_short(d.due)}  {when:<12} {d.kind:<21} {d.request_kind:<22} {d.provider:<10} "
        f"{d.request_id}  {d.basis}"
    )


def _cmd_deadlines(args: argparse.Namespace) -> int:
    now = now_of(args)
    if args.ics:
        new_output(args.ics, "--ics", force=args.force)
    try:
        within = parse_within(args.within)
    except InputError as exc:
        raise CliUsageError(str(exc)) from None
    try:
        horizon = now + within
    except OverflowError:  # past the year 9999: every deadline is within it
        horizon = datetime.max.replace(tzinfo=UTC)
    missing = _store_missing(args)
    if missing:
        due: list[Deadline] = []
    else:
        store = store_of(args, create=False)
        try:
            # the text list shows what the deadline index holds; calendars and machines get
            # the case reference and calendar revision, read from the requests themselves
            due = (
                _due_before(store, horizon)
                if args.ics or args.json
                else store.deadlines_before(horizon)
            )
        finally:
            store.close()
    if args.ics:
        write_atomic(Path(args.ics), to_ics(due, now=now), mode=0o600)
    if args.json:
        print_json([d.to_dict(now) for d in due])
        return EXIT_OK
    for d in due:
        echo(_due_line(d, now))
    head = (
        f"{_NOTHING}: no deadlines" if missing else f"{len(due)} deadline(s) within {args.within}"
    )
    echo(head + (f"; written to {args.ics}" if args.ics else ""))
    return EXIT_OK


def _duration(value: timedelta) -> str:
    hours = value.total_seconds() / 3600
    return f"{hours / 24:.1f}d" if hours >= 48 else f"{hours:.0f}h"


def _cmd_report(args: argparse.Namespace) -> int:
    now = now_of(args)
    since = parse_time(args.since, "--since") if args.since else None
    from eevidence.cases import STATE_KINDS, state_outcomes  # noqa: PLC0415

    rows: Groups = {}
    to_states: list[Tracked] = []
    if not _store_missing(args):
        store = store_of(args, create=False)
        try:
            rows = store.outcome_groups(now=now, provider=args.provider, since=since)
            to_states = store.list_requests(kinds=STATE_KINDS)
        finally:
            store.close()
    if args.provider:
        to_states = [t for t in to_states if t.provider == args.provider]
    report = build_report(rows, now=now)
    states = state_outcomes(to_states, now=now, since=since)
    if args.json:
        print_json({**report, "state_to_state": states})
    else:
        for line in format_report(report).split("\n"):
            echo(line)
        if states["kinds"]:
            echo("")
            for line in state_report_lines(states):
                echo(line)
    return EXIT_OK


def state_report_lines(report: dict[str, Any]) -> list[str]:
    """The text lines of :func:`eevidence.cases.state_outcomes` (``case report`` and
    ``report``)."""
    lines = [f"requests addressed to a State, as of {report['as_of']}"]
    for kind, row in report["kinds"].items():
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(row["outcomes"].items()))
        lines.append(f"  {kind}: {row['requests']} request(s): {outcomes}")
        for reason, n in sorted(row["refusal_reasons"].items()):
            lines.append(f"    refused ({n}): {reason}")
        for label, key in (
            ("to transmission", "to_transmission"),
            ("to execution", "to_execution"),
        ):
            spread = row[key]
            if spread["count"]:
                lines.append(
                    f"    {label}: median {spread['median_days']} days, 90th percentile "
                    f"{spread['p90_days']} days ({spread['count']} request(s))"
                )
        for state, figures in row.get("requested_states", {}).items():
            outcomes = ", ".join(f"{k} {v}" for k, v in sorted(figures["outcomes"].items()))
            took = "".join(
                f"; {label}: median {spread['median_days']} days ({spread['count']})"
                for label, spread in (
                    ("to transmission", figures["to_transmission"]),
                    ("to execution", figures["to_execution"]),
                )
                if spread["count"]
            )
            lines.append(f"    requested State {state}: {outcomes}{took}")
            for reason, n in sorted(figures["refusal_reasons"].items()):
                lines.append(f"      refused ({n}): {reason}")
    if not report["kinds"]:
        lines.append("  none tracked")
    return lines


# -- demo ----------------------------------------------------------------------------------------


def demo_step(out: Path, examples: list[Path]) -> None:
    """Track four example requests in an embedded store under ``out`` (a preservation and an
    EU production order to a provider, a 24/7 preservation and a request for mutual legal
    assistance to a State) and list their deadlines."""
    store = SqliteStore(out / "tracking.sqlite3")
    try:
        requests = {r.kind: r for r in (read_request(p) for p in examples)}
        preservation, production = requests["preservation"], requests["eu_production_order"]
        to_state = requests["preservation_24_7"], requests["mla_request"]
        tracked_now = (preservation, production, *to_state)
        for request in tracked_now:
            try:
                store.get(request.id)
            except UnknownRequestError:
                _add(store, request, None, None)
        start = max(r.created_at for r in tracked_now)
        now = start + timedelta(days=1)
        horizon = timedelta(days=100)
        point, mla = to_state
        # (request, event, details, hours after start, events the request has before it)
        steps: list[tuple[Request, str, dict[str, Any], int, int]] = [
            (preservation, "submitted", {}, 1, 0),
            (preservation, "acknowledged", {"ref": "LE-0001"}, 2, 1),
            (preservation, "preserved", {}, 3, 2),
            (production, "submitted", {}, 4, 0),
            (point, "submitted", {}, 5, 0),
            (point, "received", {"ref": "US-247-0311 (example)"}, 6, 1),
            (point, "transmitted", {}, 7, 2),
            (point, "preserved", {}, 8, 3),
            (mla, "submitted", {}, 9, 0),
            (mla, "received", {"ref": "OIA 182-2026-0147 (example)"}, 10, 1),
            (mla, "transmitted", {}, 11, 2),
        ]
        for request, name, details, hours, before in steps:
            if store.get(request.id).version != before:
                continue  # the demo already ran on this folder
            event = Event(name, start + timedelta(hours=hours), "demo", **details)  # type: ignore[arg-type]
            tracked = store.record(request.id, event, now=now)
            echo(f"  {request.kind:<22} -> {name:<12} {tracked.stage}{_expiry_text(tracked)}")
        due = _due_before(store, now + horizon)
        echo(f"  as of {_short(now)}, due within {horizon.days} days:")
        for d in due:
            echo(f"    {_short(d.due)}  {d.kind:<21} {d.request_kind} to {d.provider}")
        write_atomic(out / "deadlines.ics", to_ics(due, now=now))
        echo(f"  calendar: {out / 'deadlines.ics'}; store: {store.location}")
    finally:
        store.close()
