"""Country, language and phone codes against their registries (``eevidence._internal.codes``)
and the shipped ISO 3166-1 list against pycountry (drift)."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from eevidence._internal import codes
from eevidence._internal.codes import (
    MAX_LANGUAGE_DISTANCE,
    country_name,
    country_source,
    is_assigned_country,
    language_tag_problem,
    languages_match,
    phone_problem,
    readable_language_problem,
)
from eevidence.errors import ConfigurationError

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "law" / "iso3166-1.json"

# --------------------------------------------------------------------------- the shipped list


@pytest.mark.skipif(
    importlib.util.find_spec("pycountry") is None,
    reason="pycountry (test extra) is not installed: the drift of law/iso3166-1.json "
    "cannot be checked",
)
def test_shipped_list_matches_pycountry(tmp_path: Path) -> None:
    out = tmp_path / "iso3166-1.json"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_iso3166.py"), str(out)],
        check=True,
        capture_output=True,
    )
    fresh = json.loads(out.read_text(encoding="utf-8"))
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))
    hint = (
        f"law/iso3166-1.json was made with pycountry {shipped['source']['pycountry']}, the "
        f"installed one is {fresh['source']['pycountry']}: run python scripts/gen_iso3166.py"
    )
    assert fresh["codes"] == shipped["codes"], hint
    assert fresh["user_assigned"] == shipped["user_assigned"], hint
    if fresh["source"] == shipped["source"]:
        assert out.read_bytes() == SHIPPED.read_bytes(), hint


def test_shipped_list_records_its_sources() -> None:
    doc = json.loads(SHIPPED.read_text(encoding="utf-8"))
    assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", doc["source"]["pycountry"])
    assert re.fullmatch(r"[0-9a-f]{64}", doc["source"]["data_sha256"])
    assert doc["source"]["url"].startswith("https://")
    assert all(re.fullmatch(r"[A-Z]{2}", c) and name for c, name in doc["codes"].items())
    assert list(doc["codes"]) == sorted(doc["codes"])
    # user-assigned codes: only the documented ones, none that ISO has since assigned
    assert set(doc["user_assigned"]) == {"XK"}
    assert not set(doc["user_assigned"]) & set(doc["codes"])
    for entry in doc["user_assigned"].values():
        assert entry["sources"]
        for source in entry["sources"]:
            assert source["url"].startswith("https://")
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", source["read"])
            assert source["published"] == "undated" or re.fullmatch(
                r"\d{4}-\d{2}-\d{2}", source["published"]
            )


# --------------------------------------------------------------------------- countries


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("FR", "France"),
        ("GB", "United Kingdom"),
        ("US", "United States"),
        ("DE", "Germany"),
        ("AX", "Åland Islands"),
        ("XK", "Kosovo"),  # user-assigned, documented (law/iso3166-1.json)
    ],
)
def test_assigned_countries(code: str, name: str) -> None:
    assert is_assigned_country(code)
    assert country_name(code) == name


@pytest.mark.parametrize(
    "code",
    [
        "XX",  # user-assigned range, undocumented
        "QZ",  # user-assigned range, undocumented
        "AA",  # user-assigned
        "ZZ",  # user-assigned ("unknown" in CLDR)
        "UK",  # exceptionally reserved for the United Kingdom; its code is GB
        "EU",  # exceptionally reserved for the European Union, which is not a country
        "YU",  # withdrawn (Yugoslavia)
        "AN",  # withdrawn (Netherlands Antilles)
        "fr",  # lower case is not a code element
        "F",
        "FRA",  # alpha-3
        "",
    ],
)
def test_unassigned_countries(code: str) -> None:
    assert not is_assigned_country(code)
    assert country_name(code) is None


def test_the_list_cites_its_sources() -> None:
    source = country_source()
    assert source.startswith("ISO 3166-1 alpha-2 (Debian iso-codes")
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))
    assert f"pycountry {shipped['source']['pycountry']}" in source
    assert "XK: user-assigned, European Commission, Eurostat" in source
    assert "https://ec.europa.eu/eurostat/" in source


def test_eu_member_states_of_the_legal_facts_are_assigned() -> None:
    law = json.loads((ROOT / "law" / "instruments.json").read_text(encoding="utf-8"))
    eu = law["eu_regulation_2023_1543"]
    for code in [*eu["bound_member_states"], *eu["not_bound"]]:
        assert is_assigned_country(code), code


@pytest.fixture
def broken_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(codes, "data_dir", lambda name: tmp_path)
    codes._country_list.cache_clear()
    yield tmp_path / "iso3166-1.json"
    codes._country_list.cache_clear()


_SOURCE = '"source": {"data": "d", "pycountry": "1", "url": "https://x.example"}'


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (None, "is broken"),  # file missing
        ("{", "is broken"),
        ('{"codes": {}}', "user_assigned"),
        ('{"codes": {}, "user_assigned": {}}', "source"),
        (f'{{"codes": {{"FR": "France"}}, "user_assigned": {{}}, {_SOURCE}}}', "only 1 codes"),
        (f'{{"codes": {{"fr": "France"}}, "user_assigned": {{}}, {_SOURCE}}}', "bad entries"),
        (
            '{"codes": {"FR": "France"}, "user_assigned": {"XK": {"name": "K", "sources": []}}}',
            "no source",
        ),
    ],
)
def test_a_broken_list_is_a_configuration_error(
    broken_list: Path, text: str | None, why: str
) -> None:
    if text is not None:
        broken_list.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=why):
        is_assigned_country("FR")


# --------------------------------------------------------------------------- languages


@pytest.mark.parametrize(
    "tag",
    ["en", "pt-BR", "zh-Hans", "zh-Hant", "no", "nb", "iw", "he", "EN-gb", "sr-Latn-RS", "x-a1"],
)
def test_valid_language_tags(tag: str) -> None:
    assert language_tag_problem(tag) is None


@pytest.mark.parametrize(
    ("tag", "why"),
    [
        ("xx", "'xx' is not a registered language subtag"),
        ("jp", "'jp' is not a registered language subtag"),
        ("en-Abcd-GB", "'Abcd' is not a registered script subtag"),
        ("en-AA1", "not a well-formed"),
        ("en-000", "'000' is not a registered region subtag"),
        ("de-1234", "'1234' is not a registered variant subtag"),
        ("de-1901-1901", "repeats a subtag"),
        ("en--", "not a well-formed BCP 47 language tag"),
        ("", "not a well-formed BCP 47 language tag"),
    ],
)
def test_invalid_language_tags(tag: str, why: str) -> None:
    problem = language_tag_problem(tag)
    assert problem is not None
    assert why in problem
    assert "\n" not in problem


@pytest.mark.parametrize(
    ("wanted", "accepted", "match"),
    [
        # primary-subtag comparison gets these wrong
        ("zh-Hans", ["zh-Hant"], False),
        ("zh-Hant", ["zh-Hans"], False),
        ("zh-TW", ["zh"], False),  # zh is zh-Hans-CN
        ("nb", ["no"], True),
        ("no", ["nb"], True),
        ("iw", ["he"], True),
        ("he", ["iw"], True),
        # regional variants
        ("en-GB", ["en"], True),
        ("en", ["en-GB"], True),
        ("en-US", ["en-GB"], True),
        ("pt-BR", ["pt"], True),
        ("pt-PT", ["pt"], True),
        ("fr-CA", ["fr"], True),
        # scripts: CLDR puts sr-Latn within 5 of sr-Cyrl, but a reader of one script has
        # not said it reads the other (maximized scripts are compared)
        ("sr-Latn", ["sr-Cyrl"], False),
        ("sr-Cyrl", ["sr-Latn"], False),
        ("sr-Cyrl", ["sr"], True),  # sr is sr-Cyrl-RS
        ("sr-Latn", ["sr"], False),
        ("sr-Latn-RS", ["sr-Latn"], True),
        ("uz-Cyrl", ["uz"], False),  # uz is uz-Latn-UZ
        ("az-Cyrl", ["az-Latn"], False),
        ("pa-Arab", ["pa"], False),  # pa is pa-Guru-IN
        ("zh-HK", ["zh-Hant"], True),  # zh-HK is zh-Hant-HK
        # other languages
        ("de", ["en"], False),
        ("bs", ["hr"], False),  # distance 8, over the threshold
        ("da", ["nb"], False),
        ("nn", ["no"], False),
        ("de", ["fr", "nl", "de-AT"], True),
        ("de", [], False),
        # tags langcodes cannot parse match only themselves
        ("en--", ["EN--"], True),
        ("en--", ["en"], False),
    ],
)
def test_languages_match(wanted: str, accepted: list[str], match: bool) -> None:
    assert languages_match(wanted, accepted) is match


@pytest.mark.parametrize("tag", ["und", "zxx", "mul", "mis", "und-Latn", "MUL"])
def test_special_purpose_codes_are_no_language_to_read(tag: str) -> None:
    assert language_tag_problem(tag) is None  # registered, so valid BCP 47
    problem = readable_language_problem(tag)
    assert problem is not None
    assert "special-purpose" in problem


@pytest.mark.parametrize("tag", ["en", "fr-CA", "sr-Latn", "zh-Hant"])
def test_languages_are_readable(tag: str) -> None:
    assert readable_language_problem(tag) is None


def test_readable_language_keeps_the_registry_reason() -> None:
    assert readable_language_problem("qq-QQQQ") == language_tag_problem("qq-QQQQ")


def test_language_threshold_sits_between_variants_and_neighbours() -> None:
    from langcodes import tag_distance

    assert tag_distance("sr-Cyrl", "sr-Latn") == MAX_LANGUAGE_DISTANCE
    assert tag_distance("en", "en-GB") <= MAX_LANGUAGE_DISTANCE
    assert tag_distance("hr", "bs") > MAX_LANGUAGE_DISTANCE


def test_languages_match_takes_any_iterable() -> None:
    assert languages_match("en-GB", iter(["fr", "en"]))
    assert languages_match("en-GB", ("fr", "en"))


# --------------------------------------------------------------------------- phone numbers


@pytest.mark.parametrize(
    "number",
    [
        "+447400123456",  # UK mobile (07400 range)
        "+442079460000",  # London
        "+33612345678",  # French mobile
        "+33140000001",  # Paris
        "+491701234567",  # German mobile
        "+38349123456",  # Kosovo (+383)
        "+80012345678",  # international freephone (+800)
    ],
)
def test_valid_phone_numbers(number: str) -> None:
    assert phone_problem(number) is None


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("+44200000000", "not a valid number in the numbering plan of +44"),  # 020 0000 000
        ("+441000000000", "not a valid number in the numbering plan of +44"),  # 010: unused
        ("+447700900123", "not a valid number in the numbering plan of +44"),  # 07700 900
        ("+33012345678", "not a valid number in the numbering plan of +33"),  # trunk 0 kept
        ("+4474001234567", "too long for the numbering plan of +44"),
        ("+8001234567", "too short for the numbering plan of +800"),
        ("+999123456", "does not begin with a country calling code in use"),
        ("+447", "too short to be a phone number"),
        ("447400123456", "not in E.164 form"),
        ("+44 7400 123456", "not in E.164 form"),
        ("+0123456", "not in E.164 form"),
        ("+1234567890123456", "not in E.164 form"),  # 16 digits
    ],
)
def test_invalid_phone_numbers(number: str, why: str) -> None:
    problem = phone_problem(number)
    assert problem is not None
    assert why in problem


# --------------------------------------------------------------------------- start-up


def test_the_registries_load_on_first_use_only() -> None:
    code = (
        "import sys, eevidence, eevidence._internal.codes as c\n"
        "mods = ('langcodes', 'phonenumbers', 'pycountry')\n"
        "print(sorted(m for m in mods if m in sys.modules))\n"
        "c.is_assigned_country('FR'); c.language_tag_problem('en'); c.phone_problem('+33612345678')\n"
        "print(sorted(m for m in mods if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after = out.stdout.splitlines()
    assert before == "[]"
    assert after == "['langcodes', 'phonenumbers']"  # pycountry never, at run time
