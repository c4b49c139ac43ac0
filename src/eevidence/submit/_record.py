"""Recording what a submission did and what a provider says: receipts and provider statuses
turned into lifecycle events in a tracking store. The only part of submission that writes to
the store."""

from __future__ import annotations

import logging
from datetime import datetime

from eevidence.errors import InputError, LifecycleError
from eevidence.submit._answer import ProviderStatus, events_for
from eevidence.submit._channel import SubmissionReceipt
from eevidence.tracking import Event, Store, Tracked

__all__ = ["apply_status", "record_submission"]

log = logging.getLogger(__name__)


def record_submission(
    store: Store, receipt: SubmissionReceipt, *, now: datetime, actor: str
) -> list[Event]:
    """Record a successful submission: ``submitted``, then what the provider's answer says
    (``acknowledged`` with its reference...). A portal's reference is recorded on the
    ``submitted`` event itself.

    Args:
        store: the tracking store holding the request.
        receipt: what the submission did.
        now: the time of the events (time-zone aware).
        actor: who submitted (recorded on the events).

    Returns:
        The events recorded, in order.

    Raises:
        InputError: the receipt is of a package not submitted yet (a portal bundle).
        UnknownRequestError: the store does not hold the request.
        LifecycleError: the request's state does not allow ``submitted``.
        StoreError: the store cannot be used.
    """
    if not receipt.submitted:
        raise InputError("the package was not submitted yet", source=receipt.destination)
    tracked = store.get(receipt.request_id)
    note = f"via {receipt.channel} to {receipt.destination}"
    first = Event(
        "submitted",
        now,
        actor,
        note=note,
        ref=receipt.status.ref if receipt.channel == "portal" else None,
    )
    tracked = store.record(receipt.request_id, first, now=now)
    recorded = [first]
    if receipt.channel != "portal":
        recorded += apply_status(store, tracked, receipt.status, now=now, actor=actor)
    return recorded


def apply_status(
    store: Store, tracked: Tracked, status: ProviderStatus, *, now: datetime, actor: str
) -> list[Event]:
    """Record what a provider status changes for ``tracked``.

    A status that does not fit the request's state (an older state, a preservation answer
    to a disclosure...) records nothing. A status the lifecycle refuses (``preserved``
    without an expiry when the terms are unknown) is logged and stops there.

    Args:
        store: the tracking store holding the request.
        tracked: the request as it stands.
        status: what the provider says.
        now: the time of the events (time-zone aware).
        actor: who records them.

    Returns:
        The events recorded (before any refused one), in order.

    Raises:
        UnknownRequestError: the store does not hold the request.
        StoreError: the store cannot be used.
    """
    recorded: list[Event] = []
    for event in events_for(tracked, status, at=now, actor=actor, note="provider status"):
        try:
            store.record(tracked.id, event, now=now)
        except LifecycleError as exc:
            # e.g. "preserved" without an expiry while the preservation terms are unknown
            log.warning("provider status %s not recorded for %s: %s", event.name, tracked.id, exc)
            break
        recorded.append(event)
    return recorded
