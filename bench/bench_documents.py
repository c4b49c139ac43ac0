"""Document readers on normal inputs: request files (JSON and YAML), profiles, HI-1 messages.

Run: python bench/bench_documents.py [N]
Each of the N rounds reads the 8 example requests as JSON bytes (``decode_json``), as JSON
files and as YAML files (``load_document``), the shipped provider profiles
(``load_profile_file``), and reads one exported HI-1 message per example (``read_hi1``, no
letter). One core; each figure is the best of 5 runs in CPU time. Prints documents per
second and microseconds per document.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import yaml

import eevidence as ee
from eevidence._internal.documents import decode_json, load_document
from eevidence._internal.resources import data_dir
from eevidence.hi1 import Hi1Endpoint, read_hi1, to_hi1_xml
from eevidence.provider import load_profile_file

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def _rate(label: str, items: list[object], n: int, fn: Callable[[object], object]) -> None:
    best = float("inf")
    for _ in range(5):  # the best of 5 runs, in CPU time: other jobs on the machine aside
        start = time.process_time()
        for _ in range(n):
            for item in items:
                fn(item)
        best = min(best, time.process_time() - start)
    elapsed = best
    count = n * len(items)
    print(f"{label:<34} {count / elapsed:10.0f} /s  {elapsed / count * 1e6:8.1f} us each")


def main(argv: list[str]) -> int:
    n = int(argv[1]) if len(argv) > 1 else 200
    examples = sorted((ROOT / "examples/requests").glob("*.json"))
    blobs = [p.read_bytes() for p in examples]
    with tempfile.TemporaryDirectory() as tmp:
        yamls = []
        for p, blob in zip(examples, blobs, strict=True):
            y = Path(tmp) / (p.stem + ".yaml")
            y.write_text(yaml.safe_dump(json.loads(blob), sort_keys=False), encoding="utf-8")
            yamls.append(y)
        profiles = sorted(data_dir("providers").glob("*.json"))
        end = Hi1Endpoint("FR", "BENCH")
        messages = [
            to_hi1_xml(ee.read_request(p), sender=end, receiver=end, now=NOW) for p in examples
        ]
        print(f"{n} rounds; {len(examples)} requests, {len(profiles)} profiles")
        _rate("decode_json (request bytes)", list(blobs), n, lambda b: decode_json(b, "b"))  # type: ignore[arg-type]
        _rate("load_document (JSON file)", list(examples), n, load_document)  # type: ignore[arg-type]
        _rate("load_document (YAML file)", list(yamls), max(1, n // 10), load_document)  # type: ignore[arg-type]
        _rate("load_profile_file", list(profiles), max(1, n // 10), load_profile_file)  # type: ignore[arg-type]
        _rate("read_hi1 (no letter)", list(messages), max(1, n // 4), read_hi1)  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
