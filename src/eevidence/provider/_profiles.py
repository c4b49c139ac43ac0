"""Provider requirement profiles: what a provider publishes about requests from foreign authorities.

One profile per provider (``providers/<id>.json``). Every statement in a profile is a
:class:`Fact` (or a sourced record such as a :class:`Channel`) that names the sources it
rests on; what no source says is recorded as ``{"status": "unknown"}``, never guessed.

The model is pure: :func:`load_profile_bytes` parses bytes and nothing here reads files.
Helpers such as :meth:`ProviderProfile.accepts_kind` return ``None`` for "unknown" and,
unless asked otherwise (``include_secondary=True``), treat a fact that rests only on
secondary sources as unknown (third-party summaries must be checked before they become a
rule). Every model raises :class:`~eevidence.errors.ProfileError` (never a pydantic error)
when built from data that does not satisfy it, with every problem and its JSON path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Final, Generic, Literal, Self, TypeVar, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from eevidence._internal.models import Model, drop_schema_description
from eevidence.errors import InputError, Problem, ProfileError
from eevidence.provider._law import law_facts
from eevidence.request import (
    DATA_CATEGORIES,
    IDENTIFIER_TYPES,
    REQUEST_KINDS,
    CountryCode,
    DataCategory,
    IdentifierType,
    LanguageTag,
    Line,
    RequestKind,
    Seq,
    Text,
    Url,
    kind_spec,
)

__all__ = [
    "ACCESS_ROUTES",
    "REQUIRED_ELEMENTS",
    "AccessRoute",
    "Channel",
    "ChannelKind",
    "ChannelRequirement",
    "Emergency",
    "Entity",
    "Fact",
    "FactStatus",
    "NoticePolicy",
    "NoticeWaiver",
    "Preservation",
    "PreservationTerms",
    "PreservationVariant",
    "ProfileError",
    "ProviderProfile",
    "RegionalEntity",
    "Remark",
    "RequiredElement",
    "RetentionRule",
    "Source",
    "SourceKind",
    "UserNotice",
    "load_profile_bytes",
]

T = TypeVar("T")
V = TypeVar("V")

_CONFIG: Final = ConfigDict(frozen=True, extra="forbid", strict=True)

# ---------------------------------------------------------------------------------------------
# Vocabularies
# ---------------------------------------------------------------------------------------------

FactStatus = Literal["known", "unknown"]
"""``known``: a source states it (value and source ids required); ``unknown``: no source read
says it (value must be null; source ids may name the pages that were checked)."""

SourceKind = Literal["provider", "legal"]
"""``provider``: the provider's own statement (guidelines, FAQ, transparency report), possibly
read through a third party (then ``secondary`` is true); ``legal``: a statute or regulation."""

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

_SLUG = r"^[a-z0-9][a-z0-9-]*$"
Slug = Annotated[str, Field(pattern=_SLUG, max_length=63)]
"""A provider id or source id: lower-case letters, digits and '-'."""

Region = Annotated[str, Field(pattern=r"^([A-Z]{2}|EEA|ROW)$")]
"""Where users (or requesters) are: an ISO 3166-1 alpha-2 code, ``EU``, ``EEA`` or ``ROW``
(everyone not covered by another listed entity)."""

Days = Annotated[int, Field(ge=1, le=36_500)]
Count = Annotated[int, Field(ge=0, le=100)]


class _Model(Model):
    """Profile models: strict types; errors are :class:`ProfileError` with every problem."""

    model_config = _CONFIG
    error_class: ClassVar[type[InputError]] = ProfileError

    @classmethod
    def _problems(cls, exc: ValidationError, document: object) -> list[Problem]:
        return [Problem(path, message) for path, message in _profile_problems(exc)]

    @classmethod
    def _error(cls, problems: Sequence[Problem], source: str) -> InputError:
        return ProfileError(source, problems)


# ---------------------------------------------------------------------------------------------
# Sources and facts
# ---------------------------------------------------------------------------------------------


class Source(_Model):
    """Where a fact comes from. ``url`` or ``document`` (or both) identify it."""

    kind: SourceKind
    title: Line
    url: Url | None = None
    document: Line | None = None
    published: date | Literal["undated"]
    read: date
    secondary: bool
    note: Text | None = None

    @field_validator("published", mode="before")
    @classmethod
    def _published(cls, value: object) -> object:
        # One clear message instead of one error per member of the union.
        if value == "undated" or (isinstance(value, date) and not isinstance(value, datetime)):
            return value
        if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise PydanticCustomError("published", "expected a date (YYYY-MM-DD) or 'undated'")

    @model_validator(mode="after")
    def _identified(self) -> Self:
        if self.url is None and self.document is None:
            raise PydanticCustomError("source_unidentified", "a source needs a url or a document")
        if self.kind == "legal" and self.secondary:
            raise PydanticCustomError(
                "legal_secondary", "a legal source must be the text of the law itself"
            )
        return self


class Fact(_Model, Generic[T]):
    """One statement about a provider, with the ids of the sources that make it."""

    status: FactStatus
    value: T | None = None
    sources: Seq[Slug] = ()
    note: Text | None = None

    @model_validator(mode="after")
    def _status_matches_value(self) -> Self:
        if self.status == "known":
            if self.value is None:
                raise PydanticCustomError("fact_value", "a known fact needs a value")
            if isinstance(self.value, tuple) and not self.value:
                raise PydanticCustomError("fact_value", "a known list must not be empty")
            if not self.sources:
                raise PydanticCustomError(
                    "fact_sources", "a known fact needs at least one source id"
                )
        elif self.value is not None:
            raise PydanticCustomError("fact_value", "an unknown fact must have value null")
        return self

    @property
    def known(self) -> bool:
        """True when a source states the fact (``status`` is ``known``)."""
        return self.status == "known"


class _Record(_Model):
    """A sourced item of a list (a channel, an entity...): always a statement of some source."""

    sources: Seq[Slug] = Field(min_length=1)
    note: Text | None = None


# ---------------------------------------------------------------------------------------------
# Profile parts
# ---------------------------------------------------------------------------------------------


class Entity(_Model):
    """A legal entity; ``country`` is null when the sources do not say it."""

    name: Line
    country: CountryCode | None = None


class RegionalEntity(_Record):
    """An entity that answers requests (controller), and for whom."""

    name: Line
    country: CountryCode | None = None
    basis: EntityBasis
    regions: Seq[Region] = ()


class Channel(_Record):
    """A way to submit requests. ``kinds`` empty: the source does not limit it to some kinds."""

    kind: ChannelKind
    name: Line
    url: Url | None = None
    address: Line | None = None
    kinds: Seq[RequestKind] = ()
    requirements: Seq[ChannelRequirement] = ()


class PreservationVariant(_Record):
    """Preservation terms that the source gives for one group of requesters only."""

    requesters: RequesterScope
    initial_days: Days
    extension_days: Days | None = None
    max_extensions: Count | None = None
    extension_notice_days: Days | None = None


class Preservation(_Model):
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


class Emergency(_Model):
    """Emergency disclosure: the provider's criteria, what a request needs, 24/7 service."""

    model_config = ConfigDict(json_schema_extra=drop_schema_description)  # schema as published

    criteria: Fact[Text]
    required_elements: Fact[Seq[RequiredElement]]
    available_24_7: Fact[bool]
    foreign_categories: Fact[Seq[DataCategory]]
    """The data categories the provider discloses in an emergency to authorities outside its
    home country (Snap: limited non-content records, so never ``content``); known only where
    the provider's text says which data it gives them."""


class UserNotice(_Model):
    """Whether and when users are told of a request, and what stops the provider telling."""

    model_config = ConfigDict(json_schema_extra=drop_schema_description)  # schema as published

    policy: Fact[NoticePolicy]
    non_disclosure: Fact[Seq[NoticeWaiver]]
    preservation_notified: Fact[bool]


class RetentionRule(_Record):
    """A published retention fact: ``kept`` false means the provider says it keeps none."""

    data: Line
    kept: bool
    deleted_after_days: Days | None = None


class Remark(_Record):
    """A sourced statement that fits no field but matters to a requester."""

    text: Text


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


_COMPLETE_MAPS: Final[dict[str, tuple[str, ...]]] = {
    "request_kinds": REQUEST_KINDS,
    "identifiers": IDENTIFIER_TYPES,
    "foreign_access": DATA_CATEGORIES,
}


# ---------------------------------------------------------------------------------------------
# The profile
# ---------------------------------------------------------------------------------------------


class ProviderProfile(_Model):
    """What one provider requires of a foreign authority, every statement with its sources."""

    # The class docstring is the schema's description (provider.schema.json): keep it as is.
    # The questions below answer None for "unknown": no source settles it, or (unless
    # include_secondary is true) only secondary sources (third-party summaries) do.

    id: Slug
    name: Line
    last_reviewed: date
    sources: dict[Slug, Source] = Field(min_length=1)
    services: Fact[Seq[Line]]
    headquarters: Fact[CountryCode]
    eu_establishment: Fact[Entity]
    """The provider's EU establishment for other purposes (GDPR controller, Digital Services
    Act representative or point of contact): never the addressee of an EU order."""
    eu_designated_addressee: Fact[Entity]
    """The designated establishment or legal representative for receiving decisions and orders
    gathering electronic evidence (Directive (EU) 2023/1544 art. 3), to which orders under
    Regulation (EU) 2023/1543 are addressed (art. 7); known only where the provider's own text
    names it for that purpose."""
    entities: Seq[RegionalEntity]
    channels: Seq[Channel]
    request_kinds: dict[RequestKind, Fact[bool]]
    identifiers: dict[IdentifierType, Fact[bool]]
    preservation: Preservation
    foreign_access: dict[DataCategory, Fact[AccessRoute]]
    emergency: Emergency
    user_notice: UserNotice
    languages: Fact[Seq[LanguageTag]]
    """Languages the provider accepts for law-enforcement requests in general; never a
    statement made for another channel (Digital Services Act orders and notices)."""
    eu_order_languages: Fact[Seq[LanguageTag]]
    """Official EU languages the designated addressee accepts for EPOC and EPOC-PR
    certificates (the provider states them under Directive (EU) 2023/1544 art. 4; certificates
    are translated into one of them, Regulation (EU) 2023/1543 art. 9); known only from the
    provider's own e-evidence statement."""
    required_elements: Fact[Seq[RequiredElement]]
    retention: Seq[RetentionRule]
    remarks: Seq[Remark]

    @field_validator("request_kinds", "identifiers", "foreign_access", mode="after")
    @classmethod
    def _every_key(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        keys = _COMPLETE_MAPS[str(info.field_name)]
        missing = [k for k in keys if k not in value]
        if missing:
            raise PydanticCustomError(
                "incomplete_map",
                'missing entries for {missing}; write {"status": "unknown"} where the sources '
                "say nothing",
                {"missing": ", ".join(missing)},
            )
        return {k: value[k] for k in keys}

    @model_validator(mode="after")
    def _sources_resolve(self) -> Self:
        problems = tuple(
            (f"{path}.sources[{i}]", f"unknown source id {ref!r}")
            for path, item in self.iter_sourced()
            for i, ref in enumerate(item.sources)
            if ref not in self.sources
        )
        if problems:
            raise PydanticCustomError(
                "source_reference",
                "{count} source reference(s) do not resolve: {summary}",
                {
                    "count": len(problems),
                    "summary": "; ".join(f"{p}: {m}" for p, m in problems),
                    "problems": problems,
                },
            )
        return self

    # -- traversal -----------------------------------------------------------------------------

    def iter_sourced(self) -> Iterator[tuple[str, Fact[Any] | _Record]]:
        """Every fact and sourced record, with its JSON path (``$.preservation.initial_days``)."""
        yield from _walk(self, "$")

    def iter_facts(self) -> Iterator[tuple[str, Fact[Any]]]:
        """Every :class:`Fact`, with its JSON path."""
        for path, item in self.iter_sourced():
            if isinstance(item, Fact):
                yield path, item

    def unknowns(self) -> tuple[str, ...]:
        """JSON paths of the facts no source settles."""
        return tuple(path for path, fact in self.iter_facts() if not fact.known)

    def cited(self, item: Fact[Any] | _Record) -> tuple[Source, ...]:
        """The sources ``item`` names, in its order (ids resolve: the model checked them)."""
        return tuple(self.sources[ref] for ref in item.sources)

    def is_secondary(self, item: Fact[Any] | _Record) -> bool:
        """True when every source of a known fact (or record) is secondary."""
        if isinstance(item, Fact) and not item.known:
            return False
        return all(self.sources[ref].secondary for ref in item.sources)

    def value(self, fact: Fact[V], *, include_secondary: bool = False) -> V | None:
        """The fact's value, or ``None`` if unknown (or resting only on secondary sources)."""
        if not fact.known or (self.is_secondary(fact) and not include_secondary):
            return None
        return fact.value

    # -- questions a checker asks --------------------------------------------------------------

    def accepts_kind(self, kind: RequestKind, *, include_secondary: bool = False) -> bool | None:
        """Whether the provider takes requests of ``kind``; ``None`` when unknown (also for a
        kind the profile does not list)."""
        fact = self.request_kinds.get(kind)
        if fact is None:
            return None
        return self.value(fact, include_secondary=include_secondary)

    def accepts_identifier(
        self, identifier: IdentifierType, *, include_secondary: bool = False
    ) -> bool | None:
        """Whether the provider searches by ``identifier`` type; ``None`` when unknown."""
        return self.value(self.identifiers[identifier], include_secondary=include_secondary)

    def foreign_route(
        self, category: DataCategory, *, include_secondary: bool = False
    ) -> AccessRoute | None:
        """What a foreign authority needs to obtain ``category`` data (:data:`AccessRoute`).

        Outside emergencies and EU orders (Reg. (EU) 2023/1543); ``None`` when unknown.
        """
        return self.value(self.foreign_access[category], include_secondary=include_secondary)

    def designated_addressee(self, *, include_secondary: bool = False) -> Entity | None:
        """The entity that receives EU orders (Directive (EU) 2023/1544 art. 3).

        The designated establishment or legal representative to which a European Production or
        Preservation Order (Regulation (EU) 2023/1543 art. 7) is addressed; never the GDPR or
        Digital Services Act establishment (``eu_establishment``). ``None`` when unknown (or
        resting only on secondary sources, unless ``include_secondary``).
        """
        return self.value(self.eu_designated_addressee, include_secondary=include_secondary)

    def emergency_categories(
        self, *, include_secondary: bool = False
    ) -> tuple[DataCategory, ...] | None:
        """The data categories the provider discloses in an emergency to foreign authorities.

        Foreign: outside the provider's home country (``headquarters``). ``None`` when unknown
        (or resting only on secondary sources, unless ``include_secondary``); the order is the
        profile's.
        """
        return self.value(self.emergency.foreign_categories, include_secondary=include_secondary)

    def preservation_terms(
        self, requester_country: str | None = None, *, include_secondary: bool = False
    ) -> PreservationTerms:
        """Preservation terms for a requester in ``requester_country``.

        Args:
            requester_country: ISO 3166-1 alpha-2 code of the requester; a variant for ``us``
                (:meth:`LawFacts.is_us_governmental`: territories too) or ``non_us``
                requesters replaces the default terms. ``None``: the default terms.
            include_secondary: Also use facts resting only on secondary sources.

        Returns:
            Initial and extension periods in days, the number of extensions allowed and the
            notice before expiry in days; each ``None`` where unknown.
        """
        scope: RequesterScope | None = None
        if requester_country is not None:  # the US and its territories: 18 U.S.C. 2510(3)
            scope = "us" if law_facts().is_us_governmental(requester_country) else "non_us"
        for variant in self.preservation.variants:
            if variant.requesters == scope and (
                include_secondary or not self.is_secondary(variant)
            ):
                return PreservationTerms(
                    variant.initial_days,
                    variant.extension_days,
                    variant.max_extensions,
                    variant.extension_notice_days,
                )
        p = self.preservation
        return PreservationTerms(
            self.value(p.initial_days, include_secondary=include_secondary),
            self.value(p.extension_days, include_secondary=include_secondary),
            self.value(p.max_extensions, include_secondary=include_secondary),
            self.value(p.extension_notice_days, include_secondary=include_secondary),
        )

    def preservation_days(
        self, requester_country: str | None = None, *, include_secondary: bool = False
    ) -> int | None:
        """The initial preservation period in days for ``requester_country``; ``None``: unknown."""
        return self.preservation_terms(
            requester_country, include_secondary=include_secondary
        ).initial_days

    def channels_for(
        self, kind: RequestKind, *, include_secondary: bool = False
    ) -> tuple[Channel, ...]:
        """Channels named for ``kind`` first, then channels not limited to particular kinds."""
        usable = [c for c in self.channels if include_secondary or not self.is_secondary(c)]
        named = [c for c in usable if kind in c.kinds]
        general = [c for c in usable if not c.kinds]
        return (*named, *general)

    def required_for(
        self, kind: RequestKind, *, include_secondary: bool = False
    ) -> frozenset[RequiredElement] | None:
        """Elements a request of ``kind`` must contain (general plus kind-specific ones).

        The kind-specific ones follow the kinds table (:data:`eevidence.request.KINDS`): the
        provider's preservation requirements for its own (non-EU-order) preservation kinds,
        its emergency requirements for kinds that are always emergencies.

        Returns:
            The elements, or ``None`` when the profile records none of them as known.

        Raises:
            InputError: ``kind`` has no row in the kinds table.
        """
        spec = kind_spec(kind)
        facts = [self.required_elements]
        if spec.family == "preservation" and not spec.eu_order:
            facts.append(self.preservation.required_elements)
        elif spec.emergency == "always":
            facts.append(self.emergency.required_elements)
        values = [self.value(f, include_secondary=include_secondary) for f in facts]
        if all(v is None for v in values):
            return None
        return frozenset(e for v in values if v is not None for e in v)


def _walk(node: object, path: str) -> Iterator[tuple[str, Fact[Any] | _Record]]:
    if isinstance(node, Fact | _Record):
        yield path, node
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            if name != "sources":
                yield from _walk(getattr(node, name), f"{path}.{name}")
    elif isinstance(node, tuple):
        for i, item in enumerate(node):
            yield from _walk(item, f"{path}[{i}]")
    elif isinstance(node, dict):
        for key, item in node.items():
            yield from _walk(item, _join(path, key))


# ---------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _join(path: str, part: object) -> str:
    if isinstance(part, int):
        return f"{path}[{part}]"
    text = str(part)
    return f"{path}.{text}" if _IDENT.fullmatch(text) else f"{path}[{text!r}]"


def _json_path(loc: tuple[int | str, ...]) -> str:
    path = "$"
    for part in loc:
        path = _join(path, part)
    return path


def _profile_problems(exc: ValidationError) -> tuple[tuple[str, str], ...]:
    problems: list[tuple[str, str]] = []
    for error in exc.errors(include_url=False):
        nested = (error.get("ctx") or {}).get("problems")
        if error["type"] == "source_reference" and nested:
            problems.extend(nested)
        else:
            problems.append((_json_path(tuple(error["loc"])), error["msg"]))
    return tuple(problems)


def load_profile_bytes(data: bytes, *, origin: str) -> ProviderProfile:
    """Parse and validate one profile.

    Args:
        data: The profile as UTF-8 JSON bytes (``providers/<id>.json``).
        origin: Where the bytes came from (a file name), for messages.

    Returns:
        The validated profile.

    Raises:
        ProfileError: ``data`` is not JSON or does not satisfy the profile model; every
            problem with its JSON path, ``origin`` as the error's origin.
    """
    try:
        return ProviderProfile.model_validate_json(data)
    except ProfileError as exc:
        raise ProfileError(origin, exc.problems) from exc.__cause__
