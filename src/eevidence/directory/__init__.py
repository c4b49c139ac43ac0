"""A signed directory of authorities and their keys: who may sign which requests.

Recipients (providers' response teams, central authorities) bind a request's signature to
the authority that sent it through a directory its publishers sign with root keys
(:func:`verify_directory`); :mod:`eevidence.intake` uses it to accept or reject requests.
"""

import lazy_loader as _lazy

# Public names are listed in __init__.pyi and imported on first use.
__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
