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


EU_LAW = law_facts().eu_regulation_2023_1543


def eu_basis(ref: str) -> str:
    return f"Regulation (EU) 2023/1543 {ref}"


def test_terms_eu_orders_follow_the_regulation() -> None:
    t = terms("eu-preservation-order")
    assert (t.preservation_days, t.extension_days, t.max_extensions) == (
        EU_LAW.preservation.delta.days,
        EU_LAW.preservation_extension.delta.days,
        1,
    )
    assert t.preservation_clock == "order"
    assert t.basis == eu_basis(EU_LAW.preservation.ref) == "Regulation (EU) 2023/1543 art. 11(1)"
    production = terms("eu-production-order")  # names an enforcing authority, no exception
    assert production.response_hours == EU_LAW.production.hours
    assert production.basis == eu_basis(EU_LAW.production.ref)
    assert production.enforcing_review_hours == EU_LAW.enforcing_review.hours
    assert production.enforcing_review_basis == eu_basis(EU_LAW.enforcing_review.ref)
    assert production.enforcing_notified_at == datetime(2026, 11, 22, 10, 5, tzinfo=UTC)
    assert production.validation_hours is None
    doc = example_doc("eu-production-order")
    doc.pop("enforcing_authority")
    alone = terms_for(parse_request(doc), None, law_facts())
    assert (alone.enforcing_review_hours, alone.enforcing_review_basis) == (None, "")


def test_terms_emergency_production_order_follows_art_10_4_and_12_1() -> None:
    doc = example_doc("eu-production-order")
    doc["emergency"] = {
        "threat_nature": "imminent threat to life",
        "why_without_delay": "a hostage is held",
    }
    request = parse_request(doc)
    t = terms_for(request, None, law_facts())
    assert t.response_hours == EU_LAW.emergency_production.hours
    assert t.basis == eu_basis(EU_LAW.emergency_production.ref)
    assert t.enforcing_review_hours == EU_LAW.enforcing_review_emergency.hours
    assert tracked_from_request(request, None).emergency


def test_no_enforcing_review_when_notification_is_not_required() -> None:
    doc = example_doc("eu-production-order")
    doc["notification_exception"] = "offence committed in France by a person residing in France"
    t = terms_for(parse_request(doc), None, law_facts())
    assert t.enforcing_review_hours is None
    assert t.response_hours == EU_LAW.production.hours


def test_ex_post_validation_of_an_order_issued_without_prior_validation() -> None:
    doc = example_doc("eu-preservation-order")
    doc["issuing_authority"]["type"] = "other_competent_authority"
    doc.pop("validating_authority", None)
    doc["without_prior_validation"] = "the judge on duty could not be reached in time"
    request = parse_request(doc)
    t = terms_for(request, None, law_facts())
    assert t.validation_hours == EU_LAW.ex_post_validation.hours
    assert t.validation_basis == eu_basis(EU_LAW.ex_post_validation.ref)
    tracked_ = tracked_from_request(request, None)
    due = [d for d in deadlines_of(tracked_) if d.kind == "validation_due"]
    assert [(d.due, d.basis) for d in due] == [
        (request.created_at + EU_LAW.ex_post_validation.delta, t.validation_basis)
    ]
    validated = apply_event(
        tracked_, Event("validated", request.created_at + timedelta(hours=20), "o"), now=NOW
    )
    assert "validation_due" not in {d.kind for d in deadlines_of(validated)}


def test_eu_orders_dated_before_the_regulation_applies_have_no_legal_clock() -> None:
    before = EU_LAW.applies_from - timedelta(days=1)
    for example in ("eu-preservation-order", "eu-production-order"):
        doc = example_doc(example)
        doc["created_at"] = f"{before.isoformat()}T10:00:00+02:00"
        t = terms_for(parse_request(doc), None, law_facts())
        assert (t.preservation_days, t.response_hours, t.enforcing_review_hours) == (None,) * 3
        assert t.basis == (
            f"{eu_basis(EU_LAW.applies_from_ref)}: applies from "
            f"{EU_LAW.applies_from.isoformat()}, after this order's date ({before.isoformat()})"
        )
    doc = example_doc("eu-preservation-order")
    doc["created_at"] = f"{EU_LAW.applies_from.isoformat()}T00:00:00+02:00"
    assert terms_for(parse_request(doc), None, law_facts()).preservation_days is not None


def test_terms_2703f_only_for_a_us_requester() -> None:
    us = law_facts().us_18_usc_2703f
    us_basis = [{"instrument": "us_18_usc_2703f", "article": "2703(f)"}]
    american = parse_request(
        {**example_doc("preservation"), "legal_basis": us_basis}
        | {"authority": {**example_doc("preservation")["authority"], "country": "US"}}
    )
    meta = terms_for(american, REGISTRY.get("meta"), law_facts())
    assert (meta.preservation_days, meta.extension_days, meta.max_extensions) == (
        90,
        us.extension.delta.days,
        us.max_extensions,
    )
    assert meta.basis == f"provider profile meta, completed by {us.initial.ref}"
    apple = terms_for(american, REGISTRY.get("apple"), law_facts())  # publishes nothing
    assert (apple.preservation_days, apple.basis) == (us.initial.delta.days, us.initial.ref)
    # the same request from a French authority: 2703(f) does not bind the provider for it
    french = parse_request({**example_doc("preservation"), "legal_basis": us_basis})
    assert terms_for(french, REGISTRY.get("apple"), law_facts()) == Terms(
        basis="no published terms"
    )


def test_a_foreign_preservation_takes_the_provider_terms_only() -> None:
    french_to_meta = terms("preservation")  # Budapest art. 29, FR to meta: 90 days published
    assert french_to_meta == Terms(preservation_days=90, basis="provider profile meta")
    brazil = example_doc("preservation")
    brazil["authority"]["country"] = "BR"
    brazil["provider"] = "x"
    x = terms_for(parse_request(brazil), REGISTRY.get("x"), law_facts())
    assert x == Terms(preservation_days=90, extension_notice_days=7, basis="provider profile x")
    snap = terms("preservation", "snap")  # non-US requesters: 365 + one 180-day extension
    assert (snap.preservation_days, snap.extension_days, snap.max_extensions) == (365, 180, 1)
    assert snap.basis == "provider profile snap"


def test_budapest_minimum_is_not_a_provider_period() -> None:
    """Art. 29(7) binds the requested Party ("not less than sixty days"): with no published
    terms the provider's period stays unknown, and the expiry must be given."""
    budapest = terms(
        "preservation", "google", legal_basis=[{"instrument": "budapest_art29", "article": "29"}]
    )
    assert budapest == Terms(basis="no published terms")
    none = terms("preservation", "google", legal_basis=[{"instrument": "national_law"}])
    assert none == Terms(basis="no published terms")
    assert terms("preservation", "apple") == Terms(basis="no published terms")
    assert terms("voluntary-disclosure") == Terms()


def test_acknowledgement_and_production_deadlines() -> None:
    t = run(
        tracked("eu_production_order", terms=Terms(response_hours=240, basis="art. 10(2)")),
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
    # no case reference known: the title names the request by its first 8 characters
    assert (
        str(events[0]["SUMMARY"]) == "Preservation expires: request 3f1c2a6e, preservation to meta"
    )
    assert [e.decoded("SEQUENCE") for e in events] == [0, 0]
    assert len(list(cal.walk("VALARM"))) == 2


def test_ics_titles_name_the_case_reference_and_the_provider() -> None:
    data = to_ics([_deadline(case_reference="2026/PJ/0042; cyber")], now=NOW)
    (event,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert str(event["SUMMARY"]) == (
        "Preservation expires: case 2026/PJ/0042; cyber, preservation to meta"
    )
    description = str(event["DESCRIPTION"])
    assert "Request 3f1c2a6e-1b7d-4c9a-9e0f-5a2b7c8d9e01, case 2026/PJ/0042; cyber." in description


def _calendar(t: Tracked) -> dict[str, tuple[str, int, datetime]]:
    """UID -> (summary, SEQUENCE, DTSTART) of the calendar of ``t``'s deadlines, read back
    by the icalendar package."""
    cal = icalendar.Calendar.from_ical(to_ics(deadlines_of(t), now=NOW))
    return {
        str(e["UID"]): (str(e["SUMMARY"]), e.decoded("SEQUENCE"), e.decoded("DTSTART"))
        for e in cal.walk("VEVENT")
    }


def test_a_deadline_that_moves_keeps_its_uid_and_increments_its_sequence() -> None:
    """RFC 5545 section 3.8.7.4 / RFC 5546: a client updates an event it holds only when the
    revision is higher; the preservation's expiry moves with the extension."""
    t = run(tracked(case_reference="PJ-7"), "submitted")
    t = apply_event(t, Event("preserved", T0 + timedelta(days=1), "o"), now=NOW)
    before = _calendar(t)
    uid = "11111111-2222-4333-8444-555555555555-preservation_expires@eevidence"
    summary, sequence, start = before[uid]
    assert (sequence, start) == (0, T0 + timedelta(days=91))
    assert summary == "Preservation expires: case PJ-7, preservation to meta"
    t = apply_event(t, Event("noted", T0 + timedelta(days=2), "o", note="called"), now=NOW)
    assert _calendar(t) == before  # a note moves nothing
    t = run(t, "extension_requested")
    t = apply_event(t, Event("extended", T0 + timedelta(days=80), "o"), now=NOW)
    after = _calendar(t)
    assert set(after) == set(before)  # same UIDs: the events are updated, not duplicated
    assert after[uid][1:] == (1, T0 + timedelta(days=181))
    act = uid.replace("preservation_expires", "act_before_expiry")
    assert after[act][1] == before[act][1] + 1
    # the same history always gives the same revision (asked again, or after a reload)
    assert _calendar(Tracked.from_dict(t.to_dict())) == after


def test_production_due_moves_when_the_receipt_is_recorded() -> None:
    """An EU production order counts from receipt (art. 10): recording a receipt later
    than the submission moves the deadline, and its revision goes up."""
    terms = Terms(response_hours=240, basis="Regulation (EU) 2023/1543 art. 10(2)")
    t = run(tracked("eu_production_order", terms), "submitted")
    (due,) = [d for d in deadlines_of(t) if d.kind == "production_due"]
    assert due.sequence == 0
    submitted = t.submitted_at
    assert submitted is not None
    t = apply_event(t, Event("received", submitted + timedelta(hours=5), "o"), now=NOW)
    (moved,) = [d for d in deadlines_of(t) if d.kind == "production_due"]
    assert (moved.sequence, moved.due - due.due) == (1, timedelta(hours=5))
    assert due.to_dict()["sequence"] == 0
    assert moved.to_dict()["sequence"] == 1


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
    """The lines of standard error other than the usage line and the pointer to --help."""
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return [line for line in err.splitlines() if not line.lstrip().startswith(("usage:", "see '"))]


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


# -- deadlines on the Regulation's clocks ------------------------------------------------------


def _eu_tracked(example: str, **changes: Any) -> tuple[Tracked, datetime]:
    doc = example_doc(example)
    doc.update(changes)
    request = parse_request(doc)
    t = tracked_from_request(request, None)
    sent = request.created_at + timedelta(hours=1)
    return apply_event(t, Event("submitted", sent, "o"), now=NOW), sent


def test_production_runs_from_receipt_and_review_from_notification() -> None:
    t, sent = _eu_tracked("eu-production-order")
    due = {d.kind: d for d in deadlines_of(t)}
    assert due["production_due"].due == sent + EU_LAW.production.delta  # receipt unknown
    assert "receipt not recorded" in due["production_due"].note
    assert due["production_due"].basis == eu_basis(EU_LAW.production.ref)
    review = due["enforcing_review_ends"]
    notified = t.terms.enforcing_notified_at
    assert notified is not None
    assert review.due == notified + EU_LAW.enforcing_review.delta
    assert review.basis == "Regulation (EU) 2023/1543 art. 12(1)"
    received = sent + timedelta(hours=3)
    t = apply_event(t, Event("received", received, "o"), now=NOW)
    due = {d.kind: d for d in deadlines_of(t)}
    assert due["production_due"].due == received + EU_LAW.production.delta
    assert due["enforcing_review_ends"].due == review.due  # not the addressee's receipt
    assert deadlines_of(apply_event(t, Event("disclosed", received, "o"), now=NOW)) == []


def test_emergency_production_is_due_hours_after_receipt() -> None:
    emergency = {"threat_nature": "imminent threat to life", "why_without_delay": "a hostage"}
    doc = example_doc("eu-production-order")
    doc["enforcing_authority"].pop("notified_at")
    t, sent = _eu_tracked(
        "eu-production-order",
        emergency=emergency,
        **{"enforcing_authority": doc["enforcing_authority"]},
    )
    received = sent + timedelta(minutes=30)
    t = apply_event(t, Event("received", received, "o"), now=NOW)
    due = {d.kind: d for d in deadlines_of(t)}
    assert due["production_due"].due == received + EU_LAW.emergency_production.delta
    assert due["production_due"].basis == eu_basis(EU_LAW.emergency_production.ref)
    assert due["enforcing_review_ends"].due == sent + EU_LAW.enforcing_review_emergency.delta


def test_eu_preservation_deadlines_follow_annex_v_and_vi() -> None:
    t, sent = _eu_tracked("eu-preservation-order")
    expiry = sent + EU_LAW.preservation.delta
    found = [(d.kind, d.due, d.basis) for d in deadlines_of(t)]
    basis = eu_basis(EU_LAW.preservation.ref)
    assert ("preservation_expires", expiry, basis) in found  # from receipt, before any answer
    assert ("act_before_expiry", expiry - timedelta(days=REMINDER_DAYS), basis) in found
    received = sent + timedelta(days=1)
    t = apply_event(t, Event("received", received, "o"), now=NOW)
    t = apply_event(t, Event("preserved", received + timedelta(hours=1), "o"), now=NOW)
    expiry = received + EU_LAW.preservation.delta
    assert [(d.kind, d.due) for d in deadlines_of(t)] == [
        ("act_before_expiry", expiry - timedelta(days=REMINDER_DAYS)),
        ("preservation_expires", expiry),
    ]
    extended = apply_event(
        t, Event("preservation_extended", received + timedelta(days=40), "o"), now=NOW
    )
    act, expires = deadlines_of(extended)
    assert expires.due == expiry + EU_LAW.preservation_extension.delta
    assert act.note == "no extension left: confirm the subsequent request for production (Annex V)"
    confirmed = apply_event(
        extended,
        Event("production_request_confirmed", received + timedelta(days=80), "o"),
        now=NOW,
    )
    assert deadlines_of(confirmed) == []
    assert next_due(confirmed) is None


def test_a_calendar_of_deadlines_at_the_end_of_time_is_written() -> None:
    last = datetime.max.replace(tzinfo=UTC)
    cal = icalendar.Calendar.from_ical(to_ics([_deadline(due=last)], now=NOW))
    [event] = list(cal.walk("VEVENT"))
    assert event.decoded("DTSTART") == last.replace(microsecond=0)
    assert event.decoded("DTEND") == last.replace(microsecond=0)
