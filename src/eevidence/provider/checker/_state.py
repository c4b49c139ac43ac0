"""Checker rules of requests addressed to a State (kinds table ``addressee`` ``state``): a
request for mutual legal assistance and a preservation request through the 24/7 network.

* the requesting and the requested State are both Parties to the treaty each basis cites,
  on the request's date (the dated treaty charts of ``law/instruments.json``: the Budapest
  Convention, CETS 185, for its arts. 29, 30 and 31; UNTOC for its art. 18);
* dual criminality is addressed where the measures may need it: Budapest art. 25(5) deems
  it fulfilled when the conduct is a criminal offence under the laws of both Parties,
  whatever its name; UNTOC art. 18 lets a requested State decline assistance in its
  absence; preservation needs none (Budapest art. 29(3));
* each measure says how the data it obtains relates to the offence (the T-CY templates;
  Budapest art. 29(2)(c) for a preservation);
* priority: a terrorism case is marked urgent (the UN Counter-Terrorism Committee's
  guidance asks States to expedite and prioritise such requests); a preservation the
  request cites that has lapsed, or lapses within :data:`LAPSE_WARNING_DAYS` days
  without the request being marked urgent for it;
* expedited disclosure of traffic data (Budapest art. 30) is asked on that article;
* the request is written in (or translated into) a language the requested authority
  accepts, as its entry in the directory of authorities states with its sources, when the
  caller looked the authority up (``check(..., requested_authority=...)``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from eevidence._internal.codes import languages_match
from eevidence.provider.checker._ctx import Ctx, written_languages
from eevidence.provider.checker._requested import AUTHORITIES_ENV_NAME, NoAuthorityEntry
from eevidence.request import EarlierRequest, MeasureRequested, RequestedAuthority, kind_spec

__all__ = [
    "LAPSE_WARNING_DAYS",
    "TREATY_OF",
    "dual_criminality",
    "measure_relevance",
    "requested_language",
    "state_party",
    "traffic_disclosure_basis",
    "urgency",
]

TREATY_OF: Final[dict[str, tuple[str, str]]] = {
    "budapest_art29": ("cets-185", "29"),
    "budapest_art30": ("cets-185", "30"),
    "budapest_art31": ("cets-185", "31"),
    "untoc_art18": ("untoc", "18"),
}
"""The treaty (a key of ``treaties`` in ``law/instruments.json``) and the article each
instrument of a State-to-State request names."""
LAPSE_WARNING_DAYS: Final = 30
"""Days before a cited preservation lapses from which a request not marked urgent for it
is flagged."""
_COERCIVE: Final = ("traffic", "content")
_ROLE_NAMES: Final = {
    "central_authority": "central authority",
    "point_of_contact_24_7": "24/7 point of contact",
    "competent_authority": "competent authority",
}


def _requested(ctx: Ctx) -> RequestedAuthority | None:
    if kind_spec(ctx.request.kind).addressee != "state":
        return None
    found = getattr(ctx.request, "requested_authority", None)
    return found if isinstance(found, RequestedAuthority) else None


def state_party(ctx: Ctx, now: datetime) -> None:
    """Both States are Parties to the treaty each basis cites, on the request's date."""
    requested = _requested(ctx)
    if requested is None:
        return
    states = (ctx.request.authority.country, requested.country)
    seen: set[str] = set()
    for i, basis in enumerate(ctx.request.legal_basis):
        treaty = TREATY_OF.get(basis.instrument)
        if treaty is None or basis.instrument in seen:
            continue
        seen.add(basis.instrument)
        treaty_id, article = treaty
        status = ctx.law.treaty_status(treaty_id, states, ctx.request_date)
        why = "; ".join(status.why)
        title = ctx.law.treaties[treaty_id].title
        if status.applies == "no":
            ctx.add(
                "EE231",
                f"$.legal_basis[{i}]",
                f"art. {article} of {title} cannot found this request on "
                f"{ctx.request_date.isoformat()}: {why}",
                "Rest the request on a treaty that binds both States (a bilateral treaty, "
                "UNTOC art. 18) or on reciprocity.",
                "; ".join(status.sources),
            )
        elif status.applies == "unknown":
            ctx.add(
                "EE232",
                f"$.legal_basis[{i}]",
                f"whether {title} binds both {states[0]} and {states[1]} on "
                f"{ctx.request_date.isoformat()} is not recorded: {why}",
                "Check the depositary's chart before relying on this basis.",
                "; ".join(status.sources),
            )


def dual_criminality(ctx: Ctx, now: datetime) -> None:
    """A request for mutual assistance asking for traffic or content data (coercive
    measures in most States) states why the conduct is an offence in the requested State
    too. A kind without the ``dual_criminality`` field (a preservation) is not concerned:
    Budapest art. 29(3)."""
    req = ctx.request
    if _requested(ctx) is None or "dual_criminality" not in type(req).model_fields:
        return
    if getattr(req, "dual_criminality", None):
        return
    heavy = [c for c in req.data.categories if c in _COERCIVE]
    if not heavy:
        return
    ctx.add(
        "EE233",
        "$.dual_criminality",
        f"the request asks for {' and '.join(heavy)} data and does not say why the conduct "
        "is an offence in the requested State too",
        "State the offence under the requested State's law the conduct matches: many "
        "States refuse coercive measures without dual criminality.",
        ctx.cite(("cets-185",), "art. 25(5)")
        + "; United Nations Convention against Transnational Organized Crime art. 18 "
        "(a requested State may decline assistance in the absence of dual criminality)",
    )


def measure_relevance(ctx: Ctx, now: datetime) -> None:
    """With several measures, each says how the data it obtains relates to the offence (the
    request's justification cannot say it for each)."""
    measures = [m for m in getattr(ctx.request, "measures", ()) if isinstance(m, MeasureRequested)]
    if _requested(ctx) is None or len(measures) < 2:
        return
    for i, m in enumerate(measures):
        if m.relevance is None:
            ctx.add(
                "EE234",
                f"$.measures[{i}].relevance",
                "the measure does not say how the data it obtains relates to the offence",
                "Add the link between this data and the offence (relevance): central "
                "authorities refuse or return requests that do not show it.",
                "Council of Europe T-CY template for art. 31 requests; "
                + ctx.cite(("cets-185",), "art. 29(2)"),
            )


def urgency(ctx: Ctx, now: datetime) -> None:
    """A terrorism case marked urgent; a cited preservation that lapsed, or lapses soon
    without the request being marked urgent for it."""
    req = ctx.request
    if _requested(ctx) is None or "urgency" not in type(req).model_fields:
        return
    marked = getattr(req, "urgency", None)
    reasons: tuple[str, ...] = tuple(getattr(marked, "reasons", ()))
    if req.case.terrorism_related and "terrorism" not in reasons:
        ctx.add(
            "EE235",
            "$.urgency",
            "the case is related to terrorism and the request is not marked urgent for it",
            "Add urgency with reason 'terrorism' and say why: the letter then marks it urgent.",
            "UN Security Council Counter-Terrorism Committee guidance: expedite and "
            "prioritise requests in terrorism cases",
        )
    earlier = [e for e in getattr(req, "earlier_requests", ()) if isinstance(e, EarlierRequest)]
    for i, e in enumerate(earlier):
        if e.expires is None:
            continue
        path = f"$.earlier_requests[{i}].expires"
        if e.expires <= now:
            ctx.add(
                "EE236",
                path,
                f"the preservation cited ({e.description}) lapsed on "
                f"{e.expires.date().isoformat()}: the data may be gone",
                "Ask the provider or the requested State whether the data are still kept; "
                "preserve again if they are not.",
                "the earlier request's recorded expiry",
            )
        elif e.expires - now <= timedelta(days=LAPSE_WARNING_DAYS) and (
            "preservation_expiring" not in reasons
        ):
            ctx.add(
                "EE237",
                path,
                f"the preservation cited ({e.description}) lapses on "
                f"{e.expires.date().isoformat()} and the request is not marked urgent for it",
                "Add urgency with reason 'preservation_expiring', and ask for an extension.",
                "the earlier request's recorded expiry",
            )


def traffic_disclosure_basis(ctx: Ctx, now: datetime) -> None:
    """Expedited disclosure of preserved traffic data is asked on Budapest art. 30."""
    req = ctx.request
    if _requested(ctx) is None or getattr(req, "expedited_traffic_disclosure", None) is not True:
        return
    if any(b.instrument == "budapest_art30" for b in req.legal_basis):
        return
    ctx.add(
        "EE238",
        "$.legal_basis",
        "the request asks for the expedited disclosure of traffic data and does not cite "
        "art. 30 of the Budapest Convention",
        "Add the legal basis budapest_art30 (or leave expedited_traffic_disclosure out).",
        ctx.cite(("cets-185",), "art. 30"),
    )


def requested_language(ctx: Ctx, now: datetime) -> None:
    """The request is written in, or translated into, a language the requested authority
    accepts, as its directory entry states (given to :func:`check` by the caller); a note
    when the entry says they are unknown, or when the directory has no entry for it."""
    requested = _requested(ctx)
    facts = ctx.requested_authority
    if requested is None or facts is None:
        return
    role = _ROLE_NAMES.get(requested.capacity, requested.capacity.replace("_", " "))
    lang = ctx.request.language
    if isinstance(facts, NoAuthorityEntry):
        missing = (
            f"has several entries for the {role} of {facts.country} "
            f"({', '.join(facts.candidates)}) and none is the authority named ({requested.name})"
            if facts.candidates
            else f"has no entry for the {role} of {facts.country}"
        )
        ctx.add(
            "EE243",
            "$.requested_authority",
            f"the directory of authorities {missing}: the request's language ({lang}) could "
            "not be checked against the languages it accepts",
            "Confirm the languages it accepts before sending; to have them checked, add its "
            "entry (a JSON file like `eevidence authorities show ID --json`, every fact with "
            f"its source) to the folder named by ${AUTHORITIES_ENV_NAME} or --authorities-dir.",
            f"directory of authorities: {facts.searched}",
        )
        return
    who = f"{facts.name} ({facts.entry_id})"
    cites = "; ".join(facts.sources) or "no source"
    if facts.languages is None:
        note = f" ({facts.note.rstrip('.')})" if facts.note else ""
        ctx.add(
            "EE242",
            "$.language",
            f"the languages {facts.name} accepts requests in are unknown (its entry in the "
            f"directory of authorities); the request is in {lang}",
            "Confirm with the requested authority which languages it accepts (or attach a "
            "translation into its official language), and record them in its directory "
            "entry with their source.",
            f"directory of authorities, {who}, languages unknown{note}; sources read: {cites}",
        )
        return
    tags = written_languages(ctx.request)
    if any(languages_match(t, facts.languages) for t in tags):
        return
    translated = tags[1:]
    ctx.add(
        "EE241",
        "$.language",
        f"{facts.name} accepts requests in {', '.join(facts.languages)}; the request is in "
        f"{lang}" + (f" with translations into {', '.join(translated)}" if translated else ""),
        f"Attach a translation into {facts.languages[0]} (attachment kind 'translation' with "
        f"language '{facts.languages[0]}'), "
        "or write the request in a language it accepts.",
        f"directory of authorities, {who}, languages: {cites}",
    )
