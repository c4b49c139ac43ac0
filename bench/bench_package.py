"""Package build and verification speed and peak memory, against hashlib and bagit-python.

Run: python bench/bench_package.py [--work DIR] [--scenario mixed|two|many|all]
                                   [--big-mib 2048] [--repeat 3]
     python bench/bench_package.py --crc [--work DIR] [--big-mib 2048] [--repeat 5]

Scenarios (the payload is generated once, in --work, default a temporary folder):
  one    one 2 GiB file
  mixed  one 2 GiB file plus 2,000 files of 4 KiB (the project's baseline payload)
  two    two 1 GiB files (concurrent hashing across files)
  many   10,000 files of 4 KiB (per-file overhead)

Every measured operation runs in a fresh child process (warm page cache, after one
unmeasured warm-up run), the tools taking turns round after round; printed: the median and
the best of --repeat runs, the CPU time per GB (all threads; stable when other load on the
machine slows the wall clock) and the child's peak RSS (VmHWM). Speed ratios use the best
runs, the least disturbed by other load.
Compared on the same bytes: single-thread ``hashlib.sha256`` with a reused 1 MiB buffer,
``bagit.Bag(path).validate()`` (bagit-python 1.9, one process) on the package itself (a
sha256-only bag) and on a bag of the same files made by bagit-python with its default
algorithms (sha256 + sha512), and eevidence verification of the directory and zip forms.

``--crc`` measures what checking every zip entry's CRC-32 costs, on the "one" payload (one
2 GiB file): hashlib alone, hashlib with ``zlib.crc32`` on the same buffer (in line),
verification of the zip form as shipped (the CRC on a second thread for large entries) and
with the CRC forced in line, and bagit-python's default validation.
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
SCENARIOS = ("one", "mixed", "two", "many")


# --------------------------------------------------------------------------- children


def _peak_rss() -> int:
    """Peak RSS of this process since exec (VmHWM), in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0  # pragma: no cover - not Linux


def _child(kind: str, path: str, extra: list[str]) -> None:
    # Imports are not part of the timed work; each child imports only what it uses.
    if kind == "bagit":
        import bagit
    elif kind != "hashlib":
        import eevidence as ee
        from eevidence.crypto import (
            KeySigner,
            load_private_key,
            load_trust_store,
        )
        from eevidence.package import package_report

    cpu0 = time.process_time()
    start = time.perf_counter()
    if kind == "hashlib":
        import hashlib

        buf = memoryview(bytearray(MIB))
        for name in sorted(Path(path).rglob("*")):
            if not name.is_file():
                continue
            h = hashlib.sha256()
            with name.open("rb", buffering=0) as fh:
                while n := fh.readinto(buf):
                    h.update(buf[:n])
    elif kind == "hashlib-crc":
        import hashlib
        import zlib

        buf = memoryview(bytearray(MIB))
        for name in sorted(Path(path).rglob("*")):
            if not name.is_file():
                continue
            h, crc = hashlib.sha256(), 0
            with name.open("rb", buffering=0) as fh:
                while n := fh.readinto(buf):
                    h.update(buf[:n])
                    crc = zlib.crc32(buf[:n], crc)
    elif kind == "eevidence-crc-inline":
        import eevidence.package._hash as hashing

        hashing.OVERLAP_CRC = 1 << 62  # never on a second thread
        report = package_report(path, load_trust_store(extra[0]))
        assert report.ok, report.reasons()
    elif kind == "eevidence":
        report = package_report(path, load_trust_store(extra[0]))
        assert report.ok, report.reasons()
    elif kind == "bagit":
        assert bagit.Bag(path).validate()
    elif kind == "build":
        request = ee.read_request(ROOT / "examples" / "requests" / "preservation.json")
        payload = Path(extra[0])
        docs = sorted(p for p in payload.rglob("*") if p.is_file())
        att = [d for d in docs if d.name == "screenshot-profile.pdf"]
        rest = [d for d in docs if d.name != "screenshot-profile.pdf"]
        signer = KeySigner(load_private_key(extra[1]))
        ee.build_package(
            request,
            path,
            signers=[signer],
            now=datetime(2026, 11, 20, tzinfo=UTC),
            attachments=att,
            documents=rest,
        )
    else:
        raise SystemExit(f"unknown child {kind}")
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu0
    print(f"{wall:.6f} {cpu:.6f} {_peak_rss()}")


def run_child(kind: str, path: Path, *extra: str) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of all threads, peak RSS in bytes) of one child run."""
    cmd = [sys.executable, __file__, "--child", kind, str(path), *extra]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"{kind} failed: {err.decode()}")
    wall, cpu, rss = out.decode().split()[-3:]
    return float(wall), float(cpu), int(rss)


# --------------------------------------------------------------------------- payloads


def write_random(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        left = size
        while left:
            n = min(left, 16 * MIB)
            fh.write(os.urandom(n))
            left -= n


def make_payload(base: Path, scenario: str, big_mib: int) -> Path:
    payload = base / f"payload-{scenario}"
    if payload.exists():
        return payload
    tmp = base / f".payload-{scenario}"
    shutil.rmtree(tmp, ignore_errors=True)
    write_random(tmp / "screenshot-profile.pdf", 4096)  # the attachment the request lists
    if scenario == "one":
        write_random(tmp / "big.bin", big_mib * MIB)
    elif scenario == "mixed":
        write_random(tmp / "big.bin", big_mib * MIB)
        for i in range(1999):
            write_random(tmp / f"small-{i:05d}.bin", 4096)
    elif scenario == "two":
        write_random(tmp / "one.bin", big_mib // 2 * MIB)
        write_random(tmp / "two.bin", big_mib // 2 * MIB)
    else:
        for i in range(9999):
            write_random(tmp / f"small-{i:05d}.bin", 4096)
    tmp.rename(payload)
    return payload


Spec = tuple[str, str, Path, tuple[str, ...]]  # label, child kind, path, extra arguments


def measure(specs: list[Spec], total: int, repeat: int) -> list[tuple[float, float]]:
    """Run every spec once per round, round after round (so background load hits all of them
    alike); print median, best and peak RSS; return the best throughput of each."""
    for _, kind, path, extra in specs:
        run_child(kind, path, *extra)  # warm-up: page cache, imports
    runs: list[list[tuple[float, float, int]]] = [[] for _ in specs]
    for _ in range(repeat):
        for i, (_, kind, path, extra) in enumerate(specs):
            runs[i].append(run_child(kind, path, *extra))
    rates = []
    for (label, *_), got in zip(specs, runs, strict=True):
        secs = statistics.median(r[0] for r in got)
        best = min(r[0] for r in got)
        cpu = min(r[1] for r in got)
        rss = max(r[2] for r in got)
        print(
            f"  {label:<36} median {total / secs / 1e9:5.2f} GB/s, best {total / best / 1e9:5.2f}"
            f" GB/s, CPU {cpu / total * 1e9:5.2f} s/GB, peak RSS {rss / MIB:5.1f} MiB"
        )
        rates.append((total / best, cpu))
    return rates


def scenario(base: Path, name: str, big_mib: int, repeat: int) -> None:
    from eevidence.crypto import generate_private_key, write_private_key, write_public_key

    payload = make_payload(base, name, big_mib)
    files = [p for p in payload.rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    print(f"\n== {name}: {len(files)} files, {total / 1e9:.2f} GB")
    keys = base / "keys"
    if not keys.exists():
        keys.mkdir()
        key = generate_private_key()
        write_private_key(key, keys / "k.pem")
        (keys / "trust").mkdir()
        write_public_key(key, keys / "trust" / "k.pem")
    out_dir, out_zip = base / f"pkg-{name}", base / f"pkg-{name}.zip"
    for out in (out_dir, out_zip):
        if out.is_dir():
            shutil.rmtree(out)
        elif out.exists():
            out.unlink()
        secs, _cpu, rss = run_child("build", out, str(payload), str(keys / "k.pem"))
        print(
            f"  build {out.suffix or 'directory':<32} once   {secs:7.3f} s "
            f"{total / secs / 1e9:5.2f} GB/s, peak RSS {rss / MIB:5.1f} MiB"
        )
    trust = str(keys / "trust")
    os.sync()  # let the builds' dirty pages reach the disk before anything is timed
    default_bag = base / f"bagit-default-{name}"
    if not default_bag.exists():
        tmp = base / f".bagit-default-{name}"
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(payload, tmp, copy_function=os.link)  # hard links: no extra space
        code = f"import bagit; bagit.make_bag({str(tmp)!r})"
        subprocess.run([sys.executable, "-c", code], check=True)
        tmp.rename(default_bag)
        os.sync()
    h, d, z, b, bd = measure(
        [
            ("hashlib.sha256, one thread", "hashlib", out_dir / "data", ()),
            ("eevidence verify (directory)", "eevidence", out_dir, (trust,)),
            ("eevidence verify (zip)", "eevidence", out_zip, (trust,)),
            ("bagit-python validate (sha256 bag)", "bagit", out_dir, ()),
            ("bagit-python validate (default bag)", "bagit", default_bag, ()),
        ],
        total,
        repeat,
    )
    print(f"  load average {os.getloadavg()[0]:.1f}; ratios (best wall-clock runs; CPU time):")
    print(
        f"  speed  directory/hashlib {d[0] / h[0]:.2f}, zip/hashlib {z[0] / h[0]:.2f}, "
        f"directory/bagit-sha256 {d[0] / b[0]:.2f}, directory/bagit-default {d[0] / bd[0]:.2f}"
    )
    print(
        f"  CPU    hashlib/directory {h[1] / d[1]:.2f}, hashlib/zip {h[1] / z[1]:.2f}, "
        f"bagit-default/directory {bd[1] / d[1]:.2f}"
    )


def crc_cost(base: Path, big_mib: int, repeat: int) -> None:
    """The cost of the CRC-32 check on one large zip entry, in line and overlapped."""
    from eevidence.crypto import generate_private_key, write_private_key, write_public_key

    payload = make_payload(base, "one", big_mib)
    total = sum(p.stat().st_size for p in payload.rglob("*") if p.is_file())
    print(f"\n== crc: one large file, {total / 1e9:.2f} GB")
    keys = base / "keys"
    if not keys.exists():
        keys.mkdir()
        key = generate_private_key()
        write_private_key(key, keys / "k.pem")
        (keys / "trust").mkdir()
        write_public_key(key, keys / "trust" / "k.pem")
    out_zip = base / "pkg-crc.zip"
    if out_zip.exists():
        out_zip.unlink()
    run_child("build", out_zip, str(payload), str(keys / "k.pem"))
    default_bag = base / "bagit-default-one"
    if not default_bag.exists():
        tmp = base / ".bagit-default-one"
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(payload, tmp, copy_function=os.link)
        subprocess.run(
            [sys.executable, "-c", f"import bagit; bagit.make_bag({str(tmp)!r})"], check=True
        )
        tmp.rename(default_bag)
    os.sync()
    trust = str(keys / "trust")
    h, hc, z, zi, bd = measure(
        [
            ("hashlib.sha256, one thread", "hashlib", payload, ()),
            ("hashlib.sha256 + zlib.crc32 in line", "hashlib-crc", payload, ()),
            ("eevidence verify zip (CRC overlapped)", "eevidence", out_zip, (trust,)),
            ("eevidence verify zip (CRC in line)", "eevidence-crc-inline", out_zip, (trust,)),
            ("bagit-python validate (default bag)", "bagit", default_bag, ()),
        ],
        total,
        repeat,
    )
    print(f"  load average {os.getloadavg()[0]:.1f}; ratios (best wall-clock runs):")
    print(
        f"  in-line CRC costs {1 - hc[0] / h[0]:.0%} of hashlib's speed; verify zip: "
        f"{z[0] / h[0]:.2f}x hashlib overlapped, {zi[0] / h[0]:.2f}x in line; "
        f"{z[0] / 1.74e9:.2f}x the 1.74 GB/s baseline; {z[0] / bd[0]:.2f}x bagit-default"
    )


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        _child(argv[1], argv[2], argv[3:])
        return 0
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--work", type=Path, help="where payloads and packages go")
    ap.add_argument("--scenario", choices=[*SCENARIOS, "all"], default="all")
    ap.add_argument("--big-mib", type=int, default=2048, help="size of the large payload")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--crc", action="store_true", help="measure the zip CRC-32 check only")
    args = ap.parse_args(argv)
    base = args.work or Path(tempfile.mkdtemp(prefix="eevidence-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, work folder {base}")
    if args.crc:
        crc_cost(base, args.big_mib, args.repeat)
        return 0
    names = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    for name in names:
        scenario(base, name, args.big_mib, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
