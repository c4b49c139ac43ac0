"""DSSE envelopes (Dead Simple Signing Envelope, secure-systems-lab/dsse v1).

A signature covers ``PAE(payloadType, payload)`` - the pre-authentication encoding that binds
the payload type, so a signature made for one kind of document cannot be replayed as another.
The payload is kept as the exact bytes that were signed; it is never re-serialised.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Final

from eevidence.errors import PackageError

__all__ = ["MAX_ENVELOPE_BYTES", "Envelope", "EnvelopeSignature", "pae"]

MAX_ENVELOPE_BYTES: Final = 16 * 1024 * 1024
MAX_SIGNATURES: Final = 64


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding: ``DSSEv1 SP len(type) SP type SP len(body) SP body``."""
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


@dataclass(frozen=True)
class EnvelopeSignature:
    """One signature; ``keyid`` is only a hint for finding the key, never trusted."""

    keyid: str
    sig: bytes

    def to_json(self) -> dict[str, str]:
        return {"keyid": self.keyid, "sig": base64.b64encode(self.sig).decode("ascii")}


@dataclass(frozen=True)
class Envelope:
    payload_type: str
    payload: bytes
    signatures: tuple[EnvelopeSignature, ...]

    def to_bytes(self) -> bytes:
        doc = {
            "payload": base64.b64encode(self.payload).decode("ascii"),
            "payloadType": self.payload_type,
            "signatures": [s.to_json() for s in self.signatures],
        }
        return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode("utf-8")

    def signed_bytes(self) -> bytes:
        return pae(self.payload_type, self.payload)

    def with_signature(self, signature: EnvelopeSignature) -> Envelope:
        return Envelope(self.payload_type, self.payload, (*self.signatures, signature))

    @classmethod
    def from_bytes(cls, data: bytes, *, source: str = "<envelope>") -> Envelope:
        """Parse an envelope strictly; every malformation is a :class:`PackageError`."""

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


def _b64(text: str, bad: Any) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise bad("invalid base64") from None
