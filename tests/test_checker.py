"""Each checker rule: a request that triggers it and one that does not."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

import eevidence as ee
from eevidence.provider import RULES, CheckReport, ProviderProfile, check, load_profile_bytes
from eevidence.request import kind_spec
from tests.helpers import ROOT, example_doc

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
KNOWN_TRUE = {"status": "known", "value": True, "sources": ["meta-guidelines"]}
KNOWN_FALSE = {"status": "known", "value": False, "sources": ["meta-guidelines"]}


def profile(pid: str, mutate: Callable[[dict[str, Any]], None] | None = None) -> ProviderProfile:
    raw: dict[str, Any] = json.loads((ROOT / "providers" / f"{pid}.json").read_bytes())
    if mutate:
        mutate(raw)
    return load_profile_bytes(json.dumps(raw).encode(), origin=pid)


def request(
    name: str, mutate: Callable[[dict[str, Any]], None] | None = None, **top: Any
) -> ee.Request:
    doc = example_doc(name)
    doc.update(top)
    if mutate:
        mutate(doc)
    return ee.parse_request(doc)


def run(req: ee.Request, prof: ProviderProfile) -> CheckReport:
    report = check(req, prof, now=NOW)
    assert report.codes() <= set(RULES), report.codes() - set(RULES)
    return report


def paths(report: CheckReport, code: str) -> list[str]:
    return [f.path for f in report.findings if f.code == code]


def test_provider_mismatch() -> None:
    assert paths(run(request("preservation"), profile("google")), "EE001") == ["$.provider"]
    assert "EE001" not in run(request("preservation"), profile("meta")).codes()


def test_kind_not_accepted_and_unknown() -> None:
    def refuse(raw: dict[str, Any]) -> None:
        raw["request_kinds"]["preservation"] = KNOWN_FALSE

    report = run(request("preservation"), profile("meta", refuse))
    assert paths(report, "EE101") == ["$.kind"]
    assert not report.ok
    ok = run(request("preservation"), profile("meta"))
    assert ok.codes().isdisjoint({"EE101", "EE102"})
    assert paths(run(request("voluntary-disclosure"), profile("meta")), "EE102") == ["$.kind"]


def test_identifier_not_accepted_and_unknown() -> None:
    def refuse_email(raw: dict[str, Any]) -> None:
        raw["identifiers"]["email"] = KNOWN_FALSE

    report = run(request("preservation"), profile("meta", refuse_email))
    assert paths(report, "EE111") == ["$.identifiers[1]"]
    finding = next(f for f in report.findings if f.code == "EE111")
    assert "Meta: Information for law enforcement authorities" in finding.source
    only_email = request(
        "preservation", identifiers=[{"type": "email", "value": "a@mail.example.com"}]
    )
    report = run(only_email, profile("meta"))
    assert report.codes().isdisjoint({"EE111", "EE112"})
    assert paths(run(request("preservation"), profile("meta")), "EE112") == ["$.identifiers"]


def test_content_through_a_voluntary_request() -> None:
    content = request("voluntary-disclosure", data={"categories": ["subscriber", "content"]})
    report = run(content, profile("meta"))
    assert paths(report, "EE121") == ["$.data.categories[1]"]
    finding = next(f for f in report.findings if f.code == "EE121")
    assert "mutual legal assistance" in finding.action
    assert "18 U.S.C. 2702" in finding.source
    assert not report.ok
    # a UK authority is pointed at its CLOUD Act agreement
    uk = request("voluntary-disclosure", data={"categories": ["content"]})
    uk_doc = json.loads(ee.canonical_bytes(uk))
    uk_doc["authority"]["country"] = "GB"
    report = run(ee.parse_request(uk_doc), profile("google").model_copy(update={"id": "meta"}))
    assert "`cloud_act_order`" in next(f for f in report.findings if f.code == "EE121").action
    # subscriber data only: no route finding of that kind
    assert "EE121" not in run(request("voluntary-disclosure"), profile("meta")).codes()


def test_data_not_available_at_all() -> None:
    req = request("emergency-disclosure", provider="signal", data={"categories": ["content"]})
    assert paths(run(req, profile("signal")), "EE121") == ["$.data.categories[0]"]
    req = request("emergency-disclosure", provider="signal", data={"categories": ["subscriber"]})
    assert "EE121" not in run(req, profile("signal")).codes()


def test_domestic_process_needs_an_order_attached() -> None:
    req = request("voluntary-disclosure", provider="x", data={"categories": ["subscriber"]})
    assert paths(run(req, profile("x")), "EE122") == ["$.data.categories[0]"]
    with_order = request(
        "voluntary-disclosure",
        provider="x",
        data={"categories": ["subscriber"]},
        attachments=[{"name": "order.pdf", "kind": "court_order"}],
    )
    assert "EE122" not in run(with_order, profile("x")).codes()


def test_unknown_route_for_a_category() -> None:
    assert paths(run(request("voluntary-disclosure"), profile("meta")), "EE123") == [
        "$.data.categories[0]",
        "$.data.categories[1]",
    ]
    req = request("voluntary-disclosure", provider="x", data={"categories": ["subscriber"]})
    assert "EE123" not in run(req, profile("x")).codes()


def test_emergency_details_and_channel() -> None:
    def thin(doc: dict[str, Any]) -> None:
        del doc["emergency"]["persons_at_risk"]
        del doc["emergency"]["imminence"]

    report = run(request("emergency-disclosure", thin), profile("meta"))
    assert paths(report, "EE131") == ["$.emergency"]
    assert "persons at risk or imminence" in next(
        f.message for f in report.findings if f.code == "EE131"
    )
    full = run(request("emergency-disclosure"), profile("meta"))
    assert "EE131" not in full.codes()
    channel = next(f for f in full.findings if f.code == "EE132")
    assert "facebook.com/records" in channel.message
    assert "EE132" not in run(request("preservation"), profile("meta")).codes()


def test_preservation_longer_than_granted() -> None:
    report = run(request("preservation", preservation_days=120), profile("meta"))
    assert paths(report, "EE141") == ["$.preservation_days"]
    assert (
        "EE141" not in run(request("preservation", preservation_days=90), profile("meta")).codes()
    )
    # provider silent, US provider, US requester: the statute's 90 days apply
    us_request = request("preservation", provider="apple", preservation_days=120)
    us_doc = json.loads(ee.canonical_bytes(us_request))
    us_doc["authority"]["country"] = "US"
    us_doc["legal_basis"] = [{"instrument": "us_18_usc_2703f", "article": "2703(f)"}]
    apple = run(ee.parse_request(us_doc), profile("apple"))
    finding = next(f for f in apple.findings if f.code == "EE141")
    assert "2703(f)(2)" in finding.source
    # ... not a foreign requester: 2703(f) is not theirs, Budapest art. 29(7) is a minimum
    assert "EE141" not in run(us_request, profile("apple")).codes()
    # Snap grants non-US requesters a year
    snap = run(request("preservation", provider="snap", preservation_days=365), profile("snap"))
    assert "EE141" not in snap.codes()


def test_extension_rules() -> None:
    base: dict[str, Any] = {"provider": "tiktok"}
    report = run(request("preservation-extension", extension_days=120, **base), profile("tiktok"))
    assert paths(report, "EE141") == ["$.extension_days"]
    report = run(request("preservation-extension", extension_number=2, **base), profile("tiktok"))
    assert paths(report, "EE142") == ["$.extension_number"]
    fine = run(request("preservation-extension", **base), profile("tiktok"))
    assert fine.codes().isdisjoint({"EE141", "EE142", "EE143", "EE144"})
    late = request(
        "preservation-extension", provider="reddit", current_expiry="2027-02-03T09:00:00+01:00"
    )
    assert paths(run(late, profile("reddit")), "EE143") == ["$.current_expiry"]
    expired = request(
        "preservation-extension", provider="reddit", current_expiry="2027-01-31T09:00:00+01:00"
    )
    report = run(expired, profile("reddit"))
    assert paths(report, "EE144") == ["$.current_expiry"]
    assert "EE143" not in report.codes()
    assert (
        "EE143"
        not in run(request("preservation-extension", provider="reddit"), profile("reddit")).codes()
    )


def test_period_in_the_future() -> None:
    future = {"start": "2026-12-01T00:00:00Z", "end": "2027-01-01T00:00:00Z"}
    report = run(request("preservation", period=future), profile("meta"))
    assert paths(report, "EE151") == ["$.period"]

    def future_ip(doc: dict[str, Any]) -> None:
        doc["identifiers"][2]["timestamp"] = "2026-12-24T10:00:00+01:00"
        doc["identifiers"][0]["window"] = future

    report = run(request("preservation", future_ip), profile("meta"))
    assert sorted(paths(report, "EE151")) == [
        "$.identifiers[0].window",
        "$.identifiers[2].timestamp",
    ]
    assert "EE151" not in run(request("preservation"), profile("meta")).codes()


def test_period_older_than_retention() -> None:
    old = {"start": "2026-06-01T00:00:00Z", "end": "2026-11-01T00:00:00Z"}
    report = run(request("preservation", provider="reddit", period=old), profile("reddit"))
    assert paths(report, "EE152") == ["$.period"]
    recent = {"start": "2026-09-01T00:00:00Z", "end": "2026-11-01T00:00:00Z"}
    assert (
        "EE152"
        not in run(
            request("preservation", provider="reddit", period=recent), profile("reddit")
        ).codes()
    )


def test_language_rules() -> None:
    report = run(request("preservation", provider="tiktok", language="fr"), profile("tiktok"))
    assert paths(report, "EE161") == ["$.language"]
    translated = request(
        "preservation",
        provider="tiktok",
        language="fr",
        attachments=[{"name": "translation-en.pdf", "kind": "translation", "language": "en"}],
    )
    assert "EE161" not in run(translated, profile("tiktok")).codes()
    assert (
        "EE161"
        not in run(
            request("preservation", provider="tiktok", language="en-GB"), profile("tiktok")
        ).codes()
    )
    assert paths(run(request("preservation", language="fr"), profile("meta")), "EE162") == [
        "$.language"
    ]
    assert "EE162" not in run(request("preservation"), profile("meta")).codes()


def test_only_language_and_channel_statements_whose_scope_covers_the_request_count() -> None:
    def dsa_english(raw: dict[str, Any]) -> None:
        raw["languages"] = {
            "status": "known",
            "value": ["en"],
            "applies_to": ["dsa_regulators"],
            "sources": ["x-guidelines"],
            "note": "Requests under Articles 9 and 10 of the DSA must be in English.",
        }

    def german(doc: dict[str, Any]) -> None:
        doc["authority"]["country"] = "DE"

    x = profile("x", dsa_english)
    assert x.value(x.languages) == ("en",)
    assert x.languages_for("preservation", "DE") is None
    report = run(request("preservation", german, provider="x", language="de"), x)
    assert "EE161" not in report.codes()  # the English rule is for DSA orders, not this request
    (unknown,) = [f for f in report.findings if f.code == "EE162"]
    assert "are unknown" in unknown.message

    def non_us_german(raw: dict[str, Any]) -> None:
        raw["languages"] = {
            "status": "known",
            "value": ["de"],
            "applies_to": ["non_us_authorities"],
            "sources": ["x-guidelines"],
        }

    def us_only(raw: dict[str, Any]) -> None:
        non_us_german(raw)
        raw["languages"]["applies_to"] = ["us_authorities"]

    german_request = request("preservation", german, provider="x", language="de")
    codes = run(german_request, profile("x", non_us_german)).codes()
    assert {"EE161", "EE162"}.isdisjoint(codes)
    assert "EE162" in run(german_request, profile("x", us_only)).codes()
    # A channel opened for DSA regulators only is offered for no request for evidence.
    scoped = profile("x", lambda raw: raw["channels"][0].update(applies_to=["dsa_regulators"]))
    assert all(
        c.name != "Legal Request Submissions site" for c in scoped.channels_for("preservation")
    )
    assert profile("x").channels_for("preservation", "DE")[0].name == (
        "Legal Request Submissions site"
    )


def test_non_disclosure_rules() -> None:
    no_duration = {"reason": "Would alert the suspect."}
    report = run(request("preservation", provider="x", confidentiality=no_duration), profile("x"))
    assert paths(report, "EE171") == ["$.confidentiality.duration_days"]
    assert "EE171" not in run(request("preservation", provider="x"), profile("x")).codes()
    report = run(
        request("voluntary-disclosure", provider="google", confidentiality=None), profile("google")
    )
    assert paths(report, "EE172") == ["$.confidentiality"]
    assert (
        "EE172"
        not in run(request("voluntary-disclosure", provider="google"), profile("google")).codes()
    )
    assert paths(run(request("preservation"), profile("meta")), "EE173") == ["$.confidentiality"]
    with_order = request(
        "preservation", attachments=[{"name": "nd-order.pdf", "kind": "court_order"}]
    )
    assert "EE173" not in run(with_order, profile("meta")).codes()
    # EU orders: the Regulation governs user information, not the provider's policy
    assert (
        run(request("eu-production-order"), profile("meta"))
        .codes()
        .isdisjoint({"EE171", "EE172", "EE173"})
    )


def designated(raw: dict[str, Any]) -> None:
    raw["eu_designated_addressee"] = {
        "status": "known",
        "value": {"name": "Meta Platforms Ireland Ltd", "country": "IE"},
        "sources": ["meta-guidelines"],
    }


def test_eu_order_rules() -> None:
    report = run(request("eu-production-order", provider="apple"), profile("apple"))
    assert paths(report, "EE181") == ["$.provider"]
    assert "EE181" not in run(request("eu-production-order"), profile("meta", designated)).codes()
    report = run(
        request("eu-production-order", created_at="2026-08-17T23:00:00+00:00"), profile("meta")
    )
    assert paths(report, "EE182") == ["$.created_at"]

    def danish(doc: dict[str, Any]) -> None:
        doc["issuing_authority"]["country"] = "DK"

    assert paths(run(request("eu-production-order", danish), profile("meta")), "EE183") == [
        "$.issuing_authority.country"
    ]
    report = run(request("eu-production-order", enforcing_authority=None), profile("meta"))
    assert paths(report, "EE184") == ["$.enforcing_authority"]
    subscriber_only = request(
        "eu-production-order", enforcing_authority=None, data={"categories": ["subscriber"]}
    )
    assert "EE184" not in run(subscriber_only, profile("meta")).codes()
    clean = run(request("eu-production-order"), profile("meta", designated))
    assert clean.codes().isdisjoint({"EE180", "EE181", "EE182", "EE183", "EE184"})
    assert clean.ok
    assert paths(run(request("eu-preservation-order"), profile("meta")), "EE185") == ["$"]
    assert "EE185" not in clean.codes()


def test_budapest_art29_contents() -> None:
    report = run(
        request("preservation", custodian_information=None, mla_to_follow=None), profile("meta")
    )
    assert paths(report, "EE191") == ["$.custodian_information", "$.mla_to_follow"]
    assert "EE191" not in run(request("preservation"), profile("meta")).codes()


def test_official_email_domain() -> None:
    def gmail(doc: dict[str, Any]) -> None:
        doc["authority"]["officer"]["email"] = "claire.martin.police@gmail.com"

    report = run(request("preservation", gmail), profile("meta"))
    assert paths(report, "EE201") == ["$.authority.officer.email"]
    assert not report.ok
    assert "EE201" not in run(request("preservation"), profile("meta")).codes()
    # a provider that does not require it
    assert (
        "EE201"
        not in run(request("preservation", gmail, provider="signal"), profile("signal")).codes()
    )


def test_required_elements_note_and_protocol_status() -> None:
    assert paths(run(request("preservation", provider="x"), profile("x")), "EE202") == ["$"]
    assert "EE202" not in run(request("preservation", provider="signal"), profile("signal")).codes()
    assert paths(run(request("protocol2-art7-order"), profile("telegram")), "EE212") == [
        "$.legal_basis"
    ]
    assert "EE211" not in run(request("preservation"), profile("meta")).codes()


def test_rules_follow_the_row_not_the_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """Which rules apply is read from the kinds table when a request is checked."""
    import eevidence.request.kinds as kinds_module

    order = request("protocol2-art7-order")
    assert "EE212" in run(order, profile("telegram")).codes()
    row = dataclasses.replace(kind_spec(order.kind), instrument=None, bases=())
    monkeypatch.setitem(kinds_module._TABLE, order.kind, row)
    # the legal basis still names art. 7: the Protocol's status is still checked
    assert "EE212" in run(order, profile("telegram")).codes()
    national = request(
        "protocol2-art7-order", legal_basis=[{"instrument": "national_law", "article": "1"}]
    )
    assert run(national, profile("telegram")).codes().isdisjoint({"EE211", "EE212"})
    preservation = request("preservation", custodian_information=None, mla_to_follow=None)
    assert "EE191" in run(preservation, profile("meta")).codes()
    eu = dataclasses.replace(kind_spec("preservation"), eu_order=True)
    monkeypatch.setitem(kinds_module._TABLE, "preservation", eu)
    assert "EE191" not in run(preservation, profile("meta")).codes()  # not a Budapest request


def test_a_kind_the_profile_does_not_list_is_unknown() -> None:
    """A profile older than a kind says nothing about it: EE102, never a KeyError."""
    meta = profile("meta")
    kinds = {k: v for k, v in meta.request_kinds.items() if k != "preservation"}
    older = type(meta).model_construct(**{**dict(meta), "request_kinds": kinds})
    assert paths(run(request("preservation"), older), "EE102") == ["$.kind"]


def test_a_now_near_year_one_is_checked() -> None:
    """Retention horizons before year 1 are skipped, not an OverflowError."""
    report = check(request("preservation"), profile("meta"), now=datetime(1, 1, 2, tzinfo=UTC))
    assert report.request_id == request("preservation").id


def test_report_shape_and_ordering() -> None:
    report = run(
        request("voluntary-disclosure", data={"categories": ["content"]}),
        profile("meta"),
    )
    severities = [f.severity for f in report.findings]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)
    as_dict = report.to_dict()
    assert as_dict["ok"] is False
    assert as_dict["counts"]["error"] == len(report.by_severity("error")) >= 1
    assert set(as_dict["findings"][0]) == {
        "code",
        "severity",
        "path",
        "message",
        "action",
        "source",
    }


def test_naive_now_is_refused() -> None:
    with pytest.raises(ee.InputError, match="aware"):
        check(request("preservation"), profile("meta"), now=datetime(2026, 11, 22))


def test_catalogue_is_consistent() -> None:
    for code, rule in RULES.items():
        assert rule.code == code
        assert code.startswith("EE")
        assert rule.severity in {"error", "warning", "info"}


def test_findings_doc_does_not_drift() -> None:
    from eevidence.provider import findings_markdown

    assert (ROOT / "docs" / "findings.md").read_text(encoding="utf-8") == findings_markdown()
