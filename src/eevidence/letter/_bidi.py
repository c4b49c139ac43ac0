"""Left-to-right runs in right-to-left letters, and the escapes of every letter.

In an Arabic letter a date (``2026-11-16 09:30:00 UTC+01:00``), an article number
(``29(7)``), a phone number (``+33144000001``) or an email address is printed as one
left-to-right run between LEFT-TO-RIGHT ISOLATE (U+2066) and POP DIRECTIONAL ISOLATE
(U+2069) (Unicode Standard Annex #9, section 2.4), so that the bidirectional algorithm does
not reorder its date, time and zone, its brackets or its leading ``+`` (:func:`ltr`).
Those isolates are the letter's own, in every format.

The control and bidirectional formatting characters of what others wrote (the request,
the authority profile, the provider profile, the names given) are written as visible
escapes (``\\x1b``, ``\\u202e``: :func:`eevidence._internal.text.printable`) in every
format: the text letter goes into email bodies and terminals, and in an HTML or PDF letter
an override or an isolate would show an identifier in another order than its characters.
They are escaped in those values, before the letter is built (:func:`escaped`): the
isolates the letter then adds are its own and stay real characters, while an isolate that
came with the request is an escape like any other. Each renderer then escapes whatever
else such a character the letter holds as it writes it (:func:`printable_text`,
:func:`shown`): all of them, the letter's isolates too, in a letter built without escapes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import fields, is_dataclass, replace
from datetime import datetime
from typing import Final, TypeVar, cast

from pydantic import BaseModel

from eevidence._internal.text import UNSAFE, printable
from eevidence.letter._catalogue import RTL_LANGUAGES
from eevidence.letter._model import Letter

__all__ = [
    "LTR_IDENTIFIERS",
    "OWN_ISOLATES",
    "bare_lines",
    "escaped",
    "format_datetime",
    "ltr",
    "ltr_value",
    "printable_line",
    "printable_text",
    "shown",
    "when",
]

T = TypeVar("T")

OWN_ISOLATES: Final = frozenset({"\u2066", "\u2069"})
"""The bidirectional isolates the letter adds itself: LRI (U+2066) and PDI (U+2069)."""

LTR_IDENTIFIERS: Final = frozenset(
    {"email", "phone", "url", "ip_address", "ip_range", "mac_address", "imei"}
)
"""Identifier types whose values are written left to right whatever the letter's language:
in an Arabic letter each is one left-to-right run (the ``+`` of ``+33144000001`` or the
groups of ``2001:db8::1`` would be reordered otherwise). User names, account ids and
domain names may be in any script and keep their own direction."""


def ltr(lang: str, text: str) -> str:
    """``text`` as one left-to-right run in a letter in ``lang``: between LRI and PDI in a
    right-to-left language, as it is in the others."""
    return f"\u2066{text}\u2069" if lang in RTL_LANGUAGES else text


def ltr_value(lang: str, text: str | None) -> str | None:
    """:func:`ltr` of a value that may be absent (a phone number, an email address)."""
    return None if text is None else ltr(lang, text)


def format_datetime(value: datetime) -> str:
    """``2026-11-02 21:14:07 UTC+01:00``: the moment as written, with its offset.

    The offset is printed as ``UTC`` for +00:00 (and for a naive value, which has none),
    else as ``UTC±hh:mm``; the moment is not converted to UTC.
    """
    offset = value.strftime("%z")
    zone = "UTC" if offset in ("+0000", "") else f"UTC{offset[:3]}:{offset[3:]}"
    return f"{value.strftime('%Y-%m-%d %H:%M:%S')} {zone}"


def when(lang: str, value: datetime) -> str:
    """A date and time (:func:`format_datetime`) as one left-to-right run (:func:`ltr`)."""
    return ltr(lang, format_datetime(value))


def _text(value: str) -> str:
    """``value`` with its unsafe characters escaped; its line feeds stay line breaks (a value
    of several lines is printed on several lines, in every format)."""
    if UNSAFE.search(value) is None:
        return value
    return "\n".join(printable(line) for line in value.split("\n"))


def _mapped(value: object, text: Callable[[str], str]) -> object:
    """``value`` with ``text`` applied to every string in it; gives ``value`` itself when
    nothing in it changes."""
    if isinstance(value, str):
        return text(value)
    if value is None or isinstance(value, int | float | datetime):
        return value
    if isinstance(value, BaseModel):
        names = type(value).model_fields
        copied: dict[str, object] | None = None
        for name in names:
            v = getattr(value, name)
            new = _mapped(v, text)
            if new is not v:
                copied = {n: getattr(value, n) for n in names} if copied is None else copied
                copied[name] = new
        if copied is None:
            return value
        # the values were validated; only their unsafe characters became visible escapes
        return type(value).model_construct(value.model_fields_set, **copied)
    if isinstance(value, tuple | list | frozenset):
        items = [_mapped(v, text) for v in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        if isinstance(value, tuple):
            return tuple(items)
        return items if isinstance(value, list) else frozenset(items)
    if isinstance(value, dict):
        pairs = [(_mapped(k, text), _mapped(v, text)) for k, v in value.items()]
        if all(k is a and v is b for (k, v), (a, b) in zip(pairs, value.items(), strict=True)):
            return value
        return dict(pairs)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _mapped(getattr(value, f.name), text) for f in fields(value)}
        if all(v is getattr(value, name) for name, v in changes.items()):
            return value
        return replace(value, **changes)
    return value


def escaped(value: T) -> T:
    """A copy of ``value`` (a request, a profile, a name...) whose texts have their control
    and bidirectional formatting characters written as visible escapes, line feeds kept.

    Strings inside pydantic models, dataclasses, tuples, lists, frozensets and dicts are
    escaped; other values (dates, numbers, IP addresses) are kept. What has nothing to
    escape is returned itself. Models are copied without being validated again: the copy
    is for printing only.
    """
    return cast(T, _mapped(value, _text))


def printable_line(line: str, *, own_isolates: bool) -> str:
    """One line of the text letter, safe on a terminal: every unsafe character written as a
    visible escape, but for LRI and PDI when ``own_isolates`` says the letter added them
    itself (its values were :func:`escaped` before it was built)."""
    if not own_isolates:
        return printable(line)
    return UNSAFE.sub(lambda m: m[0] if m[0] in OWN_ISOLATES else printable(m[0]), line)


def printable_text(text: str, *, own_isolates: bool) -> str:
    """:func:`printable_line` of each line of ``text``, its line feeds kept as line breaks
    (``text`` itself when it has nothing to escape)."""
    if UNSAFE.search(text) is None:
        return text
    out = "\n".join(printable_line(line, own_isolates=own_isolates) for line in text.split("\n"))
    return text if out == text else out  # the same object: nothing to copy


def shown(letter: Letter) -> Letter:
    """``letter`` as the PDF lays it out: each control and bidirectional formatting
    character of its texts is a visible escape (:func:`printable_text`), line feeds kept as
    line breaks, but for its own left-to-right isolates when it was built with
    ``escape=True`` (:attr:`Letter.escaped`); the text and HTML renderers escape each text
    the same way as they write it. A letter with nothing to escape is returned itself."""
    own = letter.escaped
    return cast(Letter, _mapped(letter, lambda text: printable_text(text, own_isolates=own)))


def _strong_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


def _bare_line(line: str) -> str:
    inner = line[1:-1]
    if (
        len(line) > 1
        and line[0] == "\u2066"
        and line[-1] == "\u2069"
        and "\u2066" not in inner
        and "\u2069" not in inner
        and not _strong_rtl(inner)
    ):
        return inner
    return line


def bare_lines(letter: Letter) -> Letter:
    """``letter`` without the isolates of each line that is one left-to-right run and
    nothing else (a phone number or a date alone in its cell: ``\\u2066+33144000001\\u2069``).

    For a layout that makes each line a paragraph of its own (the PDF): such a line, with no
    right-to-left letter, reads left to right with or without them (Unicode Standard Annex
    #9, rules P2 and P3), and without them it needs no bidirectional reordering. Lines that
    hold more (``Port: \\u2066443\\u2069``) keep theirs.
    """

    def text(value: str) -> str:
        if "\u2066" not in value:
            return value
        out = "\n".join(_bare_line(line) for line in value.split("\n"))
        return value if out == value else out

    return cast(Letter, _mapped(letter, text))
