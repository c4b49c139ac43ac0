"""Builders for directory and intake tests: keys, a two-authority directory, packages."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from eevidence.crypto import (
    Envelope,
    KeySigner,
    PublicKey,
    generate_private_key,
    key_id,
    public_key_pem,
    write_key_pair,
)
from eevidence.directory import (
    Authority,
    Directory,
    DirectoryKey,
    KeyRole,
    Revocation,
    edit_directory,
    init_directory,
    sign_directory,
)
from eevidence.package import build_package
from eevidence.request import parse_request
from tests.helpers import example_doc

ISSUED = datetime(2026, 1, 1, tzinfo=UTC)
"""When the test directories are issued (valid 365 days)."""
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
"""The intake time: after the emergency example's creation (2026-11-21T02:12:00Z)."""
NOW_TEXT = "2026-11-21T10:00:00Z"
CREATED = datetime(2026, 11, 21, 2, 12, tzinfo=UTC)
"""``created_at`` of the emergency example, in UTC."""
FR_CALLBACK = "+33140000000"
DE_CALLBACK = "+49611550"
REQUEST_PHONE = "+33140000001"
"""The officer's own number in the emergency example (never the number to call back)."""


def signer() -> KeySigner:
    """A fresh Ed25519 signer (fast)."""
    return KeySigner(generate_private_key())


def key_files(folder: Path, name: str) -> tuple[KeySigner, Path, Path]:
    """A fresh key written as ``NAME.pem`` (private) and ``NAME.pub`` (public) in ``folder``."""
    key = generate_private_key()
    priv, pub = folder / f"{name}.pem", folder / f"{name}.pub"
    write_key_pair(key, priv, pub)
    return KeySigner(key), priv, pub


def key_entry(
    public: PublicKey,
    *,
    roles: Sequence[KeyRole] = ("requests", "emergency"),
    valid_from: datetime = ISSUED,
    valid_until: datetime | None = None,
    revoked: Revocation | None = None,
) -> DirectoryKey:
    """A directory entry for ``public``."""
    return DirectoryKey(
        keyid=key_id(public),
        public_key=public_key_pem(public).decode("ascii"),
        valid_from=valid_from,
        valid_until=valid_until,
        roles=tuple(roles),
        revoked=revoked,
    )


def fr_authority(*keys: DirectoryKey, domains: Sequence[str] = ("police.example.fr",)) -> Authority:
    """The French police authority the emergency example names."""
    return Authority(
        id="fr-pj",
        name="Police Judiciaire",
        country="FR",
        kind="police",
        domains=tuple(domains),
        callback=FR_CALLBACK,
        keys=keys,
    )


def de_authority(*keys: DirectoryKey) -> Authority:
    """A German authority (another country, other domains)."""
    return Authority(
        id="de-bka",
        name="Bundeskriminalamt",
        country="DE",
        kind="police",
        domains=("bka.example.de",),
        callback=DE_CALLBACK,
        keys=keys,
    )


def add_authorities(*authorities: Authority) -> Callable[[Directory], Directory]:
    """An edit that appends ``authorities``."""

    def change(d: Directory) -> Directory:
        return d.model_copy(update={"authorities": (*d.authorities, *authorities)})

    return change


def replace_authority(new: Authority) -> Callable[[Directory], Directory]:
    """An edit that replaces the authority with ``new.id``."""

    def change(d: Directory) -> Directory:
        return d.model_copy(
            update={"authorities": tuple(new if a.id == new.id else a for a in d.authorities)}
        )

    return change


def publish(
    folder: Path,
    change: Callable[[Directory], Directory],
    roots: Sequence[KeySigner],
    *,
    now: datetime,
) -> None:
    """Edit the directory and sign the draft with every signer in ``roots``."""
    edit_directory(folder, change, now=now)
    for r in roots:
        sign_directory(folder, r)


@dataclass
class World:
    """A published two-authority directory (version 2) and its keys."""

    folder: Path
    root: KeySigner
    fr: KeySigner
    de: KeySigner


def make_world(
    tmp: Path,
    *,
    fr_key: Callable[[PublicKey], DirectoryKey] | None = None,
    fr_domains: Sequence[str] = ("police.example.fr",),
) -> World:
    """Version 1: no authority; version 2: the French and German authorities."""
    root, fr, de = signer(), signer(), signer()
    folder = tmp / "dir"
    init_directory(
        folder,
        roots=[root.public_key],
        threshold=1,
        signers=[root],
        now=ISSUED,
        expires=timedelta(days=365),
    )
    entry = fr_key(fr.public_key) if fr_key else key_entry(fr.public_key)
    publish(
        folder,
        add_authorities(
            fr_authority(entry, domains=fr_domains), de_authority(key_entry(de.public_key))
        ),
        [root],
        now=ISSUED + timedelta(hours=1),
    )
    return World(folder, root, fr, de)


def emergency_doc(**authority: Any) -> dict[str, Any]:
    """The emergency example, with ``authority`` fields (and officer fields as
    ``officer_email`` / ``officer_phone``) changed."""
    doc = example_doc("emergency-disclosure")
    for k, v in authority.items():
        if k.startswith("officer_"):
            doc["authority"]["officer"][k.removeprefix("officer_")] = v
        else:
            doc["authority"][k] = v
    return doc


def impersonation_doc() -> dict[str, Any]:
    """What ``impersonate.py`` writes: a 2019 request in the Bundeskriminalamt's name."""
    d = copy.deepcopy(example_doc("emergency-disclosure"))
    d["id"] = "0b7e4c2a-1111-4222-8333-444455556666"
    d["authority"]["name"] = "Bundeskriminalamt (impersonated)"
    d["authority"]["country"] = "DE"
    d["authority"]["officer"]["email"] = "attacker@mail.example.com"
    d["created_at"] = "2019-01-01T00:00:00Z"
    return d


def build(
    tmp: Path,
    doc: dict[str, Any],
    signers: Sequence[KeySigner],
    *,
    name: str = "pkg.zip",
    now: datetime = NOW,
) -> Path:
    """A signed package of ``doc`` (zip form unless ``name`` has no ``.zip``)."""
    out = tmp / name
    build_package(parse_request(doc), out, signers=signers, now=now)
    return out


def rewrite_payload(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Change a version file's payload (valid, canonical), keeping its signatures."""
    env = Envelope.from_bytes(path.read_bytes())
    doc = Directory.from_payload(env.payload).model_dump(mode="json", exclude_none=True)
    change(doc)
    payload = Directory.model_validate(doc).payload()
    forged = Envelope(env.payload_type, payload, env.signatures)
    path.write_bytes(forged.to_bytes())
