"""Deadline terms, deadlines, the iCalendar writer (read back by an independent parser)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest

from eevidence import parse_request
from eevidence._cli import main
from eevidence.errors import InputError
from eevidence.provider import law_facts, load_providers
from eevidence.tracking import (
    ACK_DAYS,
    REMINDER_DAYS,
    Deadline,
    Event,
    Terms,
    Tracked,
    apply_event,
    deadlines_of,
    due_within,
    next_due,
    parse_within,
    terms_for,
    to_ics,
    tracked_from_request,
)
from tests.helpers import EXAMPLES, example_doc
from tests.test_lifecycle import NOW, T0, US, run, tracked

REGISTRY = load_providers()


def terms(example: str, provider: str | None = None, **changes: Any) -> Terms:
    doc = example_doc(example)
    doc.update(changes)
    if provider is not None:
        doc["provider"] = provider
    request = parse_request(doc)
    profile = REGISTRY.profiles.get(request.provider)
    return terms_for(request, profile, law_facts())


def test_terms_eu_orders_follow_the_regulation() -> None:
    t = terms("eu-preservation-order")
    assert (t.preservation_days, t.extension_days, t.max_extensions) == (60, 30, 1)
    assert t.basis == "Regulation (EU) 2023/1543 art. 11"
    production = terms("eu-production-order")
    assert production.response_hours in (8, 240)
    doc = example_doc("eu-production-order")
    doc.pop("emergency", None)
    assert terms_for(parse_request(doc), None, law_facts()).response_hours == 240


def test_terms_emergency_production_order_is_eight_hours() -> None:
    doc = example_doc("eu-production-order")
    doc["emergency"] = {
        "threat_nature": "imminent threat to life",
        "why_without_delay": "a hostage is held",
    }
    request = parse_request(doc)
    assert terms_for(request, None, law_facts()).response_hours == 8
    assert tracked_from_request(request, None).emergency


def test_terms_provider_profile_completed_by_statute() -> None:
    meta = terms("preservation")  # meta publishes 90 days; 2703(f) gives the extension
    assert meta.preservation_days == 90
    assert (meta.extension_days, meta.max_extensions) == (90, 1)
    assert meta.basis == "provider profile meta, completed by 18 U.S.C. 2703(f)"
    snap = terms("preservation", "snap")  # non-US requesters: 365 + one 180-day extension
    assert (snap.preservation_days, snap.extension_days, snap.max_extensions) == (365, 180, 1)
    assert snap.basis == "provider profile snap"


def test_terms_without_profile_use_the_legal_basis() -> None:
    us = terms("preservation", "google")
    assert (us.preservation_days, us.extension_days, us.basis) == (90, 90, "18 U.S.C. 2703(f)")
    budapest = terms(
        "preservation", "google", legal_basis=[{"instrument": "budapest_art29", "article": "29"}]
    )
    assert budapest.preservation_days == 60
    assert budapest.extension_days is None
    none = terms("preservation", "google", legal_basis=[{"instrument": "national_law"}])
    assert none == Terms(basis="no published terms")
    # a profile without any published terms changes nothing
    assert terms("preservation", "apple").basis == "18 U.S.C. 2703(f)"
    assert terms("voluntary-disclosure") == Terms()


def test_acknowledgement_and_production_deadlines() -> None:
    t = run(
        tracked("eu_production_order", terms=Terms(response_hours=240, basis="art. 10")),
        "submitted",
    )
    submitted = T0 + timedelta(hours=1)
    kinds = [(d.kind, d.due) for d in deadlines_of(t)]
    assert kinds == [
        ("acknowledgement_due", submitted + timedelta(days=ACK_DAYS)),
        ("production_due", submitted + timedelta(hours=240)),
    ]
    acknowledged = run(t, "acknowledged")
    assert [d.kind for d in deadlines_of(acknowledged)] == ["production_due"]
    assert deadlines_of(run(acknowledged, "disclosed")) == []
    emergency = run(tracked("emergency_disclosure", terms=Terms(), emergency=True), "submitted")
    assert deadlines_of(emergency)[0].due == submitted + timedelta(hours=24)
    assert deadlines_of(tracked()) == []


def test_preservation_deadlines_and_reminder() -> None:
    t = run(tracked(), "submitted", "preserved")
    expiry = T0 + timedelta(hours=2, days=90)
    found = deadlines_of(t)
    assert [(d.kind, d.due) for d in found] == [
        ("act_before_expiry", expiry - timedelta(days=REMINDER_DAYS)),
        ("preservation_expires", expiry),
    ]
    assert found[0].note == "request an extension or send the follow-up request"
    assert [d.kind for d in deadlines_of(run(t, "extension_requested"))] == ["preservation_expires"]
    last = run(t, "extension_requested", "extended")
    assert deadlines_of(last)[0].note == "no extension left: send the follow-up request"
    notice = run(
        tracked(terms=Terms(preservation_days=90, extension_notice_days=7)),
        "submitted",
        "preserved",
    )
    assert deadlines_of(notice)[0].due == expiry - timedelta(days=7)
    assert next_due(notice) == expiry - timedelta(days=7)
    assert next_due(run(t, "expired")) is None


def test_due_within_orders_and_filters() -> None:
    a = run(tracked(), "submitted", "preserved")
    b = Tracked.from_dict({**run(tracked(), "submitted").to_dict(), "id": "b"})
    due = due_within([a, b], now=T0 + timedelta(days=80), within=timedelta(days=14))
    assert [d.kind for d in due] == [
        "acknowledgement_due",
        "act_before_expiry",
        "preservation_expires",
    ]
    assert due[0].to_dict(T0 + timedelta(days=80))["overdue"] is True
    assert "overdue" not in due[0].to_dict()
    assert due_within([a, b], now=T0, within=timedelta(hours=1)) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("14d", timedelta(days=14)), ("36h", timedelta(hours=36)), (" 2w ", timedelta(weeks=2))],
)
def test_parse_within(text: str, expected: timedelta) -> None:
    assert parse_within(text) == expected


@pytest.mark.parametrize("text", ["", "14", "d", "-1d", "1.5d", "14 days"])
def test_parse_within_refuses(text: str) -> None:
    with pytest.raises(InputError, match="14d, 36h or 2w"):
        parse_within(text)


def _deadline(**kw: Any) -> Deadline:
    base: dict[str, Any] = {
        "request_id": "3f1c2a6e-1b7d-4c9a-9e0f-5a2b7c8d9e01",
        "provider": "meta",
        "request_kind": "preservation",
        "kind": "preservation_expires",
        "due": datetime(2027, 2, 14, 9, 30, tzinfo=UTC),
        "basis": "provider profile meta, completed by 18 U.S.C. 2703(f)",
        "note": "preserved data may be deleted after",
    }
    base.update(kw)
    return Deadline(**base)


def test_ics_is_rfc5545_and_reads_back() -> None:
    tricky = "Ünïcødé; comma, back\\slash\nnew line " + "é" * 60
    deadlines = [_deadline(), _deadline(kind="act_before_expiry", note=tricky)]
    data = to_ics(deadlines, now=NOW)
    assert data == to_ics(deadlines, now=NOW)  # deterministic
    lines = data.split(b"\r\n")
    assert lines[-1] == b""
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)  # folded
    for line in lines:
        line.decode("utf-8")  # never folded inside a character
    cal = icalendar.Calendar.from_ical(data)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 2
    assert (
        str(events[0]["UID"])
        == "3f1c2a6e-1b7d-4c9a-9e0f-5a2b7c8d9e01-preservation_expires@eevidence"
    )
    assert events[0].decoded("DTSTART") == datetime(2027, 2, 14, 9, 30, tzinfo=UTC)
    assert events[0].decoded("DTSTAMP") == NOW
    assert str(events[1]["DESCRIPTION"]).startswith(tricky + ".")
    assert str(events[0]["SUMMARY"]) == "Preservation expires: preservation to meta"
    assert len(list(cal.walk("VALARM"))) == 2


def test_ics_of_nothing_is_an_empty_calendar() -> None:
    cal = icalendar.Calendar.from_ical(to_ics([], now=NOW))
    assert list(cal.walk("VEVENT")) == []
    assert str(cal["VERSION"]) == "2.0"


def test_deadline_terms_are_fixed_when_tracked() -> None:
    request = parse_request(example_doc("preservation"))
    t = tracked_from_request(request, REGISTRY.get("meta"))
    assert t.terms == terms("preservation")
    assert t.country == "FR"
    t = apply_event(t, Event("submitted", request.created_at, "o"), now=NOW)
    assert t.state == "submitted"
    assert US.max_extensions == 1


def test_deadlines_past_the_year_9999_are_held_at_its_end() -> None:
    late = datetime(9999, 12, 31, tzinfo=UTC)
    t = tracked("eu_production_order", terms=Terms(response_hours=240, basis="art. 10"))
    t = apply_event(t, Event("submitted", late, "o"), now=late)
    last = datetime.max.replace(tzinfo=UTC)
    assert [(d.kind, d.due) for d in deadlines_of(t)] == [
        ("acknowledgement_due", last),
        ("production_due", last),
    ]
    assert [d.kind for d in due_within([t], now=late, within=timedelta(weeks=99999))] == [
        "acknowledgement_due",
        "production_due",
    ]
    early = datetime(1, 1, 2, tzinfo=UTC)
    p = replace(tracked(), created_at=early - timedelta(hours=3))
    p = apply_event(p, Event("submitted", early - timedelta(hours=2), "o"), now=NOW)
    p = apply_event(p, Event("preserved", early - timedelta(hours=1), "o", expires=early), now=NOW)
    assert [(d.kind, d.due) for d in deadlines_of(p)] == [
        ("act_before_expiry", datetime.min.replace(tzinfo=UTC)),
        ("preservation_expires", early),
    ]


# -- command line: times out of range are usage errors, never tracebacks -------------------

ID = "3f1c2a6e-1b7d-4c9a-9e0f-5a2b7c8d9e01"  # the id of the preservation example


def _error_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The lines of standard error other than argparse's usage line."""
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return [line for line in err.splitlines() if not line.startswith("usage:")]


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["deadlines", "--now", "0001-01-01T00:00:00+14:00"], "--now"),
        (["deadlines", "--now", "9999-12-31T23:59:59-23:59"], "--now"),
        (["report", "--since", "0001-01-01T00:00:00+14:00"], "--since"),
        (["track", "event", ID, "submitted", "--at", "9999-12-31T23:59:59-23:59"], "--at"),
        (["track", "event", ID, "submitted", "--at", "0001-01-01T01:00:00+01:01"], "--at"),
    ],
)
def test_a_time_out_of_range_is_a_usage_error(
    argv: list[str], option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = str(tmp_path / "s.sqlite3")
    assert main(["--store", store, "track", "add", str(EXAMPLES / "preservation.json")]) == 0
    capsys.readouterr()
    assert main(["--store", store, *argv]) == 2
    [line] = _error_lines(capsys)
    assert line.startswith(f"eevidence: error: {option} '{argv[-1]}': out of range")
