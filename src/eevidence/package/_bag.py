"""Reading bags safely: a directory or a zip, never extracted, with limits checked first.

A reader lists the bag's files (paths relative to the bag root, ``/``-separated) with their
sizes, and opens them for streaming. Every entry is checked *before any data is read*:
absolute paths, ``..``, backslashes, symlinks, special files, duplicate or case-colliding
names, encrypted or unsupported zip entries, and zip bombs (too many entries, a file or a
total that is too large, a compression ratio that is too high) raise :class:`PackageError`
with a stable ``code``.

Also here: hashing with a reused 1 MiB buffer (concurrently, largest first) and the parsers
for BagIt text files (manifests, ``bag-info.txt``).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import struct
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final, Protocol

from eevidence._internal.fs import CHUNK, thread_buffer
from eevidence.errors import PackageError

__all__ = [
    "CHUNK",
    "HASH_ALGORITHMS",
    "ZIP_ERRORS",
    "DirReader",
    "PackageLimits",
    "Reader",
    "ZipReader",
    "check_member_name",
    "hash_entries",
    "open_reader",
    "parse_bag_info",
    "parse_manifest",
]

SMALL_FILE: Final = 256 * 1024  # below this, hashing one file costs mostly Python overhead
HASH_ALGORITHMS: Final = ("sha256", "sha512")
_HEX_LEN: Final = {"sha256": 64, "sha512": 128}
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

ProgressCallback = Callable[[int], None]


@dataclass(frozen=True)
class PackageLimits:
    """Bounds a reader enforces before reading data (zip bombs, huge manifests)."""

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
_HEX = re.compile(r"[0-9a-f]+")


def check_member_name(name: str, *, source: str) -> None:
    """Raise :class:`PackageError` unless ``name`` is a safe relative ``/``-separated path."""
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
    source: str
    form: str

    def entries(self) -> dict[str, int]: ...

    def open(self, name: str) -> IO[bytes]: ...

    def read_bytes(self, name: str, limit: int) -> bytes: ...

    def close(self) -> None: ...


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
    """A bag in a directory; symlinks and special files are refused, nothing leaves the root."""

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
        return self._entries

    def open(self, name: str) -> IO[bytes]:
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
        return _read_limited(self, name, limit)

    def close(self) -> None:
        return None


class ZipReader:
    """A bag in a zip file, read in place (entries are streamed, never extracted)."""

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
        return self._entries

    def open(self, name: str) -> IO[bytes]:
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
        try:
            return _read_limited(self, name, limit)
        except ZIP_ERRORS as exc:
            raise PackageError(
                f"cannot read entry {name!r}: {exc}", code="corrupt_entry", source=self.source
            ) from None

    def close(self) -> None:
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
    """A reader for a bag directory or a zip file; :class:`PackageError` when neither."""
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
    reader = open_reader(path, limits)
    try:
        yield reader
    finally:
        reader.close()


# --------------------------------------------------------------------------- hashing


def hash_stream(
    fh: IO[bytes], algorithms: Iterable[str], progress: ProgressCallback | None = None
) -> tuple[dict[str, str], int]:
    """Digests (hex) of everything readable from ``fh`` and its size, one reused buffer."""
    hashers = [hashlib.new(a) for a in algorithms]
    buf = thread_buffer()
    size = 0
    readinto = getattr(fh, "readinto", None)
    while True:
        if readinto is not None:
            n = readinto(buf)
            if not n:
                break
            chunk = buf[:n]
        else:  # pragma: no cover - every stream used here has readinto
            data = fh.read(CHUNK)
            if not data:
                break
            chunk = memoryview(data)
            n = len(data)
        for h in hashers:
            h.update(chunk)
        size += n
        if progress is not None:
            progress(n)
    return {h.name: h.hexdigest() for h in hashers}, size


def default_workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


def hash_entries(
    reader: Reader,
    wanted: Mapping[str, Sequence[str]],
    *,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
) -> dict[str, tuple[dict[str, str], int] | PackageError]:
    """Hash each named entry with its algorithms, concurrently, largest first.

    A file that cannot be read gives its :class:`PackageError` instead of digests.
    """
    sizes = reader.entries()
    order = sorted(wanted, key=lambda n: (-sizes.get(n, 0), n))

    def one(name: str) -> tuple[dict[str, str], int] | PackageError:
        try:
            with reader.open(name) as fh:
                return hash_stream(fh, wanted[name], progress)
        except PackageError as exc:
            return exc
        except ZIP_ERRORS as exc:
            return PackageError(
                f"cannot read {name!r}: {exc}", code="corrupt_entry", source=reader.source
            )

    n = workers or default_workers()
    results: dict[str, tuple[dict[str, str], int] | PackageError] = {}
    if n == 1 or len(order) < 2:
        for name in order:
            results[name] = one(name)
        return results
    # Large files go to every thread (hashing releases the GIL); small files, whose cost is
    # mostly Python overhead under the GIL, go to one thread only, so threads do not fight
    # over the GIL for them. That thread joins the large files when it is done.
    big = iter([name for name in order if sizes.get(name, 0) >= SMALL_FILE])
    small = [name for name in order if sizes.get(name, 0) < SMALL_FILE]
    lock = threading.Lock()
    failures: list[BaseException] = []

    def take() -> str | None:
        with lock:
            return next(big, None)

    def work(first: list[str]) -> None:
        try:
            for name in first:
                results[name] = one(name)
            while (following := take()) is not None:
                results[following] = one(following)
        except BaseException as exc:  # pragma: no cover - re-raised in the caller
            failures.append(exc)

    threads = [
        threading.Thread(target=work, args=(small if i == 0 else [],), name=f"eevidence-hash-{i}")
        for i in range(n)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:  # pragma: no cover - only MemoryError and the like get here
        raise failures[0]
    return results


# --------------------------------------------------------------------------- BagIt text files


def _decode_path(text: str) -> str:
    return (
        text.replace("%0D", "\r")
        .replace("%0d", "\r")
        .replace("%0A", "\n")
        .replace("%0a", "\n")
        .replace("%25", "%")
    )


def encode_path(path: str) -> str:
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def parse_manifest(data: bytes, algorithm: str, *, name: str) -> tuple[dict[str, str], list[str]]:
    """``{path: digest}`` of a manifest, and the problems found (each names the line)."""
    problems: list[str] = []
    entries: dict[str, str] = {}
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return {}, [f"{name}: not UTF-8"]
    if text.startswith("\ufeff"):
        text = text[1:]
    width = _HEX_LEN[algorithm]
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split(None, 1)
        if len(parts) != 2:
            problems.append(f"{name} line {lineno}: expected 'DIGEST PATH'")
            continue
        digest, raw = parts[0].lower(), _decode_path(parts[1].strip())
        if len(digest) != width or not _HEX.fullmatch(digest):
            problems.append(f"{name} line {lineno}: not a {algorithm} digest")
            continue
        try:
            check_member_name(raw, source=name)
        except PackageError as exc:
            problems.append(f"{name} line {lineno}: {exc.args[0]} ({exc.code})")
            continue
        if raw in entries:
            problems.append(f"{name} line {lineno}: {raw!r} is listed twice")
            continue
        entries[raw] = digest
    return entries, problems


def parse_bag_info(data: bytes) -> tuple[list[tuple[str, str]], list[str]]:
    """Labels and values of ``bag-info.txt`` in order (continuation lines joined)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return [], ["bag-info.txt: not UTF-8"]
    items: list[tuple[str, str]] = []
    problems: list[str] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if line[0] in " \t" and items:
            label, value = items[-1]
            items[-1] = (label, f"{value} {line.strip()}")
            continue
        label, sep, value = line.partition(":")
        if not sep or not label.strip():
            problems.append(f"bag-info.txt line {lineno}: expected 'Label: value'")
            continue
        items.append((label.strip(), value.strip()))
    return items, problems
