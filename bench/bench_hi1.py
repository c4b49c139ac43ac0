"""HI-1 messages per second: export every example request, read it back and import it.

Run: python bench/bench_hi1.py [N] [PDF_KIB]
Each of the N rounds exports the 7 example requests as TS 103 120 messages carrying a
PDF_KIB KiB letter (default 200), then reads (checksums) and imports (re-derive and compare
every field) each message. One core. Import of a 10 MiB letter is timed once at the end:
the checksum and base64 passes are then what matters, compared to hashlib's SHA-256 rate.
"""

from __future__ import annotations

import hashlib
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import eevidence as ee
from eevidence.hi1 import Hi1Endpoint, from_hi1_xml, read_hi1, to_hi1_xml

ROOT = Path(__file__).resolve().parents[1]
SENDER = Hi1Endpoint("FR", "BENCH")
RECEIVER = Hi1Endpoint("IE", "provider")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
TX = "c02358b2-76cf-4ba4-a8eb-f6436ccaea2e"


def main(argv: list[str]) -> int:
    n = int(argv[1]) if len(argv) > 1 else 50
    kib = int(argv[2]) if len(argv) > 2 else 200
    requests = [ee.read_request(p) for p in sorted((ROOT / "examples/requests").glob("*.json"))]
    letter = b"%PDF-1.7\n" + bytes(range(256)) * (kib * 4)

    def export(r: ee.Request, doc: bytes) -> bytes:
        return to_hi1_xml(
            r, sender=SENDER, receiver=RECEIVER, now=NOW, transaction_id=TX, document=doc
        )

    start = time.perf_counter()
    messages = [export(r, letter) for _ in range(n) for r in requests]
    t_export = time.perf_counter() - start
    start = time.perf_counter()
    for m in messages:
        read_hi1(m)
    t_read = time.perf_counter() - start
    start = time.perf_counter()
    for m in messages:
        from_hi1_xml(m)
    t_import = time.perf_counter() - start
    count = len(messages)
    size = sum(map(len, messages)) / count
    print(f"{count} messages of {size / 1024:.0f} KiB on average ({kib} KiB letter)")
    print(f"export  {count / t_export:8.0f} messages/s  {t_export / count * 1e3:6.2f} ms each")
    print(f"read    {count / t_read:8.0f} messages/s  {t_read / count * 1e3:6.2f} ms each")
    print(f"import  {count / t_import:8.0f} messages/s  {t_import / count * 1e3:6.2f} ms each")

    big = b"%PDF-1.7\n" + bytes(range(256)) * (40 * 1024)  # 10 MiB
    message = export(requests[0], big)
    start = time.perf_counter()
    from_hi1_xml(message)
    t_big = time.perf_counter() - start
    start = time.perf_counter()
    hashlib.sha256(big).digest()
    t_sha = time.perf_counter() - start
    mb = len(big) / 1e6
    print(
        f"import with a 10 MiB letter: {t_big * 1e3:.0f} ms ({mb / t_big:.0f} MB/s of letter; "
        f"SHA-256 alone {mb / t_sha:.0f} MB/s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
