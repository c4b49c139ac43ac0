"""What the directory of authorities says of a State-to-State request's requested authority,
as plain values the checker takes (``check(..., requested_authority=...)``).

The checker and the directory of authorities (:mod:`eevidence.authorities`) are features of
one layer and do not import each other: the caller looks the requested authority up in the
directory (``eevidence check`` does) and passes either the facts of the entry it found
(:class:`RequestedAuthorityFacts`) or the answer that there is none
(:class:`NoAuthorityEntry`). Without either, the checker says nothing of the requested
authority's languages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from eevidence._internal.codes import language_tag_problem
from eevidence.errors import InputError

__all__ = ["AUTHORITIES_ENV_NAME", "NoAuthorityEntry", "RequestedAuthorityFacts"]

AUTHORITIES_ENV_NAME: Final = "EEVIDENCE_AUTHORITIES"
"""The environment variable naming a folder of extra authority entries (the directory's
``AUTHORITIES_ENV``), which the finding about a missing entry names."""
_COUNTRY: Final = re.compile(r"[A-Z]{2}")


def _country(value: str, what: str) -> None:
    if not _COUNTRY.fullmatch(value):
        raise InputError(
            f"{what}: country {value!r} is not an ISO 3166-1 alpha-2 code",
            source="requested_authority",
        )


@dataclass(frozen=True, slots=True)
class RequestedAuthorityFacts:
    """The directory entry of the authority a State-to-State request is addressed to: its
    id, name and State, and the languages it accepts requests in, with the citations of
    the sources that say so.

    Raises:
        InputError: ``country`` is not two capital letters, ``languages`` is empty (pass
            None when they are unknown) or holds a tag that is not BCP 47, or known
            languages come without a source.
    """

    entry_id: str
    """The entry's id in the directory (e.g. ``us-doj-oia``)."""
    name: str
    """The authority's name as the entry gives it."""
    country: str
    """Its State (ISO 3166-1 alpha-2); the request's ``requested_authority.country``."""
    languages: tuple[str, ...] | None
    """BCP 47 tags of the languages it accepts requests in (without a translation); None
    when the entry records them as unknown."""
    sources: tuple[str, ...] = ()
    """Citations of the sources of the languages fact, each with its https URL (or, for a
    restricted directory, the document) and its dates, e.g. ``Mutual legal assistance
    (https://www.gov.uk/..., published 2024-12-17, read 2026-12-01)``."""
    note: str | None = None
    """The entry's note on its languages (why they are unknown, a scope)."""

    def __post_init__(self) -> None:
        _country(self.country, self.entry_id)
        if self.languages is None:
            return
        if not self.languages:
            raise InputError(
                f"{self.entry_id}: no accepted language given; pass None when they are unknown",
                source="requested_authority",
            )
        for tag in self.languages:
            problem = language_tag_problem(tag)
            if problem is not None:
                raise InputError(f"{self.entry_id}: {problem}", source="requested_authority")
        if not self.sources:
            raise InputError(
                f"{self.entry_id}: accepted languages need the source that states them",
                source="requested_authority",
            )


@dataclass(frozen=True, slots=True)
class NoAuthorityEntry:
    """The directory of authorities has no entry for the requested authority: none of its
    State holds the function the request addresses, or several do and none is the one the
    request names (``candidates``).

    Raises:
        InputError: ``country`` is not two capital letters.
    """

    country: str
    """The requested State (ISO 3166-1 alpha-2); the request's ``requested_authority.country``."""
    searched: str
    """Where the entry was looked for, e.g. ``the shipped entries and /secure/authorities``."""
    candidates: tuple[str, ...] = ()
    """Ids of the entries of that State holding the function when several do and none is
    the authority the request names."""

    def __post_init__(self) -> None:
        _country(self.country, "no authority entry")
