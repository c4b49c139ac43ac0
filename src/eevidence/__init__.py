"""eevidence: cross-border electronic-evidence preservation and disclosure requests.

The top level holds the names a workflow starts from: read or parse a request, check it
against its provider, ask for route advice, render its letter, build/sign/verify its
package, track it, submit it, record its custody, and the error families. Everything
else lives in the feature subpackage that owns it (see ``docs/architecture.md``):

* :mod:`eevidence.request` - models, identifiers, parsing, canonical bytes, schemas, kinds;
* :mod:`eevidence.provider` - profiles, legal facts, the checker, route advice;
* :mod:`eevidence.letter` - letters as text, HTML and PDF;
* :mod:`eevidence.package` - signed BagIt packages;
* :mod:`eevidence.tracking` - lifecycle, deadlines, outcome reports, stores;
* :mod:`eevidence.custody` - the signed custody log, evidence intake, CASE export;
* :mod:`eevidence.submit` - API, email and portal submission, provider answers;
* :mod:`eevidence.hi1` - ETSI TS 103 120 messages;
* :mod:`eevidence.crypto` - keys, DSSE, Merkle trees, signed notes, canonical JSON;
* :mod:`eevidence.errors` - the error tree.

Names are imported on first use, so ``import eevidence`` loads no model, schema or
third-party library.
"""

import lazy_loader as _lazy

# Public names are listed in __init__.pyi and imported on first use.
__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
