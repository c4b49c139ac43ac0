"""A directory of authorities for State-to-State requests, as dated and sourced data.

Central authorities for mutual legal assistance (MLA) and 24/7 points of contact (Budapest
Convention art. 35), each with its channels, accepted languages, required formalities and the
expected time to transmit a request, every fact resting on a dated https source of the
authority's own or the lawgiver's text; what no source says stays ``unknown``. The shipped
entries (``authorities/`` beside ``providers/``) are only those whose facts are public; an
agency adds its own copy of a restricted directory (the UNODC directory of competent national
authorities, the 24/7 network's list) from a folder named by ``EEVIDENCE_AUTHORITIES``.
"""

import lazy_loader as _lazy

# Public names are listed in __init__.pyi and imported on first use.
__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
