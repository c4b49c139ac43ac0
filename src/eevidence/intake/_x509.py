"""X.509 signers: a package signature carrying a certificate chain, bound through path
validation to a certificate authority the directory lists for an authority.

The chain an envelope signature carries (``certificates``, leaf first) is not covered by
any signature: anyone can put any certificates there. It counts only when the path from
the leaf to a CA the directory lists validates (RFC 5280 section 6, with
``cryptography.x509.verification``) at the request's creation time: every certificate
within its validity period, each issuer's signature, ``basicConstraints`` CA:TRUE and
``pathLenConstraint`` on every CA, ``keyCertSign`` on issuers; and the leaf's key usage
allows ``digitalSignature``, its extended key usage, if present, a signing purpose
(:data:`SIGNING_PURPOSES`). Only then is the leaf's public key trusted to check the
package's signatures, and only for this package.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.x509.oid import ExtendedKeyUsageOID, ObjectIdentifier
from cryptography.x509.verification import (
    ClientVerifier,
    Criticality,
    ExtensionPolicy,
    Policy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from eevidence.crypto import Envelope, PublicKey, key_id, parse_public_key
from eevidence.directory import Authority, CertificateAuthority, Directory, as_of
from eevidence.errors import EEvidenceError

__all__ = ["SIGNING_PURPOSES", "CertifiedSigner", "certified_signers"]

DOCUMENT_SIGNING: Final = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
"""id-kp-documentSigning (RFC 9336)."""
SIGNING_PURPOSES: Final[frozenset[ObjectIdentifier]] = frozenset(
    {
        DOCUMENT_SIGNING,
        ExtendedKeyUsageOID.EMAIL_PROTECTION,
        ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,
    }
)
"""Extended key usages that allow a leaf to sign a request: document signing (RFC 9336),
email protection (RFC 5280 section 4.2.1.12: S/MIME signing, what officers' smart cards
carry) and anyExtendedKeyUsage. A leaf for TLS only, code signing, time stamping or OCSP
is refused; a leaf without the extension is not restricted by it (RFC 5280)."""

_NOISE: Final = re.compile(r"\s*\(encountered processing <Certificate\(.*?\)>\)")


@dataclass(frozen=True)
class CertifiedSigner:
    """A signature's certificate chain, validated to a CA the directory lists.

    Attributes:
        keyid: The id of the leaf's public key (the key that must verify the signature).
        public_key: The leaf's public key.
        leaf: The leaf certificate.
        subject: The leaf's subject (RFC 4514).
        authority: The authority that lists the CA.
        ca: The CA entry the path validated to.
    """

    keyid: str
    public_key: PublicKey
    leaf: x509.Certificate
    subject: str
    authority: Authority
    ca: CertificateAuthority


def _subject(cert: x509.Certificate) -> str:
    return cert.subject.rfc4514_string() or "(empty subject)"


def _key_usage(_policy: Policy, cert: x509.Certificate, ku: x509.KeyUsage | None) -> None:
    if ku is None or not ku.digital_signature:
        raise ValueError("its key usage does not allow digitalSignature: not for signing")


def _extended_key_usage(
    _policy: Policy, cert: x509.Certificate, eku: x509.ExtendedKeyUsage | None
) -> None:
    if eku is not None and not SIGNING_PURPOSES & set(eku):
        names = ", ".join(getattr(o, "_name", o.dotted_string) for o in eku)
        raise ValueError(
            f"its extended key usage is {names}, not a signing purpose (documentSigning, "
            "emailProtection or anyExtendedKeyUsage)"
        )


def _verifier(cas: Sequence[CertificateAuthority], at: datetime) -> ClientVerifier:
    ee = (
        ExtensionPolicy.webpki_defaults_ee()
        .require_present(x509.KeyUsage, Criticality.AGNOSTIC, _key_usage)
        .may_be_present(x509.ExtendedKeyUsage, Criticality.AGNOSTIC, _extended_key_usage)
        .may_be_present(x509.SubjectAlternativeName, Criticality.AGNOSTIC, None)
    )
    return (
        PolicyBuilder()
        .store(Store([c.x509() for c in cas]))
        .time(at)
        .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ee)
        .build_client_verifier()
    )


def _validity(chain: Sequence[x509.Certificate], at: datetime) -> str | None:
    for cert in chain:
        if at < cert.not_valid_before_utc:
            return (
                f"the certificate {_subject(cert)} was not yet valid when the request was "
                f"created ({as_of(at)}; valid from {as_of(cert.not_valid_before_utc)})"
            )
        if at > cert.not_valid_after_utc:
            return (
                f"the certificate {_subject(cert)} had expired when the request was created "
                f"({as_of(at)}; valid until {as_of(cert.not_valid_after_utc)})"
            )
    return None


def _why(exc: VerificationError) -> str:
    text = _NOISE.sub("", str(exc)).removeprefix("validation failed: ")
    own = "Python extension validator failed: ValueError: "
    if own in text:
        return text.partition(own)[2]
    if "candidates exhausted" in text and "no interior errors" in text:
        return (
            "the chain does not lead to a certificate authority the directory lists "
            "(unknown CA, or an intermediate certificate missing)"
        )
    text = text.removeprefix("candidates exhausted: ")
    if text == "cert is not valid at validation time":
        return "a CA certificate was not valid when the request was created"
    return f"path validation failed: {text}"


def _check_chain(
    ders: tuple[bytes, ...], directory: Directory, cas: Sequence[CertificateAuthority], at: datetime
) -> CertifiedSigner | str:
    try:
        chain = [x509.load_der_x509_certificate(d) for d in ders]
    except ValueError:
        return "its certificate chain holds something that is not a DER X.509 certificate"
    leaf = chain[0]
    subject = _subject(leaf)
    try:
        public_key = parse_public_key(
            leaf.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo),
            source=f"certificate {subject}",
        )
    except (EEvidenceError, ValueError, TypeError) as exc:
        return f"the certificate {subject} does not hold a supported signing key ({exc})"
    if not cas:
        return (
            f"it carries the certificate {subject}, but the directory lists no certificate "
            "authority"
        )
    # The anchors the chain names (by issuer) must be valid too; say which when not.
    named = [c.x509() for c in cas if c.x509().subject == chain[-1].issuer]
    problem = _validity(chain, at) or (
        _validity(named[:1], at) if named and all(_validity([n], at) for n in named) else None
    )
    if problem is not None:
        return problem
    verifier = _verifier(cas, at)
    try:
        path = verifier.verify(leaf, chain[1:])
    except VerificationError as exc:
        return f"the certificate {subject}: {_why(exc)}"
    anchor: x509.Certificate = path.chain[-1]
    owner = directory.ca_owner(_fingerprint(anchor))
    if owner is None:  # pragma: no cover - the store holds only listed CAs
        return f"the certificate {subject} validated to a CA the directory does not list"
    authority, ca = owner
    return CertifiedSigner(key_id(public_key), public_key, leaf, subject, authority, ca)


def _fingerprint(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()


def certified_signers(
    envelope: Envelope, directory: Directory, at: datetime
) -> tuple[tuple[CertifiedSigner, ...], tuple[str, ...]]:
    """Validate the certificate chain of each envelope signature that carries one.

    A signature by a key the directory lists is left to the directory's key entry (its
    chain, if any, is not needed). Validation does not check the signature itself: the
    caller trusts a validated leaf's key to check it.

    Args:
        envelope: The package's signature envelope (read, not yet verified).
        directory: The directory whose certificate authorities are the trust anchors.
        at: The request's creation time: every certificate must be valid then.

    Returns:
        The validated chains, and for each chain that did not validate, why (naming the
        signature and the certificate's subject).
    """
    cas = [c for a in directory.authorities for c in a.cas]
    listed = {k.keyid for a in directory.authorities for k in a.keys}
    good: list[CertifiedSigner] = []
    problems: list[str] = []
    for n, sig in enumerate(envelope.signatures):
        if not sig.certificates:
            continue
        result = _check_chain(sig.certificates, directory, cas, at)
        if isinstance(result, str):
            problems.append(f"signature {n + 1}: {result}")
        elif result.keyid not in listed and all(g.keyid != result.keyid for g in good):
            good.append(result)
    return tuple(good), tuple(problems)
