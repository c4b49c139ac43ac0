"""Routes that rest on a treaty between States: an order under art. 7 of the Second Additional
Protocol to the Convention on Cybercrime (CETS 224), and mutual legal assistance.

Whether the Protocol applies between the requesting State and the provider's State on the day
is the legal facts' answer (:meth:`LawFacts.treaty_status`): ``no`` while the Protocol is not
in force, when a State is not a Party or excluded art. 7 by reservation; ``unknown`` when the
recorded chart does not settle it.
"""

from __future__ import annotations

from eevidence.provider.routes._domestic import cross_border_blocker
from eevidence.provider.routes._facts import Situation, cite_first, preservation_steps
from eevidence.provider.routes._route import Route, decide

__all__ = ["art7_route", "mla_route"]


def art7_route(s: Situation) -> Route:
    """A direct order for subscriber information under CETS 224 art. 7 (only when subscriber
    data is wanted and obtainable).

    ``likely`` when art. 7 applies between the requesting State and the provider's State on
    the day, ``no`` when it does not, ``possible`` when the chart read does not say or the
    provider's headquarters is not recorded.
    """
    law = s.law
    states = (s.country, s.hq) if s.hq else (s.country,)
    status = law.treaty_status("cets-224", states, s.today, article="7")
    blockers: list[str] = []
    depends: list[str] = []
    why: list[str | None] = ["subscriber information only (art. 7(1))"]
    if s.domestic:
        blockers.append(
            cross_border_blocker(
                s,
                "an order under the Second Protocol",
                "art. 7(1): a provider in the territory of another Party",
            )
        )
    elif status.applies == "no":
        blockers += status.why
    elif status.applies == "unknown":
        depends += status.why
    else:
        why += status.why
    if s.hq is None and status.applies != "no" and not s.domestic:
        depends.append(
            f"{s.hq_unknown}: art. 7 binds a provider in the territory of another Party (art. 7(1))"
        )
    return decide(
        "protocol2_art7_order",
        covers=("subscriber",),
        why=why,
        blockers=blockers,
        depends=depends,
        clock="the time the order sets, under the law of the provider's State (art. 7(4))",
        prepare=[
            "an order under art. 7 with the information of art. 7(3) and the supplemental "
            "information of art. 7(4)",
            "the notification of, or consultation with, the provider's State where it requires "
            "one (art. 7(5))",
        ],
        sources=[*status.sources, *cite_first(law, law.treaties["cets-224"].sources, ("art. 7",))],
    )


def mla_route(s: Situation) -> Route:
    """Mutual legal assistance through central authorities: slow, but open to every category
    the provider can produce; ``possible``, since it turns on a treaty (or comity) and on the
    requested State's decision."""
    law = s.law
    why: list[str | None] = [
        "mutual legal assistance through central authorities (a bilateral treaty, UNTOC art. 18 "
        "for organised crime, Budapest Convention art. 31 between its Parties): the route for "
        "content when no other applies"
    ]
    sources: list[str] = []
    depends: list[str] = []
    blockers: list[str] = []
    if s.domestic:
        blockers.append(
            cross_border_blocker(
                s, "mutual legal assistance", "Budapest Convention art. 25(1): between Parties"
            )
        )
    elif s.hq:
        budapest = law.treaty_status("cets-185", (s.country, s.hq), s.today)
        if budapest.applies == "yes":
            why.append(f"the Budapest Convention applies: {'; '.join(budapest.why)} (art. 31)")
            sources += cite_first(law, law.treaties["cets-185"].sources, ("art. 31",))
        depends.append(
            f"a treaty or comity between {s.country} and {s.hq}, and the decision of the central "
            f"authority of {s.hq}"
        )
    else:
        depends.append(
            f"the State the request goes to ({s.hq_unknown}), a treaty or comity with it, and "
            "its central authority's decision"
        )
    why.append(s.gone())
    steps, pres_sources = preservation_steps(s)
    return decide(
        "mla",
        covers=s.obtainable,
        why=why,
        blockers=blockers or ([] if s.obtainable else ["none of the data asked can be produced"]),
        depends=depends,
        clock="months",
        prepare=[
            *steps,
            "the MLA request through your central authority, translated as the treaty requires",
        ],
        sources=[*sources, *pres_sources],
    )
