"""Drafts: what a message from another system says, in the request format.

A message with no eevidence request document cannot be imported (HI-1 has no field for
the officer, the justification, the language...). :func:`hi1_draft` maps back what HI-1
does carry (format names to identifier types, request types to data categories, the
legal type, task objects, approvers and flags to a row of the kinds table, the desired
expiration to preservation days, the urgency of a request to a State from eevidence's
``UrgencyReason`` flags and the manual information, see :mod:`eevidence.hi1._urgency`) for a
person to complete; ``parse_request`` then names every field still missing.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Final

from eevidence.hi1._dictionaries import CATEGORIES, identifier_of
from eevidence.hi1._kinds import KIND_LINE
from eevidence.hi1._model import ETSI, LOWER_UUID, OURS, Hi1Authorisation, Hi1Message
from eevidence.hi1._urgency import urgency_draft
from eevidence.request import KINDS, KindSpec

__all__ = [
    "hi1_draft",
]

_PROVIDER_ID: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_EMERGENCY_FLAG: Final = (ETSI, "AuthorisationFlag", "IsEmergency")


def _named_kind(auth: Hi1Authorisation | None) -> str | None:
    """The kind named on the first line of the manual information (as eevidence writes it)."""
    text = None if auth is None else auth.manual_information
    first = (text or "").strip().split("\n", 1)[0]
    return first[len(KIND_LINE) :].strip() if first.startswith(KIND_LINE) else None


def _kind(message: Hi1Message) -> tuple[KindSpec | None, str | None]:
    """The row of the kinds table whose HI-1 features the message shows (legal type, task
    objects, approver, emergency flag, and the legal instrument among the row's ``bases``),
    and a note when the message matches several rows (the first in table order is drafted)
    or none."""
    auth = message.authorisations[0] if message.authorisations else None
    legal = None if auth is None else auth.legal_type
    epoc = legal[2] if legal is not None and legal[:2] == (ETSI, "EPOCLegalType") else None
    rows = [row for row in KINDS.values() if epoc is not None and row.hi1_legal_type == epoc]
    if not rows:
        task = "LP" if any(t.kind == "LP" for t in message.tasks) else "LD"
        order = auth is not None and "IssuingAuthority" in auth.approval_types
        unlike = "never" if auth is not None and _EMERGENCY_FLAG in auth.flags else "always"
        rows = [
            row
            for row in KINDS.values()
            if row.hi1_legal_type == "instrument"
            and row.hi1_task == task
            and row.order == order
            and row.emergency != unlike
        ]
        # the legal instrument narrows them: a kind that cannot rest on it is not the one
        instrument = (
            legal[2] if legal is not None and legal[:2] == (OURS, "LegalInstrument") else None
        )
        rows = [row for row in rows if instrument in row.bases] or rows
    named = _named_kind(auth)
    for row in rows:
        if row.kind == named:
            return row, None
    if not rows:
        return None, (
            "no request kind has the legal type, tasks, approver and flags of this message: "
            "set kind"
        )
    if len(rows) > 1:
        kinds = ", ".join(row.kind for row in rows)
        return rows[0], (
            f"the message does not say which of {kinds} it is; drafted as {rows[0].kind}: "
            "check kind"
        )
    return rows[0], None


def _preservation_days(expiration: str, created: str) -> int | None:
    """Whole days from ``created`` to ``expiration`` (ISO 8601 texts), or None."""
    try:
        start = datetime.fromisoformat(created)
        end = datetime.fromisoformat(expiration)
    except ValueError:
        return None
    if (start.utcoffset() is None) != (end.utcoffset() is None):
        return None  # one has a UTC offset, the other none: no duration between them
    days = end - start
    if days.days >= 1 and days == timedelta(days=days.days):
        return days.days
    return None


def hi1_draft(message: Hi1Message) -> tuple[dict[str, object], list[str]]:
    """What an HI-1 message says, in the request format, for a person to complete.

    The kind is the row of the kinds table (:data:`eevidence.request.KINDS`) with the
    message's EPOC legal type; for other legal types, a row whose tasks are those of the
    message (``LP`` or ``LD``), that is an order exactly when an ``IssuingAuthority``
    approves the authorisation, and that can be an emergency when the authorisation has
    the ``IsEmergency`` flag (and need not be one when it has not). Among several rows, the
    kind the manual information names on its first line (``Request kind:``, as eevidence
    writes it), else the first in table order, with a note; with none, no kind. The id, creation
    time, case reference, period and legal instrument come from the first authorisation;
    the provider from the receiver's unique identifier when it is a provider id; the data
    categories from the tasks' ETSI ``RequestType``\\s; one identifier per distinct
    request value whose format has an identifier type, with the task's time window when
    it differs from the authorisation's; and, for a kind whose model has
    ``preservation_days``, when its tasks share one desired expiration, the whole days
    from the authorisation's creation to it; for a kind whose model has ``urgency``, the
    reasons of the authorisation's ``eevidence``/``UrgencyReason`` flags, in order, with the
    explanation and answer time of the manual information's ``URGENT:`` and ``Respond by:``
    lines when they name the same reasons. Nothing is guessed: what cannot be mapped is
    left out.

    Args:
        message: A message read by :func:`read_hi1` (typically from another system).

    Returns:
        The draft (a JSON object, ``schema_version`` 1; ``parse_request`` lists what is
        still missing, such as the requesting authority, justification and language,
        which HI-1 does not carry) and notes naming each request value that has no
        request identifier type (it is left out of the draft), each urgency flag whose
        value no request takes and reasons for urgency the drafted kind cannot hold
        (both left out), and the kinds the message could be when it does not tell them
        apart (``kind`` is left out when no kind of the table matches).
    """
    row, kind_note = _kind(message)
    draft: dict[str, object] = {"schema_version": 1}
    notes: list[str] = []
    if row is not None:
        draft["kind"] = row.kind
    auth = message.authorisations[0] if message.authorisations else None
    if auth is not None:
        if LOWER_UUID.fullmatch(auth.object_id):
            draft["id"] = auth.object_id
        if auth.created:
            draft["created_at"] = auth.created
        if auth.reference:
            draft["case"] = {"reference": auth.reference}
        if auth.start and auth.end:
            draft["period"] = {"start": auth.start, "end": auth.end}
        if auth.legal_type is not None:
            owner, name, value = auth.legal_type
            if (owner, name) == (ETSI, "EPOCLegalType"):
                draft["legal_basis"] = [{"instrument": "eu_2023_1543"}]
            elif (owner, name) == (OURS, "LegalInstrument"):
                draft["legal_basis"] = [{"instrument": value}]
    provider = message.receiver.unique_id
    if _PROVIDER_ID.fullmatch(provider):
        draft["provider"] = provider
    identifiers: list[dict[str, object]] = []
    categories: list[str] = []
    for task in message.tasks:
        if task.request_type is not None and task.request_type[:2] == (ETSI, "RequestType"):
            category = CATEGORIES.get(task.request_type[2])
            if category is not None and category not in categories:
                categories.append(category)
        for owner, name, value in task.values:
            ident = identifier_of(owner, name, value, task.observed)
            if ident is None:
                notes.append(f"task {task.object_id}: no identifier type for {owner}/{name}")
                continue
            if (
                task.start
                and task.end
                and (task.start, task.end)
                != (
                    None if auth is None else auth.start,
                    None if auth is None else auth.end,
                )
            ):
                ident["window"] = {"start": task.start, "end": task.end}
            if ident not in identifiers:
                identifiers.append(ident)
    if identifiers:
        draft["identifiers"] = identifiers
    if categories:
        draft["data"] = {"categories": categories}
    expirations = {t.desired_expiration for t in message.tasks if t.desired_expiration}
    periods = row is not None and "preservation_days" in row.model.model_fields
    if periods and len(expirations) == 1 and auth and auth.created:
        days = _preservation_days(expirations.pop(), auth.created)
        if days is not None:
            draft["preservation_days"] = days
    if auth is not None:
        urgency, urgency_notes = urgency_draft(auth.flags, auth.manual_information)
        notes.extend(urgency_notes)
        if urgency is not None and row is not None and "urgency" in row.model.model_fields:
            draft["urgency"] = urgency
        elif urgency is not None:
            notes.append(
                "the authorisation gives reasons for urgency, and the drafted kind has no "
                "urgency: left out"
            )
    if kind_note is not None:
        notes.append(kind_note)
    return draft, notes
