"""Checker rules of the legal basis: whether the instruments a request names can found its
kind (the kinds table's ``bases``), what a Budapest art. 29 preservation request states
(art. 29(2)), and whether the Second Additional Protocol (CETS 224) applies between the
issuing State and the provider's State on the request's date (the treaty chart)."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from eevidence.provider.checker._ctx import Ctx, issuer
from eevidence.request import kind_spec


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
    """An order under the Second Protocol (the row's ``instrument``: CETS 224 art. 7)
    applies only between Parties bound by the article on the request's date."""
    req = ctx.request
    instrument = kind_spec(req.kind).instrument or ""
    if not instrument.startswith("protocol2_"):
        return
    article = instrument.removeprefix("protocol2_art")
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
