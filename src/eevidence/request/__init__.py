"""What a request is: models, identifiers, parsing, canonical bytes, schemas, kinds.

Pure: values in, values out, no I/O except :func:`read_request` reading one file. Every
request kind is one row of :data:`KINDS` (:mod:`eevidence.request.kinds`); the models
follow the UNODC model forms, 18 U.S.C. 2702/2703(f), the Budapest Convention art. 29-31,
its Second Protocol art. 7/9/10 and Regulation (EU) 2023/1543 (Annexes I and II).
"""

import lazy_loader as _lazy

# Public names are listed in __init__.pyi and imported on first use.
__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
