"""Signed checkpoints (C2SP signed-note, tlog-checkpoint) and the custody chain."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings, strategies as st

import eevidence as ee
from eevidence.crypto import (
    Checkpoint,
    Cosignature,
    CosignatureVerifier,
    MerkleTree,
    NoteVerifier,
    cosign_note,
    leaf_hash,
    open_cosigned_checkpoint,
    open_note,
    parse_checkpoint,
    sign_checkpoint,
    sign_note,
    verifier_key,
)
from eevidence.custody import (
    ChainReport,
    CustodyEntry,
    append_entry,
    checkpoint_log,
    entries_from_jsonl,
    entries_to_jsonl,
    import_jsonl,
    verify_chain,
    verify_lines,
    verify_log,
)
from eevidence.custody._entries import key_id
from eevidence.errors import IntegrityError, TrustError, UntrustedNoteError
from eevidence.tracking import SqliteStore

# golang.org/x/mod/sumdb/note: the reference example of the signed-note format.
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n\u2014 PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def go_key() -> Ed25519PrivateKey:
    raw = base64.b64decode(GO_SKEY.split("+", 4)[4])
    assert raw[0] == 1
    return Ed25519PrivateKey.from_private_bytes(raw[1:])


def test_signed_note_matches_the_reference_vector() -> None:
    key = go_key()
    assert sign_note(GO_TEXT, [("PeterNeumann", key)]) == GO_NOTE
    assert verifier_key("PeterNeumann", key).encode() == GO_VKEY
    assert open_note(GO_NOTE, [NoteVerifier.decode(GO_VKEY)]) == GO_TEXT
    assert open_note(GO_NOTE.encode(), [NoteVerifier.decode(GO_VKEY)]) == GO_TEXT


def test_signed_note_rejections() -> None:
    v = NoteVerifier.decode(GO_VKEY)
    with pytest.raises(IntegrityError, match="does not verify") as altered:
        open_note(GO_NOTE.replace("cryptography", "cryptographY"), [v])
    assert not isinstance(altered.value, TrustError)  # a trusted key's signature fails: altered
    other = verifier_key("PeterNeumann", Ed25519PrivateKey.generate())
    with pytest.raises(UntrustedNoteError, match="no signature by a trusted key") as unknown:
        open_note(GO_NOTE, [other])
    assert isinstance(unknown.value, TrustError)
    assert not isinstance(unknown.value, IntegrityError)  # nothing shows it was altered
    renamed = NoteVerifier("Someone", v.public_key)
    with pytest.raises(UntrustedNoteError, match="no signature by a trusted key"):
        open_note(GO_NOTE, [renamed])
    with pytest.raises(UntrustedNoteError, match="<checkpoint>: no signature by a trusted key"):
        parse_checkpoint(GO_NOTE, [other])
    for bad in [GO_TEXT, GO_NOTE.replace("\u2014", "-"), GO_NOTE.replace("x08go", "x08g!")]:
        with pytest.raises(ee.InputError):
            open_note(bad, [v])
    with pytest.raises(ee.InputError, match="UTF-8"):
        open_note(b"\xff\xfe", [v])
    for key in [GO_VKEY.replace("c74f20a3", "c74f20a4"), "a+b", "x+zz+!!", GO_VKEY[:-4] + "AAAA"]:
        with pytest.raises(ee.InputError):
            NoteVerifier.decode(key)
    with pytest.raises(ee.InputError, match="key name"):
        verifier_key("two words", go_key())
    with pytest.raises(ee.InputError, match="newline"):
        sign_note("no newline", [("k", go_key())])
    with pytest.raises(ee.InputError, match="at least one"):
        sign_note(GO_TEXT, [])


def test_checkpoint_round_trip_and_rejections() -> None:
    key = Ed25519PrivateKey.generate()
    tree = MerkleTree.from_leaves([b"a", b"b", b"c"])
    cp = Checkpoint("eevidence.example/custody/fr-pj", 3, tree.root(), ("Timestamp: 1",))
    note = sign_checkpoint(cp, [("eevidence.example/custody/fr-pj", key)])
    lines = note.split("\n")
    assert lines[:4] == [cp.origin, "3", base64.b64encode(tree.root()).decode(), "Timestamp: 1"]
    trusted = [verifier_key("eevidence.example/custody/fr-pj", key)]
    assert parse_checkpoint(note, trusted, origin=cp.origin) == cp
    with pytest.raises(IntegrityError, match="origin"):
        parse_checkpoint(note, trusted, origin="elsewhere")
    for broken in [
        note.replace("\n3\n", "\n03\n", 1),
        note.replace("\n3\n", "\nthree\n", 1),
        cp.origin + "\n3\n\n\u2014 x AAAA\n",
    ]:
        with pytest.raises((ee.InputError, IntegrityError, TrustError)):
            parse_checkpoint(broken, trusted)
    with pytest.raises(ee.InputError):
        Checkpoint("", 1, tree.root()).text()
    with pytest.raises(ee.InputError):
        Checkpoint("o", 1, b"short").text()
    with pytest.raises(ee.InputError):
        Checkpoint("o", 1, tree.root(), ("",)).text()


class Signer:
    def __init__(self, key: Ed25519PrivateKey | ec.EllipticCurvePrivateKey) -> None:
        self.key = key

    @property
    def keyid(self) -> str:
        return key_id(self.key.public_key())

    def sign(self, data: bytes) -> bytes:
        if isinstance(self.key, ec.EllipticCurvePrivateKey):
            from cryptography.hazmat.primitives import hashes

            return self.key.sign(data, ec.ECDSA(hashes.SHA256()))
        return self.key.sign(data)


def chain(n: int, signer: Signer) -> list[CustodyEntry]:
    out: list[CustodyEntry] = []
    previous = None
    for i in range(n):
        previous = append_entry(
            previous,
            signer,
            at=NOW + timedelta(minutes=i),
            actor="Lt. Claire Martin",
            role="investigator",
            action="evidence_received" if i % 2 else "request_created",
            object_id=f"obj-{i}",
            object_sha256=f"{i:064x}",
            location="evidence store A",
            note=f"step {i}",
        )
        out.append(previous)
    return out


def kinds(report: ChainReport) -> list[tuple[int | None, str]]:
    return [(b.seq, b.kind) for b in report.breaks]


@pytest.fixture
def signer() -> Signer:
    return Signer(Ed25519PrivateKey.generate())


def test_intact_chain_verifies(signer: Signer) -> None:
    entries = chain(6, signer)
    report = verify_chain(entries, [signer.key.public_key()])
    assert report.ok
    assert report.size == 6
    assert report.root == MerkleTree(leaf_hash(e.canonical()) for e in entries).root()
    assert report.to_dict()["ok"] is True
    assert entries[0].prev_hash == "0" * 64
    assert entries[1].prev_hash == entries[0].entry_hash()


def test_edited_entry_is_found(signer: Signer) -> None:
    entries = chain(5, signer)
    entries[2] = entries[2].model_copy(update={"note": "nothing happened"})
    assert kinds(verify_chain(entries, [signer.key.public_key()])) == [
        (2, "bad_signature"),
        (3, "broken_link"),
    ]


def test_deleted_inserted_and_reordered_entries_are_found(signer: Signer) -> None:
    entries = chain(5, signer)
    keys = [signer.key.public_key()]
    deleted = verify_chain(entries[:2] + entries[3:], keys)
    assert (3, "broken_link") in kinds(deleted)
    assert (3, "bad_sequence") in kinds(deleted)
    swapped = [entries[0], entries[2], entries[1], entries[3], entries[4]]
    report = verify_chain(swapped, keys)
    found = kinds(report)
    assert (2, "bad_sequence") in found
    assert (1, "broken_link") in found
    assert [(n.seq, n.kind) for n in report.notices] == [(1, "time_reversed")]
    assert report.to_dict()["notices"][0]["kind"] == "time_reversed"
    inserted = entries[:2] + chain(1, signer) + entries[2:]
    assert (0, "bad_sequence") in kinds(verify_chain(inserted, keys))


def test_untrusted_key_and_unchecked_signatures(signer: Signer) -> None:
    entries = chain(3, signer)
    stranger = Ed25519PrivateKey.generate().public_key()
    report = verify_chain(entries, [stranger])
    assert {k for _, k in kinds(report)} == {"unknown_key"}
    # a mapping's own keys are not trusted: the id is computed from the key
    report = verify_chain(entries, {entries[0].keyid: stranger})
    assert {k for _, k in kinds(report)} == {"unknown_key"}
    assert verify_chain(entries, [], check_signatures=False).ok


def test_ecdsa_signer(signer: Signer) -> None:
    ecdsa = Signer(ec.generate_private_key(ec.SECP256R1()))
    entries = chain(2, ecdsa)
    assert verify_chain(entries, [ecdsa.key.public_key()]).ok
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert not verify_chain(entries, [rsa_key.public_key()]).ok


def test_checkpoint_detects_truncation_and_rewritten_history(signer: Signer) -> None:
    entries = chain(6, signer)
    keys = [signer.key.public_key()]
    saved = Checkpoint("log", 4, verify_chain(entries[:4], keys).root)
    assert verify_chain(entries, keys, checkpoint=saved).ok
    assert kinds(verify_chain(entries[:3], keys, checkpoint=saved)) == [(None, "truncated")]
    # a consistent, validly signed history that differs from entry 2 on
    rewritten = entries[:2]
    for i in range(2, 6):
        rewritten.append(
            append_entry(
                rewritten[-1],
                signer,
                at=NOW + timedelta(minutes=i),
                actor="x",
                role="y",
                action="note",
                object_id=f"obj-{i}",
            )
        )
    assert verify_chain(rewritten, keys).ok
    assert kinds(verify_chain(rewritten, keys, checkpoint=saved)) == [(None, "rewritten")]


def test_kept_checkpoints_by_an_unknown_key_or_with_a_bad_signature(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    keys = [key.public_key()]
    store = SqliteStore(tmp_path / "t.sqlite3")
    try:
        import_jsonl(store, entries_to_jsonl(chain(3, Signer(key))), keys, source="log")
        _, note = checkpoint_log(store, "test/log", key)
        assert verify_log(store, keys)[1] == []
        stranger = Ed25519PrivateKey.generate().public_key()
        [unknown] = verify_log(store, [stranger])[1]
        assert unknown.kind == "unknown_key"
        assert unknown.detail.endswith("no signature by a trusted key")
        store.save_checkpoint(3, note.replace("\n3\n", "\n2\n", 1))  # signed text altered
        [altered] = verify_log(store, keys)[1]
        assert altered.kind == "rewritten"
        assert "does not verify" in altered.detail
    finally:
        store.close()


def test_verify_lines_refuses_lines_that_are_not_bytes() -> None:
    with pytest.raises(ee.InputError, match="line 0 is str, not bytes"):
        verify_lines(["{}"], [])  # type: ignore[list-item]
    assert verify_lines([b"{}"], []).breaks[0].kind == "malformed"
    assert verify_lines([bytearray(b"{}")], []).breaks[0].kind == "malformed"  # type: ignore[list-item]


def test_jsonl_round_trip_and_errors(signer: Signer) -> None:
    entries = chain(3, signer)
    data = entries_to_jsonl(entries)
    assert data.count(b"\n") == 3
    assert entries_from_jsonl(data + b"\n") == entries
    with pytest.raises(ee.InputError, match="line 2"):
        entries_from_jsonl(data.replace(b'"seq":1', b'"seq":-1'))
    with pytest.raises(ee.InputError, match="line 1"):
        entries_from_jsonl(b"{broken\n")


def test_append_rejections(signer: Signer) -> None:
    with pytest.raises(ee.InputError, match="UTC offset"):
        append_entry(
            None, signer, at=datetime(2026, 1, 1), actor="a", role="r", action="note", object_id="o"
        )
    with pytest.raises(ee.InputError, match="transfer"):
        append_entry(None, signer, at=NOW, actor="a", role="r", action="transferred", object_id="o")
    with pytest.raises(ee.InputError) as info:
        append_entry(None, signer, at=NOW, actor="", role="r", action="note", object_id="o")
    assert info.value.problems[0].path == "$.actor"


def test_stored_lines_parallel_signature_check_and_malformed_line(
    signer: Signer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import eevidence.custody._entries as custody

    entries = chain(8, signer)
    lines = [e.canonical() for e in entries]
    monkeypatch.setattr(custody, "_PARALLEL_MIN", 1)
    keys = [signer.key.public_key()]
    assert custody.verify_lines(lines, keys, workers=2).ok
    lines[5] = lines[5].replace(b"step 5", b"step 6")
    found = kinds(custody.verify_lines(lines, keys, workers=2))
    assert found == [(5, "bad_signature"), (6, "broken_link")]
    lines[3] = b"not json"
    found = kinds(custody.verify_lines(lines, keys))
    assert (3, "malformed") in found
    assert (4, "broken_link") in found


def test_a_verifier_key_whose_base64_holds_a_plus_round_trips() -> None:
    key = Ed25519PrivateKey.from_private_bytes(bytes([8]) * 32)
    text = verifier_key("log", key).encode()
    assert "+" in text.split("+", 2)[2]  # the key's base64 itself holds a '+'
    decoded = NoteVerifier.decode(text)
    assert decoded.name == "log"
    assert decoded.encode() == text
    note = sign_note("hello\n", [("log", key)])
    assert open_note(note, [decoded]) == "hello\n"


# -- C2SP signed-note grammar: vectors, blank lines, control characters, key round trips --------

# golang.org/x/mod/sumdb/note (note_test.go): a second key and its signature of GO_TEXT.
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
ENOCH_SIG = (
    "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox"
    "33WWd1RvMc+QQ=\n"
)
# The go command's checksum database key (its base64 holds two "+").
SUMDB_VKEY = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
# https://c2sp.org/signed-note, "Verifier keys / Example".
C2SP_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
C2SP_NOTE = (
    "This is an example message.\n\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfX"
    "ppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)
# transparency-dev/formats note_cosigv1_test.go: a witness key of type 0x04.
REMORA_VKEY = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"


def test_reference_keys_and_notes_decode() -> None:
    sumdb = NoteVerifier.decode(SUMDB_VKEY)
    assert sumdb.name == "sum.golang.org"
    assert sumdb.encode() == SUMDB_VKEY
    assert open_note(C2SP_NOTE, [NoteVerifier.decode(C2SP_VKEY)]) == "This is an example message.\n"
    peter, enoch = NoteVerifier.decode(GO_VKEY), NoteVerifier.decode(ENOCH_VKEY)
    both = GO_NOTE + ENOCH_SIG
    assert open_note(both, [peter]) == GO_TEXT  # the unknown EnochRoot line is ignored
    assert open_note(both, [enoch]) == GO_TEXT
    assert open_note(GO_NOTE + GO_NOTE.split("\n\n")[1], [peter]) == GO_TEXT  # repeated line
    remora = CosignatureVerifier.decode(REMORA_VKEY)
    assert remora.name == "remora.n621.de"
    assert remora.encode() == REMORA_VKEY
    with pytest.raises(ee.InputError, match="witness"):
        NoteVerifier.decode(REMORA_VKEY)
    with pytest.raises(ee.InputError, match="type 0x04"):
        CosignatureVerifier.decode(GO_VKEY)


def test_mangled_verifier_keys_are_refused() -> None:
    """As x/mod's TestNewVerifier: every proper substring and every byte bumped by one fails."""
    for vkey in (GO_VKEY, SUMDB_VKEY):
        for i in range(len(vkey)):
            for j in range(i + 1, len(vkey) + 1):
                if (i, j) != (0, len(vkey)) and vkey[i:j].strip() != vkey:
                    with pytest.raises(ee.InputError):
                        NoteVerifier.decode(vkey[i:j])
            bumped = vkey[:i] + chr(ord(vkey[i]) + 1) + vkey[i + 1 :]
            with pytest.raises(ee.InputError):
                NoteVerifier.decode(bumped)
    with pytest.raises(ee.InputError, match="lowercase"):
        NoteVerifier.decode(GO_VKEY.replace("c74f20a3", "C74F20A3"))


def test_note_text_may_hold_blank_lines() -> None:
    key = go_key()
    for text in [
        "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n",
        "trailing empty line\n\n",
        "\n",
        "a\n\n\nb\n",
    ]:
        note = sign_note(text, [("quasimodo.example/salvatore", key)])
        assert open_note(note, [verifier_key("quasimodo.example/salvatore", key)]) == text
    # but a checkpoint's lines are never empty
    cp_text = "origin\n1\n" + base64.b64encode(bytes(32)).decode() + "\n\nExt\n"
    note = sign_note(cp_text, [("origin", key)])
    with pytest.raises(ee.InputError, match="empty line"):
        parse_checkpoint(note, [verifier_key("origin", key)])


@pytest.mark.parametrize("bad", ["\t", "\r", "\x00", "\x1b", "\x0b", "\x0c", "\x1f"])
def test_control_characters_are_refused(bad: str) -> None:
    key, root = go_key(), bytes(32)
    with pytest.raises(ee.InputError, match="control"):
        Checkpoint(f"log{bad}x", 1, root).text()
    with pytest.raises(ee.InputError, match="control"):
        Checkpoint("log", 1, root, (f"ext{bad}",)).text()
    with pytest.raises(ee.InputError, match="control"):
        sign_note(f"text{bad}\n", [("k", key)])
    with pytest.raises(ee.InputError):
        verifier_key(f"name{bad}", key)
    forged = GO_NOTE.replace("problem,", f"problem,{bad}", 1)
    with pytest.raises(ee.InputError, match="control"):
        open_note(forged, [NoteVerifier.decode(GO_VKEY)])
    with pytest.raises(ee.InputError, match="control"):
        open_note(forged.encode(), [NoteVerifier.decode(GO_VKEY)])


@pytest.mark.parametrize("name", ["", "a b", "a+b", "a\u00a0b", "a\u2028b", "a\u3000b", "a\u0085b"])
def test_invalid_key_names(name: str) -> None:
    with pytest.raises(ee.InputError, match="key name"):
        verifier_key(name, go_key())
    line = GO_NOTE.replace("PeterNeumann", name, 1)
    with pytest.raises(ee.InputError):
        open_note(line, [NoteVerifier.decode(GO_VKEY)])


def test_signature_line_limits() -> None:
    peter = NoteVerifier.decode(GO_VKEY)
    sig = GO_NOTE.split("\n\n")[1]
    assert open_note(GO_TEXT + "\n" + sig * 100, [peter]) == GO_TEXT
    with pytest.raises(ee.InputError, match="more than 100"):
        open_note(GO_TEXT + "\n" + sig * 101, [peter])
    for bad in [GO_TEXT + "\n", GO_NOTE[:-1], GO_NOTE + "Unexpected line.\n", "\x01" + GO_NOTE]:
        with pytest.raises(ee.InputError):
            open_note(bad, [peter])


_NAME_CHARS = st.characters(
    blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"),
    blacklist_characters="+\u0085\u00a0\u1680\u180e",
)
names = st.text(_NAME_CHARS, min_size=1, max_size=40).filter(
    lambda s: not any(c.isspace() for c in s)
)
seeds = st.binary(min_size=32, max_size=32)


@settings(max_examples=300, deadline=None)
@given(seed=seeds, name=names)
def test_every_encoded_key_decodes(seed: bytes, name: str) -> None:
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    note_key = verifier_key(name, public)
    assert NoteVerifier.decode(note_key.encode()) == note_key
    witness = CosignatureVerifier(name, public)
    assert CosignatureVerifier.decode(witness.encode()) == witness
    assert witness.key_hash != note_key.key_hash or witness.encode() != note_key.encode()


@settings(max_examples=100, deadline=None)
@given(
    seed=seeds,
    name=names,
    lines=st.lists(st.text(_NAME_CHARS, max_size=30), min_size=1, max_size=6),
)
def test_any_clean_text_round_trips(seed: bytes, name: str, lines: list[str]) -> None:
    key = Ed25519PrivateKey.from_private_bytes(seed)
    text = "\n".join(lines) + "\n"
    note = sign_note(text, [(name, key)])
    assert open_note(note, [verifier_key(name, key)]) == text


# -- cosignature/v1 (C2SP tlog-cosignature) -------------------------------------------------------


def test_cosignature_follows_the_specification() -> None:
    log_key, witness_key = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    cp = Checkpoint("example.com/behind-the-sofa", 20852163, bytes(range(32)))
    note = sign_checkpoint(cp, [(cp.origin, log_key)])
    when = datetime(2023, 3, 20, 12, 25, 47, 900000, tzinfo=UTC)
    line = cosign_note(cp.text(), "witness.example.com/w1", witness_key, now=when)
    # rebuilt by hand from the specification
    blob = base64.b64decode(line.removeprefix("\u2014 witness.example.com/w1 ").strip())
    public = witness_key.public_key().public_bytes_raw()
    key_id = hashlib.sha256(b"witness.example.com/w1\n\x04" + public).digest()[:4]
    assert blob[:4] == key_id
    assert int.from_bytes(blob[4:12], "big") == 1679315147
    message = b"cosignature/v1\ntime 1679315147\n" + cp.text().encode()
    witness_key.public_key().verify(blob[12:], message)  # raises if the message differs
    cosigner = CosignatureVerifier("witness.example.com/w1", witness_key.public_key())
    logv = verifier_key(cp.origin, log_key)
    got, cosigs = open_cosigned_checkpoint(note + line, [logv], [cosigner])
    assert got == cp
    assert cosigs == (Cosignature(cosigner.name, key_id, 1679315147),)
    assert cosigs[0].time == when.replace(microsecond=0)
    assert open_cosigned_checkpoint(note, [logv], [cosigner])[1] == ()
    assert parse_checkpoint(note + line, [logv]) == cp  # the witness line is ignored
    # a cosignature alone does not make a checkpoint trusted
    with pytest.raises(UntrustedNoteError):
        open_cosigned_checkpoint(note + line, [], [cosigner])
    # a note key does not verify a cosignature (different key ID), nor the reverse
    assert (
        open_cosigned_checkpoint(
            note + line, [logv], [CosignatureVerifier(cp.origin, log_key.public_key())]
        )[1]
        == ()
    )
    # altered timestamp or signature: the witness's line does not verify
    forged_ts = blob[:4] + (1679315148).to_bytes(8, "big") + blob[12:]
    forged = note + "\u2014 witness.example.com/w1 " + base64.b64encode(forged_ts).decode() + "\n"
    with pytest.raises(IntegrityError, match=r"cosignature by witness\.example\.com/w1"):
        open_cosigned_checkpoint(forged, [logv], [cosigner])
    with pytest.raises(ee.InputError, match="timezone"):
        cosign_note(cp.text(), "w", witness_key, now=datetime(2023, 1, 1))


def test_cosignature_covers_extension_lines() -> None:
    log_key, witness_key = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    cp = Checkpoint("o", 1, bytes(32), ("Extendo",))
    note = sign_checkpoint(cp, [("o", log_key)])
    line = cosign_note(cp.text(), "w", witness_key, now=NOW)
    swapped = note.replace("Extendo", "Extendx") + line
    with pytest.raises(IntegrityError):
        open_cosigned_checkpoint(swapped, [], [CosignatureVerifier("w", witness_key.public_key())])
