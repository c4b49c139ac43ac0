"""Drafts: what a message from another system says, in the request format.

A message with no eevidence request document cannot be imported (HI-1 has no field for
the officer, the justification, the language...). :func:`hi1_draft` maps back what HI-1
does carry (format names to identifier types, request types to data categories, EPOC
legal types and flags to a kind, the desired expiration to preservation days) for a
person to complete; ``parse_request`` then names every field still missing.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Final

from eevidence.hi1._dictionaries import CATEGORIES, identifier_of
from eevidence.hi1._kinds import EPOC_LEGAL_TYPES
from eevidence.hi1._model import ETSI, LOWER_UUID, OURS, Hi1Message

__all__ = [
    "hi1_draft",
]

_EPOC_KINDS: Final = {v: k for k, v in EPOC_LEGAL_TYPES.items()}
_PROVIDER_ID: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


def _kind(message: Hi1Message) -> str:
    legal = message.authorisations[0].legal_type if message.authorisations else None
    epoc = None if legal is None else _EPOC_KINDS.get(legal)
    if epoc is not None:
        return epoc
    if any(t.kind == "LP" for t in message.tasks):
        return "preservation"
    flags = message.authorisations[0].flags if message.authorisations else ()
    if (ETSI, "AuthorisationFlag", "IsEmergency") in flags:
        return "emergency_disclosure"
    return "voluntary_disclosure"


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

    The kind comes from the EPOC legal type, then from the task objects (``LP`` tasks:
    preservation) and the ``IsEmergency`` flag; the id, creation time, case reference,
    period and legal instrument from the first authorisation; the provider from the
    receiver's unique identifier when it is a provider id; the data categories from the
    tasks' ETSI ``RequestType``\\s; one identifier per distinct request value whose format
    has an identifier type, with the task's time window when it differs from the
    authorisation's; and, for a preservation whose tasks share one desired expiration,
    the whole days from the authorisation's creation to it. Nothing is guessed: what
    cannot be mapped is left out.

    Args:
        message: A message read by :func:`read_hi1` (typically from another system).

    Returns:
        The draft (a JSON object, ``schema_version`` 1; ``parse_request`` lists what is
        still missing, such as the requesting authority, justification and language,
        which HI-1 does not carry) and notes naming each request value that has no
        request identifier type (it is left out of the draft).
    """
    draft: dict[str, object] = {"schema_version": 1, "kind": _kind(message)}
    notes: list[str] = []
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
    if draft["kind"] == "preservation" and len(expirations) == 1 and auth and auth.created:
        days = _preservation_days(expirations.pop(), auth.created)
        if days is not None:
            draft["preservation_days"] = days
    return draft, notes
