"""Hashing bag entries: one reused 1 MiB buffer per thread, many files concurrently.

Several digests of one file are computed in a single read (a bag may carry both sha256 and
sha512 manifests, RFC 8493 section 2.1.3). Large files are hashed on every worker thread
(hashlib releases the GIL); small files, whose cost is mostly Python overhead, on one.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import IO, Final

from eevidence._internal.fs import CHUNK, thread_buffer
from eevidence.errors import PackageError
from eevidence.package._bag import ZIP_ERRORS, Reader

__all__ = ["Progress", "default_workers", "hash_entries", "hash_stream"]

SMALL_FILE: Final = 256 * 1024  # below this, hashing one file costs mostly Python overhead

Progress = Callable[[int], None]
"""A progress callback: called with the number of bytes just processed."""


def hash_stream(
    fh: IO[bytes], algorithms: Iterable[str], progress: Progress | None = None
) -> tuple[dict[str, str], int]:
    """Digests of everything readable from ``fh`` and its size, read once with one buffer.

    Returns:
        ``({algorithm: lowercase hex digest}, size in bytes)``.
    """
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
