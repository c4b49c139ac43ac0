"""The requested authority of a State-to-State request, looked up in the directory of
authorities for ``eevidence check``.

The checker and the directory are features of one layer that do not import each other, so
the command reads the directory here and hands the checker plain values: the facts of the
entry found (:class:`~eevidence.provider.RequestedAuthorityFacts`) or the answer that there
is none (:class:`~eevidence.provider.NoAuthorityEntry`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from eevidence.authorities import (
    AUTHORITIES_ENV,
    Authority,
    AuthorityRegistry,
    AuthoritySource,
    load_authorities,
)
from eevidence.provider import NoAuthorityEntry, RequestedAuthorityFacts
from eevidence.request import Request, RequestedAuthority, kind_spec

__all__ = ["AuthorityLookup", "facts_of", "pick_entry"]

_FUNCTION_OF = {
    "central_authority": "mla_central_authority",
    "point_of_contact_24_7": "point_of_contact_24_7",
}
"""The directory's function for each capacity a request names; a ``competent_authority``
holds none of them and is found by its name only."""


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def _names(entry: Authority, wanted: str) -> bool:
    """Whether the request's authority name ``wanted`` is ``entry``: its id, its name, or a
    longer name containing its name (``Home Office, UK Central Authority (UKCA)``)."""
    name, given = _norm(entry.name), _norm(wanted)
    return given in (entry.id, name) or name in given


def pick_entry(
    registry: AuthorityRegistry, requested: RequestedAuthority
) -> tuple[Authority | None, tuple[str, ...]]:
    """The directory entry of ``requested``, else None and the ids of the entries of its
    State holding its function when several do and none is the one named.

    The only entry of the requested State holding the function the request's capacity
    addresses is it, whatever its name; among several, the one the request names.
    """
    function = _FUNCTION_OF.get(requested.capacity)
    found = registry.find(requested.country, function)
    if function is not None and len(found) == 1:
        return found[0], ()
    named = [a for a in found if _names(a, requested.name)]
    if len(named) == 1:
        return named[0], ()
    return None, tuple(a.id for a in found) if function is not None else ()


def _cite(source: AuthoritySource) -> str:
    where = source.url or source.document
    published = (
        "undated"
        if isinstance(source.published, str)
        else f"published {source.published.isoformat()}"
    )
    return f"{source.title} ({where}, {published}, read {source.read.isoformat()})"


def facts_of(entry: Authority) -> RequestedAuthorityFacts:
    """What ``entry`` says of the languages it accepts, with the citations of its sources."""
    fact = entry.languages
    return RequestedAuthorityFacts(
        entry_id=entry.id,
        name=entry.name,
        country=entry.country,
        languages=tuple(fact.value) if fact.known and fact.value else None,
        sources=tuple(_cite(entry.sources[i]) for i in fact.sources),
        note=fact.note,
    )


class AuthorityLookup:
    """Reads the directory of authorities once, on the first request addressed to a State
    (at once when ``user_dir`` is given, so that a wrong folder is always reported)."""

    def __init__(self, user_dir: str | None, environ: Mapping[str, str] | None = None) -> None:
        self._env = os.environ if environ is None else environ
        self._user_dir = user_dir
        self._registry: AuthorityRegistry | None = None
        if user_dir is not None:
            self._load()

    def _load(self) -> AuthorityRegistry:
        if self._registry is None:
            self._registry = load_authorities(self._user_dir, environ=self._env)
        return self._registry

    def _searched(self) -> str:
        extra = self._user_dir or self._env.get(AUTHORITIES_ENV) or None
        if extra is None:
            return f"the shipped entries (${AUTHORITIES_ENV} not set)"
        return f"the shipped entries and those of {extra}"

    def facts_for(self, request: Request) -> RequestedAuthorityFacts | NoAuthorityEntry | None:
        """The requested authority's facts for :func:`~eevidence.provider.check`; None for a
        request not addressed to a State (the directory is then not read).

        Raises:
            ConfigurationError: the user folder does not exist.
            InputError: an entry of the directory is invalid.
        """
        requested = getattr(request, "requested_authority", None)
        if kind_spec(request.kind).addressee != "state" or not isinstance(
            requested, RequestedAuthority
        ):
            return None
        entry, candidates = pick_entry(self._load(), requested)
        if entry is None:
            return NoAuthorityEntry(requested.country, self._searched(), candidates)
        return facts_of(entry)
