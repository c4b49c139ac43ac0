"""Submission channels: API (pytest-httpx, and a real loopback HTTPS server), email (a real
loopback SMTP server with STARTTLS), portal bundles, provider answers, credentials, lifecycle."""

from __future__ import annotations

import email
import email.policy
import email.utils
import hashlib
import json
import os
import random
import smtplib
import ssl
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings, strategies as st
from pytest_httpx import HTTPXMock

import eevidence as ee
from eevidence.crypto import TrustStore
from eevidence.errors import (
    ConfigurationError,
    CredentialsError,
    MalformedAnswerError,
    RemoteError,
    SubmissionError,
)
from eevidence.hi1 import from_hi1_xml
from eevidence.submit import (
    BODY_FORMATS,
    ApiChannel,
    Credentials,
    EmailChannel,
    OutgoingPackage,
    PortalChannel,
    ProviderStatus,
    RetryPolicy,
    Secret,
    SmtpSettings,
    apply_status,
    channel_for,
    confirm_portal,
    default_credentials_path,
    default_http_client,
    json_body,
    load_credentials,
    load_outgoing,
    parse_answer,
    pick_channel,
    record_submission,
)
from eevidence.tracking import Event, SqliteStore, tracked_from_request
from tests.submit_helpers import (
    API,
    NOW,
    SMTP_PASSWORD,
    SMTP_USER,
    TOKEN,
    build_test_package,
    https_server,
    make_cert,
    smtp_server,
    write_profile,
)

PRODUCTION = f"{API}/eevidence/production"


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def outgoing(tmp_path: Path) -> OutgoingPackage:
    return load_outgoing(build_test_package(tmp_path))


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def _api(sleeps: Sleeps, client: httpx.Client, **kw: Any) -> ApiChannel:
    policy = RetryPolicy(
        attempts=kw.pop("attempts", 4),
        total=kw.pop("total", 300.0),
        sleep=sleeps,
        clock=lambda: NOW,
        rng=random.Random(1),  # noqa: S311 - jitter, not cryptography
    )
    return ApiChannel(API, token=Secret(TOKEN), client=client, policy=policy, **kw)


def _store(tmp_path: Path, outgoing: OutgoingPackage) -> SqliteStore:
    store = SqliteStore(tmp_path / "t.sqlite3")
    profile = ee.load_providers().get(outgoing.request.provider)
    store.add(tracked_from_request(outgoing.request, profile))
    return store


# --------------------------------------------------------------------------- the package


def test_load_outgoing_reads_the_exact_bytes(tmp_path: Path) -> None:
    path = build_test_package(tmp_path, letter=True)
    out = load_outgoing(path)
    assert out.data == path.read_bytes()
    assert out.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert out.request.kind == "eu_production_order"
    assert out.documents == ("letter.pdf",)
    # the idempotency key is stable for the same package, and differs for another package
    assert load_outgoing(path).idempotency_key == out.idempotency_key
    other = load_outgoing(build_test_package(tmp_path / "again"))
    assert other.request.id == out.request.id
    assert other.idempotency_key != out.idempotency_key


def test_load_outgoing_refuses_a_damaged_or_untrusted_package(tmp_path: Path) -> None:
    path = build_test_package(tmp_path)
    with pytest.raises(ee.InputError, match=r"trusted|threshold"):
        load_outgoing(path, trust=TrustStore())
    with pytest.raises(ee.InputError, match="zip form"):
        load_outgoing(tmp_path)
    with pytest.raises(ee.InputError, match="cannot read"):
        load_outgoing(tmp_path / "missing.zip")
    data = bytearray(path.read_bytes())
    i = data.index(b'"case"')  # inside data/request.json, stored uncompressed
    data[i + 1] = ord("C")
    path.write_bytes(bytes(data))
    with pytest.raises(ee.InputError, match="does not verify"):
        load_outgoing(path)


def test_a_package_changed_during_verification_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from eevidence.package import package_report as real

    path = build_test_package(tmp_path)

    def tamper(p: Path, trust: TrustStore, **kw: Any) -> ee.VerificationReport:
        report = real(p, trust, **kw)
        with path.open("ab") as fh:
            fh.write(b"appended")
        return report

    monkeypatch.setattr("eevidence.submit._outgoing.package_report", tamper)
    with pytest.raises(ee.InputError, match="changed while it was being verified"):
        load_outgoing(path)


# --------------------------------------------------------------------------- API channel


def test_api_success(httpx_mock: HTTPXMock, outgoing: OutgoingPackage, sleeps: Sleeps) -> None:
    httpx_mock.add_response(
        method="POST",
        url=PRODUCTION,
        status_code=201,
        json={"reference": "LE-2026-0042", "status": "received"},
    )
    with httpx.Client() as client:
        receipt = _api(sleeps, client).submit(outgoing, now=NOW)
    assert receipt.submitted
    assert receipt.status.ref == "LE-2026-0042"
    assert receipt.status.event == "acknowledged"
    assert receipt.destination == PRODUCTION
    (sent,) = httpx_mock.get_requests()
    assert sent.headers["Authorization"] == f"Bearer {TOKEN}"
    assert sent.headers["Idempotency-Key"] == outgoing.idempotency_key
    assert sent.headers["Content-Type"] == "application/json"
    body = json.loads(sent.content)
    assert body["request"]["id"] == outgoing.request.id
    assert body["package"]["sha256"] == outgoing.sha256
    assert body["package"]["size"] == len(outgoing.data)
    assert sleeps.calls == []


def test_preservation_goes_to_the_preservation_endpoint(
    httpx_mock: HTTPXMock, tmp_path: Path, sleeps: Sleeps
) -> None:
    out = load_outgoing(build_test_package(tmp_path, "preservation-extension"))
    httpx_mock.add_response(url=f"{API}/eevidence/preservation", status_code=202)
    with httpx.Client() as client:
        receipt = _api(sleeps, client).submit(out, now=NOW)
    assert receipt.status == ProviderStatus()  # an empty answer: accepted, nothing more said


class Provider:
    """A provider that creates one request per idempotency key, and whose gateway fails
    (503) the first time after the request was already created."""

    def __init__(self) -> None:
        self.created: dict[str, str] = {}
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        key = request.headers["Idempotency-Key"]
        if key not in self.created:
            self.created[key] = f"LE-{len(self.created) + 1}"
        if self.calls == 1:
            return httpx.Response(503, text="upstream timeout")
        return httpx.Response(201, json={"providerReference": self.created[key]})


def test_5xx_then_success_creates_exactly_one_request(
    httpx_mock: HTTPXMock, outgoing: OutgoingPackage, sleeps: Sleeps
) -> None:
    provider = Provider()
    httpx_mock.add_callback(provider, url=PRODUCTION, is_reusable=True)
    with httpx.Client() as client:
        receipt = _api(sleeps, client).submit(outgoing, now=NOW)
    assert receipt.attempts == 2
    assert receipt.status.ref == "LE-1"
    assert len(provider.created) == 1  # the retry did not create a second request
    first, second = httpx_mock.get_requests()
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"]
    assert first.content == second.content
    assert len(sleeps.calls) == 1
    assert 0 <= sleeps.calls[0] <= 0.5  # full jitter within the first backoff step


def test_429_honours_retry_after_seconds_and_http_date(
    httpx_mock: HTTPXMock, outgoing: OutgoingPackage, sleeps: Sleeps
) -> None:
    later = email.utils.format_datetime(NOW + timedelta(seconds=12), usegmt=True)
    httpx_mock.add_response(url=PRODUCTION, status_code=429, headers={"Retry-After": "7"})
    httpx_mock.add_response(url=PRODUCTION, status_code=429, headers={"Retry-After": later})
    httpx_mock.add_response(url=PRODUCTION, status_code=201, json={"id": 981})
    with httpx.Client() as client:
        receipt = _api(sleeps, client).submit(outgoing, now=NOW)
    assert sleeps.calls == [7.0, 12.0]
    assert receipt.status.ref == "981"
    assert receipt.attempts == 3
    keys = {r.headers["Idempotency-Key"] for r in httpx_mock.get_requests()}
    assert keys == {outgoing.idempotency_key}


def test_retry_after_longer_than_allowed_is_reported_not_slept(
    httpx_mock: HTTPXMock, outgoing: OutgoingPackage, sleeps: Sleeps
) -> None:
    httpx_mock.add_response(url=PRODUCTION, status_code=503, headers={"Retry-After": "86400"})
    with httpx.Client() as client, pytest.raises(SubmissionError, match="retry after 86400"):
        _api(sleeps, client).submit(outgoing, now=NOW)
    assert sleeps.calls == []
    assert len(httpx_mock.get_requests()) == 1


def test_retries_stop_at_the_whole_budget(
    httpx_mock: HTTPXMock, outgoing: OutgoingPackage, sleeps: Sleeps
) -> None:
    """A wait that would take the exchange past ``total`` is not made: one line, at once."""
    httpx_mock.add_response(url=PRODUCTION, status_code=503, headers={"Retry-After": "90"})
    with httpx.Client() as client, pytest.raises(SubmissionError, match="past the 120 s allowed"):
        _api(sleeps, client, total=120.0).submit(outgoing, now=NOW)
    assert sleeps.calls == []
    assert len(httpx_mock.get_requests()) == 1


def test_persistent_5xx_gives_up_after_the_attempts(
    httpx_mock: HTTPXMock, outgoing: OutgoingPackage, sleeps: Sleeps
) -> None:
    httpx_mock.add_response(
        url=PRODUCTION, status_code=502, json={"message": "bad gateway"}, is_reusable=True
    )
    with httpx.Client() as client, pytest.raises(SubmissionError) as info:
        _api(sleeps, client, attempts=3).submit(outgoing, now=NOW)
    assert "502" in str(info.value)
    assert "after 3 attempt(s): bad gateway" in str(info.value)
    assert len(httpx_mock.get_requests()) == 3
    assert len(sleeps.calls) == 2
    # exponential growth: each delay is drawn below base * 2**(n-1)
    assert sleeps.calls[0] <= 0.5
    assert sleeps.calls[1] <= 1.0


def test_timeout_is_retried_then_reported(
    httpx_mock: HTTPXMock, outgoing: OutgoingPackage, sleeps: Sleeps
) -> None:
    httpx_mock.add_exception(httpx.ReadTimeout("read timed out"), is_reusable=True)
    with httpx.Client() as client, pytest.raises(SubmissionError) as info:
        _api(sleeps, client, attempts=3).submit(outgoing, now=NOW)
    assert "timed out after 3 attempt(s): ReadTimeout" in str(info.value)
    requests = httpx_mock.get_requests()
    assert len(requests) == 3
    assert {r.headers["Idempotency-Key"] for r in requests} == {outgoing.idempotency_key}
    assert len(sleeps.calls) == 2


def test_connection_error_then_success(
    httpx_mock: HTTPXMock, outgoing: OutgoingPackage, sleeps: Sleeps
) -> None:
    httpx_mock.add_exception(httpx.ConnectError("connection refused"))
    httpx_mock.add_response(url=PRODUCTION, json={"reference": "R-1", "status": "pending"})
    with httpx.Client() as client:
        receipt = _api(sleeps, client).submit(outgoing, now=NOW)
    assert receipt.status.ref == "R-1"
    assert len(sleeps.calls) == 1


def test_tls_failure_against_a_real_loopback_server(
    tmp_path: Path, outgoing: OutgoingPackage, sleeps: Sleeps
) -> None:
    cert = make_cert(tmp_path / "tls")
    with https_server(cert, {"reference": "X"}) as (base, seen):
        # certificate not trusted: the default client verifies TLS and nothing is sent
        with default_http_client() as client:
            api = ApiChannel(
                base,
                token=Secret(TOKEN),
                client=client,
                policy=RetryPolicy(sleep=sleeps),
            )
            with pytest.raises(SubmissionError, match=r"TLS verification of 127\.0\.0\.1 failed"):
                api.submit(outgoing, now=NOW)
        assert seen.requests == []
        assert sleeps.calls == []  # a TLS failure is not retried
        # the same server, trusted: the package goes through over real TLS
        with httpx.Client(verify=cert.client_context()) as client:
            api = ApiChannel(base, token=Secret(TOKEN), client=client)
            receipt = api.submit(outgoing, now=NOW)
    assert receipt.status.ref == "X"
    (method, path, headers, body) = seen.requests[0]
    assert (method, path) == ("POST", "/eevidence/production")
    assert headers["Idempotency-Key"] == outgoing.idempotency_key
    assert json.loads(body)["package"]["sha256"] == outgoing.sha256


def test_malformed_answers_raise_a_clear_error(
    httpx_mock: HTTPXMock, tmp_path: Path, outgoing: OutgoingPackage, sleeps: Sleeps
) -> None:
    store = _store(tmp_path, outgoing)
    httpx_mock.add_response(url=PRODUCTION, status_code=200, text="<html>Service page</html>")
    with httpx.Client() as client, pytest.raises(MalformedAnswerError) as info:
        _api(sleeps, client).submit(outgoing, now=NOW)
    assert "the answer is not JSON (starts with '<html>Service page</html>')" in str(info.value)
    assert info.value.diagnostics().startswith(PRODUCTION)
    assert store.get(outgoing.request.id).state == "draft"  # nothing was recorded
    store.close()


def test_redirect_to_another_host_does_not_forward_credentials(
    httpx_mock: HTTPXMock, outgoing: OutgoingPackage, sleeps: Sleeps
) -> None:
    httpx_mock.add_response(
        url=PRODUCTION,
        status_code=307,
        headers={"Location": "https://collector.elsewhere.example/take"},
    )
    # even a client configured to follow redirects does not follow this one
    with (
        httpx.Client(follow_redirects=True) as client,
        pytest.raises(SubmissionError, match="another host"),
    ):
        _api(sleeps, client).submit(outgoing, now=NOW)
    requests = httpx_mock.get_requests()
    assert [r.url.host for r in requests] == ["le-api.provider.example"]
    assert all(r.url.host == "le-api.provider.example" for r in requests)


def test_redirect_on_the_same_host_is_followed(
    httpx_mock: HTTPXMock, outgoing: OutgoingPackage, sleeps: Sleeps
) -> None:
    httpx_mock.add_response(
        url=PRODUCTION, status_code=308, headers={"Location": "/v2/eevidence/production"}
    )
    httpx_mock.add_response(url=f"{API}/v2/eevidence/production", json={"reference": "R-9"})
    with httpx.Client() as client:
        receipt = _api(sleeps, client).submit(outgoing, now=NOW)
    assert receipt.status.ref == "R-9"
    second = httpx_mock.get_requests()[1]
    assert second.method == "POST"
    assert second.headers["Authorization"] == f"Bearer {TOKEN}"
    assert receipt.attempts == 1


def test_other_redirects_and_refusals_are_errors(
    httpx_mock: HTTPXMock, outgoing: OutgoingPackage, sleeps: Sleeps
) -> None:
    httpx_mock.add_response(url=PRODUCTION, status_code=303, headers={"Location": "/seen"})
    httpx_mock.add_response(url=PRODUCTION, status_code=422, json={"error": "legal basis missing"})
    httpx_mock.add_response(url=PRODUCTION, status_code=403, text="")
    with httpx.Client() as client:
        api = _api(sleeps, client)
        with pytest.raises(SubmissionError, match="303"):
            api.submit(outgoing, now=NOW)
        with pytest.raises(SubmissionError, match="422 Unprocessable Entity: legal basis"):
            api.submit(outgoing, now=NOW)
        with pytest.raises(SubmissionError, match=r"403 Forbidden: \(no body\)"):
            api.submit(outgoing, now=NOW)


def test_api_must_use_https() -> None:
    url = "http://le-api.provider.example"
    with httpx.Client() as client, pytest.raises(ConfigurationError, match="https") as info:
        ApiChannel(url, token=None, client=client)
    assert str(info.value).startswith(f"{url}: ")  # names the URL
    assert not isinstance(info.value, RemoteError)  # a configuration mistake, not the network
    with httpx.Client() as client, pytest.raises(ConfigurationError, match="no scheme"):
        ApiChannel("le-api.provider.example", token=None, client=client)


def test_body_formats_are_pluggable(
    httpx_mock: HTTPXMock, outgoing: OutgoingPackage, sleeps: Sleeps
) -> None:
    assert BODY_FORMATS["json"](outgoing)[1] == "application/json"
    httpx_mock.add_response(url=PRODUCTION, json={"reference": "R"})
    with httpx.Client() as client:
        api = _api(sleeps, client, body=lambda o: (o.request.id.encode(), "text/plain"))
        api.submit(outgoing, now=NOW)
    (sent,) = httpx_mock.get_requests()
    assert sent.content == outgoing.request.id.encode()
    assert sent.headers["Content-Type"] == "text/plain"


def test_status_get(httpx_mock: HTTPXMock, sleeps: Sleeps) -> None:
    httpx_mock.add_response(
        method="GET",
        url=f"{API}/eevidence/status/LE%2F42",
        json={"data": {"state": "Partially disclosed"}},
    )
    with httpx.Client() as client:
        status = _api(sleeps, client).status("LE/42")
    assert status == ProviderStatus("LE/42", "disclosed", "Partially disclosed", partial=True)


# --------------------------------------------------------------------------- answers


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            b'{"reference": "A-1", "status": "accepted"}',
            ProviderStatus("A-1", "acknowledged", "accepted"),
        ),
        (b'{"Provider-Reference": 17}', ProviderStatus("17")),
        (
            b'{"result": {"caseId": "C", "status": "preserved", "expiresAt": "2027-03-01T00:00:00Z"}}',
            ProviderStatus("C", "preserved", "preserved", expires=NOW.replace(2027, 3, 1, 0)),
        ),
        (
            b'{"status": "Denied", "message": "no account"}',
            ProviderStatus(None, "rejected", "Denied", "no account"),
        ),
        (
            b'{"status": "refused"}',
            ProviderStatus(None, "rejected", "refused", "provider status refused"),
        ),
        (
            b'{"status": "completed", "partial": true}',
            ProviderStatus(None, "disclosed", "completed", partial=True),
        ),
        (b'{"status": "escalated to legal"}', ProviderStatus(None, None, "escalated to legal")),
        (b"  ", ProviderStatus()),
        (
            b'{"status": "Rejected\\u001b[31m"}',
            ProviderStatus(None, None, "Rejected [31m"),
        ),
    ],
)
def test_parse_answer_is_tolerant_of_names(body: bytes, expected: ProviderStatus) -> None:
    assert parse_answer(body, source="t") == expected


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[1, 2]", "a JSON list, not an object"),
        (b'{"reference": true}', "reference is a bool"),
        (b'{"reference": {"x": 1}}', "reference is a dict"),
        (b'{"reference": "  "}', "empty, too long"),
        (b'{"reference": "a\\nb"}', "control characters"),
        (b'{"status": 3}', "status is a int"),
        (b'{"status": "preserved", "expires": "soon"}', "not a date-time"),
        (b'{"status": "preserved", "expires": "2027-03-01T00:00:00"}', "not a date-time"),
        (b"\xff\xfe", "not JSON"),
    ],
)
def test_parse_answer_is_strict_about_values(body: bytes, message: str) -> None:
    with pytest.raises(MalformedAnswerError, match=message):
        parse_answer(body, source="t")


def test_parse_answer_limits() -> None:
    with pytest.raises(MalformedAnswerError, match="larger than 10 bytes"):
        parse_answer(b"{" + b" " * 20 + b"}", source="t", max_size=10)
    with pytest.raises(MalformedAnswerError, match="empty"):
        parse_answer(b"", source="t", require_status=True)
    with pytest.raises(MalformedAnswerError, match="no status"):
        parse_answer(b'{"id": "x"}', source="t", require_status=True)


def test_retry_after_values() -> None:
    policy = RetryPolicy(clock=lambda: NOW)
    assert policy.retry_after(None) is None
    assert policy.retry_after("5") == 5.0
    assert policy.retry_after("not a date") is None
    past = email.utils.format_datetime(NOW - timedelta(minutes=1), usegmt=True)
    assert policy.retry_after(past) == 0.0
    naive = (NOW + timedelta(seconds=3)).strftime("%a, %d %b %Y %H:%M:%S")
    assert policy.retry_after(naive) == 3.0


# --------------------------------------------------------------------------- email channel


def _received_attachment(raw: bytes) -> tuple[str | None, bytes, Any]:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    (part,) = list(msg.iter_attachments())
    content: bytes = part.get_content()
    return part.get_filename(), content, msg


def test_email_over_starttls_to_a_loopback_server(
    tmp_path: Path, outgoing: OutgoingPackage
) -> None:
    cert = make_cert(tmp_path / "tls")
    with smtp_server(cert) as (port, box):
        settings = SmtpSettings(
            host="127.0.0.1",
            port=port,
            sender="unit7@police.example",
            username=SMTP_USER,
            password=Secret(SMTP_PASSWORD),
        )
        channel = EmailChannel(
            settings, "lawenforcement@provider.example", ssl_context=cert.client_context()
        )
        receipt = channel.submit(outgoing, now=NOW)
    (envelope,) = box.messages
    assert box.tls_at_data == [True]
    assert envelope.rcpt_tos == ["lawenforcement@provider.example"]
    assert envelope.mail_from == "unit7@police.example"
    assert isinstance(envelope.content, bytes)
    name, data, msg = _received_attachment(envelope.content)
    assert name == outgoing.name
    assert hashlib.sha256(data).hexdigest() == outgoing.sha256  # the package arrived intact
    assert data == outgoing.path.read_bytes()
    assert outgoing.sha256 in msg.get_body(("plain",)).get_content()
    assert receipt.submitted
    assert receipt.detail == msg["Message-ID"]
    assert receipt.destination == "mailto:lawenforcement@provider.example"


def test_email_refuses_a_server_without_starttls(outgoing: OutgoingPackage) -> None:
    with smtp_server(None) as (port, box):
        settings = SmtpSettings(host="127.0.0.1", port=port, sender="a@police.example")
        with pytest.raises(SubmissionError, match="does not offer STARTTLS"):
            EmailChannel(settings, "x@provider.example").submit(outgoing, now=NOW)
    assert box.messages == []


def test_email_refuses_an_untrusted_certificate(tmp_path: Path, outgoing: OutgoingPackage) -> None:
    cert = make_cert(tmp_path / "tls")
    with smtp_server(cert) as (port, box):
        settings = SmtpSettings(host="127.0.0.1", port=port, sender="a@police.example")
        with pytest.raises(SubmissionError, match="TLS failed"):
            EmailChannel(settings, "x@provider.example").submit(outgoing, now=NOW)
    assert box.messages == []


def test_email_reports_refused_recipients(outgoing: OutgoingPackage) -> None:
    class Refusing(smtplib.SMTP):
        def __init__(self, host: str, port: int, timeout: float) -> None:
            super().__init__()

        def ehlo(self, name: str = "") -> tuple[int, bytes]:
            return 250, b"ok"

        def has_extn(self, opt: str) -> bool:
            return True

        def starttls(self, *a: Any, **k: Any) -> tuple[int, bytes]:
            return 220, b"ready"

        def send_message(self, *a: Any, **k: Any) -> dict[str, tuple[int, bytes]]:
            return {"x@provider.example": (550, b"no such user")}

        def quit(self) -> tuple[int, bytes]:
            return 221, b"bye"

    settings = SmtpSettings(host="mail.invalid", sender="a@police.example")
    channel = EmailChannel(settings, "x@provider.example", smtp_factory=Refusing)
    with pytest.raises(SubmissionError, match=r"refused x@provider\.example"):
        channel.submit(outgoing, now=NOW)


# --------------------------------------------------------------------------- portal channel


def test_portal_bundle_and_confirmation(tmp_path: Path) -> None:
    out = load_outgoing(build_test_package(tmp_path, "preservation", letter=True))
    profile = ee.load_providers().get("meta")
    channel = pick_channel(profile, out.request, "portal")
    receipt = PortalChannel(channel, tmp_path / "bundle").submit(out, now=NOW)
    assert not receipt.submitted
    bundle = tmp_path / "bundle"
    assert sorted(p.name for p in bundle.iterdir()) == sorted(
        ["CHECKLIST.txt", out.name, "letter.pdf"]
    )
    assert (bundle / out.name).read_bytes() == out.data
    assert (bundle / "letter.pdf").read_bytes() == (
        tmp_path / "documents" / "letter.pdf"
    ).read_bytes()
    if os.name == "posix":
        assert (bundle / out.name).stat().st_mode & 0o077 == 0
    text = (bundle / "CHECKLIST.txt").read_text()
    assert "Law Enforcement Online Request System (https://www.facebook.com/records)" in text
    assert "official email domain" in text
    assert out.request.case.reference in text
    assert f"(SHA-256 {out.sha256})" in text
    for ident in out.request.identifiers:
        assert str(ident.value) in text
    assert "--confirm REFERENCE" in text
    confirmed = confirm_portal(out, " 1234567 ", portal=str(channel.url))
    assert confirmed.submitted
    assert confirmed.status.ref == "1234567"
    with pytest.raises(ee.InputError, match="empty"):
        confirm_portal(out, "  ", portal="p")
    with pytest.raises(MalformedAnswerError, match="control characters"):
        confirm_portal(out, "A\x07B", portal="p")


def test_pick_channel(tmp_path: Path, outgoing: OutgoingPackage) -> None:
    write_profile(
        tmp_path / "p",
        [
            {"kind": "post", "name": "Mail"},
            {"kind": "email", "name": "No address"},
            {"kind": "api", "name": "API", "url": API},
            {"kind": "web_form", "name": "Form", "url": "https://form.example"},
        ],
    )
    profile = ee.load_providers(tmp_path / "p").get("meta")
    assert pick_channel(profile, outgoing.request).name == "API"
    assert pick_channel(profile, outgoing.request, "portal").name == "Form"
    with pytest.raises(ee.InputError, match="no usable email channel") as info:
        pick_channel(profile, outgoing.request, "email")
    assert "post (Mail)" in str(info.value)


# --------------------------------------------------------------------------- credentials


def test_credentials_from_environment_and_private_file(tmp_path: Path) -> None:
    file = tmp_path / "credentials.toml"
    file.write_text(
        '[api.meta]\ntoken = "from-file"\n[api.x-corp]\ntoken = "x"\n'
        '[smtp]\nhost = "smtp.police.example"\nfrom = "unit@police.example"\n'
        'username = "unit"\npassword = "pw"\n'
    )
    file.chmod(0o600)
    creds = load_credentials(file, environ={"EEVIDENCE_API_TOKEN_META": "from-env"})
    assert creds.token("meta") is not None
    assert creds.token("meta").reveal() == "from-env"  # type: ignore[union-attr]
    assert creds.token("x-corp").reveal() == "x"  # type: ignore[union-attr]
    assert creds.token("other") is None
    assert creds.smtp is not None
    assert creds.smtp.port == 587
    assert creds.smtp.password is not None
    assert "pw" not in repr(creds)  # secrets never print
    assert str(creds.smtp.password) == "Secret('***')"
    with pytest.raises(CredentialsError, match="does not exist"):
        load_credentials(tmp_path / "none.toml", environ={})
    anyone = load_credentials(environ={"EEVIDENCE_API_TOKEN": "t"})
    assert anyone.token("whatever").reveal() == "t"  # type: ignore[union-attr]
    assert anyone.smtp is None
    env = load_credentials(
        environ={
            "EEVIDENCE_SMTP_HOST": "h",
            "EEVIDENCE_SMTP_FROM": "f@x",
            "EEVIDENCE_SMTP_PORT": "2525",
        },
    )
    assert env.smtp == SmtpSettings(host="h", sender="f@x", port=2525)


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_credentials_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "credentials.toml"
    file.write_text('[api.meta]\ntoken = "t"\n')
    file.chmod(0o644)
    with pytest.raises(CredentialsError, match="chmod 600"):
        load_credentials(file, environ={})
    file.chmod(0o640)
    with pytest.raises(CredentialsError, match="readable by others"):
        load_credentials(None, environ={"EEVIDENCE_CREDENTIALS": str(file)})


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs chown")
def test_credentials_file_of_another_user_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "credentials.toml"
    file.write_text('[api.meta]\ntoken = "t"\n')
    file.chmod(0o600)
    os.chown(file, 65534, 65534)
    with pytest.raises(CredentialsError, match="belongs to another user"):
        load_credentials(file, environ={})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not = [toml", "not valid TOML"),
        ('api = "x"', r"\[api\] must be a table"),
        ("[api.meta]\nother = 1", r"\[api.meta\] needs a token"),
        ('smtp = "x"', r"\[smtp\] must be a table"),
        ('[smtp]\nhost = "h"', "needs both a host and a from"),
        ('[smtp]\nhost = "h"\nfrom = "f"\nport = "x"', "not a number"),
    ],
)
def test_bad_credentials_files(tmp_path: Path, text: str, message: str) -> None:
    file = tmp_path / "c.toml"
    file.write_text(text)
    file.chmod(0o600)
    with pytest.raises(CredentialsError, match=message):
        load_credentials(file, environ={})


# --------------------------------------------------------------------------- lifecycle


def test_record_submission_and_status_updates(tmp_path: Path, outgoing: OutgoingPackage) -> None:
    store = _store(tmp_path, outgoing)
    rid = outgoing.request.id
    receipt = ee.SubmissionReceipt(
        "api", rid, outgoing.sha256, True, PRODUCTION, ProviderStatus("LE-1", "acknowledged")
    )
    events = record_submission(store, receipt, now=NOW, actor="officer")
    assert [e.name for e in events] == ["submitted", "acknowledged"]
    tracked = store.get(rid)
    assert tracked.state == "acknowledged"
    assert tracked.provider_ref == "LE-1"
    later = NOW + timedelta(hours=1)
    # the same status again changes nothing
    assert (
        apply_status(store, tracked, ProviderStatus("LE-1", "acknowledged"), now=later, actor="a")
        == []
    )
    # a preservation answer does not apply to a production order: nothing recorded
    assert (
        apply_status(store, tracked, ProviderStatus("LE-1", "preserved"), now=later, actor="a")
        == []
    )
    events = apply_status(
        store, tracked, ProviderStatus("LE-1", "disclosed", partial=True), now=later, actor="a"
    )
    assert [(e.name, e.partial) for e in events] == [("disclosed", True)]
    tracked = store.get(rid)
    assert (
        apply_status(
            store, tracked, ProviderStatus("LE-1", "disclosed", partial=True), now=later, actor="a"
        )
        == []
    )
    events = apply_status(store, tracked, ProviderStatus("LE-1", "disclosed"), now=later, actor="a")
    assert [(e.name, e.partial) for e in events] == [("disclosed", False)]
    assert store.get(rid).terminal
    unsent = ee.SubmissionReceipt("portal", rid, outgoing.sha256, False, "bundle")
    with pytest.raises(ee.InputError, match="not submitted yet"):
        record_submission(store, unsent, now=later, actor="a")
    store.close()


def test_rejection_with_a_reference_records_acknowledged_first(
    tmp_path: Path, outgoing: OutgoingPackage
) -> None:
    store = _store(tmp_path, outgoing)
    receipt = ee.SubmissionReceipt(
        "email", outgoing.request.id, outgoing.sha256, True, "mailto:x@provider.example"
    )
    assert [e.name for e in record_submission(store, receipt, now=NOW, actor="a")] == ["submitted"]
    tracked = store.get(outgoing.request.id)
    status = ProviderStatus("R-5", "rejected", "Denied", "no such account")
    events = apply_status(store, tracked, status, now=NOW, actor="a")
    assert [(e.name, e.ref, e.reason) for e in events] == [
        ("acknowledged", "R-5", None),
        ("rejected", None, "no such account"),
    ]
    store.close()


def test_portal_confirmation_records_the_reference_on_submitted(
    tmp_path: Path, outgoing: OutgoingPackage
) -> None:
    store = _store(tmp_path, outgoing)
    receipt = confirm_portal(outgoing, "P-77", portal="https://portal.example")
    events = record_submission(store, receipt, now=NOW, actor="a")
    assert [(e.name, e.ref) for e in events] == [("submitted", "P-77")]
    store.close()


def test_ssl_context_default_verifies() -> None:
    settings = SmtpSettings(host="h", sender="s@x")
    channel = EmailChannel(settings, "t@x")
    assert channel._context.verify_mode == ssl.CERT_REQUIRED
    assert channel._context.check_hostname


def test_a_status_the_lifecycle_refuses_is_logged_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = SqliteStore(tmp_path / "t.sqlite3")
    tracked = ee.Tracked("req-1", "preservation", "meta", "FR", NOW)  # no preservation terms
    store.add(tracked)
    store.record("req-1", Event("submitted", NOW, "a"), now=NOW)
    tracked = store.get("req-1")
    status = ProviderStatus("P-1", "preserved", "preserved")
    events = apply_status(store, tracked, status, now=NOW, actor="a")
    assert [e.name for e in events] == ["acknowledged"]  # then "preserved" needs an expiry
    assert store.get("req-1").state == "acknowledged"
    assert "provider status preserved not recorded for req-1" in caplog.text
    store.close()


def test_hi1_body_is_a_valid_ts_103_120_message_with_the_letter(
    httpx_mock: HTTPXMock, tmp_path: Path, sleeps: Sleeps
) -> None:
    from tests.test_hi1 import _schema, assert_valid

    outgoing = load_outgoing(build_test_package(tmp_path, letter=True))
    assert outgoing.documents
    httpx_mock.add_response(url=PRODUCTION, json={"reference": "R-X"})
    with httpx.Client() as client:
        _api(sleeps, client, body=BODY_FORMATS["xml"]).submit(outgoing, now=NOW)
    (sent,) = httpx_mock.get_requests()
    assert sent.headers["Content-Type"] == "application/xml"
    assert_valid(_schema(), sent.content)
    assert from_hi1_xml(sent.content) == outgoing.request
    assert outgoing.idempotency_key.encode() in sent.content  # the HI-1 transaction id
    letter_digest = hashlib.sha256(
        zipfile.ZipFile(outgoing.path).read(
            next(n for n in zipfile.ZipFile(outgoing.path).namelist() if "/documents/" in n)
        )
    ).hexdigest()
    assert letter_digest.encode() in sent.content.lower()


# --------------------------------------------------------------------------- no foreign exception escapes


def test_parse_answer_wraps_recursion_and_out_of_range_dates() -> None:
    with pytest.raises(MalformedAnswerError, match="nested too deeply"):
        parse_answer(b"[" * 100_000, source="t")
    with pytest.raises(MalformedAnswerError, match="out of range"):
        parse_answer(b'{"status": "preserved", "expires": "0001-01-01T00:00:00+01:00"}', source="t")


def test_retry_after_odd_digits() -> None:
    policy = RetryPolicy(clock=lambda: NOW)
    assert policy.retry_after("\u00b2") is None  # a superscript two is a digit, not a number
    assert policy.retry_after("\u0661\u0662") == 12.0  # Arabic-Indic digits, as before
    assert policy.retry_after("9" * 5000) == float("inf")  # reported as too long, not slept


def test_api_channel_refuses_bad_urls_and_tokens(sleeps: Sleeps) -> None:
    with httpx.Client() as client:
        with pytest.raises(ConfigurationError, match="not valid"):
            ApiChannel("https://\x00", token=None, client=client)
        with pytest.raises(CredentialsError, match="printable ASCII"):
            ApiChannel(API, token=Secret("t\u00f6ken"), client=client)
        with pytest.raises(CredentialsError, match="printable ASCII"):
            ApiChannel(API, token=Secret("a\nb"), client=client)
        api = _api(sleeps, client, status_path="/\x00{ref}")
        with pytest.raises(SubmissionError, match="cannot make a URL"):
            api.status("R-1")


def test_api_wraps_what_the_http_library_raises(
    httpx_mock: HTTPXMock, outgoing: OutgoingPackage, sleeps: Sleeps
) -> None:
    httpx_mock.add_response(
        url=PRODUCTION, headers={"Content-Encoding": "gzip"}, content=b"not gzip at all"
    )
    httpx_mock.add_exception(httpx.TooManyRedirects("too many"), url=PRODUCTION)
    httpx_mock.add_response(url=PRODUCTION, status_code=400, content=b"[" * 100_000)
    with httpx.Client() as client:
        api = _api(sleeps, client)
        with pytest.raises(MalformedAnswerError, match="cannot be decoded"):
            api.submit(outgoing, now=NOW)
        with pytest.raises(SubmissionError, match="TooManyRedirects"):
            api.submit(outgoing, now=NOW)
        with pytest.raises(SubmissionError, match=r"400 Bad Request: \[\[\["):
            api.submit(outgoing, now=NOW)
        odd = _api(sleeps, client, body=lambda o: (b"x", "text/pl\u00e4in"))
        with pytest.raises(SubmissionError, match="cannot build the POST request"):
            odd.submit(outgoing, now=NOW)
    assert sleeps.calls == []  # none of these is retried


def test_tls_setup_failures_are_submission_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*a: Any, **k: Any) -> Any:
        raise ssl.SSLError("no trusted certificates")

    monkeypatch.setattr("eevidence.submit._api.httpx.Client", broken)
    with pytest.raises(SubmissionError, match="cannot set up TLS: SSLError"):
        default_http_client()
    monkeypatch.setattr("eevidence.submit._email.ssl.create_default_context", broken)
    with pytest.raises(SubmissionError, match="cannot set up TLS"):
        EmailChannel(SmtpSettings(host="h", sender="s@x"), "t@x")


def test_api_channel_without_a_client_owns_one() -> None:
    with ApiChannel(API, token=None) as api:
        client = api._client
        assert not client.is_closed
    assert client.is_closed
    with httpx.Client() as given:
        ApiChannel(API, token=None, client=given).close()
        assert not given.is_closed  # a client given is the caller's to close


def test_email_wraps_header_and_encoding_failures(
    tmp_path: Path, outgoing: OutgoingPackage
) -> None:
    settings = SmtpSettings(host="mail.invalid", sender="a@police.example")
    with pytest.raises(SubmissionError, match="cannot write the mail headers"):
        EmailChannel(settings, "x@provider.example\nBcc: y@elsewhere.example").message(
            outgoing, now=NOW
        )
    cert = make_cert(tmp_path / "tls")
    with smtp_server(cert) as (port, box):
        settings = SmtpSettings(
            host="127.0.0.1",
            port=port,
            sender="a@police.example",
            username=SMTP_USER,
            password=Secret("p\u00e4ssword"),  # AUTH PLAIN cannot carry it
        )
        channel = EmailChannel(settings, "x@provider.example", ssl_context=cert.client_context())
        with pytest.raises(SubmissionError, match="sending mail failed: UnicodeEncodeError"):
            channel.submit(outgoing, now=NOW)
    assert box.messages == []


def test_portal_bundle_that_cannot_be_written(tmp_path: Path, outgoing: OutgoingPackage) -> None:
    profile = ee.load_providers().get("meta")
    channel = pick_channel(profile, outgoing.request, "portal")
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(ee.InputError, match="cannot create the folder"):
        PortalChannel(channel, blocker / "bundle").submit(outgoing, now=NOW)


def test_portal_bundle_defaults_next_to_the_package(
    tmp_path: Path, outgoing: OutgoingPackage
) -> None:
    profile = ee.load_providers().get("meta")
    receipt = PortalChannel(pick_channel(profile, outgoing.request, "portal")).submit(
        outgoing, now=NOW
    )
    expected = outgoing.path.with_name(f"{outgoing.path.stem}-upload")
    assert receipt.destination == str(expected)
    assert (expected / "CHECKLIST.txt").is_file()


def test_bodies_wrap_unreadable_packages(outgoing: OutgoingPackage) -> None:
    from dataclasses import replace

    with pytest.raises(ee.InputError, match="request is not JSON"):
        json_body(replace(outgoing, request_bytes=b"{not json"))
    broken = replace(outgoing, data=b"not a zip", documents=("letter.pdf",))
    with pytest.raises(ee.InputError, match="cannot read the letter"):
        BODY_FORMATS["xml"](broken)


def test_credentials_errors_of_the_file_system(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("EEVIDENCE_HOME", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    with pytest.raises(CredentialsError, match="no default credentials file"):
        default_credentials_path()
    with pytest.raises(CredentialsError, match="no default credentials file"):
        load_credentials(environ={})

    def denied(self: Path, **kw: Any) -> bool:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "exists", denied)
    with pytest.raises(CredentialsError, match="Permission denied"):
        load_credentials(tmp_path / "c.toml", environ={})


# --------------------------------------------------------------------------- channels from a profile


def test_channel_for_builds_each_channel_from_the_profile(
    tmp_path: Path, outgoing: OutgoingPackage
) -> None:
    write_profile(
        tmp_path / "p",
        [
            {"kind": "api", "name": "API", "url": API},
            {"kind": "email", "name": "Mail", "address": "le@provider.example"},
            {"kind": "portal", "name": "Portal", "url": "https://portal.example"},
        ],
    )
    profile = ee.load_providers(tmp_path / "p").get("meta")
    smtp = SmtpSettings(host="h", sender="s@police.example")
    creds = Credentials({"meta": Secret(TOKEN)}, smtp)
    with httpx.Client() as client:
        api = channel_for(profile, outgoing.request, credentials=creds, client=client)
        assert isinstance(api, ApiChannel)
        assert str(api.endpoint(outgoing.request)) == PRODUCTION
        assert api._headers({})["Authorization"] == f"Bearer {TOKEN}"
    mail = channel_for(profile, outgoing.request, kind="email", credentials=creds)
    assert (mail.to, mail.settings) == ("le@provider.example", smtp)
    # a portal needs no credentials: an unreadable credentials file is not read
    portal = channel_for(
        profile,
        outgoing.request,
        kind="portal",
        credentials=tmp_path / "missing.toml",
        out_dir=tmp_path / "b",
    )
    assert (portal.channel.name, portal.out_dir) == ("Portal", tmp_path / "b")
    # the tracked request serves as well (polling)
    tracked = tracked_from_request(outgoing.request, profile)
    with channel_for(profile, tracked, kind="api", credentials=creds) as polling:
        assert polling.status_url("R/1") == httpx.URL(f"{API}/eevidence/status/R%2F1")


def test_channel_for_says_what_is_missing(tmp_path: Path, outgoing: OutgoingPackage) -> None:
    write_profile(
        tmp_path / "p",
        [
            {"kind": "api", "name": "API", "url": API},
            {"kind": "email", "name": "Mail", "address": "le@provider.example"},
        ],
    )
    profile = ee.load_providers(tmp_path / "p").get("meta")
    with pytest.raises(
        CredentialsError, match="no API token for meta: set EEVIDENCE_API_TOKEN_META"
    ):
        channel_for(profile, outgoing.request, credentials=Credentials())
    with pytest.raises(CredentialsError, match="no mail server configured"):
        channel_for(profile, outgoing.request, kind="email", credentials=Credentials())
    with pytest.raises(ee.InputError, match="no usable portal channel"):
        channel_for(profile, outgoing.request, kind="portal")
    with pytest.raises(CredentialsError, match="does not exist"):
        channel_for(profile, outgoing.request, credentials=tmp_path / "none.toml")
    file = tmp_path / "c.toml"
    file.write_text('[api.meta]\ntoken = "from-file"\n')
    file.chmod(0o600)
    with channel_for(profile, outgoing.request, kind="api", credentials=file) as api:
        assert api._headers({})["Authorization"] == "Bearer from-file"


def test_channel_for_email_reaches_a_loopback_server(
    tmp_path: Path, outgoing: OutgoingPackage
) -> None:
    write_profile(tmp_path / "p", [{"kind": "email", "name": "Mail", "address": "le@x.example"}])
    profile = ee.load_providers(tmp_path / "p").get("meta")
    cert = make_cert(tmp_path / "tls")
    with smtp_server(cert) as (port, box):
        smtp = SmtpSettings(
            host="127.0.0.1",
            port=port,
            sender="unit7@police.example",
            username=SMTP_USER,
            password=Secret(SMTP_PASSWORD),
        )
        with channel_for(
            profile,
            outgoing.request,
            credentials=Credentials(smtp=smtp),
            ssl_context=cert.client_context(),
        ) as channel:
            receipt = channel.submit(outgoing, now=NOW)
    assert receipt.destination == "mailto:le@x.example"
    assert box.tls_at_data == [True]


# --------------------------------------------------------------------------- fuzzing

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["status", "State", "reference", "id", "data", "reason", "expires", "partial", "x"]
            )
            | st.text(max_size=10),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(body=st.binary(max_size=300) | _json_values.map(lambda v: json.dumps(v).encode()))
def test_parse_answer_fuzz_raises_only_its_own_error(body: bytes) -> None:
    errors: list[MalformedAnswerError] = []
    for require in (False, True):
        try:
            status = parse_answer(body, source="fuzz", require_status=require)
        except MalformedAnswerError as exc:
            errors.append(exc)
            continue
        assert status.ref is None or (0 < len(status.ref) <= 200)
        assert status.expires is None or status.expires.utcoffset() == timedelta(0)
        assert status.to_dict()["event"] in (
            None,
            "acknowledged",
            "preserved",
            "disclosed",
            "rejected",
        )
    assert all(e.diagnostics().startswith("fuzz: ") for e in errors)


@settings(max_examples=300, deadline=None)
@given(value=st.none() | st.text(max_size=60))
def test_retry_after_fuzz_never_raises(value: str | None) -> None:
    wait = RetryPolicy(clock=lambda: NOW).retry_after(value)
    assert wait is None or wait >= 0


def test_a_long_provider_answer_fits_the_custody_note() -> None:
    from eevidence._cli._submit import _fit

    assert _fit("short") == "short"
    long = _fit("reason: " + "A" * 1_000_000)
    assert len(long) == 2000
    assert long.endswith("...(truncated, 1000008 characters)")
