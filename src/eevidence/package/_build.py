"""Building a signed package: payload collected and checked, files written in one pass.

Each payload file is copied and hashed in the same read; a directory package copies its
files concurrently, a zip package writes its entries in sorted order. The tag files follow
RFC 8493 (``bagit.txt`` section 2.1.1, ``bag-info.txt`` section 2.2.2, manifests sections
2.1.3 and 2.2.1); the envelope follows the DSSE specification (v1.0: the signature covers
the pre-authentication encoding of the payload type and the tag manifest's bytes). The
layout is described in :mod:`eevidence.package._layout`.

The request codec is imported only when a package is built, so that verification never
loads the request models.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final, Literal

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from eevidence._internal.fs import FILE_NAME, thread_buffer
from eevidence._version import __version__
from eevidence.crypto import Envelope, EnvelopeSignature, PublicKey, Signer, key_id
from eevidence.errors import InputError, PackageError
from eevidence.package._hash import Progress, default_workers
from eevidence.package._layout import (
    BAGIT_TXT,
    PAYLOAD_TYPE,
    SIGNATURE_FILE,
    SIZES_FILE,
    TAGMANIFEST,
    ZIP_FILE_MODE,
    ZIP_TIME,
)
from eevidence.package._tagfiles import encode_path

if TYPE_CHECKING:
    from eevidence.request import Request

__all__ = ["build_package"]

_NAME_RE: Final = re.compile(f"^{FILE_NAME}$")


@dataclass
class _PayloadItem:
    rel: str
    data: bytes | None = None
    path: Path | None = None
    size: int = 0
    digest: str = ""


def _check_name(name: str, what: str) -> None:
    if not _NAME_RE.match(name) or name.endswith((".", " ")):
        raise PackageError(
            f"{what} name {name!r} is not a plain file name (letters, digits, '.', '_', '-', "
            "space)",
            code="bad_name",
        )


def _collect(
    request: Request,
    attachments: Sequence[str | os.PathLike[str]],
    documents: Sequence[str | os.PathLike[str] | tuple[str, bytes]],
) -> list[_PayloadItem]:
    from eevidence.request import canonical_bytes  # noqa: PLC0415 - verification stays light

    items = [_PayloadItem("data/request.json", data=canonical_bytes(request))]
    declared = {a.name: a for a in request.attachments}
    seen: set[str] = set()
    for raw in attachments:
        p = Path(raw)
        _check_name(p.name, "attachment")
        if p.name.casefold() in seen:
            raise PackageError(f"two attachments are named {p.name!r}", code="bad_name")
        seen.add(p.name.casefold())
        if p.name not in declared:
            raise PackageError(
                f"attachment {p.name!r} is not listed in the request's attachments",
                code="undeclared_attachment",
                source=str(p),
            )
        items.append(_PayloadItem(f"data/attachments/{p.name}", path=p))
    missing = sorted(n for n in declared if n.casefold() not in seen)
    if missing:
        raise PackageError(
            f"the request lists attachments that were not given: {', '.join(missing)} "
            "(give each with --attach FILE)",
            code="missing_attachment",
            source=f"request {request.id}",
        )
    seen_docs: set[str] = set()
    for doc in documents:
        if isinstance(doc, tuple):
            name, data = doc
            item = _PayloadItem(f"data/documents/{name}", data=data)
        else:
            name = Path(doc).name
            item = _PayloadItem(f"data/documents/{name}", path=Path(doc))
        _check_name(name, "document")
        if name.casefold() in seen_docs:
            raise PackageError(f"two documents are named {name!r}", code="bad_name")
        seen_docs.add(name.casefold())
        items.append(item)
    for item in items:
        if item.data is not None:
            item.size = len(item.data)
            continue
        assert item.path is not None  # noqa: S101 - set above for every non-bytes item
        try:
            st = item.path.stat()
        except OSError as exc:
            raise PackageError(
                f"cannot read: {exc.strerror or exc}", code="unreadable", source=str(item.path)
            ) from None
        if not item.path.is_file():
            raise PackageError("not a regular file", code="unreadable", source=str(item.path))
        item.size = st.st_size
    for item in items:
        att = declared.get(item.rel.removeprefix("data/attachments/"))
        if item.rel.startswith("data/attachments/") and att is not None and att.sha256:
            item.digest = att.sha256  # checked against the copied bytes
    return items


def _bag_info(request: Request, items: Sequence[_PayloadItem], now: datetime) -> bytes:
    total = sum(i.size for i in items)
    lines = [
        ("Bag-Software-Agent", f"eevidence {__version__}"),
        ("Bagging-Date", now.date().isoformat()),
        ("External-Identifier", request.id),
        ("Payload-Oxum", f"{total}.{len(items)}"),
        ("EEvidence-Request-Kind", request.kind),
        ("EEvidence-Provider", request.provider),
        ("EEvidence-Request-Created", request.created_at.isoformat()),
        ("EEvidence-Package-Created", now.isoformat()),
        ("EEvidence-Package-Format", "1"),
    ]
    return "".join(f"{k}: {v}\n" for k, v in lines).encode("utf-8")


def _manifest(digests: dict[str, str]) -> bytes:
    return "".join(f"{digests[p]}  {encode_path(p)}\n" for p in sorted(digests)).encode("utf-8")


def chain_der(public_key: PublicKey, chain: Sequence[x509.Certificate]) -> tuple[bytes, ...]:
    """A signer's certificate chain as DER, for its envelope signature (leaf first).

    Only the leaf is checked here: its public key must be the signing key. The chain is not
    signed and is never trusted by itself; a recipient validates the path to a certificate
    authority it lists.

    Raises:
        InputError: the leaf's public key is not ``public_key``, or the chain is longer
            than 8 certificates.
    """
    if not chain:
        return ()
    if len(chain) > 8:
        raise InputError("a certificate chain has at most 8 certificates (leaf first)")
    if key_id(chain[0].public_key()) != key_id(public_key):  # type: ignore[arg-type]
        raise InputError(
            f"the first certificate ({chain[0].subject.rfc4514_string()}) is not for the "
            f"signing key {key_id(public_key)[:16]}: a chain starts with the signer's own "
            "certificate"
        )
    return tuple(c.public_bytes(Encoding.DER) for c in chain)


def _chains_by_signer(
    signers: Sequence[Signer], certificates: Sequence[Sequence[x509.Certificate]]
) -> dict[str, tuple[bytes, ...]]:
    """Each chain as DER, by the key id of the signer whose key its leaf certifies."""
    by_key = {key_id(s.public_key): s.public_key for s in signers}
    chains: dict[str, tuple[bytes, ...]] = {}
    for chain in certificates:
        if not chain:
            continue
        leaf = key_id(chain[0].public_key())  # type: ignore[arg-type]
        if leaf not in by_key or leaf in chains:
            raise InputError(
                f"the certificate {chain[0].subject.rfc4514_string()} is not for one signing "
                "key (each chain starts with the certificate of one signer's key)"
            )
        chains[leaf] = chain_der(by_key[leaf], chain)
    return chains


def _sign_envelope(
    tagmanifest: bytes,
    signers: Sequence[Signer],
    certificates: Sequence[Sequence[x509.Certificate]] = (),
) -> Envelope:
    chains = _chains_by_signer(signers, certificates)
    env = Envelope(PAYLOAD_TYPE, tagmanifest, ())
    for s in signers:
        keyid = key_id(s.public_key)
        env = env.with_signature(
            EnvelopeSignature(
                keyid,
                s.sign(env.signed_bytes()),
                chains.get(keyid, ()),
            )
        )
    return env


class _Writer:
    """Writes files of a package in sorted order, copying and hashing payloads in one pass."""

    def write_bytes(self, rel: str, data: bytes) -> None:
        raise NotImplementedError

    def write_file(self, rel: str, src: Path, size: int, progress: Progress | None) -> str:
        raise NotImplementedError


def _copy_hash(src: Path, dst: IO[bytes], size: int, progress: Progress | None) -> str:
    h = hashlib.sha256()
    buf = thread_buffer()
    copied = 0
    try:
        with src.open("rb", buffering=0) as fh:
            while n := fh.readinto(buf):
                h.update(buf[:n])
                dst.write(buf[:n])
                copied += n
                if progress is not None:
                    progress(n)
    except OSError as exc:
        raise PackageError(
            f"cannot read: {exc.strerror or exc}", code="unreadable", source=str(src)
        ) from None
    if copied != size:
        raise PackageError(
            "file changed size while being packaged", code="unreadable", source=str(src)
        )
    return h.hexdigest()


class _DirWriter(_Writer):
    def __init__(self, root: Path) -> None:
        self.root = root

    def _target(self, rel: str) -> Path:
        p = self.root.joinpath(*rel.split("/"))
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def write_bytes(self, rel: str, data: bytes) -> None:
        with self._target(rel).open("xb") as fh:
            fh.write(data)

    def write_file(self, rel: str, src: Path, size: int, progress: Progress | None) -> str:
        with self._target(rel).open("xb") as fh:
            return _copy_hash(src, fh, size, progress)


class _ZipWriter(_Writer):
    def __init__(self, zf: zipfile.ZipFile, prefix: str) -> None:
        self.zf = zf
        self.prefix = prefix

    def _info(self, rel: str, size: int) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(self.prefix + rel, date_time=ZIP_TIME)
        info.compress_type = zipfile.ZIP_STORED
        info.create_system = 3
        info.external_attr = ZIP_FILE_MODE
        info.file_size = size
        return info

    def write_bytes(self, rel: str, data: bytes) -> None:
        self.zf.writestr(self._info(rel, len(data)), data)

    def write_file(self, rel: str, src: Path, size: int, progress: Progress | None) -> str:
        with self.zf.open(self._info(rel, size), "w", force_zip64=size > 0x7FFF0000) as dst:
            return _copy_hash(src, dst, size, progress)


def _write_package(
    writer: _Writer,
    *,
    request: Request,
    items: list[_PayloadItem],
    signers: Sequence[Signer],
    now: datetime,
    progress: Progress | None,
    certificates: Sequence[Sequence[x509.Certificate]] = (),
) -> None:
    tags: dict[str, bytes] = {
        "bag-info.txt": _bag_info(request, items, now),
        "bagit.txt": BAGIT_TXT,
        SIZES_FILE: "".join(
            f"{i.size} {encode_path(i.rel)}\n" for i in sorted(items, key=lambda i: i.rel)
        ).encode("utf-8"),
    }
    writer.write_bytes("bag-info.txt", tags["bag-info.txt"])
    writer.write_bytes("bagit.txt", BAGIT_TXT)
    digests: dict[str, str] = {}

    def copy(item: _PayloadItem) -> tuple[str, str]:
        assert item.path is not None  # noqa: S101 - only file items are copied
        digest = writer.write_file(item.rel, item.path, item.size, progress)
        if item.digest and item.digest != digest:
            raise PackageError(
                f"attachment {item.path.name!r} does not match the sha256 the request gives for it",
                code="attachment_digest_mismatch",
                source=str(item.path),
            )
        return item.rel, digest

    files = [i for i in items if i.data is None]
    for item in items:
        if item.data is not None:
            digests[item.rel] = hashlib.sha256(item.data).hexdigest()
    if isinstance(writer, _DirWriter) and len(files) > 1:
        # Directory form: copy and hash files concurrently, largest first.
        for item in sorted(items, key=lambda i: i.rel):
            if item.data is not None:
                writer.write_bytes(item.rel, item.data)
        files.sort(key=lambda i: (-i.size, i.rel))
        with ThreadPoolExecutor(max_workers=default_workers()) as pool:
            digests.update(pool.map(copy, files))
    else:
        # Zip form: entries are written one after the other, in sorted order.
        for item in sorted(items, key=lambda i: i.rel):
            if item.data is not None:
                writer.write_bytes(item.rel, item.data)
            else:
                digests.update([copy(item)])
    tags["manifest-sha256.txt"] = _manifest(digests)
    writer.write_bytes("manifest-sha256.txt", tags["manifest-sha256.txt"])
    writer.write_bytes(SIZES_FILE, tags[SIZES_FILE])
    tagmanifest = _manifest({k: hashlib.sha256(v).hexdigest() for k, v in tags.items()})
    envelope = _sign_envelope(tagmanifest, signers, certificates)
    writer.write_bytes(SIGNATURE_FILE, envelope.to_bytes())
    writer.write_bytes(TAGMANIFEST, tagmanifest)


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise InputError("'now' must be an aware datetime (with a UTC offset)")


def build_package(
    request: Request,
    out: str | os.PathLike[str],
    *,
    signers: Sequence[Signer],
    now: datetime,
    attachments: Sequence[str | os.PathLike[str]] = (),
    documents: Sequence[str | os.PathLike[str] | tuple[str, bytes]] = (),
    form: Literal["zip", "directory"] | None = None,
    progress: Progress | None = None,
    certificates: Sequence[Sequence[x509.Certificate]] = (),
) -> Path:
    """Build a signed package at ``out``: a BagIt 1.0 bag (RFC 8493) with a DSSE envelope.

    The package is written to a temporary name next to ``out`` and renamed when complete;
    an existing ``out`` is never overwritten. Zip entries are sorted, stored, dated
    1980-01-01 and mode 0644, so the same inputs, ``now`` and Ed25519 keys give the same bytes
    (ECDSA and RSA-PSS signatures are randomised, so their envelopes differ run to run).
    The layout is in :mod:`eevidence.package._layout`.

    Args:
        request: The request; its canonical bytes become ``data/request.json``.
        out: Where to write: a ``.zip`` file, or a directory otherwise (see ``form``).
        signers: One or more signers; each adds one signature to the envelope, in order.
        now: The packaging time (aware datetime): ``Bagging-Date`` and
            ``EEvidence-Package-Created`` in ``bag-info.txt``.
        attachments: The files the request lists in ``attachments``, matched by file name
            (each listed attachment must be given exactly once; a sha256 the request gives
            is checked against the bytes copied). Stored under ``data/attachments/``.
        documents: Rendered documents (letters), each a path or ``(file name, bytes)``;
            stored under ``data/documents/``.
        form: ``zip`` or ``directory``; ``None`` chooses by the suffix of ``out``.
        progress: Called with the bytes copied, as payload files are copied (possibly from
            several threads).
        certificates: X.509 chains (leaf first, then intermediates), each carried in the
            signature of the signer whose public key is its leaf's (``certificates`` field
            of the envelope signature; not signed, never trusted without path validation).

    Returns:
        The path of the package written (``out``).

    Raises:
        InputError: ``now`` is naive, or ``signers`` is empty, or a chain's leaf is not the
            certificate of one signer's key.
        PackageError: ``exists`` (``out`` exists); ``bad_name`` (an attachment or document
            name is not a plain file name, or two collide); ``undeclared_attachment``,
            ``missing_attachment``, ``attachment_digest_mismatch``; ``unreadable`` (an
            input cannot be read or changed size); ``unwritable`` (the package cannot be
            written).
    """
    _require_aware(now)
    if not signers:
        raise InputError("a package needs at least one signer")
    target = Path(out)
    kind = form or ("zip" if target.suffix.lower() == ".zip" else "directory")
    if target.exists() or target.is_symlink():
        raise PackageError(
            "refusing to overwrite an existing path", code="exists", source=str(target)
        )
    items = _collect(request, attachments, documents)
    _chains_by_signer(signers, certificates)  # refused before anything is written
    parent = target.parent if str(target.parent) else Path(".")
    try:
        if kind == "directory":
            tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
            try:
                _write_package(
                    _DirWriter(tmp),
                    request=request,
                    items=items,
                    signers=signers,
                    now=now,
                    progress=progress,
                    certificates=certificates,
                )
                tmp.chmod(0o755)
                os.rename(tmp, target)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
        else:
            fd, tmpname = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
            try:
                with os.fdopen(fd, "w+b") as fh:
                    with zipfile.ZipFile(fh, "w", allowZip64=True) as zf:
                        _write_package(
                            _ZipWriter(zf, f"{request.id}/"),
                            request=request,
                            items=items,
                            signers=signers,
                            now=now,
                            progress=progress,
                            certificates=certificates,
                        )
                    fh.flush()
                    os.fsync(fh.fileno())
                os.chmod(tmpname, 0o644)
                os.replace(tmpname, target)
            except BaseException:
                Path(tmpname).unlink(missing_ok=True)
                raise
    except OSError as exc:
        raise PackageError(
            f"cannot write package: {exc.strerror or exc}", code="unwritable", source=str(target)
        ) from None
    return target
