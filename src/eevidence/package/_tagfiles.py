"""BagIt tag files: manifests and ``bag-info.txt`` parsed, paths encoded (RFC 8493).

Parsing never raises for bad content: each function returns what it could read and a list
of problems, each naming the file and line, so a verification report can show them all.
"""

from __future__ import annotations

import re
from typing import Final

from eevidence.errors import PackageError
from eevidence.package._bag import check_member_name

__all__ = ["HASH_ALGORITHMS", "encode_path", "parse_bag_info", "parse_manifest"]

HASH_ALGORITHMS: Final = ("sha256", "sha512")
"""Manifest algorithms read (RFC 8493 section 2.4); other ``manifest-*.txt`` are reported."""
_HEX_LEN: Final = {"sha256": 64, "sha512": 128}
_HEX = re.compile(r"[0-9a-f]+")


def _decode_path(text: str) -> str:
    return (
        text.replace("%0D", "\r")
        .replace("%0d", "\r")
        .replace("%0A", "\n")
        .replace("%0a", "\n")
        .replace("%25", "%")
    )


def encode_path(path: str) -> str:
    """A path as written in a manifest: ``%``, CR and LF percent-encoded (RFC 8493 2.1.3)."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def parse_manifest(data: bytes, algorithm: str, *, name: str) -> tuple[dict[str, str], list[str]]:
    """Parse a payload or tag manifest (RFC 8493 sections 2.1.3 and 2.2.1).

    Each line is ``DIGEST PATH``; paths are percent-decoded and checked like entry names.

    Args:
        data: The manifest file's bytes (UTF-8, an initial BOM is ignored).
        algorithm: ``sha256`` or ``sha512`` (one of :data:`HASH_ALGORITHMS`).
        name: The manifest's file name, for the problem messages.

    Returns:
        ``({path: lowercase hex digest}, problems)``: each problem names the line; bad
        lines are skipped (nothing is raised).
    """
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
    """Parse ``bag-info.txt`` (or ``bagit.txt``): ``Label: value`` lines, RFC 8493 2.2.2.

    Args:
        data: The file's bytes (UTF-8).

    Returns:
        ``([(label, value)...] in file order, problems)``: continuation lines (starting with
        a space or tab) are joined to the value before them; bad lines are reported in
        ``problems`` and skipped (nothing is raised).
    """
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
