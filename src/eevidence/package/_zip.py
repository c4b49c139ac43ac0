"""One reading of a zip file: its layout checked byte for byte, its entries streamed in place.

The end record gives the central directory, the central directory gives the entries, and
every local header must say the same thing (PKWARE APPNOTE 6.3.10, sections 4.3.6-4.3.16).
The entries, the central directory and the end records must tile the file exactly, from
offset 0 to the end of the end record, so a streaming reader (walking the local
headers from the first byte) and a central-directory reader see the same files with the
same bytes. Anything else is a :class:`~eevidence.errors.PackageError` with its own code:

``zip_prefix``
    bytes before the first entry (or offsets shifted by bytes put before the archive);
``zip_gap``
    bytes between two entries, after the last entry or after the central directory;
``zip_overlap``
    an entry starting inside the bytes of another;
``zip_trailing``
    bytes after the end record;
``zip_comment``
    an archive or entry comment: unsigned text that zip tools print next to the files;
``zip_header_mismatch``
    a local header that disagrees with its central-directory record (name, flags,
    method, CRC-32, compressed or uncompressed size), or a stored entry with two sizes;
``zip_directory_mismatch``
    end records and central directory that disagree (count, size, ZIP64 record);
``zip_data_descriptor``
    an entry whose sizes and CRC follow its data (flag bit 3, APPNOTE 4.3.9): refused,
    eevidence never writes them, and for stored data they leave streaming readers guessing
    where the data ends;
``zip_multi_disk``
    a split archive;
``zip_bad_extra``
    a malformed or repeated extra field, one other than ZIP64 and a file's times or owner
    (0x5455, 0x7875, 0x000a), or a ZIP64 field that does not hold exactly the values its
    header defers to it;
``zip64_not_needed``
    ZIP64 fields or records for values that fit in 32 bits (see :data:`ZIP64_FROM`);
``zip_unsupported_flags``
    general purpose flags other than the deflate options and UTF-8 names (bits 1, 2, 11);
``zip_unsupported_version``
    an entry that needs a zip version above 4.5 to extract (some readers skip it);
``zip_ambiguous_name``
    a name readers may decode differently: not ASCII without the UTF-8 flag, not UTF-8
    with it, or a second name in an Info-ZIP Unicode Path extra field (0x7075);
``zip_crc_mismatch``
    an entry whose bytes do not match its CRC-32 (checked on the read that hashes them).

ZIP64 (APPNOTE 4.3.14, 4.3.15, 4.5.3) is read, strictly and only where a value needs it:
eevidence (Python's zipfile) writes it for files and offsets over 2 GiB.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from collections.abc import Callable
from typing import Any, BinaryIO, Final, NamedTuple

from eevidence.errors import PackageError

__all__ = [
    "CRC_MISMATCH",
    "ZIP64_FROM",
    "Inflated",
    "Region",
    "ZipEntry",
    "ZipEntryStream",
    "open_entry",
    "read_layout",
]

CRC_MISMATCH: Final = "zip_crc_mismatch"
"""The code of the :class:`PackageError` raised when an entry's CRC-32 is wrong."""

_LOCAL: Final = struct.Struct("<4s2B4HL2L2H")  # APPNOTE 4.3.7, 30 bytes
_CENTRAL: Final = struct.Struct("<4s4B4HL2L5H2L")  # APPNOTE 4.3.12, 46 bytes
_END: Final = struct.Struct("<4s4H2LH")  # APPNOTE 4.3.16, 22 bytes
_END64: Final = struct.Struct("<4sQ2H2L4Q")  # APPNOTE 4.3.14, 56 bytes (v1, no extensible data)
_LOCATOR64: Final = struct.Struct("<4sLQL")  # APPNOTE 4.3.15, 20 bytes
_U16: Final = 0xFFFF  # "the value is in the ZIP64 record or extra field"
_U32: Final = 0xFFFFFFFF
_FLAG_ENCRYPTED: Final = 0x0001 | 0x0040 | 0x2000  # traditional, strong, masked directory
_FLAG_DESCRIPTOR: Final = 0x0008
_FLAG_UTF8: Final = 0x0800
_FLAGS_READ: Final = 0x0002 | 0x0004 | _FLAG_UTF8  # deflate options; UTF-8 names
_EXTRA_ZIP64: Final = 0x0001
_EXTRA_UNICODE_PATH: Final = 0x7075
# Extra fields read or ignored alike by every reader: ZIP64, and a file's times or owner
# (0x5455 extended timestamp, 0x7875 Unix UID/GID, 0x000a NTFS times).
_EXTRAS_READ: Final = frozenset({_EXTRA_ZIP64, 0x5455, 0x7875, 0x000A})
_VERSION_MAX: Final = 45  # APPNOTE 4.4.3.2: 4.5 is ZIP64, the highest feature read here
# Hosts ("version made by", APPNOTE 4.4.2.2) whose external attributes carry a Unix mode;
# for the others readers go by the MS-DOS attributes of the low byte (Info-ZIP UnZip).
_UNIX_MODE_HOSTS: Final = frozenset({2, 3, 5, 12, 13, 16, 17, 19, 30})
ZIP64_FROM = 0x7FFF0000
"""Sizes and offsets up to this many bytes must not be deferred to ZIP64 fields; Python's
zipfile, which writes eevidence packages, uses ZIP64 only above it (files over 2 GiB - 64
KiB, offsets over 2 GiB), and so does every other writer."""
_INFLATE_INPUT: Final = 64 * 1024  # compressed bytes read at a time


class ZipEntry(NamedTuple):
    """One entry, as its central-directory record says (ZIP64 values resolved).

    Attributes:
        name: The entry's name in the zip (``/``-separated; a trailing ``/`` for a folder).
        raw_name: The name's bytes, as stored.
        flags: The general purpose bit flags (APPNOTE 4.4.4).
        method: The compression method (0 stored, 8 deflated).
        crc: The CRC-32 of the uncompressed data.
        csize: The compressed size, in bytes.
        usize: The uncompressed size, in bytes.
        offset: Where the local header starts, in bytes from the start of the file.
        mode: ``st_mode`` from the external attributes (0 when none is recorded).
        host: The host system of "version made by" (APPNOTE 4.4.2.2; 3 is Unix).
        dos: The MS-DOS attributes (low byte of the external attributes): 0x10 folder,
            0x08 volume label.
        data: Where the data starts, once the local header has been checked (else 0).
    """

    name: str
    raw_name: bytes
    flags: int
    method: int
    crc: int
    csize: int
    usize: int
    offset: int
    mode: int
    host: int = 3
    dos: int = 0
    data: int = 0

    @property
    def encrypted(self) -> bool:
        """Whether any encryption flag is set (traditional, strong or masked directory)."""
        return bool(self.flags & _FLAG_ENCRYPTED)

    @property
    def dos_attributes(self) -> int:
        """The MS-DOS attributes readers act on: none when the host records a Unix mode."""
        return 0 if self.host in _UNIX_MODE_HOSTS else self.dos


def _error(code: str, message: str, source: str) -> PackageError:
    return PackageError(message, code=code, source=source)


def _extras(data: bytes, what: str, source: str) -> dict[int, bytes]:
    """The extra fields of a header (APPNOTE 4.5.1): ``{header id: data}``, each id once."""
    out: dict[int, bytes] = {}
    pos = 0
    while pos < len(data):
        if pos + 4 > len(data):
            raise _error("zip_bad_extra", f"{what}: truncated extra field", source)
        tag, size = struct.unpack_from("<2H", data, pos)
        if pos + 4 + size > len(data) or tag in out:
            raise _error("zip_bad_extra", f"{what}: malformed or repeated extra field", source)
        out[tag] = data[pos + 4 : pos + 4 + size]
        pos += 4 + size
    if _EXTRA_UNICODE_PATH in out:
        raise _error("zip_ambiguous_name", f"{what}: a second name in an extra field", source)
    unknown = sorted(out.keys() - _EXTRAS_READ)
    if unknown:
        raise _error(
            "zip_bad_extra",
            f"{what}: extra field 0x{unknown[0]:04x} (only ZIP64, times and owner are read)",
            source,
        )
    return out


def _zip64(
    values: list[int], sentinels: list[int], extra: bytes | None, what: str, src: str
) -> list[int]:
    """Resolve the fields equal to their sentinel from the ZIP64 extra field, in APPNOTE
    order (4.5.3); the field must hold exactly those values (8 bytes each, 4 for a disk)."""
    if extra is None and _U32 not in values[:3] and _U16 not in values[3:]:
        return values  # the common case: no field defers to ZIP64
    need = [i for i, (v, s) in enumerate(zip(values, sentinels, strict=True)) if v == s]
    if not need and extra == b"":  # an empty ZIP64 field: present, yet no value defers to it
        raise _error("zip64_not_needed", f"{what}: a ZIP64 extra field no value needs", src)
    widths = [4 if sentinels[i] == _U16 else 8 for i in need]
    if extra is None or len(extra) != sum(widths):
        raise _error("zip_bad_extra", f"{what}: the ZIP64 extra field does not fit its header", src)
    out, pos = list(values), 0
    for i, width in zip(need, widths, strict=True):
        out[i] = int.from_bytes(extra[pos : pos + width], "little")
        pos += width
    deferred = set(need)
    if (
        (deferred & {0, 1} and max(out[:2]) <= ZIP64_FROM)
        or (2 in deferred and out[2] <= ZIP64_FROM)
        or (3 in deferred and not out[3])
    ):
        raise _error("zip64_not_needed", f"{what}: ZIP64 for values that fit in 32 bits", src)
    return out


def _decode_name(raw: bytes, flags: int, source: str) -> str:
    """An entry name: UTF-8 when flagged (APPNOTE 4.4.4 bit 11), else ASCII only (readers
    decode other bytes as CP437 or in their locale: two names for one entry)."""
    try:
        return raw.decode("utf-8" if flags & _FLAG_UTF8 else "ascii")
    except UnicodeDecodeError:
        flagged = "flagged UTF-8 but is not UTF-8" if flags & _FLAG_UTF8 else "is not ASCII"
        raise _error("zip_ambiguous_name", f"entry name {raw!r} {flagged}", source) from None


def _place(offset: int, expected: int, what: str, source: str) -> None:
    """Check that ``what`` starts at ``expected``, exactly where the bytes before it end."""
    if offset < expected:
        raise _error("zip_overlap", f"{what} overlaps the bytes before it", source)
    if offset > expected and expected == 0:
        raise _error("zip_prefix", f"{offset} bytes before {what}", source)
    if offset > expected:
        raise _error("zip_gap", f"{offset - expected} unlisted bytes before {what}", source)


class _Layout:
    """The reading of one zip file (see :func:`read_layout`)."""

    def __init__(self, fh: BinaryIO, source: str) -> None:
        self.fh, self.fd, self.source = fh, fh.fileno(), source
        self.size = os.fstat(self.fd).st_size

    def pread(self, size: int, offset: int) -> bytes:
        data = os.pread(self.fd, size, offset) if offset >= 0 else b""
        if len(data) != size:
            raise zipfile.BadZipFile(f"truncated at offset {offset}")
        return data

    def end_records(self) -> tuple[int, int, int, int]:
        """``(entries, directory offset, directory size, where the directory must end)``."""
        src, size = self.source, self.size
        tail_at = max(0, size - _END.size - 0xFFFF)
        tail = self.pread(size - tail_at, tail_at)
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or at + _END.size > len(tail):
            raise zipfile.BadZipFile("no end of central directory record")
        _sig, disk, cd_disk, n_disk, count, cd_size, cd_offset, comment = _END.unpack_from(tail, at)
        extra = len(tail) - (at + _END.size + comment)
        if extra < 0:
            raise zipfile.BadZipFile("the end record's comment runs past the end of the file")
        if extra:
            raise _error("zip_trailing", f"{extra} bytes after the end record", src)
        if comment:
            raise _error("zip_comment", "an archive comment (unsigned text zip tools show)", src)
        end = tail_at + at
        if end >= _LOCATOR64.size and self.pread(4, end - _LOCATOR64.size) == b"PK\x06\x07":
            _s, disk64, record_at, disks = _LOCATOR64.unpack(self.pread(20, end - 20))
            record = end - _LOCATOR64.size - _END64.size
            if disk64 != 0 or disks > 1:
                raise _error("zip_multi_disk", "a multi-disk zip", src)
            fields = _END64.unpack(self.pread(_END64.size, record)) if record >= 0 else ()
            if record_at != record or fields[:2] != (b"PK\x06\x06", 44):
                raise _error("zip_directory_mismatch", "ZIP64 end record missing or misplaced", src)
            sentinels = (_U16, _U16, _U32, _U32)
            small = (n_disk, count, cd_size, cd_offset)
            if any(s not in (b, m) for s, b, m in zip(small, fields[6:], sentinels, strict=True)):
                raise _error(
                    "zip_directory_mismatch", "the end record and the ZIP64 end record differ", src
                )
            disk, cd_disk, n_disk, count, cd_size, cd_offset = fields[4:]
            if count < _U16 and max(cd_size, cd_offset) <= ZIP64_FROM:
                raise _error("zip64_not_needed", "a ZIP64 end record for a small zip", src)
            end = record
        if disk or cd_disk or n_disk != count:
            raise _error("zip_multi_disk", "a multi-disk zip", src)
        return count, cd_offset, cd_size, end

    def directory(
        self, max_entries: int, check: Callable[[ZipEntry], None]
    ) -> tuple[list[ZipEntry], int]:
        """The central directory's records, each passed to ``check``, and where it starts."""
        src = self.source
        count, cd_offset, cd_size, cd_end = self.end_records()
        if count > max_entries:
            raise _error("too_many_entries", f"more than {max_entries} zip entries", src)
        if cd_offset + cd_size > cd_end:
            raise _error("zip_directory_mismatch", "the central directory runs past its end", src)
        if cd_offset + cd_size < cd_end:
            gap = cd_end - cd_offset - cd_size
            if cd_offset + 4 <= self.size and self.pread(4, cd_offset) == b"PK\x01\x02":
                raise _error("zip_gap", f"{gap} bytes after the central directory", src)
            raise _error("zip_prefix", f"offsets shifted by {gap} bytes put before the zip", src)
        self.fh.seek(cd_offset)
        read = self.fh.read
        entries: list[ZipEntry] = []
        used = 0
        for _ in range(count):
            record = read(_CENTRAL.size) if used + _CENTRAL.size <= cd_size else b""
            if len(record) != _CENTRAL.size or record[:4] != b"PK\x01\x02":
                raise _error("zip_directory_mismatch", "the central directory is short", src)
            f = _CENTRAL.unpack(record)
            used += _CENTRAL.size + f[12] + f[13] + f[14]
            if used > cd_size:
                raise _error("zip_directory_mismatch", "the central directory is too long", src)
            raw_name, extra, comment = read(f[12]), read(f[13]), read(f[14])
            flags = f[5]
            name = _decode_name(raw_name, flags, src)
            if comment:
                raise _error("zip_comment", f"{name!r} has a comment (unsigned text)", src)
            if f[3] > _VERSION_MAX:
                raise _error("zip_unsupported_version", f"{name!r} needs zip version {f[3]}", src)
            zip64 = _extras(extra, name, src).get(_EXTRA_ZIP64) if extra else None
            usize, csize, offset, disk = _zip64(
                [f[11], f[10], f[18], f[15]], [_U32, _U32, _U32, _U16], zip64, name, src
            )
            if disk:
                raise _error("zip_multi_disk", f"{name!r} is on another disk", src)
            entry = ZipEntry(
                name,
                raw_name,
                flags,
                f[6],
                f[9],
                csize,
                usize,
                offset,
                f[17] >> 16,
                f[2],
                f[17] & 0xFF,
            )
            check(entry)
            if flags & _FLAG_DESCRIPTOR:
                raise _error("zip_data_descriptor", f"{name!r} uses a data descriptor", src)
            if flags & ~(_FLAGS_READ | _FLAG_ENCRYPTED):
                raise _error("zip_unsupported_flags", f"{name!r} has flags 0x{flags:04x}", src)
            if entry.method == zipfile.ZIP_STORED and csize != usize:
                raise _error("zip_header_mismatch", f"stored entry {name!r} with two sizes", src)
            entries.append(entry)
        if used != cd_size:
            raise _error("zip_directory_mismatch", "the central directory is too long", src)
        return entries, cd_offset

    def local(self, e: ZipEntry) -> ZipEntry:
        """Check the local header of ``e`` against its record; ``e`` with its data offset."""
        src = self.source
        head = os.pread(self.fd, _LOCAL.size + len(e.raw_name), e.offset)  # usually all of it
        if len(head) < _LOCAL.size or head[:4] != b"PK\x03\x04":
            raise _error("zip_header_mismatch", f"no local header for {e.name!r}", src)
        f = _LOCAL.unpack_from(head)
        name_len, extra_len = f[10], f[11]
        raw = head[_LOCAL.size :]
        if len(raw) != name_len + extra_len:
            raw = self.pread(name_len + extra_len, e.offset + _LOCAL.size)
        if f[3] & _FLAG_DESCRIPTOR:
            raise _error("zip_data_descriptor", f"{e.name!r} uses a data descriptor", src)
        if f[1] > _VERSION_MAX:
            raise _error("zip_unsupported_version", f"{e.name!r} needs zip version {f[1]}", src)
        zip64 = _extras(raw[name_len:], e.name, src).get(_EXTRA_ZIP64) if extra_len else None
        usize, csize = _zip64([f[9], f[8]], [_U32, _U32], zip64, e.name, src)
        found = (raw[:name_len], f[3], f[4], f[7], csize, usize)
        wanted = (e.raw_name, e.flags, e.method, e.crc, e.csize, e.usize)
        if found != wanted:
            labels = ("name", "flags", "method", "CRC-32", "compressed size", "size")
            wrong = [label for label, a, b in zip(labels, found, wanted, strict=True) if a != b]
            raise _error(
                "zip_header_mismatch",
                f"the local header of {e.name!r} differs from the central directory: "
                + ", ".join(wrong),
                src,
            )
        data = e.offset + _LOCAL.size + name_len + extra_len
        return e._replace(data=data)


def read_layout(
    fh: BinaryIO, source: str, max_entries: int, check: Callable[[ZipEntry], None]
) -> list[ZipEntry]:
    """Read and check a zip file's whole layout, before any entry's data is read.

    Args:
        fh: The zip file, open for reading (its position is moved).
        source: The package named in errors.
        max_entries: Most entries allowed (checked on the end record, before the directory).
        check: Called with each central-directory record as it is read (names, limits),
            before its local header is looked at; it raises to refuse the entry.

    Returns:
        Every entry (folders included), in central-directory order, with its data offset.

    Raises:
        PackageError: One of the codes in the module description, ``too_many_entries``,
            or whatever ``check`` raises.
        zipfile.BadZipFile: No end record, or a truncated structure (not a zip file).
        OSError: The file cannot be read.
    """
    layout = _Layout(fh, source)
    entries, cd_offset = layout.directory(max_entries, check)
    checked: dict[int, ZipEntry] = {}
    pos = 0
    for i, e in sorted(enumerate(entries), key=lambda item: item[1].offset):
        _place(e.offset, pos, f"entry {e.name!r}", source)
        checked[i] = layout.local(e)
        pos = checked[i].data + e.csize
    _place(cd_offset, pos, "the central directory", source)
    return [checked[i] for i in range(len(entries))]


class ZipEntryStream(io.RawIOBase):
    """A zip entry's bytes, with its CRC-32 (APPNOTE 4.4.7) checked on the same read.

    The CRC is computed on the caller's buffer as each read fills it and compared when the
    last byte is delivered. A consumer that computes it itself on the same buffers (see
    :func:`eevidence.package._hash.hash_stream`) calls :meth:`claim_crc` first and
    :meth:`check_crc` once it has read everything.

    Attributes:
        size: The entry's uncompressed size, in bytes.
    """

    def __init__(self, size: int, crc: int | None, name: str, source: str) -> None:
        self.size, self._expected, self._name, self._source = size, crc, name, source
        self._crc, self._claimed, self._checked = 0, False, crc is None

    def readable(self) -> bool:
        return True

    def claim_crc(self) -> int | None:
        """Stop computing the CRC here; return the expected CRC-32 (``None``: none to check)."""
        self._claimed = True
        return self._expected

    def check_crc(self, crc: int) -> None:
        """Compare ``crc``, the CRC-32 of every byte read, with the one the zip declares.

        Raises:
            PackageError: ``zip_crc_mismatch`` when they differ.
        """
        self._checked = True
        if self._expected is not None and crc != self._expected:
            raise _error(
                CRC_MISMATCH,
                f"{self._name}: the data's CRC-32 is {crc:08x}, the zip says {self._expected:08x}",
                self._source,
            )

    def _account(self, view: memoryview, left: int) -> None:
        if not self._claimed and not self._checked:
            self._crc = zlib.crc32(view, self._crc)
            if left == 0:
                self.check_crc(self._crc)


class Region(ZipEntryStream):
    """``size`` bytes of a file descriptor from ``offset``, read with positional reads
    (thread-safe); ``crc``, when given, is checked as the last byte is read."""

    def __init__(self, fd: int, offset: int, size: int, crc: int | None = None, **where: str):
        super().__init__(size, crc, where.get("name", ""), where.get("source", ""))
        self._fd, self._pos, self._left = fd, offset, size

    def readinto(self, buffer: Any) -> int:
        if self._left <= 0:
            self._account(memoryview(b""), 0)
            return 0
        view = memoryview(buffer).cast("B")[: min(len(buffer), self._left)]
        n = os.preadv(self._fd, [view], self._pos)
        if n <= 0:
            raise zipfile.BadZipFile("entry data is truncated")
        self._pos += n
        self._left -= n
        self._account(view[:n], self._left)
        return n


class Inflated(ZipEntryStream):
    """A deflated entry (RFC 1951) inflated in bounded steps: the stream must end exactly at
    the declared size and use exactly the declared compressed bytes."""

    def __init__(self, raw: Region, size: int, crc: int, name: str, source: str) -> None:
        super().__init__(size, crc, name, source)
        self._raw, self._left, self._input = raw, size, b""
        self._z = zlib.decompressobj(-zlib.MAX_WBITS)

    def _more(self) -> None:
        if not self._input:
            self._input = self._raw.read(_INFLATE_INPUT) or b""
            if not self._input:
                raise zipfile.BadZipFile("the deflated data ends early")

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")[: min(len(buffer), self._left)]
        got = 0
        while got < len(view) and not self._z.eof:
            self._more()
            out = self._z.decompress(self._input, len(view) - got)
            self._input = self._z.unconsumed_tail
            view[got : got + len(out)] = out
            got += len(out)
        self._left -= got
        if got < len(view):
            raise zipfile.BadZipFile("the deflated data is shorter than declared")
        if self._left == 0:
            while not self._z.eof:
                self._more()
                if self._z.decompress(self._input, 1):
                    raise zipfile.BadZipFile("the deflated data is longer than declared")
                self._input = self._z.unconsumed_tail
            if self._z.unused_data or self._input or self._raw.read(1):
                raise zipfile.BadZipFile("bytes after the end of the deflated data")
        self._account(view[:got], self._left)
        return got


def open_entry(fd: int, entry: ZipEntry, name: str, source: str) -> ZipEntryStream:
    """A stream of ``entry``'s uncompressed bytes, read in place from ``fd``.

    Args:
        fd: The zip file's descriptor (read with positional reads only).
        entry: An entry returned by :func:`read_layout` (stored or deflated).
        name: The entry's name in messages.
        source: The package named in errors.

    Returns:
        The stream; it raises ``zip_crc_mismatch`` when the last byte is read and the data
        does not match its CRC-32, and :class:`zipfile.BadZipFile` or :class:`zlib.error`
        when the data is truncated or does not inflate to its declared size.
    """
    if entry.method == zipfile.ZIP_STORED:
        return Region(fd, entry.data, entry.usize, entry.crc, name=name, source=source)
    raw = Region(fd, entry.data, entry.csize)
    return Inflated(raw, entry.usize, entry.crc, name, source)
