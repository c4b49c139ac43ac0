"""``eevidence render``: a request as a formal letter (PDF, HTML or plain text)."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

from eevidence._cli._common import EXIT_OK, CliUsageError, echo
from eevidence._cli._options import force_option, new_output, providers_option
from eevidence._internal.documents import load_document
from eevidence._internal.fs import read_regular, write_atomic
from eevidence.errors import InputError, Problem
from eevidence.letter import FORMATS, LANGUAGES, render_letter
from eevidence.provider import ProviderProfile, load_providers
from eevidence.request import AuthorityProfile, Request, read_request

__all__ = ["demo_step", "letter_documents", "provider_profile", "register"]

MAX_LOGO_BYTES = 8 * 1024 * 1024
"""Largest letterhead logo read (a PNG or JPEG printed 16 mm high: a few hundred KiB)."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "render",
        help="render a request as a letter: PDF, HTML or plain text, in en, fr, es or ar",
        description="Render a request as a formal letter. The "
        "same request and options always give the same bytes.",
    )
    p.add_argument("file", metavar="FILE", help="request file (JSON or YAML)")
    p.add_argument("--format", choices=FORMATS, default="pdf", help="output format (default pdf)")
    p.add_argument(
        "--lang",
        choices=LANGUAGES,
        help="letter language (default: the request's language when supported, else en)",
    )
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="file to write")
    force_option(p)
    providers_option(p)
    p.add_argument(
        "--authority",
        metavar="PROFILE",
        help="authority profile whose name, unit and address make the letterhead",
    )
    p.add_argument(
        "--logo",
        metavar="IMAGE",
        help="PNG or JPEG logo for the letterhead (default: the profile's logo, if any)",
    )
    from eevidence._cli._letter import sign_options  # noqa: PLC0415 - argparse only

    sign_options(p)
    p.set_defaults(handler=_cmd_render)


def default_language(request: Request) -> str:
    """The request's language when a catalogue exists for it (``fr-BE`` -> ``fr``), else en."""
    primary = request.language.split("-")[0].lower()
    return primary if primary in LANGUAGES else "en"


def provider_profile(
    provider_id: str, providers_dir: str | None = None, *, source: str = "providers"
) -> ProviderProfile:
    """The addressee's profile from the provider registry (shipped profiles, and those of
    ``providers_dir`` or ``$EEVIDENCE_PROVIDERS``): the letter names the provider, the legal
    entity that answers the request and its postal address where the profile settles them.

    Raises:
        UnknownProviderError: no profile has that id (a letter is never addressed to an id
            no profile knows; the message suggests the closest known one).
    """
    return load_providers(providers_dir).get(provider_id, source=source)


def _authority(path: str) -> AuthorityProfile:
    doc = load_document(path)
    try:
        return AuthorityProfile.model_validate_json(json.dumps(doc))
    except InputError as exc:
        raise InputError("invalid authority profile", source=path, problems=exc.problems) from None


def _reason(exc: InputError) -> str:
    return str(exc.args[0]).removeprefix("cannot read file: ")


def _cmd_render(args: argparse.Namespace) -> int:
    new_output(args.output, "--output", force=args.force)
    request = read_request(args.file)
    provider = provider_profile(request.provider, args.providers_dir, source=args.file)
    lang = args.lang or default_language(request)
    authority = _authority(args.authority) if args.authority else None
    logo: bytes | None = None
    if args.logo:
        try:
            logo = read_regular(args.logo, MAX_LOGO_BYTES, "logo")
        except InputError as exc:
            raise CliUsageError(f"cannot read the logo {args.logo}: {_reason(exc)}") from None
    elif authority is not None and authority.logo is not None:
        # a plain file name (the model refuses directories), read beside the profile
        path = Path(args.authority).parent / authority.logo
        try:
            logo = read_regular(path, MAX_LOGO_BYTES, "logo")
        except InputError as exc:
            raise InputError(
                f"cannot read the profile's logo {path}: {_reason(exc)}",
                source=args.authority,
                problems=[Problem("$.logo", "a regular file beside the profile")],
            ) from None
    data = render_letter(
        request,
        fmt=args.format,
        lang=lang,
        authority=authority,
        logo=logo,
        provider=provider,
    )
    signed = ""
    if args.sign_key or args.sign_cert:
        from eevidence._cli._letter import sign_rendered  # noqa: PLC0415 - pyHanko on demand

        name = (authority.authority if authority is not None else request.authority).name
        data, signed = sign_rendered(data, args, authority=name, rtl=lang == "ar")
    write_atomic(args.output, data)
    echo(
        f"{args.output}: {args.format} letter in {lang}, {len(data)} bytes{signed}",
        file=sys.stderr,
    )
    return EXIT_OK


def letter_documents(request: Request, args: argparse.Namespace) -> list[tuple[str, bytes]]:
    """The PDF letters ``package build`` puts into a package: the request's language, then
    each ``--letter-lang``, as ``letter.<lang>.pdf``."""
    langs = dict.fromkeys([default_language(request), *args.letter_lang])
    provider = provider_profile(
        request.provider, getattr(args, "providers_dir", None), source=str(request.id)
    )
    return [
        (f"letter.{lang}.pdf", render_letter(request, fmt="pdf", lang=lang, provider=provider))
        for lang in langs
    ]


def demo_step(out: Path, example: Path) -> Path:
    """Render ``example`` to PDF in its language (and to text) in ``out``; print what was done."""
    request = read_request(example)
    lang = default_language(request)
    provider = provider_profile(request.provider)
    target = out / "letters" / f"{example.stem}.{lang}.pdf"
    target.parent.mkdir(parents=True, exist_ok=True)
    pdf = render_letter(request, fmt="pdf", lang=lang, provider=provider)
    write_atomic(target, pdf)
    echo(f"  {request.kind} to {provider.name}: {target} ({len(pdf)} bytes, {lang})")
    for other in ("fr", "es", "ar"):
        path = target.with_name(f"{example.stem}.{other}.pdf")
        write_atomic(path, render_letter(request, fmt="pdf", lang=other, provider=provider))
        echo(f"  same letter in {other}: {path}")
    _demo_sign(out, target, pdf, request)
    return target


def _demo_sign(out: Path, target: Path, pdf: bytes, request: Request) -> None:
    """Sign the demo letter (PAdES B-B) with a certificate from a throwaway CA and verify it
    as a reader would: against that CA, then after one byte is changed."""
    from datetime import UTC, datetime  # noqa: PLC0415 - demo only

    from eevidence.crypto import generate_private_key  # noqa: PLC0415
    from eevidence.letter import ThrowawayCA, sign_letter, verify_letter  # noqa: PLC0415

    now = datetime.now(UTC).replace(microsecond=0)
    ca = ThrowawayCA(now)
    key = generate_private_key("p256")
    officer = request.authority.officer.name
    cert = ca.issue(key.public_key(), officer, request.authority.name)
    signed = sign_letter(pdf, key=key, certificate=cert, now=now, authority=request.authority.name)
    path = target.with_name(f"{target.stem}.signed.pdf")
    write_atomic(path, signed)
    ca_path = out / "letters" / "throwaway-ca.pem"
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415

    write_atomic(ca_path, ca.certificate.public_bytes(serialization.Encoding.PEM))
    good = verify_letter(signed, trust_roots=[ca.certificate], path=str(path))
    echo(
        f"  signed (PAdES {good.level}) by {officer} with a TEST certificate (not for real "
        f"use): {path}; verify: {good.status}, trusted: {good.trusted}"
    )
    altered = bytearray(signed)
    altered[len(altered) // 3] ^= 0x01
    bad = verify_letter(bytes(altered), trust_roots=[ca.certificate], path=str(path))
    echo(f"  the same letter with one byte changed: {bad.status}")
    command = ["eevidence", "letter", "verify", str(path), "--trust-ca", str(ca_path)]
    echo(f"  try: {shlex.join(command)}")
