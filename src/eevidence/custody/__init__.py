"""Chain of custody: signed, hash-chained entries under an RFC 9162 Merkle tree.

Entries, the log kept in a :class:`CustodyStore`, signed checkpoints with optional
RFC 3161 timestamps, evidence intake (hashing what providers return) and CASE/UCO export.
"""

import lazy_loader as _lazy

# Public names are listed in __init__.pyi and imported on first use.
__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
