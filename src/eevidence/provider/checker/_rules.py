"""The request checker: will this provider accept this request as written?

:func:`check` is pure: a request, a provider profile, legal facts and ``now`` in, a
:class:`~eevidence.provider.checker.CheckReport` out. Each finding names the JSON path it concerns,
what to do, and the provider fact or legal rule (with its source) it rests on. Facts the
profile marks unknown, or that rest only on secondary sources, never produce an error: at
most a note that the point could not be checked.

Which rules apply to a request is read from the kinds table
(:data:`eevidence.request.KINDS`) when it is checked: the family (preservation or
disclosure), whether it is an EU order or an order at all, the instrument that defines it,
how an emergency is recognised and where its deadlines come from. Kind-specific values
(``preservation_days``, ``extension_days``, ``custodian_information``...) are read from
the request's fields by name, so a kind whose model has the same fields is checked alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from eevidence.errors import InputError
from eevidence.provider._law import LawFacts, law_facts
from eevidence.provider._profiles import Fact, ProviderProfile
from eevidence.provider.checker._findings import RULES, CheckReport, Finding, sort_findings
from eevidence.request import (
    IpAddressIdentifier,
    IssuingAuthority,
    Request,
    TimeWindow,
    emergency_details,
    is_emergency,
    kind_spec,
)

__all__ = ["PUBLIC_WEBMAIL_DOMAINS", "check"]

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


class _Ctx:
    """Collects findings for one request; builds the source citation of each."""

    def __init__(self, request: Request, profile: ProviderProfile, law: LawFacts) -> None:
        self.request = request
        self.profile = profile
        self.law = law
        self.findings: list[Finding] = []

    def add(self, code: str, path: str, message: str, action: str, source: str) -> None:
        rule = RULES[code]
        self.findings.append(Finding(code, rule.severity, path, message, action, source))

    def fact_source(self, fact: Fact[Any] | None, what: str) -> str:
        p = self.profile
        if fact is None or not fact.sources:
            return f"{p.name} profile, {what} (last reviewed {p.last_reviewed.isoformat()})"
        cites = "; ".join(
            f"{s.title} ({s.url or s.document}, read {s.read.isoformat()})" for s in p.cited(fact)
        )
        return f"{p.name} profile, {what}: {cites}"

    def law_source(self, *ids: str) -> str:
        return "; ".join(self.law.cite(i) for i in ids)


def check(
    request: Request,
    provider: ProviderProfile,
    *,
    now: datetime,
    law: LawFacts | None = None,
) -> CheckReport:
    """Check ``request`` against ``provider``'s profile at time ``now``.

    Every rule of the catalogue (:data:`~eevidence.provider.checker.RULES`,
    ``docs/findings.md``) is applied that fits the request's kind (kinds table): the
    provider accepts the kind and the identifiers; the data route of a disclosure
    (foreign-access facts of the profile; 18 U.S.C. 2702); emergency details; preservation
    periods and extensions (the profile's terms, else 18 U.S.C. 2703(f) for a US provider;
    Reg. (EU) 2023/1543 art. 11 for an EU preservation order); the period against ``now``
    and the provider's published retention; the language; user notice and non-disclosure;
    the conditions of Reg. (EU) 2023/1543 for EU orders; the contents of a preservation
    request (Budapest art. 29(2)); official email domains; the provider's required
    elements; the status of the Second Protocol (CETS 224) for art. 7 orders.

    Args:
        request: the request to check.
        provider: the profile to check against (normally the addressee's; a mismatch is
            finding EE001).
        now: the moment of the check, aware (with a UTC offset); periods in the future and
            retention horizons (days before ``now``) are measured from it.
        law: the legal facts (default: the shipped ones, :func:`eevidence.provider.law_facts`).

    Returns:
        The report: every finding, errors first; ``ok`` when none is an error.

    Raises:
        InputError: ``now`` is naive, or the request's kind has no row in the kinds table.
        ConfigurationError: ``law`` is not given and the shipped legal facts cannot be
            loaded (a broken installation).
    """
    if now.tzinfo is None:
        raise InputError("now must be an aware datetime (with a UTC offset)", source="check")
    ctx = _Ctx(request, provider, law or law_facts())
    if request.provider != provider.id:
        ctx.add(
            "EE001",
            "$.provider",
            f"the request is addressed to {request.provider!r}, checked against {provider.id!r}",
            "Check against the addressee's profile, or correct the provider id.",
            "request.provider",
        )
    for rule in _RULES:
        rule(ctx, now)
    return CheckReport(request.id, provider.id, sort_findings(ctx.findings))


# --------------------------------------------------------------------------- rules


def _kind_accepted(ctx: _Ctx, now: datetime) -> None:
    kind = ctx.request.kind
    fact = ctx.profile.request_kinds.get(kind)
    # a kind the profile says nothing about (newer than the profile) is not known either way
    accepted = None if fact is None else ctx.profile.accepts_kind(kind)
    if accepted is False:
        ctx.add(
            "EE101",
            "$.kind",
            f"{ctx.profile.name} does not accept {kind.replace('_', ' ')} requests",
            "Use another route (see `eevidence route`).",
            ctx.fact_source(fact, f"request kinds/{kind}"),
        )
    elif accepted is None:
        ctx.add(
            "EE102",
            "$.kind",
            f"whether {ctx.profile.name} accepts {kind.replace('_', ' ')} requests is unknown",
            "Confirm with the provider's law-enforcement guidelines before sending.",
            ctx.fact_source(fact, f"request kinds/{kind}"),
        )


def _identifiers_accepted(ctx: _Ctx, now: datetime) -> None:
    unknown: list[str] = []
    for i, ident in enumerate(ctx.request.identifiers):
        accepted = ctx.profile.accepts_identifier(ident.type)
        if accepted is False:
            ctx.add(
                "EE111",
                f"$.identifiers[{i}]",
                f"{ctx.profile.name} cannot search by {ident.type.replace('_', ' ')}",
                "Replace it with an identifier the provider accepts, e.g. "
                + ", ".join(_accepted_identifiers(ctx.profile))
                + ".",
                ctx.fact_source(ctx.profile.identifiers[ident.type], f"identifiers/{ident.type}"),
            )
        elif accepted is None and ident.type not in unknown:
            unknown.append(ident.type)
    if unknown:
        ctx.add(
            "EE112",
            "$.identifiers",
            f"whether {ctx.profile.name} accepts {', '.join(unknown)} identifiers is unknown",
            "Add an identifier the provider is known to accept, if you have one.",
            ctx.fact_source(None, "identifiers"),
        )


def _accepted_identifiers(profile: ProviderProfile) -> list[str]:
    return [t for t in profile.identifiers if profile.accepts_identifier(t)] or ["(none known)"]


def _data_route(ctx: _Ctx, now: datetime) -> None:
    req = ctx.request
    spec = kind_spec(req.kind)
    if spec.family != "disclosure" or spec.eu_order:
        # EU orders reach the data under Reg. (EU) 2023/1543, not the provider's policy.
        return
    # A voluntary request: neither an order nor an emergency; the provider's policy decides.
    voluntary = not spec.order and spec.emergency == "never"
    for j, category in enumerate(req.data.categories):
        fact = ctx.profile.foreign_access[category]
        route = ctx.profile.foreign_route(category)
        path = f"$.data.categories[{j}]"
        source = ctx.fact_source(fact, f"foreign access/{category}")
        if route == "not_available":
            ctx.add(
                "EE121",
                path,
                f"{ctx.profile.name} states it cannot produce {category} data",
                "Remove this category; look for the data elsewhere (device, other providers).",
                source,
            )
        elif route == "mla_or_cloud_act" and voluntary:
            partner = ctx.law.cloud_act_partner(req.authority.country)
            via = (
                "an order under the CLOUD Act agreement with the United States or MLA"
                if partner
                else "a mutual legal assistance request"
            )
            ctx.add(
                "EE121",
                path,
                f"{ctx.profile.name} does not disclose {category} data to a foreign authority "
                "on a voluntary request",
                f"Preserve now and ask for it through {via}; an emergency request is the "
                "only direct route when a life is at risk.",
                source + "; " + ctx.law_source("18-usc-2702"),
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


def _emergency(ctx: _Ctx, now: datetime) -> None:
    details = emergency_details(ctx.request)
    if details is None:
        return
    missing = [name for name in ("persons_at_risk", "imminence") if getattr(details, name) is None]
    if missing:
        ctx.add(
            "EE131",
            "$.emergency",
            "the emergency details do not say " + " or ".join(m.replace("_", " ") for m in missing),
            "State who is at risk and when the harm is expected; providers decide on these facts.",
            ctx.fact_source(ctx.profile.emergency.criteria, "emergency criteria"),
        )
    channels = ctx.profile.channels_for("emergency_disclosure")
    where = ", ".join(c.name + (f" ({c.url})" if c.url else "") for c in channels) or "unknown"
    criteria = ctx.profile.value(ctx.profile.emergency.criteria) or "unknown"
    ctx.add(
        "EE132",
        "$.emergency",
        f"emergency channel: {where}; criteria: {criteria}",
        "Send through the emergency channel and keep the 24/7 contact reachable.",
        ctx.fact_source(ctx.profile.emergency.criteria, "emergency"),
    )


def _preservation(ctx: _Ctx, now: datetime) -> None:
    req = ctx.request
    terms = ctx.profile.preservation_terms(req.authority.country)
    us = ctx.law.us_18_usc_2703f
    days = _number(req, "preservation_days")
    if days is not None:
        limit, source = (
            terms.initial_days,
            ctx.fact_source(ctx.profile.preservation.initial_days, "preservation period"),
        )
        if limit is None and ctx.profile.value(ctx.profile.headquarters) == "US":
            limit, source = us.initial.amount, ctx.law_source(*us.sources)
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
    if kind_spec(req.kind).deadlines == "eu_art11_preservation":
        eu = ctx.law.eu_regulation_2023_1543
        ctx.add(
            "EE185",
            "$",
            f"the order lapses after {eu.preservation} (extendable once by "
            f"{eu.preservation_extension}) unless a production request is confirmed",
            "Diary the expiry; issue the production order or confirm it in time.",
            ctx.law_source(*eu.sources),
        )


def _number(req: Request, name: str) -> int | None:
    """The request's whole-number field ``name``, or None when its model has none or it
    is not set."""
    value = getattr(req, name, None)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


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
        days=_number(req, "extension_days"),
        number=_number(req, "extension_number"),
        current_expiry=expiry if isinstance(expiry, datetime) else None,
    )


def _extension(ctx: _Ctx, req: _ExtensionAsked) -> None:
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


def _windows(req: Request) -> list[tuple[str, TimeWindow]]:
    out = [("$.period", req.period)] if req.period else []
    out.extend(
        (f"$.identifiers[{i}].window", ident.window)
        for i, ident in enumerate(req.identifiers)
        if ident.window is not None
    )
    return out


def _period(ctx: _Ctx, now: datetime) -> None:
    req = ctx.request
    for path, window in _windows(req):
        if window.end > now and window.start > now:
            ctx.add(
                "EE151",
                path,
                "the period lies entirely in the future",
                "Ask only for data stored up to now; prospective collection needs other process.",
                "Stored-data instruments: " + ctx.law_source("18-usc-2703", "cets-185"),
            )
    for i, ident in enumerate(req.identifiers):
        if isinstance(ident, IpAddressIdentifier) and ident.timestamp > now:
            ctx.add(
                "EE151",
                f"$.identifiers[{i}].timestamp",
                "the IP address timestamp is in the future",
                "Check the date and the UTC offset.",
                "request timestamps",
            )
    for rule in ctx.profile.retention:
        if rule.deleted_after_days is None or ctx.profile.is_secondary(rule):
            continue
        try:
            horizon = now - timedelta(days=rule.deleted_after_days)
        except OverflowError:  # before year 1: no period starts that early
            continue
        for path, window in _windows(req):
            if window.start < horizon:
                ctx.add(
                    "EE152",
                    path,
                    f"{ctx.profile.name} deletes {rule.data} after {rule.deleted_after_days} "
                    f"days; the period starts before {horizon.date().isoformat()}",
                    "Expect no such data before that date; preserve the rest now.",
                    ctx.fact_source(None, f"retention of {rule.data}")
                    + ": "
                    + "; ".join(s.title for s in ctx.profile.cited(rule)),
                )


def _language(ctx: _Ctx, now: datetime) -> None:
    fact = ctx.profile.languages
    languages = ctx.profile.value(fact)
    lang = ctx.request.language
    if languages is None:
        if lang.split("-")[0].lower() != "en":
            ctx.add(
                "EE162",
                "$.language",
                f"the languages {ctx.profile.name} accepts are unknown; the request is in {lang}",
                "Attach an English translation (attachment kind 'translation').",
                ctx.fact_source(fact, "languages"),
            )
        return
    primary = {tag.split("-")[0].lower() for tag in languages}
    translated = {
        (a.language or "").split("-")[0].lower()
        for a in ctx.request.attachments
        if a.kind == "translation"
    }
    if lang.split("-")[0].lower() not in primary and not (translated & primary):
        ctx.add(
            "EE161",
            "$.language",
            f"{ctx.profile.name} accepts {', '.join(languages)}; the request is in {lang}",
            f"Attach a translation into {languages[0]} (attachment kind 'translation').",
            ctx.fact_source(fact, "languages"),
        )


def _confidentiality(ctx: _Ctx, now: datetime) -> None:
    req = ctx.request
    notice = ctx.profile.user_notice
    policy = ctx.profile.value(notice.policy)
    waivers = ctx.profile.value(notice.non_disclosure) or ()
    spec = kind_spec(req.kind)
    if spec.eu_order or is_emergency(req):
        # EU orders: user information is governed by Reg. (EU) 2023/1543 art. 13, not by the
        # provider's policy; emergencies are an exception to notice in every policy read.
        return
    if spec.family == "preservation" and ctx.profile.value(notice.preservation_notified) is False:
        return
    if req.confidentiality is None:
        if policy in ("prior_notice", "notice"):
            ctx.add(
                "EE172",
                "$.confidentiality",
                f"{ctx.profile.name} notifies users of requests unless asked not to",
                "Add a non-disclosure request with its reason and duration if notice would "
                "harm the investigation.",
                ctx.fact_source(notice.policy, "user notification"),
            )
        return
    if "stated_duration" in waivers and req.confidentiality.duration_days is None:
        ctx.add(
            "EE171",
            "$.confidentiality.duration_days",
            f"{ctx.profile.name} expects a non-disclosure request to state its duration",
            "Give duration_days (e.g. 90) and renew it if needed.",
            ctx.fact_source(notice.non_disclosure, "non-disclosure"),
        )
    if "court_order" in waivers and not any(a.kind == "court_order" for a in req.attachments):
        ctx.add(
            "EE173",
            "$.confidentiality",
            f"{ctx.profile.name} withholds notice on a court order (or equivalent process)",
            "Attach the non-disclosure order (attachment kind 'court_order').",
            ctx.fact_source(notice.non_disclosure, "non-disclosure"),
        )


def _issuer(req: Request) -> IssuingAuthority | None:
    """The issuing authority of an order (:attr:`~eevidence.request.KindSpec.order`), else None."""
    issuer = getattr(req, "issuing_authority", None)
    return issuer if isinstance(issuer, IssuingAuthority) else None


def _eu_order(ctx: _Ctx, now: datetime) -> None:
    req = ctx.request
    spec = kind_spec(req.kind)
    issuer = _issuer(req)
    if not spec.eu_order or issuer is None:
        return
    eu = ctx.law.eu_regulation_2023_1543
    src = ctx.law_source(*eu.sources)
    if ctx.profile.value(ctx.profile.eu_establishment) is None:
        ctx.add(
            "EE181",
            "$.provider",
            f"no EU establishment or legal representative is recorded for {ctx.profile.name}",
            "Find the provider's designated establishment or legal representative, or use MLA.",
            ctx.fact_source(ctx.profile.eu_establishment, "EU establishment") + "; " + src,
        )
    applies = datetime.combine(eu.applies_from, datetime.min.time(), tzinfo=now.tzinfo)
    if req.created_at < applies:
        ctx.add(
            "EE182",
            "$.created_at",
            f"the order is dated before {eu.applies_from.isoformat()}, when the Regulation "
            "starts to apply",
            "Use a European Investigation Order or MLA for requests before that date.",
            src,
        )
    country = issuer.country
    if country not in eu.bound_member_states:
        ctx.add(
            "EE183",
            "$.issuing_authority.country",
            f"{country} is not a Member State bound by Regulation (EU) 2023/1543",
            "Use MLA or another instrument.",
            src,
        )
    heavy = [c for c in req.data.categories if c in ("traffic", "content")]
    enforcing = getattr(req, "enforcing_authority", None)
    if spec.family == "disclosure" and heavy and enforcing is None:
        ctx.add(
            "EE184",
            "$.enforcing_authority",
            f"a production order for {' and '.join(heavy)} data must be notified to the "
            "enforcing authority",
            "Name the enforcing authority of the State where the addressee is established "
            "and notify it when the order is sent.",
            src,
        )


_ART29_FIELDS: Final = ("custodian_information", "mla_to_follow")
"""The fields that state the contents of Budapest art. 29(2)(d) and (f)."""


def _art29(ctx: _Ctx, now: datetime) -> None:
    """Budapest art. 29(2): a preservation request (not an EU order) whose model has the
    fields for the contents the article lists states them."""
    req = ctx.request
    spec = kind_spec(req.kind)
    fields = type(req).model_fields
    if spec.family != "preservation" or spec.eu_order:
        return
    if not all(name in fields for name in _ART29_FIELDS):
        return
    missing = []
    if getattr(req, "custodian_information", None) is None:
        missing.append(("$.custodian_information", "what is known about the custodian (d)"))
    if not getattr(req, "mla_to_follow", None):
        missing.append(("$.mla_to_follow", "that a mutual assistance request will follow (f)"))
    for path, what in missing:
        ctx.add(
            "EE191",
            path,
            f"the request does not state {what}",
            "Add it: Budapest art. 29(2) lists it among the contents of a preservation request.",
            ctx.law_source("cets-185"),
        )


def _official_email(ctx: _Ctx, now: datetime) -> None:
    req = ctx.request
    required = ctx.profile.required_for(req.kind) or frozenset()
    by_channel = any(
        "official_email_domain" in c.requirements for c in ctx.profile.channels_for(req.kind)
    )
    if "official_email_domain" not in required and not by_channel:
        return
    emails = [("$.authority.officer.email", req.authority.officer.email)]
    for path, email in emails:
        domain = email.rsplit("@", 1)[1].lower()
        if domain in PUBLIC_WEBMAIL_DOMAINS:
            ctx.add(
                "EE201",
                path,
                f"{ctx.profile.name} accepts requests only from official email domains; "
                f"{domain} is a public webmail domain",
                "Use the officer's official government address.",
                ctx.fact_source(ctx.profile.required_elements, "required elements"),
            )


def _required_elements(ctx: _Ctx, now: datetime) -> None:
    required = ctx.profile.required_for(ctx.request.kind)
    if required:
        ctx.add(
            "EE202",
            "$",
            f"{ctx.profile.name} requires: "
            + ", ".join(sorted(e.replace("_", " ") for e in required)),
            "Check the rendered letter carries each of these before sending.",
            ctx.fact_source(ctx.profile.required_elements, "required elements"),
        )


def _protocol2(ctx: _Ctx, now: datetime) -> None:
    """An order under the Second Protocol (the row's ``instrument``: CETS 224 art. 7)."""
    instrument = kind_spec(ctx.request.kind).instrument or ""
    if instrument.startswith("protocol2_") and ctx.law.treaties["cets-224"].in_force is None:
        ctx.add(
            "EE211",
            "$.legal_basis",
            "whether the Second Additional Protocol is in force between the two States is not "
            "recorded",
            "Check the Council of Europe treaty office (CETS 224) before relying on art. 7.",
            ctx.law_source(*ctx.law.treaties["cets-224"].sources),
        )


_RULES: Final = (
    _kind_accepted,
    _identifiers_accepted,
    _data_route,
    _emergency,
    _preservation,
    _period,
    _language,
    _confidentiality,
    _eu_order,
    _art29,
    _official_email,
    _required_elements,
    _protocol2,
)
