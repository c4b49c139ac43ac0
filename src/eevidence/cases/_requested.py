"""The requested authority of a request addressed to a State, looked up in the directory of
authorities, as the plain values the checker takes.

The checker (:mod:`eevidence.provider`) and the directory (:mod:`eevidence.authorities`) are
features of one layer that do not import each other; this module, above both, hands the
checker the facts of the entry found (:class:`~eevidence.provider.RequestedAuthorityFacts`)
or the answer that there is none (:class:`~eevidence.provider.NoAuthorityEntry`).
"""

from __future__ import annotations

from eevidence.authorities import Authority, AuthorityRegistry, AuthoritySource
from eevidence.provider import NoAuthorityEntry, RequestedAuthorityFacts
from eevidence.request import Request, RequestedAuthority, kind_spec

__all__ = ["authority_facts", "pick_entry", "requested_authority_facts"]

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


def authority_facts(entry: Authority) -> RequestedAuthorityFacts:
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


def requested_authority_facts(
    request: Request,
    authorities: AuthorityRegistry,
    *,
    searched: str = "the directory of authorities given",
) -> RequestedAuthorityFacts | NoAuthorityEntry | None:
    """The facts of ``request``'s requested authority for :func:`eevidence.provider.check`
    (``requested_authority=``), or ``None`` for a request not addressed to a State (kinds
    table ``addressee``).

    Args:
        request: The request.
        authorities: The directory (:func:`eevidence.authorities.load_authorities`).
        searched: Where the directory was read from, said when no entry is found.

    Returns:
        The entry's facts (:func:`pick_entry` finds it), or :class:`NoAuthorityEntry`
        naming the entries of that State that could be meant.
    """
    requested = getattr(request, "requested_authority", None)
    if kind_spec(request.kind).addressee != "state" or not isinstance(
        requested, RequestedAuthority
    ):
        return None
    entry, candidates = pick_entry(authorities, requested)
    if entry is None:
        return NoAuthorityEntry(requested.country, searched, candidates)
    return authority_facts(entry)
