"""A witness run by another party (C2SP tlog-witness) over loopback: cosigning, refusals,
restart, the client's retry, and the command line end to end."""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from eevidence.crypto import (
    Checkpoint,
    CosignatureVerifier,
    MerkleTree,
    leaf_hash,
    open_cosigned_checkpoint,
    sign_checkpoint,
    verifier_key,
)
from eevidence.custody import Witness, request_cosignature, serve_witness, witness_anchors
from eevidence.errors import ConfigurationError, IntegrityError

ORIGIN = "eevidence.test/custody"
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
LOG_KEY = Ed25519PrivateKey.generate()
WITNESS_KEY = Ed25519PrivateKey.generate()
LOG = verifier_key(ORIGIN, LOG_KEY)
COSIGNER = CosignatureVerifier("witness.test/w1", WITNESS_KEY.public_key())


def leaves(n: int, tag: bytes = b"entry") -> list[bytes]:
    return [tag + b"-%d" % i for i in range(n)]


def signed(lines: list[bytes], key: Ed25519PrivateKey = LOG_KEY) -> tuple[str, MerkleTree]:
    tree = MerkleTree(leaf_hash(x) for x in lines)
    return sign_checkpoint(Checkpoint(ORIGIN, len(lines), tree.root()), [(ORIGIN, key)]), tree


def body(old: int, proof: list[bytes], note: str) -> bytes:
    return (
        f"old {old}\n" + "".join(base64.b64encode(h).decode() + "\n" for h in proof) + "\n" + note
    ).encode()


@contextmanager
def running(state: Path) -> Iterator[tuple[str, Witness]]:
    witness = Witness("witness.test/w1", WITNESS_KEY, [LOG], state, clock=lambda: NOW)
    server = serve_witness(witness, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", witness
    finally:
        server.shutdown()
        server.server_close()
        witness.close()


def post(url: str, data: bytes) -> httpx.Response:
    return httpx.post(url + "/add-checkpoint", content=data, timeout=10)


def test_cosigns_consistent_checkpoints_and_refuses_a_rollback(tmp_path: Path) -> None:
    with running(tmp_path / "state") as (url, witness):
        note5, _ = signed(leaves(5))
        r = post(url, body(0, [], note5))
        assert r.status_code == 200
        cp, cosigs = open_cosigned_checkpoint(note5 + r.text, [LOG], [COSIGNER])
        assert (cp.size, cosigs[0].time) == (5, NOW)
        note9, tree9 = signed(leaves(9))
        r = post(url, body(5, tree9.consistency_proof(5), note9))
        assert r.status_code == 200, r.text
        # stale old size: 409 with the witness's size
        r = post(url, body(5, tree9.consistency_proof(5), note9))
        assert r.status_code == 409
        assert r.headers["content-type"] == "text/x.tlog.size"
        assert r.text == "9\n"
        # rolled back to 7 entries: refused whatever the old size says
        note7, _ = signed(leaves(7))
        assert post(url, body(9, [], note7)).status_code == 400  # old above the size
        assert post(url, body(7, [], note7)).status_code == 409
        # rewritten history at a larger size: the proof from 9 cannot hold
        forked = leaves(9)
        forked[3] = b"rewritten"
        forked += leaves(3, b"more")
        note12, tree12 = signed(forked)
        r = post(url, body(9, tree12.consistency_proof(9), note12))
        assert r.status_code == 422
        # same size, other root
        note9b, _ = signed(forked[:9])
        assert post(url, body(9, [], note9b)).status_code == 422
        # nothing moved: still 9, the consistent extension is still accepted
        honest = [*leaves(9), *leaves(2, b"next")]
        note11, tree11 = signed(honest)
        assert post(url, body(9, tree11.consistency_proof(9), note11)).status_code == 200
        assert witness.latest_note(ORIGIN) is not None


def test_refusals_by_status(tmp_path: Path) -> None:
    with running(tmp_path / "state") as (url, _):
        note, tree = signed(leaves(4))
        assert post(url, b"old 01\n\n" + note.encode()).status_code == 400
        assert post(url, b"new 0\n\n" + note.encode()).status_code == 400
        assert post(url, body(0, [b"\x00" * 32], note)).status_code == 422  # proof from 0
        foreign = Ed25519PrivateKey.generate()
        assert post(url, body(0, [], signed(leaves(4), foreign)[0])).status_code == 403
        other = sign_checkpoint(Checkpoint("other/log", 4, tree.root()), [("other/log", LOG_KEY)])
        assert post(url, body(0, [], other)).status_code == 404
        tampered = note.replace("\n4\n", "\n5\n", 1)
        assert post(url, body(0, [], tampered)).status_code == 403
        empty_bad = sign_checkpoint(Checkpoint(ORIGIN, 0, tree.root()), [(ORIGIN, LOG_KEY)])
        assert post(url, body(0, [], empty_bad)).status_code == 422
        assert httpx.get(url + "/nothing", timeout=10).status_code == 404


def test_state_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "state"
    note6, _ = signed(leaves(6))
    with running(state) as (url, _):
        assert post(url, body(0, [], note6)).status_code == 200
        with pytest.raises(ConfigurationError, match="another witness process"):
            Witness("w2", Ed25519PrivateKey.generate(), [LOG], state)
    with running(state) as (url, witness):
        note4, _ = signed(leaves(4))
        r = post(url, body(0, [], note4))
        assert (r.status_code, r.text) == (409, "6\n")
        latest = witness.latest_note(ORIGIN)
        assert latest is not None
        assert open_cosigned_checkpoint(latest, [LOG], [COSIGNER])[0].size == 6
        origin_hash = hashlib.sha256(ORIGIN.encode()).hexdigest()
        assert httpx.get(f"{url}/{origin_hash}/checkpoint", timeout=10).text == latest
    files = [p.name for p in state.iterdir() if p.suffix == ".json"]
    assert files == [hashlib.sha256(ORIGIN.encode()).hexdigest() + ".json"]


def test_client_retries_from_the_witness_size_and_reports_a_rollback(tmp_path: Path) -> None:
    with running(tmp_path / "state") as (url, _), httpx.Client(timeout=10) as client:
        for n in (3, 8, 8, 13):
            note, tree = signed(leaves(n))
            sigs = request_cosignature(url, note, proof_for=tree.consistency_proof, client=client)
            assert open_cosigned_checkpoint(note + sigs, [LOG], [COSIGNER])[0].size == n
        rolled, tree = signed(leaves(10))
        with pytest.raises(IntegrityError, match="rolled back"):
            request_cosignature(url, rolled, proof_for=tree.consistency_proof, client=client)
        forked = leaves(13)
        forked[0] = b"forged"
        note, tree = signed([*forked, b"x"])
        with pytest.raises(IntegrityError, match="inconsistent"):
            request_cosignature(url, note, proof_for=tree.consistency_proof, client=client)


def test_anchors_from_cosigned_checkpoints(tmp_path: Path) -> None:
    lines = leaves(5)
    with running(tmp_path / "state") as (url, _), httpx.Client(timeout=10) as client:
        note, tree = signed(lines)
        cosigned = note + request_cosignature(
            url, note, proof_for=tree.consistency_proof, client=client
        )
    anchors, problems = witness_anchors([("kept", cosigned)], lines, [LOG.public_key], [COSIGNER])
    assert problems == []
    assert [(a.kind, a.size, a.holds) for a in anchors] == [("witness_cosignature", 5, True)]
    anchors, _ = witness_anchors([("kept", cosigned)], lines[:4], [LOG.public_key], [COSIGNER])
    assert not anchors[0].holds  # the log no longer reaches the witnessed size
    other = CosignatureVerifier("witness.test/w2", Ed25519PrivateKey.generate().public_key())
    anchors, problems = witness_anchors([("kept", cosigned)], lines, [LOG.public_key], [other])
    assert anchors == []
    assert [p.kind for p in problems] == ["anchor_missing"]
    forged = cosigned[:-10] + "AAAAAAAAA=\n"
    _, problems = witness_anchors([("kept", forged)], lines, [LOG.public_key], [COSIGNER])
    assert [p.kind for p in problems] == ["rewritten", "anchor_missing"]


# -- the command line, end to end: a witness process on loopback ---------------------------------


@contextmanager
def witness_process(args: list[str]) -> Iterator[str]:
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "eevidence", "witness", "serve", *args, "--listen", "127.0.0.1:0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("listening on "):
                yield line.split()[2].removesuffix("/add-checkpoint")
                break
        else:
            raise AssertionError(proc.stderr.read() if proc.stderr else "witness did not start")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()


def test_cli_witness_end_to_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], private_home: Path
) -> None:
    import sqlite3

    from cryptography.hazmat.primitives import serialization

    from eevidence._cli import main

    def cli(*args: str) -> tuple[int, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out + err

    db = tmp_path / "store.sqlite3"
    s = ("--store", str(db), "--now", "2026-11-24T10:00:00Z")
    for i in range(3):
        assert cli("custody", "record", "note", f"evidence/x{i}", *s)[0] == 0
    wkey = tmp_path / "witness.pem"
    wkey.write_bytes(
        WITNESS_KEY.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    code, wvkey = cli("witness", "vkey", str(wkey), "--name", "witness.test/w1")
    assert code == 0
    wvkey = wvkey.strip()
    assert CosignatureVerifier.decode(wvkey) == COSIGNER
    # the log's checkpoint key: the workstation custody key, created by the first record
    code, lvkey = cli(
        "witness", "vkey", str(private_home / "custody-key.pub.pem"), "--name", ORIGIN, "--log"
    )
    assert code == 0
    state = tmp_path / "witness-state"
    serve = ["--key", str(wkey), "--name", "witness.test/w1", "--log", lvkey.strip()]
    serve += ["--state", str(state)]
    checkpoint = ("custody", "checkpoint", "--origin", ORIGIN, *s)
    with witness_process(serve) as url:
        code, out = cli(*checkpoint, "--witness", url, "--witness-key", wvkey)
        assert code == 0, out
        assert "cosigned by witness.test/w1" in out
        code, out = cli("custody", "verify", *s, "--witness-key", wvkey)
        assert code == 0, out
        assert out.startswith("VERIFIED: 3 entries"), out
        assert "witness.test/w1 cosigned size 3" in out
        other = CosignatureVerifier("witness.test/w2", Ed25519PrivateKey.generate().public_key())
        code, out = cli("custody", "verify", *s, "--witness-key", other.encode())
        assert code == 1
        assert "anchor_missing" in out
        assert cli("custody", "record", "note", "evidence/x3", *s)[0] == 0
        assert cli(*checkpoint, "--witness", url, "--witness-key", wvkey)[0] == 0
    # the store's holder rolls the log back to 3 entries and drops the kept checkpoints
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM custody WHERE seq = (SELECT MAX(seq) FROM custody)")
        conn.execute("DELETE FROM checkpoints")
    conn.close()
    code, out = cli("custody", "verify", *s, "--witness-key", wvkey)
    assert code == 1  # no cosigned checkpoint left in the store
    assert "anchor_missing" in out
    # the witness, restarted, remembers size 4 and refuses the rolled-back log
    with witness_process(serve) as url:
        code, out = cli(*checkpoint, "--witness", url, "--witness-key", wvkey)
        assert code == 1
        assert "rolled back" in out
        with sqlite3.connect(db) as conn:  # a refused checkpoint is not kept either
            assert conn.execute("SELECT COUNT(*) FROM checkpoints").fetchone() == (0,)
        conn.close()
        # a forked log of 5 entries (other 4th entry) is refused as inconsistent
        assert cli("custody", "record", "note", "evidence/other", *s)[0] == 0
        assert cli("custody", "record", "note", "evidence/x5", *s)[0] == 0
        code, out = cli(*checkpoint, "--witness", url, "--witness-key", wvkey)
        assert code == 1
        assert "inconsistent" in out
