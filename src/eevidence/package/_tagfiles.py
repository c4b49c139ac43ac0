"""BagIt tag files: manifests, ``bag-info.txt`` and ``bagit.txt`` parsed, paths encoded (RFC 8493).

The grammar is RFC 8493's, read as other validators read it:

* Lines end only at CR, LF or CRLF (sections 2.1.1, 2.1.3 and 2.2.2), never at the other
  characters Python's ``str.splitlines()`` breaks on (U+2028, U+2029, U+0085, form feed,
  vertical tab, U+001C-U+001E): those may appear in file names and values.
* A manifest line is a checksum, one or more spaces or tabs, then the file path up to the end
  of the line (section 2.1.3): trailing spaces belong to the name. Only ``%0D``, ``%0A`` and
  ``%25`` are decoded in paths ("those characters (and only those)"); ``%7E`` stays as it
  is. A leading ``./`` is dropped, as other validators do.
* ``bagit.txt`` is exactly ``BagIt-Version: M.N`` then ``Tag-File-Character-Encoding:
  ENCODING``, in UTF-8 without a byte order mark (section 2.1.1).

Parsing never raises for bad content: each function returns what it could read and a list
of problems, each naming the file and line, so a verification report can show them all. A
name or value quoted in a problem goes through :func:`visible`, so two names that look alike
on screen are told apart.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from eevidence.errors import PackageError
from eevidence.package._bag import check_member_name
from eevidence.package._layout import SIZES_FILE

__all__ = [
    "BAGIT_VERSIONS",
    "HASH_ALGORITHMS",
    "decode_path",
    "encode_path",
    "parse_bag_declaration",
    "parse_bag_info",
    "parse_manifest",
    "parse_payload_sizes",
    "split_lines",
    "visible",
]

HASH_ALGORITHMS: Final = ("sha256", "sha512")
"""Manifest algorithms read (RFC 8493 section 2.4); other ``manifest-*.txt`` are reported."""
BAGIT_VERSIONS: Final = ("1.0", "0.97")
"""``BagIt-Version`` values read: RFC 8493 (1.0) and the draft before it (0.97)."""
_HEX_LEN: Final = {"sha256": 64, "sha512": 128}
_HEX = re.compile(r"[0-9a-f]+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_PERCENT = re.compile(r"%(0[DdAa]|25)")
_DECODED: Final = {"0d": "\r", "0a": "\n", "25": "%"}
_MANIFEST_LINE = re.compile(r"[ \t]*([^ \t]+)[ \t]+([^ \t].*)", re.DOTALL)
_SIZES_LINE = re.compile(r"([0-9]+) (.+)", re.DOTALL)
_VERSION = re.compile(r"[0-9]+\.[0-9]+")
_VERSION_LABEL: Final = "BagIt-Version: "
_ENCODING_LABEL: Final = "Tag-File-Character-Encoding: "
_BLANK: Final = " \t"
_MAX_SHOWN: Final = 200  # characters of a line quoted in a problem


def split_lines(text: str) -> list[str]:
    """Split tag-file text into lines at CR, LF or CRLF only (RFC 8493 sections 2.1-2.2).

    Unlike ``str.splitlines()``, U+2028, U+2029, U+0085, form feed, vertical tab and the
    information separators U+001C-U+001E stay inside the line.

    Args:
        text: The decoded tag file.

    Returns:
        The lines without their terminators; the terminator of the last line is optional,
        so ``"a\\n"`` and ``"a"`` both give ``["a"]`` (and ``""`` gives ``[]``).
    """
    lines = _LINE_BREAK.split(text)
    if lines[-1] == "":
        lines.pop()
    return lines


def decode_path(text: str) -> str:
    """A manifest path as a file name: ``%0D``, ``%0A``, ``%25`` decoded (RFC 8493 2.1.3).

    Only those three are decoded ("those characters (and only those) MUST be
    percent-encoded"), in one pass and with hexadecimal digits in either case (RFC 3986
    section 2.1): ``%250A`` is ``%0A`` and ``%7E`` stays ``%7E``. A leading ``./`` is
    dropped (``./data/a`` is ``data/a``; other validators read it so).

    Args:
        text: The path as written in the manifest.

    Returns:
        The file's path relative to the bag root.
    """
    if text.startswith("./"):
        text = text[2:]
    return _PERCENT.sub(lambda m: _DECODED[m[1].lower()], text)


def encode_path(path: str) -> str:
    """A path as written in a manifest: ``%``, CR and LF percent-encoded (RFC 8493 2.1.3)."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def visible(text: str) -> str:
    """``text`` quoted for a message, with every character that could hide a difference
    escaped the way Python escapes strings (``\\x0b``, ``\\u2028``, ``\\u0301``).

    Escaped: the backslash and the quote; control, format (bidi overrides, zero-width),
    unassigned and private-use characters; separators other than the ASCII space; combining
    marks; characters Unicode normalisation (NFC) would change; spaces at the end of the
    text or before a ``/`` (``\\x20``). When ``text`` is not in NFC, every non-ASCII
    character is escaped, so a name and its look-alike in another normal form differ on
    screen. Text longer than 200 characters is cut and ends with ``...``.

    Args:
        text: A file name, a label or a line from a package.

    Returns:
        The text between single quotes, safe to print on a terminal.
    """
    cut = len(text) > _MAX_SHOWN
    if cut:
        text = text[:_MAX_SHOWN]
    all_non_ascii = not unicodedata.is_normalized("NFC", text)
    parts = []
    for part in text.split("/"):
        body = part.rstrip(" ")
        shown = "".join(_show_char(ch, all_non_ascii) for ch in body)
        parts.append(shown + "\\x20" * (len(part) - len(body)))
    return "'" + "/".join(parts) + "'" + ("..." if cut else "")


def _show_char(ch: str, all_non_ascii: bool) -> str:
    if ch in "\\'":
        return "\\" + ch
    if ch == " " or (ch.isascii() and ch.isprintable()):
        return ch
    category = unicodedata.category(ch)
    if not all_non_ascii and category[0] not in "CMZ" and unicodedata.normalize("NFC", ch) == ch:
        return ch
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _look_alike_key(path: str) -> str:
    """What a name becomes on file systems that normalise Unicode or drop trailing spaces."""
    return "/".join(p.rstrip(" ") for p in unicodedata.normalize("NFC", path).split("/"))


def parse_manifest(data: bytes, algorithm: str, *, name: str) -> tuple[dict[str, str], list[str]]:
    """Parse a payload or tag manifest (RFC 8493 sections 2.1.3 and 2.2.1).

    Each line is ``CHECKSUM`` (hexadecimal, either case), one or more spaces or tabs, and the
    path up to the end of the line, trailing spaces included; lines end at CR, LF or CRLF
    only (:func:`split_lines`). Paths are decoded by :func:`decode_path` and checked like
    entry names. Blank lines are skipped.

    Args:
        data: The manifest file's bytes (UTF-8, an initial BOM is ignored).
        algorithm: ``sha256`` or ``sha512`` (one of :data:`HASH_ALGORITHMS`).
        name: The manifest's file name, for the problem messages.

    Returns:
        ``({path: lowercase hex digest}, problems)``: each problem names the line; bad
        lines are skipped (nothing is raised). Two paths that differ only by trailing
        spaces or Unicode normalisation (one file on macOS or Windows, two in the zip) are
        both kept and reported as a problem ending ``(ambiguous_name)``.
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
    for lineno, line in enumerate(split_lines(text), 1):
        if not line.strip(_BLANK):
            continue
        match = _MANIFEST_LINE.fullmatch(line)
        if match is None:
            problems.append(f"{name} line {lineno}: expected 'DIGEST PATH'")
            continue
        digest, path = match[1].lower(), decode_path(match[2])
        if len(digest) != width or not _HEX.fullmatch(digest):
            problems.append(f"{name} line {lineno}: not a {algorithm} digest")
            continue
        try:
            check_member_name(path, source=name)
        except PackageError as exc:
            problems.append(f"{name} line {lineno}: {exc.args[0]} ({exc.code})")
            continue
        if path in entries:
            problems.append(f"{name} line {lineno}: {visible(path)} is listed twice")
            continue
        entries[path] = digest
    alike: dict[str, list[str]] = {}
    for path in entries:
        alike.setdefault(_look_alike_key(path), []).append(path)
    for paths in alike.values():
        if len(paths) > 1:
            shown = " and ".join(visible(p) for p in paths)
            problems.append(
                f"{name}: {shown} differ only by trailing spaces or Unicode normalisation"
                " (ambiguous_name)"
            )
    return entries, problems


def parse_bag_info(
    data: bytes, *, name: str = "bag-info.txt"
) -> tuple[list[tuple[str, str]], list[str]]:
    """Parse ``bag-info.txt``: ``Label: value`` lines, RFC 8493 section 2.2.2.

    Lines end at CR, LF or CRLF only (:func:`split_lines`), so a value may hold U+2028, a
    form feed or a vertical tab. Spaces and tabs around the label and the value are not part
    of them (RFC 8493 2.2.2 lets bags before version 1.0 put several around the colon).

    Args:
        data: The file's bytes (UTF-8; an initial BOM is ignored).
        name: The file's name, for the problem messages.

    Returns:
        ``([(label, value)...] in file order, problems)``: continuation lines (starting with
        a space or tab) are joined to the value before them with one space; bad lines are
        reported in ``problems`` and skipped (nothing is raised).
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return [], [f"{name}: not UTF-8"]
    if text.startswith("\ufeff"):
        text = text[1:]
    items: list[tuple[str, str]] = []
    problems: list[str] = []
    for lineno, line in enumerate(split_lines(text), 1):
        if not line.strip(_BLANK):
            continue
        if line[0] in _BLANK and items:
            label, value = items[-1]
            items[-1] = (label, f"{value} {line.strip(_BLANK)}")
            continue
        label, sep, value = line.partition(":")
        if not sep or not label.strip(_BLANK):
            problems.append(f"{name} line {lineno}: expected 'Label: value'")
            continue
        items.append((label.strip(_BLANK), value.strip(_BLANK)))
    return items, problems


def parse_bag_declaration(data: bytes) -> tuple[tuple[str, str] | None, list[str]]:
    """Parse ``bagit.txt`` strictly (RFC 8493 section 2.1.1).

    The file MUST be exactly two lines, in this order, with these exact labels (one colon,
    one space, no other whitespace)::

        BagIt-Version: M.N
        Tag-File-Character-Encoding: ENCODING

    encoded in UTF-8 and not beginning with a byte order mark. Lines end at CR, LF or CRLF;
    the last line's terminator is optional. Only versions :data:`BAGIT_VERSIONS` and the
    encoding ``UTF-8`` (any case, IANA charset names are case-insensitive) are read.

    Args:
        data: The bytes of ``bagit.txt``.

    Returns:
        ``((version, encoding) or None, problems)``: the declaration when both lines are
        well formed (even if the version or encoding is not supported), and every problem
        found, each starting ``bagit.txt`` (a byte order mark is named as such). The
        declaration is acceptable when ``problems`` is empty; nothing is raised.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, ["bagit.txt: not UTF-8 (RFC 8493 section 2.1.1)"]
    problems: list[str] = []
    if text.startswith("\ufeff"):
        problems.append(
            "bagit.txt: starts with a byte order mark (U+FEFF), which RFC 8493 section 2.1.1"
            " forbids"
        )
        text = text[1:]
    lines = split_lines(text)
    if len(lines) != 2:
        problems.append(
            "bagit.txt: expected exactly two lines, 'BagIt-Version: M.N' and"
            f" 'Tag-File-Character-Encoding: ENCODING', found {len(lines)}"
        )
    version = encoding = None
    first = lines[0] if lines else ""
    if first.startswith(_VERSION_LABEL) and _VERSION.fullmatch(first[len(_VERSION_LABEL) :]):
        version = first[len(_VERSION_LABEL) :]
        if version not in BAGIT_VERSIONS:
            problems.append(f"bagit.txt: BagIt-Version must be 1.0 (or 0.97), found {version}")
    else:
        problems.append(f"bagit.txt line 1: expected 'BagIt-Version: M.N', found {visible(first)}")
    second = lines[1] if len(lines) > 1 else ""
    if second.startswith(_ENCODING_LABEL) and second[len(_ENCODING_LABEL) :].strip(_BLANK):
        encoding = second[len(_ENCODING_LABEL) :]
        if encoding.upper() != "UTF-8":
            problems.append(
                f"bagit.txt: Tag-File-Character-Encoding must be UTF-8, found {visible(encoding)}"
            )
    else:
        problems.append(
            "bagit.txt line 2: expected 'Tag-File-Character-Encoding: ENCODING', found"
            f" {visible(second)}"
        )
    declaration = (version, encoding) if version is not None and encoding is not None else None
    return declaration, problems


_MAX_SIZE_DIGITS = 20
"""Digits a size may have (2^64 has 20): longer ones are refused before int() reads them."""


def parse_payload_sizes(data: bytes) -> tuple[dict[str, int], list[str]]:
    """Parse ``payload-sizes.txt``: ``SIZE PATH`` lines (this format's own tag file).

    ``SIZE`` is ASCII decimal bytes, one space, then the path written as in a manifest
    (decoded by :func:`decode_path`); lines end at CR, LF or CRLF only.

    Args:
        data: The file's bytes (UTF-8).

    Returns:
        ``({path: size in bytes}, problems)``: bad lines are reported and skipped (nothing
        is raised).
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return {}, [f"{SIZES_FILE}: not UTF-8"]
    sizes: dict[str, int] = {}
    problems: list[str] = []
    for lineno, line in enumerate(split_lines(text), 1):
        match = _SIZES_LINE.fullmatch(line)
        if match is None:
            problems.append(f"{SIZES_FILE} line {lineno}: expected 'SIZE PATH'")
            continue
        if len(match[1]) > _MAX_SIZE_DIGITS:
            problems.append(f"{SIZES_FILE} line {lineno}: a size of {len(match[1])} digits")
            continue
        sizes[decode_path(match[2])] = int(match[1])
    return sizes, problems
