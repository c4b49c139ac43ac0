"""``eevidence authorities``, ``case`` and ``follow-up``: State-to-State cooperation."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from eevidence._cli._common import EXIT_OK, echo, print_json
from eevidence._cli._options import now_of, store_of, store_options
from eevidence.authorities import FUNCTIONS, Authority, AuthorityFact, load_authorities

__all__ = ["register"]


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


# -- authorities ---------------------------------------------------------------------------


def _fact_text(fact: AuthorityFact[Any]) -> str:
    if not fact.known:
        return "unknown" + (f" ({fact.note})" if fact.note else "")
    value = fact.value
    shown = ", ".join(str(v) for v in value) if isinstance(value, tuple) else str(value)
    return f"{shown} [{', '.join(fact.sources)}]"


def _cmd_authorities_list(args: argparse.Namespace) -> int:
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
        view = case_view(store.list_requests(), args.reference, now=now, documents=documents)
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


def case_lines(view: Any) -> list[str]:
    """The text lines of a :class:`eevidence.cases.CaseView` (also used by the demo)."""
    lines = [f"case {view.reference}: {len(view.requests)} request(s), as of {_short(view.now)}"]
    for r in view.requests:
        t = r.tracked
        due = r.next_deadline
        nxt = f"{due.kind} {_short(due.due)}" if due else "-"
        refs = ", ".join(r.references) or "-"
        lines.append(
            f"  {t.id}  {t.kind:<22} to {t.provider:<14} {t.state:<19} refs={refs}  next={nxt}"
        )
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
