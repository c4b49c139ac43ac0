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

from __future__ import annotations

from typing import TYPE_CHECKING

from eevidence._internal.lazy import attach as _attach
from eevidence._version import __version__

if TYPE_CHECKING:
    from eevidence.custody import ChainReport, record, verify_log
    from eevidence.errors import (
        ConfigurationError,
        EEvidenceError,
        InputError,
        IntegrityError,
        RemoteError,
        RequestValidationError,
        TrustError,
    )
    from eevidence.letter import render_letter
    from eevidence.package import (
        VerificationReport,
        build_package,
        sign_package,
        verify_package,
    )
    from eevidence.provider import (
        CheckReport,
        Finding,
        Route,
        advise_routes,
        check,
        load_providers,
    )
    from eevidence.request import (
        Request,
        canonical_bytes,
        parse_request,
        read_request,
    )
    from eevidence.submit import SubmissionReceipt, record_submission
    from eevidence.tracking import Tracked, open_store

__all__ = [
    "ChainReport",
    "CheckReport",
    "ConfigurationError",
    "EEvidenceError",
    "Finding",
    "InputError",
    "IntegrityError",
    "RemoteError",
    "Request",
    "RequestValidationError",
    "Route",
    "SubmissionReceipt",
    "Tracked",
    "TrustError",
    "VerificationReport",
    "__version__",
    "advise_routes",
    "build_package",
    "canonical_bytes",
    "check",
    "load_providers",
    "open_store",
    "parse_request",
    "read_request",
    "record",
    "record_submission",
    "render_letter",
    "sign_package",
    "verify_log",
    "verify_package",
]

__getattr__, __dir__ = _attach(__name__, __file__)
