"""The profile lint: every file in ``providers/`` (the reviewed profiles and any added since)
is checked for what a reader must be able to rely on.

* every statement's sources exist, each with an https URL anyone can open;
* scopes are valid, and a statement made for the Digital Services Act is scoped to its
  regulators only, so it never covers a request for evidence;
* no fact a check relies on rests only on secondary (third-party) sources;
* no profile claims what a statute forbids (checked against the legal facts in ``law/``);
* ``last_reviewed`` is set and no source was read after it.

``docs/providers.md`` carries the unknowns of every profile (``scripts/gen_providers_doc.py``);
a test here fails when it is out of date.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from eevidence.provider import ProviderProfile, law_facts, load_profile_bytes, load_profile_file
from eevidence.provider._sourced import ScopedFact, ScopedRecord

ROOT = Path(__file__).resolve().parents[1]
PROVIDERS = ROOT / "providers"
FILES = sorted(PROVIDERS.glob("*.json"))
IDS = [p.stem for p in FILES]

_DSA = re.compile(r"\bDSA\b|Digital Services Act|2022/2065|\bEDSR\b", re.IGNORECASE)
_HTTPS = re.compile(r"^https://[^\s/?#]+")

# Parts of a profile no check reads: a secondary source may be all they rest on.
_UNCHECKED = ("$.remarks",)


def _source_faults(profile: ProviderProfile) -> list[str]:
    faults = []
    for sid, source in profile.sources.items():
        for name in ("url", "archive_url"):
            url = getattr(source, name)
            if url is not None and not _HTTPS.match(url):
                faults.append(f"{sid}: {name} is not an https URL")
        if source.read > profile.last_reviewed:
            faults.append(f"{sid}: read after last_reviewed")
        if source.published != "undated" and source.published > source.read:
            faults.append(f"{sid}: published after it was read")
    for where, item in profile.iter_sourced():
        faults += [
            f"{where}: no source {ref!r}" for ref in item.sources if ref not in profile.sources
        ]
    return faults


def _texts(profile: ProviderProfile, item: Any) -> list[str]:
    texts = [getattr(item, "note", None) or "", getattr(item, "text", None) or ""]
    texts.append(getattr(item, "name", None) or "")
    for source in profile.cited(item):
        texts += [source.title, source.note or ""]
    return texts


def _scope_faults(profile: ProviderProfile) -> list[str]:
    """Statements about the Digital Services Act not scoped to its regulators alone; an EU
    order addressee scoped to anything but EU orders."""
    faults = []
    for where, item in profile.iter_sourced():
        if not isinstance(item, ScopedFact | ScopedRecord):
            continue
        if isinstance(item, ScopedFact) and not item.known:
            continue
        if where.startswith("$.remarks") and not item.applies_to:
            continue  # an unscoped remark covers nothing a check reads
        speaks_dsa = any(_DSA.search(t) for t in _texts(profile, item))
        if speaks_dsa and item.applies_to != ("dsa_regulators",):
            faults.append(f"{where}: speaks of the DSA but applies to {list(item.applies_to)}")
    addressee = profile.eu_designated_addressee
    if addressee.applies_to not in ((), ("eu_orders",)):
        faults.append("$.eu_designated_addressee: scoped to other than EU orders")
    return faults


def _secondary_faults(profile: ProviderProfile) -> list[str]:
    """Known facts and records a check reads that rest only on third-party accounts."""
    return [
        where
        for where, item in profile.iter_sourced()
        if profile.is_secondary(item) and not where.startswith(_UNCHECKED)
    ]


def _statute_faults(profile: ProviderProfile) -> list[str]:
    """What a profile claims although the law of its headquarters forbids it.

    18 U.S.C. 2702: a provider headquartered in the United States (or a territory) gives
    content to a foreign government only in an emergency or under a CLOUD Act agreement, so
    a direct request or the requesting country's own process never obtains it.
    """
    law = law_facts()
    hq = profile.value(profile.headquarters, include_secondary=True)
    if hq is None or not law.is_us_governmental(hq):
        return []
    rule = law.us_18_usc_2702
    assert rule.content_to_foreign_government == "emergency_or_agreement_only"
    route = profile.value(profile.foreign_access["content"], include_secondary=True)
    if route in ("voluntary", "domestic_process"):
        return [
            f"$.foreign_access.content: {route} for a US provider ({rule.content_agreement_ref})"
        ]
    return []


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_profile_loads_through_schema_and_model(path: Path) -> None:
    assert load_profile_file(path).id == path.stem


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_every_source_has_an_https_url_and_consistent_dates(path: Path) -> None:
    assert _source_faults(load_profile_file(path)) == []


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_scopes_are_valid(path: Path) -> None:
    assert _scope_faults(load_profile_file(path)) == []


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_no_checked_fact_rests_only_on_secondary_sources(path: Path) -> None:
    assert _secondary_faults(load_profile_file(path)) == []


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_no_profile_claims_what_a_statute_forbids(path: Path) -> None:
    assert _statute_faults(load_profile_file(path)) == []


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_last_reviewed_is_set(path: Path) -> None:
    raw = json.loads(path.read_bytes())
    assert re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw.get("last_reviewed", ""))


# -- the lint catches what it is for ----------------------------------------------------------


def _x_raw() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads((PROVIDERS / "x.json").read_bytes())
    return raw


def _load(raw: dict[str, Any]) -> ProviderProfile:
    return load_profile_bytes(json.dumps(raw).encode(), origin="bad/x.json")


def test_the_lint_catches_what_it_is_for() -> None:
    raw = _x_raw()
    raw["foreign_access"]["content"] = {
        "status": "known",
        "value": "domestic_process",
        "sources": ["x-guidelines"],
    }
    assert _statute_faults(_load(raw)) == [
        "$.foreign_access.content: domestic_process for a US provider (18 U.S.C. 2702(b)(9))"
    ]
    raw = _x_raw()
    raw["remarks"][0]["applies_to"] = ["criminal"]
    raw["languages"] = {
        "status": "known",
        "value": ["en"],
        "sources": ["x-guidelines"],
        "note": "Requests under Articles 9 and 10 of the DSA must be in English.",
    }
    assert _scope_faults(_load(raw)) == [
        "$.languages: speaks of the DSA but applies to []",
        "$.remarks[0]: speaks of the DSA but applies to ['criminal']",
    ]
    raw["sources"]["someone"] = {
        "kind": "provider",
        "title": "A third-party account",
        "url": "https://example.org/x",
        "published": "undated",
        "read": "2027-01-01",
        "secondary": True,
    }
    raw["identifiers"]["email"] = {"status": "known", "value": True, "sources": ["someone"]}
    raw["remarks"][0]["sources"] = ["someone"]
    bad = _load(raw)
    assert _secondary_faults(bad) == ["$.identifiers.email"]
    assert _source_faults(bad) == ["someone: read after last_reviewed"]


def test_scope_values_are_checked_by_the_model() -> None:
    from eevidence.errors import ProfileError

    raw = _x_raw()
    raw["channels"][0]["applies_to"] = ["criminal", "eu_orders"]
    raw["remarks"][0]["applies_to"] = ["dsa"]
    with pytest.raises(ProfileError) as info:
        _load(raw)
    paths = {path for path, _ in info.value.problems}
    assert paths == {"$.channels[0].applies_to", "$.remarks[0].applies_to[0]"}


# -- the report of unknowns in docs/providers.md ---------------------------------------------


def _doc_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_providers_doc", ROOT / "scripts" / "gen_providers_doc.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_providers_doc_shows_the_current_unknowns() -> None:
    script = _doc_script()
    text = (ROOT / "docs" / "providers.md").read_text(encoding="utf-8")
    assert text == script.render(text, [load_profile_file(p) for p in FILES]), (
        "docs/providers.md is out of date: run python scripts/gen_providers_doc.py"
    )
    for provider_id in IDS:
        assert f"| `{provider_id}` |" in text
