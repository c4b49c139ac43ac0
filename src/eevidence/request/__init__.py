"""What a request is: models, identifiers, parsing, canonical bytes, schemas, kinds.

Pure: values in, values out, no I/O except :func:`read_request` reading one file. Every
request kind is one row of :data:`KINDS` (:mod:`eevidence.request.kinds`); the models
follow 18 U.S.C. 2702/2703(f) and 2523, the Budapest Convention art. 29-31 (with the T-CY
template for art. 29 requests), its Second Protocol art. 7/9/10, Regulation (EU)
2023/1543 (Annexes I and II) and the CLOUD Act agreements (see ``_models``).
"""

import lazy_loader as _lazy

# Public names are listed in __init__.pyi and imported on first use.
__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
