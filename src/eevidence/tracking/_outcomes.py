"""Outcome report: how each provider answers, per request kind. Pure (``now`` is a parameter).

For each provider and request kind: the number of requests by outcome (their current state;
a partial disclosure is counted apart), the median and 90th percentile of the time from
submission to the provider's first answer (acknowledgement, preservation, disclosure or
refusal) and to the first disclosure, the rejection reasons with their counts, and the
preservations that lapsed (recorded as expired, or still preserved past their expiry).
Percentiles use the nearest-rank method (rank ceil(p * n)) on the requests that have
both times.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, NamedTuple

from eevidence._internal.text import printable
from eevidence.tracking._lifecycle import Tracked, as_utc

__all__ = [
    "LIVE_PRESERVATION",
    "GroupStats",
    "Groups",
    "OutcomeRow",
    "Spread",
    "aggregate",
    "build_report",
    "format_report",
    "outcome_of",
    "outcome_row",
    "spread",
]

LIVE_PRESERVATION: Final = ("preserved", "extension_requested", "extended")
"""States in which a preservation is in force (it lapses if its expiry passes)."""


class OutcomeRow(NamedTuple):
    """What the report needs of one tracked request (stores compute these in SQL)."""

    provider: str
    """The addressee's provider id."""
    kind: str
    """The request kind."""
    outcome: str
    """The state, with a partial disclosure as ``disclosed_partial``."""
    answer_hours: float | None
    """Hours from submission to the provider's first answer."""
    disclosure_hours: float | None
    """Hours from submission to the first disclosure."""
    lapsed: bool
    """A preservation recorded as expired, or still preserved past its expiry."""
    reject_reason: str | None
    """Why the provider refused, when the request is rejected."""


def outcome_of(tracked: Tracked) -> str:
    """The outcome of ``tracked`` for the report: its state, with a partial disclosure
    counted apart as ``disclosed_partial``."""
    if tracked.state == "disclosed":
        last = tracked.last("disclosed")
        if last is not None and last.partial:
            return "disclosed_partial"
    return tracked.state


def _hours_between(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 3600


def outcome_row(tracked: Tracked, *, now: datetime) -> OutcomeRow:
    """The report row of one tracked request (what the stores' query computes).

    Args:
        tracked: the tracked request.
        now: the present moment, aware: a preservation still in force past its expiry
            at ``now`` counts as lapsed.

    Returns:
        Its provider, kind, outcome, hours from submission to the first answer and to the
        first disclosure (``None`` when either is missing), whether it lapsed, and the
        rejection reason.

    Raises:
        LifecycleError: ``now`` is naive.
    """
    outcome = outcome_of(tracked)
    expires = tracked.expires
    return OutcomeRow(
        tracked.provider,
        tracked.kind,
        outcome,
        _hours_between(tracked.submitted_at, tracked.responded_at),
        _hours_between(tracked.submitted_at, tracked.disclosed_at),
        outcome == "expired"
        or (outcome in LIVE_PRESERVATION and expires is not None and expires < as_utc(now)),
        tracked.reject_reason,
    )


class Spread(NamedTuple):
    """How many durations, their median and 90th percentile (nearest rank), in hours."""

    n: int
    """How many durations (at least 1)."""
    median: float
    """The median (50th percentile, nearest rank), in hours."""
    p90: float
    """The 90th percentile (nearest rank), in hours."""


def nearest_rank_index(n: int, percent: int) -> int:
    """1-based rank of the ``percent``-th percentile of ``n`` sorted values (nearest rank):
    ceil(percent * n / 100). Stores compute the same rank in SQL."""
    return max(1, (percent * n + 99) // 100)


def spread(values: Sequence[float]) -> Spread | None:
    """The :class:`Spread` of ``values`` (hours), or ``None`` when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    n = len(ordered)
    return Spread(n, ordered[nearest_rank_index(n, 50) - 1], ordered[nearest_rank_index(n, 90) - 1])


@dataclass
class GroupStats:
    """What the report keeps of one provider and request kind (stores aggregate in SQL)."""

    outcomes: Counter[str] = field(default_factory=Counter)
    """Requests by outcome (see :attr:`OutcomeRow.outcome`)."""
    reasons: Counter[str] = field(default_factory=Counter)
    """Rejections by reason."""
    answer: Spread | None = None
    """Hours from submission to the provider's first answer."""
    disclosure: Spread | None = None
    """Hours from submission to the first disclosure."""
    lapsed: int = 0
    """How many preservations lapsed."""


Groups = dict[tuple[str, str], GroupStats]
"""Statistics by ``(provider, kind)``."""


def aggregate(rows: Iterable[OutcomeRow]) -> Groups:
    """Group per-request rows by provider and kind."""
    groups: Groups = {}
    durations: dict[tuple[str, str], tuple[list[float], list[float]]] = {}
    for row in rows:
        key = (row.provider, row.kind)
        group = groups.get(key)
        if group is None:
            group = groups[key] = GroupStats()
            durations[key] = ([], [])
        group.outcomes[row.outcome] += 1
        if row.reject_reason is not None:
            group.reasons[row.reject_reason] += 1
        if row.answer_hours is not None:
            durations[key][0].append(row.answer_hours)
        if row.disclosure_hours is not None:
            durations[key][1].append(row.disclosure_hours)
        group.lapsed += row.lapsed
    for key, (answer, disclosure) in durations.items():
        groups[key].answer = spread(answer)
        groups[key].disclosure = spread(disclosure)
    return groups


def _hours(value: Spread | None) -> dict[str, Any]:
    if value is None:
        return {"n": 0, "median_hours": None, "p90_hours": None}
    return {
        "n": value.n,
        "median_hours": round(value.median, 1),
        "p90_hours": round(value.p90, 1),
    }


def build_report(data: Iterable[OutcomeRow] | Groups, *, now: datetime) -> dict[str, Any]:
    """The report as a JSON-ready dict, from per-request rows or from statistics a store
    already grouped.

    Shape: ``generated_at`` (``now``, RFC 3339, UTC), ``requests`` (the total) and
    ``groups``, sorted by provider then kind, each with ``provider``, ``kind``,
    ``requests``, ``outcomes`` (by outcome, sorted), ``time_to_answer`` and
    ``time_to_disclosure`` (``n``, ``median_hours``, ``p90_hours``, rounded to 0.1 h),
    ``rejection_reasons`` (most frequent first) and ``lapsed_preservations``.

    Raises:
        LifecycleError: ``now`` is naive.
    """
    now = as_utc(now, "now")
    groups = data if isinstance(data, dict) else aggregate(data)
    out = [
        {
            "provider": provider,
            "kind": kind,
            "requests": sum(g.outcomes.values()),
            "outcomes": dict(sorted(g.outcomes.items())),
            "time_to_answer": _hours(g.answer),
            "time_to_disclosure": _hours(g.disclosure),
            "rejection_reasons": dict(sorted(g.reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
            "lapsed_preservations": g.lapsed,
        }
        for (provider, kind), g in sorted(groups.items())
    ]
    return {
        "generated_at": now.isoformat().replace("+00:00", "Z"),
        "requests": sum(g["requests"] for g in out),
        "groups": out,
    }


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value / 24:.1f}d" if value >= 48 else f"{value:.1f}h"


def format_report(report: dict[str, Any]) -> str:
    """The report (a :func:`build_report` dict) as a plain-text table for people: one line per
    provider and kind (durations in hours, or days from 48 hours on; median / 90th
    percentile), the rejection reasons under it (control characters escaped, so a reason
    never breaks the table), and the total."""
    lines = [
        f"{'provider':<12} {'kind':<24} {'n':>6}  {'answer med/p90':>15}  "
        f"{'disclosure med/p90':>19}  {'lapsed':>6}  outcomes"
    ]
    for g in report["groups"]:
        answer, disclosure = g["time_to_answer"], g["time_to_disclosure"]
        outcomes = ", ".join(f"{k} {v}" for k, v in g["outcomes"].items())
        lines.append(
            f"{g['provider']:<12} {g['kind']:<24} {g['requests']:>6}  "
            f"{_fmt(answer['median_hours']) + ' / ' + _fmt(answer['p90_hours']):>15}  "
            f"{_fmt(disclosure['median_hours']) + ' / ' + _fmt(disclosure['p90_hours']):>19}  "
            f"{g['lapsed_preservations']:>6}  {outcomes}"
        )
        for reason, count in g["rejection_reasons"].items():
            lines.append(f"{'':<12} rejected ({count}): {printable(reason)}")
    lines.append(f"{report['requests']} request(s)")
    return "\n".join(lines)
