"""Request models: every kind of cross-border request as a strict, frozen pydantic model.

Each structure follows a text that defines it: a preservation request the contents
Budapest Convention art. 29(2) lists (a-f) and the Council of Europe's template for
art. 29 requests, approved by the Cybercrime Convention Committee (T-CY) at its 19th
plenary on 9 July 2019
(https://www.coe.int/fr/web/cybercrime/-/iproceeds-multi-language-templates-for-data-preservation-request-and-access-to-stored-data),
and the letter practice of 18 U.S.C. 2703(f); the EU orders the EPOC and EPOC-PR
certificates of Regulation (EU) 2023/1543 (Annexes I and II); the art. 7 order of the
Second Additional Protocol (CETS 224) its art. 7(4); an order under a CLOUD Act agreement
18 U.S.C. 2523 and the agreement itself; emergency disclosure 18 U.S.C. 2702(b)(8),
(c)(4). The intent served is that of the UNODC Practical Guide for Requesting Electronic
Evidence Across Borders
(https://www.unodc.org/unodc/frontpage/2020/October/unodc-promotes-international-cooperation-in-sharing-electronic-evidence-with-global-partners.html):
a request a provider can act on without asking back. Models are values: they hold no
clock and do no I/O. Rules that involve several fields live on the smallest model that holds them,
so validation reports every broken field at once.

Every model raises :class:`~eevidence.errors.RequestValidationError` (never a pydantic
error) when built from data that does not satisfy it, directly or through
``model_validate``/``model_validate_json``, with one problem per broken field and its JSON
path; :func:`eevidence.request.parse_request` does the same for whole requests.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, WithJsonSchema, model_validator

from eevidence._internal.datetimes import anchored
from eevidence.request._base import ADDED_AFTER_V1, RequestModel as _Model
from eevidence.request._identifiers import (
    AccountIdIdentifier,
    DomainIdentifier,
    EmailIdentifier,
    Identifier,
    ImeiIdentifier,
    IpAddressIdentifier,
    IpRangeIdentifier,
    MacAddressIdentifier,
    PhoneIdentifier,
    TimeWindow,
    UrlIdentifier,
    UsernameIdentifier,
)
from eevidence.request._parts import (
    AttachmentKind,
    AttachmentRef,
    Case,
    Confidentiality,
    Contact,
    DataRequested,
    DesignatedAuthority,
    EmergencyDetails,
    EnforcingAuthority,
    IssuingAuthority,
    IssuingAuthorityType,
    Justification,
    LegalBasis,
    OffenceCategory,
    Officer,
    RequestingAuthority,
    ValidatingAuthority,
    ValidatingAuthorityType,
    _RequestBase,
    new_request_id,
)
from eevidence.request._state import (
    EarlierRequest,
    MeasureRequested,
    MlaRequest,
    Offence,
    PersonConcerned,
    Preservation247Request,
    Procedures,
    RequestedAuthority,
    Urgency,
)
from eevidence.request._types import (
    CountryCode,
    FileName,
    LanguageTag,
    Line,
    RequestId,
    SchemaVersion,
    Seq,
    Text,
    UtcDatetime,
)

__all__ = [  # with the names of the parts module that were defined here
    "AccountIdIdentifier",
    "AttachmentKind",
    "AttachmentRef",
    "AuthorityProfile",
    "Case",
    "CloudActOrder",
    "Confidentiality",
    "Contact",
    "DataRequested",
    "DesignatedAuthority",
    "DomainIdentifier",
    "EarlierRequest",
    "EmailIdentifier",
    "EmergencyDetails",
    "EmergencyDisclosureRequest",
    "EnforcingAuthority",
    "EuPreservationOrder",
    "EuProductionOrder",
    "Identifier",
    "ImeiIdentifier",
    "IpAddressIdentifier",
    "IpRangeIdentifier",
    "IssuingAuthority",
    "IssuingAuthorityType",
    "Justification",
    "LegalBasis",
    "MacAddressIdentifier",
    "MeasureRequested",
    "MlaRequest",
    "Offence",
    "OffenceCategory",
    "Officer",
    "PersonConcerned",
    "PhoneIdentifier",
    "Preservation247Request",
    "PreservationExtensionRequest",
    "PreservationRequest",
    "Procedures",
    "Protocol2Art7Order",
    "Request",
    "RequestedAuthority",
    "RequestingAuthority",
    "TimeWindow",
    "Urgency",
    "UrlIdentifier",
    "UsernameIdentifier",
    "ValidatingAuthority",
    "ValidatingAuthorityType",
    "VoluntaryDisclosureRequest",
    "_RequestBase",
    "new_request_id",
]


class PreservationRequest(_RequestBase):
    """Keep specified data; nothing is handed over (18 U.S.C. 2703(f); Budapest art. 29)."""

    kind: Literal["preservation"]
    custodian_information: Text | None = None
    """What is known about the custodian or location of the system (Budapest art. 29(2)(d))."""
    mla_to_follow: bool | None = None
    """Whether a mutual assistance request will follow (Budapest art. 29(2)(f))."""
    preservation_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    """Preservation period asked for, in days."""
    notify_before_account_closure: bool = False
    """Ask to be contacted before the account is closed or deleted."""


class PreservationExtensionRequest(_RequestBase):
    """Extend a preservation already in place."""

    kind: Literal["preservation_extension"]
    original_request_id: RequestId
    provider_reference: Line
    """The reference the provider gave the original preservation."""
    current_expiry: UtcDatetime | None = None
    extension_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    extension_number: Annotated[int, Field(ge=1, le=100)] = 1
    """1 for the first extension, 2 for the second, ..."""


class VoluntaryDisclosureRequest(_RequestBase):
    """Ask the provider to disclose data without compulsion (provider policy; 18 U.S.C. 2702)."""

    kind: Literal["voluntary_disclosure"]
    preservation_reference: Line | None = None
    """Provider reference of an earlier preservation of the same data."""


class EmergencyDisclosureRequest(_RequestBase):
    """Disclosure now: imminent risk of death or serious physical injury."""

    kind: Literal["emergency_disclosure"]
    emergency: EmergencyDetails


def _validation_needed(
    issuer: IssuingAuthority, data: DataRequested, *, production: bool
) -> str | None:
    """Why Reg. (EU) 2023/1543 art. 4 requires validation of this order, or None."""
    if issuer.type == "other_competent_authority":
        return "an order issued by an 'other competent authority' must be validated (art. 4)"
    heavy = {"traffic", "content"} & set(data.categories)
    if production and heavy and issuer.type == "public_prosecutor":
        return (
            "a production order for traffic or content data issued by a public prosecutor must be "
            "validated by a judge, court or investigating judge (art. 4(2))"
        )
    return None


class _EuOrder(_RequestBase):
    issuing_authority: IssuingAuthority
    validating_authority: ValidatingAuthority | None = None
    addressee_establishment: Line | None = None
    """Designated establishment or legal representative the order is addressed to."""
    enforcing_authority: EnforcingAuthority | None = None
    """Enforcing authority notified (art. 8(1): traffic data other than for identification,
    and content data)."""
    notification_exception: Annotated[Text | None, ADDED_AFTER_V1] = None
    """Why the enforcing authority is not notified (art. 8(2)): the issuing authority's
    reasonable grounds to believe that the offence has been, is being or is likely to be
    committed in the issuing State and that the person whose data are sought resides there."""
    without_prior_validation: Annotated[Text | None, ADDED_AFTER_V1] = None
    """Why, in a validly established emergency case, validation could not be obtained in
    time (art. 4(5)): an order of an 'other competent authority' for subscriber data or
    data for identifying the user, or a preservation order, issued without prior
    validation; validation is sought ex post within 48 hours."""

    def _check_validation(self, *, production: bool) -> None:
        if self.without_prior_validation is not None:
            self._check_art4_5(production=production)
            return
        why = _validation_needed(self.issuing_authority, self.data, production=production)
        if why and self.validating_authority is None:
            raise ValueError(f"validating_authority is required: {why}")
        heavy = {"traffic", "content"} & set(self.data.categories)
        if (
            production
            and heavy
            and self.validating_authority is not None
            and self.validating_authority.type == "public_prosecutor"
        ):
            raise ValueError(
                "a production order for traffic or content data must be validated by a judge, "
                "court or investigating judge, not a public prosecutor (art. 4(2)(b))"
            )

    def _check_art4_5(self, *, production: bool) -> None:
        """Reg. (EU) 2023/1543 art. 4(5): who may issue without prior validation, and what."""
        if self.issuing_authority.type != "other_competent_authority":
            raise ValueError(
                "without_prior_validation is only for an order of an 'other competent "
                "authority' (art. 4(5)); a judge, court or prosecutor needs no validation for it"
            )
        if production:
            heavy = {"traffic", "content"} & set(self.data.categories)
            if heavy:
                raise ValueError(
                    "without_prior_validation covers only subscriber data and data for "
                    "identifying the user (art. 4(5)); traffic and content data need prior "
                    "validation"
                )
            if getattr(self, "emergency", None) is None:
                raise ValueError(
                    "without_prior_validation needs an emergency case (art. 4(5), art. 3(18)): "
                    "give the emergency details"
                )


class EuProductionOrder(_EuOrder):
    """European Production Order Certificate (EPOC, Annex I of Regulation (EU) 2023/1543)."""

    kind: Literal["eu_production_order"]
    emergency: EmergencyDetails | None = None
    """Present when the order is an emergency case (8-hour deadline, art. 10(4))."""

    @model_validator(mode="after")
    def _validated(self) -> EuProductionOrder:
        self._check_validation(production=True)
        return self


class EuPreservationOrder(_EuOrder):
    """European Preservation Order Certificate (EPOC-PR, Annex II of Regulation (EU) 2023/1543)."""

    kind: Literal["eu_preservation_order"]
    subsequent_request: Text | None = None
    """The request for production that will follow (art. 11)."""

    @model_validator(mode="after")
    def _validated(self) -> EuPreservationOrder:
        self._check_validation(production=False)
        return self


class Protocol2Art7Order(_RequestBase):
    """Subscriber-information order (Second Additional Protocol, CETS 224, art. 7)."""

    kind: Literal["protocol2_art7_order"]
    issuing_authority: IssuingAuthority
    provider_address: Text
    """Name and address of the service provider (art. 7(4)(d))."""

    @model_validator(mode="after")
    def _subscriber_only(self) -> Protocol2Art7Order:
        if tuple(self.data.categories) != ("subscriber",):
            raise ValueError("an article 7 order can only ask for subscriber information")
        return self


class CloudActOrder(_RequestBase):
    """An order of a State that has an executive agreement with the United States under
    18 U.S.C. 2523 (CLOUD Act), served directly on a US provider: a UK Overseas
    Production Order (Crime (Overseas Production Orders) Act 2019) or an Australian
    International Production Order (Telecommunications (Interception and Access) Act 1979,
    Schedule 1, inserted by the Telecommunications Legislation Amendment (International
    Production Orders) Act 2021). The order rests on national law; the agreement (for the
    United Kingdom, that of 3 October 2019) lifts the US bar on disclosure (18 U.S.C.
    2702(b)(9), (c)(7)) and sets its conditions: a Serious Crime (art. 1), no United States
    person or person in the United States targeted (art. 4), transmission by the
    designated authority (art. 5).

    Raises:
        RequestValidationError: ``agreement_partner`` is not the issuing authority's country.
    """

    kind: Literal["cloud_act_order"]
    agreement_partner: CountryCode
    """The State whose agreement with the United States the order relies on (GB, AU)."""
    national_order: Line
    """The national instrument, e.g. 'Overseas Production Order, Crime (Overseas Production
    Orders) Act 2019 s. 1'."""
    issuing_authority: IssuingAuthority
    """Who issued the order: a judge (UK, COPOA 2019 s. 1) or an issuing authority member
    (AU: an eligible judge or nominated AAT/ART member)."""
    designated_authority: DesignatedAuthority
    """The authority that transmits the order to the provider under the agreement."""
    us_person_statement: Text
    """The issuing State's statement that the order does not intentionally target a United
    States person or a person located in the United States (18 U.S.C. 2523(b)(4)(A)-(C);
    US-UK agreement art. 1 'Receiving-Party Person' and art. 4(3), (4))."""
    serious_crime: Text | None = None
    """How the offence is a Covered Offense: a Serious Crime, punishable by a maximum term
    of imprisonment of at least three years (US-UK agreement art. 1; 18 U.S.C.
    2523(b)(4)(D)(i))."""

    @model_validator(mode="after")
    def _partner_issues(self) -> CloudActOrder:
        if self.agreement_partner != self.issuing_authority.country:
            raise ValueError(
                f"agreement_partner {self.agreement_partner} is not the country of the issuing "
                f"authority ({self.issuing_authority.country}): an order under a CLOUD Act "
                "agreement is issued by the partner State (18 U.S.C. 2523(b))"
            )
        return self


Request = Annotated[
    Union[  # noqa: UP007
        PreservationRequest,
        PreservationExtensionRequest,
        VoluntaryDisclosureRequest,
        EmergencyDisclosureRequest,
        EuProductionOrder,
        EuPreservationOrder,
        Protocol2Art7Order,
        CloudActOrder,
        MlaRequest,
        Preservation247Request,
    ],
    Field(discriminator="kind"),
]
"""Any request, discriminated on ``kind``."""


_TIME_ZONE = r"[A-Za-z][A-Za-z0-9_+-]{0,30}(/[A-Za-z0-9_+-]{1,30}){0,2}"


def _known_time_zone(value: str) -> str:
    try:
        if not re.fullmatch(_TIME_ZONE, value):
            raise ValueError(value)
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"expected an IANA time zone name such as 'Europe/Paris', got {value!r}"
        ) from None
    return value


TimeZoneName = Annotated[
    str,
    AfterValidator(_known_time_zone),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": anchored(_TIME_ZONE),
            "description": "IANA time zone name, e.g. 'Europe/Paris'.",
        }
    ),
]
"""An IANA time zone database name (``Europe/Paris``, ``America/New_York``), known to
:mod:`zoneinfo` on this system (on Windows, through the ``tzdata`` package)."""


class AuthorityProfile(_Model):
    """A reusable file describing the requesting authority, used by ``eevidence new``."""

    schema_version: SchemaVersion = 1
    authority: RequestingAuthority
    language: LanguageTag = "en"
    """Default language of requests written by this authority."""
    legal_basis: Seq[LegalBasis] = ()
    """Default legal basis, used when a request names none."""
    logo: FileName | None = None
    """Letterhead logo for rendered letters: a PNG or JPEG file beside this profile."""
    time_zone: TimeZoneName | None = None
    """The authority's time zone, an IANA name such as 'Europe/Paris': ``eevidence new``
    writes a request's creation time with this zone's offset (default: the computer's), so
    that the date the request and its letter carry is the authority's local date."""
