"""Recording custody entries from commands: who signs, who acts.

Entries are signed with ``--key FILE`` (or ``$EEVIDENCE_KEY``; passphrase from
``$EEVIDENCE_PASSPHRASE`` or ``--passphrase-prompt``), else with the workstation's
custody key, created on first use next to the default store.
"""

from __future__ import annotations

import argparse
import getpass
import os
from datetime import datetime
from pathlib import Path

from eevidence._cli._package import _passphrase
from eevidence.crypto import KeySigner
from eevidence.custody import CustodyAction, CustodyEntry, record, workstation_signer
from eevidence.tracking import Store, default_store_path

__all__ = ["ACTOR_ENV", "KEY_ENV", "ROLE_ENV", "key_dir", "record_for", "signer_for", "user"]

KEY_ENV = "EEVIDENCE_KEY"
ACTOR_ENV = "EEVIDENCE_ACTOR"
ROLE_ENV = "EEVIDENCE_ROLE"


def user() -> str:
    """The operating system's name for the current user."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in this environment
        return "unknown"


def key_dir() -> Path:
    return default_store_path().parent


def signer_for(args: argparse.Namespace) -> KeySigner:
    path = getattr(args, "key", None) or os.environ.get(KEY_ENV)
    if path:
        passphrase = _passphrase(args) if hasattr(args, "passphrase_env") else None
        if passphrase is None and os.environ.get("EEVIDENCE_PASSPHRASE"):
            passphrase = os.environ["EEVIDENCE_PASSPHRASE"].encode()
        return KeySigner.from_file(path, passphrase=passphrase)
    return workstation_signer(key_dir())


def _actor(args: argparse.Namespace) -> tuple[str, str]:
    actor = getattr(args, "actor", None) or os.environ.get(ACTOR_ENV) or user()
    role = getattr(args, "role", None) or os.environ.get(ROLE_ENV) or "user"
    return actor, role


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
    actor, role = _actor(args)
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
