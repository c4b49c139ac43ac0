"""The command line for keys and packages: exit codes, output, passphrases, progress."""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path

import bagit
import pytest

import eevidence as ee
from eevidence._cli import EXIT_INTERRUPTED, main
from eevidence._cli._options import ProgressBar
from eevidence._cli._package import placeholder_pdf
from eevidence.crypto import KeySigner, key_id, load_public_key, load_trust_store
from tests.helpers import EXAMPLES
from tests.package_vectors import ATTACHMENT, VECTORS

REQUEST = str(EXAMPLES / "preservation.json")


@pytest.fixture
def setup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Path]:
    trust = tmp_path / "trust"
    trust.mkdir()
    officer = tmp_path / "officer.pem"
    assert main(["keys", "generate", "-o", str(officer), "--public", str(trust / "o.pem")]) == 0
    att = tmp_path / ATTACHMENT
    att.write_bytes(placeholder_pdf("scan"))
    capsys.readouterr()
    return {"trust": trust, "officer": officer, "att": att, "dir": tmp_path}


def test_build_verify_inspect(setup: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    out = setup["dir"] / "pkg.zip"
    argv = ["package", "build", REQUEST, "--key", str(setup["officer"])]
    argv += ["--attach", str(setup["att"]), "-o", str(out), "--now", "2026-11-20T10:00:00Z"]
    assert main(argv) == 0
    assert "built, signed by 1 key(s)" in capsys.readouterr().out
    assert main(["package", "verify", str(out), "--trust", str(setup["trust"])]) == 0
    text = capsys.readouterr().out
    assert "VERIFIED" in text
    assert "signature 0: valid" in text
    assert "files: 7 of 7 ok" in text  # with the letter, data/documents/letter.en.pdf
    assert main(["package", "verify", str(out), "--trust", str(setup["trust"]), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    assert report["policy"]["met"] is True
    assert (
        main(["package", "verify", str(out), "--trust", str(setup["trust"]), "--threshold", "2"])
        == 1
    )
    text = capsys.readouterr().out
    assert "NOT VERIFIED" in text
    assert "threshold_not_met" in text
    assert main(["package", "inspect", str(out)]) == 0
    text = capsys.readouterr().out
    assert "not verified" in text
    assert "data/request.json" in text
    assert "key id" in text
    assert main(["package", "inspect", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["verified"] is False


def test_cosign_with_passphrase_from_environment(
    setup: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VALIDATOR_PASS", "s3cret-pass")
    validator = setup["dir"] / "validator.pem"
    argv = ["keys", "generate", "--type", "p256", "-o", str(validator), "--passphrase-env"]
    assert main([*argv, "VALIDATOR_PASS"]) == 0
    assert stat.S_IMODE(validator.stat().st_mode) == 0o600
    assert b"ENCRYPTED" in validator.read_bytes()
    pub = setup["trust"] / "v.pem"
    assert (
        main(
            ["keys", "public", str(validator), "-o", str(pub), "--passphrase-env", "VALIDATOR_PASS"]
        )
        == 0
    )
    out = setup["dir"] / "pkg"
    build = ["package", "build", REQUEST, "--key", str(setup["officer"]), "--attach"]
    assert main([*build, str(setup["att"]), "-o", str(out), "--quiet"]) == 0
    assert bagit.Bag(str(out)).validate()
    sign = ["package", "sign", str(out), "--key", str(validator), "--trust", str(setup["trust"])]
    assert main(sign) == 1  # no passphrase
    assert "encrypted" in capsys.readouterr().err
    monkeypatch.setenv("EEVIDENCE_PASSPHRASE", "s3cret-pass")
    assert main(sign) == 0
    assert "2 signature(s)" in capsys.readouterr().out
    argv = ["package", "verify", str(out), "--trust", str(setup["trust"]), "--threshold", "2"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "s3cret" not in captured.out + captured.err


def test_passphrase_prompt(
    setup: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter(["pw-one", "pw-one", "a", "b", "pw-one"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    key = setup["dir"] / "p.pem"
    assert main(["keys", "generate", "-o", str(key), "--passphrase-prompt"]) == 0
    assert main(["keys", "generate", "-o", str(setup["dir"] / "q.pem"), "--passphrase-prompt"]) == 2
    assert "do not match" in capsys.readouterr().err
    pub = setup["dir"] / "p.pub"
    assert main(["keys", "export-public", str(key), "-o", str(pub), "--passphrase-prompt"]) == 0
    assert key_id(load_public_key(pub)) == KeySigner.from_file(key, passphrase=b"pw-one").keyid


def test_usage_errors(setup: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    pkg = str(VECTORS / "golden.zip")
    assert main(["package", "verify", pkg, "--trust", str(setup["trust"]), "--threshold", "0"]) == 2
    argv = ["package", "build", REQUEST, "--key", str(setup["officer"]), "-o", "x.zip"]
    assert main([*argv, "--now", "yesterday"]) == 2
    assert main([*argv, "--now", "2026-11-20T10:00:00"]) == 2
    assert main([*argv, "--passphrase-env", "EEVIDENCE_TEST_UNSET_VAR"]) == 2
    assert main(["package", "verify", pkg, "--trust", str(setup["dir"] / "none")]) == 1
    assert "trust store" in capsys.readouterr().err


def test_verify_failures_exit_1(setup: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    bomb = str(VECTORS / "negative" / "zip_bomb.zip")
    assert main(["package", "verify", bomb, "--trust", str(VECTORS / "trust")]) == 1
    text = capsys.readouterr().out
    assert "unreadable" in text
    assert "zip_bomb" in text
    flipped = str(VECTORS / "negative" / "payload_byte_flipped.zip")
    assert main(["package", "verify", flipped, "--trust", str(VECTORS / "trust"), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    (bad,) = [f for f in report["files"] if f["status"] != "ok"]
    assert bad["path"] == "data/request.json"
    assert bad["expected"] != bad["found"]
    assert main(["package", "inspect", bomb]) == 1


def test_progress_bar() -> None:
    stream = io.StringIO()
    bar = ProgressBar(200, stream)
    bar(100)
    bar(1)  # same percentage: not redrawn
    bar(99)
    bar.finish()
    text = stream.getvalue()
    assert text.count("\r") == 2
    assert " 50%" in text
    assert "100%" in text
    assert text.endswith("\n")


def test_progress_bar_shown_on_a_terminal(
    setup: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("eevidence._cli._options.PROGRESS_MIN_BYTES", 1)
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    out = setup["dir"] / "p.zip"
    argv = ["package", "build", REQUEST, "--key", str(setup["officer"])]
    assert main([*argv, "--attach", str(setup["att"]), "-o", str(out)]) == 0
    assert main(["package", "verify", str(out), "--trust", str(setup["trust"])]) == 0
    assert (
        main(
            [
                "package",
                "verify",
                str(VECTORS / "negative" / "zip_bomb.zip"),
                "--trust",
                str(setup["trust"]),
            ]
        )
        == 1
    )
    assert "100%" in capsys.readouterr().err


def test_placeholder_pdf_is_a_pdf() -> None:
    pdf = placeholder_pdf("Hello (world) é")
    assert pdf.startswith(b"%PDF-1.4")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert b"(Hello world ) Tj" in pdf
    xref = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf[xref:].startswith(b"xref")


def test_demo_builds_cosigns_and_verifies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "2 signatures required: VERIFIED" in out
    for role in ("officer", "validator"):
        assert stat.S_IMODE((tmp_path / "keys" / f"{role}-key.pem").stat().st_mode) == 0o600
    (package,) = (tmp_path / "package").glob("*.zip")
    trust = load_trust_store(tmp_path / "trust")
    assert ee.verify_package(package, trust, threshold=2).ok
    # the command it teaches keeps the trusted keys outside the package's folder
    (taught,) = [line for line in out.splitlines() if "try: eevidence package verify" in line]
    assert f"--trust {tmp_path / 'trust'} " in taught
    assert not any((tmp_path / "package").rglob("*.pem"))


def test_keys_never_overwrite_and_leave_nothing_half_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key, pub = tmp_path / "k.pem", tmp_path / "trust.pem"
    assert main(["keys", "generate", "-o", str(key), "--public", str(pub)]) == 0
    before = pub.read_bytes()
    other = tmp_path / "other.pem"
    assert main(["keys", "generate", "-o", str(other), "--public", str(pub)]) == 1
    assert "overwrite" in capsys.readouterr().err
    assert pub.read_bytes() == before
    assert not other.exists()
    assert main(["keys", "public", str(key), "-o", str(pub)]) == 1
    assert pub.read_bytes() == before
    assert main(["keys", "generate", "-o", str(other), "--public", str(tmp_path / "no" / "p")]) == 1
    assert not other.exists()
    assert main(["keys", "generate", "-o", str(key), "--public", str(tmp_path / "new.pem")]) == 1
    assert not (tmp_path / "new.pem").exists()  # the private key existed: nothing written


def _interrupt(*_args: object, **_kwargs: object) -> None:
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    ("target", "complete"),
    [
        ("eevidence._cli._package.build_package", False),  # before anything is written
        ("eevidence.package._build.os.replace", False),  # as the zip is put in place
        ("eevidence._cli._trust.trust_signer", False),  # built, signers not yet trusted
        ("eevidence._cli._custody_hook.record", False),  # built, entry not yet appended
        ("eevidence.tracking.SqliteStore._executemany", False),  # inside the transaction
        ("eevidence.tracking.SqliteStore.close", True),  # after the entry is committed
    ],
)
def test_ctrl_c_in_package_build_leaves_nothing_or_a_recorded_package(
    setup: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    target: str,
    complete: bool,
) -> None:
    import sqlite3

    out, db = setup["dir"] / "p.zip", setup["dir"] / "s.sqlite3"
    monkeypatch.setattr(target, _interrupt)
    build = ["package", "build", REQUEST, "--key", str(setup["officer"]), "-o", str(out)]
    at = ["--attach", str(setup["att"]), "--store", str(db), "--now", "2026-11-24T10:00:00Z"]
    assert main([*build, *at]) == EXIT_INTERRUPTED  # main turns Ctrl-C into its exit code
    monkeypatch.undo()
    assert "interrupted" in capsys.readouterr().err
    with sqlite3.connect(db) as conn:
        try:
            lines = [r[0] for r in conn.execute("SELECT line FROM custody")]
        except sqlite3.OperationalError:
            lines = []  # interrupted before the store was created
    leftovers = sorted(
        p.name for p in setup["dir"].iterdir() if p.name.startswith(("p.zip", ".p.zip"))
    )
    if not complete:
        assert leftovers == []
        assert lines == []
        return
    assert leftovers == ["p.zip"]
    [entry] = [json.loads(line) for line in lines]
    import hashlib

    assert entry["object_sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert main(["package", "verify", str(out), "--trust", str(setup["trust"])]) == 0


def test_signing_entries_name_the_officer_or_the_actor_given(
    setup: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """package build records the request's officer (no login); sign takes --actor/--role."""
    monkeypatch.delenv("EEVIDENCE_ACTOR", raising=False)
    monkeypatch.delenv("EEVIDENCE_ROLE", raising=False)
    store = ["--store", str(setup["dir"] / "t.sqlite3")]
    out = setup["dir"] / "pkg.zip"
    argv = ["package", "build", REQUEST, "--key", str(setup["officer"]), "-o", str(out), *store]
    assert main([*argv, "--attach", str(setup["att"]), "--now", "2026-11-20T10:00:00Z"]) == 0
    assert "operating-system login" not in capsys.readouterr().err
    validator = setup["dir"] / "validator.pem"
    assert main(["keys", "generate", "-o", str(validator)]) == 0
    sign = ["package", "sign", str(out), "--key", str(validator), "--trust", str(setup["trust"])]
    assert main([*sign, *store, "--actor", "Judge Anne Roux", "--role", "validating judge"]) == 0
    capsys.readouterr()
    assert main(["custody", "log", "--json", *store]) == 0
    entries = json.loads(capsys.readouterr().out)
    signed = [(e["actor"], e["role"]) for e in entries if e["action"] == "request_signed"]
    assert signed == [
        ("Claire Martin", "Commissaire de police"),
        ("Judge Anne Roux", "validating judge"),
    ]
