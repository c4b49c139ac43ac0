"""The package to send: read once, verified, and turned into the body of an API submission."""

from __future__ import annotations

import hashlib
import io
import json
import os
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from eevidence._internal.fs import open_regular
from eevidence.crypto import TrustStore, canonical_json_bytes
from eevidence.errors import InputError, PackageError
from eevidence.hi1 import Hi1Endpoint, to_hi1_xml
from eevidence.package import PackageLimits, package_report, reading
from eevidence.request import Request, parse_request

__all__ = [
    "BODY_FORMATS",
    "BodyBuilder",
    "OutgoingPackage",
    "hi1_body",
    "json_body",
    "load_outgoing",
]

_KEY_NAMESPACE: Final = uuid.UUID("5b0c2f43-6c53-4f51-9d3a-3a1f2f0e6a11")
_MAX_REQUEST: Final = 16 << 20  # bytes of data/request.json read
_ZIP_STARTS: Final = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header, an empty zip
MAX_SEND_BYTES: Final = 1 << 30
"""Largest package sent, in bytes (1 GiB): it is held in memory, read once and sent as
verified. A request package holds the request and its letters (a few MiB); the package
limits (:class:`~eevidence.package.PackageLimits`) apply too when they are lower."""


@dataclass(frozen=True)
class OutgoingPackage:
    """A package ready to send: its exact bytes, digest, and the request it carries.

    Attributes:
        path: the package file (zip form).
        data: its bytes, exactly as verified and as sent.
        sha256: the SHA-256 of ``data`` (lower-case hex).
        request: the request in the package (``data/request.json``).
        request_bytes: that file's bytes.
        documents: rendered documents (letters) in the package: their names under
            ``data/documents/``.
    """

    path: Path
    data: bytes = field(repr=False)
    sha256: str
    request: Request
    request_bytes: bytes = field(repr=False)
    documents: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The package's file name."""
        return self.path.name

    @property
    def idempotency_key(self) -> str:
        """The same for every attempt to send this package for this request, different
        for any other package (a rebuilt package is a new submission): a UUID version 5
        (RFC 9562, section 5.5) of the request id and the package digest."""
        return str(uuid.uuid5(_KEY_NAMESPACE, f"{self.request.id}\n{self.sha256}"))


def _identity(path: Path) -> tuple[int, int, int, int]:
    """Inode, size, modification and change times: any write to the file changes them."""
    st = path.stat()
    return st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def load_outgoing(
    path: str | os.PathLike[str],
    *,
    trust: TrustStore | None = None,
    limits: PackageLimits | None = None,
) -> OutgoingPackage:
    """Read a package (zip form) for sending; refuse it unless its fixity holds.

    The bytes sent are the bytes checked: they are read once, and the file must not have
    been written to (inode, size, modification and change times) by the end of the
    verification. Fixity is that of the BagIt manifests (RFC 8493, section 3).

    Args:
        path: the package zip.
        trust: with it, the signatures must also verify against these keys; without it
            only fixity is checked (signatures cannot be judged without a trust store).
        limits: limits on entries and sizes while reading (default :class:`PackageLimits`).

    Returns:
        The package's bytes, digest, request and documents.

    Raises:
        InputError: the path is a directory (only the zip form can be sent), cannot be
            read, is not a regular file (a FIFO or a device is refused without waiting on
            it), is not a zip, is larger than :data:`MAX_SEND_BYTES` or the limits' total
            size (checked before reading), does not verify, or changed while it was being
            verified.
        PackageError: the package's request cannot be read from the zip.
        RequestValidationError: the package's request does not satisfy the request model.
    """
    p = Path(path)
    if p.is_dir():
        raise InputError(
            "only the zip form of a package can be sent; build it with an OUT ending in .zip",
            source=str(p),
        )
    limit = min(MAX_SEND_BYTES, (limits or PackageLimits()).max_total_size)
    with open_regular(p, "package", limit=limit) as fh:
        try:
            before = _identity(p)
            head = fh.read(4)
            if head not in _ZIP_STARTS:
                raise InputError(
                    "not a package in zip form (a zip file starts with PK); build one with "
                    "an OUT ending in .zip",
                    source=str(p),
                )
            data = head + fh.read(limit + 1 - len(head))
        except OSError as exc:
            raise InputError(
                f"cannot read the package: {exc.strerror or exc}", source=str(p)
            ) from None
    if len(data) > limit:
        raise InputError(f"package is larger than {limit} bytes (the limit)", source=str(p))
    digest = hashlib.sha256(data).hexdigest()
    report = package_report(p, trust or TrustStore(), limits=limits, fixity_only=trust is None)
    reasons = report.reasons()
    if trust is None:  # fixity only: signatures cannot be judged without a trust store
        reasons = [] if report.fixity_ok else reasons
    if reasons:
        raise InputError(
            "the package does not verify, not sending it: " + "; ".join(reasons[:5]),
            source=str(p),
        )
    _unchanged(p, before, data)
    try:
        with reading(p, limits) as reader:
            request_bytes = reader.read_bytes("data/request.json", _MAX_REQUEST)
            documents = tuple(
                name.removeprefix("data/documents/")
                for name in sorted(reader.entries())
                if name.startswith("data/documents/") and name.count("/") == 2
            )
    except PackageError:
        _unchanged(p, before, data)  # a package changed under us says so, not how it broke
        raise
    _unchanged(p, before, data)
    request = parse_request(request_bytes, source=f"{p}:data/request.json")
    return OutgoingPackage(p, data, digest, request, request_bytes, documents)


def _unchanged(p: Path, before: tuple[int, ...], data: bytes) -> None:
    """Refuse a package whose file changed since ``before`` was taken (and ``data`` read).

    Raises:
        InputError: the file's identity (inode, size, modification and change times) or size
            differs, or it cannot be examined any more.
    """
    try:
        after: tuple[int, ...] | None = _identity(p)
    except OSError:
        after = None
    if after != before or len(data) != before[1]:
        raise InputError("the package changed while it was being verified", source=str(p))


# --------------------------------------------------------------------------- API bodies

BodyBuilder = Callable[[OutgoingPackage], tuple[bytes, str]]
"""Builds the body of an API submission: (bytes, content type)."""


def json_body(outgoing: OutgoingPackage) -> tuple[bytes, str]:
    """The JSON document body: the canonical request and the package's digest.

    Args:
        outgoing: the package to send.

    Returns:
        The body (canonical JSON: sorted keys, no whitespace, UTF-8) and its content
        type, ``application/json``. The document is
        ``{"format": "eevidence-submission", "version": 1, "request": {...},
        "package": {"name", "sha256", "size" (bytes)}}``.

    Raises:
        InputError: ``outgoing.request_bytes`` is not JSON.
    """
    try:
        request = json.loads(outgoing.request_bytes)
    except (ValueError, RecursionError):
        raise InputError(
            "the package's request is not JSON", source=f"{outgoing.path}:data/request.json"
        ) from None
    doc = {
        "format": "eevidence-submission",
        "version": 1,
        "request": request,
        "package": {
            "name": outgoing.name,
            "sha256": outgoing.sha256,
            "size": len(outgoing.data),
        },
    }
    return canonical_json_bytes(doc), "application/json"


def _first_letter(outgoing: OutgoingPackage) -> bytes | None:
    if not outgoing.documents:
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(outgoing.data)) as zf:
            wanted = f"data/documents/{outgoing.documents[0]}"
            name = next((n for n in zf.namelist() if n.endswith("/" + wanted)), None)
            return zf.read(name) if name else None
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise InputError(
            f"cannot read the letter from the package: {exc}", source=str(outgoing.path)
        ) from None


def hi1_body(outgoing: OutgoingPackage) -> tuple[bytes, str]:
    """The ETSI TS 103 120 ``HI1Message`` body, with the package's first letter as its document.

    The transaction id is derived from the idempotency key, so every attempt to send the same
    package is the same HI-1 transaction. The receiver's country is not recorded per provider
    for HI-1 endpoints, so the user-assigned code ``ZZ`` ("unspecified", ISO 3166-1) stands
    for it.

    Args:
        outgoing: the package to send.

    Returns:
        The HI-1 XML and its content type, ``application/xml``.

    Raises:
        InputError: the package's letter cannot be read from its bytes.
        Hi1Error: the request cannot be written as an HI-1 message.
    """
    request = outgoing.request
    letter = _first_letter(outgoing)
    unit = request.authority.unit or request.authority.name
    body = to_hi1_xml(
        request,
        sender=Hi1Endpoint(request.authority.country, unit),
        receiver=Hi1Endpoint("ZZ", request.provider),
        now=datetime.now(UTC),
        transaction_id=outgoing.idempotency_key,
        document=letter,
        document_name=outgoing.documents[0] if letter else "request.pdf",
    )
    return body, "application/xml"


BODY_FORMATS: dict[str, BodyBuilder] = {
    "json": json_body,
    "xml": hi1_body,
}
"""Body formats of the API channel by name (``--format``); a new format is one entry here."""
