"""The parts every request model is made of: the parties (requesting, issuing, validating,
designated and enforcing authorities, officers, contacts), the case and its offence, the
legal basis, what is asked (data categories, justification, confidentiality, emergency
details, attachments) and the common base of every request kind (``_RequestBase``).

Each part follows the text that defines it, cited on the class (Budapest Convention art.
29(2); Regulation (EU) 2023/1543 Annexes I and II; 18 U.S.C. 2702, 2523); the kinds' own
models are in :mod:`eevidence.request._models` and :mod:`eevidence.request._state`.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import Field, model_validator

from eevidence.request._base import ADDED_AFTER_V1, RequestModel as _Model
from eevidence.request._identifiers import Identifier, TimeWindow
from eevidence.request._types import (
    E164,
    CountryCode,
    Email,
    FileName,
    LanguageTag,
    Line,
    ProviderId,
    RequestId,
    SchemaVersion,
    Seq,
    Sha256Hex,
    Text,
    UtcDatetime,
)
from eevidence.request._vocab import DataCategory, Instrument, SubscriberDetail

__all__ = [
    "MAX_ITEMS",
    "AttachmentKind",
    "AttachmentRef",
    "Case",
    "Confidentiality",
    "Contact",
    "DataRequested",
    "DesignatedAuthority",
    "EmergencyDetails",
    "EnforcingAuthority",
    "IssuingAuthority",
    "IssuingAuthorityType",
    "Justification",
    "LegalBasis",
    "OffenceCategory",
    "Officer",
    "RequestingAuthority",
    "ValidatingAuthority",
    "ValidatingAuthorityType",
    "_RequestBase",
    "new_request_id",
]

MAX_ITEMS = 1000


def new_request_id() -> str:
    """A fresh request id.

    Returns:
        A random (version 4) UUID in lower-case hex with hyphens (RFC 9562 sections 4 and
        5.4), e.g. ``'0b6e6d1c-8a55-4f55-9a4e-1f0f6bb6d2a1'``: the form ``RequestId`` accepts.
    """
    return str(uuid.uuid4())


# --------------------------------------------------------------------------- parties


class Contact(_Model):
    """A way to reach a person or desk."""

    phone: E164
    """Direct phone number (E.164)."""
    email: Email | None = None
    """Email address."""
    name: Line | None = None
    """Name of the person or desk."""


class Officer(_Model):
    """The official who makes the request."""

    name: Line
    role: Line
    """Rank or function, e.g. 'Detective Inspector'."""
    email: Email
    """Official (government-domain) email address."""
    phone: E164
    badge_number: Line | None = None
    sworn_officer: Annotated[bool | None, ADDED_AFTER_V1] = None
    """The officer is a sworn law-enforcement officer (some providers ask the request to
    say so); None when the request does not say."""


class RequestingAuthority(_Model):
    """The requesting authority (Budapest art. 29(2)(a); EPOC section A)."""

    name: Line
    country: CountryCode
    unit: Line
    officer: Officer
    contact_24_7: Contact
    """A contact reachable at any hour (24/7 network point of contact or duty desk)."""
    address: Seq[Line] = ()


IssuingAuthorityType = Literal[
    "judge", "court", "investigating_judge", "public_prosecutor", "other_competent_authority"
]
ValidatingAuthorityType = Literal["judge", "court", "investigating_judge", "public_prosecutor"]


class IssuingAuthority(_Model):
    """The authority that issues an order (EPOC / EPOC-PR section A, Protocol art. 7(4))."""

    type: IssuingAuthorityType
    name: Line
    country: CountryCode
    representative: Line
    """Name and function of the person who signs for the authority."""
    email: Email
    phone: E164
    file_reference: Line | None = None


class ValidatingAuthority(_Model):
    """The judicial authority that validated an order (Reg. (EU) 2023/1543 art. 4)."""

    type: ValidatingAuthorityType
    name: Line
    country: CountryCode
    representative: Line
    email: Email
    phone: E164
    validated_at: UtcDatetime


class DesignatedAuthority(_Model):
    """The authority a State designates under its CLOUD Act agreement with the United States
    to transmit its orders to providers (US-UK agreement of 3 October 2019, art. 1
    definition of 'Designated Authority' and art. 5 on issuing and transmitting orders).
    For the United Kingdom the Home Office, for Australia the Attorney-General's
    Department (Australian Designated Authority)."""

    name: Line
    country: CountryCode
    email: Email
    phone: E164
    reference: Line | None = None
    """The designated authority's own reference for the order."""


class EnforcingAuthority(_Model):
    """The authority of the enforcing State notified of the order (Reg. (EU) 2023/1543 art. 8)."""

    name: Line
    country: CountryCode
    notified_at: UtcDatetime | None = None


# --------------------------------------------------------------------------- case


OffenceCategory = Literal[
    "terrorism",
    "terrorist_financing",
    "organised_crime",
    "cybercrime",
    "child_sexual_exploitation",
    "homicide",
    "kidnapping",
    "threat_to_life",
    "drug_trafficking",
    "human_trafficking",
    "migrant_smuggling",
    "arms_trafficking",
    "fraud",
    "money_laundering",
    "corruption",
    "other",
]


class Case(_Model):
    """The case and the offence under investigation (Budapest art. 29(2)(b))."""

    reference: Line
    """The case or file number of the requesting authority."""
    offence_description: Text
    offence_category: OffenceCategory
    terrorism_related: bool
    summary_of_facts: Text
    statutory_citation: Line
    """The provision(s) of national law that define the offence."""
    maximum_penalty: Line | None = None
    """The maximum penalty in words, e.g. 'ten years' imprisonment'."""
    maximum_penalty_years: Annotated[int, Field(ge=0, le=200)] | None = None
    """Maximum custodial sentence in years (some instruments have thresholds)."""


class LegalBasis(_Model):
    """The instrument and provision the request rests on."""

    instrument: Instrument
    article: Line | None = None
    """Article or section, e.g. '29' or '2703(f)'."""
    citation: Line | None = None
    """Full citation or national implementing provision."""


# --------------------------------------------------------------------------- what is asked


class DataRequested(_Model):
    """Data categories asked for (Reg. (EU) 2023/1543 art. 3; EPOC Annex I section on data)."""

    categories: Annotated[
        Seq[DataCategory],
        Field(min_length=1, max_length=4, json_schema_extra={"uniqueItems": True}),
    ]
    subscriber_details: Annotated[
        Seq[SubscriberDetail], Field(max_length=8, json_schema_extra={"uniqueItems": True})
    ] = ()
    """EU sub-options of subscriber data; only with the 'subscriber' category."""
    other_subscriber_details: Text | None = None
    """What 'other' subscriber data means here; required when 'other' is chosen."""
    description: Text | None = None
    """Specific records wanted (e.g. 'login IP logs', 'messages sent to the account')."""

    @model_validator(mode="after")
    def _consistent(self) -> DataRequested:
        if len(set(self.categories)) != len(self.categories):
            raise ValueError("a data category is listed twice")
        if len(set(self.subscriber_details)) != len(self.subscriber_details):
            raise ValueError("a subscriber detail is listed twice")
        if self.subscriber_details and "subscriber" not in self.categories:
            raise ValueError(
                "subscriber_details given but 'subscriber' is not a requested category"
            )
        if "other" in self.subscriber_details and self.other_subscriber_details is None:
            raise ValueError("subscriber detail 'other' needs other_subscriber_details")
        return self


class Justification(_Model):
    """Why the data is needed (Budapest art. 29(2)(c),(e); EPOC grounds for necessity)."""

    relation_to_offence: Text
    """How the data relates to the offence."""
    necessity_and_proportionality: Text


class Confidentiality(_Model):
    """A request that the provider not notify the user (non-disclosure)."""

    reason: Text
    duration_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    """How long the user must not be told; None means until the authority says otherwise."""


class EmergencyDetails(_Model):
    """The threat that justifies emergency handling: danger of death or serious physical
    injury (18 U.S.C. 2702(b)(8), (c)(4); Reg. (EU) 2023/1543 art. 3(18))."""

    threat_nature: Text
    """The nature of the threat to life or of serious physical injury."""
    why_without_delay: Text
    """Why disclosure without delay would avert it."""
    persons_at_risk: Text | None = None
    imminence: Text | None = None
    """When the harm is expected to happen."""


AttachmentKind = Literal[
    "court_order", "warrant", "translation", "supporting_document", "screenshot", "other"
]


class AttachmentRef(_Model):
    """A document that goes with the request (a file name inside the package)."""

    name: FileName
    kind: AttachmentKind
    description: Text | None = None
    sha256: Sha256Hex | None = None
    language: LanguageTag | None = None


# --------------------------------------------------------------------------- requests


class _RequestBase(_Model):
    schema_version: SchemaVersion = 1
    """Version of this request format."""
    id: RequestId
    created_at: UtcDatetime
    authority: RequestingAuthority
    case: Case
    legal_basis: Annotated[Seq[LegalBasis], Field(min_length=1, max_length=10)]
    provider: ProviderId
    """Addressee: the id of a provider profile, e.g. 'meta'."""
    addressee_entity: Annotated[Line | None, ADDED_AFTER_V1] = None
    """The legal entity the request is addressed to, e.g. 'Meta Platforms, Inc.'."""
    identifiers: Annotated[Seq[Identifier], Field(min_length=1, max_length=MAX_ITEMS)]
    data: DataRequested
    period: TimeWindow | None = None
    """Period of interest for the whole request."""
    justification: Justification
    confidentiality: Confidentiality | None = None
    language: LanguageTag
    """Language the request is written in (BCP 47)."""
    attachments: Annotated[Seq[AttachmentRef], Field(max_length=MAX_ITEMS)] = ()

    @model_validator(mode="after")
    def _unique_attachments(self) -> _RequestBase:
        names = [a.name.casefold() for a in self.attachments]
        if len(set(names)) != len(names):
            raise ValueError("two attachments have the same file name (case-insensitively)")
        return self
