"""The custody trust configuration: which keys may sign this workstation's custody log.

A verifier must not take its trust from the store it judges: whoever holds the store can
re-sign every entry with a key of their own and leave its public key beside the store.
So the keys that sign custody entries on this workstation (its custody key, every key
given with ``--key``, every key ``package build`` and ``package sign`` used) are recorded,
when first used, in a trust configuration kept apart from any store, with their key id,
when they were added and why; foreign signers are added explicitly. RFC 3161 timestamping
authority roots (RFC 5280 certificates) that checkpoint timestamps are checked against are
kept there too.

Layout of the folder (:func:`trust_home`)::

    custody-trust.json       {"version": 1, "keys": [...], "tsa_roots": [...]}
    keys/<key id>.pem        one PEM public key per trusted signer
    tsa/<sha256>.pem         one PEM certificate per trusted TSA root

Each key record is ``{"keyid", "added", "reason"}``; the key id is recomputed from the PEM
when loading (:func:`eevidence.crypto.key_id`) and a mismatch is refused. Writers hold an
exclusive lock (``.lock``) and replace the index atomically.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from eevidence._internal.fs import write_atomic
from eevidence.crypto import PublicKey, key_id, load_public_key, public_key_pem
from eevidence.errors import ConfigurationError, EEvidenceError

__all__ = [
    "TRUST_FILE",
    "CustodyTrust",
    "TrustedRoot",
    "TrustedSigner",
    "add_trusted_key",
    "add_tsa_root",
    "load_custody_trust",
    "trust_home",
]

TRUST_FILE: Final = "custody-trust.json"
"""The index of the trust configuration, inside :func:`trust_home`."""
CONFIG_ENV: Final = "EEVIDENCE_CONFIG"
_MAX_INDEX: Final = 4 * 1024 * 1024


def trust_home() -> Path:
    """The folder of the custody trust configuration.

    ``$EEVIDENCE_CONFIG/trust`` when that variable is set; else ``$EEVIDENCE_HOME/trust``
    when that is set; else ``$XDG_CONFIG_HOME/eevidence/trust`` (by default
    ``~/.config/eevidence/trust``). It is never derived from ``--store``: a store given on the
    command line (a copy, a shared database) brings no trust with it.

    Returns:
        The folder (it may not exist yet).
    """
    config = os.environ.get(CONFIG_ENV)
    if config:
        return Path(config) / "trust"
    home = os.environ.get("EEVIDENCE_HOME")
    if home:
        return Path(home) / "trust"
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "eevidence" / "trust"


@dataclass(frozen=True, slots=True)
class TrustedSigner:
    """A key trusted to sign custody entries (and, for Ed25519 keys, checkpoints).

    ``keyid`` is :func:`eevidence.crypto.key_id` of ``public_key``; ``added`` when it was
    recorded (aware, UTC); ``reason`` why (which command used it, or who added it).
    """

    keyid: str
    public_key: PublicKey
    added: datetime
    reason: str

    def to_dict(self) -> dict[str, str]:
        """``{"keyid", "type", "added", "reason"}`` for JSON output."""
        return {
            "keyid": self.keyid,
            "type": type(self.public_key).__name__.removeprefix("_").replace("PublicKey", ""),
            "added": self.added.isoformat(),
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class TrustedRoot:
    """A trusted RFC 3161 timestamping authority root certificate (RFC 5280).

    ``sha256`` is the SHA-256 of its DER encoding (64 lower-case hex digits).
    """

    sha256: str
    certificate: x509.Certificate
    added: datetime
    reason: str

    def to_dict(self) -> dict[str, str]:
        """``{"sha256", "subject", "added", "reason"}`` for JSON output."""
        return {
            "sha256": self.sha256,
            "subject": self.certificate.subject.rfc4514_string(),
            "added": self.added.isoformat(),
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class CustodyTrust:
    """The trust configuration as loaded: ``folder``, ``signers`` and ``tsa_roots``.

    ``exists`` is false when no configuration has been written yet.
    """

    folder: Path
    signers: tuple[TrustedSigner, ...] = ()
    tsa_roots: tuple[TrustedRoot, ...] = ()
    exists: bool = False

    @property
    def public_keys(self) -> list[PublicKey]:
        """The trusted signers' public keys, in the order they were added."""
        return [s.public_key for s in self.signers]

    def has_key(self, keyid: str) -> bool:
        """Whether a signer with this key id is trusted."""
        return any(s.keyid == keyid for s in self.signers)

    def to_dict(self) -> dict[str, Any]:
        """The configuration for JSON output (no key material)."""
        return {
            "folder": str(self.folder),
            "keys": [s.to_dict() for s in self.signers],
            "tsa_roots": [r.to_dict() for r in self.tsa_roots],
        }


def _bad(folder: Path, why: str) -> ConfigurationError:
    return ConfigurationError(f"the custody trust configuration {folder} is unusable: {why}")


def _when(value: object, folder: Path) -> datetime:
    if not isinstance(value, str):
        raise _bad(folder, "an 'added' time is not text")
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise _bad(folder, f"an 'added' time is not ISO 8601: {value!r}") from None
    if at.tzinfo is None:
        raise _bad(folder, f"an 'added' time has no UTC offset: {value!r}")
    return at


def _read_index(folder: Path) -> dict[str, Any] | None:
    path = folder / TRUST_FILE
    try:
        with path.open("rb") as fh:
            data = fh.read(_MAX_INDEX + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _bad(folder, f"cannot read {TRUST_FILE}: {exc.strerror or exc}") from None
    if len(data) > _MAX_INDEX:
        raise _bad(folder, f"{TRUST_FILE} is larger than {_MAX_INDEX} bytes")
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        raise _bad(folder, f"{TRUST_FILE} is not JSON") from None
    if (
        not isinstance(doc, dict)
        or doc.get("version") != 1
        or not isinstance(doc.get("keys"), list)
        or not isinstance(doc.get("tsa_roots", []), list)
    ):
        raise _bad(folder, f"{TRUST_FILE} is not a version 1 trust configuration")
    return doc


def _record(item: object, field: str, folder: Path) -> tuple[str, datetime, str]:
    if not isinstance(item, dict):
        raise _bad(folder, "an entry is not an object")
    name, reason = item.get(field), item.get("reason")
    if not (isinstance(name, str) and len(name) == 64 and set(name) <= set("0123456789abcdef")):
        raise _bad(folder, f"an entry's {field} is not 64 hexadecimal digits")
    if not isinstance(reason, str):
        raise _bad(folder, "an entry's reason is not text")
    return name, _when(item.get("added"), folder), reason


def load_custody_trust(folder: str | os.PathLike[str] | None = None) -> CustodyTrust:
    """Load the trust configuration (an empty one when none was written yet).

    Args:
        folder: The configuration folder; ``None`` for :func:`trust_home`.

    Returns:
        The trusted signers and TSA roots, each checked against its file.

    Raises:
        ConfigurationError: the index or a key or certificate file cannot be read, is
            malformed, or a key's computed id is not the id it is recorded under.
    """
    where = Path(folder) if folder is not None else trust_home()
    doc = _read_index(where)
    if doc is None:
        return CustodyTrust(where)
    signers: list[TrustedSigner] = []
    for item in doc["keys"]:
        kid, added, reason = _record(item, "keyid", where)
        try:
            key = load_public_key(where / "keys" / f"{kid}.pem")
        except EEvidenceError as exc:
            raise _bad(where, f"key {kid}: {exc}") from None
        if key_id(key) != kid:
            raise _bad(where, f"the key file of {kid} holds another key ({key_id(key)})")
        signers.append(TrustedSigner(kid, key, added, reason))
    roots: list[TrustedRoot] = []
    for item in doc.get("tsa_roots", []):
        digest, added, reason = _record(item, "sha256", where)
        cert = _load_certificate(where / "tsa" / f"{digest}.pem", where)
        if hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest() != digest:
            raise _bad(where, f"the certificate file of {digest} holds another certificate")
        roots.append(TrustedRoot(digest, cert, added, reason))
    return CustodyTrust(where, tuple(signers), tuple(roots), exists=True)


def _load_certificate(path: Path, folder: Path) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise _bad(folder, f"certificate {path.name}: {exc}") from None


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise _bad(folder, f"cannot write: {exc.strerror or exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _write_index(folder: Path, doc: dict[str, Any]) -> None:
    data = (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode()
    write_atomic(folder / TRUST_FILE, data, mode=0o600)


def _empty() -> dict[str, Any]:
    return {"version": 1, "keys": [], "tsa_roots": []}


def add_trusted_key(
    key: PublicKey,
    *,
    now: datetime,
    reason: str,
    folder: str | os.PathLike[str] | None = None,
) -> tuple[TrustedSigner, bool]:
    """Record ``key`` as a trusted custody signer (nothing changes if it already is).

    Args:
        key: The public key.
        now: When it is added (aware; stored in UTC).
        reason: Why (e.g. ``"workstation custody key"``, ``"package build --key"``).
        folder: The configuration folder; ``None`` for :func:`trust_home`.

    Returns:
        The trusted signer and whether it was added now (false: it already was).

    Raises:
        ConfigurationError: the configuration cannot be read or written, or ``now`` is naive.
    """
    if now.tzinfo is None:
        raise ConfigurationError("the time a key is trusted must carry a UTC offset")
    where = Path(folder) if folder is not None else trust_home()
    kid = key_id(key)
    with _locked(where):
        doc = _read_index(where) or _empty()
        for item in doc["keys"]:
            if isinstance(item, dict) and item.get("keyid") == kid:
                old, added, why = _record(item, "keyid", where)
                return TrustedSigner(old, key, added, why), False
        (where / "keys").mkdir(exist_ok=True, mode=0o700)
        write_atomic(where / "keys" / f"{kid}.pem", public_key_pem(key), mode=0o644)
        added = now.astimezone(UTC)
        doc["keys"].append({"keyid": kid, "added": added.isoformat(), "reason": reason})
        _write_index(where, doc)
    return TrustedSigner(kid, key, added, reason), True


def add_tsa_root(
    certificate: x509.Certificate,
    *,
    now: datetime,
    reason: str,
    folder: str | os.PathLike[str] | None = None,
) -> tuple[TrustedRoot, bool]:
    """Record a timestamping authority's root certificate (RFC 3161, RFC 5280) as trusted.

    Args:
        certificate: The root (or the certificate the TSA's chain must reach).
        now: When it is added (aware; stored in UTC).
        reason: Why.
        folder: The configuration folder; ``None`` for :func:`trust_home`.

    Returns:
        The trusted root and whether it was added now.

    Raises:
        ConfigurationError: the configuration cannot be read or written, or ``now`` is naive.
    """
    if now.tzinfo is None:
        raise ConfigurationError("the time a root is trusted must carry a UTC offset")
    where = Path(folder) if folder is not None else trust_home()
    der = certificate.public_bytes(Encoding.DER)
    digest = hashlib.sha256(der).hexdigest()
    with _locked(where):
        doc = _read_index(where) or _empty()
        doc.setdefault("tsa_roots", [])
        for item in doc["tsa_roots"]:
            if isinstance(item, dict) and item.get("sha256") == digest:
                old, added, why = _record(item, "sha256", where)
                return TrustedRoot(old, certificate, added, why), False
        (where / "tsa").mkdir(exist_ok=True, mode=0o700)
        write_atomic(
            where / "tsa" / f"{digest}.pem", certificate.public_bytes(Encoding.PEM), mode=0o644
        )
        added = now.astimezone(UTC)
        doc["tsa_roots"].append({"sha256": digest, "added": added.isoformat(), "reason": reason})
        _write_index(where, doc)
    return TrustedRoot(digest, certificate, added, reason), True
