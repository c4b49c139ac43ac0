"""Encryption and decryption of a package (age v1, X25519) against ``package verify``.

Run: python bench/bench_encryption.py [--work DIR] [--mib 2048] [--repeat 5]

A zip package carrying one file of --mib MiB (random bytes) as the attachment of the example
preservation request is built once in --work (default a temporary folder). Then, round after
round, each
operation runs in a fresh child process (warm page cache, one unmeasured warm-up round):
``package_report`` (what ``eevidence package verify`` runs: fixity of every entry, CRC-32,
signatures), ``encrypt_package`` of the zip for one recipient, and ``decrypt_package`` of
the result. Printed: median and best GB/s over the package's bytes (GB = 10^9 bytes), the
child's peak RSS (VmHWM), and the ratio of encryption and decryption to verification
(best runs; the target is at least 0.8).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIB = 1 << 20


def _peak_rss() -> int:
    """Peak RSS of this process since exec (VmHWM), in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0  # pragma: no cover - not Linux


def _child(kind: str, work: Path) -> None:
    from eevidence.crypto import load_trust_store
    from eevidence.package import (
        Identity,
        decrypt_package,
        encrypt_package,
        package_report,
    )

    package, encrypted, plain = work / "pkg.zip", work / "pkg.age", work / "plain.zip"
    identity = Identity.parse((work / "identity.txt").read_text())
    if kind == "verify":
        trust = load_trust_store(work / "trust")
        start = time.perf_counter()
        ok = package_report(package, trust).ok
        assert ok
    elif kind == "encrypt":
        encrypted.unlink(missing_ok=True)
        start = time.perf_counter()
        encrypt_package(package, encrypted, [identity.recipient])
    else:
        plain.unlink(missing_ok=True)
        start = time.perf_counter()
        decrypt_package(encrypted, plain, [identity])
    print(f"{time.perf_counter() - start} {_peak_rss()}")


def _prepare(work: Path, mib: int) -> int:
    import eevidence as ee
    from eevidence.crypto import KeySigner, generate_private_key, write_public_key
    from eevidence.package import generate_identity

    package = work / "pkg.zip"
    if package.exists():
        return package.stat().st_size
    big = work / "screenshot-profile.pdf"  # the attachment the example request lists
    with big.open("wb") as fh:
        for _ in range(mib):
            fh.write(os.urandom(MIB))
    key = generate_private_key("ed25519")
    (work / "trust").mkdir(exist_ok=True)
    write_public_key(key, work / "trust" / "officer.pem")
    request = ee.read_request(ROOT / "examples" / "requests" / "preservation.json")
    ee.build_package(
        request,
        package,
        signers=[KeySigner(key)],
        now=datetime(2026, 11, 20, 10, tzinfo=UTC),
        attachments=[big],
    )
    big.unlink()
    (work / "identity.txt").write_text(f"{generate_identity()}\n")
    return package.stat().st_size


def _run(kind: str, work: Path) -> tuple[float, int]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--work", str(work)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[0]), int(out[1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path)
    ap.add_argument("--mib", type=int, default=2048)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--child", choices=("verify", "encrypt", "decrypt"))
    args = ap.parse_args()
    if args.child:
        _child(args.child, args.work)
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="eebench-enc-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        size = _prepare(work, args.mib)
        kinds = ("verify", "encrypt", "decrypt")
        times: dict[str, list[float]] = {k: [] for k in kinds}
        rss: dict[str, int] = dict.fromkeys(kinds, 0)
        for k in kinds:
            _run(k, work)  # warm-up
        for _ in range(args.repeat):
            for k in kinds:
                t, r = _run(k, work)
                times[k].append(t)
                rss[k] = max(rss[k], r)
        print(f"package: {size / 1e9:.2f} GB, {args.repeat} runs each, {os.cpu_count()} cores")
        print("| operation | median GB/s | best GB/s | peak RSS MiB | best vs verify |")
        print("|---|---|---|---|---|")
        best_verify = size / min(times["verify"])
        for k in kinds:
            med, best = size / statistics.median(times[k]), size / min(times[k])
            print(
                f"| {k} | {med / 1e9:.2f} | {best / 1e9:.2f} | {rss[k] / MIB:.0f} | "
                f"{best / best_verify:.2f}x |"
            )
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
