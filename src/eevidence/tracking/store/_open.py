"""Opening a store from what ``--store`` gives: a PostgreSQL URL or a SQLite file."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Final

from eevidence.errors import StoreError
from eevidence.tracking.store._postgres import PostgresStore
from eevidence.tracking.store._sqlite import SqliteStore, default_store_path

__all__ = ["open_store", "sqlite_file_of"]

_URL: Final = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
"""A URL's scheme and ``://`` (RFC 3986 section 3.1) at the start of a store spec."""
_SCHEME: Final = re.compile(r"([A-Za-z][A-Za-z0-9+.-]+):")
"""A scheme of two characters or more and ``:`` (one letter would be a drive letter)."""


def open_store(
    spec: str | os.PathLike[str] | None = None, *, create: bool = True
) -> SqliteStore | PostgresStore:
    """A store from ``--store``: a ``postgresql://`` URL, a SQLite file, or the default file.

    With ``create=False`` (commands that only read) a SQLite file that does not exist is an
    error rather than a new, empty store.

    Args:
        spec: A ``postgresql://`` or ``postgres://`` URL (:class:`PostgresStore`), a SQLite
            file path (:class:`SqliteStore`), or ``None`` for :func:`default_store_path`.
        create: Whether a missing SQLite file may be created.

    Returns:
        The opened store, its schema migrated; the caller closes it.

    Raises:
        StoreError: The store cannot be opened (see :class:`SqliteStore` and
            :class:`PostgresStore`), or ``spec`` is a URL of another scheme (``mysql://``,
            ``sqlite://``...): nothing is created then.
    """
    if spec is None:
        return SqliteStore(default_store_path(), create=create)
    text = os.fspath(spec)
    url = _URL.match(text)
    if url is not None:
        if url.group(1) not in ("postgresql", "postgres"):
            raise StoreError(
                f"unsupported store URL scheme {_shown(url.group(1))!r}: give a "
                "postgresql:// URL or the path of a SQLite file (the rest of the URL is not "
                "repeated: it may hold a password)"
            )
        return PostgresStore(text)
    return SqliteStore(_sqlite_text(text), create=create)


def sqlite_file_of(spec: str | os.PathLike[str] | None) -> Path | None:
    """The SQLite file ``spec`` names (the default file for ``None``), or ``None`` for a URL.

    Judges ``spec`` as :func:`open_store` does, without opening anything: a command can
    tell a fresh machine (the file does not exist yet) from an error.

    Raises:
        StoreError: ``spec`` looks like a store URL but is not a usable one (the same
            message :func:`open_store` gives, without the rest of the URL).
    """
    if spec is None:
        return default_store_path()
    text = os.fspath(spec)
    if _URL.match(text) is not None:
        return None
    return Path(_sqlite_text(text))


def _sqlite_text(text: str) -> str:
    """``text`` when it can be a SQLite file path; a URL-like text raises StoreError."""
    if "://" in text:  # a URL after spaces or other text: never a file name
        raise StoreError(
            "the store is not a usable URL: a store URL starts with postgresql:// (nothing "
            "before it), else give the path of a SQLite file (the rest is not repeated: it "
            "may hold a password)"
        )
    scheme = _SCHEME.match(text)
    if scheme is not None and ("@" in text or scheme.group(1).lower().startswith("postgres")):
        raise StoreError(
            f"the store {_shown(scheme.group(1))}:... is not a usable URL: give "
            "postgresql://user@host:port/dbname, or the path of a SQLite file (the rest is "
            "not repeated: it may hold a password)"
        )
    return text


def _shown(scheme: str) -> str:
    """A scheme for a message: at most 20 characters."""
    return scheme[:20]
