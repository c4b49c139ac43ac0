"""Tracking store speed: ``deadlines``, ``report`` and ``case show`` over 100,000 requests.

    python bench/bench_store.py [N] [--postgres URL | --sqlite-only] [--provider-only]
                                [--previous] [--profile]

Fills a fresh SQLite store and a fresh PostgreSQL database with N tracked requests
(default 100,000, histories up to a fixed "now": old requests settled, recent ones open):

* 93% addressed to providers, built exactly as before requests to States were added (19
  providers, 7 kinds, histories of 1 to 7 events; the same seed gives the same requests);
* 2% 24/7 preservations (``preservation_24_7``) and 5% requests for mutual legal assistance
  (``mla_request``), with ``requested_state`` set and the stages of mutual assistance
  (submitted, received, transmitted, then executed, partially executed, preserved, refused
  with reasons or withdrawn);
* a share of the preservations (10% of provider preservations once preserved, half of the
  24/7 ones) record a drafted follow-up (``follow_up_drafted`` with its ``due``); most of
  those follow-ups are tracked as MLA requests with ``follows`` set, some submitted (which
  closes the preservation's dispatch deadline), some not yet; they are part of the 5%;
* every request carries a case reference (about 3 requests per case); one case,
  :data:`BIG_CASE`, holds :data:`CASE_SIZE` requests of every sort.

``--provider-only`` builds the N requests of the first kind only, as this script did before.
Then it times what the commands do once the store is open (median of 5 runs; 3 for the
case view), following their logic: ``deadlines`` reads the requests the deadline index
names with ``Store.get_many`` and replays their histories (calendar revisions) only for
``--json`` and ``--ics``, so the text list and ``--json`` are timed apart; ``case show``
reads ``list_requests(case_reference=...)`` and the followers of the case's preservations
with a drafted follow-up. It also times the whole commands as a user runs them (process
start and imports included; median of 3). ``--previous`` first checks that this logic gives
the same deadlines and case view as the one before batched reads (one ``get`` per request,
the whole store for a case), and times that one too. ``--profile`` also prints where the
time of each operation goes on SQLite (cProfile, cumulative). Without ``--postgres``, a
throwaway PostgreSQL server is started from /usr/lib/postgresql/15/bin (as the ``postgres``
user when run as root) and removed after.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from eevidence.cases import STATE_KINDS, case_view, request_documents, state_outcomes
from eevidence.tracking import (
    Deadline,
    Event,
    PostgresStore,
    SqliteStore,
    Terms,
    Tracked,
    apply_event,
    build_report,
    deadlines_of,
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

# Requests to States (what terms_for gives for the shipped examples of these kinds).
MLA_SHARE, PRESERVATION_24_7_SHARE = 0.05, 0.02
B29 = Terms(preservation_days=60, basis="Budapest Convention (CETS 185) art. 29(7)")
MLA = Terms()  # no execution time is set by a treaty
# Requested States, weighted: most data sit with US providers.
REQUESTED = ["US"] * 14 + ["IE", "IE", "NL", "DE", "GB", "CA", "IN", "BR", "MA", "SN"]
STATE_REASONS = (
    "dual criminality not established",
    "no link shown between the data sought and the offence",
    "request incomplete: summary of facts missing",
    "execution would prejudice essential interests (art. 27(4)(b))",
    "data no longer held",
)
# Drafted follow-ups: shares of the preservations once preserved; tracked followers.
DRAFTED_SHARE, DRAFTED_24_7_SHARE, FOLLOWER_TRACKED, FOLLOWER_SENT = 0.10, 0.5, 0.8, 0.7
TRANSMISSION_DAYS = 60  # the follow-up's default transmission time (cases.DEFAULT_...)
CASE_SIZE = 20
BIG_CASE = "PJ-CT-2026-0147"
REQUESTS_PER_CASE = 3


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


class _Builder:
    """Appends events to a tracked request through the lifecycle, up to :data:`NOW`."""

    def __init__(self, t: Tracked) -> None:
        self.t = t

    def add(self, name: str, at: datetime, **details: Any) -> bool:
        if at > NOW:
            return False
        self.t = apply_event(self.t, Event(name, at, "bench", **details), now=NOW)  # type: ignore[arg-type]
        return True


def _days(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(days=rng.uniform(low, high))


def _mla_history(rng: random.Random, t: Tracked, send_at: datetime | None) -> Tracked:
    """The stages of mutual assistance, sent at ``send_at`` (never when ``None``)."""
    b = _Builder(t)
    if send_at is None or not b.add("submitted", send_at) or rng.random() < 0.02:
        return b.t
    at = send_at + _days(rng, 1, 21)
    ref = f"CA-{rng.randrange(10**6)}" if rng.random() < 0.6 else None
    if not b.add("received", at, ref=ref):
        return b.t
    if rng.random() < 0.06:  # refused by the central authority itself
        b.add("rejected", at + _days(rng, 5, 60), reason=rng.choice(STATE_REASONS))
        return b.t
    if rng.random() < 0.03:
        b.add("withdrawn", at + _days(rng, 10, 120))
        return b.t
    at += _days(rng, 5, 90)
    if not b.add("transmitted", at):
        return b.t
    at += _days(rng, 20, 300)
    if rng.random() < 0.08:
        b.add("rejected", at, reason=rng.choice(STATE_REASONS))
    else:
        b.add("disclosed", at, partial=rng.random() < 0.25)
    return b.t


def _draft(rng: random.Random, b: _Builder, preserved_at: datetime) -> datetime | None:
    """Record a drafted follow-up some days after ``preserved_at``: its due time leaves
    :data:`TRANSMISSION_DAYS` before the expiry (at least two days after drafting)."""
    expires = b.t.expires
    assert expires is not None
    at = preserved_at + _days(rng, 1, 20)
    if at >= expires:
        return None
    due = min(max(expires - timedelta(days=TRANSMISSION_DAYS), at + timedelta(days=2)), expires)
    return at if b.add("follow_up_drafted", at, due=due) else None


def _preservation_24_7_history(rng: random.Random, t: Tracked) -> tuple[Tracked, datetime | None]:
    """A 24/7 preservation's history, and when its follow-up was drafted (or ``None``)."""
    b = _Builder(t)
    at = t.created_at + timedelta(hours=rng.uniform(0.5, 12))
    if not b.add("submitted", at):
        return b.t, None
    at += timedelta(hours=rng.uniform(0.1, 24))
    if not b.add("received", at, ref=f"POC-{rng.randrange(10**5)}"):
        return b.t, None
    at += _days(rng, 0.5, 5)
    if not b.add("transmitted", at):
        return b.t, None
    at += _days(rng, 0.5, 7)
    if rng.random() < 0.05:
        b.add("rejected", at, reason=rng.choice(STATE_REASONS))
        return b.t, None
    stated = at + timedelta(days=rng.choice((90, 180))) if rng.random() < 0.5 else None
    if not b.add("preserved", at, expires=stated):
        return b.t, None
    drafted = _draft(rng, b, at) if rng.random() < DRAFTED_24_7_SHARE else None
    while b.t.expires is not None and b.t.expires <= NOW:
        expires = b.t.expires
        if rng.random() < 0.35:  # art. 29(7): kept pending the decision on the MLA request
            b.add("extension_requested", expires - timedelta(days=10))
            b.add("extended", expires - timedelta(days=5), expires=expires + timedelta(days=90))
        else:
            b.add("expired", expires)
            break
    return b.t, drafted


def _with_draft(rng: random.Random, t: Tracked) -> tuple[Tracked, datetime | None]:
    """``t`` (a provider preservation once preserved) with a drafted follow-up inserted into
    its history in time order, and when it was drafted."""
    preserved = t.first("preserved")
    if preserved is None or preserved.expires is None:
        return t, None
    at = preserved.at + _days(rng, 1, 20)
    if at >= preserved.expires or at > NOW:
        return t, None
    due = min(
        max(preserved.expires - timedelta(days=TRANSMISSION_DAYS), at + timedelta(days=2)),
        preserved.expires,
    )
    drafted = Event("follow_up_drafted", at, "bench", due=due)
    b = _Builder(replace(t, events=()))
    for event in sorted((*t.events, drafted), key=lambda e: e.at):
        b.t = apply_event(b.t, event, now=NOW)
    return b.t, at


def _follower(
    rng: random.Random, i: int, preservation: Tracked, drafted: datetime
) -> Tracked | None:
    """The MLA request drafted after ``preservation``, tracked with ``follows``; most are
    sent, before or after the dispatch deadline; ``None`` when not yet tracked."""
    created = drafted + timedelta(hours=rng.uniform(1, 48))
    if created > NOW or rng.random() >= FOLLOWER_TRACKED:
        return None
    due = preservation.follow_up_due or created
    t = Tracked(
        id=f"00000000-0000-4000-8000-{i:012d}",
        kind="mla_request",
        provider=preservation.provider,
        country="FR",
        created_at=created,
        terms=MLA,
        follows=preservation.id,
        requested_state=preservation.requested_state or "US",
    )
    late = max((due - created).total_seconds() / 86400, 1) + 15
    send_at = created + _days(rng, 0.5, late) if rng.random() < FOLLOWER_SENT else None
    return _mla_history(rng, t, send_at)


def _state_request(rng: random.Random, i: int, kind: str) -> Tracked:
    return Tracked(
        id=f"00000000-0000-4000-8000-{i:012d}",
        kind=kind,  # type: ignore[arg-type]
        provider=rng.choice(PROVIDERS),
        country="FR",
        created_at=NOW - timedelta(minutes=rng.randrange(2 * 365 * 24 * 60)),
        terms=B29 if kind == "preservation_24_7" else MLA,
        requested_state=rng.choice(REQUESTED),
    )


def make_store_data(n: int, seed: int = 7) -> list[Tracked]:
    """The N requests described in the module docstring, preservations before the requests
    that follow them, each with a case reference."""
    n_mla, n_247 = round(n * MLA_SHARE), round(n * PRESERVATION_24_7_SHARE)
    base = make_requests(n - n_mla - n_247, seed)
    rng = random.Random(seed + 1)  # noqa: S311 - synthetic data; the base is left as it was
    drafted: list[tuple[int, datetime]] = []
    for pos, t in enumerate(base):
        if t.kind == "preservation" and t.first("preserved") and rng.random() < DRAFTED_SHARE:
            base[pos], at = _with_draft(rng, t)
            if at is not None:
                drafted.append((pos, at))
    out = base
    for _ in range(n_247):
        t, at = _preservation_24_7_history(rng, _state_request(rng, len(out), "preservation_24_7"))
        out.append(t)
        if at is not None:
            drafted.append((len(out) - 1, at))
    for pos, at in drafted:
        if len(out) >= n:
            break
        follower = _follower(rng, len(out), out[pos], at)
        if follower is not None:
            out.append(follower)
    while len(out) < n:
        t = _state_request(rng, len(out), "mla_request")
        out.append(_mla_history(rng, t, t.created_at + timedelta(hours=rng.uniform(2, 72))))
    return assign_cases(rng, out)


def assign_cases(rng: random.Random, requests: list[Tracked]) -> list[Tracked]:
    """Case references: a follower shares its preservation's; :data:`BIG_CASE` gets
    :data:`CASE_SIZE` requests of a recent case (preservations with their follow-ups, 24/7
    preservations, MLA requests, disclosures); the others about
    :data:`REQUESTS_PER_CASE` each."""
    followers: dict[str, list[int]] = {}
    for pos, t in enumerate(requests):
        if t.follows:
            followers.setdefault(t.follows, []).append(pos)
    roots = [pos for pos, t in enumerate(requests) if not t.follows]
    recent = [p for p in roots if requests[p].created_at >= NOW - timedelta(days=120)]
    rng.shuffle(recent)
    big: list[int] = []
    wanted = {  # root kind (with followers or not) -> how many
        ("preservation", True): 3,
        ("preservation_24_7", True): 2,
        ("mla_request", False): 2,
        ("emergency_disclosure", False): 1,
        ("preservation_extension", False): 1,
    }
    for p in recent:
        key = (requests[p].kind, requests[p].id in followers)
        if wanted.get(key, 0) > 0:
            wanted[key] -= 1
            big.append(p)
    size = sum(1 + len(followers.get(requests[p].id, ())) for p in big)
    for p in recent:
        if size >= CASE_SIZE:
            break
        if p not in big and requests[p].id not in followers:
            big.append(p)
            size += 1
    refs = {p: f"FR-{rng.randrange(len(roots) // REQUESTS_PER_CASE):06d}" for p in roots}
    refs.update(dict.fromkeys(big, BIG_CASE))
    by_id = {requests[p].id: ref for p, ref in refs.items()}
    return [
        replace(t, case_reference=by_id[t.follows] if t.follows else refs[pos])
        for pos, t in enumerate(requests)
    ]


def describe(requests: list[Tracked]) -> str:
    kinds = Counter(t.kind for t in requests)
    drafted = [t for t in requests if t.first("follow_up_drafted")]
    follows = [t for t in requests if t.follows]
    sent = sum(1 for t in follows if t.submitted_at is not None)
    big = sum(1 for t in requests if t.case_reference == BIG_CASE)
    return (
        f"{len(requests):,} requests: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(kinds.items()))
        + f"; {len(drafted):,} preservations with a drafted follow-up, {len(follows):,} "
        f"followers tracked ({sent:,} sent); {len({t.case_reference for t in requests}):,} "
        f"cases, {BIG_CASE} with {big} requests"
    )


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


Store = SqliteStore | PostgresStore


def due_before(store: Store, horizon: datetime, *, sequence: bool) -> list[Deadline]:
    """What ``eevidence deadlines`` computes: the deadline index names the requests, read in
    batches (``get_many``), each with its followers when it has a drafted follow-up (a sent
    follower closes the dispatch deadline); ``sequence`` (``--json``, ``--ics``) replays
    each history to number the calendar revisions, the text list does not."""
    ids = dict.fromkeys(d.request_id for d in store.deadlines_before(horizon))
    due = []
    for t in store.get_many(ids):
        drafted = t.first("follow_up_drafted") is not None
        followers = store.followers(t.id) if drafted else ()
        for d in deadlines_of(t, followers=followers, sequence=sequence):
            if d.due <= horizon:
                due.append(d)
    due.sort(key=lambda d: (d.due, d.request_id, d.kind))
    return due


def due_before_previous(store: Store, horizon: datetime) -> list[Deadline]:
    """``due_before`` as the command computed it before: one ``get`` per request, every
    history replayed."""
    ids = dict.fromkeys(d.request_id for d in store.deadlines_before(horizon))
    due = []
    for request_id in ids:
        t = store.get(request_id)
        drafted = t.first("follow_up_drafted") is not None
        for d in deadlines_of(t, followers=store.followers(t.id) if drafted else ()):
            if d.due <= horizon:
                due.append(d)
    due.sort(key=lambda d: (d.due, d.request_id, d.kind))
    return due


def case_requests(store: Store, reference: str) -> list[Tracked]:
    """What ``eevidence case show`` reads: the requests of the case (``list_requests`` with
    ``case_reference``), and the followers of its preservations with a drafted follow-up,
    whatever their case (the whole store only for an unknown case)."""
    mine = store.list_requests(case_reference=reference)
    known = {t.id for t in mine}
    followers = [
        f
        for t in mine
        if t.first("follow_up_drafted") is not None
        for f in store.followers(t.id)
        if f.id not in known
    ]
    return [*mine, *followers] if mine else store.list_requests()


def operations(
    store: Store, *, case: bool = True, previous: bool = False
) -> dict[str, Callable[[], int]]:
    """Each measured operation as the command runs it once the store is open; each answers
    the number of things it found (``case``: with the case view of :data:`BIG_CASE`;
    ``previous``: also the ``deadlines`` and ``case show`` logic before batched reads)."""
    horizon = NOW + timedelta(days=14)

    def deadline_index() -> int:
        return len(store.deadlines_before(horizon))

    def deadlines_text() -> int:  # the command's text list: the deadline index alone
        return len(store.deadlines_before(horizon))

    def deadlines_json() -> int:
        return len(due_before(store, horizon, sequence=True))

    def deadlines_previous() -> int:
        return len(due_before_previous(store, horizon))

    def report_providers() -> int:
        return len(build_report(store.outcome_groups(now=NOW), now=NOW)["groups"])

    def report() -> int:
        groups = build_report(store.outcome_groups(now=NOW), now=NOW)["groups"]
        states = state_outcomes(store.list_requests(kinds=STATE_KINDS), now=NOW)
        return len(groups) + sum(len(k["requested_states"]) for k in states["kinds"].values())

    def case_show() -> int:
        documents, _ = request_documents(store, [])
        view = case_view(case_requests(store, BIG_CASE), BIG_CASE, now=NOW, documents=documents)
        return len(view.requests)

    def case_show_previous() -> int:
        documents, _ = request_documents(store, [])
        view = case_view(store.list_requests(), BIG_CASE, now=NOW, documents=documents)
        return len(view.requests)

    found: dict[str, Callable[[], int]] = {
        "deadlines --within 14d (text list: the deadline index)": deadlines_text,
        "deadlines --within 14d --json (or --ics)": deadlines_json,
    }
    if previous:
        found["deadlines --within 14d, previous logic (get per id)"] = deadlines_previous
    found["report, provider groups only"] = report_providers
    found["report (with the State figures)"] = report
    if case:
        found[f"case show {BIG_CASE}"] = case_show
        if previous:
            found[f"case show {BIG_CASE}, previous logic (whole store)"] = case_show_previous
    return found


def check(store: Store, *, case: bool) -> None:
    """The measured logic gives what the previous one gave (the same deadlines, the same
    case view), so the figures compare like with like."""
    horizon = NOW + timedelta(days=14)
    before = due_before_previous(store, horizon)
    if due_before(store, horizon, sequence=True) != before:
        raise SystemExit("deadlines --json differ from the previous logic")
    text = [replace(d, sequence=0, case_reference=None) for d in before]
    if store.deadlines_before(horizon) != text:
        raise SystemExit("deadlines (text, the index) differ from the previous logic")
    if case:
        whole = case_view(store.list_requests(), BIG_CASE, now=NOW).to_dict()
        if case_view(case_requests(store, BIG_CASE), BIG_CASE, now=NOW).to_dict() != whole:
            raise SystemExit("case show differs from the view of the whole store")
    print(f"  checked: same deadlines ({len(before):,}) and case view as the previous logic")


def profile(store: Store, *, case: bool) -> None:
    for label, fn in operations(store, case=case).items():
        profiler = cProfile.Profile()
        profiler.runcall(fn)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(14)
        print(f"--- profile: {label}")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:3500])


def measure(
    name: str,
    store: Store,
    requests: list[Tracked],
    spec: str,
    *,
    prof: bool,
    previous: bool,
) -> None:
    loaded = fill(store, requests)
    case = any(t.case_reference == BIG_CASE for t in requests)
    print(f"{name}: loaded {len(requests):,} requests in {loaded:.1f} s")
    if previous:
        check(store, case=case)
    for label, fn in operations(store, case=case, previous=previous).items():
        runs = 3 if label.startswith("case") else 5
        ms, found = median_ms(fn, runs=runs)
        print(f"  {label}: {ms:,.0f} ms (median of {runs}; {found} found)")
    commands = {
        "eevidence deadlines --within 14d": ("deadlines", "--within", "14d"),
        "eevidence deadlines --within 14d --json": ("deadlines", "--within", "14d", "--json"),
        "eevidence report": ("report",),
    }
    if case:
        commands[f"eevidence case show {BIG_CASE}"] = ("case", "show", BIG_CASE)
    for label, command in commands.items():
        print(f"  whole {label}: {cli_ms(spec, *command):,.0f} ms (median of 3)")
    if prof:
        profile(store, case=case)


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
    parser.add_argument(
        "--provider-only", action="store_true", help="requests to providers only, as before"
    )
    parser.add_argument("--profile", action="store_true", help="profile each operation (SQLite)")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    parser.add_argument(
        "--previous",
        action="store_true",
        help="also check and time the deadlines and case show logic before batched reads",
    )
    args = parser.parse_args()
    start = time.perf_counter()
    requests = make_requests(args.n) if args.provider_only else make_store_data(args.n)
    print(f"built in {time.perf_counter() - start:.1f} s: {describe(requests)}")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        store = SqliteStore(path)
        measure("SQLite", store, requests, str(path), prof=args.profile, previous=args.previous)
        store.close()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.sqlite_only:
        return 0
    if args.postgres:
        pg = PostgresStore(args.postgres)
        measure("PostgreSQL", pg, requests, args.postgres, prof=False, previous=args.previous)
        pg.close()
    else:
        with throwaway_postgres() as url:
            pg = PostgresStore(url)
            measure("PostgreSQL", pg, requests, url, prof=False, previous=args.previous)
            pg.close()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
