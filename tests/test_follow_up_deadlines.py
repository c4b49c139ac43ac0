"""The dispatch deadline of a drafted follow-up: the ``follow_up_drafted`` event, the
``follow_up_dispatch`` and ``follow_up_reminder`` deadlines, what moves and closes them, and
how stores keep them (both databases)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from eevidence.errors import LifecycleError
from eevidence.tracking import (
    FOLLOW_UP_REMINDER_DAYS,
    RECORD_EVENTS,
    Event,
    PostgresStore,
    SqliteStore,
    Terms,
    Tracked,
    apply_event,
    deadlines_of,
    due_within,
    to_ics,
)
from tests.test_lifecycle import NOW, T0, US, run, tracked

EXPIRES = T0 + timedelta(hours=2, days=90)  # preserved at T0 + 2h, 90 days
DUE = EXPIRES - timedelta(days=60)


def preserved(**kw: object) -> Tracked:
    return run(tracked(**kw), "submitted", "preserved")  # type: ignore[arg-type]


def drafted(t: Tracked, due: datetime = DUE, hours: int = 3) -> Tracked:
    event = Event("follow_up_drafted", T0 + timedelta(hours=hours), "officer", due=due, note="n")
    return apply_event(t, event, now=NOW)


def kinds(t: Tracked, **kw: object) -> dict[str, datetime]:
    return {d.kind: d.due for d in deadlines_of(t, **kw)}  # type: ignore[arg-type]


def test_a_drafted_follow_up_adds_its_dispatch_deadline_and_a_reminder() -> None:
    t = drafted(preserved())
    assert "follow_up_drafted" in RECORD_EVENTS
    assert t.state == "preserved"  # a record event keeps the state
    assert t.expires == EXPIRES
    assert t.follow_up_due == DUE
    due = kinds(t)
    assert due["follow_up_dispatch"] == DUE
    assert due["follow_up_reminder"] == DUE - timedelta(days=FOLLOW_UP_REMINDER_DAYS)
    assert due["preservation_expires"] == EXPIRES
    found = next(d for d in deadlines_of(t) if d.kind == "follow_up_dispatch")
    assert found.basis == "n"  # the note of the draft: where the transmission time comes from
    # the calendar names it
    ics = to_ics(deadlines_of(t), now=NOW).decode()
    assert "Dispatch the follow-up request" in ics
    assert "UID:11111111-2222-4333-8444-555555555555-follow_up_dispatch@eevidence" in ics


def test_drafting_again_replaces_the_deadline() -> None:
    later = DUE + timedelta(days=10)
    t = drafted(drafted(preserved()), due=later, hours=4)
    assert kinds(t)["follow_up_dispatch"] == later
    moved = next(d for d in deadlines_of(t) if d.kind == "follow_up_dispatch")
    assert moved.sequence == 1  # the calendar event is updated, not duplicated


def test_an_extension_moves_the_dispatch_deadline_with_the_expiry() -> None:
    t = drafted(preserved())
    t = run(t, "extension_requested", "extended")
    assert t.expires == EXPIRES + timedelta(days=90)
    assert t.follow_up_due == DUE + timedelta(days=90)
    assert kinds(t)["follow_up_dispatch"] == DUE + timedelta(days=90)


def test_a_submitted_follower_closes_the_follow_up_deadlines() -> None:
    t = drafted(preserved())
    follower = Tracked(
        id="99999999-2222-4333-8444-555555555555",
        kind="mla_request",
        provider="meta",
        country="FR",
        created_at=T0,
        follows=t.id,
    )
    assert "follow_up_dispatch" in kinds(t, followers=[follower])  # tracked, not sent
    sent = run(follower, "submitted")
    assert "follow_up_dispatch" not in kinds(t, followers=[sent])
    assert "follow_up_reminder" not in kinds(t, followers=[sent])
    assert "preservation_expires" in kinds(t, followers=[sent])
    # a request that follows another preservation closes nothing
    unrelated = replace(sent, follows="00000000-0000-4000-8000-000000000000")
    assert "follow_up_dispatch" in kinds(t, followers=[unrelated])
    # a withdrawn follow-up leaves the preservation needing one
    assert "follow_up_dispatch" in kinds(t, followers=[run(sent, "withdrawn")])
    # due_within sees the followers among the requests it is given
    listed = {
        (d.request_id, d.kind) for d in due_within([t, sent], now=T0, within=timedelta(days=400))
    }
    assert (t.id, "follow_up_dispatch") not in listed
    listed = {(d.request_id, d.kind) for d in due_within([t], now=T0, within=timedelta(days=400))}
    assert (t.id, "follow_up_dispatch") in listed


def test_the_deadlines_close_when_the_preservation_ends() -> None:
    t = drafted(preserved())
    assert "follow_up_dispatch" not in kinds(run(t, "withdrawn"))
    assert "follow_up_dispatch" not in kinds(run(t, "expired"))
    assert run(t, "expired").follow_up_due is None


@pytest.mark.parametrize(
    ("setup", "due", "message"),
    [
        ("voluntary", DUE, "only applies to a preservation"),
        ("submitted", DUE, "needs a preservation in force"),
        ("preserved", None, "needs its dispatch deadline"),
        ("preserved", EXPIRES + timedelta(seconds=1), "after the preservation's expiry"),
        ("naive", datetime(2026, 12, 1), "no time zone"),
    ],
)
def test_refusals(setup: str, due: datetime | None, message: str) -> None:
    if setup == "voluntary":
        t = run(tracked("voluntary_disclosure"), "submitted")
    elif setup == "submitted":
        t = run(tracked(), "submitted")
    else:
        t = preserved()
    event = Event("follow_up_drafted", T0 + timedelta(hours=3), "officer", due=due)
    with pytest.raises(LifecycleError, match=message):
        apply_event(t, event, now=NOW)


def test_only_a_drafted_follow_up_has_a_due_and_it_is_not_drafted_after_the_lapse() -> None:
    with pytest.raises(LifecycleError, match="only a drafted follow-up"):
        apply_event(
            run(tracked(), "submitted"),
            Event("preserved", T0 + timedelta(hours=3), "o", due=DUE),
            now=NOW,
        )
    late = Event("follow_up_drafted", EXPIRES + timedelta(hours=1), "o", due=DUE)
    with pytest.raises(LifecycleError, match="comes too late"):
        apply_event(preserved(), late, now=NOW)


def test_a_late_draft_is_recorded_with_its_past_deadline() -> None:
    # drafted after the latest dispatch date: recorded, and the deadline shows overdue
    t = drafted(preserved(), due=T0 + timedelta(hours=2, days=1), hours=24 * 40)
    (d,) = [d for d in deadlines_of(t) if d.kind == "follow_up_dispatch"]
    assert d.to_dict(now=T0 + timedelta(days=41))["overdue"] is True


def test_the_event_round_trips_through_json() -> None:
    t = drafted(preserved())
    event = t.events[-1]
    data = event.to_dict()
    assert data["due"] == DUE.isoformat().replace("+00:00", "Z")
    assert Event.from_dict(data) == event
    assert "due" not in t.events[0].to_dict()  # events without one keep their shape


def test_a_state_request_is_not_chased_once_received() -> None:
    t = run(tracked("mla_request", terms=Terms()), "submitted")
    (ack,) = [d for d in deadlines_of(t) if d.kind == "acknowledgement_due"]
    assert "requested authority" in ack.note
    assert "acknowledgement_due" not in kinds(run(t, "received"))
    # a provider's receipt is no answer: the provider is still chased
    p = run(tracked(terms=US), "submitted", "received")
    assert "acknowledgement_due" in kinds(p)


def test_stores_keep_the_event_list_followers_and_filter_kinds(
    store: SqliteStore | PostgresStore,
) -> None:
    t = preserved()
    base = Tracked(id=t.id, kind=t.kind, provider=t.provider, country="FR", created_at=T0, terms=US)
    store.add(base)
    for event in drafted(t).events:
        store.record(t.id, event, now=NOW)
    got = store.get(t.id)
    assert got.follow_up_due == DUE
    assert got.events[-1].due == DUE
    follower = Tracked(
        id="99999999-2222-4333-8444-555555555555",
        kind="mla_request",
        provider="meta",
        country="FR",
        created_at=T0 + timedelta(minutes=1),
        follows=t.id,
    )
    store.add(follower)
    assert [f.id for f in store.followers(t.id)] == [follower.id]
    assert store.followers(follower.id) == []
    assert [r.id for r in store.list_requests(kinds={"mla_request"})] == [follower.id]
    assert store.list_requests(kinds=set()) == []
    assert len(store.list_requests(kinds={"mla_request", "preservation"})) == 2
    horizon = datetime(2100, 1, 1, tzinfo=UTC)
    assert any(d.kind == "follow_up_dispatch" for d in store.deadlines_before(horizon))
    # once the follower is sent, the index leaves the follow-up's deadlines out
    store.record(follower.id, Event("submitted", T0 + timedelta(hours=5), "o"), now=NOW)
    left = {d.kind for d in store.deadlines_before(horizon) if d.request_id == t.id}
    assert "follow_up_dispatch" not in left
    assert "follow_up_reminder" not in left
    assert "preservation_expires" in left


def test_an_extension_request_is_no_follow_up() -> None:
    t = drafted(preserved())
    extension = Tracked(
        id="88888888-2222-4333-8444-555555555555",
        kind="preservation_extension",
        provider="meta",
        country="FR",
        created_at=T0,
        terms=US,
        follows=t.id,
    )
    sent = run(extension, "submitted")
    assert "follow_up_dispatch" in kinds(t, followers=[sent])


def test_calendar_text_never_carries_raw_control_characters() -> None:
    hostile = "line one\nESC \x1b[31m BEL \x07 RLO \u202e end"
    event = Event("follow_up_drafted", T0 + timedelta(hours=3), "officer", due=DUE, note=hostile)
    t = apply_event(preserved(), event, now=NOW)
    ics = to_ics(deadlines_of(t), now=NOW).decode("utf-8")
    assert "\x1b" not in ics
    assert "\x07" not in ics
    assert "\u202e" not in ics
    unfolded = ics.replace("\r\n ", "")
    # the newline is a TEXT escape (RFC 5545 3.3.11); the rest visible escapes, backslash-escaped
    assert "Basis: line one\\nESC \\\\x1b[31m BEL \\\\x07 RLO \\\\u202e end." in unfolded


@pytest.mark.parametrize(
    ("events", "stage"),
    [
        ((), "draft"),
        (("submitted",), "sent"),
        (("submitted", "received"), "received"),
        (("submitted", "received", "transmitted"), "transmitted"),
        (("submitted", "transmitted", "disclosed"), "executed"),
        (("submitted", "rejected"), "refused"),
        (("withdrawn",), "withdrawn"),
    ],
)
def test_a_request_to_a_state_reads_in_the_stages_of_mutual_assistance(
    events: tuple[str, ...], stage: str
) -> None:
    t = tracked("mla_request", terms=Terms())
    for name in events:
        t = run(t, name, **({"reason": "no dual criminality"} if name == "rejected" else {}))
    assert t.stage == stage
    assert t.to_dict()["stage"] == stage


def test_partial_execution_and_provider_requests_keep_their_state() -> None:
    t = run(tracked("mla_request", terms=Terms()), "submitted")
    t = run(t, "disclosed", partial=True)
    assert (t.state, t.stage) == ("disclosed", "partially_executed")
    p = run(tracked(), "submitted", "received")
    assert p.stage == p.state == "submitted"
