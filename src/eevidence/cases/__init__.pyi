# Public names of eevidence.cases, imported on first use (lazy_loader.attach_stub).

from ._documents import (
    recorded_digest as recorded_digest,
    request_documents as request_documents,
    unchecked as unchecked,
    verified_document as verified_document,
)
from ._follow_up import (
    DEFAULT_TRANSMISSION_DAYS as DEFAULT_TRANSMISSION_DAYS,
    FOLLOW_UP_KINDS as FOLLOW_UP_KINDS,
    RECEIPT_DAYS_24_7 as RECEIPT_DAYS_24_7,
    REMINDER_DAYS as REMINDER_DAYS,
    FollowUpDraft as FollowUpDraft,
    Missing as Missing,
    draft_follow_up as draft_follow_up,
)
from ._report import STATE_KINDS as STATE_KINDS, state_outcomes as state_outcomes
from ._requested import (
    authority_facts as authority_facts,
    pick_entry as pick_entry,
    requested_authority_facts as requested_authority_facts,
)
from ._view import (
    LAPSING_DAYS as LAPSING_DAYS,
    CaseRequest as CaseRequest,
    CaseView as CaseView,
    IdentifierUse as IdentifierUse,
    case_view as case_view,
)

__all__ = [
    "DEFAULT_TRANSMISSION_DAYS",
    "FOLLOW_UP_KINDS",
    "LAPSING_DAYS",
    "RECEIPT_DAYS_24_7",
    "REMINDER_DAYS",
    "STATE_KINDS",
    "CaseRequest",
    "CaseView",
    "FollowUpDraft",
    "IdentifierUse",
    "Missing",
    "authority_facts",
    "case_view",
    "draft_follow_up",
    "pick_entry",
    "recorded_digest",
    "request_documents",
    "requested_authority_facts",
    "state_outcomes",
    "unchecked",
    "verified_document",
]
