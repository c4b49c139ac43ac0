"""DSSE envelopes (Dead Simple Signing Envelope, secure-systems-lab/dsse v1.0.0).

A signature covers ``PAE(payloadType, payload)`` - the pre-authentication encoding of the
DSSE protocol (``protocol.md``, "Signature definition") that binds the payload type, so a
signature made for one kind of document cannot be replayed as another. The envelope is the
JSON form of ``envelope.md`` (``payload`` and ``sig`` in standard base64, RFC 4648 section
4). The payload is kept as the exact bytes that were signed; it is never re-serialised.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Final

from eevidence.errors import InputError, PackageError

__all__ = ["MAX_ENVELOPE_BYTES", "Envelope", "EnvelopeSignature", "pae"]

MAX_ENVELOPE_BYTES: Final = 16 * 1024 * 1024
"""The largest envelope :meth:`Envelope.from_bytes` reads (16 MiB)."""
MAX_SIGNATURES: Final = 64


def pae(payload_type: str, payload: bytes) -> bytes:
    """The DSSE v1 pre-authentication encoding: the bytes a signature covers.

    ``"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body``, where ``LEN`` is the length in
    bytes as ASCII decimal without leading zeros and ``type`` is UTF-8 (DSSE protocol v1.0.0,
    "Signature definition").

    Args:
        payload_type: The payload's media type, e.g.
            ``application/vnd.eevidence.custody-entry+json;version=1``.
        payload: The exact payload bytes.

    Returns:
        The encoding, ``len(payload) + len(type) + ~16`` bytes.

    Raises:
        InputError: ``payload_type`` cannot be written as UTF-8 (a lone surrogate).
    """
    try:
        t = payload_type.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"payload type {payload_type!r} is not valid UTF-8 text") from None
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


@dataclass(frozen=True)
class EnvelopeSignature:
    """One signature of an envelope.

    ``keyid`` is only a hint for finding the key (DSSE lets it be empty) and is never
    trusted; ``sig`` is the raw signature over :func:`pae` of the envelope (Ed25519: 64
    bytes; ECDSA P-256: DER; RSA-PSS: the modulus size).
    """

    keyid: str
    sig: bytes

    def to_json(self) -> dict[str, str]:
        """The JSON object of ``envelope.md``: ``{"keyid": ..., "sig": base64}``."""
        return {"keyid": self.keyid, "sig": base64.b64encode(self.sig).decode("ascii")}


@dataclass(frozen=True)
class Envelope:
    """A DSSE envelope: a payload, its type and zero or more signatures over their PAE.

    Values: :meth:`with_signature` returns a new envelope.
    """

    payload_type: str
    payload: bytes
    signatures: tuple[EnvelopeSignature, ...]

    def to_bytes(self) -> bytes:
        """The envelope as JSON (``payload``, ``payloadType``, ``signatures``).

        Returns:
            UTF-8 JSON with sorted keys, two-space indentation and a final newline (the
            bytes packages store as the signature file).
        """
        doc = {
            "payload": base64.b64encode(self.payload).decode("ascii"),
            "payloadType": self.payload_type,
            "signatures": [s.to_json() for s in self.signatures],
        }
        return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode("utf-8")

    def signed_bytes(self) -> bytes:
        """The bytes every signature of this envelope covers: ``pae(payload_type, payload)``.

        Raises:
            InputError: the payload type cannot be written as UTF-8 (see :func:`pae`).
        """
        return pae(self.payload_type, self.payload)

    def with_signature(self, signature: EnvelopeSignature) -> Envelope:
        """A copy of this envelope with ``signature`` appended."""
        return Envelope(self.payload_type, self.payload, (*self.signatures, signature))

    @classmethod
    def from_bytes(cls, data: bytes, *, source: str = "<envelope>") -> Envelope:
        """Parse an envelope strictly.

        Exactly the fields ``payload``, ``payloadType`` and ``signatures`` (each signature
        ``sig`` and an optional ``keyid``), strict base64, UTF-8 JSON.

        Args:
            data: The envelope's bytes, at most :data:`MAX_ENVELOPE_BYTES` (16 MiB), with
                at most 64 signatures.
            source: Where the bytes came from, for messages.

        Returns:
            The envelope, its payload decoded to the exact signed bytes.

        Raises:
            PackageError: any malformation (code ``bad_envelope``): too large, not JSON,
                missing or unknown fields, wrong types, invalid base64.
        """

        def bad(why: str) -> PackageError:
            return PackageError(
                f"malformed signature envelope: {why}", code="bad_envelope", source=source
            )

        if len(data) > MAX_ENVELOPE_BYTES:
            raise bad("too large")
        try:
            doc: Any = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise bad("not JSON") from None
        if not isinstance(doc, dict) or set(doc) != {"payload", "payloadType", "signatures"}:
            raise bad("expected exactly the fields payload, payloadType, signatures")
        payload_type, payload, sigs = doc["payloadType"], doc["payload"], doc["signatures"]
        if not isinstance(payload_type, str) or not isinstance(payload, str):
            raise bad("payload and payloadType must be strings")
        if not _is_utf8(payload_type):
            raise bad("payloadType is not valid UTF-8 text")
        if not isinstance(sigs, list) or len(sigs) > MAX_SIGNATURES:
            raise bad(f"signatures must be a list of at most {MAX_SIGNATURES}")
        parsed = []
        for item in sigs:
            if not isinstance(item, dict) or not isinstance(item.get("sig"), str):
                raise bad("each signature needs a 'sig' string")
            keyid = item.get("keyid", "")
            if not isinstance(keyid, str) or set(item) - {"keyid", "sig"}:
                raise bad("a signature has unknown fields or a non-string keyid")
            parsed.append(EnvelopeSignature(keyid, _b64(item["sig"], bad)))
        return cls(payload_type, _b64(payload, bad), tuple(parsed))


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _b64(text: str, bad: Any) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise bad("invalid base64") from None
