"""One reading of a zip: layout vectors, CRC-32 on the hashing read, ZIP64, other zip readers."""

from __future__ import annotations

import io
import os
import shutil
import struct
import subprocess
import zipfile
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Literal

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import eevidence as ee
import eevidence.package._hash as hashing
import eevidence.package._zip as zipreading
from eevidence._cli import main
from eevidence.crypto import KeySigner, TrustStore, load_trust_store
from eevidence.errors import PackageError, PackageVerificationError, TrustError
from eevidence.package import PackageLimits, ZipReader, inspect_package, package_report
from eevidence.package._hash import hash_entries
from eevidence.package._zip import Region
from tests.helpers import EXAMPLES
from tests.package_vectors import NOW, OFFICER, VALIDATOR, VECTORS
from tests.package_vectors_zip import (
    C_CRC,
    C_CSIZE,
    C_USIZE,
    GOLDEN,
    L_CRC,
    L_CSIZE,
    L_USIZE,
    NEGATIVE_DIR,
    URGENT,
    ZIP_NEGATIVE,
    Member,
    put32,
    split,
    zip64_forms,
    zip_vector,
)

UNZIP = shutil.which("unzip")
needs_unzip = pytest.mark.skipif(UNZIP is None, reason="Info-ZIP unzip is not installed")

# What other zip readers make of the vectors (checked below, where the tool is installed):
# a vector missing here is read without complaint by that reader, which is why it is refused.
ZIPFILE_REJECTS = {
    "zip_gap_after_directory",  # BadZipFile when opened
    "zip_overlap",
    "zip_header_name",
    "zip_crc_payload",
    "zip_crc_tag_file",
    "zip_flags_unsupported",  # NotImplementedError (compressed patched data)
}
UNZIP_REJECTS = {  # `unzip -t` exits with a warning or an error
    "zip_gap_after_directory",
    "zip_prefix_shifted_offsets",
    "zip_overlap",
    "zip_header_name",
    "zip_header_size",
    "zip_header_compressed_size",
    "zip_header_crc",
    "zip_header_method",
    "zip_header_flags",
    "zip_crc_payload",
    "zip_crc_tag_file",
    "zip_directory_count",
    "zip_multi_disk",
    "zip_zip64_end_record_mismatch",
    "zip_version_unsupported",  # skipped by unzip, extracted by zipfile
}


@pytest.fixture(scope="module")
def trust() -> TrustStore:
    return load_trust_store(VECTORS / "trust")


def _code(path: Path, trust: TrustStore, workers: int | None = None) -> str:
    report = package_report(path, trust, threshold=2, workers=workers)
    assert not report.ok
    assert report.form is None, report.reasons()  # refused before any file is reported
    return report.problems[0].code


def _stream_names(data: bytes) -> list[str]:
    """The names a streaming unzip extracts: local headers walked from offset 0 (written
    here, independently of the reader under test)."""
    names, pos = [], 0
    while data[pos : pos + 4] == b"PK\x03\x04":
        csize, _usize, name_len, extra_len = struct.unpack_from("<2L2H", data, pos + 18)
        names.append(data[pos + 30 : pos + 30 + name_len].decode())
        pos += 30 + name_len + extra_len + csize
    return names


def test_the_golden_zip_round_trips_through_the_layout() -> None:
    golden = GOLDEN.read_bytes()
    assert split(golden).build() == golden
    with zipfile.ZipFile(GOLDEN) as zf:
        assert _stream_names(golden) == zf.namelist()  # one reading: both readers agree


@pytest.mark.parametrize("name", sorted(ZIP_NEGATIVE))
def test_zip_vector_is_regenerated_and_fails_for_its_reason(name: str, trust: TrustStore) -> None:
    committed = NEGATIVE_DIR / f"{name}.zip"
    assert zip_vector(name, GOLDEN.read_bytes()) == committed.read_bytes()
    code = ZIP_NEGATIVE[name][1]
    assert _code(committed, trust) == code
    with pytest.raises(PackageVerificationError) as exc:
        ee.verify_package(committed, trust, threshold=2)
    assert code in exc.value.diagnostics()
    assert not isinstance(exc.value, TrustError)
    if name == "zip_crc_payload":
        inspect_package(committed)  # payload bytes are not read by inspect
        return
    with pytest.raises(PackageError) as err:
        inspect_package(committed)
    assert err.value.code == code


@pytest.mark.parametrize("name", sorted(ZIP_NEGATIVE))
def test_zip_vectors_exit_1_on_the_command_line(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(NEGATIVE_DIR / f"{name}.zip")
    assert main(["package", "verify", path, "--trust", str(VECTORS / "trust")]) == 1
    assert ZIP_NEGATIVE[name][1] in capsys.readouterr().out


@pytest.mark.parametrize("name", sorted(ZIPFILE_REJECTS))
def test_pythons_zipfile_also_rejects(name: str) -> None:
    path = NEGATIVE_DIR / f"{name}.zip"
    try:
        with zipfile.ZipFile(path) as zf:
            assert zf.testzip() is not None
    except (zipfile.BadZipFile, NotImplementedError):
        pass


@needs_unzip
@pytest.mark.parametrize("name", sorted(UNZIP_REJECTS))
def test_info_zip_unzip_also_rejects_or_warns(name: str) -> None:
    run = subprocess.run(
        [str(UNZIP), "-tqq", str(NEGATIVE_DIR / f"{name}.zip")], capture_output=True, check=False
    )
    assert run.returncode != 0


@needs_unzip
def test_other_readers_accept_the_golden_and_zip64_forms(tmp_path: Path) -> None:
    forms = {"golden": GOLDEN.read_bytes(), **zip64_forms(GOLDEN.read_bytes())}
    for label, data in forms.items():
        path = tmp_path / f"{label}.zip"
        path.write_bytes(data)
        with zipfile.ZipFile(path) as zf:
            assert zf.testzip() is None, label
        run = subprocess.run([str(UNZIP), "-tqq", str(path)], capture_output=True, check=False)
        assert run.returncode == 0, (label, run.stdout)


@pytest.mark.parametrize("name", ["zip_gap", "zip_gap_before_directory"])
def test_a_gap_is_a_second_reading(name: str) -> None:
    """The attack the gap vectors stand for: a streaming unzip extracts a file that the
    central directory (what zipfile, unzip -t and the verifier read) does not list."""
    data = (NEGATIVE_DIR / f"{name}.zip").read_bytes()
    streamed = _stream_names(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        listed = zf.namelist()
        assert zf.testzip() is None
    hidden = [n for n in streamed if n not in listed]
    assert [n.rsplit("/", 1)[1] for n in hidden] == ["URGENT-supplementary-request.txt"]
    assert URGENT in data


@needs_unzip
def test_a_unicode_path_field_is_a_second_name() -> None:
    path = NEGATIVE_DIR / "zip_unicode_path_extra.zip"
    run = subprocess.run([str(UNZIP), "-Z1", str(path)], capture_output=True, check=True, text=True)
    with zipfile.ZipFile(path) as zf:
        listed = zf.namelist()
    assert any(n.endswith("data/attachments/other.json") for n in run.stdout.split())
    assert not any(n.endswith("data/attachments/other.json") for n in listed)


@pytest.mark.parametrize("form", ["end_record", "central_records", "local_headers"])
def test_zip64_is_read_where_needed(
    form: str, tmp_path: Path, trust: TrustStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The golden package is small: its ZIP64 forms are refused as not needed, and verify
    when every value counts as large (as in a package with files over 2 GiB)."""
    path = tmp_path / f"{form}.zip"
    path.write_bytes(zip64_forms(GOLDEN.read_bytes())[form])
    assert _code(path, trust) == "zip64_not_needed"
    monkeypatch.setattr(zipreading, "ZIP64_FROM", -1)
    assert ee.verify_package(path, trust, threshold=2).ok


# --------------------------------------------------------------------------- CRC-32


@pytest.mark.parametrize("workers", [1, 2, 4])
@pytest.mark.parametrize("overlap", [True, False])
def test_crc_is_checked_inline_and_on_a_second_thread(
    workers: int, overlap: bool, trust: TrustStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    if overlap:
        monkeypatch.setattr(hashing, "OVERLAP_CRC", 1)  # every entry takes the threaded path
    assert package_report(GOLDEN, trust, threshold=2, workers=workers).ok
    vector = NEGATIVE_DIR / "zip_crc_payload.zip"
    assert _code(vector, trust, workers=workers) == "zip_crc_mismatch"


def test_crc_of_a_large_entry(tmp_path: Path, trust: TrustStore) -> None:
    """An entry over the threshold (its CRC-32 runs on a second thread), built for real."""
    big = os.urandom(hashing.OVERLAP_CRC + 12345)
    request = ee.read_request(EXAMPLES / "preservation.json")
    att = tmp_path / "screenshot-profile.pdf"
    att.write_bytes(b"%PDF-1.4 placeholder\n")
    pkg = ee.build_package(
        request,
        tmp_path / "big.zip",
        signers=[KeySigner(OFFICER), KeySigner(VALIDATOR)],
        now=NOW,
        attachments=[att],
        documents=[("big.bin", big)],
    )
    assert ee.verify_package(pkg, trust, threshold=2).ok
    layout = split(pkg.read_bytes())
    i = next(i for i, m in enumerate(layout.members) if m.name.endswith("big.bin"))
    m = layout.members[i]
    crc = zlib.crc32(big) ^ 0x80000000
    members = list(layout.members)
    members[i] = Member(m.name, put32(m.local, L_CRC, crc), put32(m.central, C_CRC, crc))
    pkg.write_bytes(replace(layout, members=members).build())
    assert _code(pkg, trust) == "zip_crc_mismatch"


def test_crc_of_an_entry_read_whole_or_copied(tmp_path: Path) -> None:
    path = NEGATIVE_DIR / "zip_crc_payload.zip"
    reader = ZipReader(path, PackageLimits())
    try:
        with pytest.raises(PackageError) as exc:
            reader.read_bytes("data/request.json", 1 << 20)
        assert exc.value.code == "zip_crc_mismatch"
        with reader.open("data/request.json") as fh, pytest.raises(PackageError):
            shutil.copyfileobj(fh, io.BytesIO(), 100)  # small reads, as a copy makes
        results = hash_entries(reader, {"bagit.txt": ("sha256",)}, workers=1)
        assert not isinstance(results["bagit.txt"], PackageError)
    finally:
        reader.close()


def test_an_empty_entry_has_crc_zero(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"")
    with path.open("rb") as fh:
        assert Region(fh.fileno(), 0, 0, 0).read() == b""
        with pytest.raises(PackageError) as exc:
            Region(fh.fileno(), 0, 0, 1, name="empty").read()
    assert exc.value.code == "zip_crc_mismatch"


# --------------------------------------------------------------------------- deflated


def _deflated(golden: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(golden)) as src, zipfile.ZipFile(out, "w") as zf:
        for info in src.infolist():
            new = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            new.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(new, src.read(info))
    return out.getvalue()


def _patch_member(data: bytes, suffix: str, local_at: int, central_at: int, delta: int) -> bytes:
    layout = split(data)
    members = []
    for m in layout.members:
        value = int.from_bytes(m.local[local_at : local_at + 4], "little") + delta
        patched = Member(
            m.name, put32(m.local, local_at, value), put32(m.central, central_at, value)
        )
        members.append(patched if m.name.endswith(suffix) else m)
    return replace(layout, members=members).build()


def test_deflated_entries_are_read_strictly(tmp_path: Path, trust: TrustStore) -> None:
    deflated = _deflated(GOLDEN.read_bytes())
    path = tmp_path / "d.zip"
    path.write_bytes(deflated)
    assert ee.verify_package(path, trust, threshold=2).ok
    path.write_bytes(_patch_member(deflated, "data/request.json", L_CRC, C_CRC, 1))
    assert _code(path, trust) == "zip_crc_mismatch"
    # One compressed byte more than the deflate stream uses (appended after it).
    layout = split(_patch_member(deflated, "/bag-info.txt", L_CSIZE, C_CSIZE, 1))
    members = [
        Member(m.name, m.local + b"\0", m.central) if m.name.endswith("/bag-info.txt") else m
        for m in layout.members
    ]
    path.write_bytes(replace(layout, members=members).build())
    assert _code(path, trust) == "corrupt_entry"
    # A deflate stream cut short: the compressed size one byte less (a byte becomes a gap).
    short = split(_patch_member(deflated, "/bag-info.txt", L_CSIZE, C_CSIZE, -1))
    members = [
        Member(m.name, m.local[:-1], m.central) if m.name.endswith("/bag-info.txt") else m
        for m in short.members
    ]
    path.write_bytes(replace(short, members=members).build())
    assert _code(path, trust) == "corrupt_entry"


def test_a_deflated_entry_longer_or_shorter_than_declared(tmp_path: Path) -> None:
    deflated = _deflated(GOLDEN.read_bytes())
    path = tmp_path / "d.zip"
    for delta, message in ((-1, "longer"), (1, "shorter")):
        path.write_bytes(_patch_member(deflated, "/bag-info.txt", L_USIZE, C_USIZE, delta))
        reader = ZipReader(path, PackageLimits())
        try:
            with pytest.raises(PackageError) as exc:
                reader.read_bytes("bag-info.txt", 1 << 20)
        finally:
            reader.close()
        assert exc.value.code == "corrupt_entry"
        assert message in str(exc.value)


# --------------------------------------------------------------------------- small cases


@pytest.mark.parametrize("folder", ["data/empty", "data/attachments/empty", "fetch.txt", "a/b/c"])
def test_a_folder_that_holds_no_file_is_refused_in_the_directory_form(
    folder: str, tmp_path: Path, trust: TrustStore
) -> None:
    with zipfile.ZipFile(GOLDEN) as zf:
        zf.extractall(tmp_path)
    (root,) = tmp_path.iterdir()
    assert ee.verify_package(root, trust, threshold=2).ok
    (root / folder).mkdir(parents=True)
    assert _code(root, trust) == "empty_folder"


def test_an_empty_zip_is_not_a_bag(tmp_path: Path, trust: TrustStore) -> None:
    path = tmp_path / "empty.zip"
    with zipfile.ZipFile(path, "w"):
        pass
    assert package_report(path, trust).problems[0].code == "not_a_bag"
    path.write_bytes(b"junk" + path.read_bytes())
    assert _code(path, trust) == "zip_prefix"
    path.write_bytes(b"PK\x05\x06" + bytes(17))  # the comment length runs past the end
    assert _code(path, trust) == "not_a_package"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(at=st.integers(min_value=0), junk=st.binary(min_size=1, max_size=48))
def test_no_inserted_byte_goes_unnoticed(
    tmp_path_factory: pytest.TempPathFactory, at: int, junk: bytes
) -> None:
    """Bytes inserted anywhere in the golden package (between entries, inside headers,
    data or directory, before or after it all) never leave a package that verifies."""
    golden = GOLDEN.read_bytes()
    at %= len(golden) + 1
    path = tmp_path_factory.mktemp("insert") / "p.zip"
    path.write_bytes(golden[:at] + junk + golden[at:])
    report = package_report(path, load_trust_store(VECTORS / "trust"), threshold=2)
    assert not report.ok, (at, junk)


@pytest.mark.parametrize("where", ["local", "central"])
def test_an_empty_zip64_field_is_refused(
    where: Literal["local", "central"], tmp_path: Path, trust: TrustStore
) -> None:
    from tests.package_mutations import AddExtra, parse_archive

    golden = (VECTORS / "golden.zip").read_bytes()
    path = tmp_path / "empty-zip64.zip"
    path.write_bytes(AddExtra(0, where, 1, b"").apply(parse_archive(golden)).to_bytes())
    report = package_report(path, trust, threshold=2)
    assert [p.code for p in report.problems] == ["zip64_not_needed"]
    assert not report.ok
