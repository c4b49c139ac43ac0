"""Packages encrypted for their recipients: ``package build --encrypt-to``, ``package
decrypt`` and ``keys identity`` (age X25519 keys; decision 0020)."""

from __future__ import annotations

import argparse
import shutil
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from eevidence._cli._common import EXIT_OK, CliUsageError, echo
from eevidence._cli._options import now_of
from eevidence.errors import InputError, PackageError
from eevidence.package import (
    ENCRYPTED_SUFFIX,
    Recipient,
    decrypt_package,
    encrypt_package,
    generate_identity,
    read_identities,
    read_recipients,
    write_identity,
)

if TYPE_CHECKING:
    from eevidence.crypto import PublicKey

__all__ = [
    "encrypt_options",
    "encrypted_output",
    "recipients_of",
    "register_decrypt",
    "register_identity",
]

_DIRECTORY: str = "directory:"
_PROVIDER: str = "provider:"


def encrypt_options(q: argparse.ArgumentParser) -> None:
    """``--encrypt-to`` (repeatable) and ``--directory-root`` for ``package build``."""
    q.add_argument(
        "--encrypt-to",
        action="append",
        default=[],
        metavar="RECIPIENT",
        help="encrypt the signed package (age format) for RECIPIENT: an age X25519 public key "
        "(age1...), a recipients file (one age1... per line), or directory:FOLDER#ID (the "
        "encryption recipients of that authority in a directory verified with "
        "--directory-root); repeat for several recipients, any one of whom can decrypt. OUT "
        "is then an existing folder, where the file gets a random name ending in .age, or a "
        "new file ending in .age",
    )
    q.add_argument(
        "--directory-root",
        action="append",
        default=[],
        metavar="PUB",
        help="a root public key the directory of --encrypt-to directory:... is verified with",
    )


def _from_directory(spec: str, roots: list[str], now: datetime) -> list[Recipient]:
    """The encryption recipients an authority lists in a directory verified from ``roots``."""
    from eevidence.crypto import load_public_key  # noqa: PLC0415 - directory recipients only
    from eevidence.directory import verify_directory  # noqa: PLC0415

    folder, sep, authority_id = spec.removeprefix(_DIRECTORY).rpartition("#")
    if not sep or not folder or not authority_id:
        raise CliUsageError(f"--encrypt-to {spec}: write directory:FOLDER#AUTHORITY_ID")
    if not roots:
        raise CliUsageError(
            f"--encrypt-to {spec}: give --directory-root PUB (the directory's root public "
            "key, obtained out of band) to verify the directory with"
        )
    keys: list[PublicKey] = [load_public_key(r) for r in roots]
    directory = verify_directory(folder, keys, now=now).directory
    authority = directory.authority(authority_id)
    if authority is None:
        raise InputError(
            f"no authority {authority_id!r} in version {directory.version}", source=folder
        )
    listed = authority.encryption_recipients or ()
    if not listed:
        raise InputError(
            f"authority {authority_id!r} lists no encryption recipient (age1...)", source=folder
        )
    label = f"{folder}#{authority_id}"
    return [Recipient.parse(r, label=label) for r in listed]


def recipients_of(args: argparse.Namespace, now: datetime) -> list[Recipient]:
    """The recipients ``--encrypt-to`` names, each read and checked (none without it)."""
    found: list[Recipient] = []
    for spec in args.encrypt_to:
        if spec.startswith(_DIRECTORY):
            found.extend(_from_directory(spec, args.directory_root, now))
        elif spec.startswith(_PROVIDER):
            raise CliUsageError(
                f"--encrypt-to {spec}: provider profiles carry no encryption key (no provider "
                "publishes an age recipient); give the key the recipient sent you (age1...) "
                "or a recipients file"
            )
        elif spec.startswith("age1"):
            found.append(Recipient.parse(spec, label="--encrypt-to"))
        else:
            found.extend(read_recipients(spec))
    if args.directory_root and not any(s.startswith(_DIRECTORY) for s in args.encrypt_to):
        raise CliUsageError("--directory-root goes with --encrypt-to directory:FOLDER#ID")
    return found


def encrypted_output(out: str) -> Path:
    """Where ``-o`` puts an encrypted package: a new ``.age`` file, or a random name in an
    existing folder (so the name reveals nothing about the request)."""
    target = Path(out)
    if target.is_dir():
        return target
    if target.suffix != ENCRYPTED_SUFFIX:
        raise CliUsageError(
            "with --encrypt-to, -o is an existing folder (the file gets a random name) or a "
            f"new file ending in {ENCRYPTED_SUFFIX}"
        )
    if target.exists() or target.is_symlink():
        raise PackageError(
            "refusing to overwrite an existing path", code="exists", source=str(target)
        )
    return target


def build_encrypted(
    out: Path, recipients: list[Recipient], build: Callable[[Path], Path]
) -> tuple[Path, Path, Callable[[], None]]:
    """Build the signed zip package in a private temporary folder beside ``out`` (mode
    0700), then encrypt it to ``out``.

    Returns:
        The encrypted file, the plaintext package (for recording its digest), and a call
        that removes the plaintext.
    """
    parent = out if out.is_dir() else (out.parent if str(out.parent) else Path("."))
    tmp = Path(tempfile.mkdtemp(prefix=".eevidence-", dir=parent))

    def clean() -> None:
        shutil.rmtree(tmp, ignore_errors=True)

    try:
        plain = build(tmp / "package.zip")
        return encrypt_package(plain, out, recipients), plain, clean
    except BaseException:
        clean()
        raise


# --------------------------------------------------------------------------- commands


def register_decrypt(psub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``package decrypt``."""
    q = psub.add_parser(
        "decrypt",
        help="decrypt an encrypted package (age format) with your identity",
        description="Decrypt PACKAGE (an age file, as package build --encrypt-to writes) with "
        "the identities (AGE-SECRET-KEY-1...) in --identity, to OUT, which must not exist. "
        "OUT appears only once every chunk has been authenticated; then verify it with "
        "'eevidence package verify OUT'.",
    )
    q.add_argument("package", metavar="PACKAGE")
    q.add_argument(
        "--identity",
        "-i",
        action="append",
        required=True,
        metavar="FILE",
        help="an age identity file (as 'eevidence keys identity' writes it); repeatable",
    )
    q.add_argument("-o", "--output", required=True, metavar="OUT")
    q.set_defaults(handler=_cmd_decrypt)


def register_identity(ksub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``keys identity``."""
    q = ksub.add_parser(
        "identity",
        help="generate an encryption identity (age X25519, mode 0600) for receiving packages",
        description="Generate an age X25519 identity, the private key that opens packages "
        "encrypted to you, written as age writes it (mode 0600). Its recipient (age1...), "
        "the public half that senders encrypt to, is printed and written to --recipient.",
    )
    q.add_argument("-o", "--output", required=True, metavar="FILE")
    q.add_argument("--recipient", metavar="FILE", help="also write the recipient here")
    q.add_argument("--now", metavar="DATETIME", help="the creation time written (default: now)")
    q.set_defaults(handler=_cmd_identity)


def _cmd_decrypt(args: argparse.Namespace) -> int:
    identities = [i for path in args.identity for i in read_identities(path)]
    out = decrypt_package(args.package, args.output, identities)
    echo(f"decrypted to {out} ({out.stat().st_size} bytes); verify it with:")
    echo(f"  eevidence package verify {out} --trust TRUST")
    return EXIT_OK


def _cmd_identity(args: argparse.Namespace) -> int:
    from eevidence._internal.fs import write_atomic  # noqa: PLC0415

    identity = generate_identity()
    if args.recipient and Path(args.recipient).exists():
        raise PackageError(
            "refusing to overwrite an existing path", code="exists", source=args.recipient
        )
    write_identity(identity, args.output, now=now_of(args))
    if args.recipient:
        write_atomic(args.recipient, f"{identity.recipient}\n".encode("ascii"))
    echo(f"identity written to {args.output} (mode 0600); recipient: {identity.recipient}")
    return EXIT_OK
