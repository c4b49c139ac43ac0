"""PAdES signatures of PDF letters, checked with pyHanko's validator.

A letter signed by ``eevidence render --sign-key`` (or any PAdES signer: ETSI EN 319 142)
carries a CMS signature in the PDF itself. :func:`check_pdf_signature` reads the last
signature of a PDF and says whether it is intact (the signed byte ranges hash to the
signed digest), cryptographically valid, whether it covers the whole file (nothing was
appended after signing), who signed, when the signer says it signed, the RFC 3161
timestamp if any, and whether the signer's certificate chains to one of the given
certificate authorities at the validation time. It never raises for a bad PDF: a file
that cannot be read is reported ``unreadable``.

This lives with packages, not letters, because ``package verify`` reports the signature
of each PDF letter a package carries, and packages never depend on the letter renderer.
pyHanko is imported on first use only.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from eevidence.package._report import LetterSignature

__all__ = ["MAX_LETTER_BYTES", "check_pdf_signature"]

_log = logging.getLogger(__name__)

MAX_LETTER_BYTES: Final = 64 << 20
"""The largest PDF whose signature is checked (64 MiB); a larger one is ``unreadable``."""


def _iso(when: datetime | None) -> str | None:
    if when is None:
        return None
    aware = when if when.tzinfo else when.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _asn1_certs(certs: Sequence[x509.Certificate]) -> list[Any]:
    from asn1crypto import (  # type: ignore[import-untyped]  # noqa: PLC0415
        x509 as asn1_x509,  # pyHanko's certificate type
    )

    return [asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in certs]


def check_pdf_signature(
    data: bytes,
    *,
    path: str,
    trust_roots: Sequence[x509.Certificate] = (),
    now: datetime | None = None,
) -> LetterSignature:
    """Check the PAdES signature of a PDF (the last one, when there are several).

    Args:
        data: The PDF file's bytes.
        path: The name reported (a file path, or the path inside a package).
        trust_roots: The certificate authorities the signer's certificate must chain to
            (and, for a timestamp, the TSA's); none: trust is not judged (``trusted`` is
            ``None``).
        now: The validation time (certificates must be valid then); ``None`` for the
            clock.

    Returns:
        The :class:`~eevidence.package.LetterSignature`: ``unsigned`` (a PDF with no
        signature), ``unreadable`` (not a PDF pyHanko can read), ``invalid`` (altered
        after signing, a broken signature, or content appended after it) or ``valid``
        (intact, cryptographically valid, covering the whole file); ``trusted`` says
        separately whether the signer's certificate chains to ``trust_roots``.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader  # noqa: PLC0415 - on first use
    from pyhanko.sign.validation import validate_pdf_signature  # noqa: PLC0415
    from pyhanko.sign.validation.status import SignatureCoverageLevel  # noqa: PLC0415
    from pyhanko_certvalidator import ValidationContext  # noqa: PLC0415

    if len(data) > MAX_LETTER_BYTES:
        return LetterSignature(path, "unreadable", problem="larger than 64 MiB")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = reader.embedded_regular_signatures
    except Exception as exc:  # pyHanko raises many kinds on a damaged file
        _log.debug("unreadable PDF %s", path, exc_info=True)
        return LetterSignature(path, "unreadable", problem=f"not a readable PDF: {exc}")
    if not embedded:
        return LetterSignature(path, "unsigned")
    sig = embedded[-1]
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    roots = _asn1_certs(trust_roots)
    context = ValidationContext(trust_roots=roots, allow_fetching=False, moment=moment)
    try:
        status = validate_pdf_signature(sig, context, key_usage_settings=_key_usage())
    except Exception as exc:  # a signature pyHanko cannot parse is a broken signature
        _log.debug("signature of %s not checked", path, exc_info=True)
        return LetterSignature(
            path, "invalid", signatures=len(embedded), problem=f"signature unreadable: {exc}"
        )
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    subject = x509.load_der_x509_certificate(status.signing_cert.dump()).subject
    signer = subject.rfc4514_string() or "(empty subject)"
    ts = status.timestamp_validity
    problem = None
    if not status.intact:
        problem = "the document was changed after it was signed (the digest does not match)"
    elif not status.valid:
        problem = "the signature does not verify with the signer's certificate"
    elif not whole:
        problem = "the signature does not cover the whole file (content was added after it)"
    trusted: bool | None = None
    if roots:
        trusted = bool(status.trusted)
        if not trusted and problem is None:
            indic = status.trust_problem_indic
            why = str(getattr(indic, "name", "untrusted")).lower().replace("_", " ")
            problem = f"the signer's certificate does not chain to a trusted CA ({why})"
    level = "B-T" if ts is not None else "B-B"
    return LetterSignature(
        path,
        "valid" if status.intact and status.valid and whole else "invalid",
        signer=signer,
        intact=bool(status.intact),
        whole_document=whole,
        signing_time=_iso(status.signer_reported_dt),
        timestamp=_iso(ts.timestamp) if ts is not None else None,
        timestamp_trusted=(bool(ts.trusted) if roots else None) if ts is not None else None,
        trusted=trusted,
        level=level,
        signatures=len(embedded),
        problem=problem,
    )


def _key_usage() -> Any:
    from pyhanko.sign.validation.settings import KeyUsageConstraints  # noqa: PLC0415

    # an officer's certificate may allow digitalSignature or nonRepudiation (contentCommitment)
    return KeyUsageConstraints(
        key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
    )
