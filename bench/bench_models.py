"""Throughput of request parsing, canonical serialisation and schema validation.

Run: python bench/bench_models.py [N]
Prints requests per second for each operation on the shipped examples (one core).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import eevidence as ee
from eevidence.request import schema_problems

ROOT = Path(__file__).resolve().parents[1]


def rate(label: str, n: int, fn: object) -> float:
    assert callable(fn)
    start = time.perf_counter()
    for _ in range(n):
        fn()
    elapsed = time.perf_counter() - start
    per_s = n / elapsed
    print(f"{label:<40} {per_s:>10,.0f} /s")
    return per_s


def main(argv: list[str]) -> int:
    n = int(argv[1]) if len(argv) > 1 else 2000
    raws = [p.read_bytes() for p in sorted((ROOT / "examples" / "requests").glob("*.json"))]
    reqs = [ee.parse_request(r) for r in raws]
    docs = [json.loads(r) for r in raws]
    k = len(raws)
    rate("parse_request (JSON bytes -> model)", n, lambda: [ee.parse_request(r) for r in raws])
    rate("canonical_bytes (model -> bytes)", n, lambda: [ee.canonical_bytes(r) for r in reqs])
    rate(
        "schema_problems (JSON Schema, all errors)",
        n // 4,
        lambda: [schema_problems(d) for d in docs],
    )
    print(f"(each iteration handles {k} requests; multiply by {k} for requests per second)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
