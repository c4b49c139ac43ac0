"""What the command line shows and what it lets into the workflow.

Text from a package, a request, a provider profile or a provider's answer reaches the
terminal with its control and bidi characters escaped (``--json`` keeps it exact); ``track
add`` and ``submit`` refuse a package no trusted key signed unless ``--allow-unsigned`` is
given (and the custody log says so); a trust store inside the package it judges is refused.
Every refusal is one line on standard error, without a traceback.
"""

from __future__ import annotations

import hashlib
import json
import logging
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

import eevidence as ee
from eevidence._cli import _PrintableFormatter, main
from eevidence._internal.text import UNSAFE, json_safe, printable
from eevidence.crypto import (
    Envelope,
    EnvelopeSignature,
    KeySigner,
    generate_private_key,
    pae,
    write_public_key,
)
from eevidence.package import PAYLOAD_TYPE, SIGNATURE_FILE
from eevidence.tracking import SqliteStore
from tests.helpers import EXAMPLES

NOW = "2026-11-24T12:00:00Z"
REQUEST_ID = json.loads((EXAMPLES / "emergency-disclosure.json").read_text())["id"]
ESC, RLO = "\x1b", "\u202e"
HOSTILE = (
    f"{REQUEST_ID} emergency_disclosure to meta{ESC}[1E  files: 5 of 5 ok"
    f"{ESC}[1EVERIFIED: complete, unaltered and signed by trusted keys{ESC}[30;40m"
    f" {RLO}fdp.tnemhcatta{ESC}]0;title\x07 \x9b2J\u2028\u2066x\u2069"
)
"""An External-Identifier that repaints the screen, reverses text and splits lines."""


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_safe(*texts: str) -> None:
    """No control (but line feeds between lines), DEL, line separator or bidi character."""
    for text in texts:
        found = {c for c in UNSAFE.findall(text) if c != "\n"}
        assert not found, (
            f"unsafe characters reached the terminal: {sorted(map(hex, map(ord, found)))}"
        )


def assert_one_line(err: str) -> None:
    assert "Traceback" not in err
    assert err.endswith("\n")
    assert err.count("\n") == 1, err
    assert err.startswith("eevidence: ")


@pytest.fixture(autouse=True)
def no_default_trust(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EEVIDENCE_TRUST", raising=False)
    monkeypatch.delenv("EEVIDENCE_PROVIDERS", raising=False)


@pytest.fixture
def officer(tmp_path: Path) -> KeySigner:
    """The trusted signer; its public key is in ``tmp_path/trust``."""
    key = generate_private_key("ed25519")
    (tmp_path / "trust").mkdir()
    write_public_key(key, tmp_path / "trust" / "officer.pem")
    return KeySigner(key)


def genuine(out: Path, signer: KeySigner, example: str = "emergency-disclosure") -> Path:
    request = ee.read_request(EXAMPLES / f"{example}.json")
    now = datetime(2026, 11, 24, 12, tzinfo=UTC)
    return ee.build_package(request, out, signers=[signer], now=now)


def _files(package: Path) -> tuple[dict[str, bytes], str]:
    """The package's files by path in the bag, and the zip's folder prefix ("" for a dir)."""
    if package.is_dir():
        return {
            p.relative_to(package).as_posix(): p.read_bytes()
            for p in sorted(package.rglob("*"))
            if p.is_file()
        }, ""
    with zipfile.ZipFile(package) as z:
        names = [n for n in z.namelist() if not n.endswith("/")]
        prefix = names[0].split("/")[0] + "/"
        return {n.removeprefix(prefix): z.read(n) for n in names}, prefix


def forge(
    src: Path,
    dst: Path,
    *,
    identifier: str | None = HOSTILE,
    signer: KeySigner | None = None,
) -> Path:
    """A copy of ``src`` (same form) whose External-Identifier is ``identifier``, with the
    tag manifest updated to match: unsigned, or signed anew by ``signer`` alone."""
    files, prefix = _files(src)
    if identifier is not None:
        lines = files["bag-info.txt"].decode().split("\n")
        lines = [
            f"External-Identifier: {identifier}"
            if line.startswith("External-Identifier:")
            else line
            for line in lines
        ]
        files["bag-info.txt"] = "\n".join(lines).encode()
        digest = hashlib.sha256(files["bag-info.txt"]).hexdigest()
        tags = files["tagmanifest-sha256.txt"].decode().splitlines()
        tags = [f"{digest}  bag-info.txt" if t.endswith("  bag-info.txt") else t for t in tags]
        files["tagmanifest-sha256.txt"] = ("\n".join(tags) + "\n").encode()
    files.pop(SIGNATURE_FILE)
    if signer is not None:
        manifest = files["tagmanifest-sha256.txt"]
        sig = EnvelopeSignature(signer.keyid, signer.sign(pae(PAYLOAD_TYPE, manifest)))
        files[SIGNATURE_FILE] = Envelope(PAYLOAD_TYPE, manifest, (sig,)).to_bytes()
    if prefix:
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as z:
            for name, data in sorted(files.items()):
                z.writestr(prefix + name, data)
    else:
        for name, data in files.items():
            (dst / name).parent.mkdir(parents=True, exist_ok=True)
            (dst / name).write_bytes(data)
    return dst


def strings(value: object) -> list[str]:
    """Every string in a JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in (*strings(k), *strings(v))]
    if isinstance(value, list):
        return [t for v in value for t in strings(v)]
    return []


def custody_notes(store: Path) -> list[str]:
    s = SqliteStore(store)
    try:
        return [json.loads(line).get("note") or "" for line in s.custody_lines()]
    finally:
        s.close()


# -- the function ------------------------------------------------------------------------------


def test_printable_escapes_controls_and_bidi_and_keeps_the_rest() -> None:
    assert printable("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert printable("\u202egnp.exe") == "\\u202egnp.exe"
    assert printable("tab\there\nline\rcr\x7f\x9b\x85") == (
        "tab\\x09here\\x0aline\\x0dcr\\x7f\\x9b\\x85"
    )
    for c in "\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069":
        assert printable(c) == f"\\u{ord(c):04x}"
    assert printable("\udcff") == "\\udcff"  # an undecodable byte kept by surrogateescape
    plain = "Préservation — طلب حفظ, PJ-2026 ✓ 🔒"
    assert printable(plain) == plain
    # a backslash is doubled: the text \u202e typed as such is not the character
    assert printable("C:\\dossiers") == "C:\\\\dossiers"
    assert printable("user\\u202e_evil") != printable("user\u202e_evil")
    assert printable("user\\u202e_evil") == "user\\\\u202e_evil"
    # invisible characters that would make an identifier look like another one
    for c in "\u00ad\u200b\u2060\ufeff\u3164\U000e0041":
        assert printable(f"nightfall{c}_2026") != "nightfall_2026"
        assert "\\" in printable(c)
    joined = "پیش\u200cنویس 👩\u200d💻"  # ZWNJ in Persian, ZWJ in an emoji: kept
    assert printable(joined) == joined


def test_json_safe_keeps_the_exact_value() -> None:
    value = {"text": HOSTILE + "\udcff\x7f", "n": [1, "ok"]}
    dumped = json_safe(json.dumps(value, indent=2, ensure_ascii=False))
    assert json.loads(dumped) == value
    assert_safe(dumped)


def test_log_messages_are_printable() -> None:
    formatter = _PrintableFormatter("%(levelname)s %(name)s: %(message)s")
    record = logging.LogRecord("eevidence.x", logging.INFO, __file__, 1, "got %s", (HOSTILE,), None)
    line = formatter.format(record)
    assert_safe(line)
    assert "\n" not in line
    assert "\\x1b[1EVERIFIED" in line


# -- item 4: everything printed is safe --------------------------------------------------------


def test_hostile_bag_info_of_an_unsigned_package(
    tmp_path: Path, officer: KeySigner, capsys: pytest.CaptureFixture[str]
) -> None:
    forged = forge(genuine(tmp_path / "genuine.zip", officer), tmp_path / "ansi.zip")
    trust = str(tmp_path / "trust")
    code, out, err = cli(capsys, "package", "verify", str(forged), "--trust", trust)
    assert code == 1
    assert "NOT VERIFIED" in out
    assert "unsigned" in out
    assert_safe(out, err)
    assert "\nVERIFIED" not in out
    code, out, err = cli(capsys, "package", "verify", str(forged), "--trust", trust, "--json")
    assert code == 1
    assert_safe(out)
    report = json.loads(out)
    assert report["ok"] is False
    assert report["info"].get("External-Identifier", HOSTILE) == HOSTILE
    # what the package says about itself: escaped on the terminal, exact in JSON
    code, out, err = cli(capsys, "package", "inspect", str(forged))
    assert code == 0
    assert_safe(out, err)
    assert "\\x1b[1EVERIFIED" in out
    assert "\\u202efdp.tnemhcatta" in out
    code, out, _ = cli(capsys, "package", "inspect", str(forged), "--json")
    assert_safe(out)
    assert json.loads(out)["info"]["External-Identifier"] == HOSTILE


def test_hostile_bag_info_signed_by_a_trusted_key(
    tmp_path: Path, officer: KeySigner, capsys: pytest.CaptureFixture[str]
) -> None:
    """Signed text is not safe text: the signer may be careless or hostile."""
    source = genuine(tmp_path / "genuine", officer)
    forged = forge(source, tmp_path / "signed-ansi", signer=officer)
    trust = str(tmp_path / "trust")
    code, out, err = cli(capsys, "package", "verify", str(forged), "--trust", trust)
    assert code == 0, out + err
    assert_safe(out, err)
    (line,) = [x for x in out.splitlines() if x.startswith("  request ")]
    assert "\\x1b[1EVERIFIED" in line  # on the request's line, visibly, not a line of its own
    assert out.splitlines()[-1] == "VERIFIED: complete, unaltered and signed by trusted keys"
    code, out, _ = cli(capsys, "package", "verify", str(forged), "--trust", trust, "--json")
    assert code == 0
    assert_safe(out)
    assert json.loads(out)["info"]["External-Identifier"] == HOSTILE


def test_error_messages_are_one_printable_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = str(tmp_path / f"request{ESC}[2J{RLO}nosj.json")
    code, out, err = cli(capsys, "track", "add", name, "--store", str(tmp_path / "t.sqlite3"))
    assert code == 1
    assert_one_line(err)
    assert_safe(out, err)
    assert "\\x1b[2J\\u202enosj.json" in err
    # an invalid request whose values carry escapes: the problems, escaped, one per line
    doc = json.loads((EXAMPLES / "preservation.json").read_text())
    doc["provider"] = f"meta{ESC}[2J\nVERIFIED"
    doc["language"] = f"{RLO}en"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    code, out, err = cli(capsys, "track", "add", str(bad), "--store", str(tmp_path / "t.sqlite3"))
    assert code == 1
    assert_safe(out, err)
    assert "Traceback" not in err
    assert all(line.startswith(("eevidence: ", "  ")) for line in err.splitlines())
    code, out, err = cli(capsys, "check", str(bad))
    assert code == 1
    assert_safe(out, err)
    code, out, err = cli(capsys, "validate", str(bad))
    assert code == 1
    assert_safe(out, err)


def test_profile_text_is_printable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.submit_helpers import write_profile

    providers = tmp_path / "providers"
    profile = write_profile(providers, [{"kind": "portal", "name": f"Portal{ESC}[2J{RLO}x"}])
    doc = json.loads(profile.read_text())
    doc["name"] = f"Meta{ESC}]0;owned\x07{RLO}Platforms"
    profile.write_text(json.dumps(doc))
    d = ("--providers-dir", str(providers))
    for args in (
        ("providers", "show", "meta", *d),
        ("providers", "list", *d),
        ("route", "--from", "FR", "--provider", "meta", "--data", "content", *d),
        ("check", str(EXAMPLES / "preservation.json"), "--now", NOW, *d),
    ):
        code, out, err = cli(capsys, *args)
        assert code in (0, 1), err
        assert_safe(out, err)
    code, out, _ = cli(capsys, "providers", "show", "meta", "--json", *d)
    assert code == 0
    assert_safe(out)
    assert json.loads(out)["name"] == doc["name"]


def test_store_text_and_provider_answers_are_printable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = ("--store", str(tmp_path / "t.sqlite3"), "--now", NOW)
    note, ref = f"called{ESC}[2J\u2028{RLO}", f"LE{ESC}[31m-1"
    request = json.loads((EXAMPLES / "voluntary-disclosure.json").read_text())["id"]
    assert cli(capsys, "track", "add", str(EXAMPLES / "voluntary-disclosure.json"), *s)[0] == 0
    code, out, err = cli(capsys, "track", "event", request, "submitted", "--note", note, *s)
    assert code == 0, err
    code, out, err = cli(
        capsys, "track", "event", request, "acknowledged", "--ref", ref, "--note", note, *s
    )
    assert code == 0, err
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps({"status": f"completed{RLO}", "partial": True}))
    code, out, err = cli(capsys, "poll", request, "--answer", str(answer), *s)
    assert code == 0, err
    assert "\\u202e" in out
    assert_safe(out, err)
    for args in (
        ("status", request),
        ("status", "--all"),
        ("deadlines", "--within", "400d"),
        ("report",),
        ("custody", "log"),
        ("custody", "verify"),
    ):
        code, out, err = cli(capsys, *args, *s)
        assert code == 0, err
        assert_safe(out, err)
    code, out, _ = cli(capsys, "custody", "log", "--json", *s)
    assert_safe(out)
    assert any(ref in (e.get("note") or "") for e in json.loads(out))
    code, out, _ = cli(capsys, "status", request, "--json", *s)
    assert_safe(out)
    events = json.loads(out)["events"]
    assert events[0]["note"] == note
    assert events[1]["ref"] == ref


def test_an_imported_message_is_printable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads((EXAMPLES / "preservation.json").read_text())
    doc["case"]["reference"] = f"PJ{ESC}[2J{RLO}-1"
    request = tmp_path / "r.json"
    request.write_text(json.dumps(doc))
    message = tmp_path / "m.xml"
    code, _, err = cli(capsys, "export", "etsi", str(request), "-o", str(message))
    if code != 0:  # the request model refuses control characters: nothing to show
        assert_safe(err)
        return
    for args in ((), ("--summary",), ("--draft",)):
        code, out, err = cli(capsys, "import", "etsi", str(message), *args)
        assert code == 0, err
        assert_safe(out, err)
        found = strings(json.loads(out))
        assert args or f"PJ{ESC}[2J{RLO}-1" in found  # the request, exact


# -- item 7: the workflow refuses unsigned input by default ------------------------------------


def test_track_add_refuses_an_unsigned_package_unless_allowed(
    tmp_path: Path, officer: KeySigner, capsys: pytest.CaptureFixture[str]
) -> None:
    source = genuine(tmp_path / "genuine.zip", officer)
    unsigned = forge(source, tmp_path / "unsigned.zip", identifier=None)
    store = tmp_path / "t.sqlite3"
    s = ("--store", str(store), "--now", NOW)
    trust = ("--trust", str(tmp_path / "trust"))
    code, out, err = cli(capsys, "track", "add", str(unsigned), *s)
    assert code == 1
    assert_one_line(err)
    assert "no trust store" in err
    code, out, err = cli(capsys, "track", "add", str(unsigned), *trust, *s)
    assert code == 1
    assert_one_line(err)
    assert "unsigned" in err
    assert not store.exists() or custody_notes(store) == []  # nothing recorded
    code, out, err = cli(capsys, "track", "add", str(unsigned), *trust, "--allow-unsigned", *s)
    assert code == 0, err
    assert "--allow-unsigned: the package is unsigned" in out
    (note,) = custody_notes(store)
    assert "accepted with --allow-unsigned: the package is unsigned" in note


def test_track_add_refuses_a_package_no_trusted_key_signed(
    tmp_path: Path, officer: KeySigner, capsys: pytest.CaptureFixture[str]
) -> None:
    stranger = KeySigner(generate_private_key("ed25519"))
    package = genuine(tmp_path / "stranger.zip", stranger)
    store = tmp_path / "t.sqlite3"
    s = ("--store", str(store), "--now", NOW)
    trust = ("--trust", str(tmp_path / "trust"))
    code, _, err = cli(capsys, "track", "add", str(package), *trust, *s)
    assert code == 1
    assert_one_line(err)
    assert "unknown_key" in err
    assert "--allow-unsigned" in err  # says how to accept it knowingly
    code, _, err = cli(capsys, "track", "add", str(package), *trust, "--allow-unsigned", *s)
    assert code == 0, err
    (note,) = custody_notes(store)
    assert "--allow-unsigned: no trusted key signed the package" in note
    # an altered package is refused even so
    data = bytearray(package.read_bytes())
    at = data.find(b'"kind":"emergency_disclosure"')
    assert at > 0
    data[at + 1] ^= 1
    altered = tmp_path / "altered.zip"
    altered.write_bytes(bytes(data))
    code, _, err = cli(capsys, "track", "add", str(altered), "--allow-unsigned", *s)
    assert code == 1
    assert_one_line(err)
    assert "even on its fixity alone" in err


def test_track_add_takes_a_trusted_package_and_request_files_as_before(
    tmp_path: Path,
    officer: KeySigner,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    package = genuine(tmp_path / "genuine.zip", officer)
    store = tmp_path / "t.sqlite3"
    s = ("--store", str(store), "--now", NOW)
    monkeypatch.setenv("EEVIDENCE_TRUST", str(tmp_path / "trust"))  # the documented default
    code, out, err = cli(capsys, "track", "add", str(package), *s)
    assert code == 0, err
    assert f"tracking {REQUEST_ID}" in out
    assert "allow-unsigned" not in out + "".join(custody_notes(store))
    # a request file is not a package: no signature to check, with or without a trust store
    code, out, err = cli(capsys, "track", "add", str(EXAMPLES / "preservation.json"), *s)
    assert code == 0, err
    monkeypatch.delenv("EEVIDENCE_TRUST")
    code, out, err = cli(capsys, "track", "add", str(EXAMPLES / "voluntary-disclosure.json"), *s)
    assert code == 0, err
    code, _, err = cli(
        capsys, "track", "add", str(EXAMPLES / "eu-production-order.json"), "--allow-unsigned", *s
    )
    assert code == 2
    assert "packages only" in err


def test_a_trust_store_inside_the_package_is_refused(
    tmp_path: Path, officer: KeySigner, capsys: pytest.CaptureFixture[str]
) -> None:
    """A package cannot vouch for itself: its own folder, a folder in it, a key file in it,
    or a trusted key that is a link into it."""
    attacker = generate_private_key("ed25519")
    package = genuine(tmp_path / "pkg", KeySigner(attacker))
    write_public_key(attacker, package / "attacker.pem")
    (package / "keys").mkdir()
    write_public_key(attacker, package / "keys" / "attacker.pem")
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "attacker.pem").symlink_to(package / "keys" / "attacker.pem")
    store = ("--store", str(tmp_path / "t.sqlite3"), "--now", NOW)
    key = tmp_path / "validator.pem"
    assert cli(capsys, "keys", "generate", "-o", str(key))[0] == 0
    for trust in (package, package / "keys", package / "keys" / "attacker.pem", linked):
        for args in (
            ("package", "verify", str(package)),
            ("package", "sign", str(package), "--key", str(key), "--no-record"),
            ("track", "add", str(package), *store),
            ("track", "add", str(package), "--allow-unsigned", *store),
            ("submit", str(package), *store),
        ):
            code, out, err = cli(capsys, *args, "--trust", str(trust))
            assert code == 1, (args, trust, out, err)
            assert_one_line(err)
            assert "inside the package" in err
    # beside the package is where trusted keys belong
    code, out, err = cli(
        capsys, "package", "verify", str(package), "--trust", str(tmp_path / "trust")
    )
    assert code == 1  # signed by the attacker, not a trusted key
    assert "inside the package" not in err


def test_verify_and_sign_need_a_trust_store(
    tmp_path: Path, officer: KeySigner, capsys: pytest.CaptureFixture[str]
) -> None:
    package = genuine(tmp_path / "genuine.zip", officer)
    code, _, err = cli(capsys, "package", "verify", str(package))
    assert code == 2
    assert "--trust DIR is required (or set $EEVIDENCE_TRUST)" in err
    key = tmp_path / "validator.pem"
    assert cli(capsys, "keys", "generate", "-o", str(key))[0] == 0
    code, _, err = cli(capsys, "package", "sign", str(package), "--key", str(key), "--no-record")
    assert code == 2
    # a package that does not verify is not co-signed
    unsigned = forge(package, tmp_path / "unsigned.zip", identifier=None)
    trust = ("--trust", str(tmp_path / "trust"))
    code, _, err = cli(
        capsys, "package", "sign", str(unsigned), "--key", str(key), "--no-record", *trust
    )
    assert code == 1
    assert_one_line(err)
    code, out, err = cli(
        capsys, "package", "sign", str(package), "--key", str(key), "--no-record", *trust
    )
    assert code == 0, err
    assert "2 signature(s)" in out


def test_submit_refuses_an_unsigned_package_unless_allowed(
    tmp_path: Path, officer: KeySigner, capsys: pytest.CaptureFixture[str]
) -> None:
    source = genuine(tmp_path / "genuine.zip", officer, "preservation-extension")
    unsigned = forge(source, tmp_path / "unsigned.zip", identifier=None)
    store = tmp_path / "t.sqlite3"
    s = ("--store", str(store), "--now", NOW)
    trust = ("--trust", str(tmp_path / "trust"))
    upload = ("--channel", "portal", "--out", str(tmp_path / "upload"))
    code, _, err = cli(capsys, "submit", str(unsigned), *upload, *s)
    assert code == 1
    assert_one_line(err)
    assert "no trust store" in err
    code, _, err = cli(capsys, "submit", str(unsigned), *upload, *trust, *s)
    assert code == 1
    assert_one_line(err)
    assert "unsigned" in err
    assert not (tmp_path / "upload").exists()
    code, out, err = cli(capsys, "submit", str(unsigned), *upload, "--allow-unsigned", *s)
    assert code == 0, err
    assert "--confirm REFERENCE --allow-unsigned" in out
    code, out, err = cli(
        capsys, "submit", str(unsigned), "--confirm", "MR-1", "--allow-unsigned", *trust, *s
    )
    assert code == 0, err
    assert "--allow-unsigned: the package is unsigned" in out
    notes = custody_notes(store)
    # tracking started with the upload bundle (no trust store then), submitted on confirmation
    assert "accepted with --allow-unsigned: its signatures were not checked" in notes[0]
    assert "submitted" in notes[1]
    assert "accepted with --allow-unsigned: the package is unsigned" in notes[1]
    # a trusted package needs no flag, and its entries say nothing of the kind
    trusted = genuine(tmp_path / "trusted.zip", officer, "voluntary-disclosure")
    code, out, err = cli(capsys, "submit", str(trusted), "--confirm", "MR-2", *trust, *s)
    assert code == 0, err
    assert all("allow-unsigned" not in n for n in custody_notes(store)[2:])


def test_the_readme_teaches_the_safe_habit() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "EEVIDENCE_TRUST" in readme
    assert "--allow-unsigned" in readme
    assert "inside the package" in readme


def test_stdout_of_the_demo_is_printable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, "demo", "--out", str(tmp_path))
    assert code == 0, err
    assert_safe(out, err)
    assert "verified against" in out  # the submission step checks the demo's trust store
    assert f"--trust {tmp_path / 'trust'} " in out
