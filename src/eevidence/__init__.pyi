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

from . import (
    crypto as crypto,
    custody as custody,
    errors as errors,
    hi1 as hi1,
    letter as letter,
    package as package,
    provider as provider,
    request as request,
    submit as submit,
    tracking as tracking,
)
from ._version import __version__ as __version__
from .custody import (
    ChainReport as ChainReport,
    record as record,
    verify_log as verify_log,
)
from .errors import (
    ConfigurationError as ConfigurationError,
    EEvidenceError as EEvidenceError,
    InputError as InputError,
    IntegrityError as IntegrityError,
    RemoteError as RemoteError,
    RequestValidationError as RequestValidationError,
    TrustError as TrustError,
)
from .letter import render_letter as render_letter
from .package import (
    VerificationReport as VerificationReport,
    build_package as build_package,
    sign_package as sign_package,
    verify_package as verify_package,
)
from .provider import (
    CheckReport as CheckReport,
    Finding as Finding,
    Route as Route,
    advise_routes as advise_routes,
    check as check,
    load_providers as load_providers,
)
from .request import (
    Request as Request,
    canonical_bytes as canonical_bytes,
    parse_request as parse_request,
    read_request as read_request,
)
from .submit import (
    SubmissionReceipt as SubmissionReceipt,
    record_submission as record_submission,
)
from .tracking import (
    Tracked as Tracked,
    open_store as open_store,
)

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
    "crypto",
    "custody",
    "errors",
    "hi1",
    "letter",
    "load_providers",
    "open_store",
    "package",
    "parse_request",
    "provider",
    "read_request",
    "record",
    "record_submission",
    "render_letter",
    "request",
    "sign_package",
    "submit",
    "tracking",
    "verify_log",
    "verify_package",
]
