"""Packages encrypted for their recipients in the age v1 format (X25519 recipients).

The format is the one of the age specification (C2SP ``age``, https://age-encryption.org/v1):
a text header with one ``X25519`` stanza per recipient that wraps a random 16-byte file key,
authenticated by an HMAC-SHA-256 under a key derived from the file key, then a 16-byte nonce
and the payload in 64 KiB chunks, each sealed with ChaCha20-Poly1305 under a key derived
from the file key and the nonce (the STREAM construction: the chunk counter and a flag for
the last chunk form the nonce, so reordered, dropped or truncated chunks fail). Files written
here are read by the age and rage tools and their libraries, and files they write for X25519
recipients are read here (decision 0020).

Only building blocks of ``cryptography`` are used (X25519, HKDF-SHA-256, HMAC-SHA-256,
ChaCha20-Poly1305), so encryption runs at OpenSSL's speed with bounded memory: one chunk in
and one out at a time.

Outputs are written through a temporary file in the target's folder and renamed when
complete; on any failure (a wrong identity, an altered or truncated file) nothing is left.
"""

from __future__ import annotations

import base64
import hmac
import io
import os
import secrets
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from eevidence.errors import InputError, PackageError

__all__ = [
    "ENCRYPTED_SUFFIX",
    "Identity",
    "Recipient",
    "decrypt_package",
    "decrypt_stream",
    "encrypt_package",
    "encrypt_stream",
    "generate_identity",
    "read_identities",
    "read_recipients",
    "write_identity",
]

ENCRYPTED_SUFFIX: Final = ".age"
"""The file suffix of an encrypted package."""

_VERSION_LINE: Final = b"age-encryption.org/v1"
_X25519_LABEL: Final = b"age-encryption.org/v1/X25519"
_CHUNK: Final = 64 * 1024
_TAG: Final = 16
_SEALED: Final = _CHUNK + _TAG
_MAX_HEADER: Final = 1024 * 1024
_MAX_STANZAS: Final = 1024
_MAX_TEXT: Final = 1024 * 1024
_IO_BUFFER: Final = 1024 * 1024
_B32: Final = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_RECIPIENT_HRP: Final = "age"
_IDENTITY_HRP: Final = "age-secret-key-"


# --------------------------------------------------------------------------- Bech32 (BIP 173)


def _polymod(values: Iterable[int]) -> int:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _convert(data: Iterable[int], frm: int, to: int, *, pad: bool) -> list[int] | None:
    acc = bits = 0
    out: list[int] = []
    for v in data:
        acc = (acc << frm) | v
        bits += frm
        while bits >= to:
            bits -= to
            out.append((acc >> bits) & ((1 << to) - 1))
    if pad:
        if bits:
            out.append((acc << (to - bits)) & ((1 << to) - 1))
    elif bits >= frm or (acc << (to - bits)) & ((1 << to) - 1):
        return None
    return out


def _bech32_encode(hrp: str, data: bytes) -> str:
    values = _convert(data, 8, 5, pad=True) or []
    poly = _polymod([*_hrp_expand(hrp), *values, 0, 0, 0, 0, 0, 0]) ^ 1
    checksum = [(poly >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_B32[v] for v in [*values, *checksum])


def _bech32_decode(text: str, hrp: str) -> bytes | None:
    """The 32 bytes of a Bech32 string with ``hrp`` (any single case), or ``None``."""
    if text.lower() != text and text.upper() != text:
        return None
    low = text.lower()
    pos = low.rfind("1")
    if low[:pos] != hrp or len(low) - pos < 8 or any(c not in _B32 for c in low[pos + 1 :]):
        return None
    values = [_B32.index(c) for c in low[pos + 1 :]]
    if _polymod([*_hrp_expand(hrp), *values]) != 1:
        return None
    data = _convert(values[:-6], 5, 8, pad=False)
    return bytes(data) if data is not None and len(data) == 32 else None


# --------------------------------------------------------------------------- keys


@dataclass(frozen=True)
class Recipient:
    """Whom a package is encrypted to: an X25519 public key, written ``age1...``.

    Attributes:
        key: The X25519 public key.
        label: Where it came from, for messages (a file, a directory entry).
    """

    key: X25519PublicKey
    label: str = ""

    @classmethod
    def parse(cls, text: str, *, label: str = "") -> Recipient:
        """A recipient from its ``age1...`` text (Bech32, as age writes it).

        Raises:
            InputError: not an age X25519 recipient.
        """
        raw = _bech32_decode(text.strip(), _RECIPIENT_HRP)
        if raw is None:
            shown = text.strip()[:24]
            raise InputError(
                f"{shown!r} is not an age X25519 recipient (age1...)", source=label or "<recipient>"
            )
        return cls(X25519PublicKey.from_public_bytes(raw), label)

    def __str__(self) -> str:
        return _bech32_encode(_RECIPIENT_HRP, _raw_public(self.key))


@dataclass(frozen=True)
class Identity:
    """A recipient's private key (an age X25519 identity, ``AGE-SECRET-KEY-1...``).

    Attributes:
        key: The X25519 private key.
    """

    key: X25519PrivateKey

    @classmethod
    def parse(cls, text: str, *, source: str = "<identity>") -> Identity:
        """An identity from its ``AGE-SECRET-KEY-1...`` text.

        Raises:
            InputError: not an age X25519 identity.
        """
        raw = _bech32_decode(text.strip(), _IDENTITY_HRP)
        if raw is None or text.strip().upper() != text.strip():
            raise InputError("not an age X25519 identity (AGE-SECRET-KEY-1...)", source=source)
        return cls(X25519PrivateKey.from_private_bytes(raw))

    @property
    def recipient(self) -> Recipient:
        """Its public half."""
        return Recipient(self.key.public_key())

    def __str__(self) -> str:
        raw = self.key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return _bech32_encode(_IDENTITY_HRP, raw).upper()

    def __repr__(self) -> str:
        return f"Identity(recipient={self.recipient})"


def _raw_public(key: X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def generate_identity() -> Identity:
    """A new random X25519 identity."""
    return Identity(X25519PrivateKey.generate())


def _read_text(path: str | os.PathLike[str]) -> str:
    try:
        with open(path, "rb") as fh:
            data = fh.read(_MAX_TEXT + 1)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=str(path)) from None
    if len(data) > _MAX_TEXT:
        raise InputError("too large for a key file (over 1 MiB)", source=str(path))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("not a text file", source=str(path)) from None


def _lines(text: str) -> list[tuple[int, str]]:
    return [
        (n, line.strip())
        for n, line in enumerate(text.splitlines(), 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]


def read_recipients(path: str | os.PathLike[str]) -> list[Recipient]:
    """The recipients of an age recipients file: one ``age1...`` per line, ``#`` comments.

    Raises:
        InputError: the file cannot be read, a line is not an X25519 recipient, or it
            lists none.
    """
    found = [Recipient.parse(t, label=f"{path}:{n}") for n, t in _lines(_read_text(path))]
    if not found:
        raise InputError("lists no recipient (age1...)", source=str(path))
    return found


def read_identities(path: str | os.PathLike[str]) -> list[Identity]:
    """The identities of an age identity file: ``AGE-SECRET-KEY-1...`` lines, ``#`` comments.

    Raises:
        InputError: the file cannot be read, a line is not an X25519 identity, or it
            holds none.
    """
    found = [Identity.parse(t, source=f"{path}:{n}") for n, t in _lines(_read_text(path))]
    if not found:
        raise InputError("holds no identity (AGE-SECRET-KEY-1...)", source=str(path))
    return found


def write_identity(identity: Identity, path: str | os.PathLike[str], *, now: datetime) -> None:
    """Write an identity file as age writes it (comments, then the key), mode 0600 from
    the start, through a temporary file; an existing file is never overwritten.

    Raises:
        InputError: ``path`` exists or cannot be written.
    """
    text = (
        f"# created: {now.replace(microsecond=0).isoformat()}\n"
        f"# public key: {identity.recipient}\n{identity}\n"
    )
    _place(Path(path), lambda fh: fh.write(text.encode("ascii")), mode=0o600, what="key file")


# --------------------------------------------------------------------------- format


def _b64(data: bytes) -> bytes:
    return base64.b64encode(data).rstrip(b"=")


def _unb64(text: bytes) -> bytes | None:
    """Canonical unpadded base64 (RFC 4648 section 4), or ``None``."""
    try:
        data = base64.b64decode(text + b"=" * (-len(text) % 4), validate=True)
    except ValueError:
        return None
    return data if _b64(data) == text else None


def _hkdf(ikm: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt, info).derive(ikm)


def _stanza(recipient: Recipient, file_key: bytes) -> bytes:
    ephemeral = X25519PrivateKey.generate()
    share = _raw_public(ephemeral.public_key())
    shared = ephemeral.exchange(recipient.key)
    wrap = _hkdf(shared, share + _raw_public(recipient.key), _X25519_LABEL)
    body = ChaCha20Poly1305(wrap).encrypt(bytes(12), file_key, None)
    return b"-> X25519 " + _b64(share) + b"\n" + _b64(body) + b"\n"


def _unwrap(args: list[bytes], body: bytes, identity: Identity) -> bytes | None:
    share = _unb64(args[0]) if len(args) == 1 else None
    if share is None or len(share) != 32 or len(body) != 32:
        raise PackageError("an X25519 stanza is malformed", code="malformed")
    try:
        shared = identity.key.exchange(X25519PublicKey.from_public_bytes(share))
    except ValueError:  # an all-zero shared secret (a low-order share)
        raise PackageError("an X25519 stanza is malformed", code="malformed") from None
    wrap = _hkdf(shared, share + _raw_public(identity.key.public_key()), _X25519_LABEL)
    try:
        return ChaCha20Poly1305(wrap).decrypt(bytes(12), body, None)
    except InvalidTag:
        return None


def _header_line(src: IO[bytes], used: list[int]) -> bytes:
    line = src.readline(_MAX_HEADER - used[0] + 1)
    used[0] += len(line)
    if used[0] > _MAX_HEADER:
        raise PackageError("the encrypted header is too large", code="malformed")
    if not line.endswith(b"\n"):
        raise PackageError("the encrypted file is truncated in its header", code="truncated")
    return line[:-1]


def _read_header(
    src: IO[bytes],
) -> tuple[list[tuple[bytes, list[bytes], bytes]], bytes, bytes]:
    """The stanzas ``(type, args, body)``, the bytes the MAC covers, and the MAC."""
    used = [0]
    first = src.readline(len(_VERSION_LINE) + 1)
    if first != _VERSION_LINE + b"\n":
        raise PackageError(
            "not an encrypted package (no age-encryption.org/v1 header)", code="not_encrypted"
        )
    used[0] = len(first)
    covered = bytearray(first)
    stanzas: list[tuple[bytes, list[bytes], bytes]] = []
    while True:
        line = _header_line(src, used)
        if line.startswith(b"--- "):
            covered += b"---"
            mac = _unb64(line[4:])
            if mac is None or len(mac) != 32:
                raise PackageError("the header's MAC is malformed", code="malformed")
            return stanzas, bytes(covered), mac
        parts = line.split(b" ")
        if parts[0] != b"->" or len(parts) < 2 or any(not p for p in parts[1:]):
            raise PackageError("a header stanza is malformed", code="malformed")
        if len(stanzas) >= _MAX_STANZAS:
            raise PackageError("the header has too many stanzas", code="malformed")
        covered += line + b"\n"
        body = bytearray()
        while True:
            row = _header_line(src, used)
            covered += row + b"\n"
            data = _unb64(row)
            if data is None or len(row) > 64:
                raise PackageError("a stanza body is not canonical base64", code="malformed")
            body += data
            if len(row) < 64:
                break
        stanzas.append((parts[1], parts[2:], bytes(body)))


def _buffered(src: IO[bytes]) -> io.BufferedReader:
    """``src`` as a reader that can peek (to know which chunk is the last)."""
    if isinstance(src, io.BufferedReader):
        return src
    return io.BufferedReader(src, _IO_BUFFER)  # type: ignore[arg-type]


def _check_recipients(recipients: Sequence[Recipient]) -> None:
    if not recipients:
        raise InputError("encryption needs at least one recipient")


def encrypt_stream(src: IO[bytes], dst: IO[bytes], recipients: Sequence[Recipient]) -> int:
    """Encrypt ``src`` to ``dst`` for ``recipients`` (any one of them can decrypt).

    Reads and writes 64 KiB at a time. Returns the bytes of plaintext read.

    Raises:
        InputError: no recipient.
    """
    _check_recipients(recipients)
    file_key = secrets.token_bytes(16)
    header = _VERSION_LINE + b"\n" + b"".join(_stanza(r, file_key) for r in recipients) + b"---"
    mac = hmac.digest(_hkdf(file_key, b"", b"header"), header, "sha256")
    nonce = secrets.token_bytes(16)
    dst.write(header + b" " + _b64(mac) + b"\n" + nonce)
    aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
    reader = _buffered(src)
    total = counter = 0
    while True:
        chunk = reader.read(_CHUNK)
        last = len(chunk) < _CHUNK or not reader.peek(1)
        dst.write(
            aead.encrypt(counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00"), chunk, None)
        )
        total += len(chunk)
        counter += 1
        if last:
            return total


def decrypt_stream(src: IO[bytes], dst: IO[bytes], identities: Sequence[Identity]) -> int:
    """Decrypt ``src`` (an age v1 file for an X25519 recipient) to ``dst``.

    Reads and writes 64 KiB at a time; each chunk is authenticated before it is written,
    but a later chunk can still fail, so write to a temporary file (as
    :func:`decrypt_package` does). Returns the bytes of plaintext written.

    Raises:
        PackageError: ``not_encrypted`` (no age header), ``malformed`` (a header that is
            not age v1), ``wrong_identity`` (no identity opens any stanza), ``tampered``
            (the header's MAC or a chunk fails authentication), ``truncated`` (the file
            ends early).
        InputError: no identity.
    """
    if not identities:
        raise InputError("decryption needs at least one identity")
    reader = _buffered(src)
    stanzas, covered, mac = _read_header(reader)
    x25519 = [(args, body) for kind, args, body in stanzas if kind == b"X25519"]
    file_key = None
    for args, body in x25519:
        for identity in identities:
            file_key = _unwrap(args, body, identity)
            if file_key is not None:
                break
        if file_key is not None:
            break
    if file_key is None:
        raise PackageError(
            f"no identity given opens this package (it is encrypted to {len(stanzas)} "
            "recipient(s), none of them yours)",
            code="wrong_identity",
        )
    if len(file_key) != 16:
        raise PackageError("the wrapped file key is malformed", code="malformed")
    if not hmac.compare_digest(
        hmac.digest(_hkdf(file_key, b"", b"header"), covered, "sha256"), mac
    ):
        raise PackageError("the encrypted header was altered (its MAC fails)", code="tampered")
    nonce = reader.read(16)
    if len(nonce) != 16:
        raise PackageError("the encrypted package is truncated", code="truncated")
    aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
    total = counter = 0
    while True:
        sealed = reader.read(_SEALED)
        last = len(sealed) < _SEALED or not reader.peek(1)
        if len(sealed) < _TAG:
            raise PackageError("the encrypted package is truncated", code="truncated")
        prefix = counter.to_bytes(11, "big")
        try:
            plain = aead.decrypt(prefix + (b"\x01" if last else b"\x00"), sealed, None)
        except InvalidTag:
            raise _chunk_failure(aead, prefix, sealed, counter, last) from None
        if last and not plain and counter:
            raise PackageError("the encrypted package ends with an empty chunk", code="tampered")
        dst.write(plain)
        total += len(plain)
        counter += 1
        if last:
            return total


def _chunk_failure(
    aead: ChaCha20Poly1305, prefix: bytes, sealed: bytes, counter: int, last: bool
) -> PackageError:
    """Why a chunk fails: a full chunk sealed as not last at the end means a truncation."""
    if last and len(sealed) == _SEALED:
        try:
            aead.decrypt(prefix + b"\x00", sealed, None)
        except InvalidTag:
            pass
        else:
            return PackageError(
                "the encrypted package is truncated (it ends before its last chunk)",
                code="truncated",
            )
    return PackageError(
        f"the encrypted package was altered or damaged (chunk {counter} fails authentication)",
        code="tampered",
    )


# --------------------------------------------------------------------------- files


def _place(target: Path, write: Callable[[IO[bytes]], object], *, mode: int, what: str) -> None:
    """Write through a temporary file beside ``target``, then link it into place.

    ``write`` is called with the open temporary file. ``target`` is never overwritten
    (``os.link`` fails if it exists); on any failure nothing is left behind.
    """
    if target.exists() or target.is_symlink():
        raise PackageError(
            "refusing to overwrite an existing path", code="exists", source=str(target)
        )
    parent = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".eevidence-", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise PackageError(
            f"cannot write {what}: {exc.strerror or exc}", code="unwritable", source=str(target)
        ) from None
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb", buffering=_IO_BUFFER) as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.link(tmp, target)
    except OSError as exc:
        if isinstance(exc, FileExistsError):
            raise PackageError(
                "refusing to overwrite an existing path", code="exists", source=str(target)
            ) from None
        raise PackageError(
            f"cannot write {what}: {exc.strerror or exc}", code="unwritable", source=str(target)
        ) from None
    finally:
        Path(tmp).unlink(missing_ok=True)


def _open(path: str | os.PathLike[str]) -> IO[bytes]:
    try:
        fh = open(path, "rb", buffering=_IO_BUFFER)  # noqa: SIM115 - closed by the caller
    except OSError as exc:
        raise PackageError(
            f"cannot read: {exc.strerror or exc}", code="unreadable", source=str(path)
        ) from None
    if not os.path.isfile(path):
        fh.close()
        raise PackageError("not a regular file", code="unreadable", source=str(path))
    return fh


def encrypt_package(
    package: str | os.PathLike[str],
    out: str | os.PathLike[str],
    recipients: Sequence[Recipient],
) -> Path:
    """Encrypt a zip package (or any file) to ``out`` for ``recipients``.

    ``out`` is a file to create (``.age`` by convention), or an existing folder: the file is
    then named ``<32 random hex digits>.age`` in it, so that its name reveals nothing about
    the request. The package's bytes are encrypted as they are: its signatures stay inside,
    and the decrypted file verifies as the original did.

    Returns:
        The path written.

    Raises:
        InputError: no recipient.
        PackageError: ``unreadable`` (the package), ``exists`` (``out`` is an existing
            file), ``unwritable``.
    """
    _check_recipients(recipients)
    target = Path(out)
    if target.is_dir():
        target = target / f"{secrets.token_hex(16)}{ENCRYPTED_SUFFIX}"
    with _open(package) as src:
        _place(target, lambda fh: encrypt_stream(src, fh, recipients), mode=0o644, what="file")
    return target


def decrypt_package(
    encrypted: str | os.PathLike[str],
    out: str | os.PathLike[str],
    identities: Sequence[Identity],
) -> Path:
    """Decrypt an encrypted package to ``out`` (mode 0600: it holds what the package holds).

    Written to a temporary file and renamed only when every chunk authenticated: a wrong
    identity or an altered or truncated file leaves nothing at ``out``.

    Returns:
        ``out``.

    Raises:
        InputError: no identity.
        PackageError: as :func:`decrypt_stream`; ``unreadable``, ``exists`` (``out``
            exists), ``unwritable``.
    """
    if not identities:
        raise InputError("decryption needs at least one identity")
    target = Path(out)
    with _open(encrypted) as src:
        try:
            _place(target, lambda fh: decrypt_stream(src, fh, identities), mode=0o600, what="file")
        except PackageError as exc:
            if exc.source == "<input>":
                exc.source = str(encrypted)
            raise
    return target
