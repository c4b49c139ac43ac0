"""Checker rules of the elements a provider requires on a valid request.

Each element the profile lists (:data:`~eevidence.provider.REQUIRED_ELEMENTS`) is one of
three sorts: tested here against the request (a period, a sworn officer, the addressee
entity, an officer id, who is at risk, an official email domain); guaranteed by the request
model, which refuses a request without it (data categories, identifiers, legal basis...);
or carried by the letter or the package only (letterhead, signature, PDF), which the
checker cannot see: only these are listed in the note EE202.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from eevidence.provider.checker._ctx import Ctx
from eevidence.request import Request, emergency_details, kind_spec

PUBLIC_WEBMAIL_DOMAINS: Final = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "ymail.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.net",
        "gmx.de",
        "mail.com",
        "mail.ru",
        "yandex.ru",
        "yandex.com",
        "qq.com",
        "163.com",
        "zoho.com",
        "tutanota.com",
    }
)
"""Public webmail domains (lower case): an officer address there fails a provider's
``official_email_domain`` requirement (EE201)."""

_BY_MODEL: Final = frozenset(
    {
        "data_categories",  # DataRequested.categories: at least one
        "target_identifiers",  # identifiers: at least one
        "legal_basis",  # legal_basis: at least one
        "offence",  # case.offence_description
        "statute_cited",  # case.statutory_citation
        "case_number",  # case.reference
        "justification",  # justification
        "date",  # created_at
        "time_zone",  # every date-time carries its UTC offset
        "officer_contact",  # officer name, email and phone
        "issuing_authority",  # the requesting authority (and an order's issuing authority)
    }
)
"""Elements every request has: the request model refuses a request without them."""


def _missing(req: Request, element: str) -> tuple[str, str] | None:
    """Where and why ``req`` lacks ``element``; None when it has it or the checker cannot
    see it."""
    officer = req.authority.officer
    if element == "date_range":
        if req.period is None and not all(i.window is not None for i in req.identifiers):
            return "$.period", "a period of interest (the request or every identifier)"
    elif element in ("sworn_officer", "sworn_statement"):
        if officer.sworn_officer is not True:
            said = " (the request says not)" if officer.sworn_officer is False else ""
            return "$.authority.officer.sworn_officer", f"a sworn law-enforcement officer{said}"
    elif element == "addressee_entity":
        if req.addressee_entity is None and not kind_spec(req.kind).eu_order:
            return "$.addressee_entity", "the legal entity the request is addressed to"
    elif element == "officer_id":
        if officer.badge_number is None:
            return "$.authority.officer.badge_number", "the officer's badge or id number"
    elif element == "person_at_risk":
        details = emergency_details(req)
        if details is not None and details.persons_at_risk is None:
            return "$.emergency.persons_at_risk", "who is at risk"
    return None


_TESTED: Final = frozenset(
    {
        "date_range",
        "sworn_officer",
        "sworn_statement",
        "addressee_entity",  # EU orders: the Regulation's condition (EE180)
        "officer_id",
        "official_email_domain",  # EE201
    }
)
"""Elements tested against every request (by :func:`_missing` or EE201)."""

_IN_AN_EMERGENCY: Final = frozenset({"person_at_risk", "emergency_description"})
"""Elements an emergency request's details show: who is at risk (tested), the threat (the
model requires it)."""


def official_email(ctx: Ctx, now: datetime) -> None:
    """The officer's address is not on a public webmail domain when the provider (or the
    channel for the kind) requires an official domain."""
    req = ctx.request
    required = ctx.profile.required_for(req.kind) or frozenset()
    by_channel = any(
        "official_email_domain" in c.requirements for c in ctx.profile.channels_for(req.kind)
    )
    if "official_email_domain" not in required and not by_channel:
        return
    domain = req.authority.officer.email.rsplit("@", 1)[1].lower()
    if domain in PUBLIC_WEBMAIL_DOMAINS:
        ctx.add(
            "EE201",
            "$.authority.officer.email",
            f"{ctx.profile.name} accepts requests only from official email domains; "
            f"{domain} is a public webmail domain",
            "Use the officer's official government address.",
            ctx.fact_source(ctx.profile.required_elements, "required elements"),
        )


def required_elements(ctx: Ctx, now: datetime) -> None:
    """Each required element the request can show is tested (EE203); the ones only the
    letter or package can carry are listed (EE202)."""
    req = ctx.request
    required = ctx.profile.required_for(req.kind)
    if not required:
        return
    source = ctx.fact_source(ctx.profile.required_elements, "required elements")
    for element in sorted(required):
        found = _missing(req, element)
        if found is not None:
            path, what = found
            ctx.add(
                "EE203",
                path,
                f"{ctx.profile.name} requires {element.replace('_', ' ')}: the request does "
                f"not give {what}",
                "Add it before sending.",
                source,
            )
    emergency = emergency_details(req) is not None
    rest = sorted(
        e
        for e in required
        if e not in _BY_MODEL | _TESTED and not (emergency and e in _IN_AN_EMERGENCY)
    )
    if rest:
        ctx.add(
            "EE202",
            "$",
            f"{ctx.profile.name} requires: " + ", ".join(e.replace("_", " ") for e in rest),
            "Check the rendered letter (or the package) carries each of these before sending.",
            source,
        )
