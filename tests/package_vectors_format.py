"""Format vectors: how tag files and the signature envelope are read (RFC 8493, DSSE).

Each vector is derived from the golden package and sealed again as a signer would seal it:
payload manifest, ``Payload-Oxum``, tag manifest and both signatures (the fixed test keys of
:mod:`tests.package_vectors`) are recomputed, so every signature is valid and the one thing
that differs from a genuine package is the format point under test.

* ``NEGATIVE``: must not verify, each for its own reason (``negative/format_*.zip``).
* ``POSITIVE``: must verify with both trusted signers (``positive/format_*.zip``), because
  RFC 8493 or the DSSE specification says a reader must accept them; ``ORACLE`` names those
  bagit-python also validates (the others show where bagit-python reads differently).

Regenerate the committed files with ``python -m tests.package_vectors_format`` (from the
repository root); the tests rebuild every vector and compare it byte for byte.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sys
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from eevidence.crypto import Envelope, EnvelopeSignature, KeySigner
from eevidence.package import PAYLOAD_TYPE, SIGNATURE_FILE
from tests.package_vectors import OFFICER, VALIDATOR, VECTORS, read_entries, write_entries

GOLDEN = VECTORS / "golden.zip"
TAGMANIFEST = "tagmanifest-sha256.txt"
MANIFEST = "manifest-sha256.txt"
PDF = "data/attachments/screenshot-profile.pdf"
NOTE = b"A note attached to the request (format test vector).\n"

Files = dict[str, bytes]  # path relative to the bag root -> content


def golden_files(golden: bytes) -> tuple[str, Files]:
    """The golden zip as ``(root folder with its slash, {path: bytes})``."""
    entries = read_entries(golden)
    root = entries[0][0].filename.split("/", 1)[0] + "/"
    return root, {info.filename[len(root) :]: data for info, data in entries}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def default_manifest(payload: Files) -> bytes:
    """A payload manifest as the builder writes it: ``DIGEST  PATH`` lines, sorted."""
    return "".join(f"{_sha256(d)}  {p}\n" for p, d in sorted(payload.items())).encode("utf-8")


def seal(
    golden: bytes,
    *,
    add: Files | None = None,
    replace: Files | None = None,
    manifest: Callable[[Files], bytes] = default_manifest,
    newline: str = "\n",
    envelope: Callable[[bytes], bytes] | None = None,
) -> bytes:
    """The golden package changed and sealed again (see the module docstring).

    Args:
        golden: The golden zip's bytes.
        add: Payload files to add (their sizes are not added to ``payload-sizes.txt``).
        replace: Tag files to replace before sealing (``bagit.txt``, ``bag-info.txt``...).
        manifest: Writes the payload manifest from ``{path: bytes}`` of every payload file.
        newline: The line ending of every tag file (``\\n``, ``\\r\\n`` or ``\\r``).
        envelope: Rewrites the envelope's bytes after signing (the signatures still hold:
            the envelope is not pinned by the tag manifest).

    Returns:
        The new zip's bytes (entries sorted, fixed metadata, as the golden package).
    """
    root, files = golden_files(golden)
    del files[TAGMANIFEST], files[SIGNATURE_FILE]
    files.update(add or {})
    files.update(replace or {})
    payload = {p: d for p, d in files.items() if p.startswith("data/")}
    files[MANIFEST] = manifest(payload)
    oxum = f"Payload-Oxum: {sum(len(d) for d in payload.values())}.{len(payload)}".encode()
    files["bag-info.txt"] = re.sub(rb"Payload-Oxum: [0-9.]+", oxum, files["bag-info.txt"])
    tag_files = sorted(n for n in files if "/" not in n)
    if newline != "\n":
        for name in tag_files:
            files[name] = files[name].replace(b"\n", newline.encode())
    tagmanifest = "".join(f"{_sha256(files[n])}  {n}{newline}" for n in tag_files).encode()
    env = Envelope(PAYLOAD_TYPE, tagmanifest, ())
    for key in (OFFICER, VALIDATOR):
        signer = KeySigner(key)
        env = env.with_signature(EnvelopeSignature(signer.keyid, signer.sign(env.signed_bytes())))
    files[TAGMANIFEST] = tagmanifest
    files[SIGNATURE_FILE] = envelope(env.to_bytes()) if envelope else env.to_bytes()
    return write_entries([(_entry(root + name), files[name]) for name in sorted(files)])


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = 0o100644 << 16
    return info


# --------------------------------------------------------------------------- envelopes


def envelope_doc(data: bytes) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(data)
    return doc


def url_safe_unpadded(data: bytes) -> bytes:
    """An envelope's ``payload`` and every ``sig`` rewritten in URL-safe base64 without
    padding (DSSE ``protocol.md``: verifiers MUST accept it)."""

    def recode(text: str) -> str:
        return base64.urlsafe_b64encode(base64.b64decode(text)).decode().rstrip("=")

    doc = envelope_doc(data)
    doc["payload"] = recode(doc["payload"])
    for sig in doc["signatures"]:
        sig["sig"] = recode(sig["sig"])
    return json.dumps(doc, indent=2).encode() + b"\n"


def unknown_fields_and_null_keyid(data: bytes) -> bytes:
    """Fields DSSE does not define (ignored by consumers) and a ``null`` then an absent
    ``keyid`` (both read as empty, ``envelope.md`` "Parsing rules")."""
    doc = envelope_doc(data)
    doc["x-comment"] = {"note": "consumers MUST ignore unrecognized fields"}
    doc["signatures"][0]["keyid"] = None
    doc["signatures"][0]["x-algorithm"] = "ed25519"
    del doc["signatures"][1]["keyid"]
    return json.dumps(doc, indent=2).encode() + b"\n"


def duplicate_payload_key(data: bytes) -> bytes:
    """A second ``payload`` key after the genuine one: a last-key-wins reader sees one
    payload, a first-key-wins reader another."""
    doc = envelope_doc(data)
    forged = base64.b64encode(b"0" * 64 + b"  bagit.txt\n").decode()
    text = json.dumps(doc, indent=2)
    return text.replace('  "payload": ', f'  "payload": "{forged}",\n  "payload": ', 1).encode()


# --------------------------------------------------------------------------- manifests


def _lines(payload: Files, path: Callable[[str], str], sep: str = "  ") -> bytes:
    return "".join(f"{_sha256(d)}{sep}{path(p)}\n" for p, d in sorted(payload.items())).encode()


def dot_slash(payload: Files) -> bytes:
    """Every path written ``./data/...`` (bags made by some tools; other validators accept)."""
    return _lines(payload, lambda p: "./" + p)


def tab_separated(payload: Files) -> bytes:
    """A tab between checksum and path (RFC 8493 2.1.3: spaces or tabs)."""
    return _lines(payload, lambda p: p, "\t")


def percent_encoded(payload: Files) -> bytes:
    """``%`` written ``%25`` (RFC 8493 2.1.3); nothing else encoded."""
    return _lines(payload, lambda p: p.replace("%", "%25"))


def _u2028_joined(payload: Files) -> bytes:
    """The first line break written as U+2028 LINE SEPARATOR, which is not one in BagIt."""
    return default_manifest(payload).replace(b"\n", "\u2028".encode(), 1)


def _unicode_space(payload: Files) -> bytes:
    """An IDEOGRAPHIC SPACE (U+3000) between checksum and path instead of a space or tab."""
    return _lines(payload, lambda p: p, "\u3000")


def _listed_as(old: str, new: str) -> Callable[[Files], bytes]:
    def write(payload: Files) -> bytes:
        return _lines(payload, lambda p: new if p == old else p)

    return write


# --------------------------------------------------------------------------- the vectors

NFC_NAME = unicodedata.normalize("NFC", "data/attachments/Nu\u0301n\u0303ez.txt")
NFD_NAME = unicodedata.normalize("NFD", NFC_NAME)
BAGIT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"


def _bag_info_with(extra: str) -> Callable[[bytes], bytes]:
    def make(golden: bytes) -> bytes:
        _, files = golden_files(golden)
        info = files["bag-info.txt"] + extra.encode("utf-8")
        return seal(golden, replace={"bag-info.txt": info})

    return make


@dataclass(frozen=True)
class Expect:
    """Why a negative vector fails: a structural problem (``code`` and a fragment of its
    message) or a file result (``status`` and the exact path)."""

    kind: Literal["problem", "file"]
    code: str
    detail: str


BAGIT_WIRED = ("format_bagit_space_before_colon", "format_bagit_bom", "format_bagit_extra_line")
"""Vectors whose reason comes from ``parse_bag_declaration`` (strict ``bagit.txt``)."""

NEGATIVE: dict[str, tuple[Callable[[bytes], bytes], Expect]] = {
    # RFC 8493 2.1.1 and the conformance suite's bagit-with-invalid-whitespace.
    "format_bagit_space_before_colon": (
        lambda g: seal(
            g,
            replace={"bagit.txt": b"BagIt-Version : 1.0\nTag-File-Character-Encoding : UTF-8\n"},
        ),
        Expect("problem", "bad_declaration", "expected 'BagIt-Version: M.N'"),
    ),
    # RFC 8493 2.1.1 ("MUST NOT begin with a Byte Order Mark"); the suite's bom-in-bagit.txt.
    "format_bagit_bom": (
        lambda g: seal(g, replace={"bagit.txt": b"\xef\xbb\xbf" + BAGIT}),
        Expect("problem", "bad_declaration", "byte order mark"),
    ),
    # RFC 8493 2.1.1: "exactly two lines".
    "format_bagit_extra_line": (
        lambda g: seal(g, replace={"bagit.txt": BAGIT + b"Bag-Software-Agent: other\n"}),
        Expect("problem", "bad_declaration", "exactly two lines"),
    ),
    # Lines end only at CR, LF or CRLF: U+2028 does not split two manifest entries.
    "format_manifest_u2028_is_not_a_line_break": (
        lambda g: seal(g, manifest=_u2028_joined),
        Expect("file", "unexpected", "data/request.json"),
    ),
    # One or more spaces or tabs separate checksum and path, not other Unicode spaces.
    "format_manifest_unicode_space_separator": (
        lambda g: seal(g, manifest=_unicode_space),
        Expect("problem", "malformed_manifest", "expected 'DIGEST PATH'"),
    ),
    # Only %0D, %0A and %25 are decoded: %7E does not name '~note.txt'.
    "format_manifest_percent_7e_is_not_decoded": (
        lambda g: seal(
            g,
            add={"data/attachments/~note.txt": NOTE},
            manifest=_listed_as("data/attachments/~note.txt", "data/attachments/%7Enote.txt"),
        ),
        Expect("file", "missing", "data/attachments/%7Enote.txt"),
    ),
    # The path runs to the end of the line: a trailing space names another file.
    "format_manifest_trailing_space_is_part_of_the_name": (
        lambda g: seal(g, manifest=_listed_as(PDF, PDF + " ")),
        Expect("file", "missing", PDF + " "),
    ),
    # Two names one file system would merge: NFC and NFD spellings of the same name.
    "format_names_differ_by_normalisation": (
        lambda g: seal(g, add={NFC_NAME: NOTE, NFD_NAME: NOTE + b"(the other one)\n"}),
        Expect("problem", "malformed_manifest", "(ambiguous_name)"),
    ),
    # Two names Windows would merge: the same name with and without a trailing space.
    "format_names_differ_by_trailing_space": (
        lambda g: seal(
            g,
            add={"data/attachments/note.txt": NOTE, "data/attachments/note.txt ": NOTE + b"2\n"},
        ),
        Expect("problem", "malformed_manifest", "(ambiguous_name)"),
    ),
    # A JSON object with one key twice: readers disagree on which payload was signed.
    "format_dsse_duplicate_key": (
        lambda g: seal(g, envelope=duplicate_payload_key),
        Expect("problem", "bad_envelope", "'payload' appears twice"),
    ),
}

POSITIVE: dict[str, Callable[[bytes], bytes]] = {
    # DSSE protocol.md "Protocol": verifiers MUST accept standard or URL-safe base64.
    "format_dsse_url_safe_unpadded": lambda g: seal(g, envelope=url_safe_unpadded),
    # DSSE envelope.md "Parsing rules": unknown fields ignored; keyid unset = empty.
    "format_dsse_unknown_fields_null_keyid": lambda g: seal(
        g, envelope=unknown_fields_and_null_keyid
    ),
    # RFC 8493 2.1-2.2: lines end at LF, CR or CRLF (the conformance suite uses CRLF).
    "format_tag_files_crlf": lambda g: seal(g, newline="\r\n"),
    "format_tag_files_cr": lambda g: seal(g, newline="\r"),
    # The suite's bag-with-leading-dot-slash-in-manifest.
    "format_manifest_dot_slash": lambda g: seal(g, manifest=dot_slash),
    "format_manifest_tab_separator": lambda g: seal(g, manifest=tab_separated),
    # File names holding characters str.splitlines() breaks on (RFC 8493 puts no limit).
    "format_name_u2028": lambda g: seal(g, add={"data/attachments/a\u2028b.txt": NOTE}),
    "format_name_u0085": lambda g: seal(g, add={"data/attachments/a\x85b.txt": NOTE}),
    "format_name_form_feed": lambda g: seal(g, add={"data/attachments/a\x0cb.txt": NOTE}),
    "format_name_vertical_tab": lambda g: seal(g, add={"data/attachments/a\x0bb.txt": NOTE}),
    "format_name_trailing_space": lambda g: seal(g, add={"data/attachments/note.txt ": NOTE}),
    # The suite's bag-with-encoded-names: %7E is a file name, not '~'.
    "format_name_percent_literal": lambda g: seal(g, add={"data/attachments/%7Enote.txt": NOTE}),
    # RFC 8493 2.1.3: '%' is written %25.
    "format_name_percent_encoded": lambda g: seal(
        g, add={"data/attachments/100%.txt": NOTE}, manifest=percent_encoded
    ),
    # bag-info.txt values may hold the same characters (RFC 8493 2.2.2).
    "format_bag_info_value_separators": _bag_info_with("EEvidence-Note: a\u2028b\x85c\x0cd\x0be\n"),
}

ORACLE = frozenset(
    {
        "format_dsse_url_safe_unpadded",
        "format_dsse_unknown_fields_null_keyid",
        "format_tag_files_crlf",
        "format_tag_files_cr",
        "format_manifest_dot_slash",
        "format_manifest_tab_separator",
        "format_name_percent_literal",
    }
)
"""Positive vectors bagit-python 1.9 also validates. It reads tag files with
``codecs.open``, whose lines end at U+2028, U+0085, form feed and vertical tab too; strips
trailing spaces from paths; and decodes ``%0D`` and ``%0A`` but not ``%25``: so it refuses
the other positive vectors, which RFC 8493 makes valid."""


def regenerate() -> None:
    """Write every format vector under ``tests/vectors/package`` (``negative/`` and
    ``positive/``), leaving the other vectors alone."""
    golden = GOLDEN.read_bytes()
    (VECTORS / "positive").mkdir(exist_ok=True)
    for old in (VECTORS / "negative").glob("format_*.zip"):
        old.unlink()
    for old in (VECTORS / "positive").glob("format_*.zip"):
        old.unlink()
    for name, (make, _) in NEGATIVE.items():
        (VECTORS / "negative" / f"{name}.zip").write_bytes(make(golden))
    for name, make_positive in POSITIVE.items():
        (VECTORS / "positive" / f"{name}.zip").write_bytes(make_positive(golden))


if __name__ == "__main__":  # pragma: no cover
    regenerate()
    print(f"format vectors written under {VECTORS}", file=sys.stderr)
