"""Deadlines of tracked requests, and an iCalendar (RFC 5545) writer for them. Pure: ``now``
is a parameter and nothing here reads files or the clock.

Terms are fixed when a request is tracked (:func:`terms_for`), from the source the kinds
table names for its kind (:attr:`eevidence.request.KindSpec.deadlines`); every number and
article comes from the legal facts (:func:`eevidence.provider.law_facts`) or the provider
profile, and every basis names the article:

* Regulation (EU) 2023/1543 for EU orders dated from its application date (art. 34(2)):
  preservation for 60 days from the addressee's receipt, one 30-day extension by the
  issuing authority, no expiry once the subsequent request for production is confirmed
  (art. 11); production within 10 days of receipt, 8 hours in an emergency (art. 10); the
  enforcing authority's 10 days, 96 hours in an emergency, to raise grounds for refusal
  when it is notified (arts. 8, 12(1)); ex post validation within 48 hours of an order
  issued without prior validation (art. 4(5));
* the provider profile's published preservation terms for the requester's country;
* 18 U.S.C. 2703(f)(2) (90 days, one 90-day extension) for a US requester only.

Deadlines derived from a tracked request (:func:`deadlines_of`):

* ``preservation_expires``: the data may be deleted after this moment;
* ``act_before_expiry``: the last day to ask for an extension (the provider's notice period,
  else :data:`REMINDER_DAYS` before expiry), or to send the follow-up request (for an EU
  preservation order: the Annex V confirmation or the Annex VI extension);
* ``production_due``: an EU production order's deadline, counted from receipt;
* ``enforcing_review_ends``: the end of the enforcing authority's period to raise grounds
  for refusal (art. 12(1));
* ``validation_due``: the ex post validation of an order issued without prior validation
  (art. 4(5));
* ``acknowledgement_due``: no answer from the provider after :data:`ACK_DAYS` days
  (:data:`ACK_EMERGENCY_HOURS` hours for an emergency). This is a reminder of this tool,
  not a legal deadline;
* ``follow_up_dispatch``: the latest moment to dispatch the drafted follow-up request (an
  MLA request) so that it reaches the provider before the preservation lapses
  (:attr:`Tracked.follow_up_due`: the expiry minus the requested State's transmission time,
  recorded with the draft), until a request that follows the preservation is submitted;
* ``follow_up_reminder``: :data:`FOLLOW_UP_REMINDER_DAYS` days before it: if the follow-up
  cannot leave by then, ask the provider to extend the preservation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal

from eevidence._internal.text import escape_controls
from eevidence.errors import InputError
from eevidence.request import kind_spec
from eevidence.tracking._lifecycle import Tracked, as_utc

__all__ = [
    "ACK_DAYS",
    "ACK_EMERGENCY_HOURS",
    "FOLLOW_UP_REMINDER_DAYS",
    "REMINDER_DAYS",
    "Deadline",
    "DeadlineKind",
    "deadlines_of",
    "due_within",
    "next_due",
    "parse_within",
    "to_ics",
]

ACK_DAYS: Final = 7
"""Days after submission without an answer before the provider is chased."""
ACK_EMERGENCY_HOURS: Final = 24
"""Hours after submission of an emergency without an answer before the provider is chased."""
REMINDER_DAYS: Final = 14
"""Days before a preservation expires to act, when the provider states no notice period."""
FOLLOW_UP_REMINDER_DAYS: Final = 7
"""Days before the dispatch deadline of a drafted follow-up at which to ask the provider for an
extension if the follow-up cannot leave in time."""

DeadlineKind = Literal[
    "preservation_expires",
    "act_before_expiry",
    "production_due",
    "enforcing_review_ends",
    "validation_due",
    "acknowledgement_due",
    "follow_up_reminder",
    "follow_up_dispatch",
]
"""What is due (see the module docstring)."""


@dataclass(frozen=True, slots=True)
class Deadline:
    """Something due on a tracked request."""

    request_id: str
    """The tracked request's id."""
    provider: str
    """The addressee's provider id."""
    request_kind: str
    """The request kind."""
    kind: DeadlineKind
    """What is due."""
    due: datetime
    """When (aware, UTC)."""
    basis: str
    """Why: the terms' basis (a regulation, statute or profile), the note of a drafted
    follow-up, or ``reminder of this tool``."""
    note: str
    """What to do, in a few words."""
    case_reference: str | None = None
    """The requesting authority's case reference (:attr:`Tracked.case_reference`), when
    known."""
    sequence: int = 0
    """How many times this deadline has moved since it first appeared (an extension, a
    recorded receipt...): the iCalendar ``SEQUENCE`` of its event (RFC 5545 section
    3.8.7.4), so a calendar that imported it updates it. Derived from the history, so the
    same history always gives the same number."""

    def to_dict(self, now: datetime | None = None) -> dict[str, Any]:
        """The deadline as a JSON object: ``request_id``, ``provider``, ``request_kind``,
        ``case_reference``, ``deadline`` (the kind), ``due`` (RFC 3339, UTC, ``Z``),
        ``basis``, ``note``, ``sequence``, and ``overdue`` (bool) when ``now`` is given.

        Raises:
            LifecycleError: ``now`` is naive.
        """
        data: dict[str, Any] = {
            "request_id": self.request_id,
            "provider": self.provider,
            "request_kind": self.request_kind,
            "case_reference": self.case_reference,
            "deadline": self.kind,
            "due": _iso(self.due),
            "basis": self.basis,
            "note": self.note,
            "sequence": self.sequence,
        }
        if now is not None:
            data["overdue"] = self.due < as_utc(now, "now")
        return data


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


_EARLIEST: Final = datetime.min.replace(tzinfo=UTC)
_LATEST: Final = datetime.max.replace(tzinfo=UTC)


def _shifted(value: datetime, delta: timedelta) -> datetime:
    """``value + delta``, held at the first or last instant a datetime can hold (years 1
    and 9999, UTC) when it would fall outside them."""
    try:
        return value + delta
    except OverflowError:
        return _LATEST if delta > timedelta(0) else _EARLIEST


def deadlines_of(
    tracked: Tracked, *, followers: Iterable[Tracked] = (), sequence: bool = True
) -> list[Deadline]:
    """Every open deadline of ``tracked``, earliest first (none once it is final).

    ``followers`` are the tracked requests that follow ``tracked`` (``follows`` set to its
    id; others are ignored): once one of them that is not itself a preservation (an
    extension continues the preservation, it does not follow it up) is submitted and not
    withdrawn, the follow-up deadlines are closed. Without them, a drafted follow-up's
    deadlines stay open until the preservation ends.

    * ``validation_due``: until ``validated`` is recorded, ``validation_hours`` after the
      order's issue (``created_at``), when the terms set them (art. 4(5));
    * ``acknowledgement_due``: while ``submitted``, :data:`ACK_DAYS` days after submission
      (:data:`ACK_EMERGENCY_HOURS` hours for an emergency); for a request addressed to a
      State, only until its receipt by the central authority or point of contact is
      recorded;
    * ``production_due``: while ``submitted`` or ``acknowledged``, ``response_hours``
      hours after the addressee's receipt (until it is recorded, after the submission:
      :attr:`Tracked.clock_start`), when the terms set them (art. 10);
    * ``enforcing_review_ends``: while ``submitted`` or ``acknowledged``,
      ``enforcing_review_hours`` after the notification the order records
      (``enforcing_authority.notified_at``), else after the submission, when art. 8(1)
      has it sent with the order. Art. 12(1) counts from the enforcing authority's
      receipt, which is not recorded: the deadline may be early by the transmission
      time;
    * ``preservation_expires``: while a preservation is in force, its expiry
      (:attr:`Tracked.expires`; none once the subsequent request for production is
      confirmed, art. 11(2));
    * ``act_before_expiry``: while preserved or extended (for an ``order`` clock: until
      the expiry, from submission), the provider's extension notice period (else
      :data:`REMINDER_DAYS` days) before the expiry;
    * ``follow_up_dispatch`` and ``follow_up_reminder``: once a follow-up is drafted
      (``follow_up_drafted``), while the preservation is in force and no follower is
      submitted: :attr:`Tracked.follow_up_due`, and :data:`FOLLOW_UP_REMINDER_DAYS` days
      before it.

    A deadline that would fall after the year 9999 (or before the year 1) is given as the
    last (or first) instant a datetime can hold. Each carries the case reference and its
    :attr:`~Deadline.sequence`: how many times its due time changed as the events were
    recorded (replaying the history, so it never depends on when it is asked); with
    ``sequence=False`` the history is not replayed and every sequence is 0 (for a reader
    that shows no calendar revision: cheaper).
    """
    sent = any(
        f.follows == tracked.id
        and f.submitted_at is not None
        and f.state != "withdrawn"
        and not _is_preservation(f.kind)  # an extension continues the preservation itself
        for f in followers
    )
    found = _open_deadlines(tracked, followed=sent)
    if not found or not sequence:
        return found
    last: dict[str, datetime] = {}
    moves: dict[str, int] = {}
    events = tracked.events
    for n in range(len(events)):  # every earlier history; notes move nothing
        if n and events[n - 1].name == "noted":
            continue
        for d in _open_deadlines(replace(tracked, events=events[:n]), followed=sent):
            if d.kind in last and last[d.kind] != d.due:
                moves[d.kind] = moves.get(d.kind, 0) + 1
            last[d.kind] = d.due
    out = []
    for d in found:
        moved = moves.get(d.kind, 0) + (d.kind in last and last[d.kind] != d.due)
        out.append(replace(d, sequence=moved))
    return out


def _is_preservation(kind: str) -> bool:
    """Whether ``kind`` is of the preservation family (kinds table)."""
    try:
        return kind_spec(kind).family == "preservation"
    except InputError:  # a kind this installation does not know
        return False


def _addressed_to_state(kind: str) -> bool:
    """Whether the kinds table addresses ``kind`` to a State (its receipt by the central
    authority or point of contact is then its acknowledgement)."""
    try:
        return kind_spec(kind).addressee == "state"
    except InputError:  # a kind this installation does not know
        return False


def _open_deadlines(tracked: Tracked, *, followed: bool = False) -> list[Deadline]:
    """The open deadlines of ``tracked`` as its history stands (see :func:`deadlines_of`;
    ``followed``: a follower was submitted), each with sequence 0."""
    if tracked.terminal:
        return []
    found: list[Deadline] = []

    def add(kind: DeadlineKind, due: datetime, basis: str, note: str) -> None:
        found.append(
            Deadline(
                tracked.id,
                tracked.provider,
                tracked.kind,
                kind,
                due,
                basis,
                note,
                case_reference=tracked.case_reference,
            )
        )

    terms = tracked.terms
    state = tracked.state
    submitted = tracked.submitted_at
    if terms.validation_hours is not None and tracked.validated_at is None:
        add(
            "validation_due",
            _shifted(tracked.created_at, timedelta(hours=terms.validation_hours)),
            terms.validation_basis,
            "obtain the ex post validation; if refused, withdraw the order and delete the data",
        )
    to_state = _addressed_to_state(tracked.kind)
    if state == "submitted" and submitted is not None and not (to_state and tracked.received_at):
        delay = (
            timedelta(hours=ACK_EMERGENCY_HOURS) if tracked.emergency else timedelta(days=ACK_DAYS)
        )
        add(
            "acknowledgement_due",
            _shifted(submitted, delay),
            "reminder of this tool",
            "no acknowledgement from the requested authority yet: follow up"
            if to_state
            else "no answer from the provider yet: follow up",
        )
    start = tracked.clock_start
    if start is not None and submitted is not None and state in ("submitted", "acknowledged"):
        if terms.response_hours is not None:
            add(
                "production_due",
                _shifted(start, timedelta(hours=terms.response_hours)),
                terms.basis,
                "the provider must have produced the data"
                + (
                    ""
                    if tracked.received_at
                    else " (counted from submission: receipt not recorded)"
                ),
            )
        if terms.enforcing_review_hours is not None:
            add(
                "enforcing_review_ends",
                _shifted(
                    terms.enforcing_notified_at or submitted,
                    timedelta(hours=terms.enforcing_review_hours),
                ),
                terms.enforcing_review_basis,
                "the enforcing authority's period to raise grounds for refusal ends",
            )
    _preservation_deadlines(tracked, add)
    dispatch = tracked.follow_up_due
    if dispatch is not None and not followed:
        drafted = tracked.last("follow_up_drafted")
        basis = (drafted.note if drafted else None) or "follow-up plan"
        add(
            "follow_up_reminder",
            _shifted(dispatch, -timedelta(days=FOLLOW_UP_REMINDER_DAYS)),
            basis,
            f"the follow-up request must leave by {_iso(dispatch)}: if it cannot, ask the "
            "provider to extend the preservation now",
        )
        add(
            "follow_up_dispatch",
            dispatch,
            basis,
            "dispatch the follow-up request so that it reaches the provider before the "
            "preservation lapses",
        )
    found.sort(key=lambda d: d.due)
    return found


def _preservation_deadlines(
    tracked: Tracked, add: Callable[[DeadlineKind, datetime, str, str], None]
) -> None:
    """``preservation_expires`` and ``act_before_expiry`` of ``tracked`` (see
    :func:`deadlines_of`)."""
    terms, state, expires = tracked.terms, tracked.state, tracked.expires
    if expires is None:
        return
    order = terms.preservation_clock == "order"
    live = ("preserved", "extension_requested", "extended")
    if state not in live and not (order and state in ("submitted", "acknowledged")):
        return
    add(
        "preservation_expires",
        expires,
        terms.basis,
        "the obligation to preserve ceases" if order else "preserved data may be deleted after",
    )
    if state == "extension_requested":
        return
    left = None if terms.max_extensions is None else terms.max_extensions - tracked.extensions
    if order:
        note = (
            "confirm the subsequent request for production (Annex V) or extend (Annex VI)"
            if left is None or left > 0
            else "no extension left: confirm the subsequent request for production (Annex V)"
        )
    elif left is None or left > 0:
        note = "request an extension or send the follow-up request"
    else:
        note = "no extension left: send the follow-up request"
    notice = terms.extension_notice_days or REMINDER_DAYS
    add("act_before_expiry", _shifted(expires, -timedelta(days=notice)), terms.basis, note)


def next_due(tracked: Tracked) -> datetime | None:
    """When the earliest open deadline of ``tracked`` is due, or ``None`` when none is open
    (stores index it to find what is due quickly)."""
    found = _open_deadlines(tracked)
    return min(d.due for d in found) if found else None


def due_within(tracked: Iterable[Tracked], *, now: datetime, within: timedelta) -> list[Deadline]:
    """Deadlines due before ``now + within`` (overdue ones included), most urgent first.

    Args:
        tracked: the tracked requests to look at (a request that follows another among
            them closes its follow-up deadlines once submitted, see :func:`deadlines_of`).
        now: the present moment, aware.
        within: how far ahead to look.

    Returns:
        The deadlines, sorted by due time, then request id, then deadline kind.

    Raises:
        LifecycleError: ``now`` is naive.
    """
    horizon = _shifted(as_utc(now, "now"), within)
    every = list(tracked)
    followers: dict[str, list[Tracked]] = {}
    for t in every:
        if t.follows:
            followers.setdefault(t.follows, []).append(t)
    due = [
        d
        for t in every
        for d in deadlines_of(t, followers=followers.get(t.id, ()))
        if d.due <= horizon
    ]
    due.sort(key=lambda d: (d.due, d.request_id, d.kind))
    return due


_WITHIN = re.compile(r"^\s*([0-9]{1,5})\s*([hdw])\s*$")


def parse_within(text: str) -> timedelta:
    """``14d``, ``36h`` or ``2w`` (1 to 5 digits, then ``h`` hours, ``d`` days or ``w``
    weeks; blanks around are ignored) as a duration.

    Raises:
        InputError: ``text`` is not written that way.
    """
    match = _WITHIN.match(text)
    if not match:
        raise InputError(f"cannot read duration {text!r}: write it as 14d, 36h or 2w")
    n, unit = int(match.group(1)), match.group(2)
    return {"h": timedelta(hours=n), "d": timedelta(days=n), "w": timedelta(weeks=n)}[unit]


# ---------------------------------------------------------------------------------------------
# iCalendar
# ---------------------------------------------------------------------------------------------

_TITLES: Final[dict[str, str]] = {
    "preservation_expires": "Preservation expires",
    "act_before_expiry": "Extend or follow up before expiry",
    "production_due": "Production due",
    "enforcing_review_ends": "Enforcing authority's review period ends",
    "validation_due": "Ex post validation due",
    "acknowledgement_due": "No answer yet: follow up",
    "follow_up_reminder": "Follow-up not sent yet: extend the preservation?",
    "follow_up_dispatch": "Dispatch the follow-up request",
}


def _ics_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 section 3.3.11); control, bidi and invisible
    characters, which TEXT may not hold (no CONTROL) or which would disguise the text, are
    first written as the visible escapes of the terminal's output; backslashes are the
    format's own escape and come back exactly."""
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    value = "\n".join(escape_controls(line) for line in lines)
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> bytes:
    """Fold a content line at 75 octets, never inside a UTF-8 sequence (section 3.1)."""
    data = line.encode("utf-8")
    out = bytearray()
    limit = 75
    while len(data) > limit:
        cut = limit
        while cut > 0 and (data[cut] & 0xC0) == 0x80:
            cut -= 1
        out += data[:cut] + b"\r\n "
        data = data[cut:]
        limit = 74  # the leading space counts
    out += data + b"\r\n"
    return bytes(out)


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def to_ics(deadlines: Sequence[Deadline], *, now: datetime) -> bytes:
    """An iCalendar file (RFC 5545) with one event (and a one-day alarm) per deadline.

    Each event starts at the deadline and lasts 30 minutes; its alarm fires one day
    before. Its title names what is due, the case reference, the request kind and the
    provider (``Preservation expires: case 2026/PJ/0042, preservation to google``; the
    first 8 characters of the request id when the case reference is not known); the
    description gives the full request id, the basis and what to do. Texts are escaped
    (section 3.3.11) and lines folded at 75 octets (section 3.1), with CRLF line ends. The
    output depends only on the arguments: UIDs derive from the request id and the deadline
    kind, and a deadline that moved keeps its UID with a higher ``SEQUENCE``
    (:attr:`Deadline.sequence`; RFC 5545 section 3.8.7.4, RFC 5546 section 2.1.4), so
    importing a newer file updates the events instead of duplicating or ignoring them.

    Args:
        deadlines: the deadlines, in the order the events are written.
        now: the ``DTSTAMP`` of every event, aware.

    Returns:
        The calendar as UTF-8 bytes.

    Raises:
        LifecycleError: ``now`` is naive.
    """
    stamp = _stamp(as_utc(now, "now"))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//eevidence//deadlines//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    for d in deadlines:
        case = f"case {d.case_reference}" if d.case_reference else f"request {d.request_id[:8]}"
        summary = f"{_TITLES[d.kind]}: {case}, {d.request_kind} to {d.provider}"
        description = f"{d.note}. Request {d.request_id}"
        if d.case_reference:
            description += f", case {d.case_reference}"
        description += f". Basis: {d.basis}."
        lines += [
            "BEGIN:VEVENT",
            f"UID:{d.request_id}-{d.kind}@eevidence",
            f"SEQUENCE:{d.sequence}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_stamp(d.due)}",
            f"DTEND:{_stamp(_shifted(d.due, timedelta(minutes=30)))}",
            f"SUMMARY:{_ics_text(summary)}",
            f"DESCRIPTION:{_ics_text(description)}",
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{_ics_text(summary)}",
            "TRIGGER:-P1D",
            "END:VALARM",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return b"".join(_fold(line) for line in lines)
