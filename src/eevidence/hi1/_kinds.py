"""What each request kind becomes in HI-1: legal type, task object and letter type.

Read from the table of request kinds (:data:`eevidence.request.KINDS`: ``hi1_task``,
``hi1_legal_type``, ``epoc_form``). Values after ETSI's reference EPOC-to-HI-1 translation
and Regulation (EU) 2023/1543 (see docs/decisions/0007-ts-103-120.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

from eevidence.hi1._model import ETSI, LETTER_DOCUMENT_TYPE, OURS, DictEntry
from eevidence.request import KINDS, Request, kind_spec

__all__ = [
    "EPOC_DOCUMENT_TYPES",
    "EPOC_LEGAL_TYPES",
    "PRESERVATION_KINDS",
    "legal_type",
    "letter_type",
    "task_object",
]

PRESERVATION_KINDS: Final = frozenset(kind for kind, spec in KINDS.items() if spec.hi1_task == "LP")
"""Kinds whose tasks are ``LPTaskObject``\\s (lawful preservation); every other kind's
tasks are ``LDTaskObject``\\s (lawful disclosure)."""

EPOC_LEGAL_TYPES: Final[Mapping[str, DictEntry]] = {
    kind: (ETSI, "EPOCLegalType", spec.hi1_legal_type)
    for kind, spec in KINDS.items()
    if spec.hi1_legal_type != "instrument"
}
"""``AuthorisationLegalType`` of the EU orders: the European Production Order Certificate
(EPOC) and European Preservation Order Certificate (EPOC-PR) of Reg. (EU) 2023/1543."""

EPOC_DOCUMENT_TYPES: Final[Mapping[str, DictEntry]] = {
    kind: (ETSI, "EPOCDocumentType", spec.epoc_form)
    for kind, spec in KINDS.items()
    if spec.epoc_form is not None
}
"""``DocumentType`` of the letter of the EU orders: the certificate forms of
Reg. (EU) 2023/1543 (Form 1 in Annex I, the EPOC; Form 2 in Annex II, the EPOC-PR)."""


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
