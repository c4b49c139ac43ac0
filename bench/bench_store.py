"""Tracking store speed: ``deadlines --within 14d`` and ``report`` over 100,000 requests.

    python bench/bench_store.py [N] [--postgres URL]

Fills a fresh SQLite store and a fresh PostgreSQL database with N tracked requests
(default 100,000: 19 providers, 7 kinds, histories of 1 to 7 events up to a fixed "now":
old requests settled, recent ones open). Then times what the two commands do once the
store is open (the deadline query; the report queries plus aggregation; median of 5 runs)
and the whole commands as a user runs them (process start and imports included; median
of 3). Without ``--postgres``, a throwaway PostgreSQL server is started from
/usr/lib/postgresql/15/bin (as the ``postgres`` user when run as root) and removed after.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from eevidence.tracking import (
    Event,
    PostgresStore,
    SqliteStore,
    Terms,
    Tracked,
    apply_event,
    build_report,
)

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
PROVIDERS = [
    "meta", "google", "microsoft", "apple", "x", "telegram", "tiktok", "snap", "discord",
    "amazon", "cloudflare", "dropbox", "yahoo", "uber", "airbnb", "reddit", "signal",
    "linkedin", "whatsapp",
]  # fmt: skip
KINDS = [
    "preservation", "preservation", "preservation", "voluntary_disclosure",
    "emergency_disclosure", "eu_production_order", "eu_preservation_order",
    "preservation_extension", "protocol2_art7_order",
]  # fmt: skip
US = Terms(preservation_days=90, extension_days=90, max_extensions=1, basis="18 U.S.C. 2703(f)")
EU_PR = Terms(preservation_days=60, extension_days=30, max_extensions=1, basis="art. 11")
EU_PO = Terms(response_hours=240, basis="art. 10")
PRESERVING = {"preservation", "eu_preservation_order", "preservation_extension"}


REASONS = ("no valid legal process", "account not found", "outside retention period")


def _history(rng: random.Random, t: Tracked) -> Tracked:
    """A plausible history up to NOW: old requests are settled, recent ones still open."""

    def add(name: str, at: datetime, **details: object) -> bool:
        nonlocal t
        if at > NOW:
            return False
        t = apply_event(t, Event(name, at, "bench", **details), now=NOW)  # type: ignore[arg-type]
        return True

    at = t.created_at + timedelta(hours=rng.uniform(1, 48))
    if not add("submitted", at) or rng.random() < 0.01:  # a few are never answered
        return t
    at += timedelta(hours=rng.uniform(2, 24 * 6))
    if rng.random() < 0.6 and not add("acknowledged", at, ref=f"LE-{rng.randrange(10**6)}"):
        return t
    at += timedelta(hours=rng.uniform(2, 24 * 10))
    if rng.random() < 0.1:
        add("rejected", at, reason=rng.choice(REASONS))
    elif t.kind in PRESERVING:
        if not add("preserved", at):
            return t
        while t.expires is not None and t.expires <= NOW:
            expires = t.expires
            left = (t.terms.max_extensions or 0) - t.extensions
            if left > 0 and rng.random() < 0.4:
                add("extension_requested", expires - timedelta(days=10))
                add("extended", expires - timedelta(days=5))
            else:
                add("expired", expires)
                break
    else:
        add("disclosed", at, partial=rng.random() < 0.2)
    return t


def make_requests(n: int, seed: int = 7) -> list[Tracked]:
    rng = random.Random(seed)  # noqa: S311 - synthetic data
    out = []
    for i in range(n):
        kind = rng.choice(KINDS)
        created = NOW - timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
        terms = Terms()
        if kind == "eu_preservation_order":
            terms = EU_PR
        elif kind == "eu_production_order":
            terms = EU_PO
        elif kind in PRESERVING:
            terms = US
        t = Tracked(
            id=f"00000000-0000-4000-8000-{i:012d}",
            kind=kind,  # type: ignore[arg-type]
            provider=rng.choice(PROVIDERS),
            country="FR",
            created_at=created,
            emergency=kind == "emergency_disclosure",
            terms=terms,
        )
        out.append(_history(rng, t))
    return out


def fill(store: SqliteStore | PostgresStore, requests: list[Tracked]) -> float:
    start = time.perf_counter()
    for i in range(0, len(requests), 5000):
        store.add_many(requests[i : i + 5000])
    return time.perf_counter() - start


def median_ms(fn: Callable[[], object], runs: int = 5) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def cli_ms(spec: str, *command: str) -> float:
    """Median wall time of the whole command (process start, imports, query, output)."""
    argv = [sys.executable, "-m", "eevidence", *command, "--store", spec, "--now", NOW.isoformat()]

    def run() -> None:
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)

    return median_ms(run, runs=3)[0]


def measure(
    name: str, store: SqliteStore | PostgresStore, requests: list[Tracked], spec: str
) -> None:
    loaded = fill(store, requests)
    within = timedelta(days=14)

    def deadlines() -> int:
        return len(store.deadlines_before(NOW + within))

    def report() -> int:
        return len(build_report(store.outcome_groups(now=NOW), now=NOW)["groups"])

    d_ms, d_n = median_ms(deadlines)
    r_ms, r_n = median_ms(report)
    print(
        f"{name:<10} load {len(requests):,} requests in {loaded:.1f} s | "
        f"deadlines --within 14d: {d_ms:.0f} ms ({d_n} deadlines) | "
        f"report: {r_ms:.0f} ms ({r_n} groups)"
    )
    print(
        f"{'':<10} whole commands: eevidence deadlines --within 14d "
        f"{cli_ms(spec, 'deadlines', '--within', '14d'):.0f} ms | eevidence report "
        f"{cli_ms(spec, 'report'):.0f} ms"
    )


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    bin_dir = Path(os.environ.get("EEVIDENCE_PG_BIN", "/usr/lib/postgresql/15/bin"))
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    base = Path(tempfile.mkdtemp(prefix="eevidence-bench-pg-"))
    if prefix:
        shutil.chown(base, "postgres")
    data = base / "data"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    initdb = [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
    subprocess.run([*prefix, *initdb], check=True, capture_output=True)
    opts = f"-p {port} -k {base} -c listen_addresses=127.0.0.1"
    pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(data)]
    start = [*pg_ctl, "-w", "-l", str(base / "log"), "-o", opts, "start"]
    subprocess.run([*prefix, *start], check=True, capture_output=True)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, *pg_ctl, "-m", "fast", "stop"], check=False, capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", nargs="?", type=int, default=100_000)
    parser.add_argument("--postgres", metavar="URL", help="an empty database to fill")
    args = parser.parse_args()
    start = time.perf_counter()
    requests = make_requests(args.n)
    print(f"built {len(requests):,} histories in {time.perf_counter() - start:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        store = SqliteStore(path)
        measure("SQLite", store, requests, str(path))
        store.close()
    if args.postgres:
        pg = PostgresStore(args.postgres)
        measure("PostgreSQL", pg, requests, args.postgres)
        pg.close()
    else:
        with throwaway_postgres() as url:
            pg = PostgresStore(url)
            measure("PostgreSQL", pg, requests, url)
            pg.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
