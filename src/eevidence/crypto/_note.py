"""Signed checkpoints: the C2SP ``tlog-checkpoint`` body inside a C2SP ``signed-note``.

Specifications: https://c2sp.org/signed-note and https://c2sp.org/tlog-checkpoint (the
root is an RFC 9162 Merkle Tree Hash, see :mod:`eevidence.crypto._merkle`).

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

Pure: text and keys in, values out. Malformed notes, keys and names raise
:class:`~eevidence.errors.InputError`; a bad signature by a trusted key raises
:class:`~eevidence.errors.IntegrityError`; a note that no trusted key signed raises
:class:`~eevidence.errors.UntrustedNoteError` (a :class:`~eevidence.errors.TrustError`).
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
from eevidence.errors import InputError, IntegrityError, UntrustedNoteError

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
    if not _NAME.match(name) or not _is_utf8(name):
        raise InputError(f"key name {name!r} must be non-empty UTF-8, without spaces or '+'")
    return name


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class NoteVerifier:
    """A trusted Ed25519 note key (RFC 8032) under a key name (C2SP signed-note).

    Build one with :func:`verifier_key` (which checks the name) or :meth:`decode`.
    """

    name: str
    public_key: Ed25519PublicKey

    @property
    def key_hash(self) -> bytes:
        """The 4-byte key ID: ``SHA-256(name || 0x0A || 0x01 || public key)[:4]`` (signed-note)."""
        return _key_hash(self.name, _raw_public(self.public_key))

    def encode(self) -> str:
        """The verifier key string of signed-note: ``name+hex(key ID)+base64(0x01 || key)``.

        Returns:
            ASCII text such as ``example.org/log+a1b2c3d4+AQ...=`` (the 32-byte Ed25519 key
            after the algorithm byte 0x01).
        """
        raw = bytes([_ALG_ED25519]) + _raw_public(self.public_key)
        return f"{self.name}+{self.key_hash.hex()}+{base64.b64encode(raw).decode()}"

    @classmethod
    def decode(cls, text: str) -> NoteVerifier:
        """Parse a verifier key string (:meth:`encode`'s form), checking its key ID.

        Args:
            text: ``name+hex(key ID)+base64(0x01 || 32-byte key)``; surrounding white space
                is ignored.

        Returns:
            The verifier.

        Raises:
            InputError: not three ``+``-separated parts, invalid hex or base64, not an
                Ed25519 key (algorithm 0x01, 32 bytes), an invalid key name, or a key ID
                that does not match the name and key.
        """
        parts = text.strip().split("+", 2)  # the base64 key may itself hold "+"
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
        try:
            public = Ed25519PublicKey.from_public_bytes(raw[1:])
        except ValueError:
            raise InputError("verifier key is not a valid Ed25519 public key") from None
        verifier = cls(_check_name(name), public)
        if verifier.key_hash != expected:
            raise InputError("verifier key hash does not match its key")
        return verifier


def verifier_key(name: str, key: NoteKey | Ed25519PublicKey) -> NoteVerifier:
    """The verifier for notes signed by ``key`` under ``name``.

    Args:
        name: The key name (non-empty, no white space, no ``+``); for checkpoints, the
            log's origin.
        key: The signing key (an Ed25519 private key or an Ed25519 :class:`Signer`) or its
            Ed25519 public key.

    Returns:
        The verifier, to give to :func:`open_note` or :func:`parse_checkpoint`.

    Raises:
        InputError: the name is invalid or the signer's key is not Ed25519.
    """
    public = key if isinstance(key, Ed25519PublicKey) else _key_parts(key)[0]
    return NoteVerifier(_check_name(name), public)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A log's origin, size and root hash, with optional extension lines (C2SP tlog-checkpoint).

    ``origin`` is one line naming the log; ``size`` the number of leaves; ``root`` the
    32-byte RFC 9162 root of those leaves; ``extensions`` further non-empty lines.
    """

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        """The checkpoint body: the note text that is signed.

        Returns:
            ``origin``, decimal size, base64 root (RFC 4648 section 4) and the extension
            lines, each ending with a newline.

        Raises:
            InputError: the origin is empty or not one line, the size is negative, the root
                is not 32 bytes, or an extension line is empty or not one line.
        """
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
    """Sign a checkpoint: the checkpoint text, a blank line, one signature line per signer.

    Args:
        checkpoint: The checkpoint to sign.
        signers: ``(key name, key)`` pairs; for a checkpoint the first name is usually the
            log's origin. Keys are Ed25519 (signed-note algorithm 0x01).

    Returns:
        The signed note (text ending with a newline), as C2SP signed-note defines it.

    Raises:
        InputError: the checkpoint cannot be written (see :meth:`Checkpoint.text`), no
            signer is given, a key name is invalid or a key is not Ed25519.
    """
    return sign_note(checkpoint.text(), signers)


NoteKey = Ed25519PrivateKey | Signer
"""An Ed25519 private key, or a signer (key file, hardware) whose public key is Ed25519.

Signed notes only use Ed25519 (signed-note signature type 0x01, RFC 8032)."""


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
    """A C2SP signed note over ``text``.

    Each signer adds the line ``— <name> base64(key ID || Ed25519 signature of text)``
    (https://c2sp.org/signed-note; the key ID is :attr:`NoteVerifier.key_hash`).

    Args:
        text: The note text: UTF-8, ending with a newline, without a blank line.
        signers: ``(key name, key)`` pairs, at least one; keys are Ed25519.

    Returns:
        ``text``, a blank line and one signature line per signer.

    Raises:
        InputError: no signer, a text that does not end with a newline, holds a blank line
            or is not UTF-8 text, an invalid key name, or a key that is not Ed25519.
    """
    if not signers:
        raise InputError("a signed note needs at least one signer")
    if not text.endswith("\n") or "\n\n" in text:
        raise InputError("note text must end with a newline and contain no blank line")
    if not _is_utf8(text):
        raise InputError("note text is not valid UTF-8 text (a lone surrogate)")
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

    Args:
        note: The signed note (text, or UTF-8 bytes of at most 1 MiB).
        verifiers: The trusted keys; signature lines by other keys are ignored.
        origin: When given, the checkpoint's origin must be exactly this.
        source: Where the note came from, for messages.

    Returns:
        The checkpoint (C2SP tlog-checkpoint: origin, size, 32-byte root, extensions).

    Raises:
        InputError: the note or the checkpoint body is malformed (see :func:`open_note`;
            a size that is not a decimal number, a root that is not 32 bytes of base64).
        IntegrityError: a trusted key's signature does not verify, or the origin is not
            ``origin``.
        UntrustedNoteError: no trusted key signed it (a
            :class:`~eevidence.errors.TrustError`; the message ends with ``no signature by
            a trusted key``).
    """
    text = open_note(note, verifiers, source=source)
    checkpoint = _parse_body(text, source)
    if origin is not None and checkpoint.origin != origin:
        raise IntegrityError(f"{source}: checkpoint origin {checkpoint.origin!r} is not {origin!r}")
    return checkpoint


def open_note(
    note: str | bytes, verifiers: Iterable[NoteVerifier], *, source: str = "<note>"
) -> str:
    """The text of a signed note, once a signature by one of ``verifiers`` checks out.

    A signature line is matched to a trusted key by name and by the key ID computed from
    that key (https://c2sp.org/signed-note); every matching signature must verify.

    Args:
        note: The signed note (text, or UTF-8 bytes of at most 1 MiB).
        verifiers: The trusted keys.
        source: Where the note came from, for messages.

    Returns:
        The note text (before the blank line), ending with a newline.

    Raises:
        InputError: too large, not UTF-8, no blank line before the signatures, or a
            malformed signature line.
        IntegrityError: a signature by a trusted key does not verify.
        UntrustedNoteError: no trusted key signed the note (a
            :class:`~eevidence.errors.TrustError`).
    """
    if isinstance(note, bytes):
        if len(note) > _MAX_NOTE:
            raise InputError("checkpoint is too large", source=source)
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("checkpoint is not UTF-8", source=source) from None
    elif not _is_utf8(note):
        raise InputError("checkpoint is not valid UTF-8 text", source=source)
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
        raise UntrustedNoteError(f"{source}: no signature by a trusted key")
    return text
