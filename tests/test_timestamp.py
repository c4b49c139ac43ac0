"""RFC 3161 timestamps of checkpoints against a real local TSA (``openssl ts -reply``)."""

from __future__ import annotations

import datetime as dt
import http.server
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

import eevidence as ee
from eevidence.custody import TimestampAuthority, request_timestamp, verify_timestamp
from eevidence.errors import IntegrityError, TimestampError

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")


def _cert(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[str, ec.EllipticCurvePrivateKey] | None,
    *,
    tsa: bool,
) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    issuer_name = (
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer[0])]) if issuer else name
    )
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=not tsa, path_length=None), critical=True)
    )
    if tsa:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        ).add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False),
            critical=True,
        )
    else:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
    return builder.sign(issuer[1] if issuer else key, hashes.SHA256())


class Tsa:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        root_key = ec.generate_private_key(ec.SECP256R1())
        tsa_key = ec.generate_private_key(ec.SECP256R1())
        self.root = _cert("Test Root CA", root_key, None, tsa=False)
        self.cert = _cert("Test TSA", tsa_key, ("Test Root CA", root_key), tsa=True)
        (folder / "ca.pem").write_bytes(self.root.public_bytes(serialization.Encoding.PEM))
        (folder / "tsa.pem").write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        (folder / "tsa.key").write_bytes(
            tsa_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        (folder / "serial").write_text("01\n")
        (folder / "tsa.cnf").write_text(
            f"""[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {folder}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""
        )

    def reply(self, query: bytes) -> bytes:
        q = self.folder / "query.tsq"
        r = self.folder / "reply.tsr"
        q.write_bytes(query)
        subprocess.run(
            [
                "openssl",
                "ts",
                "-reply",
                "-config",
                str(self.folder / "tsa.cnf"),
                "-queryfile",
                str(q),
                "-out",
                str(r),
            ],
            check=True,
            capture_output=True,
        )
        return r.read_bytes()


@pytest.fixture(scope="module")
def tsa_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Tsa]]:
    tsa = Tsa(tmp_path_factory.mktemp("tsa"))
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with lock:
                reply = tsa.reply(body)
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa", tsa
    finally:
        server.shutdown()
        server.server_close()


def test_timestamp_a_checkpoint_and_verify_offline(tsa_server: tuple[str, Tsa]) -> None:
    url, tsa = tsa_server
    checkpoint = b"eevidence.example/custody\n3\nAAAA\n\n\xe2\x80\x94 key sig\n"
    authority = TimestampAuthority([tsa.root])
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    with httpx.Client(timeout=30) as client:
        der, when = request_timestamp(checkpoint, url, authority, client=client)
    assert before <= when <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)
    assert verify_timestamp(der, checkpoint, authority) == when
    pinned = TimestampAuthority([tsa.root], tsa_certificate=tsa.cert)
    assert verify_timestamp(der, checkpoint, pinned) == when
    with pytest.raises(IntegrityError, match="does not verify"):
        verify_timestamp(der, checkpoint + b"x", authority)
    other_key = ec.generate_private_key(ec.SECP256R1())
    other_root = _cert("Other Root", other_key, None, tsa=False)
    with pytest.raises(IntegrityError):
        verify_timestamp(der, checkpoint, TimestampAuthority([other_root]))
    with pytest.raises(ee.InputError, match="RFC 3161"):
        verify_timestamp(b"garbage", checkpoint, authority)


def test_tsa_errors_are_clear(tsa_server: tuple[str, Tsa]) -> None:
    _, tsa = tsa_server
    authority = TimestampAuthority([tsa.root])

    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503)

    def wrong_type(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"<html>", headers={"Content-Type": "text/html"})

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    def busy(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429)

    def missing(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404)

    for handler, error, text in [
        (refuse, TimestampError, "HTTP 503"),
        (busy, TimestampError, "HTTP 429"),
        (missing, ee.ConfigurationError, "HTTP 404"),
        (wrong_type, ee.InputError, "timestamp-reply"),
        (down, TimestampError, "refused"),
        (slow, TimestampError, "timed out"),
    ]:
        with (
            httpx.Client(transport=httpx.MockTransport(handler)) as client,
            pytest.raises(error, match=text) as info,
        ):
            request_timestamp(b"data", "http://127.0.0.1:9/tsa", authority, client=client)
        # unreachable or failing: retry later (remote); a wrong URL: fix the configuration
        assert isinstance(info.value, ee.RemoteError) == (error is TimestampError)
        assert isinstance(info.value, ee.ConfigurationError) == (error is ee.ConfigurationError)
    with pytest.raises(ee.ConfigurationError, match="root"):
        TimestampAuthority([])


def test_an_unreachable_tsa_is_a_remote_error_and_a_bad_url_is_not() -> None:
    root = _cert("root", ec.generate_private_key(ec.SECP256R1()), None, tsa=False)
    authority = TimestampAuthority([root])
    with socket.socket() as s:  # a port that nothing listens on: connection refused
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with httpx.Client(timeout=5) as client:
        with pytest.raises(TimestampError, match=f"timestamping authority http://127.0.0.1:{port}"):
            request_timestamp(b"data", f"http://127.0.0.1:{port}/tsa", authority, client=client)
        for url in ["http://\x00/", "ftp://tsa.example/", "tsa.example/tsa"]:
            with pytest.raises(ee.ConfigurationError, match="timestamping authority") as info:
                request_timestamp(b"data", url, authority, client=client)
            assert not isinstance(info.value, ee.RemoteError)


def test_no_foreign_error_escapes_a_timestamp_call(tsa_server: tuple[str, Tsa]) -> None:
    url, tsa = tsa_server
    checkpoint = b"eevidence.example/custody\n1\nAAAA\n"
    twice = TimestampAuthority([tsa.root, tsa.root], [tsa.root, tsa.root])
    with httpx.Client(timeout=30) as client:
        der, when = request_timestamp(checkpoint, url, twice, client=client)
        assert verify_timestamp(der, checkpoint, twice) == when
        with pytest.raises(ee.InputError, match="cannot build"):
            request_timestamp(b"", url, twice, client=client)
        with pytest.raises(ee.ConfigurationError, match="timestamping authority"):
            request_timestamp(checkpoint, "http://\x00/", twice, client=client)

    def garbage(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=b"garbage", headers={"Content-Type": "application/timestamp-reply"}
        )

    with (
        httpx.Client(transport=httpx.MockTransport(garbage)) as client,
        pytest.raises(ee.InputError, match="RFC 3161"),
    ):
        request_timestamp(checkpoint, url, twice, client=client)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_kept_timestamps_are_verified_and_anchor_the_verdict(
    tsa_server: tuple[str, Tsa],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    request: pytest.FixtureRequest,
    backend: str,
) -> None:
    import json

    from eevidence._cli import main
    from tests.stores import new_database

    url, tsa = tsa_server
    if backend == "sqlite":
        spec = str(tmp_path / "s.sqlite3")
    else:
        spec = new_database(request.getfixturevalue("pg_server"))
    s = ("--store", spec, "--now", "2026-11-24T10:00:00Z")
    assert main(["custody", "record", "note", "request/1", *s]) == 0
    root = str(tsa.folder / "ca.pem")
    assert main(["custody", "checkpoint", "--tsa", url, "--tsa-root", root, *s]) == 0
    capsys.readouterr()
    # the root given to checkpoint is now configured: the token is verified by default
    assert main(["custody", "verify", "--json", *s]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["anchored"] is True
    assert [a["kind"] for a in doc["anchor"]] == ["rfc3161_timestamp"]
    # a token of the right shape over other bytes: bad_timestamp
    other = Tsa(tmp_path)  # another authority nobody configured
    capsys.readouterr()
    with httpx.Client(timeout=30) as client:
        der, _ = request_timestamp(
            b"another note", url, TimestampAuthority([tsa.root]), client=client
        )
    if backend == "sqlite":
        import sqlite3

        with sqlite3.connect(spec) as conn:
            conn.execute("UPDATE checkpoints SET timestamp_token = ?", (der.hex(),))
    else:
        import psycopg

        with psycopg.connect(spec, autocommit=True) as conn:
            conn.execute("UPDATE checkpoints SET timestamp_token = %s", (der.hex(),))
    assert main(["custody", "verify", "--json", *s]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert [b["kind"] for b in doc["breaks"]] == ["bad_timestamp"]
    assert doc["anchored"] is False
    # against roots nobody trusts, even the genuine token would not verify
    other_root = str(other.folder / "ca.pem")
    assert main(["custody", "verify", "--tsa-root", other_root, *s]) == 1
    assert "bad_timestamp" in capsys.readouterr().out
