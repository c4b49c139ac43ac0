"""``eevidence letter``: PAdES-signed PDF letters: verify a signed letter, and issue a
throwaway test certificate (NOT FOR REAL USE) for demos; the signing options of ``render``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from eevidence._cli._common import EXIT_INVALID, EXIT_OK, CliUsageError, echo, print_json
from eevidence._cli._options import (
    force_option,
    new_output,
    now_of,
    passphrase_of,
    passphrase_options,
)
from eevidence._internal.fs import write_atomic
from eevidence.errors import InputError

__all__ = ["register", "sign_options", "sign_rendered"]

_MAX_PDF = 64 << 20


def sign_options(p: argparse.ArgumentParser) -> None:
    """The PAdES signing options of ``render``."""
    g = p.add_argument_group("signing (PAdES, PDF only)")
    g.add_argument(
        "--sign-key", metavar="KEY", help="sign the PDF letter with this P-256 or RSA key (PEM)"
    )
    g.add_argument("--sign-cert", metavar="CERT", help="the X.509 certificate of --sign-key")
    g.add_argument(
        "--cert-chain",
        metavar="PEM",
        help="intermediate certificates to embed, so verifiers can reach their CA",
    )
    g.add_argument(
        "--tsa",
        metavar="URL",
        help="RFC 3161 timestamping authority: timestamp the signature (PAdES B-T)",
    )
    g.add_argument(
        "--now", metavar="DATETIME", help="the signing time written (default: the clock)"
    )
    passphrase_options(g)  # type: ignore[arg-type]


def sign_rendered(
    data: bytes, args: argparse.Namespace, *, authority: str, rtl: bool
) -> tuple[bytes, str]:
    """Sign a rendered PDF letter as ``render``'s signing options ask; returns the signed
    bytes and a note for the summary line."""
    from eevidence.crypto import load_private_key  # noqa: PLC0415
    from eevidence.letter import load_certificates, sign_letter  # noqa: PLC0415

    if args.format != "pdf":
        raise CliUsageError("--sign-key and --sign-cert sign PDF letters only (--format pdf)")
    if not (args.sign_key and args.sign_cert):
        raise CliUsageError("--sign-key and --sign-cert go together")
    key = load_private_key(args.sign_key, passphrase=passphrase_of(args))
    certificate = load_certificates(args.sign_cert)[0]
    chain = load_certificates(args.cert_chain) if args.cert_chain else []
    signed = sign_letter(
        data,
        key=key,
        certificate=certificate,
        chain=chain,
        now=now_of(args),
        authority=authority,
        rtl=rtl,
        tsa_url=args.tsa,
    )
    level = "B-T" if args.tsa else "B-B"
    return signed, f", signed (PAdES {level}) by {certificate.subject.rfc4514_string()}"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "letter",
        help="verify PAdES-signed PDF letters; issue a throwaway test certificate",
        description="Signed PDF letters (PAdES, ETSI EN 319 142). Sign a letter with "
        "'eevidence render --sign-key KEY --sign-cert CERT'.",
    )
    s = p.add_subparsers(dest="letter_command", metavar="COMMAND", required=True)
    v = s.add_parser(
        "verify",
        help="check a signed letter: signer, integrity, coverage, time and trust",
        description="Check the PAdES signature of a PDF letter with pyHanko's validator. "
        "Exit 0 only when the signature is intact, covers the whole document and its "
        "signer's certificate chains to a --trust-ca certificate.",
    )
    v.add_argument("file", metavar="FILE", help="the signed PDF letter")
    v.add_argument(
        "--trust-ca",
        metavar="PEM",
        action="append",
        required=True,
        help="certificate authority the signer (and a timestamp's TSA) must chain to (repeatable)",
    )
    v.add_argument("--json", action="store_true", help="print the result as JSON")
    v.add_argument(
        "--now", metavar="DATETIME", help="validate as of this time (default: the clock)"
    )
    v.set_defaults(handler=_cmd_verify)
    t = s.add_parser(
        "test-cert",
        help="issue a certificate for a key from a throwaway CA (tests and demos; NOT FOR "
        "REAL USE)",
        description="Make a throwaway certificate authority and issue a signing "
        "certificate for KEY's public key, to try signed letters. NOT FOR REAL USE: "
        "nobody trusts this CA, and its certificates say so in their subject. Writes "
        "OUT/ca.pem and OUT/cert.pem.",
    )
    t.add_argument("--key", required=True, metavar="KEY", help="the signer's private key (PEM)")
    t.add_argument("--name", required=True, help="the signer's name (common name)")
    t.add_argument("--org", help="the signer's authority (organisation)")
    t.add_argument("--out", required=True, metavar="DIR", help="folder to write into")
    t.add_argument("--now", metavar="DATETIME", help="start of validity (default: now)")
    passphrase_options(t)
    force_option(t)
    t.set_defaults(handler=_cmd_test_cert)


def _cmd_verify(args: argparse.Namespace) -> int:
    from eevidence.letter import load_certificates, verify_letter  # noqa: PLC0415

    roots = [c for path in args.trust_ca for c in load_certificates(path)]
    path = Path(args.file)
    try:
        if path.stat().st_size > _MAX_PDF:
            raise InputError("larger than 64 MiB: not a letter", source=args.file)
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the letter: {exc.strerror}", source=args.file) from None
    if not data.startswith(b"%PDF-"):
        raise InputError("not a PDF file", source=args.file)
    result = verify_letter(data, trust_roots=roots, path=args.file, now=now_of(args))
    if args.json:
        print_json(result.to_dict())
        return EXIT_OK if result.ok else EXIT_INVALID
    echo(f"letter {args.file}")
    if result.status in ("unsigned", "unreadable"):
        echo(f"  {result.summary()}")
        echo("NOT VERIFIED")
        return EXIT_INVALID
    yes_no = {True: "yes", False: "NO", None: "unknown"}
    echo(f"  signer: {result.signer}")
    echo(f"  signature: {result.status} (PAdES {result.level})")
    echo(f"  integrity: {'intact' if result.intact else 'CHANGED after signing'}")
    echo(f"  covers the whole document: {yes_no[result.whole_document]}")
    echo(f"  signing time (stated by the signer): {result.signing_time or 'none'}")
    if result.timestamp:
        echo(
            f"  timestamp (RFC 3161): {result.timestamp}, TSA trusted: "
            f"{yes_no[result.timestamp_trusted]}"
        )
    echo(f"  trusted: {yes_no[result.trusted]}")
    if result.signatures > 1:
        echo(f"  signatures in the file: {result.signatures} (the last one is reported)")
    if result.ok:
        echo("VERIFIED: intact, whole document, signed by a trusted certificate")
        return EXIT_OK
    echo(f"NOT VERIFIED: {result.problem or 'not trusted'}")
    return EXIT_INVALID


def _cmd_test_cert(args: argparse.Namespace) -> int:
    from cryptography.hazmat.primitives.serialization import Encoding  # noqa: PLC0415

    from eevidence.crypto import load_private_key  # noqa: PLC0415
    from eevidence.letter import ThrowawayCA  # noqa: PLC0415

    out = Path(args.out)
    ca_path, cert_path = out / "ca.pem", out / "cert.pem"
    for target in (ca_path, cert_path):
        new_output(target, "--out", force=args.force)
    key = load_private_key(args.key, passphrase=passphrase_of(args))
    ca = ThrowawayCA(now_of(args))
    cert = ca.issue(key.public_key(), args.name, args.org)
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(ca_path, ca.certificate.public_bytes(Encoding.PEM))
    write_atomic(cert_path, cert.public_bytes(Encoding.PEM))
    echo(f"{cert_path}: {cert.subject.rfc4514_string()} (NOT FOR REAL USE)")
    echo(f"{ca_path}: the throwaway CA to pass to 'letter verify --trust-ca'")
    return EXIT_OK
