"""Cost of checking codes against their registries (``eevidence._internal.codes``).

Run: python bench/bench_codes.py [N] [RUNS]
First-call cost: for each function, the median over RUNS fresh interpreters (default 7) of
the time of its first call (the shipped country list read; langcodes or phonenumbers
imported and its data loaded), after ``import eevidence._internal.codes``. Per call, one
core: each distinct input among N generated ones (default 20,000) once, with this module's
caches cleared (langcodes keeps its own parse caches), then N calls over 500 inputs already
seen (answered from this module's caches).
"""

from __future__ import annotations

import itertools
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from eevidence._internal import codes

FIRST_CALLS = {
    "is_assigned_country('FR')": "c.is_assigned_country('FR')",
    "language_tag_problem('pt-BR')": "c.language_tag_problem('pt-BR')",
    "languages_match('nb', ['no'])": "c.languages_match('nb', ['no'])",
    "phone_problem('+447400123456')": "c.phone_problem('+447400123456')",
}


def first_call_ms(call: str, runs: int) -> float:
    code = (
        "import time, eevidence._internal.codes as c\n"
        f"t = time.perf_counter(); {call}; print((time.perf_counter() - t) * 1000)\n"
    )
    out = [
        float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True).stdout)
        for _ in range(runs)
    ]
    return statistics.median(out)


def inputs(n: int) -> dict[str, list[Any]]:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    countries = [a + b for a, b in itertools.product(letters, letters)]  # 676, a third assigned
    languages = ["en", "fr", "de", "pt", "zh", "sr", "nb", "no", "es", "ar", "xx", "qq"]
    regions = ["", "-GB", "-US", "-BR", "-FR", "-TW", "-419", "-XX"]
    scripts = ["", "-Latn", "-Hans", "-Hant", "-Cyrl"]
    tags = [lang + s + r for lang, s, r in itertools.product(languages, scripts, regions)]
    accepted = [["en"], ["fr", "nl"], ["zh-Hant"], ["no"], ["pt", "es"]]
    pairs = [(t, a) for t, a in itertools.product(tags, accepted)]
    plans = ["+447", "+4420", "+336", "+331", "+4917", "+1415", "+3932", "+3467", "+4822"]
    phones = [f"{p}{i:08d}"[:13] for i in range(n // len(plans) + 1) for p in plans][:n]
    return {
        "country": [countries[i % len(countries)] for i in range(n)],
        "tag": [tags[i % len(tags)] for i in range(n)],
        "match": [pairs[i % len(pairs)] for i in range(n)],
        "phone": phones,
    }


def per_call_us(fn: Callable[[Any], object], items: list[Any], clear: Callable[[], None]) -> float:
    clear()
    start = time.process_time()
    for item in items:
        fn(item)
    return (time.process_time() - start) / len(items) * 1e6


def main(argv: list[str]) -> int:
    n = int(argv[1]) if len(argv) > 1 else 20_000
    runs = int(argv[2]) if len(argv) > 2 else 7
    print(f"first call, median of {runs} fresh interpreters:")
    for name, call in FIRST_CALLS.items():
        print(f"  {name:34} {first_call_ms(call, runs):8.1f} ms")

    data = inputs(n)
    codes.is_assigned_country("FR")  # the list read once, as in a long-running process
    codes.language_tag_problem("en")
    codes.languages_match("en", ["en"])
    codes.phone_problem("+447400123456")

    def clear_none() -> None:
        pass

    cases: list[tuple[str, Callable[[Any], object], list[Any], Callable[[], None]]] = [
        ("is_assigned_country", codes.is_assigned_country, data["country"], clear_none),
        (
            "language_tag_problem",
            codes.language_tag_problem,
            data["tag"],
            codes.language_tag_problem.cache_clear,
        ),
        (
            "languages_match",
            lambda p: codes.languages_match(p[0], p[1]),
            data["match"],
            codes._distance.cache_clear,
        ),
        ("phone_problem", codes.phone_problem, data["phone"], codes.phone_problem.cache_clear),
    ]
    print(f"per call, one core (CPU time); cached: {n} calls over 500 inputs already seen")
    print(f"  {'function':22} {'inputs':>7} {'first time':>11} {'cached':>9}")
    for name, fn, items, clear in cases:
        distinct = list({repr(i): i for i in items}.values())
        cold = per_call_us(fn, distinct, clear)
        seen = distinct[:500]
        warm = per_call_us(fn, [seen[i % len(seen)] for i in range(n)], lambda: None)
        print(f"  {name:22} {len(distinct):7d} {cold:8.2f} us {warm:6.2f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
