"""The building blocks of provider profiles: sources, facts, sourced records and scopes.

Every statement in a profile is a :class:`Fact` (or a sourced record such as a channel) that
names the ids of the :class:`Source` entries it rests on; what no source says is recorded as
``{"status": "unknown"}``, never guessed. Language, channel and addressee statements also say
which requests they apply to (:data:`Scope`, :class:`ScopedFact`, :class:`ScopedRecord`).
Every model raises :class:`~eevidence.errors.ProfileError` (never a pydantic error) when built
from data that does not satisfy it, with every problem and its JSON path.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Annotated, ClassVar, Final, Generic, Literal, Self, TypeVar, get_args

from pydantic import ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from eevidence._internal.models import Model
from eevidence.errors import InputError, Problem, ProfileError
from eevidence.request import HttpsUrl, Line, PublishedDate, Seq, Text, check_sourced_fact

__all__ = [
    "CONFIG",
    "SCOPES",
    "Fact",
    "FactStatus",
    "ProfileModel",
    "Record",
    "Scope",
    "ScopedFact",
    "ScopedRecord",
    "Slug",
    "Source",
    "SourceKind",
    "join_path",
    "profile_problems",
]

T = TypeVar("T")

CONFIG: Final = ConfigDict(frozen=True, extra="forbid", strict=True)

FactStatus = Literal["known", "unknown"]
"""``known``: a source states it (value and source ids required); ``unknown``: no source read
says it (value must be null; source ids may name the pages that were checked)."""

SourceKind = Literal["provider", "legal"]
"""``provider``: the provider's own statement (guidelines, FAQ, transparency report), possibly
read through a third party (then ``secondary`` is true); ``legal``: a statute or regulation."""

Scope = Literal["criminal", "us_authorities", "non_us_authorities", "eu_orders", "dsa_regulators"]
"""Which requests a language, channel or addressee statement applies to:

* ``criminal``: every request for evidence in a criminal matter, from any authority (the
  meaning of a statement that names no scope);
* ``us_authorities``: requests from US governmental entities (the United States and its
  territories, 18 U.S.C. 2510(3), 2711(4));
* ``non_us_authorities``: requests from authorities outside the United States;
* ``eu_orders``: European Production and Preservation Orders (Regulation (EU) 2023/1543);
* ``dsa_regulators``: orders and notices under the Digital Services Act (Regulation (EU)
  2022/2065, art. 9 to 11), which serve its regulators: never a request for evidence, so a
  statement scoped to it alone covers no request this library writes.
"""

SCOPES: Final[tuple[str, ...]] = get_args(Scope)

_SLUG = r"^[a-z0-9][a-z0-9-]*$"
Slug = Annotated[str, Field(pattern=_SLUG, max_length=63)]
"""A provider id or source id: lower-case letters, digits and '-'."""


class ProfileModel(Model):
    """Profile models: strict types; errors are :class:`ProfileError` with every problem."""

    model_config = CONFIG
    error_class: ClassVar[type[InputError]] = ProfileError

    @classmethod
    def _problems(cls, exc: ValidationError, document: object) -> list[Problem]:
        return [Problem(path, message) for path, message in profile_problems(exc)]

    @classmethod
    def _error(cls, problems: Sequence[Problem], source: str) -> InputError:
        return ProfileError(source, problems)


class Source(ProfileModel):
    """Where a fact comes from: an https ``url`` of the provider's (or lawgiver's) own text.

    ``archive_url`` may give an archived copy (Open Terms Archive, the Wayback Machine) beside
    it; ``document`` names a document or copy the url alone does not identify. ``published``
    is the date the page shows (or ``"undated"``), ``read`` the date it was read.
    ``secondary`` marks a third-party account of what the provider does: allowed only where
    the provider publishes nothing, and never the only source of a fact a check relies on.
    """

    kind: SourceKind
    title: Line
    url: HttpsUrl
    archive_url: HttpsUrl | None = None
    document: Line | None = None
    published: PublishedDate
    read: date
    secondary: bool
    note: Text | None = None

    @model_validator(mode="after")
    def _legal_is_primary(self) -> Self:
        if self.kind == "legal" and self.secondary:
            raise PydanticCustomError(
                "legal_secondary", "a legal source must be the text of the law itself"
            )
        return self


class Fact(ProfileModel, Generic[T]):
    """One statement about a provider, with the ids of the sources that make it."""

    status: FactStatus
    value: T | None = None
    sources: Seq[Slug] = ()
    note: Text | None = None

    @model_validator(mode="after")
    def _status_matches_value(self) -> Self:
        check_sourced_fact(self.status, self.value, self.sources)
        return self

    @property
    def known(self) -> bool:
        """True when a source states the fact (``status`` is ``known``)."""
        return self.status == "known"


def _check_scopes(value: tuple[str, ...]) -> tuple[str, ...]:
    if len(set(value)) != len(value):
        raise PydanticCustomError("scope", "a scope is named twice")
    if "criminal" in value and set(value) - {"criminal", "dsa_regulators"}:
        raise PydanticCustomError(
            "scope", "'criminal' covers every request for evidence: name it alone"
        )
    if {"us_authorities", "non_us_authorities"} <= set(value):
        raise PydanticCustomError(
            "scope", "'us_authorities' with 'non_us_authorities' is 'criminal': write that"
        )
    return value


class ScopedFact(Fact[T], Generic[T]):
    """A fact that holds for some requests only (languages, addressees): ``applies_to``
    names them (:data:`Scope`); empty means every request for evidence (``criminal``)."""

    applies_to: Seq[Scope] = ()

    @field_validator("applies_to")
    @classmethod
    def _scopes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _check_scopes(value)


class Record(ProfileModel):
    """A sourced item of a list (a channel, an entity...): always a statement of some source."""

    sources: Seq[Slug] = Field(min_length=1)
    note: Text | None = None


class ScopedRecord(Record):
    """A sourced record that serves some requests only (channels, entities, remarks):
    ``applies_to`` names them (:data:`Scope`); empty means every request for evidence."""

    applies_to: Seq[Scope] = ()

    @field_validator("applies_to")
    @classmethod
    def _scopes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _check_scopes(value)


# ---------------------------------------------------------------------------------------------
# Problems with JSON paths
# ---------------------------------------------------------------------------------------------

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def join_path(path: str, part: object) -> str:
    """``path`` extended by a key or index (``$.a``, ``$['b-c']``, ``$[0]``)."""
    if isinstance(part, int):
        return f"{path}[{part}]"
    text = str(part)
    return f"{path}.{text}" if _IDENT.fullmatch(text) else f"{path}[{text!r}]"


def _json_path(loc: tuple[int | str, ...]) -> str:
    path = "$"
    for part in loc:
        path = join_path(path, part)
    return path


def profile_problems(exc: ValidationError) -> tuple[tuple[str, str], ...]:
    """Every problem of a profile validation error, with its JSON path (source references
    that do not resolve one by one)."""
    problems: list[tuple[str, str]] = []
    for error in exc.errors(include_url=False):
        nested = (error.get("ctx") or {}).get("problems")
        if error["type"] == "source_reference" and nested:
            problems.extend(nested)
        else:
            problems.append((_json_path(tuple(error["loc"])), error["msg"]))
    return tuple(problems)
