"""Test helpers for submission: packages, provider profiles, a self-signed loopback certificate,
a loopback HTTPS server and a loopback SMTP server with STARTTLS."""

from __future__ import annotations

import http.server
import ipaddress
import json
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

import eevidence as ee
from eevidence._cli._package import placeholder_pdf
from eevidence.crypto import KeySigner, generate_private_key
from tests.helpers import EXAMPLES, ROOT

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
API = "https://le-api.provider.example"
TOKEN = "s3cr3t-t0ken-value"


def build_test_package(
    tmp: Path, example: str = "eu-production-order", *, letter: bool = False
) -> Path:
    """A signed zip package of a shipped example request (with a letter if asked)."""
    request = ee.read_request(EXAMPLES / f"{example}.json")
    attachments = []
    for att in request.attachments:
        target = tmp / "attachments" / att.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(placeholder_pdf(f"attachment {att.name}"))
        attachments.append(target)
    documents = []
    if letter:
        doc = tmp / "documents" / "letter.pdf"
        doc.parent.mkdir(parents=True, exist_ok=True)
        doc.write_bytes(placeholder_pdf("the request letter"))
        documents.append(doc)
    tmp.mkdir(parents=True, exist_ok=True)
    out = tmp / f"{example}.zip"
    signer = KeySigner(generate_private_key("ed25519"))
    ee.build_package(
        request, out, signers=[signer], now=NOW, attachments=attachments, documents=documents
    )
    return out


def write_profile(directory: Path, channels: list[dict[str, Any]], base: str = "meta") -> Path:
    """A copy of a shipped provider profile with other channels, in a user providers folder."""
    doc = json.loads((ROOT / "providers" / f"{base}.json").read_text(encoding="utf-8"))
    source = next(iter(doc["sources"]))
    doc["channels"] = [{"sources": [source], **c} for c in channels]
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{base}.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- TLS


@dataclass(frozen=True)
class Cert:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert, self.key)
        return ctx

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))


def make_cert(directory: Path) -> Cert:
    """A self-signed certificate for 127.0.0.1 and localhost."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "eevidence test")])
    start = datetime.now(UTC) - timedelta(days=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=7))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return Cert(cert_path, key_path)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class HttpsLog:
    requests: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)


@contextmanager
def https_server(cert: Cert, answer: dict[str, Any]) -> Iterator[tuple[str, HttpsLog]]:
    """A loopback HTTPS server answering every POST with ``answer`` (JSON, 201)."""
    seen = HttpsLog()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            seen.requests.append(("POST", self.path, dict(self.headers.items()), body))
            data = json.dumps(answer).encode()
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = cert.server_context().wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# --------------------------------------------------------------------------- SMTP


class MailBox:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[Envelope] = []
        self.tls_at_data: list[bool] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.tls_at_data.append(session.ssl is not None)
        self.messages.append(envelope)
        return "250 OK"


SMTP_USER = "unit-7"
SMTP_PASSWORD = "mail-pa55word"


def _authenticator(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == SMTP_USER.encode()
        and auth_data.password == SMTP_PASSWORD.encode()
    )
    return AuthResult(success=ok)


@contextmanager
def smtp_server(cert: Cert | None) -> Iterator[tuple[int, MailBox]]:
    """A loopback SMTP server; with ``cert`` it offers and requires STARTTLS and login."""
    box = MailBox()
    port = free_port()
    kwargs: dict[str, Any] = {}
    if cert is not None:
        kwargs = {
            "tls_context": cert.server_context(),
            "require_starttls": True,
            "authenticator": _authenticator,
            "auth_required": True,
            "auth_require_tls": True,
        }
    controller = Controller(box, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield port, box
    finally:
        controller.stop()
