"""Custody log: appending signed entries, verifying a large log, proofs.

Run: python bench/bench_custody.py [N]   (default N = 1,000,000)
Builds N signed entries (Ed25519) in memory, writes them as JSON Lines, then times:
the chain and tree check without signatures, the full check with every signature on one
process and on every core, and inclusion/consistency proof generation and checking.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from eevidence.crypto import MerkleTree, key_id, leaf_hash, verify_consistency, verify_inclusion
from eevidence.custody import append_entry, verify_lines


class Signer:
    def __init__(self) -> None:
        self.key = Ed25519PrivateKey.generate()
        self.keyid = key_id(self.key.public_key())

    def sign(self, data: bytes) -> bytes:
        return self.key.sign(data)


def main(argv: list[str]) -> int:
    n = int(argv[1]) if len(argv) > 1 else 1_000_000
    signer = Signer()
    t0 = time.perf_counter()
    lines: list[bytes] = []
    previous = None
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(n):
        previous = append_entry(
            previous,
            signer,
            at=start + timedelta(seconds=i),
            actor="Lt. Claire Martin",
            role="investigator",
            action="evidence_received",
            object_id=f"evidence/{i}",
            object_sha256=f"{i:064x}",
        )
        lines.append(previous.canonical())
    build = time.perf_counter() - t0
    print(f"entries: {n:,}; building (model + sign): {n / build:,.0f} appends/s (in memory)")
    keys = [signer.key.public_key()]

    def timed(label: str, **kw: object) -> None:
        t = time.perf_counter()
        report = verify_lines(lines, keys, **kw)  # type: ignore[arg-type]
        dt = time.perf_counter() - t
        assert report.ok, report.breaks[:3]
        print(f"{label:<52} {dt:7.2f} s  ({n / dt:,.0f} entries/s)")

    timed("verify chain + tree (no signatures)", check_signatures=False)
    timed("verify chain + tree + signatures, 1 process", check_signatures=True, workers=1)
    cores = os.cpu_count() or 1
    timed(f"verify chain + tree + signatures, {cores} processes", workers=cores)

    t = time.perf_counter()
    tree = MerkleTree(leaf_hash(x) for x in lines)
    print(f"{'build proof tree (all levels)':<52} {time.perf_counter() - t:7.2f} s")
    root = tree.root()
    k = 10_000
    t = time.perf_counter()
    for i in range(0, n, max(1, n // k)):
        verify_inclusion(i, n, tree.leaf(i), tree.inclusion_proof(i), root)
    dt = time.perf_counter() - t
    print(f"{'inclusion proof generate + verify':<52} {dt / k * 1e6:7.1f} us each")
    t = time.perf_counter()
    for m in range(1, n, max(1, n // k)):
        verify_consistency(m, n, tree.root(m), root, tree.consistency_proof(m))
    dt = time.perf_counter() - t
    print(f"{'consistency proof (root + generate + verify)':<52} {dt / k * 1e6:7.1f} us each")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:,.0f} MiB (holds all {n:,} entries in memory)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
