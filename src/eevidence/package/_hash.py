"""Hashing bag entries: one reused 1 MiB buffer per thread, many files concurrently.

Several digests of one file are computed in a single read (a bag may carry both sha256 and
sha512 manifests, RFC 8493 section 2.1.3). Large files are hashed on every worker thread
(hashlib releases the GIL); small files, whose cost is mostly Python overhead, on one.

A zip entry's CRC-32 is computed on the same buffers that feed the digests (one read). For
entries of :data:`OVERLAP_CRC` bytes or more it runs on a second thread, one buffer behind
the hashing (``zlib.crc32`` releases the GIL too): on the reference machine CRC-32 runs at
about 3.2 GB/s against 1.75 GB/s for SHA-256, so computing it in line would cost about a
third of the speed of one large file (see ``docs/benchmarks.md``).
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import IO, Any, Final

from eevidence._internal.fs import CHUNK, thread_buffer
from eevidence.errors import PackageError
from eevidence.package._bag import ZIP_ERRORS, Reader
from eevidence.package._zip import CRC_MISMATCH, ZipEntryStream

__all__ = ["OVERLAP_CRC", "Progress", "default_workers", "hash_entries", "hash_stream"]

SMALL_FILE: Final = 256 * 1024  # below this, hashing one file costs mostly Python overhead
OVERLAP_CRC = 8 * 1024 * 1024
"""Zip entries of at least this many bytes get their CRC-32 computed on a second thread."""
_CRC_BUFFERS: Final = 3  # buffers in flight between the hashing and the CRC thread

Progress = Callable[[int], None]
"""A progress callback: called with the number of bytes just processed."""


def hash_stream(
    fh: IO[bytes], algorithms: Iterable[str], progress: Progress | None = None
) -> tuple[dict[str, str], int]:
    """Digests of everything readable from ``fh`` and its size, read once with one buffer.

    A zip entry's CRC-32 is checked on the same read (on a second thread for entries of
    :data:`OVERLAP_CRC` bytes or more).

    Returns:
        ``({algorithm: lowercase hex digest}, size in bytes)``.

    Raises:
        PackageError: ``zip_crc_mismatch`` when a zip entry does not match its CRC-32.
    """
    hashers = [hashlib.new(a) for a in algorithms]
    stream: Any = fh
    if isinstance(stream, ZipEntryStream) and stream.size >= OVERLAP_CRC:
        expected = stream.claim_crc()
        size, crc = _hash_with_crc(stream, hashers, progress)
        if expected is not None:
            stream.check_crc(crc)
        return {h.name: h.hexdigest() for h in hashers}, size
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


def _hash_with_crc(
    fh: ZipEntryStream, hashers: list[Any], progress: Progress | None
) -> tuple[int, int]:
    """Hash ``fh`` on this thread and compute its CRC-32 on another, on the same buffers:
    ``(size in bytes, CRC-32)``. A buffer goes back to the reader once its CRC is done."""
    free: queue.SimpleQueue[memoryview] = queue.SimpleQueue()
    full: queue.SimpleQueue[tuple[memoryview, int] | None] = queue.SimpleQueue()
    for _ in range(_CRC_BUFFERS):
        free.put(memoryview(bytearray(CHUNK)))
    result: list[int] = []

    def crc_worker() -> None:
        crc = 0
        while (item := full.get()) is not None:
            crc = zlib.crc32(item[0][: item[1]], crc)
            free.put(item[0])
        result.append(crc)

    worker = threading.Thread(target=crc_worker, name="eevidence-crc", daemon=True)
    worker.start()
    size = 0
    try:
        while n := fh.readinto(buf := free.get()):
            view = buf[:n]
            for h in hashers:
                h.update(view)
            full.put((buf, n))
            size += n
            if progress is not None:
                progress(n)
    finally:
        full.put(None)
        worker.join()
    if not result:  # pragma: no cover - zlib.crc32 does not fail on a buffer
        raise PackageError("the CRC-32 could not be computed", code="unreadable")
    return size, result[0]


def default_workers() -> int:
    """Threads used for hashing and copying: the CPU count, between 1 and 8."""
    return max(1, min(8, os.cpu_count() or 1))


def hash_entries(
    reader: Reader,
    wanted: Mapping[str, Sequence[str]],
    *,
    workers: int | None = None,
    progress: Progress | None = None,
) -> dict[str, tuple[dict[str, str], int] | PackageError]:
    """Hash each named entry with its algorithms, concurrently, largest first.

    Args:
        reader: The bag to read.
        wanted: ``{entry path: algorithms}`` (``hashlib`` names, e.g. ``("sha256",)``).
        workers: Threads to use; ``None`` for :func:`default_workers`.
        progress: Called with the bytes hashed, from the worker threads.

    Returns:
        ``{entry path: ({algorithm: hex digest}, size in bytes)}``; a file that cannot be
        read gives its :class:`PackageError` instead of digests (nothing is raised for it).

    Raises:
        PackageError: ``zip_crc_mismatch``: a zip entry does not match its CRC-32. The zip
            itself is then malformed (other zip tools refuse it), so the whole call fails
            rather than one file; the remaining files are not hashed.
    """
    sizes = reader.entries()
    order = sorted(wanted, key=lambda n: (-sizes.get(n, 0), n))

    def one(name: str) -> tuple[dict[str, str], int] | PackageError:
        try:
            with reader.open(name) as fh:
                return hash_stream(fh, wanted[name], progress)
        except PackageError as exc:
            if exc.code == CRC_MISMATCH:
                raise
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
            return None if failures else next(big, None)

    def work(first: list[str]) -> None:
        try:
            for name in first:
                if failures:
                    return
                results[name] = one(name)
            while (following := take()) is not None:
                results[following] = one(following)
        except BaseException as exc:  # re-raised in the caller
            failures.append(exc)

    threads = [
        threading.Thread(target=work, args=(small if i == 0 else [],), name=f"eevidence-hash-{i}")
        for i in range(n)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:  # a CRC-32 mismatch (or MemoryError and the like)
        raise failures[0]
    return results
