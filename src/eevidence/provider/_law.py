"""Legal facts for the checker, route advice and deadlines, from ``law/instruments.json``.

Law is data here, not code: which States a treaty binds and from when, which reservations
exclude an article, when a CLOUD Act agreement entered into force, the clocks and
thresholds of Regulation (EU) 2023/1543, what 18 U.S.C. 2702 and 2703(f) allow and for
whom. Every fact carries its source (the statute's or treaty's own text, or the treaty
office's and the government's own announcement, read on a stated date) and, for a number
or a condition, the article that fixes it (:attr:`Duration.ref`), so every finding and
route reason can cite the article.

The rules that combine these facts with provider facts live with their users
(``provider.checker``, ``provider.routes``, ``tracking``); this module answers the
questions that need only the law: :meth:`LawFacts.treaty_status`,
:meth:`LawFacts.cloud_act_agreement`, :meth:`LawFacts.eu_bound`,
:meth:`LawFacts.is_us_governmental`, :meth:`LawFacts.is_eu_official_language`.

Every model raises :class:`~eevidence.errors.InputError` (never a pydantic error) when
built from data that does not satisfy it; :func:`law_facts` reports a broken shipped file
as a :class:`~eevidence.errors.ConfigurationError`.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError

from eevidence._internal.codes import languages_match
from eevidence._internal.models import Model
from eevidence._internal.resources import data_dir
from eevidence.errors import ConfigurationError, InputError

__all__ = [
    "CloudActAgreement",
    "Duration",
    "EuOfficialLanguages",
    "EuRegulation",
    "LawFacts",
    "LawSource",
    "Party",
    "Threshold",
    "Treaty",
    "TreatyStatus",
    "UsGovernmental",
    "UsPreservation",
    "UsVoluntary",
    "law_facts",
]

Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
"""An ISO 3166-1 alpha-2 code."""
SourceIds = Annotated[tuple[str, ...], Field(min_length=1)]
"""Ids of :attr:`LawFacts.sources` a fact rests on (at least one)."""


class LawSource(Model):
    """The text a legal fact rests on: title, URL, publication date (or ``undated``) and the
    date it was read."""

    title: str
    url: Annotated[str, Field(pattern=r"^https://")]
    published: str
    read: date


class Duration(Model):
    """A period the law fixes, and the article that fixes it.

    ``amount`` ``unit``s (e.g. 8 hours), laid down in ``ref`` (e.g. ``art. 10(4)``) of the
    instrument whose sources hold it.
    """

    amount: Annotated[int, Field(ge=1, le=36_500)]
    unit: Literal["hours", "days"]
    ref: str

    @property
    def delta(self) -> timedelta:
        """The period as a :class:`~datetime.timedelta`."""
        return timedelta(hours=self.amount) if self.unit == "hours" else timedelta(days=self.amount)

    @property
    def hours(self) -> int:
        """The period in whole hours."""
        return self.amount if self.unit == "hours" else self.amount * 24

    def __str__(self) -> str:
        return f"{self.amount} {self.unit if self.amount != 1 else self.unit[:-1]}"


class Threshold(Model):
    """A whole-number condition the law sets (e.g. a penalty of at least 3 years) and its
    article."""

    value: Annotated[int, Field(ge=0, le=1000)]
    ref: str


class Party(Model):
    """One State's standing under a treaty (the treaty office's chart of signatures and
    ratifications).

    ``ratified``: date of ratification, acceptance, approval or accession (``None``: the
    chart read does not give it); ``in_force``: date the treaty entered into force for the
    State (``None``: not in force for it, e.g. because the treaty itself is not in force);
    ``excluded``: articles the State excluded by reservation or declaration (``"7"``).
    """

    ratified: date | None = None
    in_force: date | None = None
    excluded: tuple[str, ...] = ()
    note: str | None = None


class Treaty(Model):
    """A treaty: whether it is in force, its Parties and signatories, dated and sourced.

    ``in_force``: the treaty's own entry into force (``None``: not in force);
    ``ratifications_needed``: the number its final clauses require, with ``in_force_ref``
    the article; ``parties``: States that ratified (or acceded); ``signatories``: States
    that signed without ratifying; ``complete``: whether ``parties`` and ``signatories``
    are the whole chart (when false, a State missing from both is unknown, not a
    non-signatory); ``status_read``: when the chart was read.
    """

    title: str
    in_force: date | None
    ratifications_needed: int | None = None
    in_force_ref: str
    parties: dict[Country, Party] = Field(default_factory=dict)
    signatories: tuple[Country, ...] = ()
    complete: bool
    status_read: date
    sources: SourceIds
    note: str | None = None


TreatyVerdict = Literal["yes", "no", "unknown"]


@dataclass(frozen=True, slots=True)
class TreatyStatus:
    """Whether a treaty (or one of its articles) applies between States on a date.

    ``applies``: ``yes``, ``no`` or ``unknown``; ``why``: one sentence per fact it rests on,
    naming the article (e.g. the treaty's entry-into-force clause) and the date the chart was
    read; ``sources``: citations of the sources.
    """

    applies: TreatyVerdict
    why: tuple[str, ...]
    sources: tuple[str, ...]


class EuRegulation(Model):
    """Regulation (EU) 2023/1543: who is bound, from when, and its clocks and thresholds.

    ``applies_from`` (art. 34(2)); ``bound_member_states`` and ``not_bound`` (recitals on
    Ireland and Denmark); the addressee's deadlines ``production`` (art. 10(2)) and
    ``emergency_production`` (art. 10(4)); the enforcing authority's ``enforcing_review``
    and ``enforcing_review_emergency`` (art. 12(1)); ``preservation`` and
    ``preservation_extension`` (art. 11(1)); ``ex_post_validation`` of an emergency order
    issued without prior validation (art. 4(5)); ``heavy_data_min_penalty_years``: traffic
    (other than for identification) and content data only for offences punishable by a
    custodial sentence of a maximum of at least that many years (art. 5(4)(a)), or the
    ``heavy_data_listed_offences`` (art. 5(4)(b) and (c), as offence categories of the
    request model), of which the ``heavy_data_information_system_offences`` (art. 5(4)(b):
    payment fraud, child sexual abuse, attacks on information systems) count only when
    committed wholly or partly by means of an information system; terrorist offences
    (art. 5(4)(c)) count without that condition.
    """

    applies_from: date
    applies_from_ref: str
    bound_member_states: tuple[Country, ...]
    not_bound: tuple[Country, ...]
    production: Duration
    emergency_production: Duration
    enforcing_review: Duration
    enforcing_review_emergency: Duration
    preservation: Duration
    preservation_extension: Duration
    ex_post_validation: Duration
    heavy_data_min_penalty_years: Threshold
    heavy_data_listed_offences: tuple[str, ...]
    heavy_data_listed_ref: str
    heavy_data_information_system_offences: tuple[str, ...] = ()
    heavy_data_information_system_ref: str = "art. 5(4)(b)"
    notification_ref: str
    notification_exception_ref: str
    language_ref: str
    addressee_ref: str
    sources: SourceIds
    note: str


class UsPreservation(Model):
    """18 U.S.C. 2703(f): a provider preserves records on the request of a *governmental
    entity* for ``initial`` (90 days), extended by ``extension`` (90 days) upon a renewed
    request, ``max_extensions`` times (2703(f)(2)).

    ``requesters``: who may use it: ``us_governmental_entity`` (18 U.S.C. 2711(4): a
    department or agency of the United States or any State or political subdivision
    thereof), so a foreign authority cannot rest a request on it.
    """

    initial: Duration
    extension: Duration
    max_extensions: int
    requesters: Literal["us_governmental_entity"]
    requesters_ref: str
    sources: SourceIds
    note: str


class UsVoluntary(Model):
    """18 U.S.C. 2702: what a US provider may disclose to a foreign government on its own.

    Content only in an emergency (``content_emergency_ref``: 2702(b)(8)) or under a CLOUD
    Act agreement (2702(b)(9)); records (not content) voluntarily (``records_ref``:
    2702(c)(6), a foreign government not being a "governmental entity", 2711(4)) and in an
    emergency (``records_emergency_ref``: 2702(c)(4)).
    """

    content_to_foreign_government: Literal["emergency_or_agreement_only"]
    non_content_to_foreign_government: Literal["voluntary"]
    content_emergency_ref: str
    content_agreement_ref: str
    records_emergency_ref: str
    records_ref: str
    sources: SourceIds
    note: str


class UsGovernmental(Model):
    """Who is a US *governmental entity* under chapter 121 of title 18 (18 U.S.C. 2711(4)):
    a department or agency of the United States or of any "State", which 2510(3) (adopted by
    2711(1)) defines to include the District of Columbia, Puerto Rico and any territory or
    possession of the United States.

    ``jurisdictions``: the ISO 3166-1 alpha-2 codes of those places (``US`` and the
    territories ISO codes apart: ``PR``, ``GU``, ``VI``, ``AS``, ``MP``, ``UM``); ``ref``:
    the articles.
    """

    jurisdictions: Annotated[tuple[Country, ...], Field(min_length=1)]
    ref: str
    sources: SourceIds
    note: str


class EuOfficialLanguages(Model):
    """The official languages of the Union (Regulation No 1 of 1958, art. 1, as amended):
    ``languages`` as BCP 47 primary language subtags (``bg`` ... ``sv``), ``ref`` the
    article. An EU order is written in one of them (Reg. (EU) 2023/1543 art. 9)."""

    languages: Annotated[tuple[str, ...], Field(min_length=1)]
    ref: str
    sources: SourceIds
    note: str


class BudapestPreservation(Model):
    """Budapest Convention (CETS 185) art. 29: what a preservation request specifies
    (art. 29(2)) and for how long the data is kept (``minimum``, art. 29(7))."""

    minimum: Duration
    contents_ref: str
    sources: SourceIds
    note: str


class CloudActAgreement(Model):
    """A CLOUD Act executive agreement (18 U.S.C. 2523) between the United States and
    ``partner`` (ISO 3166-1 alpha-2).

    ``signed`` and ``in_force`` dates; ``partner_order``: the partner's order served on US
    providers under it (a UK Overseas Production Order, an Australian International
    Production Order); ``serious_crime_min_penalty_years``: the 'Serious Crime' threshold
    of the agreement's definitions; ``targeting_ref``: the article barring orders that
    intentionally target a United States person or a person in the United States.
    """

    partner: Country
    title: str
    signed: date
    in_force: date
    partner_order: str
    serious_crime_min_penalty_years: Threshold
    targeting_ref: str
    sources: SourceIds
    note: str | None = None


class LawFacts(Model):
    """The legal facts the checker, route advice and deadlines rely on, each citing its
    sources.

    Every source id a fact names must be a key of ``sources`` (checked when built). A
    fact's first source is the text that holds the articles its ``ref`` fields name (the
    statute, regulation, treaty or agreement itself); announcements and charts follow it.
    ``treaties`` is keyed by Council of Europe treaty number (``cets-185``, ``cets-224``).
    """

    last_reviewed: date
    sources: dict[str, LawSource]
    eu_regulation_2023_1543: EuRegulation
    us_18_usc_2703f: UsPreservation
    us_18_usc_2702: UsVoluntary
    us_18_usc_2523_source: str
    us_governmental: UsGovernmental
    eu_official_languages: EuOfficialLanguages
    budapest_art29: BudapestPreservation
    cloud_act_agreements: tuple[CloudActAgreement, ...]
    treaties: dict[str, Treaty]

    @model_validator(mode="after")
    def _sources_resolve(self) -> Self:
        unknown = [ref for ref in _source_refs(self) if ref not in self.sources]
        if unknown:
            raise PydanticCustomError(
                "source_reference",
                "unknown source id(s): {ids}",
                {"ids": ", ".join(repr(ref) for ref in unknown)},
            )
        if "cets-185" not in self.treaties or "cets-224" not in self.treaties:
            raise PydanticCustomError(
                "treaties", "treaties must record cets-185 and cets-224 (Budapest and its Protocol)"
            )
        return self

    def cite(self, source_id: str, ref: str | None = None) -> str:
        """A citation of one source, for findings and advice.

        Args:
            source_id: A key of ``sources`` (every id a fact names is one).
            ref: The article within it, e.g. ``art. 10(4)``; ``None``: the whole text.

        Returns:
            ``title, ref (url, read YYYY-MM-DD)`` (without ``, ref`` when ``ref`` is None).

        Raises:
            InputError: ``source_id`` is not a key of ``sources``.
        """
        try:
            s = self.sources[source_id]
        except KeyError:
            raise InputError(f"unknown legal source id {source_id!r}", source="law") from None
        where = f", {ref}" if ref else ""
        return f"{s.title}{where} ({s.url}, read {s.read.isoformat()})"

    def cloud_act_agreement(self, country: str, on: date | None = None) -> CloudActAgreement | None:
        """The CLOUD Act agreement between ``country`` and the United States, or ``None``.

        Args:
            country: ISO 3166-1 alpha-2 code of the partner State.
            on: when given, only an agreement already in force on that date counts.
        """
        for a in self.cloud_act_agreements:
            if a.partner == country and (on is None or a.in_force <= on):
                return a
        return None

    def cloud_act_partner(self, country: str) -> CloudActAgreement | None:
        """The CLOUD Act agreement with ``country`` whatever its date (kept for callers that
        only ask whether one exists); prefer :meth:`cloud_act_agreement` with ``on``."""
        return self.cloud_act_agreement(country)

    def eu_bound(self, country: str) -> bool:
        """Whether ``country`` is a Member State bound by Regulation (EU) 2023/1543."""
        return country in self.eu_regulation_2023_1543.bound_member_states

    def is_us_governmental(self, country: str | None) -> bool:
        """Whether an authority of ``country`` is a US *governmental entity* (18 U.S.C.
        2711(4)): ``US``, or a territory or possession of the United States that ISO 3166-1
        codes apart (``PR``, ``GU``, ``VI``, ``AS``, ``MP``, ``UM``; 18 U.S.C. 2510(3),
        adopted by 2711(1)). A provider headquartered there is subject to chapter 121 like
        one in the United States. ``None`` (unknown) is not.

        Args:
            country: ISO 3166-1 alpha-2 code, or ``None``.
        """
        return country is not None and country in self.us_governmental.jurisdictions

    def same_jurisdiction(self, requesting: str, provider_state: str | None) -> bool:
        """Whether an authority of ``requesting`` asks a provider of ``provider_state`` at
        home: the same State, or both within the United States and its territories
        (:meth:`is_us_governmental`). Cross-border instruments (mutual legal assistance,
        CLOUD Act agreements, EU orders, the Second Protocol) do not serve such a request.

        Args:
            requesting: ISO 3166-1 alpha-2 code of the requesting State.
            provider_state: the provider's headquarters (``None``: unknown, never the same).
        """
        if provider_state is None:
            return False
        if requesting == provider_state:
            return True
        return self.is_us_governmental(requesting) and self.is_us_governmental(provider_state)

    def is_eu_official_language(self, tag: str) -> bool:
        """Whether a text in language ``tag`` (BCP 47) is in an official language of the
        Union (Regulation No 1, art. 1), compared by
        :func:`eevidence._internal.codes.languages_match` (``pt-BR`` is Portuguese,
        ``ja`` and ``und`` are none).

        Args:
            tag: a BCP 47 language tag.
        """
        return languages_match(tag, self.eu_official_languages.languages)

    def treaty_status(
        self, treaty_id: str, states: tuple[str, ...], on: date, *, article: str | None = None
    ) -> TreatyStatus:
        """Whether treaty ``treaty_id`` (and, when given, its ``article``) applies between
        all of ``states`` on date ``on``.

        ``no`` when the treaty is not in force, or a State is recorded as a mere signatory,
        or not a Party although the chart is complete, or not yet bound on ``on``, or has
        excluded ``article``; ``unknown`` when a State is missing from an incomplete chart
        or the chart gives no date of entry into force for it; else ``yes``.

        Args:
            treaty_id: a key of ``treaties`` (``cets-185``, ``cets-224``).
            states: ISO 3166-1 alpha-2 codes of the States concerned (e.g. the requesting
                State and the State of the provider).
            on: the date the question is asked for.
            article: an article number as the treaty numbers it (``"7"``).

        Returns:
            The :class:`TreatyStatus`, with reasons naming the articles and the chart's date.

        Raises:
            InputError: ``treaty_id`` is not recorded.
        """
        try:
            t = self.treaties[treaty_id]
        except KeyError:
            raise InputError(f"unknown treaty {treaty_id!r}", source="law") from None
        sources = tuple(self.cite(s) for s in t.sources)
        read = f"(chart read {t.status_read.isoformat()})"
        if t.in_force is None or t.in_force > on:
            count = len(t.parties)
            need = (
                f"{count} of the {t.ratifications_needed} ratifications it needs"
                if t.ratifications_needed
                else f"{count} ratifications"
            )
            return TreatyStatus(
                "no",
                (f"{t.title} is not in force: {need} ({t.in_force_ref}) {read}",),
                sources,
            )
        verdict: TreatyVerdict = "yes"
        why: list[str] = []
        for state in dict.fromkeys(states):
            party = t.parties.get(state)
            if party is None:
                if state in t.signatories:
                    why.append(f"{state} has signed but not ratified {t.title} {read}")
                    verdict = "no"
                elif t.complete:
                    why.append(f"{state} is not a Party to {t.title} {read}")
                    verdict = "no"
                else:
                    why.append(f"whether {state} is a Party to {t.title} is not recorded")
                    verdict = "unknown" if verdict == "yes" else verdict
                continue
            if party.in_force is None:
                why.append(f"{state}: the date {t.title} entered into force for it is not recorded")
                verdict = "unknown" if verdict == "yes" else verdict
            elif party.in_force > on:
                why.append(f"{t.title} enters into force for {state} on {party.in_force}")
                verdict = "no"
            elif article is not None and article in party.excluded:
                why.append(f"{state} excluded art. {article} of {t.title} {read}")
                verdict = "no"
            else:
                why.append(f"{state} is a Party to {t.title} (in force since {party.in_force})")
        return TreatyStatus(verdict, tuple(why), sources)


@functools.cache
def law_facts() -> LawFacts:
    """The shipped legal facts (``law/instruments.json``), validated once, then cached.

    Returns:
        The same :class:`LawFacts` instance on every call.

    Raises:
        ConfigurationError: the file is missing, unreadable, not JSON, or does not satisfy
            the model (a broken installation; the message lists every problem).
    """
    path = data_dir("law") / "instruments.json"
    try:
        return LawFacts.model_validate(json.loads(path.read_bytes()))
    except InputError as exc:
        found = "; ".join(str(p) for p in exc.problems)
        raise ConfigurationError(f"{path}: cannot load legal facts: {found}") from exc
    except (OSError, ValueError, RecursionError) as exc:
        raise ConfigurationError(f"{path}: cannot load legal facts: {exc}") from None


def _source_refs(facts: LawFacts) -> Iterator[str]:
    """Every source id named anywhere in ``facts`` (fields called ``sources`` and the
    single ``*_source`` ids)."""

    def walk(node: object) -> Iterator[str]:
        if isinstance(node, BaseModel):
            for name in type(node).model_fields:
                value = getattr(node, name)
                if name == "sources" and isinstance(value, tuple):
                    yield from value
                elif name.endswith("_source") and isinstance(value, str):
                    yield value
                elif name != "sources":
                    yield from walk(value)
        elif isinstance(node, tuple):
            for item in node:
                yield from walk(item)
        elif isinstance(node, dict):
            for item in node.values():
                yield from walk(item)

    yield from walk(facts)
