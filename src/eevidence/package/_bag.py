"""Reading bags safely: a directory or a zip, never extracted, with limits checked first.

A reader lists the bag's files (paths relative to the bag root, ``/``-separated) with their
sizes, and opens them for streaming. Every entry is checked *before any data is read*:
absolute paths, ``..``, backslashes, symlinks, special files, duplicate or case-colliding
names, encrypted or unsupported zip entries, and zip bombs (too many entries, a file or a
total that is too large, a compression ratio that is too high) raise :class:`PackageError`
with a stable ``code``. A zip is read one way only: its layout must leave no byte that two
zip readers could see differently (see :class:`ZipReader`), and each entry's CRC-32 is
checked on the same read that hashes it.

The BagIt text files are parsed in :mod:`eevidence.package._tagfiles`; hashing is in
:mod:`eevidence.package._hash`.
"""

from __future__ import annotations

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
from typing import IO, Final, Protocol, cast

from eevidence.errors import PackageError
from eevidence.package._zip import Region, ZipEntry, open_entry, read_layout

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

_Region = Region  # the stream of a stored entry's bytes, under its former name here
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
                ``corrupt_entry`` when it cannot be opened; from a zip, while reading,
                ``zip_crc_mismatch`` when the bytes do not match the entry's CRC-32.
        """
        ...

    def read_bytes(self, name: str, limit: int) -> bytes:
        """The whole content of the file ``name``, at most ``limit`` bytes.

        Raises:
            PackageError: ``too_large`` when the file is larger than ``limit`` bytes;
                ``unreadable`` when it changed size while read; ``missing``,
                ``corrupt_entry``, ``zip_crc_mismatch`` as for :meth:`open`.
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
    chunks: list[bytes] = []
    got = 0
    with reader.open(name) as fh:
        while got <= size and (chunk := fh.read(size + 1 - got)):
            chunks.append(chunk)
            got += len(chunk)
    if got != size:
        raise PackageError(
            f"{name} changed size while being read", code="unreadable", source=reader.source
        )
    return b"".join(chunks)


class DirReader:
    """A bag in a directory; symlinks and special files are refused, nothing leaves the root.

    The whole tree is listed and checked when the reader is created; files are opened with
    ``O_NOFOLLOW``, so a symlink swapped in later is not followed either.

    Args:
        root: The bag's root directory (holding ``bagit.txt``).
        limits: The bounds to enforce (``max_entries``, ``max_depth``).

    Raises:
        PackageError: With ``code`` ``unsafe_path``, ``duplicate_entry``, ``case_collision``,
            ``symlink``, ``special_file``, ``empty_folder`` (a folder that holds no file:
            an unsigned name), ``too_deep``, ``too_many_entries`` or ``unreadable``.
    """

    form = "directory"

    def __init__(self, root: Path, limits: PackageLimits) -> None:
        self.root = root
        self.source = str(root)
        self._root_text = os.fspath(root)
        self._entries: dict[str, int] = {}
        names = _NameSet(self.source)
        self._walk(root, "", names, limits)

    def _walk(self, directory: Path, prefix: str, names: _NameSet, limits: PackageLimits) -> int:
        """List ``directory`` (``prefix`` is its path in the bag); return the files under it."""
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
        before = len(self._entries)
        for item in items:
            rel = prefix + item.name
            check_member_name(rel, source=self.source)
            names.add(rel)
            st = item.stat(follow_symlinks=False)
            if stat.S_ISLNK(st.st_mode):
                raise PackageError(f"symbolic link {rel!r}", code="symlink", source=self.source)
            if stat.S_ISDIR(st.st_mode):
                if not self._walk(Path(item.path), rel + "/", names, limits):
                    raise PackageError(
                        f"folder {rel + '/'!r} holds no file (an unsigned name)",
                        code="empty_folder",
                        source=self.source,
                    )
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
        return len(self._entries) - before

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


# --------------------------------------------------------------------------- zip


class ZipReader:
    """A bag in a zip file, read in place (entries are streamed, never extracted).

    The zip is read one way only (:mod:`eevidence.package._zip`): when the reader is
    created, before any entry's data is read, the end record, the central directory and
    every local header are checked to agree, and entries, directory and end records must
    follow each other with no byte before, between or after them. ZIP64 is read where a
    value needs it; data descriptors, split archives, encryption, comments, folders that
    hold no file and extra fields other than ZIP64, times and owner are refused. Each
    entry's CRC-32 is checked on the read that delivers its bytes. When every file
    sits under one top-level folder, that folder is the bag root (RFC 8493 section 4: a
    serialised bag unpacks to a single directory).

    Args:
        path: The zip file.
        limits: The bounds to enforce (entries, declared sizes, compression ratio).

    Raises:
        PackageError: ``not_a_package`` when the file is not a readable zip; for an unsafe
            entry ``unsafe_path``, ``absolute_path``, ``path_traversal``,
            ``duplicate_entry``, ``case_collision``, ``symlink``, ``special_file``,
            ``encrypted_entry``, ``unsupported_compression``, ``too_many_entries`` or
            ``zip_bomb``; ``empty_folder`` for a folder entry no file is in; when two zip
            readers could see different files or unsigned text: ``zip_prefix``,
            ``zip_gap``, ``zip_overlap``, ``zip_trailing``, ``zip_comment``,
            ``zip_header_mismatch``, ``zip_directory_mismatch``, ``zip_data_descriptor``,
            ``zip_multi_disk``, ``zip_bad_extra``, ``zip64_not_needed``,
            ``zip_unsupported_flags``, ``zip_unsupported_version``, ``zip_ambiguous_name``
            or ``zip_folder_with_data`` (each described in :mod:`eevidence.package._zip`).
    """

    form = "zip"

    def __init__(self, path: Path, limits: PackageLimits) -> None:
        self.source = str(path)
        self._fh: IO[bytes] | None = None
        self._names, self._total, self._limits = _NameSet(self.source), 0, limits
        try:
            self._fh = path.open("rb")
            self._fd = self._fh.fileno()
            entries = read_layout(self._fh, self.source, limits.max_entries, self._check)
            files = [e for e in entries if not e.name.endswith("/")]
            _check_folders(files, [e.name for e in entries if e.name.endswith("/")], self.source)
        except ZIP_ERRORS as exc:
            self.close()
            raise PackageError(
                f"not a readable zip file: {exc}", code="not_a_package", source=self.source
            ) from None
        except BaseException:
            self.close()
            raise
        prefix = _common_root(e.name for e in files)
        self._infos = {e.name[len(prefix) :]: e for e in files}
        self._entries = {n: e.usize for n, e in self._infos.items()}

    def _check(self, e: ZipEntry) -> None:
        """Refuse an unsafe central-directory record (names, file types, sizes, ratios)."""
        src, name, limits = self.source, e.name, self._limits
        check_member_name(name, source=src)
        self._names.add(name.rstrip("/"))
        if stat.S_ISLNK(e.mode):
            raise PackageError(f"symbolic link {name!r}", code="symlink", source=src)
        if e.dos_attributes & 0x08:  # an MS-DOS volume label
            raise PackageError(f"volume label {name!r}", code="special_file", source=src)
        if name.endswith("/"):
            if e.usize:
                raise PackageError(
                    f"folder entry {name!r} holds data", code="zip_folder_with_data", source=src
                )
            if stat.S_IFMT(e.mode) not in (0, stat.S_IFDIR, stat.S_IFREG):
                raise PackageError(f"special file {name!r}", code="special_file", source=src)
        elif stat.S_IFMT(e.mode) not in (0, stat.S_IFREG) or e.dos_attributes & 0x10:
            # 0: no type recorded (DOS); a folder mode or attribute on a file name: readers
            # disagree on whether it is a folder or a file
            raise PackageError(f"special file {name!r}", code="special_file", source=src)
        if e.encrypted:
            raise PackageError(f"encrypted entry {name!r}", code="encrypted_entry", source=src)
        if e.method not in _ZIP_METHODS:
            raise PackageError(
                f"unsupported compression in {name!r}", code="unsupported_compression", source=src
            )
        self._total += e.usize
        if e.usize > limits.max_file_size or self._total > limits.max_total_size:
            raise PackageError(
                f"declared size of {name!r} is over the limit", code="zip_bomb", source=src
            )
        if e.usize > limits.ratio_floor and e.usize > limits.max_compression_ratio * max(
            e.csize, 1
        ):
            raise PackageError(
                f"compression ratio of {name!r} is over {limits.max_compression_ratio}",
                code="zip_bomb",
                source=src,
            )

    def entries(self) -> dict[str, int]:
        """Every file entry: ``{path relative to the bag root: uncompressed size in bytes}``."""
        return self._entries

    def open(self, name: str) -> IO[bytes]:
        """A binary stream of the entry ``name``, read in place (a ``ZipEntryStream``).

        The entry's CRC-32 is checked when its last byte is read.

        Raises:
            PackageError: ``missing`` when there is no such entry; while reading,
                ``zip_crc_mismatch`` when the data does not match its CRC-32.
        """
        e = self._infos.get(name)
        if e is None or self._fh is None:
            raise PackageError(f"no such entry {name!r}", code="missing", source=self.source)
        return cast("IO[bytes]", open_entry(self._fd, e, name, self.source))

    def member_name(self, name: str) -> str:
        """The entry's name in the zip (with its top-level folder, if any)."""
        return self._infos[name].name

    def read_bytes(self, name: str, limit: int) -> bytes:
        """The whole content of the entry ``name``, at most ``limit`` bytes, CRC-32 checked.

        Raises:
            PackageError: ``too_large``, ``unreadable``, ``missing``, ``corrupt_entry`` or
                ``zip_crc_mismatch``.
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


def _check_folders(files: list[ZipEntry], folders: list[str], source: str) -> None:
    """Refuse a folder entry no file is in: an unsigned name shown by every unzip tool."""
    holding = {f.name[: i + 1] for f in files for i, c in enumerate(f.name) if c == "/"}
    for folder in folders:
        if folder not in holding:
            raise PackageError(
                f"folder entry {folder!r} holds no file", code="empty_folder", source=source
            )


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
