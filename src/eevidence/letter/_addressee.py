"""Who a letter is addressed to, from the provider's profile: the legal entity and its address.

The request's own ``addressee_entity`` always wins (the letter builder reads it first).
Otherwise the profile says it, and only where it settles the question for this request:

- an EU order (Regulation (EU) 2023/1543 art. 7) goes to the provider's designated
  establishment or legal representative (Directive (EU) 2023/1544 art. 3), known only where
  the provider's own text names it (:meth:`ProviderProfile.designated_addressee`); never to
  another entity of the provider;
- any other request goes to the entity that answers it, among the entities whose scope
  (``applies_to``) covers the request (:meth:`ProviderProfile.entities_for`): the only such
  entity, or, where the requester's location decides (``basis: requester_location``), the
  one entity whose regions hold the requesting authority's country. Where the user's
  location or the service decides, the letter cannot know which, and names none.

The postal address is the address the profile gives for that entity, else the address of
the profile's ``post`` channel for the request (:meth:`ProviderProfile.channels_for`), when
the profile records exactly one. Facts resting only on secondary sources are not used.

When the caller gives no profile, the letter uses the shipped profile of the request's
provider (:func:`shipped_profile`): package data, like the catalogues and the fonts.

Other providers a request names by id (the provider of an earlier request, of a measure
requested from a State) are printed by the name of their shipped profile too
(:class:`ProviderNames`), never by the internal id when a profile names them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from eevidence._internal.resources import data_dir
from eevidence.errors import ConfigurationError, InputError
from eevidence.letter._bidi import escaped
from eevidence.provider import ProviderProfile, RegionalEntity, law_facts, load_profile_file
from eevidence.request import RequestKind

__all__ = ["Addressee", "ProviderNames", "profile_addressee", "shipped_profile"]

_PROFILE_ID: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
"""A name a shipped profile file can have (the request's provider id pattern); nothing else
is looked up, so an id never names a path."""


@dataclass(frozen=True)
class Addressee:
    """What a provider's profile says of the addressee of one request."""

    entity: str | None
    """The legal entity that answers a request (not an EU order); ``None``: not known."""
    entity_country: str | None
    """ISO 3166-1 alpha-2 code of that entity, when the profile records it."""
    designated: str | None
    """The designated establishment or legal representative of an EU order."""
    designated_country: str | None
    """ISO 3166-1 alpha-2 code of the designated addressee, when recorded."""
    postal_address: str | None
    """The postal address (the profile's ``post`` channel) for the request's kind."""


def _eu_member(country: str) -> bool:
    """Whether ``country`` is an EU Member State: bound by Regulation (EU) 2023/1543 or one
    of the Member States it does not bind (``law/instruments.json``, recitals on Denmark)."""
    eu = law_facts().eu_regulation_2023_1543
    return country in eu.bound_member_states or country in eu.not_bound


def _covers(region: str, country: str) -> bool:
    """Whether a profile region (a country code or ``EU``) holds ``country``. ``EEA`` is
    matched by no country here: the shipped legal facts do not list its parties, so a
    profile region ``EEA`` leaves the answer unknown."""
    return region == country or (region == "EU" and _eu_member(country))


def _answering(entities: tuple[RegionalEntity, ...], country: str) -> RegionalEntity | None:
    if len(entities) == 1:
        return entities[0]
    if not entities or any(e.basis != "requester_location" for e in entities):
        return None
    matches = [e for e in entities if any(_covers(r, country) for r in e.regions)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        return None
    # no entity names the country: the rest of the world, unless the profile has a region
    # that cannot be checked (the EEA)
    if any("EEA" in e.regions for e in entities):
        return None
    rest = [e for e in entities if "ROW" in e.regions]
    return rest[0] if len(rest) == 1 else None


def _postal_address(profile: ProviderProfile, kind: RequestKind, country: str) -> str | None:
    posts = [c for c in profile.channels_for(kind, country) if c.kind == "post" and c.address]
    named = [c for c in posts if kind in c.kinds] or [c for c in posts if not c.kinds]
    addresses = {c.address for c in named if c.address}
    return addresses.pop() if len(addresses) == 1 else None


@lru_cache(maxsize=64)
def shipped_profile(provider_id: str) -> ProviderProfile | None:
    """The shipped profile of ``provider_id`` (read case-insensitively), or ``None`` when
    the package ships none (a profile of the user's own is passed in by the caller).

    Raises:
        ConfigurationError: the shipped profile cannot be read or is invalid.
    """
    key = provider_id.strip().lower()
    if _PROFILE_ID.fullmatch(key) is None:
        return None
    path = data_dir("providers") / f"{key}.json"
    if not path.is_file():
        return None
    try:
        return load_profile_file(path)
    except InputError as exc:  # ProfileError too: a broken installation, not bad input
        raise ConfigurationError(f"the shipped provider profile is broken: {exc}") from exc


@dataclass(frozen=True)
class ProviderNames:
    """The name a letter prints for a provider the request names by id: the addressee's
    name for the request's own provider (the one the caller gave, else its profile's), the
    name of the shipped profile for another, else the id as written."""

    provider: str
    """The request's provider id."""
    name: str
    """The name the letter gives that provider (the addressee's or data holder's)."""
    escape: bool = False
    """Write the control and bidirectional formatting characters of the other profiles'
    names as visible escapes (:func:`~eevidence.letter._bidi.escaped`), as the letter
    built with ``escape=True`` does for every text others wrote."""

    def __call__(self, provider_id: str) -> str:
        """The name to print for ``provider_id``.

        Raises:
            ConfigurationError: the shipped profile of ``provider_id`` is broken.
        """
        if provider_id.strip().lower() == self.provider.strip().lower():
            return self.name
        profile = shipped_profile(provider_id)
        name = profile.name if profile is not None else provider_id
        return escaped(name) if self.escape else name


def profile_addressee(
    profile: ProviderProfile, *, kind: RequestKind, requester_country: str, eu_order: bool
) -> Addressee:
    """What ``profile`` says of the addressee of a request of ``kind`` from an authority of
    ``requester_country`` (ISO 3166-1 alpha-2).

    Args:
        profile: the provider's profile.
        kind: the request kind (``preservation``...).
        requester_country: the requesting authority's country.
        eu_order: the request is an order under Regulation (EU) 2023/1543 (art. 7: it goes
            to the designated establishment or legal representative only).

    Returns:
        The entity (or designated addressee) and the postal address; ``None`` where the
        profile does not settle it for this request.

    Raises:
        ConfigurationError: the shipped legal facts cannot be read (only asked for a
            profile whose entities answer by the requester's location).
    """
    entity: RegionalEntity | None = None
    designated = None
    if eu_order:
        if profile.applies(profile.eu_designated_addressee, kind, requester_country):
            designated = profile.designated_addressee()
    else:
        entity = _answering(profile.entities_for(kind, requester_country), requester_country)
    address = entity.address if entity is not None else None
    return Addressee(
        entity=entity.name if entity is not None else None,
        entity_country=entity.country if entity is not None else None,
        designated=designated.name if designated is not None else None,
        designated_country=designated.country if designated is not None else None,
        postal_address=address or _postal_address(profile, kind, requester_country),
    )
