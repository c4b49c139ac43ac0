"""Recording custody entries from commands: who signs, who acts, which keys become trusted.

Entries are signed with ``--key FILE`` (or ``$EEVIDENCE_KEY``; passphrase from
``$EEVIDENCE_PASSPHRASE`` or ``--passphrase-prompt``), else with the workstation's
custody key, created on first use next to the default store. A key this workstation
signs an entry with is recorded in the custody trust configuration when first used (the
workstation key when it is created, or, when no configuration exists yet, when a key made
by an earlier release is first used); a workstation key found beside the store once the
configuration exists is used but never trusted by itself.
"""

from __future__ import annotations

import argparse
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from eevidence._cli._options import ACTOR_ENV, KEY_ENV, ROLE_ENV, actor_of, passphrase_of, user
from eevidence._cli._trust import trust_signer
from eevidence.crypto import KeySigner
from eevidence.custody import (
    WORKSTATION_KEY,
    CustodyAction,
    CustodyEntry,
    load_custody_trust,
    record,
    workstation_signer,
)
from eevidence.tracking import Store, default_store_path

if TYPE_CHECKING:
    from eevidence.request import RequestingAuthority

_log = logging.getLogger(__name__)

__all__ = ["ACTOR_ENV", "KEY_ENV", "ROLE_ENV", "key_dir", "record_for", "signer_for", "user"]


def key_dir() -> Path:
    """Where the workstation custody key lives: beside the default store."""
    return default_store_path().parent


def signer_for(args: argparse.Namespace, *, now: datetime | None = None) -> KeySigner:
    """The signer of custody entries: ``--key``/``$EEVIDENCE_KEY``, else the workstation key.

    With ``now``, the key is recorded in the custody trust configuration as described in
    the module docstring.
    """
    path = getattr(args, "key", None) or os.environ.get(KEY_ENV)
    if path:
        passphrase = passphrase_of(args) if hasattr(args, "passphrase_env") else None
        if passphrase is None and os.environ.get("EEVIDENCE_PASSPHRASE"):
            passphrase = os.environ["EEVIDENCE_PASSPHRASE"].encode()
        signer = KeySigner.from_file(path, passphrase=passphrase)
        if now is not None:
            trust_signer(signer.public_key, now, f"custody entries signed with --key {path}")
        return signer
    folder = key_dir()
    created = not (folder / WORKSTATION_KEY).exists()
    signer = workstation_signer(folder)
    if created and load_custody_trust().exists:
        _log.warning(
            "the workstation custody key was missing from %s: a new one was made and is "
            "trusted from now on; if nobody here deleted the old one, check who can write "
            "that folder ('eevidence custody trust list' shows every key trusted)",
            folder,
        )
    if now is not None and (created or not load_custody_trust().exists):
        why = "created" if created else "adopted: made before the trust configuration existed"
        trust_signer(signer.public_key, now, f"workstation custody key ({why}) {folder}")
    return signer


def record_for(
    args: argparse.Namespace,
    store: Store,
    action: CustodyAction,
    object_id: str,
    *,
    now: datetime,
    object_sha256: str | None = None,
    note: str | None = None,
    location: str | None = None,
    transfer_from: str | None = None,
    transfer_to: str | None = None,
    signer: KeySigner | None = None,
    authority: RequestingAuthority | None = None,
) -> CustodyEntry:
    """Record ``action`` in ``store``'s custody log for a command that just did it.

    The actor is :func:`~eevidence._cli._options.actor_of` ``(args, authority)``: the
    option, the environment, else the officer of ``authority`` (the request's).
    """
    actor, role = actor_of(args, authority)
    return record(
        store,
        signer or signer_for(args, now=now),
        now=now,
        actor=actor,
        role=role,
        action=action,
        object_id=object_id,
        object_sha256=object_sha256,
        location=location,
        transfer_from=transfer_from,
        transfer_to=transfer_to,
        note=note,
    )
