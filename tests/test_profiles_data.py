"""The shipped provider profiles (``providers/*.json``) and the profile model that reads them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, get_args

import pytest

from eevidence.errors import EEvidenceError
from eevidence.provider import Entity, Fact, Practice, ProviderProfile, load_profile_bytes
from eevidence.provider._profiles import ProfileError
from eevidence.request import (
    DATA_CATEGORIES,
    IDENTIFIER_TYPES,
    KINDS,
    REQUEST_KINDS,
    RequestKind,
)

ROOT = Path(__file__).resolve().parents[1]
PROVIDERS = ROOT / "providers"
FILES = sorted(PROVIDERS.glob("*.json"))

REVIEWED_IDS = {
    "airbnb",
    "amazon",
    "apple",
    "cloudflare",
    "discord",
    "dropbox",
    "google",
    "linkedin",
    "meta",
    "microsoft",
    "reddit",
    "signal",
    "snap",
    "telegram",
    "tiktok",
    "uber",
    "whatsapp",
    "x",
    "yahoo",
}

# Facts and records that rest only on secondary sources (third-party accounts). None may be a fact a
# check relies on (tests/test_profile_lint.py); the reviewed profiles have none left.
SECONDARY_ONLY: dict[str, set[str]] = {}

LEGAL_URLS = (
    "https://www.law.cornell.edu/uscode/text/18/",
    "https://eur-lex.europa.eu/eli/reg/2023/1543/oj",
)


def _load(path: Path) -> ProviderProfile:
    return load_profile_bytes(path.read_bytes(), origin=str(path))


def _by_id(provider_id: str) -> ProviderProfile:
    return _load(PROVIDERS / f"{provider_id}.json")


@pytest.fixture(scope="module")
def profiles() -> dict[str, ProviderProfile]:
    return {path.stem: _load(path) for path in FILES}


def test_every_reviewed_provider_is_shipped() -> None:
    # Profiles may be added; the reviewed ones (which write out every field, ``practice``
    # included) must stay.
    assert {path.stem for path in FILES} >= REVIEWED_IDS


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_file_parses_and_id_matches_file_name(path: Path) -> None:
    profile = _load(path)
    assert profile.id == path.stem


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_known_statement_cites_an_existing_source(path: Path) -> None:
    profile = _load(path)
    for where, item in profile.iter_sourced():
        if getattr(item, "status", "known") == "known":
            assert item.sources, where
        for ref in item.sources:
            assert ref in profile.sources, f"{where}: {ref}"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_source_is_cited_and_dated_consistently(path: Path) -> None:
    profile = _load(path)
    cited = {ref for _, item in profile.iter_sourced() for ref in item.sources}
    assert set(profile.sources) == cited, "a source is defined but never cited"
    for source in profile.sources.values():
        assert source.read <= profile.last_reviewed
        if source.published != "undated":
            assert source.published <= source.read
        if source.kind == "legal":
            assert source.url is not None
            assert source.url.startswith(LEGAL_URLS)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_unknowns_are_explicit(path: Path) -> None:
    raw: dict[str, Any] = json.loads(path.read_bytes())
    # every kind sent to a provider; a kind addressed to a State (kinds table) needs no fact
    assert set(raw["request_kinds"]) == {k for k, s in KINDS.items() if s.addressee == "provider"}
    assert set(raw["identifiers"]) == set(IDENTIFIER_TYPES)
    assert set(raw["foreign_access"]) == set(DATA_CATEGORIES)
    profile = _load(path)
    for where, fact in profile.iter_facts():
        if not fact.known:
            assert fact.value is None, where
    # Every required field of the model is written out; the reviewed profiles also write out
    # the optional ones (``practice``): nothing falls back to a default silently there.
    for name, info in ProviderProfile.model_fields.items():
        assert name in raw or (not info.is_required() and path.stem not in REVIEWED_IDS), name
    parts = ["preservation", "emergency", "user_notice"]
    if path.stem in REVIEWED_IDS:
        parts.append("practice")
        assert set(raw["practice"]) == set(Practice.model_fields)
    for part in parts:
        field = ProviderProfile.model_fields[part].annotation
        assert isinstance(field, type)
        for name, info in field.model_fields.items():
            assert name in raw[part] or not info.is_required(), f"{part}.{name}"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_secondary_facts_rest_only_on_secondary_sources(path: Path) -> None:
    profile = _load(path)
    items = dict(profile.iter_sourced())
    expected = SECONDARY_ONLY.get(profile.id, set())
    for where in expected:
        assert profile.is_secondary(items[where]), where
    actual = {where for where, item in items.items() if profile.is_secondary(item)}
    assert actual == expected


def test_files_are_formatted_as_json_objects_with_a_final_newline() -> None:
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        assert text.endswith("}\n"), path.name
        assert isinstance(json.loads(text), dict)


# -- helpers a checker uses ---------------------------------------------------------------------


def test_snap_preservation_depends_on_the_requester() -> None:
    snap = _by_id("snap")
    us = snap.preservation_terms("US")
    assert (us.initial_days, us.extension_days, us.max_extensions) == (90, 90, 1)
    foreign = snap.preservation_terms("FR")
    assert (foreign.initial_days, foreign.extension_days, foreign.max_extensions) == (365, 180, 1)
    assert snap.preservation_days() == 90
    assert snap.accepts_identifier("ip_address") is False
    assert snap.accepts_identifier("username") is True
    assert snap.accepts_identifier("imei") is None
    first = snap.channels_for("emergency_disclosure")[0]
    assert first.name == "Law Enforcement Emergency Response Form"


def test_unknown_and_secondary_facts_give_none_unless_asked() -> None:
    meta = _by_id("meta")
    assert meta.accepts_kind("preservation") is True
    assert meta.accepts_kind("preservation_extension") is None
    assert meta.foreign_route("subscriber") is None
    assert meta.foreign_route("content") == "mla_or_cloud_act"
    # A fact resting only on a secondary source answers None unless asked for.
    raw = _meta_raw()
    raw["sources"]["third-party"] = {
        "kind": "provider",
        "title": "A third-party account",
        "url": "https://example.org/account",
        "published": "undated",
        "read": "2026-12-01",
        "secondary": True,
    }
    raw["preservation"]["extension_days"] = {
        "status": "known",
        "value": 90,
        "sources": ["third-party"],
    }
    meta = load_profile_bytes(json.dumps(raw).encode(), origin="meta.json")
    assert meta.preservation_terms().extension_days is None
    assert meta.preservation_terms(include_secondary=True).extension_days == 90
    # Google's own pages state no preservation period: unknown, the third-party figure gone.
    google = _by_id("google")
    assert google.preservation_days(include_secondary=True) is None
    apple = _by_id("apple")
    assert apple.channels_for("emergency_disclosure", include_secondary=True) == ()


def test_reddit_retention_and_languages() -> None:
    reddit = _by_id("reddit")
    assert reddit.retention[0].deleted_after_days == 100
    assert reddit.value(reddit.languages) == ("en", "nl")
    required = reddit.required_for("preservation")
    assert required is not None
    assert {"letterhead", "signature", "date_range"} <= required
    assert reddit.required_for("emergency_disclosure") is None
    assert reddit.preservation_terms().extension_notice_days == 7


def test_end_to_end_encrypted_content_is_not_available() -> None:
    for provider_id in ("whatsapp", "signal", "telegram"):
        assert _by_id(provider_id).foreign_route("content") == "not_available"


def test_eu_orders_cite_the_regulation() -> None:
    for path in FILES:
        profile = _load(path)
        fact = profile.request_kinds["eu_production_order"]
        if fact.known:
            assert "eu-2023-1543" in fact.sources
            assert profile.sources["eu-2023-1543"].kind == "legal"


# -- negative vectors -----------------------------------------------------------------------------


def _meta_raw() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads((PROVIDERS / "meta.json").read_bytes())
    return raw


def _problems(raw: dict[str, Any]) -> ProfileError:
    with pytest.raises(ProfileError) as info:
        load_profile_bytes(json.dumps(raw).encode(), origin="bad/meta.json")
    assert info.value.origin == "bad/meta.json"
    assert info.value.diagnostics().startswith("bad/meta.json: invalid provider profile")
    return info.value


def test_known_fact_without_sources_is_refused_with_its_path() -> None:
    raw = _meta_raw()
    raw["preservation"]["initial_days"]["sources"] = []
    error = _problems(raw)
    assert error.problems == (
        ("$.preservation.initial_days", "a known fact needs at least one source id"),
    )
    assert "$.preservation.initial_days: a known fact" in error.diagnostics()


def test_source_id_that_does_not_exist_is_refused_with_its_path() -> None:
    raw = _meta_raw()
    raw["preservation"]["initial_days"]["sources"] = ["meta-guidelines", "nowhere"]
    raw["channels"][0]["sources"] = ["nowhere-else"]
    error = _problems(raw)
    assert error.problems == (
        ("$.channels[0].sources[0]", "unknown source id 'nowhere-else'"),
        ("$.preservation.initial_days.sources[1]", "unknown source id 'nowhere'"),
    )


def test_unknown_field_is_refused() -> None:
    raw = _meta_raw()
    raw["preservation"]["notes"] = "x"
    raw["colour"] = "blue"
    paths = {path for path, _ in _problems(raw).problems}
    assert paths == {"$.preservation.notes", "$.colour"}


def test_unknown_fact_with_a_value_and_known_fact_without_one_are_refused() -> None:
    raw = _meta_raw()
    raw["languages"] = {"status": "unknown", "value": ["en"]}
    raw["headquarters"] = {"status": "known", "sources": ["meta-guidelines"]}
    assert dict(_problems(raw).problems) == {
        "$.languages": "an unknown fact must have value null",
        "$.headquarters": "a known fact needs a value",
    }


def test_missing_fact_and_missing_map_entry_are_refused() -> None:
    raw = _meta_raw()
    del raw["languages"]
    del raw["identifiers"]["imei"]
    problems = dict(_problems(raw).problems)
    assert problems["$.languages"] == "Field required"
    assert problems["$.identifiers"].startswith("missing entries for imei")


def test_bad_values_are_reported_where_they_are() -> None:
    raw = _meta_raw()
    raw["id"] = "Meta!"
    raw["foreign_access"]["content"]["value"] = "ask nicely"
    raw["sources"]["meta-guidelines"]["published"] = "2026-02-30"
    raw["preservation"]["initial_days"]["value"] = 90.0
    paths = {path for path, _ in _problems(raw).problems}
    assert paths == {
        "$.id",
        "$.foreign_access.content.value",
        "$.sources['meta-guidelines'].published",
        "$.preservation.initial_days.value",
    }


def test_invalid_json_is_reported_at_the_root() -> None:
    with pytest.raises(ProfileError) as info:
        load_profile_bytes(b"{not json", origin="x.json")
    assert info.value.problems[0][0] == "$"
    assert isinstance(info.value, EEvidenceError)


def test_source_rules_are_enforced() -> None:
    raw = _meta_raw()
    del raw["sources"]["meta-guidelines"]["url"]
    raw["sources"]["eu-2023-1543"]["secondary"] = True
    raw["sources"]["18-usc-2702"]["url"] = "http://www.law.cornell.edu/uscode/text/18/2702"
    problems = dict(_problems(raw).problems)
    assert problems["$.sources['meta-guidelines'].url"] == "Field required"
    assert problems["$.sources['eu-2023-1543']"] == (
        "a legal source must be the text of the law itself"
    )
    assert problems["$.sources['18-usc-2702'].url"].startswith("String should match pattern")


def test_one_preservation_variant_per_group_of_requesters() -> None:
    raw = _meta_raw()
    variant = {"requesters": "non_us", "initial_days": 30, "sources": ["meta-guidelines"]}
    raw["preservation"]["variants"] = [variant, variant]
    assert dict(_problems(raw).problems) == {
        "$.preservation.variants": "at most one variant per group of requesters"
    }


def test_required_for_merges_general_and_kind_specific_elements() -> None:
    x = _by_id("x")
    general = x.required_for("voluntary_disclosure")
    emergency = x.required_for("emergency_disclosure")
    assert general == frozenset(
        ("letterhead", "official_email_domain", "data_categories", "justification")
    )
    assert emergency is not None
    assert {"person_at_risk", "letterhead"} <= emergency
    assert x.cited(x.preservation.initial_days)[0].title == "X: Guidelines for law enforcement"
    assert "$.preservation.initial_days" not in x.unknowns()
    assert "$.languages" in x.unknowns()


# -- facts that route advice depends on -----------------------------------------------------------

_DSA = re.compile(r"\bDSA\b|Digital Services Act|2022/2065|\bEDSR\b", re.IGNORECASE)
_NOT_EVIDENCE = re.compile(
    r"\bDSA\b|Digital Services Act|2022/2065|\bEDSR\b|GDPR|2016/679|privacy policy|"
    r"data protection|data controller",
    re.IGNORECASE,
)


def _texts(profile: ProviderProfile, fact: Fact[Any]) -> list[str]:
    """The fact's note and the titles and notes of the sources it rests on."""
    texts = [fact.note or ""]
    for source in profile.cited(fact):
        texts += [source.title, source.note or "", source.document or ""]
    return texts


def _language_faults(profile: ProviderProfile) -> list[str]:
    """Known language facts that rest on a Digital Services Act statement."""
    return [
        name
        for name, fact in (
            ("languages", profile.languages),
            ("eu_order_languages", profile.eu_order_languages),
        )
        if fact.known and any(_DSA.search(t) for t in _texts(profile, fact))
    ]


def _addressee_faults(profile: ProviderProfile) -> list[str]:
    """Why a known EU order addressee would rest on a DSA or GDPR statement (empty: none)."""
    fact = profile.eu_designated_addressee
    if not fact.known:
        return []
    faults = [t for t in _texts(profile, fact) if _NOT_EVIDENCE.search(t)]
    if fact.value is not None and _NOT_EVIDENCE.search(fact.value.name):
        faults.append(fact.value.name)
    return faults


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_languages_never_rest_on_a_digital_services_act_statement(path: Path) -> None:
    assert _language_faults(_load(path)) == []


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_eu_order_addressee_never_rests_on_a_dsa_or_gdpr_source(path: Path) -> None:
    profile = _load(path)
    assert _addressee_faults(profile) == []


def test_the_dsa_and_gdpr_checks_catch_what_they_are_for() -> None:
    raw = json.loads((PROVIDERS / "x.json").read_bytes())
    raw["languages"] = {
        "status": "known",
        "value": ["en"],
        "sources": ["x-guidelines"],
        "note": "Requests under Articles 9 and 10 of the DSA must be in English.",
    }
    raw["eu_designated_addressee"] = {
        "status": "known",
        "value": {"name": "X Internet Unlimited Co.", "country": "IE"},
        "sources": ["x-guidelines"],
        "note": "Data controller for EU/EEA users.",
    }
    bad = load_profile_bytes(json.dumps(raw).encode(), origin="bad/x.json")
    assert _language_faults(bad) == ["languages"]
    assert _addressee_faults(bad) == ["Data controller for EU/EEA users."]
    assert bad.designated_addressee() == Entity(name="X Internet Unlimited Co.", country="IE")
    raw = json.loads((PROVIDERS / "telegram.json").read_bytes())
    raw["eu_designated_addressee"] = {
        "status": "known",
        "value": {"name": "EDSR"},
        "sources": ["telegram-faq"],
    }
    assert _addressee_faults(load_profile_bytes(json.dumps(raw).encode(), origin="t.json")) == [
        "EDSR"
    ]


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_us_providers_content_is_bounded_by_18_usc_2702(path: Path) -> None:
    # A provider whose own text puts it in the US discloses content to a foreign government
    # only in an emergency or on an order under a CLOUD Act agreement (18 U.S.C. 2702(b)(8),
    # (b)(9)): its content route is never a direct request, and says so with the statute.
    profile = _load(path)
    if profile.value(profile.headquarters) != "US":
        return
    fact = profile.foreign_access["content"]
    route = profile.foreign_route("content")
    assert route in (None, "mla_or_cloud_act", "not_available")
    if route == "mla_or_cloud_act":
        assert "18-usc-2702" in fact.sources
        assert profile.sources["18-usc-2702"].kind == "legal"


def test_corrected_headquarters() -> None:
    for provider_id in ("meta", "snap", "amazon", "cloudflare", "airbnb", "whatsapp", "signal"):
        profile = _by_id(provider_id)
        assert profile.value(profile.headquarters) == "US", provider_id
        assert profile.cited(profile.headquarters)[0].kind == "provider"
    telegram = _by_id("telegram")
    assert telegram.value(telegram.headquarters) == "VG"
    assert telegram.cited(telegram.headquarters)[0].url == "https://telegram.org/privacy"
    # Telegram's EU representative serves the Digital Services Act, not evidence orders: it
    # is a remark, never a channel.
    assert telegram.value(telegram.eu_establishment) is not None
    assert telegram.designated_addressee() is None
    assert telegram.value(telegram.languages) is None
    assert any("English or French" in r.text for r in telegram.remarks)
    assert all("edsr" not in (c.address or "") for c in telegram.channels)
    x = _by_id("x")
    assert x.value(x.languages) is None
    assert any("Articles 9 and 10" in r.text for r in x.remarks)
    # TikTok's own texts name an operator per region and no headquarters of the group.
    tiktok = _by_id("tiktok")
    assert tiktok.value(tiktok.headquarters) is None


def _headquarters_faults(profile: ProviderProfile) -> list[str]:
    """Why a known headquarters would not rest on the provider's own text (empty: none)."""
    fact = profile.headquarters
    if not fact.known:
        return []
    own = [
        source
        for source in profile.cited(fact)
        if source.kind == "provider" and not source.secondary and source.url is not None
    ]
    faults = [] if own else ["no provider source with a url"]
    if not (fact.note or "").strip():
        faults.append("no note saying what the source states")
    return faults


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_a_known_headquarters_cites_the_providers_own_text(path: Path) -> None:
    # Route advice and the checker bound a profile by the law of its headquarters country
    # (18 U.S.C. 2702 for "US"), so that country comes from the provider's own page, cited.
    assert _headquarters_faults(_load(path)) == []


def _dsa_channels(profile: ProviderProfile) -> list[str]:
    """Channels offered for some request kind although their note or sources are about the
    Digital Services Act (Reg. (EU) 2022/2065), which serves regulators, not criminal cases."""
    faults = []
    kinds: tuple[RequestKind, ...] = get_args(RequestKind)
    for kind in kinds:
        for channel in profile.channels_for(kind, include_secondary=True):
            texts = [channel.name, channel.note or ""]
            for source in profile.cited(channel):
                texts += [source.title, source.note or "", source.document or ""]
            if any(_DSA.search(text) for text in texts):
                faults.append(f"{kind}: {channel.name}")
    return faults


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_no_digital_services_act_channel_is_offered_for_evidence_requests(path: Path) -> None:
    assert _dsa_channels(_load(path)) == []


def test_the_headquarters_and_dsa_channel_checks_catch_what_they_are_for() -> None:
    raw = json.loads((PROVIDERS / "telegram.json").read_bytes())
    raw["channels"].insert(
        0,
        {
            "kind": "email",
            "name": "EU representative (EDSR)",
            "address": "dsa.telegram@edsr.eu",
            "sources": ["telegram-faq"],
            "note": "For EU authorities under the Digital Services Act; English or French.",
        },
    )
    # Unscoped, the channel would be offered for every request; the tests catch it.
    raw["sources"]["telegram-email-secondary"] = {
        "kind": "provider",
        "title": "A third-party account",
        "url": "https://example.org/telegram",
        "published": "undated",
        "read": "2026-12-01",
        "secondary": True,
    }
    raw["headquarters"]["sources"] = ["telegram-email-secondary"]
    bad = load_profile_bytes(json.dumps(raw).encode(), origin="bad/telegram.json")
    assert _dsa_channels(bad) == [f"{kind}: EU representative (EDSR)" for kind in REQUEST_KINDS]
    assert _headquarters_faults(bad) == ["no provider source with a url"]
    raw["headquarters"] = {
        "status": "known",
        "value": "VG",
        "sources": ["telegram-email-secondary"],
    }
    bad = load_profile_bytes(json.dumps(raw).encode(), origin="bad/telegram.json")
    assert _headquarters_faults(bad) == [
        "no provider source with a url",
        "no note saying what the source states",
    ]


def test_emergency_categories_for_foreign_authorities() -> None:
    snap = _by_id("snap")
    categories = snap.emergency_categories()
    assert categories == ("subscriber", "user_identification", "traffic")
    assert "content" not in categories
    note = snap.emergency.foreign_categories.note or ""
    assert "limited non-content Snapchat account records" in note
    for path in FILES:
        profile = _load(path)
        if profile.id != "snap":
            assert profile.emergency_categories() is None, profile.id


def test_no_shipped_profile_names_an_eu_order_addressee_yet() -> None:
    # No provider text read names an addressee under Directive (EU) 2023/1544; the fact stays
    # unknown, with a note saying so, until one does.
    for path in FILES:
        profile = _load(path)
        fact = profile.eu_designated_addressee
        assert profile.designated_addressee(include_secondary=True) is None, profile.id
        assert fact.note is not None, profile.id
        assert "2023/1544" in fact.note, profile.id
        assert profile.value(profile.eu_order_languages, include_secondary=True) is None


def test_tiktok_entities_and_content_route() -> None:
    tiktok = _by_id("tiktok")
    by_region = {region: e.name for e in tiktok.entities for region in e.regions}
    assert by_region["US"] == "TikTok Inc."
    assert by_region["EEA"] == "TikTok Technology Limited"
    assert by_region["ROW"] == "TikTok Pte. Limited"
    # "a domestic court / judicial order, warrant or equivalent"; MLA only where the requester
    # and the TikTok entity serving the user are in different countries (see the note).
    assert tiktok.foreign_route("content") == "domestic_process"
    assert "different country" in (tiktok.foreign_access["content"].note or "")
    assert tiktok.accepts_identifier("url") is True
    assert tiktok.value(tiktok.headquarters) is None
