"""Intake: a received package is accepted only when a key the directory lists for the
authority the request names signed it, and rejected with every reason otherwise; the
``eevidence intake`` command's verdicts, JSON and exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from eevidence._cli import main
from eevidence.crypto import write_public_key
from eevidence.directory import (
    Revocation,
    VerifiedDirectory,
    sign_directory,
    verify_directory,
)
from eevidence.errors import DirectoryVerificationError
from eevidence.intake import LOOKALIKE_DISTANCE, IntakeVerdict, domain_problem, intake_package
from eevidence.provider.checker import PUBLIC_WEBMAIL_DOMAINS
from tests.directory_helpers import (
    CREATED,
    FR_CALLBACK,
    ISSUED,
    NOW,
    NOW_TEXT,
    REQUEST_PHONE,
    World,
    add_authorities,
    build,
    emergency_doc,
    fr_authority,
    impersonation_doc,
    key_entry,
    make_world,
    publish,
    replace_authority,
    rewrite_payload,
    signer,
)
from tests.helpers import ROOT, example_doc


def _verified(w: World) -> VerifiedDirectory:
    return verify_directory(w.folder, [w.root.public_key], now=NOW)


def _intake(w: World, package: Path) -> IntakeVerdict:
    return intake_package(package, _verified(w), now=NOW)


def _reasons(v: IntakeVerdict) -> str:
    return "\n".join(v.reasons)


# -- the decision --------------------------------------------------------------------------------


def test_genuine_emergency_is_accepted_with_the_directorys_number(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    pkg = build(tmp_path, emergency_doc(), [w.fr])
    v = _intake(w, pkg)
    assert v.decision == "accept"
    assert v.accepted
    assert v.reasons == ()
    assert v.authority is not None
    assert v.authority.id == "fr-pj"
    assert v.callback == FR_CALLBACK
    assert v.callback != REQUEST_PHONE
    assert v.callback_note is not None
    assert FR_CALLBACK in v.callback_note
    assert "do not use the number in the request" in v.callback_note
    assert REQUEST_PHONE in v.callback_note
    assert [c.name for c in v.checks] == ["directory", "package", "request", "signer", "callback"]
    assert all(c.ok for c in v.checks)
    assert [s.keyid for s in v.signers] == [w.fr.keyid]
    assert v.signers[0].ok
    assert v.request is not None
    assert v.request.created_at == CREATED
    assert v.directory_version == 2
    assert v.checked_at == NOW
    assert v.package_sha256 is not None
    assert len(v.package_sha256) == 64
    assert v.request_bytes is not None


def test_request_without_emergency_has_no_callback_note(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    doc = example_doc("preservation")
    doc["authority"]["country"] = "FR"
    doc["authority"]["officer"]["email"] = "someone@police.example.fr"
    doc["created_at"] = "2026-11-01T10:00:00Z"
    doc.pop("attachments", None)
    v = _intake(w, build(tmp_path, doc, [w.fr]))
    assert v.decision == "accept", v.reasons
    assert v.callback == FR_CALLBACK
    assert v.callback_note is None


def test_impersonation_is_rejected_as_another_authoritys_signer(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    v = _intake(w, build(tmp_path, impersonation_doc(), [w.fr]))
    assert v.decision == "reject"
    text = _reasons(v)
    assert "a signer of another authority" in text
    assert "signed by Police Judiciaire (FR)" in text
    assert "not yet valid" in text  # dated 2019, the key is valid from 2026
    assert "mail.example.com" in text
    assert v.authority is None
    assert v.callback is None
    assert v.callback_note is None
    assert [s.authority_id for s in v.signers] == ["fr-pj"]
    assert not v.signers[0].ok


def test_the_impersonation_script_writes_what_we_test(tmp_path: Path) -> None:
    script = ROOT.parent / "shared" / "cases" / "packages" / "impersonate.py"
    if not script.is_file():
        pytest.skip(f"{script} is not present in this checkout")
    out = tmp_path / "impersonate.json"
    subprocess.run([sys.executable, str(script), str(out)], cwd=ROOT, check=True)
    assert json.loads(out.read_text()) == impersonation_doc()


def test_revoked_signer_is_rejected_after_resigning(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    pkg = build(tmp_path, emergency_doc(), [w.fr])
    assert _intake(w, pkg).accepted
    revoked = key_entry(
        w.fr.public_key, revoked=Revocation(at=NOW - timedelta(hours=1), reason="key stolen")
    )
    publish(w.folder, replace_authority(fr_authority(revoked)), [w.root], now=NOW - timedelta(1))
    v = _intake(w, pkg)
    assert v.directory_version == 3
    assert v.decision == "reject"
    assert "was revoked at" in _reasons(v)
    assert "key stolen" in _reasons(v)
    # a revocation dated after the intake does not yet apply
    later = key_entry(w.fr.public_key, revoked=Revocation(at=NOW + timedelta(1), reason="later"))
    publish(w.folder, replace_authority(fr_authority(later)), [w.root], now=NOW - timedelta(1))
    assert _intake(w, pkg).accepted


def test_revocation_applies_to_requests_dated_before_it(tmp_path: Path) -> None:
    """The request's date is the signer's claim: a thief backdates."""
    at = CREATED + timedelta(days=1)
    w = make_world(
        tmp_path,
        fr_key=lambda k: key_entry(k, revoked=Revocation(at=at, reason="compromised")),
    )
    v = intake_package(build(tmp_path, emergency_doc(), [w.fr]), _verified(w), now=at)
    assert v.decision == "reject"
    assert "revoked" in _reasons(v)


def test_unknown_signer_is_rejected(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    v = _intake(w, build(tmp_path, emergency_doc(), [signer()]))
    assert v.decision == "reject"
    assert "unknown signer" in _reasons(v)
    assert v.signers == ()
    assert [c.name for c in v.checks] == ["directory", "package"]
    assert not v.checks[-1].ok


def test_root_key_is_no_request_signer(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    v = _intake(w, build(tmp_path, emergency_doc(), [w.root]))
    assert v.decision == "reject"
    assert "unknown signer" in _reasons(v)


def test_key_of_another_authority_of_another_country(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    v = _intake(w, build(tmp_path, emergency_doc(), [w.de]))
    assert v.decision == "reject"
    assert "signed by Bundeskriminalamt (DE)" in _reasons(v)
    assert v.signers[0].authority_id == "de-bka"


def test_key_of_another_authority_of_the_same_country(tmp_path: Path) -> None:
    """A prosecutor's key signs a request whose officer is at the police's domain."""
    w = make_world(tmp_path)
    other = signer()
    parquet = fr_authority(key_entry(other.public_key), domains=("justice.example.fr",))
    parquet = parquet.model_copy(
        update={"id": "fr-parquet", "name": "Parquet", "kind": "prosecutor"}
    )
    publish(w.folder, add_authorities(parquet), [w.root], now=ISSUED + timedelta(1))
    v = _intake(w, build(tmp_path, emergency_doc(), [other]))
    assert v.decision == "reject"
    assert "domain of another authority" in _reasons(v)
    # and the police key with an officer at the prosecutor's domain
    doc = emergency_doc(officer_email="claire@justice.example.fr")
    v = _intake(w, build(tmp_path, doc, [w.fr], name="b.zip"))
    assert v.decision == "reject"
    assert "justice.example.fr is a domain of another authority" in _reasons(v)


def test_verdict_names_the_directorys_authority_not_the_requests(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    doc = emergency_doc(name="Totally Real Agency")
    v = _intake(w, build(tmp_path, doc, [w.fr]))
    assert v.accepted
    d = v.to_dict()
    assert d["authority"]["name"] == "Police Judiciaire"
    assert d["request"]["claimed_authority"]["name"] == "Totally Real Agency"


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "text"),
    [
        (CREATED + timedelta(seconds=1), None, "not yet valid"),
        (ISSUED, CREATED - timedelta(seconds=1), "had expired"),
    ],
)
def test_key_not_valid_at_creation_is_rejected(
    tmp_path: Path, valid_from: Any, valid_until: Any, text: str
) -> None:
    w = make_world(
        tmp_path, fr_key=lambda k: key_entry(k, valid_from=valid_from, valid_until=valid_until)
    )
    v = _intake(w, build(tmp_path, emergency_doc(), [w.fr]))
    assert v.decision == "reject"
    assert text in _reasons(v)


def test_key_valid_at_the_edges_of_its_period(tmp_path: Path) -> None:
    second = timedelta(seconds=1)
    w = make_world(
        tmp_path, fr_key=lambda k: key_entry(k, valid_from=CREATED, valid_until=CREATED + second)
    )
    assert _intake(w, build(tmp_path, emergency_doc(), [w.fr], now=CREATED)).accepted
    w = make_world(
        tmp_path / "b",
        fr_key=lambda k: key_entry(k, valid_from=CREATED - second, valid_until=CREATED),
    )
    assert _intake(w, build(tmp_path, emergency_doc(), [w.fr], name="b.zip", now=CREATED)).accepted


def test_an_expired_key_does_not_sign_a_backdated_request(tmp_path: Path) -> None:
    """The request says it was created while the key was valid, but the signed bag-info
    says the package was built after the key expired."""
    w = make_world(
        tmp_path,
        fr_key=lambda k: key_entry(k, valid_from=ISSUED, valid_until=CREATED + timedelta(hours=1)),
    )
    v = _intake(w, build(tmp_path, emergency_doc(), [w.fr], now=CREATED + timedelta(days=2)))
    assert v.decision == "reject"
    assert "had expired when the package says it was built" in _reasons(v)


def test_emergency_needs_the_emergency_role(tmp_path: Path) -> None:
    w = make_world(tmp_path, fr_key=lambda k: key_entry(k, roles=("requests",)))
    v = _intake(w, build(tmp_path, emergency_doc(), [w.fr]))
    assert v.decision == "reject"
    assert "may sign requests, not a request of kind emergency_disclosure" in _reasons(v)
    assert v.signers[0].roles == ("requests",)


def test_emergency_role_alone_does_not_sign_other_requests(tmp_path: Path) -> None:
    w = make_world(tmp_path, fr_key=lambda k: key_entry(k, roles=("emergency",)))
    doc = example_doc("preservation")
    doc["authority"]["country"] = "FR"
    doc["authority"]["officer"]["email"] = "someone@police.example.fr"
    doc["created_at"] = "2026-11-01T10:00:00Z"
    doc.pop("attachments", None)
    v = _intake(w, build(tmp_path, doc, [w.fr]))
    assert v.decision == "reject"
    assert "not a request of kind preservation" in _reasons(v)
    w2 = make_world(tmp_path / "b", fr_key=lambda k: key_entry(k, roles=("emergency_disclosure",)))
    assert _intake(w2, build(tmp_path, emergency_doc(), [w2.fr], name="e.zip")).accepted


def test_one_good_signature_among_bad_ones_is_enough(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    v = _intake(w, build(tmp_path, emergency_doc(), [w.de, w.fr, signer()]))
    assert v.accepted, v.reasons
    assert v.authority is not None
    assert v.authority.id == "fr-pj"
    assert {s.authority_id: s.ok for s in v.signers} == {"de-bka": False, "fr-pj": True}


def test_expired_directory_is_rejected(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    pkg = build(tmp_path, emergency_doc(), [w.fr])
    verified = _verified(w)
    expired = verified.directory.expires
    v = intake_package(pkg, verified, now=expired)
    assert v.decision == "reject"
    assert "directory expired" in _reasons(v)
    assert not v.checks[0].ok


def test_request_from_the_future_is_rejected(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    doc = emergency_doc()
    doc["created_at"] = "2026-11-21T11:00:00Z"
    v = _intake(w, build(tmp_path, doc, [w.fr]))
    assert v.decision == "reject"
    assert "in the future" in _reasons(v)


# -- the officer's address -----------------------------------------------------------------------


@pytest.mark.parametrize("webmail", ["gmail.com", "outlook.com", "yahoo.fr", "proton.me"])
def test_webmail_officer_is_not_accepted(tmp_path: Path, webmail: str) -> None:
    if webmail not in PUBLIC_WEBMAIL_DOMAINS:
        pytest.skip(f"{webmail} is not in the webmail list")
    w = make_world(tmp_path)
    v = _intake(w, build(tmp_path, emergency_doc(officer_email=f"claire.martin@{webmail}"), [w.fr]))
    assert v.decision == "reject"
    assert "public webmail" in _reasons(v)


def test_webmail_officer_is_not_accepted_even_if_listed(tmp_path: Path) -> None:
    w = make_world(tmp_path, fr_domains=("police.example.fr", "gmail.com"))
    v = _intake(w, build(tmp_path, emergency_doc(officer_email="claire@gmail.com"), [w.fr]))
    assert v.decision == "reject"


@pytest.mark.parametrize(
    ("domain", "text"),
    [
        ("po1ice.example.fr", "looks like police.example.fr (1 character"),
        ("pol1ce.examp1e.fr", "looks like police.example.fr (2 character"),
        ("police-example.fr", "looks like police.example.fr"),
        ("police.example.fr.evil.example", "not among the authority's official domains"),
        ("example.fr", "not among the authority's official domains"),
        ("xn--plice-jye.example.fr", "mixed scripts"),  # Cyrillic o
        ("xn--zz.example.fr", "not a valid internationalised domain name"),
        ("bka.example.de", "domain of another authority"),
        ("cyber.bka.example.de", "domain of another authority"),
        ("attacker.example.net", "not among the authority's official domains"),
    ],
)
def test_lookalike_and_confusable_domains_are_rejected(
    tmp_path: Path, domain: str, text: str
) -> None:
    assert text in (domain_problem(domain, ["police.example.fr"], ["bka.example.de"]) or "")


@pytest.mark.parametrize(
    "domain", ["police.example.fr", "cyber.police.example.fr", "a.b.police.example.fr"]
)
def test_official_domain_and_subdomains_are_accepted(domain: str) -> None:
    assert domain_problem(domain, ["police.example.fr"], ["bka.example.de"]) is None
    assert domain_problem(domain.upper(), ["police.example.fr"], []) is None


def test_lookalike_distance_is_two() -> None:
    assert LOOKALIKE_DISTANCE == 2
    own = ["police.example.fr"]
    three = domain_problem("p011ce.example.fr", own, []) or ""
    assert "looks like" not in three
    assert "not among" in three


def test_lookalike_officer_is_rejected_end_to_end(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    for i, email in enumerate(
        ["claire@po1ice.example.fr", "claire@xn--plice-jye.example.fr", "claire@example.fr"]
    ):
        v = _intake(w, build(tmp_path, emergency_doc(officer_email=email), [w.fr], name=f"{i}.zip"))
        assert v.decision == "reject", email
        assert "the officer's address" in _reasons(v)


def test_subdomain_officer_is_accepted_end_to_end(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    doc = emergency_doc(officer_email="claire@cyber.police.example.fr")
    assert _intake(w, build(tmp_path, doc, [w.fr])).accepted


# -- packages that do not verify -----------------------------------------------------------------


def test_tampered_package_is_rejected(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    pkg = build(tmp_path, emergency_doc(), [w.fr], name="pkg")  # directory form
    request = next(pkg.rglob("request.json"))
    doc = json.loads(request.read_bytes())
    doc["authority"]["officer"]["phone"] = "+33600000000"
    request.write_text(json.dumps(doc))
    v = _intake(w, pkg)
    assert v.decision == "reject"
    assert all(r.startswith("package: ") for r in v.reasons)
    assert v.package_sha256 is None


def test_missing_and_non_package_inputs_are_rejected(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    verified = _verified(w)
    fifo = tmp_path / "fifo.zip"
    os.mkfifo(fifo)
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 not a zip")
    unsigned = tmp_path / "unsigned"
    unsigned.mkdir()
    for path in (tmp_path / "missing.zip", fifo, junk, unsigned):
        v = intake_package(path, verified, now=NOW)
        assert v.decision == "reject", path
        assert v.reasons


# -- the JSON verdict ----------------------------------------------------------------------------


def test_json_verdict_fields(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    d = _intake(w, build(tmp_path, emergency_doc(), [w.fr])).to_dict()
    assert set(d) == {
        "decision",
        "reasons",
        "authority",
        "callback",
        "signers",
        "checks",
        "request",
        "package",
        "directory_version",
        "checked_at",
        "notices",
    }
    assert d["decision"] == "accept"
    assert d["authority"] == {
        "id": "fr-pj",
        "name": "Police Judiciaire",
        "country": "FR",
        "kind": "police",
        "domains": ["police.example.fr"],
        "callback": FR_CALLBACK,
    }
    assert d["callback"]["number"] == FR_CALLBACK
    assert d["callback"]["source"] == "directory"
    assert REQUEST_PHONE in d["callback"]["note"]
    assert d["signers"] == [
        {
            "keyid": w.fr.keyid,
            "authority": {"id": "fr-pj", "name": "Police Judiciaire", "country": "FR"},
            "roles": ["requests", "emergency"],
            "ok": True,
            "reasons": [],
        }
    ]
    assert [c["name"] for c in d["checks"]] == [
        "directory",
        "package",
        "request",
        "signer",
        "callback",
    ]
    assert d["request"]["kind"] == "emergency_disclosure"
    assert d["request"]["created_at"] == "2026-11-21T02:12:00Z"
    assert d["request"]["officer_phone"] == REQUEST_PHONE
    assert d["package"]["sha256"] is not None
    assert d["directory_version"] == 2
    assert d["checked_at"] == NOW_TEXT
    json.dumps(d)  # serialisable
    r = _intake(w, build(tmp_path, impersonation_doc(), [w.fr], name="i.zip")).to_dict()
    assert r["decision"] == "reject"
    assert r["authority"] is None
    assert r["callback"] is None
    assert r["signers"][0]["ok"] is False
    assert r["signers"][0]["reasons"] == r["reasons"]


# -- the command line ----------------------------------------------------------------------------


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert "internal error" not in err
    return code, out, err


def _cli_setup(tmp_path: Path) -> tuple[World, Path]:
    w = make_world(tmp_path)
    root_pub = tmp_path / "root.pub"
    write_public_key(w.root.public_key, root_pub)
    return w, root_pub


def test_cli_accept_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    w, root_pub = _cli_setup(tmp_path)
    pkg = str(build(tmp_path, emergency_doc(), [w.fr]))
    argv = ["intake", pkg, "--directory", str(w.folder), "--root", str(root_pub), "--now", NOW_TEXT]
    code, out, _ = _run(argv, capsys)
    assert code == 0
    assert "ACCEPT emergency_disclosure" in out
    assert "directory entry fr-pj" in out
    assert f"call back: {FR_CALLBACK} (from the directory)" in out
    assert f"do not use the number in the request ({REQUEST_PHONE})" in out
    code, out, _ = _run([*argv, "--json"], capsys)
    assert code == 0
    verdict = json.loads(out)
    assert verdict["decision"] == "accept"
    assert verdict["callback"]["number"] == FR_CALLBACK
    # the explicit action name works the same
    assert _run(["intake", "check", *argv[1:]], capsys)[0] == 0


def test_cli_reject_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    w, root_pub = _cli_setup(tmp_path)
    pkg = str(build(tmp_path, impersonation_doc(), [w.fr]))
    argv = ["intake", pkg, "--directory", str(w.folder), "--root", str(root_pub), "--now", NOW_TEXT]
    code, out, _ = _run(argv, capsys)
    assert code == 1
    assert "REJECT" in out
    assert "a signer of another authority" in out
    code, out, _ = _run([*argv, "--json"], capsys)
    assert code == 1
    verdict = json.loads(out)
    assert verdict["decision"] == "reject"
    assert any("another authority" in r for r in verdict["reasons"])


def test_cli_revocation_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    w, root_pub = _cli_setup(tmp_path)
    fr_pub = tmp_path / "fr.pub"
    write_public_key(w.fr.public_key, fr_pub)
    pkg = str(build(tmp_path, emergency_doc(), [w.fr]))
    argv = ["intake", pkg, "--directory", str(w.folder), "--root", str(root_pub), "--now", NOW_TEXT]
    assert _run(argv, capsys)[0] == 0
    revoke = ["directory", "revoke", str(w.folder), "--key", str(fr_pub), "--reason", "stolen"]
    assert _run([*revoke, "--now", "2026-11-21T09:00:00Z"], capsys)[0] == 0
    # not yet signed: the published directory still holds the key
    assert _run(argv, capsys)[0] == 0
    sign_directory(w.folder, w.root)
    code, out, _ = _run(argv, capsys)
    assert code == 1
    assert "was revoked at 2026-11-21T09:00:00Z (stolen)" in out


def test_cli_expired_directory_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    w, root_pub = _cli_setup(tmp_path)
    pkg = str(build(tmp_path, emergency_doc(), [w.fr]))
    argv = ["intake", pkg, "--directory", str(w.folder), "--root", str(root_pub)]
    code, out, _ = _run([*argv, "--now", "2027-02-01", "--json"], capsys)
    assert code == 1
    verdict = json.loads(out)
    assert verdict["decision"] == "reject"
    assert "directory: version 2 expired at" in verdict["reasons"][0]
    code, out, _ = _run([*argv, "--now", "2027-02-01"], capsys)
    assert code == 1
    assert "REJECT" in out
    assert "expired" in out


def test_cli_altered_directory_is_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w, root_pub = _cli_setup(tmp_path)
    pkg = str(build(tmp_path, emergency_doc(), [w.fr]))
    argv = ["intake", pkg, "--directory", str(w.folder), "--root", str(root_pub), "--now", NOW_TEXT]

    def attacker_number(d: dict[str, Any]) -> None:
        d["authorities"][0]["callback"] = "+33600000000"

    rewrite_payload(w.folder / "2.directory.json", attacker_number)
    shutil.copy(w.folder / "2.directory.json", w.folder / "directory.json")
    code, out, _ = _run([*argv, "--json"], capsys)
    assert code == 1
    verdict = json.loads(out)
    assert verdict["decision"] == "reject"
    assert "+33600000000" not in out
    # a wrong root key: the folder is not the directory the recipient trusts
    other = tmp_path / "other.pub"
    write_public_key(signer().public_key, other)
    argv[argv.index(str(root_pub))] = str(other)
    code, out, _ = _run(argv, capsys)
    assert code == 1
    assert "directory: no version lists the given root key" in out


def test_cli_json_verdict_for_a_malformed_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w, root_pub = _cli_setup(tmp_path)
    pkg = str(build(tmp_path, emergency_doc(), [w.fr]))
    (w.folder / "2.directory.json").write_bytes(b"{")
    argv = ["intake", pkg, "--directory", str(w.folder), "--root", str(root_pub), "--now", NOW_TEXT]
    code, out, _ = _run([*argv, "--json"], capsys)
    assert code == 1
    assert json.loads(out)["decision"] == "reject"


def test_cli_bad_inputs_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    w, root_pub = _cli_setup(tmp_path)
    pkg = str(build(tmp_path, emergency_doc(), [w.fr]))
    d, r = str(w.folder), str(root_pub)
    missing = str(tmp_path / "missing")
    bad_dir = tmp_path / "bad"
    shutil.copytree(w.folder, bad_dir)
    (bad_dir / "2.directory.json").write_bytes(b"{not json")
    fifo_dir = tmp_path / "fifo"
    shutil.copytree(w.folder, fifo_dir)
    os.mkfifo(fifo_dir / "3.directory.json")
    huge_dir = tmp_path / "huge"
    shutil.copytree(w.folder, huge_dir)
    with (huge_dir / "3.directory.json").open("wb") as fh:
        fh.truncate(10 * 1024 * 1024)
    now = ["--now", NOW_TEXT]
    cases: list[tuple[list[str], int, str]] = [
        (["intake", pkg, "--directory", missing, "--root", r, *now], 1, "cannot read"),
        (["intake", pkg, "--directory", d, "--root", missing, *now], 1, "cannot read"),
        (["intake", pkg, "--directory", str(bad_dir), "--root", r, *now], 1, "2.directory.json"),
        (["intake", pkg, "--directory", str(fifo_dir), "--root", r, *now], 1, "not a regular"),
        (["intake", pkg, "--directory", str(huge_dir), "--root", r, *now], 1, "larger than"),
        (["intake", pkg, "--directory", d, "--root", r, "--now", "soon"], 2, "--now"),
        (["intake", pkg, "--root", r, *now], 2, "--directory"),
        (["intake", pkg, "--directory", d, *now], 2, "--root"),
    ]
    for argv, expected, text in cases:
        code, _, err = _run(argv, capsys)
        assert code == expected, (argv, code, err)
        assert err.startswith("eevidence: "), err
        assert text in err.splitlines()[0], err
    # a missing or non-package file is a verdict, not an error
    code, out, _ = _run(["intake", missing, "--directory", d, "--root", r, *now], capsys)
    assert code == 1
    assert "REJECT" in out


def test_rolled_back_directory_does_not_undo_a_revocation(tmp_path: Path) -> None:
    """A mirror drops the version that revokes a key: with the version verified last kept,
    the older copy is refused and the revoked key's package never gets through."""
    w = make_world(tmp_path)
    pkg = build(tmp_path, emergency_doc(), [w.fr])
    revoked = key_entry(
        w.fr.public_key, revoked=Revocation(at=NOW - timedelta(hours=1), reason="key stolen")
    )
    publish(w.folder, replace_authority(fr_authority(revoked)), [w.root], now=NOW - timedelta(1))
    seen = verify_directory(w.folder, [w.root.public_key], now=NOW)
    assert intake_package(pkg, seen, now=NOW).decision == "reject"
    (w.folder / "3.directory.json").unlink()
    (w.folder / "directory.json").unlink()
    with pytest.raises(DirectoryVerificationError, match="rolled-back"):
        verify_directory(w.folder, [w.root.public_key], now=NOW, trusted=seen.state)


# -- the answer ----------------------------------------------------------------------------------


def test_reply_acknowledges_an_accepted_request_and_names_the_directory_number(
    tmp_path: Path,
) -> None:
    from eevidence.intake import build_reply

    w = make_world(tmp_path)
    verdict = _intake(w, build(tmp_path, emergency_doc(), [w.fr])).to_dict()
    reply = build_reply(verdict, recipient="Provider LE Response", reference="LER-1", now=NOW)
    assert reply.kind == "acknowledgement"
    assert reply.callback == FR_CALLBACK
    text = reply.to_text()
    assert "Our reference: LER-1" in text
    assert "send it again" not in text
    # a genuine request that cannot be executed: a rejection on those grounds, not a
    # suggestion that it was forged
    refused = build_reply(
        verdict, recipient="P", reference="LER-2", now=NOW, grounds=("incomplete",)
    )
    assert refused.kind == "rejection"
    assert "send it again signed" not in refused.to_text()
    assert "not verified" not in refused.to_text()


def test_reply_refuses_a_verdict_edited_to_accept(tmp_path: Path) -> None:
    from eevidence.errors import InputError
    from eevidence.intake import build_reply

    w = make_world(tmp_path)
    verdict = _intake(w, build(tmp_path, emergency_doc(), [w.de])).to_dict()
    assert verdict["decision"] == "reject"
    rejection = build_reply(verdict, recipient="P", reference="R", now=NOW)
    assert "as the request names it; not verified" in rejection.to_text()
    assert "send it again signed" in rejection.to_text()
    verdict["decision"] = "accept"
    with pytest.raises(InputError, match="says accept but"):
        build_reply(verdict, recipient="P", reference="R", now=NOW)


def test_a_differently_named_authority_is_noted(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    v = _intake(w, build(tmp_path, emergency_doc(name="Parquet national antiterroriste"), [w.fr]))
    assert v.accepted
    assert any("Parquet national antiterroriste" in n for n in v.notices)
