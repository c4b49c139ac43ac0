"""Checker rules of United States law and of the provider's routes and preservation terms.

18 U.S.C. 2702 bounds what a US provider may disclose to a foreign authority whatever its
policy says (content only in an emergency, 2702(b)(8), or under a CLOUD Act agreement,
2702(b)(9)); 18 U.S.C. 2703(f) serves US governmental entities only (2711(4)); an order
under a CLOUD Act agreement (18 U.S.C. 2523) needs the agreement in force, a US provider, a
Serious Crime and the partner State's designated authority. The provider's own routes,
emergency scope and preservation terms are read from its profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from eevidence.provider._law import CloudActAgreement
from eevidence.provider.checker._ctx import Ctx, number, text_field
from eevidence.request import Request, is_emergency, kind_spec


def _cloud_act_or_mla(ctx: Ctx) -> str:
    """How to obtain what a voluntary request cannot: the CLOUD Act order when the
    requesting State's agreement is in force on the request's date, else MLA."""
    agreement = ctx.law.cloud_act_agreement(ctx.request.authority.country, on=ctx.request_date)
    if agreement is None:
        return "a mutual legal assistance request"
    return (
        f"an order under the {agreement.title} (request kind `cloud_act_order`: "
        f"{agreement.partner_order}) or a mutual legal assistance request"
    )


def data_route(ctx: Ctx, now: datetime) -> None:
    """What a disclosure outside the EU orders needs for each category: the provider's
    foreign-access facts, bounded by 18 U.S.C. 2702 for content held by a US provider."""
    req = ctx.request
    spec = kind_spec(req.kind)
    if spec.family != "disclosure" or spec.eu_order:
        # EU orders reach the data under Reg. (EU) 2023/1543, not the provider's policy.
        return
    # A voluntary request: neither an order nor an emergency; the provider's policy decides,
    # within what the statute of the provider's country allows.
    voluntary = not spec.order and spec.emergency == "never"
    us_provider = ctx.law.is_us_governmental(ctx.headquarters)
    statute = ctx.law.us_18_usc_2702
    if ctx.law.same_jurisdiction(req.authority.country, ctx.headquarters):
        # the profile's foreign-access facts are for foreign authorities; at home a US
        # governmental entity uses 2703 process (2702(a)(3): no records on a voluntary
        # request), another State its own law
        if voluntary and us_provider:
            _at_home_us(ctx)
        return
    for j, category in enumerate(req.data.categories):
        fact = ctx.profile.foreign_access[category]
        route = ctx.profile.foreign_route(category)
        path = f"$.data.categories[{j}]"
        source = ctx.fact_source(fact, f"foreign access/{category}")
        barred = voluntary and us_provider and category == "content"
        if route == "not_available":
            ctx.add(
                "EE121",
                path,
                f"{ctx.profile.name} states it cannot produce {category} data",
                "Remove this category; look for the data elsewhere (device, other providers).",
                source,
            )
        elif barred:
            ctx.add(
                "EE121",
                path,
                f"{ctx.profile.name} is a US provider: 18 U.S.C. 2702(a) bars it from "
                "disclosing content to a foreign authority on a voluntary request, whatever "
                "its policy says; only an emergency (2702(b)(8)) or an order under a CLOUD Act "
                "agreement (2702(b)(9)) lifts the bar",
                f"Preserve now and ask for it through {_cloud_act_or_mla(ctx)}; an emergency "
                "request is the only direct route when a life is at risk.",
                ctx.fact_source(ctx.profile.headquarters, "headquarters")
                + "; "
                + ctx.cite(
                    statute.sources, statute.content_emergency_ref, statute.content_agreement_ref
                ),
            )
        elif route == "mla_or_cloud_act" and voluntary:
            ctx.add(
                "EE121",
                path,
                f"{ctx.profile.name} does not disclose {category} data to a foreign authority "
                "on a voluntary request",
                f"Preserve now and ask for it through {_cloud_act_or_mla(ctx)}; an emergency "
                "request is the only direct route when a life is at risk.",
                source + "; " + ctx.law_source(*statute.sources),
            )
        elif route == "domestic_process" and voluntary:
            if not any(a.kind in ("court_order", "warrant") for a in req.attachments):
                ctx.add(
                    "EE122",
                    path,
                    f"{ctx.profile.name} discloses {category} data on legal process valid in "
                    "the requesting country; none is attached",
                    "Attach the court order or equivalent process (attachment kind "
                    "'court_order' or 'warrant').",
                    source,
                )
        elif route is None and voluntary:
            ctx.add(
                "EE123",
                path,
                f"what {ctx.profile.name} needs to disclose {category} data to a foreign "
                "authority is unknown",
                "Check the provider's guidelines; be ready to use MLA.",
                source,
            )


def _at_home_us(ctx: Ctx) -> None:
    """A voluntary request of a US governmental entity to a US provider (18 U.S.C. 2711(4),
    2510(3)): 2702(a) bars content to anyone and records to a governmental entity outside
    the exceptions of 2702(b), (c); the entity uses 2703 process."""
    law = ctx.law
    for j, category in enumerate(ctx.request.data.categories):
        bar = "2702(a)(1), (2)" if category == "content" else "2702(a)(3)"
        ctx.add(
            "EE121",
            f"$.data.categories[{j}]",
            f"{ctx.profile.name} is a US provider and the requesting authority a US "
            f"governmental entity: 18 U.S.C. {bar} bars disclosing {category} data to it on "
            "a voluntary request, outside an emergency (2702(b)(8), (c)(4))",
            "Use 18 U.S.C. 2703 process: a warrant, a court order under 2703(d), or a "
            "subpoena for basic subscriber information (2703(c)(2)); preserve meanwhile under "
            "2703(f).",
            "; ".join(
                (
                    law.cite("18-usc-2702", f"18 U.S.C. {bar}"),
                    law.cite("18-usc-2703", "18 U.S.C. 2703(a) to (d), (f)"),
                    ctx.cite(law.us_governmental.sources, law.us_governmental.ref),
                )
            ),
        )


def emergency_scope(ctx: Ctx, now: datetime) -> None:
    """An emergency request (not an EU order) of a foreign authority asks only for the
    categories the provider says it discloses in an emergency to authorities outside its
    headquarters country; an authority of the provider's own jurisdiction
    (:meth:`LawFacts.same_jurisdiction`: the same State, or the United States and its
    territories) is not outside it. Route advice applies the same rule."""
    req = ctx.request
    if kind_spec(req.kind).eu_order or not is_emergency(req):
        return
    allowed = ctx.profile.emergency_categories()
    hq = ctx.headquarters
    if allowed is None or hq is None or ctx.law.same_jurisdiction(req.authority.country, hq):
        return
    fact = ctx.profile.emergency.foreign_categories
    for j, category in enumerate(req.data.categories):
        if category not in allowed:
            ctx.add(
                "EE133",
                f"$.data.categories[{j}]",
                f"{ctx.profile.name} states it discloses only {', '.join(allowed)} data in an "
                f"emergency to authorities outside {hq}; {category} is not among them",
                "Remove this category from the emergency request; preserve it and ask for it "
                f"through {_cloud_act_or_mla(ctx)}.",
                ctx.fact_source(fact, "emergency disclosure to foreign authorities"),
            )


def us_preservation_requester(ctx: Ctx, now: datetime) -> None:
    """18 U.S.C. 2703(f) is for a US governmental entity (2711(4)): a foreign authority
    cannot rest a request on it."""
    req = ctx.request
    if ctx.law.is_us_governmental(req.authority.country):
        return
    us = ctx.law.us_18_usc_2703f
    budapest = ctx.law.budapest_art29
    for i, basis in enumerate(req.legal_basis):
        if basis.instrument != "us_18_usc_2703f":
            continue
        ctx.add(
            "EE145",
            f"$.legal_basis[{i}]",
            f"18 U.S.C. 2703(f) obliges a provider to preserve only at the request of a US "
            f"governmental entity ({us.requesters_ref}); an authority of "
            f"{req.authority.country} is none",
            "Rest the request on Budapest art. 29 through the 24/7 network, on the provider's "
            "own policy, or ask US authorities to request preservation on your behalf.",
            "; ".join(
                (
                    ctx.cite(us.sources, us.requesters_ref),
                    *(
                        ctx.law.cite(i)
                        for i in us.sources
                        if i not in ctx.cite_ids(us.sources, us.requesters_ref)
                    ),
                    ctx.law_source(*budapest.sources),
                )
            ),
        )


def preservation(ctx: Ctx, now: datetime) -> None:
    """The period asked against the provider's terms for the requester's country, else the
    statute for a US requester (18 U.S.C. 2703(f)(2)); extensions against the terms."""
    req = ctx.request
    terms = ctx.profile.preservation_terms(req.authority.country)
    us = ctx.law.us_18_usc_2703f
    days = number(req, "preservation_days")
    if days is not None:
        limit, source = (
            terms.initial_days,
            ctx.fact_source(ctx.profile.preservation.initial_days, "preservation period"),
        )
        # 2703(f)(2)'s 90 days bind a US provider towards US governmental entities only
        # (2711(4)); a foreign requester has the provider's terms, and Budapest art. 29(7)
        # sets a minimum (60 days), not a maximum.
        if (
            limit is None
            and ctx.law.is_us_governmental(ctx.headquarters)
            and ctx.law.is_us_governmental(req.authority.country)
        ):
            limit, source = us.initial.amount, ctx.cite(us.sources, us.initial.ref)
        if limit is not None and days > limit:
            ctx.add(
                "EE141",
                "$.preservation_days",
                f"{days} days asked; {ctx.profile.name} preserves for {limit}",
                f"Ask for {limit} days and plan an extension before expiry.",
                source,
            )
    extension = _extension_asked(req)
    if extension is not None:
        _extension(ctx, extension)


@dataclass(frozen=True, slots=True)
class _ExtensionAsked:
    """What an extension of a preservation asks, read from the request's fields."""

    created_at: datetime
    country: str
    days: int | None
    """``extension_days``: days asked."""
    number: int | None
    """``extension_number``: 1 for the first extension."""
    current_expiry: datetime | None
    """``current_expiry``: the expiry in force."""


_EXTENSION_FIELDS: Final = ("extension_days", "extension_number", "current_expiry")
"""The fields of a request extending a preservation (any model with one is an extension)."""


def _extension_asked(req: Request) -> _ExtensionAsked | None:
    """What ``req`` asks as an extension, or None when its model has no extension field."""
    if not any(name in type(req).model_fields for name in _EXTENSION_FIELDS):
        return None
    expiry = getattr(req, "current_expiry", None)
    return _ExtensionAsked(
        created_at=req.created_at,
        country=req.authority.country,
        days=number(req, "extension_days"),
        number=number(req, "extension_number"),
        current_expiry=expiry if isinstance(expiry, datetime) else None,
    )


def _extension(ctx: Ctx, req: _ExtensionAsked) -> None:
    terms = ctx.profile.preservation_terms(req.country)
    pres = ctx.profile.preservation
    if (
        req.days is not None
        and terms.extension_days is not None
        and req.days > terms.extension_days
    ):
        ctx.add(
            "EE141",
            "$.extension_days",
            f"{req.days} days asked; {ctx.profile.name} extends by {terms.extension_days}",
            f"Ask for {terms.extension_days} days.",
            ctx.fact_source(pres.extension_days, "preservation extension"),
        )
    if (
        terms.max_extensions is not None
        and req.number is not None
        and req.number > terms.max_extensions
    ):
        ctx.add(
            "EE142",
            "$.extension_number",
            f"extension number {req.number}; {ctx.profile.name} grants at most "
            f"{terms.max_extensions}",
            "Move to the formal request (MLA, CLOUD Act, EU order) before the data lapses.",
            ctx.fact_source(pres.max_extensions, "number of extensions"),
        )
    if req.current_expiry is None:
        return
    if req.current_expiry <= req.created_at:
        ctx.add(
            "EE144",
            "$.current_expiry",
            "the preservation expired before this request was made",
            "Ask for a new preservation; the data may already be deleted.",
            "request.current_expiry and request.created_at",
        )
    elif terms.extension_notice_days is not None and req.current_expiry - req.created_at < (
        timedelta(days=terms.extension_notice_days)
    ):
        ctx.add(
            "EE143",
            "$.current_expiry",
            f"{ctx.profile.name} wants extension requests at least "
            f"{terms.extension_notice_days} days before expiry",
            "Send it now and call the provider to confirm receipt.",
            ctx.fact_source(pres.extension_notice_days, "extension notice"),
        )


def cloud_act_order(ctx: Ctx, now: datetime) -> None:
    """An order under a CLOUD Act agreement (the row's instrument ``cloud_act_agreement``):
    the agreement in force on the order's date, a US provider, a Serious Crime, and
    transmission by the partner State's designated authority (18 U.S.C. 2523)."""
    req = ctx.request
    if kind_spec(req.kind).instrument != "cloud_act_agreement":
        return
    partner = text_field(req, "agreement_partner")
    if partner is None:
        return
    statute = ctx.law_source(ctx.law.us_18_usc_2523_source)
    if req.authority.country != partner:
        ctx.add(
            "EE227",
            "$.authority.country",
            f"the requesting authority is of {req.authority.country}; the agreement named is "
            f"between {partner} and the United States: only {partner}'s authorities issue "
            "orders under it",
            f"Name the agreement of the authority's own State, or have {partner}'s authority "
            "issue the order; otherwise use mutual legal assistance.",
            statute,
        )
    in_force = ctx.law.cloud_act_agreement(partner, on=ctx.request_date)
    agreement = in_force or ctx.law.cloud_act_agreement(partner)
    if in_force is None:
        if agreement is not None:
            message = (
                f"the {agreement.title} entered into force on {agreement.in_force.isoformat()}; "
                f"the order is dated {ctx.request_date.isoformat()}"
            )
            source = ctx.law_source(*agreement.sources)
        else:
            message = f"no CLOUD Act agreement between {partner} and the United States is recorded"
            source = statute
        ctx.add(
            "EE221",
            "$.agreement_partner",
            message,
            "Use mutual legal assistance (or a preservation request meanwhile).",
            source,
        )
    _cloud_act_provider(ctx, statute)
    if agreement is not None:
        _serious_crime(ctx, agreement)
        designated = getattr(req, "designated_authority", None)
        country = getattr(designated, "country", None)
        if isinstance(country, str) and country != partner:
            ctx.add(
                "EE226",
                "$.designated_authority.country",
                f"the designated authority is of {country}; the agreement is {partner}'s",
                f"Transmit the order through {partner}'s designated authority under the agreement.",
                ctx.law_source(*agreement.sources),
            )


def _cloud_act_provider(ctx: Ctx, statute: str) -> None:
    hq = ctx.headquarters
    source = ctx.fact_source(ctx.profile.headquarters, "headquarters") + "; " + statute
    if hq is None:
        ctx.add(
            "EE223",
            "$.provider",
            f"where {ctx.profile.name} has its headquarters is not recorded; a CLOUD Act "
            "agreement lifts the bars of US law for US providers",
            "Confirm the provider is subject to US law before serving the order.",
            source,
        )
    elif hq != "US":
        ctx.add(
            "EE222",
            "$.provider",
            f"{ctx.profile.name} has its headquarters in {hq}, not in the United States: a "
            "CLOUD Act agreement lifts the bars of US law, not those of another State",
            "Use mutual legal assistance with the provider's State, or the instrument that "
            "binds it.",
            source,
        )


def _serious_crime(ctx: Ctx, agreement: CloudActAgreement) -> None:
    threshold = agreement.serious_crime_min_penalty_years
    years = ctx.request.case.maximum_penalty_years
    source = ctx.cite(agreement.sources, threshold.ref)
    if years is None:
        ctx.add(
            "EE225",
            "$.case.maximum_penalty_years",
            "the maximum penalty in years is not stated; the agreement covers Serious Crimes, "
            f"punishable by a maximum of at least {threshold.value} years",
            "State the maximum custodial sentence of the offence (maximum_penalty_years).",
            source,
        )
    elif years < threshold.value:
        ctx.add(
            "EE224",
            "$.case.maximum_penalty_years",
            f"the offence is punishable by a maximum of {years} years; the agreement covers "
            f"only offences punishable by at least {threshold.value}",
            "Use mutual legal assistance.",
            source,
        )
