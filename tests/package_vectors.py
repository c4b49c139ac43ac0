"""Package test vectors: a golden package from fixed keys and a fixed clock, and named negative
vectors derived from it, each wrong in one way.

Regenerate the committed files with ``python -m tests.package_vectors`` (from the repository
root); the tests rebuild every vector and compare it byte for byte with the committed file.
"""

from __future__ import annotations

import hashlib
import io
import sys
import warnings
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ed25519

import eevidence as ee
from eevidence._cli._package import placeholder_pdf
from eevidence.crypto import KeySigner, public_key_pem
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
    ee.sign_package(out, KeySigner(VALIDATOR))
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


def negative_vector(name: str, golden: bytes) -> bytes:
    return NEGATIVE[name][0](golden)


def regenerate(target: Path = VECTORS) -> None:
    """Write the golden package, the trusted keys and every negative vector under ``target``."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        golden = build_golden(Path(tmp) / "golden.zip").read_bytes()
    if target.exists():
        shutil.rmtree(target)
    (target / "trust").mkdir(parents=True)
    (target / "negative").mkdir()
    (target / "golden.zip").write_bytes(golden)
    (target / "trust" / "officer.pem").write_bytes(public_key_pem(OFFICER))
    (target / "trust" / "validator.pem").write_bytes(public_key_pem(VALIDATOR))
    for name in NEGATIVE:
        (target / "negative" / f"{name}.zip").write_bytes(negative_vector(name, golden))


if __name__ == "__main__":  # pragma: no cover
    regenerate()
    print(f"vectors written to {VECTORS}", file=sys.stderr)
