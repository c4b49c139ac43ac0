"""Custody appends with signatures, on SQLite and on PostgreSQL.

    python bench/bench_custody_store.py [N] [--postgres URL]

Appends N signed entries (Ed25519, the workstation key's algorithm), each in its own
transaction as ``eevidence custody record`` does, then N more in transactions of 100
entries (as an import does), to a fresh SQLite store and a fresh PostgreSQL database, then
reads the log back and verifies it (chain, tree, signatures).
Without ``--postgres`` a throwaway server is started as in ``bench_store.py``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench.bench_store import throwaway_postgres
from eevidence.crypto import KeySigner
from eevidence.custody import CustodyEntry, append_entry, verify_lines
from eevidence.tracking import PostgresStore, SqliteStore

START = datetime(2026, 11, 24, 9, tzinfo=UTC)
BATCH = 100


def run(label: str, store: SqliteStore | PostgresStore, n: int) -> None:
    signer = KeySigner(Ed25519PrivateKey.generate())

    def step(i: int) -> Callable[[CustodyEntry | None], CustodyEntry]:
        def build(previous: CustodyEntry | None) -> CustodyEntry:
            return append_entry(
                previous,
                signer,
                at=START + timedelta(seconds=i),
                actor="Lt. Claire Martin",
                role="investigator",
                action="evidence_accessed",
                object_id=f"evidence/{i % 97}",
                object_sha256=f"{i:064x}",
            )

        return build

    t = time.perf_counter()
    for i in range(n):
        store.append_custody(step(i))
    dt = time.perf_counter() - t
    print(f"{label:<11} append (sign + one transaction each) {n / dt:9,.0f} entries/s")
    t = time.perf_counter()
    for i in range(n, 2 * n, BATCH):
        store.append_custody_many([step(j) for j in range(i, min(i + BATCH, 2 * n))])
    dt = time.perf_counter() - t
    print(f"{label:<11} append ({BATCH} per transaction)          {n / dt:9,.0f} entries/s")
    n *= 2
    t = time.perf_counter()
    lines = store.custody_lines()
    report = verify_lines(lines, [signer.public_key])
    dt = time.perf_counter() - t
    assert report.ok
    assert report.size == n
    print(f"{label:<11} read + verify with signatures        {n / dt:9,.0f} entries/s")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=20_000)
    parser.add_argument("--postgres", metavar="URL")
    args = parser.parse_args(argv[1:])
    with tempfile.TemporaryDirectory() as d:
        store = SqliteStore(Path(d) / "bench.sqlite3")
        try:
            run("SQLite", store, args.n)
        finally:
            store.close()
    if args.postgres:
        pg = PostgresStore(args.postgres)
        try:
            run("PostgreSQL", pg, args.n)
        finally:
            pg.close()
    else:
        with throwaway_postgres() as url:
            pg = PostgresStore(url)
            try:
                run("PostgreSQL", pg, args.n)
            finally:
                pg.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
