"""One view per case: every tracked request of a case, whatever its kind and addressee.

Pure: tracked requests (and, where at hand, the request documents themselves) and ``now`` in,
a :class:`CaseView` out. A tracking store keeps each request's facts and history, not its
content, so the identifiers are cross-referenced from the request documents given (a folder
of request files): a document counts for a tracked request only when its id is that request's
and, where the custody log recorded the SHA-256 of the request when tracking started, when its
canonical bytes have that digest.

An identifier named by two or more requests is *shared* (a preservation and the request that
follows it name the same account, as they should); it is flagged *duplicate* when two requests
of the same kind to the same addressee name it (the same data asked twice).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from eevidence.errors import InputError
from eevidence.request import Request
from eevidence.tracking import PRESERVATION_KINDS, Deadline, Tracked, as_utc, deadlines_of

__all__ = [
    "LAPSING_DAYS",
    "CaseRequest",
    "CaseView",
    "IdentifierUse",
    "case_view",
]

LAPSING_DAYS: Final = 14
"""A preservation expiring within this many days marks its case's view urgent."""


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class CaseRequest:
    """One request of the case: its record, next deadline, references and identifiers."""

    tracked: Tracked
    next_deadline: Deadline | None
    references: tuple[str, ...]
    """Every reference the addressee gave (provider ticket, central authority's number), in
    the order recorded."""
    identifiers: tuple[tuple[str, str], ...] | None
    """``(type, value)`` of each identifier, or ``None`` when no request document was at hand."""
    urgent: str | None
    """Why the request is urgent (an emergency, a terrorism case, a preservation about to
    lapse, a follow-up to dispatch soon), or ``None``."""
    addressee: str | None = None
    """For a request addressed to a State: its requested authority (``US central_authority:
    name``) when the request document is at hand; ``None`` otherwise."""

    def to_dict(self, now: datetime) -> dict[str, Any]:
        """The request as a JSON object (``id``, ``kind``, ``addressee`` (the provider, or for
        a request to a State its requested authority when known), ``provider``, ``state``,
        ``stage`` (:attr:`~eevidence.tracking.Tracked.stage`), ``requested_state``,
        ``follows``, ``references``, ``expires``, ``next_deadline``, ``identifiers``,
        ``urgent``)."""
        t = self.tracked
        return {
            "id": t.id,
            "kind": t.kind,
            "addressee": self.addressee or t.provider,
            "provider": t.provider,
            "requested_state": t.requested_state,
            "state": t.state,
            "stage": t.stage,
            "created_at": _iso(t.created_at),
            "follows": t.follows,
            "references": list(self.references),
            "expires": _iso(t.expires),
            "next_deadline": None
            if self.next_deadline is None
            else self.next_deadline.to_dict(now),
            "identifiers": None
            if self.identifiers is None
            else [{"type": k, "value": v} for k, v in self.identifiers],
            "urgent": self.urgent,
        }


@dataclass(frozen=True, slots=True)
class IdentifierUse:
    """Which requests of the case name one identifier."""

    type: str
    value: str
    request_ids: tuple[str, ...]
    duplicate_of: tuple[tuple[str, str], ...]
    """Pairs of requests of the same kind to the same addressee that both name it."""

    def to_dict(self) -> dict[str, Any]:
        """``type``, ``value``, ``requests``, ``shared`` and ``duplicate`` (with the pairs)."""
        return {
            "type": self.type,
            "value": self.value,
            "requests": list(self.request_ids),
            "shared": len(self.request_ids) > 1,
            "duplicate": bool(self.duplicate_of),
            "duplicate_pairs": [list(p) for p in self.duplicate_of],
        }


@dataclass(frozen=True, slots=True)
class CaseView:
    """Every tracked request of one case, oldest first, with identifiers cross-referenced."""

    reference: str
    now: datetime
    requests: tuple[CaseRequest, ...]
    identifiers: tuple[IdentifierUse, ...]
    missing_documents: tuple[str, ...]
    """Ids of requests whose document was not at hand (their identifiers are unknown)."""

    @property
    def urgent(self) -> tuple[str, ...]:
        """``"<id>: <reason>"`` for every urgent request."""
        return tuple(f"{r.tracked.id}: {r.urgent}" for r in self.requests if r.urgent)

    def to_dict(self) -> dict[str, Any]:
        """The view as a JSON object: what ``eevidence case show --json`` prints."""
        due = [r.next_deadline for r in self.requests if r.next_deadline is not None]
        first = min(due, key=lambda d: d.due) if due else None
        return {
            "case_reference": self.reference,
            "as_of": _iso(self.now),
            "requests": [r.to_dict(self.now) for r in self.requests],
            "next_deadline": None if first is None else first.to_dict(self.now),
            "identifiers": [i.to_dict() for i in self.identifiers],
            "duplicates": sum(1 for i in self.identifiers if i.duplicate_of),
            "missing_documents": list(self.missing_documents),
            "urgent": list(self.urgent),
        }


def _references(t: Tracked) -> tuple[str, ...]:
    return tuple(dict.fromkeys(e.ref for e in t.events if e.ref))


def _urgent(t: Tracked, now: datetime, doc: Request | None) -> str | None:
    """Why ``t`` is urgent, every reason joined by ``; ``, or ``None``."""
    if t.terminal:
        return None
    reasons = []
    if t.emergency:
        reasons.append("emergency request")
    if t.terrorism_related or (doc is not None and doc.case.terrorism_related):
        reasons.append("terrorism case")
    expires = t.expires
    if t.kind in PRESERVATION_KINDS and expires is not None:
        left = expires - now
        if left < timedelta(0):
            reasons.append(f"preservation expired on {_iso(expires)}")
        elif left <= timedelta(days=LAPSING_DAYS):
            reasons.append(f"preservation lapses on {_iso(expires)} (within {LAPSING_DAYS} days)")
    dispatch = t.follow_up_due
    if dispatch is not None and dispatch - now <= timedelta(days=LAPSING_DAYS):
        reasons.append(f"the follow-up request must leave by {_iso(dispatch)}")
    return "; ".join(reasons) or None


def _addressee(doc: Request | None) -> str | None:
    """The requested authority of a request addressed to a State, for people."""
    authority = getattr(doc, "requested_authority", None)
    if authority is None:
        return None
    name = getattr(authority, "name", None)
    head = f"{authority.country} {authority.capacity}"
    return f"{head}: {name}" if name else head


def _key(identifier: Any) -> tuple[str, str]:
    return str(identifier.type), str(identifier.value)


def case_view(
    tracked: Iterable[Tracked],
    reference: str,
    *,
    now: datetime,
    documents: Mapping[str, Request] | None = None,
) -> CaseView:
    """The view of case ``reference``: the tracked requests whose ``case_reference`` is it.

    Args:
        tracked: Tracked requests (a store's :meth:`~eevidence.tracking.Store.list_requests`);
            those of other cases are left out.
        reference: The case reference, compared exactly after trimming surrounding spaces.
        now: The current time (aware): next deadlines, overdue flags and urgency.
        documents: Request documents by request id, already checked to be the tracked
            requests (see the module docstring); their identifiers are cross-referenced.

    Returns:
        The view, requests oldest first.

    Raises:
        InputError: ``reference`` is empty, or no tracked request belongs to that case.
        LifecycleError: ``now`` is naive.
    """
    now = as_utc(now, "now")
    ref = reference.strip()
    if not ref:
        raise InputError("a case reference is needed")
    docs = documents or {}
    everything = list(tracked)
    mine = sorted(
        (t for t in everything if (t.case_reference or "").strip() == ref),
        key=lambda t: (t.created_at, t.id),
    )
    if not mine:
        known = sorted({t.case_reference for t in everything if t.case_reference})
        shown = ", ".join(known[:10]) + (" ..." if len(known) > 10 else "")
        raise InputError(
            f"no tracked request belongs to case {ref!r}"
            + (f"; tracked cases: {shown}" if known else "; nothing is tracked"),
            source=ref,
        )
    rows: list[CaseRequest] = []
    uses: dict[tuple[str, str], list[Tracked]] = {}
    followers: dict[str, list[Tracked]] = {}
    for t in everything:
        if t.follows:
            followers.setdefault(t.follows, []).append(t)
    for t in mine:
        due = deadlines_of(t, followers=followers.get(t.id, ()))
        doc = docs.get(t.id)
        idents = None if doc is None else tuple(dict.fromkeys(_key(i) for i in doc.identifiers))
        for key in idents or ():
            uses.setdefault(key, []).append(t)
        rows.append(
            CaseRequest(
                tracked=t,
                next_deadline=min(due, key=lambda d: d.due) if due else None,
                references=_references(t),
                identifiers=idents,
                urgent=_urgent(t, now, doc),
                addressee=_addressee(doc)
                or (f"{t.requested_state} (requested State)" if t.requested_state else None),
            )
        )
    crossed = []
    for (kind, value), users in sorted(uses.items()):
        pairs = tuple(
            (a.id, b.id)
            for i, a in enumerate(users)
            for b in users[i + 1 :]
            if a.kind == b.kind and a.provider == b.provider
        )
        crossed.append(IdentifierUse(kind, value, tuple(u.id for u in users), pairs))
    return CaseView(
        reference=ref,
        now=now,
        requests=tuple(rows),
        identifiers=tuple(crossed),
        missing_documents=tuple(r.tracked.id for r in rows if r.identifiers is None),
    )
