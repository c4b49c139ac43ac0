"""The outcome report: counts, percentiles, reasons and lapsed preservations."""

from __future__ import annotations

from datetime import UTC, datetime

from eevidence.tracking import (
    OutcomeRow,
    Terms,
    build_report,
    format_report,
    outcome_of,
    outcome_row,
)
from tests.test_lifecycle import NOW as LATER, run, tracked

T0 = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def row(  # noqa: PLR0917 - a compact table of test rows
    provider: str = "meta",
    kind: str = "voluntary_disclosure",
    outcome: str = "disclosed",
    answer_h: float | None = None,
    disclose_h: float | None = None,
    lapsed: bool = False,
    reason: str | None = None,
) -> OutcomeRow:
    return OutcomeRow(provider, kind, outcome, answer_h, disclose_h, lapsed, reason)


def test_report_groups_and_statistics() -> None:
    rows = [row(answer_h=h, disclose_h=h * 2) for h in range(1, 11)]  # 1..10 hours
    rows += [
        row(outcome="rejected", answer_h=50, reason="no legal process"),
        row(outcome="rejected", answer_h=60, reason="no legal process"),
        row(outcome="rejected", answer_h=70, reason="account not found"),
        row("google", "preservation", "expired", answer_h=1, lapsed=True),
        row("google", "preservation", "preserved", answer_h=2, lapsed=True),
        row("google", "preservation", "extended", answer_h=3),
        OutcomeRow("google", "preservation", "draft", None, None, False, None),
    ]
    report = build_report(rows, now=NOW)
    assert report["requests"] == 17
    assert report["generated_at"] == "2026-12-01T00:00:00Z"
    google, meta = report["groups"]
    assert (meta["provider"], meta["kind"], meta["requests"]) == (
        "meta",
        "voluntary_disclosure",
        13,
    )
    assert meta["outcomes"] == {"disclosed": 10, "rejected": 3}
    # nearest rank over 1..10, 50, 60, 70: median is the 7th value, p90 the 12th
    assert meta["time_to_answer"] == {"n": 13, "median_hours": 7.0, "p90_hours": 60.0}
    assert meta["time_to_disclosure"] == {"n": 10, "median_hours": 10.0, "p90_hours": 18.0}
    assert meta["rejection_reasons"] == {"no legal process": 2, "account not found": 1}
    assert meta["lapsed_preservations"] == 0
    assert google["lapsed_preservations"] == 2
    assert google["time_to_disclosure"] == {"n": 0, "median_hours": None, "p90_hours": None}
    text = format_report(report)
    assert "meta" in text
    assert "rejected (2): no legal process" in text
    assert "7.0h / 2.5d" in text
    assert text.endswith("17 request(s)")


def test_empty_report() -> None:
    report = build_report([], now=NOW)
    assert report["groups"] == []
    assert format_report(report).splitlines()[-1] == "0 request(s)"


def test_outcome_row_of_a_tracked_request() -> None:
    t = run(tracked(), "submitted", "acknowledged", "preserved")
    r = outcome_row(t, now=LATER)
    assert (r.outcome, r.answer_hours, r.disclosure_hours, r.lapsed) == (
        "preserved",
        1.0,
        None,
        True,
    )
    assert not outcome_row(t, now=t.events[-1].at).lapsed
    assert outcome_row(run(t, "expired"), now=LATER).lapsed
    d = run(tracked("voluntary_disclosure", terms=Terms()), "submitted")
    d = run(d, "disclosed", partial=True)
    assert outcome_of(d) == "disclosed_partial"
    d = run(d, "disclosed")
    assert outcome_of(d) == "disclosed"
    assert outcome_row(d, now=LATER).disclosure_hours == 1.0


def test_a_reason_never_breaks_the_table() -> None:
    rows = [row(outcome="rejected", answer_h=5, reason="no\nmeta  x  99  forged line\x1b[2J")]
    text = format_report(build_report(rows, now=NOW))
    lines = text.split("\n")
    assert len(lines) == 4  # header, the group, its one reason, the total
    assert "no\\x0ameta" in lines[2]
    assert "\x1b" not in text
