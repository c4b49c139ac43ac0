"""What providers accept: profiles and their registry, legal facts, the checker, route advice.

Pure apart from reading the shipped (or ``$EEVIDENCE_PROVIDERS``) profile files: a
request, a profile, legal facts and ``now`` in, a :class:`CheckReport` or a list of
:class:`Route` out. Every fact carries its source (the provider's or lawgiver's own text).
"""

import lazy_loader as _lazy

# Public names are listed in __init__.pyi and imported on first use.
__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
