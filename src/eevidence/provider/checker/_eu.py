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
    applies = datetime.combine(eu.applies_from, datetime.min.time(), tzinfo=now.tzinfo)
    if req.created_at < applies:
        ctx.add(
            "EE182",
            "$.created_at",
            f"the order is dated before {eu.applies_from.isoformat()}, when the Regulation "
            "starts to apply",
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
    offence = req.case.offence_category
    if not categories:
        return
    if offence in eu.heavy_data_listed_offences:
        below = years is None or years < minimum.value
        if offence in eu.heavy_data_information_system_offences and below:
            ctx.add(
                "EE189",
                "$.case.offence_category",
                f"{offence.replace('_', ' ')} opens an EPOC for {' and '.join(categories)} "
                f"data without the {minimum.value}-year threshold only when committed wholly "
                f"or partly by means of an information system "
                f"({eu.heavy_data_information_system_ref})",
                "Say in the summary of facts how an information system was used, or ask only "
                "for subscriber and identification data.",
                ctx.cite(eu.sources, eu.heavy_data_information_system_ref),
            )
        return
    listed = ", ".join(o.replace("_", " ") for o in eu.heavy_data_listed_offences)
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
            f"({eu.heavy_data_listed_ref}: {listed}, committed wholly or partly by means of "
            "an information system)",
            "Ask only for subscriber and identification data, or use another instrument.",
            source,
        )


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
    languages = [req.language, *(a.language for a in req.attachments if a.kind == "translation")]
    if not any(lang is not None and languages_match(lang, accepted) for lang in languages):
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
