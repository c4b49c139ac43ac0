"""Signed packages: BagIt 1.0 bags (directory or zip) with DSSE signatures.

Reading (zip and directory, with limits), hashing, building, verifying, co-signing and
reports. Verification trusts only the keys given to it and never loads the request
models. Sources: RFC 8493 (BagIt), the DSSE envelope specification.
"""

import lazy_loader as _lazy

# Public names are listed in __init__.pyi and imported on first use.
__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
