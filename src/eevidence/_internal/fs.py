"""Files written whole or not at all, and names that are safe as file names.

Kept free of heavy imports: the package and key modules use it on paths (verification) that
must stay light.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from typing import Final

from eevidence.errors import InputError

__all__ = ["CHUNK", "FILE_NAME", "thread_buffer", "write_atomic"]

FILE_NAME: Final = r"[A-Za-z0-9][A-Za-z0-9._ -]{0,254}"
"""A plain file name: no directories, no leading dot (a regular expression)."""

CHUNK: Final = 1024 * 1024
"""Bytes read at a time when hashing or copying files (1 MiB)."""

_local = threading.local()


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
