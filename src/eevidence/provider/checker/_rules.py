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

from datetime import datetime, timedelta
from typing import Final

from eevidence._internal.codes import languages_match
from eevidence.errors import InputError
from eevidence.provider._law import LawFacts, law_facts
from eevidence.provider._profiles import ProviderProfile
from eevidence.provider.checker import _basis, _codes, _elements, _eu, _state, _us
from eevidence.provider.checker._ctx import Ctx, Rule, windows, written_languages
from eevidence.provider.checker._elements import PUBLIC_WEBMAIL_DOMAINS
from eevidence.provider.checker._report import CheckReport, sort_findings
from eevidence.provider.checker._requested import NoAuthorityEntry, RequestedAuthorityFacts
from eevidence.provider.routes._facts import criminal_channels, dsa_only
from eevidence.request import (
    EmergencyDetails,
    IpAddressIdentifier,
    Request,
    RequestedAuthority,
    emergency_details,
    is_emergency,
    kind_spec,
)

__all__ = ["PUBLIC_WEBMAIL_DOMAINS", "check"]


def check(
    request: Request,
    provider: ProviderProfile,
    *,
    now: datetime,
    law: LawFacts | None = None,
    requested_authority: RequestedAuthorityFacts | NoAuthorityEntry | None = None,
) -> CheckReport:
    """Check ``request`` against ``provider``'s profile at time ``now``.

    Every rule of the catalogue (:data:`~eevidence.provider.checker.RULES`,
    ``docs/findings.md``) is applied that fits the request's kind (kinds table), in the
    order of ``_RULES``: registry codes (ISO 3166-1, BCP 47, E.164 numbering plans); the
    legal basis against the kind's ``bases``; the provider accepts the kind and the
    identifiers; the data route of a disclosure (foreign-access facts of the profile,
    bounded by 18 U.S.C. 2702 for a US provider); emergency details (18 U.S.C. 2702(b)(8),
    (c)(4); the provider's criteria) and the provider's emergency scope for foreign
    authorities; 18 U.S.C. 2703(f) named by a foreign authority (2711(4)); preservation
    periods and extensions (the profile's terms, else 18 U.S.C. 2703(f)(2) for a US
    requester to a US provider); the period against ``now`` and the provider's published
    retention; the language (the provider's, or Reg. (EU) 2023/1543 art. 9 for EU orders);
    user notice and non-disclosure; the conditions of Reg. (EU) 2023/1543 for EU orders
    (arts. 4(5), 5(4), 7, 8, 11, 34); the contents of a Budapest art. 29 preservation
    request (art. 29(2)); official email domains and the provider's required elements; the
    Second Protocol (CETS 224) between the two States for art. 7 orders; the conditions of
    a CLOUD Act agreement (18 U.S.C. 2523) for orders under it; for a request addressed to
    a State (kinds table ``addressee``), the treaty binding both States on the request's
    date, dual criminality, the link of each measure to the offence, urgency (terrorism, a
    lapsing preservation), Budapest art. 30 for traffic disclosure and, when
    ``requested_authority`` is given, the languages the requested authority accepts, while
    the rules about what the provider accepts from foreign authorities are left out.

    Args:
        request: the request to check.
        provider: the profile to check against (normally the addressee's; a mismatch is
            finding EE001).
        now: the moment of the check, aware (with a UTC offset); periods in the future and
            retention horizons (days before ``now``) are measured from it.
        law: the legal facts (default: the shipped ones, :func:`eevidence.provider.law_facts`).
        requested_authority: for a request addressed to a State, what the directory of
            authorities (:mod:`eevidence.authorities`) says of its requested authority: the
            entry's facts (the request's language is checked against the languages it
            accepts: EE241, or the note EE242 when they are unknown) or that there is no
            entry (the note EE243). None (the default): the caller did not look it up, and
            nothing is said of it.

    Returns:
        The report: every finding, errors first; ``ok`` when none is an error.

    Raises:
        InputError: ``now`` is naive; the request's kind has no row in the kinds table;
            ``requested_authority`` is given for a request not addressed to a State, or is
            of another State than the request's requested authority.
        ConfigurationError: ``law`` is not given and the shipped legal facts cannot be
            loaded (a broken installation).
    """
    if now.tzinfo is None:
        raise InputError("now must be an aware datetime (with a UTC offset)", source="check")
    _check_requested(request, requested_authority)
    ctx = Ctx(request, provider, law or law_facts(), requested_authority)
    if request.provider != provider.id:
        ctx.add(
            "EE001",
            "$.provider",
            f"the request is addressed to {request.provider!r}, checked against {provider.id!r}",
            "Check against the addressee's profile, or correct the provider id.",
            "request.provider",
        )
    to_state = kind_spec(request.kind).addressee == "state"
    for rule in _RULES:
        if not (to_state and rule in _PROVIDER_ADDRESSED):
            rule(ctx, now)
    return CheckReport(request.id, provider.id, sort_findings(ctx.findings))


def _check_requested(
    request: Request, facts: RequestedAuthorityFacts | NoAuthorityEntry | None
) -> None:
    if facts is None:
        return
    requested = getattr(request, "requested_authority", None)
    if kind_spec(request.kind).addressee != "state" or not isinstance(
        requested, RequestedAuthority
    ):
        raise InputError(
            f"requested_authority given for a {request.kind.replace('_', ' ')} request, "
            "which is not addressed to a State",
            source="check",
        )
    if facts.country != requested.country:
        raise InputError(
            f"requested_authority facts of {facts.country} for a request to {requested.country}",
            source="check",
        )


# --------------------------------------------------------------------------- rules


def _kind_accepted(ctx: Ctx, now: datetime) -> None:
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


def _identifiers_accepted(ctx: Ctx, now: datetime) -> None:
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


def _emergency(ctx: Ctx, now: datetime) -> None:
    """The emergency details and where the request goes: for an EU order, the Regulation's
    emergency case (art. 3(18)) and its 8 hours, binding on the designated addressee
    (art. 10(4)); otherwise 18 U.S.C. 2702(b)(8), (c)(4) and the provider's emergency
    channel (never one serving the Digital Services Act only)."""
    details = emergency_details(ctx.request)
    if details is None:
        return
    if kind_spec(ctx.request.kind).eu_order:
        _eu_emergency(ctx, details)
        return
    statute = ctx.law.us_18_usc_2702
    missing = [name for name in ("persons_at_risk", "imminence") if getattr(details, name) is None]
    if missing:
        ctx.add(
            "EE131",
            "$.emergency",
            "the emergency details do not say " + " or ".join(m.replace("_", " ") for m in missing),
            "State who is at risk and when the harm is expected: the provider decides "
            "whether there is a danger of death or serious physical injury on these facts.",
            ctx.cite(statute.sources, statute.content_emergency_ref, statute.records_emergency_ref)
            + "; "
            + ctx.fact_source(ctx.profile.emergency.criteria, "emergency criteria"),
        )
    channels = criminal_channels(ctx.profile, "emergency_disclosure")
    where = ", ".join(c.name + (f" ({c.url})" if c.url else "") for c in channels) or "unknown"
    criteria = ctx.profile.value(ctx.profile.emergency.criteria) or "unknown"
    ctx.add(
        "EE132",
        "$.emergency",
        f"emergency channel: {where}; criteria: {criteria}",
        "Send through the emergency channel and keep the 24/7 contact reachable.",
        ctx.fact_source(ctx.profile.emergency.criteria, "emergency"),
    )


def _eu_emergency(ctx: Ctx, details: EmergencyDetails) -> None:
    eu = ctx.law.eu_regulation_2023_1543
    clock = eu.emergency_production
    source = ctx.cite(eu.sources, "art. 3(18)", clock.ref)
    missing = [name for name in ("persons_at_risk", "imminence") if getattr(details, name) is None]
    if missing:
        ctx.add(
            "EE131",
            "$.emergency",
            "the emergency details do not say " + " or ".join(m.replace("_", " ") for m in missing),
            "State who is at risk and when the harm is expected: an emergency case is an "
            "imminent threat to life, physical integrity or safety of a person, or to a "
            "critical infrastructure (art. 3(18)).",
            source,
        )
    addressee = ctx.profile.designated_addressee()
    to = (
        f"{addressee.name}, {ctx.profile.name}'s designated establishment or legal representative"
        if addressee is not None
        else f"{ctx.profile.name}'s designated establishment or legal representative (not recorded)"
    )
    ctx.add(
        "EE132",
        "$.emergency",
        f"emergency case (art. 3(18)): the order goes to {to}, which must transmit the data "
        f"without undue delay, at the latest within {clock} of receipt ({clock.ref})",
        "Send the EPOC to the designated addressee by the means it designated and keep the "
        "issuing authority reachable; notify the enforcing authority where art. 8 requires.",
        source
        + "; "
        + ctx.fact_source(ctx.profile.eu_designated_addressee, "EU designated addressee"),
    )


def _period(ctx: Ctx, now: datetime) -> None:
    req = ctx.request
    for path, window in windows(req):
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
        for path, window in windows(req):
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


def _language(ctx: Ctx, now: datetime) -> None:
    """The provider's languages for law-enforcement requests (not for EU orders: their
    language is the Regulation's, art. 9, checked by ``_eu.eu_language``)."""
    req = ctx.request
    if kind_spec(req.kind).eu_order:
        return
    fact = ctx.profile.languages
    # Only a language statement whose scope covers this request counts (one made for Digital
    # Services Act orders, or for requesters of another country, does not).
    languages = ctx.profile.languages_for(req.kind, req.authority.country)
    if languages is not None and dsa_only(ctx.profile, fact):
        languages = None
    lang = req.language
    tags = written_languages(req)
    if languages is None:
        if not any(languages_match(t, ("en",)) for t in tags):
            ctx.add(
                "EE162",
                "$.language",
                f"the languages {ctx.profile.name} accepts for law-enforcement requests are "
                f"unknown; the request is in {lang}",
                "Attach an English translation (attachment kind 'translation' with language 'en').",
                ctx.fact_source(fact, "languages"),
            )
        return
    if not any(languages_match(t, languages) for t in tags):
        ctx.add(
            "EE161",
            "$.language",
            f"{ctx.profile.name} accepts {', '.join(languages)}; the request is in {lang}",
            f"Attach a translation into {languages[0]} (attachment kind 'translation' with "
            f"language '{languages[0]}').",
            ctx.fact_source(fact, "languages"),
        )


def _confidentiality(ctx: Ctx, now: datetime) -> None:
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


_RULES: Final[tuple[Rule, ...]] = (
    _codes.codes,
    _basis.legal_basis,
    _basis.emergency_content_basis,
    _kind_accepted,
    _identifiers_accepted,
    _us.data_route,
    _emergency,
    _us.emergency_scope,
    _us.us_preservation_requester,
    _us.preservation,
    _eu.eu_preservation_clock,
    _period,
    _language,
    _eu.eu_language,
    _confidentiality,
    _eu.eu_order,
    _basis.art29,
    _elements.official_email,
    _elements.required_elements,
    _basis.protocol2,
    _us.cloud_act_order,
    _state.state_party,
    _state.dual_criminality,
    _state.measure_relevance,
    _state.urgency,
    _state.traffic_disclosure_basis,
    _state.requested_language,
)
"""Every rule, in the order it runs (findings are sorted afterwards)."""

_PROVIDER_ADDRESSED: Final[frozenset[Rule]] = frozenset(
    {
        _kind_accepted,
        _us.data_route,
        _us.emergency_scope,
        _us.preservation,
        _language,
        _confidentiality,
        _elements.official_email,
        _elements.required_elements,
    }
)
"""Rules about what the provider accepts from a foreign authority that sends it a request
(its request kinds, data routes, preservation terms, languages, notice policy, required
elements). A request addressed to a State (kinds table ``addressee``) is not sent to the
provider; the requested State executes it under its own law, so they do not apply."""
