"""Letters per second: the example preservation request rendered as PDF, HTML and text.

Run: python bench/bench_render.py [N]
Renders N letters per format and language (en and ar), one core. Every letter has its
own case reference, identifiers and facts, so cached word widths help only with what
letters share (labels, fixed sentences). Also reports the first PDF of the process,
which pays for reading the fonts. Wall-clock and CPU-time rates are both printed: on a
shared machine the CPU-time rate is the one-core figure. Target: >= 50 PDF letters/s.
"""

from __future__ import annotations

import copy
import json
import sys
import time
from pathlib import Path

import eevidence as ee

ROOT = Path(__file__).resolve().parents[1]


def batch(n: int) -> list[ee.Request]:
    doc = json.loads((ROOT / "examples" / "requests" / "preservation.json").read_bytes())
    out: list[ee.Request] = []
    for i in range(n):
        d = copy.deepcopy(doc)
        d["case"]["reference"] = f"BENCH-{i:06d}"
        d["case"]["summary_of_facts"] += (
            f" Message number {i * 7919} was posted at 21:{i % 60:02d}."
        )
        d["identifiers"][0]["value"] = f"nightfall_{i:05d}"
        d["identifiers"][1]["value"] = f"user{i}@mail.example.com"
        out.append(ee.parse_request(d))
    return out


def main(argv: list[str]) -> int:
    n = int(argv[1]) if len(argv) > 1 else 200
    requests = batch(n)
    t0 = time.perf_counter()
    first = ee.render_letter(requests[0], fmt="pdf", lang="en")
    print(f"first PDF of the process: {(time.perf_counter() - t0) * 1e3:.0f} ms ({len(first)} B)")
    for lang in ("en", "ar"):
        for fmt in ("pdf", "html", "txt"):
            size = 0
            t0, c0 = time.perf_counter(), time.process_time()
            for request in requests:
                size += len(ee.render_letter(request, fmt=fmt, lang=lang))
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
            print(
                f"{lang} {fmt:<4} {n / seconds:>9,.1f} letters/s wall  {n / cpu:>9,.1f} /s CPU  "
                f"{cpu * 1e3 / n:7.2f} ms CPU each  {size // n:>7,} B each"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
