"""Signed checkpoints: the C2SP ``tlog-checkpoint`` body inside a C2SP ``signed-note``.

Specifications: https://c2sp.org/signed-note, https://c2sp.org/tlog-checkpoint and
https://c2sp.org/tlog-cosignature (read at C2SP/C2SP commit 5ba5ee8, 2026-07-22; the
reference implementation is golang.org/x/mod/sumdb/note). The root is an RFC 9162 Merkle
Tree Hash, see :mod:`eevidence.crypto._merkle`.

A checkpoint states a log's origin, its size and its root hash::

    eevidence.example/custody/FR-PJ
    1042
    3q2+7w...base64 root...=
    <optional extension lines>

    — eevidence.example/custody/FR-PJ Az3grl...base64(key ID || signature)...
    — witness.example/w1 jWbPPw...base64(key ID || timestamp || signature)...

A note is UTF-8 text without ASCII control characters other than newline; its text ends
with a newline and may hold empty lines; the signatures follow the *last* empty line, one
line each: ``— <key name> base64(4-byte key ID || signature)``. Key names are non-empty
and hold no Unicode space and no ``+``. Two signature types are used:

* Ed25519 note signatures (type 0x01) over the note text, key ID
  ``SHA-256(name || 0x0A || 0x01 || public key)[:4]``: the log's own signature.
* Ed25519 ``cosignature/v1`` (type 0x04, tlog-cosignature): a witness's statement that,
  at a POSIX time, this is the largest consistent checkpoint it has seen for the origin.
  The signature is over ``cosignature/v1\\ntime <t>\\n`` followed by the note text, and
  the signature bytes are ``u64 big-endian timestamp || 64-byte Ed25519 signature``.

Verification only uses the verifier keys it is given: a signature line is matched to a
trusted key by name and by the key ID computed from that trusted key; other lines are
ignored, as the specification requires.

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
from datetime import UTC, datetime
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from eevidence.crypto._keys import Signer
from eevidence.errors import InputError, IntegrityError, UntrustedNoteError

__all__ = [
    "Checkpoint",
    "Cosignature",
    "CosignatureVerifier",
    "NoteKey",
    "NoteKeyVerifier",
    "NoteVerifier",
    "cosign_note",
    "open_cosigned_checkpoint",
    "open_note",
    "parse_checkpoint",
    "sign_checkpoint",
    "sign_note",
    "verifier_key",
]

_DASH: Final = "\u2014"
_SIG_PREFIX: Final = _DASH + " "
_ALG_ED25519: Final = 0x01
_ALG_COSIGNATURE: Final = 0x04
_MAX_NOTE: Final = 1 << 20
_MAX_SIGNATURES: Final = 100
"""Signature lines read at most (signed-note: at least 16 must be accepted; x/mod reads 100)."""
_MAX_TIME: Final = 253_402_300_799
"""9999-12-31T23:59:59Z: later cosignature times are refused (tlog-cosignature: MAY)."""
_KEY_ID = re.compile(r"[0-9a-f]{8}")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
_BAD_TEXT = "must be UTF-8 without control characters other than newline"


def _key_hash(name: str, alg: int, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + public).digest()[:4]


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _valid_name(name: str) -> bool:
    # signed-note: non-empty, no Unicode space, no "+"; no control character in a note.
    # str.isspace covers Unicode White_Space (what Go's unicode.IsSpace tests).
    return (
        bool(name)
        and "+" not in name
        and not any(c.isspace() or c < " " for c in name)
        and _is_utf8(name)
    )


def _check_name(name: str) -> str:
    if not _valid_name(name):
        raise InputError(
            f"key name {name!r} must be non-empty UTF-8, without spaces, control characters "
            "or '+' (C2SP signed-note)"
        )
    return name


def _clean_text(text: str) -> bool:
    return _is_utf8(text) and not _CONTROL.search(text)


def _decode_vkey(text: str) -> tuple[str, int, bytes]:
    """``name+hex(key ID)+base64(type || key)`` split on the first two ``+`` only."""
    name, sep1, rest = text.strip().partition("+")
    hash_hex, sep2, key_b64 = rest.partition("+")
    if not sep1 or not sep2:
        raise InputError("a verifier key is name+keyid+key (C2SP signed-note)")
    if not _KEY_ID.fullmatch(hash_hex):
        raise InputError("a verifier key's key ID is 8 lowercase hexadecimal digits")
    try:
        raw = base64.b64decode(key_b64, validate=True)
    except binascii.Error:
        raise InputError("verifier key material is not base64") from None
    if len(raw) != 33:
        raise InputError("only Ed25519 verifier keys (32-byte keys) are supported")
    _check_name(name)
    if _key_hash(name, raw[0], raw[1:]) != bytes.fromhex(hash_hex):
        raise InputError("verifier key ID does not match its name and key")
    return name, raw[0], raw[1:]


def _ed25519(raw: bytes) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raise InputError("verifier key is not a valid Ed25519 public key") from None


@dataclass(frozen=True, slots=True)
class NoteVerifier:
    """A trusted Ed25519 note key (RFC 8032) under a key name (C2SP signed-note type 0x01).

    Build one with :func:`verifier_key` (which checks the name) or :meth:`decode`.
    """

    name: str
    public_key: Ed25519PublicKey

    @property
    def key_hash(self) -> bytes:
        """The 4-byte key ID: ``SHA-256(name || 0x0A || 0x01 || public key)[:4]`` (signed-note)."""
        return _key_hash(self.name, _ALG_ED25519, _raw_public(self.public_key))

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

        The string is split on its first two ``+`` only: the base64 key may hold more
        (``sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8``).

        Args:
            text: ``name+hex(key ID)+base64(0x01 || 32-byte key)``; surrounding white space
                is ignored.

        Returns:
            The verifier.

        Raises:
            InputError: fewer than three parts, a key ID that is not 8 lowercase hex digits,
                invalid base64, not an Ed25519 note key (type 0x01, 32 bytes), an invalid
                key name, or a key ID that does not match the name and key.
        """
        name, alg, raw = _decode_vkey(text)
        if alg == _ALG_COSIGNATURE:
            raise InputError("this is a witness (cosignature/v1) key, not a note signing key")
        if alg != _ALG_ED25519:
            raise InputError("only Ed25519 verifier keys (algorithm 0x01) are supported")
        return cls(name, _ed25519(raw))

    def check_signature(self, text: bytes, sig: bytes) -> int | None:
        """Check an Ed25519 signature over the note text (signed-note type 0x01).

        Args:
            text: The note text's UTF-8 bytes.
            sig: The signature bytes after the 4-byte key ID.

        Returns:
            ``None`` (a note signature carries no time).

        Raises:
            IntegrityError: the signature does not verify.
        """
        if not _verifies(self.public_key, sig, text):
            raise IntegrityError(f"the signature by {self.name} does not verify")
        return None


@dataclass(frozen=True, slots=True)
class CosignatureVerifier:
    """A witness's Ed25519 key for ``cosignature/v1`` under its name (C2SP tlog-cosignature).

    Build one with :meth:`decode` (a verifier key of type 0x04) or from a name and key.
    """

    name: str
    public_key: Ed25519PublicKey

    @property
    def key_hash(self) -> bytes:
        """The 4-byte key ID: ``SHA-256(name || 0x0A || 0x04 || public key)[:4]``."""
        return _key_hash(self.name, _ALG_COSIGNATURE, _raw_public(self.public_key))

    def encode(self) -> str:
        """The witness's verifier key: ``name+hex(key ID)+base64(0x04 || key)``.

        Returns:
            ASCII text (tlog-cosignature: Ed25519 keys MAY be encoded as vkeys of type 0x04).
        """
        raw = bytes([_ALG_COSIGNATURE]) + _raw_public(self.public_key)
        return f"{self.name}+{self.key_hash.hex()}+{base64.b64encode(raw).decode()}"

    @classmethod
    def decode(cls, text: str) -> CosignatureVerifier:
        """Parse a witness verifier key (type 0x04), split on its first two ``+`` only.

        Args:
            text: ``name+hex(key ID)+base64(0x04 || 32-byte Ed25519 key)``.

        Returns:
            The verifier.

        Raises:
            InputError: malformed (see :meth:`NoteVerifier.decode`) or not of type 0x04.
        """
        name, alg, raw = _decode_vkey(text)
        if alg != _ALG_COSIGNATURE:
            raise InputError("not a witness key: cosignature/v1 keys have type 0x04")
        return cls(name, _ed25519(raw))

    def check_signature(self, text: bytes, sig: bytes) -> int | None:
        """Check a cosignature/v1 over the note text (C2SP tlog-cosignature).

        Args:
            text: The cosigned note text's UTF-8 bytes.
            sig: The bytes after the 4-byte key ID: u64 big-endian timestamp, then the
                64-byte Ed25519 signature.

        Returns:
            The cosignature's POSIX timestamp (seconds).

        Raises:
            IntegrityError: not 72 bytes, a timestamp after 9999-12-31, or a signature that
                does not verify.
        """
        if len(sig) != 8 + 64:
            raise IntegrityError(f"the cosignature by {self.name} is not timestamp || signature")
        timestamp = int.from_bytes(sig[:8], "big")
        if timestamp > _MAX_TIME or not _verifies(
            self.public_key, sig[8:], _cosignature_message(text, timestamp)
        ):
            raise IntegrityError(f"the cosignature by {self.name} does not verify")
        return timestamp


NoteKeyVerifier = NoteVerifier | CosignatureVerifier
"""A trusted key of either signature type."""


def _verifies(key: Ed25519PublicKey, sig: bytes, data: bytes) -> bool:
    try:
        key.verify(sig, data)
    except InvalidSignature:
        return False
    return True


def _cosignature_message(text: bytes, timestamp: int) -> bytes:
    return b"cosignature/v1\ntime " + str(timestamp).encode() + b"\n" + text


def verifier_key(name: str, key: NoteKey | Ed25519PublicKey) -> NoteVerifier:
    """The verifier for notes signed by ``key`` under ``name``.

    Args:
        name: The key name (non-empty, no white space, no control character, no ``+``);
            for checkpoints, the log's origin.
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
            InputError: the origin or an extension line is empty, holds a control character
                (newline included) or is not UTF-8 text; the size is negative; the root is
                not 32 bytes.
        """
        for line in (self.origin, *self.extensions):
            if not line or "\n" in line or not _clean_text(line):
                raise InputError(
                    "checkpoint origin and extension lines are non-empty single lines "
                    f"without control characters: {line[:60]!r}"
                )
        if self.size < 0 or len(self.root) != 32:
            raise InputError("a checkpoint needs a size >= 0 and a 32-byte root")
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode()]
        return "\n".join([*lines, *self.extensions]) + "\n"


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


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise InputError("note text must end with a newline")
    if not _clean_text(text):
        raise InputError(f"note text {_BAD_TEXT} (C2SP signed-note)")


def _line(name: str, blob: bytes) -> str:
    return f"{_SIG_PREFIX}{name} {base64.b64encode(blob).decode()}\n"


def sign_note(text: str, signers: Sequence[tuple[str, NoteKey]]) -> str:
    """A C2SP signed note over ``text``.

    Each signer adds the line ``— <name> base64(key ID || Ed25519 signature of text)``
    (https://c2sp.org/signed-note; the key ID is :attr:`NoteVerifier.key_hash`).

    Args:
        text: The note text: UTF-8, ending with a newline, without control characters other
            than newline; it may hold empty lines.
        signers: ``(key name, key)`` pairs, at least one; keys are Ed25519.

    Returns:
        ``text``, a blank line and one signature line per signer.

    Raises:
        InputError: no signer, a text that does not end with a newline, holds a control
            character or is not UTF-8 text, an invalid key name, or a key that is not
            Ed25519.
    """
    if not signers:
        raise InputError("a signed note needs at least one signer")
    _check_text(text)
    lines = []
    for name, key in signers:
        public, sign = _key_parts(key)
        khash = _key_hash(_check_name(name), _ALG_ED25519, _raw_public(public))
        lines.append(_line(name, khash + sign(text.encode())))
    return text + "\n" + "".join(lines)


def cosign_note(text: str, name: str, key: NoteKey, *, now: datetime) -> str:
    """A witness's ``cosignature/v1`` line over a note text (C2SP tlog-cosignature).

    The Ed25519 signature covers ``cosignature/v1\\n``, ``time <POSIX seconds>\\n`` and the
    whole note text; the line carries ``key ID || u64 timestamp || signature``.

    Args:
        text: The cosigned checkpoint's note text (ending with a newline).
        name: The witness's key name.
        key: The witness's Ed25519 key (a key used for nothing else).
        now: The time of the cosignature (aware; whole seconds are signed).

    Returns:
        One signature line ``— <name> base64(...)`` ending with a newline, to append to the
        note's signatures.

    Raises:
        InputError: an invalid text or name, a naive or pre-1970 ``now``, or a key that is not
            Ed25519.
    """
    _check_text(text)
    if now.tzinfo is None:
        raise InputError("the cosignature time must be timezone-aware")
    timestamp = int(now.timestamp())
    if not 0 < timestamp <= _MAX_TIME:
        raise InputError("the cosignature time must be after 1970-01-01")
    public, sign = _key_parts(key)
    khash = _key_hash(_check_name(name), _ALG_COSIGNATURE, _raw_public(public))
    stamp = timestamp.to_bytes(8, "big")
    return _line(name, khash + stamp + sign(_cosignature_message(text.encode(), timestamp)))


@dataclass(frozen=True, slots=True)
class Cosignature:
    """A verified ``cosignature/v1`` (C2SP tlog-cosignature): who cosigned, and when.

    ``timestamp`` is the POSIX time (seconds) the witness signed at.
    """

    name: str
    key_hash: bytes
    timestamp: int

    @property
    def time(self) -> datetime:
        """The cosignature's time (UTC)."""
        return datetime.fromtimestamp(self.timestamp, UTC)


def _parse_body(text: str, source: str) -> Checkpoint:
    lines = text.split("\n")[:-1]
    if len(lines) < 3:
        raise InputError("a checkpoint has an origin, a size and a root hash", source=source)
    origin, size_s, root_s, *ext = lines
    if not origin:
        raise InputError("the checkpoint origin is empty", source=source)
    if not size_s.isascii() or not size_s.isdigit() or (size_s != "0" and size_s[0] == "0"):
        raise InputError(f"checkpoint size {size_s!r} is not a decimal number", source=source)
    try:
        root = base64.b64decode(root_s, validate=True)
    except binascii.Error:
        raise InputError("checkpoint root hash is not base64", source=source) from None
    if len(root) != 32:
        raise InputError("checkpoint root hash is not 32 bytes", source=source)
    if any(not e for e in ext):
        raise InputError("checkpoint has an empty line", source=source)
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
            an empty line, a size that is not a decimal number, a root that is not 32
            bytes of base64).
        IntegrityError: a trusted key's signature does not verify, or the origin is not
            ``origin``.
        UntrustedNoteError: no trusted key signed it (a
            :class:`~eevidence.errors.TrustError`; the message ends with ``no signature by
            a trusted key``).
    """
    return open_cosigned_checkpoint(note, verifiers, (), origin=origin, source=source)[0]


def open_cosigned_checkpoint(
    note: str | bytes,
    verifiers: Iterable[NoteVerifier],
    cosigners: Iterable[CosignatureVerifier],
    *,
    origin: str | None = None,
    source: str = "<checkpoint>",
) -> tuple[Checkpoint, tuple[Cosignature, ...]]:
    """A checkpoint signed by one of ``verifiers``, with the cosignatures of ``cosigners``.

    Args:
        note: The signed note (text, or UTF-8 bytes of at most 1 MiB).
        verifiers: The log's trusted keys (type 0x01); one must have signed.
        cosigners: The trusted witnesses (cosignature/v1); those that cosigned are returned.
        origin: When given, the checkpoint's origin must be exactly this.
        source: Where the note came from, for messages.

    Returns:
        The checkpoint and the verified cosignatures, in the note's order (empty when no
        trusted witness cosigned).

    Raises:
        InputError: the note or checkpoint body is malformed (see :func:`parse_checkpoint`).
        IntegrityError: a trusted key's signature or cosignature does not verify, or the
            origin is not ``origin``.
        UntrustedNoteError: no trusted log key signed it.
    """
    logs = list(verifiers)
    text, found = _open(note, [*logs, *cosigners], source)
    if not any(isinstance(v, NoteVerifier) for v, _ in found):
        raise UntrustedNoteError(f"{source}: no signature by a trusted key")
    checkpoint = _parse_body(text, source)
    if origin is not None and checkpoint.origin != origin:
        raise IntegrityError(f"{source}: checkpoint origin {checkpoint.origin!r} is not {origin!r}")
    cosignatures = tuple(
        Cosignature(v.name, v.key_hash, ts)
        for v, ts in found
        if isinstance(v, CosignatureVerifier) and ts is not None
    )
    return checkpoint, cosignatures


def open_note(
    note: str | bytes, verifiers: Iterable[NoteKeyVerifier], *, source: str = "<note>"
) -> str:
    """The text of a signed note, once a signature by one of ``verifiers`` checks out.

    The text ends at the note's last empty line (it may hold others); a signature line is
    matched to a trusted key by name and by the key ID computed from that key
    (https://c2sp.org/signed-note); every matching signature must verify; repeated lines
    by one key count once; at most 100 signature lines are read.

    Args:
        note: The signed note (text, or UTF-8 bytes of at most 1 MiB).
        verifiers: The trusted keys (note keys or witnesses' cosignature keys).
        source: Where the note came from, for messages.

    Returns:
        The note text (before the last blank line), ending with a newline.

    Raises:
        InputError: too large, not UTF-8, a control character other than newline, no blank
            line before the signatures, too many or a malformed signature line.
        IntegrityError: a signature by a trusted key does not verify.
        UntrustedNoteError: no trusted key signed the note (a
            :class:`~eevidence.errors.TrustError`).
    """
    text, found = _open(note, list(verifiers), source)
    if not found:
        raise UntrustedNoteError(f"{source}: no signature by a trusted key")
    return text


def _open(
    note: str | bytes, verifiers: Sequence[NoteKeyVerifier], source: str
) -> tuple[str, list[tuple[NoteKeyVerifier, int | None]]]:
    if isinstance(note, bytes):
        if len(note) > _MAX_NOTE:
            raise InputError("signed note is too large", source=source)
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("signed note is not UTF-8", source=source) from None
    elif len(note) > _MAX_NOTE:
        raise InputError("signed note is too large", source=source)
    if not _clean_text(note):
        raise InputError(f"a signed note {_BAD_TEXT}", source=source)
    body, sep, sigblock = note.rpartition("\n\n")
    if not sep or not sigblock.endswith("\n"):
        raise InputError("not a signed note (text, blank line, signatures)", source=source)
    text = body + "\n"
    trusted: dict[tuple[str, bytes], list[NoteKeyVerifier]] = {}
    for v in verifiers:
        same = trusted.setdefault((v.name, v.key_hash), [])
        if not any(type(o) is type(v) and o.public_key == v.public_key for o in same):
            same.append(v)  # the same key given twice counts once
    lines = sigblock[:-1].split("\n")
    if len(lines) > _MAX_SIGNATURES:
        raise InputError(f"more than {_MAX_SIGNATURES} signature lines", source=source)
    found: list[tuple[NoteKeyVerifier, int | None]] = []
    seen: set[tuple[str, bytes]] = set()
    for line in lines:
        name, _, blob_b64 = line.removeprefix(_SIG_PREFIX).partition(" ")
        try:
            blob = base64.b64decode(blob_b64, validate=True)
        except binascii.Error:
            blob = b""
        if not line.startswith(_SIG_PREFIX) or not _valid_name(name) or len(blob) < 5:
            raise InputError(f"malformed signature line {line[:60]!r}", source=source)
        ident = (name, blob[:4])
        if ident in seen:
            continue
        for verifier in trusted.get(ident, ()):
            seen.add(ident)
            try:
                found.append((verifier, verifier.check_signature(text.encode(), blob[4:])))
            except IntegrityError as exc:
                raise IntegrityError(f"{source}: {exc}") from None
    return text, found
