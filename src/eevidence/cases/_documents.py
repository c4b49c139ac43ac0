"""Request documents for the tracked requests of a store, checked against its custody log.

A store keeps a tracked request's facts and history, not its content. The content comes from
the request files the user keeps (the canonical files ``eevidence demo`` writes, the files
that were tracked): a file stands for a tracked request when its id is that request's and,
where the custody log recorded the SHA-256 of the request's canonical bytes when tracking
started (``request_created``), when its canonical bytes have that digest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from eevidence.errors import InputError, UnknownRequestError
from eevidence.request import Request, canonical_bytes, read_request
from eevidence.tracking import Store

__all__ = ["recorded_digest", "request_documents", "unchecked", "verified_document"]

_SUFFIXES = (".json", ".yaml", ".yml")


def recorded_digest(store: Store, request_id: str) -> str | None:
    """The SHA-256 the custody log recorded for ``request/<id>`` when tracking started
    (the latest ``request_created`` entry), or ``None`` when it recorded none.

    Raises:
        StoreError: the store failed.
    """
    found = None
    for line in store.custody_lines(object_id=f"request/{request_id}"):
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("action") == "request_created":
            digest = entry.get("object_sha256")
            found = digest if isinstance(digest, str) else found
    return found


def verified_document(store: Store, request: Request, *, source: str) -> Request:
    """``request``, once it is known to be the tracked request of its id.

    Raises:
        UnknownRequestError: the store does not track ``request.id``.
        InputError: the custody log recorded another SHA-256 for that request (the file was
            changed after tracking started).
        StoreError: the store failed.
    """
    store.get(request.id)
    digest = recorded_digest(store, request.id)
    if digest is not None and hashlib.sha256(canonical_bytes(request)).hexdigest() != digest:
        raise InputError(
            f"{source}: this is not the request tracked as {request.id}: its SHA-256 differs "
            "from the one the custody log recorded when tracking started",
            source=source,
        )
    return request


def request_documents(
    store: Store, paths: Iterable[str | Path]
) -> tuple[dict[str, Request], list[str]]:
    """The request documents among ``paths`` (files, or folders of ``*.json``/``*.yaml``
    files) that are tracked in ``store``, by request id.

    Folders are read one level deep. In a folder, a file that is not a valid request is
    skipped with a warning; a request the store does not track is skipped (with a warning
    when the file was named); a file whose digest differs from the custody log's is skipped
    with a warning; a second file for the same request is skipped, with a warning when its
    content differs; a file taken without a digest to check it against (the custody log
    recorded none when tracking started) is taken with a warning saying so.

    Returns:
        ``(documents by id, warnings)``.

    Raises:
        InputError: a path named does not exist, or a file named (not found in a folder)
            is not a readable request.
        StoreError: the store failed.
    """
    files: list[tuple[Path, bool]] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            files.extend(
                (p, False) for p in sorted(path.iterdir()) if p.suffix.lower() in _SUFFIXES
            )
        elif path.exists():
            files.append((path, True))
        else:
            raise InputError(f"{path}: no such file or folder", source=str(path))
    found: dict[str, Request] = {}
    warnings: list[str] = []
    for path, named in files:
        try:
            request = read_request(path)
        except InputError as exc:
            if named:
                raise
            warnings.append(f"{path}: skipped: not a valid request ({exc.args[0]})")
            continue
        try:
            verified = verified_document(store, request, source=str(path))
        except UnknownRequestError:
            if named:
                warnings.append(f"{path}: skipped: request {request.id} is not tracked here")
            continue
        except InputError as exc:
            warnings.append(str(exc))
            continue
        if request.id in found:
            if canonical_bytes(found[request.id]) != canonical_bytes(verified):
                warnings.append(
                    f"{path}: skipped: another file with a different content was already "
                    f"taken for request {request.id}"
                )
            continue
        found[request.id] = verified
        if recorded_digest(store, request.id) is None:
            warnings.append(unchecked(str(path), request.id))
    return found, warnings


def unchecked(source: str, request_id: str) -> str:
    """The warning for a request file taken without a digest to check it against."""
    return (
        f"{source}: not checked: the custody log recorded no SHA-256 for request {request_id} "
        "when tracking started (it was tracked without a custody entry), so any file with its "
        "id is taken"
    )
