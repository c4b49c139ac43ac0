"""Provider answers read within bounds, against real loopback HTTPS servers that misbehave:
an answer of 300 MB (streamed, never held by the server or the client), a body or headers
dripped a byte at a time, deep nesting. The client stops at the size limit and at the
attempt's deadline, and its memory stays small."""

from __future__ import annotations

import socket
import ssl
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from eevidence.errors import MalformedAnswerError, SubmissionError
from eevidence.submit import ApiChannel, RetryPolicy, Secret
from eevidence.submit._answer import MAX_ANSWER
from tests.submit_helpers import TOKEN, Cert, make_cert

HUGE = 300 * 1024 * 1024
BLOCK = b" " * 65536  # one block, sent again and again: the server never holds 300 MB


@dataclass
class Sent:
    """What the server managed to send before the client went away."""

    bytes: int = 0
    requests: int = 0


Behaviour = Callable[[ssl.SSLSocket, Sent], None]


def _send(conn: ssl.SSLSocket, sent: Sent, data: bytes) -> None:
    conn.sendall(data)
    sent.bytes += len(data)


@contextmanager
def raw_https(cert: Cert, behaviour: Behaviour) -> Iterator[tuple[str, Sent]]:
    """A loopback HTTPS server that reads a request's head, then lets ``behaviour`` answer
    with raw bytes; the client closing the connection ends the answer."""
    sent = Sent()
    ctx = cert.server_context()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve(raw: socket.socket) -> None:
        try:
            with ctx.wrap_socket(raw, server_side=True) as conn:
                conn.settimeout(30)
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    head += chunk
                sent.requests += 1
                behaviour(conn, sent)
        except (OSError, ssl.SSLError):
            return  # the client went away: what it did not read is not sent

    def accept() -> None:
        while not stop.is_set():
            try:
                raw, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=serve, args=(raw,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{listener.getsockname()[1]}", sent
    finally:
        stop.set()
        thread.join()
        listener.close()


def _channel(base: str, cert: Cert, client: httpx.Client, *, deadline: float = 60.0) -> ApiChannel:
    policy = RetryPolicy(attempts=3, deadline=deadline, sleep=lambda _s: None)
    return ApiChannel(base, token=Secret(TOKEN), client=client, policy=policy)


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> Cert:
    return make_cert(Path(tmp_path_factory.mktemp("tls")))


def _huge_chunked(conn: ssl.SSLSocket, sent: Sent) -> None:
    _send(conn, sent, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
    _send(conn, sent, b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    frame = b"%x\r\n" % len(BLOCK) + BLOCK + b"\r\n"
    for _ in range(HUGE // len(BLOCK)):
        _send(conn, sent, frame)
    _send(conn, sent, b"0\r\n\r\n")


def _huge_declared(conn: ssl.SSLSocket, sent: Sent) -> None:
    _send(conn, sent, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
    _send(conn, sent, b"Content-Length: %d\r\nConnection: close\r\n\r\n" % HUGE)
    for _ in range(HUGE // len(BLOCK)):
        _send(conn, sent, BLOCK)


@pytest.mark.parametrize("behaviour", [_huge_chunked, _huge_declared], ids=["chunked", "length"])
def test_a_300_mb_answer_is_refused_at_the_limit_in_small_memory(
    cert: Cert, behaviour: Behaviour
) -> None:
    with (
        raw_https(cert, behaviour) as (base, sent),
        httpx.Client(verify=cert.client_context()) as client,
    ):
        api = _channel(base, cert, client)
        tracemalloc.start()
        try:
            with pytest.raises(MalformedAnswerError, match=f"larger than {MAX_ANSWER} bytes"):
                api.status("R-1")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    # the client held at most about the limit, and stopped the server long before 300 MB
    assert peak < 8 * MAX_ANSWER, peak
    assert sent.bytes < 64 * 1024 * 1024, sent.bytes
    assert sent.requests == 1  # a refused answer is not asked for again


def _drip_body(conn: ssl.SSLSocket, sent: Sent) -> None:
    _send(conn, sent, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
    _send(conn, sent, b"Content-Length: 100000\r\n\r\n{")
    while True:
        time.sleep(0.05)
        _send(conn, sent, b" ")


def _drip_head(conn: ssl.SSLSocket, sent: Sent) -> None:
    _send(conn, sent, b"HTTP/1.1 200 OK\r\nX-Slow: ")
    while True:
        time.sleep(0.05)
        _send(conn, sent, b"a")


@pytest.mark.parametrize("behaviour", [_drip_body, _drip_head], ids=["body", "headers"])
def test_a_dripped_answer_stops_at_the_deadline(cert: Cert, behaviour: Behaviour) -> None:
    # each byte arrives well within the read timeout (30 s): only the deadline stops it
    with (
        raw_https(cert, behaviour) as (base, sent),
        httpx.Client(verify=cert.client_context(), timeout=30.0) as client,
    ):
        api = _channel(base, cert, client, deadline=1.5)
        started = time.monotonic()
        with pytest.raises(SubmissionError, match=r"no complete answer within 1\.5 s"):
            api.status("R-1")
        elapsed = time.monotonic() - started
    assert 1.4 < elapsed < 4.0, elapsed
    assert sent.requests == 1  # a dripping server is not asked again


def _nested(conn: ssl.SSLSocket, sent: Sent) -> None:
    body = b"[" * 200_000 + b"]" * 200_000
    _send(conn, sent, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
    _send(conn, sent, b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)


def _gzip(conn: ssl.SSLSocket, sent: Sent) -> None:
    _send(conn, sent, b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n")
    _send(conn, sent, b"Content-Length: 4\r\nConnection: close\r\n\r\nabcd")


def _good(conn: ssl.SSLSocket, sent: Sent) -> None:
    body = b'{"status": "completed", "reference": "R-1"}'
    _send(conn, sent, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
    _send(conn, sent, b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)


@pytest.mark.parametrize(
    ("behaviour", "message"),
    [
        (_nested, "nested too deeply"),
        (_gzip, r"compressed \(gzip\) though an uncompressed one was asked for"),
    ],
)
def test_malformed_answers_from_a_real_server(
    cert: Cert, behaviour: Behaviour, message: str
) -> None:
    with (
        raw_https(cert, behaviour) as (base, _),
        httpx.Client(verify=cert.client_context()) as client,
        pytest.raises(MalformedAnswerError, match=message),
    ):
        _channel(base, cert, client).status("R-1")


def test_a_good_answer_after_bad_ones_on_the_same_client(cert: Cert) -> None:
    with httpx.Client(verify=cert.client_context()) as client:
        with raw_https(cert, _huge_chunked) as (base, _), pytest.raises(MalformedAnswerError):
            _channel(base, cert, client).status("R-1")
        with raw_https(cert, _drip_body) as (base, _), pytest.raises(SubmissionError):
            _channel(base, cert, client, deadline=0.5).status("R-1")
        with raw_https(cert, _good) as (base, sent):
            status = _channel(base, cert, client).status("R-1")
    assert (status.ref, status.event) == ("R-1", "disclosed")
    assert sent.requests == 1
