"""``eevidence track``, ``status``, ``deadlines`` and ``report`` from the command line."""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime
from pathlib import Path

import icalendar
import pytest

from eevidence._cli import main
from eevidence.custody import entries_from_jsonl
from eevidence.tracking import open_store
from tests.helpers import EXAMPLES, ROOT, example_doc

PRESERVATION = "3f1c2a6e-1b7d-4c9a-9e0f-5a2b7c8d9e01"
NOW = "2026-11-20T12:00:00Z"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_full_flow(store_spec: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    s = ("--store", store_spec, "--now", NOW)
    code, out, _ = cli(capsys, "track", "add", str(EXAMPLES / "preservation.json"), *s)
    assert code == 0
    assert f"tracking {PRESERVATION}: preservation to meta, state draft" in out
    assert "deadline terms: provider profile meta\n" in out  # a French requester: no 2703(f)

    steps = [
        ("submitted", "--at", "2026-11-16T10:00:00Z"),
        ("acknowledged", "--at", "2026-11-16T18:00:00+01:00", "--ref", "LE-55"),
        ("preserved", "--at", "2026-11-17T09:00:00Z", "--expires", "2027-02-10"),
        ("noted", "--note", "called the provider", "--actor", "desk officer"),
    ]
    for name, *rest in steps:
        code, out, _ = cli(capsys, "track", "event", PRESERVATION, name, *rest, *s)
        assert code == 0, out
    assert "preserved until 2027-02-10 00:00Z" in out

    code, out, _ = cli(capsys, "status", *s)
    assert code == 0
    assert PRESERVATION in out
    assert "ref=LE-55" in out
    assert "1 request(s) not final" in out
    code, out, _ = cli(capsys, "status", PRESERVATION, *s)
    assert "acknowledged        by" in out
    assert "expires=2027-02-10 00:00Z" in out
    assert "called the provider" in out
    assert "by desk officer" in out
    code, out, _ = cli(capsys, "status", PRESERVATION, "--json", *s)
    data = json.loads(out)
    assert data["state"] == "preserved"
    assert [d["deadline"] for d in data["deadlines"]] == [
        "act_before_expiry",
        "preservation_expires",
    ]
    code, out, _ = cli(capsys, "status", "--json", "--all", *s)
    assert [r["id"] for r in json.loads(out)] == [PRESERVATION]

    # deadlines: nothing within 14 days of NOW, both within 90
    code, out, _ = cli(capsys, "deadlines", *s)
    assert out.strip() == "0 deadline(s) within 14d"
    ics = tmp_path / "due.ics"
    code, out, _ = cli(capsys, "deadlines", "--within", "90d", "--ics", str(ics), *s)
    assert code == 0
    assert "act_before_expiry" in out
    assert out.index("act_before_expiry") < out.index("preservation_expires")
    assert f"written to {ics}" in out
    cal = icalendar.Calendar.from_ical(ics.read_bytes())
    assert len(list(cal.walk("VEVENT"))) == 2
    code, out, _ = cli(
        capsys, "deadlines", "--json", "--store", store_spec, "--now", "2027-02-05T00:00:00Z"
    )
    due = json.loads(out)
    assert [(d["deadline"], d["overdue"]) for d in due] == [
        ("act_before_expiry", True),
        ("preservation_expires", False),
    ]

    code, out, _ = cli(capsys, "report", *s)
    assert code == 0
    assert "meta" in out
    assert "preserved 1" in out
    code, out, _ = cli(
        capsys, "report", "--json", "--provider", "meta", "--since", "2026-11-01", *s
    )
    report = json.loads(out)
    assert report["groups"][0]["time_to_answer"]["median_hours"] == 7.0
    code, out, _ = cli(capsys, "report", "--json", "--since", "2026-11-17", *s)
    assert json.loads(out)["groups"] == []


def test_follow_up_and_extension_link(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s = ("--store", str(tmp_path / "t.sqlite3"), "--now", NOW)
    assert cli(capsys, "track", "add", str(EXAMPLES / "preservation.json"), *s)[0] == 0
    code, out, _ = cli(
        capsys, "track", "add", str(EXAMPLES / "preservation-extension.json"), "--json", *s
    )
    extension = json.loads(out)
    assert code == 0
    original = example_doc("preservation-extension")["original_request_id"]
    assert extension["follows"] == (original if original == PRESERVATION else None)
    doc = example_doc("voluntary-disclosure")
    path = tmp_path / "disclosure.json"
    path.write_text(json.dumps(doc))
    code, out, _ = cli(capsys, "track", "add", str(path), "--follows", PRESERVATION, "--json", *s)
    follow_up = json.loads(out)
    assert follow_up["follows"] == PRESERVATION
    code, out, _ = cli(capsys, "status", follow_up["id"], *s)
    assert f"follows {PRESERVATION}" in out
    code, out, _ = cli(
        capsys,
        "track",
        "event",
        follow_up["id"],
        "submitted",
        "--at",
        "2026-11-21",
        "--json",
        *s,
        "--now",
        "2026-11-21T12:00:00Z",
    )
    assert code == 0
    assert json.loads(out)["state"] == "submitted"


def test_extension_of_untracked_preservation_is_not_linked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = ("--store", str(tmp_path / "t.sqlite3"), "--now", NOW)
    code, out, _ = cli(
        capsys, "track", "add", str(EXAMPLES / "preservation-extension.json"), "--json", *s
    )
    assert code == 0
    assert json.loads(out)["follows"] is None


def test_a_request_that_names_its_original_is_linked_whatever_its_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI links what the library finds (``tracked_from_request``), not a kind it knows."""
    from eevidence.tracking import tracked_from_request

    seen = []

    def spy(*args: object, **kwargs: object) -> object:
        tracked = tracked_from_request(*args, **kwargs)  # type: ignore[arg-type]
        seen.append(tracked.follows)
        return tracked

    monkeypatch.setattr("eevidence.tracking._track.tracked_from_request", spy)
    s = ("--store", str(tmp_path / "t.sqlite3"), "--now", NOW)
    assert cli(capsys, "track", "add", str(EXAMPLES / "preservation.json"), *s)[0] == 0
    code, out, _ = cli(
        capsys, "track", "add", str(EXAMPLES / "preservation-extension.json"), "--json", *s
    )
    original = example_doc("preservation-extension")["original_request_id"]
    assert code == 0
    assert seen == [None, original]
    assert json.loads(out)["follows"] == (original if original == PRESERVATION else None)


def test_an_expiry_past_9999_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = ("--store", str(tmp_path / "t.sqlite3"), "--now", NOW)
    doc = example_doc("preservation")  # from a US agency: 2703(f)(2) gives the extension
    doc["authority"]["country"] = "US"
    doc["legal_basis"] = [{"instrument": "us_18_usc_2703f", "article": "2703(f)"}]
    path = tmp_path / "us.json"
    path.write_text(json.dumps(doc))
    code, out, _ = cli(capsys, "track", "add", str(path), *s)
    assert code == 0
    assert "provider profile meta, completed by 18 U.S.C. 2703(f)(2)" in out
    for name, *rest in (
        ("submitted", "--at", "2026-11-16T10:00:00Z"),
        ("preserved", "--at", "2026-11-17T09:00:00Z", "--expires", "9999-12-31"),
        ("extension_requested", "--at", "2026-11-18T09:00:00Z"),
    ):
        code, out, err = cli(capsys, "track", "event", PRESERVATION, name, *rest, *s)
        assert code == 0, err
    code, out, err = cli(capsys, "track", "event", PRESERVATION, "extended", *s)
    assert code == 1
    assert "falls after 9999-12-31" in err
    assert "extension_days" in err
    assert "--expires DATE" in err
    assert "Traceback" not in err
    code, out, _ = cli(capsys, "status", PRESERVATION, "--json", *s)
    assert json.loads(out)["state"] == "extension_requested"  # nothing was recorded


def test_bad_input_is_one_line_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = str(tmp_path / "t.sqlite3")
    s = ("--store", store, "--now", NOW)
    cli(capsys, "track", "add", str(EXAMPLES / "preservation.json"), *s)
    code, _, err = cli(capsys, "track", "event", "no-such-id", "submitted", *s)
    assert code == 1
    assert "no tracked request with this id; list them with: eevidence status" in err
    assert len(err.strip().splitlines()) == 1
    code, _, err = cli(capsys, "track", "event", PRESERVATION, "extended", *s)
    assert code == 1
    assert "cannot become extended (allowed now: checked, signed, submitted" in err
    code, _, err = cli(capsys, "track", "add", str(EXAMPLES / "preservation.json"), *s)
    assert code == 1
    assert "already tracked" in err
    code, _, err = cli(capsys, "track", "event", PRESERVATION, "submitted", "--at", "yesterday", *s)
    assert code == 2
    assert "--at 'yesterday'" in err
    code, _, err = cli(
        capsys, "track", "event", PRESERVATION, "submitted", "--at", "2026-11-16T10:00", *s
    )
    assert code == 2
    assert "explicit UTC offset" in err
    code, _, err = cli(capsys, "deadlines", "--within", "soon", *s)
    assert code == 2
    assert "14d, 36h or 2w" in err
    code, _, err = cli(capsys, "status", "--store", "postgresql://u:pw@127.0.0.1:1/x")
    assert code == 1
    assert "cannot reach PostgreSQL at postgresql://127.0.0.1:1/x" in err
    assert "pw" not in err
    opened = open_store(store)
    assert opened.get(PRESERVATION).version == 0
    with opened._transaction():
        opened._execute("INSERT INTO schema_version (version, applied_at) VALUES (99, 'later')")
    opened.close()
    code, _, err = cli(capsys, "status", *s)
    assert code == 1
    assert "written by a newer eevidence (schema version 99" in err
    assert "upgrade eevidence, or use another store (--store)" in err
    assert len(err.strip().splitlines()) == 1


def test_store_from_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EEVIDENCE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("EEVIDENCE_STORE", raising=False)
    assert cli(capsys, "track", "add", str(EXAMPLES / "preservation.json"))[0] == 0
    assert (tmp_path / "home" / "tracking.sqlite3").exists()
    monkeypatch.setenv("EEVIDENCE_STORE", str(tmp_path / "other.sqlite3"))
    code, out, err = cli(capsys, "status", "--all")  # a store that does not exist: not created
    assert (code, out, err) == (0, "nothing tracked yet\n", "")
    assert not (tmp_path / "other.sqlite3").exists()
    assert cli(capsys, "track", "add", str(EXAMPLES / "voluntary-disclosure.json"))[0] == 0
    code, out, _ = cli(capsys, "status", "--all")
    assert out.strip().endswith("1 request(s)")
    home_store = str(tmp_path / "home" / "tracking.sqlite3")
    code, out, _ = cli(capsys, "--store", home_store, "status", "--all")
    assert "1 request(s)" in out
    code, out, _ = cli(
        capsys,
        "track",
        "event",
        PRESERVATION,
        "submitted",
        "--store",
        str(tmp_path / "home" / "tracking.sqlite3"),
    )
    assert code == 0
    assert out.strip() == f"{PRESERVATION}: submitted"


def test_info_logs_name_no_identifier(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    s = ("--store", str(tmp_path / "t.sqlite3"), "--now", NOW)
    with caplog.at_level(logging.INFO, logger="eevidence"):
        cli(capsys, "track", "add", str(EXAMPLES / "preservation.json"), *s)
        cli(
            capsys, "track", "event", PRESERVATION, "submitted", "--ref", "LE-1", "--actor", "A", *s
        )
    messages = [m for m in caplog.messages if not m.startswith("created the workstation")]
    assert messages == [
        "tracking a preservation request to meta",
        "custody entry 0: request_created",
        "custody entry 1: request_submitted",
        "recorded submitted",
    ]
    assert all(PRESERVATION not in m and "LE-1" not in m for m in caplog.messages)


def test_demo_tracks_on_the_embedded_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(capsys, "demo", "--out", str(tmp_path))
    assert code == 0
    assert "track requests on the embedded store" in out
    assert "preservation           -> preserved    preserved, preserved until" in out
    assert "preservation_24_7      -> transmitted  transmitted" in out
    assert "mla_request            -> received     received" in out
    assert "production_due" in out
    assert (tmp_path / "tracking.sqlite3").exists()
    cal = icalendar.Calendar.from_ical((tmp_path / "deadlines.ics").read_bytes())
    # preservation and 24/7 preservation: act before expiry, expiry; production:
    # acknowledgement, production, end of the enforcing authority's review (the example
    # notifies one); the MLA request was received by the central authority: no reminder
    assert len(list(cal.walk("VEVENT"))) == 7
    assert "enforcing_review_ends" in out
    # running it again on the same folder does not record the events twice
    code, out, _ = cli(capsys, "demo", "--out", str(tmp_path), "--force")
    assert code == 0
    assert "-> preserved" not in out
    store = open_store(tmp_path / "tracking.sqlite3")
    assert store.verify() == []
    assert store.get(PRESERVATION).version == 4  # 3 events and the follow-up's deadline
    store.close()


def test_readme_documents_the_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in (
        "eevidence track add",
        "eevidence track event",
        "eevidence status",
        "eevidence deadlines",
        "eevidence report",
    ):
        assert command in readme


def test_event_before_the_request_existed_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = ("--store", str(tmp_path / "t.sqlite3"), "--now", NOW)
    assert cli(capsys, "track", "add", str(EXAMPLES / "preservation.json"), *s)[0] == 0
    code, _, err = cli(
        capsys, "track", "event", PRESERVATION, "submitted", "--at", "2020-01-01", *s
    )
    assert code == 1
    assert "before the request was created" in err
    code, out, _ = cli(capsys, "status", PRESERVATION, "--json", *s)
    assert json.loads(out)["state"] == "draft"


def test_submitting_an_extension_of_an_untracked_preservation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``submit`` starts tracking as ``track add`` does: unlinked when the original is not
    tracked, so the submission goes ahead."""
    from eevidence.crypto import generate_private_key, write_public_key
    from tests.submit_helpers import build_test_package

    monkeypatch.delenv("EEVIDENCE_PROVIDERS", raising=False)
    key = generate_private_key("ed25519")  # the package's signer, trusted
    write_public_key(key, tmp_path / "trusted.pem")
    monkeypatch.setattr("tests.submit_helpers.generate_private_key", lambda *_: key)
    package = build_test_package(tmp_path / "pkg", "preservation-extension")
    s = ("--store", str(tmp_path / "t.sqlite3"), "--now", NOW)
    upload = ("--out", str(tmp_path / "upload"), "--trust", str(tmp_path / "trusted.pem"))
    code, _, err = cli(capsys, "submit", str(package), *upload, *s)
    assert code == 0, err
    extension = example_doc("preservation-extension")["id"]
    code, out, _ = cli(capsys, "status", extension, "--json", *s)
    assert json.loads(out)["follows"] is None


EU_PRESERVATION = example_doc("eu-preservation-order")["id"]


def test_an_eu_preservation_order_on_the_regulation_clocks(
    store_spec: str, capsys: pytest.CaptureFixture[str]
) -> None:
    s = ("--store", store_spec, "--now", NOW)
    code, out, _ = cli(capsys, "track", "add", str(EXAMPLES / "eu-preservation-order.json"), *s)
    assert code == 0
    assert "deadline terms: Regulation (EU) 2023/1543 art. 11(1)" in out
    for name, *rest in (
        ("submitted", "--at", "2026-11-16T10:00:00Z"),
        ("received", "--at", "2026-11-16T12:00:00Z"),
        ("preserved", "--at", "2026-11-17T09:00:00Z"),
    ):
        code, out, err = cli(capsys, "track", "event", EU_PRESERVATION, name, *rest, *s)
        assert code == 0, err
    assert "preserved until 2027-01-15 12:00Z" in out  # 60 days from receipt, not from preserved
    code, _, err = cli(
        capsys, "track", "event", EU_PRESERVATION, "extension_requested", "--at", NOW, *s
    )
    assert code == 1
    assert "record preservation_extended" in err
    code, out, err = cli(
        capsys, "track", "event", EU_PRESERVATION, "preservation_extended", "--at", NOW, *s
    )
    assert code == 0, err
    assert "preserved until 2027-02-14 12:00Z" in out
    code, out, _ = cli(capsys, "status", EU_PRESERVATION, *s)
    assert "received            by" in out
    assert "preservation_extended by" in out
    assert (
        "due 2027-02-14 12:00Z  preservation_expires  the obligation to preserve ceases "
        "(Regulation (EU) 2023/1543 art. 11(1))"
    ) in out
    assert "confirm the subsequent request for production (Annex V)" in out
    code, out, _ = cli(capsys, "deadlines", "--within", "100d", *s)
    assert "preservation_expires" in out
    assert out.count("Regulation (EU) 2023/1543 art. 11(1)") == 2
    code, out, err = cli(
        capsys,
        "track",
        "event",
        EU_PRESERVATION,
        "production_request_confirmed",
        "--at",
        "2026-11-20T13:00:00Z",
        *s,
        "--now",
        "2026-11-20T13:00:00Z",
    )
    assert code == 0, err
    assert (
        out.strip()
        == f"{EU_PRESERVATION}: preserved, preserved as long as necessary to produce the data"
    )
    code, out, _ = cli(capsys, "deadlines", "--within", "2w", "--json", *s)
    assert json.loads(out) == []


def test_an_eu_production_order_shows_every_basis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = ("--store", str(tmp_path / "t.sqlite3"), "--now", "2026-11-22T12:00:00Z")
    code, out, _ = cli(capsys, "track", "add", str(EXAMPLES / "eu-production-order.json"), *s)
    assert code == 0
    assert "deadline terms: Regulation (EU) 2023/1543 art. 10(2)" in out
    assert "enforcing authority's review: Regulation (EU) 2023/1543 art. 12(1)" in out
    production = example_doc("eu-production-order")["id"]
    assert (
        cli(capsys, "track", "event", production, "submitted", "--at", "2026-11-22T10:10:00Z", *s)[
            0
        ]
        == 0
    )
    code, out, _ = cli(capsys, "deadlines", "--within", "2w", "--json", *s)
    due = {d["deadline"]: d for d in json.loads(out)}
    assert due["enforcing_review_ends"]["due"] == "2026-12-02T10:05:00Z"  # notified_at + 10 days
    assert due["production_due"]["due"] == "2026-12-02T10:10:00Z"  # receipt not recorded


@pytest.mark.parametrize("now", ["9999-12-30T00:00:00Z", "9999-12-31T23:59:59Z"])
def test_deadlines_near_the_end_of_time(
    now: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A horizon past the year 9999 takes every deadline; nothing overflows."""
    s = ("--store", str(tmp_path / "t.sqlite3"), "--now", NOW)
    assert cli(capsys, "track", "add", str(EXAMPLES / "preservation.json"), *s)[0] == 0
    submitted = ("--at", "2026-11-16T10:00:00Z")
    assert cli(capsys, "track", "event", PRESERVATION, "submitted", *submitted, *s)[0] == 0
    ics = tmp_path / "late.ics"
    store = ("--store", str(tmp_path / "t.sqlite3"))
    code, out, err = cli(
        capsys, "deadlines", "--within", "2w", "--now", now, "--ics", str(ics), *store
    )
    assert code == 0, err
    assert "Traceback" not in err
    assert "OVERDUE" in out
    assert "1 deadline(s) within 2w" in out
    assert len(list(icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT"))) == 1


# -- a fresh machine -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["status"],
        ["status", "--all"],
        ["deadlines"],
        ["deadlines", "--within", "2w"],
        ["report"],
    ],
)
def test_nothing_tracked_yet_is_not_an_error(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cron job reading deadlines on a machine that tracks nothing yet: exit 0, no store
    created (the default store, under $EEVIDENCE_HOME, is not there)."""
    code, out, err = cli(capsys, *argv)
    assert (code, err) == (0, "")
    assert "nothing tracked yet" in out or argv == ["report"]
    code, out, _ = cli(capsys, *argv, "--json")
    assert code == 0
    assert json.loads(out) == [] or argv == ["report"]
    home = Path(os.environ["EEVIDENCE_HOME"])
    assert not (home / "tracking.sqlite3").exists()


def test_deadlines_of_nothing_still_writes_the_calendar(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ics = tmp_path / "due.ics"
    code, out, _ = cli(capsys, "deadlines", "--ics", str(ics), "--store", str(tmp_path / "s.db"))
    assert code == 0
    assert out == f"nothing tracked yet: no deadlines; written to {ics}\n"
    assert list(icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT")) == []
    assert not (tmp_path / "s.db").exists()


def test_an_empty_store_says_nothing_is_tracked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    open_store(tmp_path / "s.sqlite3").close()
    s = ("--store", str(tmp_path / "s.sqlite3"))
    assert cli(capsys, "status", *s)[:2] == (0, "nothing tracked yet\n")
    code, out, _ = cli(capsys, "deadlines", *s)
    assert (code, out) == (0, "0 deadline(s) within 14d\n")
    assert cli(capsys, "track", "add", str(EXAMPLES / "voluntary-disclosure.json"), *s)[0] == 0
    assert cli(capsys, "track", "event", "c2e7f4a1", "withdrawn", "--actor", "A", *s)[0] == 0
    code, out, _ = cli(capsys, "status", *s)  # something is tracked, nothing is open
    assert out.splitlines()[-1] == "0 request(s) not final (--all for every one)"


def test_a_missing_request_is_still_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(capsys, "status", PRESERVATION)
    assert code == 1
    assert err


# -- id prefixes -----------------------------------------------------------------------------------


def _twin(tmp_path: Path, request_id: str, name: str) -> Path:
    doc = example_doc("voluntary-disclosure")
    doc["id"] = request_id
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


def test_unique_id_prefixes_are_accepted_ambiguous_ones_list_the_candidates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = ("--store", str(tmp_path / "t.sqlite3"), "--now", "2026-11-21T12:00:00Z", "--actor", "A")
    assert cli(capsys, "track", "add", str(EXAMPLES / "preservation.json"), *s)[0] == 0
    code, out, _ = cli(capsys, "track", "event", "3f1c2a6e", "submitted", *s)
    assert (code, out) == (0, f"{PRESERVATION}: submitted\n")
    code, out, _ = cli(
        capsys, "status", "3F1C2A6E", "--json", "--store", str(tmp_path / "t.sqlite3")
    )
    assert json.loads(out)["id"] == PRESERVATION
    first = "abcd0000-0000-4000-8000-000000000001"
    second = "abcd0000-0000-4000-8000-000000000002"
    for request_id, name in ((first, "a.json"), (second, "b.json")):
        assert cli(capsys, "track", "add", str(_twin(tmp_path, request_id, name)), *s)[0] == 0
    code, _, err = cli(capsys, "track", "event", "abcd0000", "submitted", *s)
    assert code == 1
    assert "matches 2 tracked requests" in err
    assert first in err
    assert second in err
    code, out, _ = cli(capsys, "track", "event", first[:-1] + "1", "submitted", *s)
    assert (code, out) == (0, f"{first}: submitted\n")
    assert open_store(tmp_path / "t.sqlite3").get(second).state == "draft"
    code, _, err = cli(capsys, "status", "abc", "--store", str(tmp_path / "t.sqlite3"))
    assert code == 1  # fewer than 4 characters: not read as a prefix
    assert "abc" in err
    code, _, err = cli(capsys, "status", "ffff", "--store", str(tmp_path / "t.sqlite3"))
    assert code == 1


def test_follows_takes_a_prefix_and_refuses_another_providers_preservation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = ("--store", str(tmp_path / "t.sqlite3"), "--now", NOW)
    assert cli(capsys, "track", "add", str(EXAMPLES / "preservation.json"), *s)[0] == 0
    google = example_doc("cloud-act-order")
    assert google["provider"] == "google"
    path = tmp_path / "google.json"
    path.write_text(json.dumps(google))
    code, out, err = cli(capsys, "track", "add", str(path), "--follows", "3f1c2a6e", *s)
    assert code == 1
    assert "addressed to google" in err
    assert f"({PRESERVATION}) went to meta" in err
    store = open_store(tmp_path / "t.sqlite3")
    assert [t.id for t in store.list_requests()] == [PRESERVATION]  # nothing tracked
    assert store.custody_lines(object_id=f"request/{google['id']}") == []
    store.close()
    disclosure = _twin(tmp_path, "c2e7f4a1-0000-4000-8000-000000000009", "d.json")
    code, out, _ = cli(
        capsys, "track", "add", str(disclosure), "--follows", "3f1c2a6e", "--json", *s
    )
    assert code == 0
    assert json.loads(out)["follows"] == PRESERVATION


# -- who acts ------------------------------------------------------------------------------------


def _custody(path: Path, request_id: str) -> list[tuple[str, str, str]]:
    store = open_store(path)
    try:
        lines = store.custody_lines(object_id=f"request/{request_id}")
    finally:
        store.close()
    return [(e.action, e.actor, e.role) for e in entries_from_jsonl(b"\n".join(lines))]


def test_one_actor_for_the_history_and_the_custody_entry(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    db = tmp_path / "t.sqlite3"
    s = ("--store", str(db), "--now", NOW)
    # no option, no environment: the request's officer starts tracking, in her role
    with caplog.at_level(logging.WARNING, logger="eevidence"):
        code, _, err = cli(capsys, "track", "add", str(EXAMPLES / "preservation.json"), *s)
    assert (code, err, caplog.records) == (0, "", [])
    # an option wins, for both records of the act
    assert (
        cli(
            capsys,
            "track",
            "event",
            PRESERVATION,
            "submitted",
            "--actor",
            "Desk 3",
            "--role",
            "clerk",
            *s,
        )[0]
        == 0
    )
    # then the environment
    monkeypatch.setenv("EEVIDENCE_ACTOR", "Insp. Paul Roy")
    monkeypatch.setenv("EEVIDENCE_ROLE", "investigator")
    assert cli(capsys, "track", "event", PRESERVATION, "acknowledged", *s)[0] == 0
    # an option over the environment, the role still from it
    assert cli(capsys, "track", "event", PRESERVATION, "noted", "--actor", "Ann", *s)[0] == 0
    monkeypatch.delenv("EEVIDENCE_ACTOR")
    monkeypatch.delenv("EEVIDENCE_ROLE")
    # nothing names anyone and the command has no officer: the login, never silently
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="eevidence"):
        code, _, _ = cli(capsys, "track", "event", PRESERVATION, "noted", "--note", "x", *s)
    assert code == 0
    (warning,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    message = warning.getMessage()
    assert "recording the actor as the operating-system login" in message
    assert "--actor NAME or $EEVIDENCE_ACTOR" in message
    login = message.split("login '", 1)[1].split("'", 1)[0]
    history = [(e.name, e.actor) for e in open_store(db).get(PRESERVATION).events]
    assert history == [
        ("submitted", "Desk 3"),
        ("acknowledged", "Insp. Paul Roy"),
        ("noted", "Ann"),
        ("noted", login),
    ]
    assert _custody(db, PRESERVATION) == [
        ("request_created", "Claire Martin", "Commissaire de police"),
        ("request_submitted", "Desk 3", "clerk"),
        ("request_acknowledged", "Insp. Paul Roy", "investigator"),
        ("status_changed", "Ann", "investigator"),
        ("status_changed", login, "user"),
    ]


def test_the_environment_names_who_starts_tracking(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EEVIDENCE_ACTOR", "  ")  # blank: as if unset
    db = tmp_path / "t.sqlite3"
    assert (
        cli(
            capsys,
            "track",
            "add",
            str(EXAMPLES / "preservation.json"),
            "--store",
            str(db),
            "--role",
            "analyst",
        )[0]
        == 0
    )
    assert _custody(db, PRESERVATION) == [("request_created", "Claire Martin", "analyst")]


# -- calendars -----------------------------------------------------------------------------------


def test_the_calendar_names_the_case_and_updates_moved_deadlines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = ("--store", str(tmp_path / "t.sqlite3"), "--now", "2027-03-01T00:00:00Z")
    doc = example_doc("preservation")
    assert cli(capsys, "track", "add", str(EXAMPLES / "preservation.json"), *s)[0] == 0
    for name, at in (("submitted", "2026-11-16T10:00:00Z"), ("preserved", "2026-11-17T09:00:00Z")):
        assert cli(capsys, "track", "event", "3f1c2a6e", name, "--at", at, *s)[0] == 0
    ics = tmp_path / "d.ics"

    def calendar() -> dict[str, tuple[str, int, datetime]]:
        assert cli(capsys, "deadlines", "--within", "52w", "--ics", str(ics), "--force", *s)[0] == 0
        events = icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
        return {
            str(e["UID"]): (str(e["SUMMARY"]), e.decoded("SEQUENCE"), e.decoded("DTSTART"))
            for e in events
        }

    before = calendar()
    uid = f"{PRESERVATION}-preservation_expires@eevidence"
    assert (
        before[uid][0]
        == f"Preservation expires: case {doc['case']['reference']}, preservation to meta"
    )
    assert before[uid][1] == 0
    event = ("track", "event", "3f1c2a6e", "--actor", "A")
    assert cli(capsys, *event, "extension_requested", "--at", "2027-01-20T09:00:00Z", *s)[0] == 0
    extended = ("extended", "--at", "2027-01-21T09:00:00Z", "--expires", "2027-05-15")
    assert cli(capsys, *event, *extended, *s)[0] == 0
    after = calendar()
    assert set(after) == set(before)
    assert after[uid][1] == 1
    assert after[uid][2] > before[uid][2]
