"""Files written whole or not at all, and names that are safe as file names.

Kept free of heavy imports: the package and key modules use it on paths (verification) that
must stay light.
"""

from __future__ import annotations

import os
import stat
import tempfile
import threading
from pathlib import Path
from typing import BinaryIO, Final

from eevidence.errors import InputError

__all__ = [
    "CHUNK",
    "FILE_NAME",
    "open_regular",
    "read_regular",
    "thread_buffer",
    "write_atomic",
]

FILE_NAME: Final = r"[A-Za-z0-9][A-Za-z0-9._ -]{0,254}"
"""A plain file name: no directories, no leading dot (a regular expression)."""

CHUNK: Final = 1024 * 1024
"""Bytes read at a time when hashing or copying files (1 MiB)."""

_local = threading.local()

_OPEN_FLAGS: Final = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
_KINDS: Final = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a plain file")


def open_regular(
    path: str | os.PathLike[str], what: str = "file", *, limit: int | None = None
) -> BinaryIO:
    """``path`` opened for reading, refused unless it is a regular file (after symbolic
    links), and, with ``limit``, unless it holds at most ``limit`` bytes.

    The file is opened without blocking (``O_NONBLOCK``) and judged on its open descriptor
    (``fstat``): a FIFO with no writer, a device such as ``/dev/zero`` or a socket is refused
    at once rather than waited on or read without end. The caller closes the file.

    Raises:
        InputError: the file cannot be opened (missing, a symbolic link loop, no
            permission...), is not a regular file, or is larger than ``limit`` bytes; one
            line naming ``what`` and the file.
    """
    source = os.fspath(path)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", source=source) from None
    except ValueError as exc:  # an embedded NUL byte
        raise InputError(f"cannot read file: {exc}", source=source) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(
                f"cannot read file: it is {_kind(info.st_mode)}, not a regular file",
                source=source,
            )
        if limit is not None and info.st_size > limit:
            raise InputError(f"{what} is larger than {limit} bytes (the limit)", source=source)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except OSError as exc:
        os.close(fd)
        raise InputError(f"cannot read file: {exc.strerror or exc}", source=source) from None
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: str | os.PathLike[str], limit: int, what: str = "file") -> bytes:
    """The bytes of the regular file ``path`` (:func:`open_regular`), reading at most
    ``limit + 1`` of them: a file larger than ``limit`` (or one that grew past it while
    being read) is refused.

    Raises:
        InputError: as :func:`open_regular`, or the file is larger than ``limit`` bytes
            (the message names the limit).
    """
    source = os.fspath(path)
    with open_regular(path, what, limit=limit) as fh:
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            raise InputError(f"cannot read file: {exc.strerror or exc}", source=source) from None
    if len(data) > limit:
        raise InputError(f"{what} is larger than {limit} bytes (the limit)", source=source)
    return data


def thread_buffer() -> memoryview:
    """This thread's reusable read buffer of :data:`CHUNK` bytes."""
    buf: memoryview | None = getattr(_local, "buf", None)
    if buf is None:
        buf = memoryview(bytearray(CHUNK))
        _local.buf = buf
    return buf


def write_atomic(path: str | os.PathLike[str], data: bytes, *, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory and a rename."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise InputError(f"cannot write file: {exc.strerror or exc}", source=str(target)) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise InputError(
                f"cannot write file: {exc.strerror or exc}", source=str(target)
            ) from None
        raise
