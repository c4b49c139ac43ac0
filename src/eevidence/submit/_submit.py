"""Submitting request packages to providers, and reading back what the provider says.

Three channels share one interface (:class:`SubmissionChannel`), chosen per provider from
its profile:

* :class:`ApiChannel` - HTTPS ``POST`` to TS 104 144-style endpoints
  (``/eevidence/preservation``, ``/eevidence/production``) through an injected
  ``httpx.Client``; retries with exponential backoff and jitter on connection errors, 429 and
  5xx (honouring ``Retry-After``), one ``Idempotency-Key`` per request and package so a retry
  never creates a second request; the provider's reference and status are read from the
  answer (tolerant of field names, strict about what cannot be understood);
* :class:`EmailChannel` - SMTP with STARTTLS (refused without it), the package attached;
* :class:`PortalChannel` - an upload bundle (package, letters, a checklist of what to paste
  where); the submission counts only once the user confirms it (:func:`confirm_portal`).

Nothing here touches the tracking store except :func:`record_submission` and
:func:`apply_status`, which turn a receipt or a provider status into lifecycle events.
Credentials (:func:`load_credentials`) come from environment variables or a file only the
user can read; they are held in :class:`Secret` objects that never print their value.
"""

from __future__ import annotations

import email.utils
import hashlib
import io
import json
import logging
import os
import random
import re
import shutil
import smtplib
import ssl
import stat
import tempfile
import time
import tomllib
import uuid
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Final, Literal, Protocol
from urllib.parse import quote

import httpx

from eevidence._internal.fs import write_atomic
from eevidence.crypto import TrustStore, canonical_json_bytes
from eevidence.errors import (
    CredentialsError,
    InputError,
    LifecycleError,
    MalformedAnswerError,
    SubmissionError,
)
from eevidence.hi1 import Hi1Endpoint, to_hi1_xml
from eevidence.package import PackageLimits, Reader, package_report, reading
from eevidence.provider import Channel, ProviderProfile
from eevidence.request import Request, parse_request
from eevidence.tracking import (
    PRESERVATION_KINDS,
    Event,
    Store,
    Tracked,
    allowed_events,
    as_utc,
    default_store_path,
)

__all__ = [
    "BODY_FORMATS",
    "CHANNEL_KINDS",
    "CREDENTIALS_ENV",
    "ApiChannel",
    "BodyBuilder",
    "ChannelName",
    "Credentials",
    "EmailChannel",
    "OutgoingPackage",
    "PortalChannel",
    "ProviderStatus",
    "RetryPolicy",
    "Secret",
    "SmtpSettings",
    "SubmissionChannel",
    "SubmissionReceipt",
    "apply_status",
    "confirm_portal",
    "default_credentials_path",
    "default_http_client",
    "json_body",
    "load_credentials",
    "load_outgoing",
    "parse_answer",
    "pick_channel",
    "record_submission",
    "token_env_name",
]

log = logging.getLogger(__name__)

ChannelName = Literal["api", "email", "portal"]
CHANNEL_KINDS: Final[tuple[ChannelName, ...]] = ("api", "email", "portal")
CREDENTIALS_ENV: Final = "EEVIDENCE_CREDENTIALS"
_MAX_ANSWER: Final = 1 << 20
_MAX_REDIRECTS: Final = 3
_KEY_NAMESPACE: Final = uuid.UUID("5b0c2f43-6c53-4f51-9d3a-3a1f2f0e6a11")


# --------------------------------------------------------------------------- secrets


class Secret:
    """A credential: its value is only given by :meth:`reveal`, never by ``str`` or ``repr``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


# --------------------------------------------------------------------------- the outgoing package


@dataclass(frozen=True)
class OutgoingPackage:
    """A package ready to send: its exact bytes, digest, and the request it carries."""

    path: Path
    data: bytes = field(repr=False)
    sha256: str
    request: Request
    request_bytes: bytes = field(repr=False)
    documents: tuple[str, ...] = ()
    """Rendered documents (letters) in the package: their names under ``data/documents/``."""

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def idempotency_key(self) -> str:
        """The same for every attempt to send this package for this request, different
        for any other package (a rebuilt package is a new submission)."""
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

    With ``trust`` the signatures must also verify against it. The bytes sent are the bytes
    checked: they are read once, and the file must not have been written to (inode, size,
    modification and change times) by the end of the verification.
    """
    p = Path(path)
    if p.is_dir():
        raise InputError(
            "only the zip form of a package can be sent; build it with an OUT ending in .zip",
            source=str(p),
        )
    try:
        before = _identity(p)
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the package: {exc.strerror or exc}", source=str(p)) from None
    digest = hashlib.sha256(data).hexdigest()
    report = package_report(p, trust or TrustStore(), limits=limits)
    reasons = report.reasons()
    if trust is None:  # fixity only: signatures cannot be judged without a trust store
        reasons = [] if report.fixity_ok else reasons
    if reasons:
        raise InputError(
            "the package does not verify, not sending it: " + "; ".join(reasons[:5]),
            source=str(p),
        )
    with reading(p, limits) as reader:
        request_bytes = reader.read_bytes("data/request.json", 16 << 20)
        documents = tuple(
            name.removeprefix("data/documents/")
            for name in sorted(reader.entries())
            if name.startswith("data/documents/") and name.count("/") == 2
        )
    if _identity(p) != before or len(data) != before[1]:
        raise InputError("the package changed while it was being verified", source=str(p))
    request = parse_request(request_bytes, source=f"{p}:data/request.json")
    return OutgoingPackage(p, data, digest, request, request_bytes, documents)


# --------------------------------------------------------------------------- provider answers

StatusEvent = Literal["acknowledged", "preserved", "disclosed", "rejected"]


@dataclass(frozen=True)
class ProviderStatus:
    """What a provider's answer says: its reference and where the request stands.

    ``event`` is the lifecycle event the status maps to (``None``: the answer gave no status,
    or one this library does not know, kept in ``raw_status``).
    """

    ref: str | None = None
    event: StatusEvent | None = None
    raw_status: str | None = None
    reason: str | None = None
    partial: bool = False
    expires: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "event": self.event,
            "raw_status": self.raw_status,
            "reason": self.reason,
            "partial": self.partial,
            "expires": self.expires.isoformat() if self.expires else None,
        }


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


_REF_KEYS: Final = (
    "reference",
    "providerreference",
    "referencenumber",
    "ref",
    "requestid",
    "caseid",
    "trackingid",
    "id",
)
_STATUS_KEYS: Final = ("status", "state", "requeststatus")
_REASON_KEYS: Final = ("reason", "rejectionreason", "message", "detail")
_EXPIRES_KEYS: Final = ("expires", "expiresat", "expiry", "preservationexpiry", "preserveduntil")
_WRAPPERS: Final = ("data", "result", "request", "submission")
_STATUS_WORDS: Final[dict[str, StatusEvent]] = {
    **dict.fromkeys(
        (
            "received",
            "accepted",
            "acknowledged",
            "pending",
            "queued",
            "submitted",
            "open",
            "inprogress",
            "processing",
            "underreview",
            "created",
        ),
        "acknowledged",
    ),
    "preserved": "preserved",
    **dict.fromkeys(
        (
            "disclosed",
            "completed",
            "complete",
            "fulfilled",
            "produced",
            "delivered",
            "partiallydisclosed",
            "partial",
        ),
        "disclosed",
    ),
    **dict.fromkeys(("rejected", "refused", "denied", "declined"), "rejected"),
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _lookup(doc: Mapping[str, Any], keys: Iterable[str]) -> Any:
    normalised = {_norm(k): v for k, v in doc.items() if isinstance(k, str)}
    for key in keys:
        if key in normalised and normalised[key] is not None:
            return normalised[key]
    return None


def parse_answer(
    body: bytes, *, source: str, require_status: bool = False, max_size: int = _MAX_ANSWER
) -> ProviderStatus:
    """Read a provider's answer (JSON).

    Tolerant of how fields are named (``reference``, ``providerReference``, ``id``...,
    ``status`` or ``state``; a ``data`` wrapper), strict about values: an answer that is not
    a JSON object, a reference that is not a short text, an unreadable expiry raise
    :class:`MalformedAnswerError`. An empty body says nothing (all fields ``None``).
    """
    if len(body) > max_size:
        raise MalformedAnswerError(f"the answer is larger than {max_size} bytes", source=source)
    if not body.strip():
        if require_status:
            raise MalformedAnswerError("the answer is empty; a status was expected", source=source)
        return ProviderStatus()
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        preview = _CONTROL.sub(" ", body[:80].decode("utf-8", "replace"))
        raise MalformedAnswerError(
            f"the answer is not JSON (starts with {preview!r})", source=source
        ) from None
    if not isinstance(doc, dict):
        raise MalformedAnswerError(
            f"the answer is a JSON {type(doc).__name__}, not an object", source=source
        )
    for wrapper in _WRAPPERS:
        inner = _lookup(doc, (wrapper,))
        if isinstance(inner, dict) and _lookup(doc, _STATUS_KEYS + _REF_KEYS) is None:
            doc = inner
            break
    ref = _lookup(doc, _REF_KEYS)
    if ref is not None:
        if isinstance(ref, bool) or not isinstance(ref, str | int):
            raise MalformedAnswerError(
                f"the provider reference is a {type(ref).__name__}, not a text", source=source
            )
        ref = str(ref).strip()
        if not ref or len(ref) > 200 or _CONTROL.search(ref):
            raise MalformedAnswerError(
                "the provider reference is empty, too long or has control characters",
                source=source,
            )
    raw = _lookup(doc, _STATUS_KEYS)
    if raw is not None and not isinstance(raw, str):
        raise MalformedAnswerError(
            f"the status is a {type(raw).__name__}, not a text", source=source
        )
    if raw is not None:
        raw = _CONTROL.sub(" ", raw).strip()[:200]
    if raw is None and require_status:
        raise MalformedAnswerError("the answer has no status", source=source)
    event = _STATUS_WORDS.get(_norm(raw)) if raw else None
    partial_flag = _lookup(doc, ("partial",))
    partial = (raw is not None and _norm(raw) in ("partial", "partiallydisclosed")) or (
        partial_flag is True
    )
    reason = _lookup(doc, _REASON_KEYS)
    reason = _CONTROL.sub(" ", reason)[:2000] if isinstance(reason, str) and reason else None
    expires = _lookup(doc, _EXPIRES_KEYS)
    when: datetime | None = None
    if expires is not None:
        try:
            when = datetime.fromisoformat(str(expires).replace("Z", "+00:00"))
        except ValueError:
            when = None
        if when is None or when.tzinfo is None:
            raise MalformedAnswerError(
                f"the expiry {expires!r} is not a date-time with a time zone", source=source
            )
        when = when.astimezone(UTC)
    if event == "rejected" and reason is None:
        reason = f"provider status {raw}"
    return ProviderStatus(ref, event, raw, reason if event == "rejected" else None, partial, when)


# --------------------------------------------------------------------------- receipts, channels


@dataclass(frozen=True)
class SubmissionReceipt:
    """What one submission did. ``submitted`` is false for a portal bundle not yet confirmed."""

    channel: ChannelName
    request_id: str
    package_sha256: str
    submitted: bool
    destination: str
    status: ProviderStatus = field(default_factory=ProviderStatus)
    detail: str | None = None
    attempts: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "request_id": self.request_id,
            "package_sha256": self.package_sha256,
            "submitted": self.submitted,
            "destination": self.destination,
            "status": self.status.to_dict(),
            "detail": self.detail,
            "attempts": self.attempts,
        }


class SubmissionChannel(Protocol):
    """A way to hand a package to a provider."""

    name: ChannelName

    def submit(self, outgoing: OutgoingPackage, *, now: datetime) -> SubmissionReceipt: ...


# --------------------------------------------------------------------------- the API channel

BodyBuilder = Callable[[OutgoingPackage], tuple[bytes, str]]
"""Builds the body of an API submission: (bytes, content type)."""


def json_body(outgoing: OutgoingPackage) -> tuple[bytes, str]:
    """The JSON document body: the canonical request and the package's digest."""
    doc = {
        "format": "eevidence-submission",
        "version": 1,
        "request": json.loads(outgoing.request_bytes),
        "package": {
            "name": outgoing.name,
            "sha256": outgoing.sha256,
            "size": len(outgoing.data),
        },
    }
    return canonical_json_bytes(doc), "application/json"


def hi1_body(outgoing: OutgoingPackage) -> tuple[bytes, str]:
    """The ETSI TS 103 120 ``HI1Message`` body, with the package's first letter as its document.

    The transaction id is derived from the idempotency key, so every attempt to send the same
    package is the same HI-1 transaction. The receiver's country is not recorded per provider
    for HI-1 endpoints, so the user-assigned code ``ZZ`` ("unspecified") stands for it.
    """
    request = outgoing.request
    letter = None
    if outgoing.documents:
        with zipfile.ZipFile(io.BytesIO(outgoing.data)) as zf:
            wanted = f"data/documents/{outgoing.documents[0]}"
            name = next((n for n in zf.namelist() if n.endswith("/" + wanted)), None)
            letter = zf.read(name) if name else None
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


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry.

    Delay before retry ``n`` (1-based): a random value in ``[0, min(cap, base * 2**(n-1))]``
    ("full jitter"), unless the provider sent ``Retry-After``, which is honoured as given up
    to ``max_retry_after`` seconds (a longer wait is reported, not slept). ``sleep``,
    ``clock`` and ``rng`` are injectable so tests never wait.
    """

    attempts: int = 5
    base: float = 0.5
    cap: float = 30.0
    max_retry_after: float = 300.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    rng: random.Random = field(default_factory=random.SystemRandom)

    def backoff(self, attempt: int) -> float:
        return self.rng.uniform(0, min(self.cap, self.base * 2 ** (attempt - 1)))

    def retry_after(self, value: str | None) -> float | None:
        """Seconds to wait from a ``Retry-After`` value (seconds or an HTTP date)."""
        if value is None:
            return None
        text = value.strip()
        if text.isdigit():
            return float(int(text))
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - self.clock()).total_seconds())


_RETRY_STATUS: Final = frozenset({429, 500, 502, 503, 504})
_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})


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


def _provider_message(response: httpx.Response) -> str:
    try:
        doc = json.loads(response.content)
    except ValueError:
        doc = None
    if isinstance(doc, dict):
        found = _lookup(doc, ("message", "error", "detail", "title"))
        if isinstance(found, str):
            return _CONTROL.sub(" ", found)[:300]
    return _CONTROL.sub(" ", response.text[:300]) if response.content else "(no body)"


def default_http_client() -> httpx.Client:
    """TLS verified, bounded timeouts, no redirects, no ``.netrc`` or proxy variables."""
    return httpx.Client(
        verify=True,
        timeout=httpx.Timeout(30.0, connect=10.0),
        follow_redirects=False,
        trust_env=False,
    )


class ApiChannel:
    """HTTPS submission to a provider's TS 104 144-style API."""

    name: ChannelName = "api"

    def __init__(
        self,
        base_url: str,
        *,
        token: Secret | None,
        client: httpx.Client,
        policy: RetryPolicy | None = None,
        body: BodyBuilder = json_body,
        status_path: str = "/eevidence/status/{ref}",
    ) -> None:
        url = httpx.URL(base_url)
        if url.scheme != "https":
            raise SubmissionError(
                f"the provider API must be reached over https, not {url.scheme or 'no scheme'}",
                source=base_url,
            )
        self.base = url
        self._token = token
        self._client = client
        self.policy = policy or RetryPolicy()
        self._body = body
        self._status_path = status_path

    def endpoint(self, request: Request) -> httpx.URL:
        path = "preservation" if request.kind in PRESERVATION_KINDS else "production"
        return self.base.join(f"{self.base.path.rstrip('/')}/eevidence/{path}")

    def status_url(self, ref: str) -> httpx.URL:
        path = self._status_path.format(ref=quote(ref, safe=""))
        return self.base.join(f"{self.base.path.rstrip('/')}{path}")

    def _headers(self, extra: Mapping[str, str]) -> dict[str, str]:
        headers = {"Accept": "application/json", **extra}
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token.reveal()}"
        return headers

    def _exchange(
        self,
        method: str,
        url: httpx.URL,
        *,
        content: bytes | None = None,
        headers: Mapping[str, str],
    ) -> tuple[httpx.Response, int]:
        """Send with retries; answer the final response (2xx or 4xx) and the attempts made."""
        policy = self.policy
        attempt = redirects = 0
        origin = _origin(url)
        while True:
            attempt += 1
            request = self._client.build_request(
                method, url, content=content, headers=self._headers(headers)
            )
            try:
                response = self._client.send(request, follow_redirects=False)
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
                log.info("%s %s %s; retry %d in %.1fs", method, url, what, attempt, delay)
                policy.sleep(delay)
                continue
            code = response.status_code
            if code in _REDIRECTS:
                location = response.headers.get("location", "")
                target = url.join(location)
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
            if code in _RETRY_STATUS:
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
        """``GET`` the provider's status for reference ``ref``."""
        url = self.status_url(ref)
        response, _ = self._exchange("GET", url, headers={})
        status = parse_answer(response.content, source=str(url), require_status=True)
        return status if status.ref else replace(status, ref=ref)


# --------------------------------------------------------------------------- the email channel


@dataclass(frozen=True)
class SmtpSettings:
    """The outgoing mail server. STARTTLS is always required."""

    host: str
    sender: str
    port: int = 587
    username: str | None = None
    password: Secret | None = None
    timeout: float = 30.0


class EmailChannel:
    """The package as an attachment, sent over SMTP after STARTTLS."""

    name: ChannelName = "email"

    def __init__(
        self,
        settings: SmtpSettings,
        to: str,
        *,
        ssl_context: ssl.SSLContext | None = None,
        smtp_factory: Callable[..., smtplib.SMTP] = smtplib.SMTP,
    ) -> None:
        self.settings = settings
        self.to = to
        self._context = ssl_context or ssl.create_default_context()
        self._factory = smtp_factory

    def message(self, outgoing: OutgoingPackage, *, now: datetime) -> EmailMessage:
        request = outgoing.request
        msg = EmailMessage()
        msg["From"] = self.settings.sender
        msg["To"] = self.to
        msg["Subject"] = f"{request.kind.replace('_', ' ')} request {request.id}"
        msg["Date"] = email.utils.format_datetime(as_utc(now, "now"))
        domain = self.settings.sender.rpartition("@")[2] or None
        msg["Message-ID"] = email.utils.make_msgid(domain=domain)
        msg.set_content(
            f"Please find attached a {request.kind.replace('_', ' ')} request from "
            f"{request.authority.name} ({request.authority.country}), "
            f"case {request.case.reference}.\n\n"
            f"Attachment: {outgoing.name}, a signed BagIt package.\n"
            f"SHA-256 of the attachment: {outgoing.sha256}\n"
            f"Request id: {request.id}\n\n"
            f"Contact: {request.authority.officer.name}, {request.authority.officer.email}\n"
        )
        msg.add_attachment(
            outgoing.data, maintype="application", subtype="zip", filename=outgoing.name
        )
        return msg

    def submit(self, outgoing: OutgoingPackage, *, now: datetime) -> SubmissionReceipt:
        s = self.settings
        msg = self.message(outgoing, now=now)
        where = f"smtp://{s.host}:{s.port}"
        try:
            with self._factory(s.host, s.port, timeout=s.timeout) as smtp:
                smtp.ehlo()
                if not smtp.has_extn("starttls"):
                    raise SubmissionError(
                        "the mail server does not offer STARTTLS; not sending", source=where
                    )
                smtp.starttls(context=self._context)
                smtp.ehlo()
                if s.username is not None:
                    smtp.login(s.username, s.password.reveal() if s.password else "")
                refused = smtp.send_message(msg)
        except (smtplib.SMTPException, OSError) as exc:
            what = "TLS failed" if isinstance(exc, ssl.SSLError) else type(exc).__name__
            raise SubmissionError(f"sending mail failed: {what}: {exc}", source=where) from exc
        if refused:
            raise SubmissionError(f"the mail server refused {self.to}", source=where)
        log.info("request %s sent by mail via %s", outgoing.request.id, where)
        return SubmissionReceipt(
            "email",
            outgoing.request.id,
            outgoing.sha256,
            True,
            f"mailto:{self.to}",
            detail=str(msg["Message-ID"]),
        )


# --------------------------------------------------------------------------- the portal channel


class PortalChannel:
    """An upload bundle for a web portal or form; nothing is submitted until confirmed."""

    name: ChannelName = "portal"

    def __init__(self, channel: Channel, out_dir: str | os.PathLike[str]) -> None:
        self.channel = channel
        self.out_dir = Path(out_dir)

    def checklist(self, outgoing: OutgoingPackage) -> str:
        r = outgoing.request
        c = self.channel
        lines = [
            f"Upload checklist for {c.name}" + (f" ({c.url})" if c.url else ""),
            "",
        ]
        if c.requirements:
            lines += ["Before you start, the portal requires:"]
            lines += [f"  - {req.replace('_', ' ')}" for req in c.requirements]
            lines.append("")
        period = f"{r.period.start.isoformat()} to {r.period.end.isoformat()}" if r.period else "-"
        fields = [
            ("Request type", r.kind.replace("_", " ")),
            ("Requesting authority", f"{r.authority.name}, {r.authority.unit}"),
            ("Country", r.authority.country),
            (
                "Officer",
                f"{r.authority.officer.name} ({r.authority.officer.role}), "
                f"{r.authority.officer.email}, {r.authority.officer.phone}",
            ),
            ("Case reference", r.case.reference),
            ("Offence", r.case.offence_description),
            ("Statute", r.case.statutory_citation),
            (
                "Legal basis",
                "; ".join(
                    " ".join(x for x in (lb.instrument, lb.article, lb.citation) if x)
                    for lb in r.legal_basis
                ),
            ),
            ("Data requested", ", ".join(r.data.categories)),
            ("Period", period),
        ]
        lines.append("Fields to fill in:")
        lines += [f"  {label + ':':<22} {value}" for label, value in fields]
        lines.append("  Account identifiers:")
        lines += [f"    - {i.type}: {i.value}" for i in r.identifiers]
        if r.confidentiality is not None:
            lines.append(f"  {'Non-disclosure:':<22} yes ({r.confidentiality.reason})")
        lines += ["", "Files to upload:"]
        lines.append(f"  - {outgoing.name}  (SHA-256 {outgoing.sha256})")
        lines += [f"  - {name}" for name in outgoing.documents]
        lines += [
            "",
            "When the portal has accepted the upload, record it with the reference it gives:",
            f"  eevidence submit {outgoing.name} --channel portal --confirm REFERENCE",
            "",
        ]
        return "\n".join(lines)

    def submit(self, outgoing: OutgoingPackage, *, now: datetime) -> SubmissionReceipt:
        as_utc(now, "now")
        bundle = self.out_dir
        bundle.mkdir(parents=True, exist_ok=True)
        if outgoing.documents:  # first: the package and checklist win a clash of names
            with reading(outgoing.path) as reader:
                for name in outgoing.documents:
                    _copy_out(reader, f"data/documents/{name}", bundle / name)
        write_atomic(bundle / outgoing.name, outgoing.data, mode=0o600)
        write_atomic(bundle / "CHECKLIST.txt", self.checklist(outgoing).encode(), mode=0o600)
        return SubmissionReceipt(
            "portal",
            outgoing.request.id,
            outgoing.sha256,
            False,
            str(bundle),
            detail=f"upload bundle for {self.channel.name}",
        )


def _copy_out(reader: Reader, member: str, target: Path) -> None:
    """Stream one package member to ``target`` (mode 0600) through a temporary file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out, reader.open(member) as src:
            shutil.copyfileobj(src, out, 1 << 20)
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def confirm_portal(outgoing: OutgoingPackage, ref: str, *, portal: str) -> SubmissionReceipt:
    """The user uploaded the package to the portal, which gave reference ``ref``."""
    if not ref.strip():
        raise InputError("the portal reference is empty", source="--confirm")
    status = parse_answer(json.dumps({"reference": ref}).encode(), source="--confirm")
    return SubmissionReceipt(
        "portal", outgoing.request.id, outgoing.sha256, True, portal, ProviderStatus(status.ref)
    )


# --------------------------------------------------------------------------- choosing a channel


def pick_channel(
    profile: ProviderProfile, request: Request, wanted: ChannelName | None = None
) -> Channel:
    """The profile channel to use: the first usable one for the request's kind (or ``wanted``).

    Usable: an ``api`` channel with a URL, an ``email`` channel with an address, a ``portal``
    or ``web_form`` (both served by the portal bundle).
    """
    options = profile.channels_for(request.kind)
    for c in options:
        name: ChannelName | None = {
            "api": "api" if c.url else None,
            "email": "email" if c.address else None,
            "portal": "portal",
            "web_form": "portal",
        }.get(c.kind)
        if name is not None and (wanted is None or name == wanted):
            return c
    listed = ", ".join(f"{c.kind} ({c.name})" for c in options) or "none"
    raise InputError(
        f"provider {profile.id} has no usable {wanted or 'api, email or portal'} channel for "
        f"{request.kind} requests (channels: {listed})",
        source=f"provider profile {profile.id}",
    )


# --------------------------------------------------------------------------- credentials


@dataclass(frozen=True)
class Credentials:
    """API tokens by provider id and the SMTP settings, as far as they are configured."""

    tokens: Mapping[str, Secret] = field(default_factory=dict)
    smtp: SmtpSettings | None = None

    def token(self, provider: str) -> Secret | None:
        return self.tokens.get(provider) or self.tokens.get("*")


def default_credentials_path() -> Path:
    return default_store_path().parent / "credentials.toml"


def token_env_name(provider: str) -> str:
    """The environment variable holding ``provider``'s API token."""
    return "EEVIDENCE_API_TOKEN_" + re.sub(r"[^A-Z0-9]", "_", provider.upper())


def _read_private_file(path: Path) -> dict[str, Any]:
    try:
        st = path.stat()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise CredentialsError(f"cannot read: {exc.strerror}", source=str(path)) from None
    if os.name == "posix":
        if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise CredentialsError(
                f"the credentials file is readable by others (mode {stat.S_IMODE(st.st_mode):o});"
                f" make it private: chmod 600 {path}",
                source=str(path),
            )
        if st.st_uid != os.getuid():
            raise CredentialsError("the credentials file belongs to another user", source=str(path))
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        # the parser's message gives the position only (line, column), never the contents
        raise CredentialsError(
            f"the credentials file is not valid TOML: {exc}", source=str(path)
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CredentialsError(
            f"the credentials file cannot be read: {type(exc).__name__}", source=str(path)
        ) from None


def load_credentials(
    path: str | os.PathLike[str] | None = None, *, environ: Mapping[str, str] | None = None
) -> Credentials:
    """Credentials from environment variables, else from a TOML file only the user can read.

    Environment: ``EEVIDENCE_API_TOKEN_<PROVIDER>`` (``-`` as ``_``) or ``EEVIDENCE_API_TOKEN``
    for any provider; ``EEVIDENCE_SMTP_HOST``, ``_PORT``, ``_USER``, ``_PASSWORD``, ``_FROM``.
    File (``path``, ``$EEVIDENCE_CREDENTIALS`` or ``credentials.toml`` next to the default
    store): ``[api.<provider>] token = "..."`` and ``[smtp] host, port, username, password,
    from``. A file that group or others may read is refused.
    """
    env = os.environ if environ is None else environ
    given = path or env.get(CREDENTIALS_ENV)
    file = Path(given or default_credentials_path())
    if given and not file.exists():
        raise CredentialsError("the credentials file does not exist", source=str(file))
    doc = _read_private_file(file)
    tokens: dict[str, Secret] = {}
    api = doc.get("api", {})
    if not isinstance(api, dict):
        raise CredentialsError("[api] must be a table", source=str(file))
    for provider, entry in api.items():
        token = entry.get("token") if isinstance(entry, dict) else None
        if not isinstance(token, str) or not token:
            raise CredentialsError(f"[api.{provider}] needs a token text", source=str(file))
        tokens[provider] = Secret(token)
    for name, value in env.items():
        if name.startswith("EEVIDENCE_API_TOKEN_") and value:
            tokens[name.removeprefix("EEVIDENCE_API_TOKEN_").lower().replace("_", "-")] = Secret(
                value
            )
    if env.get("EEVIDENCE_API_TOKEN"):
        tokens["*"] = Secret(env["EEVIDENCE_API_TOKEN"])
    section = doc.get("smtp", {})
    if not isinstance(section, dict):
        raise CredentialsError("[smtp] must be a table", source=str(file))
    host = env.get("EEVIDENCE_SMTP_HOST") or section.get("host")
    sender = env.get("EEVIDENCE_SMTP_FROM") or section.get("from")
    smtp: SmtpSettings | None = None
    if host or sender:
        if not (isinstance(host, str) and isinstance(sender, str) and host and sender):
            raise CredentialsError(
                "mail needs both a host and a from address (EEVIDENCE_SMTP_HOST and "
                "EEVIDENCE_SMTP_FROM, or host and from in [smtp])",
                source=str(file),
            )
        port = env.get("EEVIDENCE_SMTP_PORT") or section.get("port", 587)
        try:
            port_no = int(port)
        except (TypeError, ValueError):
            raise CredentialsError(
                f"SMTP port {port!r} is not a number", source=str(file)
            ) from None
        user = env.get("EEVIDENCE_SMTP_USER") or section.get("username")
        password = env.get("EEVIDENCE_SMTP_PASSWORD") or section.get("password")
        smtp = SmtpSettings(
            host=host,
            sender=sender,
            port=port_no,
            username=str(user) if user else None,
            password=Secret(str(password)) if password else None,
        )
    return Credentials(tokens, smtp)


# --------------------------------------------------------------------------- the lifecycle


def _events_for(
    tracked: Tracked, status: ProviderStatus, *, at: datetime, actor: str, note: str
) -> list[Event]:
    """Events that bring ``tracked`` to what ``status`` says (none when nothing changes)."""
    out: list[Event] = []
    allowed = set(allowed_events(tracked))
    ref = status.ref if status.ref and status.ref != tracked.provider_ref else None
    target = status.event
    if target is None or target == "acknowledged":
        if (ref or target == "acknowledged") and "acknowledged" in allowed:
            out.append(Event("acknowledged", at, actor, note=note, ref=status.ref))
        return out
    if target == tracked.state:
        last = tracked.last("disclosed")
        if target != "disclosed" or last is None or not last.partial or status.partial:
            return out  # no change (a partial disclosure followed by a full one is a change)
    if target not in allowed:
        return out
    if ref and tracked.provider_ref is None and "acknowledged" in allowed:
        out.append(Event("acknowledged", at, actor, note=note, ref=ref))
        ref = None
    out.append(
        Event(
            target,
            at,
            actor,
            note=note,
            ref=ref,
            expires=status.expires if target == "preserved" else None,
            reason=status.reason if target == "rejected" else None,
            partial=status.partial if target == "disclosed" else False,
        )
    )
    return out


def record_submission(
    store: Store, receipt: SubmissionReceipt, *, now: datetime, actor: str
) -> list[Event]:
    """Record a successful submission: ``submitted``, then what the provider's answer says
    (``acknowledged`` with its reference...). Answers the events recorded."""
    if not receipt.submitted:
        raise InputError("the package was not submitted yet", source=receipt.destination)
    tracked = store.get(receipt.request_id)
    note = f"via {receipt.channel} to {receipt.destination}"
    first = Event(
        "submitted",
        now,
        actor,
        note=note,
        ref=receipt.status.ref if receipt.channel == "portal" else None,
    )
    tracked = store.record(receipt.request_id, first, now=now)
    recorded = [first]
    if receipt.channel != "portal":
        recorded += apply_status(store, tracked, receipt.status, now=now, actor=actor)
    return recorded


def apply_status(
    store: Store, tracked: Tracked, status: ProviderStatus, *, now: datetime, actor: str
) -> list[Event]:
    """Record what a provider status changes for ``tracked``; a status that does not fit the
    request's state (an older state, a preservation answer to a disclosure...) records
    nothing. A status the lifecycle refuses (``preserved`` without an expiry when the terms
    are unknown) is logged and stops there; the events recorded before it are answered."""
    recorded: list[Event] = []
    for event in _events_for(tracked, status, at=now, actor=actor, note="provider status"):
        try:
            store.record(tracked.id, event, now=now)
        except LifecycleError as exc:
            # e.g. "preserved" without an expiry while the preservation terms are unknown
            log.warning("provider status %s not recorded for %s: %s", event.name, tracked.id, exc)
            break
        recorded.append(event)
    return recorded
