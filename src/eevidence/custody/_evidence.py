"""Evidence intake: hash what a provider returned as it is read, keep a read-only copy.

:func:`ingest_file` streams a file once (1 MiB buffer, bounded memory), computing its
SHA-256 and size and, when an evidence folder is given, writing a copy beside it at the
same time (temporary file, ``fsync``, rename, then mode ``0444``). :func:`check_file`
re-hashes a kept file and says whether it is unchanged, changed or gone.

File names are never trusted as paths: only the base name is kept, prefixed with the
first 16 hex digits of the digest, under ``<evidence folder>/<request id>/``.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from eevidence._internal.fs import thread_buffer
from eevidence.errors import InputError

__all__ = [
    "EvidenceCheck",
    "EvidenceStatus",
    "Received",
    "check_file",
    "ingest_file",
    "sha256_file",
]

Progress = Callable[[int], None]
EvidenceStatus = Literal[
    "ok", "changed", "missing", "unreadable", "not_regular", "unverified_record"
]
"""A kept file's state: ``ok`` (same digest), ``changed``, ``missing``, ``unreadable``,
``not_regular`` (a device, FIFO, socket or folder: never read), or ``unverified_record``
(the custody entry that recorded it does not verify, so there is nothing to compare with)."""
_SAFE_ID: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


@dataclass(frozen=True, slots=True)
class Received:
    """One received file.

    ``name`` is its base name; ``source`` the path it was read from; ``kept`` the path of
    the read-only copy (``None`` when no copy was asked for); ``sha256`` its SHA-256
    (FIPS 180-4) as 64 lower-case hex digits; ``size`` its length in bytes.
    """

    name: str
    source: str
    kept: str | None
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class EvidenceCheck:
    """The result of re-hashing a kept file.

    ``status`` is an :data:`EvidenceStatus`; ``found_sha256`` and ``size`` (bytes) are
    ``None`` when the file was not read.
    """

    path: str
    status: EvidenceStatus
    expected_sha256: str
    found_sha256: str | None
    size: int | None

    def to_dict(self) -> dict[str, object]:
        """Every field, for JSON output."""
        return {
            "path": self.path,
            "status": self.status,
            "expected_sha256": self.expected_sha256,
            "found_sha256": self.found_sha256,
            "size": self.size,
        }


def sha256_file(path: Path, *, progress: Progress | None = None) -> tuple[str, int]:
    """SHA-256 (FIPS 180-4) and size of a file, read once in 1 MiB blocks.

    Args:
        path: The file.
        progress: Called with the number of bytes read after each block.

    Returns:
        The digest as 64 lower-case hex digits and the size in bytes.

    Raises:
        InputError: the file cannot be read.
    """
    try:
        return _sha256(path, progress)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", source=str(path)) from None


def _sha256(path: Path, progress: Progress | None) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    buf = thread_buffer()
    with path.open("rb", buffering=0) as fh:
        while n := fh.readinto(buf):
            digest.update(buf[:n])
            size += n
            if progress is not None:
                progress(n)
    return digest.hexdigest(), size


def _check_request_id(request_id: str) -> str:
    if not request_id or not set(request_id) <= _SAFE_ID or request_id in {".", ".."}:
        raise InputError(
            "a request id for evidence may use letters, digits, '-', '_' and '.' only",
            source=request_id,
        )
    return request_id


@contextlib.contextmanager
def _ctrl_c_deferred() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) until the block ends, then raise it: the block runs whole. Only
    the main thread receives signals; elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def ingest_file(
    path: str | os.PathLike[str],
    *,
    request_id: str,
    keep_in: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    record: Callable[[Received], object] | None = None,
) -> Received:
    """Hash a received file, copying it into ``keep_in/<request_id>/`` while reading if given.

    The copy is written through a temporary file, ``fsync``-ed, renamed to
    ``<first 16 hex digits of the digest>-<base name>`` and made read-only (mode 0444); a
    file with the same digest and name already kept is not copied again. Memory stays
    bounded (one 1 MiB buffer) whatever the size.

    Args:
        path: The file received from the provider.
        request_id: The request it answers: letters, digits, ``-``, ``_`` and ``.`` only.
        keep_in: The evidence folder; ``None`` to hash without keeping a copy.
        progress: Called with the number of bytes read after each block.
        record: Records the file (a custody entry), called once it is kept. Keeping and
            recording are one step: Ctrl-C is held until both are done, and if ``record``
            fails a copy made by this call is removed, so a kept file is never left without
            its record. Ctrl-C while copying leaves nothing.

    Returns:
        What was received: name, source, kept copy, SHA-256 and size in bytes.

    Raises:
        InputError: ``path`` is not a regular file or cannot be read, ``request_id`` is not
            safe as a folder name, or the copy cannot be written.
    """
    src = Path(path)
    name = src.name
    if not src.is_file():
        raise InputError("not a regular file (or not found)", source=str(src))
    _check_request_id(request_id)
    if keep_in is None:
        digest, size = sha256_file(src, progress=progress)
        received = Received(name, str(src), None, digest, size)
        if record is not None:
            record(received)  # nothing kept: an interrupted record leaves nothing behind
        return received
    folder = Path(keep_in) / request_id
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".incoming-", dir=folder)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", source=str(folder)) from None
    h, size = hashlib.sha256(), 0
    buf = thread_buffer()
    try:
        with src.open("rb", buffering=0) as fh, os.fdopen(fd, "wb") as out:
            while n := fh.readinto(buf):
                h.update(buf[:n])
                out.write(buf[:n])
                size += n
                if progress is not None:
                    progress(n)
            out.flush()
            os.fsync(out.fileno())
        digest = h.hexdigest()
        target = folder / f"{digest[:16]}-{name}"
        received = Received(name, str(src), str(target), digest, size)
        with _ctrl_c_deferred():
            fresh = not target.exists()
            if fresh:
                os.chmod(tmp, 0o444)
                os.replace(tmp, target)
            else:
                os.unlink(tmp)  # the same file was already kept (same digest, same name)
            try:
                if record is not None:
                    record(received)
            except BaseException:
                if fresh:  # a copy without its record is not kept
                    target.unlink(missing_ok=True)
                raise
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"cannot copy: {exc.strerror or exc}", source=str(src)) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return received


def check_file(
    path: str | os.PathLike[str], expected_sha256: str, *, progress: Progress | None = None
) -> EvidenceCheck:
    """Re-hash a kept file and compare it with the digest recorded when it was received.

    Only a regular file is read: the path is opened without following a final symbolic
    link and without blocking (so a FIFO cannot hang the check), and anything but a regular
    file (``/dev/zero``, a FIFO, a socket, a folder) is ``not_regular``. At most the size the
    file had when opened is read, plus one byte to notice growth, so a file that keeps
    growing cannot keep the check running.

    Args:
        path: The kept file.
        expected_sha256: Its recorded SHA-256 (64 lower-case hex digits).
        progress: Called with the number of bytes read after each block.

    Returns:
        The check: ``ok``, ``changed``, ``missing``, ``unreadable`` or ``not_regular``
        (never raises for a file that cannot be checked).
    """
    p = Path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(p, flags)
    except FileNotFoundError:
        return EvidenceCheck(str(p), "missing", expected_sha256, None, None)
    except OSError as exc:
        status: EvidenceStatus = "not_regular" if exc.errno == errno.ELOOP else "unreadable"
        return EvidenceCheck(str(p), status, expected_sha256, None, None)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return EvidenceCheck(str(p), "not_regular", expected_sha256, None, None)
        digest, size = _sha256_fd(fd, info.st_size + 1, progress)
    except OSError:
        return EvidenceCheck(str(p), "unreadable", expected_sha256, None, None)
    finally:
        os.close(fd)
    status = "ok" if digest == expected_sha256 and size == info.st_size else "changed"
    return EvidenceCheck(str(p), status, expected_sha256, digest, size)


def _sha256_fd(fd: int, limit: int, progress: Progress | None) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    buf = thread_buffer()
    while size < limit:
        n = os.readv(fd, [buf[: min(len(buf), limit - size)]])
        if not n:
            break
        digest.update(buf[:n])
        size += n
        if progress is not None:
            progress(n)
    return digest.hexdigest(), size
