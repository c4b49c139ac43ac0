"""Checker rules of the legal basis: whether the instruments a request names can found its
kind (the kinds table's ``bases``), what a Budapest art. 29 preservation request states
(art. 29(2)), and whether the Second Additional Protocol (CETS 224) applies between the
issuing State and the provider's State on the request's date (the treaty chart)."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from eevidence.provider.checker._ctx import Ctx, issuer
from eevidence.request import is_emergency, kind_spec


def legal_basis(ctx: Ctx, now: datetime) -> None:
    """At least one ``legal_basis`` instrument is one the request's kind can rest on."""
    req = ctx.request
    spec = kind_spec(req.kind)
    if not spec.bases:
        return
    named = list(dict.fromkeys(b.instrument for b in req.legal_basis))
    if any(n in spec.bases for n in named):
        return
    kind = req.kind.replace("_", " ")
    ctx.add(
        "EE103",
        "$.legal_basis",
        f"a {kind} request cannot rest on {', '.join(named)}; it can rest on "
        + ", ".join(spec.bases),
        f"Name the instrument the {kind} request rests on, or use the kind that "
        f"{', '.join(named)} founds.",
        f"Kinds table, {req.kind}: " + "; ".join(spec.sources),
    )


def emergency_content_basis(ctx: Ctx, now: datetime) -> None:
    """An emergency disclosure asking for content whose 18 U.S.C. 2702 basis names only an
    article of 2702(c) (records): content in an emergency rests on 2702(b)(8)."""
    req = ctx.request
    if kind_spec(req.kind).eu_order or not is_emergency(req):
        return
    if "content" not in req.data.categories:
        return
    named = [b for b in req.legal_basis if b.instrument == "us_18_usc_2702"]
    if not named:
        return
    cited = [" ".join(x for x in (b.article, b.citation) if x).replace(" ", "") for b in named]
    if any(not c or "(b)" in c for c in cited):
        return  # 2702 as a whole, or (b) cited
    if not all("(c)" in c for c in cited):
        return
    statute = ctx.law.us_18_usc_2702
    ctx.add(
        "EE134",
        "$.legal_basis",
        "the request asks for content in an emergency, but its 18 U.S.C. 2702 basis cites "
        f"only 2702(c), which covers records; content rests on {statute.content_emergency_ref}",
        f"Cite {statute.content_emergency_ref} for content (and "
        f"{statute.records_emergency_ref} for records).",
        ctx.cite(statute.sources, statute.content_emergency_ref, statute.records_emergency_ref),
    )


_ART29_FIELDS: Final = ("custodian_information", "mla_to_follow")
"""The fields that state the contents of Budapest art. 29(2)(d) and (f)."""


def art29(ctx: Ctx, now: datetime) -> None:
    """Budapest art. 29(2): a preservation request (not an EU order) whose model has the
    fields for the contents the article lists states them."""
    req = ctx.request
    spec = kind_spec(req.kind)
    fields = type(req).model_fields
    if spec.family != "preservation" or spec.eu_order:
        return
    if not all(name in fields for name in _ART29_FIELDS):
        return
    budapest = ctx.law.budapest_art29
    missing = []
    if getattr(req, "custodian_information", None) is None:
        missing.append(("$.custodian_information", "what is known about the custodian", "(d)"))
    if not getattr(req, "mla_to_follow", None):
        missing.append(("$.mla_to_follow", "that a mutual assistance request will follow", "(f)"))
    for path, what, point in missing:
        ctx.add(
            "EE191",
            path,
            f"the request does not state {what} ({budapest.contents_ref}{point})",
            f"Add it: Budapest {budapest.contents_ref} lists it among the contents of a "
            "preservation request.",
            ctx.cite(budapest.sources, budapest.contents_ref + point),
        )


def protocol2(ctx: Ctx, now: datetime) -> None:
    """Any request resting on the Second Protocol (its kind's ``instrument``, e.g. CETS 224
    art. 7, or any ``legal_basis`` naming a ``protocol2_*`` article) needs the Protocol, and
    the article, to apply between the two States on the request's date."""
    req = ctx.request
    named = [kind_spec(req.kind).instrument or "", *(b.instrument for b in req.legal_basis)]
    for instrument in dict.fromkeys(n for n in named if n.startswith("protocol2_")):
        _protocol2_article(ctx, instrument.removeprefix("protocol2_art"))


def _protocol2_article(ctx: Ctx, article: str) -> None:
    req = ctx.request
    by = issuer(req)
    state = by.country if by is not None else req.authority.country
    hq = ctx.headquarters
    states = (state, hq) if hq is not None else (state,)
    status = ctx.law.treaty_status("cets-224", states, ctx.request_date, article=article)
    source = "; ".join(status.sources)
    why = "; ".join(status.why)
    if status.applies == "no":
        ctx.add(
            "EE212",
            "$.legal_basis",
            f"art. {article} of the Second Additional Protocol does not apply on "
            f"{ctx.request_date.isoformat()}: {why}",
            "Use mutual legal assistance, or a route the provider accepts (see `eevidence route`).",
            source,
        )
    elif status.applies == "unknown" or hq is None:
        unknown = why if status.applies == "unknown" else ""
        if hq is None:
            unknown = "; ".join(
                x for x in (unknown, f"{ctx.profile.name}'s headquarters are not recorded") if x
            )
        ctx.add(
            "EE211",
            "$.legal_basis",
            f"whether art. {article} of the Second Additional Protocol applies between the "
            f"two States is not recorded: {unknown}",
            "Check the Council of Europe treaty office (CETS 224) before relying on art. "
            f"{article}.",
            source,
        )
