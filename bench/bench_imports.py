"""Start-up cost: importing the package and its faces, and whole light commands.

Run: python bench/bench_imports.py [RUNS] [--src DIR]
Each figure is the median of RUNS fresh interpreters (default 7): the wall time of
``python -c "import ..."`` minus that of ``python -c "pass"``, and of whole commands
(``--version`` and ``--help`` included: they should load no command module), with the heavy
modules each one loaded. ``--src`` measures another checkout's ``src`` folder instead
of the installed package (for comparisons).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = str(ROOT / "examples" / "requests" / "preservation.json")
GOLDEN = str(ROOT / "tests" / "vectors" / "package" / "golden.zip")
TRUST = str(ROOT / "tests" / "vectors" / "package" / "trust")
HEAVY = (
    "pydantic",
    "httpx",
    "fpdf",
    "psycopg",
    "jsonschema",
    "cryptography",
    "langcodes",
    "phonenumbers",
)

SNIPPETS = {
    "import eevidence": "import eevidence",
    "import eevidence.request (face only)": "import eevidence.request",
    "eevidence.request.Request (models)": "import eevidence.request as r; r.Request",
    "eevidence.package.package_report": "import eevidence.package as p; p.package_report",
}
COMMANDS = {
    "eevidence --version": ["--version"],
    "eevidence --help": ["--help"],
    "eevidence new --help": ["new", "--help"],
    "eevidence validate EXAMPLE": ["validate", EXAMPLE],
    "eevidence package verify GOLDEN --trust": ["package", "verify", GOLDEN, "--trust", TRUST],
}


def _median_ms(argv: list[str], runs: int, env: dict[str, str]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, env=env)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _loaded(code: str, env: dict[str, str]) -> list[str]:
    probe = f"{code}\nimport sys; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True, env=env
    )
    return out.stdout.split()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", nargs="?", type=int, default=7)
    parser.add_argument("--src", help="a checkout's src folder to measure instead")
    args = parser.parse_args(argv)
    env = dict(os.environ)
    if args.src:
        env["PYTHONPATH"] = args.src
    base = _median_ms([sys.executable, "-c", "pass"], args.runs, env)
    print(f"interpreter start-up: {base:.0f} ms (subtracted below)")
    for label, code in SNIPPETS.items():
        try:
            ms = _median_ms([sys.executable, "-c", code], args.runs, env) - base
        except subprocess.CalledProcessError:
            print(f"{label:<44}    n/a (not in this version)")
            continue
        print(f"{label:<44} {ms:>6.0f} ms  loads: {', '.join(_loaded(code, env)) or '-'}")
    for label, command in COMMANDS.items():
        ms = _median_ms([sys.executable, "-m", "eevidence", *command], args.runs, env) - base
        code = (
            f"import contextlib, io, sys; sys.argv = ['eevidence', *{command!r}]\n"
            "from eevidence._cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n        main()\n    except SystemExit:\n        pass"
        )
        loads = ", ".join(_loaded(code, env)) or "-"
        print(f"{label:<44} {ms:>6.0f} ms  loads: {loads}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
