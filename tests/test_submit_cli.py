"""``eevidence submit`` and ``eevidence poll`` end to end: store, custody log, channels."""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

import pytest
from pytest_httpx import HTTPXMock

import eevidence as ee
from eevidence._cli import main
from eevidence.crypto import generate_private_key, load_trust_store, write_public_key
from eevidence.submit import OutgoingPackage, load_outgoing
from eevidence.tracking import SqliteStore
from tests.submit_helpers import (
    API,
    SMTP_PASSWORD,
    SMTP_USER,
    TOKEN,
    build_test_package,
    make_cert,
    smtp_server,
    write_profile,
)

NOW = "2026-11-24T12:00:00Z"
LATER = "2026-11-25T09:00:00Z"


@pytest.fixture(autouse=True)
def trusted_signer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Test packages are signed by one key whose public key is in ``$EEVIDENCE_TRUST``
    (``submit`` refuses a package no trusted key signed)."""
    trust = tmp_path / "trust"
    trust.mkdir()
    key = generate_private_key("ed25519")
    write_public_key(key, trust / "officer.pem")
    monkeypatch.setattr("tests.submit_helpers.generate_private_key", lambda *_: key)
    monkeypatch.setenv("EEVIDENCE_TRUST", str(trust))
    return trust


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A provider profile with an API channel, a token in the environment, a store, a package."""
    providers = tmp_path / "providers"
    write_profile(providers, [{"kind": "api", "name": "LE API", "url": API}])
    monkeypatch.setenv("EEVIDENCE_PROVIDERS", str(providers))
    for name in ("EEVIDENCE_CREDENTIALS", "EEVIDENCE_API_TOKEN", "EEVIDENCE_SMTP_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EEVIDENCE_API_TOKEN_META", TOKEN)
    return {
        "store": tmp_path / "t.sqlite3",
        "package": build_test_package(tmp_path / "pkg"),
        "providers": providers,
    }


def _outgoing(package: Path) -> OutgoingPackage:
    return load_outgoing(package, trust=load_trust_store(os.environ["EEVIDENCE_TRUST"]))


def _custody(store_path: Path, request_id: str) -> list[dict[str, Any]]:
    store = SqliteStore(store_path)
    try:
        return [json.loads(line) for line in store.custody_lines(object_id=f"request/{request_id}")]
    finally:
        store.close()


def _tracked(store_path: Path, request_id: str) -> ee.Tracked:
    store = SqliteStore(store_path)
    try:
        return store.get(request_id)
    finally:
        store.close()


def test_submit_via_api_then_poll(
    env: dict[str, Path],
    httpx_mock: HTTPXMock,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    package = env["package"]
    out = _outgoing(package)
    rid = out.request.id
    httpx_mock.add_response(
        method="POST",
        url=f"{API}/eevidence/production",
        status_code=201,
        json={"reference": "LE-2026-7", "status": "received"},
    )
    caplog.set_level(logging.DEBUG)
    code = main(["-vv", "submit", str(package), "--store", str(env["store"]), "--now", NOW])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "provider reference LE-2026-7" in printed.out
    assert "state acknowledged" in printed.out
    # the token travelled only in the Authorization header: never printed, never logged
    (sent,) = httpx_mock.get_requests()
    assert sent.headers["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in printed.out + printed.err + caplog.text
    tracked = _tracked(env["store"], rid)
    assert [e.name for e in tracked.events] == ["submitted", "acknowledged"]
    assert tracked.provider_ref == "LE-2026-7"
    entries = _custody(env["store"], rid)
    assert [e["action"] for e in entries] == [
        "request_created",
        "request_submitted",
        "request_acknowledged",
    ]
    assert (
        entries[1]["object_sha256"]
        == out.sha256
        == hashlib.sha256(package.read_bytes()).hexdigest()
    )
    assert "provider reference LE-2026-7" in entries[2]["note"]

    # the same package is not submitted twice
    assert main(["submit", str(package), "--store", str(env["store"]), "--now", NOW]) == 1
    assert "is acknowledged (provider reference LE-2026-7)" in capsys.readouterr().err

    # the provider's status endpoint says the data was disclosed
    httpx_mock.add_response(
        method="GET",
        url=f"{API}/eevidence/status/LE-2026-7",
        json={"status": "completed"},
    )
    code = main(["poll", "--store", str(env["store"]), "--now", LATER, "--json"])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    (result,) = json.loads(printed.out)
    assert result["events"] == ["disclosed"]
    assert result["state"] == "disclosed"
    assert _tracked(env["store"], rid).state == "disclosed"
    assert _custody(env["store"], rid)[-1]["action"] == "status_changed"
    # a final request is not polled
    assert main(["poll", rid, "--store", str(env["store"]), "--now", LATER]) == 1
    assert "skipped (final state)" in capsys.readouterr().out


def test_malformed_answer_leaves_the_lifecycle_unchanged(
    env: dict[str, Path], httpx_mock: HTTPXMock, capsys: pytest.CaptureFixture[str]
) -> None:
    httpx_mock.add_response(url=f"{API}/eevidence/production", text="<html>Maintenance</html>")
    code = main(["submit", str(env["package"]), "--store", str(env["store"]), "--now", NOW])
    err = capsys.readouterr().err
    assert code == 1
    assert "the answer is not JSON (starts with '<html>Maintenance</html>')" in err
    rid = _outgoing(env["package"]).request.id
    assert _tracked(env["store"], rid).state == "draft"
    assert [e["action"] for e in _custody(env["store"], rid)] == ["request_created"]


def test_submit_json_output_and_poll_statuses(
    env: dict[str, Path], httpx_mock: HTTPXMock, capsys: pytest.CaptureFixture[str]
) -> None:
    httpx_mock.add_response(url=f"{API}/eevidence/production", status_code=202)
    code = main(
        ["submit", str(env["package"]), "--store", str(env["store"]), "--now", NOW, "--json"]
    )
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert result["state"] == "submitted"
    assert result["events"] == ["submitted"]
    assert result["status"]["ref"] is None
    rid = result["request_id"]
    # no reference yet: nothing to poll
    assert main(["poll", "--store", str(env["store"]), "--now", LATER]) == 0
    assert f"{rid}: skipped (no provider reference yet)" in capsys.readouterr().out
    # the reference arrives by another way (recorded by hand), then the provider refuses
    assert (
        main(
            [
                "track",
                "event",
                rid,
                "acknowledged",
                "--ref",
                "R-1",
                "--store",
                str(env["store"]),
                "--now",
                LATER,
            ]
        )
        == 0
    )
    capsys.readouterr()
    httpx_mock.add_response(
        url=f"{API}/eevidence/status/R-1", json={"state": "denied", "reason": "no such account"}
    )
    assert main(["poll", rid, "--store", str(env["store"]), "--now", LATER]) == 0
    assert "provider says denied; rejected; state rejected" in capsys.readouterr().out
    assert _tracked(env["store"], rid).reject_reason == "no such account"


def test_poll_reports_provider_errors(
    env: dict[str, Path], httpx_mock: HTTPXMock, capsys: pytest.CaptureFixture[str]
) -> None:
    httpx_mock.add_response(url=f"{API}/eevidence/production", json={"reference": "R-2"})
    assert main(["submit", str(env["package"]), "--store", str(env["store"]), "--now", NOW]) == 0
    httpx_mock.add_response(
        url=f"{API}/eevidence/status/R-2", status_code=404, json={"error": "unknown reference"}
    )
    assert main(["poll", "--store", str(env["store"]), "--now", LATER]) == 1
    out = capsys.readouterr().out
    assert "FAILED" in out
    assert "unknown reference" in out
    assert "1 request(s) polled, 1 failed" in out


def test_missing_credentials(
    env: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("EEVIDENCE_API_TOKEN_META")
    assert main(["submit", str(env["package"]), "--store", str(env["store"]), "--now", NOW]) == 1
    assert "no API token for meta: set EEVIDENCE_API_TOKEN_META" in capsys.readouterr().err
    write_profile(
        env["providers"], [{"kind": "email", "name": "Mail", "address": "le@provider.example"}]
    )
    assert main(["submit", str(env["package"]), "--store", str(env["store"]), "--now", NOW]) == 1
    assert "no mail server configured" in capsys.readouterr().err


def test_submit_by_email_end_to_end(
    env: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_profile(
        env["providers"], [{"kind": "email", "name": "Mail", "address": "le@provider.example"}]
    )
    cert = make_cert(tmp_path / "tls")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert.cert))  # the default context trusts the test CA
    with smtp_server(cert) as (port, box):
        for name, value in {
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "FROM": "unit7@police.example",
            "USER": SMTP_USER,
            "PASSWORD": SMTP_PASSWORD,
        }.items():
            monkeypatch.setenv(f"EEVIDENCE_SMTP_{name}", value)
        code = main(["submit", str(env["package"]), "--store", str(env["store"]), "--now", NOW])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "submitted via email to mailto:le@provider.example" in printed.out
    (envelope,) = box.messages
    assert isinstance(envelope.content, bytes)
    msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
    (part,) = list(msg.iter_attachments())
    data: bytes = part.get_content()
    out = _outgoing(env["package"])
    assert hashlib.sha256(data).hexdigest() == out.sha256
    assert _tracked(env["store"], out.request.id).state == "submitted"
    assert SMTP_PASSWORD not in printed.out + printed.err


def test_portal_bundle_then_confirmation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("EEVIDENCE_PROVIDERS", raising=False)
    package = build_test_package(tmp_path / "pkg", "preservation", letter=True)
    store = tmp_path / "t.sqlite3"
    bundle = tmp_path / "upload"
    args = ["--store", str(store), "--now", NOW]
    assert main(["submit", str(package), "--out", str(bundle), *args]) == 0
    assert "upload bundle for Law Enforcement Online Request System" in capsys.readouterr().out
    assert (bundle / "CHECKLIST.txt").is_file()
    assert (bundle / package.name).read_bytes() == package.read_bytes()
    rid = _outgoing(package).request.id
    assert _tracked(store, rid).state == "draft"  # nothing is submitted before confirmation
    assert main(["submit", str(package), "--channel", "api", "--confirm", "X", *args]) == 2
    capsys.readouterr()
    assert main(["submit", str(package), "--confirm", "MR-5521", *args]) == 0
    assert "provider reference MR-5521" in capsys.readouterr().out
    tracked = _tracked(store, rid)
    assert tracked.state == "submitted"
    assert tracked.provider_ref == "MR-5521"
    entries = _custody(store, rid)
    assert entries[-1]["action"] == "request_submitted"
    assert entries[-1]["object_sha256"] == hashlib.sha256(package.read_bytes()).hexdigest()
    # a default bundle folder next to the package
    other = build_test_package(tmp_path / "pkg2", "voluntary-disclosure")
    assert main(["submit", str(other), *args]) == 0
    assert (other.with_name(f"{other.stem}-upload") / "CHECKLIST.txt").is_file()


def test_poll_skips_requests_without_an_api(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "t.sqlite3"
    package = build_test_package(tmp_path / "pkg", "preservation")
    assert (
        main(["submit", str(package), "--confirm", "P-1", "--store", str(store), "--now", NOW]) == 0
    )
    capsys.readouterr()
    assert main(["poll", "--store", str(store), "--now", LATER]) == 0
    assert "skipped (no provider API)" in capsys.readouterr().out


def test_demo_writes_a_portal_bundle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from eevidence._cli import _submit

    _submit.demo_step(tmp_path)
    assert "no package to submit" in capsys.readouterr().out
    pkg = tmp_path / "package"
    build_test_package(pkg, "preservation")
    (pkg / "preservation.zip").rename(pkg / "preservation-0001.zip")
    _submit.demo_step(tmp_path)
    out = capsys.readouterr().out
    assert "upload bundle and checklist" in out
    assert "Idempotency-Key" in out
    assert (tmp_path / "submit" / "upload" / "CHECKLIST.txt").is_file()


def test_poll_records_a_notification_saved_to_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "t.sqlite3"
    package = build_test_package(tmp_path / "pkg", "voluntary-disclosure")
    args = ["--store", str(store), "--now", NOW]
    assert main(["submit", str(package), "--confirm", "MR-1", *args]) == 0
    rid = _outgoing(package).request.id
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps({"reference": "MR-2", "status": "completed"}))
    assert main(["poll", rid, "--answer", str(answer), *args]) == 1
    assert "is about provider reference MR-2, request" in capsys.readouterr().err
    answer.write_text(json.dumps({"reference": "MR-1", "status": "completed", "partial": True}))
    assert main(["poll", rid, "--answer", str(answer), "--json", *args]) == 0
    (result,) = json.loads(capsys.readouterr().out)
    assert result["events"] == ["disclosed"]
    assert result["provider_status"]["partial"] is True
    tracked = _tracked(store, rid)
    assert tracked.state == "disclosed"
    assert _custody(store, rid)[-1]["action"] == "status_changed"
    answer.write_text(json.dumps({"status": "completed"}))
    assert main(["poll", rid, "--answer", str(answer), *args]) == 0
    assert "provider says completed; disclosed; state disclosed" in capsys.readouterr().out
    assert main(["poll", "--answer", str(answer), *args]) == 2
    assert main(["poll", rid, "--answer", str(tmp_path / "missing.json"), *args]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_one_bad_answer_does_not_stop_a_poll_of_the_others(
    env: dict[str, Path], httpx_mock: HTTPXMock, capsys: pytest.CaptureFixture[str]
) -> None:
    from pytest_httpx import IteratorStream

    refs = {
        "eu-production-order": "R-BIG",
        "preservation": "R-DEEP",
        "eu-preservation-order": "R-OK",
    }
    ids = {}
    for example, ref in refs.items():
        package = build_test_package(env["store"].parent / example, example)
        ids[ref] = _outgoing(package).request.id
        httpx_mock.add_response(method="POST", json={"reference": ref, "status": "received"})
        code = main(["submit", str(package), "--store", str(env["store"]), "--now", NOW])
        assert code == 0, capsys.readouterr().err
    capsys.readouterr()

    def huge() -> Any:  # 300 MB, streamed: never held whole by the test or the client
        block = b" " * 65536
        for _ in range(300 * 16):
            yield block

    httpx_mock.add_response(
        url=f"{API}/eevidence/status/R-BIG", stream=IteratorStream(huge()), is_optional=True
    )
    httpx_mock.add_response(
        url=f"{API}/eevidence/status/R-DEEP", content=b"[" * 100_000 + b"]" * 100_000
    )
    httpx_mock.add_response(
        url=f"{API}/eevidence/status/R-OK",
        json={"status": "denied", "reason": "no such account"},
    )
    code = main(["poll", "--store", str(env["store"]), "--now", LATER])
    out, err = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in out + err
    lines = {line.split(":", 1)[0]: line for line in out.splitlines()}
    assert "FAILED" in lines[ids["R-BIG"]]
    assert "larger than 1048576 bytes" in lines[ids["R-BIG"]]
    assert "FAILED" in lines[ids["R-DEEP"]]
    assert "nested too deeply" in lines[ids["R-DEEP"]]
    assert "rejected; state rejected" in lines[ids["R-OK"]]
    assert "3 request(s) polled, 2 failed" in out
    assert _tracked(env["store"], ids["R-OK"]).state == "rejected"
    assert _tracked(env["store"], ids["R-BIG"]).state == "acknowledged"
