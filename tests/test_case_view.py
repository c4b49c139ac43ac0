"""One view per case: every tracked request of a case, identifiers cross-referenced."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from eevidence._cli import main
from eevidence.cases import case_view, request_documents
from eevidence.errors import InputError
from eevidence.request import canonical_bytes, read_request
from eevidence.tracking import Event, SqliteStore, open_store
from tests.helpers import EXAMPLES

CASE = "PJ-CT-2026-0147"


def _track(store_path: Path, names: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    for name in names:
        code = main(
            [
                "track",
                "add",
                str(EXAMPLES / f"{name}.json"),
                "--store",
                str(store_path),
                "--actor",
                "A. Test",
                "--role",
                "investigator",
            ]
        )
        assert code == 0, capsys.readouterr().err
    capsys.readouterr()


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EEVIDENCE_HOME", str(tmp_path / "home"))
    for name in ("EEVIDENCE_STORE", "EEVIDENCE_KEY", "EEVIDENCE_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)


def test_case_view_lists_the_requests_of_the_case_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store_path = tmp_path / "t.sqlite3"
    _track(store_path, ["preservation", "voluntary-disclosure", "cloud-act-order"], capsys)
    preservation = read_request(EXAMPLES / "preservation.json")
    store = SqliteStore(store_path)
    try:
        at = preservation.created_at + timedelta(hours=1)
        store.record(preservation.id, Event("submitted", at, "x"), now=at)
        store.record(
            preservation.id,
            Event("acknowledged", at, "x", ref="LE-0001"),
            now=at,
        )
        store.record(preservation.id, Event("preserved", at, "x"), now=at)
        docs, warnings = request_documents(store, [EXAMPLES])
        view = case_view(store.list_requests(), CASE, now=at, documents=docs)
    finally:
        store.close()
    assert warnings == []
    kinds = [r.tracked.kind for r in view.requests]
    assert kinds == ["preservation", "voluntary_disclosure"]  # the CLOUD Act order is another case
    row = view.requests[0]
    assert row.references == ("LE-0001",)
    assert row.next_deadline is not None
    data = view.to_dict()
    assert data["case_reference"] == CASE
    assert data["requests"][0]["state"] == "preserved"
    shared = {(i["type"], i["value"]): i for i in data["identifiers"]}
    email = shared[("email", "nightfall2026@mail.example.com")]
    assert email["shared"] is True
    assert email["duplicate"] is False  # a preservation and a disclosure: different kinds
    assert data["missing_documents"] == []


def test_duplicates_are_flagged_and_missing_documents_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = json.loads((EXAMPLES / "preservation.json").read_text(encoding="utf-8"))
    second = {**first, "id": "0b6e6d1c-8a55-4f55-9a4e-1f0f6bb6d2a1"}
    (tmp_path / "a.json").write_text(json.dumps(first), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps(second), encoding="utf-8")
    store_path = tmp_path / "t.sqlite3"
    for name in ("a", "b"):
        assert (
            main(
                [
                    "track",
                    "add",
                    str(tmp_path / f"{name}.json"),
                    "--store",
                    str(store_path),
                    "--actor",
                    "A",
                    "--role",
                    "r",
                ]
            )
            == 0
        )
    _track(store_path, ["voluntary-disclosure"], capsys)
    assert (
        main(
            [
                "case",
                "show",
                CASE,
                "--store",
                str(store_path),
                "--json",
                "--requests",
                str(tmp_path / "a.json"),
                "--requests",
                str(tmp_path / "b.json"),
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert len(data["requests"]) == 3
    assert data["duplicates"] == 3
    ip = next(i for i in data["identifiers"] if i["type"] == "ip_address")
    assert ip["duplicate_pairs"] == [sorted([first["id"], second["id"]])]  # same time: by id
    vol = read_request(EXAMPLES / "voluntary-disclosure.json").id
    assert data["missing_documents"] == [vol]
    assert (
        main(["case", "show", CASE, "--store", str(store_path), "--requests", str(tmp_path)]) == 0
    )
    out = capsys.readouterr().out
    assert "DUPLICATE" in out
    assert "give their files with --requests" in out


def test_a_changed_request_file_is_not_taken_for_the_tracked_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store_path = tmp_path / "t.sqlite3"
    _track(store_path, ["preservation"], capsys)
    data = json.loads((EXAMPLES / "preservation.json").read_text(encoding="utf-8"))
    data["identifiers"] = data["identifiers"][:1]
    (tmp_path / "changed").mkdir()
    (tmp_path / "changed" / "p.json").write_text(json.dumps(data), encoding="utf-8")
    store = open_store(str(store_path))
    try:
        docs, warnings = request_documents(store, [tmp_path / "changed"])
    finally:
        store.close()
    assert docs == {}
    assert "SHA-256 differs" in warnings[0]
    genuine = read_request(EXAMPLES / "preservation.json")
    assert canonical_bytes(genuine) != canonical_bytes(
        read_request(tmp_path / "changed" / "p.json")
    )


def test_unknown_case_and_urgency(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store_path = tmp_path / "t.sqlite3"
    _track(store_path, ["emergency-disclosure"], capsys)
    assert main(["case", "show", "NOPE-1", "--store", str(store_path)]) == 1
    err = capsys.readouterr().err
    assert "no tracked request belongs to case 'NOPE-1'" in err
    assert CASE in err
    store = open_store(str(store_path))
    try:
        request = read_request(EXAMPLES / "emergency-disclosure.json")
        view = case_view(store.list_requests(), f"  {CASE} ", now=request.created_at)
    finally:
        store.close()
    assert view.urgent == (f"{request.id}: emergency request; terrorism case",)
    with pytest.raises(InputError, match="case reference is needed"):
        case_view([], " ", now=request.created_at)


@pytest.mark.skipif(not (EXAMPLES / "mla-request.json").is_file(), reason="no mla_request kind")
def test_state_to_state_outcomes_and_the_case_view(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = json.loads((EXAMPLES / "mla-request.json").read_text(encoding="utf-8"))
    second = {**first, "id": "0b6e6d1c-8a55-4f55-9a4e-1f0f6bb6d2a1"}
    store_path = tmp_path / "t.sqlite3"
    store_args = ["--store", str(store_path)]
    for name, data in (("a", first), ("b", second)):
        (tmp_path / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")
        code = main(
            [
                "track",
                "add",
                str(tmp_path / f"{name}.json"),
                *store_args,
                "--actor",
                "A",
                "--role",
                "r",
            ]
        )
        assert code == 0, capsys.readouterr().err
    _track(store_path, ["preservation"], capsys)
    sent = read_request(tmp_path / "a.json").created_at
    store = open_store(str(store_path))
    try:
        for rid, events in (
            (
                first["id"],
                [
                    ("submitted", 0, {}),
                    ("received", 2, {"ref": "CA-77"}),
                    ("transmitted", 10, {}),
                    ("disclosed", 40, {}),
                ],
            ),
            (
                second["id"],
                [
                    ("submitted", 0, {}),
                    ("rejected", 20, {"reason": "no dual criminality statement"}),
                ],
            ),
        ):
            for name, days, extra in events:
                at = sent + timedelta(days=days)
                store.record(rid, Event(name, at, "A", **extra), now=at)  # type: ignore[arg-type]
        later = sent + timedelta(days=41)
        view = case_view(store.list_requests(), first["case"]["reference"], now=later)
    finally:
        store.close()
    mla = next(r for r in view.requests if r.tracked.id == first["id"])
    assert mla.references == ("CA-77",)
    assert mla.tracked.state == "disclosed"
    code = main(["case", "report", *store_args, "--json", "--now", later.isoformat()])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert list(report["kinds"]) == ["mla_request"]  # the preservation went to a provider
    row = report["kinds"]["mla_request"]
    assert row["requests"] == 2
    assert row["outcomes"] == {"executed": 1, "refused": 1}
    assert row["refusal_reasons"] == {"no dual criminality statement": 1}
    assert row["to_transmission"] == {"count": 1, "median_days": 10.0, "p90_days": 10.0}
    assert row["to_execution"]["median_days"] == 40.0
    us = row["requested_states"]["US"]  # the figures per requested State
    assert us["requests"] == 2
    assert us["outcomes"] == {"executed": 1, "refused": 1}
    assert us["to_execution"]["median_days"] == 40.0
    assert main(["case", "report", *store_args, "--now", later.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "refused (1): no dual criminality statement" in out
    assert "to execution: median 40.0 days" in out
    assert (
        "requested State US: executed 1, refused 1; to transmission: median 10.0 days (1); "
        "to execution: median 40.0 days (1)"
    ) in out
    # eevidence report gives the same figures after the providers' table
    code = main(["report", *store_args, "--json", "--now", later.isoformat()])
    assert code == 0
    full = json.loads(capsys.readouterr().out)
    assert full["state_to_state"]["kinds"] == report["kinds"]
    assert main(["report", *store_args, "--now", later.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "requests addressed to a State" in out
    assert "refused (1): no dual criminality statement" in out
    # --provider narrows both parts
    assert main(["report", *store_args, "--json", "--provider", "google"]) == 0
    assert json.loads(capsys.readouterr().out)["state_to_state"]["kinds"] == {}


def test_the_view_names_the_requested_authority_and_every_reason_for_urgency(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store_path = tmp_path / "t.sqlite3"
    _track(store_path, ["preservation", "mla-request"], capsys)
    preservation = read_request(EXAMPLES / "preservation.json")
    mla = read_request(EXAMPLES / "mla-request.json")
    assert preservation.case.terrorism_related
    store = open_store(str(store_path))
    try:
        at = mla.created_at + timedelta(hours=1)
        store.record(preservation.id, Event("submitted", at, "x"), now=at)
        expires = at + timedelta(days=12)
        store.record(preservation.id, Event("preserved", at, "x", expires=expires), now=at)
        due = expires - timedelta(days=5)
        drafted = Event("follow_up_drafted", at, "x", due=due, note="drafted")
        store.record(preservation.id, drafted, now=at)
        docs, _ = request_documents(store, [EXAMPLES])
        with_docs = case_view(store.list_requests(), CASE, now=at, documents=docs)
        without = case_view(store.list_requests(), CASE, now=at)
    finally:
        store.close()
    rows = {r.tracked.kind: r for r in with_docs.requests}
    reasons = rows["preservation"].urgent or ""
    assert "terrorism case" in reasons
    assert "preservation lapses on" in reasons
    assert "the follow-up request must leave by" in reasons
    assert rows["preservation"].next_deadline is not None
    assert rows["preservation"].next_deadline.kind == "act_before_expiry"  # 14 days ahead
    assert rows["mla_request"].addressee is not None
    assert rows["mla_request"].addressee.startswith("US central_authority")
    data = with_docs.to_dict()
    as_json = {r["kind"]: r for r in data["requests"]}
    assert as_json["mla_request"]["addressee"].startswith("US central_authority")
    assert as_json["mla_request"]["provider"] == "meta"
    assert as_json["preservation"]["addressee"] == "meta"
    # without the documents: what the record keeps (the terrorism flag, the requested State)
    bare = {r.tracked.kind: r for r in without.requests}
    assert "terrorism case" in (bare["preservation"].urgent or "")
    assert bare["mla_request"].addressee == "US (requested State)"
    assert bare["preservation"].addressee is None


def test_an_unknown_case_hints_at_the_demo_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store_path = tmp_path / "t.sqlite3"
    _track(store_path, ["voluntary-disclosure"], capsys)
    assert main(["case", "show", "OTHER-1", "--store", str(store_path)]) == 1
    err = capsys.readouterr().err
    assert str(store_path) in err
    assert "--store" in err
    assert len(err.strip().splitlines()) == 1


def test_a_request_file_without_a_recorded_digest_is_taken_with_a_warning(
    tmp_path: Path,
) -> None:
    from eevidence.tracking import Tracked

    request = read_request(EXAMPLES / "preservation-24-7.json")
    store = SqliteStore(tmp_path / "t.sqlite3")
    try:
        store.add(Tracked.from_request(request, None, now=request.created_at))  # no custody
        docs, warnings = request_documents(store, [EXAMPLES / "preservation-24-7.json"])
    finally:
        store.close()
    assert request.id in docs
    assert len(warnings) == 1
    assert "not checked" in warnings[0]
    assert request.id in warnings[0]


def test_a_folder_file_that_is_no_request_is_skipped_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store_path = tmp_path / "t.sqlite3"
    _track(store_path, ["preservation"], capsys)
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "draft.json").write_text('{"kind": "mla_request", "id": null}', encoding="utf-8")
    (folder / "p.json").write_bytes((EXAMPLES / "preservation.json").read_bytes())
    code = main(["case", "show", CASE, "--store", str(store_path), "--requests", str(folder)])
    assert code == 0
    out = capsys.readouterr().out
    assert "draft.json: skipped: not a valid request" in out
    assert "identifiers not known" not in out  # the preservation's file was taken


def test_authorities_list_refuses_a_country_that_is_no_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["authorities", "list", "--country", "usa"]) == 2
    assert "--country 'usa'" in capsys.readouterr().err
    assert main(["authorities", "list", "--country", "us", "--json"]) == 0
    assert [a["id"] for a in json.loads(capsys.readouterr().out)] == ["us-doj-oia"]


def test_named_files_and_second_copies_are_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store_path = tmp_path / "t.sqlite3"
    _track(store_path, ["preservation"], capsys)
    store = SqliteStore(store_path)
    try:
        untracked = EXAMPLES / "voluntary-disclosure.json"
        docs, warnings = request_documents(store, [untracked, EXAMPLES / "preservation.json"])
        assert list(docs) == [read_request(EXAMPLES / "preservation.json").id]
        assert any(
            "voluntary-disclosure.json: skipped" in w and "not tracked" in w for w in warnings
        )
        # the same request twice: the same content is quiet, another content is reported
        copy = tmp_path / "copy.json"
        copy.write_bytes((EXAMPLES / "preservation.json").read_bytes())
        docs, warnings = request_documents(store, [EXAMPLES / "preservation.json", copy])
        assert warnings == []
    finally:
        store.close()
