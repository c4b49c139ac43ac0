"""Deadlines of tracked requests, and an iCalendar (RFC 5545) writer for them. Pure: ``now``
is a parameter and nothing here reads files or the clock.

Terms are fixed when a request is tracked (:func:`terms_for`), from the source the kinds
table names for its kind (:attr:`eevidence.request.KindSpec.deadlines`):

* Regulation (EU) 2023/1543 for EU orders: preservation 60 days plus one extension of
  30 (art. 11); production within 10 days, 8 hours in an emergency (art. 10);
* the provider profile's published preservation terms for the requester's country;
* 18 U.S.C. 2703(f) when the request rests on it: 90 days plus one 90-day extension;
* Budapest Convention art. 29(7) (at least 60 days, no extension rule) when it rests on it.

Deadlines derived from a tracked request (:func:`deadlines_of`):

* ``preservation_expires``: the data may be deleted after this moment;
* ``act_before_expiry``: the last day to ask for an extension (the provider's notice period,
  else :data:`REMINDER_DAYS` before expiry), or to send the follow-up request when no
  extension is left;
* ``production_due``: an EU production order's deadline, counted from submission;
* ``acknowledgement_due``: no answer from the provider after :data:`ACK_DAYS` days
  (:data:`ACK_EMERGENCY_HOURS` hours for an emergency). This is a follow-up reminder of
  this tool, not a legal deadline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal, assert_never

from eevidence.errors import InputError
from eevidence.provider import LawFacts, ProviderProfile
from eevidence.request import Request, is_emergency, kind_spec
from eevidence.tracking._lifecycle import Terms, Tracked, as_utc

__all__ = [
    "ACK_DAYS",
    "ACK_EMERGENCY_HOURS",
    "REMINDER_DAYS",
    "Deadline",
    "DeadlineKind",
    "deadlines_of",
    "due_within",
    "next_due",
    "parse_within",
    "terms_for",
    "to_ics",
]

ACK_DAYS: Final = 7
"""Days after submission without an answer before the provider is chased."""
ACK_EMERGENCY_HOURS: Final = 24
"""Hours after submission of an emergency without an answer before the provider is chased."""
REMINDER_DAYS: Final = 14
"""Days before a preservation expires to act, when the provider states no notice period."""

DeadlineKind = Literal[
    "preservation_expires", "act_before_expiry", "production_due", "acknowledgement_due"
]
"""What is due (see the module docstring)."""


def terms_for(request: Request, profile: ProviderProfile | None, law: LawFacts) -> Terms:
    """The deadline terms that apply to ``request`` when it is tracked.

    The source is the kinds table's (:attr:`eevidence.request.KindSpec.deadlines`):

    * ``eu_art11_preservation``: Reg. (EU) 2023/1543 art. 11: ``preservation_days`` 60,
      one extension of 30 days (the numbers come from ``law``);
    * ``eu_art10_production``: art. 10: ``response_hours`` 240 (10 days), 8 in an
      emergency (art. 10(4); :func:`eevidence.request.is_emergency`);
    * ``provider_preservation``: the profile's published preservation terms for the
      requester's country; what the profile does not say comes from 18 U.S.C. 2703(f)(2)
      (90 days, one 90-day extension) or Budapest art. 29(7) (at least 60 days), when the
      request rests on it;
    * ``acknowledgement``: no terms (only the reminder to chase an answer applies).

    Args:
        request: the request.
        profile: the addressee's profile, or ``None`` (the law alone then applies).
        law: the legal facts (:func:`eevidence.provider.law_facts`).

    Returns:
        The terms, with ``basis`` naming where they come from.

    Raises:
        InputError: the request's kind has no row in the kinds table.
    """
    eu = law.eu_regulation_2023_1543
    source = kind_spec(request.kind).deadlines
    match source:
        case "eu_art11_preservation":
            return Terms(
                preservation_days=eu.preservation.amount,
                extension_days=eu.preservation_extension.amount,
                max_extensions=1,
                basis="Regulation (EU) 2023/1543 art. 11",
            )
        case "eu_art10_production":
            hours = (
                eu.emergency_production.hours
                if is_emergency(request)
                else eu.production.hours
            )
            return Terms(response_hours=hours, basis="Regulation (EU) 2023/1543 art. 10")
        case "acknowledgement":
            return Terms()
        case "provider_preservation":
            return _preservation_terms(request, profile, law)
        case _:  # pragma: no cover - mypy proves every source is handled
            assert_never(source)


def _preservation_terms(request: Request, profile: ProviderProfile | None, law: LawFacts) -> Terms:
    """The provider's published preservation terms, completed by the statute."""
    instruments = {basis.instrument for basis in request.legal_basis}
    law_terms = Terms(basis="no published terms")
    if "us_18_usc_2703f" in instruments:
        us = law.us_18_usc_2703f
        law_terms = Terms(
            preservation_days=us.initial.amount,
            extension_days=us.extension.amount,
            max_extensions=us.max_extensions,
            basis="18 U.S.C. 2703(f)",
        )
    elif "budapest_art29" in instruments:
        law_terms = Terms(
            preservation_days=law.budapest_art29.minimum.amount,
            basis="Budapest Convention art. 29(7) (minimum period)",
        )
    if profile is None:
        return law_terms
    published = profile.preservation_terms(request.authority.country)
    if all(v is None for v in astuple(published)):
        return law_terms
    # What the provider publishes wins; the statute fills what it does not say.
    merged = Terms(
        preservation_days=_first(published.initial_days, law_terms.preservation_days),
        extension_days=_first(published.extension_days, law_terms.extension_days),
        max_extensions=_first(published.max_extensions, law_terms.max_extensions),
        extension_notice_days=published.extension_notice_days,
    )
    basis = f"provider profile {profile.id}"
    if law_terms.preservation_days is not None and merged != replace(
        merged,
        preservation_days=published.initial_days,
        extension_days=published.extension_days,
        max_extensions=published.max_extensions,
    ):
        basis += f", completed by {law_terms.basis}"
    return replace(merged, basis=basis)


def _first(*values: int | None) -> int | None:
    return next((v for v in values if v is not None), None)


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
    """Why: the terms' basis (a regulation, statute or profile) or ``follow-up reminder``."""
    note: str
    """What to do, in a few words."""

    def to_dict(self, now: datetime | None = None) -> dict[str, Any]:
        """The deadline as a JSON object: ``request_id``, ``provider``, ``request_kind``,
        ``deadline`` (the kind), ``due`` (RFC 3339, UTC, ``Z``), ``basis``, ``note``, and
        ``overdue`` (bool) when ``now`` is given.

        Raises:
            LifecycleError: ``now`` is naive.
        """
        data: dict[str, Any] = {
            "request_id": self.request_id,
            "provider": self.provider,
            "request_kind": self.request_kind,
            "deadline": self.kind,
            "due": _iso(self.due),
            "basis": self.basis,
            "note": self.note,
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


def deadlines_of(tracked: Tracked) -> list[Deadline]:
    """Every open deadline of ``tracked``, earliest first (none once it is final).

    * ``acknowledgement_due``: while ``submitted``, :data:`ACK_DAYS` days after submission
      (:data:`ACK_EMERGENCY_HOURS` hours for an emergency);
    * ``production_due``: while ``submitted`` or ``acknowledged``, ``response_hours``
      hours after submission, when the terms set them;
    * ``preservation_expires``: while preserved (or an extension is pending), the expiry;
    * ``act_before_expiry``: while preserved or extended, the provider's extension notice
      period (else :data:`REMINDER_DAYS` days) before the expiry.

    A deadline that would fall after the year 9999 (or before the year 1) is given as the
    last (or first) instant a datetime can hold.
    """
    if tracked.terminal:
        return []
    found: list[Deadline] = []

    def add(kind: DeadlineKind, due: datetime, basis: str, note: str) -> None:
        found.append(Deadline(tracked.id, tracked.provider, tracked.kind, kind, due, basis, note))

    terms = tracked.terms
    state = tracked.state
    submitted = tracked.submitted_at
    if state == "submitted" and submitted is not None:
        delay = (
            timedelta(hours=ACK_EMERGENCY_HOURS) if tracked.emergency else timedelta(days=ACK_DAYS)
        )
        add(
            "acknowledgement_due",
            _shifted(submitted, delay),
            "follow-up reminder",
            "no answer from the provider yet: follow up",
        )
    if (
        terms.response_hours is not None
        and submitted is not None
        and state in ("submitted", "acknowledged")
    ):
        add(
            "production_due",
            _shifted(submitted, timedelta(hours=terms.response_hours)),
            terms.basis,
            "the provider must have produced the data",
        )
    expires = tracked.expires
    if expires is not None and state in ("preserved", "extension_requested", "extended"):
        add("preservation_expires", expires, terms.basis, "preserved data may be deleted after")
        left = None if terms.max_extensions is None else terms.max_extensions - tracked.extensions
        notice = terms.extension_notice_days or REMINDER_DAYS
        if state != "extension_requested":
            if left is None or left > 0:
                note = "request an extension or send the follow-up request"
            else:
                note = "no extension left: send the follow-up request"
            add("act_before_expiry", _shifted(expires, -timedelta(days=notice)), terms.basis, note)
    found.sort(key=lambda d: d.due)
    return found


def next_due(tracked: Tracked) -> datetime | None:
    """When the earliest open deadline of ``tracked`` is due, or ``None`` when none is open
    (stores index it to find what is due quickly)."""
    found = deadlines_of(tracked)
    return found[0].due if found else None


def due_within(tracked: Iterable[Tracked], *, now: datetime, within: timedelta) -> list[Deadline]:
    """Deadlines due before ``now + within`` (overdue ones included), most urgent first.

    Args:
        tracked: the tracked requests to look at.
        now: the present moment, aware.
        within: how far ahead to look.

    Returns:
        The deadlines, sorted by due time, then request id, then deadline kind.

    Raises:
        LifecycleError: ``now`` is naive.
    """
    horizon = _shifted(as_utc(now, "now"), within)
    due = [d for t in tracked for d in deadlines_of(t) if d.due <= horizon]
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
    "acknowledgement_due": "No answer yet: follow up",
}


def _ics_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 section 3.3.11)."""
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
    before. Texts are escaped (section 3.3.11) and lines folded at 75 octets (section
    3.1), with CRLF line ends. The output depends only on the arguments: UIDs derive from
    the request id and the deadline kind, so importing a newer file updates the events
    instead of duplicating them.

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
        summary = f"{_TITLES[d.kind]}: {d.request_kind} to {d.provider}"
        description = f"{d.note}. Request {d.request_id}. Basis: {d.basis}."
        lines += [
            "BEGIN:VEVENT",
            f"UID:{d.request_id}-{d.kind}@eevidence",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_stamp(d.due)}",
            f"DTEND:{_stamp(d.due + timedelta(minutes=30))}",
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
