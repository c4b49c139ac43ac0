"""Checker rules that the law bounds: each kind of fault on several providers and kinds, and
the requests the law allows that must not be refused."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

import eevidence as ee
from eevidence.provider import RULES, CheckReport, Finding, Party, check, law_facts
from tests.test_checker import NOW, designated, paths, profile, request, run


def doc_of(name: str, **top: Any) -> dict[str, Any]:
    """A shipped example as a JSON object, with top-level fields replaced."""
    doc: dict[str, Any] = json.loads(ee.canonical_bytes(request(name)))
    doc.update(top)
    return doc


def finding(report: CheckReport, code: str) -> Finding:
    return next(f for f in report.findings if f.code == code)


def us_hq(route: str | None = None) -> Any:
    """A profile mutation: headquarters US, and content's route ``route`` when given."""

    def mutate(raw: dict[str, Any]) -> None:
        src = next(iter(raw["sources"]))
        raw["headquarters"] = {"status": "known", "value": "US", "sources": [src]}
        if route is not None:
            raw["foreign_access"]["content"] = {"status": "known", "value": route, "sources": [src]}

    return mutate


# ------------------------------------------------------------------ 18 U.S.C. 2702


@pytest.mark.parametrize(
    ("pid", "route"),
    [("meta", "voluntary"), ("x", "domestic_process"), ("uber", None), ("snap", "voluntary")],
)
def test_statute_bars_content_on_a_voluntary_request_whatever_the_profile(
    pid: str, route: str | None
) -> None:
    law = law_facts().us_18_usc_2702
    req = request("voluntary-disclosure", provider=pid, data={"categories": ["content"]})
    report = run(req, profile(pid, us_hq(route)))
    f = finding(report, "EE121")
    assert f.severity == "error"
    assert f.path == "$.data.categories[0]"
    assert law.content_emergency_ref in f.source
    assert law.content_agreement_ref in f.source
    assert "mutual legal assistance" in f.action
    assert "cloud_act_order" not in f.action
    assert "EE122" not in report.codes()
    assert "EE123" not in report.codes()


def test_the_way_out_is_the_agreement_in_force_on_the_request_date() -> None:
    gb = doc_of("voluntary-disclosure", provider="x", data={"categories": ["content"]})
    gb["authority"]["country"] = "GB"
    action = finding(run(ee.parse_request(gb), profile("x", us_hq())), "EE121").action
    assert "`cloud_act_order`" in action
    au = law_facts().cloud_act_agreement("AU")
    assert au is not None
    before = dict(gb, created_at=f"{au.in_force.replace(day=1).isoformat()}T10:00:00+00:00")
    before["authority"] = dict(gb["authority"], country="AU")
    action = finding(run(ee.parse_request(before), profile("x", us_hq())), "EE121").action
    assert "`cloud_act_order`" not in action
    assert "mutual legal assistance" in action


def test_the_statute_does_not_bar_what_it_allows() -> None:
    # subscriber data, a non-US provider, an emergency: no statutory bar
    sub = request("voluntary-disclosure", provider="uber", data={"categories": ["subscriber"]})
    assert "EE121" not in run(sub, profile("uber", us_hq())).codes()

    def irish(raw: dict[str, Any]) -> None:
        us_hq("voluntary")(raw)
        raw["headquarters"]["value"] = "IE"

    content = request("voluntary-disclosure", provider="uber", data={"categories": ["content"]})
    assert "EE121" not in run(content, profile("uber", irish)).codes()
    emergency = request("emergency-disclosure", data={"categories": ["content"]})
    assert "EE121" not in run(emergency, profile("meta", us_hq("voluntary"))).codes()


# ------------------------------------------------------------------ 18 U.S.C. 2703(f)


@pytest.mark.parametrize("name", ["preservation", "preservation-extension"])
@pytest.mark.parametrize("pid", ["meta", "google", "tiktok"])
def test_2703f_is_for_us_governmental_entities_only(name: str, pid: str) -> None:
    basis = [{"instrument": "budapest_art29"}, {"instrument": "us_18_usc_2703f"}]
    report = run(request(name, provider=pid, legal_basis=basis), profile(pid))
    f = finding(report, "EE145")
    assert f.path == "$.legal_basis[1]"
    assert law_facts().us_18_usc_2703f.requesters_ref in f.source
    assert "24/7" in f.action
    assert "on your behalf" in f.action
    us = doc_of(name, provider=pid, legal_basis=basis)
    us["authority"]["country"] = "US"
    assert "EE145" not in run(ee.parse_request(us), profile(pid)).codes()
    assert "EE145" not in run(request(name, provider=pid), profile(pid)).codes()


# ------------------------------------------------------------------ legal basis vs kind


@pytest.mark.parametrize(
    ("name", "bad"),
    [
        ("voluntary-disclosure", "budapest_art29"),
        ("emergency-disclosure", "budapest_art29"),
        ("eu-production-order", "budapest_art29"),
        ("preservation", "us_18_usc_2702"),
        ("cloud-act-order", "protocol2_art7"),
    ],
)
def test_a_legal_basis_that_cannot_found_the_kind(name: str, bad: str) -> None:
    req = request(name, legal_basis=[{"instrument": bad}])
    f = finding(run(req, profile(req.provider)), "EE103")
    assert f.severity == "error"
    assert f.path == "$.legal_basis"
    assert req.kind.replace("_", " ") in f.message
    assert bad in f.message
    assert all(b in f.message for b in ee.request.kind_spec(req.kind).bases)
    assert "EE103" not in run(request(name), profile(req.provider)).codes()


# ------------------------------------------------------------------ EU orders


def test_eu_order_language_is_the_regulations_not_the_providers() -> None:
    # TikTok's general languages (English) are not the rule for an EU order
    fr = request("eu-production-order", provider="tiktok", language="fr")
    report = run(fr, profile("tiktok"))
    assert report.codes().isdisjoint({"EE161", "EE162", "EE163"})
    f = finding(report, "EE164")
    assert law_facts().eu_regulation_2023_1543.language_ref in f.source

    def german(raw: dict[str, Any]) -> None:
        designated(raw)
        raw["eu_order_languages"] = {
            "status": "known",
            "value": ["de"],
            "sources": ["meta-guidelines"],
        }

    for name in ("eu-production-order", "eu-preservation-order"):
        report = run(request(name), profile("meta", german))
        assert paths(report, "EE163") == ["$.language"]
        assert "EE164" not in report.codes()
        translated = request(
            name, attachments=[{"name": "epoc-de.pdf", "kind": "translation", "language": "de-AT"}]
        )
        assert "EE163" not in run(translated, profile("meta", german)).codes()


def test_general_languages_compare_by_language_matching() -> None:
    def langs(*tags: str) -> Any:
        def mutate(raw: dict[str, Any]) -> None:
            raw["languages"] = {
                "status": "known",
                "value": list(tags),
                "sources": ["meta-guidelines"],
            }

        return mutate

    assert (
        "EE161"
        in run(
            request("preservation", language="zh-Hans"), profile("meta", langs("zh-Hant"))
        ).codes()
    )
    assert (
        "EE161"
        not in run(request("preservation", language="nb"), profile("meta", langs("no"))).codes()
    )
    assert (
        "EE161"
        not in run(request("preservation", language="he"), profile("meta", langs("iw"))).codes()
    )
    assert (
        "EE161" in run(request("preservation", language="da"), profile("meta", langs("nb"))).codes()
    )


def test_a_language_stated_only_for_the_digital_services_act_is_not_a_rule() -> None:
    def dsa(raw: dict[str, Any]) -> None:
        raw["sources"]["dsa-contact"] = {
            "kind": "provider",
            "title": "Digital Services Act point of contact for Member States' authorities",
            "url": "https://example.org/dsa",
            "published": "undated",
            "read": "2026-12-01",
            "secondary": False,
        }
        raw["languages"] = {"status": "known", "value": ["en"], "sources": ["dsa-contact"]}

    for pid in ("telegram", "x"):
        report = run(request("preservation", provider=pid, language="fr"), profile(pid, dsa))
        assert "EE161" not in report.codes()
        assert paths(report, "EE162") == ["$.language"]


def test_enforcing_authority_notification_and_its_exception() -> None:
    eu = law_facts().eu_regulation_2023_1543
    for categories in (["traffic"], ["content"], ["subscriber", "traffic", "content"]):
        req = request(
            "eu-production-order", enforcing_authority=None, data={"categories": categories}
        )
        f = finding(run(req, profile("meta", designated)), "EE184")
        assert eu.notification_ref in f.source
        assert eu.notification_exception_ref in f.message
        excepted = request(
            "eu-production-order",
            enforcing_authority=None,
            data={"categories": categories},
            notification_exception="The offence is committed in France and the person resides there.",
        )
        assert "EE184" not in run(excepted, profile("meta", designated)).codes()


@pytest.mark.parametrize(
    ("category", "years", "code"),
    [
        ("other", 2, "EE186"),
        ("homicide", 1, "EE186"),
        ("other", None, "EE187"),
        ("other", 3, None),
        ("fraud", 1, None),  # a listed offence (art. 5(4)(b))
        ("terrorism", None, None),
    ],
)
def test_offence_threshold_for_traffic_and_content(
    category: str, years: int | None, code: str | None
) -> None:
    doc = doc_of("eu-production-order")
    doc["case"] = {
        **doc["case"],
        "offence_category": category,
        "maximum_penalty_years": years,
        "terrorism_related": category == "terrorism",
    }
    if years is None:
        del doc["case"]["maximum_penalty_years"]
    report = run(ee.parse_request(doc), profile("meta", designated))
    found = report.codes() & {"EE186", "EE187"}
    assert found == ({code} if code else set())
    if code:
        assert (
            law_facts().eu_regulation_2023_1543.heavy_data_min_penalty_years.ref
            in finding(report, code).source
        )
    # subscriber data and preservation orders: no threshold
    doc["data"] = {"categories": ["subscriber"]}
    assert not run(ee.parse_request(doc), profile("meta", designated)).codes() & {"EE186", "EE187"}
    pres = doc_of("eu-preservation-order")
    pres["case"] = doc["case"]
    assert not run(ee.parse_request(pres), profile("meta", designated)).codes() & {"EE186", "EE187"}


def test_ex_post_validation_deadline() -> None:
    eu = law_facts().eu_regulation_2023_1543
    issuer = {
        "type": "other_competent_authority",
        "name": "Police Judiciaire",
        "country": "FR",
        "representative": "Commissaire Claire Martin",
        "email": "claire.martin@police.example.fr",
        "phone": "+33140000001",
    }
    why = "A child is missing; no judge could be reached in time."
    production = request(
        "eu-production-order",
        issuing_authority=issuer,
        validating_authority=None,
        data={"categories": ["subscriber"]},
        emergency={"threat_nature": "Abduction of a child", "why_without_delay": "Hours count."},
        without_prior_validation=why,
    )
    preservation = request(
        "eu-preservation-order", issuing_authority=issuer, without_prior_validation=why
    )
    for req in (production, preservation):
        f = finding(run(req, profile("meta", designated)), "EE188")
        assert (req.created_at + eu.ex_post_validation.delta).isoformat() in f.message
        assert eu.ex_post_validation.ref in f.source
    assert "EE188" not in run(request("eu-production-order"), profile("meta", designated)).codes()


def test_eu_preservation_clock_cites_art_11() -> None:
    eu = law_facts().eu_regulation_2023_1543
    f = finding(run(request("eu-preservation-order"), profile("meta", designated)), "EE185")
    assert eu.preservation.ref in f.source
    assert "art. 11(2)" in f.message
    assert "Annex VI" in f.message
    assert str(eu.preservation_extension) in f.message


def test_an_eu_order_names_its_addressee() -> None:
    for name in ("eu-production-order", "eu-preservation-order"):
        report = run(request(name, addressee_establishment=None), profile("meta", designated))
        f = finding(report, "EE180")
        assert "Meta Platforms Ireland Ltd" in f.action
        assert "EE180" not in run(request(name), profile("meta", designated)).codes()


# ------------------------------------------------------------------ Second Protocol


def test_second_protocol_status_from_the_chart() -> None:
    order = request("protocol2-art7-order")
    report = run(order, profile("telegram"))
    assert paths(report, "EE212") == ["$.legal_basis"]
    assert "not in force" in finding(report, "EE212").message
    facts = law_facts()
    treaty = facts.treaties["cets-224"]

    def law_with(parties: dict[str, Party]) -> Any:
        t = treaty.model_copy(
            update={
                "in_force": date(2026, 1, 1),
                "parties": parties,
                "signatories": (),
                "complete": False,
            }
        )
        return facts.model_copy(update={"treaties": {**facts.treaties, "cets-224": t}})

    bound = Party(in_force=date(2026, 1, 1))
    unknown = check(order, profile("telegram"), now=NOW, law=law_with({"FR": bound}))
    assert "EE211" in unknown.codes()
    assert "EE212" not in unknown.codes()
    assert next(f for f in unknown.findings if f.code == "EE211").severity == "info"
    both = check(order, profile("telegram"), now=NOW, law=law_with({"FR": bound, "VG": bound}))
    assert both.codes().isdisjoint({"EE211", "EE212"})
    excluded = Party(in_force=date(2026, 1, 1), excluded=("7",))
    refused = check(
        order, profile("telegram"), now=NOW, law=law_with({"FR": bound, "VG": excluded})
    )
    assert "excluded art. 7" in next(f for f in refused.findings if f.code == "EE212").message


# ------------------------------------------------------------------ CLOUD Act orders


def test_cloud_act_order_conditions() -> None:
    clean = run(request("cloud-act-order"), profile("google"))
    assert clean.codes().isdisjoint({"EE221", "EE222", "EE223", "EE224", "EE226"})
    assert clean.ok
    agreement = law_facts().cloud_act_agreement("GB")
    assert agreement is not None
    early = request("cloud-act-order", created_at=f"{agreement.signed.isoformat()}T10:00:00+00:00")
    assert paths(run(early, profile("google")), "EE221") == ["$.agreement_partner"]

    def penalty(years: int) -> ee.Request:
        doc = doc_of("cloud-act-order")
        doc["case"] = {**doc["case"], "maximum_penalty_years": years}
        return ee.parse_request(doc)

    low = run(penalty(agreement.serious_crime_min_penalty_years.value - 1), profile("google"))
    assert paths(low, "EE224") == ["$.case.maximum_penalty_years"]
    high = run(penalty(10), profile("google"))
    assert high.codes().isdisjoint({"EE224", "EE225"})
    assert paths(clean, "EE225") == ["$.case.maximum_penalty_years"]  # the example says "life"

    def irish(raw: dict[str, Any]) -> None:
        us_hq()(raw)
        raw["headquarters"]["value"] = "IE"

    assert paths(run(request("cloud-act-order"), profile("google", irish)), "EE222") == [
        "$.provider"
    ]

    def hq_unknown(raw: dict[str, Any]) -> None:
        raw["headquarters"] = {"status": "unknown"}

    unknown = run(request("cloud-act-order"), profile("google", hq_unknown))
    assert paths(unknown, "EE223") == ["$.provider"]
    other = doc_of("cloud-act-order")
    other["designated_authority"] = {**other["designated_authority"], "country": "AU"}
    assert paths(run(ee.parse_request(other), profile("google")), "EE226") == [
        "$.designated_authority.country"
    ]


def test_cloud_act_order_from_a_state_without_an_agreement() -> None:
    doc = doc_of("cloud-act-order", agreement_partner="CA")
    doc["issuing_authority"] = {**doc["issuing_authority"], "country": "CA"}
    doc["designated_authority"] = {**doc["designated_authority"], "country": "CA"}
    f = finding(run(ee.parse_request(doc), profile("google")), "EE221")
    assert "no CLOUD Act agreement" in f.message
    assert "2523" in f.source


# ------------------------------------------------------------------ emergency scope


def test_emergency_categories_outside_the_providers_statement() -> None:
    content = request("emergency-disclosure", provider="snap", data={"categories": ["content"]})
    f = finding(run(content, profile("snap")), "EE133")
    assert f.path == "$.data.categories[0]"
    assert "Snap" in f.source

    def discord_scope(raw: dict[str, Any]) -> None:
        src = next(iter(raw["sources"]))
        raw["emergency"]["foreign_categories"] = {
            "status": "known",
            "value": ["subscriber"],
            "sources": [src],
        }

    req = request("emergency-disclosure", provider="discord")
    assert paths(run(req, profile("discord", discord_scope)), "EE133") == ["$.data.categories[1]"]
    us = doc_of("emergency-disclosure", provider="snap", data={"categories": ["content"]})
    us["authority"]["country"] = "US"
    assert "EE133" not in run(ee.parse_request(us), profile("snap")).codes()
    assert (
        "EE133"
        not in run(request("emergency-disclosure", provider="snap"), profile("snap")).codes()
    )
    assert (
        "EE133"
        not in run(
            request("emergency-disclosure", data={"categories": ["content"]}), profile("meta")
        ).codes()
    )


# ------------------------------------------------------------------ required elements


@pytest.mark.parametrize("pid", ["meta", "snap", "tiktok"])
def test_a_required_date_range_is_tested(pid: str) -> None:
    no_period = request("voluntary-disclosure", provider=pid, period=None)
    assert "$.period" in paths(run(no_period, profile(pid)), "EE203")
    doc = doc_of("voluntary-disclosure", provider=pid)
    window = doc.pop("period")
    for ident in doc["identifiers"]:
        ident["window"] = window
    report = run(ee.parse_request(doc), profile(pid))
    assert "$.period" not in paths(report, "EE203")
    ee202 = [f.message for f in report.findings if f.code == "EE202"]
    assert not any("date range" in m for m in ee202)


def test_sworn_officer_and_addressee_entity_are_tested() -> None:
    for pid in ("snap", "tiktok", "linkedin"):
        report = run(request("emergency-disclosure", provider=pid), profile(pid))
        assert "$.authority.officer.sworn_officer" in paths(report, "EE203")
        sworn = doc_of("emergency-disclosure", provider=pid)
        sworn["authority"]["officer"]["sworn_officer"] = True
        assert "$.authority.officer.sworn_officer" not in paths(
            run(ee.parse_request(sworn), profile(pid)), "EE203"
        )
    snap = run(request("voluntary-disclosure", provider="snap"), profile("snap"))
    assert "$.addressee_entity" in paths(snap, "EE203")
    named = request("voluntary-disclosure", provider="snap", addressee_entity="Snap Inc.")
    report = run(named, profile("snap"))
    assert "$.addressee_entity" not in paths(report, "EE203")
    listed = finding(report, "EE202").message
    assert "signature" in listed
    assert "pdf" in listed
    for tested in ("date range", "addressee entity", "official email domain", "data categories"):
        assert tested not in listed


def test_officer_id_is_tested() -> None:
    for pid in ("tiktok", "cloudflare", "linkedin"):
        doc = doc_of("preservation", provider=pid)
        del doc["authority"]["officer"]["badge_number"]
        assert "$.authority.officer.badge_number" in paths(
            run(ee.parse_request(doc), profile(pid)), "EE203"
        )
        assert "EE203" not in run(request("preservation", provider=pid), profile(pid)).codes()


# ------------------------------------------------------------------ codes


def test_country_codes_assigned_in_iso_3166() -> None:
    uk = doc_of("preservation")
    uk["authority"]["country"] = "UK"
    assert paths(run(ee.parse_request(uk), profile("meta")), "EE002") == ["$.authority.country"]
    eu = doc_of("eu-production-order")
    eu["enforcing_authority"] = {**eu["enforcing_authority"], "country": "EU"}
    assert paths(run(ee.parse_request(eu), profile("meta")), "EE002") == [
        "$.enforcing_authority.country"
    ]
    for name in ("preservation", "eu-production-order", "cloud-act-order"):
        req = request(name)
        assert "EE002" not in run(req, profile(req.provider)).codes()


def test_language_tags_valid_in_bcp47() -> None:
    bad = request(
        "preservation",
        language="xq",
        attachments=[{"name": "t.pdf", "kind": "translation", "language": "de-1234567"}],
    )
    assert paths(run(bad, profile("meta")), "EE003") == ["$.attachments[0].language", "$.language"]
    assert "EE003" not in run(request("preservation", language="pt-BR"), profile("meta")).codes()


def test_phone_numbers_valid_in_their_numbering_plan() -> None:
    doc = doc_of("voluntary-disclosure")
    doc["authority"]["contact_24_7"] = {**doc["authority"]["contact_24_7"], "phone": "+3312"}
    doc["authority"]["officer"]["phone"] = "+999123456"
    report = run(ee.parse_request(doc), profile("meta"))
    assert paths(report, "EE004") == ["$.authority.contact_24_7.phone", "$.authority.officer.phone"]
    assert RULES["EE004"].severity == "error"
    assert RULES["EE005"].severity == "warning"
    target = request("protocol2-art7-order")
    assert paths(run(target, profile("telegram")), "EE005") == ["$.identifiers[0].value"]
    assert (
        run(request("voluntary-disclosure"), profile("meta")).codes().isdisjoint({"EE004", "EE005"})
    )


# ------------------------------------------------------------------ texts


def test_emergency_details_rest_on_the_statute_not_a_model_form() -> None:
    thin = doc_of("emergency-disclosure")
    del thin["emergency"]["persons_at_risk"]
    f = finding(run(ee.parse_request(thin), profile("meta")), "EE131")
    assert law_facts().us_18_usc_2702.content_emergency_ref in f.source
    assert "2702(b)(8)" in RULES["EE131"].basis
    assert not any("UNODC" in (r.meaning + r.basis) for r in RULES.values())


# ------------------------------------------------------------------ EU orders: cross-border only


def addressee_in(country: str) -> Any:
    def mutate(raw: dict[str, Any]) -> None:
        designated(raw)
        raw["eu_designated_addressee"]["value"]["country"] = country

    return mutate


def test_an_eu_order_to_an_addressee_in_the_issuing_state_is_an_error() -> None:
    """Reg. (EU) 2023/1543 art. 1(1), 3(1), (2): an addressee in *another* Member State;
    route advice says no on the same rule."""
    report = run(request("eu-production-order"), profile("meta", addressee_in("FR")))
    assert paths(report, "EE190") == ["$.issuing_authority.country"]
    assert "art. 3(1), (2)" in finding(report, "EE190").source
    assert "EE190" not in run(request("eu-production-order"), profile("meta", designated)).codes()
    pr = run(request("eu-preservation-order"), profile("meta", addressee_in("FR")))
    assert "EE190" in pr.codes()


@pytest.mark.parametrize(
    ("enforcing", "addressee", "flagged"),
    [
        ("IE", "IE", False),
        ("FR", "IE", True),  # the issuing State
        ("DK", None, True),  # not bound
        ("US", None, True),  # not a Member State
        ("DE", "IE", True),  # not where the addressee is
        ("DE", None, False),  # the addressee's State not recorded
    ],
)
def test_the_enforcing_authority_is_of_the_addressees_member_state(
    enforcing: str, addressee: str | None, flagged: bool
) -> None:
    """Art. 3(16), (17) ('enforcing State', 'enforcing authority') and art. 8(1)."""
    doc = doc_of("eu-production-order")
    doc["enforcing_authority"] = {"name": "Competent authority", "country": enforcing}
    prof = profile("meta", addressee_in(addressee)) if addressee else profile("meta")
    report = run(ee.parse_request(doc), prof)
    assert ("EE192" in report.codes()) is flagged, report.findings
    if flagged:
        f = finding(report, "EE192")
        assert f.path == "$.enforcing_authority.country"
        assert "art. 3(16), (17)" in f.source


def test_eu_emergency_findings_cite_the_regulation_not_us_law() -> None:
    doc = doc_of("eu-production-order")
    doc["emergency"] = {
        "threat_nature": "An announced attack on a named venue.",
        "why_without_delay": "The user is not identified.",
    }
    report = run(ee.parse_request(doc), profile("meta", designated))
    for code in ("EE131", "EE132"):
        f = finding(report, code)
        assert "2702" not in f.source + f.message, (code, f)
        assert "art. 3(18)" in f.source
    assert "art. 10(4)" in finding(report, "EE132").source
    assert "8 hours" in finding(report, "EE132").message
    assert "Meta Platforms Ireland Ltd" in finding(report, "EE132").message


def test_the_eu_preservation_period_is_a_note() -> None:
    report = run(request("eu-preservation-order"), profile("meta", designated))
    assert finding(report, "EE185").severity == "info"
    assert RULES["EE185"].severity == "info"


def test_terrorism_is_not_said_to_need_an_information_system() -> None:
    doc = doc_of("eu-production-order")
    doc["case"] = {
        **doc["case"],
        "offence_category": "drug_trafficking",
        "terrorism_related": False,
        "maximum_penalty_years": 1,
    }
    message = finding(run(ee.parse_request(doc), profile("meta", designated)), "EE186").message
    assert "terrorist offences (art. 5(4)(c))" in message
    assert "terrorist offences (art. 5(4)(c)) committed" not in message
    assert "non-cash payment fraud (Directive (EU) 2019/713" in message
    doc["case"] = {**doc["case"], "offence_category": "fraud", "maximum_penalty_years": 2}
    fraud = finding(run(ee.parse_request(doc), profile("meta", designated)), "EE189").message
    assert "non-cash payment fraud" in fraud


def test_eu_order_languages_must_be_official_languages_of_the_union() -> None:
    def accepts_ja(raw: dict[str, Any]) -> None:
        designated(raw)
        raw["eu_order_languages"] = {
            "status": "known",
            "value": ["en", "ja"],
            "sources": ["meta-guidelines"],
        }

    ja = run(request("eu-production-order", language="ja"), profile("meta", accepts_ja))
    assert paths(ja, "EE165") == ["$.language"]
    assert "EE163" not in ja.codes()
    assert "eur-lex.europa.eu/eli/reg/1958/1" in finding(ja, "EE165").source
    en = run(request("eu-production-order"), profile("meta", accepts_ja))
    assert en.codes().isdisjoint({"EE163", "EE165"})


# ------------------------------------------------------------------ emergency channels


def test_a_dsa_channel_is_never_the_emergency_channel() -> None:
    def dsa_channel(raw: dict[str, Any]) -> None:
        raw["channels"] = [
            {
                "kind": "email",
                "name": "EU representative (EDSR)",
                "address": "dsa@example.eu",
                "sources": ["meta-guidelines"],
                "note": "For EU authorities under the Digital Services Act; English or French.",
            },
            *raw["channels"],
        ]

    report = run(request("emergency-disclosure"), profile("meta", dsa_channel))
    assert "EDSR" not in finding(report, "EE132").message


# ------------------------------------------------------------------ webmail


@pytest.mark.parametrize(
    ("domain", "webmail"),
    [
        ("gmail.com", "gmail.com"),
        ("outlook.fr", "outlook.fr"),
        ("yahoo.co.uk", "yahoo.co.uk"),
        ("web.de", "web.de"),
        ("orange.fr", "orange.fr"),
        ("police.gmail.com", "gmail.com"),
        ("GMAIL.COM.", "gmail.com"),
        ("tutanota.com", "tutanota.com"),
        ("met.police.uk", None),
        ("interieur.gouv.fr", None),
        ("fbi.gov", None),
        ("com", None),
    ],
)
def test_webmail_domains_and_their_subdomains(domain: str, webmail: str | None) -> None:
    from eevidence.provider.checker import PUBLIC_WEBMAIL_DOMAINS
    from eevidence.provider.checker._elements import webmail_domain

    assert webmail_domain(domain) == webmail
    assert (domain in PUBLIC_WEBMAIL_DOMAINS) is (webmail is not None)
    assert len(PUBLIC_WEBMAIL_DOMAINS) > 4000
