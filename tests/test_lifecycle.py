"""The request lifecycle state machine: every transition of the table, and every refusal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from eevidence.errors import InputError, LifecycleError
from eevidence.tracking import (
    EVENTS,
    PRESERVATION_KINDS,
    RECORD_EVENTS,
    STATES,
    TRANSITIONS,
    Event,
    Terms,
    Tracked,
    allowed_events,
    apply_event,
)

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=400)
US = Terms(preservation_days=90, extension_days=90, max_extensions=1, basis="18 U.S.C. 2703(f)")


def tracked(kind: str = "preservation", terms: Terms = US, **kw: Any) -> Tracked:
    return Tracked(
        id="11111111-2222-4333-8444-555555555555",
        kind=kind,  # type: ignore[arg-type]
        provider="meta",
        country="FR",
        created_at=T0,
        terms=terms,
        **kw,
    )


def run(t: Tracked, *names: str, **details: Any) -> Tracked:
    at = t.events[-1].at if t.events else T0
    for name in names:
        at += timedelta(hours=1)
        t = apply_event(t, Event(name, at, "officer", **details), now=NOW)  # type: ignore[arg-type]
    return t


def test_preservation_path_with_computed_expiries() -> None:
    t = run(tracked(), "checked", "signed", "submitted", "acknowledged")
    t = apply_event(t, Event("preserved", T0 + timedelta(days=1), "o", ref="LE-1"), now=NOW)
    assert t.state == "preserved"
    assert t.provider_ref == "LE-1"
    assert t.expires == T0 + timedelta(days=91)
    assert t.responded_at == T0 + timedelta(hours=4)
    t = run(t, "extension_requested", "extended")
    assert t.state == "extended"
    assert t.extensions == 1
    assert t.expires == T0 + timedelta(days=181)
    assert not t.terminal
    t = run(t, "expired")
    assert t.terminal
    assert t.expires == T0 + timedelta(days=181)
    assert t.version == 8


def test_disclosure_partial_then_full_is_final() -> None:
    t = run(tracked("voluntary_disclosure"), "submitted")
    t = run(t, "disclosed", partial=True)
    assert t.state == "disclosed"
    assert not t.terminal
    t = run(t, "disclosed")
    assert t.terminal
    assert t.disclosed_at == T0 + timedelta(hours=2)
    with pytest.raises(LifecycleError, match="disclosed, which is final"):
        run(t, "withdrawn")


def test_every_table_transition_is_reachable_and_others_refused() -> None:
    # Build one record in each state, then try every event on it.
    paths = {
        "draft": (),
        "checked": ("checked",),
        "signed": ("signed",),
        "submitted": ("submitted",),
        "acknowledged": ("submitted", "acknowledged"),
        "preserved": ("submitted", "preserved"),
        "extension_requested": ("submitted", "preserved", "extension_requested"),
        "extended": ("submitted", "preserved", "extension_requested", "extended"),
        "rejected": ("submitted", "rejected"),
        "withdrawn": ("withdrawn",),
        "expired": ("submitted", "preserved", "expired"),
    }
    unlimited = Terms(preservation_days=90, extension_days=90)
    for state, path in paths.items():
        base = tracked(terms=unlimited)
        start = run(base, *path[:-1]) if path else base
        if path:
            start = run(start, path[-1], **({"reason": "x"} if state == "rejected" else {}))
        assert start.state == state
        for name in EVENTS:
            if name in RECORD_EVENTS:  # they keep the state: tested below
                continue
            details: dict[str, Any] = {"reason": "refused"} if name == "rejected" else {}
            legal = name == "noted" or name in TRANSITIONS[state]
            if legal and name != "disclosed":
                assert run(start, name, **details).state == (state if name == "noted" else name)
            else:
                with pytest.raises(LifecycleError):
                    run(start, name, **details)
    assert set(paths) | {"disclosed"} == set(STATES)
    assert not RECORD_EVENTS & set(STATES)


def test_refusal_names_the_allowed_events() -> None:
    t = run(tracked(), "submitted")
    with pytest.raises(LifecycleError) as info:
        run(t, "extended")
    message = str(info.value)
    assert "a request that is submitted cannot become extended" in message
    assert "allowed now: received, acknowledged, preserved, rejected, withdrawn, noted" in message
    assert isinstance(info.value, InputError)
    assert info.value.source == t.id


def test_kind_rules() -> None:
    disclosure = run(tracked("emergency_disclosure", terms=Terms()), "submitted")
    with pytest.raises(LifecycleError, match="only applies to preservation"):
        run(disclosure, "preserved")
    preservation = run(tracked(), "submitted")
    with pytest.raises(LifecycleError, match="track the follow-up request"):
        run(preservation, "disclosed")
    with pytest.raises(LifecycleError, match="track the follow-up request"):
        run(preservation, "preserved", "disclosed")
    with pytest.raises(LifecycleError, match="only applies to preservation"):
        run(disclosure, "acknowledged", "extended")
    assert "disclosed" in allowed_events(disclosure)
    assert "disclosed" not in allowed_events(preservation)
    assert {
        "preservation",
        "preservation_extension",
        "eu_preservation_order",
        "preservation_24_7",
    } == PRESERVATION_KINDS


def test_extension_limit_from_terms() -> None:
    t = run(tracked(), "submitted", "preserved", "extension_requested", "extended")
    with pytest.raises(LifecycleError, match=r"no further extension: the terms \(18 U.S.C"):
        run(t, "extension_requested")


def test_details_are_checked() -> None:
    t = run(tracked("voluntary_disclosure", terms=Terms()), "submitted")
    with pytest.raises(LifecycleError, match="needs a reason"):
        run(t, "rejected")
    with pytest.raises(LifecycleError, match="needs a reason"):
        run(t, "rejected", reason="   ")
    with pytest.raises(LifecycleError, match="only a rejection has a reason"):
        run(t, "acknowledged", reason="x")
    with pytest.raises(LifecycleError, match="only a disclosure can be partial"):
        run(t, "acknowledged", partial=True)
    with pytest.raises(LifecycleError, match="only a preservation or an extension has an expiry"):
        run(t, "acknowledged", expires=NOW)
    with pytest.raises(LifecycleError, match="longer than"):
        run(t, "noted", note="x" * 2001)
    with pytest.raises(LifecycleError, match="needs an actor"):
        apply_event(t, Event("noted", NOW, "  "), now=NOW)
    with pytest.raises(LifecycleError, match="unknown event"):
        apply_event(t, Event("lost", NOW, "o"), now=NOW)  # type: ignore[arg-type]
    rejected = run(t, "rejected", reason="  no valid legal process ")
    assert rejected.reject_reason == "no valid legal process"
    assert rejected.terminal


def test_expiry_given_or_required() -> None:
    unknown = run(tracked(terms=Terms()), "submitted")
    with pytest.raises(LifecycleError, match="--expires DATE"):
        run(unknown, "preserved")
    given_expiry = T0 + timedelta(days=30)
    t = run(unknown, "preserved", expires=given_expiry)
    assert t.expires == given_expiry
    with pytest.raises(LifecycleError, match="extension period is not known"):
        run(t, "extension_requested", "extended")
    with pytest.raises(LifecycleError, match="is not after the event"):
        run(unknown, "preserved", expires=T0)
    with pytest.raises(LifecycleError, match="no time zone"):
        run(unknown, "preserved", expires=datetime(2027, 1, 1))


def test_times_are_aware_ordered_and_not_in_the_future() -> None:
    t = run(tracked(), "submitted")
    with pytest.raises(LifecycleError, match="no time zone"):
        apply_event(t, Event("acknowledged", datetime(2026, 11, 17), "o"), now=NOW)
    with pytest.raises(LifecycleError, match="in the future"):
        apply_event(t, Event("acknowledged", NOW + timedelta(hours=1), "o"), now=NOW)
    with pytest.raises(LifecycleError, match="before the previous change of state"):
        apply_event(t, Event("acknowledged", T0, "o"), now=NOW)
    late_note = apply_event(t, Event("noted", T0, "o"), now=NOW)
    assert late_note.events[-1].at == T0
    with pytest.raises(LifecycleError, match=r"now .* has no time zone"):
        apply_event(t, Event("noted", NOW, "o"), now=datetime(2027, 1, 1))
    other_zone = datetime.fromisoformat("2026-11-17T12:00:00+02:00")
    assert apply_event(t, Event("noted", other_zone, "o"), now=NOW).events[-1].at.tzinfo == UTC


def test_expiries_past_9999_are_lifecycle_errors() -> None:
    """An expiry the terms give after 9999-12-31 cannot be recorded: the error names the
    term and asks for the provider's date, and nothing is appended."""
    t = run(tracked(), "submitted")
    far = datetime(9999, 12, 31, tzinfo=UTC)
    preserved = run(t, "preserved", expires=far)
    asked = run(preserved, "extension_requested")
    with pytest.raises(LifecycleError, match=r"extension_days 90 days\) falls after 9999-12-31"):
        run(asked, "extended")
    assert run(asked, "extended", expires=far).expires == far  # the provider's date is kept
    late = datetime(9999, 12, 1, tzinfo=UTC)
    at_end = replace(tracked(), created_at=late)
    submitted = apply_event(at_end, Event("submitted", late, "o"), now=late)
    with pytest.raises(LifecycleError, match="preservation_days 90 days") as info:
        apply_event(submitted, Event("preserved", late, "o"), now=late)
    assert info.value.source == t.id
    assert "--expires DATE" in str(info.value)


def test_times_out_of_range_are_lifecycle_errors() -> None:
    t = run(tracked(), "submitted")
    first = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1)))  # year 0 in UTC
    with pytest.raises(LifecycleError, match="no UTC equivalent"):
        apply_event(t, Event("noted", NOW, "o"), now=first)
    with pytest.raises(LifecycleError, match="no UTC equivalent"):
        apply_event(t, Event("noted", first, "o"), now=NOW)
    last = datetime(9999, 12, 31, 23, 58, tzinfo=UTC)  # now + 5 minutes is past 9999
    assert apply_event(t, Event("noted", last, "o"), now=last).events[-1].at == last


def test_the_family_is_read_from_the_kinds_table() -> None:
    """The lifecycle reads the table when it checks an event: a kind it has no row for
    is refused by name."""
    t = tracked("no_such_kind")
    with pytest.raises(LifecycleError, match="unknown request kind 'no_such_kind'") as info:
        allowed_events(t)
    assert info.value.source == t.id
    with pytest.raises(LifecycleError, match="unknown request kind 'no_such_kind'"):
        run(t, "submitted")


def test_noted_is_allowed_everywhere_and_keeps_state() -> None:
    t = run(tracked(), "withdrawn")
    t = run(t, "noted", note="provider confirmed deletion")
    assert t.state == "withdrawn"
    assert t.events[-1].note == "provider confirmed deletion"


def test_round_trip_through_dicts() -> None:
    t = run(tracked(follows=None, emergency=True), "submitted", "preserved")
    t = run(t, "noted", ref="R-9", note="call")
    again = Tracked.from_dict(t.to_dict())
    assert again == t
    assert Tracked.from_dict(t.facts_dict(), t.events) == t
    assert t.to_dict()["expires"].endswith("Z")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(EVENTS), max_size=12), st.sampled_from(sorted(PRESERVATION_KINDS)))
def test_random_histories_follow_the_table(names: list[str], kind: str) -> None:
    """Whatever events are tried, each accepted one follows the table and the state replays."""
    t = tracked(kind)
    for name in names:
        before = t
        details: dict[str, Any] = {"reason": "r"} if name == "rejected" else {}
        try:
            t = run(t, name, **details)
        except LifecycleError:
            assert t is before
            # a record event may also be refused for its time (e.g. a receipt after an answer)
            assert name not in allowed_events(before) or name in RECORD_EVENTS
            continue
        if name == "noted" or name in RECORD_EVENTS:
            assert t.state == before.state
        else:
            assert name in TRANSITIONS[before.state]
        assert t.state in STATES
        assert t.version == before.version + 1


_FACTS: dict[str, object] = {"id": "x", "kind": "preservation", "provider": "meta", "country": "FR"}


@pytest.mark.parametrize(
    ("read", "path"),
    [
        (lambda: Tracked.from_dict({}), "$.id"),
        (lambda: Event.from_dict({}), "$.event"),
        (lambda: Event.from_dict({"event": "noted", "at": 5, "actor": "a"}), "$.at"),
        (lambda: Tracked.from_dict({**_FACTS, "created_at": "yesterday"}), "$.created_at"),
    ],
)
def test_records_missing_a_field_raise_input_errors(read: Callable[[], object], path: str) -> None:
    with pytest.raises(InputError) as exc:
        read()
    assert [p.path for p in exc.value.problems] == [path]


# -- the clocks of Regulation (EU) 2023/1543 art. 11 (the ``order`` clock) -----------------

EU = Terms(
    preservation_days=60,
    extension_days=30,
    max_extensions=1,
    basis="Regulation (EU) 2023/1543 art. 11(1)",
    preservation_clock="order",
)
SUBMITTED = T0 + timedelta(hours=1)


def eu_order(terms: Terms = EU) -> Tracked:
    return run(tracked("eu_preservation_order", terms=terms), "submitted")


def at(t: Tracked, name: str, when: datetime, **details: Any) -> Tracked:
    return apply_event(t, Event(name, when, "officer", **details), now=NOW)  # type: ignore[arg-type]


def test_an_eu_preservation_runs_from_receipt_not_from_preserved() -> None:
    t = eu_order()
    assert t.expires == SUBMITTED + timedelta(days=60)  # receipt unknown: from submission
    received = SUBMITTED + timedelta(hours=5)
    t = at(t, "received", received)
    assert t.state == "submitted"  # a record event keeps the state
    assert (t.received_at, t.clock_start) == (received, received)
    assert t.expires == received + timedelta(days=60)
    preserved = at(t, "preserved", received + timedelta(days=3))
    assert preserved.expires == received + timedelta(days=60)  # not moved by the answer
    assert preserved.events[-1].expires is None
    with pytest.raises(LifecycleError, match="runs from the addressee's receipt"):
        at(t, "preserved", received + timedelta(days=3), expires=received + timedelta(days=90))
    with pytest.raises(LifecycleError, match="record preservation_extended"):
        run(preserved, "extension_requested")
    assert "extension_requested" not in allowed_events(preserved)


def test_annex_vi_extends_once_within_the_period() -> None:
    t = at(eu_order(), "preserved", SUBMITTED + timedelta(days=1))
    extended = at(t, "preservation_extended", SUBMITTED + timedelta(days=50))
    assert extended.state == "preserved"
    assert extended.expires == SUBMITTED + timedelta(days=90)
    with pytest.raises(LifecycleError, match=r"no further extension: the terms \(Regulation"):
        at(extended, "preservation_extended", SUBMITTED + timedelta(days=51))
    with pytest.raises(LifecycleError, match="comes too late"):
        at(t, "preservation_extended", SUBMITTED + timedelta(days=60))
    # a receipt recorded later moves the period: the same extension is then in time
    late_receipt = at(t, "received", SUBMITTED + timedelta(days=1))
    assert at(late_receipt, "preservation_extended", SUBMITTED + timedelta(days=60)).expires == (
        SUBMITTED + timedelta(days=91)
    )


def test_annex_v_confirmation_removes_the_expiry() -> None:
    t = at(eu_order(), "preserved", SUBMITTED + timedelta(days=1))
    confirmed = at(t, "production_request_confirmed", SUBMITTED + timedelta(days=59))
    assert confirmed.production_request_confirmed
    assert confirmed.expires is None
    assert confirmed.state == "preserved"
    with pytest.raises(LifecycleError, match="no extension is needed"):
        at(confirmed, "preservation_extended", SUBMITTED + timedelta(days=59, hours=1))
    with pytest.raises(LifecycleError, match="already recorded"):
        at(confirmed, "production_request_confirmed", SUBMITTED + timedelta(days=59, hours=1))
    with pytest.raises(LifecycleError, match=r"ended at .* comes too late"):
        at(t, "production_request_confirmed", SUBMITTED + timedelta(days=61))
    extended = at(t, "preservation_extended", SUBMITTED + timedelta(days=59))
    assert (
        at(extended, "production_request_confirmed", SUBMITTED + timedelta(days=85)).expires is None
    )


def test_receipt_is_checked_against_the_history() -> None:
    draft = tracked("eu_preservation_order", terms=EU)
    with pytest.raises(LifecycleError, match="needs the request submitted first"):
        at(draft, "received", T0)
    t = eu_order()
    with pytest.raises(LifecycleError, match="before the submission"):
        at(t, "received", T0)
    answered = at(t, "acknowledged", SUBMITTED + timedelta(hours=2))
    with pytest.raises(LifecycleError, match="after the addressee's first answer"):
        at(answered, "received", SUBMITTED + timedelta(hours=3))
    received = at(t, "received", SUBMITTED + timedelta(hours=2))
    with pytest.raises(LifecycleError, match="before the addressee received"):
        at(received, "acknowledged", SUBMITTED + timedelta(hours=1))
    with pytest.raises(LifecycleError, match="already recorded"):
        at(received, "received", SUBMITTED + timedelta(hours=2))
    # received late: after an answer recorded with a later time
    late = at(answered, "received", SUBMITTED + timedelta(hours=1))
    assert late.received_at == SUBMITTED + timedelta(hours=1)
    with pytest.raises(LifecycleError, match="final"):
        at(run(t, "withdrawn"), "received", SUBMITTED + timedelta(hours=3))


def test_annex_acts_only_apply_to_the_order_clock() -> None:
    t = run(tracked(), "submitted", "preserved")
    for name in ("preservation_extended", "production_request_confirmed"):
        with pytest.raises(LifecycleError, match="only applies to a preservation that runs"):
            run(t, name)
        assert name not in allowed_events(t)
    assert "received" in allowed_events(t)


def test_ex_post_validation_is_recorded_once() -> None:
    plain = eu_order()
    with pytest.raises(LifecycleError, match="only applies to an order issued without"):
        run(plain, "validated")
    terms = replace(EU, validation_hours=48, validation_basis="Regulation (EU) 2023/1543 art. 4(5)")
    draft = tracked("eu_preservation_order", terms=terms)
    validated = at(draft, "validated", T0 + timedelta(hours=30))  # before submission is fine
    assert validated.validated_at == T0 + timedelta(hours=30)
    assert validated.state == "draft"
    with pytest.raises(LifecycleError, match="already recorded"):
        at(validated, "validated", T0 + timedelta(hours=31))
    with pytest.raises(LifecycleError, match="before the order was issued"):
        at(draft, "validated", T0 - timedelta(hours=1))


def test_old_terms_read_back_with_the_provider_clock() -> None:
    """Terms stored by a release without the order clock keep the clock they were tracked
    with; an unknown clock is refused by path."""
    old = {"preservation_days": 60, "extension_days": 30, "max_extensions": 1, "basis": "x"}
    assert Terms.from_dict(old) == Terms(60, 30, 1, basis="x")
    assert Terms.from_dict(EU.to_dict()) == EU
    with_time = replace(EU, enforcing_notified_at=T0)
    assert Terms.from_dict(with_time.to_dict()) == with_time
    with pytest.raises(InputError) as exc:
        Terms.from_dict({**old, "preservation_clock": "sundial"})
    assert [p.path for p in exc.value.problems] == ["$.preservation_clock"]
    with pytest.raises(InputError):
        Terms.from_dict({**old, "enforcing_notified_at": "2026-11-16T09:00:00"})  # naive


def test_an_order_clock_past_9999_is_held_at_its_end() -> None:
    late = datetime(9999, 12, 1, tzinfo=UTC)
    t = replace(tracked("eu_preservation_order", terms=EU), created_at=late)
    t = apply_event(t, Event("submitted", late, "o"), now=late)
    assert t.expires == datetime.max.replace(tzinfo=UTC)
