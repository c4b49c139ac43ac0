"""``eevidence keys`` and ``eevidence package``: keys, signed packages, verification."""

from __future__ import annotations

import argparse
import shlex
import shutil
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from eevidence._cli._common import EXIT_INVALID, EXIT_OK, CliUsageError, echo, print_json
from eevidence._cli._encryption import (
    build_encrypted,
    encrypt_options,
    encrypted_output,
    recipients_of,
    register_decrypt,
    register_identity,
)
from eevidence._cli._options import (
    actor_options,
    now_of,
    passphrase_of,
    passphrase_options,
    progress,
    store_of,
)
from eevidence._cli._trust import trust_of, trust_option
from eevidence.crypto import (
    KEY_TYPES,
    KeySigner,
    TrustStore,
    generate_private_key,
    key_id,
    load_private_key,
    load_trust_store,
    write_key_pair,
    write_private_key,
    write_public_key,
)
from eevidence.package import (
    PackageLimits,
    build_package,
    inspect_package,
    package_report,
    sign_package,
)
from eevidence.request import LETTER_LANGUAGES as LANGUAGES

if TYPE_CHECKING:
    from cryptography import x509

    from eevidence.request import RequestingAuthority

__all__ = ["demo_step", "register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    k = sub.add_parser("keys", help="generate signing keys and export public keys")
    ksub = k.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    q = ksub.add_parser(
        "generate",
        help="generate a private key (PKCS#8 PEM, mode 0600)",
        description="Generate a private key. With a passphrase (environment variable or "
        "prompt) the PEM is encrypted. The key id (SHA-256 of the public key) is printed.",
    )
    q.add_argument("--type", choices=KEY_TYPES, default="ed25519", help="default: ed25519")
    q.add_argument("-o", "--output", required=True, metavar="KEY")
    q.add_argument("--public", metavar="PUB", help="also write the public key here")
    passphrase_options(q)
    q.set_defaults(handler=_cmd_generate)
    q = ksub.add_parser(
        "public", aliases=["export-public"], help="write the public key of a private key"
    )
    q.add_argument("key", metavar="KEY")
    q.add_argument("-o", "--output", required=True, metavar="PUB")
    passphrase_options(q)
    q.set_defaults(handler=_cmd_public)
    register_identity(ksub)

    p = sub.add_parser("package", help="build, sign, inspect and verify signed request packages")
    psub = p.add_subparsers(dest="package_command", metavar="ACTION", required=True)
    q = psub.add_parser(
        "build",
        help="build a signed BagIt package from a request",
        description="Build a BagIt 1.0 package holding the request's canonical bytes and its "
        "attachments, signed by every --key. OUT ending in .zip gives a deterministic zip; "
        "otherwise a directory. OUT must not exist.",
    )
    q.add_argument("request", metavar="REQUEST")
    q.add_argument("--key", action="append", required=True, metavar="KEY")
    _cert_option(q, "repeat for several --key; each goes with the key its first certificate is for")
    q.add_argument(
        "--attach",
        action="append",
        default=[],
        metavar="FILE",
        help="a file the request lists in its attachments",
    )
    q.add_argument(
        "--document",
        action="append",
        default=[],
        metavar="FILE",
        help="a rendered document (e.g. the letter) to include",
    )
    q.add_argument(
        "--letter-lang",
        action="append",
        default=[],
        choices=LANGUAGES,
        metavar="LANG",
        help="also include the PDF letter in LANG (en, fr, es, ar); the letter in the "
        "request's language is included by default",
    )
    q.add_argument(
        "--no-letter", action="store_true", help="do not include the rendered PDF letter"
    )
    q.add_argument("-o", "--output", required=True, metavar="OUT")
    q.add_argument("--now", metavar="DATETIME", help="package creation time (default: now)")
    q.add_argument("--quiet", action="store_true", help="no progress bar")
    passphrase_options(q)
    _record_options(q)
    encrypt_options(q)
    q.set_defaults(handler=_cmd_build)
    q = psub.add_parser(
        "sign",
        help="add a co-signature (e.g. the validating authority's)",
        description="Verify the package against the trust store (signatures, signed coverage "
        "and fixity), then add a signature by KEY to its envelope. A package that does not "
        "verify is not co-signed.",
    )
    q.add_argument("package", metavar="PATH")
    q.add_argument("--key", required=True, metavar="KEY")
    _cert_option(q, "the first certificate must be for KEY")
    trust_option(q, "whose signatures make the package acceptable to co-sign")
    q.add_argument(
        "--threshold",
        type=int,
        default=1,
        metavar="N",
        help="distinct trusted keys that must have signed already (default: 1)",
    )
    passphrase_options(q)
    _record_options(q)
    q.set_defaults(handler=_cmd_sign)
    q = psub.add_parser(
        "verify",
        help="verify fixity and signatures against a trust store",
        description="Verify every file against the manifests and the envelope's signatures "
        "against the trusted keys in --trust. Exit 0 only when everything holds and at least "
        "--threshold distinct trusted keys signed.",
    )
    q.add_argument("package", metavar="PATH")
    trust_option(q, "that may sign the package")
    q.add_argument(
        "--threshold",
        type=int,
        default=1,
        metavar="N",
        help="distinct trusted keys that must have signed (default: 1)",
    )
    q.add_argument(
        "--letter-ca",
        action="append",
        default=[],
        metavar="PEM",
        help="a certificate authority the PAdES signatures of the package's PDF letters must "
        "chain to (repeat for several; without it their trust is not judged); informative: "
        "it does not change whether the package verifies",
    )
    q.add_argument("--json", action="store_true", help="print the full report as JSON")
    q.add_argument("--quiet", action="store_true", help="no progress bar")
    q.set_defaults(handler=_cmd_verify)
    q = psub.add_parser("inspect", help="show a package's metadata and files (no verification)")
    q.add_argument("package", metavar="PATH")
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=_cmd_inspect)
    register_decrypt(psub)


# --------------------------------------------------------------------------- keys


def _cert_option(q: argparse.ArgumentParser, which: str) -> None:
    q.add_argument(
        "--cert",
        action="append",
        default=[],
        metavar="CHAIN.pem",
        help="the signer's X.509 certificate chain in PEM, leaf first, then intermediates, "
        f"carried in its signature for recipients that trust the issuing CA ({which})",
    )


def _read_chain(path: str) -> list[x509.Certificate]:
    """The PEM certificates of ``path``, in file order (a chain: leaf first)."""
    from cryptography import x509  # noqa: PLC0415 - only with --cert

    from eevidence.errors import InputError  # noqa: PLC0415

    try:
        with open(path, "rb") as fh:
            data = fh.read(1 << 20)
        chain = x509.load_pem_x509_certificates(data)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=path) from None
    except ValueError:
        raise InputError("not a PEM certificate chain", source=path) from None
    return chain


def _cmd_generate(args: argparse.Namespace) -> int:
    key = generate_private_key(args.type)
    passphrase = passphrase_of(args, confirm=True)
    if args.public:  # both halves or neither
        write_key_pair(key, args.output, args.public, passphrase=passphrase)
    else:
        write_private_key(key, args.output, passphrase=passphrase)
    print(f"{args.type} key {key_id(key.public_key())} written to {args.output}")
    return EXIT_OK


def _cmd_public(args: argparse.Namespace) -> int:
    key = load_private_key(args.key, passphrase=passphrase_of(args))
    write_public_key(key, args.output)
    print(f"public key {key_id(key.public_key())} written to {args.output}")
    return EXIT_OK


# --------------------------------------------------------------------------- packages


def _cmd_build(args: argparse.Namespace) -> int:
    from eevidence._cli._render import letter_documents  # noqa: PLC0415 - build only
    from eevidence.request import read_request  # noqa: PLC0415

    request = read_request(args.request)
    passphrase = passphrase_of(args)
    signers = [KeySigner.from_file(k, passphrase=passphrase) for k in args.key]
    total = sum(Path(f).stat().st_size for f in [*args.attach, *args.document] if Path(f).is_file())
    now = now_of(args)
    recipients = recipients_of(args, now)
    target = encrypted_output(args.output) if recipients else Path(args.output)
    documents = [*args.document, *([] if args.no_letter else letter_documents(request, args))]
    chains = [_read_chain(c) for c in args.cert]
    bar = progress(total, args.quiet)

    def build(path: Path) -> Path:
        return build_package(
            request,
            path,
            signers=signers,
            now=now,
            attachments=args.attach,
            documents=documents,
            progress=bar,
            certificates=chains,
        )

    plain: Path | None = None
    clean = None
    if recipients:  # signed, then encrypted: the signatures stay inside
        out, plain, clean = build_encrypted(target, recipients, build)
    else:
        out = build(target)
    if bar:
        bar.finish()
    # A package is left only with its custody entry: when recording fails or is
    # interrupted (Ctrl-C) before the entry is committed, the package is removed.
    committed: list[str] = []
    try:
        _trust_signers(signers, now, "package build")
        _record_signing(
            args,
            signers[0],
            Path(out),
            f"request {request.id} packaged, {len(signers)} signature(s)"
            + (f", encrypted for {len(recipients)} recipient(s)" if recipients else ""),
            committed,
            authority=request.authority,
            signed=plain,
        )
    except BaseException:
        if not committed and not args.no_record:
            _remove(Path(out))
        raise
    finally:
        if clean is not None:
            clean()
    for line in committed:
        print(line)
    print(
        f"package {out} built, signed by {len(signers)} key(s): "
        + ", ".join(s.keyid[:16] for s in signers)
        + (f"; encrypted for {len(recipients)} recipient(s)" if recipients else "")
    )
    return EXIT_OK


def _remove(path: Path) -> None:
    """Remove a package that was built but could not be recorded (file or directory)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _trust_signers(signers: list[KeySigner], now: datetime, what: str) -> None:
    """Record the keys a package command signed with as trusted custody signers."""
    from eevidence._cli._trust import trust_signer  # noqa: PLC0415 - recording only

    for signer in signers:
        trust_signer(signer.public_key, now, f"{what} --key (key {signer.keyid[:16]})")


def _record_options(q: argparse.ArgumentParser) -> None:
    q.add_argument(
        "--store",
        metavar="PATH|URL",
        help="custody log to record the signing in (default: the tracking store)",
    )
    q.add_argument("--no-record", action="store_true", help="do not record it in the custody log")
    actor_options(q, "who signs, in the custody entry")


def _package_digest(path: Path) -> str:
    """SHA-256 of a zip package, or of a directory package's tag manifest (which pins it)."""
    from eevidence.custody import sha256_file  # noqa: PLC0415 - recording only

    return sha256_file(path / "tagmanifest-sha256.txt" if path.is_dir() else path)[0]


def _record_signing(
    args: argparse.Namespace,
    signer: KeySigner,
    path: Path,
    note: str,
    committed: list[str],
    *,
    authority: RequestingAuthority | None = None,
    signed: Path | None = None,
) -> None:
    """Record the signing in the custody log, signed by the same key as the package.

    ``signed`` is the signed package whose digest is recorded when ``path`` is its encrypted
    form (the digest then names what decryption gives back).

    As soon as the entry is committed, the line to print is appended to ``committed`` (so
    a caller interrupted later knows the entry exists). Nothing with ``--no-record``.
    """
    if args.no_record:
        return
    from eevidence._cli._custody_hook import record_for  # noqa: PLC0415 - recording only

    store = store_of(args)
    try:
        entry = record_for(
            args,
            store,
            "request_signed",
            f"package/{path.name}",
            now=now_of(args),
            object_sha256=_package_digest(signed or path),
            note=note,
            signer=signer,
            authority=authority,
        )
        committed.append(f"custody entry {entry.seq} recorded in {store.location}")
    finally:
        store.close()


def _cmd_sign(args: argparse.Namespace) -> int:
    if args.threshold < 1:
        raise CliUsageError("--threshold must be at least 1")
    trust = trust_of(args, args.package)
    signer = KeySigner.from_file(args.key, passphrase=passphrase_of(args))
    if len(args.cert) > 1:
        raise CliUsageError("package sign takes one --cert (the chain of KEY)")
    chain = _read_chain(args.cert[0]) if args.cert else []
    env = sign_package(
        args.package, signer, trust=trust, threshold=args.threshold, certificates=chain
    )
    _trust_signers([signer], now_of(args), "package sign")
    committed: list[str] = []
    note = f"co-signature by {signer.keyid[:16]}"
    _record_signing(args, signer, Path(args.package), note, committed)
    for line in committed:
        print(line)
    print(
        f"signature by {signer.keyid[:16]} added; the package now has "
        f"{len(env.signatures)} signature(s)"
    )
    return EXIT_OK


def _cmd_verify(args: argparse.Namespace) -> int:
    if args.threshold < 1:
        raise CliUsageError("--threshold must be at least 1")
    trust = trust_of(args, args.package)
    total = 0
    if not args.quiet and sys.stderr.isatty():
        try:
            total = sum(s for _, s in inspect_package(args.package, limits=PackageLimits()).files)
        except Exception:
            total = 0
    letter_cas = []
    if args.letter_ca:
        from eevidence.letter import load_certificates  # noqa: PLC0415 - letters' CAs only

        letter_cas = [c for path in args.letter_ca for c in load_certificates(path)]
    bar = progress(total, args.quiet)
    report = package_report(
        args.package, trust, threshold=args.threshold, progress=bar, letter_cas=letter_cas
    )
    if bar:
        bar.finish()
    if args.json:
        print_json(report.to_dict())
        return EXIT_OK if report.ok else EXIT_INVALID
    info = dict(report.info)
    ok_files = sum(f.status == "ok" for f in report.files)
    echo(f"package {report.source} ({report.form or 'unreadable'})")
    if info.get("External-Identifier"):
        echo(
            f"  request {info.get('External-Identifier')} "
            f"{info.get('EEvidence-Request-Kind', '')} to {info.get('EEvidence-Provider', '')}"
        )
    echo(f"  files: {ok_files} of {len(report.files)} ok")
    for s in report.signatures:
        who = s.keyid or s.keyid_hint
        echo(f"  signature {s.index}: {s.status} ({who[:16]})")
    echo(
        f"  policy: {len(report.valid_signers)} trusted signer(s), {report.threshold} "
        f"required: {'met' if report.policy_met else 'NOT MET'}"
    )
    for letter in report.letters:  # the PDF letters' own (PAdES) signatures, informative
        echo(f"  letter {letter.path}: {letter.summary()}")
    if report.ok:
        echo("VERIFIED: complete, unaltered and signed by trusted keys")
        return EXIT_OK
    echo("NOT VERIFIED:")
    for reason in report.reasons():
        echo(f"  - {reason}")
    return EXIT_INVALID


def _cmd_inspect(args: argparse.Namespace) -> int:
    info = inspect_package(args.package)
    if args.json:
        print_json(info.to_dict())
        return EXIT_OK
    echo(f"package {info.source} ({info.form}) - not verified; use 'eevidence package verify'")
    for label, value in info.info:
        echo(f"  {label}: {value}")
    echo(f"  {len(info.files)} file(s):")
    for path, size in info.files:
        echo(f"    {size:>12}  {path}")
    for hint in info.keyid_hints:
        echo(f"  signature key id (as written in the package): {hint}")
    return EXIT_OK


# --------------------------------------------------------------------------- demo


def placeholder_pdf(text: str) -> bytes:
    """A minimal one-page PDF showing ``text`` (ASCII), for demos and tests."""
    safe = "".join(c for c in text if 32 <= ord(c) < 127 and c not in "()\\")
    stream = f"BT /F1 12 Tf 72 720 Td ({safe}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def demo_step(out: Path, request_path: Path, now: datetime) -> bool:
    """Build, co-sign and verify the example preservation request package in ``out``.

    Two fresh Ed25519 keys (an issuing officer and a validating authority) are written to
    ``out/keys`` (mode 0600) and their public keys to ``out/trust``, the demo's trust store:
    beside the packages in ``out/package``, never inside them, as a verifier keeps it.
    """
    base = out / "package"
    key_dir, trust_dir = out / "keys", out / "trust"
    for folder in (base, key_dir, trust_dir):
        folder.mkdir(parents=True, exist_ok=True)
    signers = []
    for role in ("officer", "validator"):
        key_path = key_dir / f"{role}-key.pem"
        key_path.unlink(missing_ok=True)
        (trust_dir / f"{role}.pem").unlink(missing_ok=True)  # the demo's own keys, renewed
        key = generate_private_key("ed25519")
        write_private_key(key, key_path)
        write_public_key(key, trust_dir / f"{role}.pem")
        signers.append(KeySigner(key))
    officer, validator = signers
    from eevidence.request import read_request  # noqa: PLC0415

    request = read_request(request_path)
    attachments = []
    for att in request.attachments:
        target = base / "attachments" / att.name
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(placeholder_pdf(f"Example attachment {att.name} (placeholder)"))
        attachments.append(target)
    package = base / f"{request.kind}-{request.id[:8]}.zip"
    package.unlink(missing_ok=True)
    # the letter signed (PAdES) in the letter step travels in the package
    letters = sorted((out / "letters").glob(f"{request_path.stem}.*.signed.pdf"))
    build_package(
        request,
        package,
        signers=[officer],
        now=now,
        attachments=attachments,
        documents=letters,
    )
    print(
        f"  built {package} ({package.stat().st_size} bytes), signed by the officer's key "
        f"{officer.keyid[:16]}..."
    )
    trust = load_trust_store(trust_dir)
    sign_package(package, validator, trust=trust)
    print(f"  co-signed by the validating authority's key {validator.keyid[:16]}...")
    ca_file = out / "letters" / "throwaway-ca.pem"
    letter_cas = []
    if ca_file.exists():
        from eevidence.letter import load_certificates  # noqa: PLC0415 - demo only

        letter_cas = load_certificates(ca_file)
    report = package_report(package, trust, threshold=2, letter_cas=letter_cas)
    echo(
        f"  verify against {trust_dir}, 2 signatures required: "
        f"{'VERIFIED' if report.ok else 'FAILED'} ({len(report.files)} files, "
        f"{len(report.valid_signers)} trusted signature(s))"
    )
    for letter in report.letters:
        echo(f"  letter {letter.path}: {letter.summary()}")
    command = shlex.join(
        ["eevidence", "package", "verify", str(package), "--trust", str(trust_dir)]
    )
    echo(f"  try: {command} --threshold 2")
    echo(
        f"  trusted keys live outside every package ({trust_dir}); `track add` and `submit` "
        "check a package against them too"
    )
    return report.ok and _demo_encrypt(out, package, trust, now)


def _demo_encrypt(out: Path, package: Path, trust: TrustStore, now: datetime) -> bool:
    """Encrypt the demo package for a recipient (age, X25519), then decrypt it with the
    recipient's identity and verify the result as before: the signatures travel inside."""
    from eevidence.package import (  # noqa: PLC0415 - demo only
        decrypt_package,
        encrypt_package,
        generate_identity,
        write_identity,
    )

    base = out / "encrypted"
    base.mkdir(parents=True, exist_ok=True)
    identity = generate_identity()
    id_path = out / "keys" / "recipient-identity.txt"
    id_path.unlink(missing_ok=True)  # the demo's own identity, renewed
    write_identity(identity, id_path, now=now)
    for old in base.glob("*.age"):
        old.unlink()
    sealed = encrypt_package(package, base, [identity.recipient])
    echo(
        f"  encrypted for the recipient {str(identity.recipient)[:16]}...: {sealed} (the name "
        "says nothing of the request)"
    )
    opened = base / "decrypted.zip"
    opened.unlink(missing_ok=True)
    decrypt_package(sealed, opened, [identity])
    report = package_report(opened, trust, threshold=2)
    echo(f"  decrypted with {id_path} and verified: {'VERIFIED' if report.ok else 'FAILED'}")
    command = ["eevidence", "package", "decrypt", str(sealed), "--identity", str(id_path)]
    echo(f"  try: {shlex.join([*command, '-o', 'opened.zip'])}")
    return report.ok
