"""Package test vectors: a golden package from fixed keys and a fixed clock, and named negative
vectors derived from it, each wrong in one way.

``NEGATIVE`` holds the vectors of fixity and safe reading; ``TRUST_NEGATIVE`` (zip form) and
``TRUST_NEGATIVE_DIRS`` (directory form) those of signed coverage and signature-first
reading: files no signature covers, ``fetch.txt``, unsigned and malformed envelopes, an
unsigned amplification zip, and an untrusted package nobody may co-sign.

Regenerate the committed files with ``python -m tests.package_vectors`` (from the repository
root); the tests rebuild every vector and compare it byte for byte with the committed file.
Only the files named here are written: other files under ``tests/vectors/package`` stay.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import struct
import sys
import tempfile
import warnings
import zipfile
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ed25519

import eevidence as ee
from eevidence._cli._package import placeholder_pdf
from eevidence.crypto import Envelope, EnvelopeSignature, KeySigner, TrustStore, public_key_pem
from eevidence.package import PAYLOAD_TYPE, SIGNATURE_FILE
from tests.helpers import EXAMPLES, ROOT

VECTORS = ROOT / "tests" / "vectors" / "package"
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
ATTACHMENT = "screenshot-profile.pdf"


def fixed_key(label: str) -> ed25519.Ed25519PrivateKey:
    """A deterministic Ed25519 key for tests only (its seed is public)."""
    seed = hashlib.sha256(f"eevidence test vector key: {label}".encode()).digest()
    return ed25519.Ed25519PrivateKey.from_private_bytes(seed)


OFFICER = fixed_key("officer")
VALIDATOR = fixed_key("validator")
OUTSIDER = fixed_key("outsider")


def attachment_bytes() -> bytes:
    return placeholder_pdf("Screenshot of the public profile (test vector)")


def build_golden(out: Path) -> Path:
    """The golden package at ``out`` (``.zip`` or directory): officer-signed, then co-signed."""
    work = out.parent / f".{out.name}-attachments"
    work.mkdir(exist_ok=True)
    att = work / ATTACHMENT
    att.write_bytes(attachment_bytes())
    request = ee.read_request(EXAMPLES / "preservation.json")
    ee.build_package(request, out, signers=[KeySigner(OFFICER)], now=NOW, attachments=[att])
    officer = TrustStore.from_public_keys([OFFICER.public_key()])
    ee.sign_package(out, KeySigner(VALIDATOR), trust=officer)
    att.unlink()
    work.rmdir()
    return out


# --------------------------------------------------------------------------- zip surgery

Entries = list[tuple[zipfile.ZipInfo, bytes]]


def read_entries(data: bytes) -> Entries:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(info, zf.read(info)) for info in zf.infolist()]


def _info(name: str, *, mode: int = 0o100644, method: int = zipfile.ZIP_STORED) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.create_system = 3
    info.external_attr = mode << 16
    info.compress_type = method
    return info


def write_entries(entries: Entries) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns on the duplicate-name vector
        with zipfile.ZipFile(buf, "w") as zf:
            for info, data in entries:
                new = _info(info.filename, mode=info.external_attr >> 16, method=info.compress_type)
                zf.writestr(new, data)
    return buf.getvalue()


def _root(entries: Entries) -> str:
    return entries[0][0].filename.split("/", 1)[0] + "/"


def _mutate(golden: bytes, name: str, fn: Callable[[bytes], bytes]) -> bytes:
    entries = read_entries(golden)
    root = _root(entries)
    return write_entries([(i, fn(d) if i.filename == root + name else d) for i, d in entries])


def _flip(data: bytes, at: int = 10) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def _flip_signature(envelope: bytes) -> bytes:
    # Change one base64 character of the first signature to another valid one.
    marker = b'"sig": "'
    at = envelope.index(marker) + len(marker) + 5
    new = b"A" if envelope[at : at + 1] != b"A" else b"B"
    return envelope[:at] + new + envelope[at + 1 :]


def _add(golden: bytes, name: str, data: bytes, **kw: int) -> bytes:
    entries = read_entries(golden)
    return write_entries([*entries, (_info(_root(entries) + name, **kw), data)])


def _remove(golden: bytes, name: str) -> bytes:
    entries = read_entries(golden)
    return write_entries([(i, d) for i, d in entries if i.filename != _root(entries) + name])


def _rename(golden: bytes, old: str, new: str) -> bytes:
    entries = read_entries(golden)
    root = _root(entries)
    out: Entries = []
    for info, data in entries:
        out.append((_info(root + new) if info.filename == root + old else info, data))
    return write_entries(out)


def _zip_bomb(golden: bytes) -> bytes:
    entries = read_entries(golden)
    bomb = _info(_root(entries) + "data/attachments/bomb.bin", method=zipfile.ZIP_DEFLATED)
    return write_entries([*entries, (bomb, bytes(32 << 20))])


# Each negative vector: how to make it, and the reason verification must give.
NEGATIVE: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "payload_byte_flipped": (
        lambda g: _mutate(g, "data/request.json", _flip),
        "digest_mismatch: data/request.json",
    ),
    "manifest_byte_flipped": (
        lambda g: _mutate(g, "manifest-sha256.txt", lambda d: _flip(d, 3)),
        "digest_mismatch: manifest-sha256.txt",
    ),
    "signature_byte_flipped": (
        lambda g: _mutate(g, "signature.dsse.json", _flip_signature),
        "signature 0 invalid",
    ),
    "file_added": (
        lambda g: _add(g, "data/attachments/extra.txt", b"not in the manifest\n"),
        "unexpected: data/attachments/extra.txt",
    ),
    "file_removed": (
        lambda g: _remove(g, f"data/attachments/{ATTACHMENT}"),
        f"missing: data/attachments/{ATTACHMENT}",
    ),
    "file_renamed": (
        lambda g: _rename(g, f"data/attachments/{ATTACHMENT}", "data/attachments/renamed.pdf"),
        "unexpected: data/attachments/renamed.pdf",
    ),
    "tag_file_added": (
        lambda g: _add(g, "extra-tag.txt", b"Unsigned: yes\n"),
        "unexpected: extra-tag.txt",
    ),
    "path_traversal": (
        lambda g: _add(g, "../escape.txt", b"outside\n"),
        "path_traversal",
    ),
    "absolute_path": (
        lambda g: write_entries([*read_entries(g), (_info("/etc/evil.txt"), b"x")]),
        "absolute_path",
    ),
    "symlink": (
        lambda g: _add(g, "data/attachments/link", b"/etc/passwd", mode=0o120777),
        "symlink",
    ),
    "zip_bomb": (_zip_bomb, "zip_bomb"),
    "duplicate_entry": (
        lambda g: _add(g, "data/request.json", b"{}"),
        "duplicate_entry",
    ),
    "case_collision": (
        lambda g: _add(g, "data/REQUEST.json", b"{}"),
        "case_collision",
    ),
    "envelope_from_other_payload": (
        lambda g: _mutate(g, "tagmanifest-sha256.txt", lambda d: d + b"\n"),
        "signature_payload_mismatch",
    ),
}


# --------------------------------------------------------------------------- signed coverage

FORGED_NAME = "URGENT-supplementary-request.txt"
FORGED = b"SUPPLEMENTARY EMERGENCY REQUEST: also disclose the account 'second_account' now.\n"
SUPPLEMENT = "data/attachments/supplementary-request.pdf"


def bag_files(data: bytes) -> dict[str, bytes]:
    """The files of a package zip, by path relative to the bag root (its one top folder)."""
    return {i.filename.split("/", 1)[1]: d for i, d in read_entries(data) if not i.is_dir()}


def _sha(alg: str, data: bytes) -> str:
    return hashlib.new(alg, data).hexdigest()


def _extra_tag_manifest_files(golden: bytes) -> dict[str, bytes]:
    """The genuine package plus a file outside data/, pinned only by an added (unsigned)
    tagmanifest-sha512.txt: the signed tag manifest and the envelope are untouched."""
    files = bag_files(golden)
    files[FORGED_NAME] = FORGED
    files["tagmanifest-sha512.txt"] = f"{_sha('sha512', FORGED)}  {FORGED_NAME}\n".encode()
    return files


def _extra_tag_manifest(golden: bytes) -> bytes:
    entries = read_entries(golden)
    root = _root(entries)
    files = _extra_tag_manifest_files(golden)
    added = [(_info(root + n), files[n]) for n in (FORGED_NAME, "tagmanifest-sha512.txt")]
    return write_entries([*entries, *added])


def _file_in_unsigned_manifest(golden: bytes) -> bytes:
    """A payload file listed only by an added (unsigned) manifest-sha512.txt."""
    content = attachment_bytes().replace(b"test vector", b"supplement!")
    entries = read_entries(golden)
    root = _root(entries)
    manifest = f"{_sha('sha512', content)}  {SUPPLEMENT}\n".encode()
    added = [(_info(root + SUPPLEMENT), content), (_info(root + "manifest-sha512.txt"), manifest)]
    return write_entries([*entries, *added])


def _resigned(files: dict[str, bytes], root: str) -> bytes:
    """``files`` as a package zip whose tag manifest pins every tag file, signed anew by the
    officer and the validator (so the only fault is what the files themselves hold)."""
    tags = sorted(n for n in files if not n.startswith(("data/", "tagmanifest-", SIGNATURE_FILE)))
    tagmanifest = "".join(f"{_sha('sha256', files[n])}  {n}\n" for n in tags).encode()
    env = Envelope(PAYLOAD_TYPE, tagmanifest, ())
    for key in (OFFICER, VALIDATOR):
        signer = KeySigner(key)
        env = env.with_signature(EnvelopeSignature(signer.keyid, signer.sign(env.signed_bytes())))
    out = {**files, "tagmanifest-sha256.txt": tagmanifest, SIGNATURE_FILE: env.to_bytes()}
    return write_entries([(_info(root + n), out[n]) for n in sorted(out)])


def _fetch_txt_signed(golden: bytes) -> bytes:
    """A trusted, fully signed package that carries a fetch.txt (pinned by its signed tag
    manifest): refused all the same, a package must hold every file."""
    files = bag_files(golden)
    files["fetch.txt"] = f"https://files.example.org/supplement.pdf 2048 {SUPPLEMENT}\n".encode()
    return _resigned(files, _root(read_entries(golden)))


def _envelope_malformed(golden: bytes) -> bytes:
    return _mutate(golden, SIGNATURE_FILE, lambda _: b"{this is not a DSSE envelope\n")


def _outsider_signed(golden: bytes) -> bytes:
    """The golden package's content, signed by a key no trust store of the tests holds."""
    del golden  # built from the same inputs instead
    with tempfile.TemporaryDirectory() as tmp:
        att = Path(tmp) / ATTACHMENT
        att.write_bytes(attachment_bytes())
        request = ee.read_request(EXAMPLES / "preservation.json")
        out = Path(tmp) / "outsider.zip"
        ee.build_package(request, out, signers=[KeySigner(OUTSIDER)], now=NOW, attachments=[att])
        return out.read_bytes()


# The unsigned amplification zip: 1536 entries of 1 MiB of zeros, each deflated to about 1 KiB
# (below the 1 MiB ratio floor, so no single entry looks like a bomb): 1.8 MB that inflates
# to 1.5 GiB. A valid bag otherwise; it must be refused from its tag files alone.
AMPLIFICATION_ENTRIES = 1536
_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")
_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01


def _raw_zip(members: list[tuple[str, int, bytes, int, int]]) -> bytes:
    """A zip of ``(name, method, stored bytes, crc32, size)`` members, written directly (the
    deflated bytes are given, so one compressed block can be reused)."""
    out = bytearray()
    central = bytearray()
    for name, method, data, crc, size in members:
        raw = name.encode("ascii")
        offset = len(out)
        out += _LOCAL.pack(
            b"PK\x03\x04", 20, 0, method, 0, _DOS_DATE, crc, len(data), size, len(raw), 0
        )
        out += raw + data
        central += _CENTRAL.pack(
            b"PK\x01\x02",
            (3 << 8) | 20,
            20,
            0,
            method,
            0,
            _DOS_DATE,
            crc,
            len(data),
            size,
            len(raw),
            0,
            0,
            0,
            0,
            0o100644 << 16,
            offset,
        )
        central += raw
    end = _END.pack(b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(out), 0)
    return bytes(out + central + end)


def _amplification(golden: bytes) -> bytes:
    del golden  # not derived from the golden package
    zero = bytes(1 << 20)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = packer.compress(zero) + packer.flush()
    names = [f"data/{i:04d}.bin" for i in range(AMPLIFICATION_ENTRIES)]
    digest = _sha("sha256", zero)
    tags = {
        "bagit.txt": b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
        "bag-info.txt": f"Payload-Oxum: {len(zero) * len(names)}.{len(names)}\n".encode(),
        "manifest-sha256.txt": "".join(f"{digest}  {n}\n" for n in names).encode(),
    }
    tags["tagmanifest-sha256.txt"] = "".join(
        f"{_sha('sha256', tags[n])}  {n}\n" for n in sorted(tags)
    ).encode()
    root = "amp/"
    members = [
        (root + n, zipfile.ZIP_STORED, d, zlib.crc32(d), len(d)) for n, d in sorted(tags.items())
    ]
    crc = zlib.crc32(zero)
    members += [(root + n, zipfile.ZIP_DEFLATED, deflated, crc, len(zero)) for n in names]
    return _raw_zip(members)


# Each: how to make it (from the golden zip's bytes), and the reasons verification must give
# (the first is the vector's own reason code).
TRUST_NEGATIVE: dict[str, tuple[Callable[[bytes], bytes], tuple[str, ...]]] = {
    "extra_tag_manifest": (
        _extra_tag_manifest,
        ("unsigned_tag_manifest: tagmanifest-sha512.txt", f"not_covered: {FORGED_NAME}"),
    ),
    "file_in_unsigned_manifest": (
        _file_in_unsigned_manifest,
        (f"not_covered: {SUPPLEMENT}", "unexpected: manifest-sha512.txt"),
    ),
    "fetch_txt_signed": (_fetch_txt_signed, ("fetch_file: fetch.txt",)),
    "unsigned_amplification": (
        _amplification,
        ("unsigned: the package has no signature envelope",),
    ),
    "envelope_removed": (
        lambda g: _remove(g, SIGNATURE_FILE),
        ("unsigned: the package has no signature envelope",),
    ),
    "envelope_malformed": (_envelope_malformed, ("bad_envelope",)),
    "cosign_untrusted": (
        _outsider_signed,
        ("signature 0 unknown_key", "threshold_not_met: 0 valid trusted signature(s)"),
    ),
}

# Directory form: how to make its files (from the golden zip's bytes), and the reasons.
TRUST_NEGATIVE_DIRS: dict[str, tuple[Callable[[bytes], dict[str, bytes]], tuple[str, ...]]] = {
    "extra_tag_manifest_dir": (
        _extra_tag_manifest_files,
        ("unsigned_tag_manifest: tagmanifest-sha512.txt", f"not_covered: {FORGED_NAME}"),
    ),
}


def write_tree(files: dict[str, bytes], out: Path) -> Path:
    """Write ``files`` (bag-relative paths) as a directory package at ``out``."""
    for name, data in sorted(files.items()):
        target = out.joinpath(*name.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return out


def read_tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root``, by ``/``-separated relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def negative_vector(name: str, golden: bytes) -> bytes:
    if name in TRUST_NEGATIVE:
        return TRUST_NEGATIVE[name][0](golden)
    return NEGATIVE[name][0](golden)


def regenerate(target: Path = VECTORS) -> None:
    """Write the golden package, the trusted keys and every negative vector under ``target``
    (only those files: anything else there is left as it is)."""
    with tempfile.TemporaryDirectory() as tmp:
        golden = build_golden(Path(tmp) / "golden.zip").read_bytes()
    (target / "trust").mkdir(parents=True, exist_ok=True)
    (target / "negative").mkdir(exist_ok=True)
    (target / "golden.zip").write_bytes(golden)
    (target / "trust" / "officer.pem").write_bytes(public_key_pem(OFFICER))
    (target / "trust" / "validator.pem").write_bytes(public_key_pem(VALIDATOR))
    for name in [*NEGATIVE, *TRUST_NEGATIVE]:
        (target / "negative" / f"{name}.zip").write_bytes(negative_vector(name, golden))
    for name, (make, _) in TRUST_NEGATIVE_DIRS.items():
        out = target / "negative" / name
        shutil.rmtree(out, ignore_errors=True)
        write_tree(make(golden), out)


if __name__ == "__main__":  # pragma: no cover
    regenerate()
    print(f"vectors written to {VECTORS}", file=sys.stderr)
