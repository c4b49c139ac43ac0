"""``eevidence custody`` and ``eevidence evidence`` on both stores, and recording by ``track``."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

import eevidence as ee
from eevidence._cli import main
from eevidence.custody import ingest_file
from tests.helpers import ROOT

EXAMPLES = ROOT / "examples" / "requests"
NOW = "2026-11-24T10:00:00Z"
PRESERVATION = json.loads((EXAMPLES / "preservation.json").read_text(encoding="utf-8"))["id"]


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_tracking_records_custody_and_the_chain_verifies(
    store_spec: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    s = ("--store", store_spec, "--now", NOW)
    assert cli(capsys, "track", "add", str(EXAMPLES / "preservation.json"), *s)[0] == 0
    assert cli(capsys, "track", "event", PRESERVATION, "submitted", "--ref", "LE-9", *s)[0] == 0
    code, out, _ = cli(capsys, "custody", "log", *s, "--json")
    assert code == 0
    entries = json.loads(out)
    assert [e["action"] for e in entries] == ["request_created", "request_submitted"]
    assert entries[0]["object_id"] == f"request/{PRESERVATION}"
    assert len(entries[0]["object_sha256"]) == 64
    assert entries[1]["note"] == "submitted, provider reference LE-9"
    evidence = tmp_path / "return.csv"
    evidence.write_bytes(b"a,b\n1,2\n")
    code, out, _ = cli(
        capsys,
        "custody",
        "transfer",
        "evidence/x",
        "--from",
        "A",
        "--to",
        "B",
        "--file",
        str(evidence),
        "--actor",
        "Sgt. Dupont",
        "--role",
        "custodian",
        *s,
    )
    assert code == 0
    assert "A -> B" in out
    assert "Sgt. Dupont [custodian]" in out
    code, out, _ = cli(capsys, "custody", "log", "evidence/x", *s)
    assert "transferred" in out
    assert "1 entry" in out
    code, out, _ = cli(capsys, "custody", "verify", *s)
    assert code == 0, out
    assert out.startswith("VERIFIED, UNANCHORED: 3 entries")
    assert "anchor: store only: does not detect rollback" in out
    code, out, _ = cli(capsys, "custody", "verify", *s, "--json", "--workers", "1")
    report = json.loads(out)
    assert report["ok"] is True
    assert report["size"] == 3


def _sqlite_edit(path: Path, seq: int, old: bytes, new: bytes) -> None:
    with sqlite3.connect(path) as conn:
        (line,) = conn.execute("SELECT line FROM custody WHERE seq = ?", (seq,)).fetchone()
        conn.execute(
            "UPDATE custody SET line = ? WHERE seq = ?",
            (line.replace(old.decode(), new.decode()), seq),
        )


def test_checkpoint_and_tampering(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite3"
    s = ("--store", str(db), "--now", NOW)
    for i in range(4):
        assert (
            cli(capsys, "custody", "record", "note", f"request/{i}", "--note", f"n{i}", *s)[0] == 0
        )
    cp = tmp_path / "cp.txt"
    code, out, _ = cli(
        capsys, "custody", "checkpoint", "--origin", "fr.pj/custody", "-o", str(cp), *s
    )
    assert code == 0
    assert out.splitlines()[:2] == ["fr.pj/custody", "4"]
    assert cp.read_text().startswith("fr.pj/custody\n4\n")
    assert cli(capsys, "custody", "verify", "--checkpoint", str(cp), *s)[0] == 0
    _sqlite_edit(db, 2, b'"n2"', b'"n2 (edited)"')
    code, out, _ = cli(capsys, "custody", "verify", *s)
    assert code == 1
    assert "FAILED" in out
    assert "bad_signature  entry 2" in out
    assert "broken_link    entry 3" in out
    assert "rewritten" in out  # the checkpoint kept in the store no longer matches
    code, out, _ = cli(capsys, "custody", "verify", "--no-signatures", "--json", *s)
    doc = json.loads(out)
    assert doc["ok"] is False
    assert {b["kind"] for b in doc["breaks"]} == {"broken_link", "column_mismatch", "rewritten"}


def test_export_import_round_trip(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    s = ("--store", str(tmp_path / "a.sqlite3"), "--now", NOW)
    for i in range(3):
        cli(capsys, "custody", "record", "evidence_accessed", f"evidence/{i}", *s)
    out_file = tmp_path / "log.jsonl"
    code, out, _ = cli(capsys, "custody", "export", "--format", "jsonl", "-o", str(out_file), *s)
    assert code == 0
    assert out_file.read_bytes().count(b"\n") == 3
    trust = tmp_path / "trust"
    trust.mkdir()
    shutil.copy(Path(os.environ["EEVIDENCE_HOME"]) / "custody-key.pub.pem", trust / "ws.pem")
    t = ("--store", str(tmp_path / "b.sqlite3"))
    code, out, _ = cli(capsys, "custody", "import", str(out_file), "--trust", str(trust), *t)
    assert code == 0, out
    assert "imported 3 verified entries" in out
    code, _, err = cli(capsys, "custody", "import", str(out_file), "--trust", str(trust), *t)
    assert code == 1
    assert "empty store" in err
    tampered = tmp_path / "bad.jsonl"
    tampered.write_bytes(out_file.read_bytes().replace(b"evidence/1", b"evidence/7"))
    c = ("--store", str(tmp_path / "c.sqlite3"))
    code, _, err = cli(capsys, "custody", "import", str(tampered), "--trust", str(trust), *c)
    assert code == 1
    assert "nothing was imported" in err
    # the export itself was recorded: 3 entries + "exported"
    code, out, _ = cli(capsys, "custody", "log", "--json", *s)
    assert json.loads(out)[-1]["action"] == "exported"
    case = tmp_path / "log.jsonld"
    assert cli(capsys, "custody", "export", "--format", "case", "-o", str(case), *s)[0] == 0
    graph = json.loads(case.read_text())["@graph"]
    actions = [n for n in graph if n["@type"] == "case-investigation:InvestigativeAction"]
    assert len(actions) == 4  # the entry recording this export follows it


def test_own_key_with_passphrase_and_trust_dir(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, pub = tmp_path / "officer.pem", tmp_path / "trust" / "officer.pub.pem"
    pub.parent.mkdir()
    monkeypatch.setenv("EEVIDENCE_PASSPHRASE", "correct horse")
    assert cli(capsys, "keys", "generate", "-o", str(key))[0] == 0
    assert (key.stat().st_mode & 0o777) == 0o600
    assert b"ENCRYPTED" in key.read_bytes()
    assert cli(capsys, "keys", "public", str(key), "-o", str(pub))[0] == 0
    s = ("--store", str(tmp_path / "s.sqlite3"), "--now", NOW)
    assert cli(capsys, "custody", "record", "note", "request/1", "--key", str(key), *s)[0] == 0
    assert cli(capsys, "custody", "verify", "--trust", str(pub.parent), *s)[0] == 0
    cli(capsys, "custody", "record", "note", "request/2", *s)  # creates the workstation key
    # both keys this workstation signed with are in the trust configuration
    assert cli(capsys, "custody", "verify", *s)[0] == 0
    code, out, _ = cli(capsys, "custody", "trust", "list", "--json")
    reasons = [k["reason"] for k in json.loads(out)["keys"]]
    assert reasons[0].startswith("custody entries signed with --key")
    assert reasons[1].startswith("workstation custody key (created)")
    # the officer's key alone does not cover the workstation's entry
    code, out, _ = cli(capsys, "custody", "verify", "--trust", str(pub.parent), *s)
    assert code == 1
    assert "unknown_key    entry 1" in out
    monkeypatch.setenv("EEVIDENCE_PASSPHRASE", "wrong")
    code, _, err = cli(capsys, "custody", "record", "note", "request/3", "--key", str(key), *s)
    assert code == 1
    assert "passphrase" in err.lower()


def test_checkpoint_needs_an_ed25519_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    key = tmp_path / "p256.pem"
    assert cli(capsys, "keys", "generate", "--type", "p256", "-o", str(key))[0] == 0
    s = ("--store", str(tmp_path / "s.sqlite3"), "--now", NOW)
    assert cli(capsys, "custody", "record", "note", "request/1", *s)[0] == 0
    code, _, err = cli(capsys, "custody", "checkpoint", "--key", str(key), *s)
    assert code == 1
    assert "Ed25519" in err


def test_verify_without_any_trusted_key_is_explained(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = cli(capsys, "custody", "verify", "--store", str(tmp_path / "s.sqlite3"))
    assert code == 1
    assert "--trust" in err


def test_evidence_ingest_and_verify(
    store_spec: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    s = ("--store", store_spec, "--now", NOW)
    files = []
    (tmp_path / "chat.json").write_bytes(b"{}")
    code, _, err = cli(
        capsys, "evidence", "ingest", str(tmp_path / "chat.json"), "--request", PRESERVATION, *s
    )
    assert code == 1
    assert "track it first" in err
    assert cli(capsys, "track", "add", str(EXAMPLES / "preservation.json"), *s)[0] == 0
    for name, data in (("chat.json", b'{"m": 1}'), ("photo.jpg", os.urandom(300_000))):
        (tmp_path / name).write_bytes(data)
        files.append(str(tmp_path / name))
    kept = tmp_path / "evidence"
    code, out, _ = cli(
        capsys,
        "evidence",
        "ingest",
        *files,
        "--request",
        PRESERVATION,
        "--keep-in",
        str(kept),
        "--json",
        *s,
    )
    assert code == 0
    got = json.loads(out)
    assert [g["name"] for g in got] == ["chat.json", "photo.jpg"]
    for g in got:
        assert Path(g["kept"]).parent == kept / PRESERVATION
        assert (Path(g["kept"]).stat().st_mode & 0o777) == 0o444
    code, out, _ = cli(capsys, "evidence", "verify", "--request", PRESERVATION, *s)
    assert code == 0
    assert "2 of 2 file(s) unchanged" in out
    changed = Path(got[0]["kept"])
    changed.chmod(0o644)
    changed.write_bytes(b'{"m": 2}')
    Path(got[1]["kept"]).unlink()
    code, out, _ = cli(capsys, "evidence", "verify", "--json", *s)
    assert code == 1
    status = {f["object"].rsplit("/", 1)[1]: f["status"] for f in json.loads(out)["files"]}
    assert status == {"chat.json": "changed", "photo.jpg": "missing"}
    code, out, _ = cli(capsys, "custody", "log", "--json", *s)
    actions = [e["action"] for e in json.loads(out)]
    assert actions.count("evidence_received") == 2
    assert actions[0] == "request_created"
    code, out, _ = cli(capsys, "custody", "log", PRESERVATION, "--json", *s)
    about = {e["object_id"].split("/")[0] for e in json.loads(out)}
    assert about == {"evidence", "request"}
    assert len(json.loads(out)) == 7
    assert actions.count("evidence_verified") == 4
    code, _, err = cli(capsys, "evidence", "ingest", str(tmp_path / "nope"), "--request", "r", *s)
    assert code == 1
    assert "nope" in err
    code, _, err = cli(capsys, "evidence", "ingest", files[0], "--request", "../x", *s)
    assert code == 1
    assert "track it first" in err
    with pytest.raises(ee.InputError, match="request id"):
        ingest_file(files[0], request_id="../x", keep_in=tmp_path / "k")


def test_package_signing_and_checks_are_recorded(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    key, signers = tmp_path / "officer.pem", tmp_path / "signers"
    signers.mkdir()
    assert (
        cli(capsys, "keys", "generate", "-o", str(key), "--public", str(signers / "o.pem"))[0] == 0
    )
    attachment = tmp_path / "screenshot-profile.pdf"  # listed by the example request
    attachment.write_bytes(b"%PDF-1.4 sample")
    store: tuple[str, ...] = ("--store", str(tmp_path / "s.sqlite3"), "--attach", str(attachment))
    pkg = tmp_path / "p.zip"
    code, out, _ = cli(
        capsys,
        "package",
        "build",
        str(EXAMPLES / "preservation.json"),
        "--key",
        str(key),
        "-o",
        str(pkg),
        "--now",
        NOW,
        *store,
    )
    assert code == 0, out
    assert "custody entry 0 recorded" in out
    second = tmp_path / "second.pem"
    cli(capsys, "keys", "generate", "-o", str(second))
    sign = ("package", "sign", str(pkg), "--key", str(second), "--trust", str(signers))
    assert cli(capsys, *sign, *store[:2])[0] == 0
    other = tmp_path / "q.zip"
    code, out, _ = cli(
        capsys,
        "package",
        "build",
        str(EXAMPLES / "preservation.json"),
        "--key",
        str(key),
        "-o",
        str(other),
        "--no-record",
        *store,
    )
    assert "custody entry" not in out
    code, out, _ = cli(
        capsys, "check", str(EXAMPLES / "preservation.json"), "--record", "--now", NOW, *store[:2]
    )
    assert code == 0
    code, out, _ = cli(capsys, "custody", "log", "--json", *store[:2])
    entries = json.loads(out)
    assert [e["action"] for e in entries] == ["request_signed", "request_signed", "request_checked"]
    import hashlib

    assert entries[1]["object_sha256"] == hashlib.sha256(pkg.read_bytes()).hexdigest()
    assert entries[0]["object_id"] == "package/p.zip"
    assert entries[0]["keyid"] != entries[1]["keyid"]  # each signer signs its own entry
    trust = tmp_path / "trust"
    trust.mkdir()
    cli(capsys, "keys", "public", str(key), "-o", str(trust / "a.pem"))
    cli(capsys, "keys", "public", str(second), "-o", str(trust / "b.pem"))
    shutil.copy(Path(os.environ["EEVIDENCE_HOME"]) / "custody-key.pub.pem", trust / "ws.pem")
    assert cli(capsys, "custody", "verify", "--trust", str(trust), *store[:2])[0] == 0


def test_track_add_takes_a_signed_package(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    key, other = tmp_path / "officer.pem", tmp_path / "other.pem"
    cli(capsys, "keys", "generate", "-o", str(key))
    cli(capsys, "keys", "generate", "-o", str(other))
    trust, wrong = tmp_path / "trust", tmp_path / "wrong"
    trust.mkdir()
    wrong.mkdir()
    cli(capsys, "keys", "public", str(key), "-o", str(trust / "officer.pem"))
    cli(capsys, "keys", "public", str(other), "-o", str(wrong / "other.pem"))
    attachment = tmp_path / "screenshot-profile.pdf"
    attachment.write_bytes(b"%PDF-1.4 sample")
    pkg = tmp_path / "p.zip"
    code, out, _ = cli(
        capsys,
        "package",
        "build",
        str(EXAMPLES / "preservation.json"),
        "--key",
        str(key),
        "--attach",
        str(attachment),
        "-o",
        str(pkg),
        "--no-record",
    )
    assert code == 0, out
    s = ("--store", str(tmp_path / "s.sqlite3"), "--now", NOW)
    code, _, err = cli(capsys, "track", "add", str(pkg), "--trust", str(wrong), *s)
    assert code == 1
    assert "does not verify" in err
    code, out, _ = cli(capsys, "track", "add", str(pkg), "--trust", str(trust), *s)
    assert code == 0, out
    assert f"tracking {PRESERVATION}" in out
    code, _, err = cli(
        capsys,
        "track",
        "add",
        str(EXAMPLES / "voluntary-disclosure.json"),
        "--trust",
        str(trust),
        *s,
    )
    assert code == 2
    assert "packages only" in err
    broken = tmp_path / "broken.zip"
    data = bytearray(pkg.read_bytes())
    at = data.find(b'"kind":"preservation"')
    assert at > 0
    data[at] ^= 1
    broken.write_bytes(bytes(data))
    t = ("--store", str(tmp_path / "t.sqlite3"))
    code, _, err = cli(capsys, "track", "add", str(broken), *t)
    assert code == 1
    assert "no trust store" in err  # a package is judged against trusted keys, or refused
    code, _, err = cli(capsys, "track", "add", str(broken), "--trust", str(trust), *t)
    assert code == 1
    assert "does not verify" in err
    code, _, err = cli(capsys, "track", "add", str(broken), "--allow-unsigned", *t)
    assert code == 1
    assert "does not verify, even on its fixity alone" in err


# -- attacks by whoever holds the store: each caught with a named reason ------------------------


def _sql(spec: str, statement: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Run one statement on the store behind eevidence's back (an insider with write access)."""
    if spec.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(spec, autocommit=True) as conn:
            cur = conn.execute(statement.replace("?", "%s").encode(), params)
            return cur.fetchall() if cur.description is not None else []
    with sqlite3.connect(spec) as conn:
        return conn.execute(statement, params).fetchall()


def _line(spec: str, seq: int) -> dict[str, object]:
    [(line,)] = _sql(spec, "SELECT line FROM custody WHERE seq = ?", (seq,))
    doc: dict[str, object] = json.loads(str(line))
    return doc


def _set_line(spec: str, seq: int, doc: dict[str, object], *, rehash: bool = True) -> None:
    import hashlib

    line = json.dumps(doc, separators=(",", ":"), sort_keys=True)
    if rehash:  # the insider keeps the unsigned columns consistent too
        _sql(
            spec,
            "UPDATE custody SET line = ?, entry_hash = ? WHERE seq = ?",
            (line, hashlib.sha256(line.encode()).hexdigest(), seq),
        )
    else:
        _sql(spec, "UPDATE custody SET line = ? WHERE seq = ?", (line, seq))


def _readme_flow(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, store: tuple[str, ...]
) -> dict[str, Path]:
    """The README's flow: an officer key, a package, tracking it, evidence, a checkpoint."""
    key, trust = tmp_path / "officer.pem", tmp_path / "trust"
    trust.mkdir()
    assert cli(capsys, "keys", "generate", "-o", str(key), "--public", str(trust / "o.pem"))[0] == 0
    attachment = tmp_path / "screenshot-profile.pdf"
    attachment.write_bytes(b"%PDF-1.4 sample")
    pkg = tmp_path / "p.zip"
    request = str(EXAMPLES / "preservation.json")
    build = ("package", "build", request, "--key", str(key), "--attach", str(attachment))
    assert cli(capsys, *build, "-o", str(pkg), "--now", NOW, *store)[0] == 0
    assert (
        cli(capsys, "track", "add", str(pkg), "--trust", str(trust), "--now", NOW, *store)[0] == 0
    )
    received = tmp_path / "return.csv"
    received.write_bytes(b"account,ip\nx,198.51.100.7\n")
    kept = tmp_path / "evidence"
    ingest = ("evidence", "ingest", str(received), "--request", PRESERVATION)
    assert cli(capsys, *ingest, "--keep-in", str(kept), "--now", NOW, *store)[0] == 0
    cp = tmp_path / "checkpoint.txt"
    code, out, _ = cli(capsys, "custody", "checkpoint", "-o", str(cp), *store)
    assert code == 0, out
    return {"key": key, "trust": trust, "package": pkg, "kept": kept, "checkpoint": cp}


def test_the_readme_flow_verifies_with_defaults(
    store_spec: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    s = ("--store", store_spec)
    made = _readme_flow(capsys, tmp_path, s)
    code, out, _ = cli(capsys, "custody", "verify", *s)
    assert code == 0, out  # package key and workstation key are both in the trust config
    assert out.startswith("VERIFIED, UNANCHORED: 3 entries")
    code, out, _ = cli(capsys, "custody", "verify", "--checkpoint", str(made["checkpoint"]), *s)
    assert code == 0, out
    assert out.startswith("VERIFIED: 3 entries")
    assert "anchor: checkpoint_file at size 3" in out
    code, out, _ = cli(capsys, "custody", "verify", "--json", *s)
    assert code == 0, out
    assert json.loads(out)["kept_checkpoints"] == [{"size": 3, "ok": True}]  # what is kept
    code, out, _ = cli(capsys, "custody", "trust", "list", "--json")
    reasons = " | ".join(k["reason"] for k in json.loads(out)["keys"])
    assert "package build --key" in reasons
    assert "workstation custody key (created)" in reasons
    code, out, _ = cli(capsys, "evidence", "verify", "--now", NOW, *s)
    assert code == 0, out
    assert "1 of 1 file(s) unchanged" in out


def test_evidence_verify_trusts_no_unsigned_row(
    store_spec: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    s = ("--store", store_spec)
    made = _readme_flow(capsys, tmp_path, s)
    [kept] = list((made["kept"] / PRESERVATION).iterdir())
    # alter the kept file, and the row's digest to match it, without re-signing
    kept.chmod(0o644)
    kept.write_bytes(b"account,ip\nx,203.0.113.9\n")
    import hashlib

    [seq] = [i for i in range(3) if _line(store_spec, i)["action"] == "evidence_received"]
    doc = _line(store_spec, seq)
    doc["object_sha256"] = hashlib.sha256(kept.read_bytes()).hexdigest()
    _set_line(store_spec, seq, doc)
    code, out, _ = cli(capsys, "evidence", "verify", "--json", "--now", NOW, *s)
    assert code == 1
    report = json.loads(out)
    assert report["chain_ok"] is False
    assert [f["status"] for f in report["files"]] == ["unverified_record"]
    # and no fresh entry vouches for the file
    code, out, _ = cli(capsys, "custody", "log", "--json", *s)
    assert "evidence_verified" not in [e.get("action") for e in json.loads(out)]
    code, out, _ = cli(capsys, "custody", "verify", *s)
    assert code == 1
    assert f"bad_signature  entry {seq}" in out


def test_evidence_verify_never_reads_devices_or_fifos(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    s = ("--store", str(tmp_path / "s.sqlite3"), "--now", NOW)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    digest = "0" * 64
    for name, where in (("zero", "/dev/zero"), ("fifo", str(fifo)), ("dir", str(tmp_path))):
        rec = ("custody", "record", "evidence_received", f"evidence/r/{name}")
        assert cli(capsys, *rec, "--sha256", digest, "--location", where, *s)[0] == 0
    code, out, _ = cli(capsys, "evidence", "verify", "--json", *s)
    assert code == 1
    status = {f["object"]: f["status"] for f in json.loads(out)["files"]}
    assert status == {f"evidence/r/{n}": "not_regular" for n in ("zero", "fifo", "dir")}


def test_rollback_and_wipe_are_unanchored_without_an_anchor_and_fail_against_one(
    store_spec: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    s = ("--store", store_spec)
    made = _readme_flow(capsys, tmp_path, s)
    cp = ("--checkpoint", str(made["checkpoint"]))
    # roll back: the last two entries and every kept checkpoint go
    _sql(store_spec, "DELETE FROM custody WHERE seq >= 2")
    _sql(store_spec, "DELETE FROM checkpoints")
    code, out, _ = cli(capsys, "custody", "verify", "--json", *s)
    doc = json.loads(out)
    assert code == 0
    assert doc["anchored"] is False
    assert (
        doc["anchor"][0]["detail"] == "store only: does not detect rollback by the store's holder"
    )
    assert cli(capsys, "custody", "verify", "--require-anchor", *s)[0] == 1
    code, out, _ = cli(capsys, "custody", "verify", *cp, *s)
    assert code == 1
    assert out.startswith("FAILED")
    assert "truncated" in out
    # wipe everything
    _sql(store_spec, "DELETE FROM custody")
    code, out, _ = cli(capsys, "custody", "verify", *s)
    assert out.startswith("VERIFIED, UNANCHORED: 0 entries")
    assert "store only" in out
    code, out, _ = cli(capsys, "custody", "verify", *cp, "--json", *s)
    doc = json.loads(out)
    assert code == 1
    assert [b["kind"] for b in doc["breaks"]] == ["truncated"]
    assert doc["anchor"] == [
        {"kind": "checkpoint_file", "size": 3, "holds": False, "detail": doc["anchor"][0]["detail"]}
    ]


def test_a_log_re_signed_with_a_new_key_beside_the_store_fails(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, private_home: Path
) -> None:
    from eevidence.crypto import (
        KeySigner,
        generate_private_key,
        write_private_key,
        write_public_key,
    )
    from eevidence.custody import append_entry

    for i in range(3):  # the default store, beside the workstation key
        assert cli(capsys, "custody", "record", "note", f"request/{i}", "--now", NOW)[0] == 0
    assert cli(capsys, "custody", "verify")[0] == 0
    store = str(private_home / "tracking.sqlite3")
    mallory = generate_private_key("ed25519")
    signer = KeySigner(mallory)
    previous = None
    for seq in range(3):
        entry = ee.custody.entries_from_jsonl(json.dumps(_line(store, seq)).encode())[0]
        fields = entry.model_dump(exclude={"seq", "prev_hash", "keyid", "signature"})
        previous = append_entry(previous, signer, **fields)
        _set_line(store, seq, json.loads(previous.canonical()))
    for name in ("custody-key.pem", "custody-key.pub.pem"):
        (private_home / name).unlink()
    write_private_key(mallory, private_home / "custody-key.pem")
    write_public_key(mallory, private_home / "custody-key.pub.pem")
    code, out, _ = cli(capsys, "custody", "verify")
    assert code == 1
    assert out.startswith("FAILED")
    assert out.count("unknown_key") >= 3
    # the key found beside the store is used to sign, but never becomes trusted by itself
    assert cli(capsys, "custody", "record", "note", "request/9", "--now", NOW)[0] == 0
    code, out, _ = cli(capsys, "custody", "trust", "list", "--json")
    assert signer.keyid not in [k["keyid"] for k in json.loads(out)["keys"]]


def test_an_edited_object_id_column_is_caught_and_hides_nothing(
    store_spec: str, capsys: pytest.CaptureFixture[str]
) -> None:
    s = ("--store", store_spec, "--now", NOW)
    for i in range(3):
        assert cli(capsys, "custody", "record", "note", f"evidence/e{i}", *s)[0] == 0
    _sql(store_spec, "UPDATE custody SET object_id = ? WHERE seq = 1", ("evidence/other",))
    code, out, _ = cli(capsys, "custody", "log", "evidence/e1", *s)
    assert code == 0
    assert "1 entry" in out
    assert "evidence/e1" in out
    code, out, _ = cli(capsys, "custody", "verify", *s)
    assert code == 1
    assert "column_mismatch entry 1: the stored object_id column says 'evidence/other'" in out
    _sql(
        store_spec,
        "UPDATE custody SET object_id = ?, entry_hash = ? WHERE seq = 1",
        ("evidence/e1", "0" * 64),
    )
    code, out, _ = cli(capsys, "custody", "verify", *s)
    assert code == 1
    assert "entry_hash column" in out


@pytest.mark.parametrize(
    ("field", "value", "kind"),
    [
        ("at", 5, "malformed"),
        ("keyid", ["a", "b"], "unknown_key"),
        ("seq", "x", "malformed"),
        ("seq", "1", "malformed"),  # a number as text: not sorted among numbers (no crash)
        ("seq", True, "malformed"),
        ("seq", 10**400, "malformed"),
    ],
)
def test_a_malformed_stored_entry_is_a_break_not_a_traceback(
    store_spec: str,
    capsys: pytest.CaptureFixture[str],
    field: str,
    value: object,
    kind: str,
) -> None:
    s = ("--store", store_spec, "--now", NOW)
    for i in range(2):
        assert cli(capsys, "custody", "record", "note", f"request/{i}", *s)[0] == 0
    doc = _line(store_spec, 1)
    doc[field] = value
    _set_line(store_spec, 1, doc)
    code, out, _ = cli(capsys, "custody", "verify", "--json", *s)
    assert code == 1
    assert kind in {b["kind"] for b in json.loads(out)["breaks"]}
    code, out, _ = cli(capsys, "custody", "log", *s)
    assert code == 0
    assert "not a readable custody entry" in out or "request/1" in out
    assert cli(capsys, "evidence", "verify", *s)[0] == 1


@pytest.mark.parametrize(
    "token", ["zz-not-hex", "00", "3003020100"], ids=["not-hex", "one-byte", "not-granted"]
)
def test_a_garbage_timestamp_on_a_kept_checkpoint_is_a_break(
    store_spec: str, capsys: pytest.CaptureFixture[str], token: str
) -> None:
    s = ("--store", store_spec, "--now", NOW)
    assert cli(capsys, "custody", "record", "note", "request/1", *s)[0] == 0
    assert cli(capsys, "custody", "checkpoint", *s)[0] == 0
    _sql(store_spec, "UPDATE checkpoints SET timestamp_token = ?", (token,))
    code, out, _ = cli(capsys, "custody", "verify", "--json", *s)
    assert code == 1
    assert [b["kind"] for b in json.loads(out)["breaks"]] == ["bad_timestamp"]


def test_kept_checkpoint_size_column_and_malformed_note(
    store_spec: str, capsys: pytest.CaptureFixture[str]
) -> None:
    s = ("--store", store_spec, "--now", NOW)
    assert cli(capsys, "custody", "record", "note", "request/1", *s)[0] == 0
    assert cli(capsys, "custody", "checkpoint", *s)[0] == 0
    _sql(store_spec, "UPDATE checkpoints SET size = 7")
    code, out, _ = cli(capsys, "custody", "verify", *s)
    assert code == 1
    assert "column_mismatch log: kept checkpoint 7: the stored size column says 7" in out
    _sql(store_spec, "UPDATE checkpoints SET note = ?", ("not a note\n",))
    code, out, _ = cli(capsys, "custody", "verify", "--json", *s)
    assert code == 1
    assert {b["kind"] for b in json.loads(out)["breaks"]} == {"malformed"}


def test_a_deleted_workstation_key_is_replaced_and_trusted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, private_home: Path
) -> None:
    s = ("--store", str(tmp_path / "s.sqlite3"), "--now", NOW)
    assert cli(capsys, "custody", "record", "note", "request/1", *s)[0] == 0
    (private_home / "custody-key.pem").unlink()
    assert cli(capsys, "custody", "record", "note", "request/2", *s)[0] == 0
    assert (private_home / "custody-key.pub.pem").exists()
    code, out, _ = cli(capsys, "custody", "verify", *s)
    assert code == 0, out  # both the old and the new workstation key are trusted
    code, out, _ = cli(capsys, "custody", "trust", "list")
    assert out.count("workstation custody key (created)") == 2


def test_a_foreign_signer_needs_explicit_trust(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "s.sqlite3")
    other_home = tmp_path / "other-agency"
    monkeypatch.setenv("EEVIDENCE_HOME", str(other_home))
    assert (
        cli(capsys, "custody", "record", "note", "request/1", "--store", db, "--now", NOW)[0] == 0
    )
    foreign = other_home / "custody-key.pub.pem"
    monkeypatch.setenv("EEVIDENCE_HOME", str(tmp_path / "expert"))
    code, _, err = cli(capsys, "custody", "verify", "--store", db)
    assert code == 1
    assert "custody trust add" in err
    code, out, _ = cli(capsys, "custody", "trust", "add", str(foreign), "--reason", "FR-PJ key")
    assert code == 0
    assert "trusted" in out
    assert cli(capsys, "custody", "verify", "--store", db)[0] == 0
    code, out, _ = cli(capsys, "custody", "trust", "list")
    assert "FR-PJ key" in out


def test_a_read_only_copy_opens_for_every_read_only_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "copy"
    folder.mkdir()
    db = folder / "tracking.sqlite3"
    s = ("--store", str(db), "--now", NOW)
    assert cli(capsys, "track", "add", str(EXAMPLES / "preservation.json"), *s)[0] == 0
    assert cli(capsys, "custody", "record", "note", "request/1", *s)[0] == 0
    db.chmod(0o444)
    folder.chmod(0o555)
    try:
        assert cli(capsys, "custody", "verify", *s)[0] == 0
        code, out, _ = cli(capsys, "custody", "log", *s)
        assert code == 0
        assert "2 entries" in out
        assert cli(capsys, "status", *s)[0] == 0
        assert cli(capsys, "deadlines", *s)[0] == 0
        code, _, err = cli(capsys, "custody", "record", "note", "request/2", *s)
        assert code == 1
        assert "read-only" in err or "readonly" in err
    finally:
        folder.chmod(0o755)
        db.chmod(0o644)


def test_export_carries_the_checkpoint_and_inclusion_proofs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from eevidence.crypto import NoteVerifier, load_public_key, parse_checkpoint
    from eevidence.custody import verify_entry_proof
    from eevidence.errors import ProofError

    s = ("--store", str(tmp_path / "s.sqlite3"), "--now", NOW)
    for i in range(5):
        assert cli(capsys, "custody", "record", "note", f"request/{i}", *s)[0] == 0
    assert cli(capsys, "custody", "checkpoint", "--origin", "fr.pj/custody", *s)[0] == 0
    out_file = tmp_path / "log.jsonl"
    code, out, _ = cli(capsys, "custody", "export", "-o", str(out_file), *s)
    assert code == 0
    assert "inclusion proofs of the 5 entries" in out
    bundle = json.loads((tmp_path / "log.jsonl.proofs.json").read_text())
    key = load_public_key(Path(os.environ["EEVIDENCE_HOME"]) / "custody-key.pub.pem")
    assert isinstance(key, Ed25519PublicKey)
    checkpoint = parse_checkpoint(bundle["checkpoint"], [NoteVerifier("fr.pj/custody", key)])
    line = bundle["entries"][3].encode()
    verify_entry_proof(line, bundle["proofs"][3], checkpoint)  # one entry, without the store
    with pytest.raises(ProofError):
        verify_entry_proof(
            line.replace(b"request/3", b"request/4"), bundle["proofs"][3], checkpoint
        )


def test_no_checkpoint_over_a_log_that_does_not_verify(
    store_spec: str, capsys: pytest.CaptureFixture[str]
) -> None:
    s = ("--store", store_spec, "--now", NOW)
    for i in range(2):
        assert cli(capsys, "custody", "record", "note", f"request/{i}", *s)[0] == 0
    doc = _line(store_spec, 1)
    doc["note"] = "edited after signing"
    _set_line(store_spec, 1, doc)
    code, _, err = cli(capsys, "custody", "checkpoint", *s)
    assert code == 1
    assert "does not verify" in err
    assert "none is signed" in err
    assert _sql(store_spec, "SELECT COUNT(*) FROM checkpoints", ()) == [(0,)]


def test_small_refusals_are_clear(store_spec: str, capsys: pytest.CaptureFixture[str]) -> None:
    s = ("--store", store_spec, "--now", NOW)
    assert cli(capsys, "custody", "record", "note", "request/1", *s)[0] == 0
    code, _, err = cli(capsys, "evidence", "verify", "--request", "no-such-request", *s)
    assert code == 1
    assert "no-such-request" in err
    code, _, err = cli(capsys, "custody", "verify", "--workers", "0", *s)
    assert code == 2
    assert "--workers" in err


def test_a_checkpoint_that_does_not_hold_is_named_in_the_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "t.sqlite3"
    s = ("--store", str(db), "--now", NOW)
    for i in range(3):
        assert cli(capsys, "custody", "record", "note", f"request/{i}", *s)[0] == 0
    cp = tmp_path / "cp.txt"
    assert cli(capsys, "custody", "checkpoint", "-o", str(cp), *s)[0] == 0
    with sqlite3.connect(db) as conn:  # the holder drops the last entry and kept checkpoints
        conn.execute("DELETE FROM custody WHERE seq = 2")
        conn.execute("DELETE FROM checkpoints")
    conn.close()
    code, out, _ = cli(capsys, "custody", "verify", "--checkpoint", str(cp), *s)
    assert code == 1
    assert "checkpoint_file at size 3 does NOT hold" in out


def test_a_broken_log_is_exported_as_it_is_but_not_vouched_for(
    store_spec: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    s = ("--store", store_spec, "--now", NOW)
    for i in range(2):
        assert cli(capsys, "custody", "record", "note", f"request/{i}", *s)[0] == 0
    doc = _line(store_spec, 1)
    doc["note"] = "edited after signing"
    _set_line(store_spec, 1, doc)
    out_file = tmp_path / "log.jsonl"
    code, _, err = cli(capsys, "custody", "export", "-o", str(out_file), *s)
    assert code == 0
    assert "does not verify" in err
    assert len(out_file.read_bytes().splitlines()) == 2
    assert _sql(store_spec, "SELECT COUNT(*) FROM custody", ()) == [(2,)]  # no export entry
