"""The time PAdES signing adds to a PDF letter (``eevidence render --sign-key``).

Run: python bench/bench_pades.py [N]
Renders the example preservation request N times as a PDF letter (en), then renders and
signs it N times (baseline B-B, a throwaway CA's certificate), for a P-256 and an RSA-2048
key, with a Latin-1 signer name (the stamp uses the standard Courier font) and a name in
Cyrillic (the shipped Noto Sans is subset into the stamp). Prints the median time per
letter of each, what signing adds, the first signature of the process (which imports
pyHanko and reads the font), and the time ``letter verify`` takes. Target: signing adds
< 100 ms per letter.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import eevidence as ee
from eevidence.crypto import generate_private_key
from eevidence.letter import ThrowawayCA, sign_letter, verify_letter

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1e3


def main(argv: list[str]) -> int:
    n = int(argv[1]) if len(argv) > 1 else 50
    request = ee.read_request(ROOT / "examples" / "requests" / "preservation.json")
    ca = ThrowawayCA(NOW)
    letter = ee.render_letter(request, fmt="pdf", lang="en")
    key = generate_private_key("p256")
    cert = ca.issue(key.public_key(), "Jane Doe", "Test Police")
    t0 = time.perf_counter()
    sign_letter(letter, key=key, certificate=cert, now=NOW)
    print(f"first signature of the process: {(time.perf_counter() - t0) * 1e3:.0f} ms")
    render: list[float] = []
    for _ in range(n):
        t0 = time.perf_counter()
        ee.render_letter(request, fmt="pdf", lang="en")
        render.append(time.perf_counter() - t0)
    base = _median_ms(render)
    print(f"render only: {base:.1f} ms per letter (median of {n})")
    for key_type in ("p256", "rsa"):
        key = generate_private_key(key_type)
        for name in ("Jane Doe", "Иван Петров"):
            cert = ca.issue(key.public_key(), name, "Test Police")
            sign_letter(letter, key=key, certificate=cert, now=NOW)  # warm the font
            both: list[float] = []
            signed = b""
            for _ in range(n):
                t0 = time.perf_counter()
                pdf = ee.render_letter(request, fmt="pdf", lang="en")
                signed = sign_letter(pdf, key=key, certificate=cert, now=NOW)
                both.append(time.perf_counter() - t0)
            total = _median_ms(both)
            checks: list[float] = []
            for _ in range(max(n // 5, 3)):
                t0 = time.perf_counter()
                result = verify_letter(
                    signed, trust_roots=[ca.certificate], now=NOW + timedelta(days=1)
                )
                checks.append(time.perf_counter() - t0)
            assert result.ok
            print(
                f"{key_type:5} {name!r:14}: render+sign {total:6.1f} ms, signing adds "
                f"{total - base:5.1f} ms ({total / base:.2f}x render), verify "
                f"{_median_ms(checks):5.1f} ms"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
