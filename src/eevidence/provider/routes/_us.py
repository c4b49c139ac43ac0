"""Routes a provider answers on its own, bounded by the law it is subject to, and the CLOUD Act
agreement route.

A statute bounds what any profile can claim: a provider subject to US law (headquarters
``US``) may not divulge content to a foreign authority (18 U.S.C. 2702(a)(1), (2)) except in
an emergency (2702(b)(8)) or under an order of a CLOUD Act agreement (2702(b)(9)); records
other than content it may disclose to anyone other than a US governmental entity
(2702(c)(6), 2711(4)), so there the profile decides.
"""

from __future__ import annotations

from eevidence.provider.routes._domestic import cross_border_blocker
from eevidence.provider.routes._facts import (
    Situation,
    cite_first,
    criminal_channels,
    preservation_steps,
    provider_sources,
)
from eevidence.provider.routes._route import Route, decide
from eevidence.request import DataCategory, RequestKind

__all__ = ["cloud_act_route", "emergency_route", "voluntary_route"]

_CLAIMS = {
    "voluntary": "disclosed on a direct request",
    "domestic_process": "disclosed on legal process of the requesting country",
}


def _exceptions(s: Situation) -> str:
    return (
        f"except in an emergency ({s.usc2702.content_emergency_ref}) or on an order under a "
        f"CLOUD Act agreement ({s.usc2702.content_agreement_ref})"
    )


def _content_bar(s: Situation) -> str:
    return (
        "18 U.S.C. 2702(a)(1), (2) bar a provider subject to US law from divulging content to a "
        f"foreign authority {_exceptions(s)}"
    )


def emergency_route(s: Situation) -> Route:
    """Emergency disclosure: what the provider gives foreign authorities in an emergency.

    Covers the categories of the provider's emergency scope for foreign authorities
    (:meth:`ProviderProfile.emergency_categories`) when recorded, unless the provider is of
    the requesting State's own jurisdiction (:attr:`Situation.domestic`), where that scope
    does not apply; for a US provider 18 U.S.C. 2702(b)(8) (content) and 2702(c)(4)
    (records) allow disclosure when the provider believes in good faith that an emergency
    involving danger of death or serious physical injury requires it without delay. The
    channels shown never include one serving the Digital Services Act only.
    """
    p = s.provider
    accepted = p.accepts_kind("emergency_disclosure")
    scope = None if s.domestic else p.emergency_categories()
    criteria = p.value(p.emergency.criteria)
    channels = ", ".join(c.name for c in criminal_channels(p, "emergency_disclosure"))
    why: list[str | None] = [
        f"{s.name} takes emergency requests" if accepted else None,
        f"criteria: {criteria}" if criteria else None,
        f"channel: {channels}" if channels else "no channel for emergency requests is recorded",
    ]
    blockers: list[str] = []
    depends: list[str] = []
    sources = provider_sources(
        p, (*p.request_kinds["emergency_disclosure"].sources, *p.emergency.criteria.sources)
    )
    if accepted is False:
        blockers.append(f"{s.name} states it does not take emergency requests")
    elif accepted is None:
        depends.append(f"whether {s.name} takes emergency requests from foreign authorities")
    covers: tuple[DataCategory, ...] = s.obtainable
    if scope is not None:
        covers = tuple(c for c in s.obtainable if c in scope)
        left = [c for c in s.obtainable if c not in scope]
        why.append(
            f"{s.name} discloses to authorities outside its home country in an emergency: "
            f"{', '.join(scope)}" + (f"; not {', '.join(left)}" if left else "")
        )
        sources += provider_sources(p, p.emergency.foreign_categories.sources)
        if not covers:
            blockers.append(
                f"{s.name}'s emergency disclosures to foreign authorities do not include "
                f"{', '.join(s.obtainable) or 'the data asked'}"
            )
    elif s.obtainable and not s.domestic:
        depends.append(
            f"which data {s.name} discloses to foreign authorities in an emergency (not recorded)"
        )
    if s.domestic and p.emergency_categories() is not None:
        why.append(
            f"{s.at_home()}: the limits {s.name} states for authorities outside its home "
            "country do not apply"
        )
    if s.us:
        b8, c4 = s.usc2702.content_emergency_ref, s.usc2702.records_emergency_ref
        to = " to a governmental entity (18 U.S.C. 2711(4))" if s.us_requester else ""
        why.append(
            f"US law lets {s.name} disclose content ({b8}) and records ({c4}){to} when it "
            "believes in good faith that an emergency involving danger of death or serious "
            "physical injury requires disclosure without delay; the provider decides"
        )
        sources += s.us_sources(b8, c4)
    elif s.hq is None:
        why.append(
            f"{s.hq_unknown}: if {s.name} is subject to US law, "
            f"{s.usc2702.content_emergency_ref} (content) and "
            f"{s.usc2702.records_emergency_ref} (records) govern its emergency disclosures"
        )
    why.append(s.gone())
    return decide(
        "emergency_disclosure",
        covers=covers,
        why=why,
        blockers=blockers,
        depends=depends,
        clock="hours",
        prepare=[
            "the nature of the threat and why disclosure without delay averts it",
            "who is at risk and how imminent the harm is",
            "a 24/7 contact who can answer the provider at once",
            required_step(s, "emergency_disclosure"),
        ],
        sources=sources,
    )


def voluntary_route(s: Situation) -> Route:
    """A direct request, answered on the provider's own terms within the law it is subject to.

    The profile's foreign-access fact decides each category, except that a provider subject to
    US law never discloses content on it (18 U.S.C. 2702(a), (b)): the reason names the
    profile's statement that the statute overrules. With the headquarters unknown, content the
    profile says is disclosed depends on it. For a provider of the requesting State's own
    jurisdiction the foreign-access facts do not apply: a US governmental entity gets nothing
    from a US provider on a voluntary request (2702(a)(1) to (3); it uses 2703 process), and
    elsewhere the national law decides.
    """
    if s.domestic:
        return _voluntary_at_home(s)
    p = s.provider
    direct: list[DataCategory] = []
    with_process: list[DataCategory] = []
    pending: list[DataCategory] = []
    why: list[str | None] = []
    blockers: list[str] = []
    depends: list[str] = []
    sources = provider_sources(p, (i for c in s.wanted for i in p.foreign_access[c].sources))
    blocked: list[DataCategory] = []
    unknown: list[DataCategory] = []
    ruled_out: list[str] = []
    for c in s.obtainable:
        claim = p.foreign_route(c)
        if c == "content" and s.us:
            said = _CLAIMS.get(claim or "")
            ruled_out.append(
                _content_bar(s)
                + (
                    f": the profile's statement that content is {said} does not open it"
                    if said
                    else ""
                )
            )
            sources += s.us_sources(
                "18 U.S.C. 2702(a)",
                s.usc2702.content_emergency_ref,
                s.usc2702.content_agreement_ref,
            )
            blocked.append(c)
        elif c == "content" and s.hq is None and claim in _CLAIMS:
            pending.append(c)
            depends.append(
                f"{s.hq_unknown}: the profile says content is "
                f"{_CLAIMS[claim or '']}, but if {s.name} is subject to US law, 18 U.S.C. "
                f"2702(a)(1), (2) bar content to a foreign authority {_exceptions(s)}"
            )
            sources += s.us_sources(
                "18 U.S.C. 2702(a)",
                s.usc2702.content_emergency_ref,
                s.usc2702.content_agreement_ref,
            )
        elif claim == "voluntary":
            direct.append(c)
        elif claim == "domestic_process":
            with_process.append(c)
        elif claim is None:
            unknown.append(c)
        else:
            blocked.append(c)
    if direct:
        why.append(f"disclosed on request: {', '.join(direct)}")
    if with_process:
        why.append(
            f"disclosed on legal process of the requesting country: {', '.join(with_process)}"
        )
        depends.append(
            f"a court order or equivalent of {s.country} that {s.name} accepts "
            f"(for {', '.join(with_process)})"
        )
    other = [c for c in blocked if not (c == "content" and s.us)]
    if other:
        ruled_out.append(
            f"{s.name} states it does not disclose on a direct request, only on mutual legal "
            f"assistance or an order that binds it in its own country: {', '.join(other)}"
        )
    if unknown:
        depends.append(f"what {s.name} needs to disclose {', '.join(unknown)} (not recorded)")
    records = [c for c in (*direct, *with_process, *unknown) if c != "content"]
    if s.us and records:
        c6 = s.usc2702.records_ref
        why.append(
            f"records other than content may go to a foreign authority, which is no US "
            f"'governmental entity' ({c6}; 18 U.S.C. 2711(4)): {s.name}'s policy decides"
        )
        sources += s.us_sources(c6, "18 U.S.C. 2711(4)")
    covers = (*direct, *with_process, *pending, *unknown)
    if covers:
        why += ruled_out
    else:
        blockers += ruled_out or [f"none of the data asked can be produced by {s.name}"]
    why.append(s.gone())
    steps, pres_sources = preservation_steps(s)
    return decide(
        "voluntary_disclosure",
        covers=tuple(c for c in s.obtainable if c in covers),
        why=why,
        blockers=blockers,
        depends=depends,
        clock="provider-dependent (days to weeks)",
        prepare=[
            *steps,
            f"a court order or equivalent of {s.country}" if with_process else None,
            required_step(s, "voluntary_disclosure"),
        ],
        sources=[*sources, *pres_sources],
    )


def required_step(s: Situation, kind: RequestKind) -> str:
    """What to prepare for the provider's required elements: the profile's own list for the
    kind (:meth:`ProviderProfile.required_for`), or a sentence saying it is not recorded."""
    p = s.provider
    required = p.required_for(kind)
    if not required:
        return f"the elements {s.name} requires of a valid request (not recorded)"
    return f"the elements {s.name} requires: " + ", ".join(
        e.replace("_", " ") for e in sorted(required)
    )


def _voluntary_at_home(s: Situation) -> Route:
    why: list[str | None] = []
    blockers: list[str] = []
    depends: list[str] = []
    sources: list[str] = []
    if s.us and s.us_requester:
        blockers.append(
            f"{s.at_home()}: US law bars {s.name} from disclosing records to a governmental "
            "entity (18 U.S.C. 2702(a)(3)) and content to anyone (2702(a)(1), (2)) on a "
            "voluntary request, outside the exceptions of 2702(b) and (c) (an emergency, "
            "2702(b)(8), (c)(4)); use 18 U.S.C. 2703 process (route domestic_process)"
        )
        sources += [
            s.law.cite("18-usc-2702", "18 U.S.C. 2702(a), (b)(8), (c)(4)"),
            s.law.cite("18-usc-2703"),
        ]
    else:
        why.append(s.at_home())
        depends.append(
            f"what {s.name} discloses on a request of an authority of its own country "
            f"(the profile records what foreign authorities need), and the national law of "
            f"{s.country}"
        )
    why.append(s.gone())
    steps, pres_sources = preservation_steps(s)
    return decide(
        "voluntary_disclosure",
        covers=s.obtainable,
        why=why,
        blockers=blockers,
        depends=depends,
        clock="provider-dependent (days to weeks)",
        prepare=[*steps, required_step(s, "voluntary_disclosure")],
        sources=[*sources, *pres_sources],
    )


def cloud_act_route(s: Situation) -> Route:
    """An order under a CLOUD Act executive agreement (18 U.S.C. 2523), request kind
    ``cloud_act_order``.

    ``likely`` for a US provider when an agreement between the requesting State and the United
    States is in force on the day; ``no`` when none is, or the provider is not a US provider
    (the agreement lifts the bar of US law, 2702(b)(9)); ``possible`` when the headquarters is
    not recorded.
    """
    law = s.law
    p = s.provider
    agreement = law.cloud_act_agreement(s.country, on=s.today)
    signed = law.cloud_act_agreement(s.country)
    why: list[str | None] = []
    blockers: list[str] = []
    depends: list[str] = []
    sources: list[str] = []
    b9 = s.usc2702.content_agreement_ref
    if s.domestic:
        blockers.append(
            cross_border_blocker(
                s,
                "an order under a CLOUD Act agreement",
                "18 U.S.C. 2523(b): a foreign government's order",
            )
        )
    elif s.us_requester:
        blockers.append(
            "a US authority uses US process (18 U.S.C. 2703); CLOUD Act agreements serve the "
            "other State (18 U.S.C. 2523)"
        )
    elif agreement is None:
        if signed is not None:
            blockers.append(
                f"the {signed.title} was signed on {signed.signed.isoformat()} and is in force "
                f"only from {signed.in_force.isoformat()}"
            )
            sources += [law.cite(i) for i in signed.sources]
        else:
            blockers.append(
                f"no CLOUD Act agreement (18 U.S.C. 2523) between {s.country} and the United "
                f"States is in force on {s.today.isoformat()}"
            )
        sources.append(law.cite(law.us_18_usc_2523_source))
    else:
        a = agreement
        why += [
            f"the {a.title} is in force since {a.in_force.isoformat()} (signed "
            f"{a.signed.isoformat()}; 18 U.S.C. 2523)",
            f"the order is {a.partner_order}, written as a cloud_act_order request",
            f"only for serious crime: an offence punishable by at least "
            f"{a.serious_crime_min_penalty_years.value} years "
            f"(the agreement, {a.serious_crime_min_penalty_years.ref})",
            f"it may not intentionally target a United States person or a person in the "
            f"United States (the agreement, {a.targeting_ref})",
        ]
        sources += cite_first(
            law, a.sources, (a.serious_crime_min_penalty_years.ref, a.targeting_ref)
        )
        if s.us:
            why.append(
                f"{s.name} is headquartered in the United States: US law lets it answer such "
                f"an order with content ({b9}) and records"
            )
            sources += s.us_sources(b9)
        elif s.hq is None:
            depends.append(
                f"whether {s.name} is subject to US jurisdiction ({s.hq_unknown}): the "
                f"agreement covers providers subject to US law ({b9})"
            )
        else:
            blockers.append(
                f"{s.name} is headquartered in {s.hq}, not in the United States: the agreement "
                f"lifts the bar of US law ({b9}) and binds no provider outside it"
            )
        accepted = p.accepts_kind("cloud_act_order")
        if accepted is False:
            blockers.append(f"{s.name} states it does not take orders under the agreement")
        elif accepted:
            why.append(f"{s.name} states it takes orders under the agreement")
        else:
            why.append(f"how {s.name} receives orders under the agreement is not recorded")
        sources += provider_sources(p, p.request_kinds["cloud_act_order"].sources)
    why.append(s.gone())
    steps, pres_sources = preservation_steps(s)
    return decide(
        "cloud_act_agreement",
        covers=s.obtainable,
        why=why,
        blockers=blockers,
        depends=depends,
        clock="set by the order under the agreement",
        prepare=[
            *steps,
            f"{agreement.partner_order}, issued by your designated authority"
            if agreement
            else "an order under the agreement, issued by your designated authority",
            "the statement that the order does not target a United States person or a person "
            "in the United States",
        ],
        sources=[*sources, *pres_sources],
    )
