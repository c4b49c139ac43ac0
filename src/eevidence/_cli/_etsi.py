"""``eevidence export etsi`` and ``eevidence import etsi``: ETSI TS 103 120 (HI-1) messages."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from eevidence._cli._common import (
    EXIT_OK,
    CliUsageError,
    diagnostics,
    echo,
    pretty_json_bytes,
    pretty_json_text,
    print_json,
)
from eevidence._cli._options import force_option, new_output
from eevidence._internal.fs import read_regular, write_atomic
from eevidence.errors import InputError
from eevidence.hi1 import (
    MAX_MESSAGE_BYTES,
    Hi1Endpoint,
    from_hi1_xml,
    hi1_draft,
    read_hi1,
    to_hi1_xml,
)
from eevidence.provider import load_providers
from eevidence.request import Request, parse_request, read_request

__all__ = ["default_receiver", "default_sender", "demo_step", "register"]

_UNKNOWN_COUNTRY = "XX"  # ISO 3166 user-assigned code, used when the provider's seat is unknown
_SHOWN = 100  # most actions, authorisations, tasks, documents and notes printed for a message


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = sub.add_parser(
        "export",
        help="export a request in an interchange format (etsi: TS 103 120 XML)",
        description="Export a request as a machine-readable message for a provider.",
    )
    formats = export.add_subparsers(dest="format", metavar="FORMAT", required=True)
    p = formats.add_parser(
        "etsi",
        help="ETSI TS 103 120 (HI-1) HI1Message, XML",
        description="Write the request as an ETSI TS 103 120 V1.15.1 HI1Message: an "
        "authorisation, one preservation or disclosure task per identifier and data "
        "category, the request letter (for example the signed PDF) with its checksum, and "
        "the canonical request itself so that an import gives back the same request.",
    )
    p.add_argument("file", metavar="FILE", help="request file (JSON or YAML)")
    p.add_argument("-o", "--output", required=True, metavar="MSG.xml", help="file to write")
    force_option(p)
    p.add_argument(
        "--sender",
        metavar="CC:ID",
        help="sender endpoint (default: the authority's country and name)",
    )
    p.add_argument(
        "--receiver",
        metavar="CC:ID",
        help="receiver endpoint (default: the provider's seat, or XX, and its id)",
    )
    p.add_argument("--document", metavar="FILE", help="letter to carry, normally the signed PDF")
    p.add_argument(
        "--content-type",
        default="application/pdf",
        help="media type of --document (default application/pdf)",
    )
    p.add_argument("--transaction-id", metavar="UUID", help="transaction id (default: random)")
    p.set_defaults(handler=_cmd_export)

    imp = sub.add_parser(
        "import",
        help="import a request from an interchange format (etsi: TS 103 120 XML)",
        description="Read a machine-readable message back into a request.",
    )
    formats = imp.add_subparsers(dest="format", metavar="FORMAT", required=True)
    q = formats.add_parser(
        "etsi",
        help="ETSI TS 103 120 (HI-1) HI1Message, XML",
        description="Read an HI1Message written by 'eevidence export etsi': check every "
        "document checksum and that the message's fields are exactly those of the request "
        "it carries, then write the request. --summary shows what any HI-1 request message "
        "holds, without importing it; --draft turns a message from another system into a request "
        "draft to complete.",
    )
    q.add_argument("file", metavar="MSG.xml", help="message file")
    q.add_argument("-o", "--output", metavar="REQUEST.json", help="write the request here")
    force_option(q)
    mode = q.add_mutually_exclusive_group()
    mode.add_argument(
        "--summary", action="store_true", help="print the message's contents as JSON instead"
    )
    mode.add_argument(
        "--draft",
        action="store_true",
        help="for messages from other systems: write what the message says as a request "
        "draft to complete, and list what is missing",
    )
    q.set_defaults(handler=_cmd_import)


def default_sender(request: Request) -> Hi1Endpoint:
    """The requesting authority: its country and name."""
    return Hi1Endpoint(request.authority.country, request.authority.name)


def default_receiver(request: Request) -> Hi1Endpoint:
    """The provider: its seat's country when the registry knows it (else XX), and its id."""
    registry = load_providers()
    profile = registry.profiles.get(request.provider.lower())
    country = (
        None if profile is None else profile.value(profile.headquarters, include_secondary=True)
    )
    return Hi1Endpoint(country or _UNKNOWN_COUNTRY, request.provider)


def _endpoint(text: str | None, option: str) -> Hi1Endpoint | None:
    if text is None:
        return None
    try:
        return Hi1Endpoint.parse(text)
    except InputError as exc:
        raise CliUsageError(f"{option}: {exc}") from None


def _read_file(path: str, limit: int) -> bytes:
    """At most ``limit`` bytes of a regular file (a FIFO or device is refused at once)."""
    return read_regular(path, limit)


def _capped(summary: dict[str, object]) -> dict[str, object]:
    """``summary`` with each list cut to its first ``_SHOWN`` items, the rest counted in
    ``<name>_not_shown``."""
    out: dict[str, object] = {}
    for key, value in summary.items():
        if isinstance(value, list) and len(value) > _SHOWN:
            out[key] = value[:_SHOWN]
            out[f"{key}_not_shown"] = len(value) - _SHOWN
        else:
            out[key] = value
    return out


def _cmd_export(args: argparse.Namespace) -> int:
    request = read_request(args.file)
    sender = _endpoint(args.sender, "--sender") or default_sender(request)
    receiver = _endpoint(args.receiver, "--receiver") or default_receiver(request)
    document = None
    if args.document:
        document = _read_file(args.document, MAX_MESSAGE_BYTES // 2)
    new_output(args.output, "--output", force=args.force)  # the inputs' errors come first
    data = to_hi1_xml(
        request,
        sender=sender,
        receiver=receiver,
        now=datetime.now(UTC),
        transaction_id=args.transaction_id,
        document=document,
        document_name=Path(args.document).name if args.document else "request.pdf",
        document_content_type=args.content_type,
    )
    write_atomic(args.output, data)
    echo(
        f"{args.output}: TS 103 120 message from {sender} to {receiver}, {len(data)} bytes",
        file=sys.stderr,
    )
    return EXIT_OK


def _cmd_import(args: argparse.Namespace) -> int:
    if args.output and not args.summary:
        new_output(args.output, "--output", force=args.force)
    data = _read_file(args.file, MAX_MESSAGE_BYTES)
    if args.summary:
        print_json(_capped(read_hi1(data, source=args.file).summary()))
        return EXIT_OK
    if args.draft:
        return _draft(args, data)
    request = from_hi1_xml(data, source=args.file)
    doc = request.model_dump(mode="json")
    if args.output:
        write_atomic(args.output, pretty_json_bytes(doc))
        echo(f"{args.output}: {request.kind} request {request.id}", file=sys.stderr)
    else:
        sys.stdout.write(pretty_json_text(doc))
    return EXIT_OK


def _draft(args: argparse.Namespace, data: bytes) -> int:
    draft, notes = hi1_draft(read_hi1(data, source=args.file))
    if args.output:
        write_atomic(args.output, pretty_json_bytes(draft))
    else:
        sys.stdout.write(pretty_json_text(draft))
    for note in notes[:_SHOWN]:
        echo(f"note: {note}", file=sys.stderr)
    if len(notes) > _SHOWN:
        echo(f"note: {len(notes) - _SHOWN} more note(s) not shown", file=sys.stderr)
    try:
        parse_request(draft, source=args.output or "<draft>")
    except InputError as exc:
        print(f"draft to complete: {diagnostics(exc)}", file=sys.stderr)
    else:
        print("the draft is a complete, valid request", file=sys.stderr)
    return EXIT_OK


def demo_step(out: Path, example: Path) -> Path:
    """Export ``example`` as a TS 103 120 message into ``out``, import it back, compare."""
    request = read_request(example)
    sender, receiver = default_sender(request), default_receiver(request)
    now = request.created_at
    data = to_hi1_xml(
        request,
        sender=sender,
        receiver=receiver,
        now=now,
        transaction_id="00000000-0000-4000-8000-000000000000",
    )
    target = out / "etsi" / f"{example.stem}.xml"
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, data)
    message = read_hi1(data)
    same = from_hi1_xml(data) == request
    echo(
        f"  {request.kind} to {receiver}: {target} ({len(data)} bytes, "
        f"{len(message.tasks)} task(s)); imported back: "
        + ("same request" if same else "DIFFERENT")
    )
    return target
