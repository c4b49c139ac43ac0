"""Route advice: which routes can obtain which data from a provider, for a requesting State.

Pure: requesting country, a provider profile, the data categories, urgency, legal facts and
``now`` in; a list of :class:`Route` out, most promising first. A route's verdict is
``likely`` when the recorded facts support it, ``possible`` when it depends on something the
facts do not settle (stated in ``why``), ``no`` when a recorded fact rules it out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal, get_args

from eevidence.errors import InputError
from eevidence.provider._law import LawFacts, law_facts
from eevidence.provider._profiles import ProviderProfile
from eevidence.request import DATA_CATEGORIES, DataCategory

__all__ = ["KIND_ROUTES", "NOT_ROUTES", "Route", "RouteName", "Verdict", "advise_routes"]

RouteName = Literal[
    "emergency_disclosure",
    "voluntary_disclosure",
    "eu_production_order",
    "eu_preservation_order",
    "protocol2_art7_order",
    "cloud_act_agreement",
    "mla",
]
"""A legal route: a request kind that goes straight to the provider, an order under a CLOUD
Act executive agreement (18 U.S.C. 2523), or mutual legal assistance (``mla``)."""
KIND_ROUTES: Final[tuple[RouteName, ...]] = tuple(
    name for name in get_args(RouteName) if name not in ("cloud_act_agreement", "mla")
)
"""The routes that are request kinds of the kinds table (:data:`eevidence.request.KINDS`),
each advised here on its own facts."""
NOT_ROUTES: Final[Mapping[str, str]] = {
    "preservation": "keeps the data while a route is used (each route's preparation names it)",
    "preservation_extension": "keeps a preservation in force while a route is used",
}
"""The request kinds that are no route to the data on their own, and why. Every kind of
the kinds table is in :data:`KIND_ROUTES` or here (the test suite checks it), so a new
kind gets route advice or a reason it needs none."""
Verdict = Literal["likely", "possible", "no"]
"""``likely``: the recorded facts support the route; ``possible``: it depends on something
the facts do not settle (said in ``why``); ``no``: a recorded fact rules it out."""
_RANK: Final[dict[str, int]] = {"likely": 0, "possible": 1, "no": 2}


@dataclass(frozen=True, slots=True)
class Route:
    """One route for a requesting State to obtain data from a provider, and its prospects."""

    name: RouteName
    """The route."""
    verdict: Verdict
    """How promising it is on the recorded facts."""
    covers: tuple[DataCategory, ...]
    """Categories this route can deliver (empty when the verdict is ``no``)."""
    why: tuple[str, ...]
    """The facts behind the verdict, one sentence each."""
    clock: str
    """How long the route takes, in words (e.g. ``10 days; 8 hours in an emergency``)."""
    prepare: tuple[str, ...]
    """What to prepare before using it (an empty string is a step that does not apply)."""
    sources: tuple[str, ...]
    """Provider sources (title and URL) and legal sources the verdict rests on."""

    def to_dict(self) -> dict[str, Any]:
        """The route as a JSON object: ``route``, ``verdict``, ``covers``, ``why``, ``clock``,
        ``prepare`` and ``sources`` (lists of strings where the attribute is a tuple); what
        ``eevidence route --json`` prints per route."""
        return {
            "route": self.name,
            "verdict": self.verdict,
            "covers": list(self.covers),
            "why": list(self.why),
            "clock": self.clock,
            "prepare": list(self.prepare),
            "sources": list(self.sources),
        }


def _src(profile: ProviderProfile, ids: Iterable[str]) -> tuple[str, ...]:
    return tuple(
        f"{profile.sources[i].title} ({profile.sources[i].url or profile.sources[i].document})"
        for i in ids
    )


def advise_routes(
    requesting_country: str,
    provider: ProviderProfile,
    categories: Iterable[DataCategory],
    *,
    emergency: bool,
    now: datetime,
    law: LawFacts | None = None,
) -> tuple[Route, ...]:
    """The routes for ``requesting_country`` to obtain ``categories`` from ``provider``.

    Considered: an emergency disclosure (when ``emergency``; 18 U.S.C. 2702(b)(8), (c)(4)
    for a US provider), a voluntary request (the profile's foreign-access facts), the EU
    production and preservation orders (Reg. (EU) 2023/1543: Member States bound, date of
    application, the provider's EU establishment or legal representative, art. 5(4) and 8
    for traffic and content data), an order under a CLOUD Act executive agreement, a
    subscriber-information order under the Second Protocol (CETS 224 art. 7), and mutual
    legal assistance. Data the provider states it cannot produce is left out of every route.

    Args:
        requesting_country: ISO 3166-1 alpha-2 code of the requesting State, e.g. ``FR``.
        provider: the provider's profile.
        categories: the data categories wanted (duplicates are ignored; order is kept).
        emergency: an imminent risk to life or of serious physical injury.
        now: today, for the Regulation's date of application (only its date is used).
        law: the legal facts (default: the shipped ones, :func:`eevidence.provider.law_facts`).

    Returns:
        Every route considered, ``likely`` first, then ``possible``, then ``no``; within a
        verdict, the routes that cover more categories first.

    Raises:
        InputError: ``requesting_country`` is not an ISO 3166-1 alpha-2 code in capitals
            (``fr``, ``France``), ``now`` is naive, or a category is not a data category
            (``subscriber``, ``user_identification``, ``traffic``, ``content``).
        ConfigurationError: ``law`` is not given and the shipped legal facts cannot be
            loaded (a broken installation).
    """
    code = requesting_country  # as the request models' CountryCode: [A-Z]{2}
    if not (
        isinstance(code, str)
        and len(code) == 2
        and code.isascii()
        and code.isalpha()
        and code.isupper()
    ):
        raise InputError(
            f"requesting country {requesting_country!r}: expected an ISO 3166-1 alpha-2 code "
            "in capitals, such as 'FR'",
            source="requesting_country",
        )
    if now.tzinfo is None:
        raise InputError("now must be an aware datetime (with a UTC offset)", source="routes")
    wanted = tuple(dict.fromkeys(categories))
    strange = [c for c in wanted if c not in DATA_CATEGORIES]
    if strange:
        raise InputError(
            f"unknown data categories {', '.join(map(repr, strange))}; "
            f"use {', '.join(DATA_CATEGORIES)}",
            source="categories",
        )
    law = law or law_facts()
    p = provider
    unavailable = tuple(c for c in wanted if p.foreign_route(c) == "not_available")
    obtainable = tuple(c for c in wanted if c not in unavailable)
    hq = p.value(p.headquarters)
    routes: list[Route] = []
    gone = f"{p.name} states it cannot produce: {', '.join(unavailable)}" if unavailable else None

    def note(*why: str | None) -> tuple[str, ...]:
        return tuple(w for w in (*why, gone) if w)

    # -- emergency disclosure
    if emergency:
        accepted = p.accepts_kind("emergency_disclosure")
        criteria = p.value(p.emergency.criteria)
        channels = ", ".join(c.name for c in p.channels_for("emergency_disclosure")) or "unknown"
        why = [
            f"{p.name} takes emergency requests"
            if accepted
            else f"whether {p.name} takes emergency requests from foreign authorities is unknown",
            f"criteria: {criteria}" if criteria else None,
            f"channel: {channels}",
        ]
        if hq == "US":
            why.append(
                "US law lets a provider disclose content and records in an emergency involving "
                "danger of death or serious physical injury (18 U.S.C. 2702(b)(8), (c)(4))"
            )
        routes.append(
            Route(
                "emergency_disclosure",
                "likely" if accepted else "possible",
                obtainable,
                note(*why),
                "hours",
                (
                    "the nature of the threat and why disclosure without delay averts it",
                    "who is at risk and how imminent the harm is",
                    "a 24/7 contact who can answer the provider at once",
                ),
                _src(p, p.request_kinds["emergency_disclosure"].sources)
                + tuple(law.cite(i) for i in (law.us_18_usc_2702.sources if hq == "US" else ())),
            )
        )

    # -- direct (voluntary) request
    direct: list[DataCategory] = []
    with_process: list[DataCategory] = []
    blocked: list[DataCategory] = []
    unknown: list[DataCategory] = []
    for c in obtainable:
        route = p.foreign_route(c)
        if route == "voluntary":
            direct.append(c)
        elif route == "domestic_process":
            with_process.append(c)
        elif route is None:
            unknown.append(c)
        else:
            blocked.append(c)
    covers = tuple(direct + with_process)
    why_direct = [
        f"disclosed on request: {', '.join(direct)}" if direct else None,
        f"disclosed on legal process of the requesting country: {', '.join(with_process)}"
        if with_process
        else None,
        f"not disclosed on a direct request (MLA or CLOUD Act agreement needed): "
        f"{', '.join(blocked)}"
        if blocked
        else None,
        f"unknown what the provider needs for: {', '.join(unknown)}" if unknown else None,
    ]
    verdict: Verdict = "likely" if covers and not with_process else "possible"
    if not covers and not unknown:
        verdict = "no"
    routes.append(
        Route(
            "voluntary_disclosure",
            verdict,
            covers if verdict != "no" else (),
            note(*why_direct),
            "provider-dependent (days to weeks)",
            (
                "a preservation request first, so the data survives",
                "a court order or equivalent of your country" if with_process else "",
                "the provider's required elements (letterhead, signature, official email)",
            ),
            _src(p, dict.fromkeys(s for c in wanted for s in p.foreign_access[c].sources)),
        )
    )

    # -- EU orders
    eu = law.eu_regulation_2023_1543
    in_eu = requesting_country in eu.bound_member_states
    applies = now.date() >= eu.applies_from
    establishment = p.value(p.eu_establishment)
    eu_why = [
        f"{requesting_country} is bound by Regulation (EU) 2023/1543"
        if in_eu
        else f"{requesting_country} is not a Member State bound by Regulation (EU) 2023/1543",
        None if applies else f"the Regulation applies from {eu.applies_from.isoformat()}",
        f"addressed to {establishment.name}"
        if establishment
        else f"no EU establishment or legal representative of {p.name} is recorded",
    ]
    eu_verdict: Verdict = (
        "no" if not in_eu or not applies else ("likely" if establishment else "possible")
    )
    eu_sources = tuple(law.cite(i) for i in eu.sources)
    routes.append(
        Route(
            "eu_production_order",
            eu_verdict,
            obtainable if eu_verdict != "no" else (),
            note(
                *eu_why,
                "traffic (other than for identification) and content data: offences punishable "
                "by at least 3 years or listed offences, including terrorism (art. 5(4)), and "
                "notification of the enforcing authority (art. 8)"
                if {"traffic", "content"} & set(obtainable)
                else None,
            ),
            f"{eu.production}; {eu.emergency_production} in an emergency",
            (
                "the EPOC certificate (Annex I), signed by the issuing authority",
                "validation by a judge or court where art. 4 requires it",
            ),
            eu_sources,
        )
    )
    routes.append(
        Route(
            "eu_preservation_order",
            eu_verdict,
            obtainable if eu_verdict != "no" else (),
            note(*eu_why),
            f"{eu.preservation}, extendable by {eu.preservation_extension}",
            ("the EPOC-PR certificate (Annex II)", "the production request that will follow"),
            eu_sources,
        )
    )

    # -- CLOUD Act agreement
    partner = law.cloud_act_partner(requesting_country)
    if partner is None:
        cloud_verdict: Verdict = "no"
        cloud_why = [
            f"no CLOUD Act agreement between {requesting_country} and the United States is recorded"
        ]
    elif hq == "US":
        cloud_verdict = "likely"
        cloud_why = [
            f"executive agreement between {requesting_country} and the United States "
            f"(in force since {partner.in_force})",
            f"{p.name} is headquartered in the United States",
        ]
    else:
        cloud_verdict = "possible"
        cloud_why = [
            f"executive agreement between {requesting_country} and the United States "
            f"(in force since {partner.in_force})",
            f"whether {p.name} is a US provider is not recorded",
        ]
    routes.append(
        Route(
            "cloud_act_agreement",
            cloud_verdict,
            obtainable if cloud_verdict != "no" else (),
            note(
                *cloud_why,
                "orders may not target US persons or persons in the United States"
                if partner
                else None,
            ),
            "set by the agreement (not recorded here)",
            ("an order under the agreement, issued by your designated authority",),
            tuple(law.cite(i) for i in (partner.sources if partner else ())),
        )
    )

    # -- Second Protocol art. 7
    if "subscriber" in obtainable:
        routes.append(
            Route(
                "protocol2_art7_order",
                "possible",
                ("subscriber",),
                note(
                    "subscriber information only",
                    "requires both States to be Parties to the Second Additional Protocol "
                    "(CETS 224); its status is not recorded here",
                ),
                "national (set by the order)",
                ("an order under art. 7 with the elements of art. 7(4)",),
                tuple(law.cite(i) for i in law.treaties["cets-224"].sources),
            )
        )

    # -- MLA
    routes.append(
        Route(
            "mla",
            "possible" if obtainable else "no",
            obtainable,
            note(
                "mutual legal assistance through central authorities (bilateral MLAT, UNTOC "
                "art. 18, Budapest art. 31): the route for content when no other applies",
            ),
            "months",
            (
                "a preservation request now, so the data survives until the MLA request arrives",
                "the MLA request through your central authority, translated as the treaty requires",
            ),
            (),
        )
    )
    return tuple(sorted(routes, key=lambda r: (_RANK[r.verdict], -len(r.covers))))
