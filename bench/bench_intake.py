"""Intake against a directory: what binding signatures to authorities costs over verifying.

Run: python bench/bench_intake.py [N] [--authorities A]
Builds a directory of A authorities (default 200, one key each), verifies it, and builds one
signed emergency package from one of them. Then, best of 5 runs of N rounds each (default
50), in CPU time on one core: ``verify_directory`` (the whole chain of versions),
``package_report`` against the directory's keys (what ``package verify`` does), and
``intake_package`` (the same verification plus the request read back and every signature
bound to its directory entry). Prints milliseconds per operation and intake's ratio to
``package_report``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from eevidence.crypto import KeySigner, TrustStore, generate_private_key, public_key_pem
from eevidence.directory import (
    Authority,
    Directory,
    DirectoryKey,
    edit_directory,
    init_directory,
    sign_directory,
    verify_directory,
)
from eevidence.intake import intake_package
from eevidence.package import build_package, package_report
from eevidence.request import read_request

ROOT = Path(__file__).resolve().parents[1]
ISSUED = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def _best(n: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(5):
        start = time.process_time()
        for _ in range(n):
            fn()
        best = min(best, time.process_time() - start)
    return best / n * 1000


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=50)
    parser.add_argument("--authorities", type=int, default=200)
    args = parser.parse_args(argv[1:])
    root = KeySigner(generate_private_key())
    keys = [KeySigner(generate_private_key()) for _ in range(args.authorities)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "dir"
        init_directory(
            folder,
            roots=[root.public_key],
            threshold=1,
            signers=[root],
            now=ISSUED,
            expires=timedelta(days=700),
        )
        entries = tuple(
            Authority(
                id="fr-pj" if i == 0 else f"authority-{i}",
                name="Police judiciaire" if i == 0 else f"Authority {i}",
                country="FR",
                kind="police",
                domains=("police.example.fr",) if i == 0 else (f"a{i}.example.org",),
                callback="+33140000000",
                keys=(
                    DirectoryKey(
                        keyid=k.keyid,
                        public_key=public_key_pem(k.public_key).decode("ascii"),
                        valid_from=ISSUED,
                        roles=("requests", "emergency"),
                    ),
                ),
            )
            for i, k in enumerate(keys)
        )

        def add(d: Directory) -> Directory:
            return d.model_copy(update={"authorities": entries})

        edit_directory(folder, add, now=ISSUED + timedelta(hours=1))
        sign_directory(folder, root)
        verified = verify_directory(folder, [root.public_key], now=NOW)
        request = read_request(ROOT / "examples" / "requests" / "emergency-disclosure.json")
        package = Path(tmp) / "pkg.zip"
        build_package(request, package, signers=[keys[0]], now=NOW)
        trust = TrustStore.from_public_keys(k.public_key for k in keys)
        assert intake_package(package, verified, now=NOW).accepted
        chain = _best(args.n, lambda: verify_directory(folder, [root.public_key], now=NOW))
        report = _best(args.n, lambda: package_report(package, trust))
        intake = _best(args.n, lambda: intake_package(package, verified, now=NOW))
    print(f"directory of {args.authorities} authorities, {args.n} rounds, best of 5 (CPU)")
    print(f"verify_directory (2 versions)     {chain:8.2f} ms")
    print(f"package_report (directory's keys) {report:8.2f} ms")
    print(f"intake_package                    {intake:8.2f} ms  ({intake / report:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
