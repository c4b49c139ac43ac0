"""A throwaway certificate authority for tests and demos: NOT FOR REAL USE.

It issues X.509 certificates for the keys eevidence makes, so a letter can be signed and
checked without an agency's PKI. Its CA key lives in memory only (or in the folder a demo
writes) and nobody else trusts it: a letter it certified proves nothing to anyone but the
person who made the CA. Every certificate it issues says so in its subject
(``OU=TEST CERTIFICATE - NOT FOR REAL USE``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from eevidence.crypto import PublicKey

__all__ = ["NOT_FOR_REAL_USE", "ThrowawayCA"]

NOT_FOR_REAL_USE: Final = "TEST CERTIFICATE - NOT FOR REAL USE"
"""The organisational unit every certificate of a :class:`ThrowawayCA` carries."""
_DOCUMENT_SIGNING: Final = ObjectIdentifier("1.3.6.1.5.5.7.3.36")  # RFC 9336


def _name(common_name: str, organization: str | None) -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    parts.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, NOT_FOR_REAL_USE))
    return x509.Name(parts)


class ThrowawayCA:
    """A certificate authority made on the spot, for tests and demos only (NOT FOR REAL USE).

    Args:
        now: The start of its validity (and of the certificates it issues).
        name: Its common name.
        days: How long it and its certificates are valid.
    """

    def __init__(self, now: datetime, *, name: str = "eevidence throwaway CA", days: int = 365):
        self.now = now
        self.days = days
        self.key = ec.generate_private_key(ec.SECP256R1())
        subject = _name(name, None)
        public = self.key.public_key()
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .sign(self.key, hashes.SHA256())
        )

    def issue(
        self, public_key: PublicKey, common_name: str, organization: str | None = None
    ) -> x509.Certificate:
        """A signing certificate for ``public_key`` (document signing and email protection,
        digitalSignature and nonRepudiation), valid as long as the CA.

        Args:
            public_key: The signer's public key (P-256 or RSA).
            common_name: The signer's name (the visible signature shows it).
            organization: The signer's authority.
        """
        ca_public = self.key.public_key()
        return (
            x509.CertificateBuilder()
            .subject_name(_name(common_name, organization))
            .issuer_name(self.certificate.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(self.now - timedelta(minutes=5))
            .not_valid_after(self.now + timedelta(days=self.days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=True,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.ExtendedKeyUsage([_DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                critical=False,
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_public), critical=False
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .sign(self.key, hashes.SHA256())
        )
