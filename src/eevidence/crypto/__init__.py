"""Cryptographic building blocks that know nothing of requests.

Keys and signers (Ed25519, ECDSA P-256, RSA-PSS), DSSE envelopes and their PAE, RFC 9162
Merkle trees and proofs, signed notes (checkpoints in the C2SP signed-note format) and
canonical JSON. The cryptography library's hazmat calls live here only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from eevidence._internal.lazy import attach as _attach

if TYPE_CHECKING:
    from eevidence.crypto._canonical import (
        canonical_json_bytes,
    )
    from eevidence.crypto._dsse import (
        MAX_ENVELOPE_BYTES,
        Envelope,
        EnvelopeSignature,
        pae,
    )
    from eevidence.crypto._keys import (
        KEY_TYPES,
        KeySigner,
        KeyType,
        PrivateKey,
        PublicKey,
        Signer,
        TrustedKey,
        TrustStore,
        generate_private_key,
        key_id,
        key_type,
        load_private_key,
        load_public_key,
        load_trust_store,
        public_key_pem,
        verify_signature,
        write_private_key,
        write_public_key,
    )
    from eevidence.crypto._merkle import (
        EMPTY_ROOT,
        MerkleTree,
        leaf_hash,
        node_hash,
        root_of,
        verify_consistency,
        verify_inclusion,
    )
    from eevidence.crypto._note import (
        Checkpoint,
        NoteKey,
        NoteVerifier,
        open_note,
        parse_checkpoint,
        sign_checkpoint,
        sign_note,
        verifier_key,
    )

__all__ = [
    "EMPTY_ROOT",
    "KEY_TYPES",
    "MAX_ENVELOPE_BYTES",
    "Checkpoint",
    "Envelope",
    "EnvelopeSignature",
    "KeySigner",
    "KeyType",
    "MerkleTree",
    "NoteKey",
    "NoteVerifier",
    "PrivateKey",
    "PublicKey",
    "Signer",
    "TrustStore",
    "TrustedKey",
    "canonical_json_bytes",
    "generate_private_key",
    "key_id",
    "key_type",
    "leaf_hash",
    "load_private_key",
    "load_public_key",
    "load_trust_store",
    "node_hash",
    "open_note",
    "pae",
    "parse_checkpoint",
    "public_key_pem",
    "root_of",
    "sign_checkpoint",
    "sign_note",
    "verifier_key",
    "verify_consistency",
    "verify_inclusion",
    "verify_signature",
    "write_private_key",
    "write_public_key",
]

__getattr__, __dir__ = _attach(__name__, __file__)
