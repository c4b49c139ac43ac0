"""Outcome report: how each provider answers, per request kind. Pure (``now`` is a parameter).

For each provider and request kind: the number of requests by outcome (their current state;
a partial disclosure is counted apart), the median and 90th percentile of the time from
submission to the provider's first answer (acknowledgement, preservation, disclosure or
refusal) and to the first disclosure, the rejection reasons with their counts, and the
preservations that lapsed (recorded as expired, or still preserved past their expiry).
Percentiles use the nearest-rank method on the requests that have both times.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, NamedTuple

from eevidence._lifecycle import Tracked, as_utc

__all__ = [
    "LIVE_PRESERVATION",
    "OutcomeRow",
    "build_report",
    "format_report",
    "outcome_of",
    "outcome_row",
]

LIVE_PRESERVATION: Final = ("preserved", "extension_requested", "extended")


class OutcomeRow(NamedTuple):
    """What the report needs of one tracked request (stores compute these in SQL)."""

    provider: str
    kind: str
    outcome: str
    """The state, with a partial disclosure as ``disclosed_partial``."""
    answer_hours: float | None
    """Hours from submission to the provider's first answer."""
    disclosure_hours: float | None
    """Hours from submission to the first disclosure."""
    lapsed: bool
    """A preservation recorded as expired, or still preserved past its expiry."""
    reject_reason: str | None


def outcome_of(tracked: Tracked) -> str:
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
    """The report row of one tracked request (what the stores' query computes)."""
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


@dataclass
class _Group:
    outcomes: Counter[str]
    reasons: Counter[str]
    to_answer: list[float]
    to_disclosure: list[float]
    lapsed: int = 0


def _nearest_rank(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _hours(values: Sequence[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0, "median_hours": None, "p90_hours": None}
    return {
        "n": len(values),
        "median_hours": round(_nearest_rank(values, 0.5), 1),
        "p90_hours": round(_nearest_rank(values, 0.9), 1),
    }


def build_report(rows: Iterable[OutcomeRow], *, now: datetime) -> dict[str, Any]:
    """The report as a JSON-ready dict: ``groups`` sorted by provider then kind."""
    now = as_utc(now, "now")
    groups: dict[tuple[str, str], _Group] = {}
    total = 0
    for row in rows:
        total += 1
        key = (row.provider, row.kind)
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(Counter(), Counter(), [], [])
        group.outcomes[row.outcome] += 1
        if row.reject_reason is not None:
            group.reasons[row.reject_reason] += 1
        if row.answer_hours is not None:
            group.to_answer.append(row.answer_hours)
        if row.disclosure_hours is not None:
            group.to_disclosure.append(row.disclosure_hours)
        group.lapsed += row.lapsed
    out = []
    for (provider, kind), g in sorted(groups.items()):
        out.append(
            {
                "provider": provider,
                "kind": kind,
                "requests": sum(g.outcomes.values()),
                "outcomes": dict(sorted(g.outcomes.items())),
                "time_to_answer": _hours(g.to_answer),
                "time_to_disclosure": _hours(g.to_disclosure),
                "rejection_reasons": dict(g.reasons.most_common()),
                "lapsed_preservations": g.lapsed,
            }
        )
    return {
        "generated_at": now.isoformat().replace("+00:00", "Z"),
        "requests": total,
        "groups": out,
    }


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value / 24:.1f}d" if value >= 48 else f"{value:.1f}h"


def format_report(report: dict[str, Any]) -> str:
    """The report as a plain-text table for people."""
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
            lines.append(f"{'':<12} rejected ({count}): {reason}")
    lines.append(f"{report['requests']} request(s)")
    return "\n".join(lines)
