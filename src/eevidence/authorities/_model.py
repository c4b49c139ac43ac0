"""The model of one authority entry (``authorities/<id>.json``): facts with their sources.

Every statement names the ids of the sources it rests on; a fact no source states is
``{"status": "unknown"}`` (value null), never guessed. An entry is ``public`` (every source an
https URL of the authority's own or the lawgiver's text, dated) or ``restricted`` (copied from
a directory that is not public, such as the UNODC directory of competent national authorities
or the list of the 24/7 network: such sources name the ``document`` and its date, and need no
URL). Only public entries ship with eevidence.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Final, Generic, Literal, Self, TypeVar, get_args

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from eevidence._internal.models import Model
from eevidence.errors import InputError
from eevidence.request import (
    CountryCode,
    HttpsUrl,
    LanguageTag,
    Line,
    PublishedDate,
    Seq,
    Text,
    check_sourced_fact,
)

__all__ = [
    "FUNCTIONS",
    "Authority",
    "AuthorityChannel",
    "AuthorityFact",
    "AuthoritySource",
    "Function",
    "Role",
]

T = TypeVar("T")

Function = Literal["mla_central_authority", "point_of_contact_24_7"]
"""What an authority does: ``mla_central_authority`` receives and transmits requests for
mutual legal assistance (Budapest Convention art. 27(2), UNTOC art. 18(13), a bilateral
treaty); ``point_of_contact_24_7`` is a Party's point of contact of the 24/7 network
(Budapest Convention art. 35), which takes expedited preservation requests (arts. 29, 30)."""
FUNCTIONS: Final[tuple[str, ...]] = get_args(Function)

_SLUG = r"^[a-z0-9][a-z0-9-]*$"
Slug = Annotated[str, Field(pattern=_SLUG, max_length=63)]

SourceKind = Literal["authority", "legal", "restricted_directory"]
"""``authority``: the authority's (or its government's) own published text; ``legal``: a
treaty, statute or regulation; ``restricted_directory``: a directory not published (the
UNODC directory, the 24/7 network's list), which only a restricted entry may cite."""


class _AuthorityModel(Model):
    """Authority models: strict types; errors are :class:`~eevidence.errors.InputError`."""

    error_class = InputError


class AuthoritySource(_AuthorityModel):
    """Where a fact comes from, with the date the text shows (``published``, or
    ``"undated"``) and the date it was read (``read``)."""

    kind: SourceKind
    title: Line
    url: HttpsUrl | None = None
    document: Line | None = None
    published: PublishedDate
    read: date
    note: Text | None = None

    @model_validator(mode="after")
    def _where(self) -> Self:
        if self.kind == "restricted_directory":
            if self.document is None:
                raise PydanticCustomError(
                    "source_document", "a restricted directory source names its document"
                )
        elif self.url is None:
            raise PydanticCustomError(
                "source_url", "an authority or legal source needs an https url"
            )
        return self


class AuthorityFact(_AuthorityModel, Generic[T]):
    """One statement about an authority, with the ids of the sources that make it."""

    status: Literal["known", "unknown"]
    value: T | None = None
    sources: Seq[Slug] = ()
    note: Text | None = None

    @model_validator(mode="after")
    def _status_matches_value(self) -> Self:
        check_sourced_fact(self.status, self.value, self.sources)
        return self

    @property
    def known(self) -> bool:
        """True when a source states the fact."""
        return self.status == "known"


class Role(_AuthorityModel):
    """A function the authority holds, under which instruments, for which part of its
    State (``scope``, e.g. ``England, Wales and Northern Ireland``)."""

    function: Function
    instruments: Seq[Slug] = Field(min_length=1)
    """Instrument ids: ``cets-185`` (Budapest Convention), ``cets-030`` (European Convention
    on Mutual Assistance in Criminal Matters), ``untoc``, ``bilateral`` (bilateral MLA
    treaties), ``reciprocity``, or ``any`` (every basis it receives requests on)."""
    scope: Text | None = None
    sources: Seq[Slug] = Field(min_length=1)
    note: Text | None = None


class AuthorityChannel(_AuthorityModel):
    """How requests reach the authority: an email address, a portal, a postal address..."""

    kind: Literal["email", "portal", "post", "phone", "fax"]
    name: Line
    address: Line | None = None
    url: HttpsUrl | None = None
    functions: Seq[Function] = ()
    """The functions it serves; empty: all of the authority's."""
    sources: Seq[Slug] = Field(min_length=1)
    note: Text | None = None


class Authority(_AuthorityModel):
    """One authority of the directory: a central authority, a 24/7 point of contact, or both."""

    id: Slug
    name: Line
    country: CountryCode
    parent: Line | None = None
    distribution: Literal["public", "restricted"]
    last_reviewed: date
    sources: Mapping[Slug, AuthoritySource] = Field(min_length=1)
    roles: Seq[Role] = Field(min_length=1)
    channels: Seq[AuthorityChannel] = ()
    languages: AuthorityFact[Seq[LanguageTag]]
    """Languages in which it accepts requests (without a translation)."""
    formalities: AuthorityFact[Seq[Text]]
    """What it requires of a request's form (certification, signature, templates...)."""
    transmission_days: AuthorityFact[Annotated[int, Field(ge=0, le=3650)]]
    """Days it is expected to take from dispatch of an MLA request to its service on the
    provider, as the authority publishes it; unknown when unpublished."""
    remarks: Seq[Text] = ()

    @model_validator(mode="after")
    def _sources_resolve(self) -> Self:
        cited: list[str] = []
        for role in self.roles:
            cited.extend(role.sources)
        for channel in self.channels:
            cited.extend(channel.sources)
        for fact in (self.languages, self.formalities, self.transmission_days):
            cited.extend(fact.sources)
        missing = sorted(set(cited) - set(self.sources))
        if missing:
            raise PydanticCustomError(
                "source_ids", "source ids not among sources: {ids}", {"ids": ", ".join(missing)}
            )
        if self.distribution == "public":
            restricted = sorted(
                k for k, s in self.sources.items() if s.kind == "restricted_directory"
            )
            if restricted:
                raise PydanticCustomError(
                    "public_sources",
                    "a public entry cannot rest on a restricted directory ({ids}); "
                    "mark it distribution 'restricted'",
                    {"ids": ", ".join(restricted)},
                )
        return self

    def functions(self) -> tuple[str, ...]:
        """The functions it holds, in :data:`FUNCTIONS` order."""
        held = {r.function for r in self.roles}
        return tuple(f for f in FUNCTIONS if f in held)
