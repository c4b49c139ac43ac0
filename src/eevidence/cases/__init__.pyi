# Public names of eevidence.cases, imported on first use (lazy_loader.attach_stub).

from ._documents import (
    recorded_digest as recorded_digest,
    request_documents as request_documents,
    verified_document as verified_document,
)
from ._view import (
    LAPSING_DAYS as LAPSING_DAYS,
    CaseRequest as CaseRequest,
    CaseView as CaseView,
    IdentifierUse as IdentifierUse,
    case_view as case_view,
)

__all__ = [
    "LAPSING_DAYS",
    "CaseRequest",
    "CaseView",
    "IdentifierUse",
    "case_view",
    "recorded_digest",
    "request_documents",
    "verified_document",
]
