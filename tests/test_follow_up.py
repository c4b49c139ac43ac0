"""Follow-up drafting: an MLA request drafted from a tracked preservation, what is missing,
and the dispatch deadline recorded on the preservation."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from eevidence._cli import main
from eevidence.authorities import load_authorities
from eevidence.cases import (
    DEFAULT_TRANSMISSION_DAYS,
    RECEIPT_DAYS_24_7,
    REMINDER_DAYS,
    draft_follow_up,
)
from eevidence.errors import InputError, LifecycleError
from eevidence.request import REQUEST_KINDS, read_request
from eevidence.tracking import open_store
from tests.helpers import EXAMPLES, ROOT

PRESERVATION = EXAMPLES / "preservation.json"
NOW = "2026-11-21T00:00:00Z"
EXPIRES = datetime.fromisoformat("2027-01-31T00:00:00+00:00")


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EEVIDENCE_HOME", str(tmp_path / "home"))
    for name in ("EEVIDENCE_STORE", "EEVIDENCE_AUTHORITIES", "EEVIDENCE_PROVIDERS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _preserved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], *, preserve: bool = True
) -> list[str]:
    store = ["--store", str(tmp_path / "t.sqlite3")]
    rid = read_request(PRESERVATION).id
    assert (
        _run(capsys, "track", "add", str(PRESERVATION), *store, "--actor", "A", "--role", "r")[0]
        == 0
    )
    events: list[tuple[str, str, list[str]]] = [("submitted", "2026-11-20T10:00:00Z", [])]
    if preserve:
        events.append(
            ("preserved", "2026-11-20T12:00:00Z", ["--ref", "LE-0001", "--expires", "2027-01-31"])
        )
    for name, at, extra in events:
        code, _, err = _run(
            capsys,
            "track",
            "event",
            rid,
            name,
            "--at",
            at,
            "--now",
            NOW,
            *extra,
            *store,
            "--actor",
            "A",
        )
        assert code == 0, err
    return store


def test_the_draft_carries_the_preservation_over(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = _preserved(tmp_path, capsys)
    code, out, err = _run(
        capsys,
        "follow-up",
        str(PRESERVATION),
        "--as",
        "mla_request",
        "-o",
        "mla.json",
        "--now",
        NOW,
        "--json",
        *store,
    )
    assert code == 0, err
    summary = json.loads(out)
    source = read_request(PRESERVATION)
    draft = json.loads((tmp_path / "mla.json").read_text(encoding="utf-8"))
    assert draft["kind"] == "mla_request"
    assert draft["id"] != source.id
    assert draft["case"]["reference"] == source.case.reference
    assert [i["value"] for i in draft["identifiers"]] == [i.value for i in source.identifiers]
    assert draft["data"]["categories"] == list(source.data.categories)
    assert draft["provider"] == "meta"
    assert draft["measures"][0]["preservation_reference"] == "LE-0001"
    earlier = draft["earlier_requests"][0]
    assert earlier["request_id"] == source.id
    assert earlier["reference"] == "LE-0001"
    assert earlier["expires"] == "2027-01-31T00:00:00Z"
    assert earlier["sent_at"] == "2026-11-20T10:00:00Z"
    assert draft["requested_authority"]["country"] == "US"  # Meta's headquarters
    assert (
        draft["requested_authority"]["name"] == "Office of International Affairs, Criminal Division"
    )
    assert "preservation_expiring" in draft["urgency"]["reasons"]
    assert ("terrorism" in draft["urgency"]["reasons"]) is source.case.terrorism_related
    # what is missing: the JSON paths and why
    required = {m["path"]: m["why"] for m in summary["missing"] if m["required"]}
    assert "$.issuing_authority.file_reference" in required
    assert "case number" in required["$.issuing_authority.file_reference"]
    assert "$.legal_basis[0].instrument" in required
    assert {m["path"] for m in summary["missing"] if not m["required"]} == {
        "$.dual_criminality",
        "$.persons",
        "$.procedures",
    }
    # the dispatch deadline: expiry minus the stated default, a reminder before it
    assert summary["transmission_days"] == DEFAULT_TRANSMISSION_DAYS
    assert "no transmission time published for US" in summary["transmission_basis"]
    dispatch = EXPIRES - timedelta(days=DEFAULT_TRANSMISSION_DAYS)
    assert summary["dispatch_by"] == dispatch.isoformat().replace("+00:00", "Z")
    remind = dispatch - timedelta(days=REMINDER_DAYS)
    assert summary["extension_reminder"] == remind.isoformat().replace("+00:00", "Z")
    # recorded on the preservation, as an event carrying the dispatch deadline
    code, out, _ = _run(capsys, "status", source.id, "--json", *store)
    status = json.loads(out)
    drafted = [e for e in status["events"] if e["event"] == "follow_up_drafted"]
    assert len(drafted) == 1
    assert drafted[0]["due"] == summary["dispatch_by"]
    assert draft["id"] in drafted[0]["note"]
    due = {d["deadline"]: d["due"] for d in status["deadlines"]}
    assert due["follow_up_dispatch"] == summary["dispatch_by"]
    assert due["follow_up_reminder"] == summary["extension_reminder"]
    # and eevidence deadlines lists it
    code, out, _ = _run(capsys, "deadlines", "--within", "30d", "--now", NOW, "--json", *store)
    kinds = {d["deadline"]: d["due"] for d in json.loads(out)}
    assert kinds["follow_up_dispatch"] == summary["dispatch_by"]
    assert kinds["follow_up_reminder"] == summary["extension_reminder"]


def test_dispatching_the_follow_up_closes_its_deadlines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = _preserved(tmp_path, capsys)
    code, _, err = _run(
        capsys, "follow-up", str(PRESERVATION), "-o", "mla.json", "--now", NOW, *store
    )
    assert code == 0, err
    draft = json.loads((tmp_path / "mla.json").read_text(encoding="utf-8"))
    example = json.loads((EXAMPLES / "mla-request.json").read_text(encoding="utf-8"))
    draft["legal_basis"] = example["legal_basis"]
    draft["issuing_authority"] = example["issuing_authority"]
    (tmp_path / "filled.json").write_text(json.dumps(draft), encoding="utf-8")
    assert _run(capsys, "validate", "filled.json")[0] == 0

    def open_kinds() -> set[str]:
        code, out, err = _run(
            capsys, "deadlines", "--within", "400d", "--now", NOW, "--json", *store
        )
        assert code == 0, err
        return {d["deadline"] for d in json.loads(out)}

    rid = read_request(PRESERVATION).id
    code, _, err = _run(
        capsys,
        "track",
        "add",
        "filled.json",
        "--follows",
        rid[:8],
        *store,
        "--actor",
        "A",
        "--now",
        NOW,
    )
    assert code == 0, err
    assert "follow_up_dispatch" in open_kinds()  # tracked, not yet sent
    code, _, err = _run(
        capsys,
        "track",
        "event",
        draft["id"][:8],
        "submitted",
        "--now",
        NOW,
        *store,
        "--actor",
        "A",
    )
    assert code == 0, err
    left = open_kinds()
    assert "follow_up_dispatch" not in left
    assert "follow_up_reminder" not in left
    assert "preservation_expires" in left  # the preservation itself still runs
    code, out, _ = _run(capsys, "deadlines", "--within", "400d", "--now", NOW, *store)
    assert "follow_up_" not in out  # the text list (from the deadline index) agrees
    assert "preservation_expires" in out


def test_the_text_output_and_an_existing_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = _preserved(tmp_path, capsys)
    rid = read_request(PRESERVATION).id
    code, out, err = _run(
        capsys,
        "follow-up",
        rid[:8],
        "--as",
        "mla_request",
        "--request",
        str(PRESERVATION),
        "--now",
        NOW,
        *store,
    )
    assert code == 0, err
    assert (tmp_path / f"follow-up-{rid[:8]}.json").is_file()
    assert "still to supply" in out
    assert "$.issuing_authority.file_reference" in out
    assert "dispatch by 2026-12-02 00:00Z" in out
    code, _, err = _run(
        capsys, "follow-up", str(PRESERVATION), "--as", "mla_request", "--now", NOW, *store
    )
    assert code == 2
    assert "give --force" in err


def test_the_transmission_time_of_the_directory_or_the_user(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = _preserved(tmp_path, capsys)
    folder = tmp_path / "authorities"
    folder.mkdir()
    entry = json.loads((ROOT / "authorities" / "us-doj-oia.json").read_text(encoding="utf-8"))
    entry["distribution"] = "restricted"
    entry["sources"]["copy"] = {
        "kind": "restricted_directory",
        "title": "agency copy",
        "document": "UNODC directory extract",
        "published": "2026-10-01",
        "read": "2026-11-01",
    }
    entry["transmission_days"] = {"status": "known", "value": 90, "sources": ["copy"]}
    (folder / "us-doj-oia.json").write_text(json.dumps(entry), encoding="utf-8")
    args = [
        "follow-up",
        str(PRESERVATION),
        "--as",
        "mla_request",
        "--now",
        NOW,
        "--json",
        "--force",
    ]
    code, out, err = _run(capsys, *args, "--authorities-dir", str(folder), *store)
    assert code == 0, err
    summary = json.loads(out)
    assert summary["transmission_days"] == 90
    assert "us-doj-oia" in summary["transmission_basis"]
    assert summary["dispatch_by"] == "2026-11-02T00:00:00Z"
    assert summary["late"] is True
    code, out, err = _run(
        capsys, *args, "--transmission-days", "30", "--requested-state", "GB", *store
    )
    assert code == 0, err
    summary = json.loads(out)
    assert summary["transmission_days"] == 30
    assert summary["requested_authority"] == "uk-home-office-ukca"
    assert summary["dispatch_by"] == "2027-01-01T00:00:00Z"
    assert summary["late"] is False


def test_refusals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = _preserved(tmp_path, capsys, preserve=False)
    rid = read_request(PRESERVATION).id
    code, _, err = _run(
        capsys, "follow-up", str(PRESERVATION), "--as", "mla_request", "--now", NOW, *store
    )
    assert code == 1
    assert "no preservation expiry in force" in err
    code, _, err = _run(capsys, "follow-up", rid, "--as", "mla_request", "--now", NOW, *store)
    assert code == 2
    assert "--request FILE" in err
    code, _, err = _run(capsys, "follow-up", "nope-nope", "--as", "mla_request", *store)
    assert code == 1
    code, _, err = _run(capsys, "follow-up", rid, "--as", "eu_production_order", *store)
    assert code == 2
    assert list(tmp_path.glob("follow-up-*.json")) == []


def test_library_refuses_a_lapsed_or_foreign_preservation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store_args = _preserved(tmp_path, capsys)
    store = open_store(store_args[1])
    try:
        tracked = store.get(read_request(PRESERVATION).id)
    finally:
        store.close()
    registry = load_authorities(environ={})
    request = read_request(PRESERVATION)
    with pytest.raises(LifecycleError, match="lapsed"):
        draft_follow_up(request, tracked, now=EXPIRES + timedelta(days=1), authorities=registry)
    other = read_request(EXAMPLES / "voluntary-disclosure.json")
    with pytest.raises(InputError, match="not the tracked request"):
        draft_follow_up(other, tracked, now=EXPIRES - timedelta(days=70), authorities=registry)
    with pytest.raises(InputError, match="can be drafted as"):
        draft_follow_up(request, tracked, now=EXPIRES, authorities=registry, kind="preservation")
    late = draft_follow_up(request, tracked, now=EXPIRES - timedelta(days=3), authorities=registry)
    assert late.dispatch_by == EXPIRES - timedelta(days=DEFAULT_TRANSMISSION_DAYS)
    assert late.late
    assert late.to_dict()["late"] is True


@pytest.mark.skipif(
    "mla_request" not in REQUEST_KINDS, reason="the mla_request kind is not defined"
)
def test_the_draft_validates_once_the_missing_fields_are_filled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = _preserved(tmp_path, capsys)
    code, out, err = _run(
        capsys,
        "follow-up",
        str(PRESERVATION),
        "--as",
        "mla_request",
        "-o",
        "mla.json",
        "--now",
        NOW,
        "--json",
        *store,
    )
    assert code == 0, err
    summary = json.loads(out)
    assert summary["validated_against_models"] is True
    assert all(
        m["path"].startswith(("$.issuing_authority", "$.legal_basis"))
        for m in summary["missing"]
        if m["required"]
    )
    draft = json.loads((tmp_path / "mla.json").read_text(encoding="utf-8"))
    code, _, _ = _run(capsys, "validate", "mla.json")
    assert code == 1  # not yet
    example = json.loads((EXAMPLES / "mla-request.json").read_text(encoding="utf-8"))
    draft["issuing_authority"] = example["issuing_authority"]
    draft["legal_basis"] = example["legal_basis"]
    (tmp_path / "mla.json").write_text(json.dumps(draft), encoding="utf-8")
    code, out, err = _run(capsys, "validate", "mla.json")
    assert code == 0, out + err


def test_a_follow_up_to_an_emergency_disclosure_has_no_dispatch_deadline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emergency = EXAMPLES / "emergency-disclosure.json"
    rid = read_request(emergency).id
    store = ["--store", str(tmp_path / "t.sqlite3"), "--actor", "A"]
    assert _run(capsys, "track", "add", str(emergency), *store)[0] == 0
    code, _, err = _run(capsys, "follow-up", str(emergency), "-o", "f.json", *store)
    assert code == 1
    assert "disclosed nothing" in err
    assert not (tmp_path / "f.json").exists()
    assert _run(capsys, "track", "event", rid[:8], "submitted", *store)[0] == 0
    code, _, err = _run(capsys, "follow-up", str(emergency), "-o", "f.json", *store)
    assert code == 1  # sent but not answered: nothing was disclosed to ask for again
    assert "disclosed nothing (state submitted)" in err
    assert not (tmp_path / "f.json").exists()
    assert _run(capsys, "track", "event", rid[:8], "disclosed", "--ref", "EM-9", *store)[0] == 0
    code, out, err = _run(capsys, "follow-up", str(emergency), "-o", "f.json", "--json", *store)
    assert code == 0, err
    summary = json.loads(out)
    assert summary["follows_kind"] == "emergency_disclosure"
    assert summary["dispatch_by"] is None
    assert summary["preservation_expires"] is None
    draft = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))
    assert "threat_to_life" in draft["urgency"]["reasons"]
    assert "respond_by" not in draft["urgency"]
    assert draft["earlier_requests"][0]["reference"] == "EM-9"
    assert "expires" not in draft["earlier_requests"][0]
    # nothing is recorded on the emergency request, nothing is due
    code, out, _ = _run(capsys, "status", rid, "--json", *store[:2])
    status = json.loads(out)
    assert [e["event"] for e in status["events"]] == ["submitted", "disclosed"]
    code, out, _ = _run(capsys, "follow-up", str(emergency), "-o", "g.json", *store)
    assert "no dispatch deadline" in out
    assert "--follows" not in out  # a store links follow-ups to preservations only
    # a request that is neither a preservation nor an emergency is refused
    voluntary = EXAMPLES / "voluntary-disclosure.json"
    assert _run(capsys, "track", "add", str(voluntary), *store)[0] == 0
    code, _, err = _run(capsys, "follow-up", str(voluntary), "-o", "h.json", *store)
    assert code == 1
    assert "preservation or an emergency disclosure" in err


def test_the_requested_state_is_checked_and_defaults_sensibly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = _preserved(tmp_path, capsys)
    base = ["follow-up", str(PRESERVATION), "--now", NOW, *store]
    for bad, why in (
        ("USA", "not an ISO 3166-1 alpha-2"),
        ("XX", "not an ISO 3166-1 alpha-2"),
        ("", "not an ISO 3166-1 alpha-2"),
        ("FR", "requesting authority's own State"),
    ):
        code, _, err = _run(capsys, *base, "-o", "x.json", "--requested-state", bad)
        assert code == 1, bad
        assert "--requested-state" in err
        assert why in err
        assert len(err.strip().splitlines()) == 1
        assert not (tmp_path / "x.json").exists()
    # nothing was recorded by the refused attempts
    code, out, _ = _run(capsys, "status", read_request(PRESERVATION).id, "--json", *store)
    assert not [e for e in json.loads(out)["events"] if e["event"] == "follow_up_drafted"]
    code, out, err = _run(capsys, *base, "-o", "gb.json", "--requested-state", "gb", "--json")
    assert code == 0, err
    assert json.loads(out)["requested_state"] == "GB"


def test_a_24_7_preservation_is_followed_up_in_the_state_that_preserved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads((EXAMPLES / "preservation-24-7.json").read_text(encoding="utf-8"))
    doc["requested_authority"]["country"] = "GB"
    doc["requested_authority"]["name"] = "UK 24/7 point of contact (example)"
    doc["requested_authority"].pop("phone", None)
    path = tmp_path / "p247.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    store = ["--store", str(tmp_path / "t.sqlite3"), "--actor", "A"]
    assert _run(capsys, "track", "add", str(path), *store)[0] == 0
    for name in ("submitted", "preserved"):
        code, _, err = _run(capsys, "track", "event", doc["id"][:8], name, *store)
        assert code == 0, err
    code, out, err = _run(capsys, "follow-up", str(path), "-o", "m.json", "--json", *store)
    assert code == 0, err
    summary = json.loads(out)
    assert summary["requested_state"] == "GB"  # not Google's headquarters
    assert summary["requested_authority"] == "uk-home-office-ukca"
    # art. 29(7): the data stay preserved once the request is received by the requested
    # State, so the deadline counts the time to that receipt (a stated default)
    assert summary["transmission_days"] == RECEIPT_DAYS_24_7
    assert "art. 29(7)" in summary["transmission_basis"]
    assert summary["late"] is False
    draft = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert draft["earlier_requests"][0]["description"].startswith(
        "24/7 preservation request to UK 24/7 point of contact (example)"
    )


def test_arguments_that_are_not_utf8_are_refused_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = _preserved(tmp_path, capsys)
    rid = read_request(PRESERVATION).id
    bad = b"X\x9bY".decode("utf-8", "surrogateescape")  # what Python makes of such bytes
    code, _, err = _run(capsys, "track", "event", rid[:8], "noted", "--note", bad, *store)
    assert code == 2
    assert "not UTF-8" in err
    code, _, err = _run(capsys, "follow-up", str(PRESERVATION), "-o", bad, *store)
    assert code == 2
    assert list(tmp_path.glob("X*")) == []
    code, out, _ = _run(capsys, "status", rid, "--json", *store)
    assert [e["event"] for e in json.loads(out)["events"]] == ["submitted", "preserved"]


def test_a_short_prefix_says_how_long_it_must_be(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = _preserved(tmp_path, capsys)
    code, _, err = _run(capsys, "status", read_request(PRESERVATION).id[:3], *store)
    assert code == 1
    assert "at least 4 characters" in err


def test_status_agrees_with_deadlines_once_the_follow_up_is_sent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    store = _preserved(tmp_path, capsys)
    rid = read_request(PRESERVATION).id
    assert (
        _run(capsys, "follow-up", str(PRESERVATION), "-o", "mla.json", "--now", NOW, *store)[0] == 0
    )
    draft = json.loads((tmp_path / "mla.json").read_text(encoding="utf-8"))
    example = json.loads((EXAMPLES / "mla-request.json").read_text(encoding="utf-8"))
    draft["legal_basis"] = example["legal_basis"]
    draft["issuing_authority"] = example["issuing_authority"]
    (tmp_path / "filled.json").write_text(json.dumps(draft), encoding="utf-8")
    actor = ["--actor", "A"]
    code, _, err = _run(
        capsys, "track", "add", "filled.json", "--follows", rid[:8], *store, *actor, "--now", NOW
    )
    assert code == 0, err
    code, out, _ = _run(capsys, "status", *store)
    assert "next=follow_up_reminder" in out
    code, _, err = _run(
        capsys, "track", "event", draft["id"][:8], "submitted", "--now", NOW, *store, *actor
    )
    assert code == 0, err
    code, out, _ = _run(capsys, "status", *store)
    assert "follow_up_" not in out
    code, out, _ = _run(capsys, "status", rid, *store)
    assert "follow_up_dispatch" not in out
    code, out, _ = _run(capsys, "status", rid, "--json", *store)
    assert "follow_up_dispatch" not in {d["deadline"] for d in json.loads(out)["deadlines"]}
    # drafting again says that a follow-up was already sent
    code, _, err = _run(capsys, "follow-up", str(PRESERVATION), "-o", "again.json", *store)
    assert code == 0, err
    assert f"{draft['id']} (mla_request) already follows this request" in caplog.text


def test_a_refused_follow_up_leaves_no_file_and_no_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _preserved(tmp_path, capsys)
    rid = read_request(PRESERVATION).id
    # a time before the submission: the event is refused, so nothing is written
    code, _, err = _run(
        capsys, "follow-up", str(PRESERVATION), "-o", "a.json", "--now", "2000-01-01", *store
    )
    assert code == 1
    assert "before the submission" in err
    assert not (tmp_path / "a.json").exists()
    # a setting that is not UTF-8 text is refused before anything runs
    monkeypatch.setenv("EEVIDENCE_ACTOR", b"X\x9bY".decode("utf-8", "surrogateescape"))
    code, _, err = _run(capsys, "follow-up", str(PRESERVATION), "-o", "b.json", *store)
    assert code == 2
    assert "$EEVIDENCE_ACTOR is not UTF-8" in err
    assert not (tmp_path / "b.json").exists()
    monkeypatch.delenv("EEVIDENCE_ACTOR")
    code, _, err = _run(capsys, "follow-up", str(PRESERVATION), "-o", "", *store)
    assert code == 2
    assert "--output" in err
    code, out, _ = _run(capsys, "status", rid, "--json", *store)
    assert [e["event"] for e in json.loads(out)["events"]] == ["submitted", "preserved"]


def test_an_emergency_follow_up_takes_no_transmission_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emergency = EXAMPLES / "emergency-disclosure.json"
    rid = read_request(emergency).id
    store = ["--store", str(tmp_path / "t.sqlite3"), "--actor", "A"]
    assert _run(capsys, "track", "add", str(emergency), *store)[0] == 0
    for name in ("submitted", "disclosed"):
        assert _run(capsys, "track", "event", rid[:8], name, *store)[0] == 0
    code, _, err = _run(
        capsys, "follow-up", str(emergency), "-o", "f.json", "--transmission-days", "30", *store
    )
    assert code == 1
    assert "--transmission-days" in err
    assert not (tmp_path / "f.json").exists()
    code, out, err = _run(capsys, "follow-up", str(emergency), "-o", "f.json", "--json", *store)
    assert code == 0, err
    assert json.loads(out)["transmission_days"] is None
