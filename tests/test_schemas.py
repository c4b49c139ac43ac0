"""Committed JSON Schemas match the models, are valid Draft 2020-12, and report every error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

import eevidence as ee
from eevidence._cli import main
from eevidence.authorities import generated_schemas as authority_schemas
from eevidence.directory import generated_schemas as directory_schemas
from eevidence.provider import generated_schemas as provider_schemas
from eevidence.request import generated_schemas, schema_problems
from tests.helpers import ROOT, example_doc

SCHEMA_DIR = ROOT / "schemas"
PUBLISHED = {
    "request.schema.json",
    "authority-profile.schema.json",
    "provider.schema.json",
    "directory.schema.json",
    "authority-directory.schema.json",
}
"""Every schema the project publishes under ``schemas/`` (and in the wheel)."""


def _generated() -> dict[str, dict[str, Any]]:
    return {
        **generated_schemas(),
        **provider_schemas(),
        **directory_schemas(),
        **authority_schemas(),
    }


def test_the_published_schemas_are_the_generated_ones() -> None:
    assert set(_generated()) == PUBLISHED
    assert {p.name for p in SCHEMA_DIR.glob("*.json")} == PUBLISHED


def test_cli_prints_every_published_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert set(capsys.readouterr().out.split()) == PUBLISHED
    for name in sorted(PUBLISHED):
        assert main(["schema", name]) == 0
        printed = json.loads(capsys.readouterr().out)
        assert printed == json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


def test_cli_authority_schema_validates_every_shipped_entry(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["schema", "authority-directory.schema.json"]) == 0
    schema = json.loads(capsys.readouterr().out)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    entries = sorted((ROOT / "authorities").glob("*.json"))
    assert entries
    for path in entries:
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert [e.message for e in validator.iter_errors(doc)] == [], path.name
    doc["sources"][next(iter(doc["sources"]))]["url"] = "http://example.org/"
    assert not validator.is_valid(doc)


def test_committed_schemas_do_not_drift() -> None:
    for name, schema in _generated().items():
        path = SCHEMA_DIR / name
        assert path.exists(), f"{path} missing: run python scripts/gen_schemas.py"
        committed = json.loads(path.read_text(encoding="utf-8"))
        assert committed == schema, f"{name} drifted from the models: run scripts/gen_schemas.py"


@pytest.mark.parametrize("path", sorted(SCHEMA_DIR.glob("*.schema.json")), ids=lambda p: p.name)
def test_every_schema_is_valid_draft_2020_12(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_generator_script_writes_identical_files(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_schemas.py"), str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    written = {p.name: p.read_bytes() for p in tmp_path.glob("*.json")}
    committed = {p.name: p.read_bytes() for p in SCHEMA_DIR.glob("*.json")}
    assert set(written) == PUBLISHED
    assert written == committed


def test_examples_validate_against_committed_schema(example_paths: list[Path]) -> None:
    schema = json.loads((SCHEMA_DIR / "request.schema.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    for path in example_paths:
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert list(validator.iter_errors(doc)) == [], path.name
    profile = json.loads((ROOT / "examples" / "authority.json").read_text(encoding="utf-8"))
    assert schema_problems(profile, "authority-profile.schema.json") == []


def _broken() -> dict[str, Any]:
    doc = example_doc("preservation")
    doc["created_at"] = "2026-11-16T09:30:00"
    doc["authority"]["officer"]["phone"] = "0612345678"
    doc["identifiers"][1]["value"] = "not-an-email"
    doc["identifiers"][2].pop("timestamp")
    doc["data"]["categories"].append("metadata")
    doc["colour"] = "red"
    return doc


def test_schema_reports_every_error_with_its_path() -> None:
    paths = {p.path for p in schema_problems(_broken())}
    assert {
        "$",  # additional property 'colour'
        "$.created_at",
        "$.authority.officer.phone",
        "$.identifiers[1].value",
        "$.identifiers[2]",  # 'timestamp' is a required property
        "$.data.categories[3]",
    } <= paths


def test_schema_and_model_agree_on_what_is_broken() -> None:
    doc = _broken()
    with pytest.raises(ee.RequestValidationError) as info:
        ee.parse_request(doc)
    model_paths = {p.path for p in info.value.problems}
    schema_paths = {p.path for p in schema_problems(doc)}
    # The schema reports a missing property at the parent object, the model at the field itself.
    normalised = {
        p if p != "$.identifiers[2].timestamp" else "$.identifiers[2]" for p in model_paths
    }
    normalised = {p if p != "$.colour" else "$" for p in normalised}
    assert normalised == schema_paths


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d.update(kind="emergency_disclosure"), "$"),  # no 'emergency' object
        (lambda d: d["identifiers"].append({"type": "fax", "value": "1"}), "$.identifiers[3].type"),
        (lambda d: d["identifiers"][0].update(type="ip_address"), "$.identifiers[0]"),
        (lambda d: d.update(language="english!"), "$.language"),
    ],
)
def test_schema_follows_discriminators(mutate: Any, path: str) -> None:
    doc = example_doc("preservation")
    mutate(doc)
    assert path in {p.path for p in schema_problems(doc)}
