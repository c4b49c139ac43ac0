"""Provider-side intake: decide whether a received request package is genuine.

:func:`intake_package` verifies a package against a verified directory of authorities
(:mod:`eevidence.directory`) and binds each signature to the authority the request names.
"""

import lazy_loader as _lazy

# Public names are listed in __init__.pyi and imported on first use.
__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
