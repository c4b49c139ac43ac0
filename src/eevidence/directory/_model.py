"""The directory document: authorities, their signing keys, and the root keys that sign it.

A directory is data an agency or a network of agencies publishes so that recipients
(providers' response teams, central authorities) can bind a request's signature to the
authority that sent it. Its design follows The Update Framework's root role (TUF
specification 1.0, sections 4.3 and 5.3: a version number, an expiry, root keys with a
threshold, and root rotation by a version signed by both the old and the new root set).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Annotated, ClassVar, Final, Literal, get_args

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pydantic import Field, field_validator, model_validator

from eevidence._internal.codes import is_assigned_country, phone_problem
from eevidence._internal.models import Model
from eevidence.crypto import PublicKey, canonical_json_bytes, key_id, parse_public_key
from eevidence.errors import DirectoryError, InputError, SigningKeyError
from eevidence.request import (
    E164,
    REQUEST_KINDS,
    CountryCode,
    DomainName,
    Line,
    Seq,
    Text,
    UtcDatetime,
)

__all__ = [
    "AUTHORITY_KINDS",
    "DIRECTORY_PAYLOAD_TYPE",
    "DIRECTORY_TYPE",
    "ROLES",
    "Authority",
    "AuthorityKind",
    "CertificateAuthority",
    "Directory",
    "DirectoryKey",
    "KeyRole",
    "Revocation",
    "RootRole",
    "as_of",
    "kinds_of_role",
]

DIRECTORY_TYPE: Final = "eevidence-directory"
"""The ``type`` field of every directory document."""
DIRECTORY_PAYLOAD_TYPE: Final = "application/vnd.eevidence.directory+json;version=1"
"""The DSSE payload type a directory is signed under (never accepted for anything else)."""
SPEC_VERSION: Final = 1

AuthorityKind = Literal["police", "prosecutor", "court", "central_authority", "contact_point"]
"""What an authority is: a police or other law-enforcement agency, a prosecutor's office,
a court or judge, a central authority for mutual legal assistance (UNTOC art. 18(13)), or a
24/7 point of contact (Budapest Convention art. 35)."""
AUTHORITY_KINDS: Final[tuple[str, ...]] = get_args(AuthorityKind)

KeyRole = Literal[
    "requests",
    "emergency",
    "preservation",
    "preservation_extension",
    "voluntary_disclosure",
    "emergency_disclosure",
    "eu_production_order",
    "eu_preservation_order",
    "protocol2_art7_order",
    "cloud_act_order",
]
"""What a key may sign: ``requests`` (every request kind except an emergency disclosure),
``emergency`` (emergency disclosure requests), or one request kind by name."""
ROLES: Final[tuple[str, ...]] = get_args(KeyRole)
DEFAULT_ROLES: Final[tuple[KeyRole, ...]] = ("requests",)

_EMERGENCY_KINDS: Final = frozenset({"emergency_disclosure"})


def kinds_of_role(role: str) -> frozenset[str]:
    """The request kinds a key with ``role`` may sign (``requests`` excludes emergencies)."""
    if role == "requests":
        return frozenset(REQUEST_KINDS) - _EMERGENCY_KINDS
    if role == "emergency":
        return _EMERGENCY_KINDS
    return frozenset({role}) & frozenset(REQUEST_KINDS)


def _key_of(pem: str, what: str) -> PublicKey:
    """The public key of a PEM text in a directory; a bad one is a ValueError, which the
    model reports as a :class:`~eevidence.errors.DirectoryError` problem."""
    try:
        return parse_public_key(pem.encode(), source=what)
    except (SigningKeyError, UnicodeEncodeError) as exc:
        raise ValueError(f"{what}: {exc}") from None


class _Model(Model):
    error_class: ClassVar[type[InputError]] = DirectoryError


class Revocation(_Model):
    """A key's revocation: from ``at`` on, nothing signed with the key is accepted.

    Attributes:
        at: When the revocation takes effect (UTC offset required). A recipient checking a
            request at or after ``at`` refuses the key whatever date the request claims,
            since the signing time is the signer's own statement.
        reason: Why, as the revoking authority writes it (e.g. ``key compromised``).
    """

    at: UtcDatetime
    reason: Line


class DirectoryKey(_Model):
    """An authority's signing key.

    Attributes:
        keyid: SHA-256 of the key's DER ``SubjectPublicKeyInfo`` (lowercase hex); must match
            ``public_key``.
        public_key: The PEM public key (Ed25519, ECDSA P-256 or RSA of 2048 bits or more).
        valid_from, valid_until: The period in which requests signed with the key may be
            dated (``valid_until`` ``None``: no end).
        roles: What the key may sign (:data:`ROLES`).
        revoked: The revocation, or ``None``.
    """

    keyid: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    public_key: Annotated[str, Field(min_length=1, max_length=8192)]
    valid_from: UtcDatetime
    valid_until: UtcDatetime | None = None
    roles: Seq[KeyRole] = Field(default=DEFAULT_ROLES, min_length=1)
    revoked: Revocation | None = None

    @model_validator(mode="after")
    def _consistent(self) -> DirectoryKey:
        key = _key_of(self.public_key, f"key {self.keyid[:16]}")
        if key_id(key) != self.keyid:
            raise ValueError(f"keyid {self.keyid[:16]}... is not the id of its public key")
        if self.valid_until is not None and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        if len(set(self.roles)) != len(self.roles):
            raise ValueError("roles are listed twice")
        return self

    def key(self) -> PublicKey:
        """The public key."""
        return parse_public_key(self.public_key.encode(), source=f"key {self.keyid[:16]}")


def _one_certificate(pem: str, source: str) -> x509.Certificate:
    try:
        certs = x509.load_pem_x509_certificates(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise ValueError(f"{source}: not a PEM certificate") from None
    if len(certs) != 1:
        raise ValueError(f"{source}: give exactly one PEM certificate, not {len(certs)}")
    return certs[0]


class CertificateAuthority(_Model):
    """An X.509 certificate authority whose certificates sign for an authority.

    A package signature carrying a certificate chain is bound to the authority that lists
    the CA the chain validates to (RFC 5280 section 6 path validation at the request's
    creation time; see :mod:`eevidence.intake`). The CA is a trust anchor for that
    authority only: its certificates never sign for another.

    Attributes:
        fingerprint: SHA-256 of the certificate's DER (lowercase hex); must match
            ``certificate``.
        certificate: The CA's certificate in PEM (``basicConstraints`` CA:TRUE); often an
            agency's root or issuing CA.
        roles: What certificates it issued may sign (:data:`ROLES`).
        revoked: The revocation, or ``None``: from ``revoked.at`` on, nothing signed under
            this CA is accepted.
    """

    fingerprint: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    certificate: Annotated[str, Field(min_length=1, max_length=65536)]
    roles: Seq[KeyRole] = Field(default=DEFAULT_ROLES, min_length=1)
    revoked: Revocation | None = None

    @model_validator(mode="after")
    def _consistent(self) -> CertificateAuthority:
        cert = _one_certificate(self.certificate, f"CA {self.fingerprint[:16]}")
        if hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest() != self.fingerprint:
            raise ValueError(
                f"fingerprint {self.fingerprint[:16]}... is not the SHA-256 of its certificate"
            )
        try:
            ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        except x509.ExtensionNotFound:
            ca = False
        if not ca:
            raise ValueError(
                f"{cert.subject.rfc4514_string()} is not a CA certificate "
                "(basicConstraints CA:TRUE)"
            )
        if len(set(self.roles)) != len(self.roles):
            raise ValueError("roles are listed twice")
        return self

    @classmethod
    def from_pem(
        cls, data: bytes, *, roles: tuple[KeyRole, ...] = DEFAULT_ROLES, source: str = "<CA>"
    ) -> CertificateAuthority:
        """The entry for a PEM CA certificate, its fingerprint computed.

        Raises:
            DirectoryError: not exactly one PEM certificate, or not a CA certificate.
        """
        try:
            cert = _one_certificate(data.decode("ascii", "replace"), source)
        except ValueError as exc:
            raise DirectoryError(str(exc), source=source) from None
        return cls(
            fingerprint=hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest(),
            certificate=cert.public_bytes(Encoding.PEM).decode("ascii"),
            roles=roles,
        )

    def x509(self) -> x509.Certificate:
        """The certificate."""
        return _one_certificate(self.certificate, f"CA {self.fingerprint[:16]}")

    @property
    def subject(self) -> str:
        """The certificate's subject (RFC 4514)."""
        return self.x509().subject.rfc4514_string()


class Authority(_Model):
    """An authority that signs requests, as the directory's publishers vouch for it.

    Attributes:
        id: A stable identifier (lowercase letters, digits, ``-``, ``.``, ``_``).
        name: The authority's name as recipients should show it.
        country: ISO 3166-1 alpha-2 code of its State.
        kind: :data:`AUTHORITY_KINDS`.
        domains: Its official email domains (lowercase, ASCII or IDNA A-labels); an
            officer's address must be at one of them or a subdomain of one.
        callback: The switchboard or 24/7 desk to call back (E.164), never an officer's own
            number: a recipient confirms an emergency there.
        keys: Its signing keys.
        certificate_authorities: X.509 CAs whose certificates sign for it, or ``None``
            (absent from the document: directories written before CAs could be listed
            keep their signed bytes).
        encryption_recipients: Keys that packages for this authority are encrypted to
            (age X25519 recipients, ``age1...``; ``package build --encrypt-to
            directory:FOLDER#ID``), or ``None`` (absent: older directories keep their
            signed bytes). They are never signing keys (decision 0020).
    """

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")]
    name: Line
    country: CountryCode
    kind: AuthorityKind
    domains: Seq[DomainName] = Field(min_length=1)
    callback: E164
    keys: Seq[DirectoryKey] = ()
    note: Text | None = None
    certificate_authorities: Seq[CertificateAuthority] | None = None
    encryption_recipients: (
        Seq[Annotated[str, Field(pattern=r"^age1[02-9ac-hj-np-z]{58}$")]] | None
    ) = None

    @property
    def cas(self) -> tuple[CertificateAuthority, ...]:
        """The listed certificate authorities (empty when none)."""
        return tuple(self.certificate_authorities or ())

    @field_validator("country")
    @classmethod
    def _assigned(cls, value: str) -> str:
        if not is_assigned_country(value):
            raise ValueError(f"{value!r} is not an assigned ISO 3166-1 code")
        return value

    @field_validator("domains")
    @classmethod
    def _lower(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for d in value:
            if d != d.lower() or d.endswith("."):
                raise ValueError(f"domain {d!r} must be lowercase, without a trailing dot")
        if len(set(value)) != len(value):
            raise ValueError("a domain is listed twice")
        return value

    @field_validator("callback")
    @classmethod
    def _phone(cls, value: str) -> str:
        problem = phone_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value


class RootRole(_Model):
    """The keys that sign the directory, and how many must (TUF 1.0 section 4.3).

    Attributes:
        keys: The root public keys (PEM), by key id.
        threshold: Distinct root keys whose signatures a version needs (at least 1, at
            most the number of keys).
    """

    keys: dict[Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")], str] = Field(min_length=1)
    threshold: Annotated[int, Field(ge=1, le=64)]

    @model_validator(mode="after")
    def _consistent(self) -> RootRole:
        for keyid, pem in self.keys.items():
            key = _key_of(pem, f"root key {keyid[:16]}")
            if key_id(key) != keyid:
                raise ValueError(f"root keyid {keyid[:16]}... is not the id of its key")
        if self.threshold > len(self.keys):
            raise ValueError(
                f"threshold {self.threshold} is more than the {len(self.keys)} root key(s)"
            )
        return self

    def public_keys(self) -> dict[str, PublicKey]:
        """The root keys by key id."""
        return {
            k: parse_public_key(v.encode(), source=f"root key {k[:16]}")
            for k, v in self.keys.items()
        }


class Directory(_Model):
    """One version of a directory (the payload its root keys sign).

    Attributes:
        type: Always :data:`DIRECTORY_TYPE`.
        spec_version: The document format's version (1).
        version: This version's number: 1, then each new version one more.
        issued: When this version was written.
        expires: After this, the version is refused (a stale directory cannot be replayed
            for ever: TUF 1.0 section 5.3.10).
        roots: The root role of this version.
        authorities: The authorities, each id once; a key id belongs to one authority only.
    """

    type: Literal["eevidence-directory"] = DIRECTORY_TYPE
    spec_version: Literal[1] = SPEC_VERSION
    version: Annotated[int, Field(ge=1)]
    issued: UtcDatetime
    expires: UtcDatetime
    roots: RootRole
    authorities: Seq[Authority] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Directory:
        if self.expires <= self.issued:
            raise ValueError("expires must be after issued")
        ids = [a.id for a in self.authorities]
        if len(set(ids)) != len(ids):
            raise ValueError("an authority id is listed twice")
        keyids = [k.keyid for a in self.authorities for k in a.keys]
        if len(set(keyids)) != len(keyids):
            raise ValueError("a key is listed twice (a key belongs to one authority)")
        if set(keyids) & set(self.roots.keys):
            raise ValueError("a root key is also an authority's signing key")
        cas = [c.fingerprint for a in self.authorities for c in a.cas]
        if len(set(cas)) != len(cas):
            raise ValueError(
                "a certificate authority is listed twice (it belongs to one authority)"
            )
        return self

    def payload(self) -> bytes:
        """The canonical JSON bytes that are signed (sorted keys, no whitespace, UTF-8)."""
        return canonical_json_bytes(self.model_dump(mode="json", exclude_none=True))

    @classmethod
    def from_payload(cls, data: bytes, *, source: str = "<directory>") -> Directory:
        """Read a signed payload back.

        Raises:
            DirectoryError: not JSON, or not a directory document; or not in canonical form
                (a document is signed as written, so there is one form only).
        """
        try:
            doc = json.loads(data)
        except (ValueError, RecursionError):
            raise DirectoryError("the directory payload is not JSON", source=source) from None
        directory = cls.model_validate(doc)
        if directory.payload() != data:
            raise DirectoryError("the directory payload is not in canonical form", source=source)
        return directory

    def authority(self, authority_id: str) -> Authority | None:
        """The authority with this id, or ``None``."""
        return next((a for a in self.authorities if a.id == authority_id), None)

    def ca_owner(self, fingerprint: str) -> tuple[Authority, CertificateAuthority] | None:
        """The authority and CA entry of a CA certificate's SHA-256 fingerprint, or ``None``."""
        for a in self.authorities:
            for c in a.cas:
                if c.fingerprint == fingerprint:
                    return a, c
        return None

    def key_owner(self, keyid: str) -> tuple[Authority, DirectoryKey] | None:
        """The authority and key entry of a key id, or ``None``."""
        for a in self.authorities:
            for k in a.keys:
                if k.keyid == keyid:
                    return a, k
        return None


def as_of(value: datetime) -> str:
    """A time for messages: ``YYYY-MM-DDTHH:MM:SSZ`` in UTC."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
