"""Text that is safe to show on a terminal or write to a log.

A package's ``bag-info.txt``, a request, a provider profile and a provider's answer are
written by someone else. Shown raw, their text can drive the terminal: an escape sequence
(ECMA-48 control functions, introduced by ESC ``U+001B`` or the C1 ``CSI`` ``U+009B``) can
move the cursor, erase lines and repaint the screen, so that a fake ``VERIFIED`` covers the
real result; a bidirectional override (Unicode Standard Annex #9) makes the text on screen
read in another order than its characters ("Trojan Source", CVE-2021-42574); a line or
paragraph separator starts what looks like a new line of output. :func:`printable` makes such
text inert by replacing each of those characters with a visible escape, so that the text can
still be read and compared with the original. Machine-readable output (``--json``) carries
the exact text, JSON-escaped (:func:`json_safe`).

Kept free of imports beyond the standard library: every command uses it.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["UNSAFE", "escape_controls", "json_safe", "printable"]

UNSAFE: Final = re.compile(
    "["
    "\x00-\x1f"  # C0 controls (ECMA-48 section 5.2), tab and line feed included
    "\x7f"  # DEL
    "\x80-\x9f"  # C1 controls (ECMA-48 section 5.3): CSI, OSC, NEL...
    "\u061c"  # ARABIC LETTER MARK
    "\u200e\u200f"  # LEFT-TO-RIGHT MARK, RIGHT-TO-LEFT MARK
    "\u2028\u2029"  # LINE SEPARATOR, PARAGRAPH SEPARATOR
    "\u202a-\u202e"  # bidi embeddings and overrides: LRE, RLE, PDF, LRO, RLO
    "\u2066-\u2069"  # bidi isolates: LRI, RLI, FSI, PDI
    # invisible characters that make one text look like another (Unicode format characters
    # and fillers; the joiners U+200C/U+200D stay: Persian, Indic scripts and emoji need
    # them): SOFT HYPHEN, HANGUL fillers, MONGOLIAN VOWEL SEPARATOR, ZERO WIDTH SPACE, WORD
    # JOINER and the invisible operators, deprecated format characters, ZERO WIDTH NO-BREAK
    # SPACE (BOM), interlinear annotation characters, tag characters
    "\u00ad\u115f\u1160\u180e\u200b\u2060-\u2064\u206a-\u206f\u3164\ufeff\uffa0"
    "\ufff9-\ufffb\U000e0000-\U000e007f"
    "\ud800-\udfff"  # lone surrogates (undecodable bytes kept by surrogateescape)
    "]"
)
"""The characters :func:`printable` escapes (a compiled regular expression).

C0 and C1 controls and DEL, with no exception (a tab or a line break inside a value would
make one value look like two, or shift the columns after it); the Unicode line and
paragraph separators; the bidirectional formatting characters of Unicode Standard Annex #9
(section 2: embeddings, overrides, isolates and the implicit marks LRM, RLM and ALM);
invisible format characters and fillers that make two different texts look the same (an
identifier with a zero-width space reads like the genuine one; Unicode Technical Standard
#39 section 3.1 lists them among the characters to restrict); and lone surrogates, which
cannot be encoded for the terminal at all."""

_SHOWN_ESCAPED: Final = re.compile(f"{UNSAFE.pattern}|\\\\")
"""What :func:`printable` replaces: :data:`UNSAFE` and the backslash that starts its escapes."""

_JSON_UNSAFE: Final = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
    "\u00ad\u115f\u1160\u180e\u200b\u2060-\u2064\u206a-\u206f\u3164\ufeff\uffa0"
    "\ufff9-\ufffb\U000e0000-\U000e007f]"
)
"""What :mod:`json` leaves raw with ``ensure_ascii=False`` among :data:`UNSAFE` (it already
escapes every C0 control)."""


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\\":
        return "\\\\"
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def printable(text: str) -> str:
    """``text`` with every character of :data:`UNSAFE` replaced by a visible escape.

    A character below U+0100 becomes ``\\xNN`` (ESC is ``\\x1b``, a line feed ``\\x0a``),
    any other ``\\uNNNN`` (RIGHT-TO-LEFT OVERRIDE is ``\\u202e``), in lowercase hex, and a
    backslash is doubled, so that the text ``\\u202e`` typed as such (shown ``\\\\u202e``)
    is never taken for the character. Every other character is kept as it is, so text
    without such characters or backslashes is returned unchanged. Use it on every piece of
    text that comes from a package, a request, a provider profile, a provider's answer or a
    store before it is printed or logged; never on machine-readable output, which must keep
    the exact text.

    Args:
        text: Any text.

    Returns:
        The text, safe to print on one line of a terminal.
    """
    return _SHOWN_ESCAPED.sub(_escape, text)


def escape_controls(text: str) -> str:
    """``text`` with every character of :data:`UNSAFE` replaced by the visible escape of
    :func:`printable`, backslashes kept as they are: for a format that escapes backslashes
    itself and must give ordinary text back exactly (an iCalendar TEXT value, RFC 5545
    section 3.3.11). A typed ``\\u202e`` then reads like an escaped character there."""
    return UNSAFE.sub(_escape, text)


def json_safe(dumped: str) -> str:
    """JSON text (from :func:`json.dumps` with ``ensure_ascii=False``) safe on a terminal.

    The characters of :data:`UNSAFE` that :func:`json.dumps` leaves raw (DEL, C1 controls,
    the line and paragraph separators, bidi controls, lone surrogates) can only occur inside
    JSON strings; each is replaced by its JSON escape ``\\uNNNN`` (RFC 8259 section 7), so
    the document decodes to exactly the same values.

    Args:
        dumped: A JSON text.

    Returns:
        The same JSON value, with those characters escaped.
    """
    return _JSON_UNSAFE.sub(_json_escape, dumped)
