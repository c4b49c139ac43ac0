"""The checker: will this provider accept this request as written, and why not?

:func:`check` is pure: a request, a provider profile, legal facts and ``now`` in, a
:class:`CheckReport` out. Every finding's code, severity and title is in :data:`RULES`
(the catalogue, ``docs/findings.md``).
"""

import lazy_loader as _lazy

# Public names are listed in __init__.pyi and imported on first use.
__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
