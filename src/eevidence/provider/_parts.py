"""The parts of a provider profile: entities, channels, preservation, emergencies, notice,
retention, remarks and practice, with the vocabularies they use.

Each part is a :class:`~eevidence.provider._sourced.Fact` or a sourced record (see
:mod:`eevidence.provider._sourced`); :class:`~eevidence.provider._profiles.ProviderProfile`
puts them together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal, get_args

from pydantic import ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from eevidence._internal.models import drop_schema_description
from eevidence.provider._sourced import Fact, ProfileModel, Record, ScopedRecord
from eevidence.request import (
    DATA_CATEGORIES,
    IDENTIFIER_TYPES,
    KINDS,
    CountryCode,
    DataCategory,
    Line,
    RequestKind,
    Seq,
    Text,
    Url,
)

__all__ = [
    "ACCESS_ROUTES",
    "AUTHENTICATIONS",
    "COMPLETE_MAPS",
    "REQUIRED_ELEMENTS",
    "AccessRoute",
    "Authentication",
    "Channel",
    "ChannelKind",
    "ChannelRequirement",
    "Emergency",
    "Entity",
    "EntityBasis",
    "NoticePolicy",
    "NoticeWaiver",
    "Practice",
    "Preservation",
    "PreservationTerms",
    "PreservationVariant",
    "RegionalEntity",
    "Remark",
    "RequesterScope",
    "RequiredElement",
    "RetentionRule",
    "UserNotice",
]

AccessRoute = Literal["voluntary", "domestic_process", "mla_or_cloud_act", "not_available"]
"""What an authority outside the provider's home country needs, outside emergencies and outside
an EU order, to obtain one data category:

* ``voluntary``: a direct request from the authority is enough, no legal process;
* ``domestic_process``: a direct request backed by valid legal process of the requesting country
  (a subpoena or court-order equivalent);
* ``mla_or_cloud_act``: mutual legal assistance, letters rogatory or an order under a CLOUD Act
  agreement, i.e. process that binds the provider in its own country;
* ``not_available``: the provider states it does not hold or cannot produce the data
  (end-to-end encrypted content, records not kept).

"Unknown" is not a route: it is the fact's ``status``. Emergency disclosure is described in
:class:`Emergency`; EU orders (Reg. (EU) 2023/1543) in ``request_kinds``.
"""

ChannelKind = Literal["portal", "email", "api", "post", "web_form"]

ChannelRequirement = Literal[
    "official_email_domain",
    "two_factor_auth",
    "verified_agency",
    "pdf_only",
    "non_editable_documents",
]
"""Conditions a channel puts on whoever submits through it."""

RequiredElement = Literal[
    "official_email_domain",
    "letterhead",
    "signature",
    "date",
    "case_number",
    "issuing_authority",
    "officer_contact",
    "officer_id",
    "sworn_officer",
    "sworn_statement",
    "target_identifiers",
    "data_categories",
    "date_range",
    "time_zone",
    "legal_basis",
    "statute_cited",
    "offence",
    "justification",
    "person_at_risk",
    "emergency_description",
    "non_editable_document",
    "pdf",
    "addressee_entity",
]
"""Elements a provider says a valid request must contain (``officer_contact``: the requesting
officer's name, direct phone and email; ``officer_id``: badge or id number; ``justification``:
how the data sought relates to the investigation or emergency)."""

NoticePolicy = Literal["prior_notice", "notice", "when_required_by_law"]
"""``prior_notice``: users are told before disclosure; ``notice``: users are told (timing not
stated); ``when_required_by_law``: only where the law requires it."""

NoticeWaiver = Literal["legal_prohibition", "court_order", "stated_duration", "request_statement"]
"""What stops the user being told: any legal prohibition, a court order (or equivalent), a
non-disclosure order that states its duration or end date, or the request itself saying
whether notice is allowed."""

EntityBasis = Literal["user_location", "requester_location", "service", "unspecified"]
"""What decides which entity answers: where the user is, where the requester is, or which
service is concerned."""

RequesterScope = Literal["us", "non_us"]

ACCESS_ROUTES: Final[tuple[str, ...]] = get_args(AccessRoute)
REQUIRED_ELEMENTS: Final[tuple[str, ...]] = get_args(RequiredElement)

Authentication = Literal[
    "self_authenticating",
    "certificate_on_request",
    "custodian_testimony",
    "no_custodian_testimony",
]
"""How a provider says its records are authenticated for court: ``self_authenticating``
(records come with a certificate or declaration of authenticity, e.g. under Federal Rules of
Evidence 902(11)); ``certificate_on_request`` (a special form of certification the request
attaches is completed); ``custodian_testimony`` (a records custodian may testify);
``no_custodian_testimony`` (the provider says testimony should not be needed or is not
given)."""

AUTHENTICATIONS: Final[tuple[str, ...]] = get_args(Authentication)

Region = Annotated[str, Field(pattern=r"^([A-Z]{2}|EEA|ROW)$")]
"""Where users (or requesters) are: an ISO 3166-1 alpha-2 code, ``EU``, ``EEA`` or ``ROW``
(everyone not covered by another listed entity)."""

Days = Annotated[int, Field(ge=1, le=36_500)]
Count = Annotated[int, Field(ge=0, le=100)]
Accounts = Annotated[int, Field(ge=1, le=100_000)]


class Entity(ProfileModel):
    """A legal entity; ``country`` is null when the sources do not say it."""

    name: Line
    country: CountryCode | None = None


class RegionalEntity(ScopedRecord):
    """An entity that answers requests (controller), for whom, and its postal address."""

    name: Line
    country: CountryCode | None = None
    address: Line | None = None
    """The entity's postal address as the source gives it, on one line."""
    basis: EntityBasis
    regions: Seq[Region] = ()


class Channel(ScopedRecord):
    """A way to submit requests. ``kinds`` empty: the source does not limit it to some kinds."""

    kind: ChannelKind
    name: Line
    url: Url | None = None
    address: Line | None = None
    kinds: Seq[RequestKind] = ()
    requirements: Seq[ChannelRequirement] = ()


class PreservationVariant(Record):
    """Preservation terms that the source gives for one group of requesters only."""

    requesters: RequesterScope
    initial_days: Days
    extension_days: Days | None = None
    max_extensions: Count | None = None
    extension_notice_days: Days | None = None


class Preservation(ProfileModel):
    """Default preservation terms (``variants`` override them for some requesters)."""

    initial_days: Fact[Days]
    extension_days: Fact[Days]
    max_extensions: Fact[Count]
    extension_notice_days: Fact[Days]
    required_elements: Fact[Seq[RequiredElement]]
    variants: Seq[PreservationVariant] = ()

    @field_validator("variants")
    @classmethod
    def _one_variant_per_scope(
        cls, value: tuple[PreservationVariant, ...]
    ) -> tuple[PreservationVariant, ...]:
        scopes = [v.requesters for v in value]
        if len(scopes) != len(set(scopes)):
            raise PydanticCustomError("variants", "at most one variant per group of requesters")
        return value


class Emergency(ProfileModel):
    """Emergency disclosure: the provider's criteria, what a request needs, 24/7 service."""

    model_config = ConfigDict(json_schema_extra=drop_schema_description)  # schema as published

    criteria: Fact[Text]
    required_elements: Fact[Seq[RequiredElement]]
    available_24_7: Fact[bool]
    foreign_categories: Fact[Seq[DataCategory]]
    """The data categories the provider discloses in an emergency to authorities outside its
    home country (Snap: limited non-content records, so never ``content``); known only where
    the provider's text says which data it gives them."""


class UserNotice(ProfileModel):
    """Whether and when users are told of a request, and what stops the provider telling."""

    model_config = ConfigDict(json_schema_extra=drop_schema_description)  # schema as published

    policy: Fact[NoticePolicy]
    non_disclosure: Fact[Seq[NoticeWaiver]]
    preservation_notified: Fact[bool]


class RetentionRule(Record):
    """A published retention fact: ``kept`` false means the provider says it keeps none."""

    data: Line
    kept: bool
    deleted_after_days: Days | None = None


class Remark(ScopedRecord):
    """A sourced statement that fits no field but matters to a requester."""

    text: Text


def _unknown() -> Any:
    return Fact[Any](status="unknown")


class Practice(ProfileModel):
    """How the provider handles requests, where its own text says so (every fact unknown
    when the profile omits ``practice``).

    ``end_to_end_encryption``: what it cannot produce because it is end-to-end encrypted;
    ``child_safety``: how it reports child sexual exploitation (NCMEC's CyberTipline...);
    ``records_authentication``: how its records are authenticated for court
    (:data:`Authentication`); ``cost_reimbursement``: whether it says it may seek
    reimbursement of its costs; ``max_accounts_per_request``: the most accounts one request
    may name; ``portal_for_non_us``: whether its request portal is open to authorities
    outside the United States.
    """

    model_config = ConfigDict(json_schema_extra=drop_schema_description)  # schema as published

    end_to_end_encryption: Fact[Text] = Field(default_factory=_unknown)
    child_safety: Fact[Text] = Field(default_factory=_unknown)
    records_authentication: Fact[Seq[Authentication]] = Field(default_factory=_unknown)
    cost_reimbursement: Fact[bool] = Field(default_factory=_unknown)
    max_accounts_per_request: Fact[Accounts] = Field(default_factory=_unknown)
    portal_for_non_us: Fact[bool] = Field(default_factory=_unknown)


@dataclass(frozen=True, slots=True)
class PreservationTerms:
    """Preservation terms for one requester; ``None`` where unknown.

    ``initial_days``, ``extension_days`` and ``extension_notice_days`` (notice before
    expiry) are in days; ``max_extensions`` is a count.
    """

    initial_days: int | None
    extension_days: int | None
    max_extensions: int | None
    extension_notice_days: int | None


COMPLETE_MAPS: Final[dict[str, tuple[str, ...]]] = {
    # a kind addressed to a State (kinds table) is not sent to the provider: no fact needed
    "request_kinds": tuple(k for k, spec in KINDS.items() if spec.addressee == "provider"),
    "identifiers": IDENTIFIER_TYPES,
    "foreign_access": DATA_CATEGORIES,
}
