"""The signed directory of authorities: its model, its folder (versions, draft, signing,
root rotation as TUF 1.0 section 5.3 does it), verification against tampering, and the
``eevidence directory`` commands."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from eevidence._cli import main
from eevidence.crypto import (
    Envelope,
    canonical_json_bytes,
    key_id,
    public_key_pem,
    write_private_key,
    write_public_key,
)
from eevidence.directory import (
    DIRECTORY_PAYLOAD_TYPE,
    ROLES,
    Authority,
    Directory,
    DirectoryKey,
    Revocation,
    RootRole,
    directory_state,
    edit_directory,
    init_directory,
    kinds_of_role,
    sign_directory,
    verify_directory,
)
from eevidence.errors import DirectoryError, DirectoryVerificationError, EEvidenceError
from eevidence.request import REQUEST_KINDS
from tests.directory_helpers import (
    FR_CALLBACK,
    ISSUED,
    NOW,
    NOW_TEXT,
    add_authorities,
    de_authority,
    fr_authority,
    key_entry,
    key_files,
    make_world,
    publish,
    replace_authority,
    rewrite_payload,
    signer,
)


@contextmanager
def _invalid(text: str) -> Iterator[None]:
    """Expect a :class:`DirectoryError` whose diagnostics (message and problems) hold ``text``."""
    with pytest.raises(DirectoryError) as info:
        yield
    assert text in info.value.diagnostics(), info.value.diagnostics()


# -- the model -----------------------------------------------------------------------------------


def _root_role(*signers: object, threshold: int = 1) -> RootRole:
    keys = {s.keyid: public_key_pem(s.public_key).decode() for s in signers}  # type: ignore[attr-defined]
    return RootRole(keys=keys, threshold=threshold)


def test_roles_map_to_request_kinds() -> None:
    assert "emergency_disclosure" not in kinds_of_role("requests")
    assert kinds_of_role("requests") | kinds_of_role("emergency") == frozenset(REQUEST_KINDS)
    assert kinds_of_role("emergency") == {"emergency_disclosure"}
    assert kinds_of_role("preservation") == {"preservation"}
    assert kinds_of_role("no_such_role") == frozenset()
    assert set(ROLES) >= {"requests", "emergency"}


def test_key_entry_must_match_its_key_and_period() -> None:
    a, b = signer(), signer()
    good = key_entry(a.public_key)
    assert good.key() == a.public_key or key_id(good.key()) == a.keyid
    with _invalid("not the id of its public key"):
        DirectoryKey(
            keyid=b.keyid,
            public_key=public_key_pem(a.public_key).decode(),
            valid_from=ISSUED,
        )
    with _invalid("valid_until must be after valid_from"):
        key_entry(a.public_key, valid_until=ISSUED)
    with _invalid("listed twice"):
        key_entry(a.public_key, roles=("requests", "requests"))
    with pytest.raises(DirectoryError):
        key_entry(a.public_key, roles=())
    with pytest.raises(DirectoryError):
        key_entry(a.public_key, roles=("superuser",))  # type: ignore[arg-type]


def test_unreadable_pem_in_a_directory_is_a_directory_error() -> None:
    a = signer()
    with pytest.raises(DirectoryError):
        DirectoryKey(keyid=a.keyid, public_key="not a pem", valid_from=ISSUED)


def test_authority_fields_are_checked() -> None:
    with _invalid("assigned"):
        fr_authority().model_copy(update={"country": "XX"})
    with pytest.raises(DirectoryError):
        fr_authority().model_copy(update={"country": "fr"})
    with _invalid("lowercase"):
        fr_authority(domains=("Police.example.fr",))
    with _invalid("police.example.fr."):
        fr_authority(domains=("police.example.fr.",))
    with _invalid("listed twice"):
        fr_authority(domains=("police.example.fr", "police.example.fr"))
    with pytest.raises(DirectoryError):
        fr_authority(domains=())
    with pytest.raises(DirectoryError):
        fr_authority(domains=("xn--plice-jye.example.fr/x",))
    with pytest.raises(DirectoryError):
        fr_authority().model_copy(update={"callback": "0140000000"})
    with pytest.raises(DirectoryError):
        fr_authority().model_copy(update={"id": "FR PJ"})
    with pytest.raises(DirectoryError):
        fr_authority().model_copy(update={"kind": "militia"})
    with pytest.raises(DirectoryError):
        Authority.model_validate({**fr_authority().model_dump(), "extra": 1})


def test_root_role_rules() -> None:
    a, b = signer(), signer()
    assert _root_role(a, b, threshold=2).threshold == 2
    with _invalid("more than"):
        _root_role(a, threshold=2)
    with pytest.raises(DirectoryError):
        _root_role(a, threshold=0)
    with _invalid("not the id of its key"):
        RootRole(keys={b.keyid: public_key_pem(a.public_key).decode()}, threshold=1)
    with pytest.raises(DirectoryError):
        RootRole(keys={}, threshold=1)


def test_directory_rules() -> None:
    root, fr = signer(), signer()
    base = Directory(
        version=1, issued=ISSUED, expires=ISSUED + timedelta(days=1), roots=_root_role(root)
    )
    with _invalid("expires must be after issued"):
        base.model_copy(update={"expires": ISSUED})
    with _invalid("authority id is listed twice"):
        base.model_copy(update={"authorities": (fr_authority(), fr_authority())})
    shared = key_entry(fr.public_key)
    other = de_authority(shared)
    with _invalid("a key is listed twice"):
        base.model_copy(update={"authorities": (fr_authority(shared), other)})
    with _invalid("root key is also"):
        base.model_copy(update={"authorities": (fr_authority(key_entry(root.public_key)),)})
    with pytest.raises(DirectoryError):
        base.model_copy(update={"version": 0})
    with pytest.raises(DirectoryError):
        Directory.model_validate({**base.model_dump(mode="json"), "type": "other"})
    with pytest.raises((DirectoryError, TypeError, ValueError)):
        base.version = 2  # type: ignore[misc]  # frozen


def test_payload_is_canonical_and_only_form_accepted() -> None:
    root, fr = signer(), signer()
    d = Directory(
        version=3,
        issued=ISSUED,
        expires=ISSUED + timedelta(days=1),
        roots=_root_role(root),
        authorities=(fr_authority(key_entry(fr.public_key)),),
    )
    data = d.payload()
    assert data == canonical_json_bytes(json.loads(data))
    assert Directory.from_payload(data) == d
    pretty = json.dumps(json.loads(data), indent=2).encode()
    with _invalid("canonical"):
        Directory.from_payload(pretty)
    with _invalid("not JSON"):
        Directory.from_payload(b"{")
    with _invalid("not JSON"):
        Directory.from_payload(b"[" * 100_000)
    # a duplicated key: the parser keeps the last value, the canonical form differs
    dup = data[:-1] + b',"version":4}'
    with pytest.raises(DirectoryError):
        Directory.from_payload(dup)
    with pytest.raises(DirectoryError):
        Directory.from_payload(b"[]")
    assert d.authority("fr-pj") is not None
    assert d.authority("nobody") is None
    owner = d.key_owner(fr.keyid)
    assert owner is not None
    assert owner[0].id == "fr-pj"
    assert d.key_owner(root.keyid) is None


# -- the folder ----------------------------------------------------------------------------------


def test_two_authorities_created_signed_verified(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    names = sorted(p.name for p in w.folder.iterdir())
    assert names == ["1.directory.json", "2.directory.json", "directory.json"]
    assert (w.folder / "directory.json").read_bytes() == (
        w.folder / "2.directory.json"
    ).read_bytes()
    env = Envelope.from_bytes((w.folder / "2.directory.json").read_bytes())
    assert env.payload_type == DIRECTORY_PAYLOAD_TYPE
    v = verify_directory(w.folder, [w.root.public_key], now=NOW)
    assert v.directory.version == 2
    assert [a.id for a in v.directory.authorities] == ["fr-pj", "de-bka"]
    assert v.anchor_version == 1
    assert v.signers == (w.root.keyid,)
    d = v.to_dict()
    assert d["ok"] is True
    assert d["version"] == 2
    assert d["authorities"] == 2
    assert d["signers"] == [w.root.keyid]
    assert d["expires"] == "2027-01-01T01:00:00Z"
    # a mirror without directory.json verifies the same
    (w.folder / "directory.json").unlink()
    assert verify_directory(w.folder, [w.root.public_key], now=NOW).directory.version == 2


def test_init_refuses_non_empty_folder_and_bad_threshold(tmp_path: Path) -> None:
    root = signer()
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "x").write_text("x")
    day = timedelta(days=1)
    with _invalid("not an empty folder"):
        init_directory(
            busy, roots=[root.public_key], threshold=1, signers=[root], now=ISSUED, expires=day
        )
    afile = tmp_path / "file"
    afile.write_text("x")
    with pytest.raises(DirectoryError):
        init_directory(
            afile, roots=[root.public_key], threshold=1, signers=[root], now=ISSUED, expires=day
        )
    target = tmp_path / "new"
    with _invalid("more than"):
        init_directory(
            target, roots=[root.public_key], threshold=2, signers=[root], now=ISSUED, expires=day
        )
    assert not target.exists()
    with _invalid("twice"):
        init_directory(
            target,
            roots=[root.public_key, root.public_key],
            threshold=1,
            signers=[],
            now=ISSUED,
            expires=day,
        )


def test_threshold_not_met_leaves_a_draft(tmp_path: Path) -> None:
    a, b = signer(), signer()
    folder = tmp_path / "dir"
    state = init_directory(
        folder,
        roots=[a.public_key, b.public_key],
        threshold=2,
        signers=[a],
        now=ISSUED,
        expires=timedelta(days=365),
    )
    assert state.latest is None
    assert state.draft is not None
    assert state.draft.version == 1
    assert state.needed == (1, 2, 0, 0)
    assert state.draft_signers == (a.keyid,)
    assert sorted(p.name for p in folder.iterdir()) == ["draft.json"]
    with pytest.raises(DirectoryVerificationError, match="no signed directory version"):
        verify_directory(folder, [a.public_key], now=NOW)
    # signing twice with the same key does not count twice
    state = sign_directory(folder, a)
    assert state.draft is not None
    assert state.needed == (1, 2, 0, 0)
    state = sign_directory(folder, b)
    assert state.draft is None
    assert state.latest is not None
    assert state.latest.version == 1
    assert not (folder / "draft.json").exists()
    v = verify_directory(folder, [a.public_key], now=NOW)
    assert set(v.signers) == {a.keyid, b.keyid}
    # both pinned keys together verify too
    assert verify_directory(folder, [a.public_key, b.public_key], now=NOW).anchor_version == 1


def test_a_non_root_key_cannot_sign(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    edit_directory(w.folder, replace_authority(fr_authority(key_entry(w.fr.public_key))), now=NOW)
    for intruder in (w.fr, w.de, signer()):
        with _invalid("not a root key"):
            sign_directory(w.folder, intruder)
    state = directory_state(w.folder)
    assert state.draft is not None
    assert state.needed == (0, 1, 0, 1)
    assert not (w.folder / "3.directory.json").exists()


def test_sign_without_draft_is_refused(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    with _invalid("no draft"):
        sign_directory(w.folder, w.root)


def test_editing_a_draft_drops_its_signatures(tmp_path: Path) -> None:
    a, b = signer(), signer()
    folder = tmp_path / "dir"
    init_directory(
        folder,
        roots=[a.public_key, b.public_key],
        threshold=2,
        signers=[a, b],
        now=ISSUED,
        expires=timedelta(days=30),
    )
    edit_directory(folder, add_authorities(fr_authority()), now=ISSUED + timedelta(days=1))
    assert directory_state(folder).needed == (0, 2, 0, 2)
    sign_directory(folder, a)
    assert directory_state(folder).needed == (1, 2, 1, 2)
    draft = edit_directory(folder, add_authorities(de_authority()), now=ISSUED + timedelta(days=2))
    assert draft.version == 2
    assert [x.id for x in draft.authorities] == ["fr-pj", "de-bka"]
    assert draft.expires - draft.issued == timedelta(days=30)
    assert directory_state(folder).needed == (0, 2, 0, 2)


def test_edit_without_directory_and_invalid_edits(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with _invalid("holds no directory"):
        edit_directory(empty, lambda d: d, now=NOW)
    with pytest.raises(DirectoryError):
        edit_directory(tmp_path / "missing", lambda d: d, now=NOW)
    w = make_world(tmp_path)
    fr2 = fr_authority().model_copy(update={"id": "fr-2"})
    # the same key under two authorities
    shared = key_entry(w.fr.public_key)
    with pytest.raises(DirectoryError):
        edit_directory(
            w.folder, add_authorities(fr2.model_copy(update={"keys": (shared,)})), now=NOW
        )
    assert not (w.folder / "draft.json").exists()


def test_root_rotation_needs_old_and_new_thresholds(tmp_path: Path) -> None:
    a, b, c, d = signer(), signer(), signer(), signer()
    folder = tmp_path / "dir"
    init_directory(
        folder,
        roots=[a.public_key, b.public_key],
        threshold=2,
        signers=[a, b],
        now=ISSUED,
        expires=timedelta(days=365),
    )
    new_roots = _root_role(c, d, threshold=2)
    edit_directory(
        folder, lambda x: x.model_copy(update={"roots": new_roots}), now=ISSUED + timedelta(days=1)
    )
    assert sign_directory(folder, a).needed == (0, 2, 1, 2)
    assert sign_directory(folder, b).needed == (0, 2, 2, 2)  # old threshold only: still a draft
    assert sign_directory(folder, c).needed == (1, 2, 2, 2)
    state = sign_directory(folder, d)
    assert state.draft is None
    assert state.latest is not None
    assert state.latest.version == 2
    v = verify_directory(folder, [a.public_key], now=NOW)
    assert v.directory.version == 2
    assert v.anchor_version == 1
    assert set(v.signers) == {c.keyid, d.keyid}
    assert verify_directory(folder, [c.public_key], now=NOW).anchor_version == 2
    # the old roots no longer sign: version 3 needs c and d only
    edit_directory(folder, add_authorities(fr_authority()), now=ISSUED + timedelta(days=2))
    for old in (a, b):
        with _invalid("not a root key"):
            sign_directory(folder, old)
    sign_directory(folder, c)
    assert sign_directory(folder, d).latest.version == 3  # type: ignore[union-attr]
    assert verify_directory(folder, [a.public_key], now=NOW).directory.version == 3


def test_version_signed_only_by_new_roots_is_refused(tmp_path: Path) -> None:
    a, c, d = signer(), signer(), signer()
    folder = tmp_path / "dir"
    init_directory(
        folder,
        roots=[a.public_key],
        threshold=1,
        signers=[a],
        now=ISSUED,
        expires=timedelta(days=365),
    )
    new_roots = _root_role(c, d, threshold=2)
    edit_directory(
        folder, lambda x: x.model_copy(update={"roots": new_roots}), now=ISSUED + timedelta(days=1)
    )
    sign_directory(folder, c)
    state = sign_directory(folder, d)
    assert state.draft is not None  # the current root has not signed: not published
    # someone publishes the draft by hand
    (folder / "draft.json").rename(folder / "2.directory.json")
    shutil.copy(folder / "2.directory.json", folder / "directory.json")
    with pytest.raises(DirectoryVerificationError) as info:
        verify_directory(folder, [a.public_key], now=NOW)
    assert any("0 of version 1's root keys" in r for r in info.value.reasons)


def test_new_version_below_new_threshold_is_refused(tmp_path: Path) -> None:
    """Version 2 (roots c, d; threshold 2) signed by the old root and c only."""
    a, c, d = signer(), signer(), signer()
    folder = tmp_path / "dir"
    init_directory(
        folder, roots=[a.public_key], threshold=1, signers=[a], now=ISSUED, expires=timedelta(30)
    )
    new_roots = _root_role(c, d, threshold=2)
    edit_directory(
        folder, lambda x: x.model_copy(update={"roots": new_roots}), now=ISSUED + timedelta(1)
    )
    sign_directory(folder, a)
    assert sign_directory(folder, c).draft is not None
    (folder / "draft.json").rename(folder / "2.directory.json")
    with pytest.raises(DirectoryVerificationError) as info:
        verify_directory(folder, [a.public_key], now=ISSUED + timedelta(2))
    assert any("1 of its own root keys, 2 needed" in r for r in info.value.reasons)


def test_one_key_signing_twice_does_not_meet_a_threshold(tmp_path: Path) -> None:
    a, b = signer(), signer()
    folder = tmp_path / "dir"
    init_directory(
        folder,
        roots=[a.public_key, b.public_key],
        threshold=2,
        signers=[a, b],
        now=ISSUED,
        expires=timedelta(days=365),
    )
    edit_directory(folder, add_authorities(fr_authority()), now=ISSUED + timedelta(days=1))
    sign_directory(folder, a)
    env = Envelope.from_bytes((folder / "draft.json").read_bytes())
    doubled = env.with_signature(env.signatures[0])
    (folder / "draft.json").unlink()
    (folder / "2.directory.json").write_bytes(doubled.to_bytes())
    with pytest.raises(DirectoryVerificationError, match="signed by 1 of version 1's"):
        verify_directory(folder, [a.public_key], now=NOW)


def test_wrong_pinned_root_is_refused(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    for wrong in (signer(), w.fr):
        with pytest.raises(DirectoryVerificationError, match="no version lists the given root"):
            verify_directory(w.folder, [wrong.public_key], now=NOW)
    with pytest.raises(DirectoryVerificationError, match="no version lists the given root"):
        verify_directory(w.folder, [w.root.public_key, signer().public_key], now=NOW)
    with pytest.raises(DirectoryVerificationError):
        verify_directory(w.folder, [], now=NOW)


def test_expired_and_future_directories_are_refused(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    expires = ISSUED + timedelta(hours=1) + timedelta(days=365)
    assert verify_directory(w.folder, [w.root.public_key], now=expires - timedelta(seconds=1))
    with pytest.raises(DirectoryVerificationError, match="expired at 2027-01-01T01:00:00Z"):
        verify_directory(w.folder, [w.root.public_key], now=expires)
    with pytest.raises(DirectoryVerificationError, match="issued in the future"):
        verify_directory(w.folder, [w.root.public_key], now=ISSUED)


# -- tampering -----------------------------------------------------------------------------------


def _refused(folder: Path, w_root: object) -> str:
    with pytest.raises(EEvidenceError) as info:
        verify_directory(folder, [w_root.public_key], now=NOW)  # type: ignore[attr-defined]
    return str(info.value)


def test_altered_payload_of_newest_version_is_refused(tmp_path: Path) -> None:
    """The attacker changes the call-back number and keeps the signatures."""
    w = make_world(tmp_path)
    path = w.folder / "2.directory.json"

    def change(d: dict[str, object]) -> None:
        d["authorities"][0]["callback"] = "+33600000000"  # type: ignore[index]

    rewrite_payload(path, change)
    shutil.copy(path, w.folder / "directory.json")
    assert "signed by 0 of version 1's root keys" in _refused(w.folder, w.root)


def test_flipped_byte_in_a_version_file_is_refused(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    path = w.folder / "2.directory.json"
    data = bytearray(path.read_bytes())
    for i in range(len(data)):  # every single-byte change of the envelope is caught
        if i % 7:
            continue
        saved = data[i]
        data[i] = saved ^ 0x01
        path.write_bytes(bytes(data))
        _refused(w.folder, w.root)
        data[i] = saved
    path.write_bytes(bytes(data))
    assert verify_directory(w.folder, [w.root.public_key], now=NOW).directory.version == 2


def test_altered_signature_is_refused(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    path = w.folder / "2.directory.json"
    env = Envelope.from_bytes(path.read_bytes())
    sig = env.signatures[0]
    bad = bytes([sig.sig[0] ^ 1]) + sig.sig[1:]
    forged = Envelope(env.payload_type, env.payload, (type(sig)(sig.keyid, bad),))
    path.write_bytes(forged.to_bytes())
    assert "signed by 0" in _refused(w.folder, w.root)


def test_other_payload_type_is_refused(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    path = w.folder / "2.directory.json"
    env = Envelope.from_bytes(path.read_bytes())
    path.write_bytes(Envelope("application/json", env.payload, env.signatures).to_bytes())
    assert "payload type" in _refused(w.folder, w.root)


def test_swapped_versions_are_refused(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    one, two = w.folder / "1.directory.json", w.folder / "2.directory.json"
    a, b = one.read_bytes(), two.read_bytes()
    one.write_bytes(b)
    two.write_bytes(a)
    assert "holds version" in _refused(w.folder, w.root)
    # the newest version's bytes under a later number
    one.write_bytes(a)
    two.unlink()
    (w.folder / "3.directory.json").write_bytes(b)
    _refused(w.folder, w.root)


def test_swapped_payloads_keep_no_signature(tmp_path: Path) -> None:
    """Version 3's payload with version 2's signatures, and the reverse."""
    w = make_world(tmp_path)
    publish(
        w.folder,
        replace_authority(fr_authority(key_entry(w.fr.public_key), domains=("x.example.fr",))),
        [w.root],
        now=ISSUED + timedelta(days=2),
    )
    two, three = w.folder / "2.directory.json", w.folder / "3.directory.json"
    e2, e3 = Envelope.from_bytes(two.read_bytes()), Envelope.from_bytes(three.read_bytes())
    three.write_bytes(Envelope(e3.payload_type, e3.payload, e2.signatures).to_bytes())
    shutil.copy(three, w.folder / "directory.json")
    assert "version 3 is signed by 0" in _refused(w.folder, w.root)


def test_deleted_middle_version_is_refused(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    publish(w.folder, add_authorities(), [w.root], now=ISSUED + timedelta(days=2))
    (w.folder / "2.directory.json").unlink()
    assert "versions are missing" in _refused(w.folder, w.root)


def test_replaced_directory_json_is_refused(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    shutil.copy(w.folder / "1.directory.json", w.folder / "directory.json")
    assert "directory.json is not version 2" in _refused(w.folder, w.root)
    (w.folder / "directory.json").write_bytes(b"{}")
    assert "directory.json is not version 2" in _refused(w.folder, w.root)


def test_added_unsigned_version_is_refused(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    edit_directory(w.folder, replace_authority(fr_authority(key_entry(w.fr.public_key))), now=NOW)
    (w.folder / "draft.json").rename(w.folder / "3.directory.json")
    assert "version 3 is signed by 0" in _refused(w.folder, w.root)


def test_version_signed_by_an_authority_key_is_refused(tmp_path: Path) -> None:
    """An authority's key (not a root) signs a new version listing itself as a root."""
    w = make_world(tmp_path)
    roots = _root_role(w.de, threshold=1)

    def takeover(d: Directory) -> Directory:
        return d.model_copy(update={"roots": roots, "authorities": ()})

    edit_directory(w.folder, takeover, now=NOW)
    env = Envelope.from_bytes((w.folder / "draft.json").read_bytes())
    from eevidence.crypto import EnvelopeSignature

    env = env.with_signature(EnvelopeSignature(w.de.keyid, w.de.sign(env.signed_bytes())))
    (w.folder / "draft.json").unlink()
    (w.folder / "3.directory.json").write_bytes(env.to_bytes())
    assert "signed by 0 of version 2's root keys" in _refused(w.folder, w.root)


def test_issued_before_previous_version_is_refused(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    publish(w.folder, add_authorities(), [w.root], now=ISSUED - timedelta(days=1))
    assert "issued before version 2" in _refused(w.folder, w.root)


def test_rollback_by_deleting_newest_version_is_refused(tmp_path: Path) -> None:
    """Without a kept state only expiry bounds a rollback; with the version verified last
    (TUF 1.0 section 5.3.5) an older copy is refused."""
    w = make_world(tmp_path)
    publish(w.folder, add_authorities(), [w.root], now=ISSUED + timedelta(days=2))
    seen = verify_directory(w.folder, [w.root.public_key], now=NOW)
    assert seen.directory.version == 3
    assert seen.state is not None
    assert seen.state.version == 3
    (w.folder / "3.directory.json").unlink()
    (w.folder / "directory.json").unlink()
    with pytest.raises(DirectoryVerificationError, match="older than version 3"):
        verify_directory(w.folder, [w.root.public_key], now=NOW, trusted=seen.state)


def test_a_rewritten_version_seen_before_is_refused(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    seen = verify_directory(w.folder, [w.root.public_key], now=NOW)
    assert seen.state is not None
    rewrite_payload(
        w.folder / "2.directory.json", lambda d: d.update(expires="2030-01-01T00:00:00Z")
    )
    with pytest.raises(DirectoryVerificationError, match="verified before"):
        verify_directory(w.folder, [w.root.public_key], now=NOW, trusted=seen.state)


def test_cli_state_file_refuses_a_rollback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w = make_world(tmp_path)
    root_pub = tmp_path / "root.pub"
    write_public_key(w.root.public_key, root_pub)
    state = tmp_path / "state.json"
    verify = ["directory", "verify", str(w.folder), "--root", str(root_pub), "--state", str(state)]
    assert main([*verify, "--now", "2026-12-01T00:00:00Z"]) == 0
    assert json.loads(state.read_text())["version"] == 2
    assert state.stat().st_mode & 0o077 == 0
    (w.folder / "2.directory.json").unlink()
    (w.folder / "directory.json").unlink()
    capsys.readouterr()
    assert main([*verify, "--now", "2026-12-01T00:00:00Z", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False
    assert "older than version 2" in out["reasons"][0]


def test_rollback_by_replacing_directory_json_only_is_refused(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    publish(w.folder, add_authorities(), [w.root], now=ISSUED + timedelta(days=2))
    shutil.copy(w.folder / "2.directory.json", w.folder / "directory.json")
    assert "directory.json is not version 3" in _refused(w.folder, w.root)


def test_altered_old_version_is_refused(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    rewrite_payload(
        w.folder / "1.directory.json",
        lambda d: d.update(expires="2030-01-01T00:00:00Z"),
    )
    _refused(w.folder, w.root)


# -- bad files -----------------------------------------------------------------------------------


def test_malformed_version_files_raise_directory_errors(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    path = w.folder / "2.directory.json"
    good = path.read_bytes()
    for bad in (b"", b"{", b"[]", b"\xff\xfe", b'{"payload": 1}', b"null"):
        path.write_bytes(bad)
        with pytest.raises(DirectoryError):
            verify_directory(w.folder, [w.root.public_key], now=NOW)
        with pytest.raises(DirectoryError):
            directory_state(w.folder)
    path.write_bytes(good)
    # a payload that is JSON but not a directory
    env = Envelope.from_bytes(good)
    path.write_bytes(Envelope(DIRECTORY_PAYLOAD_TYPE, b'{"type":"x"}', env.signatures).to_bytes())
    with pytest.raises(DirectoryError):
        verify_directory(w.folder, [w.root.public_key], now=NOW)


def test_fifo_and_directory_as_version_file_do_not_block(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    os.mkfifo(w.folder / "3.directory.json")
    with _invalid("not a regular file"):
        verify_directory(w.folder, [w.root.public_key], now=NOW)
    (w.folder / "3.directory.json").unlink()
    (w.folder / "3.directory.json").mkdir()
    with _invalid("not a regular file"):
        verify_directory(w.folder, [w.root.public_key], now=NOW)
    (w.folder / "3.directory.json").rmdir()
    os.mkfifo(w.folder / "draft.json")
    with _invalid("not a regular file"):
        directory_state(w.folder)
    with _invalid("not a regular file"):
        sign_directory(w.folder, w.root)


def test_huge_version_file_is_refused(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    path = w.folder / "3.directory.json"
    with path.open("wb") as fh:
        fh.truncate(9 * 1024 * 1024)  # sparse
    with _invalid("larger than"):
        verify_directory(w.folder, [w.root.public_key], now=NOW)


def test_other_file_names_are_ignored(tmp_path: Path) -> None:
    w = make_world(tmp_path)
    for name in ("01.directory.json", "0.directory.json", "3.directory.json.bak", "x.json"):
        (w.folder / name).write_bytes(b"garbage")
    assert verify_directory(w.folder, [w.root.public_key], now=NOW).directory.version == 2


# -- the command line ----------------------------------------------------------------------------


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert "internal error" not in err
    return code, out, err


def _one_error(err: str) -> str:
    assert err.startswith("eevidence: "), err
    return err.splitlines()[0]


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name in ("root", "root2", "fr", "de", "other"):
        _, priv, pub = key_files(tmp_path, name)
        out[name], out[name + "_pub"] = priv, pub
    return out


def _cli_world(tmp_path: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> Path:
    d = str(tmp_path / "dir")
    root = str(keys["root"])
    assert _run(["directory", "init", d, "--root-key", root, "--now", "2026-01-01"], capsys)[0] == 0
    fr = ["--id", "fr-pj", "--name", "Police Judiciaire", "--country", "FR", "--kind", "police"]
    fr += ["--domain", "police.example.fr", "--callback", FR_CALLBACK]
    fr += ["--key", str(keys["fr_pub"]), "--role", "requests", "--role", "emergency"]
    fr += ["--valid-from", "2026-01-01", "--now", "2026-01-01T01:00:00Z"]
    code, out, _ = _run(["directory", "add", d, *fr], capsys)
    assert code == 0
    assert "draft version 2, signed by 0 of 1" in out
    de = ["--id", "de-bka", "--name", "Bundeskriminalamt", "--country", "DE", "--kind", "police"]
    de += ["--domain", "bka.example.de", "--domain", "polizei.example.de"]
    de += ["--callback", "+49611550", "--key", str(keys["de_pub"])]
    de += ["--valid-from", "2026-01-01", "--now", "2026-01-01T01:00:00Z"]
    assert _run(["directory", "add", d, *de], capsys)[0] == 0
    code, out, _ = _run(["directory", "sign", d, "--key", root], capsys)
    assert code == 0
    assert "version 2 published" in out
    return tmp_path / "dir"


def test_cli_create_sign_verify_show(
    tmp_path: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _cli_world(tmp_path, keys, capsys)
    d, root_pub = str(folder), str(keys["root_pub"])
    code, out, _ = _run(["directory", "verify", d, "--root", root_pub, "--now", NOW_TEXT], capsys)
    assert code == 0
    assert "VERIFIED version 2 (from version 1), 2 authorities" in out
    code, out, _ = _run(
        ["directory", "verify", d, "--root", root_pub, "--now", NOW_TEXT, "--json"], capsys
    )
    doc = json.loads(out)
    assert code == 0
    assert doc["ok"] is True
    assert doc["version"] == 2
    assert doc["authorities"] == 2
    code, out, _ = _run(["directory", "show", d], capsys)
    assert code == 0
    assert "not verified" in out
    assert "fr-pj  Police Judiciaire (FR, police)  call back +33140000000" in out
    assert "requests, emergency" in out
    assert "active" in out
    assert "bka.example.de, polizei.example.de" in out
    code, out, _ = _run(["directory", "show", d, "--json"], capsys)
    shown = json.loads(out)
    assert shown["verified"] is False
    assert shown["draft"] is None
    [de] = [a for a in shown["published"]["authorities"] if a["id"] == "de-bka"]
    assert de["keys"][0]["roles"] == ["requests"]  # the default role
    assert de["domains"] == ["bka.example.de", "polizei.example.de"]


def test_cli_verify_failures_exit_1(
    tmp_path: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _cli_world(tmp_path, keys, capsys)
    d = str(folder)
    argv = ["directory", "verify", d, "--root", str(keys["other_pub"]), "--now", NOW_TEXT]
    code, out, _ = _run(argv, capsys)
    assert code == 1
    assert "NOT VERIFIED" in out
    assert "no version lists the given root" in out
    code, out, _ = _run([*argv, "--json"], capsys)
    doc = json.loads(out)
    assert code == 1
    assert doc["ok"] is False
    assert doc["reasons"]
    argv = ["directory", "verify", d, "--root", str(keys["root_pub"]), "--now", "2027-06-01"]
    code, out, _ = _run([*argv, "--json"], capsys)
    assert code == 1
    assert "expired at 2027-01-01T01:00:00Z" in json.loads(out)["reasons"][0]


def test_cli_threshold_two_and_rotation(
    tmp_path: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    d = str(tmp_path / "dir")
    argv = ["directory", "init", d, "--root-key", str(keys["root"])]
    argv += ["--root-key", str(keys["root2_pub"]), "--threshold", "2", "--now", "2026-01-01"]
    code, out, _ = _run(argv, capsys)
    assert code == 0
    assert "draft version 1, signed by 1 of 2 root key(s) needed" in out
    assert sorted(p.name for p in Path(d).iterdir()) == ["draft.json"]
    code, _, err = _run(["directory", "sign", d, "--key", str(keys["fr"])], capsys)
    assert code == 1
    assert "not a root key" in _one_error(err)
    code, out, _ = _run(["directory", "sign", d, "--key", str(keys["root2"])], capsys)
    assert code == 0
    assert "version 1 published" in out
    # rotate to a single new root
    argv = ["directory", "rotate", d, "--root-key", str(keys["other_pub"]), "--threshold", "1"]
    code, out, _ = _run([*argv, "--now", "2026-02-01"], capsys)
    assert code == 0
    assert "signed by 0 of 1 new root key(s) needed and 0 of 2 current ones" in out
    for k in ("root", "root2"):
        code, out, _ = _run(["directory", "sign", d, "--key", str(keys[k])], capsys)
        assert code == 0
        assert "draft version 2" in out
    code, out, _ = _run(["directory", "sign", d, "--key", str(keys["other"])], capsys)
    assert code == 0
    assert "version 2 published" in out
    for root in ("root_pub", "root2_pub", "other_pub"):
        argv = ["directory", "verify", d, "--root", str(keys[root]), "--now", NOW_TEXT]
        assert _run(argv, capsys)[0] == 0


def test_cli_revoke_makes_a_draft(
    tmp_path: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _cli_world(tmp_path, keys, capsys)
    d = str(folder)
    argv = ["directory", "revoke", d, "--key", str(keys["fr_pub"]), "--reason", "key stolen"]
    argv += ["--at", "2026-11-20T00:00:00Z", "--now", "2026-11-20T01:00:00Z"]
    code, out, _ = _run(argv, capsys)
    assert code == 0
    assert "draft version 3" in out
    code, out, _ = _run(["directory", "show", d], capsys)
    assert "draft version 3" in out
    assert "REVOKED 2026-11-20T00:00:00Z: key stolen" in out
    code, _, err = _run(argv, capsys)  # twice: the draft already holds the revocation
    assert code == 1
    assert "already revoked" in _one_error(err)
    assert _run(["directory", "sign", d, "--key", str(keys["root"])], capsys)[0] == 0
    state = directory_state(folder)
    assert state.latest is not None
    assert state.latest.version == 3
    owner = state.latest.key_owner(key_id_of(keys["fr_pub"]))
    assert owner is not None
    assert owner[1].revoked == Revocation(at="2026-11-20T00:00:00Z", reason="key stolen")  # type: ignore[arg-type]


def key_id_of(pub: Path) -> str:
    from eevidence.crypto import load_public_key

    return key_id(load_public_key(pub))


def test_cli_add_key_to_existing_authority_and_change_fields(
    tmp_path: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _cli_world(tmp_path, keys, capsys)
    d = str(folder)
    argv = ["directory", "add", d, "--id", "fr-pj", "--key", str(keys["other_pub"])]
    argv += ["--role", "preservation", "--valid-from", "2026-03-01"]
    argv += ["--valid-until", "2026-06-01", "--callback", "+33140000999", "--now", "2026-03-01"]
    assert _run(argv, capsys)[0] == 0
    state = directory_state(folder)
    assert state.draft is not None
    fr = state.draft.authority("fr-pj")
    assert fr is not None
    assert fr.callback == "+33140000999"
    assert len(fr.keys) == 2
    assert fr.keys[1].roles == ("preservation",)
    assert fr.keys[1].valid_until is not None
    code, _, err = _run(argv, capsys)
    assert code == 1
    assert "already listed" in _one_error(err)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--country", "XX"], "not an assigned"),
        (["--country", "fr"], "country"),
        (["--domain", "Police.example.fr"], "lowercase"),
        (["--domain", "not a domain"], "domain"),
        (["--callback", "0140000000"], "E.164"),
        (["--valid-from", "2026-06-01", "--valid-until", "2026-01-01"], "valid_until"),
        (["--valid-from", "tomorrow"], "--valid-from"),
    ],
)
def test_cli_add_rejects_bad_fields(
    tmp_path: Path,
    keys: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    expected: str,
) -> None:
    folder = _cli_world(tmp_path, keys, capsys)
    base = {
        "--name": "Parquet",
        "--country": "FR",
        "--kind": "prosecutor",
        "--domain": "justice.example.fr",
        "--callback": "+33144000000",
        "--key": str(keys["other_pub"]),
    }
    for i in range(0, len(extra), 2):
        base[extra[i]] = extra[i + 1]
    argv = ["directory", "add", str(folder), "--id", "fr-pnat", "--now", "2026-03-01"]
    for k, v in base.items():
        argv += [k, v]
    code, _, err = _run(argv, capsys)
    assert code in (1, 2)
    assert expected in err
    assert not (folder / "draft.json").exists()


def test_cli_bad_inputs_give_one_line_errors(
    tmp_path: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _cli_world(tmp_path, keys, capsys)
    d, root, root_pub = str(folder), str(keys["root"]), str(keys["root_pub"])
    missing = str(tmp_path / "missing")
    cases: list[tuple[list[str], int, str]] = [
        (["directory", "verify", missing, "--root", root_pub], 1, "cannot read"),
        (["directory", "verify", d, "--root", missing], 1, "cannot read"),
        (["directory", "verify", d, "--root", root], 1, "public key"),
        (["directory", "show", missing], 1, "cannot read"),
        (["directory", "sign", d, "--key", root], 1, "no draft"),
        (["directory", "sign", d, "--key", missing], 1, "missing"),
        (["directory", "init", d, "--root-key", root], 1, "not an empty folder"),
        (["directory", "init", missing, "--root-key", root, "--threshold", "0"], 2, "threshold"),
        (["directory", "init", missing, "--root-key", root, "--threshold", "2"], 1, "more than"),
        (["directory", "init", missing, "--root-key", root, "--expires", "soon"], 1, "soon"),
        (["directory", "init", missing, "--root-key", missing], 1, "missing"),
        (["directory", "rotate", d, "--root-key", root_pub, "--threshold", "0"], 1, "threshold"),
        (["directory", "revoke", d, "--key", root_pub, "--reason", "x"], 1, "not listed"),
        (["directory", "add", d, "--id", "new", "--name", "X"], 2, "needs --country"),
        (["directory", "add", d, "--id", "new", "--role", "emergency"], 2, "describe a --key"),
        (["directory", "add", d, "--id", "fr-pj"], 2, "give --key"),
        (["directory", "add", d, "--id", "x", "--key", root], 1, "public key"),
        (["directory", "verify", d, "--root", root_pub, "--now", "yesterday"], 2, "--now"),
        (["directory", "frobnicate", d], 2, "frobnicate"),
    ]
    for argv, expected_code, text in cases:
        code, _, err = _run(argv, capsys)
        assert code == expected_code, (argv, code, err)
        assert text in err, (argv, err)
        _one_error(err)
    assert not Path(missing).exists()
    assert sorted(p.name for p in folder.iterdir()) == [
        "1.directory.json",
        "2.directory.json",
        "directory.json",
    ]


def test_cli_root_key_as_authority_key_is_refused(
    tmp_path: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _cli_world(tmp_path, keys, capsys)
    argv = ["directory", "add", str(folder), "--id", "de-bka", "--key", str(keys["root_pub"])]
    code, _, err = _run([*argv, "--now", "2026-03-01"], capsys)
    assert code == 1
    assert "root key is also" in err


def test_cli_malformed_fifo_and_huge_files(
    tmp_path: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _cli_world(tmp_path, keys, capsys)
    verify = ["directory", "verify", str(folder), "--root", str(keys["root_pub"])]
    verify += ["--now", NOW_TEXT]
    path = folder / "2.directory.json"
    good = path.read_bytes()
    path.write_bytes(b'{"payload": ')
    code, _, err = _run(verify, capsys)
    assert code == 1
    assert "2.directory.json" in _one_error(err)
    path.unlink()
    os.mkfifo(path)
    code, _, err = _run(verify, capsys)
    assert code == 1
    assert "not a regular file" in _one_error(err)
    path.unlink()
    with path.open("wb") as fh:
        fh.truncate(20 * 1024 * 1024)
    code, _, err = _run(verify, capsys)
    assert code == 1
    assert "larger than" in _one_error(err)
    path.write_bytes(good)
    (folder / "draft.json").write_bytes(b"[]")
    code, _, err = _run(["directory", "show", str(folder)], capsys)
    assert code == 1
    assert "draft.json" in _one_error(err)
    code, _, err = _run(["directory", "sign", str(folder), "--key", str(keys["root"])], capsys)
    assert code == 1
    assert "draft.json" in _one_error(err)


def test_cli_expires_option_sets_validity(
    tmp_path: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    d = str(tmp_path / "dir")
    argv = ["directory", "init", d, "--root-key", str(keys["root"]), "--expires", "2d"]
    assert _run([*argv, "--now", "2026-01-01"], capsys)[0] == 0
    state = directory_state(d)
    assert state.latest is not None
    assert state.latest.expires - state.latest.issued == timedelta(days=2)
    verify = ["directory", "verify", d, "--root", str(keys["root_pub"])]
    assert _run([*verify, "--now", "2026-01-02"], capsys)[0] == 0
    assert _run([*verify, "--now", "2026-01-03"], capsys)[0] == 1


def test_errors_share_the_root() -> None:
    assert issubclass(DirectoryError, EEvidenceError)
    assert issubclass(DirectoryVerificationError, EEvidenceError)
    err = DirectoryVerificationError("x", ["a", "b"])
    assert err.reasons == ("a", "b")
    assert DirectoryVerificationError("only").reasons == ("only",)
    # the folder state of an unknown folder
    with pytest.raises(DirectoryError):
        directory_state("/nonexistent/eevidence/dir")


def test_published_payloads_conform_to_the_published_schema(tmp_path: Path) -> None:
    """schemas/directory.schema.json (Draft 2020-12) accepts what eevidence signs, and
    refuses a version without roots (jsonschema is the oracle, not the model)."""
    from jsonschema import Draft202012Validator

    from tests.helpers import ROOT

    schema = json.loads((ROOT / "schemas" / "directory.schema.json").read_text())
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    w = make_world(tmp_path)
    for n in (1, 2):
        payload = json.loads(
            Envelope.from_bytes((w.folder / f"{n}.directory.json").read_bytes()).payload
        )
        assert list(validator.iter_errors(payload)) == []
    del payload["roots"]
    assert list(validator.iter_errors(payload)) != []


def test_cli_add_recipient_then_encrypt_to_the_directory_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An authority's age recipient is added with directory add --recipient; a package is
    then encrypted to directory:DIR#ID and opened with the matching identity."""
    from tests.helpers import EXAMPLES

    w = make_world(tmp_path)
    root_pem = tmp_path / "root.pem"
    root_pub = tmp_path / "root.pub"
    write_private_key(w.root._key, root_pem)
    write_public_key(w.root.public_key, root_pub)
    identity, recipient = tmp_path / "id.txt", tmp_path / "r.txt"
    assert main(["keys", "identity", "-o", str(identity), "--recipient", str(recipient)]) == 0
    age = recipient.read_text().strip()
    now = ("--now", "2026-12-01T00:00:00Z")
    assert main(["directory", "add", str(w.folder), "--id", "fr-pj", "--recipient", age, *now]) == 0
    assert main(["directory", "sign", str(w.folder), "--key", str(root_pem)]) == 0
    assert (
        main(["directory", "add", str(w.folder), "--id", "fr-pj", "--recipient", "age1x", *now])
        == 1
    )
    officer = tmp_path / "officer.pem"
    assert main(["keys", "generate", "-o", str(officer)]) == 0
    out = tmp_path / "sealed.age"
    build = ["package", "build", str(EXAMPLES / "preservation.json"), "--key", str(officer)]
    build += ["--no-letter", "--no-record", "--attach", str(_attachment(tmp_path)), "-o", str(out)]
    build += ["--encrypt-to", f"directory:{w.folder}#fr-pj", "--directory-root", str(root_pub)]
    assert main([*build, *now]) == 0, capsys.readouterr()
    opened = tmp_path / "opened.zip"
    decrypt = ["package", "decrypt", str(out), "--identity", str(identity), "-o", str(opened)]
    assert main(decrypt) == 0
    assert opened.read_bytes().startswith(b"PK")


def _attachment(tmp_path: Path) -> Path:
    from eevidence._cli._package import placeholder_pdf

    path = tmp_path / "screenshot-profile.pdf"
    path.write_bytes(placeholder_pdf("scan"))
    return path
