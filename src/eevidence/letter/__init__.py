"""Request letters: one document model laid out as plain text, HTML or PDF, in en/fr/es/ar.

Deterministic: the same request and options give the same bytes. fpdf2 and HarfBuzz are
loaded only when a PDF is asked for.
"""

import lazy_loader as _lazy

# Public names are listed in __init__.pyi and imported on first use.
__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
