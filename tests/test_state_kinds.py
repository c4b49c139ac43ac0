"""State-to-State kinds: a request for mutual legal assistance (``mla_request``) and a
preservation request through the 24/7 network (``preservation_24_7``).

Their models (the requested State's authority, the prosecution office's case number, the
measures, the earlier requests, urgency), their checker rules (the treaty binding both
States on the request's date, dual criminality, the link of each measure to the offence,
urgency, art. 30), their letters (addressed to the requested authority, marked urgent) and
their tracking (the 24/7 preservation's art. 29(7) minimum, the ``transmitted`` event).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from eevidence.errors import LifecycleError, RequestValidationError
from eevidence.letter import build_letter, catalogue, render_letter
from eevidence.letter._model import Fields
from eevidence.provider import check, law_facts, load_providers
from eevidence.request import KINDS, Request, parse_request
from eevidence.tracking import (
    Event,
    Terms,
    apply_event,
    deadlines_of,
    terms_for,
    tracked_from_request,
)
from tests.helpers import example_doc

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
REGISTRY = load_providers()
STATE_ONLY = {f"EE23{i}" for i in range(1, 9)} | {"EE241", "EE242", "EE243"}
PROVIDER_RULES = {"EE101", "EE102", "EE161", "EE162", "EE171", "EE172", "EE173", "EE201", "EE202"}


def mla(**changes: Any) -> Request:
    return parse_request({**example_doc("mla-request"), **changes})


def p247(**changes: Any) -> Request:
    return parse_request({**example_doc("preservation-24-7"), **changes})


def refused(doc: dict[str, Any]) -> str:
    """Every problem the parser reports for ``doc``, as one text."""
    with pytest.raises(RequestValidationError) as caught:
        parse_request(doc)
    return caught.value.diagnostics()


def codes(request: Request, now: datetime = NOW) -> set[str]:
    return {f.code for f in check(request, REGISTRY.get(request.provider), now=now).findings}


def findings(request: Request, code: str) -> list[Any]:
    report = check(request, REGISTRY.get(request.provider), now=NOW)
    return [f for f in report.findings if f.code == code]


# --------------------------------------------------------------------------- models


def test_the_rows_say_a_state_is_addressed() -> None:
    assert {k for k, s in KINDS.items() if s.addressee == "state"} == {
        "mla_request",
        "preservation_24_7",
    }
    assert KINDS["mla_request"].order
    assert not KINDS["preservation_24_7"].order
    assert KINDS["preservation_24_7"].family == "preservation"


def test_a_request_to_the_requesting_state_itself_is_refused() -> None:
    doc = example_doc("mla-request")
    home = {**doc["requested_authority"], "country": "FR"}
    assert "requested State is the requesting" in refused({**doc, "requested_authority": home})


def test_an_mla_request_needs_the_case_number_of_the_prosecution() -> None:
    doc = example_doc("mla-request")
    issuer = {k: v for k, v in doc["issuing_authority"].items() if k != "file_reference"}
    assert "file_reference is required" in refused({**doc, "issuing_authority": issuer})
    assert "$.measures" in refused({**doc, "measures": []})  # at least one measure


def test_urgency_reasons_are_distinct() -> None:
    doc = example_doc("mla-request")
    urgency = {**doc["urgency"], "reasons": ["terrorism", "terrorism"]}
    assert "listed twice" in refused({**doc, "urgency": urgency})


def test_profiles_need_no_fact_for_a_kind_sent_to_a_state() -> None:
    meta = REGISTRY.get("meta")
    assert "mla_request" not in meta.request_kinds
    assert "preservation_24_7" not in meta.request_kinds


# --------------------------------------------------------------------------- checker


def test_the_examples_raise_no_state_finding_and_no_provider_rule() -> None:
    for request in (mla(), p247()):
        found = codes(request)
        assert not found & STATE_ONLY, found
        assert not found & PROVIDER_RULES, found  # the provider is not the addressee


def test_a_state_not_yet_bound_by_the_treaty_on_the_request_date() -> None:
    doc = example_doc("mla-request")
    to_brazil = {**doc["requested_authority"], "country": "BR"}
    early = mla(requested_authority=to_brazil, created_at="2022-12-01T10:00:00+01:00")
    (finding,) = findings(early, "EE231")
    assert finding.path == "$.legal_basis[0]"
    assert "enters into force for BR on 2023-03-01" in finding.message
    assert "EE231" not in codes(mla(requested_authority=to_brazil))  # in force by 2026


def test_a_treaty_status_not_recorded_is_a_note() -> None:
    doc = example_doc("mla-request")
    kenya = {**doc["requested_authority"], "country": "KE"}
    (finding,) = findings(mla(requested_authority=kenya), "EE232")
    assert "whether KE is a Party" in finding.message
    untoc = [{"instrument": "untoc_art18", "article": "18"}]
    (finding,) = findings(mla(legal_basis=untoc), "EE232")
    assert "Transnational Organized Crime" in finding.message
    assert "unvienna.org" in finding.source  # the UN's own announcement of its entry into force


def test_untoc_art18_between_a_party_and_a_state_not_yet_bound() -> None:
    """The depositary's chart (UNTC XVIII-12): Belgium and Australia are Parties; the
    Convention entered into force for Bangladesh on 12 August 2011 (art. 38(2))."""
    doc = example_doc("mla-request")
    untoc = [{"instrument": "untoc_art18", "article": "18"}]
    belgium = {**doc["authority"], "country": "BE"}
    to = {state: {**doc["requested_authority"], "country": state} for state in ("AU", "BD")}
    both = mla(authority=belgium, requested_authority=to["AU"], legal_basis=untoc)
    assert not codes(both) & {"EE231", "EE232"}
    early = mla(
        authority=belgium,
        requested_authority=to["BD"],
        legal_basis=untoc,
        created_at="2011-08-01T10:00:00+02:00",
    )
    (finding,) = findings(early, "EE231")
    assert finding.path == "$.legal_basis[0]"
    assert "enters into force for BD on 2011-08-12" in finding.message
    assert "BE is a Party" in finding.message
    assert "treaties.un.org" in finding.source
    later = mla(authority=belgium, requested_authority=to["BD"], legal_basis=untoc)
    assert not codes(later) & {"EE231", "EE232"}


def test_dual_criminality_for_traffic_or_content() -> None:
    (finding,) = findings(mla(dual_criminality=None), "EE233")
    assert "traffic and content" in finding.message
    assert "art. 25(5)" in finding.source
    subscriber = {"categories": ["subscriber"]}
    assert "EE233" not in codes(mla(dual_criminality=None, data=subscriber))
    assert "EE233" not in codes(p247())  # preservation: art. 29(3)


def test_each_of_several_measures_states_its_link_to_the_offence() -> None:
    doc = example_doc("mla-request")
    second = {"description": "Obtain the IP logs of the Facebook account", "provider": "meta"}
    (finding,) = findings(mla(measures=[*doc["measures"], second]), "EE234")
    assert finding.path == "$.measures[1].relevance"
    assert "EE234" not in codes(mla())  # one measure: the justification says it


def test_a_terrorism_case_is_marked_urgent() -> None:
    (finding,) = findings(mla(urgency=None), "EE235")
    assert "terrorism" in finding.message
    case = {**example_doc("mla-request")["case"], "terrorism_related": False}
    assert "EE235" not in codes(mla(urgency=None, case=case))


def test_a_cited_preservation_that_lapsed_or_lapses_soon() -> None:
    doc = example_doc("mla-request")
    earlier = doc["earlier_requests"][0]
    lapsed = {**earlier, "expires": "2026-11-20T00:00:00Z"}
    (finding,) = findings(mla(earlier_requests=[lapsed]), "EE236")
    assert "lapsed on 2026-11-20" in finding.message
    soon = {**earlier, "expires": "2026-12-20T00:00:00Z"}
    urgency = {**doc["urgency"], "reasons": ["terrorism"]}
    (finding,) = findings(mla(earlier_requests=[soon], urgency=urgency), "EE237")
    assert finding.path == "$.earlier_requests[0].expires"
    assert "EE237" not in codes(mla(earlier_requests=[soon]))  # marked urgent for it


def test_traffic_disclosure_rests_on_article_30() -> None:
    art29 = [{"instrument": "budapest_art29", "article": "29"}]
    (finding,) = findings(p247(legal_basis=art29), "EE238")
    assert "art. 30" in finding.source
    assert "EE238" not in codes(p247(legal_basis=art29, expedited_traffic_disclosure=False))


def test_the_legal_basis_fits_the_kind() -> None:
    assert "EE103" in codes(mla(legal_basis=[{"instrument": "budapest_art29"}]))
    assert "EE103" in codes(p247(legal_basis=[{"instrument": "budapest_art31"}]))


# --------------------------------------------------------------------------- letters


@pytest.mark.parametrize("lang", ["en", "fr", "es", "ar"])
def test_the_letter_is_addressed_to_the_requested_authority_and_marked_urgent(lang: str) -> None:
    t = catalogue(lang)
    letter = build_letter(mla(), lang=lang)
    meta = dict(letter.meta)
    assert meta[t("meta.priority")].startswith(t("value.urgent"))
    assert t("urgency.terrorism") in meta[t("meta.priority")]
    (addressee,) = [s for s in letter.sections if s.title == t("section.addressee")]
    block = addressee.blocks[0]
    assert isinstance(block, Fields)
    rows = dict(block.rows)
    assert rows[t("field.authority_role")] == t("role.central_authority")
    assert rows[t("field.data_holder")] == REGISTRY.get("meta").name
    assert letter.closing == t("sentence.closing_state")
    assert "{" not in letter.intro


def test_a_letter_without_urgency_has_no_priority_row() -> None:
    letter = build_letter(mla(urgency=None), lang="en")
    assert "Priority" not in dict(letter.meta)
    assert "Urgency" not in [s.title for s in letter.sections]


def test_the_24_7_letter_asks_for_article_30_disclosure_only_when_asked() -> None:
    text = " ".join(render_letter(p247(), fmt="txt", lang="en").decode().split())
    assert "(Convention on Cybercrime, article 30)" in text
    assert "24/7 point of contact" in text
    without = render_letter(p247(expedited_traffic_disclosure=False), fmt="txt", lang="en")
    assert "article 30)" not in " ".join(without.decode().split())


# --------------------------------------------------------------------------- tracking


def test_a_24_7_preservation_lasts_at_least_the_art_29_7_minimum() -> None:
    request = p247()
    terms = terms_for(request, None, law_facts())
    assert terms.preservation_days == law_facts().budapest_art29.minimum.amount == 60
    tracked = tracked_from_request(request, REGISTRY.get("google"), now=NOW)
    at = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
    t = apply_event(tracked, Event("submitted", at, "o"), now=NOW)
    t = apply_event(t, Event("preserved", at + timedelta(hours=5), "o"), now=NOW)
    assert t.expires == at + timedelta(hours=5, days=60)
    expiring = {d.kind: d for d in deadlines_of(t)}["preservation_expires"]
    assert "art. 29(7)" in expiring.basis


def test_an_mla_request_has_no_execution_clock() -> None:
    request = mla()
    assert terms_for(request, None, law_facts()) == Terms()
    t = tracked_from_request(request, None, now=NOW)
    t = apply_event(t, Event("submitted", NOW - timedelta(hours=2), "o"), now=NOW)
    assert {d.kind for d in deadlines_of(t)} == {"acknowledgement_due"}


def test_the_stages_of_mutual_assistance() -> None:
    t = tracked_from_request(mla(), None, now=NOW)
    start = NOW - timedelta(days=1)
    t = apply_event(t, Event("submitted", start, "o"), now=NOW)
    t = apply_event(t, Event("received", start + timedelta(hours=2), "o"), now=NOW)
    with pytest.raises(LifecycleError, match="before the receipt"):
        apply_event(t, Event("transmitted", start + timedelta(hours=1), "o"), now=NOW)
    t = apply_event(t, Event("transmitted", start + timedelta(hours=3), "o"), now=NOW)
    assert t.state == "submitted"  # a record event: the state is kept
    with pytest.raises(LifecycleError, match="already recorded"):
        apply_event(t, Event("transmitted", start + timedelta(hours=4), "o"), now=NOW)
    t = apply_event(t, Event("disclosed", start + timedelta(hours=5), "o", partial=True), now=NOW)
    assert not t.terminal  # partially executed
    t = apply_event(t, Event("disclosed", start + timedelta(hours=6), "o"), now=NOW)
    assert t.terminal  # executed


def test_only_a_request_to_a_state_is_transmitted_for_execution() -> None:
    preservation = parse_request(example_doc("preservation"))
    t = tracked_from_request(preservation, None, now=NOW)
    t = apply_event(t, Event("submitted", NOW - timedelta(hours=1), "o"), now=NOW)
    with pytest.raises(LifecycleError, match="only applies to a request addressed to a State"):
        apply_event(t, Event("transmitted", NOW, "o"), now=NOW)


def test_a_refusal_keeps_its_reasons() -> None:
    t = tracked_from_request(p247(), None, now=NOW)
    t = apply_event(t, Event("submitted", NOW - timedelta(hours=1), "o"), now=NOW)
    reason = "the requested Party reserved art. 29(4): dual criminality not met"
    t = apply_event(t, Event("rejected", NOW, "o", reason=reason), now=NOW)
    assert t.reject_reason == reason


def test_country_codes_of_a_request_to_a_state_are_checked() -> None:
    from tests.helpers import example_doc

    doc = example_doc("mla-request")
    doc["requested_authority"]["country"] = "ZZ"
    doc["persons"] = [{"capacity": "suspect", "name": "A. Person", "nationality": "XY"}]
    request = parse_request(doc)
    report = check(request, load_providers(environ={}).get("meta"), now=request.created_at)
    flagged = {f.path for f in report.findings if f.code == "EE002"}
    assert flagged == {"$.requested_authority.country", "$.persons[0].nationality"}
