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
            details: dict[str, Any] = {"reason": "refused"} if name == "rejected" else {}
            legal = name == "noted" or name in TRANSITIONS[state]
            if legal and name != "disclosed":
                assert run(start, name, **details).state == (state if name == "noted" else name)
            else:
                with pytest.raises(LifecycleError):
                    run(start, name, **details)
    assert set(paths) | {"disclosed"} == set(STATES)


def test_refusal_names_the_allowed_events() -> None:
    t = run(tracked(), "submitted")
    with pytest.raises(LifecycleError) as info:
        run(t, "extended")
    message = str(info.value)
    assert "a request that is submitted cannot become extended" in message
    assert "allowed now: acknowledged, preserved, rejected, withdrawn, noted" in message
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
    assert {"preservation", "preservation_extension", "eu_preservation_order"} == PRESERVATION_KINDS


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
            assert name not in allowed_events(before)
            continue
        assert name == "noted" or name in TRANSITIONS[before.state]
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
