"""Signed packages: total signed coverage, signatures checked before any payload is hashed,
malformed envelopes told apart from unsigned packages, and co-signing only what verifies."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from pathlib import Path

import bagit
import pytest

import eevidence as ee
from eevidence.crypto import Envelope, EnvelopeSignature, KeySigner, TrustStore, load_trust_store
from eevidence.errors import PackageError, PackageTrustError, PackageVerificationError, TrustError
from eevidence.package import SIGNATURE_FILE, DirReader, package_report
from tests.helpers import EXAMPLES
from tests.package_vectors import (
    AMPLIFICATION_ENTRIES,
    ATTACHMENT,
    FORGED,
    FORGED_NAME,
    NOW,
    OFFICER,
    OUTSIDER,
    TRUST_NEGATIVE,
    TRUST_NEGATIVE_DIRS,
    VALIDATOR,
    VECTORS,
    attachment_bytes,
    build_golden,
    negative_vector,
    read_tree,
    write_tree,
)

GOLDEN = VECTORS / "golden.zip"
NEGATIVE_DIR = VECTORS / "negative"


@pytest.fixture(scope="module")
def trust() -> TrustStore:
    return load_trust_store(VECTORS / "trust")


@pytest.fixture(scope="module")
def officer_only() -> TrustStore:
    return TrustStore.from_public_keys([OFFICER.public_key()])


def _build(tmp_path: Path, name: str, signers: list[KeySigner] | None = None) -> Path:
    att = tmp_path / "in" / ATTACHMENT
    att.parent.mkdir(exist_ok=True)
    att.write_bytes(attachment_bytes())
    return ee.build_package(
        ee.read_request(EXAMPLES / "preservation.json"),
        tmp_path / name,
        signers=signers or [KeySigner(OFFICER)],
        now=NOW,
        attachments=[att],
    )


def _assert_reasons(report: ee.VerificationReport, expected: tuple[str, ...]) -> None:
    reasons = report.reasons()
    assert not report.ok
    for fragment in expected:
        assert any(fragment in r for r in reasons), (fragment, reasons)


# --------------------------------------------------------------------------- named vectors


@pytest.mark.parametrize("name", sorted(TRUST_NEGATIVE))
def test_trust_vector_is_regenerated_and_fails_for_its_reason(name: str, trust: TrustStore) -> None:
    committed = NEGATIVE_DIR / f"{name}.zip"
    assert negative_vector(name, GOLDEN.read_bytes()) == committed.read_bytes()
    expected = TRUST_NEGATIVE[name][1]
    _assert_reasons(package_report(committed, trust, threshold=2), expected)
    with pytest.raises(PackageVerificationError) as exc:
        ee.verify_package(committed, trust, threshold=2)
    assert expected[0].split(":")[0] in exc.value.diagnostics()
    # Only the untrusted package is a matter of trust; everything else is an integrity error.
    assert isinstance(exc.value, TrustError) == (name == "cosign_untrusted")


@pytest.mark.parametrize("name", sorted(TRUST_NEGATIVE_DIRS))
def test_trust_directory_vector_is_regenerated_and_fails_for_its_reason(
    name: str, trust: TrustStore, tmp_path: Path
) -> None:
    make, expected = TRUST_NEGATIVE_DIRS[name]
    committed = NEGATIVE_DIR / name
    assert read_tree(committed) == make(GOLDEN.read_bytes())
    _assert_reasons(package_report(committed, trust, threshold=2), expected)
    with pytest.raises(PackageVerificationError) as exc:
        ee.verify_package(committed, trust, threshold=2)
    assert not isinstance(exc.value, TrustError)


def test_every_trust_vector_has_its_own_reason_code() -> None:
    codes = [r[0].split(":")[0].split(" ")[0] for _, r in TRUST_NEGATIVE.values()]
    # The amplification zip is unsigned like envelope_removed; what sets it apart is that
    # it is refused without inflating it (see below).
    codes.remove("unsigned")
    assert len(codes) == len(set(codes)), codes


def test_the_genuine_package_still_verifies_in_both_forms(
    trust: TrustStore, tmp_path: Path
) -> None:
    for out in (tmp_path / "g.zip", tmp_path / "g"):
        report = ee.verify_package(build_golden(out), trust, threshold=2)
        assert report.ok
        assert report.payload_checked
        assert report.envelope == "present"
        assert report.reasons() == []


# --------------------------------------------------------------------------- signed coverage


@pytest.mark.parametrize("form", ["zip", "directory"])
def test_a_file_pinned_only_by_an_added_tag_manifest_fails(
    form: str, trust: TrustStore, tmp_path: Path
) -> None:
    """The attack: a genuine package plus a file outside data/ that only an added, unsigned
    tagmanifest-sha512.txt pins (its sha512 is right): the signatures still hold."""
    golden = build_golden(tmp_path / ("g.zip" if form == "zip" else "g"))
    if form == "zip":
        forged = tmp_path / "forged.zip"
        forged.write_bytes(negative_vector("extra_tag_manifest", golden.read_bytes()))
    else:
        forged = tmp_path / "forged"
        shutil.copytree(golden, forged)
        (forged / FORGED_NAME).write_bytes(FORGED)
        line = f"{hashlib.sha512(FORGED).hexdigest()}  {FORGED_NAME}\n"
        (forged / "tagmanifest-sha512.txt").write_text(line)
    report = package_report(forged, trust, threshold=2)
    assert report.policy_met  # the genuine signatures verify...
    assert not report.ok  # ...and do not cover the added files
    assert [(p.code, p.message.split(":")[0]) for p in report.problems] == [
        ("unsigned_tag_manifest", "tagmanifest-sha512.txt")
    ]
    bad = {f.path: f.status for f in report.files if f.status != "ok"}
    assert bad == {FORGED_NAME: "not_covered"}
    assert "not_covered: URGENT-supplementary-request.txt" in report.reasons()


def test_an_added_tag_manifest_fails_even_when_it_pins_nothing(
    trust: TrustStore, tmp_path: Path
) -> None:
    pkg = build_golden(tmp_path / "g")
    (pkg / "tagmanifest-sha512.txt").write_bytes(b"")
    (pkg / "tagmanifest-md5.txt").write_bytes(b"")
    codes = [p.code for p in package_report(pkg, trust, threshold=2).problems]
    assert codes.count("unsigned_tag_manifest") == 2
    assert "unsupported_algorithm" in codes


def test_a_signed_sha512_payload_manifest_counts(trust: TrustStore, tmp_path: Path) -> None:
    """Coverage goes through the manifests the signed tag manifest pins: a manifest added
    without it covers nothing, even when every digest in it is right."""
    pkg = _build(tmp_path, "p", [KeySigner(OFFICER)])
    lines = "".join(
        f"{hashlib.sha512((pkg / p).read_bytes()).hexdigest()}  {p}\n"
        for p in ("data/request.json", f"data/attachments/{ATTACHMENT}")
    )
    (pkg / "manifest-sha512.txt").write_text(lines)
    report = package_report(pkg, trust)
    assert {f.path: f.status for f in report.files if f.status != "ok"} == {
        "manifest-sha512.txt": "unexpected"
    }


def test_a_file_in_a_folder_outside_data_must_be_pinned_by_the_signed_manifest(
    trust: TrustStore, tmp_path: Path
) -> None:
    pkg = build_golden(tmp_path / "g")
    (pkg / "meta").mkdir()
    (pkg / "meta" / "note.txt").write_bytes(FORGED)
    (pkg / "tagmanifest-sha512.txt").write_text(
        f"{hashlib.sha512(FORGED).hexdigest()}  meta/note.txt\n"
    )
    report = package_report(pkg, trust, threshold=2)
    assert {f.path: f.status for f in report.files if f.status != "ok"} == {
        "meta/note.txt": "not_covered"
    }
    (pkg / "tagmanifest-sha512.txt").unlink()
    report = package_report(pkg, trust, threshold=2)
    assert {f.path: f.status for f in report.files if f.status != "ok"} == {
        "meta/note.txt": "unexpected"
    }


def test_fetch_txt_is_refused_signed_or_not(trust: TrustStore, tmp_path: Path) -> None:
    report = package_report(NEGATIVE_DIR / "fetch_txt_signed.zip", trust, threshold=2)
    assert report.policy_met
    assert report.payload_checked
    assert [p.code for p in report.problems] == ["fetch_file"]
    assert all(f.status == "ok" for f in report.files)  # pinned by the signed tag manifest
    bag_dir = tmp_path / "bag"
    bag_dir.mkdir()
    (bag_dir / "a.txt").write_text("alpha")
    bagit.make_bag(str(bag_dir), checksums=["sha256"])
    (bag_dir / "fetch.txt").write_text("https://example.org/b 1 data/b\n")
    report = package_report(bag_dir, trust, fixity_only=True)
    assert "fetch_file" in [p.code for p in report.problems]
    assert not report.fixity_ok


# --------------------------------------------------------------------------- signature first


def test_the_unsigned_amplification_zip_is_refused_without_inflating_it(
    trust: TrustStore,
) -> None:
    path = NEGATIVE_DIR / "unsigned_amplification.zip"
    assert path.stat().st_size < 2_000_000
    hashed: list[int] = []
    start = time.perf_counter()
    report = package_report(path, trust, progress=hashed.append)
    elapsed = time.perf_counter() - start
    assert elapsed < 0.5, elapsed  # inflating and hashing its 1.5 GiB takes seconds
    assert hashed == []
    assert not report.payload_checked
    assert report.envelope == "absent"
    assert report.reasons() == ["unsigned: the package has no signature envelope"]
    assert not any(f.path.startswith("data/") for f in report.files)
    with ee.package.reading(path) as reader:  # what it would inflate to
        sizes = reader.entries()
    payload = [size for name, size in sizes.items() if name.startswith("data/")]
    assert sum(payload) == AMPLIFICATION_ENTRIES << 20  # 1.5 GiB


def test_an_untrusted_package_is_reported_from_its_signature_alone(
    trust: TrustStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pkg = _build(tmp_path, "p", [KeySigner(OUTSIDER)])
    (pkg / "data" / "request.json").write_bytes(
        b" " * (pkg / "data" / "request.json").stat().st_size  # same size, other bytes
    )
    (pkg / "manifest-sha512.txt").write_bytes(b"\x00" * 1000)
    read: set[str] = set()
    for method in ("open", "read_bytes"):
        original = getattr(DirReader, method)

        def spy(self: DirReader, name: str, *a: int, _original=original) -> object:  # type: ignore[no-untyped-def]
            read.add(name)
            return _original(self, name, *a)

        monkeypatch.setattr(DirReader, method, spy)
    hashed: list[int] = []
    report = package_report(pkg, trust, progress=hashed.append)
    assert read == {"bagit.txt", SIGNATURE_FILE, "tagmanifest-sha256.txt"}
    monkeypatch.undo()
    assert hashed == []
    assert not report.payload_checked
    assert report.files == ()
    assert report.info == ()  # bag-info.txt is not read either
    assert report.problems == ()
    assert [s.status for s in report.signatures] == ["unknown_key"]
    with pytest.raises(PackageTrustError):  # its files were not checked: a matter of trust
        ee.verify_package(pkg, trust)
    full = package_report(pkg, trust, fixity_only=True, progress=hashed.append)
    assert full.payload_checked
    assert sum(hashed) > 0
    assert "digest_mismatch: data/request.json" in full.reasons()
    assert "unexpected: manifest-sha512.txt" in full.reasons()
    assert not full.ok


def test_too_few_trusted_signers_hash_nothing(officer_only: TrustStore, trust: TrustStore) -> None:
    hashed: list[int] = []
    report = package_report(GOLDEN, officer_only, threshold=2, progress=hashed.append)
    assert hashed == []
    assert not report.payload_checked
    assert report.reasons() == [
        "signature 1 unknown_key",
        "threshold_not_met: 1 valid trusted signature(s), 2 required",
    ]
    report = package_report(GOLDEN, trust, threshold=2, progress=hashed.append)
    assert report.ok
    assert sum(hashed) > 0


def test_a_wrong_envelope_payload_hashes_nothing(trust: TrustStore) -> None:
    hashed: list[int] = []
    path = NEGATIVE_DIR / "envelope_from_other_payload.zip"
    report = package_report(path, trust, progress=hashed.append)
    assert hashed == []
    assert not report.payload_checked
    assert report.policy_met  # the signatures are valid, over another tag manifest


def test_fixity_only_hashes_an_unsigned_bag(trust: TrustStore, tmp_path: Path) -> None:
    bag_dir = tmp_path / "bag"
    bag_dir.mkdir()
    (bag_dir / "a.txt").write_text("alpha")
    bagit.make_bag(str(bag_dir), checksums=["sha256", "sha512"])
    assert bagit.Bag(str(bag_dir)).validate()  # the oracle: a valid bag
    quick = package_report(bag_dir, trust)
    assert not quick.payload_checked
    assert not quick.fixity_ok
    assert "data/a.txt" not in {f.path for f in quick.files}
    full = package_report(bag_dir, TrustStore(), fixity_only=True)
    assert full.payload_checked
    assert full.fixity_ok
    assert not full.ok
    assert full.reasons() == ["unsigned: the package has no signature envelope"]
    assert full.to_dict()["payload_checked"] is True


# --------------------------------------------------------------------------- malformed vs unsigned


def test_a_malformed_envelope_is_not_reported_as_unsigned(trust: TrustStore) -> None:
    malformed = package_report(NEGATIVE_DIR / "envelope_malformed.zip", trust)
    unsigned = package_report(NEGATIVE_DIR / "envelope_removed.zip", trust)
    assert (malformed.envelope, unsigned.envelope) == ("malformed", "absent")
    assert malformed.envelope_malformed
    assert not unsigned.envelope_malformed
    assert not malformed.signed
    assert not unsigned.signed
    assert [r.split(":")[0] for r in malformed.reasons()] == ["bad_envelope"]
    assert not any(r.startswith("unsigned") for r in malformed.reasons())
    assert unsigned.reasons() == ["unsigned: the package has no signature envelope"]
    assert [p.code for p in unsigned.problems] == []
    assert malformed.to_dict()["envelope"] == "malformed"
    assert unsigned.to_dict()["envelope"] == "absent"
    for report in (malformed, unsigned):
        assert not report.payload_checked
        json.dumps(report.to_dict())


def test_a_malformed_envelope_is_an_integrity_error(trust: TrustStore) -> None:
    with pytest.raises(PackageVerificationError, match="bad_envelope") as exc:
        ee.verify_package(NEGATIVE_DIR / "envelope_malformed.zip", trust)
    assert not isinstance(exc.value, TrustError)
    assert "unsigned" not in str(exc.value)


# --------------------------------------------------------------------------- co-signing


def test_cosigning_an_untrusted_package_is_refused(trust: TrustStore, tmp_path: Path) -> None:
    pkg = tmp_path / "p.zip"
    shutil.copy(NEGATIVE_DIR / "cosign_untrusted.zip", pkg)
    before = pkg.read_bytes()
    with pytest.raises(PackageError) as exc:
        ee.sign_package(pkg, KeySigner(VALIDATOR), trust=trust)
    assert exc.value.code == "not_signable"
    assert "signature 0 unknown_key" in str(exc.value)
    assert pkg.read_bytes() == before
    # Trusting the outsider's key is the only way to co-sign it.
    outsider = TrustStore.from_public_keys([OUTSIDER.public_key()])
    env = ee.sign_package(pkg, KeySigner(VALIDATOR), trust=outsider)
    assert len(env.signatures) == 2


@pytest.mark.parametrize("name", ["extra_tag_manifest", "fetch_txt_signed", "envelope_malformed"])
def test_cosigning_a_package_that_does_not_verify_is_refused(
    name: str, trust: TrustStore, tmp_path: Path
) -> None:
    pkg = tmp_path / "p.zip"
    shutil.copy(NEGATIVE_DIR / f"{name}.zip", pkg)
    before = pkg.read_bytes()
    with pytest.raises(PackageError) as exc:
        ee.sign_package(pkg, KeySigner(OUTSIDER), trust=trust)
    assert exc.value.code == "not_signable"
    assert TRUST_NEGATIVE[name][1][0].split(":")[0] in str(exc.value)
    assert pkg.read_bytes() == before


def test_cosigning_the_directory_attack_is_refused(trust: TrustStore, tmp_path: Path) -> None:
    pkg = write_tree(
        TRUST_NEGATIVE_DIRS["extra_tag_manifest_dir"][0](GOLDEN.read_bytes()), tmp_path / "p"
    )
    before = read_tree(pkg)
    with pytest.raises(PackageError) as exc:
        ee.sign_package(pkg, KeySigner(OUTSIDER), trust=trust)
    assert exc.value.code == "not_signable"
    assert "unsigned_tag_manifest" in str(exc.value)
    assert read_tree(pkg) == before


def test_cosigning_needs_the_threshold(officer_only: TrustStore, tmp_path: Path) -> None:
    pkg = _build(tmp_path, "p.zip")
    with pytest.raises(PackageError) as exc:
        ee.sign_package(pkg, KeySigner(VALIDATOR), trust=officer_only, threshold=2)
    assert exc.value.code == "not_signable"
    assert "threshold_not_met" in str(exc.value)
    with pytest.raises(ee.InputError):
        ee.sign_package(pkg, KeySigner(VALIDATOR), trust=officer_only, threshold=0)
    ee.sign_package(pkg, KeySigner(VALIDATOR), trust=officer_only)
    both = TrustStore.from_public_keys([OFFICER.public_key(), VALIDATOR.public_key()])
    assert ee.verify_package(pkg, both, threshold=2).ok


def test_already_signed_does_not_rely_on_the_key_id_hint(
    officer_only: TrustStore, tmp_path: Path
) -> None:
    pkg = _build(tmp_path, "p")
    env = Envelope.from_bytes((pkg / SIGNATURE_FILE).read_bytes())
    relabelled = Envelope(
        env.payload_type,
        env.payload,
        tuple(EnvelopeSignature("", s.sig) for s in env.signatures),
    )
    (pkg / SIGNATURE_FILE).write_bytes(relabelled.to_bytes())
    with pytest.raises(PackageError) as exc:
        ee.sign_package(pkg, KeySigner(OFFICER), trust=officer_only)
    assert exc.value.code == "already_signed"
