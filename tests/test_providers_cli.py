"""Provider registry (shipped set, user override) and the providers/check/route commands."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import eevidence as ee
from eevidence._cli import main
from eevidence.errors import ProfileError
from eevidence.provider import PROVIDERS_ENV, load_profile_file, load_providers
from tests.helpers import ROOT, example_doc

NOW = "--now=2026-11-22T10:00:00Z"


def test_registry_has_the_shipped_profiles() -> None:
    reg = load_providers(environ={})
    assert len(reg) >= 15
    assert reg.ids() == sorted(reg.ids())
    assert {"meta", "google", "telegram", "whatsapp", "microsoft"} <= set(reg.ids())
    assert [p.id for p in reg] == reg.ids()
    assert reg.origins["meta"].endswith("meta.json")


def test_unknown_provider_lists_the_known_ones() -> None:
    reg = load_providers(environ={})
    with pytest.raises(ee.InputError) as info:
        reg.get("myspace")
    text = info.value.diagnostics()
    assert "unknown provider 'myspace'" in text
    assert "meta" in text
    assert "telegram" in text


def _user_dir(tmp_path: Path) -> Path:
    d = tmp_path / "profiles"
    d.mkdir()
    raw = json.loads((ROOT / "providers" / "meta.json").read_bytes())
    raw["name"] = "Meta (local copy)"
    (d / "meta.json").write_text(json.dumps(raw), encoding="utf-8")
    raw["id"] = "acme"
    raw["name"] = "Acme Messaging"
    (d / "acme.json").write_text(json.dumps(raw), encoding="utf-8")
    return d


def test_user_directory_overrides_and_adds(tmp_path: Path) -> None:
    d = _user_dir(tmp_path)
    reg = load_providers(d)
    assert reg.get("meta").name == "Meta (local copy)"
    assert reg.get("acme").name == "Acme Messaging"
    assert reg.get("google").id == "google"
    via_env = load_providers(environ={PROVIDERS_ENV: str(d)})
    assert via_env.get("acme").name == "Acme Messaging"
    assert via_env.origins["acme"] == str(d / "acme.json")


def test_missing_user_directory_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ee.ConfigurationError, match="not found"):
        load_providers(tmp_path / "nope")


def test_bad_profile_names_file_and_path(tmp_path: Path) -> None:
    raw = json.loads((ROOT / "providers" / "meta.json").read_bytes())
    raw["preservation"]["initial_days"] = {"status": "known", "value": "ninety", "sources": []}
    bad = tmp_path / "meta.json"
    bad.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile_file(bad)
    assert info.value.source == str(bad)
    assert any(p.path.startswith("$.preservation.initial_days") for p in info.value.problems)


def test_profile_file_errors(tmp_path: Path) -> None:
    broken = tmp_path / "x.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(ProfileError, match="invalid provider profile") as info:
        load_profile_file(broken)
    assert "not valid JSON" in info.value.diagnostics()
    with pytest.raises(ee.InputError, match="cannot read"):
        load_profile_file(tmp_path / "absent.json")
    renamed = tmp_path / "other.json"
    shutil.copy(ROOT / "providers" / "meta.json", renamed)
    with pytest.raises(ProfileError) as info:
        load_profile_file(renamed)
    assert info.value.problems[0].path == "$.id"


def test_cli_bad_profile_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "meta.json").write_text('{"id": "meta"}', encoding="utf-8")
    assert main(["providers", "list", "--providers-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert str(tmp_path / "meta.json") in err
    assert "Traceback" not in err


def test_providers_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["providers", "list"]) == 0
    out = capsys.readouterr().out
    assert "meta" in out
    assert "Meta Platforms Ireland" in out
    assert "never the addressee of an EU order" in out
    assert main(["providers", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["id"] for r in rows} >= {"meta", "google"}
    google = next(r for r in rows if r["id"] == "google")
    assert google["headquarters"] == "US"
    telegram = next(r for r in rows if r["id"] == "telegram")
    assert telegram["headquarters"] == "VG"
    assert telegram["eu_establishment"] is not None
    assert telegram["eu_designated_addressee"] is None
    assert main(["providers", "show", "snap"]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "emergency.foreign_categories" in x)
    assert "subscriber, user_identification, traffic" in line
    assert "content" not in line.split("(")[0].split("foreign_categories")[1]
    assert any(x.split()[0] == "eu_designated_addressee" for x in out.splitlines() if x.strip())
    assert main(["providers", "show", "google"]) == 0
    out = capsys.readouterr().out
    assert "last reviewed" in out
    assert "sources:" in out
    assert "https://" in out
    assert main(["providers", "show", "meta", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["id"] == "meta"
    assert shown["sources"]
    assert main(["providers", "show", "nobody"]) == 1
    assert "known providers" in capsys.readouterr().err


def test_check_examples_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shipped = sorted((ROOT / "examples" / "requests").glob("*.json"))
    # An art. 7 order is well formed, but the Second Protocol (CETS 224) is not in force:
    # the checker refuses it (EE212) until the treaty chart says otherwise.
    art7 = str(ROOT / "examples" / "requests" / "protocol2-art7-order.json")
    examples = [str(p) for p in shipped if str(p) != art7]
    assert main(["check", *examples, NOW]) == 0
    out = capsys.readouterr().out
    assert out.count("ok ") == len(examples)
    assert main(["check", *examples, NOW, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is True
    assert len(doc["reports"]) == len(examples)
    assert main(["check", art7, NOW, "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert "EE212" in {f["code"] for f in doc["reports"][0]["findings"]}

    bad = example_doc("voluntary-disclosure")
    bad["data"] = {"categories": ["content"]}
    path = tmp_path / "content.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    assert main(["check", str(path), NOW]) == 1
    out = capsys.readouterr().out
    assert "ERRORS" in out
    assert "EE121" in out
    assert main(["check", str(path), NOW, "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is False
    assert "EE121" in {f["code"] for f in doc["reports"][0]["findings"]}


def test_check_against_another_provider_and_invalid_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pres = str(ROOT / "examples" / "requests" / "preservation.json")
    assert main(["check", pres, "--provider", "google", NOW]) == 1
    assert "EE001" in capsys.readouterr().out
    junk = tmp_path / "junk.json"
    junk.write_text("[1, 2", encoding="utf-8")
    assert main(["check", pres, str(junk), NOW]) == 1
    out = capsys.readouterr().out
    assert "INVALID" in out
    assert str(junk) in out
    assert main(["check", str(junk), NOW, "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["reports"][0]["error"]["source"] == str(junk)


@pytest.mark.parametrize(
    ("now", "message"),
    [("--now=yesterday", "RFC 3339"), ("--now=2026-11-22T10:00:00", "UTC offset")],
)
def test_check_bad_now_is_a_usage_error(
    now: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    pres = str(ROOT / "examples" / "requests" / "preservation.json")
    assert main(["check", pres, now]) == 2
    assert message in capsys.readouterr().err


def test_check_without_now_uses_the_clock(capsys: pytest.CaptureFixture[str]) -> None:
    pres = str(ROOT / "examples" / "requests" / "preservation.json")
    assert main(["check", pres, "--json"]) in {0, 1}
    report = json.loads(capsys.readouterr().out)["reports"][0]
    assert report["request_id"] == example_doc("preservation")["id"]


def test_route_command(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["route", "--from", "gb", "--provider", "google", "--data", "content", NOW]
    assert main([*args, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["from"] == "GB"
    assert doc["routes"][0]["route"] == "cloud_act_agreement"
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "[LIKELY  ] cloud_act_agreement" in out
    assert "prepare:" in out
    assert main(["route", "--from", "FRA", "--provider", "meta", "--data", "content"]) == 2
    assert "alpha-2" in capsys.readouterr().err


def test_closed_pipe_is_not_a_traceback() -> None:
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "eevidence", "providers", "show", "meta"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    proc.stdout.close()  # the reader goes away before the command writes
    _, err = proc.communicate(timeout=60)
    assert b"Traceback" not in err
    assert proc.returncode == 1
