"""What every route builder reads: the situation (who asks whom for what, when) and the legal
sentences several routes share (US law on a US provider, how to ask for preservation).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from eevidence.provider._law import LawFacts, UsVoluntary
from eevidence.provider._profiles import Channel, Fact, ProviderProfile
from eevidence.request import DataCategory, RequestKind

__all__ = [
    "Situation",
    "cite_first",
    "criminal_channels",
    "dsa_only",
    "preservation_steps",
    "provider_sources",
]

_DSA_MARKERS: Final = ("digital services act", "2022/2065")
"""How a text names the Digital Services Act (Regulation (EU) 2022/2065)."""
_DSA_WORD: Final = re.compile(r"\bDSA\b")


def _names_dsa(text: str | None) -> bool:
    return text is not None and (
        any(m in text.casefold() for m in _DSA_MARKERS) or _DSA_WORD.search(text) is not None
    )


def dsa_only(profile: ProviderProfile, item: Fact[Any] | Channel) -> bool:
    """Whether ``item`` (a fact or a channel of ``profile``) serves the Digital Services Act
    (Regulation (EU) 2022/2065) only: a channel whose name or note names the DSA, or an item
    every source of which is a statement made for the DSA.

    The DSA's points of contact and representatives serve the regulators of that Regulation
    (its art. 11 to 13), not criminal authorities asking for evidence: a language stated or a
    channel opened for them says nothing of law-enforcement requests.
    """
    if isinstance(item, Channel) and (_names_dsa(item.name) or _names_dsa(item.note)):
        return True
    cited = profile.cited(item)
    return bool(cited) and all(_names_dsa(s.title) or _names_dsa(s.note) for s in cited)


def criminal_channels(profile: ProviderProfile, kind: RequestKind) -> tuple[Channel, ...]:
    """The channels of ``profile`` for a request of ``kind``
    (:meth:`ProviderProfile.channels_for`), without those that serve the Digital Services
    Act only (:func:`dsa_only`): never offered for a criminal request."""
    return tuple(c for c in profile.channels_for(kind) if not dsa_only(profile, c))


@dataclass(frozen=True, slots=True)
class Situation:
    """One question for route advice.

    ``country``: the requesting State (an assigned ISO 3166-1 alpha-2 code); ``provider``:
    its profile; ``wanted``: the categories asked, in order, without repeats; ``obtainable``:
    those the provider does not state it cannot produce (``unavailable``); ``hq``: the
    provider's headquarters when recorded (``US`` makes it subject to 18 U.S.C. 2702);
    ``emergency``; ``today``: the date the advice is for; ``law``: the legal facts.
    """

    country: str
    provider: ProviderProfile
    wanted: tuple[DataCategory, ...]
    obtainable: tuple[DataCategory, ...]
    unavailable: tuple[DataCategory, ...]
    hq: str | None
    emergency: bool
    today: date
    law: LawFacts

    @property
    def name(self) -> str:
        """The provider's name."""
        return self.provider.name

    @property
    def us(self) -> bool:
        """True when the provider is recorded as headquartered in the United States or one
        of its territories (subject to 18 U.S.C. chapter 121;
        :meth:`LawFacts.is_us_governmental`)."""
        return self.law.is_us_governmental(self.hq)

    @property
    def us_requester(self) -> bool:
        """True when the requesting authority is a US governmental entity (18 U.S.C. 2711(4):
        of the United States or of a State, Puerto Rico or a territory, 2510(3))."""
        return self.law.is_us_governmental(self.country)

    @property
    def domestic(self) -> bool:
        """True when the provider is recorded as headquartered in the requesting State's own
        jurisdiction (:meth:`LawFacts.same_jurisdiction`): no cross-border instrument
        serves the request, and limits a provider sets for foreign authorities do not apply."""
        return self.law.same_jurisdiction(self.country, self.hq)

    def at_home(self) -> str:
        """The sentence saying the provider is in the requesting State's own jurisdiction."""
        where = "the United States" if self.us else self.hq
        return (
            f"{self.name} is headquartered in {where}, the requesting authority's own jurisdiction"
        )

    @property
    def hq_unknown(self) -> str:
        """The sentence saying the provider's headquarters is not recorded."""
        return f"where {self.name} is headquartered is not recorded"

    def gone(self) -> str | None:
        """The sentence naming the categories the provider states it cannot produce."""
        if not self.unavailable:
            return None
        return f"{self.name} states it cannot produce: {', '.join(self.unavailable)}"

    @property
    def usc2702(self) -> UsVoluntary:
        """What 18 U.S.C. 2702 lets a US provider disclose to a foreign authority, with the
        articles (``content_emergency_ref``...)."""
        return self.law.us_18_usc_2702

    def us_sources(self, *refs: str) -> list[str]:
        """Citations of 18 U.S.C. 2702 (with ``refs``) and of the texts it relies on."""
        return cite_first(self.law, self.law.us_18_usc_2702.sources, refs)


def cite_first(law: LawFacts, ids: Iterable[str], refs: Iterable[str]) -> list[str]:
    """Citations of the sources ``ids`` of one legal fact: the first (the instrument whose
    articles the fact names) with ``refs``, the others whole."""
    found = list(ids)
    articles = ", ".join(dict.fromkeys(refs)) or None
    return [law.cite(found[0], articles), *(law.cite(i) for i in found[1:])] if found else []


def provider_sources(profile: ProviderProfile, ids: Iterable[str]) -> list[str]:
    """``title (url or document)`` of each profile source in ``ids``, in order, once each."""
    return [
        f"{profile.sources[i].title} ({profile.sources[i].url or profile.sources[i].document})"
        for i in dict.fromkeys(ids)
    ]


def preservation_steps(s: Situation) -> tuple[list[str], list[str]]:
    """How the requesting State asks for the data to be preserved while a route is used, and
    the legal sources of the sentence.

    18 U.S.C. 2703(f) obliges a provider to preserve only on the request of a *governmental
    entity* (a US federal, State or local authority, 18 U.S.C. 2711(4)), so a foreign
    authority never rests a request on it: it asks the provider directly (honoured
    voluntarily), through the 24/7 network of the Budapest Convention (art. 29, 35) when its
    State is a Party, or through the US authorities on its behalf. An authority of a
    Member State bound by Regulation (EU) 2023/1543 can issue a European Preservation Order
    (EPOC-PR) once the Regulation applies.
    """
    law = s.law
    us_pres = law.us_18_usc_2703f
    steps: list[str] = []
    sources: list[str] = []
    if s.us_requester and (s.us or s.hq is None):
        steps.append(
            f"a preservation request under 18 U.S.C. 2703(f) ({us_pres.initial}, "
            f"{us_pres.initial.ref})"
        )
        return steps, cite_first(law, us_pres.sources, ("18 U.S.C. 2703(f)",))
    budapest = law.treaty_status("cets-185", (s.country,), s.today)
    art29 = law.budapest_art29
    via_24_7 = (
        f"through the 24/7 network of the Budapest Convention (art. 29, 35: at least "
        f"{art29.minimum}, {art29.minimum.ref}; contents {art29.contents_ref})"
    )
    if budapest.applies == "unknown":
        via_24_7 += f", if {s.country} is a Party"
    if budapest.applies != "no":
        sources += cite_first(law, art29.sources, ("art. 29", "art. 35", art29.minimum.ref))
    direct = f"a preservation request sent directly to {s.name}"
    if s.us:
        direct += (
            f" (honoured voluntarily: 18 U.S.C. 2703(f) binds a provider only towards a US "
            f"governmental entity, {us_pres.requesters_ref})"
        )
        sources += cite_first(law, us_pres.sources, ("18 U.S.C. 2703(f)", us_pres.requesters_ref))
    options = [direct]
    if budapest.applies != "no":
        options.append(via_24_7)
    if s.us:
        options.append("through the US authorities, who request it on your behalf")
    eu = law.eu_regulation_2023_1543
    if law.eu_bound(s.country) and s.today >= eu.applies_from:
        options.append("a European Preservation Order (EPOC-PR) to its designated addressee")
    steps.append("preservation first, so the data survives: " + "; or ".join(options))
    return steps, sources
