"""DSSE envelopes (Dead Simple Signing Envelope, secure-systems-lab/dsse v1.0.2).

A signature covers ``PAE(payloadType, payload)`` - the pre-authentication encoding of the
DSSE protocol (``protocol.md``, "Signature Definition") that binds the payload type, so a
signature made for one kind of document cannot be replayed as another. The envelope is the
JSON form of ``envelope.md`` ("Standard JSON envelope"). The payload is kept as the exact
bytes that were signed; it is never re-serialised.

Writing always uses standard base64 with padding (RFC 4648 section 4), so the bytes a
package stores never change. Reading accepts what ``envelope.md`` ("Parsing rules") and
``protocol.md`` ("Protocol": "verifiers MUST accept either") require of a consumer:
standard or URL-safe base64 (RFC 4648 sections 4 and 5), padded or not (the proto3 JSON
mapping of ``envelope.proto`` accepts both); unknown fields ignored; an unset or ``null``
``keyid`` read as empty. Anything a second reader could take differently is refused:
duplicate JSON keys, non-canonical base64, a string mixing both alphabets, non-JSON
constants (``NaN``), text that is not strict UTF-8.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from eevidence.errors import InputError, PackageError

__all__ = ["MAX_ENVELOPE_BYTES", "Envelope", "EnvelopeSignature", "pae"]

MAX_ENVELOPE_BYTES: Final = 16 * 1024 * 1024
"""The largest envelope :meth:`Envelope.from_bytes` reads (16 MiB)."""
MAX_SIGNATURES: Final = 64
MAX_CERTIFICATES: Final = 8
"""The most certificates one signature may carry (a leaf and its intermediates)."""


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

    ``certificates`` is the signer's X.509 chain as DER (leaf first, then intermediates),
    or empty. It is an eevidence field beside those DSSE defines (DSSE readers ignore it),
    and it is not covered by any signature: it is a claim that means nothing until a
    recipient validates the path to a certificate authority it trusts.
    """

    keyid: str
    sig: bytes
    certificates: tuple[bytes, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The JSON object of ``envelope.md``: ``{"keyid": ..., "sig": base64}``, and
        ``"certificates": [base64 DER, ...]`` when the signature carries a chain."""
        out: dict[str, Any] = {
            "keyid": self.keyid,
            "sig": base64.b64encode(self.sig).decode("ascii"),
        }
        if self.certificates:
            out["certificates"] = [base64.b64encode(c).decode("ascii") for c in self.certificates]
        return out


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
        """Parse a JSON envelope as DSSE v1.0.2 says a consumer must, refusing anything ambiguous.

        Accepted (``envelope.md``, "Parsing rules"; ``protocol.md``, "Protocol"):

        * ``payload``, ``payloadType`` and ``signatures`` are required; each signature needs
          ``sig``. Fields the format does not define are ignored, at the top level and in
          each signature ("Consumers MUST ignore unrecognized fields").
        * ``keyid`` may be absent, empty or ``null``: all three read as ``""`` ("An unset
          field MUST be treated the same as set-but-empty"). It is only a hint for finding
          the key and never trusted (``protocol.md``, "Signature Definition": KEYID "MUST
          NOT be used for security decisions").
        * ``payload`` and ``sig`` in standard or URL-safe base64 (RFC 4648 sections 4 and
          5), with or without ``=`` padding ("verifiers MUST accept either").
        * A signature's ``certificates`` (eevidence's own field: the signer's X.509 chain),
          when present, is a list of at most 8 base64 strings read like ``sig``; absent or
          ``null`` reads as no chain. Its content is not checked here (it is not signed).

        Refused: an object with the same key twice (RFC 8259 section 4 leaves the meaning
        to each reader, so two readers could see two payloads); base64 mixing both
        alphabets, with wrong padding, whitespace or non-zero pad bits (RFC 4648 sections
        3.3 and 3.5: every accepted string decodes to one byte string, and one byte string
        has one accepted spelling per alphabet and padding); ``NaN`` and ``Infinity``
        (not JSON, RFC 8259 section 6); a byte order mark or any text that is not strict
        UTF-8 (RFC 8259 section 8.1); a ``payloadType`` or ``keyid`` holding an unpaired
        surrogate escape (not a Unicode string).

        Args:
            data: The envelope's bytes, at most :data:`MAX_ENVELOPE_BYTES` (16 MiB), with
                at most 64 signatures.
            source: Where the bytes came from, for messages.

        Returns:
            The envelope: its payload decoded to the exact signed bytes, each signature's
            ``keyid`` a string (``""`` when the envelope gives none).

        Raises:
            PackageError: any malformation (code ``bad_envelope``): too large, not strict
                UTF-8 JSON, a duplicate key, a required field missing or of the wrong type,
                invalid or ambiguous base64, more than 64 signatures, a ``certificates``
                field that is not a list of at most 8 base64 strings.
        """

        def bad(why: str) -> PackageError:
            return PackageError(
                f"malformed signature envelope: {why}", code="bad_envelope", source=source
            )

        if len(data) > MAX_ENVELOPE_BYTES:
            raise bad(f"too large (over {MAX_ENVELOPE_BYTES} bytes)")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise bad("not UTF-8") from None
        if text.startswith("\ufeff"):
            raise bad("starts with a byte order mark (RFC 8259 section 8.1)")
        try:
            doc: Any = json.loads(
                text, object_pairs_hook=_unique_object, parse_constant=_no_constant
            )
        except _DuplicateKeyError as exc:
            raise bad(f"the key {exc.key[:64]!r} appears twice in one object") from None
        except (ValueError, RecursionError):
            raise bad("not JSON") from None
        if not isinstance(doc, dict):
            raise bad("not a JSON object")
        missing = [k for k in ("payload", "payloadType", "signatures") if k not in doc]
        if missing:
            raise bad(f"missing the field(s) {', '.join(missing)}")
        payload_type, payload, sigs = doc["payloadType"], doc["payload"], doc["signatures"]
        if not isinstance(payload_type, str) or not isinstance(payload, str):
            raise bad("payload and payloadType must be strings")
        if not _is_utf8(payload_type):
            raise bad("payloadType is not valid UTF-8 text")
        if not isinstance(sigs, list) or len(sigs) > MAX_SIGNATURES:
            raise bad(f"signatures must be a list of at most {MAX_SIGNATURES}")
        parsed = []
        for n, item in enumerate(sigs):
            if not isinstance(item, dict) or not isinstance(item.get("sig"), str):
                raise bad(f"signature {n} needs a 'sig' string")
            keyid = item.get("keyid")
            if keyid is None:
                keyid = ""
            if not isinstance(keyid, str) or not _is_utf8(keyid):
                raise bad(f"signature {n}: keyid must be a string of valid UTF-8 text")
            chain = item.get("certificates")
            if chain is None:
                chain = []
            if (
                not isinstance(chain, list)
                or len(chain) > MAX_CERTIFICATES
                or not all(isinstance(c, str) for c in chain)
            ):
                raise bad(
                    f"signature {n}: certificates must be a list of at most "
                    f"{MAX_CERTIFICATES} base64 strings"
                )
            parsed.append(
                EnvelopeSignature(
                    keyid,
                    _b64(item["sig"], f"signature {n}", bad),
                    tuple(
                        _b64(c, f"signature {n} certificate {i}", bad) for i, c in enumerate(chain)
                    ),
                )
            )
        return cls(payload_type, _b64(payload, "payload", bad), tuple(parsed))


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json.loads`` object hook: the object as a dict, refusing a key given twice."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKeyError(key)
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    """``json.loads`` hook for ``NaN``, ``Infinity`` and ``-Infinity``: not JSON."""
    raise ValueError(f"{name} is not JSON")


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_STANDARD: Final = re.compile(r"[A-Za-z0-9+/]*")
_URL_SAFE: Final = re.compile(r"[A-Za-z0-9_-]*")
_TO_STANDARD: Final = str.maketrans("-_", "+/")


def _b64(text: str, what: str, bad: Callable[[str], PackageError]) -> bytes:
    """Decode standard or URL-safe base64, padded or not (RFC 4648 sections 4 and 5).

    One alphabet per string, padding either absent or exactly what RFC 4648 section 3.2
    requires, and the pad bits zero (section 3.5), so every accepted string has one
    meaning for every reader.
    """
    body = text.rstrip("=")
    pad = len(text) - len(body)
    if not (_STANDARD.fullmatch(body) or _URL_SAFE.fullmatch(body)):
        raise bad(f"{what}: not base64 (a character outside one base64 alphabet)")
    if len(body) % 4 == 1 or (pad and pad != -len(body) % 4):
        raise bad(f"{what}: not base64 (wrong length or padding)")
    standard = body.translate(_TO_STANDARD)
    try:
        decoded = base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
    except (binascii.Error, ValueError):  # pragma: no cover - excluded by the checks above
        raise bad(f"{what}: not base64") from None
    if base64.b64encode(decoded).rstrip(b"=").decode("ascii") != standard:
        raise bad(f"{what}: non-canonical base64 (non-zero pad bits)")
    return decoded
