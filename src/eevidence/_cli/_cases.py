"""``eevidence authorities``, ``case`` and ``follow-up``: State-to-State cooperation."""

from __future__ import annotations

import argparse
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from eevidence._cli._common import EXIT_OK, CliUsageError, echo, print_json
from eevidence._cli._options import (
    actor_of,
    actor_options,
    force_option,
    new_output,
    now_of,
    parse_time,
    store_of,
    store_options,
)
from eevidence._internal.fs import write_atomic
from eevidence.authorities import FUNCTIONS, Authority, AuthorityFact, load_authorities
from eevidence.errors import InputError

__all__ = ["register"]

_log = logging.getLogger(__name__)


def _authorities_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--authorities-dir",
        metavar="PATH",
        help="extra authority entries (an agency's copy of a restricted directory), replacing "
        "shipped ones with the same id (default: $EEVIDENCE_AUTHORITIES)",
    )


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "authorities",
        help="list or show central authorities and 24/7 points of contact",
        description="The directory of authorities for State-to-State requests: central "
        "authorities for mutual legal assistance and 24/7 points of contact, every fact with "
        "its dated source; unknowns are shown as unknown.",
    )
    asub = p.add_subparsers(dest="authorities_command", metavar="ACTION", required=True)
    q = asub.add_parser("list", help="one line per authority")
    q.add_argument("--country", metavar="CC", help="only this country (ISO 3166-1 alpha-2)")
    q.add_argument("--function", choices=FUNCTIONS, help="only authorities holding it")
    q.add_argument("--json", action="store_true", help="machine-readable output")
    _authorities_option(q)
    q.set_defaults(handler=_cmd_authorities_list)
    q = asub.add_parser("show", help="an authority's entry, every fact with its source")
    q.add_argument("authority_id", metavar="ID")
    q.add_argument("--json", action="store_true", help="print the entry as JSON")
    _authorities_option(q)
    q.set_defaults(handler=_cmd_authorities_show)

    p = sub.add_parser(
        "case",
        help="one view of every tracked request of a case",
        description="Every tracked request of a case, whatever its kind and addressee: state, "
        "next deadline, the addressees' references, and the identifiers cross-referenced "
        "(from the request files given with --requests, checked against the custody log).",
    )
    csub = p.add_subparsers(dest="case_command", metavar="ACTION", required=True)
    q = csub.add_parser("show", help="the requests of one case")
    q.add_argument("reference", metavar="REF", help="the case reference (case.reference)")
    q.add_argument(
        "--requests",
        metavar="PATH",
        action="append",
        default=[],
        help="request file or folder of request files, for the identifiers (repeatable)",
    )
    store_options(q)
    q.set_defaults(handler=_cmd_case_show)
    q = csub.add_parser(
        "report",
        help="outcome figures of the requests addressed to a State",
        description="Requests for mutual legal assistance and 24/7 preservations: how many "
        "were executed, partially executed, preserved, refused (by reason), withdrawn or are "
        "pending, and the days from sending to transmission for execution and to execution "
        "(median, 90th percentile), per kind and per requested State, to share outcomes "
        "between States.",
    )
    q.add_argument("--since", metavar="DATE", help="requests created on or after this date")
    store_options(q)
    q.set_defaults(handler=_cmd_case_report)

    p = sub.add_parser(
        "follow-up",
        help="draft the MLA request that follows a tracked preservation or emergency request",
        description="Draft a request for mutual legal assistance from a tracked preservation "
        "(or an emergency disclosure request, which has no dispatch deadline): "
        "the case, identifiers, data categories, provider, its preservation reference and the "
        "dates are carried over; what a person must still supply is left null and listed with "
        "its JSON path and why. The latest date to dispatch it (the preservation's expiry "
        "minus the requested State's expected transmission time, from the directory of "
        "authorities, else a stated default) and an extension reminder before it are "
        "recorded on the preservation.",
    )
    p.add_argument(
        "id",
        metavar="ID|FILE",
        help="the tracked preservation or emergency request: its id (or a unique prefix) or "
        "its request file",
    )
    p.add_argument(
        "--as",
        dest="kind",
        default="mla_request",
        choices=("mla_request",),
        help="the kind of request to draft (default: mla_request)",
    )
    p.add_argument(
        "--request",
        metavar="FILE",
        help="the preservation request file, when ID is an id (the store keeps facts and "
        "history, not the request's content)",
    )
    p.add_argument("-o", "--output", metavar="OUT", help="draft file (default: follow-up-ID.json)")
    force_option(p)
    p.add_argument("--requested-state", metavar="CC", help="default: the provider's headquarters")
    p.add_argument(
        "--transmission-days",
        metavar="N",
        type=int,
        help="days the requested State takes to bring the request to the provider "
        "(default: the directory's figure, else a stated default of 60)",
    )
    _authorities_option(p)
    actor_options(p, "who drafts the follow-up")
    store_options(p)
    p.set_defaults(handler=_cmd_follow_up)


# -- authorities ---------------------------------------------------------------------------


def _fact_text(fact: AuthorityFact[Any]) -> str:
    if not fact.known:
        return "unknown" + (f" ({fact.note})" if fact.note else "")
    value = fact.value
    shown = ", ".join(str(v) for v in value) if isinstance(value, tuple) else str(value)
    return f"{shown} [{', '.join(fact.sources)}]"


def _cmd_authorities_list(args: argparse.Namespace) -> int:
    from eevidence._internal.codes import is_assigned_country  # noqa: PLC0415

    if args.country is not None and not is_assigned_country(args.country.strip().upper()):
        raise CliUsageError(
            f"--country {args.country!r}: not an ISO 3166-1 alpha-2 country code (US, GB, ...)"
        )
    if args.country is not None:
        args.country = args.country.strip().upper()
    registry = load_authorities(args.authorities_dir)
    entries = (
        registry.find(args.country, args.function)
        if args.country
        else [a for a in registry if args.function is None or args.function in a.functions()]
    )
    if args.json:
        print_json(
            [
                {
                    "id": a.id,
                    "name": a.name,
                    "country": a.country,
                    "functions": list(a.functions()),
                    "distribution": a.distribution,
                    "last_reviewed": a.last_reviewed.isoformat(),
                }
                for a in entries
            ]
        )
        return EXIT_OK
    for a in entries:
        echo(
            f"{a.id:<24} {a.country}  {', '.join(a.functions()):<45} {a.distribution:<10} {a.name}"
        )
    echo(f"{len(entries)} authorit{'y' if len(entries) == 1 else 'ies'}")
    return EXIT_OK


def _show_lines(a: Authority, origin: str) -> list[str]:
    lines = [
        f"{a.id}: {a.name}" + (f" ({a.parent})" if a.parent else ""),
        f"  country: {a.country}; distribution: {a.distribution}; "
        f"last reviewed {a.last_reviewed.isoformat()}; file {origin}",
    ]
    for role in a.roles:
        lines.append(
            f"  role: {role.function} under {', '.join(role.instruments)} "
            f"[{', '.join(role.sources)}]"
        )
        lines.extend(f"    {text}" for text in (role.scope, role.note) if text)
    for ch in a.channels:
        where = ch.address or ch.url or "address not recorded"
        lines.append(f"  channel: {ch.kind} {ch.name}: {where} [{', '.join(ch.sources)}]")
        if ch.note:
            lines.append(f"    {ch.note}")
    lines.append(f"  languages: {_fact_text(a.languages)}")
    lines.append(f"  formalities: {_fact_text(a.formalities)}")
    lines.append(f"  transmission_days: {_fact_text(a.transmission_days)}")
    lines.extend(f"  remark: {r}" for r in a.remarks)
    lines.append("  sources:")
    for key, s in a.sources.items():
        published = s.published if isinstance(s.published, str) else s.published.isoformat()
        where = s.url or s.document or ""
        lines.append(
            f"    {key}: {s.title}, {where} (published {published}, read {s.read.isoformat()})"
        )
    return lines


def _cmd_authorities_show(args: argparse.Namespace) -> int:
    registry = load_authorities(args.authorities_dir)
    entry = registry.get(args.authority_id)
    if args.json:
        print_json(entry.model_dump(mode="json"))
        return EXIT_OK
    for line in _show_lines(entry, registry.origins[entry.id]):
        echo(line)
    return EXIT_OK


# -- case view -----------------------------------------------------------------------------


def _short(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%MZ")


def _cmd_case_show(args: argparse.Namespace) -> int:
    from eevidence.cases import case_view, request_documents  # noqa: PLC0415

    now = now_of(args)
    store = store_of(args, create=False)
    try:
        documents, warnings = request_documents(store, args.requests)
        mine = store.list_requests(case_reference=args.reference.strip())
        # the requests that follow a drafted follow-up close its deadlines, whatever their case
        known = {t.id for t in mine}
        followers = [
            f
            for t in mine
            if t.first("follow_up_drafted") is not None
            for f in store.followers(t.id)
            if f.id not in known
        ]
        try:
            # an unknown case: the whole store, to name the cases it holds
            every = [*mine, *followers] if mine else store.list_requests()
            view = case_view(every, args.reference, now=now, documents=documents)
        except InputError as exc:
            raise InputError(
                f"{exc.args[0]}; store {store.location} (a demo's requests are in its "
                "OUT/tracking.sqlite3: --store)",
                source=exc.source,
            ) from None
    finally:
        store.close()
    if args.json:
        print_json({**view.to_dict(), "warnings": warnings})
        return EXIT_OK
    for line in case_lines(view):
        echo(line)
    for warning in warnings:
        echo(f"  warning: {warning}")
    return EXIT_OK


def _cmd_case_report(args: argparse.Namespace) -> int:
    from eevidence.cases import state_outcomes  # noqa: PLC0415

    now = now_of(args)
    since = parse_time(args.since, "--since") if args.since else None
    store = store_of(args, create=False)
    try:
        report = state_outcomes(store.list_requests(), now=now, since=since)
    finally:
        store.close()
    if args.json:
        print_json(report)
        return EXIT_OK
    from eevidence._cli._tracking import state_report_lines  # noqa: PLC0415

    for line in state_report_lines(report):
        echo(line)
    return EXIT_OK


def case_lines(view: Any) -> list[str]:
    """The text lines of a :class:`eevidence.cases.CaseView` (also used by the demo)."""
    lines = [f"case {view.reference}: {len(view.requests)} request(s), as of {_short(view.now)}"]
    for r in view.requests:
        t = r.tracked
        due = r.next_deadline
        nxt = f"{due.kind} {_short(due.due)}" if due else "-"
        refs = ", ".join(r.references) or "-"
        lines.append(
            f"  {t.id}  {t.kind:<22} to {t.provider:<14} {t.stage:<19} refs={refs}  next={nxt}"
        )
        if r.addressee:
            lines.append(f"      addressed to {r.addressee} (data held by {t.provider})")
        if t.follows:
            lines.append(f"      follows {t.follows}")
        if r.urgent:
            lines.append(f"      URGENT: {r.urgent}")
    if view.identifiers:
        lines.append("  identifiers:")
        for use in view.identifiers:
            flag = (
                " DUPLICATE"
                if use.duplicate_of
                else (" shared" if len(use.request_ids) > 1 else "")
            )
            ids = ", ".join(i[:8] for i in use.request_ids)
            lines.append(f"    {use.type}:{use.value}  in {ids}{flag}")
    if view.missing_documents:
        lines.append(
            f"  identifiers not known for {len(view.missing_documents)} request(s): give their "
            "files with --requests"
        )
    return lines


# -- follow-up -----------------------------------------------------------------------------


def follow_up(
    args: argparse.Namespace, *, custody: bool = True, record: bool = True
) -> tuple[Any, Path]:
    """Draft the follow-up ``args`` describe, write it and (``record``) record its dispatch
    deadline on the preservation (``follow_up_drafted``; with ``custody``, also in the
    custody log); answer the draft and its file (also used by the demo, whose custody step
    keeps its own keys and which records once per folder)."""
    from eevidence._cli._custody_hook import record_for, signer_for  # noqa: PLC0415
    from eevidence.cases import (  # noqa: PLC0415
        draft_follow_up,
        recorded_digest,
        unchecked,
        verified_document,
    )
    from eevidence.provider import load_providers  # noqa: PLC0415
    from eevidence.request import read_request  # noqa: PLC0415
    from eevidence.tracking import (  # noqa: PLC0415
        PRESERVATION_KINDS,
        Event,
        apply_event,
        resolve_id,
    )

    now = now_of(args)
    target = Path(args.id)
    request_file = target if target.is_file() else None
    if args.request:
        if request_file is not None:
            raise CliUsageError("give the preservation's id or its file, not both")
        request_file = Path(args.request)
    if args.output is not None and not args.output.strip():
        raise CliUsageError("--output: give a file name")
    if args.output:
        new_output(args.output, "--output", force=args.force)
    store = store_of(args, create=False)
    try:
        if request_file is None:
            resolve_id(store, args.id)  # an unknown id is refused before the file is asked for
            raise CliUsageError(
                "give the preservation request file with --request FILE (or as ID): a store "
                "keeps a request's facts and history, not its content"
            )
        preservation = verified_document(
            store, read_request(request_file), source=str(request_file)
        )
        if request_file is not target:
            wanted = resolve_id(store, args.id)
            if wanted != preservation.id:
                raise CliUsageError(
                    f"--request {request_file} is request {preservation.id}, not {wanted}"
                )
        tracked = store.get(preservation.id)
        if recorded_digest(store, preservation.id) is None:
            _log.warning("%s", unchecked(str(request_file), preservation.id))
        for follower in store.followers(preservation.id):
            if follower.submitted_at is not None and follower.kind not in PRESERVATION_KINDS:
                _log.warning(
                    "%s (%s) already follows this request and was sent on %s",
                    follower.id,
                    follower.kind,
                    _short(follower.submitted_at),
                )
        draft = draft_follow_up(
            preservation,
            tracked,
            now=now,
            authorities=load_authorities(args.authorities_dir),
            profile=load_providers().profiles.get(preservation.provider),
            kind=args.kind,
            requested_state=args.requested_state,
            transmission_days=args.transmission_days,
        )
        out = new_output(
            args.output or f"follow-up-{preservation.id[:8]}.json", "--output", force=args.force
        )
        event = signer = None
        if record and draft.dispatch_by is not None:  # after an emergency: no deadline
            actor, _ = actor_of(args, preservation.authority)
            text_note = (
                f"{args.kind} {draft.document['id']} drafted in {out.name}: to leave "
                f"{draft.transmission_days} days before the expiry ({draft.transmission_basis})"
            )
            event = Event("follow_up_drafted", now, actor, note=text_note, due=draft.dispatch_by)
            apply_event(tracked, event, now=now)  # refused here, before anything is written
            signer = signer_for(args, now=now) if custody else None
        text = json.dumps(draft.document, indent=2, ensure_ascii=False) + "\n"
        write_atomic(out, text.encode("utf-8"))
        if event is None:
            return draft, out
        store.record(preservation.id, event, now=now)
        if signer is None or draft.dispatch_by is None:
            return draft, out
        record_for(
            args,
            store,
            "status_changed",
            f"request/{preservation.id}",
            now=now,
            note=f"follow_up_drafted: {args.kind} {draft.document['id']}, dispatch by "
            f"{_iso(draft.dispatch_by)}",
            authority=preservation.authority,
            signer=signer,
        )
    finally:
        store.close()
    return draft, out


def _cmd_follow_up(args: argparse.Namespace) -> int:
    draft, out = follow_up(args)
    if args.json:
        print_json({**draft.to_dict(), "file": str(out)})
        return EXIT_OK
    for line in follow_up_lines(draft, out):
        echo(line)
    return EXIT_OK


def follow_up_lines(draft: Any, out: Path) -> list[str]:
    """The text lines of a :class:`eevidence.cases.FollowUpDraft` written to ``out``."""
    who = draft.authority.name if draft.authority else "central authority unknown"
    lines = [f"drafted {draft.document['kind']} {draft.document['id']} in {out}"]
    if draft.dispatch_by is None:
        lines += [
            f"  follows the emergency request {draft.preservation_id} ({draft.follows_kind})",
            f"  requested State: {draft.requested_state or 'unknown'} ({who})",
            "  no dispatch deadline: no preservation runs; send it as soon as it is complete",
        ]
    else:
        lines += [
            f"  follows preservation {draft.preservation_id}, expiring {_short(draft.expires)}",
            f"  requested State: {draft.requested_state or 'unknown'} ({who})",
            f"  dispatch by {_short(draft.dispatch_by)}: {draft.transmission_days} days before "
            f"the expiry ({draft.transmission_basis})",
            f"  extension reminder: {_short(draft.remind_at)} (ask "
            + (
                "the requested State's point of contact"
                if draft.follows_kind == "preservation_24_7"
                else "the provider"
            )
            + " to extend the preservation if the request cannot leave by then)",
            *(
                ["  LATE: the dispatch date has passed; send it now and ask for an extension now"]
                if draft.late
                else []
            ),
        ]
    for required, head in ((True, "still to supply (null in the draft)"), (False, "recommended")):
        groups: dict[str, list[str]] = {}
        for m in draft.missing:
            if m.required is required:
                groups.setdefault(m.why, []).append(m.path)
        lines.append(f"  {head}:")
        for why, paths in groups.items():
            lines.append(f"    {', '.join(paths)}")
            lines.append(f"        {why}")
    follows = f" --follows {draft.preservation_id[:8]}" if draft.dispatch_by is not None else ""
    lines.append(f"  then: eevidence validate {out}; eevidence track add {out}{follows}")
    if not draft.kind_known:
        lines.append(
            f"  note: this installation's request models have no {draft.document['kind']} "
            "kind: the draft could not be validated"
        )
    return lines


# -- demo ----------------------------------------------------------------------------------


def demo_step(out: Path, preservation_file: Path, mla_example: Path) -> None:
    """From the preservation the demo tracked (step 6), draft the follow-up MLA request, show
    what is missing and the dispatch deadline it adds to the deadlines, fill the missing
    fields as a person would (from the shipped MLA example) and validate the result, then
    show the view of the case."""
    from eevidence._cli import build_parser  # noqa: PLC0415
    from eevidence._cli._tracking import due_lines  # noqa: PLC0415
    from eevidence.cases import case_view, request_documents  # noqa: PLC0415
    from eevidence.request import parse_request, read_request  # noqa: PLC0415
    from eevidence.tracking import SqliteStore  # noqa: PLC0415

    request = read_request(preservation_file)
    canonical = out / "requests" / f"{request.id}.json"
    store_path = out / "tracking.sqlite3"
    store = SqliteStore(store_path)
    try:
        every = store.list_requests()
    finally:
        store.close()
    # as of the moment the tracking step (6) listed the deadlines: a day after the newest
    # request, after every event it recorded
    now = max(t.created_at for t in every) + timedelta(days=1)
    argv = ["follow-up", str(canonical), "--as", "mla_request", "--store", str(store_path)]
    argv += ["-o", str(out / "follow-up-mla-request.json"), "--force", "--now", _iso(now)]
    argv += ["--actor", "demo", "--role", "demo"]
    again = any(t.id == request.id and t.first("follow_up_drafted") for t in every)
    draft, written = follow_up(
        build_parser("follow-up").parse_args(argv), custody=False, record=not again
    )
    for line in follow_up_lines(draft, written):
        echo(f"  {line}")
    store = SqliteStore(store_path)
    try:
        echo(f"  eevidence deadlines (as of {_short(now)}), for the preservation:")
        for line in due_lines(store, now, timedelta(days=100), request.id):
            echo(f"    {line}")
        example = json.loads(mla_example.read_text(encoding="utf-8"))
        filled = json.loads(json.dumps(draft.document))
        for missing in (m for m in draft.missing if m.required):
            _fill(filled, example, missing.path)
        filled_file = out / "follow-up-mla-request.filled.json"
        write_atomic(
            filled_file, (json.dumps(filled, indent=2, ensure_ascii=False) + "\n").encode()
        )
        parse_request(filled, source=str(filled_file))
        echo(
            f"  filled the {sum(m.required for m in draft.missing)} missing field(s) from "
            f"{mla_example.name}: {filled_file.name} is valid (eevidence validate accepts it)"
        )
        documents, _ = request_documents(store, [out / "requests"])
        view = case_view(
            store.list_requests(), request.case.reference, now=now, documents=documents
        )
    finally:
        store.close()
    echo(f"  eevidence case show {request.case.reference} --requests {out / 'requests'}:")
    for line in case_lines(view):
        echo(f"  {line}")
    echo(f"  try: export EEVIDENCE_STORE={store_path.resolve()}")
    echo(
        f"       eevidence case show {request.case.reference} --json --requests "
        f"{(out / 'requests').resolve()}"
    )
    echo(
        f"       eevidence follow-up {request.id[:8]} --request {canonical.resolve()} "
        "-o my-follow-up.json"
    )
    echo("       eevidence deadlines --within 100d")


def _fill(document: dict[str, Any], example: dict[str, Any], path: str) -> None:
    """Set the value at JSON path ``path`` (``$.a.b[0].c``) of ``document`` to the example's."""
    keys: list[str | int] = [
        int(k) if k.isdigit() else k
        for k in path.removeprefix("$.").replace("[", ".").replace("]", "").split(".")
    ]
    source: Any = example
    target: Any = document
    for key in keys[:-1]:
        source, target = source[key], target[key]
    target[keys[-1]] = source[keys[-1]]


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
