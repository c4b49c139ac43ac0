"""Trusted time for checkpoints: RFC 3161 timestamps from a timestamping authority (TSA).

:func:`request_timestamp` sends a time-stamp query for some bytes (a signed checkpoint)
over HTTP with an injected :class:`httpx.Client` and returns the DER time-stamp response
once it has checked that the response answers this query (status granted, same message
imprint and nonce) and verifies against the TSA certificates given. :func:`verify_timestamp`
checks a stored response offline, years later, and returns the time it attests.

The ASN.1 and CMS work is done by ``rfc3161-client``; only what the caller trusts (root
and intermediate certificates, optionally the exact TSA certificate) decides validity.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Final

import httpx
import rfc3161_client
from cryptography import x509

from eevidence.errors import ConfigurationError, InputError, IntegrityError

__all__ = ["TimestampAuthority", "request_timestamp", "verify_timestamp"]

_log = logging.getLogger(__name__)
_QUERY_TYPE: Final = "application/timestamp-query"
_REPLY_TYPE: Final = "application/timestamp-reply"
_MAX_REPLY: Final = 1 << 20


class TimestampAuthority:
    """The certificates that make a TSA's answers trustworthy."""

    def __init__(
        self,
        roots: Sequence[x509.Certificate],
        intermediates: Sequence[x509.Certificate] = (),
        tsa_certificate: x509.Certificate | None = None,
    ) -> None:
        if not roots:
            raise ConfigurationError("a timestamping authority needs at least one root")
        self.roots = tuple(roots)
        self.intermediates = tuple(intermediates)
        self.tsa_certificate = tsa_certificate

    def _builder(self) -> rfc3161_client.VerifierBuilder:
        builder = rfc3161_client.VerifierBuilder()
        for root in self.roots:
            builder = builder.add_root_certificate(root)
        for cert in self.intermediates:
            builder = builder.add_intermediate_certificate(cert)
        if self.tsa_certificate is not None:
            builder = builder.tsa_certificate(self.tsa_certificate)
        return builder


def _decode(der: bytes, source: str) -> rfc3161_client.TimeStampResponse:
    try:
        return rfc3161_client.decode_timestamp_response(der)
    except ValueError as exc:
        raise InputError(f"not an RFC 3161 time-stamp response: {exc}", source=source) from None


def _gen_time(response: rfc3161_client.TimeStampResponse) -> datetime:
    when = response.tst_info.gen_time
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def request_timestamp(
    data: bytes,
    url: str,
    authority: TimestampAuthority,
    *,
    client: httpx.Client,
) -> tuple[bytes, datetime]:
    """Timestamp ``data`` at the TSA at ``url``; the DER response and the attested time."""
    query = rfc3161_client.TimestampRequestBuilder().data(data).nonce(nonce=True).build()
    try:
        answer = client.post(url, content=query.as_bytes(), headers={"Content-Type": _QUERY_TYPE})
    except httpx.HTTPError as exc:
        raise ConfigurationError(f"timestamping authority {url}: {exc}") from None
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
    verifier = rfc3161_client.VerifierBuilder.from_request(query)
    _verify(response, data, authority, extra=verifier, source=url)
    when = _gen_time(response)
    _log.info("timestamped %d bytes at %s", len(data), when.isoformat())
    return der, when


def _verify(
    response: rfc3161_client.TimeStampResponse,
    data: bytes,
    authority: TimestampAuthority,
    *,
    extra: rfc3161_client.VerifierBuilder | None,
    source: str,
) -> None:
    checks = [authority._builder()]
    if extra is not None:
        # the query's own checks (nonce, message imprint) with the authority's trust
        builder = extra
        for root in authority.roots:
            builder = builder.add_root_certificate(root)
        for cert in authority.intermediates:
            builder = builder.add_intermediate_certificate(cert)
        checks = [builder]
    for builder in checks:
        try:
            builder.build().verify_message(response, data)
        except rfc3161_client.VerificationError as exc:
            raise IntegrityError(f"{source}: time-stamp does not verify: {exc}") from None


def verify_timestamp(
    response_der: bytes,
    data: bytes,
    authority: TimestampAuthority,
    *,
    source: str = "<timestamp>",
) -> datetime:
    """Check a stored DER time-stamp response over ``data``; the time it attests."""
    response = _decode(response_der, source)
    if response.status != rfc3161_client.PKIStatus.GRANTED:
        raise IntegrityError(f"{source}: time-stamp was not granted")
    _verify(response, data, authority, extra=None, source=source)
    return _gen_time(response)
