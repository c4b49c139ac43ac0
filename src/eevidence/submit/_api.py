"""The API channel: HTTPS ``POST`` to a provider's TS 104 144-style endpoints.

Requests go through an injected ``httpx.Client``; connection errors, 429 and 5xx are retried
with exponential backoff and jitter (honouring ``Retry-After``), with one ``Idempotency-Key``
per request and package so a retry never creates a second request. Every exception of the
transport is wrapped as :class:`SubmissionError` (or :class:`MalformedAnswerError`).

Answers are bounded: the body is read in chunks and refused as soon as it passes the limit
(never read whole first), a ``Content-Length`` over the limit is refused before any byte is
read, and each attempt has an overall deadline (:attr:`RetryPolicy.deadline`) from sending to
the answer's last byte, enforced by a watchdog that shuts the connection's socket down, so a
server that drips its headers or body a byte at a time is stopped at the deadline and not
only when one read waits too long.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final, Self
from urllib.parse import quote

import httpx

from eevidence._internal.documents import decode_json
from eevidence.errors import (
    ConfigurationError,
    CredentialsError,
    InputError,
    MalformedAnswerError,
    SubmissionError,
)
from eevidence.request import Request, RequestKind, kind_spec
from eevidence.submit._answer import CONTROL, MAX_ANSWER, ProviderStatus, lookup, parse_answer
from eevidence.submit._channel import ChannelName, SubmissionReceipt
from eevidence.submit._credentials import Secret
from eevidence.submit._outgoing import BodyBuilder, OutgoingPackage, json_body
from eevidence.submit._retry import RETRY_STATUS, RetryPolicy
from eevidence.tracking import as_utc

__all__ = ["ApiChannel", "api_path", "default_http_client"]

log = logging.getLogger(__name__)

_MAX_REDIRECTS: Final = 3
_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})


def api_path(kind: RequestKind) -> str:
    """The path, under the provider's base URL, to which a request of ``kind`` is posted:
    ``/eevidence/<api_path>``, the kinds table's ``api_path`` of the kind
    (``preservation`` or ``production``).

    Raises:
        InputError: ``kind`` is not a known request kind.
    """
    return f"/eevidence/{kind_spec(kind).api_path}"


def _is_tls_failure(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLError):
            return True
        current = current.__cause__ or current.__context__
    text = str(exc)
    return "CERTIFICATE_VERIFY_FAILED" in text or "SSL:" in text


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port


_ERROR_BODY: Final = 64 * 1024
"""The most bytes of an error answer (4xx, 5xx) read for its message."""


@dataclass(frozen=True)
class _Answer:
    """An answer read within the limits: its status line, headers and body."""

    status_code: int
    reason_phrase: str
    headers: httpx.Headers
    content: bytes
    truncated: bool = False


def _provider_message(answer: _Answer) -> str:
    try:
        doc = decode_json(answer.content, "answer", integers_only=False)
    except InputError:
        doc = None
    if isinstance(doc, dict):
        found = lookup(doc, ("message", "error", "detail", "title"))
        if isinstance(found, str):
            return CONTROL.sub(" ", found)[:300]
    if not answer.content:
        return "(no body)"
    return CONTROL.sub(" ", answer.content[:300].decode("utf-8", "replace"))


class _Watchdog:
    """Shuts the connection's socket down when an attempt's deadline passes.

    The socket is learnt from the HTTP library's ``trace`` extension when a connection is
    opened (``connection.connect_tcp.complete``), else from the response's
    ``network_stream`` once the headers are in. Shutting a socket down wakes a thread blocked
    reading it, so a read that would wait longer ends at the deadline.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, seconds), self._fire)
        self._timer.daemon = True

    def __enter__(self) -> Self:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def trace(self, name: str, info: Mapping[str, Any]) -> None:
        """The ``trace`` extension of httpcore: keep the socket of a new connection."""
        if name in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            self.watch(info.get("return_value"))

    def watch(self, stream: object) -> None:
        """Watch the socket of an httpcore network stream (ignored when it has none)."""
        get = getattr(stream, "get_extra_info", None)
        sock = get("socket") if callable(get) else None
        if not isinstance(sock, socket.socket):
            return
        with self._lock:
            self._sock = sock
            fire = self.expired
        if fire:
            self._shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            self.expired = True
            sock = self._sock
        if sock is not None:
            self._shutdown(sock)

    @staticmethod
    def _shutdown(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)

    def check(self) -> None:
        """Mark the deadline as passed when the clock says so (the timer may lag)."""
        if time.monotonic() >= self.end:
            self._fire()


def _read_body(response: httpx.Response, limit: int, watchdog: _Watchdog) -> tuple[bytes, bool]:
    """At most ``limit`` bytes of the body, read in chunks; ``(body, truncated)``."""
    buf = bytearray()
    for chunk in response.iter_raw():
        room = limit - len(buf)
        if len(chunk) > room:
            buf += chunk[:room]
            return bytes(buf), True
        buf += chunk
        watchdog.check()
        if watchdog.expired:
            break
    return bytes(buf), False


def default_http_client() -> httpx.Client:
    """An HTTP client for :class:`ApiChannel`: TLS verified against the system's trusted
    certificates, 10 s to connect and 30 s for each read, write or pool wait, no redirects
    followed, no ``.netrc`` or proxy variables read. Close it (or use it in a ``with``).

    Raises:
        SubmissionError: TLS cannot be set up (the trusted certificates cannot be loaded).
    """
    try:
        return httpx.Client(
            verify=True,
            timeout=httpx.Timeout(30.0, connect=10.0),
            follow_redirects=False,
            trust_env=False,
        )
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
        raise SubmissionError(
            f"cannot set up TLS: {type(exc).__name__}: {exc}", source="<https>"
        ) from exc


class ApiChannel:
    """HTTPS submission to a provider's TS 104 144-style API.

    ``POST {base}/eevidence/preservation`` or ``.../production`` (by request kind) with
    ``Authorization: Bearer <token>`` (RFC 6750, section 2.1) and ``Idempotency-Key``;
    ``GET {base}/eevidence/status/{ref}`` for the status. Redirects are followed only on
    the same origin and only for 307 and 308 (RFC 9110, sections 15.4.8 and 15.4.9, which
    keep the method and body), at most 3 times, so credentials never go to another host.
    Answers are read in chunks up to ``max_answer`` bytes, uncompressed (``Accept-Encoding:
    identity``), each attempt within the policy's :attr:`~RetryPolicy.deadline`. Every
    request asks the server to close the connection after it (``Connection: close``, RFC
    9112 section 9.6), so each attempt's socket is its own and the deadline can shut it.

    Args:
        base_url: the provider API's base URL; must be ``https``.
        token: the API token (``None``: no ``Authorization`` header).
        client: the HTTP client; its owner closes it. ``None``: a
            :func:`default_http_client` of the channel's own, closed by :meth:`close` (or
            at the end of a ``with`` block on the channel).
        policy: when to retry and how long to wait (default :class:`RetryPolicy`).
        body: builds the body of a submission (default :func:`json_body`).
        status_path: the status path under the base URL, ``{ref}`` standing for the
            provider's reference (percent-encoded, RFC 3986 section 2.1).
        max_answer: the largest answer body read, in bytes (default 1 MiB).

    Raises:
        ConfigurationError: the base URL is not a valid URL, or not an ``https`` one (the
            message names it); nothing was sent.
        SubmissionError: TLS cannot be set up for a client of the channel's own.
        CredentialsError: the token holds characters an HTTP field cannot carry (anything
            but printable ASCII, RFC 9110 section 5.5).
    """

    name: ChannelName = "api"

    def __init__(
        self,
        base_url: str,
        *,
        token: Secret | None,
        client: httpx.Client | None = None,
        policy: RetryPolicy | None = None,
        body: BodyBuilder = json_body,
        status_path: str = "/eevidence/status/{ref}",
        max_answer: int = MAX_ANSWER,
    ) -> None:
        try:
            url = httpx.URL(base_url)
        except httpx.InvalidURL as exc:
            raise ConfigurationError(
                f"{base_url!r}: the provider API URL is not valid: {exc}"
            ) from None
        if url.scheme != "https":
            raise ConfigurationError(
                f"{base_url}: the provider API must be reached over https, not "
                f"{url.scheme or 'no scheme'}"
            )
        if token is not None and not (token.reveal().isascii() and token.reveal().isprintable()):
            raise CredentialsError(
                "the API token has characters an HTTP header cannot carry (only printable ASCII)"
            )
        self.base = url
        self._token = token
        self._owns_client = client is None
        self._client = client if client is not None else default_http_client()
        self.policy = policy or RetryPolicy()
        self._body = body
        self._status_path = status_path
        self.max_answer = max_answer

    def close(self) -> None:
        """Close the HTTP client if the channel made it (a client given is left open)."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _under_base(self, path: str) -> httpx.URL:
        try:
            return self.base.join(f"{self.base.path.rstrip('/')}{path}")
        except httpx.InvalidURL as exc:
            raise SubmissionError(
                f"cannot make a URL of {path!r}: {exc}", source=str(self.base)
            ) from None

    def endpoint(self, request: Request) -> httpx.URL:
        """The URL a request is posted to: the base URL and :func:`api_path` of its kind.

        Raises:
            InputError: the request's kind is not a known request kind.
            SubmissionError: the path does not make a valid URL.
        """
        return self._under_base(api_path(request.kind))

    def status_url(self, ref: str) -> httpx.URL:
        """The URL of the status of the provider's reference ``ref``.

        Raises:
            SubmissionError: the status path does not make a valid URL.
        """
        return self._under_base(self._status_path.format(ref=quote(ref, safe="")))

    def _headers(self, extra: Mapping[str, str]) -> dict[str, str]:
        headers = {
            "Accept": "application/json",
            "Accept-Encoding": "identity",
            "Connection": "close",
            **extra,
        }
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token.reveal()}"
        return headers

    def _attempt(
        self,
        method: str,
        url: httpx.URL,
        *,
        content: bytes | None,
        headers: Mapping[str, str],
    ) -> _Answer:
        """One request and its answer, within the deadline and the size limit (the HTTP
        library's errors pass through; the deadline's are a :class:`SubmissionError`)."""
        deadline = self.policy.deadline
        with _Watchdog(deadline) as watchdog:
            try:
                request = self._client.build_request(
                    method,
                    url,
                    content=content,
                    headers=self._headers(headers),
                    extensions={"trace": watchdog.trace},
                )
            except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
                raise SubmissionError(
                    f"cannot build the {method} request: {type(exc).__name__}: {exc}",
                    source=str(url),
                ) from None
            try:
                response = self._client.send(request, follow_redirects=False, stream=True)
                try:
                    watchdog.watch(response.extensions.get("network_stream"))
                    answer = self._read(response, url, watchdog)
                finally:
                    response.close()
            except httpx.HTTPError:
                if watchdog.expired:
                    raise self._late(method, url, deadline) from None
                raise
            if watchdog.expired:
                raise self._late(method, url, deadline)
            return answer

    @staticmethod
    def _late(method: str, url: httpx.URL, deadline: float) -> SubmissionError:
        return SubmissionError(
            f"{method} {url}: no complete answer within {deadline:g} s; stopped (run again "
            "later: the same package is not submitted twice)",
            source=str(url),
        )

    def _read(self, response: httpx.Response, url: httpx.URL, watchdog: _Watchdog) -> _Answer:
        code = response.status_code
        ok = 200 <= code < 300
        if code in _REDIRECTS:  # the body of a redirect is not needed
            return _Answer(code, response.reason_phrase, response.headers, b"")
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if ok and encoding not in ("", "identity"):
            raise MalformedAnswerError(
                f"the answer is compressed ({CONTROL.sub(' ', encoding)[:40]}) though an "
                "uncompressed one was asked for",
                source=str(url),
            )
        limit = self.max_answer if ok else _ERROR_BODY
        declared = response.headers.get("content-length", "").strip()
        if ok and declared.isdigit() and int(declared) > limit:
            raise MalformedAnswerError(
                f"the answer is larger than {limit} bytes (Content-Length {declared}); not read",
                source=str(url),
            )
        body, truncated = _read_body(response, limit, watchdog)
        if ok and truncated:
            raise MalformedAnswerError(
                f"the answer is larger than {limit} bytes; stopped reading at the limit",
                source=str(url),
            )
        if encoding not in ("", "identity"):
            body = b""  # an error answer's compressed body is not read for its message
        return _Answer(code, response.reason_phrase, response.headers, body, truncated)

    def _exchange(
        self,
        method: str,
        url: httpx.URL,
        *,
        content: bytes | None = None,
        headers: Mapping[str, str],
    ) -> tuple[_Answer, int]:
        """Send with retries; answer the final response (2xx) and the attempts made."""
        policy = self.policy
        attempt = redirects = 0
        origin = _origin(url)
        started = time.monotonic()

        def give_up_before(delay: float, why: str) -> None:
            """Stop rather than wait past the policy's whole budget (``total``)."""
            spent = time.monotonic() - started
            if spent + delay + policy.deadline > policy.total:
                raise SubmissionError(
                    f"{method} {url} {why}; {attempt} attempt(s) in {spent:.0f} s, and another "
                    f"would end past the {policy.total:.0f} s allowed: try again later (the "
                    "same package is not submitted twice)",
                    source=str(url),
                )

        while True:
            attempt += 1
            try:
                response = self._attempt(method, url, content=content, headers=headers)
            except httpx.TransportError as exc:
                if _is_tls_failure(exc):
                    raise SubmissionError(
                        f"TLS verification of {url.host} failed; nothing was sent ({exc})",
                        source=str(url),
                    ) from exc
                what = "timed out" if isinstance(exc, httpx.TimeoutException) else "failed"
                if attempt >= policy.attempts:
                    raise SubmissionError(
                        f"{method} {url} {what} after {attempt} attempt(s): {type(exc).__name__}",
                        source=str(url),
                    ) from exc
                delay = policy.backoff(attempt)
                give_up_before(delay, what)
                log.info("%s %s %s; retry %d in %.1fs", method, url, what, attempt, delay)
                policy.sleep(delay)
                continue
            except httpx.DecodingError as exc:
                raise MalformedAnswerError(
                    f"the answer cannot be decoded: {exc}", source=str(url)
                ) from exc
            except httpx.HTTPError as exc:  # anything else the HTTP library raises
                raise SubmissionError(
                    f"{method} {url} failed: {type(exc).__name__}: {exc}", source=str(url)
                ) from exc
            code = response.status_code
            if code in _REDIRECTS:
                location = response.headers.get("location", "")
                target = url.join(location)  # httpx has refused an invalid location already
                if _origin(target) != origin:
                    raise SubmissionError(
                        f"the provider redirected to another host ({target.host}); not followed, "
                        "so the credentials are not sent there",
                        source=str(url),
                    )
                redirects += 1
                if code not in (307, 308) or redirects > _MAX_REDIRECTS:
                    raise SubmissionError(
                        f"the provider answered {code} (redirect) to {target.path}; not followed",
                        source=str(url),
                    )
                url, attempt = target, attempt - 1
                continue
            if code in RETRY_STATUS:
                if attempt >= policy.attempts:
                    raise SubmissionError(
                        f"the provider answered {code} {response.reason_phrase} after "
                        f"{attempt} attempt(s): {_provider_message(response)}",
                        source=str(url),
                    )
                wait = policy.retry_after(response.headers.get("retry-after"))
                if wait is not None and wait > policy.max_retry_after:
                    raise SubmissionError(
                        f"the provider answered {code} and asks to retry after {wait:.0f} s; "
                        "try again later (the same package is not submitted twice)",
                        source=str(url),
                    )
                delay = wait if wait is not None else policy.backoff(attempt)
                give_up_before(delay, f"answered {code}")
                log.info("%s %s answered %d; retry %d in %.1fs", method, url, code, attempt, delay)
                policy.sleep(delay)
                continue
            if code >= 400:
                raise SubmissionError(
                    f"the provider refused the request: {code} {response.reason_phrase}: "
                    f"{_provider_message(response)}",
                    source=str(url),
                )
            return response, attempt

    def submit(self, outgoing: OutgoingPackage, *, now: datetime) -> SubmissionReceipt:
        """``POST`` the package's body to :meth:`endpoint`, retrying as the policy says.

        Args:
            outgoing: the package to send.
            now: the time of the submission (time-zone aware).

        Returns:
            The receipt: the URL, the provider's answer (reference, status), ``HTTP <code>``
            and the attempts made.

        Raises:
            LifecycleError: ``now`` has no time zone.
            SubmissionError: the provider cannot be reached (after the policy's attempts),
                TLS verification fails, the provider refuses the request (4xx), keeps
                failing (5xx, 429), asks to wait longer than the policy allows, or
                redirects elsewhere than the same host with 307 or 308.
            MalformedAnswerError: the answer cannot be decoded or understood
                (:func:`parse_answer`).
            InputError: the body cannot be built (:func:`json_body`, :func:`hi1_body`).
            Hi1Error: the HI-1 body cannot be written (:func:`hi1_body`).
        """
        as_utc(now, "now")
        content, content_type = self._body(outgoing)
        url = self.endpoint(outgoing.request)
        log.info("submitting request %s to %s", outgoing.request.id, url)
        response, attempts = self._exchange(
            "POST",
            url,
            content=content,
            headers={
                "Content-Type": content_type,
                "Idempotency-Key": outgoing.idempotency_key,
            },
        )
        status = parse_answer(response.content, source=str(url))
        return SubmissionReceipt(
            "api",
            outgoing.request.id,
            outgoing.sha256,
            True,
            str(url),
            status,
            detail=f"HTTP {response.status_code}",
            attempts=attempts,
        )

    def status(self, ref: str) -> ProviderStatus:
        """``GET`` the provider's status for reference ``ref`` (retried as for submissions).

        Returns:
            The status; its reference is ``ref`` when the answer names none.

        Raises:
            SubmissionError: as for :meth:`submit` (unreachable, refused, TLS...).
            MalformedAnswerError: the answer gives no status or cannot be understood.
        """
        url = self.status_url(ref)
        response, _ = self._exchange("GET", url, headers={})
        status = parse_answer(response.content, source=str(url), require_status=True)
        return status if status.ref else replace(status, ref=ref)
