# Public names of eevidence, imported on first use (lazy_loader.attach_stub).

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
