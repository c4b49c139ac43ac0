"""What each request kind becomes in HI-1: legal type, task object, approver, expiration.

Read from the table of request kinds (:data:`eevidence.request.KINDS`: ``hi1_task``,
``hi1_legal_type``, ``epoc_form``, ``order``, ``family``, ``deadlines``) when a message is
written or read, never from a copy taken at import; kind-specific values (the issuing
authority, the preservation period...) are read from the request's fields by name, so a
kind whose model has the same fields is exported alike. Values after ETSI's reference
EPOC-to-HI-1 translation and Regulation (EU) 2023/1543 (see
docs/decisions/0007-ts-103-120.md).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final, Literal

from eevidence.errors import Hi1Error, Problem
from eevidence.hi1._model import ETSI, LETTER_DOCUMENT_TYPE, OURS, DictEntry
from eevidence.request import IssuingAuthority, Request, ValidatingAuthority, kind_spec

__all__ = [
    "EPOC_PR_DAYS",
    "KIND_LINE",
    "desired_expiration",
    "issuer_of",
    "legal_type",
    "letter_type",
    "task_object",
    "validator_of",
]

EPOC_PR_DAYS: Final = 60
"""Days an EU preservation order keeps the data (Reg. (EU) 2023/1543 art. 11(1))."""
KIND_LINE: Final = "Request kind: "
"""How the first line of the ``AuthorisationManualInformation`` eevidence writes starts;
the request kind follows (drafts read it back)."""


def task_object(request: Request) -> Literal["LP", "LD"]:
    """``LP`` when the request's tasks are ``LPTaskObject``\\s, ``LD`` for ``LDTaskObject``\\s.

    Raises:
        InputError: the request's kind has no row in the kinds table.
    """
    return kind_spec(request.kind).hi1_task


def legal_type(request: Request) -> DictEntry:
    """The ``AuthorisationLegalType``: the EPOC legal type of an EU order, otherwise the
    request's first legal instrument (owner ``eevidence``: ETSI has no such dictionary).

    Raises:
        InputError: the request's kind has no row in the kinds table.
    """
    spec = kind_spec(request.kind)
    if spec.hi1_legal_type == "instrument":
        return (OURS, "LegalInstrument", request.legal_basis[0].instrument)
    return (ETSI, "EPOCLegalType", spec.hi1_legal_type)


def letter_type(request: Request) -> DictEntry:
    """The ``DocumentType`` of the request letter: the EPOC form of an EU order, otherwise
    eevidence's ``RequestLetter``.

    Raises:
        InputError: the request's kind has no row in the kinds table.
    """
    form = kind_spec(request.kind).epoc_form
    return LETTER_DOCUMENT_TYPE if form is None else (ETSI, "EPOCDocumentType", form)


def issuer_of(request: Request) -> IssuingAuthority | None:
    """The issuing authority that approves the authorisation of an order (the row's
    ``order``), or ``None`` for a request, which the requesting authority approves.

    Raises:
        InputError: the request's kind has no row in the kinds table.
        Hi1Error: the kinds table says the kind is an order and the request has no
            ``issuing_authority``.
    """
    if not kind_spec(request.kind).order:
        return None
    issuer = getattr(request, "issuing_authority", None)
    if not isinstance(issuer, IssuingAuthority):
        raise Hi1Error(
            f"the kinds table says {request.kind} requests are orders, and this one has no "
            "issuing_authority to approve it",
            source="issuing_authority",
        )
    return issuer


def validator_of(request: Request) -> ValidatingAuthority | None:
    """The validating authority of an order when it has one (Reg. (EU) 2023/1543 art. 4),
    read from its ``validating_authority`` field; ``None`` otherwise."""
    validator = getattr(request, "validating_authority", None)
    return validator if isinstance(validator, ValidatingAuthority) else None


def _days(request: Request, name: str) -> int | None:
    value = getattr(request, name, None)
    return value if isinstance(value, int) and not isinstance(value, bool) and value else None


def _moment(request: Request, name: str) -> datetime | None:
    value = getattr(request, name, None)
    return value if isinstance(value, datetime) else None


def desired_expiration(request: Request) -> datetime | None:
    """The ``DesiredPreservationExpiration`` of the request's preservation tasks, or None.

    Only preservation tasks (the row's ``hi1_task`` ``LP``) have one: 60 days from
    ``created_at`` for a kind whose deadlines are those of Reg. (EU) 2023/1543 art. 11(1);
    otherwise, from the request's fields, ``current_expiry`` + ``extension_days`` days (an
    extension) or ``created_at`` + ``preservation_days`` days; None when the request
    states no period.

    Raises:
        InputError: the request's kind has no row in the kinds table.
        Hi1Error: the expiration falls after 9999-12-31 (the message names the fields).
    """
    spec = kind_spec(request.kind)
    if spec.hi1_task != "LP":
        return None
    start, days, what = request.created_at, EPOC_PR_DAYS, "created_at"
    if spec.deadlines != "eu_art11_preservation":
        expiry, extension = _moment(request, "current_expiry"), _days(request, "extension_days")
        preservation = _days(request, "preservation_days")
        if expiry is not None and extension is not None:
            start, days, what = expiry, extension, "extension_days"
        elif preservation is not None:
            start, days, what = request.created_at, preservation, "preservation_days"
        else:
            return None
    try:
        return start + timedelta(days=days)
    except OverflowError:
        raise Hi1Error(
            "the desired preservation expiration falls after 9999-12-31, which HI-1 cannot carry",
            problems=(Problem(f"$.{what}", f"{start.isoformat()} + {days} days is out of range"),),
        ) from None
