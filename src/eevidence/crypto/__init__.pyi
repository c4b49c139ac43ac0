"""Cryptographic building blocks that know nothing of requests.

Keys and signers (Ed25519, ECDSA P-256, RSA-PSS), DSSE envelopes and their PAE, RFC 9162
Merkle trees and proofs, signed notes (checkpoints in the C2SP signed-note format) and
canonical JSON. The cryptography library's hazmat calls live here only.
"""

from ._canonical import canonical_json_bytes as canonical_json_bytes
from ._dsse import (
    MAX_ENVELOPE_BYTES as MAX_ENVELOPE_BYTES,
    Envelope as Envelope,
    EnvelopeSignature as EnvelopeSignature,
    pae as pae,
)
from ._keys import (
    KEY_TYPES as KEY_TYPES,
    KeySigner as KeySigner,
    KeyType as KeyType,
    PrivateKey as PrivateKey,
    PublicKey as PublicKey,
    Signer as Signer,
    TrustedKey as TrustedKey,
    TrustStore as TrustStore,
    generate_private_key as generate_private_key,
    key_id as key_id,
    key_type as key_type,
    load_private_key as load_private_key,
    load_public_key as load_public_key,
    load_trust_store as load_trust_store,
    public_key_pem as public_key_pem,
    verify_signature as verify_signature,
    write_private_key as write_private_key,
    write_public_key as write_public_key,
)
from ._merkle import (
    EMPTY_ROOT as EMPTY_ROOT,
    MerkleTree as MerkleTree,
    leaf_hash as leaf_hash,
    node_hash as node_hash,
    root_of as root_of,
    verify_consistency as verify_consistency,
    verify_inclusion as verify_inclusion,
)
from ._note import (
    Checkpoint as Checkpoint,
    NoteKey as NoteKey,
    NoteVerifier as NoteVerifier,
    open_note as open_note,
    parse_checkpoint as parse_checkpoint,
    sign_checkpoint as sign_checkpoint,
    sign_note as sign_note,
    verifier_key as verifier_key,
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
