"""Checker rules of Regulation (EU) 2023/1543 (EPOC, EPOC-PR) and Directive (EU) 2023/1544.

They apply to the kinds the kinds table marks ``eu_order``: the designated addressee (art. 7;
Directive art. 3), the date the Regulation applies from (art. 34(2)), the Member States it
binds, the notification of the enforcing authority (art. 8(1), with the exception of
art. 8(2)), the offence threshold for traffic and content data (art. 5(4)), emergency
orders issued without prior validation (art. 4(5)), the language of the certificate
(art. 9) and the preservation clock (art. 11). Every number and article comes from the
legal facts (``law/instruments.json``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from eevidence._internal.codes import languages_match
from eevidence.provider.checker._ctx import Ctx, heavy, issuer, text_field
from eevidence.request import kind_spec


def eu_order(ctx: Ctx, now: datetime) -> None:
    """The conditions of the Regulation on an EU order: addressee, dates, States,
    notification, offence threshold and validation."""
    req = ctx.request
    spec = kind_spec(req.kind)
    by = issuer(req)
    if not spec.eu_order or by is None:
        return
    eu = ctx.law.eu_regulation_2023_1543
    _addressee(ctx)
    _cross_border(ctx)
    # The date an order bears is the calendar date of created_at in its own UTC offset (the
    # issuing authority's local date, as written): the one rule of route advice and of every
    # date test of the checker (Ctx.request_date).
    if ctx.request_date < eu.applies_from:
        ctx.add(
            "EE182",
            "$.created_at",
            f"the order is dated {ctx.request_date.isoformat()} (its own local date), before "
            f"{eu.applies_from.isoformat()}, when the Regulation starts to apply",
            "Use a European Investigation Order or MLA for requests before that date.",
            ctx.cite(eu.sources, eu.applies_from_ref),
        )
    if by.country not in eu.bound_member_states:
        ctx.add(
            "EE183",
            "$.issuing_authority.country",
            f"{by.country} is not a Member State bound by Regulation (EU) 2023/1543",
            "Use MLA or another instrument.",
            ctx.law_source(*eu.sources),
        )
    if spec.family == "disclosure":
        _notification(ctx)
        _offence_threshold(ctx)
    _without_prior_validation(ctx)


def _addressee(ctx: Ctx) -> None:
    eu = ctx.law.eu_regulation_2023_1543
    source = "; ".join(
        (
            ctx.fact_source(ctx.profile.eu_designated_addressee, "EU designated addressee"),
            ctx.cite(eu.sources, eu.addressee_ref),
            *(ctx.law.cite(i) for i in eu.sources[1:]),
        )
    )
    addressee = ctx.profile.designated_addressee()
    named = text_field(ctx.request, "addressee_establishment")
    if addressee is None:
        ctx.add(
            "EE181",
            "$.provider",
            f"the establishment or legal representative {ctx.profile.name} designated to "
            "receive EU orders is not recorded",
            "Confirm the designated addressee (the provider's statement under Directive (EU) "
            "2023/1544, or the Member State's list) before sending; its GDPR or Digital "
            "Services Act establishment is not it.",
            source,
        )
    if named is None:
        where = f" ({addressee.name})" if addressee is not None else ""
        ctx.add(
            "EE180",
            "$.addressee_establishment",
            "the order names no addressee; an EU order is addressed to the provider's "
            "designated establishment or legal representative",
            f"Name the designated addressee{where} in addressee_establishment.",
            source,
        )


def _cross_border(ctx: Ctx) -> None:
    """The Regulation serves cross-border cases (art. 1(1); the orders of art. 3(1), (2) go
    to an addressee in another Member State): the designated addressee is not in the issuing
    State. The enforcing authority is of the Member State where the addressee is (art.
    3(16), (17); art. 8(1)): never of the issuing State or of a State not bound."""
    req = ctx.request
    by = issuer(req)
    if by is None:
        return
    eu = ctx.law.eu_regulation_2023_1543
    addressee = ctx.profile.designated_addressee()
    state = addressee.country if addressee is not None else None
    where = ctx.fact_source(ctx.profile.eu_designated_addressee, "EU designated addressee")
    if state is not None and state == by.country and addressee is not None:
        ctx.add(
            "EE190",
            "$.issuing_authority.country",
            f"{ctx.profile.name}'s designated addressee, {addressee.name}, is established in "
            f"{state}, the issuing State: the Regulation covers orders to an addressee in "
            "another Member State",
            "Use a national order of the issuing State (the Regulation leaves national "
            "powers over providers on the territory untouched, art. 1(1)).",
            where + "; " + ctx.cite(eu.sources, "art. 1(1)", "art. 3(1), (2)"),
        )
    enforcing = getattr(req, "enforcing_authority", None)
    country = getattr(enforcing, "country", None)
    if not isinstance(country, str):
        return
    problem = None
    if country == by.country:
        problem = f"is of {country}, the issuing State"
    elif not ctx.law.eu_bound(country):
        problem = f"is of {country}, which is not bound by Regulation (EU) 2023/1543"
    elif state is not None and country != state:
        problem = f"is of {country}; the designated addressee is in {state}"
    if problem is None:
        return
    ctx.add(
        "EE192",
        "$.enforcing_authority.country",
        f"the enforcing authority {problem}: it must be the competent authority of the "
        "Member State where the designated addressee is established or its legal "
        f"representative resides (art. 3(16), (17); {eu.notification_ref})",
        "Name the competent authority of the enforcing State"
        + (f" ({state})" if state else " (where the addressee is)")
        + ".",
        ctx.cite(eu.sources, "art. 3(16), (17)", eu.notification_ref)
        + ("; " + where if state else ""),
    )


def _notification(ctx: Ctx) -> None:
    """Art. 8(1): a production order for traffic or content data is notified to the
    enforcing authority, unless art. 8(2) applies (the order states its grounds)."""
    req = ctx.request
    eu = ctx.law.eu_regulation_2023_1543
    categories = heavy(req)
    if not categories or getattr(req, "enforcing_authority", None) is not None:
        return
    if text_field(req, "notification_exception") is not None:
        return
    ctx.add(
        "EE184",
        "$.enforcing_authority",
        f"a production order for {' and '.join(categories)} data must be notified to the "
        f"enforcing authority ({eu.notification_ref}), unless the offence was committed, is "
        "being committed or is likely to be committed in the issuing State and the person "
        f"whose data are sought resides there ({eu.notification_exception_ref})",
        "Name the enforcing authority of the State where the addressee is established and "
        "notify it when the order is sent, or state the grounds of "
        f"{eu.notification_exception_ref} in notification_exception.",
        ctx.cite(eu.sources, eu.notification_ref, eu.notification_exception_ref),
    )


def _offence_threshold(ctx: Ctx) -> None:
    """Art. 5(4): traffic and content data only for offences punishable by a maximum of at
    least the threshold (a), the offences of (b) when committed by means of an information
    system, or terrorist offences (c)."""
    req = ctx.request
    eu = ctx.law.eu_regulation_2023_1543
    categories = heavy(req)
    minimum = eu.heavy_data_min_penalty_years
    years = req.case.maximum_penalty_years
    # a terrorist offence counts as such (art. 5(4)(c)) whatever category the request files
    # it under
    offence = "terrorism" if req.case.terrorism_related else req.case.offence_category
    if not categories:
        return
    if offence in eu.heavy_data_listed_offences:
        below = years is None or years < minimum.value
        if offence in eu.heavy_data_information_system_offences and below:
            what = _INFORMATION_SYSTEM_OFFENCES.get(offence, offence.replace("_", " "))
            ctx.add(
                "EE189",
                "$.case.offence_category",
                f"{what} opens an EPOC for {' and '.join(categories)} data without the "
                f"{minimum.value}-year threshold only when committed wholly or partly by "
                f"means of an information system ({eu.heavy_data_information_system_ref})",
                "Say in the summary of facts how an information system was used, or ask only "
                "for subscriber and identification data.",
                ctx.cite(eu.sources, eu.heavy_data_information_system_ref),
            )
        return
    listed = _listed(eu.heavy_data_listed_offences, eu.heavy_data_information_system_offences)
    source = ctx.cite(eu.sources, minimum.ref, eu.heavy_data_listed_ref)
    what = " and ".join(categories)
    if years is None:
        ctx.add(
            "EE187",
            "$.case.maximum_penalty_years",
            f"the maximum penalty in years is not stated; an EPOC for {what} data needs an "
            f"offence punishable by a maximum of at least {minimum.value} years "
            f"({minimum.ref}) or a listed offence ({eu.heavy_data_listed_ref}: {listed})",
            "State the maximum custodial sentence (maximum_penalty_years).",
            source,
        )
    elif years < minimum.value:
        ctx.add(
            "EE186",
            "$.case.maximum_penalty_years",
            f"the offence is punishable by a maximum of {years} years; an EPOC for {what} "
            f"data needs at least {minimum.value} ({minimum.ref}) or a listed offence "
            f"({eu.heavy_data_listed_ref}: {listed})",
            "Ask only for subscriber and identification data, or use another instrument.",
            source,
        )


_INFORMATION_SYSTEM_OFFENCES: Final = {
    "fraud": "non-cash payment fraud (Directive (EU) 2019/713 arts. 3 to 8; other fraud only "
    "under the 3-year threshold)",
    "child_sexual_exploitation": "child sexual abuse and exploitation (Directive 2011/93/EU "
    "arts. 3 to 7)",
    "cybercrime": "attacks against information systems (Directive 2013/40/EU arts. 3 to 8)",
}
"""How art. 5(4)(b) names each offence category it lists (the Directives it refers to)."""


def _listed(listed: tuple[str, ...], by_information_system: tuple[str, ...]) -> str:
    """The listed offences in words: those of art. 5(4)(b) (by means of an information
    system), then the terrorist offences of art. 5(4)(c)."""
    means = [
        _INFORMATION_SYSTEM_OFFENCES.get(o, o.replace("_", " "))
        for o in listed
        if o in by_information_system
    ]
    other = [
        "terrorist offences (art. 5(4)(c))" if o == "terrorism" else o.replace("_", " ")
        for o in listed
        if o not in by_information_system
    ]
    parts = [*other]
    if means:
        parts.append(
            "committed wholly or partly by means of an information system (art. 5(4)(b)): "
            + "; ".join(means)
        )
    return "; ".join(parts)


def _without_prior_validation(ctx: Ctx) -> None:
    """Art. 4(5): an emergency order issued without prior validation, for subscriber or
    identification data or a preservation order, is validated ex post within the period
    (the request model refuses the order art. 4(5) does not cover)."""
    req = ctx.request
    if text_field(req, "without_prior_validation") is None:
        return
    eu = ctx.law.eu_regulation_2023_1543
    clock = eu.ex_post_validation
    deadline = req.created_at + clock.delta
    source = ctx.cite(eu.sources, clock.ref)
    ctx.add(
        "EE188",
        "$.without_prior_validation",
        f"issued without prior validation: ex-post validation is due within {clock} "
        f"({clock.ref}), by {deadline.isoformat()}",
        "Seek validation now; if it is refused, withdraw the order and delete any data obtained.",
        source,
    )


def eu_language(ctx: Ctx, now: datetime) -> None:
    """Art. 9: the certificate is in an official language of the Union the addressee
    accepts (or one of the State where the addressee is): the provider's statement for EU
    orders, never its general ``languages``."""
    req = ctx.request
    if not kind_spec(req.kind).eu_order:
        return
    eu = ctx.law.eu_regulation_2023_1543
    fact = ctx.profile.eu_order_languages
    accepted = ctx.profile.value(fact)
    source = (
        ctx.fact_source(fact, "EU order languages") + "; " + ctx.cite(eu.sources, eu.language_ref)
    )
    union = ctx.law.eu_official_languages
    if not ctx.law.is_eu_official_language(req.language):
        ctx.add(
            "EE165",
            "$.language",
            f"the order is in {req.language}, which is not an official language of the Union "
            f"(Regulation No 1, {union.ref}): an EU order is written in one of them "
            f"({eu.language_ref}), whatever the addressee accepts otherwise",
            "Write the certificate in an official language of the Union the addressee "
            "accepts, or in one of the State where it is.",
            ctx.cite(eu.sources, eu.language_ref) + "; " + ctx.cite(union.sources, union.ref),
        )
        return
    addressee = ctx.profile.designated_addressee()
    state = addressee.country if addressee is not None and addressee.country else None
    official = (
        f"an official language of {state}, where the addressee is"
        if state
        else "an official language of the State where the addressee is"
    )
    if accepted is None:
        ctx.add(
            "EE164",
            "$.language",
            f"the languages {ctx.profile.name}'s designated addressee accepts for EU orders are "
            f"not recorded; the order is in {req.language}",
            f"Use an official language of the Union the addressee accepts, or {official} "
            f"({eu.language_ref}).",
            source,
        )
        return
    written = [req.language, *(a.language for a in req.attachments if a.kind == "translation")]
    # only a text in an official language of the Union can be the order (art. 9)
    languages = [
        lang for lang in written if lang is not None and ctx.law.is_eu_official_language(lang)
    ]
    if not any(languages_match(lang, accepted) for lang in languages):
        ctx.add(
            "EE163",
            "$.language",
            f"{ctx.profile.name}'s designated addressee accepts EU orders in "
            f"{', '.join(accepted)}; the order is in {req.language}",
            f"Translate the certificate into {accepted[0]} (attachment kind 'translation'), or "
            f"use {official} ({eu.language_ref}).",
            source,
        )


def eu_preservation_clock(ctx: Ctx, now: datetime) -> None:
    """Art. 11: how long an EU preservation order keeps the data."""
    if kind_spec(ctx.request.kind).deadlines != "eu_art11_preservation":
        return
    eu = ctx.law.eu_regulation_2023_1543
    ctx.add(
        "EE185",
        "$",
        f"the data is preserved for {eu.preservation} ({eu.preservation.ref}) unless the "
        "issuing authority confirms (Annex V) that a request for production was issued; once "
        "confirmed, it is preserved as long as necessary to produce the data (art. 11(2)); an "
        f"extension by {eu.preservation_extension} ({eu.preservation_extension.ref}, Annex VI) "
        "is possible",
        "Diary the expiry; issue the production request and confirm it, or extend, in time.",
        ctx.cite(eu.sources, eu.preservation.ref),
    )
