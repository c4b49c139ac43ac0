"""Reading bags safely: a directory or a zip, never extracted, with limits checked first.

A reader lists the bag's files (paths relative to the bag root, ``/``-separated) with their
sizes, and opens them for streaming. Every entry is checked *before any data is read*:
absolute paths, ``..``, backslashes, symlinks, special files, duplicate or case-colliding
names, encrypted or unsupported zip entries, and zip bombs (too many entries, a file or a
total that is too large, a compression ratio that is too high) raise :class:`PackageError`
with a stable ``code``.

The BagIt text files are parsed in :mod:`eevidence.package._tagfiles`; hashing is in
:mod:`eevidence.package._hash`.
"""

from __future__ import annotations

import io
import os
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final, Protocol

from eevidence.errors import PackageError

__all__ = [
    "ZIP_ERRORS",
    "DirReader",
    "PackageLimits",
    "Reader",
    "ZipReader",
    "check_member_name",
    "open_reader",
    "reading",
]

_ZIP_METHODS: Final = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
# What zipfile, zlib and struct raise on corrupt archives; wrapped at this boundary.
ZIP_ERRORS: Final = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    struct.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    OverflowError,
    KeyError,
    IndexError,
)


@dataclass(frozen=True)
class PackageLimits:
    """Bounds a reader enforces before reading data (zip bombs, huge manifests).

    Attributes:
        max_entries: Files (zip entries, including folders) a package may hold.
        max_file_size: Largest declared size of one file, in bytes (default 1 TiB).
        max_total_size: Largest declared total size of all files, in bytes (default 4 TiB).
        max_compression_ratio: Largest uncompressed/compressed size ratio of a zip entry.
        ratio_floor: Entries up to this uncompressed size, in bytes, are exempt from the
            ratio check (default 1 MiB).
        max_tag_file_size: Largest tag file (manifest, ``bag-info.txt``, envelope) read into
            memory, in bytes (default 64 MiB).
        max_depth: Deepest folder nesting inside a directory package.
    """

    max_entries: int = 200_000
    max_file_size: int = 1 << 40  # 1 TiB
    max_total_size: int = 4 << 40  # 4 TiB
    max_compression_ratio: int = 200
    ratio_floor: int = 1 << 20  # ratios only count for entries above 1 MiB
    max_tag_file_size: int = 64 << 20
    max_depth: int = 32  # folder nesting inside a directory package


# --------------------------------------------------------------------------- names

_DRIVE = re.compile(r"^[A-Za-z]:")
_OPEN_FLAGS: Final = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


_UNSAFE_CHARS = re.compile(r"[\x00\r\n]")


def check_member_name(name: str, *, source: str) -> None:
    """Check that ``name`` is a safe relative ``/``-separated path inside the bag.

    Args:
        name: An entry or manifest path (a trailing ``/`` marks a zip folder).
        source: The package or file named in the error.

    Raises:
        PackageError: ``unsafe_path`` (empty, NUL/CR/LF, backslash, ``.`` or empty parts),
            ``absolute_path`` (leading ``/`` or a drive letter) or ``path_traversal``
            (a ``..`` part).
    """
    if not name or _UNSAFE_CHARS.search(name):
        raise PackageError(f"unsafe entry name {name!r}", code="unsafe_path", source=source)
    if name[0] == "/" or _DRIVE.match(name):
        raise PackageError(f"absolute path {name!r}", code="absolute_path", source=source)
    if "\\" in name:
        raise PackageError(f"backslash in entry name {name!r}", code="unsafe_path", source=source)
    parts = name.rstrip("/").split("/")
    if ".." in parts:
        raise PackageError(
            f"path escapes the package: {name!r}", code="path_traversal", source=source
        )
    if "" in parts or "." in parts:
        raise PackageError(f"unsafe entry name {name!r}", code="unsafe_path", source=source)


class _NameSet:
    """Detects duplicate and case-colliding names."""

    def __init__(self, source: str) -> None:
        self._seen: dict[str, str] = {}
        self._source = source

    def add(self, name: str) -> None:
        key = name.casefold()
        if key in self._seen:
            if self._seen[key] == name:
                raise PackageError(
                    f"duplicate entry {name!r}", code="duplicate_entry", source=self._source
                )
            raise PackageError(
                f"entries {self._seen[key]!r} and {name!r} differ only by case",
                code="case_collision",
                source=self._source,
            )
        self._seen[key] = name


# --------------------------------------------------------------------------- readers


class Reader(Protocol):
    """A bag opened for reading (:class:`DirReader` or :class:`ZipReader`).

    Attributes:
        source: The package path, for messages.
        form: ``directory`` or ``zip``.
    """

    source: str
    form: str

    def entries(self) -> dict[str, int]:
        """Every regular file of the bag: ``{path relative to the bag root: size in bytes}``.

        Paths are ``/``-separated and already checked (no ``..``, no absolute paths).
        """
        ...

    def open(self, name: str) -> IO[bytes]:
        """A binary stream of the file ``name`` (a key of :meth:`entries`).

        Raises:
            PackageError: ``missing`` when ``name`` is not in the bag; ``unreadable`` or
                ``corrupt_entry`` when it cannot be opened.
        """
        ...

    def read_bytes(self, name: str, limit: int) -> bytes:
        """The whole content of the file ``name``, at most ``limit`` bytes.

        Raises:
            PackageError: ``too_large`` when the file is larger than ``limit`` bytes;
                ``unreadable`` when it changed size while read; ``missing``,
                ``corrupt_entry`` as for :meth:`open`.
        """
        ...

    def close(self) -> None:
        """Release the open file, if any; the reader cannot be used afterwards."""
        ...


def _read_limited(reader: Reader, name: str, limit: int) -> bytes:
    size = reader.entries()[name]
    if size > limit:
        raise PackageError(
            f"{name} is larger than {limit} bytes", code="too_large", source=reader.source
        )
    with reader.open(name) as fh:
        data = fh.read(size + 1)
    if len(data) > size:
        raise PackageError(
            f"{name} changed size while being read", code="unreadable", source=reader.source
        )
    return data


class DirReader:
    """A bag in a directory; symlinks and special files are refused, nothing leaves the root.

    The whole tree is listed and checked when the reader is created; files are opened with
    ``O_NOFOLLOW``, so a symlink swapped in later is not followed either.

    Args:
        root: The bag's root directory (holding ``bagit.txt``).
        limits: The bounds to enforce (``max_entries``, ``max_depth``).

    Raises:
        PackageError: With ``code`` ``unsafe_path``, ``duplicate_entry``, ``case_collision``,
            ``symlink``, ``special_file``, ``too_deep``, ``too_many_entries`` or
            ``unreadable``.
    """

    form = "directory"

    def __init__(self, root: Path, limits: PackageLimits) -> None:
        self.root = root
        self.source = str(root)
        self._root_text = os.fspath(root)
        self._entries: dict[str, int] = {}
        names = _NameSet(self.source)
        self._walk(root, "", names, limits)

    def _walk(self, directory: Path, prefix: str, names: _NameSet, limits: PackageLimits) -> None:
        if prefix.count("/") > limits.max_depth:
            raise PackageError(
                f"folders nested deeper than {limits.max_depth} levels",
                code="too_deep",
                source=self.source,
            )
        try:
            with os.scandir(directory) as it:
                items = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            raise PackageError(
                f"cannot list {directory}: {exc.strerror or exc}",
                code="unreadable",
                source=self.source,
            ) from None
        for item in items:
            rel = prefix + item.name
            check_member_name(rel, source=self.source)
            names.add(rel)
            st = item.stat(follow_symlinks=False)
            if stat.S_ISLNK(st.st_mode):
                raise PackageError(f"symbolic link {rel!r}", code="symlink", source=self.source)
            if stat.S_ISDIR(st.st_mode):
                self._walk(Path(item.path), rel + "/", names, limits)
            elif stat.S_ISREG(st.st_mode):
                self._entries[rel] = st.st_size
                if len(self._entries) > limits.max_entries:
                    raise PackageError(
                        f"more than {limits.max_entries} files",
                        code="too_many_entries",
                        source=self.source,
                    )
            else:
                raise PackageError(f"special file {rel!r}", code="special_file", source=self.source)

    def entries(self) -> dict[str, int]:
        """Every regular file: ``{path relative to the root: size in bytes}`` (as listed)."""
        return self._entries

    def open(self, name: str) -> IO[bytes]:
        """An unbuffered binary stream of the file ``name`` (symlinks are not followed).

        Raises:
            PackageError: ``missing`` when ``name`` was not listed; ``unreadable`` when it
                cannot be opened.
        """
        if name not in self._entries:
            raise PackageError(f"no such file {name!r}", code="missing", source=self.source)
        path = os.path.join(self._root_text, name)
        try:
            fd = os.open(path, _OPEN_FLAGS)
        except OSError as exc:
            raise PackageError(
                f"cannot open {name}: {exc.strerror or exc}", code="unreadable", source=self.source
            ) from None
        return os.fdopen(fd, "rb", buffering=0)

    def read_bytes(self, name: str, limit: int) -> bytes:
        """The whole content of the file ``name``, at most ``limit`` bytes.

        Raises:
            PackageError: ``too_large``, ``unreadable`` or ``missing``.
        """
        return _read_limited(self, name, limit)

    def close(self) -> None:
        """Nothing to release: each file is closed after use."""
        return None


class ZipReader:
    """A bag in a zip file, read in place (entries are streamed, never extracted).

    The central directory is checked when the reader is created, before any entry is read.
    When every file sits under one top-level folder, that folder is the bag root (RFC 8493
    section 4: a serialised bag unpacks to a single directory).

    Args:
        path: The zip file.
        limits: The bounds to enforce (entries, declared sizes, compression ratio).

    Raises:
        PackageError: ``not_a_package`` when the file is not a readable zip; else a code
            naming the unsafe entry: ``unsafe_path``, ``absolute_path``, ``path_traversal``,
            ``duplicate_entry``, ``case_collision``, ``symlink``, ``special_file``,
            ``encrypted_entry``, ``unsupported_compression``, ``too_many_entries`` or
            ``zip_bomb``.
    """

    form = "zip"

    def __init__(self, path: Path, limits: PackageLimits) -> None:
        self.source = str(path)
        self._fh: IO[bytes] | None = None
        try:
            self._fh = path.open("rb")
            self._size = os.fstat(self._fh.fileno()).st_size
            self._zip = zipfile.ZipFile(self._fh)
            infos = self._zip.infolist()
        except ZIP_ERRORS as exc:
            self.close()
            raise PackageError(
                f"not a readable zip file: {exc}", code="not_a_package", source=self.source
            ) from None
        try:
            self._infos, self._entries = self._check(infos, limits)
        except BaseException:
            self.close()
            raise

    def _check(
        self, infos: list[zipfile.ZipInfo], limits: PackageLimits
    ) -> tuple[dict[str, zipfile.ZipInfo], dict[str, int]]:
        src = self.source
        if len(infos) > limits.max_entries:
            raise PackageError(
                f"more than {limits.max_entries} zip entries", code="too_many_entries", source=src
            )
        names = _NameSet(src)
        total = 0
        files: list[zipfile.ZipInfo] = []
        for info in infos:
            name = info.filename
            check_member_name(name, source=src)
            names.add(name.rstrip("/"))
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise PackageError(f"symbolic link {name!r}", code="symlink", source=src)
            if info.is_dir():
                continue
            if stat.S_IFMT(mode) not in (0, stat.S_IFREG):  # 0: no type recorded (DOS, writestr)
                raise PackageError(f"special file {name!r}", code="special_file", source=src)
            if info.flag_bits & 0x1:
                raise PackageError(f"encrypted entry {name!r}", code="encrypted_entry", source=src)
            if info.compress_type not in _ZIP_METHODS:
                raise PackageError(
                    f"unsupported compression in {name!r}",
                    code="unsupported_compression",
                    source=src,
                )
            total += info.file_size
            if info.file_size > limits.max_file_size or total > limits.max_total_size:
                raise PackageError(
                    f"declared size of {name!r} is over the limit", code="zip_bomb", source=src
                )
            if (
                info.file_size > limits.ratio_floor
                and info.file_size > limits.max_compression_ratio * max(info.compress_size, 1)
            ):
                raise PackageError(
                    f"compression ratio of {name!r} is over {limits.max_compression_ratio}",
                    code="zip_bomb",
                    source=src,
                )
            files.append(info)
        prefix = _common_root(f.filename for f in files)
        by_name = {f.filename[len(prefix) :]: f for f in files}
        return by_name, {n: i.file_size for n, i in by_name.items()}

    def entries(self) -> dict[str, int]:
        """Every file entry: ``{path relative to the bag root: uncompressed size in bytes}``."""
        return self._entries

    def open(self, name: str) -> IO[bytes]:
        """A binary stream of the entry ``name`` (stored entries are read in place).

        Raises:
            PackageError: ``missing`` when there is no such entry; ``corrupt_entry`` when
                its headers are inconsistent or it cannot be decompressed.
        """
        info = self._infos.get(name)
        if info is None:
            raise PackageError(f"no such entry {name!r}", code="missing", source=self.source)
        try:
            if info.compress_type == zipfile.ZIP_STORED and self._fh is not None:
                return self._open_stored(info)
            return self._zip.open(info)
        except ZIP_ERRORS as exc:
            raise PackageError(
                f"cannot read entry {name!r}: {exc}", code="corrupt_entry", source=self.source
            ) from None

    def _open_stored(self, info: zipfile.ZipInfo) -> IO[bytes]:
        """A stored entry's bytes, read in place with pread (thread-safe, no CRC pass: the
        manifests' digests are the integrity check). The local header must agree with the
        central directory, so every zip tool sees the same file under the same name."""
        assert self._fh is not None  # noqa: S101 - checked by the caller
        fd = self._fh.fileno()
        header = os.pread(fd, _LOCAL_HEADER.size, info.header_offset)
        if len(header) != _LOCAL_HEADER.size:
            raise zipfile.BadZipFile("truncated local header")
        fields = _LOCAL_HEADER.unpack(header)
        if fields[0] != b"PK\x03\x04":
            raise zipfile.BadZipFile("bad local header signature")
        name_len, extra_len = fields[10], fields[11]
        start = info.header_offset + _LOCAL_HEADER.size
        raw_name = os.pread(fd, name_len, start)
        encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
        if raw_name != info.orig_filename.encode(encoding):
            raise zipfile.BadZipFile("local and central names differ")
        if info.compress_size != info.file_size:
            raise zipfile.BadZipFile("stored entry with different sizes")
        offset = start + name_len + extra_len
        if offset + info.file_size > self._size:
            raise zipfile.BadZipFile("entry data runs past the end of the file")
        return io.BufferedReader(_Region(fd, offset, info.file_size), buffer_size=64 * 1024)

    def member_name(self, name: str) -> str:
        """The entry's name in the zip (with its top-level folder, if any)."""
        return self._infos[name].filename

    def read_bytes(self, name: str, limit: int) -> bytes:
        """The whole content of the entry ``name``, at most ``limit`` bytes.

        Raises:
            PackageError: ``too_large``, ``unreadable``, ``missing`` or ``corrupt_entry``.
        """
        try:
            return _read_limited(self, name, limit)
        except ZIP_ERRORS as exc:
            raise PackageError(
                f"cannot read entry {name!r}: {exc}", code="corrupt_entry", source=self.source
            ) from None

    def close(self) -> None:
        """Close the zip file (idempotent)."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None


_LOCAL_HEADER: Final = struct.Struct("<4s2B4HL2L2H")


class _Region(io.RawIOBase):
    """``size`` bytes of a file descriptor from ``offset``, read with positional reads."""

    def __init__(self, fd: int, offset: int, size: int) -> None:
        self._fd, self._pos, self._left = fd, offset, size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._left <= 0:
            return 0
        view = memoryview(buffer).cast("B")[: min(len(buffer), self._left)]
        n = os.preadv(self._fd, [view], self._pos)
        if n <= 0:
            raise zipfile.BadZipFile("entry data is truncated")
        self._pos += n
        self._left -= n
        return n


def _common_root(names: Iterable[str]) -> str:
    """``ROOT/`` when the bag sits in one top-level folder of the zip (RFC 8493 section 4)."""
    listed = list(names)
    if "bagit.txt" in listed or not listed:
        return ""
    first = {n.split("/", 1)[0] for n in listed}
    if len(first) == 1 and all("/" in n for n in listed):
        return first.pop() + "/"
    return ""


def open_reader(path: str | os.PathLike[str], limits: PackageLimits | None = None) -> Reader:
    """A reader for a bag directory or a zip file; the caller closes it (see :func:`reading`).

    Args:
        path: A bag directory or a zip file (not a symbolic link).
        limits: The bounds to enforce; ``None`` for the defaults of :class:`PackageLimits`.

    Returns:
        A :class:`DirReader` for a directory, a :class:`ZipReader` for a regular file.

    Raises:
        PackageError: ``not_found`` when ``path`` cannot be read; ``symlink``;
            ``not_a_package`` when it is neither a directory nor a readable zip; or any code
            :class:`DirReader` and :class:`ZipReader` raise for an unsafe entry.
    """
    p = Path(path)
    lim = limits or PackageLimits()
    try:
        st = p.lstat()
    except OSError as exc:
        raise PackageError(
            f"cannot read: {exc.strerror or exc}", code="not_found", source=str(p)
        ) from None
    if stat.S_ISLNK(st.st_mode):
        raise PackageError("the package path is a symbolic link", code="symlink", source=str(p))
    if stat.S_ISDIR(st.st_mode):
        return DirReader(p, lim)
    if stat.S_ISREG(st.st_mode):
        return ZipReader(p, lim)
    raise PackageError("not a directory or a file", code="not_a_package", source=str(p))


@contextmanager
def reading(path: str | os.PathLike[str], limits: PackageLimits | None = None) -> Iterator[Reader]:
    """:func:`open_reader` as a context manager: the reader is closed on exit.

    Raises:
        PackageError: As :func:`open_reader`.
    """
    reader = open_reader(path, limits)
    try:
        yield reader
    finally:
        reader.close()
