"""``eevidence demo``: walk through what the library does, on the shipped example requests."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

from eevidence._cli import _tracking
from eevidence._cli._common import EXIT_INVALID, EXIT_OK, CliUsageError, echo
from eevidence._cli._options import folder_of
from eevidence._cli._package import demo_step
from eevidence._internal.fs import write_atomic
from eevidence._internal.resources import data_dir
from eevidence.provider import advise_routes, check, load_providers
from eevidence.request import canonical_bytes, read_request, schema_problems

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo",
        help="run the example workflow on the shipped example requests",
        description="Read every shipped example request, validate it against the models and "
        "the published JSON Schema, and write its canonical form into an output folder.",
    )
    p.add_argument(
        "--out",
        metavar="DIR",
        help="output folder, new or empty (default: a new temporary folder)",
    )
    p.add_argument(
        "--force", action="store_true", help="write into a --out folder that is not empty"
    )
    p.set_defaults(handler=_cmd_demo)


def _step(title: str) -> None:
    echo()
    echo(f"== {title}")


def _cmd_demo(args: argparse.Namespace) -> int:
    if args.out and not args.force and Path(args.out).is_dir() and any(Path(args.out).iterdir()):
        raise CliUsageError(
            f"--out {args.out}: the folder is not empty; give --force to write the demo's "
            "files into it (files of the same names are replaced)"
        )
    out = (
        folder_of(args.out, "--out")
        if args.out
        else Path(tempfile.mkdtemp(prefix="eevidence-demo-"))
    )
    examples = sorted(data_dir("examples").glob("*.json"))
    echo(f"eevidence demo: {len(examples)} example requests, output in {out}")

    _step("1. build and validate the example requests")
    failures = 0
    for path in examples:
        request = read_request(path)
        canon = canonical_bytes(request)
        schema_errors = schema_problems(json.loads(canon))
        status = "ok" if not schema_errors else "SCHEMA MISMATCH"
        failures += bool(schema_errors)
        target = out / "requests" / f"{request.id}.json"
        target.parent.mkdir(exist_ok=True)
        write_atomic(target, canon)
        digest = hashlib.sha256(canon).hexdigest()
        echo(
            f"  {status:<4} {request.kind:<24} {request.provider:<10} id={request.id} "
            f"sha256={digest[:16]}...  {len(request.identifiers)} identifier(s)"
        )
    echo(f"  canonical request files written to {out / 'requests'}")

    _step("2. check each request against its provider's requirement profile")
    registry = load_providers()
    now = max(read_request(p).created_at for p in examples)
    from eevidence.authorities import load_authorities  # noqa: PLC0415 - the demo's own step
    from eevidence.cases import requested_authority_facts  # noqa: PLC0415

    authorities = load_authorities()
    for path in examples:
        request = read_request(path)
        facts = requested_authority_facts(request, authorities, searched="the shipped entries")
        report = check(request, registry.get(request.provider), now=now, requested_authority=facts)
        counts = report.to_dict()["counts"]
        echo(
            f"  {'ok' if report.ok else 'ERRORS':<6} {request.kind:<24} to {request.provider:<9}"
            f" {counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} note(s)"
            + (f"  [{', '.join(sorted(report.codes()))}]" if report.findings else "")
        )
    echo("  details: eevidence check FILE")

    _step("3. route advice: a French authority asking Meta for content")
    for route in advise_routes("FR", registry.get("meta"), ["content"], emergency=False, now=now):
        echo(f"  {route.verdict:<8} {route.name}")

    _step("4. render the preservation request as a letter (PDF)")
    from eevidence._cli import _render  # noqa: PLC0415 - the letter step's own module

    _render.demo_step(out, data_dir("examples") / "preservation.json")

    _step("5. build, sign and verify the preservation request package")
    failures += not demo_step(out, data_dir("examples") / "preservation.json", now)

    _step("6. track requests on the embedded store: events, deadlines, calendar")
    _tracking.demo_step(out, examples)

    _step("7. chain of custody: signed entries, evidence intake, checkpoint, verification")
    from eevidence._cli import _custody  # noqa: PLC0415 - the custody step's own module

    failures += not _custody.demo_step(out, data_dir("examples") / "preservation.json", now)

    _step("8. ETSI TS 103 120 (HI-1): export the EU production order, import it back")
    from eevidence._cli import _etsi  # noqa: PLC0415 - the HI-1 step's own module

    _etsi.demo_step(out, data_dir("examples") / "eu-production-order.json")

    _step("9. submission: portal upload bundle and checklist, API body")
    from eevidence._cli import _submit  # noqa: PLC0415 - the submission step's own module

    _submit.demo_step(out)

    _step("10. follow-up: draft the MLA request from the tracked preservation; the case view")
    from eevidence._cli import _cases  # noqa: PLC0415 - the follow-up step's own module

    _cases.demo_step(
        out, data_dir("examples") / "preservation.json", data_dir("examples") / "mla-request.json"
    )
    if failures:
        echo(f"eevidence demo: {failures} example(s) do not match the schema", file=sys.stderr)
        return EXIT_INVALID
    echo()
    echo("demo finished: every example is valid against the models and the JSON Schema")
    return EXIT_OK
