"""Cost of preparing and sending a package: reading it for sending, an API submission (in
memory), parsing answers, and mail over a loopback SMTP server with STARTTLS.

Run: python bench/bench_submit.py [--mib 256] [--mail-mib 20] [--repeat 3]

``load_outgoing`` reads the package, verifies its fixity and hashes it again (the bytes sent
are the bytes checked): compared with one ``hashlib.sha256`` pass over the same file.
The API figure uses ``httpx.MockTransport`` (no network): it is the library's own overhead
per submission. Mail goes to an aiosmtpd server on 127.0.0.1 with STARTTLS (the test extra).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import eevidence as ee  # noqa: E402
from eevidence.crypto import KeySigner, generate_private_key  # noqa: E402
from eevidence.submit import (  # noqa: E402
    ApiChannel,
    EmailChannel,
    Secret,
    SmtpSettings,
    load_outgoing,
    parse_answer,
)
from tests.submit_helpers import (  # noqa: E402
    NOW,
    SMTP_PASSWORD,
    SMTP_USER,
    make_cert,
    smtp_server,
)

MIB = 1 << 20


def _median(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _package(work: Path, mib: int) -> Path:
    request = ee.read_request(ROOT / "examples" / "requests" / "eu-production-order.json")
    work.mkdir(parents=True, exist_ok=True)
    big = work / f"payload-{mib}.bin"
    with big.open("wb") as fh:
        block = bytes(range(256)) * 4096
        for _ in range(mib):
            fh.write(block)
    out = work / f"package-{mib}.zip"
    signer = KeySigner(generate_private_key("ed25519"))
    ee.build_package(request, out, signers=[signer], now=NOW, documents=[big])
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=256)
    parser.add_argument("--mail-mib", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        pkg = _package(work, args.mib)
        size = pkg.stat().st_size

        def sha() -> None:
            h = hashlib.sha256()
            with pkg.open("rb") as fh:
                while chunk := fh.read(MIB):
                    h.update(chunk)

        load_outgoing(pkg)  # warm the page cache
        t_hash = _median(sha, args.repeat)
        t_load = _median(lambda: load_outgoing(pkg), args.repeat)
        print(f"package {size / 1e6:.0f} MB")
        print(f"  hashlib sha256, one pass        {size / t_hash / 1e9:.2f} GB/s")
        print(
            f"  load_outgoing (verify + hashes) {size / t_load / 1e9:.2f} GB/s "
            f"({t_load / t_hash:.1f}x one hash pass)"
        )

        small = load_outgoing(_package(work / "small", 0))
        answer = json.dumps({"reference": "LE-1", "status": "received"}).encode()
        transport = httpx.MockTransport(lambda r: httpx.Response(201, content=answer))
        n = 2000
        with httpx.Client(transport=transport) as client:
            api = ApiChannel("https://api.example", token=Secret("t"), client=client)
            start = time.perf_counter()
            for _ in range(n):
                api.submit(small, now=NOW)
            t_api = (time.perf_counter() - start) / n
        start = time.perf_counter()
        for _ in range(n * 10):
            parse_answer(answer, source="bench")
        t_parse = (time.perf_counter() - start) / (n * 10)
        print(f"  API submit, in memory           {t_api * 1e6:.0f} us per submission")
        print(f"  parse_answer                    {t_parse * 1e6:.1f} us per answer")

        mail = load_outgoing(_package(work / "mail", args.mail_mib))
        builder = EmailChannel(SmtpSettings(host="h", sender="a@police.example"), "b@x.example")
        t_mime = _median(lambda: builder.message(mail, now=NOW).as_bytes(), args.repeat)
        print(
            f"  mail message (MIME, base64), {len(mail.data) / 1e6:.0f} MB package  "
            f"{t_mime:.2f} s ({len(mail.data) / t_mime / 1e6:.0f} MB/s)"
        )
        cert = make_cert(work / "tls")
        with smtp_server(cert) as (port, box):
            settings = SmtpSettings(
                host="127.0.0.1",
                port=port,
                sender="a@police.example",
                username=SMTP_USER,
                password=Secret(SMTP_PASSWORD),
            )
            channel = EmailChannel(
                settings, "b@provider.example", ssl_context=cert.client_context()
            )
            t_mail = _median(lambda: channel.submit(mail, now=NOW), args.repeat)
        assert len(box.messages) == args.repeat
        print(
            f"  mail, {len(mail.data) / 1e6:.0f} MB package over STARTTLS to loopback  "
            f"{t_mail:.2f} s ({len(mail.data) / t_mail / 1e6:.0f} MB/s)"
        )


if __name__ == "__main__":
    main()
