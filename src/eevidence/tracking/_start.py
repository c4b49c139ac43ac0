"""Starting to track a request: its fixed facts and the deadline terms in force.

Pure: a request, the addressee's profile and the legal facts in; the facts of a new
:class:`~eevidence.tracking.Tracked` (:meth:`~eevidence.tracking.Tracked.from_request`
builds it from them) out. The emergency flag comes from the kinds table
(:func:`eevidence.request.is_emergency`), the terms from :func:`terms_for`, the request it
follows from the request itself when it names one (:func:`followed_id`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from eevidence.provider import LawFacts, ProviderProfile, law_facts
from eevidence.request import Request, is_emergency
from eevidence.tracking._event import as_utc
from eevidence.tracking._terms import terms_for

__all__ = ["FOLLOWS_FIELDS", "followed_id", "start_facts"]

FOLLOWS_FIELDS: Final = ("original_request_id",)
"""Request fields that name the request this one continues, by the name every model that
has them uses: ``original_request_id`` (the preservation an extension extends)."""


def followed_id(request: Request) -> str | None:
    """The id of the request ``request`` says it continues (its ``original_request_id``,
    or another of :data:`FOLLOWS_FIELDS`), or ``None`` when it names none."""
    for name in FOLLOWS_FIELDS:
        value = getattr(request, name, None)
        if isinstance(value, str) and value:
            return value
    return None


def start_facts(
    request: Request,
    profile: ProviderProfile | None,
    *,
    now: datetime | None = None,
    follows: str | None = None,
    law: LawFacts | None = None,
) -> dict[str, Any]:
    """The facts of a new tracked request, as keyword arguments of
    :class:`~eevidence.tracking.Tracked` (no events: state ``draft``).

    The facts are copied from ``request`` (id, kind, provider, the requesting authority's
    country, ``created_at``, the case reference); ``emergency`` is set as the kinds table says
    (:func:`eevidence.request.is_emergency`: always for ``emergency_disclosure``, for an
    ``eu_production_order`` with ``emergency`` details); the terms are fixed now by
    :func:`~eevidence.tracking.terms_for` (Regulation (EU) 2023/1543 arts. 4(5), 10, 11
    and 12(1); the provider's published preservation terms for the requester's country;
    18 U.S.C. 2703(f)(2) for a US requester only), so later changes of a profile do not
    move the deadlines of a request already tracked.

    Args:
        request: the request to track.
        profile: the addressee's provider profile, or ``None`` when it has none (the terms
            then come from the law only).
        now: the moment tracking starts (aware); the terms are those in force then. The
            shipped legal facts do not change with time, so it is only checked.
        follows: id of the preservation this request continues (a disclosure, an EU
            production order or an extension following a preservation); when ``None``,
            the one the request names itself (``original_request_id`` of an extension,
            whatever its kind), if any. A store only adds a follow-up whose preservation
            it holds (:meth:`eevidence.tracking.Store.add`).
        law: the legal facts (default: the shipped ones, :func:`eevidence.provider.law_facts`).

    Returns:
        ``id``, ``kind``, ``provider``, ``country``, ``created_at``, ``emergency``,
        ``terms``, ``follows``, ``case_reference``, ``requested_state`` (the requested
        authority's country, for a request addressed to a State) and ``terrorism_related``.

    Raises:
        LifecycleError: ``now`` is naive (it has no UTC offset) or out of range.
        InputError: the request's kind has no row in the kinds table
            (:data:`eevidence.request.KINDS`).
        ConfigurationError: ``law`` is not given and the shipped legal facts cannot be
            loaded (a broken installation), or they give a preservation period that is not
            whole days.
    """
    if now is not None:
        as_utc(now, "now")
    return {
        "id": request.id,
        "kind": request.kind,
        "provider": request.provider,
        "country": request.authority.country,
        "created_at": request.created_at,
        "emergency": is_emergency(request),
        "terms": terms_for(request, profile, law or law_facts()),
        "follows": follows if follows is not None else followed_id(request),
        "case_reference": request.case.reference,
        "requested_state": _requested_state(request),
        "terrorism_related": bool(request.case.terrorism_related),
    }


def _requested_state(request: Request) -> str | None:
    """The requested State of a request addressed to a State (its requested authority's
    country), else ``None``."""
    authority = getattr(request, "requested_authority", None)
    country = getattr(authority, "country", None)
    return country if isinstance(country, str) else None
