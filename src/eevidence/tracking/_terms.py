"""Deadline terms: the periods fixed when a request is tracked, and the article of each;
:func:`terms_for` finds those that apply to a request.

A :class:`Terms` value is stored with a tracked request (its ``facts``), so a later change
of a provider profile or of the shipped legal facts never moves the deadlines of a request
already tracked. Terms stored by earlier releases lack the keys added since; they read back
with the defaults, which give the clocks those releases computed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import astuple, dataclass, replace
from datetime import UTC, datetime
from typing import Any, Final, Literal, assert_never, get_args

from eevidence.errors import ConfigurationError, InputError, Problem
from eevidence.provider import Duration, LawFacts, ProviderProfile
from eevidence.request import Request, is_emergency, kind_spec

__all__ = ["PRESERVATION_CLOCKS", "PreservationClock", "Terms", "terms_for"]

PreservationClock = Literal["provider", "order"]
"""How a preservation runs.

``provider``: from the provider's ``preserved`` event, for ``preservation_days``;
extensions are asked of the provider (``extension_requested``) and granted by it
(``extended``). Provider terms and 18 U.S.C. 2703(f)(2).

``order``: from the addressee's receipt of the order (``received``; until it is recorded,
from the submission, the earliest it can have been received), for ``preservation_days``,
whatever the provider answers; the issuing authority extends it itself
(``preservation_extended``, Annex VI) and ends the expiry by confirming that the subsequent
request for production was issued (``production_request_confirmed``, Annex V): the data
are then kept as long as necessary to produce them. Regulation (EU) 2023/1543 art. 11(1)
and 11(2)."""
PRESERVATION_CLOCKS: Final[tuple[str, ...]] = get_args(PreservationClock)


@dataclass(frozen=True, slots=True)
class Terms:
    """Deadline terms fixed when a request is tracked (``None``: not known or not due).

    Each basis names where its terms come from, with the article for the law (e.g.
    ``Regulation (EU) 2023/1543 art. 10(4)``), so a reminder can tell the investigator why
    it is due.
    """

    preservation_days: int | None = None
    """Days a preservation lasts from the start its clock names (:attr:`preservation_clock`)."""
    extension_days: int | None = None
    """Days an extension adds to the expiry in force."""
    max_extensions: int | None = None
    """How many extensions may be granted (or, for an ``order`` clock, made)."""
    extension_notice_days: int | None = None
    """Days before expiry by which the provider wants an extension request."""
    response_hours: int | None = None
    """Hours from the addressee's receipt (until it is recorded, from submission) by which
    the provider must produce (EU production orders, art. 10)."""
    basis: str = ""
    """Where the preservation or response terms come from, e.g. ``Regulation (EU) 2023/1543
    art. 11(1)``; empty when no term applies (only the acknowledgement reminder)."""
    preservation_clock: PreservationClock = "provider"
    """How the preservation runs (:data:`PreservationClock`)."""
    enforcing_review_hours: int | None = None
    """Hours from the notification of the enforcing authority (sent with the order,
    art. 8(1)) during which it may raise grounds for refusal (art. 12(1))."""
    enforcing_review_basis: str = ""
    """The article of :attr:`enforcing_review_hours`."""
    enforcing_notified_at: datetime | None = None
    """When the enforcing authority was notified, as the order records it
    (``enforcing_authority.notified_at``, UTC); ``None``: counted from the submission, when
    art. 8(1) has the order sent to it."""
    validation_hours: int | None = None
    """Hours from the order's issue (``created_at``) within which an order issued without
    prior validation must be validated ex post (art. 4(5))."""
    validation_basis: str = ""
    """The article of :attr:`validation_hours`."""

    def to_dict(self) -> dict[str, Any]:
        """The terms as a JSON object: one key per attribute, ``null`` when not known."""
        return {
            "preservation_days": self.preservation_days,
            "extension_days": self.extension_days,
            "max_extensions": self.max_extensions,
            "extension_notice_days": self.extension_notice_days,
            "response_hours": self.response_hours,
            "basis": self.basis,
            "preservation_clock": self.preservation_clock,
            "enforcing_review_hours": self.enforcing_review_hours,
            "enforcing_review_basis": self.enforcing_review_basis,
            "enforcing_notified_at": (
                None
                if self.enforcing_notified_at is None
                else self.enforcing_notified_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
            ),
            "validation_hours": self.validation_hours,
            "validation_basis": self.validation_basis,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Terms:
        """The terms of a :meth:`to_dict` object; a missing key takes its default (``None``,
        an empty basis, the ``provider`` clock), as earlier releases stored no such key.

        Raises:
            InputError: ``preservation_clock`` is not a :data:`PreservationClock`, or
                ``enforcing_notified_at`` is not an aware ISO 8601 date-time (stores turn
                it into a ``StoreError``).
        """
        clock = data.get("preservation_clock", "provider")
        if clock not in PRESERVATION_CLOCKS:
            raise InputError(
                f"unknown preservation clock {clock!r}",
                source="terms",
                problems=[Problem("$.preservation_clock", "expected provider or order")],
            )
        return cls(
            preservation_days=data.get("preservation_days"),
            extension_days=data.get("extension_days"),
            max_extensions=data.get("max_extensions"),
            extension_notice_days=data.get("extension_notice_days"),
            response_hours=data.get("response_hours"),
            basis=str(data.get("basis", "")),
            preservation_clock=clock,
            enforcing_review_hours=data.get("enforcing_review_hours"),
            enforcing_review_basis=str(data.get("enforcing_review_basis", "")),
            enforcing_notified_at=_time(data.get("enforcing_notified_at")),
            validation_hours=data.get("validation_hours"),
            validation_basis=str(data.get("validation_basis", "")),
        )


def _time(value: Any) -> datetime | None:
    """``value`` (an aware ISO 8601 date-time or ``None``) as a UTC datetime."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.utcoffset() is None:
            raise ValueError
        return parsed.astimezone(UTC)
    except (TypeError, ValueError, OverflowError):
        raise InputError(
            "enforcing_notified_at is not an aware ISO 8601 date-time",
            source="terms",
            problems=[Problem("$.enforcing_notified_at", "expected an aware date-time")],
        ) from None


# -- the terms of a request, from the law and the profile ------------------------------------

_EU_REGULATION: Final = "Regulation (EU) 2023/1543"
"""How a basis names Regulation (EU) 2023/1543, before the article (``art. 10(4)``)."""


def _eu(ref: str) -> str:
    return f"{_EU_REGULATION} {ref}"


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _days(duration: Duration) -> int:
    """A period of the law in whole days (a preservation is counted in days)."""
    days, rest = divmod(duration.hours, 24)
    if rest:
        raise ConfigurationError(
            f"the legal facts give a preservation period of {duration} ({duration.ref}), "
            "not whole days"
        )
    return days


def terms_for(request: Request, profile: ProviderProfile | None, law: LawFacts) -> Terms:
    """The deadline terms that apply to ``request`` when it is tracked.

    The source is the kinds table's (:attr:`eevidence.request.KindSpec.deadlines`); every
    number and article comes from ``law`` (:class:`eevidence.provider.Duration` and its
    ``ref``):

    * ``eu_art11_preservation``: Reg. (EU) 2023/1543 art. 11(1): ``preservation_days``
      (60) from the addressee's receipt (the ``order`` clock), one extension of
      ``extension_days`` (30) by the issuing authority (Annex VI: "an additional 30-day
      period");
    * ``eu_art10_production``: ``response_hours`` from receipt: 10 days (art. 10(2)), 8
      hours in an emergency (art. 10(4); :func:`eevidence.request.is_emergency`); when the
      order names an ``enforcing_authority`` and gives no ``notification_exception``
      (art. 8(1) and 8(2)), the enforcing authority's ``enforcing_review_hours``: 10 days,
      96 hours in an emergency (art. 12(1)), from its ``notified_at`` when given;
    * both EU sources: an order with ``without_prior_validation`` (art. 4(5)) must be
      validated ex post within ``validation_hours`` (48) of its issue. An EU order dated
      (in its own offset) before the Regulation applies (art. 34(2)) gets no legal terms,
      and its basis says why;
    * ``provider_preservation``: see :func:`_preservation_terms`: the provider's published
      terms for the requester's country, completed by 18 U.S.C. 2703(f)(2) for a US
      requester only;
    * ``acknowledgement``: no terms (only the reminder to chase an answer applies);
    * ``budapest_art29_minimum`` (a preservation through the 24/7 network): Budapest
      Convention art. 29(7), ``preservation_days`` of not less than 60 days from the
      requested Party's ``preserved`` event: the minimum that Party guarantees, so an
      expiry computed from it is never later than the law's; the expiry the Party states
      wins when recorded. Extensions are not counted: once the request for mutual
      assistance is received, the data stay preserved pending a decision on it (art. 29(7));
    * ``mla_execution`` (a request for mutual legal assistance): no terms. No treaty sets
      an execution time and none is recorded per requested State: the execution time is
      unknown, and only the reminder to chase an answer applies.

    Args:
        request: the request.
        profile: the addressee's profile, or ``None`` (the law alone then applies).
        law: the legal facts (:func:`eevidence.provider.law_facts`).

    Returns:
        The terms, each basis naming where they come from (with the article for the law).

    Raises:
        InputError: the request's kind has no row in the kinds table.
        ConfigurationError: ``law`` gives a preservation period that is not whole days.
    """
    eu = law.eu_regulation_2023_1543
    source = kind_spec(request.kind).deadlines
    if source in ("eu_art11_preservation", "eu_art10_production") and (
        request.created_at.date() < eu.applies_from
    ):
        return Terms(
            basis=f"{_eu(eu.applies_from_ref)}: applies from {eu.applies_from.isoformat()}, "
            f"after this order's date ({request.created_at.date().isoformat()})"
        )
    validation: dict[str, Any] = {}
    if getattr(request, "without_prior_validation", None):
        validation = {
            "validation_hours": eu.ex_post_validation.hours,
            "validation_basis": _eu(eu.ex_post_validation.ref),
        }
    match source:
        case "eu_art11_preservation":
            return Terms(
                preservation_days=_days(eu.preservation),
                extension_days=_days(eu.preservation_extension),
                max_extensions=1,  # art. 11(1): "an additional 30-day period"
                basis=_eu(eu.preservation.ref),
                preservation_clock="order",
                **validation,
            )
        case "eu_art10_production":
            emergency = is_emergency(request)
            production = eu.emergency_production if emergency else eu.production
            review = eu.enforcing_review_emergency if emergency else eu.enforcing_review
            enforcing = getattr(request, "enforcing_authority", None)
            notified = enforcing is not None and not getattr(
                request, "notification_exception", None
            )
            return Terms(
                response_hours=production.hours,
                basis=_eu(production.ref),
                enforcing_review_hours=review.hours if notified else None,
                enforcing_review_basis=_eu(review.ref) if notified else "",
                enforcing_notified_at=_utc(getattr(enforcing, "notified_at", None))
                if notified
                else None,
                **validation,
            )
        case "acknowledgement":
            return Terms()
        case "provider_preservation":
            return _preservation_terms(request, profile, law)
        case "budapest_art29_minimum":
            minimum = law.budapest_art29.minimum
            return Terms(
                preservation_days=_days(minimum),
                basis=f"Budapest Convention (CETS 185) {minimum.ref}: not less than "
                f"{minimum}, the minimum the requested Party guarantees (record the expiry "
                "it states)",
            )
        case "mla_execution":
            return Terms()  # no execution time is set by a treaty or recorded for a State
        case _:  # pragma: no cover - mypy proves every source is handled
            assert_never(source)


def _preservation_terms(request: Request, profile: ProviderProfile | None, law: LawFacts) -> Terms:
    """The provider's published preservation terms for the requester, completed by the
    statute only where the statute binds the provider for that requester.

    * 18 U.S.C. 2703(f)(2) (``initial`` days, one ``extension``) obliges a provider "upon
      the request of a governmental entity", which 18 U.S.C. 2711(4) defines as a
      department or agency of the United States or of a State: it completes the profile
      only for a US requester (``authority.country`` ``US`` or a US territory,
      :meth:`~eevidence.provider.LawFacts.is_us_governmental`) whose request rests on
      2703(f). A foreign authority's preservation is honoured on the provider's own
      terms: those it publishes for non-US requesters
      (:meth:`eevidence.provider.ProviderProfile.preservation_terms` of the requester's
      country), else unknown (``preserved`` then needs the provider's stated expiry).
    * Budapest Convention art. 29(7) ("a period not less than sixty days") binds the
      requested Party, which orders the preservation under its own law: it is a minimum
      that State guarantees, not a period the provider announces, so it is never used as
      the provider's period (an expiry computed from it could be earlier or later than
      the provider's real one).
    """
    us = law.us_18_usc_2703f
    country = request.authority.country
    rests_on = {basis.instrument for basis in request.legal_basis}
    statute = Terms(basis="no published terms")
    if (
        us.requesters == "us_governmental_entity"
        and law.is_us_governmental(country)
        and "us_18_usc_2703f" in (rests_on)
    ):
        statute = Terms(
            preservation_days=_days(us.initial),
            extension_days=_days(us.extension),
            max_extensions=us.max_extensions,
            basis=us.initial.ref,
        )
    if profile is None:
        return statute
    published = profile.preservation_terms(country)
    if all(v is None for v in astuple(published)):
        return statute
    # What the provider publishes wins; the statute fills what it does not say.
    merged = Terms(
        preservation_days=_first(published.initial_days, statute.preservation_days),
        extension_days=_first(published.extension_days, statute.extension_days),
        max_extensions=_first(published.max_extensions, statute.max_extensions),
        extension_notice_days=published.extension_notice_days,
    )
    basis = f"provider profile {profile.id}"
    if statute.preservation_days is not None and merged != replace(
        merged,
        preservation_days=published.initial_days,
        extension_days=published.extension_days,
        max_extensions=published.max_extensions,
    ):
        basis += f", completed by {statute.basis}"
    return replace(merged, basis=basis)


def _first(*values: int | None) -> int | None:
    return next((v for v in values if v is not None), None)
