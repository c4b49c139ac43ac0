"""The language of a request addressed to a State against the languages its requested
authority accepts, as the directory of authorities states them (EE241-EE243).

The checker takes the directory's facts as plain values (``check(...,
requested_authority=...)``); ``eevidence check`` looks the requested authority up in the
shipped directory and the folder named by ``EEVIDENCE_AUTHORITIES`` (or ``--authorities-dir``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from eevidence._cli import main
from eevidence.authorities import AUTHORITIES_ENV, load_authorities
from eevidence.errors import InputError
from eevidence.provider import (
    RULES,
    CheckReport,
    Finding,
    NoAuthorityEntry,
    RequestedAuthorityFacts,
    check,
    load_providers,
)
from eevidence.provider.checker._requested import AUTHORITIES_ENV_NAME
from eevidence.request import Request, parse_request
from tests.helpers import example_doc

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
NOW_ARG = "--now=2026-12-01T09:00:00Z"
REGISTRY = load_providers(environ={})
LANGUAGE_CODES = {"EE241", "EE242", "EE243"}
SOURCE = "24/7 network list (T-CY 24/7 points of contact, extract of 2026-11-01, read 2026-11-30)"


def mla(**changes: Any) -> Request:
    return parse_request({**example_doc("mla-request"), **changes})


def p247(**changes: Any) -> Request:
    return parse_request({**example_doc("preservation-24-7"), **changes})


def run(request: Request, facts: RequestedAuthorityFacts | NoAuthorityEntry | None) -> CheckReport:
    return check(request, REGISTRY.get(request.provider), now=NOW, requested_authority=facts)


def found(report: CheckReport) -> dict[str, Finding]:
    return {f.code: f for f in report.findings if f.code in LANGUAGE_CODES}


def poc(languages: tuple[str, ...] | None, note: str | None = None) -> RequestedAuthorityFacts:
    return RequestedAuthorityFacts(
        entry_id="us-poc",
        name="US 24/7 point of contact",
        country="US",
        languages=languages,
        sources=(SOURCE,),
        note=note,
    )


# --------------------------------------------------------------------------- the checker


def test_the_catalogue_holds_the_three_codes() -> None:
    assert RULES["EE241"].severity == "error"
    assert RULES["EE242"].severity == "info"
    assert RULES["EE243"].severity == "info"
    assert AUTHORITIES_ENV_NAME == AUTHORITIES_ENV  # the finding names the real variable


def test_an_accepted_language_raises_nothing() -> None:
    assert found(run(p247(), poc(("fr", "en")))) == {}
    # BCP 47 matching: a regional variant is the language the authority accepts
    assert found(run(p247(language="en-GB"), poc(("en",)))) == {}
    assert found(run(mla(language="en-US"), poc(("en-GB",)))) == {}


def test_a_language_not_accepted_is_an_error_citing_the_entry() -> None:
    report = run(p247(), poc(("es", "pt")))
    assert not report.ok
    finding = found(report)["EE241"]
    assert finding.severity == "error"
    assert finding.path == "$.language"
    assert "accepts requests in es, pt; the request is in en" in finding.message
    assert "translation into es" in finding.action
    assert "US 24/7 point of contact (us-poc)" in finding.source
    assert SOURCE in finding.source
    # another script of the same language is not the language accepted
    assert "EE241" in found(run(mla(language="sr-Latn"), poc(("sr-Cyrl",))))


def test_a_translation_into_an_accepted_language_is_enough() -> None:
    spanish = [{"name": "traduccion.pdf", "kind": "translation", "language": "es-ES"}]
    assert found(run(p247(attachments=spanish), poc(("es",)))) == {}
    german = [{"name": "t.pdf", "kind": "translation", "language": "de"}]
    finding = found(run(p247(attachments=german), poc(("es",))))["EE241"]
    assert "the request is in en with translations into de" in finding.message


def test_unknown_languages_are_a_note_that_invents_none() -> None:
    report = run(mla(), poc(None, note="The page read does not state them."))
    assert report.ok
    (finding,) = found(report).values()
    assert finding.code == "EE242"
    assert finding.severity == "info"
    assert "are unknown" in finding.message
    assert "the request is in en" in finding.message
    assert "(The page read does not state them)" in finding.source
    assert SOURCE in finding.source


def test_no_entry_is_a_note_saying_how_to_add_one() -> None:
    none = NoAuthorityEntry("US", "the shipped entries ($EEVIDENCE_AUTHORITIES not set)")
    report = run(p247(), none)
    assert report.ok
    (finding,) = found(report).values()
    assert finding.code == "EE243"
    assert finding.path == "$.requested_authority"
    assert "no entry for the 24/7 point of contact of US" in finding.message
    assert "could not be checked" in finding.message
    assert "$EEVIDENCE_AUTHORITIES" in finding.action
    assert (
        finding.source
        == "directory of authorities: the shipped entries ($EEVIDENCE_AUTHORITIES not set)"
    )
    several = NoAuthorityEntry("US", "the shipped entries", candidates=("us-a", "us-b"))
    finding = found(run(mla(), several))["EE243"]
    assert "several entries for the central authority of US (us-a, us-b)" in finding.message


def test_without_the_facts_nothing_changes() -> None:
    for request in (mla(), p247()):
        plain = check(request, REGISTRY.get(request.provider), now=NOW)
        assert not plain.codes() & LANGUAGE_CODES
        assert run(request, None) == plain


def test_facts_must_fit_the_request() -> None:
    preservation = parse_request(example_doc("preservation"))
    with pytest.raises(InputError, match="not addressed to a State"):
        run(preservation, poc(("en",)))
    german = RequestedAuthorityFacts("de-ba", "Bundesamt für Justiz", "DE", ("de",), (SOURCE,))
    with pytest.raises(InputError, match="facts of DE for a request to US"):
        run(mla(), german)
    with pytest.raises(InputError, match="for a request to US"):
        run(mla(), NoAuthorityEntry("DE", "the shipped entries"))


@pytest.mark.parametrize(
    ("languages", "sources", "message"),
    [
        ((), (SOURCE,), "pass None when they are unknown"),
        (("en", "not a tag!"), (SOURCE,), "not a well-formed BCP 47"),
        (("en",), (), "need the source"),
    ],
)
def test_facts_are_checked_when_made(
    languages: tuple[str, ...], sources: tuple[str, ...], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        RequestedAuthorityFacts("us-poc", "US", "US", languages, sources)
    with pytest.raises(InputError, match="ISO 3166-1"):
        NoAuthorityEntry("usa", "the shipped entries")


# --------------------------------------------------------------------------- eevidence check


def _entry(entry_id: str, function: str, languages: list[str] | None, **extra: Any) -> str:
    fact: dict[str, Any] = (
        {"status": "known", "value": languages, "sources": ["list"]}
        if languages
        else {"status": "unknown", "sources": ["list"], "note": "The extract does not say."}
    )
    return json.dumps(
        {
            "id": entry_id,
            "name": f"{entry_id} authority",
            "country": "US",
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
            "roles": [{"function": function, "instruments": ["cets-185"], "sources": ["list"]}],
            "languages": fact,
            "formalities": {"status": "unknown"},
            "transmission_days": {"status": "unknown"},
            **extra,
        }
    )


def _write(tmp_path: Path, name: str, doc: dict[str, Any]) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


def _findings(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict[str, Any]]]:
    code = main(["check", *argv, NOW_ARG, "--json"])
    reports = json.loads(capsys.readouterr().out)["reports"]
    return code, [f for r in reports for f in r["findings"] if f["code"] in LANGUAGE_CODES]


def test_cli_checks_the_language_against_a_user_authorities_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "authorities"
    folder.mkdir()
    monkeypatch.setenv(AUTHORITIES_ENV, str(folder))
    request = _write(tmp_path, "p247.json", example_doc("preservation-24-7"))

    # no entry for the US 24/7 point of contact: a note naming where it was looked for
    code, (finding,) = _findings(capsys, request)
    assert code == 0
    assert finding["code"] == "EE243"
    assert f"the shipped entries and those of {folder}" in finding["source"]

    # the agency's own entry: Spanish only, the request is in English
    (folder / "us-poc.json").write_text(
        _entry("us-poc", "point_of_contact_24_7", ["es"]), encoding="utf-8"
    )
    code, (finding,) = _findings(capsys, request)
    assert code == 1
    assert finding["code"] == "EE241"
    assert finding["severity"] == "error"
    assert "us-poc authority accepts requests in es; the request is in en" in finding["message"]
    assert "T-CY 24/7 points of contact, extract of 2026-11-01" in finding["source"]
    assert "read 2026-11-30" in finding["source"]
    assert main(["check", request, NOW_ARG]) == 1
    out = capsys.readouterr().out
    assert "ERROR   EE241 $.language" in out

    # a request written in Spanish: accepted
    doc = example_doc("preservation-24-7")
    doc["language"] = "es"
    accepted = _write(tmp_path, "p247-es.json", doc)
    assert _findings(capsys, accepted) == (0, [])

    # the entry records its languages as unknown
    (folder / "us-poc.json").write_text(
        _entry("us-poc", "point_of_contact_24_7", None), encoding="utf-8"
    )
    code, (finding,) = _findings(capsys, request)
    assert code == 0
    assert finding["code"] == "EE242"
    assert "The extract does not say" in finding["source"]


def test_cli_uses_the_shipped_entry_and_picks_among_several_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(AUTHORITIES_ENV, raising=False)
    request = _write(tmp_path, "mla.json", example_doc("mla-request"))
    # the shipped US central authority records no languages: a note, never a guess
    code, (finding,) = _findings(capsys, request)
    assert code == 0
    assert finding["code"] == "EE242"
    assert "(us-doj-oia)" in finding["source"]
    assert "https://www.justice.gov/criminal-oia/office-international-affairs" in finding["source"]

    # a second US central authority: the request's name says which one it is
    folder = tmp_path / "authorities"
    folder.mkdir()
    (folder / "us-other.json").write_text(
        _entry("us-other", "mla_central_authority", ["es"]), encoding="utf-8"
    )
    code, (finding,) = _findings(capsys, request, "--authorities-dir", str(folder))
    assert code == 0
    assert finding["code"] == "EE243"
    assert "(us-doj-oia, us-other)" in finding["message"]
    doc = example_doc("mla-request")
    doc["requested_authority"]["name"] = "Ministry of Justice, us-other authority"
    named = _write(tmp_path, "mla-named.json", doc)
    code, (finding,) = _findings(capsys, named, "--authorities-dir", str(folder))
    assert code == 1
    assert finding["code"] == "EE241"
    shipped = load_authorities(environ={}).get("us-doj-oia").name
    doc["requested_authority"]["name"] = shipped
    named = _write(tmp_path, "mla-shipped.json", doc)
    code, (finding,) = _findings(capsys, named, "--authorities-dir", str(folder))
    assert (code, finding["code"]) == (0, "EE242")


def test_cli_reads_no_directory_for_provider_requests_and_reports_a_bad_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere"
    monkeypatch.setenv(AUTHORITIES_ENV, str(missing))
    preservation = _write(tmp_path, "p.json", example_doc("preservation"))
    assert main(["check", preservation, NOW_ARG]) == 0  # not addressed to a State
    capsys.readouterr()
    state = _write(tmp_path, "p247.json", example_doc("preservation-24-7"))
    assert main(["check", state, NOW_ARG]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"{missing}: authorities folder not found" in err
    assert main(["check", preservation, NOW_ARG, "--authorities-dir", str(missing)]) == 1
    assert "authorities folder not found" in capsys.readouterr().err


def test_the_library_looks_the_requested_authority_up_in_the_directory() -> None:
    from eevidence.cases import requested_authority_facts

    directory = load_authorities(environ={})
    facts = requested_authority_facts(mla(), directory)
    assert isinstance(facts, RequestedAuthorityFacts)
    assert facts.entry_id == "us-doj-oia"
    assert facts.languages is None  # the shipped entry records none: unknown, not guessed
    assert "EE242" in found(run(mla(), facts))
    # no 24/7 entry ships for the United States
    missing = requested_authority_facts(p247(), directory, searched="the shipped entries")
    assert isinstance(missing, NoAuthorityEntry)
    assert "EE243" in found(run(p247(), missing))
    # a request to a provider has no requested authority
    provider_request = parse_request(example_doc("preservation"))
    assert requested_authority_facts(provider_request, directory) is None
