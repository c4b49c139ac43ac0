"""Tracking a request in a store: the one call the CLI and case systems use.

:func:`track_request` builds the tracked record with :func:`tracked_from_request` and adds
it to a store, linking it to the request it continues only when that store tracks it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from eevidence.errors import UnknownRequestError
from eevidence.provider import LawFacts, ProviderProfile
from eevidence.request import Request
from eevidence.tracking._lifecycle import Tracked
from eevidence.tracking._start import tracked_from_request
from eevidence.tracking.store._protocol import Store

__all__ = ["track_request"]


def track_request(
    store: Store,
    request: Request,
    profile: ProviderProfile | None,
    *,
    now: datetime | None = None,
    follows: str | None = None,
    law: LawFacts | None = None,
) -> Tracked:
    """Start tracking ``request`` in ``store`` (state ``draft``) and return the record.

    Args:
        store: where to keep it (:func:`eevidence.tracking.open_store`).
        request: the request to track.
        profile: the addressee's provider profile, or ``None`` when it has none.
        now: the moment tracking starts (aware), as for :func:`tracked_from_request`.
        follows: id of the tracked request this one continues. When ``None``, the request
            it names itself (an extension's ``original_request_id``) is linked if ``store``
            tracks that request, and left unlinked otherwise (an extension of a preservation
            sent from another system).
        law: the legal facts (default: the shipped ones).

    Returns:
        The tracked request, as added.

    Raises:
        LifecycleError: ``now`` is naive, or the terms give an expiry past year 9999.
        UnknownRequestError: ``follows`` names a request the store does not track.
        InputError: the request's kind has no row in the kinds table.
        StoreError: the store refuses the record (already tracked, unusable store).
    """
    tracked = tracked_from_request(request, profile, now=now, follows=follows, law=law)
    if follows is None and tracked.follows is not None:
        try:
            store.get(tracked.follows)
        except UnknownRequestError:  # the original is not tracked here: nothing to link
            tracked = replace(tracked, follows=None)
    store.add(tracked)
    return tracked
