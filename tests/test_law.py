"""The shipped legal facts (law/instruments.json) and the treaty-status rule that reads them."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any, get_args

import pytest

from eevidence.errors import InputError
from eevidence.provider import LawFacts, law_facts
from eevidence.request import Case
from tests.conftest import ROOT

TODAY = date(2026, 12, 1)
"""The date the shipped facts were last reviewed against their sources."""


def _shipped() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(
        (ROOT / "law" / "instruments.json").read_text(encoding="utf-8")
    )
    return doc


def _with_treaty(treaty: dict[str, Any]) -> LawFacts:
    """The shipped facts with CETS 224 replaced by ``treaty`` (sources kept)."""
    doc = _shipped()
    doc["treaties"]["cets-224"] = {
        "title": "a protocol",
        "in_force_ref": "art. 16(3)",
        "ratifications_needed": 5,
        "status_read": "2026-11-01",
        "sources": ["cets-224"],
        **treaty,
    }
    return LawFacts.model_validate(doc)


def test_shipped_facts_load_and_are_cached() -> None:
    facts = law_facts()
    assert facts is law_facts()
    assert facts.last_reviewed <= TODAY
    assert {"cets-185", "cets-224"} <= set(facts.treaties)


def test_every_source_is_https_and_read_no_later_than_today() -> None:
    facts = law_facts()
    for source_id, source in facts.sources.items():
        assert source.url.startswith("https://"), source_id
        assert source.read <= facts.last_reviewed <= TODAY, source_id
        if source.published != "undated":
            assert date.fromisoformat(source.published) <= source.read, source_id
    for treaty_id, treaty in facts.treaties.items():
        assert treaty.status_read <= TODAY, treaty_id


def test_cloud_act_agreements_enter_into_force_after_signature() -> None:
    agreements = {a.partner: a for a in law_facts().cloud_act_agreements}
    assert set(agreements) == {"GB", "AU"}
    for agreement in agreements.values():
        assert agreement.signed < agreement.in_force <= TODAY
        assert agreement.serious_crime_min_penalty_years.value == 3
    assert (agreements["GB"].signed, agreements["GB"].in_force) == (
        date(2019, 10, 3),
        date(2022, 10, 3),
    )
    assert (agreements["AU"].signed, agreements["AU"].in_force) == (
        date(2021, 12, 15),
        date(2024, 1, 31),
    )
    facts = law_facts()
    assert facts.cloud_act_agreement("AU", date(2024, 1, 30)) is None
    assert facts.cloud_act_agreement("AU", date(2024, 1, 31)) is agreements["AU"]
    assert facts.cloud_act_agreement("FR") is None


def test_regulation_clocks_and_listed_offences() -> None:
    eu = law_facts().eu_regulation_2023_1543
    assert (eu.applies_from, eu.applies_from_ref) == (date(2026, 8, 18), "art. 34(2)")
    assert eu.production.hours == 240
    assert (eu.emergency_production.hours, eu.emergency_production.ref) == (8, "art. 10(4)")
    assert (eu.enforcing_review.hours, eu.enforcing_review_emergency.hours) == (240, 96)
    assert eu.preservation.delta == timedelta(days=60)
    assert eu.preservation_extension.delta == timedelta(days=30)
    assert eu.preservation.ref == eu.preservation_extension.ref == "art. 11(1)"
    categories = set(get_args(Case.model_fields["offence_category"].annotation))
    assert set(eu.heavy_data_listed_offences) <= categories
    # art. 5(4)(b): only by means of an information system; (c) terrorist offences: always
    assert set(eu.heavy_data_information_system_offences) < set(eu.heavy_data_listed_offences)
    assert "terrorism" in set(eu.heavy_data_listed_offences) - set(
        eu.heavy_data_information_system_offences
    )
    assert "cybercrime" in eu.heavy_data_information_system_offences
    assert "DK" in eu.not_bound
    assert not law_facts().eu_bound("DK")
    assert law_facts().eu_bound("IE")
    assert not set(eu.bound_member_states) & set(eu.not_bound)


def test_cets_224_is_not_in_force_for_any_pair() -> None:
    facts = law_facts()
    protocol = facts.treaties["cets-224"]
    assert protocol.in_force is None
    assert protocol.ratifications_needed == 5
    assert len(protocol.parties) < 5
    for ratifier in protocol.parties:
        for other in ("US", "GB", "FR", ratifier):
            status = facts.treaty_status("cets-224", (ratifier, other), TODAY)
            assert status.applies == "no"
            assert "is not in force" in status.why[0]
            assert protocol.in_force_ref in status.why[0]
            assert status.sources


def test_cets_224_chart_as_read() -> None:
    protocol = law_facts().treaties["cets-224"]
    assert {state: p.ratified for state, p in protocol.parties.items()} == {
        "RS": date(2023, 2, 9),
        "JP": date(2023, 8, 10),
        "HU": date(2026, 2, 5),
    }
    assert protocol.parties["JP"].excluded == ("7",)
    assert protocol.parties["RS"].excluded == protocol.parties["HU"].excluded == ()
    assert protocol.complete
    assert {"US", "GB", "FR", "DE"} <= set(protocol.signatories)
    for state in ("KE", "BR"):
        assert state not in protocol.signatories
        assert state not in protocol.parties
    assert not set(protocol.signatories) & set(protocol.parties)


def test_budapest_applies_between_recorded_parties() -> None:
    facts = law_facts()
    status = facts.treaty_status("cets-185", ("FR", "US"), TODAY)
    assert status.applies == "yes"
    assert [line.split(" is a Party")[0] for line in status.why] == ["FR", "US"]
    assert facts.treaty_status("cets-185", ("US", "JP"), date(2012, 6, 1)).applies == "no"
    assert facts.treaty_status("cets-185", ("US", "KE"), TODAY).applies == "unknown"
    assert facts.treaty_status("cets-185", ("US", "BJ"), TODAY).applies == "unknown"


def test_untoc_chart_as_read() -> None:
    """UNTOC: the depositary's chart (UNTC XVIII-12, status as at 4 May 2024) read from
    Afghanistan to Belize; entry into force for each Party under art. 38(2)."""
    facts = law_facts()
    untoc = facts.treaties["untoc"]
    assert not untoc.complete
    assert untoc.sources[0] == "untoc"  # the Convention's text holds art. 38
    assert "treaties.un.org" in facts.sources["untc-xviii-12"].url
    assert len(untoc.parties) == 18
    assert set(untoc.parties) >= {"AF", "DZ", "AR", "AU", "AT", "BD", "BE", "BZ"}
    assert "BJ" not in untoc.parties  # its date is cut off in the copy read
    for state, party in untoc.parties.items():
        assert party.ratified is not None, state
        assert party.in_force is not None, state
        thirtieth = party.ratified + timedelta(days=30)
        assert party.in_force == max(thirtieth, date(2003, 9, 29)), state
    assert (untoc.parties["AU"].ratified, untoc.parties["AU"].in_force) == (
        date(2004, 5, 27),
        date(2004, 6, 26),
    )
    assert untoc.parties["AL"].in_force == date(2003, 9, 29)  # deposited before it was in force
    assert (untoc.parties["BD"].ratified, untoc.parties["BD"].in_force) == (
        date(2011, 7, 13),
        date(2011, 8, 12),
    )


def test_untoc_applies_between_recorded_parties() -> None:
    facts = law_facts()
    status = facts.treaty_status("untoc", ("BE", "AU"), TODAY, article="18")
    assert status.applies == "yes"
    assert status.why == (
        "BE is a Party to the United Nations Convention against Transnational Organized Crime "
        "(UNTOC) (in force since 2004-09-10)",
        "AU is a Party to the United Nations Convention against Transnational Organized Crime "
        "(UNTOC) (in force since 2004-06-26)",
    )
    assert any("treaties.un.org" in source for source in status.sources)
    early = facts.treaty_status("untoc", ("AU", "BD"), date(2011, 8, 11))
    assert early.applies == "no"
    assert early.why[1].endswith("enters into force for BD on 2011-08-12")
    assert facts.treaty_status("untoc", ("AU", "BD"), date(2011, 8, 12)).applies == "yes"
    # a State past Belize on the chart is not read: unknown, never a non-Party
    assert facts.treaty_status("untoc", ("FR", "US"), TODAY).applies == "unknown"


def test_status_of_a_treaty_not_yet_in_force() -> None:
    facts = _with_treaty(
        {
            "in_force": None,
            "parties": {"JP": {"ratified": "2023-08-10"}},
            "complete": False,
        }
    )
    status = facts.treaty_status("cets-224", ("JP", "JP"), TODAY)
    assert status.applies == "no"
    assert status.why == (
        "a protocol is not in force: 1 of the 5 ratifications it needs (art. 16(3)) "
        "(chart read 2026-11-01)",
    )
    later = _with_treaty({"in_force": "2027-01-01", "complete": True})
    assert later.treaty_status("cets-224", ("JP",), TODAY).applies == "no"


def test_status_on_an_incomplete_and_a_complete_chart() -> None:
    parties = {"JP": {"in_force": "2025-01-01"}, "RS": {"in_force": "2025-01-01"}}
    incomplete = _with_treaty({"in_force": "2025-01-01", "parties": parties, "complete": False})
    assert incomplete.treaty_status("cets-224", ("JP", "RS"), TODAY).applies == "yes"
    status = incomplete.treaty_status("cets-224", ("JP", "KE"), TODAY)
    assert status.applies == "unknown"
    assert status.why[1] == "whether KE is a Party to a protocol is not recorded"
    complete = _with_treaty(
        {"in_force": "2025-01-01", "parties": parties, "signatories": ["US"], "complete": True}
    )
    status = complete.treaty_status("cets-224", ("JP", "KE"), TODAY)
    assert status.applies == "no"
    assert status.why[1] == "KE is not a Party to a protocol (chart read 2026-11-01)"
    signed = complete.treaty_status("cets-224", ("US", "JP"), TODAY)
    assert signed.applies == "no"
    assert signed.why[0].startswith("US has signed but not ratified")


def test_status_before_entry_into_force_for_a_state_and_with_excluded_articles() -> None:
    facts = _with_treaty(
        {
            "in_force": "2025-01-01",
            "parties": {
                "JP": {"in_force": "2025-01-01", "excluded": ["7"]},
                "RS": {"in_force": "2027-03-01"},
                "HU": {"ratified": "2026-02-05"},
            },
            "complete": True,
        }
    )
    late = facts.treaty_status("cets-224", ("JP", "RS"), TODAY)
    assert late.applies == "no"
    assert late.why[1] == "a protocol enters into force for RS on 2027-03-01"
    assert facts.treaty_status("cets-224", ("JP", "RS"), date(2027, 3, 1)).applies == "yes"
    excluded = facts.treaty_status("cets-224", ("JP",), TODAY, article="7")
    assert excluded.applies == "no"
    assert excluded.why == ("JP excluded art. 7 of a protocol (chart read 2026-11-01)",)
    assert facts.treaty_status("cets-224", ("JP",), TODAY, article="8").applies == "yes"
    assert facts.treaty_status("cets-224", ("JP", "HU"), TODAY).applies == "unknown"
    assert facts.treaty_status("cets-224", ("HU", "RS"), TODAY).applies == "no"


def test_japan_excludes_article_7_once_the_protocol_is_in_force() -> None:
    doc = _shipped()
    doc["treaties"]["cets-224"]["in_force"] = "2027-01-01"
    doc["treaties"]["cets-224"]["parties"]["JP"]["in_force"] = "2027-01-01"
    doc["treaties"]["cets-224"]["parties"]["RS"]["in_force"] = "2027-01-01"
    facts = LawFacts.model_validate(doc)
    on = date(2027, 2, 1)
    assert facts.treaty_status("cets-224", ("JP", "RS"), on).applies == "yes"
    assert facts.treaty_status("cets-224", ("JP", "RS"), on, article="7").applies == "no"
    assert facts.treaty_status("cets-224", ("RS",), on, article="7").applies == "yes"


@pytest.mark.parametrize("treaty_id", ["cets-999", ""])
def test_unknown_treaty_is_an_input_error(treaty_id: str) -> None:
    with pytest.raises(InputError, match="unknown treaty"):
        law_facts().treaty_status(treaty_id, ("FR",), TODAY)


def test_a_facts_first_source_is_the_text_holding_its_articles() -> None:
    """Findings cite ``ref`` against a fact's first source: it must be the legal text."""
    facts = law_facts()
    firsts = {
        "eu_regulation_2023_1543": facts.eu_regulation_2023_1543.sources[0],
        "us_18_usc_2703f": facts.us_18_usc_2703f.sources[0],
        "us_18_usc_2702": facts.us_18_usc_2702.sources[0],
        "budapest_art29": facts.budapest_art29.sources[0],
    }
    firsts.update({a.partner: a.sources[0] for a in facts.cloud_act_agreements})
    assert firsts["eu_regulation_2023_1543"] == "eu-2023-1543"
    assert firsts["us_18_usc_2703f"] == "18-usc-2703"
    assert firsts["us_18_usc_2702"] == "18-usc-2702"
    assert firsts["budapest_art29"] == "cets-185"
    for partner in ("GB", "AU"):
        title = facts.sources[firsts[partner]].title
        assert "Agreement" in title, title
        assert "enters into force" not in title.lower(), title


# ------------------------------------------------------------------ who is a US governmental entity


@pytest.mark.parametrize("country", ["US", "PR", "GU", "VI", "AS", "MP", "UM"])
def test_us_and_its_territories_are_us_governmental(country: str) -> None:
    """18 U.S.C. 2711(4) and 2510(3) (via 2711(1)): a State includes Puerto Rico and any
    territory or possession (https://www.law.cornell.edu/uscode/text/18/2510)."""
    law = law_facts()
    assert law.is_us_governmental(country)
    assert law.same_jurisdiction(country, "US")
    assert law.same_jurisdiction("US", country)


@pytest.mark.parametrize("country", ["GB", "CA", "MX", "FR", "VG", "KE", None])
def test_other_states_are_not_us_governmental(country: str | None) -> None:
    law = law_facts()
    assert not law.is_us_governmental(country)
    if country is not None:
        assert not law.same_jurisdiction(country, "US")


def test_same_jurisdiction_is_the_same_state_or_both_american() -> None:
    law = law_facts()
    assert law.same_jurisdiction("FR", "FR")
    assert not law.same_jurisdiction("FR", "IE")
    assert not law.same_jurisdiction("FR", None)
    assert law.same_jurisdiction("PR", "GU")


def test_us_governmental_fact_cites_2510_and_2711() -> None:
    law = law_facts()
    fact = law.us_governmental
    urls = {law.sources[i].url for i in fact.sources}
    assert "https://www.law.cornell.edu/uscode/text/18/2510" in urls
    assert "https://www.law.cornell.edu/uscode/text/18/2711" in urls
    assert "2510(3)" in fact.ref
    assert "2711(4)" in fact.ref


# ------------------------------------------------------------------ official languages of the Union


def test_the_union_has_24_official_languages() -> None:
    law = law_facts()
    langs = law.eu_official_languages.languages
    assert len(langs) == len(set(langs)) == 24
    assert {"ga", "mt", "hr", "bg", "en", "fr", "de"} <= set(langs)
    assert law.sources[law.eu_official_languages.sources[0]].url.startswith(
        "https://eur-lex.europa.eu/eli/reg/1958/1"
    )


@pytest.mark.parametrize(
    ("tag", "official"),
    [
        ("de", True),
        ("pt-BR", True),
        ("en-GB", True),
        ("ga", True),
        ("el", True),
        ("ja", False),
        ("ru", False),
        ("tr", False),
        ("no", False),
        ("und", False),
    ],
)
def test_official_language_of_the_union(tag: str, official: bool) -> None:
    assert law_facts().is_eu_official_language(tag) is official


def test_a_us_territory_gets_a_providers_us_preservation_terms() -> None:
    """18 U.S.C. 2510(3) (adopted by 2711(1)): Puerto Rico's police is a governmental entity."""
    from eevidence.provider import load_providers

    snap = load_providers(environ={}).get("snap")
    assert snap is not None
    assert snap.preservation_terms("PR") == snap.preservation_terms("US")
    assert snap.preservation_terms("PR") != snap.preservation_terms("FR")
