"""Deadline terms: the periods fixed when a request is tracked, and the article of each.

A :class:`Terms` value is stored with a tracked request (its ``facts``), so a later change
of a provider profile or of the shipped legal facts never moves the deadlines of a request
already tracked. Terms stored by earlier releases lack the keys added since; they read back
with the defaults, which give the clocks those releases computed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal, get_args

from eevidence.errors import InputError, Problem

__all__ = ["PRESERVATION_CLOCKS", "PreservationClock", "Terms"]

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
