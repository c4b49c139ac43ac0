"""What route advice returns: a :class:`Route`, its name, the request kind that writes it, and
its verdict.

Every route builder (``_us``, ``_eu``, ``_treaties``) returns :class:`Route` values built
with :func:`decide`: a route is ``no`` when a recorded fact rules it out (said in ``why``),
``possible`` when it depends on something the facts do not settle (said in
``depends_on``), ``likely`` otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, get_args

from eevidence.request import DataCategory, RequestKind

__all__ = [
    "KIND_ROUTES",
    "NOT_ROUTES",
    "ROUTE_KINDS",
    "Route",
    "RouteName",
    "Verdict",
    "decide",
]

RouteName = Literal[
    "emergency_disclosure",
    "voluntary_disclosure",
    "eu_production_order",
    "eu_preservation_order",
    "protocol2_art7_order",
    "cloud_act_agreement",
    "mla",
    "domestic_process",
]
"""A legal route: a request that goes straight to the provider (an emergency or voluntary
disclosure request, a European Production or Preservation Order, an order under the Second
Additional Protocol art. 7), an order under a CLOUD Act executive agreement (18 U.S.C. 2523),
mutual legal assistance (``mla``), or, for a provider of the requesting State's own
jurisdiction, that State's own process (``domestic_process``: for a US authority and a US
provider, 18 U.S.C. 2703). The names are stable: other tools read them."""

ROUTE_KINDS: Final[Mapping[RouteName, RequestKind | None]] = {
    "emergency_disclosure": "emergency_disclosure",
    "voluntary_disclosure": "voluntary_disclosure",
    "eu_production_order": "eu_production_order",
    "eu_preservation_order": "eu_preservation_order",
    "protocol2_art7_order": "protocol2_art7_order",
    "cloud_act_agreement": "cloud_act_order",
    "mla": None,
    "domestic_process": None,
}
"""The request kind (:data:`eevidence.request.KINDS`) that writes each route; ``None`` for
mutual legal assistance, which goes through central authorities, not to the provider, and
for the domestic process, which the requesting State's own law writes."""

KIND_ROUTES: Final[tuple[RequestKind, ...]] = tuple(
    kind for kind in ROUTE_KINDS.values() if kind is not None
)
"""The request kinds that write a route, each advised on its own facts."""

NOT_ROUTES: Final[Mapping[str, str]] = {
    "preservation": "keeps the data while a route is used (each route's preparation says how "
    "to ask for it)",
    "preservation_extension": "keeps a preservation in force while a route is used",
    "mla_request": "the formal request of the mla route, sent to the requested State's central "
    "authority, not to the provider (the mla route's advice covers it)",
    "preservation_24_7": "keeps the data, through the requested State's 24/7 point of contact, "
    "while the mla route is used",
}
"""The request kinds that are no route to the data on their own, and why. Every kind of the
kinds table is in :data:`KIND_ROUTES` or here (the test suite checks it), so a new kind gets
route advice or a reason it needs none."""

Verdict = Literal["likely", "possible", "no"]
"""``likely``: the recorded facts support the route; ``possible``: it depends on something
the facts do not settle (said in ``depends_on``); ``no``: a recorded fact rules it out (said
in ``why``)."""

VERDICTS: Final[tuple[Verdict, ...]] = get_args(Verdict)


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
    """The facts behind the verdict, one sentence each; a sentence that rests on law names
    the article."""
    clock: str
    """How long the route takes, in words (e.g. ``10 days (art. 10(2)); 8 hours in an
    emergency (art. 10(4))``)."""
    prepare: tuple[str, ...]
    """What to prepare before using it, one step each."""
    sources: tuple[str, ...]
    """Provider sources (title and URL) and legal sources (title, article, URL, date read)
    the verdict rests on."""
    kind: RequestKind | None = None
    """The request kind that writes the route (:data:`ROUTE_KINDS`): ``cloud_act_order`` for
    ``cloud_act_agreement``; ``None`` for ``mla`` and ``domestic_process``."""
    depends_on: tuple[str, ...] = ()
    """What a ``possible`` verdict depends on, one unsettled fact each (empty for ``likely``
    and ``no``)."""

    def to_dict(self) -> dict[str, Any]:
        """The route as a JSON object: ``route``, ``kind``, ``verdict``, ``covers``, ``why``,
        ``depends_on``, ``clock``, ``prepare`` and ``sources`` (lists of strings where the
        attribute is a tuple; ``kind`` is null for ``mla``); what ``eevidence route --json``
        prints per route."""
        return {
            "route": self.name,
            "kind": self.kind,
            "verdict": self.verdict,
            "covers": list(self.covers),
            "why": list(self.why),
            "depends_on": list(self.depends_on),
            "clock": self.clock,
            "prepare": list(self.prepare),
            "sources": list(self.sources),
        }


def decide(
    name: RouteName,
    *,
    covers: tuple[DataCategory, ...],
    why: list[str | None],
    blockers: list[str],
    depends: list[str],
    clock: str,
    prepare: list[str | None],
    sources: list[str],
) -> Route:
    """A :class:`Route` whose verdict follows from what was found.

    ``no`` when a blocker was found or nothing is covered; else ``possible`` when something
    the facts do not settle was found (``depends``); else ``likely``. Blockers come first in
    ``why``; ``None`` entries of ``why`` and ``prepare`` are dropped, and so are repeated
    sources.
    """
    verdict: Verdict
    if blockers or not covers:
        verdict = "no"
    elif depends:
        verdict = "possible"
    else:
        verdict = "likely"
    return Route(
        name,
        verdict,
        covers if verdict != "no" else (),
        tuple(dict.fromkeys([*blockers, *(w for w in why if w)])),
        clock,
        tuple(p for p in prepare if p),
        tuple(dict.fromkeys(sources)),
        ROUTE_KINDS[name],
        tuple(dict.fromkeys(depends)) if verdict == "possible" else (),
    )
