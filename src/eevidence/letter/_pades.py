"""PAdES signatures on PDF letters (ETSI EN 319 142 baseline B-B, or B-T with an RFC 3161
timestamp), made with pyHanko.

:func:`sign_letter` appends the signature to the rendered letter as an incremental update,
so the letter's own bytes stay exactly what :func:`~eevidence.letter.render_letter` made
(deterministic); only the appended signature (its time, and the randomness of ECDSA) varies.
The signature is visible: a box on the last page, beside or under the letter's signature
block, names the signer (the certificate's subject), the authority and the signing time.
:func:`verify_letter` checks a signed letter with pyHanko's validator
(:func:`~eevidence.package.check_pdf_signature`).

The keys are those eevidence makes (P-256 and RSA, :mod:`eevidence.crypto`) with an X.509
certificate for them. pyHanko can also sign with a key on a smart card or hardware token
(PKCS#11, ``pyhanko.sign.pkcs11``); that route is documented, not built in here.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from eevidence._internal.fs import read_regular
from eevidence._internal.resources import data_dir
from eevidence.crypto import PrivateKey
from eevidence.errors import (
    ConfigurationError,
    InputError,
    RenderError,
    TimestampError,
)
from eevidence.package import LetterSignature, check_pdf_signature

if TYPE_CHECKING:
    import httpx

__all__ = ["SIGNATURE_FIELD", "load_certificates", "sign_letter", "verify_letter"]

SIGNATURE_FIELD: Final = "eevidence-signature"
"""The name of the signature field a signed letter carries."""

_PT: Final = 72 / 25.4
_MARGIN: Final = 18 * _PT
"""The letter's page margin (18 mm), in points."""
_BOX_W: Final = 80 * _PT
_BOX_H: Final = 24 * _PT
_TEXT_AT: Final = re.compile(rb"BT\s+(-?[\d.]+)\s+(-?[\d.]+)\s+Td")
_RECT: Final = re.compile(rb"(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+re\b")
_ARABIC: Final = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_MAX_REPLY: Final = 1 << 20


def load_certificates(path: str | Path) -> list[x509.Certificate]:
    """Read the PEM certificates in ``path`` (one or more; a DER file holds one).

    Raises:
        InputError: the file cannot be read or holds no X.509 certificate.
    """
    data = read_regular(path, 1 << 20, "certificate file")  # a FIFO or device: refused at once
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise InputError("not an X.509 certificate (PEM or DER)", source=str(path)) from None


def _subject_name(cert: x509.Certificate) -> str:
    cns = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    value = cns[0].value if cns else cert.subject.rfc4514_string()
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def _organization(cert: x509.Certificate) -> str | None:
    orgs = cert.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)
    if not orgs:
        return None
    value = orgs[0].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def _num(raw: bytes) -> float:
    return float(raw.decode("ascii"))


def _box(pdf: bytes, *, rtl: bool) -> tuple[int, tuple[float, float, float, float]]:
    """The page (0-based) and the box (points, PDF coordinates) of the visible signature:
    on the last page, under the lowest line of text when there is room above the bottom
    margin, else beside the signature block at the other side of the page."""
    from pyhanko.pdf_utils.reader import PdfFileReader  # noqa: PLC0415

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    pages = reader.root["/Pages"]
    count = int(pages["/Count"])
    page = reader.find_page_for_modification(count - 1)[0].get_object()  # type: ignore[no-untyped-call]
    media = page.get("/MediaBox") or pages.get("/MediaBox") or (0, 0, 595.28, 841.89)
    box = [float(v) for v in media]  # A4 unless the page or its tree says otherwise
    width, height = box[2] - box[0], box[3] - box[1]
    contents = page["/Contents"]
    streams = contents if isinstance(contents, list) else [contents]
    data = b"".join(s.get_object().data for s in streams)
    ys = [_num(m.group(2)) for m in _TEXT_AT.finditer(data)]
    ys += [min(_num(m.group(2)), _num(m.group(2)) + _num(m.group(4))) for m in _RECT.finditer(data)]
    body = [y for y in ys if y >= _MARGIN - 1]  # the footers sit in the bottom margin
    lowest = min(body) if body else height - _MARGIN
    start_x = width - _MARGIN - _BOX_W if rtl else _MARGIN
    top = lowest - 4 * _PT  # under the descenders of the lowest line
    if top - _BOX_H >= _MARGIN:
        return count - 1, (start_x, top - _BOX_H, start_x + _BOX_W, top)
    end_x = _MARGIN if rtl else width - _MARGIN - _BOX_W
    bottom = max(lowest - 2 * _PT, _MARGIN)
    return count - 1, (end_x, bottom, end_x + _BOX_W, bottom + _BOX_H)


@cache
def _stamp_font(name: str) -> bytes:
    """The shipped font without its layout tables (kerning, ligatures), made once per
    process: subsetting them costs pyHanko ten times what the rest of a signature does,
    and Latin, Greek and Cyrillic names need no shaping. Arabic keeps its tables."""
    from fontTools import ttLib  # noqa: PLC0415

    path = data_dir("fonts") / name
    if name.startswith("NotoNaskh"):
        return path.read_bytes()
    font = ttLib.TTFont(str(path))
    for tag in ("GSUB", "GPOS", "GDEF"):
        if tag in font:
            del font[tag]
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _font_factory(text: str) -> Any:
    """Courier (a standard font, nothing embedded) for text it can show; else the shipped
    Noto font (Naskh for Arabic), subset into the signature's appearance."""
    from pyhanko.pdf_utils.font.basic import SimpleFontEngineFactory  # noqa: PLC0415
    from pyhanko.pdf_utils.font.opentype import (  # noqa: PLC0415
        GlyphAccumulator,
        GlyphAccumulatorFactory,
    )

    if all(" " <= c <= "~" for c in text.replace("\n", "")):
        return SimpleFontEngineFactory.default_factory()  # type: ignore[no-untyped-call]
    name = "NotoNaskhArabic-Regular.ttf" if _ARABIC.search(text) else "NotoSans-Regular.ttf"

    class Factory(GlyphAccumulatorFactory):
        def create_font_engine(self, writer: Any, obj_stream: Any = None) -> Any:
            if obj_stream is None and writer.stream_xrefs:
                obj_stream = writer.prepare_object_stream()
            return GlyphAccumulator(
                writer=writer,
                font_handle=io.BytesIO(_stamp_font(name)),
                font_size=self.font_size,
                obj_stream=obj_stream,
            )

    return Factory(font_file=name)


class _Timestamper:
    """pyHanko's timestamp client over the caller's :class:`httpx.Client` (RFC 3161 over HTTP,
    section 3.4), so the TSA is reached with the same timeouts and errors as elsewhere."""

    @staticmethod
    def make(url: str, client: httpx.Client) -> Any:
        from asn1crypto import tsp  # type: ignore[import-untyped]  # noqa: PLC0415
        from pyhanko.sign.timestamps import TimeStamper  # noqa: PLC0415

        class Client(TimeStamper):
            async def async_request_tsa_response(self, req: Any) -> Any:
                import httpx  # noqa: PLC0415

                try:
                    answer = client.post(
                        url,
                        content=req.dump(),
                        headers={"Content-Type": "application/timestamp-query"},
                    )
                except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError) as exc:
                    raise ConfigurationError(f"timestamping authority {url}: {exc}") from None
                except httpx.HTTPError as exc:
                    raise TimestampError(f"timestamping authority {url}: {exc}") from None
                if answer.status_code != 200:
                    raise TimestampError(
                        f"timestamping authority {url} answered HTTP {answer.status_code}"
                    )
                if len(answer.content) > _MAX_REPLY:
                    raise InputError("time-stamp response is too large", source=url)
                try:
                    return tsp.TimeStampResp.load(answer.content)
                except ValueError as exc:
                    raise InputError(f"not a time-stamp response: {exc}", source=url) from None

        return Client()  # type: ignore[no-untyped-call]


@cache
def _signer_class() -> Any:
    """pyHanko's in-memory signer, signing with the key object it is given: its own signer
    parses the DER key again for every signature, and parsing checks an RSA key's
    consistency (a tenth of a second a time, twice per letter)."""
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15  # noqa: PLC0415
    from pyhanko.sign.signers import SimpleSigner  # noqa: PLC0415
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash  # noqa: PLC0415

    class KeySigner(SimpleSigner):
        def __init__(self, key: PrivateKey, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self._key = key

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
            algo = mechanism["algorithm"].native
            digest = get_pyca_cryptography_hash(digest_algorithm)
            key = self._key
            if isinstance(key, ec.EllipticCurvePrivateKey) and "ecdsa" in algo:
                return key.sign(data, ec.ECDSA(digest))
            if isinstance(key, rsa.RSAPrivateKey) and algo.endswith("rsa"):
                return key.sign(data, PKCS1v15(), digest)
            return bytes(super().sign_raw(data, digest_algorithm))  # pragma: no cover

    return KeySigner


def _check_pair(key: PrivateKey, certificate: x509.Certificate) -> None:
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise InputError(
            "PAdES letters are signed with a P-256 or RSA key (an Ed25519 key has no PDF "
            "signature profile that readers check)",
            source="--sign-key",
        )
    mine = key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    theirs = certificate.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    if mine != theirs:
        raise InputError(
            f"the certificate {certificate.subject.rfc4514_string()} is not for this key",
            source="--sign-cert",
        )


def sign_letter(
    pdf: bytes,
    *,
    key: PrivateKey,
    certificate: x509.Certificate,
    now: datetime,
    chain: Sequence[x509.Certificate] = (),
    authority: str | None = None,
    rtl: bool = False,
    tsa_url: str | None = None,
    client: httpx.Client | None = None,
) -> bytes:
    """Sign a rendered PDF letter: PAdES baseline B-B, or B-T with a timestamp from a TSA.

    The signature covers the whole letter and is appended as an incremental update (the
    letter's bytes come first, unchanged). A visible box on the last page names the
    signer (the certificate's common name), the authority and the signing time (UTC).

    Args:
        pdf: The letter, as :func:`~eevidence.letter.render_letter` made it.
        key: A P-256 or RSA private key (:func:`~eevidence.crypto.load_private_key`).
        certificate: The X.509 certificate of ``key``.
        now: The signing time (written in the signature and the box).
        chain: Intermediate (and root) certificates to embed, so a verifier can build the
            path to the CA it trusts.
        authority: The authority named in the box (default: the certificate's
            organisation).
        rtl: Right-to-left letter (Arabic): the box goes to the other side.
        tsa_url: An RFC 3161 timestamping authority; given, the signature is timestamped
            (PAdES B-T).
        client: The HTTP client for the TSA (default: a new one with a 30 s timeout).

    Returns:
        The signed PDF's bytes.

    Raises:
        InputError: the key is not P-256 or RSA, or the certificate is not for it; the
            TSA's answer is not a time-stamp response.
        RenderError: the PDF cannot be read or signed.
        TimestampError: the TSA cannot be reached or answers with an error.
        ConfigurationError: the TSA URL is unusable.
    """
    _check_pair(key, certificate)
    from asn1crypto import (  # noqa: PLC0415
        keys as asn1_keys,
        x509 as asn1_x509,
    )
    from pyhanko_certvalidator.registry import SimpleCertificateStore  # noqa: PLC0415

    def asn1(cert: x509.Certificate) -> Any:
        return asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))

    der_key = key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    signer = _signer_class()(
        key,
        signing_cert=asn1(certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
        cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
            [asn1(c) for c in chain]
        ),
    )
    when = now.astimezone(UTC)
    name = _subject_name(certificate)
    org = authority or _organization(certificate) or ""
    lines = [f"Signed electronically by {name}", org, f"{when:%Y-%m-%d %H:%M:%S} UTC"]
    text = "\n".join(line for line in lines if line)
    own_client = client is None and tsa_url is not None
    if own_client:
        import httpx  # noqa: PLC0415 - only a timestamp needs the HTTP library

        client = httpx.Client(timeout=30.0)
    try:
        page, box = _box(pdf, rtl=rtl)
        timestamper = _Timestamper.make(tsa_url, client) if tsa_url is not None and client else None
        return asyncio.run(
            _sign(pdf, signer=signer, text=text, page=page, box=box, when=when, ts=timestamper)
        )
    except (InputError, TimestampError, ConfigurationError):
        raise
    except Exception as exc:  # pyHanko raises many kinds on a PDF it cannot sign
        raise RenderError(f"the letter could not be signed: {exc}", source="pdf") from exc
    finally:
        if own_client and client is not None:
            client.close()


async def _sign(
    pdf: bytes,
    *,
    signer: Any,
    text: str,
    page: int,
    box: tuple[float, float, float, float],
    when: datetime,
    ts: Any,
) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: PLC0415
    from pyhanko.pdf_utils.text import TextBoxStyle  # noqa: PLC0415
    from pyhanko.sign import fields, signers  # noqa: PLC0415
    from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes  # noqa: PLC0415
    from pyhanko.stamp import TextStampStyle  # noqa: PLC0415

    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        use_pades_lta=False,
    )
    style = TextStampStyle(
        stamp_text=text,
        text_box_style=TextBoxStyle(font=_font_factory(text), font_size=8),
        border_width=1,
        background=None,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer,
        timestamper=ts,
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec(
            sig_field_name=SIGNATURE_FIELD,
            on_page=page,
            box=(int(box[0]), int(box[1]), int(box[2]), int(box[3])),
        ),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    session = pdf_signer.init_signing_session(writer)
    session.system_time = when  # the signing time is a parameter, never the clock
    info = await session.perform_presign_validation(writer)
    reserved = await session.estimate_signature_container_size(info, tight=False)
    tbs = session.prepare_tbs_document(validation_info=info, bytes_reserved=reserved)
    digest, output = tbs.digest_tbs_document(output=io.BytesIO())
    post = await tbs.perform_signature(
        document_digest=digest.document_digest,
        pdf_cms_signed_attrs=PdfCMSSignedAttributes(signing_time=when),
    )
    await post.post_signature_processing(output)
    assert isinstance(output, io.BytesIO)  # noqa: S101 - we gave pyHanko a BytesIO
    return output.getvalue()


def verify_letter(
    pdf: bytes,
    *,
    trust_roots: Sequence[x509.Certificate],
    path: str = "letter.pdf",
    now: datetime | None = None,
) -> LetterSignature:
    """Check a signed letter's PAdES signature with pyHanko's validator: integrity, whole-
    document coverage, signer, signing time, timestamp and trust in ``trust_roots``.

    Args:
        pdf: The PDF file's bytes.
        trust_roots: The certificate authorities the signer (and a TSA) must chain to.
        path: The name reported.
        now: The validation time; ``None`` for the clock.

    Returns:
        The :class:`~eevidence.package.LetterSignature`; its ``ok`` is true only when the
        signature is valid, covers the whole letter and its signer is trusted.
    """
    return check_pdf_signature(pdf, path=path, trust_roots=trust_roots, now=now)
