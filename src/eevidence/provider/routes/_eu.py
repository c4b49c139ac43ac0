"""European Production and Preservation Orders (Regulation (EU) 2023/1543).

An order goes to the provider's designated establishment or legal representative
(Directive (EU) 2023/1544 art. 3; Regulation art. 7(1)) in another Member State bound by the
Regulation (art. 3(1), (2)), never to its GDPR or Digital Services Act establishment. It
can be issued only by a Member State bound by the Regulation, from its date of application
(art. 34(2)). Traffic data (other than for identifying the user) and content need an offence
punishable by at least 3 years or a listed offence (art. 5(4)), an issuing judge or court
(art. 4(2)) and notification of the enforcing State (art. 8(1)) unless art. 8(2) applies.
"""

from __future__ import annotations

from eevidence.provider.routes._facts import Situation, cite_first, provider_sources
from eevidence.provider.routes._route import Route, decide

__all__ = ["eu_routes"]

_HEAVY = ("traffic", "content")
"""Categories art. 5(4) and 8(1) reach: traffic data other than for identifying the user
(``user_identification`` is that data) and content."""


_PRESERVATION_ANY = (
    "for any criminal offence (art. 6(3)); issued by a judge, court, investigating judge or "
    "public prosecutor, or validated by one (art. 4(3))"
)


def eu_routes(s: Situation) -> tuple[Route, Route]:
    """The European Production Order (EPOC) and European Preservation Order (EPOC-PR) routes.

    ``no`` when the requesting State is not bound by the Regulation, before its date of
    application (art. 34(2)), or when the designated addressee is in the requesting State
    itself (an order goes to another Member State, art. 3(1), (2)); ``likely`` when the
    provider's designated addressee (Directive (EU) 2023/1544) is recorded; ``possible``
    otherwise, saying so.
    """
    law = s.law
    p = s.provider
    eu = law.eu_regulation_2023_1543
    refs: list[str] = ["art. 1(1)", eu.applies_from_ref, eu.addressee_ref]
    blockers: list[str] = []
    depends: list[str] = []
    why: list[str | None] = []
    if not law.eu_bound(s.country):
        blockers.append(
            f"{s.country} is not a Member State bound by Regulation (EU) 2023/1543 (art. 1(1))"
        )
    else:
        why.append(f"{s.country} is a Member State bound by Regulation (EU) 2023/1543 (art. 1(1))")
    if s.today < eu.applies_from:
        blockers.append(
            f"the Regulation applies from {eu.applies_from.isoformat()} ({eu.applies_from_ref})"
        )
    addressee = p.designated_addressee()
    provider_ids: list[str] = list(p.eu_designated_addressee.sources)
    if addressee is not None:
        where = f" ({addressee.country})" if addressee.country else ""
        why.append(
            f"addressed to {addressee.name}{where}, {s.name}'s designated establishment or "
            f"legal representative (Directive (EU) 2023/1544 art. 3; {eu.addressee_ref})"
        )
        if addressee.country == s.country:
            blockers.append(
                f"{addressee.name} is in {s.country} itself: an order under the Regulation "
                f"goes to an addressee in another Member State (art. 3(1), (2)); use a "
                "national order"
            )
            refs.append("art. 3(1), (2)")
    else:
        establishment = p.value(p.eu_establishment)
        depends.append(
            f"{s.name}'s designated establishment or legal representative (Directive (EU) "
            f"2023/1544 art. 3), to which the order is addressed ({eu.addressee_ref}), is not "
            "recorded"
            + (
                f"; {establishment.name} is its establishment for the GDPR or the Digital "
                "Services Act, not the addressee of an order"
                if establishment
                else ""
            )
        )
    shared_why = [*why]
    heavy = [c for c in s.obtainable if c in _HEAVY]
    light = [c for c in s.obtainable if c not in _HEAVY]
    threshold = eu.heavy_data_min_penalty_years
    listed = ", ".join(o.replace("_", " ") for o in eu.heavy_data_listed_offences)
    production_why = [*shared_why]
    if light and not blockers:
        production_why.append(
            f"{', '.join(light)}: for any criminal offence (art. 5(3)); issued by a judge, "
            "court, investigating judge or public prosecutor, or validated by one (art. 4(1))"
        )
        refs += ["art. 5(3)", "art. 4(1)"]
    if heavy and not blockers:
        production_why += [
            f"{', '.join(heavy)}: only for an offence punishable in {s.country} by a custodial "
            f"sentence of a maximum of at least {threshold.value} years ({threshold.ref}) or an "
            f"offence listed in {eu.heavy_data_listed_ref} ({listed}); issued by a judge, court "
            "or investigating judge, or validated by one (art. 4(2))",
            f"{', '.join(heavy)}: the issuing authority notifies the enforcing authority "
            f"({eu.notification_ref}), unless the offence was committed, is being committed or "
            f"is likely to be committed in {s.country} and the person whose data are sought "
            f"resides there ({eu.notification_exception_ref})",
        ]
        refs += [
            threshold.ref,
            eu.heavy_data_listed_ref,
            "art. 4(2)",
            eu.notification_ref,
            eu.notification_exception_ref,
        ]
    gone = s.gone()
    languages = p.value(p.eu_order_languages)
    language_step = (
        f"the certificate in an official language of the Union {s.name} accepts "
        f"({', '.join(languages)}) or of the Member State where the addressee is "
        f"({eu.language_ref})"
        if languages
        else "the certificate in an official language of the Member State where the addressee "
        f"is, or one the addressee declared it accepts ({eu.language_ref}; the languages "
        f"{s.name} accepts are not recorded)"
    )
    refs.append(eu.language_ref)
    provider_ids += p.eu_order_languages.sources
    production_refs = [*refs, eu.production.ref, eu.emergency_production.ref]
    production = decide(
        "eu_production_order",
        covers=s.obtainable,
        why=[*production_why, gone],
        blockers=blockers,
        depends=depends,
        clock=f"{eu.production} ({eu.production.ref}); {eu.emergency_production} in an "
        f"emergency ({eu.emergency_production.ref})",
        prepare=[
            "the EPOC certificate (Annex I), signed by the issuing authority",
            "validation by a judge or court (art. 4(2))"
            if heavy
            else "validation by a judge, court, investigating judge or public prosecutor where "
            "another authority issues it (art. 4(1))",
            "grounds for the art. 8(2) exception, or the notification of the enforcing authority "
            f"({eu.notification_ref})"
            if heavy
            else None,
            language_step,
        ],
        sources=[
            *cite_first(law, eu.sources, production_refs),
            *provider_sources(p, provider_ids),
        ],
    )
    preservation_refs = [*refs, "art. 4(3)", "art. 6(3)", eu.preservation.ref]
    preservation = decide(
        "eu_preservation_order",
        covers=s.obtainable,
        why=[
            *shared_why,
            None if blockers else _PRESERVATION_ANY,
            gone,
        ],
        blockers=blockers,
        depends=depends,
        clock=f"{eu.preservation} ({eu.preservation.ref}), extendable by "
        f"{eu.preservation_extension} ({eu.preservation_extension.ref})",
        prepare=[
            "the EPOC-PR certificate (Annex II)",
            f"the request for production that will follow, confirmed to the addressee within "
            f"{eu.preservation} (Annex V), or an extension by {eu.preservation_extension} "
            f"(Annex VI; {eu.preservation.ref})",
            language_step,
        ],
        sources=[
            *cite_first(law, eu.sources, preservation_refs),
            *provider_sources(p, provider_ids),
        ],
    )
    return production, preservation
