"""Legal facts used by the checker and route advice, loaded from ``law/instruments.json``.

Every fact there carries its source (the statute's or treaty's own text, read on a stated
date); this module only gives them types. Every model raises
:class:`~eevidence.errors.InputError` (never a pydantic error) when built from data that
does not satisfy it; :func:`law_facts` reports a broken shipped file as a
:class:`~eevidence.errors.ConfigurationError`.
"""

from __future__ import annotations

import functools
import json
from datetime import date
from typing import Literal, Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from eevidence._internal.models import Model
from eevidence._internal.resources import data_dir
from eevidence.errors import ConfigurationError, InputError

__all__ = ["LawFacts", "LawSource", "law_facts"]


class LawSource(Model):
    """The text a legal fact rests on: title, URL, publication date (or ``undated``) and the
    date it was read."""

    title: str
    url: str
    published: str
    read: date


class EuRegulation(Model):
    """Regulation (EU) 2023/1543: who is bound, from when, and its deadlines (art. 10, 11, 34)."""

    applies_from: date
    bound_member_states: tuple[str, ...]
    not_bound: tuple[str, ...]
    production_deadline_days: int
    emergency_deadline_hours: int
    preservation_days: int
    preservation_extension_days: int
    sources: tuple[str, ...]
    note: str


class UsPreservation(Model):
    """18 U.S.C. 2703(f)(2): preservation for 90 days, extendable once by 90 days."""

    initial_days: int
    extension_days: int
    max_extensions: int
    sources: tuple[str, ...]
    note: str


class UsVoluntary(Model):
    """18 U.S.C. 2702: what a US provider may disclose to a foreign government voluntarily."""

    content_to_foreign_government: Literal["emergency_only"]
    non_content_to_foreign_government: Literal["voluntary"]
    sources: tuple[str, ...]
    note: str


class BudapestPreservation(Model):
    """Budapest Convention (CETS 185) art. 29(7): preservation for at least 60 days."""

    minimum_days: int
    sources: tuple[str, ...]
    note: str


class CloudActAgreement(Model):
    """A CLOUD Act executive agreement (18 U.S.C. 2523) with ``partner`` (ISO 3166-1 alpha-2)."""

    partner: str = Field(pattern=r"^[A-Z]{2}$")
    in_force_year: int
    sources: tuple[str, ...]


class Protocol2(Model):
    """Second Additional Protocol to the Budapest Convention (CETS 224): entry into force."""

    in_force: Literal["unknown"] | date
    sources: tuple[str, ...]
    note: str


class LawFacts(Model):
    """The legal facts the checker and route advice rely on, each citing its sources.

    Every source id named by a fact must be a key of ``sources``.
    """

    last_reviewed: date
    sources: dict[str, LawSource]
    eu_regulation_2023_1543: EuRegulation
    us_18_usc_2703f: UsPreservation
    us_18_usc_2702: UsVoluntary
    budapest_art29: BudapestPreservation
    cloud_act_agreements: tuple[CloudActAgreement, ...]
    protocol2: Protocol2

    @model_validator(mode="after")
    def _sources_resolve(self) -> Self:
        unknown = [ref for ref in _source_refs(self) if ref not in self.sources]
        if unknown:
            raise PydanticCustomError(
                "source_reference",
                "unknown source id(s): {ids}",
                {"ids": ", ".join(repr(ref) for ref in unknown)},
            )
        return self

    def cite(self, source_id: str) -> str:
        """A citation of one source, for findings and advice.

        Args:
            source_id: A key of ``sources`` (every id a fact names is one).

        Returns:
            ``title (url, read YYYY-MM-DD)``.

        Raises:
            InputError: ``source_id`` is not a key of ``sources``.
        """
        try:
            s = self.sources[source_id]
        except KeyError:
            raise InputError(f"unknown legal source id {source_id!r}", source="law") from None
        return f"{s.title} ({s.url}, read {s.read.isoformat()})"

    def cloud_act_partner(self, country: str) -> CloudActAgreement | None:
        """The CLOUD Act agreement with ``country`` (ISO 3166-1 alpha-2), or ``None``."""
        return next((a for a in self.cloud_act_agreements if a.partner == country), None)


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


def _source_refs(facts: LawFacts) -> list[str]:
    refs = [
        *facts.eu_regulation_2023_1543.sources,
        *facts.us_18_usc_2703f.sources,
        *facts.us_18_usc_2702.sources,
        *facts.budapest_art29.sources,
        *facts.protocol2.sources,
    ]
    for agreement in facts.cloud_act_agreements:
        refs.extend(agreement.sources)
    return refs
