"""``eevidence new``, ``validate`` and ``schema``."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any, get_args
from zoneinfo import ZoneInfo

from eevidence._cli._common import (
    EXIT_INVALID,
    EXIT_OK,
    CliUsageError,
    echo,
    pretty_json_bytes,
    pretty_json_text,
    print_json,
)
from eevidence._cli._options import (
    folder_of,
    force_option,
    identifier_of,
    new_output,
    providers_option,
    time_text_of,
    window_of,
)
from eevidence._internal.documents import load_document
from eevidence._internal.fs import write_atomic
from eevidence.errors import InputError, Problem, RequestValidationError
from eevidence.provider import generated_schemas as provider_schemas, load_providers
from eevidence.request import (
    DATA_CATEGORIES,
    IDENTIFIER_TYPES,
    INSTRUMENTS,
    REQUEST_KINDS,
    SUBSCRIBER_DETAILS,
    AttachmentRef,
    AuthorityProfile,
    Case,
    canonical_bytes,
    generated_schemas,
    kind_spec,
    new_request_id,
    parse_legal_basis_spec,
    parse_request,
    read_request,
)

__all__ = ["build_document", "creation_time", "register"]

OFFENCE_CATEGORIES: tuple[str, ...] = get_args(Case.model_fields["offence_category"].annotation)
ATTACHMENT_KINDS: tuple[str, ...] = get_args(AttachmentRef.model_fields["kind"].annotation)

_NEW_EPILOG = """\
The authority profile (--authority, and the files of --issuing-authority and the other
authorities) is a JSON or YAML object; see examples/authority.json in the source tree and
its schema: eevidence schema authority-profile.schema.json. Its optional time_zone (an IANA
name such as Europe/Paris) gives the offset of the creation time (default: the computer's).

environment:
  EEVIDENCE_PROVIDERS  folder of extra or replacement provider profiles (as --providers-dir)

See 'eevidence --help' for every environment variable."""


def _one_of(values: tuple[str, ...]) -> str:
    return "one of: " + ", ".join(values)


def _kind(text: str) -> str:
    kind = text.replace("-", "_")
    if kind not in REQUEST_KINDS:
        raise argparse.ArgumentTypeError(f"unknown kind {text!r}; expected one of {REQUEST_KINDS}")
    return kind


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "new",
        help="build a request from options",
        description="Build a request from options and write it as JSON. Nothing is written "
        "when the request is invalid, or when the provider has no profile.",
        epilog=_NEW_EPILOG,
    )
    p.add_argument("kind", type=_kind, metavar="KIND", help=" | ".join(REQUEST_KINDS))
    p.add_argument(
        "--authority",
        required=True,
        metavar="FILE",
        help="authority profile, a JSON or YAML object (example: examples/authority.json; "
        "schema: eevidence schema authority-profile.schema.json)",
    )
    p.add_argument(
        "--provider",
        required=True,
        metavar="ID",
        help="addressee provider id, e.g. meta (any case; list: eevidence providers list)",
    )
    providers_option(p)
    p.add_argument(
        "--addressee-entity",
        metavar="TEXT",
        help="the legal entity addressed, e.g. 'Meta Platforms, Inc.'",
    )
    p.add_argument(
        "--sworn-officer",
        action="store_true",
        help="the requesting officer is a sworn law-enforcement officer (said in the letter)",
    )
    g = p.add_argument_group("case")
    g.add_argument("--case", required=True, metavar="REF", help="case reference")
    g.add_argument("--offence", required=True, metavar="TEXT", help="offence description")
    g.add_argument(
        "--offence-category",
        required=True,
        metavar="CATEGORY",
        choices=OFFENCE_CATEGORIES,
        help=_one_of(OFFENCE_CATEGORIES),
    )
    g.add_argument("--terrorism", action="store_true", help="the case is terrorism-related")
    g.add_argument("--facts", required=True, metavar="TEXT", help="short summary of the facts")
    g.add_argument("--statute", required=True, metavar="TEXT", help="statutory citation")
    g.add_argument("--max-penalty", metavar="TEXT")
    g.add_argument("--max-penalty-years", type=int, metavar="N")
    g = p.add_argument_group("what is asked")
    g.add_argument(
        "--legal-basis",
        action="append",
        default=[],
        metavar="INSTRUMENT[:ARTICLE]",
        help="repeatable; INSTRUMENT is " + _one_of(INSTRUMENTS) + " (default: the authority "
        "profile's bases that the kind can rest on)",
    )
    g.add_argument(
        "--identifier",
        action="append",
        default=[],
        metavar="TYPE[/SERVICE]:VALUE[@FROM/TO]",
        help="repeatable, e.g. username/instagram:jdoe or email:a@example.com; TYPE is "
        + _one_of(IDENTIFIER_TYPES),
    )
    g.add_argument(
        "--data",
        action="append",
        default=[],
        metavar="CATEGORY",
        choices=DATA_CATEGORIES,
        help="repeatable; " + _one_of(DATA_CATEGORIES),
    )
    g.add_argument(
        "--subscriber-detail",
        action="append",
        default=[],
        metavar="DETAIL",
        choices=SUBSCRIBER_DETAILS,
        help="repeatable; " + _one_of(SUBSCRIBER_DETAILS),
    )
    g.add_argument("--data-description", metavar="TEXT")
    g.add_argument("--period", metavar="FROM/TO", help="period of interest")
    g.add_argument("--relation", required=True, metavar="TEXT", help="relation to the offence")
    g.add_argument(
        "--necessity", required=True, metavar="TEXT", help="necessity and proportionality"
    )
    g.add_argument(
        "--non-disclosure", metavar="REASON", help="ask the provider not to notify the user"
    )
    g.add_argument("--non-disclosure-days", type=int, metavar="N")
    g.add_argument(
        "--language", metavar="TAG", help="BCP 47 tag (default: the authority profile's)"
    )
    g.add_argument(
        "--attachment",
        action="append",
        default=[],
        metavar="KIND:FILENAME",
        help="repeatable; KIND is " + _one_of(ATTACHMENT_KINDS),
    )
    g = p.add_argument_group("emergency (emergency_disclosure, eu_production_order)")
    g.add_argument("--threat", metavar="TEXT", help="nature of the threat")
    g.add_argument("--why-now", metavar="TEXT", help="why disclosure without delay averts it")
    g.add_argument("--persons-at-risk", metavar="TEXT")
    g.add_argument("--imminence", metavar="TEXT")
    g = p.add_argument_group("preservation and extension")
    g.add_argument("--preservation-days", type=int, metavar="N")
    g.add_argument("--custodian", metavar="TEXT", help="what is known about the custodian")
    g.add_argument(
        "--mla-to-follow", action="store_true", help="a mutual assistance request will follow"
    )
    g.add_argument("--original-request", metavar="ID")
    g.add_argument("--provider-reference", metavar="REF")
    g.add_argument("--current-expiry", metavar="DATETIME")
    g.add_argument("--extension-days", type=int, metavar="N")
    g = p.add_argument_group("orders (EU, Second Protocol art. 7, CLOUD Act agreement)")
    g.add_argument("--issuing-authority", metavar="FILE")
    g.add_argument("--validating-authority", metavar="FILE")
    g.add_argument("--enforcing-authority", metavar="FILE")
    g.add_argument(
        "--establishment", metavar="TEXT", help="designated establishment / legal representative"
    )
    g.add_argument("--provider-address", metavar="TEXT")
    g = p.add_argument_group("orders under a CLOUD Act agreement (cloud_act_order)")
    g.add_argument(
        "--agreement-partner",
        metavar="CC",
        help="the State whose agreement with the United States the order relies on, e.g. GB",
    )
    g.add_argument("--national-order", metavar="TEXT", help="the national instrument, e.g. an OPO")
    g.add_argument(
        "--designated-authority",
        metavar="FILE",
        help="the designated authority that transmits the order (JSON/YAML object)",
    )
    g.add_argument(
        "--us-person-statement",
        metavar="TEXT",
        help="the order does not intentionally target a US person or a person in the US",
    )
    g.add_argument("--serious-crime", metavar="TEXT", help="how the offence is a Serious Crime")
    g = p.add_argument_group("output")
    g.add_argument("--id", metavar="UUID", help="request id (default: a new random UUID)")
    g.add_argument(
        "--created-at",
        metavar="DATETIME",
        help="creation time, RFC 3339 with an offset (default: now, with the offset of the "
        "profile's time_zone, else of the computer's time zone)",
    )
    g.add_argument("-o", "--output", metavar="FILE", help="write here (default: standard output)")
    force_option(g)
    g.add_argument(
        "--canonical", action="store_true", help="write canonical bytes instead of pretty JSON"
    )
    p.set_defaults(handler=_cmd_new)

    p = sub.add_parser(
        "validate",
        help="validate request files (JSON or YAML)",
        description="Validate request files and list every problem with its JSON path. "
        "Exit 0 when all are valid, 1 otherwise.",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="print a JSON report")
    p.set_defaults(handler=_cmd_validate)

    p = sub.add_parser("schema", help="print or write the JSON Schemas")
    p.add_argument("name", nargs="?", metavar="NAME", help="schema file name (default: list them)")
    p.add_argument("-o", "--output-dir", metavar="DIR", help="write every schema into DIR")
    force_option(p, "schema files already in DIR")
    p.set_defaults(handler=_cmd_schema)


def _load_object(path: str, option: str) -> Any:
    doc = load_document(path)
    if not isinstance(doc, dict):
        raise InputError("expected a JSON object", source=path, problems=[Problem("$", option)])
    return doc


def _default_bases(profile: AuthorityProfile, kind: str) -> list[dict[str, Any]]:
    """The authority profile's default legal bases that a request of ``kind`` can rest on
    (the kind's :attr:`~eevidence.request.KindSpec.bases`), as JSON objects.

    Raises:
        CliUsageError: the profile has default bases and none of them can found the kind.
    """
    bases = kind_spec(kind).bases
    fitting = [
        lb.model_dump(mode="json", exclude_none=True)
        for lb in profile.legal_basis
        if lb.instrument in bases
    ]
    if profile.legal_basis and not fitting:
        given = ", ".join(lb.instrument for lb in profile.legal_basis)
        raise CliUsageError(
            f"--legal-basis: the authority profile's default basis ({given}) cannot found a "
            f"{kind} request; give one of: {', '.join(bases)}"
        )
    return fitting


def _authority(profile: AuthorityProfile, *, sworn: bool) -> dict[str, Any]:
    """The requesting authority of the profile, its officer marked sworn when asked."""
    doc = profile.authority.model_dump(mode="json", exclude_none=True)
    if sworn:
        doc["officer"]["sworn_officer"] = True
    return doc


def creation_time(now: datetime, profile: AuthorityProfile) -> datetime:
    """``now`` (time-zone aware) as the authority's local time, to the second: in the
    profile's ``time_zone`` when it has one, else in the computer's local time zone.

    A request written in Paris at 23:30 on 20 November then carries that date
    (``2026-11-20T23:30:00+01:00``), not the next day's in UTC; the instant is the same.
    """
    zone = ZoneInfo(profile.time_zone) if profile.time_zone else None
    return now.astimezone(zone).replace(microsecond=0)


def build_document(args: argparse.Namespace, *, now: datetime) -> dict[str, Any]:
    """The request JSON described by ``eevidence new`` options (not yet validated).

    ``now`` (time-zone aware) is the creation time unless ``--created-at`` gives one; it is
    written as the authority's local time (:func:`creation_time`). The provider id is the
    registry's (``Google`` becomes ``google``).

    Raises:
        InputError: a file cannot be read or is not a valid profile, or an option's value
            cannot be read.
        UnknownProviderError: no provider profile has the ``--provider`` id (the message
            suggests the closest one).
        CliUsageError: options that do not go together.
    """
    provider = load_providers(args.providers_dir).get(args.provider, source="--provider")
    profile_doc = _load_object(args.authority, "--authority")
    try:
        profile = AuthorityProfile.model_validate_json(json.dumps(profile_doc))
    except InputError as exc:
        raise InputError(
            "invalid authority profile", source=args.authority, problems=exc.problems
        ) from None
    legal = [parse_legal_basis_spec(s) for s in args.legal_basis] or _default_bases(
        profile, args.kind
    )
    case: dict[str, Any] = {
        "reference": args.case,
        "offence_description": args.offence,
        "offence_category": args.offence_category,
        "terrorism_related": bool(args.terrorism),
        "summary_of_facts": args.facts,
        "statutory_citation": args.statute,
    }
    if args.max_penalty is not None:
        case["maximum_penalty"] = args.max_penalty
    if args.max_penalty_years is not None:
        case["maximum_penalty_years"] = args.max_penalty_years
    data: dict[str, Any] = {"categories": args.data}
    if args.subscriber_detail:
        data["subscriber_details"] = args.subscriber_detail
    if args.data_description:
        data["description"] = args.data_description
    doc: dict[str, Any] = {
        "schema_version": 1,
        "kind": args.kind,
        "id": args.id or new_request_id(),
        "created_at": time_text_of(args.created_at, "--created-at")
        if args.created_at
        else creation_time(now, profile).isoformat(),
        "authority": _authority(profile, sworn=bool(args.sworn_officer)),
        "case": case,
        "legal_basis": legal,
        "provider": provider.id,
        "identifiers": [identifier_of(s) for s in args.identifier],
        "data": data,
        "justification": {
            "relation_to_offence": args.relation,
            "necessity_and_proportionality": args.necessity,
        },
        "language": args.language or profile.language,
    }
    if args.period:
        doc["period"] = window_of(args.period)
    if args.non_disclosure:
        conf: dict[str, Any] = {"reason": args.non_disclosure}
        if args.non_disclosure_days is not None:
            conf["duration_days"] = args.non_disclosure_days
        doc["confidentiality"] = conf
    elif args.non_disclosure_days is not None:
        raise CliUsageError("--non-disclosure-days needs --non-disclosure REASON")
    attachments = []
    for spec in args.attachment:
        kind, sep, name = spec.partition(":")
        if not sep:
            raise CliUsageError(f"--attachment {spec!r}: expected KIND:FILENAME")
        attachments.append({"name": name, "kind": kind})
    if attachments:
        doc["attachments"] = attachments
    emergency = {
        k: v
        for k, v in {
            "threat_nature": args.threat,
            "why_without_delay": args.why_now,
            "persons_at_risk": args.persons_at_risk,
            "imminence": args.imminence,
        }.items()
        if v is not None
    }
    if emergency or kind_spec(args.kind).emergency == "always":
        doc["emergency"] = emergency
    optional = {
        "preservation_days": args.preservation_days,
        "custodian_information": args.custodian,
        "mla_to_follow": True if args.mla_to_follow else None,
        "original_request_id": args.original_request,
        "provider_reference": args.provider_reference,
        "current_expiry": args.current_expiry
        and time_text_of(args.current_expiry, "--current-expiry"),
        "extension_days": args.extension_days,
        "addressee_establishment": args.establishment,
        "provider_address": args.provider_address,
        "addressee_entity": args.addressee_entity,
        "agreement_partner": args.agreement_partner,
        "national_order": args.national_order,
        "us_person_statement": args.us_person_statement,
        "serious_crime": args.serious_crime,
    }
    doc.update({k: v for k, v in optional.items() if v is not None})
    for option, key in (
        (args.issuing_authority, "issuing_authority"),
        (args.validating_authority, "validating_authority"),
        (args.enforcing_authority, "enforcing_authority"),
        (args.designated_authority, "designated_authority"),
    ):
        if option is not None:
            doc[key] = _load_object(option, "--" + key.replace("_", "-"))
    return doc


def _cmd_new(args: argparse.Namespace) -> int:
    if args.output:
        new_output(args.output, "--output", force=args.force)
    doc = build_document(args, now=datetime.now(UTC))
    request = parse_request(doc, source="command line")
    if args.canonical:
        out = canonical_bytes(request)
    else:
        doc = request.model_dump(mode="json", exclude_none=True)
        # on a terminal, control and bidi characters JSON-escaped; the file keeps them raw
        out = pretty_json_bytes(doc) if args.output else pretty_json_text(doc).encode("utf-8")
    if args.output:
        write_atomic(args.output, out)
        echo(f"wrote {request.kind} request {request.id} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(out)
        sys.stdout.flush()
    return EXIT_OK


def validate_files(files: list[str]) -> list[dict[str, Any]]:
    """One result per file: ``{file, valid, kind, id, message, problems}``."""
    results: list[dict[str, Any]] = []
    for name in files:
        try:
            doc = load_document(name)
            request = (
                read_request(name) if not isinstance(doc, dict) else parse_request(doc, source=name)
            )
        except RequestValidationError as exc:
            results.append({"file": name, "valid": False, **_err(exc)})
        except InputError as exc:
            results.append({"file": name, "valid": False, **_err(exc)})
        else:
            results.append({"file": name, "valid": True, "kind": request.kind, "id": request.id})
    return results


def _err(exc: InputError) -> dict[str, Any]:
    return {"message": str(exc.args[0]), "problems": [p.to_dict() for p in exc.problems]}


def _cmd_validate(args: argparse.Namespace) -> int:
    results = validate_files(args.files)
    if args.json:
        print_json({"valid": all(r["valid"] for r in results), "files": results})
    else:
        for r in results:
            if r["valid"]:
                echo(f"ok       {r['file']}  ({r['kind']} {r['id']})")
            else:
                echo(f"INVALID  {r['file']}: {r['message']}")
                for prob in r["problems"]:
                    echo(f"    {prob['path']}: {prob['message']}")
    return EXIT_OK if all(r["valid"] for r in results) else EXIT_INVALID


def _cmd_schema(args: argparse.Namespace) -> int:
    # imported here: new and validate never load the directories' models
    from eevidence.authorities import generated_schemas as authority_schemas  # noqa: PLC0415
    from eevidence.directory import generated_schemas as directory_schemas  # noqa: PLC0415

    schemas = {
        **generated_schemas(),
        **provider_schemas(),
        **directory_schemas(),
        **authority_schemas(),
    }
    if args.output_dir:
        out = folder_of(args.output_dir, "--output-dir")
        for name in schemas:
            new_output(out / name, "--output-dir", force=args.force)
        for name, schema in schemas.items():
            write_atomic(out / name, pretty_json_bytes(schema))
            echo(f"wrote {out / name}", file=sys.stderr)
        return EXIT_OK
    if args.name is None:
        for name in schemas:
            echo(name)
        return EXIT_OK
    if args.name not in schemas:
        raise CliUsageError(f"unknown schema {args.name!r}; expected one of {sorted(schemas)}")
    print_json(schemas[args.name])
    return EXIT_OK
