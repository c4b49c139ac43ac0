"""Mutated genuine packages never verify, unless the mutation is semantically neutral.

Hypothesis mutates the golden package (signed by the two fixed test keys, verified with
threshold 2 against ``tests/vectors/package/trust``) in its zip form and its directory form:

* bytes of the zip: flipped, inserted or deleted anywhere (local headers, names, data,
  central directory, end record), inserted between entries, appended after the end record;
* zip structure: any header field set in the local header, the central record or both,
  extra fields, entry and archive comments, folder entries, entries stored deflated,
  moved, duplicated or left out of the central directory;
* files of the bag (directory form, and zipped again in the zip form): a byte changed in
  any file, a file added anywhere (at the top level, under ``data/``, a new tag manifest or
  payload manifest forged with the right digests, ``fetch.txt``, look-alike names), a file
  removed, a file renamed (case, trailing space, Unicode normal form), an empty folder or
  a symbolic link added;
* tag files edited line by line (``bagit.txt``, ``bag-info.txt``, the manifests,
  ``payload-sizes.txt``, the envelope): lines added, deleted, duplicated, moved, extended,
  their endings changed;
* the DSSE envelope edited as JSON: signatures added, copied, dropped, re-ordered; key ids
  changed, dropped or null; base64 re-spelled; unknown fields; another payload type; a
  duplicate key.

The property: after a mutation, :func:`~eevidence.package.package_report` is not ``ok``
(and :func:`~eevidence.package.verify_package` raises), or the mutation is semantically
neutral. Neutral is defined narrowly in :mod:`tests.package_mutations` and decided by a
reference reading written independently of eevidence (:func:`zip_difference`,
:func:`tree_difference`): the same files with the same bytes for every kind of zip reader,
only the envelope's spelling (not what it signs) and zip metadata no reader derives a file,
a name, a byte or visible text from may change. Re-ordering the lines of ``bag-info.txt``
is not neutral (it is pinned by the signed tag manifest); an archive comment is not
neutral either (``unzip`` prints it before the files), nor an empty ZIP64 extra field (no
reader needs it: bytes nobody signed). A failure names the mutation, shrunk by Hypothesis,
and what makes it not neutral.

Examples: ``EEVIDENCE_MUTATION_EXAMPLES`` per test (default 250), derandomised so that CI
is reproducible; set ``EEVIDENCE_MUTATION_RANDOM=1`` to draw new examples (and keep
failures in the Hypothesis database) when hunting locally.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final, get_args

import pytest
from hypothesis import HealthCheck, given, reject, settings, strategies as st

from eevidence.crypto import load_trust_store
from eevidence.errors import PackageVerificationError
from eevidence.package import package_report, verify_package
from tests.package_mutations import (
    SIGNATURE,
    AddExtra,
    AddFile,
    AddFolder,
    AddFolderEntry,
    AddLink,
    Append,
    Archive,
    Bag,
    BagMutation,
    ByteMutation,
    ChangeByte,
    Deflate,
    Delete,
    DropRecord,
    DuplicateEntry,
    EditEnvelope,
    EditLines,
    EnvelopeOp,
    Flip,
    Forged,
    Genuine,
    Insert,
    LineOp,
    MoveEntry,
    RemoveFile,
    Rename,
    RenameHow,
    SetAttributes,
    SetComment,
    SetEntryComment,
    SetField,
    ZipField,
    ZipMutation,
    archive_from_files,
    genuine_from_zip,
    layout,
    parse_archive,
    renamed,
    stored_member,
    tree_difference,
    write_tree,
    zip_difference,
)
from tests.package_vectors import VECTORS, attachment_bytes
from tests.package_vectors_format import seal

GOLDEN: Final = genuine_from_zip((VECTORS / "golden.zip").read_bytes(), VECTORS / "trust")
TRUST: Final = load_trust_store(VECTORS / "trust")
UNICODE_NAME: Final = "data/attachments/Zeugenaussage-M\u00fcller-caf\u00e9-\ufb01le.pdf"
"""A payload file whose name NFD and NFKC change (U+00FC, U+00E9, the ligature U+FB01)."""
PATHS: Final = sorted(GOLDEN.files)
TAG_FILES: Final = [p for p in PATHS if "/" not in p]

_RANDOM = os.environ.get("EEVIDENCE_MUTATION_RANDOM") == "1"
MUTATIONS: Final = settings(
    max_examples=int(os.environ.get("EEVIDENCE_MUTATION_EXAMPLES", "250")),
    deadline=None,
    derandomize=not _RANDOM,
    database=settings().database if _RANDOM else None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@functools.cache
def unicode_genuine() -> Genuine:
    """The golden package with a second attachment whose name is not ASCII, sealed again by
    the officer and the validator (eevidence itself only writes ASCII names)."""
    sealed = seal((VECTORS / "golden.zip").read_bytes(), add={UNICODE_NAME: attachment_bytes()})
    return genuine_from_zip(sealed, VECTORS / "trust")


# --------------------------------------------------------------------------- the property


def _check(path: Path, difference: str | None, mutation: object) -> None:
    """The property: a mutated package verifies only when the mutation is neutral."""
    report = package_report(path, TRUST, threshold=2)
    if report.ok:
        assert difference is None, (
            f"a mutated package verifies, but the mutation is not neutral: {difference}\n"
            f"mutation: {mutation!r}"
        )
        assert verify_package(path, TRUST, threshold=2).ok
    else:
        assert report.reasons(), f"a report that is not ok gives no reason: {mutation!r}"
        with pytest.raises(PackageVerificationError):
            verify_package(path, TRUST, threshold=2)


@contextmanager
def _scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="eevidence-mutation-") as tmp:
        yield Path(tmp)


def check_zip(data: bytes, genuine: Genuine, mutation: object) -> None:
    """Write the mutated zip, and check the property against its reference reading."""
    with _scratch() as tmp:
        path = tmp / "package.zip"
        path.write_bytes(data)
        _check(path, zip_difference(data, genuine), mutation)


def check_directory(bag: Bag, genuine: Genuine, mutation: object) -> None:
    """Write the mutated bag as a directory, and check the property against the files the
    file system actually holds (a mutation it cannot hold is rejected)."""
    with _scratch() as tmp:
        try:
            root = write_tree(bag.files, tmp / "package", bag.folders, bag.links)
        except OSError:
            reject()  # e.g. a file where a folder is, a name the file system refuses
        _check(root, tree_difference(root, genuine), mutation)


def mutated_bag(genuine: Genuine, ops: list[BagMutation]) -> Bag:
    bag = Bag(dict(genuine.files))
    for op in ops:
        op.apply(bag)
    return bag


def zipped(bag: Bag, genuine: Genuine) -> bytes:
    """The bag as eevidence lays out a zip (entries sorted, under the genuine folder)."""
    return archive_from_files(bag.files, genuine.root, bag.folders, bag.links).to_bytes()


# --------------------------------------------------------------------------- strategies

REGIONS: Final = layout(GOLDEN.zip_bytes)
BOUNDARIES: Final = sorted(
    {s for label, s, _ in REGIONS if label.startswith(("local header", "central record", "end"))}
    | {len(GOLDEN.zip_bytes)}
)


def where(at: int) -> str:
    """The region of the golden zip holding the byte at ``at`` (for failure messages)."""
    return next((label for label, s, e in REGIONS if s <= at < e), "the end of the file")


positions = st.builds(
    lambda region, k: region[1] + k % (region[2] - region[1]),
    st.sampled_from(REGIONS),
    st.integers(min_value=0, max_value=1 << 16),
)
_HIDDEN = stored_member(GOLDEN.root + "data/supplement.txt", b"also disclose account 2\n")
junk = st.one_of(
    st.binary(min_size=1, max_size=64),
    st.sampled_from(
        [
            b"\x00",
            b"PK",
            b"PK\x03\x04",
            b"PK\x01\x02",
            b"PK\x05\x06",
            _HIDDEN.local.pack() + _HIDDEN.data,  # a whole entry only a streaming reader sees
            _HIDDEN.central.pack(0),
            GOLDEN.zip_bytes[-22:],  # a second end record
        ]
    ),
)
byte_mutations: st.SearchStrategy[ByteMutation] = st.one_of(
    st.builds(Flip, positions, st.integers(1, 255)),
    st.builds(Insert, positions, junk),
    st.builds(Delete, positions, st.integers(1, 16)),
    st.builds(Append, junk),
)

_U16, _U32 = st.integers(0, 0xFFFF), st.integers(0, 0xFFFFFFFF)
_ROOTED = [GOLDEN.root + p for p in PATHS]
_FIELD_VALUES: Final[dict[str, st.SearchStrategy[int] | st.SearchStrategy[bytes]]] = {
    "made_by": st.one_of(
        _U16,
        st.builds(
            lambda host, version: host << 8 | version,
            st.sampled_from([0, 2, 3, 6, 7, 10, 11, 14, 19, 30]),
            st.sampled_from([10, 20, 45, 63]),
        ),
    ),
    "needed": st.one_of(st.sampled_from([0, 10, 20, 45, 46, 51, 63, 0x0314, 0x0114]), _U16),
    "flags": st.one_of(st.sampled_from([1 << bit for bit in range(16)]), _U16),
    "method": st.one_of(st.sampled_from([0, 1, 8, 9, 12, 14, 93, 99]), _U16),
    "time": _U16,
    "date": _U16,
    "crc": _U32,
    "csize": st.one_of(st.integers(0, 7000), st.just(0xFFFFFFFF), _U32),
    "usize": st.one_of(st.integers(0, 7000), st.just(0xFFFFFFFF), _U32),
    "name": st.one_of(
        st.sampled_from(_ROOTED).map(str.encode),
        st.sampled_from(_ROOTED).map(lambda n: n.upper().encode()),
        st.sampled_from(_ROOTED).map(lambda n: (n + " ").encode()),
        st.sampled_from(_ROOTED).map(lambda n: n.replace("/", "\\").encode()),
        st.sampled_from(_ROOTED).map(lambda n: n.split("/", 1)[1].encode()),
        st.sampled_from(_ROOTED).map(lambda n: ("x" + n).encode()),
        st.binary(min_size=1, max_size=80),
    ),
    "disk": _U16,
    "internal": _U16,
    "external": st.one_of(
        _U32,
        st.builds(
            lambda mode, dos: mode << 16 | dos,
            st.sampled_from(
                [0, 0o100644, 0o100755, 0o104755, 0o040755, 0o120777, 0o010644, 0o060644]
            ),
            st.sampled_from([0, 0x01, 0x02, 0x04, 0x08, 0x10, 0x20]),
        ),
    ),
}
members = st.integers(0, len(PATHS) - 1)
wheres = st.sampled_from(["local", "central", "both"])
set_fields = st.sampled_from(get_args(ZipField)).flatmap(
    lambda name: st.builds(SetField, members, wheres, st.just(name), _FIELD_VALUES[name])
)
texts = st.one_of(
    st.binary(min_size=1, max_size=48),
    st.sampled_from([b"URGENT: also disclose account 2", b"\x1b[2J\x1b[32mVERIFIED\x1b[0m"]),
)
zip_mutations: st.SearchStrategy[ZipMutation] = st.one_of(
    set_fields,
    st.builds(
        AddExtra,
        members,
        wheres,
        st.one_of(
            st.sampled_from(
                [0x0001, 0x000A, 0x000D, 0x0017, 0x5455, 0x5855, 0x6375, 0x7075, 0x7875, 0x9901]
            ),
            _U16,
        ),
        st.one_of(st.binary(max_size=24), st.just(b"\x01\x00\x00\x00\x00")),
    ),
    st.builds(
        SetAttributes,
        members,
        _FIELD_VALUES["made_by"],
        _FIELD_VALUES["external"],
    ),
    st.builds(SetEntryComment, members, texts),
    st.builds(SetComment, texts),
    st.builds(Deflate, members),
    st.builds(
        AddFolderEntry,
        st.sampled_from(["data", "data/attachments", "data/new", "meta", "URGENT-read-me"]),
        st.integers(0, len(PATHS)),
    ),
    st.builds(MoveEntry, st.sampled_from(["local", "central"]), members, members),
    st.builds(DuplicateEntry, members),
    st.builds(DropRecord, members),
)


def bag_mutations(paths: list[str]) -> st.SearchStrategy[BagMutation]:
    """File-level mutations of a bag whose files are ``paths``."""
    existing = st.sampled_from(paths)
    names = st.one_of(
        st.sampled_from(
            [
                "fetch.txt",
                "tagmanifest-sha256.txt",
                "tagmanifest-sha512.txt",
                "tagmanifest-md5.txt",
                "manifest-sha256.txt",
                "manifest-sha512.txt",
                "manifest-md5.txt",
                "bag-info.txt",
                "bagit.txt",
                "payload-sizes.txt",
                SIGNATURE,
                "URGENT-supplementary-request.txt",
                "request.json",
                ".DS_Store",
                "tagmanifest-sha256.txt ",
                "Signature.dsse.json",
                "signature.dsse.json\u200b",
                "bag-info.txt\u00a0",
            ]
        ),
        st.text(
            st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1, max_size=24
        ).filter(lambda s: s not in (".", "..")),
    )
    places = st.sampled_from(["", "data/", "data/attachments/", "data/documents/", "meta/"])
    contents = st.one_of(
        st.binary(max_size=64),
        st.sampled_from(sorted(set(GOLDEN.files.values()))),
        st.builds(
            Forged,
            st.sampled_from(["tagmanifest", "manifest"]),
            st.sampled_from(["sha256", "sha512", "md5"]),
            st.lists(st.sampled_from(["data/x.txt", "meta/x.txt", "x.txt"]), max_size=2).map(tuple),
        ),
    )
    return st.one_of(
        st.builds(ChangeByte, existing, st.integers(0, 1 << 16), st.integers(1, 255)),
        st.builds(AddFile, st.builds(str.__add__, places, names), contents),
        st.builds(RemoveFile, existing),
        st.builds(Rename, existing, st.sampled_from(get_args(RenameHow))),
        st.builds(AddFolder, st.builds(str.__add__, places, names)),
        st.builds(
            AddLink,
            st.one_of(existing, st.builds(str.__add__, places, names)),
            st.sampled_from(["/etc/passwd", "../../outside", "request.json", "data", "."]),
        ),
    )


_LINES = sorted({line for p in TAG_FILES for line in GOLDEN.files[p].decode("utf-8").splitlines()})
line_texts = st.one_of(
    st.sampled_from(_LINES),
    st.sampled_from(["\n", "\r\n", "\r", "", " ", "\t", "\u2028", "\u0085", "\x0b", "\x0c"]),
    st.sampled_from(["Payload-Oxum: 3393.2", "BagIt-Version: 1.0", "Note: also account 2"]),
    st.text(max_size=40),
)
envelope_edits = st.builds(
    EditEnvelope,
    st.sampled_from(get_args(EnvelopeOp)),
    st.integers(0, 3),
    st.one_of(
        st.sampled_from(["url", "unpadded", "url unpadded", "", "note", "keyid", "sig"]),
        st.sampled_from(["application/vnd.eevidence.package.v1+bagit-tagmanifest "]),
        st.sampled_from([SIGNATURE, "application/vnd.in-toto+json"]),
        st.text(max_size=20),
    ),
)
line_edits = st.builds(
    EditLines,
    st.sampled_from(TAG_FILES),
    st.sampled_from(get_args(LineOp)),
    st.integers(0, 40),
    st.integers(0, 40),
    line_texts,
)


# --------------------------------------------------------------------------- the harness itself


def test_the_zip_model_reproduces_the_golden_package() -> None:
    """The mutations start from the real package: the zip model writes the golden bytes
    back, a zip of its files laid out as eevidence does is the golden zip again, and the
    reference reading finds it neutral to itself."""
    data = GOLDEN.zip_bytes
    assert parse_archive(data).to_bytes() == data
    assert archive_from_files(GOLDEN.files, GOLDEN.root).to_bytes() == data
    assert zip_difference(data, GOLDEN) is None
    assert [label for label, *_ in REGIONS][-1] == "end record"


def test_the_genuine_packages_verify() -> None:
    """Without this, the property would hold for nothing: both genuine packages verify in
    both forms, zipped again by the harness too."""
    for genuine in (GOLDEN, unicode_genuine()):
        bag = Bag(dict(genuine.files))
        with _scratch() as tmp:
            for path, data in (
                (tmp / "a.zip", genuine.zip_bytes),
                (tmp / "b.zip", zipped(bag, genuine)),
            ):
                path.write_bytes(data)
                assert package_report(path, TRUST, threshold=2).ok
                assert zip_difference(data, genuine) is None
            root = write_tree(bag.files, tmp / "dir")
            assert package_report(root, TRUST, threshold=2).ok
            assert tree_difference(root, genuine) is None


def _with_archive(fn: Callable[[Archive], Archive]) -> bytes:
    return fn(parse_archive(GOLDEN.zip_bytes)).to_bytes()


@pytest.mark.parametrize(
    ("mutation", "neutral"),
    [
        (SetField(0, "both", "time", 0x1234), True),
        (SetField(3, "central", "made_by", 0x0B3F), True),
        (SetField(3, "both", "needed", 45), True),
        (SetField(3, "both", "needed", 46), False),
        (SetField(1, "central", "external", 0o100755 << 16 | 0x01), True),
        (SetField(1, "central", "external", 0o120777 << 16), False),
        (SetField(2, "both", "flags", 0x0800), True),
        (SetField(2, "both", "flags", 0x0020), False),
        (AddExtra(4, "local", 0x5455, b"\x01\x00\x00\x00\x00"), True),
        (AddExtra(4, "central", 0x6375, b"\x01comment"), False),
        (Deflate(3), True),
        (MoveEntry("local", 0, 7), True),
        (AddFolderEntry("data", 0), True),
        (AddFolderEntry("URGENT-read-me", 0), False),
        (SetComment(b"URGENT"), False),
        (SetEntryComment(0, b"URGENT"), False),
        (DropRecord(5), False),
        (DuplicateEntry(5), False),
    ],
)
def test_the_reference_reading_tells_neutral_zip_changes(
    mutation: ZipMutation, neutral: bool
) -> None:
    """The oracle's neutral set, on examples (not a claim about eevidence)."""
    difference = zip_difference(_with_archive(mutation.apply), GOLDEN)
    assert (difference is None) is neutral, difference


@pytest.mark.parametrize(
    ("ops", "neutral"),
    [
        ([EditEnvelope("keyid", 0, "another hint")], True),
        ([EditEnvelope("null_keyid", 1), EditEnvelope("drop_keyid", 0)], True),
        ([EditEnvelope("recode", 0, "url unpadded")], True),
        ([EditEnvelope("unknown_field", 1, "note")], True),
        ([EditEnvelope("reverse")], True),
        ([EditEnvelope("add_signature", 0, "x"), EditEnvelope("copy_signature", 1)], True),
        ([EditLines(SIGNATURE, "all_endings", text="\r\n")], True),
        ([EditEnvelope("drop_signature", 1)], False),
        ([EditEnvelope("pad_bits", 0)], False),
        ([EditEnvelope("duplicate_key", 0, "x")], False),
        ([EditEnvelope("payload_type", 0, "application/vnd.in-toto+json")], False),
        ([ChangeByte(SIGNATURE, 100, 1)], False),  # inside the payload's base64
        ([EditLines("bag-info.txt", "move", 0, 3)], False),
        ([EditLines("bag-info.txt", "all_endings", text="\r\n")], False),
        ([AddFolder("data/empty")], False),
        ([AddLink("data/link", "request.json")], False),
        ([Rename("data/request.json", "trailing_space")], False),
    ],
)
def test_the_reference_reading_tells_neutral_file_changes(
    ops: list[BagMutation], neutral: bool
) -> None:
    """The oracle's neutral set for the files of a bag, on examples (directory and zip)."""
    bag = mutated_bag(GOLDEN, ops)
    with _scratch() as tmp:
        root = write_tree(bag.files, tmp / "package", bag.folders, bag.links)
        difference = tree_difference(root, GOLDEN)
    assert (difference is None) is neutral, difference
    assert (zip_difference(zipped(bag, GOLDEN), GOLDEN) is None) is neutral


# --------------------------------------------------------------------------- zip form


@MUTATIONS
@given(ops=st.lists(byte_mutations, min_size=1, max_size=3))
def test_zip_bytes_flipped_inserted_or_deleted(ops: list[ByteMutation]) -> None:
    """Bytes flipped, inserted or deleted anywhere: local headers, names, data, central
    directory, end record; and bytes appended after it."""
    data = GOLDEN.zip_bytes
    for op in ops:
        data = op.apply(data)
    hit = [where(op.at % len(GOLDEN.zip_bytes)) for op in ops if not isinstance(op, Append)]
    check_zip(data, GOLDEN, (ops, hit))


@MUTATIONS
@given(
    at=st.sampled_from(BOUNDARIES),
    junk=junk,
    appended=st.one_of(st.none(), junk),
)
def test_zip_bytes_between_entries_or_after_the_end(
    at: int, junk: bytes, appended: bytes | None
) -> None:
    """Bytes put before the first entry, between two entries, before or after the central
    directory, before the end record or after it (a whole hidden entry among them)."""
    data = Insert(at, junk).apply(GOLDEN.zip_bytes)
    if appended is not None:
        data += appended
    check_zip(data, GOLDEN, (f"insert at {at} ({where(at)})", junk, appended))


@MUTATIONS
@given(ops=st.lists(zip_mutations, min_size=1, max_size=3))
def test_zip_structure(ops: list[ZipMutation]) -> None:
    """Header fields, extra fields, comments, folder entries, entry order, duplicated
    entries and entries the central directory leaves out (lengths and offsets kept
    consistent, so each change is read as meant)."""
    archive = parse_archive(GOLDEN.zip_bytes)
    for op in ops:
        archive = op.apply(archive)
    check_zip(archive.to_bytes(), GOLDEN, ops)


@MUTATIONS
@given(ops=st.lists(bag_mutations(PATHS), min_size=1, max_size=3))
def test_zip_files(ops: list[BagMutation]) -> None:
    """A byte changed in a file, files added, removed or renamed, empty folders added: in a
    well-formed zip (right sizes and CRC-32s), so only the bag's rules can refuse them."""
    bag = mutated_bag(GOLDEN, ops)
    check_zip(zipped(bag, GOLDEN), GOLDEN, ops)


@MUTATIONS
@given(ops=st.lists(line_edits, min_size=1, max_size=3))
def test_zip_tag_file_lines(ops: list[BagMutation]) -> None:
    """Tag files and the envelope edited line by line, in a well-formed zip."""
    bag = mutated_bag(GOLDEN, ops)
    check_zip(zipped(bag, GOLDEN), GOLDEN, ops)


@MUTATIONS
@given(
    ops=st.lists(st.one_of(envelope_edits, line_edits), min_size=1, max_size=3),
    form=st.sampled_from(["zip", "directory"]),
)
def test_envelope_edits(ops: list[BagMutation], form: str) -> None:
    """The envelope edited as JSON: signatures added, copied, dropped, re-ordered; key ids
    changed, dropped or null; base64 re-spelled (URL-safe, unpadded, non-zero pad bits);
    unknown fields; another payload type; a duplicate key."""
    bag = mutated_bag(GOLDEN, ops)
    if form == "zip":
        check_zip(zipped(bag, GOLDEN), GOLDEN, ops)
    else:
        check_directory(bag, GOLDEN, ops)


# --------------------------------------------------------------------------- directory form


@MUTATIONS
@given(ops=st.lists(bag_mutations(PATHS), min_size=1, max_size=3))
def test_directory_files(ops: list[BagMutation]) -> None:
    """A byte changed in any file, a file added anywhere (top level, ``data/``, a forged
    tag or payload manifest, ``fetch.txt``), a file removed or renamed, an empty folder."""
    check_directory(mutated_bag(GOLDEN, ops), GOLDEN, ops)


@MUTATIONS
@given(ops=st.lists(line_edits, min_size=1, max_size=3))
def test_directory_tag_file_lines(ops: list[BagMutation]) -> None:
    """``bagit.txt``, ``bag-info.txt``, the manifests, ``payload-sizes.txt`` and the
    envelope edited line by line: lines added, deleted, duplicated, moved, extended, and
    their endings changed (CR, LF, CRLF, none)."""
    check_directory(mutated_bag(GOLDEN, ops), GOLDEN, ops)


@MUTATIONS
@given(
    ops=st.lists(
        st.one_of(
            st.builds(Rename, st.just(UNICODE_NAME), st.sampled_from(get_args(RenameHow))),
            st.builds(  # a look-alike copy next to the genuine file
                lambda how: AddFile(renamed(UNICODE_NAME, how), attachment_bytes()),
                st.sampled_from(get_args(RenameHow)),
            ),
            bag_mutations([*PATHS, UNICODE_NAME]),
        ),
        min_size=1,
        max_size=3,
    ),
    form=st.sampled_from(["zip", "directory"]),
)
def test_non_ascii_names(ops: list[BagMutation], form: str) -> None:
    """A genuine package with a non-ASCII file name, renamed to another Unicode normal form
    (NFD, NFKC), with a trailing space or another case, or copied under such a look-alike
    name, among other file mutations."""
    genuine = unicode_genuine()
    bag = mutated_bag(genuine, ops)
    if form == "zip":
        check_zip(zipped(bag, genuine), genuine, ops)
    else:
        check_directory(bag, genuine, ops)
