"""The directory of authorities: shipped entries, schema, user folders, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from eevidence._cli import main
from eevidence._internal.resources import data_dir
from eevidence.authorities import (
    AUTHORITIES_ENV,
    AUTHORITY_SCHEMA_FILE,
    Authority,
    generated_schemas,
    load_authorities,
    load_authority_file,
)
from eevidence.errors import ConfigurationError, InputError
from tests.helpers import ROOT

SHIPPED = sorted((ROOT / "authorities").glob("*.json"))


def _restricted_entry() -> dict[str, object]:
    return {
        "id": "xx-poc",
        "name": "National 24/7 point of contact",
        "country": "FR",
        "distribution": "restricted",
        "last_reviewed": "2026-11-30",
        "sources": {
            "list": {
                "kind": "restricted_directory",
                "title": "24/7 network list",
                "document": "T-CY 24/7 points of contact, extract of 2026-11-01",
                "published": "2026-11-01",
                "read": "2026-11-30",
            }
        },
        "roles": [
            {"function": "point_of_contact_24_7", "instruments": ["cets-185"], "sources": ["list"]}
        ],
        "channels": [
            {
                "kind": "phone",
                "name": "duty line",
                "address": "+33 1 00 00 00 00",
                "sources": ["list"],
            }
        ],
        "languages": {"status": "known", "value": ["fr", "en"], "sources": ["list"]},
        "formalities": {"status": "unknown"},
        "transmission_days": {"status": "known", "value": 45, "sources": ["list"]},
    }


def test_shipped_entries_are_public_sourced_and_dated() -> None:
    assert len(SHIPPED) >= 2
    registry = load_authorities(environ={})
    assert registry.ids() == sorted(p.stem for p in SHIPPED)
    for entry in registry:
        assert entry.distribution == "public"
        for source in entry.sources.values():
            assert source.url is not None
            assert source.url.startswith("https://")
            assert source.kind != "restricted_directory"
            assert source.read <= entry.last_reviewed
        assert entry.roles


def test_us_and_uk_central_authorities_and_unknowns() -> None:
    registry = load_authorities(environ={})
    (us,) = registry.find("us", "mla_central_authority")
    assert us.id == "us-doj-oia"
    assert not us.transmission_days.known
    assert us.transmission_days.value is None
    (uk,) = registry.find("GB", "mla_central_authority")
    assert uk.formalities.known
    assert registry.find("GB", "point_of_contact_24_7") == []


def _committed_validator() -> Draft202012Validator:
    schema = json.loads((ROOT / "schemas" / AUTHORITY_SCHEMA_FILE).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_committed_schema_is_published_and_matches_the_model() -> None:
    assert set(generated_schemas()) == {AUTHORITY_SCHEMA_FILE}
    committed = json.loads((ROOT / "schemas" / AUTHORITY_SCHEMA_FILE).read_text(encoding="utf-8"))
    assert committed == generated_schemas()[AUTHORITY_SCHEMA_FILE]
    assert committed["$id"] == "urn:eevidence:schema:authority-directory:1"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_committed_schema_accepts_every_shipped_entry(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    assert [e.message for e in _committed_validator().iter_errors(document)] == []


def test_committed_schema_accepts_a_restricted_entry_and_refuses_broken_ones() -> None:
    validator = _committed_validator()
    assert list(validator.iter_errors(_restricted_entry())) == []
    wrong_function = _restricted_entry()
    wrong_function["roles"] = [{"function": "x", "instruments": ["any"], "sources": ["list"]}]
    assert not validator.is_valid(wrong_function)
    extra = {**_restricted_entry(), "colour": "red"}
    assert not validator.is_valid(extra)
    plain_http = json.loads((ROOT / "authorities" / "us-doj-oia.json").read_text("utf-8"))
    first = next(iter(plain_http["sources"]))
    plain_http["sources"][first]["url"] = "http://www.justice.gov/"
    assert not validator.is_valid(plain_http)


def test_shipped_entries_are_found_through_the_package_resources() -> None:
    assert data_dir("authorities") == ROOT / "authorities"
    registry = load_authorities(environ={})
    assert set(registry.origins.values()) == {str(p) for p in SHIPPED}


def test_user_folder_adds_a_restricted_entry(tmp_path: Path) -> None:
    (tmp_path / "xx-poc.json").write_text(json.dumps(_restricted_entry()), encoding="utf-8")
    registry = load_authorities(environ={AUTHORITIES_ENV: str(tmp_path)})
    entry = registry.get("XX-POC")
    assert entry.distribution == "restricted"
    assert entry.transmission_days.value == 45
    assert entry.functions() == ("point_of_contact_24_7",)
    assert registry.origins["xx-poc"] == str(tmp_path / "xx-poc.json")
    assert len(registry) == len(SHIPPED) + 1


def test_user_folder_replaces_a_shipped_entry(tmp_path: Path) -> None:
    data = json.loads((ROOT / "authorities" / "us-doj-oia.json").read_text(encoding="utf-8"))
    data["transmission_days"] = {
        "status": "known",
        "value": 120,
        "sources": ["oia-faq"],
        "note": "agency's own figure",
    }
    (tmp_path / "us-doj-oia.json").write_text(json.dumps(data), encoding="utf-8")
    registry = load_authorities(tmp_path, environ={})
    assert registry.get("us-doj-oia").transmission_days.value == 120


def test_public_entry_may_not_cite_a_restricted_directory(tmp_path: Path) -> None:
    data = _restricted_entry()
    data["distribution"] = "public"
    path = tmp_path / "xx-poc.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match="invalid authority entry") as exc:
        load_authority_file(path)
    assert "restricted directory" in str(exc.value.problems)


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"languages": {"status": "known", "value": ["fr"]}}, "$.languages"),
        ({"roles": [{"function": "x", "instruments": ["any"], "sources": ["list"]}]}, "$.roles"),
        ({"id": "other"}, "$.id"),
        ({"formalities": {"status": "known", "value": ["a"], "sources": ["nope"]}}, "$"),
    ],
)
def test_invalid_entries_are_refused_with_paths(
    tmp_path: Path, change: dict[str, object], path: str
) -> None:
    data = {**_restricted_entry(), **change}
    file = tmp_path / "xx-poc.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_authority_file(file)
    assert any(p.path.startswith(path) for p in exc.value.problems), exc.value.problems


def test_missing_user_folder_and_unknown_id(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="not found"):
        load_authorities(tmp_path / "nowhere", environ={})
    with pytest.raises(InputError, match="did you mean 'us-doj-oia'"):
        load_authorities(environ={}).get("us-doj-oi")


def test_model_refuses_a_known_fact_without_source() -> None:
    data = _restricted_entry()
    data["transmission_days"] = {"status": "known", "value": 3}
    with pytest.raises(InputError):
        Authority.model_validate(data)


def test_cli_list_and_show(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["authorities", "list"]) == 0
    out = capsys.readouterr().out
    assert "us-doj-oia" in out
    assert "uk-home-office-ukca" in out
    assert main(["authorities", "list", "--json", "--country", "GB"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == ["uk-home-office-ukca"]
    assert main(["authorities", "show", "us-doj-oia"]) == 0
    out = capsys.readouterr().out
    assert "Office of International Affairs" in out
    assert "transmission_days: unknown" in out
    assert "https://www.usdoj.gov/" in out
    assert main(["authorities", "show", "us-doj-oia", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["country"] == "US"
    (tmp_path / "xx-poc.json").write_text(json.dumps(_restricted_entry()), encoding="utf-8")
    assert main(["authorities", "show", "xx-poc", "--authorities-dir", str(tmp_path)]) == 0
    assert "restricted" in capsys.readouterr().out
    assert main(["authorities", "show", "nope"]) == 1
    assert "unknown authority" in capsys.readouterr().err
