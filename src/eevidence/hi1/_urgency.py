"""The urgency of a request addressed to a State, in HI-1 and back.

A request whose model has an ``urgency`` (the State-to-State kinds: ``mla_request``,
``preservation_24_7``; read by field name, so any kind with the same field is exported
alike) carries it in its ``AuthorisationObject`` (TS 103 120 clause 7.2) where the schema
has a place for it, and in words where it has none:

* ``AuthorisationPriority``: ``eevidence``/``RequestPriority``/``Urgent``. ETSI defines a
  priority dictionary only for EU orders (``EPOCPriority``, the deadlines of Reg. (EU)
  2023/1543 art. 10), which an EU production order keeps: a kind with those deadlines
  never gets this entry;
* one ``AuthorisationFlag`` per reason, in the request's order, after the ETSI flags:
  ``eevidence``/``UrgencyReason``/``terrorism`` (``preservation_expiring``,
  ``threat_to_life``, ``person_in_custody``, ``trial_date``, ``other``). ETSI's
  ``AuthorisationFlag`` dictionary has ``IsEmergency``, which marks a kind's emergency
  procedure (Reg. (EU) 2023/1543 art. 10(4), 18 U.S.C. 2702(b)(8)) and is not written for
  an urgent request: the kinds table says these kinds are never emergencies, and drafts
  tell kinds apart by that flag;
* ``AuthorisationManualInformation``, right after its first line: ``URGENT: terrorism;
  preservation_expiring: <explanation>``, then ``Respond by: <date-time>`` when the request
  gives one. TS 103 120 V1.15.1 has no element for a desired answer time (the
  authorisation's timespan is the period of the data; a task's desired preservation
  expiration is how long to keep it), so the deadline travels in words, in UTC and whole
  seconds like every HI-1 date-time.

Import of an eevidence message needs nothing more: it re-derives these values from the
embedded request and refuses a message that says otherwise. A draft
(:func:`~eevidence.hi1.hi1_draft`) reads them back: the reasons from the flags, the
explanation and the answer time from the manual information.
"""

from __future__ import annotations

import re
import typing
from typing import Final

from eevidence.hi1._model import OURS, DictEntry
from eevidence.hi1._xml import qualified_time
from eevidence.request import Request, Urgency

__all__ = [
    "REASON_FLAG",
    "RESPOND_BY_LINE",
    "URGENT_LINE",
    "URGENT_PRIORITY",
    "urgency_draft",
    "urgency_flags",
    "urgency_lines",
    "urgency_of",
]

URGENT_PRIORITY: Final[DictEntry] = (OURS, "RequestPriority", "Urgent")
"""``AuthorisationPriority`` of an urgent request whose kind has no EPOC priority."""
REASON_FLAG: Final = (OURS, "UrgencyReason")
"""Owner and name of the ``AuthorisationFlag`` entries that give the reasons for urgency."""
URGENT_LINE: Final = "URGENT: "
"""How the manual information's line on urgency starts: the reasons (``; `` between
them), ``: ``, the explanation (which may run over several lines)."""
RESPOND_BY_LINE: Final = "Respond by: "
"""How the manual information's line with the answer time starts (after the explanation)."""
_NEXT_LINE: Final = "\nRequesting authority: "
"""The line the export writes after urgency (drafts read the explanation up to it)."""
_TIME: Final = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def urgency_of(request: Request) -> Urgency | None:
    """The request's ``urgency`` when its model has one and it is set, else None."""
    urgency = getattr(request, "urgency", None)
    return urgency if isinstance(urgency, Urgency) else None


def urgency_flags(urgency: Urgency) -> list[DictEntry]:
    """One ``AuthorisationFlag`` (``eevidence``/``UrgencyReason``) per reason, in order."""
    return [(*REASON_FLAG, reason) for reason in urgency.reasons]


def urgency_lines(urgency: Urgency) -> list[str]:
    """The manual information's lines on urgency: the reasons with the explanation, then
    the answer time (UTC, whole seconds) when there is one.

    Raises:
        Hi1Error: ``respond_by`` has no UTC equivalent (out of the datetime range).
    """
    lines = [f"{URGENT_LINE}{'; '.join(urgency.reasons)}: {urgency.explanation}"]
    if urgency.respond_by is not None:
        lines.append(RESPOND_BY_LINE + qualified_time(urgency.respond_by))
    return lines


def _reasons() -> tuple[str, ...]:
    """The reasons a request's ``urgency`` accepts (read from the model, never copied)."""
    annotation = Urgency.model_fields["reasons"].annotation
    (literal, *_) = typing.get_args(annotation)
    return tuple(str(r) for r in typing.get_args(literal))


def _words(manual: str, reasons: list[str]) -> tuple[str | None, str | None]:
    """(explanation, respond_by) from the manual information eevidence writes, when its
    line on urgency names exactly ``reasons``; (None, None) otherwise."""
    start = manual.find("\n" + URGENT_LINE)
    if start < 0:
        return None, None
    block = manual[start + 1 + len(URGENT_LINE) :]
    end = block.find(_NEXT_LINE)
    block = block if end < 0 else block[:end]
    named, sep, rest = block.partition(": ")
    if not sep or named.split("; ") != reasons:
        return None, None
    explanation, sep, when = rest.rpartition("\n" + RESPOND_BY_LINE)
    if not sep or not _TIME.fullmatch(when):
        explanation, when = rest, ""
    explanation = explanation.strip()
    return explanation or None, when or None


def urgency_draft(
    flags: tuple[DictEntry, ...], manual: str | None
) -> tuple[dict[str, object] | None, list[str]]:
    """The ``urgency`` of a draft from an authorisation's flags and manual information.

    Args:
        flags: The authorisation's ``AuthorisationFlag`` entries; those of
            ``eevidence``/``UrgencyReason`` give the reasons, in order.
        manual: Its ``AuthorisationManualInformation``: the explanation and the answer
            time are read from the lines eevidence writes (see the module), when they name
            the same reasons.

    Returns:
        The urgency (None when no flag gives a reason) and notes naming each flag value
        that is no reason a request accepts (it is left out).
    """
    accepted = _reasons()
    reasons: list[str] = []
    notes: list[str] = []
    for owner, name, value in flags:
        if (owner, name) != REASON_FLAG:
            continue
        if value not in accepted:
            notes.append(f"urgency reason {value!r} is not one a request takes: left out")
        elif value not in reasons:
            reasons.append(value)
    if not reasons:
        return None, notes
    urgency: dict[str, object] = {"reasons": reasons}
    explanation, respond_by = _words(manual or "", reasons)
    if explanation is not None:
        urgency["explanation"] = explanation
    if respond_by is not None:
        urgency["respond_by"] = respond_by
    return urgency, notes
