"""A directory on disk: its signed versions, the draft of the next one, and verification.

Layout of a directory folder (each version a DSSE envelope, ``DIRECTORY_PAYLOAD_TYPE``)::

    DIR/1.directory.json  DIR/2.directory.json ...   every published version, kept
    DIR/directory.json                               a copy of the newest version
    DIR/draft.json                                   the next version, while being signed

Publishing follows The Update Framework's root role (TUF specification 1.0, section 5.3,
"Update the root role"): version N+1 is published only once it is signed by the
threshold of version N's root keys *and* the threshold of its own, so the roots can be
rotated without a recipient losing the chain. A recipient pins a root key it obtained out
of band (``--root``) and :func:`verify_directory` walks from the first version that key
signed to the newest, which must not have expired.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

from eevidence._internal.documents import decode_json
from eevidence._internal.fs import write_atomic
from eevidence.crypto import (
    Envelope,
    EnvelopeSignature,
    PublicKey,
    Signer,
    canonical_json_bytes,
    key_id,
    public_key_pem,
    verify_signature,
)
from eevidence.directory._model import (
    DIRECTORY_PAYLOAD_TYPE,
    Directory,
    RootRole,
    as_of,
)
from eevidence.errors import (
    DirectoryError,
    DirectoryVerificationError,
    EEvidenceError,
    InputError,
)

__all__ = [
    "CLOCK_SKEW",
    "DirectoryState",
    "TrustedVersion",
    "VerifiedDirectory",
    "directory_state",
    "edit_directory",
    "init_directory",
    "sign_directory",
    "verify_directory",
]

LATEST: Final = "directory.json"
DRAFT: Final = "draft.json"
_VERSION_FILE: Final = re.compile(r"^([1-9][0-9]{0,8})\.directory\.json$")
MAX_VERSION_BYTES: Final = 8 * 1024 * 1024
"""The largest version file read (8 MiB: many thousands of authorities)."""
MAX_VERSIONS: Final = 100_000
CLOCK_SKEW: Final = timedelta(minutes=5)
"""How far in the future an issue time may be before it is refused (clocks differ)."""


@dataclass(frozen=True)
class VerifiedDirectory:
    """A directory whose chain of versions verified from a pinned root key.

    Attributes:
        directory: The newest version's document.
        folder: Where it was read.
        anchor_version: The version the pinned root key(s) signed, where the walk began.
        signers: Key ids of the root keys that signed the newest version.
        state: The newest version as a recipient keeps it (``--state``) to refuse a later
            rollback.
    """

    directory: Directory
    folder: Path
    anchor_version: int
    signers: tuple[str, ...]
    state: TrustedVersion | None = None

    def to_dict(self) -> dict[str, object]:
        """``{"ok", "version", "issued", "expires", "anchor_version", "signers",
        "authorities"}`` for JSON output."""
        d = self.directory
        return {
            "ok": True,
            "version": d.version,
            "issued": as_of(d.issued),
            "expires": as_of(d.expires),
            "anchor_version": self.anchor_version,
            "signers": list(self.signers),
            "authorities": len(d.authorities),
        }


@dataclass(frozen=True)
class DirectoryState:
    """What a folder holds, unverified: for ``directory show`` and the editing commands.

    Attributes:
        latest: The newest published version's document, or ``None``.
        draft: The draft's document, or ``None``.
        draft_signers: Key ids whose signatures on the draft verify (root keys of the draft
            or of the newest version).
        needed: For the draft: ``(signed by new roots, threshold, signed by previous
            roots, threshold)``; ``None`` without a draft.
    """

    latest: Directory | None
    draft: Directory | None
    draft_signers: tuple[str, ...]
    needed: tuple[int, int, int, int] | None


def _read(path: Path, source: str) -> bytes:
    """At most :data:`MAX_VERSION_BYTES` of a regular file (a FIFO or device is refused
    without blocking on it)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise DirectoryError(f"cannot read: {exc.strerror or exc}", source=source) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise DirectoryError("not a regular file", source=source)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(MAX_VERSION_BYTES + 1)
    except OSError as exc:
        raise DirectoryError(f"cannot read: {exc.strerror or exc}", source=source) from None
    finally:
        os.close(fd)
    if len(data) > MAX_VERSION_BYTES:
        raise DirectoryError(f"larger than {MAX_VERSION_BYTES} bytes", source=source)
    return data


def _envelope(path: Path) -> tuple[Envelope, Directory]:
    """A version or draft file: its envelope and document (not yet verified)."""
    source = str(path)
    data = _read(path, source)
    try:
        env = Envelope.from_bytes(data, source=source)
    except EEvidenceError as exc:
        raise DirectoryError(f"not a signature envelope: {exc}", source=source) from None
    if env.payload_type != DIRECTORY_PAYLOAD_TYPE:
        raise DirectoryError(
            f"payload type {env.payload_type[:80]!r} is not a directory's", source=source
        )
    return env, Directory.from_payload(env.payload, source=source)


def _valid_signers(env: Envelope, keys: dict[str, PublicKey]) -> set[str]:
    """Key ids of ``keys`` with a valid signature on ``env`` (key id hints are not trusted:
    every signature is tried against every key)."""
    message = env.signed_bytes()
    found: set[str] = set()
    for sig in env.signatures:
        for keyid, key in keys.items():
            if keyid not in found and verify_signature(key, sig.sig, message):
                found.add(keyid)
                break
    return found


def _versions(folder: Path) -> list[tuple[int, Path]]:
    try:
        names = [e.name for e in os.scandir(folder)]
    except OSError as exc:
        raise DirectoryError(
            f"cannot read the directory folder: {exc.strerror or exc}", source=str(folder)
        ) from None
    found = []
    for name in names:
        m = _VERSION_FILE.match(name)
        if m:
            found.append((int(m.group(1)), folder / name))
    if len(found) > MAX_VERSIONS:
        raise DirectoryError(f"more than {MAX_VERSIONS} versions", source=str(folder))
    return sorted(found)


def directory_state(folder: str | os.PathLike[str]) -> DirectoryState:
    """Read what a folder holds, without verifying the chain (see :func:`verify_directory`).

    Raises:
        DirectoryError: a file cannot be read or is malformed.
    """
    root = Path(folder)
    versions = _versions(root)
    latest = _envelope(versions[-1][1])[1] if versions else None
    draft_path = root / DRAFT
    if not draft_path.exists():
        return DirectoryState(latest, None, (), None)
    env, draft = _envelope(draft_path)
    signed_new = _valid_signers(env, draft.roots.public_keys())
    signed_old = _valid_signers(env, latest.roots.public_keys()) if latest else set()
    needed = (
        len(signed_new),
        draft.roots.threshold,
        len(signed_old) if latest else 0,
        latest.roots.threshold if latest else 0,
    )
    return DirectoryState(latest, draft, tuple(sorted(signed_new | signed_old)), needed)


def _root_role(roots: Sequence[PublicKey], threshold: int) -> RootRole:
    keys = {key_id(k): public_key_pem(k).decode("ascii") for k in roots}
    if len(keys) != len(roots):
        raise DirectoryError("a root key is given twice", source="--root-key")
    return RootRole(keys=keys, threshold=threshold)


def init_directory(
    folder: str | os.PathLike[str],
    *,
    roots: Sequence[PublicKey],
    threshold: int,
    signers: Iterable[Signer],
    now: datetime,
    expires: timedelta,
) -> DirectoryState:
    """Create a directory folder whose first version lists no authority yet.

    Args:
        folder: A folder that does not exist, or an empty one.
        roots: The root public keys.
        threshold: Distinct root keys whose signatures each version needs.
        signers: Root keys to sign version 1 with now (others can :func:`sign_directory`).
        now: The issue time.
        expires: How long version 1 (and, by default, each later version) stays valid.

    Returns:
        The folder's state: version 1 is published when ``signers`` reach the threshold,
        else it is the draft.

    Raises:
        DirectoryError: the folder is not empty, a signer is not a root key, or the
            values break the directory model.
    """
    root = Path(folder)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise DirectoryError("exists and is not an empty folder", source=str(root))
    directory = Directory(
        version=1, issued=now, expires=now + expires, roots=_root_role(roots, threshold)
    )
    root.mkdir(parents=True, exist_ok=True)
    _write_draft(root, Envelope(DIRECTORY_PAYLOAD_TYPE, directory.payload(), ()))
    for signer in signers:
        sign_directory(root, signer)
    return directory_state(root)


def edit_directory(
    folder: str | os.PathLike[str],
    change: Callable[[Directory], Directory],
    *,
    now: datetime,
    expires: timedelta | None = None,
) -> Directory:
    """Apply ``change`` to the next version (the draft, else a copy of the newest version).

    The draft's signatures are dropped when its content changes: the new content must be
    signed again.

    Args:
        folder: The directory folder.
        change: Takes the next version's document and returns it changed.
        now: The new issue time.
        expires: The new version's validity from ``now``; ``None`` keeps the period of the
            version it starts from.

    Returns:
        The new draft.

    Raises:
        DirectoryError: the folder holds no version, or ``change`` gives an invalid document.
    """
    root = Path(folder)
    state = directory_state(root)
    base = state.draft or state.latest
    if base is None:
        raise DirectoryError("holds no directory; create one with directory init", source=str(root))
    version = state.latest.version + 1 if state.latest else 1
    period = expires if expires is not None else base.expires - base.issued
    start = base.model_copy(update={"version": version, "issued": now, "expires": now + period})
    changed = change(start)
    draft = Directory.model_validate(changed.model_dump())
    _write_draft(root, Envelope(DIRECTORY_PAYLOAD_TYPE, draft.payload(), ()))
    return draft


def sign_directory(folder: str | os.PathLike[str], signer: Signer) -> DirectoryState:
    """Add ``signer``'s signature to the draft; publish it once both thresholds are met.

    Raises:
        DirectoryError: there is no draft, or ``signer`` is not a root key of the draft or
            of the newest published version.
    """
    root = Path(folder)
    path = root / DRAFT
    if not path.exists():
        raise DirectoryError(
            "has no draft to sign (directory add or revoke make one)", source=str(root)
        )
    env, draft = _envelope(path)
    versions = _versions(root)
    latest = _envelope(versions[-1][1])[1] if versions else None
    allowed = set(draft.roots.keys) | (set(latest.roots.keys) if latest else set())
    if signer.keyid not in allowed:
        raise DirectoryError(
            f"key {signer.keyid[:16]} is not a root key of this directory", source=str(root)
        )
    if latest is not None and draft.version != latest.version + 1:
        raise DirectoryError(
            f"the draft is version {draft.version}, not {latest.version + 1}", source=str(path)
        )
    if signer.keyid not in _valid_signers(env, {signer.keyid: signer.public_key}):
        env = env.with_signature(EnvelopeSignature(signer.keyid, signer.sign(env.signed_bytes())))
    new_ok = len(_valid_signers(env, draft.roots.public_keys())) >= draft.roots.threshold
    old_ok = latest is None or (
        len(_valid_signers(env, latest.roots.public_keys())) >= latest.roots.threshold
    )
    if new_ok and old_ok:
        data = env.to_bytes()
        write_atomic(root / f"{draft.version}.directory.json", data)
        write_atomic(root / LATEST, data)
        path.unlink()
    else:
        _write_draft(root, env)
    return directory_state(root)


def _write_draft(root: Path, env: Envelope) -> None:
    write_atomic(root / DRAFT, env.to_bytes())


def _anchor(
    chain: list[tuple[int, Envelope, Directory]],
    pinned: dict[str, PublicKey],
    trusted: TrustedVersion | None,
) -> int:
    """Where the walk begins: the version the recipient verified last (``trusted``), which
    must be present unchanged; else the first version listing every pinned key as a root,
    which must be signed by them and by its own threshold (an altered first version is
    refused, never skipped)."""
    if trusted is not None:
        for i, (n, env, _) in enumerate(chain):
            if n == trusted.version:
                if hashlib.sha256(env.payload).hexdigest() != trusted.sha256:
                    raise DirectoryVerificationError(
                        f"version {n} is not the version {n} verified before: the directory "
                        "was rewritten (a fork or an altered copy)"
                    )
                return i
        newest = chain[-1][0]
        if newest < trusted.version:
            raise DirectoryVerificationError(
                f"the newest version here is {newest}, older than version {trusted.version} "
                "verified before: a rolled-back copy"
            )
        raise DirectoryVerificationError(
            f"version {trusted.version}, verified before, is missing from the folder"
        )
    for i, (n, env, doc) in enumerate(chain):
        if not set(pinned) <= set(doc.roots.keys):
            continue
        own = _valid_signers(env, doc.roots.public_keys())
        if not set(pinned) <= own or len(own) < doc.roots.threshold:
            raise DirectoryVerificationError(
                f"version {n}, the first to list the given root key(s), is not signed by them "
                f"and {doc.roots.threshold} of its root keys: the folder was altered"
            )
        return i
    raise DirectoryVerificationError(
        "no version lists the given root key(s) among its roots: the folder is not the "
        "directory you trust"
    )


@dataclass(frozen=True)
class TrustedVersion:
    """The version a recipient verified last, kept to refuse rollbacks and forks (TUF 1.0
    section 5.3.5: a client never accepts a version older than the one it trusts).

    Attributes:
        version: Its number.
        sha256: SHA-256 of its payload (lowercase hex).
    """

    version: int
    sha256: str

    def to_bytes(self) -> bytes:
        """``{"sha256": ..., "version": N}`` as canonical JSON."""
        return canonical_json_bytes({"sha256": self.sha256, "version": self.version})

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> TrustedVersion | None:
        """The state kept in ``path``; ``None`` when the file does not exist yet.

        Raises:
            DirectoryError: the file exists but is not a state file.
        """
        p = Path(path)
        if not p.exists():
            return None
        try:
            doc = decode_json(_read(p, str(p)), str(p), max_bytes=4096)
            version, digest = doc["version"], doc["sha256"]
        except (InputError, TypeError, KeyError):
            raise DirectoryError("not a directory state file", source=str(p)) from None
        if (
            not isinstance(version, int)
            or isinstance(version, bool)
            or version < 1
            or not isinstance(digest, str)
            or not re.fullmatch(r"[0-9a-f]{64}", digest)
        ):
            raise DirectoryError("not a directory state file", source=str(p))
        return cls(version, digest)


def verify_directory(
    folder: str | os.PathLike[str],
    roots: Sequence[PublicKey],
    *,
    now: datetime,
    trusted: TrustedVersion | None = None,
) -> VerifiedDirectory:
    """Verify a directory's chain of versions from pinned root key(s).

    The walk starts at the first version whose roots include every pinned key and which
    every pinned key signed (with its own threshold met); each later version must be
    numbered one more and signed by the threshold of the previous version's roots and of
    its own (TUF 1.0, section 5.3.4-5.3.5). The newest version must have been issued no
    later than ``now`` (plus :data:`CLOCK_SKEW`) and not have expired at ``now``;
    ``directory.json``, when present, must be the newest version's bytes. Only signed bytes
    are read: nothing from an unverified version is trusted.

    With ``trusted`` (the version verified last, :attr:`VerifiedDirectory.state`), the walk
    begins there instead: that version must be present with the same payload, and a folder
    whose newest version is older is refused (a rollback that would undo a revocation).

    Args:
        folder: The directory folder (a mirror is fine).
        roots: Root public key(s) obtained out of band.
        now: The time to judge expiry at.
        trusted: The version verified last, or ``None`` on first use.

    Returns:
        The newest version, verified.

    Raises:
        DirectoryVerificationError: any of the above fails (``reasons`` lists why).
        DirectoryError: a version file is malformed.
    """
    if not roots:
        raise DirectoryVerificationError("no root key to verify the directory against")
    root = Path(folder)
    pinned = {key_id(k): k for k in roots}
    versions = _versions(root)
    if not versions:
        raise DirectoryVerificationError(f"{root}: no signed directory version found")
    numbers = [n for n, _ in versions]
    if numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        raise DirectoryVerificationError(f"{root}: versions are missing (found {numbers[:20]})")
    chain = [(n, *_envelope(p)) for n, p in versions]
    for n, _, doc in chain:
        if doc.version != n:
            raise DirectoryVerificationError(f"{n}.directory.json holds version {doc.version}")
    start = _anchor(chain, pinned, trusted)
    reasons: list[str] = []
    for (_, prev_env, prev), (n, env, doc) in zip(chain[start:], chain[start + 1 :], strict=False):
        del prev_env
        old = _valid_signers(env, prev.roots.public_keys())
        new = _valid_signers(env, doc.roots.public_keys())
        if len(old) < prev.roots.threshold:
            reasons.append(
                f"version {n} is signed by {len(old)} of version {prev.version}'s root keys, "
                f"{prev.roots.threshold} needed"
            )
        if len(new) < doc.roots.threshold:
            reasons.append(
                f"version {n} is signed by {len(new)} of its own root keys, "
                f"{doc.roots.threshold} needed"
            )
        if doc.issued < prev.issued:
            reasons.append(f"version {n} was issued before version {prev.version}")
        if reasons:
            break
    newest_env, newest = chain[-1][1], chain[-1][2]
    if newest.issued > now + CLOCK_SKEW:
        reasons.append(f"version {newest.version} is issued in the future ({as_of(newest.issued)})")
    if newest.expires <= now:
        reasons.append(f"version {newest.version} expired at {as_of(newest.expires)}")
    latest = root / LATEST
    if latest.exists() and _read(latest, str(latest)) != _read(versions[-1][1], str(latest)):
        reasons.append(f"{LATEST} is not version {newest.version}")
    if reasons:
        raise DirectoryVerificationError(f"the directory does not verify: {reasons[0]}", reasons)
    signers = _valid_signers(newest_env, newest.roots.public_keys())
    state = TrustedVersion(newest.version, hashlib.sha256(newest_env.payload).hexdigest())
    return VerifiedDirectory(newest, root, chain[start][0], tuple(sorted(signers)), state)
