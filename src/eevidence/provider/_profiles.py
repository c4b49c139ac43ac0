"""Provider requirement profiles: what a provider publishes about requests from foreign
authorities.

One profile per provider (``providers/<id>.json``). Every statement in a profile is a
:class:`Fact` (or a sourced record such as a :class:`Channel`) that names the sources it
rests on; what no source says is recorded as ``{"status": "unknown"}``, never guessed.
Language, channel and addressee statements name the requests they apply to (:data:`Scope`);
the questions below answer with those that cover the request asked about.

The model is pure: :func:`load_profile_bytes` parses bytes and nothing here reads files.
Helpers such as :meth:`ProviderProfile.accepts_kind` return ``None`` for "unknown" and,
unless asked otherwise (``include_secondary=True``), treat a fact that rests only on
secondary sources as unknown (third-party summaries must be checked before they become a
rule). Every model raises :class:`~eevidence.errors.ProfileError` (never a pydantic error)
when built from data that does not satisfy it, with every problem and its JSON path. The
building blocks are in :mod:`eevidence.provider._sourced`, the parts in
:mod:`eevidence.provider._parts`; this module re-exports them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any, Self, TypeVar

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from eevidence.errors import ProfileError
from eevidence.provider._law import law_facts
from eevidence.provider._parts import (
    ACCESS_ROUTES,
    AUTHENTICATIONS,
    COMPLETE_MAPS,
    REQUIRED_ELEMENTS,
    AccessRoute,
    Authentication,
    Channel,
    ChannelKind,
    ChannelRequirement,
    Emergency,
    Entity,
    NoticePolicy,
    NoticeWaiver,
    Practice,
    Preservation,
    PreservationTerms,
    PreservationVariant,
    RegionalEntity,
    Remark,
    RequesterScope,
    RequiredElement,
    RetentionRule,
    UserNotice,
)
from eevidence.provider._sourced import (
    SCOPES,
    Fact,
    FactStatus,
    ProfileModel,
    Record,
    Scope,
    ScopedFact,
    ScopedRecord,
    Slug,
    Source,
    SourceKind,
    join_path,
)
from eevidence.request import (
    CountryCode,
    DataCategory,
    IdentifierType,
    LanguageTag,
    Line,
    RequestKind,
    Seq,
    kind_spec,
)

__all__ = [
    "ACCESS_ROUTES",
    "AUTHENTICATIONS",
    "REQUIRED_ELEMENTS",
    "SCOPES",
    "AccessRoute",
    "Authentication",
    "Channel",
    "ChannelKind",
    "ChannelRequirement",
    "Emergency",
    "Entity",
    "Fact",
    "FactStatus",
    "NoticePolicy",
    "NoticeWaiver",
    "Practice",
    "Preservation",
    "PreservationTerms",
    "PreservationVariant",
    "ProfileError",
    "ProviderProfile",
    "RegionalEntity",
    "Remark",
    "RequiredElement",
    "RetentionRule",
    "Scope",
    "ScopedFact",
    "ScopedRecord",
    "Source",
    "SourceKind",
    "UserNotice",
    "load_profile_bytes",
    "scope_covers",
]

V = TypeVar("V")


def scope_covers(scopes: tuple[str, ...], kind: RequestKind, country: str | None = None) -> bool:
    """Whether a statement scoped to ``scopes`` (:data:`Scope`; empty: every request for
    evidence) covers a request of ``kind`` from an authority of ``country`` (``None``: not
    known, so a scope by requester covers it)."""
    if not scopes:
        return True
    for scope in scopes:
        if scope == "criminal":
            return True
        if scope == "eu_orders" and kind_spec(kind).eu_order:
            return True
        if scope in ("us_authorities", "non_us_authorities"):
            if country is None:
                return True
            us = law_facts().is_us_governmental(country)
            if us == (scope == "us_authorities"):
                return True
    return False


class ProviderProfile(ProfileModel):
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
    eu_establishment: ScopedFact[Entity]
    """The provider's EU establishment for other purposes (GDPR controller, Digital Services
    Act representative or point of contact): never the addressee of an EU order."""
    eu_designated_addressee: ScopedFact[Entity]
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
    languages: ScopedFact[Seq[LanguageTag]]
    """Languages the provider accepts, for the requests ``applies_to`` names (every request
    for evidence when empty); a language stated for Digital Services Act orders and notices
    only is scoped ``dsa_regulators`` and never checked against a request for evidence."""
    eu_order_languages: Fact[Seq[LanguageTag]]
    """Official EU languages the designated addressee accepts for EPOC and EPOC-PR
    certificates (the provider states them under Directive (EU) 2023/1544 art. 4; certificates
    are translated into one of them, Regulation (EU) 2023/1543 art. 9); known only from the
    provider's own e-evidence statement."""
    required_elements: Fact[Seq[RequiredElement]]
    retention: Seq[RetentionRule]
    remarks: Seq[Remark]
    practice: Practice = Field(default_factory=Practice)
    """How requests are handled (encryption, child safety, authentication, costs, limits,
    portal access); every fact unknown when the profile omits it."""

    @field_validator("request_kinds", "identifiers", "foreign_access", mode="after")
    @classmethod
    def _every_key(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        keys = COMPLETE_MAPS[str(info.field_name)]
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

    def iter_sourced(self) -> Iterator[tuple[str, Fact[Any] | Record]]:
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

    def cited(self, item: Fact[Any] | Record) -> tuple[Source, ...]:
        """The sources ``item`` names, in its order (ids resolve: the model checked them)."""
        return tuple(self.sources[ref] for ref in item.sources)

    def is_secondary(self, item: Fact[Any] | Record) -> bool:
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

    def applies(
        self, item: ScopedFact[Any] | ScopedRecord, kind: RequestKind, country: str | None = None
    ) -> bool:
        """Whether ``item``'s scope (:data:`Scope`) covers a request of ``kind`` from an
        authority of ``country`` (ISO 3166-1 alpha-2; ``None``: not known, so a scope by
        requester covers it).

        A statement with no ``applies_to`` covers every request for evidence; one scoped to
        ``dsa_regulators`` alone covers none.
        """
        return scope_covers(item.applies_to, kind, country)

    def languages_for(
        self, kind: RequestKind, country: str | None = None, *, include_secondary: bool = False
    ) -> tuple[str, ...] | None:
        """The languages the provider accepts for a request of ``kind`` from ``country``;
        ``None`` when unknown or when the recorded languages are for other requests (a
        language stated for Digital Services Act orders says nothing of evidence requests)."""
        if not self.applies(self.languages, kind, country):
            return None
        return self.value(self.languages, include_secondary=include_secondary)

    def entities_for(
        self, kind: RequestKind, country: str | None = None, *, include_secondary: bool = False
    ) -> tuple[RegionalEntity, ...]:
        """The entities (with postal addresses where recorded) whose scope covers a request of
        ``kind`` from ``country``."""
        return tuple(
            e
            for e in self.entities
            if self.applies(e, kind, country) and (include_secondary or not self.is_secondary(e))
        )

    def channels_for(
        self, kind: RequestKind, country: str | None = None, *, include_secondary: bool = False
    ) -> tuple[Channel, ...]:
        """Channels named for ``kind`` first, then channels not limited to particular kinds;
        only channels whose scope covers a request of ``kind`` from ``country`` (never one
        opened for Digital Services Act regulators only)."""
        usable = [
            c
            for c in self.channels
            if (include_secondary or not self.is_secondary(c)) and self.applies(c, kind, country)
        ]
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


def _walk(node: object, path: str) -> Iterator[tuple[str, Fact[Any] | Record]]:
    if isinstance(node, Fact | Record):
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
            yield from _walk(item, join_path(path, key))


# ---------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------


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
