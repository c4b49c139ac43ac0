"""``eevidence providers``, ``check`` and ``route``."""

from __future__ import annotations

import argparse
import hashlib
from datetime import datetime
from typing import Any

from eevidence._cli._common import (
    EXIT_INVALID,
    EXIT_OK,
    CliUsageError,
    diagnostics,
    echo,
    print_json,
)
from eevidence._cli._options import now_of, providers_option
from eevidence._cli._requested import AuthorityLookup
from eevidence.errors import InputError
from eevidence.provider import (
    CheckReport,
    Fact,
    ProviderProfile,
    ProviderRegistry,
    advise_routes,
    check,
    load_providers,
)
from eevidence.request import DATA_CATEGORIES, Request, canonical_bytes, read_request

__all__ = ["register"]


def _now_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--now", metavar="DATETIME", help="check as of this time (default: now)")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("providers", help="list or show provider requirement profiles")
    psub = p.add_subparsers(dest="providers_command", metavar="ACTION", required=True)
    q = psub.add_parser("list", help="one line per provider")
    q.add_argument("--json", action="store_true")
    providers_option(q)
    q.set_defaults(handler=_cmd_list)
    q = psub.add_parser("show", help="a provider's profile, every fact with its source")
    q.add_argument("provider_id", metavar="ID")
    q.add_argument("--json", action="store_true", help="print the profile as JSON")
    providers_option(q)
    q.set_defaults(handler=_cmd_show)

    p = sub.add_parser(
        "check",
        help="check requests against the addressee's profile",
        description="Check each request against its provider's profile and the law; a "
        "request addressed to a State also against the languages its requested authority "
        "accepts (directory of authorities). Exit 0 when no request has an error finding, 1 "
        "otherwise.",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--provider", metavar="ID", help="check against this provider instead")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--record",
        action="store_true",
        help="record each check (request_checked) in the custody log of the tracking store",
    )
    p.add_argument("--store", metavar="PATH|URL", help="tracking store for --record")
    providers_option(p)
    p.add_argument(
        "--authorities-dir",
        metavar="DIR",
        help="extra authority entries, replacing shipped ones with the same id, for the "
        "languages of the authority a State-to-State request is addressed to (default: "
        "$EEVIDENCE_AUTHORITIES)",
    )
    _now_option(p)
    p.set_defaults(handler=_cmd_check)

    p = sub.add_parser(
        "route",
        help="which routes can obtain the data",
        description="List the routes that can work for a requesting country, a provider and "
        "the data categories wanted, most promising first.",
    )
    p.add_argument("--from", dest="country", required=True, metavar="CC", help="requesting country")
    p.add_argument("--provider", required=True, metavar="ID")
    p.add_argument(
        "--data", action="append", required=True, choices=DATA_CATEGORIES, metavar="CATEGORY"
    )
    p.add_argument("--emergency", action="store_true", help="imminent risk to life")
    p.add_argument("--json", action="store_true")
    providers_option(p)
    _now_option(p)
    p.set_defaults(handler=_cmd_route)


def _registry(args: argparse.Namespace) -> ProviderRegistry:
    return load_providers(args.providers_dir)


def _now(args: argparse.Namespace) -> datetime:
    return now_of(args)


def _summary(p: ProviderProfile) -> dict[str, Any]:
    eu = p.value(p.eu_establishment)
    addressee = p.designated_addressee()
    # the languages stated for requests for evidence (not, e.g., for DSA regulators' orders)
    languages: tuple[str, ...] = p.languages_for("preservation") or ()
    return {
        "id": p.id,
        "name": p.name,
        "headquarters": p.value(p.headquarters),
        "eu_establishment": eu.name if eu else None,
        "eu_designated_addressee": addressee.name if addressee else None,
        "preservation_days": p.preservation_days(),
        "languages": list(languages),
        "last_reviewed": p.last_reviewed.isoformat(),
        "unknown_facts": len(p.unknowns()),
    }


def _cmd_list(args: argparse.Namespace) -> int:
    registry = _registry(args)
    rows = [_summary(p) for p in registry]
    if args.json:
        print_json(rows)
        return EXIT_OK
    echo(f"{'id':<11} {'name':<34} {'HQ':<3} {'EU entity':<28} {'pres.':>5}  reviewed")
    for r in rows:
        echo(
            f"{r['id']:<11} {r['name'][:34]:<34} {r['headquarters'] or '?':<3} "
            f"{(r['eu_establishment'] or '?')[:28]:<28} {r['preservation_days'] or '?':>5}  "
            f"{r['last_reviewed']}"
        )
    echo()
    echo(f"{len(rows)} providers; '?' = not stated in the sources read")
    named = sum(1 for r in rows if r["eu_designated_addressee"])
    echo(
        "EU entity: the GDPR or Digital Services Act establishment, never the addressee of an "
        f"EU order; {named} provider(s) name an EU order addressee (Directive (EU) 2023/1544)"
    )
    return EXIT_OK


def _fact_line(p: ProviderProfile, name: str, fact: Fact[Any]) -> str:
    if not fact.known:
        value = "unknown"
    else:
        v = fact.value
        value = ", ".join(map(str, v)) if isinstance(v, tuple) else str(v)
        if p.is_secondary(fact):
            value += "  [secondary source]"
    refs = ", ".join(fact.sources)
    return f"  {name:<38} {value}" + (f"  ({refs})" if refs else "")


def _cmd_show(args: argparse.Namespace) -> int:
    p = _registry(args).get(args.provider_id, source="providers show")
    if args.json:
        print_json(p.model_dump(mode="json"))
        return EXIT_OK
    echo(f"{p.name} ({p.id}), last reviewed {p.last_reviewed.isoformat()}")
    for path, fact in p.iter_facts():
        echo(_fact_line(p, path.removeprefix("$."), fact))
    echo("channels:")
    for c in p.channels:
        echo(f"  {c.kind:<8} {c.name}  {c.url or c.address or ''}  ({', '.join(c.sources)})")
    echo("sources:")
    for key, s in p.sources.items():
        flag = " [secondary]" if s.secondary else ""
        echo(f"  {key}: {s.title}, {s.url or s.document} (read {s.read.isoformat()}){flag}")
    return EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    registry = _registry(args)
    now = _now(args)
    # The directory is read for requests addressed to a State only, on the first one (an
    # explicit --authorities-dir is read at once, so a wrong folder is always reported).
    directory = AuthorityLookup(args.authorities_dir)
    reports: list[dict[str, Any]] = []
    failed = False
    for name in args.files:
        try:
            request = read_request(name)
            profile = registry.get(
                args.provider or request.provider, source="--provider" if args.provider else name
            )
        except InputError as exc:
            failed = True
            reports.append({"file": name, "ok": False, "error": exc.to_dict()})
            if not args.json:
                print(f"INVALID  {diagnostics(exc)}")
            continue
        report = check(request, profile, now=now, requested_authority=directory.facts_for(request))
        failed |= not report.ok
        if args.record:
            _record_check(args, request, report, now)
        reports.append({"file": name, **report.to_dict()})
        if not args.json:
            counts = report.to_dict()["counts"]
            status = "ok" if report.ok else "ERRORS"
            echo(
                f"{status:<7} {name}  ({request.kind} to {profile.id}: {counts['error']} error(s), "
                f"{counts['warning']} warning(s), {counts['info']} note(s))"
            )
            for f in report.findings:
                echo(f"  {f.severity.upper():<7} {f.code} {f.path}: {f.message}")
                echo(f"          -> {f.action}")
                echo(f"          source: {f.source}")
    if args.json:
        print_json({"ok": not failed, "reports": reports})
    return EXIT_INVALID if failed else EXIT_OK


def _record_check(
    args: argparse.Namespace, request: Request, report: CheckReport, now: datetime
) -> None:
    from eevidence._cli._custody_hook import record_for  # noqa: PLC0415 - recording only
    from eevidence._cli._options import store_of  # noqa: PLC0415

    counts = report.to_dict()["counts"]
    store = store_of(args)
    try:
        record_for(
            args,
            store,
            "request_checked",
            f"request/{request.id}",
            now=now,
            object_sha256=hashlib.sha256(canonical_bytes(request)).hexdigest(),
            note=f"checked against {report.provider}: {counts['error']} error(s), "
            f"{counts['warning']} warning(s)",
        )
    finally:
        store.close()


def _cmd_route(args: argparse.Namespace) -> int:
    # Lower case is accepted for convenience; whether the code is assigned (``UK`` is not:
    # the United Kingdom is ``GB``) is advise_routes' check, a usage error here.
    country = args.country.strip().upper()
    profile = _registry(args).get(args.provider, source="--provider")
    try:
        routes = advise_routes(
            country, profile, args.data, emergency=args.emergency, now=_now(args)
        )
    except InputError as exc:
        if exc.source != "requesting_country":
            raise
        raise CliUsageError(f"--from: {exc.args[0]}") from None
    if args.json:
        print_json(
            {
                "from": country,
                "provider": profile.id,
                "data": args.data,
                "emergency": args.emergency,
                "routes": [r.to_dict() for r in routes],
            }
        )
        return EXIT_OK
    echo(f"Routes for {country} to obtain {', '.join(args.data)} from {profile.name}:")
    for r in routes:
        covers = ", ".join(r.covers) or "-"
        kind = f"; request kind: {r.kind}" if r.kind else ""
        echo()
        echo(f"  [{r.verdict.upper():<8}] {r.name}  (covers: {covers}; clock: {r.clock}{kind})")
        for why in r.why:
            echo(f"      - {why}")
        for depends in r.depends_on:
            echo(f"      ? depends on: {depends}")
        if r.prepare and r.verdict != "no":
            echo("      prepare: " + "; ".join(r.prepare))
    return EXIT_OK
