"""Signed packages: golden vectors, named negative vectors, safety, interoperability, fuzzing."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import bagit
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import eevidence as ee
from eevidence.crypto import (
    Envelope,
    KeySigner,
    Signer,
    TrustStore,
    key_id,
    load_trust_store,
    public_key_pem,
)
from eevidence.errors import (
    IntegrityError,
    PackageError,
    PackageTrustError,
    PackageVerificationError,
    TrustError,
)
from eevidence.package import (
    PAYLOAD_TYPE,
    SIGNATURE_FILE,
    DirReader,
    PackageLimits,
    ZipReader,
    inspect_package,
    package_report,
    parse_manifest,
)
from eevidence.package._bag import check_member_name
from eevidence.package._hash import hash_entries
from tests.helpers import EXAMPLES
from tests.package_vectors import (
    ATTACHMENT,
    NEGATIVE,
    NOW,
    OFFICER,
    OUTSIDER,
    VALIDATOR,
    VECTORS,
    attachment_bytes,
    build_golden,
    negative_vector,
    read_entries,
    write_entries,
)

GOLDEN = VECTORS / "golden.zip"


@pytest.fixture(scope="module")
def trust() -> TrustStore:
    return load_trust_store(VECTORS / "trust")


@pytest.fixture
def attachment(tmp_path: Path) -> Path:
    p = tmp_path / "in" / ATTACHMENT
    p.parent.mkdir()
    p.write_bytes(attachment_bytes())
    return p


@pytest.fixture
def request_model() -> ee.Request:
    return ee.read_request(EXAMPLES / "preservation.json")


def build(
    tmp_path: Path,
    attachment: Path,
    name: str = "pkg.zip",
    *,
    signers: list[Signer] | None = None,
    documents: list[str | os.PathLike[str] | tuple[str, bytes]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Path:
    request = ee.read_request(EXAMPLES / "preservation.json")
    return ee.build_package(
        request,
        tmp_path / name,
        signers=signers or [KeySigner(OFFICER)],
        now=NOW,
        attachments=[attachment],
        documents=documents or (),
        progress=progress,
    )


# --------------------------------------------------------------------------- golden vectors


def test_golden_zip_is_regenerated_byte_for_byte(tmp_path: Path) -> None:
    rebuilt = build_golden(tmp_path / "golden.zip")
    assert rebuilt.read_bytes() == GOLDEN.read_bytes()


def test_golden_directory_form_has_the_same_files(tmp_path: Path) -> None:
    rebuilt = build_golden(tmp_path / "golden")
    entries = {i.filename.split("/", 1)[1]: d for i, d in read_entries(GOLDEN.read_bytes())}
    on_disk = {
        p.relative_to(rebuilt).as_posix(): p.read_bytes()
        for p in sorted(rebuilt.rglob("*"))
        if p.is_file()
    }
    assert on_disk == entries


def test_golden_trust_keys_are_the_fixed_keys() -> None:
    assert (VECTORS / "trust" / "officer.pem").read_bytes() == public_key_pem(OFFICER)
    assert (VECTORS / "trust" / "validator.pem").read_bytes() == public_key_pem(VALIDATOR)


def test_golden_verifies_with_threshold_two(trust: TrustStore) -> None:
    report = ee.verify_package(GOLDEN, trust, threshold=2)
    assert report.ok
    assert report.fixity_ok
    assert report.policy_met
    assert set(report.valid_signers) == {
        key_id(OFFICER.public_key()),
        key_id(VALIDATOR.public_key()),
    }
    assert [s.status for s in report.signatures] == ["valid", "valid"]
    assert {f.path for f in report.files} >= {
        "data/request.json",
        f"data/attachments/{ATTACHMENT}",
        "bag-info.txt",
        "manifest-sha256.txt",
    }
    info = dict(report.info)
    assert info["External-Identifier"] == "3f1c2a6e-1b7d-4c9a-9e0f-5a2b7c8d9e01"
    assert info["EEvidence-Request-Kind"] == "preservation"
    assert info["Payload-Oxum"] == f"{_payload_bytes()}.2"


def _payload_bytes() -> int:
    request = ee.read_request(EXAMPLES / "preservation.json")
    return len(ee.canonical_bytes(request)) + len(attachment_bytes())


def test_golden_request_bytes_are_canonical() -> None:
    entries = {i.filename.split("/", 1)[1]: d for i, d in read_entries(GOLDEN.read_bytes())}
    request = ee.read_request(EXAMPLES / "preservation.json")
    assert entries["data/request.json"] == ee.canonical_bytes(request)
    env = Envelope.from_bytes(entries[SIGNATURE_FILE])
    assert env.payload == entries["tagmanifest-sha256.txt"]
    assert env.payload_type == PAYLOAD_TYPE


def test_zip_is_deterministic_and_uses_fixed_metadata(tmp_path: Path, attachment: Path) -> None:
    a = build(tmp_path, attachment, "a.zip").read_bytes()
    b = build(tmp_path, attachment, "b.zip").read_bytes()
    assert a == b
    with zipfile.ZipFile(io.BytesIO(a)) as zf:
        names = zf.namelist()
        assert names == sorted(names)
        for info in zf.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.external_attr >> 16 == 0o100644
            assert info.compress_type == zipfile.ZIP_STORED


# --------------------------------------------------------------------------- negative vectors


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_negative_vector_is_regenerated_and_fails_for_its_reason(
    name: str, trust: TrustStore
) -> None:
    committed = VECTORS / "negative" / f"{name}.zip"
    assert negative_vector(name, GOLDEN.read_bytes()) == committed.read_bytes()
    report = package_report(committed, trust, threshold=2)
    assert not report.ok
    reason = NEGATIVE[name][1]
    assert any(reason in r for r in report.reasons()), report.reasons()
    with pytest.raises(PackageVerificationError) as exc:
        ee.verify_package(committed, trust, threshold=2)
    assert exc.value.report is not None
    assert reason.split(":")[0] in exc.value.diagnostics()
    assert not isinstance(exc.value, TrustError)  # altered or malformed: integrity, not trust


def test_untrusted_key_signature_is_unknown(tmp_path: Path, attachment: Path) -> None:
    pkg = build(tmp_path, attachment, signers=[KeySigner(OUTSIDER)])
    report = package_report(pkg, load_trust_store(VECTORS / "trust"))
    assert not report.payload_checked  # signatures first: an untrusted package is not read
    assert report.files == ()
    assert not report.ok
    assert [s.status for s in report.signatures] == ["unknown_key"]
    assert any(r.startswith("threshold_not_met") for r in report.reasons())


def test_threshold_not_met(tmp_path: Path, attachment: Path, trust: TrustStore) -> None:
    pkg = build(tmp_path, attachment)
    assert package_report(pkg, trust, threshold=1).ok
    report = package_report(pkg, trust, threshold=2)
    assert not report.ok
    assert not report.payload_checked
    assert package_report(pkg, trust, threshold=2, fixity_only=True).fixity_ok
    assert "threshold_not_met: 1 valid trusted signature(s), 2 required" in report.reasons()


def test_an_intact_package_signed_by_an_unknown_key_is_a_trust_error(
    tmp_path: Path, attachment: Path, trust: TrustStore
) -> None:
    pkg = build(tmp_path, attachment, signers=[KeySigner(OUTSIDER)])
    with pytest.raises(TrustError) as info:
        ee.verify_package(pkg, trust)
    error = info.value
    assert isinstance(error, PackageTrustError)
    assert isinstance(error, PackageVerificationError)  # still caught as before
    assert error.source == str(pkg)
    assert error.code == "verification_failed"
    assert isinstance(error.report, ee.VerificationReport)
    assert not error.report.payload_checked
    assert not error.report.problems
    assert str(error) == (
        "package verification failed: signature 0 unknown_key; "
        "threshold_not_met: 0 valid trusted signature(s), 1 required"
    )


def test_too_few_trusted_signers_is_a_trust_error(
    tmp_path: Path, attachment: Path, trust: TrustStore
) -> None:
    pkg = build(tmp_path, attachment)
    assert ee.verify_package(pkg, trust, threshold=1).ok
    with pytest.raises(PackageTrustError, match="threshold_not_met: 1 valid"):
        ee.verify_package(pkg, trust, threshold=2)


def test_an_altered_or_unsigned_package_is_not_a_trust_error(
    tmp_path: Path, attachment: Path, trust: TrustStore
) -> None:
    pkg = build(tmp_path, attachment, "p", signers=[KeySigner(OFFICER), KeySigner(OUTSIDER)])
    (pkg / "data" / "request.json").write_bytes(b"{}")  # altered: integrity
    # (altered and untrusted: a trust error, its files are not read; see test_package_trust)
    with pytest.raises(PackageVerificationError) as info:
        ee.verify_package(pkg, trust)
    assert isinstance(info.value, IntegrityError)
    assert not isinstance(info.value, TrustError)
    bag_dir = tmp_path / "bag"
    bag_dir.mkdir()
    (bag_dir / "a.txt").write_text("a")
    bagit.make_bag(str(bag_dir), checksums=["sha256"])
    with pytest.raises(PackageVerificationError, match="unsigned") as info:
        ee.verify_package(bag_dir, trust)
    assert not isinstance(info.value, TrustError)


def test_same_key_twice_counts_once(tmp_path: Path, attachment: Path, trust: TrustStore) -> None:
    signer = KeySigner(OFFICER)
    pkg = build(tmp_path, attachment, signers=[signer, signer])
    report = package_report(pkg, trust, threshold=2)
    assert [s.status for s in report.signatures] == ["valid", "valid"]
    assert len(report.valid_signers) == 1
    assert not report.policy_met


def test_keyid_hint_is_not_trusted(tmp_path: Path, attachment: Path, trust: TrustStore) -> None:
    """An outsider's signature labelled with the officer's key id stays unverified; a valid
    signature with a wrong label is still found by trying every trusted key."""
    pkg = build(tmp_path, attachment, "p")
    env = Envelope.from_bytes((pkg / SIGNATURE_FILE).read_bytes())
    officer_id = key_id(OFFICER.public_key())
    forged = KeySigner(OUTSIDER).sign(env.signed_bytes())
    from eevidence.crypto import EnvelopeSignature

    relabelled = Envelope(
        env.payload_type,
        env.payload,
        (EnvelopeSignature("0" * 64, env.signatures[0].sig), EnvelopeSignature(officer_id, forged)),
    )
    (pkg / SIGNATURE_FILE).write_bytes(relabelled.to_bytes())
    report = package_report(pkg, trust)
    assert [s.status for s in report.signatures] == ["valid", "invalid"]
    assert report.signatures[0].keyid == officer_id
    assert report.valid_signers == (officer_id,)
    with pytest.raises(PackageVerificationError) as info:  # a trusted key's signature fails
        ee.verify_package(pkg, trust, threshold=2)
    assert not isinstance(info.value, TrustError)


def test_size_mismatch_is_named(tmp_path: Path, attachment: Path, trust: TrustStore) -> None:
    pkg = build(tmp_path, attachment, "p")
    (pkg / "data" / "attachments" / ATTACHMENT).write_bytes(b"shorter")
    (result,) = [f for f in package_report(pkg, trust).files if f.status != "ok"]
    assert result.status == "size_mismatch"
    assert (result.expected, result.found) == (str(len(attachment_bytes())), "7")


def test_directory_symlink_is_refused(tmp_path: Path, attachment: Path, trust: TrustStore) -> None:
    pkg = build(tmp_path, attachment, "p")
    (pkg / "data" / "attachments" / "link").symlink_to("/etc/passwd")
    report = package_report(pkg, trust)
    assert [p.code for p in report.problems] == ["symlink"]
    assert not report.files  # nothing was read
    link = tmp_path / "link"
    link.symlink_to(pkg)
    assert package_report(link, trust).problems[0].code == "symlink"


def test_directory_special_file_is_refused(
    tmp_path: Path, attachment: Path, trust: TrustStore
) -> None:
    pkg = build(tmp_path, attachment, "p")
    os.mkfifo(pkg / "data" / "fifo")
    assert package_report(pkg, trust).problems[0].code == "special_file"


def test_unreadable_inputs_give_structural_problems(tmp_path: Path, trust: TrustStore) -> None:
    assert package_report(tmp_path / "absent", trust).problems[0].code == "not_found"
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    assert package_report(junk, trust).problems[0].code == "not_a_package"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert package_report(empty, trust).problems[0].code == "not_a_bag"
    with pytest.raises(ee.InputError):
        package_report(empty, trust, threshold=0)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("/abs", "absolute_path"),
        ("C:/x", "absolute_path"),
        ("a/../b", "path_traversal"),
        ("..", "path_traversal"),
        ("a\\b", "unsafe_path"),
        ("a//b", "unsafe_path"),
        ("./a", "unsafe_path"),
        ("a\nb", "unsafe_path"),
        ("", "unsafe_path"),
    ],
)
def test_member_names(name: str, code: str) -> None:
    with pytest.raises(PackageError) as exc:
        check_member_name(name, source="t")
    assert exc.value.code == code


def test_zip_limits_are_checked_before_reading(tmp_path: Path) -> None:
    golden = GOLDEN.read_bytes()
    path = tmp_path / "g.zip"
    path.write_bytes(golden)
    with pytest.raises(PackageError) as exc:
        ZipReader(path, PackageLimits(max_entries=3))
    assert exc.value.code == "too_many_entries"
    with pytest.raises(PackageError) as exc:
        ZipReader(path, PackageLimits(max_file_size=100))
    assert exc.value.code == "zip_bomb"
    with pytest.raises(PackageError) as exc:
        ZipReader(path, PackageLimits(max_total_size=1000))
    assert exc.value.code == "zip_bomb"
    with pytest.raises(PackageError) as exc:
        DirReader(tmp_path, PackageLimits(max_entries=0))
    assert exc.value.code == "too_many_entries"


def test_zip_encrypted_and_unsupported_entries_are_refused(tmp_path: Path) -> None:
    entries = read_entries(GOLDEN.read_bytes())
    data = bytearray(write_entries(entries))
    # Set the "encrypted" flag of the first central-directory record.
    cd = data.index(b"PK\x01\x02")
    data[cd + 8] |= 0x01
    path = tmp_path / "enc.zip"
    path.write_bytes(bytes(data))
    with pytest.raises(PackageError) as exc:
        ZipReader(path, PackageLimits())
    assert exc.value.code == "encrypted_entry"
    data = bytearray(write_entries(entries))
    data[cd + 10] = 12  # bzip2
    path.write_bytes(bytes(data))
    with pytest.raises(PackageError) as exc:
        ZipReader(path, PackageLimits())
    assert exc.value.code == "unsupported_compression"


def test_huge_tag_file_is_refused(tmp_path: Path, trust: TrustStore) -> None:
    report = package_report(GOLDEN, trust, limits=PackageLimits(max_tag_file_size=100))
    assert report.problems[0].code == "too_large"


def test_malformed_manifests_are_reported(
    tmp_path: Path, attachment: Path, trust: TrustStore
) -> None:
    pkg = build(tmp_path, attachment, "p")
    manifest = pkg / "manifest-sha256.txt"
    manifest.write_bytes(
        manifest.read_bytes()
        + b"nothex  data/x\nonlyone\n"
        + b"0" * 64
        + b"  ../up\n"
        + b"0" * 64
        + b"  data/request.json\n"
        + b"0" * 64
        + b"  bagit.txt\n"
    )
    (pkg / "manifest-md5.txt").write_bytes(b"")
    (pkg / "bagit.txt").write_bytes(b"BagIt-Version: 2.0\nTag-File-Character-Encoding: latin-1\n")
    (pkg / "payload-sizes.txt").write_bytes(b"12 data/other\nbad line\n")
    (pkg / "bag-info.txt").write_bytes(b"no colon here\n  continued\nA: b\n  more\n")
    codes = {p.code for p in package_report(pkg, trust).problems}
    assert codes >= {
        "malformed_manifest",
        "unsupported_algorithm",
        "bad_declaration",
        "malformed_bag_info",
    }
    msgs = " | ".join(p.message for p in package_report(pkg, trust).problems)
    for fragment in (
        "not a sha256 digest",
        "expected 'DIGEST PATH'",
        "path_traversal",
        "listed twice",
        "outside data/",
        "expected 'SIZE PATH'",
        "Tag-File-Character-Encoding",
    ):
        assert fragment in msgs, fragment


def test_non_utf8_tag_files(tmp_path: Path, attachment: Path, trust: TrustStore) -> None:
    pkg = build(tmp_path, attachment, "p")
    for name in ("manifest-sha256.txt", "bag-info.txt", "payload-sizes.txt"):
        (pkg / name).write_bytes(b"\xff\xfe")
    msgs = [p.message for p in package_report(pkg, trust).problems]
    assert sum("not UTF-8" in m for m in msgs) == 3


def test_parse_manifest_handles_bom_and_encoded_paths() -> None:
    digest = "a" * 64
    found, problems = parse_manifest(
        f"\ufeff{digest}  data/a%25b%0Ac\n\n{digest.upper()}  data/d\n".encode(), "sha256", name="m"
    )
    assert problems == ["m line 1: unsafe entry name 'data/a%b\\nc' (unsafe_path)"]
    assert found == {"data/d": digest}
    found, problems = parse_manifest(f"{digest}  data/a%25b\n".encode(), "sha256", name="m")
    assert (found, problems) == ({"data/a%b": digest}, [])


def test_bad_envelope_is_a_problem(tmp_path: Path, attachment: Path, trust: TrustStore) -> None:
    pkg = build(tmp_path, attachment, "p")
    (pkg / SIGNATURE_FILE).write_bytes(b"{not json")
    report = package_report(pkg, trust)
    assert report.problems[0].code == "bad_envelope"
    env = Envelope.from_bytes(_golden_envelope())
    (pkg / SIGNATURE_FILE).write_bytes(Envelope("text/plain", env.payload + b"x", ()).to_bytes())
    codes = {p.code for p in package_report(pkg, trust).problems}
    assert codes >= {"wrong_payload_type", "bad_envelope", "signature_payload_mismatch"}


def _golden_envelope() -> bytes:
    entries = {i.filename.split("/", 1)[1]: d for i, d in read_entries(GOLDEN.read_bytes())}
    return entries[SIGNATURE_FILE]


# --------------------------------------------------------------------------- building


def test_build_checks_attachments(
    tmp_path: Path, attachment: Path, request_model: ee.Request
) -> None:
    signer = [KeySigner(OFFICER)]

    def attempt(**kw: object) -> str:
        with pytest.raises(PackageError) as exc:
            ee.build_package(request_model, tmp_path / "x.zip", signers=signer, now=NOW, **kw)  # type: ignore[arg-type]
        return exc.value.code

    assert attempt() == "missing_attachment"
    other = tmp_path / "other.pdf"
    other.write_bytes(b"x")
    assert attempt(attachments=[attachment, other]) == "undeclared_attachment"
    assert attempt(attachments=[attachment, attachment]) == "bad_name"
    bad = tmp_path / "bad name."
    bad.write_bytes(b"x")
    assert attempt(attachments=[bad]) == "bad_name"
    assert (
        attempt(attachments=[attachment], documents=[("a.txt", b"1"), ("A.TXT", b"2")])
        == "bad_name"
    )
    assert attempt(attachments=[tmp_path / "in" / "nope"]) == "undeclared_attachment"
    missing_doc = tmp_path / "gone.pdf"
    assert attempt(attachments=[attachment], documents=[missing_doc]) == "unreadable"
    assert attempt(attachments=[attachment], documents=[tmp_path / "in"]) == "unreadable"
    assert list(tmp_path.glob("x.zip*")) == []
    assert list(tmp_path.glob(".x.zip*")) == []


def test_build_checks_declared_digest_and_leaves_nothing(tmp_path: Path, attachment: Path) -> None:
    doc = json.loads((EXAMPLES / "preservation.json").read_text(encoding="utf-8"))
    doc["attachments"][0]["sha256"] = "0" * 64
    request = ee.parse_request(doc)
    for out in ("x.zip", "x"):
        with pytest.raises(PackageError) as exc:
            ee.build_package(
                request,
                tmp_path / out,
                signers=[KeySigner(OFFICER)],
                now=NOW,
                attachments=[attachment],
            )
        assert exc.value.code == "attachment_digest_mismatch"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]
    doc["attachments"][0]["sha256"] = hashlib.sha256(attachment_bytes()).hexdigest()
    ok = ee.build_package(
        ee.parse_request(doc),
        tmp_path / "ok",
        signers=[KeySigner(OFFICER)],
        now=NOW,
        attachments=[attachment],
    )
    assert ok.is_dir()


def test_build_refuses_bad_arguments(
    tmp_path: Path, attachment: Path, request_model: ee.Request
) -> None:
    from datetime import datetime

    with pytest.raises(ee.InputError):
        ee.build_package(request_model, tmp_path / "a", signers=[], now=NOW)
    with pytest.raises(ee.InputError):
        ee.build_package(
            request_model,
            tmp_path / "a",
            signers=[KeySigner(OFFICER)],
            now=datetime(2026, 1, 1),  # naive on purpose
        )
    existing = build(tmp_path, attachment, "p")
    with pytest.raises(PackageError) as exc:
        build(tmp_path, attachment, "p")
    assert exc.value.code == "exists"
    assert existing.is_dir()
    with pytest.raises(PackageError) as exc:
        build(tmp_path / "no" / "such", attachment, "p.zip")
    assert exc.value.code == "unwritable"


def test_documents_are_packaged(tmp_path: Path, attachment: Path, trust: TrustStore) -> None:
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"%PDF rendered letter")
    pkg = build(tmp_path, attachment, "p", documents=[letter, ("notes.txt", b"n")])
    assert (pkg / "data" / "documents" / "letter.pdf").read_bytes() == b"%PDF rendered letter"
    assert package_report(pkg, trust).ok
    assert bagit.Bag(str(pkg)).validate()


def test_progress_is_reported(tmp_path: Path, attachment: Path, trust: TrustStore) -> None:
    seen: list[int] = []
    pkg = build(tmp_path, attachment, progress=seen.append)
    assert sum(seen) == len(attachment_bytes())
    seen.clear()
    package_report(pkg, trust, progress=seen.append)
    assert sum(seen) == _payload_bytes()


# --------------------------------------------------------------------------- co-signing


@pytest.mark.parametrize("name", ["p.zip", "p"])
def test_cosign(tmp_path: Path, attachment: Path, trust: TrustStore, name: str) -> None:
    pkg = build(tmp_path, attachment, name)
    assert not package_report(pkg, trust, threshold=2).ok
    env = ee.sign_package(pkg, KeySigner(VALIDATOR), trust=trust)
    assert len(env.signatures) == 2
    assert ee.verify_package(pkg, trust, threshold=2).ok
    with pytest.raises(PackageError) as exc:
        ee.sign_package(pkg, KeySigner(VALIDATOR), trust=trust)
    assert exc.value.code == "already_signed"
    assert bagit.Bag(str(pkg)).validate() if name == "p" else True


def test_cosign_refuses_a_tampered_package(
    tmp_path: Path, attachment: Path, trust: TrustStore
) -> None:
    pkg = build(tmp_path, attachment, "p")
    (pkg / "data" / "request.json").write_bytes(
        b"{}" + b" " * (len((pkg / "data" / "request.json").read_bytes()) - 2)
    )
    before = (pkg / SIGNATURE_FILE).read_bytes()
    with pytest.raises(PackageError) as exc:
        ee.sign_package(pkg, KeySigner(VALIDATOR), trust=trust)
    assert exc.value.code == "not_signable"
    assert "digest_mismatch" in str(exc.value)
    assert (pkg / SIGNATURE_FILE).read_bytes() == before


def test_cosign_refuses_an_unsigned_bag(tmp_path: Path, trust: TrustStore) -> None:
    bag_dir = tmp_path / "bag"
    bag_dir.mkdir()
    (bag_dir / "a.txt").write_text("a")
    bagit.make_bag(str(bag_dir), checksums=["sha256"])
    with pytest.raises(PackageError) as exc:
        ee.sign_package(bag_dir, KeySigner(VALIDATOR), trust=trust)
    assert "no signature envelope" in str(exc.value)


# --------------------------------------------------------------------------- interoperability


def test_bagit_python_validates_directory_and_extracted_zip(
    tmp_path: Path, attachment: Path
) -> None:
    directory = build(tmp_path, attachment, "p")
    assert bagit.Bag(str(directory)).validate()
    archive = build(tmp_path, attachment, "p.zip")
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(tmp_path / "x")  # bagit-python needs a directory
    (root,) = (tmp_path / "x").iterdir()
    bag = bagit.Bag(str(root))
    assert bag.validate()
    assert bag.info["External-Identifier"] == "3f1c2a6e-1b7d-4c9a-9e0f-5a2b7c8d9e01"


@pytest.mark.parametrize("algorithms", [["sha256"], ["sha256", "sha512"], ["sha512"]])
def test_reads_a_bag_made_by_bagit_python(
    tmp_path: Path, trust: TrustStore, algorithms: list[str]
) -> None:
    bag_dir = tmp_path / "bag"
    (bag_dir / "sub").mkdir(parents=True)
    (bag_dir / "a.txt").write_text("alpha")
    (bag_dir / "sub" / "b.bin").write_bytes(bytes(range(256)) * 10)
    bagit.make_bag(str(bag_dir), checksums=algorithms)
    assert not package_report(bag_dir, trust).payload_checked  # unsigned: not read further
    report = package_report(bag_dir, trust, fixity_only=True)
    assert report.fixity_ok, report.reasons()
    assert not report.signed
    assert not report.ok
    assert "unsigned: the package has no signature envelope" in report.reasons()
    assert {f.path for f in report.files} >= {"data/a.txt", "data/sub/b.bin"}
    (bag_dir / "data" / "a.txt").write_text("alphA")
    report = package_report(bag_dir, trust, fixity_only=True)
    bad = [f for f in report.files if f.status != "ok"]
    assert [(f.path, f.status) for f in bad] == [("data/a.txt", "digest_mismatch")]
    assert bad[0].algorithm == algorithms[0]
    assert bad[0].expected == hashlib.new(algorithms[0], b"alpha").hexdigest()
    assert bad[0].found == hashlib.new(algorithms[0], b"alphA").hexdigest()


def test_reads_a_zip_without_a_top_folder(tmp_path: Path, trust: TrustStore) -> None:
    entries = read_entries(GOLDEN.read_bytes())
    flat = []
    for info, data in entries:
        new = zipfile.ZipInfo(info.filename.split("/", 1)[1], date_time=info.date_time)
        flat.append((new, data))
    path = tmp_path / "flat.zip"
    path.write_bytes(write_entries(flat))
    assert ee.verify_package(path, trust, threshold=2).ok


def test_deflated_zip_and_directory_entries_are_read(tmp_path: Path, trust: TrustStore) -> None:
    entries = read_entries(GOLDEN.read_bytes())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(entries[0][0].filename.split("/")[0] + "/", b"")
        for info, data in entries:
            zf.writestr(info.filename, data)
    path = tmp_path / "deflated.zip"
    path.write_bytes(out.getvalue())
    report = ee.verify_package(path, trust, threshold=2, workers=1)
    assert report.ok


def test_corrupt_stored_entry_is_a_digest_mismatch(tmp_path: Path, trust: TrustStore) -> None:
    data = bytearray(GOLDEN.read_bytes())
    at = data.index(b"%PDF-1.4")  # the attachment's stored bytes
    data[at + 20] ^= 0xFF
    path = tmp_path / "corrupt.zip"
    path.write_bytes(bytes(data))
    report = package_report(path, trust)  # the CRC-32, checked on the hashing read, fails first
    assert [p.code for p in report.problems] == ["zip_crc_mismatch"]
    assert f"data/attachments/{ATTACHMENT}" in report.problems[0].message
    assert not report.ok


def test_corrupt_deflated_entry_is_unreadable(tmp_path: Path, trust: TrustStore) -> None:
    entries = read_entries(GOLDEN.read_bytes())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, content in entries:
            zf.writestr(info.filename, content)
    data = bytearray(out.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = next(i for i in zf.infolist() if i.filename.endswith(ATTACHMENT))
    start = info.header_offset + 30 + len(info.filename.encode()) + 20
    data[start] ^= 0xFF  # inside the deflate stream: a zlib or CRC error
    path = tmp_path / "corrupt.zip"
    path.write_bytes(bytes(data))
    bad = {f.path: f.status for f in package_report(path, trust).files if f.status != "ok"}
    assert bad == {f"data/attachments/{ATTACHMENT}": "unreadable"}


def test_local_header_must_match_the_central_directory(tmp_path: Path, trust: TrustStore) -> None:
    data = bytearray(GOLDEN.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = next(i for i in zf.infolist() if i.filename.endswith("request.json"))
    name_at = info.header_offset + 30 + len(info.filename) - len("request.json")
    data[name_at : name_at + 7] = b"REQUEST"
    path = tmp_path / "renamed-local.zip"
    path.write_bytes(bytes(data))
    report = package_report(path, trust)
    assert [p.code for p in report.problems] == ["zip_header_mismatch"]
    assert not report.ok
    data[info.header_offset : info.header_offset + 4] = b"XXXX"
    path.write_bytes(bytes(data))
    report = package_report(path, trust)
    assert [p.code for p in report.problems] == ["zip_header_mismatch"]
    assert not report.ok


def test_truncated_zip_entry_data(tmp_path: Path) -> None:
    from eevidence.package._bag import _Region

    path = tmp_path / "f"
    path.write_bytes(b"abc")
    with path.open("rb") as fh:
        region = _Region(fh.fileno(), 1, 5)
        buf = bytearray(10)
        assert region.readinto(buf) == 2
        with pytest.raises(zipfile.BadZipFile):
            region.readinto(buf)
        done = _Region(fh.fileno(), 0, 0)
        assert done.readinto(buf) == 0


def test_parallel_and_serial_hashing_agree(tmp_path: Path) -> None:
    root = tmp_path / "d"
    root.mkdir()
    wanted = {}
    for i in range(12):
        (root / f"f{i}").write_bytes(os.urandom(1000 * i + 3 * (1 << 20) * (i == 5)))
        wanted[f"f{i}"] = ("sha256",)
    reader = DirReader(root, PackageLimits())
    serial = hash_entries(reader, wanted, workers=1)
    parallel = hash_entries(reader, wanted, workers=4)
    assert serial == parallel
    digests, size = serial["f5"]  # type: ignore[misc]
    assert digests["sha256"] == hashlib.sha256((root / "f5").read_bytes()).hexdigest()
    assert size == (root / "f5").stat().st_size
    assert isinstance(
        hash_entries(reader, {"absent": ("sha256",), "f1": ("sha256",)}, workers=2)["absent"],
        PackageError,
    )


def test_inspect(tmp_path: Path) -> None:
    info = inspect_package(GOLDEN)
    d = info.to_dict()
    assert d["verified"] is False
    assert d["form"] == "zip"
    assert d["info"]["EEvidence-Provider"] == "meta"
    assert len(d["signature_keyid_hints"]) == 2
    assert any(f["path"] == "data/request.json" for f in d["files"])
    with pytest.raises(PackageError):
        inspect_package(VECTORS / "negative" / "zip_bomb.zip")


# --------------------------------------------------------------------------- fuzzing

_OWN = ee.EEvidenceError


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=4096))
def test_fuzz_random_bytes(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "f.zip"
    path.write_bytes(data)
    _read_everything(path)


@settings(max_examples=int(os.environ.get("EEVIDENCE_FUZZ_EXAMPLES", "150")), deadline=None)
@given(
    flips=st.lists(
        st.tuples(st.integers(min_value=0), st.integers(1, 255)), min_size=1, max_size=4
    ),
    cut=st.one_of(st.none(), st.integers(min_value=0)),
)
def test_fuzz_mutated_packages(
    tmp_path_factory: pytest.TempPathFactory, flips: list[tuple[int, int]], cut: int | None
) -> None:
    data = bytearray(GOLDEN.read_bytes())
    for pos, xor in flips:
        data[pos % len(data)] ^= xor
    if cut is not None:
        data = data[: cut % len(data)]
    path = tmp_path_factory.mktemp("fuzz") / "m.zip"
    path.write_bytes(bytes(data))
    report = _read_everything(path)
    if report is not None and report.ok:
        # Only bytes no verifier relies on were hit (zip metadata, CRCs, a key id hint):
        # every file is the same and the envelope carries the same payload and signatures.
        assert _contents(path) == _contents(GOLDEN)


def _contents(path: Path) -> dict[str, object]:
    reader = ZipReader(path, PackageLimits())
    try:
        out: dict[str, object] = {n: reader.read_bytes(n, 1 << 20) for n in reader.entries()}
    finally:
        reader.close()
    env = Envelope.from_bytes(out.pop(SIGNATURE_FILE))  # type: ignore[arg-type]
    out[SIGNATURE_FILE] = (env.payload_type, env.payload, [s.sig for s in env.signatures])
    return out


def _read_everything(path: Path) -> ee.VerificationReport | None:
    trust = load_trust_store(VECTORS / "trust")
    report = package_report(path, trust, threshold=2)  # never raises for a bad package
    json.dumps(report.to_dict())
    with contextlib.suppress(_OWN):
        inspect_package(path)
    copy = path.with_name("copy-" + path.name)  # signing rewrites the file: use a copy
    copy.write_bytes(path.read_bytes())
    with contextlib.suppress(_OWN):
        ee.sign_package(copy, KeySigner(OUTSIDER), trust=trust)
    return report


def test_other_tag_files_are_streamed_when_pinned_and_reported_when_not(
    tmp_path: Path, trust: TrustStore
) -> None:
    bag_dir = tmp_path / "bag"
    bag_dir.mkdir()
    (bag_dir / "a.txt").write_text("alpha")
    bagit.make_bag(str(bag_dir), checksums=["sha256"])
    (bag_dir / "custom-tag.txt").write_text("Custom: tag\n")
    (bag_dir / "meta").mkdir()
    (bag_dir / "meta" / "notes.txt").write_text("notes\n")
    lines = "".join(
        f"{hashlib.sha256((bag_dir / p).read_bytes()).hexdigest()}  {p}\n"
        for p in ("custom-tag.txt", "meta/notes.txt")
    )
    with (bag_dir / "tagmanifest-sha256.txt").open("a") as fh:
        fh.write(lines)
    report = package_report(bag_dir, trust, fixity_only=True)
    assert report.fixity_ok, report.reasons()
    statuses = {f.path: f.status for f in report.files}
    assert statuses["custom-tag.txt"] == "ok"
    assert statuses["meta/notes.txt"] == "ok"
    (bag_dir / "meta" / "notes.txt").write_text("changed\n")
    (bag_dir / "other").mkdir()
    (bag_dir / "other" / "x.txt").write_text("x")
    (bag_dir / "loose.txt").write_text("x")
    (bag_dir / "tagmanifest-md5.txt").write_text("")
    report = package_report(bag_dir, trust, fixity_only=True)
    bad = {f.path: f.status for f in report.files if f.status != "ok"}
    assert bad == {
        "meta/notes.txt": "digest_mismatch",
        "other/x.txt": "unexpected",
        "loose.txt": "unexpected",
    }
    assert [p.code for p in report.problems] == ["unsupported_algorithm"]
    (bag_dir / "meta" / "notes.txt").unlink()
    (bag_dir / "meta").rmdir()  # an empty folder would be refused on its own
    missing = {f.path: f.status for f in package_report(bag_dir, trust, fixity_only=True).files}
    assert missing["meta/notes.txt"] == "missing"


def test_cosign_zip_with_a_wrong_crc_and_a_look_alike_attachment(
    tmp_path: Path, trust: TrustStore
) -> None:
    doc = json.loads((EXAMPLES / "preservation.json").read_text(encoding="utf-8"))
    doc["attachments"][0]["name"] = "signature.dsse.json"
    att = tmp_path / "signature.dsse.json"
    att.write_bytes(b'{"not": "an envelope"}')
    pkg = ee.build_package(
        ee.parse_request(doc),
        tmp_path / "p.zip",
        signers=[KeySigner(OFFICER)],
        now=NOW,
        attachments=[att],
    )
    ee.sign_package(pkg, KeySigner(VALIDATOR), trust=trust)  # a look-alike attachment is fine
    assert ee.verify_package(pkg, trust, threshold=2).ok
    with zipfile.ZipFile(pkg) as zf:
        (inner,) = [n for n in zf.namelist() if n.endswith("attachments/signature.dsse.json")]
        assert zf.read(inner) == b'{"not": "an envelope"}'
    data = bytearray(pkg.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = next(i for i in zf.infolist() if i.filename.endswith("data/request.json"))
    data[info.header_offset + 14] ^= 0xFF  # CRC-32 in the local header
    pkg.write_bytes(bytes(data))
    with pytest.raises(PackageError) as exc:  # the headers disagree: never co-signed
        ee.sign_package(pkg, KeySigner(OUTSIDER), trust=trust)
    assert exc.value.code == "zip_header_mismatch"


def test_deeply_nested_directory_is_refused(tmp_path: Path, trust: TrustStore) -> None:
    root = tmp_path / "bag"
    deep = root.joinpath("data", *["d"] * 40)
    deep.mkdir(parents=True)
    (root / "bagit.txt").write_text("BagIt-Version: 1.0\n")
    report = package_report(root, trust)
    assert [p.code for p in report.problems] == ["too_deep"]
