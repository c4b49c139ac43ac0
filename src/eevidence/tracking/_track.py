"""Tracking a request in a store: the calls the CLI and case systems use.

:func:`start_tracking` builds the tracked record (:meth:`Tracked.from_request`), adds it to
a store and records the custody entry of that act (``request_created``, with the SHA-256
of the request's canonical bytes); :func:`track_request` only adds the record. A request
continues a preservation only when the store tracks it and it was sent to the same
provider. :func:`resolve_id` finds a tracked request by its id or a unique prefix of it.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime
from typing import Final

from eevidence.custody import CustodyEntry, EntrySigner, record
from eevidence.errors import InputError, LifecycleError, UnknownRequestError
from eevidence.provider import LawFacts, ProviderProfile
from eevidence.request import Request, canonical_bytes
from eevidence.tracking._event import as_utc
from eevidence.tracking._lifecycle import Tracked
from eevidence.tracking._start import start_facts
from eevidence.tracking.store._protocol import Store

__all__ = ["MIN_ID_PREFIX", "resolve_id", "start_tracking", "track_request", "tracked_from_request"]

MIN_ID_PREFIX: Final = 4
"""The fewest characters of an id :func:`resolve_id` takes as a prefix."""
_SHOWN: Final = 10


def tracked_from_request(
    request: Request,
    profile: ProviderProfile | None,
    *,
    now: datetime | None = None,
    follows: str | None = None,
    law: LawFacts | None = None,
) -> Tracked:
    """A new tracked request (state ``draft``, no events) with the deadline terms in force:
    :meth:`Tracked.from_request`, with ``now`` optional (when given, it is only checked:
    the shipped legal facts do not change with time).

    Args:
        request: the request to track.
        profile: the addressee's provider profile, or ``None`` when it has none.
        now: the moment tracking starts (aware), or ``None``.
        follows: id of the preservation this request continues (default: the one the
            request names, an extension's ``original_request_id``).
        law: the legal facts (default: the shipped ones).

    Returns:
        The tracked request, to be added to a store (:meth:`eevidence.tracking.Store.add`).

    Raises:
        LifecycleError: ``now`` is naive or out of range, or the request's ``created_at``
            has no UTC equivalent a store can hold (year 1 or 9999 at an offset).
        InputError: the request's kind has no row in the kinds table.
        ConfigurationError: ``law`` is not given and the shipped legal facts cannot be
            loaded.
    """
    as_utc(request.created_at, "the request's created_at")
    return Tracked(**start_facts(request, profile, now=now, follows=follows, law=law))


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

    No custody entry is written: :func:`start_tracking` does both.

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
        LifecycleError: ``now`` is naive, or the terms give an expiry past year 9999; the
            request it continues was sent to another provider (a request to one provider
            cannot continue a preservation held by another: each provider preserves only
            its own data), or is not a preservation.
        UnknownRequestError: ``follows`` names a request the store does not track.
        InputError: the request's kind has no row in the kinds table.
        StoreError: the store refuses the record (already tracked, unusable store).
    """
    tracked = tracked_from_request(request, profile, now=now, follows=follows, law=law)
    if tracked.follows is not None:
        try:
            followed: Tracked | None = store.get(tracked.follows)
        except UnknownRequestError:
            followed = None  # given: the store refuses it below, with its reason
            if follows is None:  # named by the request and not tracked here: nothing to link
                tracked = replace(tracked, follows=None)
        if followed is not None and followed.provider != tracked.provider:
            raise LifecycleError(
                f"this request is addressed to {tracked.provider}, but the request it would "
                f"continue ({followed.id}) went to {followed.provider}: a provider preserves "
                "and discloses only its own data, so a request to one provider cannot follow "
                f"a preservation held by another; track it without "
                f"{'--follows' if follows else 'the link'} (a new request to "
                f"{tracked.provider}), or follow a preservation sent to {tracked.provider}",
                source=tracked.id,
            )
    store.add(tracked)
    return tracked


def start_tracking(
    store: Store,
    request: Request,
    profile: ProviderProfile | None,
    *,
    now: datetime,
    actor: str,
    role: str,
    signer: EntrySigner,
    follows: str | None = None,
    law: LawFacts | None = None,
    note: str | None = None,
) -> tuple[Tracked, CustodyEntry]:
    """Track ``request`` in ``store`` and record that act in the store's custody log.

    The record is :meth:`Tracked.from_request` (emergency flag from the kinds table, terms
    from the law and the profile), added as :func:`track_request` adds it; then a custody
    entry ``request_created`` for ``request/<id>`` is signed by ``signer`` and appended
    (:func:`eevidence.custody.record`), with the SHA-256 of the request's canonical bytes
    (:func:`eevidence.request.canonical_bytes`), so the log shows who started tracking which
    exact request, and when. The actor and role are checked before anything is written; the
    two writes are then made one after the other, so a store that fails between them leaves
    the request tracked without its entry (record it with ``eevidence custody record``).

    Args:
        store: where to keep it (:func:`eevidence.tracking.open_store`).
        request: the request to track.
        profile: the addressee's provider profile, or ``None`` when it has none.
        now: when tracking starts (aware): the terms in force and the entry's time.
        actor: who starts it (a person's name); ``role``: in which capacity.
        signer: signs the custody entry (an :class:`eevidence.crypto.KeySigner`, or any
            :class:`eevidence.custody.EntrySigner`).
        follows: id of the tracked preservation this request continues (see
            :func:`track_request`).
        law: the legal facts (default: the shipped ones).
        note: the entry's note (default: ``tracking started: <kind> to <provider>``).

    Returns:
        ``(tracked, entry)``: the record as added and the custody entry as appended.

    Raises:
        LifecycleError: as for :func:`track_request`.
        UnknownRequestError: ``follows`` names a request the store does not track.
        InputError: the request's kind has no row in the kinds table; ``actor`` or
            ``role`` is empty, or the custody entry is otherwise invalid (a note over the
            entry's limit).
        StoreError: the store refuses the record or the entry.
    """
    for value, what in ((actor, "an actor (who starts tracking)"), (role, "a role")):
        if not value.strip():
            raise InputError(f"the custody entry of the start of tracking needs {what}")
    tracked = track_request(store, request, profile, now=now, follows=follows, law=law)
    entry = record(
        store,
        signer,
        now=now,
        actor=actor,
        role=role,
        action="request_created",
        object_id=f"request/{request.id}",
        object_sha256=hashlib.sha256(canonical_bytes(request)).hexdigest(),
        note=note or f"tracking started: {request.kind} to {request.provider}",
    )
    return tracked, entry


def resolve_id(store: Store, text: str) -> str:
    """The id of the tracked request ``text`` names: its id, or a unique prefix of it.

    A prefix has at least :data:`MIN_ID_PREFIX` characters and is read case-insensitively
    (request ids are lower-case UUIDs), as ``git`` reads abbreviated object names.

    Args:
        store: the store to look in.
        text: a request id, or the first characters of one (``14f4ee5f``).

    Returns:
        The full id.

    Raises:
        UnknownRequestError: no tracked request has that id or prefix (or the prefix is
            shorter than :data:`MIN_ID_PREFIX`).
        InputError: the prefix is ambiguous; the message lists the candidates.
        StoreError: the store failed.
    """
    try:
        return store.get(text).id
    except UnknownRequestError as exc:
        missing = exc
    prefix = text.strip().lower()
    if len(prefix) < MIN_ID_PREFIX:
        raise UnknownRequestError(
            f"no tracked request with this id; an id prefix needs at least {MIN_ID_PREFIX} "
            "characters (list the ids with: eevidence status)",
            source=text,
        ) from None
    found = sorted(t.id for t in store.list_requests() if t.id.lower().startswith(prefix))
    if not found:
        raise missing
    if len(found) > 1:
        shown = ", ".join(found[:_SHOWN])
        more = f" and {len(found) - _SHOWN} more" if len(found) > _SHOWN else ""
        raise InputError(
            f"the id prefix {text!r} matches {len(found)} tracked requests: {shown}{more}; "
            "give more characters",
            source=text,
        )
    return found[0]
