"""Route advice: which routes can obtain which data from a provider, for a requesting State.

Pure: requesting country, a provider profile, the data categories, urgency, legal facts and
``now`` in; a list of :class:`Route` out, most promising first. A route's verdict is
``likely`` when the recorded facts support it, ``possible`` when it depends on something the
facts do not settle (stated in ``depends_on``), ``no`` when a recorded fact rules it out.

Law bounds what a profile can claim: the provider's statements decide only what the law the
provider is subject to leaves to it (18 U.S.C. 2702 for a US provider). The routes are built
per family: ``_us`` (emergency and voluntary disclosure, CLOUD Act agreements), ``_eu``
(Regulation (EU) 2023/1543), ``_treaties`` (Second Additional Protocol art. 7, mutual legal
assistance). ``docs/routes.md`` describes each route, what decides its verdict and the
articles.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Final

from eevidence._internal.codes import country_name, is_assigned_country
from eevidence.errors import InputError
from eevidence.provider._law import LawFacts, law_facts
from eevidence.provider._profiles import ProviderProfile
from eevidence.provider.routes._domestic import domestic_route
from eevidence.provider.routes._eu import eu_routes
from eevidence.provider.routes._facts import Situation
from eevidence.provider.routes._route import (
    KIND_ROUTES,
    NOT_ROUTES,
    ROUTE_KINDS,
    Route,
    RouteName,
    Verdict,
)
from eevidence.provider.routes._treaties import art7_route, mla_route
from eevidence.provider.routes._us import cloud_act_route, emergency_route, voluntary_route
from eevidence.request import DATA_CATEGORIES, DataCategory

__all__ = [
    "KIND_ROUTES",
    "NOT_ROUTES",
    "ROUTE_KINDS",
    "Route",
    "RouteName",
    "Verdict",
    "advise_routes",
]

_RANK: Final[dict[str, int]] = {"likely": 0, "possible": 1, "no": 2}

_RESERVED: Final[dict[str, str]] = {"UK": "GB", "EL": "GR"}
"""Codes ISO 3166-1 keeps exceptionally reserved for a country that has another code element
(the United Kingdom is ``GB``; ``EL``, Greece in EU usage, is ``GR``)."""


def country_problem(code: object) -> str | None:
    """Why ``code`` is not the ISO 3166-1 alpha-2 code of a State in use, or ``None``.

    One line: ``requesting country 'UK': not an ISO 3166-1 alpha-2 code in use (the
    United Kingdom is 'GB')``; the hint names the code meant where it is clear (a reserved
    code, lower case).
    """
    if isinstance(code, str) and is_assigned_country(code):
        return None
    hint = ""
    if isinstance(code, str):
        meant = _RESERVED.get(code.upper()) or (
            code.upper() if is_assigned_country(code.upper()) else None
        )
        if meant is not None:
            hint = f" ({_the(country_name(meant) or meant)} is {meant!r})"
        elif code.upper() == "EU":
            hint = " (the European Union is no State: name the Member State)"
    return f"requesting country {code!r}: not an ISO 3166-1 alpha-2 code in use{hint}"


def _the(name: str) -> str:
    plural = name.startswith(("United", "Netherlands", "Philippines", "Bahamas"))
    return f"the {name}" if plural else name


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

    Considered: an emergency disclosure (when ``emergency``), a voluntary request, the EU
    production and preservation orders (Regulation (EU) 2023/1543), an order under a CLOUD
    Act executive agreement (18 U.S.C. 2523), a subscriber-information order under the Second
    Additional Protocol (CETS 224 art. 7, when subscriber data is wanted), and mutual legal
    assistance. Data the provider states it cannot produce is left out of every route.

    A provider headquartered in the requesting State's own jurisdiction (the same State, or
    the United States and its territories, 18 U.S.C. 2510(3), 2711(1), (4)) is asked through
    that State's own process (route ``domestic_process``: for a US authority, 18 U.S.C. 2703),
    and every cross-border route is ``no``; the limits a provider states for authorities
    outside its home country do not apply.

    The law bounds the profile: a provider headquartered in the United States never
    discloses content on a voluntary request, whatever its profile says (18 U.S.C.
    2702(a), (b)(8), (b)(9)); an emergency disclosure covers only what the provider's
    emergency scope for foreign authorities allows; EU orders go to the designated
    establishment or legal representative (Directive (EU) 2023/1544 art. 3; Regulation
    art. 7(1)). ``docs/routes.md`` gives every rule and article.

    Args:
        requesting_country: ISO 3166-1 alpha-2 code of the requesting State, assigned and in
            capitals, e.g. ``FR`` (``UK`` is not one: the United Kingdom is ``GB``).
        provider: the provider's profile.
        categories: the data categories wanted (duplicates are ignored; order is kept).
        emergency: an imminent risk to life or of serious physical injury.
        now: today, for the dates of application and entry into force (only its date is
            used).
        law: the legal facts (default: the shipped ones, :func:`eevidence.provider.law_facts`).

    Returns:
        Every route considered, ``likely`` first, then ``possible``, then ``no``; within a
        verdict, the emergency disclosure first (it takes hours), then the routes that cover
        more categories. Each route's ``kind`` is the
        request kind that writes it (``None`` for ``mla``).

    Raises:
        InputError: ``requesting_country`` is not an assigned ISO 3166-1 alpha-2 code in
            capitals (``UK``, ``fr``, ``France``), ``now`` is naive, no category is given, or
            a category is not a data category (``subscriber``, ``user_identification``,
            ``traffic``, ``content``).
        ConfigurationError: ``law`` is not given and the shipped legal facts (or the shipped
            country codes) cannot be loaded (a broken installation).
    """
    problem = country_problem(requesting_country)
    if problem is not None:
        raise InputError(problem, source="requesting_country")
    if now.tzinfo is None:
        raise InputError("now must be an aware datetime (with a UTC offset)", source="routes")
    wanted = tuple(dict.fromkeys(categories))
    if not wanted:
        raise InputError(
            f"no data category given; use {', '.join(DATA_CATEGORIES)}", source="categories"
        )
    strange = [c for c in wanted if c not in DATA_CATEGORIES]
    if strange:
        raise InputError(
            f"unknown data categories {', '.join(map(repr, strange))}; "
            f"use {', '.join(DATA_CATEGORIES)}",
            source="categories",
        )
    p = provider
    unavailable = tuple(c for c in wanted if p.foreign_route(c) == "not_available")
    s = Situation(
        country=requesting_country,
        provider=p,
        wanted=wanted,
        obtainable=tuple(c for c in wanted if c not in unavailable),
        unavailable=unavailable,
        hq=p.value(p.headquarters),
        emergency=emergency,
        today=now.date(),
        law=law or law_facts(),
    )
    routes: list[Route] = []
    if s.domestic:
        routes.append(domestic_route(s))
    if emergency:
        routes.append(emergency_route(s))
    routes.append(voluntary_route(s))
    routes.extend(eu_routes(s))
    routes.append(cloud_act_route(s))
    if "subscriber" in s.obtainable:
        routes.append(art7_route(s))
    routes.append(mla_route(s))
    # Within a verdict, an emergency disclosure (hours) comes before routes of days or months.
    return tuple(
        sorted(
            routes,
            key=lambda r: (_RANK[r.verdict], r.name != "emergency_disclosure", -len(r.covers)),
        )
    )
