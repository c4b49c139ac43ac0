"""Recording an event on a tracked request: which events may come next, and the checks
that keep a history consistent (see the rules in :mod:`eevidence.tracking._lifecycle`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Final, get_args

from eevidence.errors import InputError, LifecycleError
from eevidence.request import KindSpec, kind_spec
from eevidence.tracking._event import Event, EventName, as_utc, iso as _iso
from eevidence.tracking._lifecycle import (
    ANSWERS,
    EVENTS,
    KEEP_STATE,
    RECORD_EVENTS,
    TRANSITIONS,
    Tracked,
)

__all__ = ["allowed_events", "apply_event"]

_PRESERVATION_ONLY: Final = frozenset({"preserved", "extension_requested", "extended", "expired"})
_MAX_TEXT: Final = 2000


def allowed_events(tracked: Tracked) -> tuple[EventName, ...]:
    """Events that may be recorded next, in the order of :data:`EVENTS` (``noted`` always;
    preservation events only for the preservation family of the kinds table; nothing else
    once final).

    Raises:
        LifecycleError: the tracked request's kind has no row in the kinds table.
    """
    return tuple(name for name in get_args(EventName) if _allowed(tracked, name) is None)


def _spec(tracked: Tracked) -> KindSpec:
    """The kinds table's row of the tracked request's kind."""
    try:
        return kind_spec(tracked.kind)
    except InputError as exc:
        raise LifecycleError(str(exc.args[0]), source=tracked.id) from None


def _preservation(tracked: Tracked) -> bool:
    """Whether the tracked request's kind is of the preservation family (kinds table)."""
    return _spec(tracked).family == "preservation"


def _allowed(tracked: Tracked, name: EventName) -> str | None:
    """Why ``name`` cannot happen next, or ``None`` when it can."""
    if name == "noted":
        return None
    state = tracked.state
    if tracked.terminal:
        return f"the request is {state}, which is final"
    if name in RECORD_EVENTS:
        return _record_allowed(tracked, name)
    preservation = _preservation(tracked)
    if name in ("extension_requested", "extended") and tracked.terms.preservation_clock == "order":
        return (
            f"the issuing authority extends this preservation itself ({tracked.terms.basis}, "
            "Annex VI): record preservation_extended"
        )
    if name in _PRESERVATION_ONLY and not preservation:
        return f"{name!r} only applies to preservation requests, not {tracked.kind}"
    if name == "disclosed" and preservation:
        return (
            "a preservation is not disclosed: track the follow-up request "
            "(eevidence track add FILE --follows ID) and record the disclosure on it"
        )
    if name not in TRANSITIONS[state]:
        return f"a request that is {state} cannot become {name}"
    limit = tracked.terms.max_extensions
    if name == "extension_requested" and limit is not None and tracked.extensions >= limit:
        return f"no further extension: the terms ({tracked.terms.basis}) allow {limit}"
    return None


_REPEATABLE: Final = frozenset({"preservation_extended", "follow_up_drafted"})


def _record_allowed(tracked: Tracked, name: str) -> str | None:
    """Why the record event ``name`` cannot be recorded now, or ``None`` (the request is
    not final)."""
    terms = tracked.terms
    if name not in _REPEATABLE and tracked.first(name) is not None:
        return f"{name!r} is already recorded"
    if name == "follow_up_drafted":
        if not _preservation(tracked):
            return (
                "'follow_up_drafted' only applies to a preservation (the request a follow-up "
                f"continues), not {tracked.kind}"
            )
        if tracked.expires is None:
            return (
                "'follow_up_drafted' needs a preservation in force with a known expiry "
                "(record preserved first)"
            )
    if name in ("preservation_extended", "production_request_confirmed"):
        if terms.preservation_clock != "order":
            return (
                f"{name!r} only applies to a preservation that runs from the order's receipt "
                "(European Preservation Order, Regulation (EU) 2023/1543 art. 11), not to "
                f"these terms ({terms.basis or 'none'})"
            )
    elif name == "validated" and terms.validation_hours is None:
        return "'validated' only applies to an order issued without prior validation"
    elif name == "transmitted" and _spec(tracked).addressee != "state":
        return (
            "'transmitted' only applies to a request addressed to a State (its central "
            f"authority or 24/7 point of contact transmits it for execution), not {tracked.kind}"
        )
    if name != "validated" and tracked.submitted_at is None:
        return f"{name!r} needs the request submitted first"
    if name == "preservation_extended":
        if tracked.production_request_confirmed:
            return (
                "the subsequent request for production is confirmed: the data are kept as "
                "long as necessary to produce them, no extension is needed"
            )
        limit = terms.max_extensions
        if limit is not None and tracked.extensions >= limit:
            return f"no further extension: the terms ({terms.basis}) allow {limit}"
    return None


def _check_record_time(tracked: Tracked, name: str, at: datetime) -> None:
    """Refuse a record event whose time contradicts the history (see the module docstring)."""
    if name == "validated":
        if at < as_utc(tracked.created_at, "created_at"):
            raise LifecycleError(
                f"validation time {_iso(at)} is before the order was issued "
                f"({_iso(tracked.created_at)})",
                source=tracked.id,
            )
        return
    submitted = tracked.submitted_at
    if submitted is not None and at < submitted:
        raise LifecycleError(
            f"{name} time {_iso(at)} is before the submission ({_iso(submitted)})",
            source=tracked.id,
        )
    if name == "follow_up_drafted":
        expires = tracked.expires
        if expires is not None and at >= expires:
            raise LifecycleError(
                f"the preservation ended at {_iso(expires)}; a follow-up drafted at {_iso(at)} "
                "comes too late (the data may be gone: preserve them again first)",
                source=tracked.id,
            )
        return
    if name == "transmitted":
        received = tracked.received_at
        if received is not None and at < received:
            raise LifecycleError(
                f"transmission time {_iso(at)} is before the receipt ({_iso(received)})",
                source=tracked.id,
            )
        return
    if name == "received":
        answered = tracked.responded_at
        if answered is not None and at > answered:
            raise LifecycleError(
                f"receipt time {_iso(at)} is after the addressee's first answer "
                f"({_iso(answered)}): it cannot answer what it has not received",
                source=tracked.id,
            )
        return
    expires = tracked.expires
    if expires is not None and at >= expires:
        what = "an extension" if name == "preservation_extended" else "a confirmation"
        raise LifecycleError(
            f"the preservation ended at {_iso(expires)} ({tracked.terms.basis}); {what} "
            f"at {_iso(at)} comes too late (if the addressee received the order later than "
            "it was submitted, record received first)",
            source=tracked.id,
        )


def _text(value: str | None, what: str, source: str) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if len(value) > _MAX_TEXT:
        raise LifecycleError(f"{what} is longer than {_MAX_TEXT} characters", source=source)
    return value


def apply_event(tracked: Tracked, event: Event, *, now: datetime) -> Tracked:
    """``tracked`` with ``event`` appended, when the lifecycle allows it.

    The appended event is normalised: times in UTC, texts stripped (empty ones dropped),
    and, with the ``provider`` clock, the expiry of a ``preserved`` event computed from the
    terms when none was given (event time + ``preservation_days`` days) or of an
    ``extended`` one (the later of the expiry in force and the event time, +
    ``extension_days`` days). With the ``order`` clock no event carries an expiry: it is
    derived from the history (:attr:`Tracked.expires`).

    Args:
        tracked: the tracked request.
        event: what happened.
        now: the present moment, aware; an event may be at most 5 minutes after it.

    Returns:
        A new :class:`Tracked` with the event appended (``tracked`` is unchanged).

    Raises:
        LifecycleError: the event is unknown or not allowed in the current state (the
            message lists the events allowed now); a time is naive, in the future or
            before the previous change of state; the actor is missing; a text is longer
            than 2000 characters; a rejection has no reason, or another event has one;
            an event other than a disclosure is partial; an event other than a
            preservation or extension has an expiry, or that expiry is not after the
            event, or the ``order`` clock gives it; the expiry is needed and the terms do
            not give it, or the one they give falls after 9999-12-31; a record event
            contradicts the history (already recorded, before the submission or the
            issue, a receipt after the first answer, an answer before the receipt, an
            Annex V or VI act after the preservation ended); or the tracked request's kind
            has no row in the kinds table.
    """
    now = as_utc(now, "now")
    if event.name not in EVENTS:
        raise LifecycleError(
            f"unknown event {event.name!r}; use one of: {', '.join(EVENTS)}",
            source=tracked.id,
        )
    at = as_utc(event.at, "event time")
    if at - now > timedelta(minutes=5):
        raise LifecycleError(f"event time {_iso(at)} is in the future", source=tracked.id)
    changes = [e for e in tracked.events if e.name not in KEEP_STATE]
    if event.name not in KEEP_STATE and changes and at < changes[-1].at:
        raise LifecycleError(
            f"event time {_iso(at)} is before the previous change of state "
            f"({_iso(changes[-1].at)}); state changes are recorded in order",
            source=tracked.id,
        )
    why = _allowed(tracked, event.name)
    if why is not None:
        allowed = ", ".join(allowed_events(tracked))
        raise LifecycleError(f"{why} (allowed now: {allowed})", source=tracked.id)
    if event.name in RECORD_EVENTS:
        _check_record_time(tracked, event.name, at)
    received = tracked.received_at
    if event.name in ANSWERS and received is not None and at < received:
        raise LifecycleError(
            f"event time {_iso(at)} is before the addressee received the request "
            f"({_iso(received)})",
            source=tracked.id,
        )
    actor = _text(event.actor, "actor", tracked.id)
    if actor is None:
        raise LifecycleError("an event needs an actor (who records it)", source=tracked.id)
    reason = _text(event.reason, "reason", tracked.id)
    if event.name == "rejected" and reason is None:
        raise LifecycleError("a rejection needs a reason (--reason)", source=tracked.id)
    if event.name != "rejected" and reason is not None:
        raise LifecycleError("only a rejection has a reason", source=tracked.id)
    if event.partial and event.name != "disclosed":
        raise LifecycleError("only a disclosure can be partial", source=tracked.id)
    expires = _expiry(tracked, event, at)
    due = _due(tracked, event)
    normalised = replace(
        event,
        at=at,
        actor=actor,
        note=_text(event.note, "note", tracked.id),
        ref=_text(event.ref, "provider reference", tracked.id),
        reason=reason,
        expires=expires,
        due=due,
    )
    return replace(tracked, events=(*tracked.events, normalised))


def _due(tracked: Tracked, event: Event) -> datetime | None:
    """The dispatch deadline of a ``follow_up_drafted`` event (required there, and not
    after the expiry in force); no other event has one."""
    if event.name != "follow_up_drafted":
        if event.due is not None:
            raise LifecycleError(
                "only a drafted follow-up has a dispatch deadline (due)", source=tracked.id
            )
        return None
    if event.due is None:
        raise LifecycleError(
            "a drafted follow-up needs its dispatch deadline (--due DATE)", source=tracked.id
        )
    due = as_utc(event.due, "dispatch deadline")
    expires = tracked.expires
    if expires is not None and due > expires:
        raise LifecycleError(
            f"dispatch deadline {_iso(due)} is after the preservation's expiry "
            f"({_iso(expires)}): the request would reach the provider too late",
            source=tracked.id,
        )
    return due


def _expiry(tracked: Tracked, event: Event, at: datetime) -> datetime | None:
    if event.name not in ("preserved", "extended"):
        if event.expires is not None:
            raise LifecycleError(
                "only a preservation or an extension has an expiry", source=tracked.id
            )
        return None
    if tracked.terms.preservation_clock == "order":
        if event.expires is not None:
            raise LifecycleError(
                f"this preservation's expiry follows from its terms ({tracked.terms.basis}): "
                "it runs from the addressee's receipt (record received), whatever the "
                "provider answers; give no expiry",
                source=tracked.id,
            )
        return None
    if event.expires is not None:
        expires = as_utc(event.expires, "expiry")
        if expires <= at:
            raise LifecycleError(
                f"expiry {_iso(expires)} is not after the event ({_iso(at)})", source=tracked.id
            )
        return expires
    terms = tracked.terms
    if event.name == "preserved" and terms.preservation_days is not None:
        return _later(tracked, at, terms.preservation_days, "preservation_days")
    previous = tracked.expires
    if event.name == "extended" and terms.extension_days is not None and previous is not None:
        return _later(tracked, max(previous, at), terms.extension_days, "extension_days")
    raise LifecycleError(
        f"the {'extension' if event.name == 'extended' else 'preservation'} period is not known "
        "for this request: give the expiry the provider stated (--expires DATE)",
        source=tracked.id,
    )


def _later(tracked: Tracked, start: datetime, days: int, term: str) -> datetime:
    """``start`` + ``days`` days: the expiry the terms give (``term`` names the term)."""
    try:
        return start + timedelta(days=days)
    except OverflowError:
        raise LifecycleError(
            f"the expiry the terms give ({_iso(start)} + {term} {days} days) falls after "
            "9999-12-31: give the expiry the provider stated (--expires DATE)",
            source=tracked.id,
        ) from None
