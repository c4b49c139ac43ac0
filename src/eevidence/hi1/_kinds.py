"""What each request kind becomes in HI-1: legal type, task object and letter type.

The only values of the export chosen by the request's kind alone, kept together so that
one table of request kinds can supply them. Values after ETSI's reference EPOC-to-HI-1
translation and Regulation (EU) 2023/1543 (see docs/decisions/0007-ts-103-120.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

from eevidence.hi1._model import ETSI, LETTER_DOCUMENT_TYPE, OURS, DictEntry
from eevidence.request import Request

__all__ = [
    "EPOC_DOCUMENT_TYPES",
    "EPOC_LEGAL_TYPES",
    "PRESERVATION_KINDS",
    "legal_type",
    "letter_type",
    "task_object",
]

PRESERVATION_KINDS: Final = frozenset(
    {"preservation", "preservation_extension", "eu_preservation_order"}
)
"""Kinds whose tasks are ``LPTaskObject``\\s (lawful preservation); every other kind's
tasks are ``LDTaskObject``\\s (lawful disclosure)."""

EPOC_LEGAL_TYPES: Final[Mapping[str, DictEntry]] = {
    "eu_production_order": (ETSI, "EPOCLegalType", "EPOC"),
    "eu_preservation_order": (ETSI, "EPOCLegalType", "EPOCPR"),
}
"""``AuthorisationLegalType`` of the EU orders: the European Production Order Certificate
(EPOC) and European Preservation Order Certificate (EPOC-PR) of Reg. (EU) 2023/1543."""

EPOC_DOCUMENT_TYPES: Final[Mapping[str, DictEntry]] = {
    "eu_production_order": (ETSI, "EPOCDocumentType", "Form1"),
    "eu_preservation_order": (ETSI, "EPOCDocumentType", "Form2"),
}
"""``DocumentType`` of the letter of the EU orders: the certificate forms of
Reg. (EU) 2023/1543 (Form 1 in Annex I, the EPOC; Form 2 in Annex II, the EPOC-PR)."""


def task_object(request: Request) -> Literal["LP", "LD"]:
    """``LP`` when the request's tasks are ``LPTaskObject``\\s, ``LD`` for ``LDTaskObject``\\s."""
    return "LP" if request.kind in PRESERVATION_KINDS else "LD"


def legal_type(request: Request) -> DictEntry:
    """The ``AuthorisationLegalType``: the EPOC legal type of an EU order, otherwise the
    request's first legal instrument (owner ``eevidence``: ETSI has no such dictionary)."""
    epoc = EPOC_LEGAL_TYPES.get(request.kind)
    if epoc is not None:
        return epoc
    return (OURS, "LegalInstrument", request.legal_basis[0].instrument)


def letter_type(request: Request) -> DictEntry:
    """The ``DocumentType`` of the request letter: the EPOC form of an EU order, otherwise
    eevidence's ``RequestLetter``."""
    return EPOC_DOCUMENT_TYPES.get(request.kind, LETTER_DOCUMENT_TYPE)
