"""The route of an authority asking a provider of its own jurisdiction: its own process.

When the provider is headquartered in the requesting State (or both are within the United
States and its territories, 18 U.S.C. 2510(3), 2711(1), (4)), no cross-border instrument
serves the request: mutual legal assistance, CLOUD Act agreements, EU orders and the Second
Protocol all bind a provider in *another* State. A US governmental entity obtains data from
a US provider under 18 U.S.C. 2703: a warrant for content (2703(a), (b)(1)(A)) and records
(2703(c)(1)(A)), a court order under 2703(d) for records (and, with notice, content,
2703(b)(1)(B)), a subpoena for basic subscriber information (2703(c)(2)); it preserves
under 2703(f). Another State's authority uses its own national law, which this tool does not
record.
"""

from __future__ import annotations

from eevidence.provider.routes._facts import Situation, cite_first, preservation_steps
from eevidence.provider.routes._route import Route, decide

__all__ = ["cross_border_blocker", "domestic_route"]


def cross_border_blocker(s: Situation, route: str, ref: str) -> str:
    """The sentence ruling a cross-border ``route`` out for a request at home, citing ``ref``
    (the article that makes it cross-border)."""
    return (
        f"{s.at_home()}: {route} serves a request to a provider in another State ({ref}); "
        "use the domestic process (route domestic_process)"
    )


def domestic_route(s: Situation) -> Route:
    """The requesting State's own process against a provider of its jurisdiction (only when
    :attr:`Situation.domestic`).

    ``likely`` for a US governmental entity and a US provider (18 U.S.C. 2703 names the
    process for each category); ``possible`` elsewhere, depending on the national law, which
    is not recorded.
    """
    law = s.law
    why: list[str | None] = [s.at_home()]
    depends: list[str] = []
    sources: list[str] = []
    prepare: list[str | None] = []
    if s.us and s.us_requester:
        content = "content" in s.obtainable
        records = [c for c in s.obtainable if c != "content"]
        if content:
            why.append(
                "content: a warrant (18 U.S.C. 2703(a), (b)(1)(A)), or with prior notice to "
                "the subscriber a court order under 2703(d) or an administrative, grand jury or "
                "trial subpoena (2703(b)(1)(B))"
            )
        if records:
            why.append(
                f"{', '.join(records)}: a warrant (2703(c)(1)(A)) or a court order under "
                "2703(d) (specific and articulable facts, 2703(d)); basic subscriber "
                "information (name, address, session times, IP addresses, means of payment) "
                "also on a subpoena (2703(c)(2))"
            )
        why.append(
            "voluntary disclosure to a governmental entity is barred outside the exceptions "
            "of 18 U.S.C. 2702(b) and (c) (2702(a)(3): records; 2702(a)(1), (2): content)"
        )
        sources += [
            law.cite("18-usc-2703", "18 U.S.C. 2703(a), (b), (c), (d)"),
            law.cite("18-usc-2702", "18 U.S.C. 2702(a)"),
            *cite_first(law, law.us_governmental.sources, (law.us_governmental.ref,)),
        ]
        prepare.append(
            "the process 18 U.S.C. 2703 requires for the data: a warrant, a 2703(d) order or a "
            "subpoena"
        )
        clock = "set by the process and the provider's practice"
    else:
        depends.append(
            f"the national law of {s.country} on obtaining data from a provider in its "
            "jurisdiction (not recorded here)"
        )
        prepare.append(f"the order or request {s.country}'s national law provides")
        clock = "set by national law"
    why.append(s.gone())
    steps, pres_sources = preservation_steps(s)
    return decide(
        "domestic_process",
        covers=s.obtainable,
        why=why,
        blockers=[] if s.obtainable else ["none of the data asked can be produced"],
        depends=depends,
        clock=clock,
        prepare=[*steps, *prepare],
        sources=[*sources, *pres_sources],
    )
