"""Zip-layout negative vectors: the golden package, re-laid out so that two zip readers could
see two different packages (or so that other zip tools reject it), each wrong in one way.

Every vector is made by byte surgery on ``tests/vectors/package/golden.zip``: the golden
file is split into its local entries (header, name, extra field, data) and central-directory
records, then put back together with one thing changed. Putting it back together unchanged
gives the golden bytes again (a test checks it).

Regenerate the committed files with ``python -m tests.package_vectors_zip`` (from the
repository root); the tests rebuild every vector and compare it byte for byte with the
committed file. Only ``negative/zip_*.zip`` files named in :data:`ZIP_NEGATIVE` are written.
"""

from __future__ import annotations

import io
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from tests.package_vectors import VECTORS

GOLDEN = VECTORS / "golden.zip"
NEGATIVE_DIR = VECTORS / "negative"

_END = struct.Struct("<4s4H2LH")
_END64 = struct.Struct("<4sQ2H2L4Q")
_LOCATOR64 = struct.Struct("<4sLQL")

# Field offsets inside a local header (APPNOTE 4.3.7) and a central record (4.3.12).
L_VERSION, L_FLAGS, L_METHOD, L_CRC, L_CSIZE, L_USIZE = 4, 6, 8, 14, 18, 22
C_MADE_BY, C_VERSION, C_COMMENT_LEN, C_EXTERNAL = 4, 6, 32, 38
C_FLAGS, C_METHOD, C_CRC, C_CSIZE, C_USIZE, C_EXTRA_LEN, C_DISK, C_OFFSET = (
    8,
    10,
    16,
    20,
    24,
    30,
    34,
    42,
)


@dataclass(frozen=True)
class Member:
    """One entry: its local bytes (header, name, extra, data) and its central record."""

    name: str
    local: bytes
    central: bytes


@dataclass(frozen=True)
class Layout:
    """A zip put together from members, with bytes where a strict reader allows none."""

    members: list[Member]
    before: bytes = b""  # before the first entry
    between: dict[int, bytes] = field(default_factory=dict)  # after member i
    after_directory: bytes = b""  # between the central directory and the end record
    after_end: bytes = b""  # after the end record (and its comment)
    shift_offsets: bool = True  # False: offsets ignore ``before`` (a self-extractor stub)
    extra_records: list[bytes] = field(default_factory=list)  # central records of no entry
    count_delta: int = 0  # added to the entry count of the end record
    disk: int = 0  # the end record's "number of this disk"
    zip64: bool = False  # write a ZIP64 end record and its locator
    zip64_sentinels: bool = True  # with zip64: the end record defers every value to it
    zip64_count_delta: int = 0  # added to the ZIP64 end record's count only
    zip64_entries: bool = False  # central records defer sizes and offsets to ZIP64 fields
    comment: bytes = b""  # the archive comment (its length is in the end record)

    def build(self) -> bytes:
        out = bytearray(self.before)
        offsets = []
        for i, m in enumerate(self.members):
            offsets.append(len(out) - (0 if self.shift_offsets else len(self.before)))
            out += m.local + self.between.get(i, b"")
        cd_offset = len(out) - (0 if self.shift_offsets else len(self.before))
        cd_start = len(out)
        for m, offset in zip(self.members, offsets, strict=True):
            record = put32(m.central, C_OFFSET, offset)
            out += _defer_to_zip64(record) if self.zip64_entries else record
        for record in self.extra_records:
            out += record
        cd_size = len(out) - cd_start
        count = len(self.members) + len(self.extra_records)
        out += self.after_directory
        small_count, small_size, small_offset = count + self.count_delta, cd_size, cd_offset
        if self.zip64:
            record_at = len(out)
            big_count = count + self.zip64_count_delta
            out += _END64.pack(
                b"PK\x06\x06", 44, 45, 45, 0, 0, big_count, big_count, cd_size, cd_offset
            )
            out += _LOCATOR64.pack(b"PK\x06\x07", 0, record_at, 1)
            if self.zip64_sentinels:
                small_count, small_size, small_offset = 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF
        out += _END.pack(
            b"PK\x05\x06",
            self.disk,
            0,
            small_count,
            small_count,
            small_size,
            small_offset,
            len(self.comment),
        )
        return bytes(out + self.comment + self.after_end)


def put16(data: bytes, at: int, value: int) -> bytes:
    return data[:at] + struct.pack("<H", value) + data[at + 2 :]


def put32(data: bytes, at: int, value: int) -> bytes:
    return data[:at] + struct.pack("<L", value) + data[at + 4 :]


def _defer_to_zip64(record: bytes) -> bytes:
    """A central record whose sizes and offset are in a ZIP64 extra field (APPNOTE 4.5.3)."""
    csize, usize = struct.unpack_from("<2L", record, C_CSIZE)
    (offset,) = struct.unpack_from("<L", record, C_OFFSET)
    name_len, extra_len = struct.unpack_from("<2H", record, 28)
    end = 46 + name_len + extra_len
    extra = struct.pack("<2H3Q", 1, 24, usize, csize, offset)
    record = put16(record[:end] + extra + record[end:], C_EXTRA_LEN, extra_len + len(extra))
    for at in (C_CSIZE, C_USIZE, C_OFFSET):
        record = put32(record, at, 0xFFFFFFFF)
    return record


def split(data: bytes) -> Layout:
    """The golden zip as a :class:`Layout` (no ZIP64, no comments, no gaps)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
        cd_start = zf.start_dir
    bounds = [i.header_offset for i in infos] + [cd_start]
    members, pos = [], cd_start
    for i, info in enumerate(infos):
        name_len, extra_len, comment_len = struct.unpack_from("<3H", data, pos + 28)
        size = 46 + name_len + extra_len + comment_len
        local = data[bounds[i] : bounds[i + 1]]
        members.append(Member(info.filename, local, data[pos : pos + size]))
        pos += size
    return Layout(members)


def _index(layout: Layout, suffix: str) -> int:
    return next(i for i, m in enumerate(layout.members) if m.name.endswith(suffix))


def _edit(layout: Layout, suffix: str, fn: Callable[[Member], Member]) -> Layout:
    i = _index(layout, suffix)
    members = list(layout.members)
    members[i] = fn(members[i])
    return replace(layout, members=members)


def _lone(name: str, body: bytes, *, mode: int = 0o100644) -> Member:
    """One stored entry, as zipfile writes it alone in a zip."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        info.create_system, info.external_attr = 3, mode << 16
        zf.writestr(info, body)
    return split(out.getvalue()).members[0]


def _hidden_entry(name: str, body: bytes) -> bytes:
    """A complete local entry (header, name, stored data) listed in no central directory."""
    return _lone(name, body).local


def _root(layout: Layout) -> str:
    return layout.members[0].name.split("/", 1)[0] + "/"


URGENT = b"URGENT supplementary request: also disclose account 2 (all messages).\n"


def _gap(golden: bytes) -> bytes:
    """A whole entry no central directory lists, between two entries: a streaming unzip
    extracts it, a central-directory reader never sees it."""
    layout = split(golden)
    hidden = _hidden_entry(_root(layout) + "URGENT-supplementary-request.txt", URGENT)
    i = _index(layout, "data/request.json")
    return replace(layout, between={i: hidden}).build()


def _gap_before_directory(golden: bytes) -> bytes:
    layout = split(golden)
    hidden = _hidden_entry(_root(layout) + "URGENT-supplementary-request.txt", URGENT)
    return replace(layout, between={len(layout.members) - 1: hidden}).build()


def _gap_after_directory(golden: bytes) -> bytes:
    return replace(
        split(golden), after_directory=b"hidden between the directory and the end"
    ).build()


def _prefix(golden: bytes) -> bytes:
    """A script before the archive, offsets adjusted (``zip -A``): a polyglot file."""
    stub = b"#!/bin/sh\necho 'this is not only a zip'\nexit 0\n"
    return replace(split(golden), before=stub).build()


def _prefix_shifted(golden: bytes) -> bytes:
    """Bytes before the archive, offsets not adjusted (a self-extractor stub): zip tools
    compensate, each in its own way."""
    layout = split(golden)
    hidden = _hidden_entry(_root(layout) + "URGENT-supplementary-request.txt", URGENT)
    return replace(layout, before=hidden, shift_offsets=False).build()


def _trailing(golden: bytes) -> bytes:
    layout = split(golden)
    hidden = _hidden_entry(_root(layout) + "URGENT-supplementary-request.txt", URGENT)
    return replace(layout, after_end=hidden).build()


def _overlap(golden: bytes) -> bytes:
    """A second central record pointing at the local header of ``data/request.json``."""
    layout = split(golden)
    m = layout.members[_index(layout, "data/request.json")]
    old = m.name.encode()
    new = old.replace(b"data/request.json", b"data/requesu.json")
    offset = sum(len(x.local) for x in layout.members[: _index(layout, "data/request.json")])
    record = put32(m.central.replace(old, new), C_OFFSET, offset)
    return replace(layout, extra_records=[record]).build()


def _local_name(golden: bytes) -> bytes:
    def fn(m: Member) -> Member:
        return replace(m, local=m.local.replace(b"data/request.json", b"data/requesT.json", 1))

    return _edit(split(golden), "data/request.json", fn).build()


def _local_field(at: int, value: Callable[[int], int], width: int = 4) -> Callable[[bytes], bytes]:
    def make(golden: bytes) -> bytes:
        def fn(m: Member) -> Member:
            old = int.from_bytes(m.local[at : at + width], "little")
            put = put32 if width == 4 else put16
            return replace(m, local=put(m.local, at, value(old)))

        return _edit(split(golden), "data/request.json", fn).build()

    return make


def _both_crc(suffix: str) -> Callable[[bytes], bytes]:
    """The data intact, its CRC-32 wrong in both headers (they agree with each other)."""

    def make(golden: bytes) -> bytes:
        def fn(m: Member) -> Member:
            crc = int.from_bytes(m.local[L_CRC : L_CRC + 4], "little") ^ 0x00010000
            return replace(
                m, local=put32(m.local, L_CRC, crc), central=put32(m.central, C_CRC, crc)
            )

        return _edit(split(golden), suffix, fn).build()

    return make


class _Unseekable(io.RawIOBase):
    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        view = memoryview(b)
        self.data += view
        return view.nbytes


def _data_descriptor(golden: bytes) -> bytes:
    """The same entries written by a streaming writer: sizes and CRCs after the data."""
    sink = _Unseekable()
    with zipfile.ZipFile(io.BytesIO(golden)) as src, zipfile.ZipFile(sink, "w") as zf:
        for info in src.infolist():
            new = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            new.create_system, new.external_attr = info.create_system, info.external_attr
            zf.writestr(new, src.read(info))
    return bytes(sink.data)


def _count(golden: bytes) -> bytes:
    """The end record counts one entry fewer than the central directory holds."""
    return replace(split(golden), count_delta=-1).build()


def _multi_disk(golden: bytes) -> bytes:
    return replace(split(golden), disk=1).build()


def _zip64_end_mismatch(golden: bytes) -> bytes:
    """A ZIP64 end record counting one entry fewer than the end record."""
    layout = split(golden)
    return replace(layout, zip64=True, zip64_sentinels=False, zip64_count_delta=-1).build()


def _with_central_extra(suffix: str, extra: bytes) -> Callable[[bytes], bytes]:
    def make(golden: bytes) -> bytes:
        def fn(m: Member) -> Member:
            c = m.central
            name_len, extra_len = struct.unpack_from("<2H", c, 28)
            end = 46 + name_len + extra_len
            c = put16(c[:end] + extra + c[end:], C_EXTRA_LEN, extra_len + len(extra))
            return replace(m, central=c)

        return _edit(split(golden), suffix, fn).build()

    return make


def _unicode_path(golden: bytes) -> bytes:
    """An Info-ZIP Unicode Path field giving ``data/request.json`` a second name, with a
    valid checksum, so that Info-ZIP unzip extracts it under that other name."""
    layout = split(golden)
    plain = layout.members[_index(layout, "data/request.json")].name.encode()
    other = plain.replace(b"data/request.json", b"data/attachments/other.json")
    body = b"\x01" + struct.pack("<L", zlib.crc32(plain)) + other  # version 1, name CRC
    extra = struct.pack("<2H", 0x7075, len(body)) + body
    return _with_central_extra("data/request.json", extra)(golden)


def _name_not_utf8(golden: bytes) -> bytes:
    """``request.json`` spelt with a Latin-1 ``é`` in both headers, without the UTF-8 flag."""

    def fn(m: Member) -> Member:
        old, new = b"data/request.json", b"data/r\xe9quest.json"  # the same length
        return replace(m, local=m.local.replace(old, new), central=m.central.replace(old, new))

    return _edit(split(golden), "data/request.json", fn).build()


def _zip64_unneeded_extra(golden: bytes) -> bytes:
    """A ZIP64 extra field giving another size, though no header field defers to it."""
    extra = struct.pack("<2HQ", 1, 8, 10)
    return _with_central_extra("data/request.json", extra)(golden)


def _folder_with_data(golden: bytes) -> bytes:
    """A folder entry that carries bytes (extractors create the folder and drop them)."""
    layout = split(golden)
    folder = _lone(_root(layout) + "data/", URGENT, mode=0o40755)
    return replace(layout, members=[folder, *layout.members]).build()


def _central_field(suffix: str, at: int, value: int, width: int) -> Callable[[bytes], bytes]:
    """Set a field of one central record (the local header unchanged)."""

    def make(golden: bytes) -> bytes:
        def fn(m: Member) -> Member:
            c = m.central[:at] + value.to_bytes(width, "little") + m.central[at + width :]
            return replace(m, central=c)

        return _edit(split(golden), suffix, fn).build()

    return make


def _both(at_local: int, at_central: int, value: Callable[[int], int]) -> Callable[[bytes], bytes]:
    """Set a 2-byte field of ``data/request.json`` in both headers (they still agree)."""

    def make(golden: bytes) -> bytes:
        def fn(m: Member) -> Member:
            new = value(int.from_bytes(m.local[at_local : at_local + 2], "little"))
            return replace(
                m, local=put16(m.local, at_local, new), central=put16(m.central, at_central, new)
            )

        return _edit(split(golden), "data/request.json", fn).build()

    return make


def _entry_comment(golden: bytes) -> bytes:
    def fn(m: Member) -> Member:
        return replace(m, central=put16(m.central + URGENT, C_COMMENT_LEN, len(URGENT)))

    return _edit(split(golden), "data/request.json", fn).build()


def _empty_folder(golden: bytes) -> bytes:
    """A folder entry no file is in, named like a tag file: an unsigned name."""
    layout = split(golden)
    folder = _lone(_root(layout) + "fetch.txt/", b"", mode=0o40755)
    return replace(layout, members=[*layout.members, folder]).build()


def _dos_folder(golden: bytes) -> bytes:
    """``data/request.json`` made on MS-DOS with the folder attribute: readers that go by the
    attributes see a folder, readers that go by the name a file."""
    made_dos = _central_field("data/request.json", C_MADE_BY + 1, 0, 1)
    return _central_field("data/request.json", C_EXTERNAL, 0x10, 4)(made_dos(golden))


def _asi_extra(golden: bytes) -> bytes:
    """An ASi Unix extra field (0x756e): mode and link target some readers apply."""
    body = struct.pack("<LHLHH", 0, 0o120777, 0, 0, 0) + b"/etc/passwd"
    return _with_central_extra("data/request.json", struct.pack("<2H", 0x756E, len(body)) + body)(
        golden
    )


def _zip64_not_needed(form: str) -> Callable[[bytes], bytes]:
    def make(golden: bytes) -> bytes:
        return zip64_forms(golden)[form]

    return make


# Each vector: how to make it, and the reason code verification must give.
ZIP_NEGATIVE: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "zip_gap": (_gap, "zip_gap"),
    "zip_gap_before_directory": (_gap_before_directory, "zip_gap"),
    "zip_gap_after_directory": (_gap_after_directory, "zip_gap"),
    "zip_prefix": (_prefix, "zip_prefix"),
    "zip_prefix_shifted_offsets": (_prefix_shifted, "zip_prefix"),
    "zip_trailing": (_trailing, "zip_trailing"),
    "zip_overlap": (_overlap, "zip_overlap"),
    "zip_header_name": (_local_name, "zip_header_mismatch"),
    "zip_header_size": (_local_field(L_USIZE, lambda v: v - 1), "zip_header_mismatch"),
    "zip_header_compressed_size": (
        _local_field(L_CSIZE, lambda v: v - 1),
        "zip_header_mismatch",
    ),
    "zip_header_crc": (_local_field(L_CRC, lambda v: v ^ 1), "zip_header_mismatch"),
    "zip_header_method": (_local_field(L_METHOD, lambda _: 8, 2), "zip_header_mismatch"),
    "zip_header_flags": (_local_field(L_FLAGS, lambda v: v | 0x0800, 2), "zip_header_mismatch"),
    "zip_crc_payload": (_both_crc("data/request.json"), "zip_crc_mismatch"),
    "zip_crc_tag_file": (_both_crc("/bag-info.txt"), "zip_crc_mismatch"),
    "zip_data_descriptor": (_data_descriptor, "zip_data_descriptor"),
    "zip_directory_count": (_count, "zip_directory_mismatch"),
    "zip_multi_disk": (_multi_disk, "zip_multi_disk"),
    "zip_zip64_end_record_mismatch": (_zip64_end_mismatch, "zip_directory_mismatch"),
    "zip_zip64_unneeded_extra": (_zip64_unneeded_extra, "zip_bad_extra"),
    "zip_unicode_path_extra": (_unicode_path, "zip_ambiguous_name"),
    "zip_name_not_utf8": (_name_not_utf8, "zip_ambiguous_name"),
    "zip_folder_with_data": (_folder_with_data, "zip_folder_with_data"),
    "zip_empty_folder": (_empty_folder, "empty_folder"),
    "zip_dos_folder_attribute": (_dos_folder, "special_file"),
    "zip_comment_archive": (lambda g: replace(split(g), comment=URGENT).build(), "zip_comment"),
    "zip_comment_entry": (_entry_comment, "zip_comment"),
    "zip_extra_unknown": (_asi_extra, "zip_bad_extra"),
    "zip_flags_unsupported": (
        _both(L_FLAGS, C_FLAGS, lambda v: v | 0x0020),
        "zip_unsupported_flags",
    ),
    "zip_version_unsupported": (
        _both(L_VERSION, C_VERSION, lambda _: 51),
        "zip_unsupported_version",
    ),
    "zip_zip64_not_needed_end_record": (_zip64_not_needed("end_record"), "zip64_not_needed"),
    "zip_zip64_not_needed_central": (_zip64_not_needed("central_records"), "zip64_not_needed"),
    "zip_zip64_not_needed_local": (_zip64_not_needed("local_headers"), "zip64_not_needed"),
}


def zip64_forms(golden: bytes) -> dict[str, bytes]:
    """The golden package in valid ZIP64 forms: a ZIP64 end record; ZIP64 fields in every
    central record; ZIP64 fields in every local header (as eevidence writes files over
    2 GiB). The golden package is small, so none of them is needed: they are refused
    (``zip64_not_needed``), and verify once the threshold is lowered."""
    layout = split(golden)
    local = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(golden)) as src, zipfile.ZipFile(local, "w") as zf:
        for info in src.infolist():
            new = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            new.create_system, new.external_attr = info.create_system, info.external_attr
            new.file_size = info.file_size
            with zf.open(new, "w", force_zip64=True) as out:
                out.write(src.read(info))
    return {
        "end_record": replace(layout, zip64=True).build(),
        "central_records": replace(layout, zip64=True, zip64_entries=True).build(),
        "local_headers": local.getvalue(),
    }


def zip_vector(name: str, golden: bytes) -> bytes:
    return ZIP_NEGATIVE[name][0](golden)


def regenerate() -> None:
    """Write every zip-layout vector next to the other negative vectors."""
    golden = GOLDEN.read_bytes()
    assert split(golden).build() == golden, "the golden zip does not round-trip"
    for name in ZIP_NEGATIVE:
        (NEGATIVE_DIR / f"{name}.zip").write_bytes(zip_vector(name, golden))


if __name__ == "__main__":  # pragma: no cover
    regenerate()
    print(f"zip vectors written to {NEGATIVE_DIR}", file=sys.stderr)
