"""One event of a tracked request, and the JSON helpers records share.

An :class:`Event` is what a store keeps, one per row, as JSON (:meth:`Event.to_dict`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from eevidence.errors import InputError, LifecycleError, Problem

__all__ = ["Event", "EventName", "as_utc", "iso", "required", "time_of"]

EventName = Literal[
    "checked",
    "signed",
    "submitted",
    "received",
    "transmitted",
    "validated",
    "acknowledged",
    "preserved",
    "extension_requested",
    "extended",
    "preservation_extended",
    "production_request_confirmed",
    "follow_up_drafted",
    "disclosed",
    "rejected",
    "withdrawn",
    "expired",
    "noted",
]
"""What can be recorded: the state an event leads to, a record event, or ``noted``."""


def as_utc(value: datetime, what: str = "time") -> datetime:
    """``value`` in UTC; a naive datetime is refused (its time zone would be a guess).

    Args:
        value: an aware datetime.
        what: what ``value`` is, for the message (e.g. ``now``, ``event time``).

    Raises:
        LifecycleError: ``value`` has no UTC offset, or it has no UTC equivalent (its UTC
            time would fall before year 1 or after 9999).
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise LifecycleError(f"{what} {value.isoformat()} has no time zone; give one (or Z)")
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise LifecycleError(
            f"{what} {value.isoformat()} has no UTC equivalent (out of range)"
        ) from None


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened to a request: when, who recorded it, and its details."""

    name: EventName
    """What happened (the state it leads to, or ``noted``)."""
    at: datetime
    """When it happened (aware; stored in UTC)."""
    actor: str
    """Who recorded it."""
    note: str | None = None
    """A free-text note (at most 2000 characters)."""
    ref: str | None = None
    """The provider's reference number for the request, when the provider gave one."""
    expires: datetime | None = None
    """Expiry of a preservation (``preserved``, ``extended``)."""
    reason: str | None = None
    """Why the provider refused (``rejected``)."""
    partial: bool = False
    """Only part of the data was disclosed (``disclosed``)."""
    due: datetime | None = None
    """The latest moment to dispatch the drafted follow-up request (``follow_up_drafted``)."""

    def to_dict(self) -> dict[str, Any]:
        """The event as a JSON object: ``event``, ``at`` (RFC 3339, UTC, ``Z``), ``actor``,
        ``note``, ``ref``, ``expires`` (RFC 3339 or ``null``), ``reason``, ``partial``, and
        ``due`` (RFC 3339) when the event has one."""
        return {
            "event": self.name,
            "at": iso(self.at),
            "actor": self.actor,
            "note": self.note,
            "ref": self.ref,
            "expires": iso(self.expires) if self.expires else None,
            "reason": self.reason,
            "partial": self.partial,
            **({"due": iso(self.due)} if self.due else {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Event:
        """The event of a :meth:`to_dict` object (as a store keeps it).

        Raises:
            InputError: ``event``, ``at`` or ``actor`` is missing, or a time is not an ISO
                8601 date-time (stores turn it into a ``StoreError``).
        """
        expires, due = data.get("expires"), data.get("due")
        return cls(
            name=required(data, "event", "event"),
            at=time_of(required(data, "at", "event"), "at", "event"),
            actor=required(data, "actor", "event"),
            note=data.get("note"),
            ref=data.get("ref"),
            expires=time_of(expires, "expires", "event") if expires else None,
            reason=data.get("reason"),
            partial=bool(data.get("partial", False)),
            due=time_of(due, "due", "event") if due else None,
        )


def required(data: Mapping[str, Any], key: str, what: str) -> Any:
    """``data[key]``, or an :class:`InputError` naming the missing field."""
    try:
        return data[key]
    except KeyError:
        raise InputError(
            f"required field {key!r} is missing",
            source=what,
            problems=[Problem(f"$.{key}", "required field is missing")],
        ) from None


def time_of(value: Any, key: str, what: str) -> datetime:
    """``value`` read as an ISO 8601 date-time, or an :class:`InputError` naming ``key``."""
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise InputError(
            f"{key} is not an ISO 8601 date-time",
            source=what,
            problems=[Problem(f"$.{key}", "expected an ISO 8601 date-time")],
        ) from None


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
