"""What every channel shares: the :class:`SubmissionChannel` interface, the
:class:`SubmissionReceipt` it answers, and the choice of a profile channel for a request."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal, Protocol

from eevidence.errors import InputError
from eevidence.provider import Channel, ProviderProfile
from eevidence.request import Request
from eevidence.submit._answer import ProviderStatus
from eevidence.submit._outgoing import OutgoingPackage
from eevidence.tracking import Tracked

__all__ = [
    "CHANNEL_KINDS",
    "ChannelName",
    "SubmissionChannel",
    "SubmissionReceipt",
    "pick_channel",
]

ChannelName = Literal["api", "email", "portal"]
CHANNEL_KINDS: Final[tuple[ChannelName, ...]] = ("api", "email", "portal")
"""The submission channels, by name."""


@dataclass(frozen=True)
class SubmissionReceipt:
    """What one submission did. ``submitted`` is false for a portal bundle not yet confirmed.

    Attributes:
        channel: the channel used.
        request_id: the request sent.
        package_sha256: the SHA-256 of the package sent (lower-case hex).
        submitted: whether the provider has the package now.
        destination: where it went (a URL, ``mailto:`` address, bundle folder or portal).
        status: what the provider answered (nothing for email and a new portal bundle).
        detail: what the channel adds (``HTTP 201``, the mail's ``Message-ID``...).
        attempts: the attempts made (API retries included).
    """

    channel: ChannelName
    request_id: str
    package_sha256: str
    submitted: bool
    destination: str
    status: ProviderStatus = field(default_factory=ProviderStatus)
    detail: str | None = None
    attempts: int = 1

    def to_dict(self) -> dict[str, Any]:
        """The receipt as JSON-ready values (``status`` as :meth:`ProviderStatus.to_dict`)."""
        return {
            "channel": self.channel,
            "request_id": self.request_id,
            "package_sha256": self.package_sha256,
            "submitted": self.submitted,
            "destination": self.destination,
            "status": self.status.to_dict(),
            "detail": self.detail,
            "attempts": self.attempts,
        }


class SubmissionChannel(Protocol):
    """A way to hand a package to a provider."""

    name: ChannelName

    def submit(self, outgoing: OutgoingPackage, *, now: datetime) -> SubmissionReceipt:
        """Hand ``outgoing`` to the provider at ``now`` (time-zone aware); answer the receipt.

        Implementations raise :class:`~eevidence.errors.SubmissionError` (or a subclass)
        when sending fails, never a transport library's own exception.
        """
        ...


def pick_channel(
    profile: ProviderProfile, request: Request | Tracked, wanted: ChannelName | None = None
) -> Channel:
    """The profile channel to use: the first usable one for the request's kind (or ``wanted``).

    Usable: an ``api`` channel with a URL, an ``email`` channel with an address, a ``portal``
    or ``web_form`` (both served by the portal bundle).

    Args:
        profile: the provider's profile.
        request: the request, or the tracked request (only its kind is read).
        wanted: the channel wanted; ``None``: the first usable one, in profile order
            (channels named for the kind first).

    Returns:
        The profile's channel entry.

    Raises:
        InputError: the profile has no usable channel (of the wanted kind) for the
            request's kind.
    """
    options = profile.channels_for(request.kind)
    for c in options:
        name: ChannelName | None = {
            "api": "api" if c.url else None,
            "email": "email" if c.address else None,
            "portal": "portal",
            "web_form": "portal",
        }.get(c.kind)
        if name is not None and (wanted is None or name == wanted):
            return c
    listed = ", ".join(f"{c.kind} ({c.name})" for c in options) or "none"
    raise InputError(
        f"provider {profile.id} has no usable {wanted or 'api, email or portal'} channel for "
        f"{request.kind} requests (channels: {listed})",
        source=f"provider profile {profile.id}",
    )
