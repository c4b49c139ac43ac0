"""Co-signing a package: one more DSSE signature over the same tag manifest.

A validating authority (or a second officer) adds its signature after checking the
package's fixity; the envelope file is replaced atomically, and a zip package is rewritten
entry by entry in its original order so that every other byte stays the same.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from eevidence._internal.fs import CHUNK, write_atomic
from eevidence.crypto import Envelope, EnvelopeSignature, Signer, key_id
from eevidence.errors import PackageError
from eevidence.package._bag import ZIP_ERRORS, PackageLimits, ZipReader, reading
from eevidence.package._layout import (
    PAYLOAD_TYPE,
    SIGNATURE_FILE,
    TAGMANIFEST,
    ZIP_FILE_MODE,
    ZIP_TIME,
)
from eevidence.package._verify import check_files, parse_tags

__all__ = ["sign_package"]


def sign_package(
    path: str | os.PathLike[str],
    signer: Signer,
    *,
    limits: PackageLimits | None = None,
    workers: int | None = None,
) -> Envelope:
    """Add ``signer``'s signature to a package (a co-signature, e.g. a validating authority).

    The package's fixity is checked first: nobody signs a package whose files do not match
    its manifests. The new signature covers the same DSSE pre-authentication encoding as the
    others (payload type and tag manifest bytes). The signature envelope is replaced
    atomically; in a zip, every other entry is copied unchanged, in order. Existing
    signatures are not checked (that needs a trust store: use :func:`verify_package`).

    Args:
        path: A package directory or zip file built by eevidence.
        signer: The co-signer; its key must not have signed the package already.
        limits: Bounds checked before reading; ``None`` for the defaults.
        workers: Threads hashing payload files; ``None`` for the CPU count (up to 8).

    Returns:
        The new envelope (the old signatures followed by the new one).

    Raises:
        PackageError: ``not_signable`` (a file does not match its manifest, a structural
            problem, no envelope, or an envelope that does not sign this package's tag
            manifest); ``already_signed``; ``unwritable`` or ``corrupt_entry`` when the
            zip cannot be rewritten; any code of :func:`open_reader` when the package
            cannot be read.
        InputError: The directory package's envelope file cannot be written.
    """
    p = Path(path)
    with reading(p, limits) as reader:
        parsed = parse_tags(reader, limits or PackageLimits())
        files = check_files(reader, parsed, workers, None)
        bad = [f"{f.status}: {f.path}" for f in files if f.status != "ok"]
        bad += [f"{pr.code}: {pr.message}" for pr in parsed.problems]
        env = parsed.envelope
        if env is None:
            bad.append("no signature envelope (build the package with eevidence first)")
        elif env.payload != parsed.tag_bytes.get(TAGMANIFEST) or env.payload_type != PAYLOAD_TYPE:
            bad.append("the envelope does not sign this package's tag manifest")
        if bad:
            raise PackageError(
                "refusing to sign: " + "; ".join(bad[:5]), code="not_signable", source=str(p)
            )
        assert env is not None  # noqa: S101
        new_keyid = key_id(signer.public_key)
        if any(s.keyid == new_keyid for s in env.signatures):
            raise PackageError(
                "the package already carries a signature by this key",
                code="already_signed",
                source=str(p),
            )
        env = env.with_signature(EnvelopeSignature(new_keyid, signer.sign(env.signed_bytes())))
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
