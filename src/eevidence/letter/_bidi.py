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
from datetime import date, datetime
from typing import Final, TypeVar, cast

from pydantic import BaseModel

from eevidence._internal.text import UNSAFE, printable
from eevidence.letter._catalogue import RTL_LANGUAGES
from eevidence.letter._model import Letter

__all__ = [
    "LTR_IDENTIFIERS",
    "OWN_ISOLATES",
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


_LEAVES: Final = frozenset({type(None), bool, int, float, datetime, date})
"""Types of values that hold no text: returned as they are, without a call per value."""
_FIELDS: dict[type, tuple[str, ...]] = {}
"""The field names of each model and dataclass met, read once per class."""


def _mapped(value: object, text: Callable[[str], str]) -> object:
    """``value`` with ``text`` applied to every string in it; gives ``value`` itself when
    nothing in it changes."""
    if isinstance(value, str):
        return text(value)
    if type(value) in _LEAVES:
        return value
    if isinstance(value, BaseModel):
        names = _FIELDS.get(type(value))
        if names is None:
            names = _FIELDS[type(value)] = tuple(type(value).model_fields)
        current = value.__dict__  # the field values of a pydantic model, by name
        copied: dict[str, object] | None = None
        for name in names:
            v = current[name] if name in current else getattr(value, name)
            if type(v) in _LEAVES:
                continue
            new = text(v) if isinstance(v, str) else _mapped(v, text)
            if new is not v:
                if copied is None:
                    copied = {n: current[n] if n in current else getattr(value, n) for n in names}
                copied[name] = new
        if copied is None:
            return value
        # the values were validated; only their unsafe characters became visible escapes
        return type(value).model_construct(value.model_fields_set, **copied)
    if isinstance(value, tuple | list | frozenset):
        items = [text(v) if isinstance(v, str) else _mapped(v, text) for v in value]
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
        names = _FIELDS.get(type(value))
        if names is None:
            names = _FIELDS[type(value)] = tuple(f.name for f in fields(value))
        changes: dict[str, object] | None = None
        for name in names:
            v = getattr(value, name)
            new = text(v) if isinstance(v, str) else _mapped(v, text)
            if new is not v:
                changes = {} if changes is None else changes
                changes[name] = new
        return value if changes is None else replace(value, **changes)
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


_KEPT: Final = frozenset("\n\u2066\u2069")
"""What a letter built with ``escape=True`` keeps as it is among the characters of
:data:`UNSAFE`: line feeds (line breaks) and its own isolates."""


def _needs_escapes(text: str, *, own_isolates: bool) -> bool:
    """Whether :func:`printable_text` changes ``text``: it holds a character of
    :data:`UNSAFE` other than a line feed and, when ``own_isolates``, LRI and PDI."""
    found = UNSAFE.search(text)
    if found is None:
        return False
    if not own_isolates:
        return True
    return any(c not in _KEPT for c in UNSAFE.findall(text, found.start()))


def printable_text(text: str, *, own_isolates: bool) -> str:
    """:func:`printable_line` of each line of ``text``, its line feeds kept as line breaks
    (``text`` itself when it has nothing to escape)."""
    if not _needs_escapes(text, own_isolates=own_isolates):
        return text  # with its own isolates kept, line feeds and isolates change nothing
    out = "\n".join(printable_line(line, own_isolates=own_isolates) for line in text.split("\n"))
    return text if out == text else out  # the same object: nothing to copy


def shown(letter: Letter) -> Letter:
    """``letter`` as the PDF lays it out: each control and bidirectional formatting
    character of its texts is a visible escape (:func:`printable_text`), line feeds kept as
    line breaks, but for its own left-to-right isolates when it was built with
    ``escape=True`` (:attr:`Letter.escaped`); the text and HTML renderers escape each text
    the same way as they write it.

    Then each line that is one left-to-right run and nothing else (a phone number or a
    date alone in its cell: ``\\u2066+33144000001\\u2069``) loses its isolates: the PDF
    makes each line a paragraph of its own, and such a line, with no right-to-left letter,
    reads left to right with or without them (Unicode Standard Annex #9, rules P2 and P3),
    and without them it needs no bidirectional reordering. Lines that hold more
    (``Port: \\u2066443\\u2069``) keep theirs.

    Both are done in one pass over the letter's texts; a letter with nothing to change is
    returned itself.
    """
    own = letter.escaped
    return cast(Letter, _mapped(letter, lambda text: _bare(printable_text(text, own_isolates=own))))


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


def _bare(value: str) -> str:
    """``value`` without the isolates of each of its lines that is one left-to-right run
    and nothing else (:func:`shown`)."""
    if "\u2066" not in value:
        return value
    out = "\n".join(_bare_line(line) for line in value.split("\n"))
    return value if out == value else out
