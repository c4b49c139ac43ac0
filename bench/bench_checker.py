"""Checks per second: the request checker over a batch of generated requests (one core).

Run: python bench/bench_checker.py [N]
Builds N requests from the shipped examples, each addressed to one of the shipped
providers in turn (so every profile and most rules are exercised), then times
``check`` over the whole batch. For scale it also times ``parse_request`` on the same
requests' JSON bytes. Target: >= 5,000 checks/s.
"""

from __future__ import annotations

import copy
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import eevidence as ee

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def batch(n: int, provider_ids: list[str]) -> list[bytes]:
    examples = [
        json.loads(p.read_bytes()) for p in sorted((ROOT / "examples" / "requests").glob("*.json"))
    ]
    out: list[bytes] = []
    for i in range(n):
        doc = copy.deepcopy(examples[i % len(examples)])
        if not doc["kind"].startswith("eu_") and doc["kind"] != "protocol2_art7_order":
            doc["provider"] = provider_ids[i % len(provider_ids)]
        doc["case"]["reference"] = f"BENCH-{i:06d}"
        out.append(json.dumps(doc).encode())
    return out


def main(argv: list[str]) -> int:
    n = int(argv[1]) if len(argv) > 1 else 20_000
    registry = ee.load_providers(environ={})
    raws = batch(n, registry.ids())
    t0 = time.perf_counter()
    requests = [ee.parse_request(r) for r in raws]
    parse_s = time.perf_counter() - t0
    profiles = [registry.get(r.provider) for r in requests]
    t0 = time.perf_counter()
    findings = 0
    for request, profile in zip(requests, profiles, strict=True):
        findings += len(ee.check(request, profile, now=NOW).findings)
    check_s = time.perf_counter() - t0
    print(f"requests: {n} over {len(registry)} providers, {findings} findings in all")
    print(f"check          {n / check_s:>10,.0f} checks/s   ({check_s * 1e6 / n:.1f} us each)")
    print(f"parse_request  {n / parse_s:>10,.0f} parses/s   ({parse_s * 1e6 / n:.1f} us each)")
    print(f"a check costs {check_s / parse_s:.2f}x a parse of the same request")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
