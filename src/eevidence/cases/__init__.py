"""Cases: one view of every tracked request of a case, and follow-up drafting.

:func:`case_view` lists every request of a case whatever its kind and addressee, with its
state, next deadline, the addressees' references and the identifiers cross-referenced;
:func:`draft_follow_up` drafts the formal request that must follow a preservation (mutual legal
assistance), with what a person must still supply and the latest date to dispatch it.
"""

import lazy_loader as _lazy

# Public names are listed in __init__.pyi and imported on first use.
__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
