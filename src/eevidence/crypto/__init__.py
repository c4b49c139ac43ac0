"""Cryptographic building blocks that know nothing of requests.

Keys and signers (Ed25519, ECDSA P-256, RSA-PSS), DSSE envelopes and their PAE, RFC 9162
Merkle trees and proofs, signed notes (checkpoints in the C2SP signed-note format) and
canonical JSON. The cryptography library's hazmat calls live here only.
"""

import lazy_loader as _lazy

# Public names are listed in __init__.pyi and imported on first use.
__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
