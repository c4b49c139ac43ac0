"""Signing keys, signers and trust stores.

Every call into ``cryptography``'s hazmat layer lives in this module:

* keys are Ed25519 (RFC 8032), ECDSA P-256 (FIPS 186-5 section 6, curve of SP 800-186) or
  RSA-PSS 3072 (RFC 8017 section 8.1), stored as PKCS#8 PEM (RFC 5958, RFC 7468), optionally
  encrypted with a passphrase (never an empty one), and written with mode 0600 through a
  temporary file; a key pair is written so that both files appear or neither
  (:func:`write_key_pair`);
* a private key file that others can write is refused, one others can read is used with a
  warning; RSA keys must have at least 2048 bits and the public exponent 65537 (NIST SP
  800-56B Rev. 2 section 6.2 fixes e in (2**16, 2**256); 65537 is the one value accepted,
  as in most current signers), whether loaded, given in memory or trusted;
* a key id is the SHA-256 (hex) of the DER ``SubjectPublicKeyInfo`` (RFC 5280 section
  4.1.2.7) of the public key: it is computed from the key itself, never read from anywhere;
* :class:`Signer` is the small interface a hardware or remote signer implements
  (``sign(bytes) -> bytes``, ``public_key``, ``keyid``); :class:`KeySigner` is the file-based one;
* :class:`TrustStore` holds the public keys a verifier accepts, loaded from PEM public keys or
  X.509 certificates in a directory.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal, Protocol, runtime_checkable

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from eevidence._internal.fs import write_atomic
from eevidence.errors import ConfigurationError, SigningKeyError

__all__ = [
    "KEY_TYPES",
    "KeySigner",
    "KeyType",
    "PrivateKey",
    "PublicKey",
    "Signer",
    "TrustStore",
    "TrustedKey",
    "generate_private_key",
    "key_id",
    "key_type",
    "load_private_key",
    "load_public_key",
    "load_trust_store",
    "public_key_pem",
    "verify_signature",
    "write_key_pair",
    "write_private_key",
    "write_public_key",
]

KeyType = Literal["ed25519", "p256", "rsa"]
"""Supported key types: Ed25519, ECDSA on P-256 (secp256r1), RSA (signing with PSS)."""
KEY_TYPES: Final[tuple[KeyType, ...]] = ("ed25519", "p256", "rsa")
RSA_BITS: Final = 3072
MIN_RSA_BITS: Final = 2048
RSA_EXPONENT: Final = 65537
MAX_KEY_FILE_BYTES: Final = 1024 * 1024

PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
"""A private key of a supported type (``cryptography`` objects)."""
PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey
"""A public key of a supported type (``cryptography`` objects)."""

_log = logging.getLogger(__name__)

_PSS: Final = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)


# --------------------------------------------------------------------------- key ids, types


def key_id(public_key: PublicKey) -> str:
    """The key id of ``public_key``, computed from the key itself.

    Args:
        public_key: A supported public key.

    Returns:
        SHA-256 (FIPS 180-4) of its DER ``SubjectPublicKeyInfo`` (RFC 5280 section 4.1.2.7),
        as 64 lower-case hexadecimal digits.
    """
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def key_type(public_key: PublicKey) -> KeyType:
    """The :data:`KeyType` name of a supported public key (``ed25519``, ``p256``, ``rsa``)."""
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        return "ed25519"
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return "p256"
    return "rsa"


def _check_supported(key: object, source: str) -> PublicKey:
    """The public key of ``key`` if it is of a supported kind, else :class:`SigningKeyError`."""
    public = key.public_key() if hasattr(key, "public_key") else key
    if isinstance(public, ed25519.Ed25519PublicKey):
        return public
    if isinstance(public, ec.EllipticCurvePublicKey):
        if not isinstance(public.curve, ec.SECP256R1):
            raise SigningKeyError(f"unsupported elliptic curve {public.curve.name}", source=source)
        return public
    if isinstance(public, rsa.RSAPublicKey):
        if public.key_size < MIN_RSA_BITS:
            raise SigningKeyError(
                f"RSA key of {public.key_size} bits is too short (minimum {MIN_RSA_BITS})",
                source=source,
            )
        exponent = public.public_numbers().e
        if exponent != RSA_EXPONENT:
            raise SigningKeyError(
                f"RSA key with public exponent {exponent} refused (only {RSA_EXPONENT})",
                source=source,
            )
        return public
    raise SigningKeyError(
        f"unsupported key type {type(public).__name__} (use ed25519, p256 or rsa)", source=source
    )


# --------------------------------------------------------------------------- private keys


def generate_private_key(kind: KeyType = "ed25519") -> PrivateKey:
    """A new private key from the operating system's random source.

    Args:
        kind: ``ed25519`` (default; RFC 8032), ``p256`` (ECDSA, FIPS 186-5) or ``rsa``
            (3072 bits, public exponent 65537; signs with RSASSA-PSS, RFC 8017 section 8.1).

    Returns:
        The private key (keep it in memory only as long as needed).

    Raises:
        SigningKeyError: ``kind`` is not one of :data:`KEY_TYPES`.
    """
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if kind == "p256":
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    raise SigningKeyError(f"unknown key type {kind!r}; expected one of {', '.join(KEY_TYPES)}")


def _temp_file(path: Path, data: bytes, mode: int) -> Path:
    """A temporary file beside ``path`` holding ``data``, with ``mode`` from the first byte
    on, written and ``fsync``-ed (the caller renames or removes it)."""
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise SigningKeyError(
            f"cannot write key: {exc.strerror or exc}", source=str(path)
        ) from None
    try:
        os.fchmod(fd, mode)  # mkstemp creates 0600; the public half is then opened to 0644
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise SigningKeyError(
                f"cannot write key: {exc.strerror or exc}", source=str(path)
            ) from None
        raise
    return Path(tmp)


def _place(tmp: Path, path: Path, *, replace: bool = False) -> None:
    """Move ``tmp`` to ``path``; without ``replace``, never over an existing file (a hard
    link fails if the name exists, so two writers cannot both win)."""
    try:
        if replace:
            os.replace(tmp, path)
            return
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise SigningKeyError(
                "refusing to overwrite an existing file", source=str(path)
            ) from None
        except OSError:  # a file system without hard links: check, then rename
            if path.exists() or path.is_symlink():
                raise SigningKeyError(
                    "refusing to overwrite an existing file", source=str(path)
                ) from None
            os.replace(tmp, path)
            return
        tmp.unlink(missing_ok=True)
    except OSError as exc:
        raise SigningKeyError(
            f"cannot write key: {exc.strerror or exc}", source=str(path)
        ) from None


def _private_pem(key: PrivateKey, passphrase: bytes | None, source: str) -> bytes:
    if passphrase is not None and not passphrase:
        raise SigningKeyError(
            "an empty passphrase would leave the key unencrypted; give one, or none",
            source=source,
        )
    try:
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(passphrase)
            if passphrase
            else serialization.NoEncryption()
        )
        return key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )
    except (ValueError, TypeError) as exc:
        raise SigningKeyError(f"cannot encode the key: {exc}", source=source) from None


def write_private_key(
    key: PrivateKey, path: str | os.PathLike[str], *, passphrase: bytes | None = None
) -> None:
    """Write ``key`` as a PKCS#8 PEM file (RFC 5958, RFC 7468), mode 0600 from the start.

    The file is written through a temporary file in the same directory, ``fsync``-ed and
    moved into place. An existing file is never overwritten: choose a new path. To write a
    key with its public half, use :func:`write_key_pair`.

    Args:
        key: The private key (of a supported type, size and exponent).
        path: The new file.
        passphrase: When given (1 to 1023 bytes), the key is encrypted with the best
            algorithm ``cryptography`` offers (PBES2 with AES-256-CBC, RFC 8018); an empty
            one is refused (it would leave the key unencrypted).

    Raises:
        SigningKeyError: ``path`` exists, the key is not supported, the passphrase is empty
            or unusable (longer than 1023 bytes), or the file cannot be written.
    """
    target = Path(path)
    _check_supported(key, str(target))
    if target.exists() or target.is_symlink():
        raise SigningKeyError("refusing to overwrite an existing file", source=str(target))
    tmp = _temp_file(target, _private_pem(key, passphrase, str(target)), 0o600)
    try:
        _place(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_key_pair(
    key: PrivateKey,
    private_path: str | os.PathLike[str],
    public_path: str | os.PathLike[str],
    *,
    passphrase: bytes | None = None,
    replace_public: bool = False,
) -> None:
    """Write a private key (mode 0600) and its public half (PEM, mode 0644) so that both
    files appear or neither.

    Both are written to temporary files beside their targets and ``fsync``-ed first; the
    public key is then moved into place, and the private key last, so a private key file is
    never there without its public key. If anything fails (or the process is interrupted,
    ``KeyboardInterrupt`` included), what was placed is removed. The private key's file is
    the mark of a complete pair: a public key file found alone is the rest of an
    interrupted creation or of a deleted key.

    Args:
        key: The private key (of a supported type, size and exponent).
        private_path: The new private key file; never overwritten.
        public_path: The new public key file.
        passphrase: Encrypts the private key, as in :func:`write_private_key` (never empty).
        replace_public: Replace a public key file already at ``public_path`` (a public key
            left alone when its private key was deleted), rather than refuse it. The old
            file is restored if the private key cannot be placed.

    Raises:
        SigningKeyError: ``private_path`` exists, or ``public_path`` exists and
            ``replace_public`` is false; the key is not supported; the passphrase is empty
            or unusable; or a file cannot be written (nothing is then left of the pair).
    """
    private, public = Path(private_path), Path(public_path)
    _check_supported(key, str(private))
    if private.exists() or private.is_symlink():
        raise SigningKeyError("refusing to overwrite an existing file", source=str(private))
    if not replace_public and (public.exists() or public.is_symlink()):
        raise SigningKeyError("refusing to overwrite an existing file", source=str(public))
    private_tmp = _temp_file(private, _private_pem(key, passphrase, str(private)), 0o600)
    public_tmp: Path | None = None
    old_public: Path | None = None
    placed = False
    try:
        public_tmp = _temp_file(public, public_key_pem(key), 0o644)
        if replace_public and public.exists():
            old_public = _temp_file(public, _read_small(public), 0o644)
        _place(public_tmp, public, replace=replace_public)
        placed = True
        _place(private_tmp, private)
    except BaseException:
        if placed:
            if old_public is not None:
                os.replace(old_public, public)
                old_public = None
            else:
                public.unlink(missing_ok=True)
        raise
    finally:
        for leftover in (private_tmp, public_tmp, old_public):
            if leftover is not None:
                leftover.unlink(missing_ok=True)


def _check_private_mode(mode: int, path: Path) -> None:
    """Refuse a private key file others can write; warn when others can read it (POSIX)."""
    if os.name != "posix":  # pragma: no cover - Windows ACLs are not mode bits
        return
    if mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise SigningKeyError(
            f"the key file can be written by others (mode {stat.S_IMODE(mode):04o}); "
            "make it private (chmod 600)",
            source=str(path),
        )
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        _log.warning(
            "%s: the private key file can be read by others (mode %04o); chmod 600",
            path,
            stat.S_IMODE(mode),
        )


def _read_small(path: Path, *, private: bool = False) -> bytes:
    """The file's bytes (at most :data:`MAX_KEY_FILE_BYTES`); opened without blocking, so a
    FIFO or device is refused rather than waited on."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise SigningKeyError(
            f"cannot read key file: {exc.strerror or exc}", source=str(path)
        ) from None
    try:
        try:
            mode = os.fstat(fd).st_mode
        except OSError:
            os.close(fd)
            raise
        if not stat.S_ISREG(mode):
            os.close(fd)
            raise SigningKeyError("not a regular file", source=str(path))
        with os.fdopen(fd, "rb") as fh:
            if private:
                _check_private_mode(mode, path)
            data = fh.read(MAX_KEY_FILE_BYTES + 1)
    except OSError as exc:
        raise SigningKeyError(
            f"cannot read key file: {exc.strerror or exc}", source=str(path)
        ) from None
    if len(data) > MAX_KEY_FILE_BYTES:
        raise SigningKeyError("key file is too large", source=str(path))
    return data


def load_private_key(
    path: str | os.PathLike[str], *, passphrase: bytes | None = None
) -> PrivateKey:
    """Read a PEM private key (PKCS#8, RFC 5958, or the traditional OpenSSL forms).

    The file must be a regular file that only its owner can write: one that its group or
    others can write is refused, one they can read is used with a warning in the log.

    Args:
        path: The key file (at most 1 MiB).
        passphrase: The passphrase of an encrypted key; ``None`` for a plain one.

    Returns:
        The private key, of a supported type (RSA keys of at least 2048 bits with public
        exponent 65537; EC keys on P-256 only).

    Raises:
        SigningKeyError: the file cannot be read, is too large, is not a regular file or
            can be written by others; the passphrase is missing, wrong or given for a plain
            key; the data is not a PEM private key; or the key's type, curve, size or
            exponent is not supported.
    """
    p = Path(path)
    data = _read_small(p, private=True)
    try:
        key = serialization.load_pem_private_key(data, password=passphrase or None)
    except TypeError:
        if passphrase:
            raise SigningKeyError(
                "the key is not encrypted but a passphrase was given", source=str(p)
            ) from None
        raise SigningKeyError("the key is encrypted: give its passphrase", source=str(p)) from None
    except (ValueError, UnsupportedAlgorithm):
        raise SigningKeyError(
            "not a readable PEM private key (or wrong passphrase)", source=str(p)
        ) from None
    _check_supported(key, str(p))
    if not isinstance(
        key, ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    ):  # pragma: no cover - _check_supported already refused other types
        raise SigningKeyError("unsupported private key type", source=str(p))
    return key


# --------------------------------------------------------------------------- public keys


def public_key_pem(key: PrivateKey | PublicKey) -> bytes:
    """The public key of ``key`` (a private key's public half) as PEM.

    Returns:
        ``-----BEGIN PUBLIC KEY-----`` PEM of the ``SubjectPublicKeyInfo`` (RFC 7468
        section 13; RFC 5280 section 4.1.2.7), ASCII bytes ending with a newline.
    """
    public = (
        key.public_key()
        if isinstance(
            key, ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
        )
        else key
    )
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def write_public_key(key: PrivateKey | PublicKey, path: str | os.PathLike[str]) -> None:
    """Write the public key of ``key`` as PEM (:func:`public_key_pem`), mode 0644, atomically.

    An existing file is never overwritten: a trust store's keys are not replaced by mistake.

    Args:
        key: A private key (its public half is written) or a public key.
        path: The new file.

    Raises:
        SigningKeyError: ``path`` already exists.
        InputError: the file cannot be written (directory missing, no permission...).
    """
    target = Path(path)
    if target.exists() or target.is_symlink():
        raise SigningKeyError("refusing to overwrite an existing file", source=str(target))
    write_atomic(target, public_key_pem(key))


def _load_public_from_pem(data: bytes, source: str) -> tuple[PublicKey, x509.Certificate | None]:
    # PEM is text (RFC 7468 section 2): text around the block is allowed, binary is not, so a
    # key buried in another file (a zip, even the package being verified) is never trusted.
    if b"\x00" in data:
        raise SigningKeyError("not a PEM text file (it holds NUL bytes)", source=source)
    if b"-----BEGIN CERTIFICATE-----" in data:
        try:
            cert = x509.load_pem_x509_certificate(data)
        except ValueError:
            raise SigningKeyError("not a readable PEM certificate", source=source) from None
        try:
            cert_key = cert.public_key()
        except (ValueError, UnsupportedAlgorithm):
            raise SigningKeyError("certificate has an unreadable key", source=source) from None
        return _check_supported(cert_key, source), cert
    try:
        public = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        raise SigningKeyError(
            "not a readable PEM public key or certificate", source=source
        ) from None
    return _check_supported(public, source), None


def parse_public_key(data: bytes, *, source: str = "<public key>") -> PublicKey:
    """A PEM public key (``SubjectPublicKeyInfo``, RFC 7468 section 13) from bytes.

    Only ``PUBLIC KEY`` PEM is read here (a certificate is not a key document).

    Raises:
        SigningKeyError: ``data`` is not a PEM public key, or holds a key of an unsupported
            type, curve or size; the message names ``source``.
    """
    if b"-----BEGIN CERTIFICATE-----" in data:
        raise SigningKeyError("expected a PEM public key, not a certificate", source=source)
    return _load_public_from_pem(data, source)[0]


def load_public_key(path: str | os.PathLike[str]) -> PublicKey:
    """Read a PEM public key, or the public key of a PEM X.509 certificate (RFC 5280).

    Args:
        path: A PEM file (at most 1 MiB): ``PUBLIC KEY`` or ``CERTIFICATE``.

    Returns:
        The public key, of a supported type.

    Raises:
        SigningKeyError: the file cannot be read, is not a PEM public key or certificate, or
            holds a key of an unsupported type, curve or size.
    """
    p = Path(path)
    return _load_public_from_pem(_read_small(p), str(p))[0]


# --------------------------------------------------------------------------- signing


def _sign(key: PrivateKey, data: bytes) -> bytes:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(data)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(hashes.SHA256()))
    return key.sign(data, _PSS, hashes.SHA256())


def verify_signature(public_key: PublicKey, signature: bytes, data: bytes) -> bool:
    """Whether ``signature`` is a valid signature of ``data`` by ``public_key``.

    Ed25519 (RFC 8032 section 5.1.7, 64-byte signature); ECDSA P-256 with SHA-256 (FIPS
    186-5 section 6.4.2; DER ``Ecdsa-Sig-Value``, RFC 3279 section 2.2.3); RSASSA-PSS with
    SHA-256, MGF1-SHA-256 and a 32-byte salt (RFC 8017 sections 8.1.2 and 9.1.2).

    Args:
        public_key: The key that supposedly signed.
        signature: The raw signature bytes.
        data: The signed bytes (for DSSE, the PAE; for notes, the note text).

    Returns:
        True for a valid signature; False for any invalid or malformed one (never raises
        for bad signature bytes).
    """
    try:
        if isinstance(public_key, ed25519.Ed25519PublicKey):
            public_key.verify(signature, data)
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            public_key.verify(signature, data, _PSS, hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


@runtime_checkable
class Signer(Protocol):
    """Anything that can sign bytes with one key (a key file, a hardware token, a service).

    Signatures must verify with :func:`verify_signature` (Ed25519; ECDSA P-256 with
    SHA-256, DER-encoded; RSASSA-PSS with SHA-256, MGF1-SHA-256, 32-byte salt).
    """

    @property
    def public_key(self) -> PublicKey:
        """The public key of the signing key (a supported type)."""
        ...

    @property
    def keyid(self) -> str:
        """:func:`key_id` of :attr:`public_key` (64 lower-case hex digits)."""
        ...

    def sign(self, data: bytes) -> bytes:
        """The raw signature of ``data`` (a remote signer may raise its own errors)."""
        ...


class KeySigner:
    """A :class:`Signer` backed by a private key held in memory.

    Raises:
        SigningKeyError: (on construction) the key's type, curve or size is not supported.
    """

    def __init__(self, private_key: PrivateKey) -> None:
        self._key = private_key
        self._public = _check_supported(private_key, "<key>")
        self._keyid = key_id(self._public)

    @classmethod
    def from_file(
        cls, path: str | os.PathLike[str], *, passphrase: bytes | None = None
    ) -> KeySigner:
        """A signer for the key in a PEM file (see :func:`load_private_key`).

        Raises:
            SigningKeyError: the key cannot be read, decrypted or used.
        """
        return cls(load_private_key(path, passphrase=passphrase))

    @property
    def public_key(self) -> PublicKey:
        """The public half of the key."""
        return self._public

    @property
    def keyid(self) -> str:
        """:func:`key_id` of the public key (64 lower-case hex digits)."""
        return self._keyid

    def sign(self, data: bytes) -> bytes:
        """Sign ``data``: Ed25519 (RFC 8032), ECDSA P-256/SHA-256 (FIPS 186-5, DER) or
        RSASSA-PSS/SHA-256 with a 32-byte salt (RFC 8017 section 8.1.1)."""
        return _sign(self._key, data)

    def __repr__(self) -> str:
        return f"KeySigner(keyid={self._keyid[:16]}...)"


# --------------------------------------------------------------------------- trust store


@dataclass(frozen=True)
class TrustedKey:
    """A public key the verifier accepts, with its computed key id and where it came from."""

    keyid: str
    public_key: PublicKey
    source: str
    certificate: x509.Certificate | None = None


class TrustStore:
    """The keys a verifier accepts, indexed by key id computed from each key."""

    def __init__(self, keys: Iterable[TrustedKey] = ()) -> None:
        self._keys: dict[str, TrustedKey] = {}
        for k in keys:
            self._keys.setdefault(k.keyid, k)

    @classmethod
    def from_public_keys(cls, keys: Iterable[PublicKey]) -> TrustStore:
        """A store of in-memory public keys (source ``<memory>``); duplicates kept once."""
        return cls(TrustedKey(key_id(k), k, "<memory>") for k in keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, keyid: object) -> bool:
        return keyid in self._keys

    def __iter__(self) -> Iterator[TrustedKey]:
        return iter(list(self._keys.values()))

    def candidates(self, hint: str | None) -> list[TrustedKey]:
        """Every trusted key, the one whose id equals ``hint`` first (a hint is never trusted)."""
        keys = list(self._keys.values())
        keys.sort(key=lambda k: k.keyid != hint)
        return keys


def load_trust_store(path: str | os.PathLike[str]) -> TrustStore:
    """Load the keys a verifier trusts.

    Args:
        path: One PEM file, or a directory whose ``*.pem``, ``*.crt`` and ``*.pub`` files
            (public keys or X.509 certificates, RFC 5280) are all read.

    Returns:
        The store, each key indexed by its computed :func:`key_id`.

    Raises:
        ConfigurationError: ``path`` is neither a file nor a directory, the directory
            cannot be listed, or no key was found.
        SigningKeyError: a file cannot be read or is not a usable PEM key or certificate.
    """
    p = Path(path)
    if p.is_file():
        files = [p]
    elif p.is_dir():
        try:
            files = sorted(f for f in p.iterdir() if f.suffix.lower() in {".pem", ".crt", ".pub"})
        except OSError as exc:
            raise ConfigurationError(
                f"trust store {p} cannot be listed: {exc.strerror or exc}"
            ) from None
    else:
        raise ConfigurationError(f"trust store {p} is neither a directory nor a file")
    keys = []
    for f in files:
        if not f.is_file():
            continue
        public, cert = _load_public_from_pem(_read_small(f), str(f))
        keys.append(TrustedKey(key_id(public), public, str(f), cert))
    if not keys:
        raise ConfigurationError(f"trust store {p} holds no PEM public key or certificate")
    return TrustStore(keys)
