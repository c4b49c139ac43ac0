"""Checker rules of registry codes: the request models check only the shape of a country
code, a language tag or a phone number (so an archived request always parses); these rules
check that the registry assigned it: ISO 3166-1 alpha-2, BCP 47 (RFC 5646, the IANA
Language Subtag Registry) and the numbering plans of ITU-T E.164
(:mod:`eevidence._internal.codes`)."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from eevidence._internal.codes import (
    country_source,
    is_assigned_country,
    language_tag_problem,
    phone_problem,
    readable_language_problem,
)
from eevidence.provider.checker._ctx import Ctx
from eevidence.request import PhoneIdentifier, Request

_LANGUAGE_SOURCE: Final = (
    "BCP 47 (RFC 5646 sections 2.2.9, 4.1), IANA Language Subtag Registry; ISO 639-2 "
    "special-purpose codes"
)
_PHONE_SOURCE: Final = "ITU-T E.164 section 6; national numbering plans (libphonenumber metadata)"

_AUTHORITIES: Final = (
    "issuing_authority",
    "requested_authority",
    "validating_authority",
    "enforcing_authority",
    "designated_authority",
)
"""Fields of some kinds that hold another authority (``country`` and, for some, ``phone``)."""


def _countries(req: Request) -> list[tuple[str, str]]:
    found = [("$.authority.country", req.authority.country)]
    for name in _AUTHORITIES:
        country = getattr(getattr(req, name, None), "country", None)
        if isinstance(country, str):
            found.append((f"$.{name}.country", country))
    partner = getattr(req, "agreement_partner", None)
    if isinstance(partner, str):
        found.append(("$.agreement_partner", partner))
    for i, person in enumerate(getattr(req, "persons", ())):
        nationality = getattr(person, "nationality", None)
        if isinstance(nationality, str):
            found.append((f"$.persons[{i}].nationality", nationality))
    return found


def _phones(req: Request) -> list[tuple[str, str]]:
    found = [
        ("$.authority.officer.phone", req.authority.officer.phone),
        ("$.authority.contact_24_7.phone", req.authority.contact_24_7.phone),
    ]
    for name in _AUTHORITIES:
        phone = getattr(getattr(req, name, None), "phone", None)
        if isinstance(phone, str):
            found.append((f"$.{name}.phone", phone))
    return found


def codes(ctx: Ctx, now: datetime) -> None:
    """Country codes assigned in ISO 3166-1, valid language tags, phone numbers valid in
    their numbering plan."""
    req = ctx.request
    for path, code in _countries(req):
        if not is_assigned_country(code):
            ctx.add(
                "EE002",
                path,
                f"{code} is not a country code assigned in ISO 3166-1",
                "Use the State's ISO 3166-1 alpha-2 code (the United Kingdom is GB).",
                country_source(),
            )
    # the request and its translations are read: a special-purpose code (und, zxx...) names
    # no language; other attachments (an image, a recording) may carry one
    tags = [("$.language", req.language, True)] + [
        (f"$.attachments[{i}].language", a.language, a.kind == "translation")
        for i, a in enumerate(req.attachments)
        if a.language is not None
    ]
    for path, tag, read in tags:
        problem = readable_language_problem(tag) if read else language_tag_problem(tag)
        if problem is not None:
            ctx.add(
                "EE003",
                path,
                problem,
                "Use a registered BCP 47 tag (e.g. en, fr, pt-BR, zh-Hant).",
                _LANGUAGE_SOURCE,
            )
    for path, phone in _phones(req):
        problem = phone_problem(phone)
        if problem is not None:
            ctx.add(
                "EE004",
                path,
                f"{phone}: {problem}",
                "Give a number the provider can call back (E.164, with the country code).",
                _PHONE_SOURCE,
            )
    for i, ident in enumerate(req.identifiers):
        if isinstance(ident, PhoneIdentifier):
            problem = phone_problem(ident.value)
            if problem is not None:
                ctx.add(
                    "EE005",
                    f"$.identifiers[{i}].value",
                    f"{ident.value}: {problem}",
                    "Check the number and its country code; the provider searches by the "
                    "exact number.",
                    _PHONE_SOURCE,
                )
