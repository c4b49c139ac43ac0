"""Legal facts used by the checker and route advice, loaded from ``law/instruments.json``.

Every fact there carries its source; this module only gives them types.
"""

from __future__ import annotations

import functools
import json
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from eevidence._internal.resources import data_dir
from eevidence.errors import ConfigurationError

__all__ = ["LawFacts", "LawSource", "law_facts"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LawSource(_Model):
    title: str
    url: str
    published: str
    read: date


class EuRegulation(_Model):
    applies_from: date
    bound_member_states: tuple[str, ...]
    not_bound: tuple[str, ...]
    production_deadline_days: int
    emergency_deadline_hours: int
    preservation_days: int
    preservation_extension_days: int
    sources: tuple[str, ...]
    note: str


class UsPreservation(_Model):
    initial_days: int
    extension_days: int
    max_extensions: int
    sources: tuple[str, ...]
    note: str


class UsVoluntary(_Model):
    content_to_foreign_government: Literal["emergency_only"]
    non_content_to_foreign_government: Literal["voluntary"]
    sources: tuple[str, ...]
    note: str


class BudapestPreservation(_Model):
    minimum_days: int
    sources: tuple[str, ...]
    note: str


class CloudActAgreement(_Model):
    partner: str = Field(pattern=r"^[A-Z]{2}$")
    in_force_year: int
    sources: tuple[str, ...]


class Protocol2(_Model):
    in_force: Literal["unknown"] | date
    sources: tuple[str, ...]
    note: str


class LawFacts(_Model):
    last_reviewed: date
    sources: dict[str, LawSource]
    eu_regulation_2023_1543: EuRegulation
    us_18_usc_2703f: UsPreservation
    us_18_usc_2702: UsVoluntary
    budapest_art29: BudapestPreservation
    cloud_act_agreements: tuple[CloudActAgreement, ...]
    protocol2: Protocol2

    def cite(self, source_id: str) -> str:
        """``title (url, read YYYY-MM-DD)`` for a source id."""
        s = self.sources[source_id]
        return f"{s.title} ({s.url}, read {s.read.isoformat()})"

    def cloud_act_partner(self, country: str) -> CloudActAgreement | None:
        return next((a for a in self.cloud_act_agreements if a.partner == country), None)


@functools.cache
def law_facts() -> LawFacts:
    """The shipped legal facts (validated once, then cached)."""
    path = data_dir("law") / "instruments.json"
    try:
        facts = LawFacts.model_validate(json.loads(path.read_bytes()))
    except (OSError, ValueError, ValidationError) as exc:
        raise ConfigurationError(f"{path}: cannot load legal facts: {exc}") from None
    for ref in _source_refs(facts):
        if ref not in facts.sources:
            raise ConfigurationError(f"{path}: unknown source id {ref!r}")
    return facts


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
