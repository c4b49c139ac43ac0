"""Signed checkpoints: the C2SP ``tlog-checkpoint`` body inside a C2SP ``signed-note``.

A checkpoint states a log's origin, its size and its root hash::

    eevidence.example/custody/FR-PJ
    1042
    3q2+7w...base64 root...=
    <optional extension lines>

    — eevidence.example/custody/FR-PJ Az3grl...base64(key hash || signature)...

Signatures are Ed25519 (signed-note algorithm 0x01) over the note text, each line
``— <key name> base64(4-byte key hash || 64-byte signature)``. The key hash is the first
four bytes of ``SHA-256(name || 0x0A || 0x01 || public key)``. Verification only uses the
verifier keys it is given: a signature line is matched to a trusted key by name and by
the key hash computed from that trusted key, never by trusting anything else in the note.

Pure: text and keys in, values out.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from eevidence.crypto._keys import Signer
from eevidence.errors import InputError, IntegrityError

__all__ = [
    "Checkpoint",
    "NoteVerifier",
    "open_note",
    "parse_checkpoint",
    "sign_checkpoint",
    "sign_note",
    "verifier_key",
]

_DASH: Final = "\u2014"
_ALG_ED25519: Final = 0x01
_NAME = re.compile(r"^[^\s+]+$")
_MAX_NOTE: Final = 1 << 20


def _key_hash(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([_ALG_ED25519]) + public).digest()[:4]


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _check_name(name: str) -> str:
    if not _NAME.match(name):
        raise InputError(f"key name {name!r} must be non-empty, without spaces or '+'")
    return name


@dataclass(frozen=True, slots=True)
class NoteVerifier:
    """A trusted Ed25519 note key under a name."""

    name: str
    public_key: Ed25519PublicKey

    @property
    def key_hash(self) -> bytes:
        return _key_hash(self.name, _raw_public(self.public_key))

    def encode(self) -> str:
        """The verifier key string ``name+hexhash+base64(0x01||key)``."""
        raw = bytes([_ALG_ED25519]) + _raw_public(self.public_key)
        return f"{self.name}+{self.key_hash.hex()}+{base64.b64encode(raw).decode()}"

    @classmethod
    def decode(cls, text: str) -> NoteVerifier:
        """Parse a verifier key string, checking its key hash."""
        parts = text.strip().split("+")
        if len(parts) != 3:
            raise InputError("a verifier key is name+hash+key")
        name, hash_hex, key_b64 = parts
        try:
            raw = base64.b64decode(key_b64, validate=True)
            expected = bytes.fromhex(hash_hex)
        except (binascii.Error, ValueError):
            raise InputError("verifier key is not valid hex and base64") from None
        if len(raw) != 33 or raw[0] != _ALG_ED25519:
            raise InputError("only Ed25519 verifier keys (algorithm 0x01) are supported")
        verifier = cls(_check_name(name), Ed25519PublicKey.from_public_bytes(raw[1:]))
        if verifier.key_hash != expected:
            raise InputError("verifier key hash does not match its key")
        return verifier


def verifier_key(name: str, key: NoteKey | Ed25519PublicKey) -> NoteVerifier:
    """The verifier for notes signed by ``key`` (or its public key) under ``name``."""
    public = key if isinstance(key, Ed25519PublicKey) else _key_parts(key)[0]
    return NoteVerifier(_check_name(name), public)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A log's origin, size and root hash, with optional extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        """The checkpoint body (the signed note text), ending with a newline."""
        if not self.origin or "\n" in self.origin:
            raise InputError("a checkpoint origin is one non-empty line")
        if self.size < 0 or len(self.root) != 32:
            raise InputError("a checkpoint needs a size >= 0 and a 32-byte root")
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode()]
        for ext in self.extensions:
            if not ext or "\n" in ext:
                raise InputError("checkpoint extension lines must be non-empty single lines")
            lines.append(ext)
        return "\n".join(lines) + "\n"


def sign_checkpoint(checkpoint: Checkpoint, signers: Sequence[tuple[str, NoteKey]]) -> str:
    """The signed note: the checkpoint text, a blank line, one signature line per signer."""
    return sign_note(checkpoint.text(), signers)


NoteKey = Ed25519PrivateKey | Signer
"""An Ed25519 private key, or a signer (key file, hardware) whose public key is Ed25519."""


def _key_parts(key: NoteKey) -> tuple[Ed25519PublicKey, Callable[[bytes], bytes]]:
    if isinstance(key, Ed25519PrivateKey):
        return key.public_key(), key.sign
    public = key.public_key
    if not isinstance(public, Ed25519PublicKey):
        raise InputError(
            "checkpoints are signed with Ed25519 keys (signed-note algorithm 1); "
            "generate one with: eevidence keys generate --type ed25519"
        )
    return public, key.sign


def sign_note(text: str, signers: Sequence[tuple[str, NoteKey]]) -> str:
    """A C2SP signed note over ``text`` (non-empty, ending with a newline)."""
    if not signers:
        raise InputError("a signed note needs at least one signer")
    if not text.endswith("\n") or "\n\n" in text:
        raise InputError("note text must end with a newline and contain no blank line")
    lines = []
    for name, key in signers:
        public, sign = _key_parts(key)
        khash = _key_hash(_check_name(name), _raw_public(public))
        sig = sign(text.encode())
        lines.append(f"{_DASH} {name} {base64.b64encode(khash + sig).decode()}\n")
    return text + "\n" + "".join(lines)


def _parse_body(text: str, source: str) -> Checkpoint:
    lines = text.split("\n")[:-1]
    if len(lines) < 3:
        raise InputError("a checkpoint has an origin, a size and a root hash", source=source)
    origin, size_s, root_s, *ext = lines
    if not origin:
        raise InputError("the checkpoint origin is empty", source=source)
    if not size_s.isdigit() or (size_s != "0" and size_s.startswith("0")):
        raise InputError(f"checkpoint size {size_s!r} is not a decimal number", source=source)
    try:
        root = base64.b64decode(root_s, validate=True)
    except binascii.Error:
        raise InputError("checkpoint root hash is not base64", source=source) from None
    if len(root) != 32:
        raise InputError("checkpoint root hash is not 32 bytes", source=source)
    if any(not e for e in ext):
        raise InputError("checkpoint has an empty extension line", source=source)
    return Checkpoint(origin, int(size_s), root, tuple(ext))


def parse_checkpoint(
    note: str | bytes,
    verifiers: Iterable[NoteVerifier],
    *,
    origin: str | None = None,
    source: str = "<checkpoint>",
) -> Checkpoint:
    """Parse a signed checkpoint and require a valid signature by one of ``verifiers``.

    Raises :class:`InputError` when the note is malformed and :class:`IntegrityError` when
    no trusted key signed it or the origin is not the one expected.
    """
    text = open_note(note, verifiers, source=source)
    checkpoint = _parse_body(text, source)
    if origin is not None and checkpoint.origin != origin:
        raise IntegrityError(f"{source}: checkpoint origin {checkpoint.origin!r} is not {origin!r}")
    return checkpoint


def open_note(
    note: str | bytes, verifiers: Iterable[NoteVerifier], *, source: str = "<note>"
) -> str:
    """The text of a signed note, once a signature by one of ``verifiers`` checks out."""
    if isinstance(note, bytes):
        if len(note) > _MAX_NOTE:
            raise InputError("checkpoint is too large", source=source)
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("checkpoint is not UTF-8", source=source) from None
    body, sep, sigblock = note.partition("\n\n")
    if not sep or not sigblock.endswith("\n"):
        raise InputError("not a signed note (text, blank line, signatures)", source=source)
    text = body + "\n"
    trusted = [(v, v.key_hash) for v in verifiers]
    valid: list[str] = []
    for line in sigblock[:-1].split("\n"):
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != _DASH:
            raise InputError(f"malformed signature line {line[:60]!r}", source=source)
        _, name, blob_b64 = parts
        try:
            blob = base64.b64decode(blob_b64, validate=True)
        except binascii.Error:
            raise InputError("signature is not base64", source=source) from None
        if len(blob) < 5:
            raise InputError("signature is too short", source=source)
        for verifier, khash in trusted:
            if verifier.name != name or khash != blob[:4]:
                continue
            try:
                verifier.public_key.verify(blob[4:], text.encode())
            except InvalidSignature:
                raise IntegrityError(f"{source}: the signature by {name} does not verify") from None
            valid.append(name)
    if not valid:
        raise IntegrityError(f"{source}: no signature by a trusted key")
    return text
