"""Co-signing a package: one more DSSE signature over the same tag manifest.

A validating authority (or a second officer) adds its signature only to a package that
verifies: its signatures hold against the co-signer's trust store (at least ``threshold``
distinct trusted keys), every file is covered by the signed tag manifest, and its fixity
holds. The envelope file is replaced atomically, and a zip package is rewritten entry by
entry in its original order so that every other byte stays the same.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from cryptography import x509

from eevidence._internal.fs import CHUNK, write_atomic
from eevidence.crypto import (
    Envelope,
    EnvelopeSignature,
    Signer,
    TrustStore,
    key_id,
    verify_signature,
)
from eevidence.errors import InputError, PackageError
from eevidence.package._bag import ZIP_ERRORS, PackageLimits, ZipReader, reading
from eevidence.package._build import chain_der
from eevidence.package._layout import SIGNATURE_FILE, ZIP_FILE_MODE, ZIP_TIME
from eevidence.package._verify import evaluate

__all__ = ["sign_package"]


def sign_package(
    path: str | os.PathLike[str],
    signer: Signer,
    *,
    trust: TrustStore,
    threshold: int = 1,
    limits: PackageLimits | None = None,
    workers: int | None = None,
    certificates: Sequence[x509.Certificate] = (),
) -> Envelope:
    """Add ``signer``'s signature to a package (a co-signature, e.g. a validating authority).

    The package must verify first, exactly as :func:`~eevidence.package.verify_package`
    checks it against ``trust`` and ``threshold``: nobody co-signs a package that is
    unsigned, signed by keys they do not trust, holds a file its signatures do not cover,
    or whose files do not match its manifests. The new signature covers the same DSSE
    pre-authentication encoding as the others (payload type and tag manifest bytes). The
    signature envelope is replaced atomically; in a zip, every other entry is copied
    unchanged, in order.

    Args:
        path: A package directory or zip file built by eevidence.
        signer: The co-signer; its key must not have signed the package already.
        trust: The keys whose signatures make the package acceptable to co-sign (the
            co-signer's trust store, e.g. the issuing officers' public keys).
        threshold: Distinct trusted keys that must have signed already (at least 1).
        limits: Bounds checked before reading; ``None`` for the defaults.
        workers: Threads hashing payload files; ``None`` for the CPU count (up to 8).
        certificates: The co-signer's X.509 chain (leaf first, then intermediates), carried
            in its envelope signature; the leaf's public key must be the signer's. Not
            signed and never trusted without path validation.

    Returns:
        The new envelope (the old signatures followed by the new one).

    Raises:
        PackageError: ``not_signable`` (the package does not verify: the message gives the
            first reasons of its report); ``already_signed``; ``unwritable`` or
            ``corrupt_entry`` when the zip cannot be rewritten; any code of
            :func:`open_reader` when the package cannot be read.
        InputError: ``threshold`` is below 1, the chain's leaf is not the signer's
            certificate, or the directory package's envelope file cannot be written.
    """
    if threshold < 1:
        raise InputError(f"threshold must be at least 1, got {threshold}")
    chain = chain_der(signer.public_key, certificates)
    p = Path(path)
    with reading(p, limits) as reader:
        report, env = evaluate(
            reader,
            trust,
            threshold=threshold,
            limits=limits or PackageLimits(),
            workers=workers,
            progress=None,
            fixity_only=False,
        )
        if not report.ok or env is None:
            raise PackageError(
                "refusing to sign, the package does not verify: " + "; ".join(report.reasons()[:5]),
                code="not_signable",
                source=str(p),
            )
        new_keyid = key_id(signer.public_key)
        signed = env.signed_bytes()
        if any(
            s.keyid == new_keyid or verify_signature(signer.public_key, s.sig, signed)
            for s in env.signatures
        ):
            raise PackageError(
                "the package already carries a signature by this key",
                code="already_signed",
                source=str(p),
            )
        env = env.with_signature(EnvelopeSignature(new_keyid, signer.sign(signed), chain))
        if isinstance(reader, ZipReader):
            _rewrite_zip(p, reader, env.to_bytes())
        else:
            write_atomic(p / SIGNATURE_FILE, env.to_bytes())
    return env


def _rewrite_zip(path: Path, reader: ZipReader, envelope: bytes) -> None:
    """Copy a package zip file by file (in sorted order, as built), replacing the signature
    envelope, then rename the copy over the original."""
    parent = path.parent if str(path.parent) else Path(".")
    fd, tmpname = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    try:
        with os.fdopen(fd, "w+b") as fh:
            with zipfile.ZipFile(fh, "w", allowZip64=True) as dst:
                for name, size in sorted(reader.entries().items()):
                    new = zipfile.ZipInfo(reader.member_name(name), date_time=ZIP_TIME)
                    new.create_system = 3
                    new.external_attr = ZIP_FILE_MODE
                    if name == SIGNATURE_FILE:
                        dst.writestr(new, envelope)
                        continue
                    new.file_size = size
                    big = size > 0x7FFF0000
                    with reader.open(name) as r, dst.open(new, "w", force_zip64=big) as w:
                        shutil.copyfileobj(r, w, CHUNK)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmpname, 0o644)
        os.replace(tmpname, path)
    except BaseException as exc:
        Path(tmpname).unlink(missing_ok=True)
        if isinstance(exc, ZIP_ERRORS) and not isinstance(exc, PackageError):
            code = "unwritable" if isinstance(exc, OSError) else "corrupt_entry"
            raise PackageError(
                f"cannot rewrite the package: {exc}", code=code, source=str(path)
            ) from None
        raise
