"""Route advice for the situations investigators ask about first."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from eevidence.errors import InputError
from eevidence.provider import Route, advise_routes, load_providers

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
REG = load_providers(environ={})


def routes(
    country: str, provider: str, *cats: str, emergency: bool = False, now: datetime = NOW
) -> dict[str, Route]:
    found = advise_routes(country, REG.get(provider), cats, emergency=emergency, now=now)  # type: ignore[arg-type]
    return {r.name: r for r in found}


def order(country: str, provider: str, *cats: str, emergency: bool = False) -> list[str]:
    found = advise_routes(country, REG.get(provider), cats, emergency=emergency, now=NOW)  # type: ignore[arg-type]
    return [r.name for r in found]


def test_french_authority_asking_meta_for_content() -> None:
    r = routes("FR", "meta", "content")
    assert r["eu_production_order"].verdict == "likely"
    assert r["eu_production_order"].covers == ("content",)
    assert any("Meta Platforms Ireland" in w for w in r["eu_production_order"].why)
    assert r["eu_preservation_order"].verdict == "likely"
    assert r["voluntary_disclosure"].verdict == "no"
    assert r["cloud_act_agreement"].verdict == "no"
    assert r["mla"].verdict == "possible"
    assert order("FR", "meta", "content")[:2] == ["eu_production_order", "eu_preservation_order"]
    assert "10 days" in r["eu_production_order"].clock
    assert r["eu_production_order"].sources


def test_eu_route_before_the_regulation_applies_and_for_denmark() -> None:
    early = routes("FR", "meta", "content", now=datetime(2026, 5, 1, tzinfo=UTC))
    assert early["eu_production_order"].verdict == "no"
    assert any("applies from 2026-08-18" in w for w in early["eu_production_order"].why)
    denmark = routes("DK", "meta", "content")
    assert denmark["eu_production_order"].verdict == "no"
    assert any("not a Member State bound" in w for w in denmark["eu_production_order"].why)


def test_uk_authority_asking_google_for_content_uses_the_cloud_act_agreement() -> None:
    r = routes("GB", "google", "content")
    assert order("GB", "google", "content")[0] == "cloud_act_agreement"
    assert r["cloud_act_agreement"].verdict == "likely"
    assert any("2022" in w for w in r["cloud_act_agreement"].why)
    assert any("US persons" in w for w in r["cloud_act_agreement"].why)
    assert r["voluntary_disclosure"].verdict == "no"
    assert r["eu_production_order"].verdict == "no"


def test_brazilian_authority_asking_telegram_for_subscriber_data() -> None:
    r = routes("BR", "telegram", "subscriber")
    assert r["voluntary_disclosure"].verdict in {"likely", "possible"}
    assert r["voluntary_disclosure"].covers == ("subscriber",)
    assert r["protocol2_art7_order"].verdict == "possible"
    assert r["cloud_act_agreement"].verdict == "no"
    assert r["eu_production_order"].verdict == "no"
    assert order("BR", "telegram", "subscriber")[-1] != "voluntary_disclosure"


@pytest.mark.parametrize(("country", "provider"), [("KE", "meta"), ("FR", "google"), ("BR", "x")])
def test_any_authority_in_an_emergency_gets_the_emergency_route_first(
    country: str, provider: str
) -> None:
    found = order(country, provider, "content", "subscriber", emergency=True)
    assert found[0] == "emergency_disclosure"
    r = routes(country, provider, "content", "subscriber", emergency=True)
    e = r["emergency_disclosure"]
    assert e.verdict == "likely"
    assert e.clock == "hours"
    assert set(e.covers) == {"content", "subscriber"}
    us = REG.get(provider).value(REG.get(provider).headquarters) == "US"
    assert any("2702" in w for w in e.why) is us
    assert "emergency_disclosure" not in routes(country, provider, "content")


def test_no_emergency_route_without_urgency_and_art7_only_for_subscriber_data() -> None:
    r = routes("KE", "x", "content")
    assert "protocol2_art7_order" not in r
    assert r["voluntary_disclosure"].verdict == "no"
    assert r["mla"].verdict == "possible"
    both = routes("KE", "x", "subscriber", "content")
    assert both["protocol2_art7_order"].covers == ("subscriber",)


def test_route_to_dict_is_json_ready() -> None:
    d = routes("FR", "meta", "content")["eu_production_order"].to_dict()
    assert d["route"] == "eu_production_order"
    assert d["verdict"] == "likely"
    assert d["covers"] == ["content"]
    assert all(isinstance(x, str) for x in d["why"] + d["prepare"] + d["sources"])


def test_an_unknown_data_category_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown data categories 'metadata'"):
        routes("FR", "meta", "subscriber", "metadata")


def test_sources_are_listed_in_a_stable_order() -> None:
    """The provider sources of the voluntary route follow the categories asked, in order."""
    profile = REG.get("meta")
    sources = routes("FR", "meta", "subscriber", "content")["voluntary_disclosure"].sources
    expected = [
        s
        for c in ("subscriber", "content")
        for s in (
            f"{profile.sources[i].title} ({profile.sources[i].url or profile.sources[i].document})"
            for i in profile.foreign_access[c].sources
        )
    ]
    assert list(sources) == list(dict.fromkeys(expected))
