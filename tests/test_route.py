"""Route advice: each kind of legal fault it must never make, pinned on the shipped profiles
for several providers and countries, and on small profiles built here to isolate one rule
(a profile may claim anything; the law bounds what route advice makes of it)."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, cast

import pytest

from eevidence._cli import main
from eevidence.errors import InputError
from eevidence.provider import (
    LawFacts,
    ProviderProfile,
    Route,
    advise_routes,
    law_facts,
    load_providers,
)
from eevidence.provider._profiles import load_profile_bytes
from eevidence.provider.routes._advice import KIND_ROUTES, NOT_ROUTES, ROUTE_KINDS
from eevidence.request import DATA_CATEGORIES, KINDS, DataCategory

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
REG = load_providers(environ={})
LAW = law_facts()
EU = LAW.eu_regulation_2023_1543
US_2702 = LAW.us_18_usc_2702
COUNTRIES = ("KE", "FR", "DE", "GB", "AU", "BR", "JP", "IE", "DK", "US")


def profile(provider: str) -> ProviderProfile:
    found = REG.get(provider)
    assert found is not None
    return found


def us_providers() -> list[str]:
    ids = [p.id for p in REG if p.value(p.headquarters) == "US"]
    assert len(ids) >= 5, ids  # Google, Meta, Snap, X, Apple... are recorded as US providers
    return ids


def advise(
    country: str,
    provider: str | ProviderProfile,
    *cats: str,
    emergency: bool = False,
    now: datetime = NOW,
    law: LawFacts | None = None,
) -> dict[str, Route]:
    p = profile(provider) if isinstance(provider, str) else provider
    found = advise_routes(country, p, cats, emergency=emergency, now=now, law=law)  # type: ignore[arg-type]
    return {r.name: r for r in found}


def text(route: Route) -> str:
    return " | ".join((*route.why, *route.depends_on, *route.prepare))


# -- small profiles built on a shipped one, each changing only the facts a rule reads


def _known(doc: dict[str, Any], value: object) -> dict[str, Any]:
    first = next(k for k, s in doc["sources"].items() if not s["secondary"])
    return {"status": "known", "value": value, "sources": [first]}


def synthetic(
    base: str = "google",
    *,
    hq: str | None = "keep",
    access: dict[str, str | None] | None = None,
    emergency_scope: list[str] | str | None = "keep",
    addressee: dict[str, str] | str | None = "keep",
    kinds: dict[str, bool | None] | None = None,
) -> ProviderProfile:
    """A profile like ``base``, with the named facts set (``None``: unknown)."""
    doc = json.loads((ROOT / "providers" / f"{base}.json").read_bytes())
    doc = copy.deepcopy(doc)
    doc["id"], doc["name"] = "example", "Example Provider"

    def fact(value: object) -> dict[str, Any]:
        return {"status": "unknown"} if value is None else _known(doc, value)

    if hq != "keep":
        doc["headquarters"] = fact(hq)
    for category, route in (access or {}).items():
        doc["foreign_access"][category] = fact(route)
    if emergency_scope != "keep":
        doc["emergency"]["foreign_categories"] = fact(emergency_scope)
    if addressee != "keep":
        doc["eu_designated_addressee"] = fact(addressee)
    for kind, accepted in (kinds or {}).items():
        doc["request_kinds"][kind] = fact(accepted)
    return load_profile_bytes(json.dumps(doc).encode(), origin="example.json")


# -- 1. a statute bounds what a profile claims: 18 U.S.C. 2702 and content


@pytest.mark.parametrize("country", ["KE", "FR", "BR", "JP", "GB"])
def test_a_us_provider_never_offers_content_on_a_voluntary_request(country: str) -> None:
    for provider in us_providers():
        v = advise(country, provider, "content", "subscriber")["voluntary_disclosure"]
        assert "content" not in v.covers, (provider, v)
        if profile(provider).foreign_route("content") != "not_available":
            bar = [w for w in v.why if "2702(a)" in w]
            assert bar, (provider, v.why)
            assert US_2702.content_emergency_ref in bar[0]
            assert US_2702.content_agreement_ref in bar[0]
            assert any(US_2702.sources[0] in LAW.sources and "2702" in s for s in v.sources)


@pytest.mark.parametrize("claim", ["voluntary", "domestic_process"])
@pytest.mark.parametrize("country", ["KE", "FR", "BR"])
def test_a_profile_claiming_content_on_request_is_overruled_for_a_us_provider(
    claim: str, country: str
) -> None:
    p = synthetic(hq="US", access={"content": claim, "subscriber": "voluntary"})
    v = advise(country, p, "content", "subscriber")["voluntary_disclosure"]
    assert v.covers == ("subscriber",)
    assert v.verdict == "likely"
    said = "on a direct request" if claim == "voluntary" else "on legal process"
    overruled = [w for w in v.why if "profile's statement" in w]
    assert len(overruled) == 1, v.why
    assert said in overruled[0]
    assert US_2702.content_emergency_ref in overruled[0]
    assert US_2702.content_agreement_ref in overruled[0]
    only_content = advise(country, p, "content")["voluntary_disclosure"]
    assert only_content.verdict == "no"
    assert only_content.covers == ()
    assert "2702(a)" in only_content.why[0]


def test_records_of_a_us_provider_follow_the_profile_under_2702_c_6() -> None:
    for claim, verdict in (("voluntary", "likely"), ("mla_or_cloud_act", "no")):
        p = synthetic(hq="US", access={"subscriber": claim, "traffic": claim})
        v = advise("KE", p, "subscriber", "traffic")["voluntary_disclosure"]
        assert v.verdict == verdict
        if verdict == "likely":
            assert v.covers == ("subscriber", "traffic")
            assert any(US_2702.records_ref in w and "2711(4)" in w for w in v.why)


def test_content_claimed_by_a_provider_of_unknown_seat_depends_on_its_headquarters() -> None:
    p = synthetic(hq=None, access={"content": "voluntary"})
    v = advise("KE", p, "content")["voluntary_disclosure"]
    assert v.verdict == "possible"
    assert v.covers == ("content",)
    assert any("headquartered" in d and "2702(a)" in d for d in v.depends_on), v.depends_on


@pytest.mark.parametrize("hq", ["VG", "GB", "AE"])
def test_a_non_us_provider_claiming_content_on_request_is_taken_at_its_word(hq: str) -> None:
    p = synthetic(hq=hq, access={"content": "voluntary"})
    v = advise("KE", p, "content")["voluntary_disclosure"]
    assert v.verdict == "likely"
    assert v.covers == ("content",)
    assert not any("2702" in w for w in v.why)


# -- 2. CLOUD Act agreements: in force on the day, US providers only


@pytest.mark.parametrize("country", ["GB", "AU"])
@pytest.mark.parametrize("provider", ["google", "meta", "snap"])
def test_cloud_act_order_for_a_us_provider_and_an_agreement_in_force(
    country: str, provider: str
) -> None:
    a = LAW.cloud_act_agreement(country, on=NOW.date())
    assert a is not None
    r = advise(country, provider, "content")["cloud_act_agreement"]
    assert r.verdict == "likely", r
    assert r.kind == "cloud_act_order"
    assert r.covers == ("content",)
    why = " | ".join(r.why)
    for needed in (
        a.title,
        a.in_force.isoformat(),
        a.partner_order,
        f"at least {a.serious_crime_min_penalty_years.value} years",
        a.serious_crime_min_penalty_years.ref,
        a.targeting_ref,
        "United States person",
        "cloud_act_order",
        US_2702.content_agreement_ref,
    ):
        assert needed in why, needed
    refs = f"{a.serious_crime_min_penalty_years.ref}, {a.targeting_ref}"
    assert LAW.cite(a.sources[0], refs) in r.sources  # the agreement, with its articles
    assert all(LAW.cite(i) in r.sources for i in a.sources[1:])


def test_cloud_act_agreement_not_yet_in_force_is_no() -> None:
    for country in ("GB", "AU"):
        a = LAW.cloud_act_agreement(country)
        assert a is not None
        before = datetime.combine(a.in_force, datetime.min.time(), UTC).replace(day=1)
        if before.date() >= a.in_force:
            before = before.replace(year=before.year - 1)
        r = advise(country, "google", "content", now=before)["cloud_act_agreement"]
        assert r.verdict == "no"
        assert a.in_force.isoformat() in r.why[0]


@pytest.mark.parametrize("country", ["FR", "KE", "BR", "JP", "DE"])
def test_no_cloud_act_route_without_an_agreement(country: str) -> None:
    assert LAW.cloud_act_agreement(country) is None
    r = advise(country, "google", "content")["cloud_act_agreement"]
    assert r.verdict == "no"
    assert r.covers == ()
    assert "18 U.S.C. 2523" in r.why[0]


def test_cloud_act_route_for_a_non_us_provider_is_no_and_unknown_seat_is_possible() -> None:
    telegram = profile("telegram")
    assert telegram.value(telegram.headquarters) == "VG"
    for country in ("GB", "AU"):
        r = advise(country, "telegram", "subscriber")["cloud_act_agreement"]
        assert r.verdict == "no"
        assert any("VG" in w for w in r.why)
        for hq, verdict in ((None, "possible"), ("IE", "no"), ("US", "likely")):
            r = advise(country, synthetic(hq=hq), "content")["cloud_act_agreement"]
            assert r.verdict == verdict, (hq, r)
            assert bool(r.depends_on) is (verdict == "possible")


def test_a_provider_refusing_agreement_orders_is_no() -> None:
    p = synthetic(hq="US", kinds={"cloud_act_order": False})
    r = advise("GB", p, "content")["cloud_act_agreement"]
    assert r.verdict == "no"
    assert any("does not take orders under the agreement" in w for w in r.why)


# -- 3. EU orders: the designated establishment or legal representative


def test_eu_orders_never_go_to_the_gdpr_or_dsa_establishment() -> None:
    checked = 0
    for p in REG:
        establishment = p.value(p.eu_establishment)
        if establishment is None or p.designated_addressee() is not None:
            continue
        checked += 1
        for name in ("eu_production_order", "eu_preservation_order"):
            r = advise("FR", p, "subscriber")[name]
            assert r.verdict == "possible", (p.id, r)
            assert not any(w.startswith("addressed to") for w in r.why), (p.id, r.why)
            assert any("2023/1544" in d and EU.addressee_ref in d for d in r.depends_on)
            assert any(establishment.name in d and "not the addressee" in d for d in r.depends_on)
    assert checked >= 3


@pytest.mark.parametrize("country", ["FR", "DE", "IT", "PL"])
def test_eu_orders_go_to_the_designated_addressee(country: str) -> None:
    p = synthetic(addressee={"name": "Example Designated Ltd", "country": "IE"})
    for name in ("eu_production_order", "eu_preservation_order"):
        r = advise(country, p, "subscriber", "content")[name]
        assert r.verdict == "likely", r
        assert r.covers == ("subscriber", "content")
        assert any("Example Designated Ltd" in w and EU.addressee_ref in w for w in r.why)
        assert r.kind == name


def test_an_addressee_in_the_issuing_state_is_no_eu_order() -> None:
    p = synthetic(addressee={"name": "Example Designated Ltd", "country": "IE"})
    r = advise("IE", p, "content")["eu_production_order"]
    assert r.verdict == "no"
    assert any("another Member State" in w for w in r.why)


@pytest.mark.parametrize("country", ["DK", "GB", "KE", "US", "NO"])
def test_eu_orders_need_a_bound_member_state(country: str) -> None:
    assert not LAW.eu_bound(country)
    p = synthetic(addressee={"name": "Example Designated Ltd", "country": "IE"})
    for name in ("eu_production_order", "eu_preservation_order"):
        r = advise(country, p, "content")[name]
        assert r.verdict == "no"
        assert r.covers == ()
        assert "not a Member State bound" in r.why[0]


def test_eu_orders_before_the_date_of_application_are_no() -> None:
    p = synthetic(addressee={"name": "Example Designated Ltd", "country": "IE"})
    early = datetime.combine(EU.applies_from, datetime.min.time(), UTC).replace(
        year=EU.applies_from.year - 1
    )
    for name in ("eu_production_order", "eu_preservation_order"):
        r = advise("FR", p, "content", now=early)[name]
        assert r.verdict == "no"
        assert any(EU.applies_from.isoformat() in w and EU.applies_from_ref in w for w in r.why)
    on_the_day = datetime.combine(EU.applies_from, datetime.min.time(), UTC)
    assert advise("FR", p, "content", now=on_the_day)["eu_production_order"].verdict == "likely"


@pytest.mark.parametrize("heavy", ["traffic", "content"])
def test_eu_production_of_traffic_or_content_states_art_5_4_and_art_8(heavy: str) -> None:
    r = advise("DE", "meta", heavy)["eu_production_order"]
    why = " | ".join(r.why)
    t = EU.heavy_data_min_penalty_years
    assert f"at least {t.value} years ({t.ref})" in why
    assert EU.heavy_data_listed_ref in why
    assert EU.notification_ref in why
    assert EU.notification_exception_ref in why
    assert "resides there" in why
    assert "art. 4(2)" in why
    light = " | ".join(
        advise("DE", "meta", "subscriber", "user_identification")["eu_production_order"].why
    )
    assert t.ref not in light
    assert EU.notification_ref not in light
    assert "art. 5(3)" in light


# -- 4. emergencies: what the provider's emergency scope allows


def test_snap_gives_foreign_authorities_no_content_in_an_emergency() -> None:
    snap = profile("snap")
    scope = snap.emergency_categories()
    assert scope is not None
    assert "content" not in scope
    for country in ("DE", "FR", "KE", "BR"):
        only_content = advise(country, "snap", "content", emergency=True)["emergency_disclosure"]
        assert only_content.verdict == "no"
        assert only_content.covers == ()
        both = advise(country, "snap", "content", "subscriber", emergency=True)
        e = both["emergency_disclosure"]
        assert e.covers == ("subscriber",)
        assert any("not content" in w for w in e.why)


@pytest.mark.parametrize("scope", [["subscriber"], ["subscriber", "traffic"]])
def test_emergency_route_covers_the_recorded_scope_only(scope: list[str]) -> None:
    p = synthetic(emergency_scope=scope, kinds={"emergency_disclosure": True})
    e = advise("KE", p, *DATA_CATEGORIES, emergency=True)["emergency_disclosure"]
    assert set(e.covers) == set(scope)
    assert e.verdict == "likely"


def test_emergency_scope_not_recorded_is_said() -> None:
    p = synthetic(emergency_scope=None, kinds={"emergency_disclosure": True})
    e = advise("KE", p, "content", emergency=True)["emergency_disclosure"]
    assert e.verdict == "possible"
    assert any("in an emergency" in d and "not recorded" in d for d in e.depends_on)


@pytest.mark.parametrize(("country", "provider"), [("KE", "meta"), ("FR", "google"), ("BR", "x")])
def test_an_emergency_puts_the_emergency_route_first(country: str, provider: str) -> None:
    found = advise_routes(
        country, profile(provider), ["content", "subscriber"], emergency=True, now=NOW
    )
    assert found[0].name == "emergency_disclosure"
    e = found[0]
    assert e.clock == "hours"
    assert e.verdict in {"likely", "possible"}
    us = profile(provider).value(profile(provider).headquarters) == "US"
    explained = any(
        US_2702.content_emergency_ref in w and US_2702.records_emergency_ref in w for w in e.why
    )
    assert explained is us
    assert "emergency_disclosure" not in advise(country, provider, "content")


# -- 5. Second Additional Protocol art. 7: the treaty's status between the two States


def _law_with_protocol_in_force() -> LawFacts:
    doc = json.loads((ROOT / "law" / "instruments.json").read_bytes())
    t = doc["treaties"]["cets-224"]
    t["in_force"] = "2026-06-01"
    t["parties"] = {
        "RS": {"in_force": "2026-06-01"},
        "US": {"in_force": "2026-06-01"},
        "JP": {"in_force": "2026-06-01", "excluded": ["7"]},
        "VG": {"in_force": "2026-06-01"},
    }
    t["signatories"] = ["FR"]
    t["complete"] = False
    return LawFacts.model_validate(doc)


def test_art7_is_no_while_the_protocol_is_not_in_force() -> None:
    assert LAW.treaties["cets-224"].in_force is None
    for country in ("RS", "JP", "BR", "FR", "KE"):
        r = advise(country, "google", "subscriber")["protocol2_art7_order"]
        assert r.verdict == "no", (country, r)
        assert "not in force" in r.why[0]
        assert LAW.treaties["cets-224"].in_force_ref in r.why[0]


def test_art7_follows_the_treaty_status_of_both_states() -> None:
    law = _law_with_protocol_in_force()
    verdicts = {
        country: advise(country, "google", "subscriber", law=law)["protocol2_art7_order"].verdict
        for country in ("RS", "JP", "FR", "BR")
    }
    assert verdicts == {"RS": "likely", "JP": "no", "FR": "no", "BR": "possible"}
    jp = advise("JP", "google", "subscriber", law=law)["protocol2_art7_order"]
    assert any("excluded art. 7" in w for w in jp.why)
    assert advise("RS", "telegram", "subscriber", law=law)["protocol2_art7_order"].verdict == (
        "likely"
    )
    unknown_seat = advise("RS", synthetic(hq=None), "subscriber", law=law)["protocol2_art7_order"]
    assert unknown_seat.verdict == "possible"
    assert any("headquartered" in d for d in unknown_seat.depends_on)
    assert "protocol2_art7_order" not in advise("RS", "google", "content", law=law)


# -- 6. preservation: never 18 U.S.C. 2703(f) for a foreign authority


def _sweep() -> Iterator[tuple[str, str, Route]]:
    for p in REG:
        for country in COUNTRIES:
            for emergency in (False, True):
                cats = cast("tuple[DataCategory, ...]", DATA_CATEGORIES)
                for r in advise_routes(country, p, cats, emergency=emergency, now=NOW):
                    yield country, p.id, r


def test_no_foreign_authority_is_told_to_use_2703f() -> None:
    pres = LAW.us_18_usc_2703f
    for country, provider, r in _sweep():
        for line in (*r.why, *r.prepare):
            if "2703(f)" not in line:
                continue
            if country == "US":
                continue
            assert pres.requesters_ref in line, (country, provider, line)
            assert "only towards a US governmental entity" in line, (country, provider, line)


def test_preservation_steps_name_the_foreign_ways() -> None:
    mla = advise("GB", "google", "content")["mla"]
    step = next(s for s in mla.prepare if s.startswith("preservation first"))
    assert "directly to Google" in step
    assert "art. 29, 35" in step
    assert "US authorities" in step
    assert "EPOC-PR" not in step
    fr = next(s for s in advise("FR", "google", "content")["mla"].prepare if "preservation" in s)
    assert "EPOC-PR" in fr
    us = next(s for s in advise("US", "google", "content")["mla"].prepare if "preservation" in s)
    assert "under 18 U.S.C. 2703(f)" in us


# -- 7. route names and request kinds


def test_every_route_says_which_request_kind_writes_it() -> None:
    assert ROUTE_KINDS["cloud_act_agreement"] == "cloud_act_order"
    assert ROUTE_KINDS["mla"] is None
    assert set(KIND_ROUTES) <= set(KINDS)
    assert set(KINDS) == set(KIND_ROUTES) | set(NOT_ROUTES)
    seen = set()
    for _, _, r in _sweep():
        assert r.kind == ROUTE_KINDS[r.name]
        assert r.to_dict()["kind"] == r.kind
        seen.add(r.name)
    assert seen == set(ROUTE_KINDS)


def test_route_to_dict_is_json_ready() -> None:
    d = advise("GB", "google", "content")["cloud_act_agreement"].to_dict()
    assert list(d) == [
        "route",
        "kind",
        "verdict",
        "covers",
        "why",
        "depends_on",
        "clock",
        "prepare",
        "sources",
    ]
    assert d["route"] == "cloud_act_agreement"
    assert d["kind"] == "cloud_act_order"
    assert d["covers"] == ["content"]
    assert all(isinstance(x, str) for x in d["why"] + d["prepare"] + d["sources"])
    json.dumps(d)


# -- 8. reasons name their articles; a possible verdict says what it depends on


_LAW_WORDS = re.compile(r"U\.S\.C\.|Regulation \(EU\)|Directive|Protocol|Convention|CLOUD Act")
_ARTICLE = re.compile(r"art\. \d|U\.S\.C\. \d{4}(\([a-z0-9]+\))?|Directive \(EU\) \d{4}/\d+ art")


def test_every_reason_resting_on_law_names_the_article() -> None:
    for country, provider, r in _sweep():
        for line in (*r.why, *r.depends_on):
            if line.startswith("criteria: "):
                continue  # the provider's own words, quoted
            if _LAW_WORDS.search(line):
                assert _ARTICLE.search(line), (country, provider, r.name, line)
            if "2702" in line:
                assert re.search(r"2702\([abc]\)", line), line


def test_verdicts_say_what_they_depend_on_and_cite_the_law() -> None:
    legal = {"eu_production_order", "eu_preservation_order", "protocol2_art7_order"}
    for country, provider, r in _sweep():
        assert bool(r.depends_on) is (r.verdict == "possible"), (country, provider, r)
        assert (r.covers == ()) is (r.verdict == "no"), (country, provider, r)
        assert r.why or r.depends_on, (country, provider, r.name)
        if r.name in legal:
            assert any(re.search(r"\(https://\S+, read \d{4}-\d{2}-\d{2}\)", s) for s in r.sources)


def test_the_eu_sources_cite_the_articles() -> None:
    r = advise("FR", "meta", "content")["eu_production_order"]
    regulation = [s for s in r.sources if s.startswith(LAW.sources[EU.sources[0]].title)]
    assert regulation
    assert EU.addressee_ref in regulation[0]
    assert EU.heavy_data_min_penalty_years.ref in regulation[0]


# -- 9. the requesting country is a code in use


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            "UK",
            "requesting country 'UK': not an ISO 3166-1 alpha-2 code in use (the United "
            "Kingdom is 'GB')",
        ),
        ("EL", "requesting country 'EL': not an ISO 3166-1 alpha-2 code in use (Greece is 'GR')"),
        ("fr", "requesting country 'fr': not an ISO 3166-1 alpha-2 code in use (France is 'FR')"),
        (
            "EU",
            "requesting country 'EU': not an ISO 3166-1 alpha-2 code in use (the European "
            "Union is no State: name the Member State)",
        ),
        ("XX", "requesting country 'XX': not an ISO 3166-1 alpha-2 code in use"),
        ("FRA", "requesting country 'FRA': not an ISO 3166-1 alpha-2 code in use"),
        ("YU", "requesting country 'YU': not an ISO 3166-1 alpha-2 code in use"),
    ],
)
def test_the_requesting_country_must_be_an_assigned_code(code: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        advise(code, "google", "subscriber")
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)


def test_an_unknown_data_category_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown data categories 'metadata'"):
        advise("FR", "meta", "subscriber", "metadata")


def test_a_naive_now_is_an_input_error() -> None:
    with pytest.raises(InputError, match="aware"):
        advise("FR", "meta", "subscriber", now=datetime(2026, 11, 22))


# -- situations investigators ask about first


def test_uk_authority_asking_google_for_content_uses_the_cloud_act_agreement() -> None:
    found = advise_routes("GB", profile("google"), ["content"], emergency=False, now=NOW)
    assert found[0].name == "cloud_act_agreement"
    r = {x.name: x for x in found}
    assert r["voluntary_disclosure"].verdict == "no"
    assert r["eu_production_order"].verdict == "no"
    assert r["mla"].verdict == "possible"


def test_a_french_authority_asking_meta_for_content() -> None:
    r = advise("FR", "meta", "content")
    assert r["eu_production_order"].covers == ("content",)
    assert "10 days" in r["eu_production_order"].clock
    assert EU.production.ref in r["eu_production_order"].clock
    assert r["voluntary_disclosure"].verdict == "no"
    assert r["cloud_act_agreement"].verdict == "no"
    assert r["mla"].verdict == "possible"


def test_a_brazilian_authority_asking_telegram_for_subscriber_data() -> None:
    r = advise("BR", "telegram", "subscriber")
    assert r["voluntary_disclosure"].verdict in {"likely", "possible"}
    assert r["voluntary_disclosure"].covers == ("subscriber",)
    assert r["protocol2_art7_order"].verdict == "no"
    assert r["cloud_act_agreement"].verdict == "no"
    assert r["eu_production_order"].verdict == "no"


def test_data_the_provider_cannot_produce_is_left_out_of_every_route() -> None:
    signal = profile("signal")
    assert signal.foreign_route("content") == "not_available"
    for r in advise("FR", "signal", "content", "subscriber", emergency=True).values():
        assert "content" not in r.covers
    mla = advise("FR", "signal", "content")["mla"]
    assert mla.verdict == "no"
    assert any("cannot produce: content" in w for w in mla.why)


def test_sources_are_listed_in_a_stable_order() -> None:
    """The provider sources of the voluntary route follow the categories asked, in order."""
    p = profile("meta")
    sources = advise("FR", "meta", "subscriber", "content")["voluntary_disclosure"].sources
    expected = [
        f"{p.sources[i].title} ({p.sources[i].url or p.sources[i].document})"
        for c in ("subscriber", "content")
        for i in p.foreign_access[c].sources
    ]
    provider_part = [s for s in sources if s in expected]
    assert provider_part == list(dict.fromkeys(expected))


def test_today_is_the_date_of_now() -> None:
    late = datetime(2026, 8, 17, 23, 30, tzinfo=UTC)
    assert late.date() == date(2026, 8, 17) < EU.applies_from
    p = synthetic(addressee={"name": "Example Designated Ltd", "country": "IE"})
    assert advise("FR", p, "content", now=late)["eu_production_order"].verdict == "no"


# -- the command


def test_route_command_prints_kinds_and_dependencies(capsys: pytest.CaptureFixture[str]) -> None:
    now = "--now=2026-11-22T12:00:00Z"
    args = ["route", "--from", "gb", "--provider", "google", "--data", "content", now]
    assert main([*args, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    first = doc["routes"][0]
    assert (first["route"], first["kind"], first["depends_on"]) == (
        "cloud_act_agreement",
        "cloud_act_order",
        [],
    )
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "cloud_act_agreement  (covers: content; clock:" in out
    assert "request kind: cloud_act_order" in out
    assert "? depends on: " in out  # MLA depends on the requested State's decision
    assert main(["route", "--from", "UK", "--provider", "google", "--data", "content"]) == 2
    err = capsys.readouterr().err
    assert "not an ISO 3166-1 alpha-2 code in use (the United Kingdom is 'GB')" in err


# -- 9. an authority asking a provider of its own jurisdiction is not advised as if foreign

US_TERRITORIES = ("US", "PR", "GU", "VI", "AS", "MP", "UM")
CROSS_BORDER = (
    "mla",
    "cloud_act_agreement",
    "eu_production_order",
    "eu_preservation_order",
    "protocol2_art7_order",
)


@pytest.mark.parametrize("country", US_TERRITORIES)
def test_a_us_authority_is_never_advised_cross_border_routes_to_a_us_provider(
    country: str,
) -> None:
    """18 U.S.C. 2711(4), 2510(3): a US (or territorial) authority is a governmental entity;
    it uses 2703 process, not MLA or a CLOUD Act agreement with itself."""
    for provider in us_providers():
        for emergency in (False, True):
            r = advise(country, provider, *DATA_CATEGORIES, emergency=emergency)
            for name in CROSS_BORDER:
                if name in r:
                    assert r[name].verdict == "no", (provider, name, r[name].why)
            home = r["domestic_process"]
            assert home.kind is None
            if home.covers:
                assert home.verdict == "likely", (provider, home.why)
                assert "2703" in text(home)
            assert r["voluntary_disclosure"].verdict == "no"
            assert "2702(a)(3)" in " ".join(r["voluntary_disclosure"].why)
            for route in r.values():
                joined = " ".join((*route.why, *route.depends_on, *route.prepare))
                assert f"between {country} and" not in joined, (provider, route.name)
                assert "foreign authority" not in joined, (provider, route.name, joined)
                assert "only towards a US governmental entity" not in joined


def test_snap_emergency_limits_for_foreign_authorities_do_not_bind_a_us_authority() -> None:
    """Snap gives 'limited non-content ... records to law enforcement outside of the U.S.'
    in emergencies (https://values.snap.com/safety/safety-enforcement): a US authority is not
    outside the U.S."""
    for country in ("US", "PR"):
        e = advise(country, "snap", "content", emergency=True)["emergency_disclosure"]
        assert e.verdict == "likely", e.why
        assert e.covers == ("content",)
        assert any("2702(b)(8)" in w and "governmental entity" in w for w in e.why)
    foreign = advise("DE", "snap", "content", emergency=True)["emergency_disclosure"]
    assert foreign.verdict == "no"


def test_domestic_process_only_at_home() -> None:
    for country in ("KE", "FR", "GB", "CA"):
        assert "domestic_process" not in advise(country, "google", "content")
    # a provider headquartered elsewhere is not at home for a US authority
    assert "domestic_process" not in advise("US", "telegram", "content")
    # another State's own provider: its national law decides, not recorded
    fr = advise("FR", synthetic(hq="FR"), "subscriber", "content")
    assert fr["domestic_process"].verdict == "possible"
    assert "national law of FR" in " ".join(fr["domestic_process"].depends_on)
    assert fr["mla"].verdict == "no"
    assert fr["voluntary_disclosure"].verdict == "possible"


def test_the_provider_states_of_a_profile_headquartered_in_a_territory_are_us() -> None:
    p = synthetic(hq="PR")
    r = advise("KE", p, "content")
    assert r["voluntary_disclosure"].verdict == "no"  # 2702 binds a provider in Puerto Rico
    assert advise("US", p, "content")["mla"].verdict == "no"


# -- 10. what to prepare comes from the profile


def test_required_elements_in_prepare_are_the_profiles() -> None:
    for provider in REG:
        r = advise("KE", provider, "subscriber")["voluntary_disclosure"]
        step = next(p for p in r.prepare if p.startswith("the elements"))
        recorded = provider.required_for("voluntary_disclosure")
        if recorded:
            for element in recorded:
                assert element.replace("_", " ") in step, (provider.id, step)
        else:
            assert step.endswith("(not recorded)"), (provider.id, step)
        if not recorded or "letterhead" not in recorded:
            assert "letterhead" not in step, (provider.id, step)


def test_no_data_category_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no data category given"):
        advise_routes("FR", profile("google"), (), emergency=False, now=NOW)


# -- 11. a Digital Services Act channel is never an emergency channel for a criminal request


@pytest.mark.parametrize(
    "channel",
    [
        {
            "name": "EU representative (EDSR)",
            "note": "For EU authorities under the Digital Services Act.",
        },
        {"name": "DSA point of contact", "note": None},
        {"name": "Regulators", "note": "Orders under Regulation (EU) 2022/2065 only."},
    ],
)
def test_dsa_channels_are_not_offered_for_emergencies(channel: dict[str, Any]) -> None:
    doc = json.loads((ROOT / "providers" / "google.json").read_bytes())
    first = next(k for k, s in doc["sources"].items() if not s["secondary"])
    entry = {
        "kind": "email",
        "name": channel["name"],
        "address": "dsa@example.eu",
        "sources": [first],
    }
    if channel["note"]:
        entry["note"] = channel["note"]
    doc["channels"] = [entry, *doc["channels"]]
    p = load_profile_bytes(json.dumps(doc).encode(), origin="google.json")
    e = advise("DE", p, "subscriber", emergency=True)["emergency_disclosure"]
    assert channel["name"] not in " ".join(e.why), e.why
