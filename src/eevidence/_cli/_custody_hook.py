"""Recording custody entries from commands: who signs, who acts.

Entries are signed with ``--key FILE`` (or ``$EEVIDENCE_KEY``; passphrase from
``$EEVIDENCE_PASSPHRASE`` or ``--passphrase-prompt``), else with the workstation's
custody key, created on first use next to the default store.
"""

from __future__ import annotations

import argparse
import os
from datetime import datetime
from pathlib import Path

from eevidence._cli._options import ACTOR_ENV, KEY_ENV, ROLE_ENV, actor_of, passphrase_of, user
from eevidence.crypto import KeySigner
from eevidence.custody import CustodyAction, CustodyEntry, record, workstation_signer
from eevidence.tracking import Store, default_store_path

__all__ = ["ACTOR_ENV", "KEY_ENV", "ROLE_ENV", "key_dir", "record_for", "signer_for", "user"]


def key_dir() -> Path:
    """Where the workstation custody key lives: beside the default store."""
    return default_store_path().parent


def signer_for(args: argparse.Namespace) -> KeySigner:
    """The signer of custody entries: ``--key``/``$EEVIDENCE_KEY``, else the workstation key."""
    path = getattr(args, "key", None) or os.environ.get(KEY_ENV)
    if path:
        passphrase = passphrase_of(args) if hasattr(args, "passphrase_env") else None
        if passphrase is None and os.environ.get("EEVIDENCE_PASSPHRASE"):
            passphrase = os.environ["EEVIDENCE_PASSPHRASE"].encode()
        return KeySigner.from_file(path, passphrase=passphrase)
    return workstation_signer(key_dir())


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
) -> CustodyEntry:
    """Record ``action`` in ``store``'s custody log for a command that just did it."""
    actor, role = actor_of(args)
    return record(
        store,
        signer or signer_for(args),
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
