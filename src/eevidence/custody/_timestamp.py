"""Trusted time for checkpoints: RFC 3161 timestamps from a timestamping authority (TSA).

:func:`request_timestamp` sends a time-stamp query (RFC 3161 section 2.4.1, over HTTP as
in section 3.4) for some bytes (a signed checkpoint) with an injected
:class:`httpx.Client` and returns the DER time-stamp response once it has checked that the
response answers this query (status granted, same message imprint and nonce, section
2.4.2) and verifies against the TSA certificates given. :func:`verify_timestamp` checks a
stored response offline, years later, and returns the time it attests.

The ASN.1 and CMS work is done by ``rfc3161-client``; only what the caller trusts (root
and intermediate certificates, optionally the exact TSA certificate) decides validity.
Errors of ``rfc3161-client``, ``cryptography`` and ``httpx`` never escape: they become
:class:`~eevidence.errors.InputError`, :class:`~eevidence.errors.IntegrityError`,
:class:`~eevidence.errors.ConfigurationError` (an unusable URL) or
:class:`~eevidence.errors.TimestampError` (a TSA that cannot be reached or fails: retry
later). ``httpx`` is imported only when a query is sent, so importing this module (or
:mod:`eevidence.custody`) does not load it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

import rfc3161_client
from cryptography import x509

from eevidence.errors import ConfigurationError, InputError, IntegrityError, TimestampError

if TYPE_CHECKING:
    import httpx

__all__ = ["TimestampAuthority", "read_timestamp", "request_timestamp", "verify_timestamp"]

_log = logging.getLogger(__name__)
_QUERY_TYPE: Final = "application/timestamp-query"
_REPLY_TYPE: Final = "application/timestamp-reply"
_MAX_REPLY: Final = 1 << 20


def _unique(certificates: Sequence[x509.Certificate]) -> tuple[x509.Certificate, ...]:
    out: list[x509.Certificate] = []
    for cert in certificates:
        if cert not in out:
            out.append(cert)
    return tuple(out)


class TimestampAuthority:
    """The certificates that make a TSA's answers trustworthy.

    Args:
        roots: Trust anchors (X.509, RFC 5280); at least one. Duplicates are kept once.
        intermediates: Certificates between a root and the TSA's certificate.
        tsa_certificate: When given, the exact certificate the TSA must sign with (its
            extended key usage must be ``id-kp-timeStamping``, RFC 3161 section 2.3).

    Raises:
        ConfigurationError: no root certificate is given.
    """

    def __init__(
        self,
        roots: Sequence[x509.Certificate],
        intermediates: Sequence[x509.Certificate] = (),
        tsa_certificate: x509.Certificate | None = None,
    ) -> None:
        if not roots:
            raise ConfigurationError("a timestamping authority needs at least one root")
        self.roots = _unique(roots)
        self.intermediates = _unique(intermediates)
        self.tsa_certificate = tsa_certificate

    def _builder(
        self, start: rfc3161_client.VerifierBuilder | None = None
    ) -> rfc3161_client.VerifierBuilder:
        builder = start if start is not None else rfc3161_client.VerifierBuilder()
        for root in self.roots:
            builder = builder.add_root_certificate(root)
        for cert in self.intermediates:
            builder = builder.add_intermediate_certificate(cert)
        if self.tsa_certificate is not None and start is None:
            builder = builder.tsa_certificate(self.tsa_certificate)
        return builder


def _decode(der: bytes, source: str) -> rfc3161_client.TimeStampResponse:
    try:
        return rfc3161_client.decode_timestamp_response(der)
    except ValueError as exc:
        raise InputError(f"not an RFC 3161 time-stamp response: {exc}", source=source) from None


def _gen_time(response: rfc3161_client.TimeStampResponse, source: str) -> datetime:
    try:
        when = response.tst_info.gen_time
    except ValueError as exc:
        raise InputError(f"unreadable time-stamp token: {exc}", source=source) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def request_timestamp(
    data: bytes,
    url: str,
    authority: TimestampAuthority,
    *,
    client: httpx.Client,
) -> tuple[bytes, datetime]:
    """Timestamp ``data`` at the TSA at ``url`` (RFC 3161).

    The query carries a SHA-512 message imprint of ``data`` and a random nonce; the answer
    must be granted, carry the same imprint and nonce, and verify against ``authority``.

    Args:
        data: The bytes to timestamp (non-empty; typically a signed checkpoint note).
        url: The TSA's HTTP(S) endpoint (RFC 3161 section 3.4: POST of
            ``application/timestamp-query``).
        authority: The certificates the answer must verify against.
        client: The HTTP client to send with (its timeouts, proxies and TLS settings apply).

    Returns:
        The DER time-stamp response (keep it: :func:`verify_timestamp` checks it offline)
        and the time it attests (``genTime``, aware, UTC).

    Raises:
        InputError: ``data`` is empty, or the answer is not a time-stamp reply (wrong
            content type, larger than 1 MiB, not DER).
        ConfigurationError: the URL is unusable (not a valid ``http``/``https`` URL), or
            the TSA answers with an HTTP status that says so (other than 200, 429 and 5xx:
            a wrong path, a refused client).
        TimestampError: the TSA cannot be reached (connection refused, name not resolved,
            TLS failure, timeout), breaks off its answer, or answers 429 or 5xx (a
            :class:`~eevidence.errors.RemoteError`: retry later).
        IntegrityError: the time-stamp was not granted, or it does not answer this query or
            does not verify against ``authority``.
    """
    import httpx  # noqa: PLC0415 - only a query needs the HTTP library

    try:
        query = rfc3161_client.TimestampRequestBuilder().data(data).nonce(nonce=True).build()
    except ValueError as exc:
        raise InputError(f"cannot build a time-stamp query: {exc}", source=url) from None
    try:
        answer = client.post(url, content=query.as_bytes(), headers={"Content-Type": _QUERY_TYPE})
    except (httpx.InvalidURL, httpx.UnsupportedProtocol, httpx.StreamError, ValueError) as exc:
        raise ConfigurationError(f"timestamping authority {url}: {exc}") from None
    except httpx.HTTPError as exc:
        raise TimestampError(f"timestamping authority {url}: {exc}") from None
    if answer.status_code == 429 or answer.status_code >= 500:
        raise TimestampError(f"timestamping authority {url} answered HTTP {answer.status_code}")
    if answer.status_code != 200:
        raise ConfigurationError(f"timestamping authority {url} answered HTTP {answer.status_code}")
    if answer.headers.get("content-type", "").split(";")[0].strip() != _REPLY_TYPE:
        raise InputError(f"answer is not {_REPLY_TYPE}", source=url)
    der = answer.content
    if len(der) > _MAX_REPLY:
        raise InputError("time-stamp response is too large", source=url)
    response = _decode(der, url)
    if response.status != rfc3161_client.PKIStatus.GRANTED:
        raise IntegrityError(f"{url}: time-stamp not granted (status {response.status})")
    _verify(response, data, authority, query=query, source=url)
    when = _gen_time(response, url)
    _log.info("timestamped %d bytes at %s", len(data), when.isoformat())
    return der, when


def _verify(
    response: rfc3161_client.TimeStampResponse,
    data: bytes,
    authority: TimestampAuthority,
    *,
    query: rfc3161_client.TimeStampRequest | None,
    source: str,
) -> None:
    try:
        # With a query, its own checks (nonce, policy) with the authority's trust.
        start = rfc3161_client.VerifierBuilder.from_request(query) if query is not None else None
        authority._builder(start).build().verify_message(response, data)
    except (rfc3161_client.VerificationError, ValueError) as exc:
        raise IntegrityError(f"{source}: time-stamp does not verify: {exc}") from None


def verify_timestamp(
    response_der: bytes,
    data: bytes,
    authority: TimestampAuthority,
    *,
    source: str = "<timestamp>",
) -> datetime:
    """Check a stored DER time-stamp response over ``data``, offline (RFC 3161 section 2.4.2).

    The token's signature and certificate chain are checked at the time it attests (a
    TSA certificate that has expired since still counts), its message imprint must be that
    of ``data``, and its signer must chain to ``authority``.

    Args:
        response_der: The DER ``TimeStampResp`` that :func:`request_timestamp` returned.
        data: The bytes that were timestamped.
        authority: The certificates the response must verify against.
        source: Where the response came from, for messages.

    Returns:
        The time it attests (``genTime``, aware, UTC).

    Raises:
        InputError: the response is not DER of an RFC 3161 time-stamp response.
        IntegrityError: the time-stamp was not granted, or it does not verify (other data,
            an untrusted signer, a broken signature or certificate).
    """
    response = _decode(response_der, source)
    if response.status != rfc3161_client.PKIStatus.GRANTED:
        raise IntegrityError(f"{source}: time-stamp was not granted")
    _verify(response, data, authority, query=None, source=source)
    return _gen_time(response, source)


def read_timestamp(response_der: bytes, *, source: str = "<timestamp>") -> datetime:
    """Decode a stored DER time-stamp response WITHOUT verifying its signer.

    For a token kept where no TSA root is configured: it must at least be a granted RFC
    3161 response (section 2.4.2); the time it claims is not attested until
    :func:`verify_timestamp` checks it against trusted roots.

    Args:
        response_der: The DER ``TimeStampResp``.
        source: Where it came from, for messages.

    Returns:
        The time it claims (``genTime``, aware, UTC), unverified.

    Raises:
        InputError: it is not DER of an RFC 3161 time-stamp response.
        IntegrityError: the time-stamp was not granted.
    """
    response = _decode(response_der, source)
    if response.status != rfc3161_client.PKIStatus.GRANTED:
        raise IntegrityError(f"{source}: time-stamp was not granted")
    return _gen_time(response, source)
