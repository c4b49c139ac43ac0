"""Left-to-right runs in right-to-left letters, and the escapes of the text letter.

In an Arabic letter a date (``2026-11-16 09:30:00 UTC+01:00``) or an article number
(``29(7)``) is printed as one left-to-right run between LEFT-TO-RIGHT ISOLATE (U+2066) and
POP DIRECTIONAL ISOLATE (U+2069) (Unicode Standard Annex #9, section 2.4), so that the
bidirectional algorithm does not reorder its date, time and zone or its brackets
(:func:`ltr`). Those isolates are the letter's own, in every format.

The text letter goes into email bodies and portal fields that terminals display, so the
control and bidirectional formatting characters of what others wrote (the request, the
authority profile, the provider profile, the names given) are written there as visible
escapes (``\\x1b``, ``\\u202e``: :func:`eevidence._internal.text.printable`). They are
escaped in those values, before the letter is built (:func:`escaped`): the isolates the
letter then adds are its own and stay real characters (:func:`printable_line`), while an
isolate that came with the request is an escape like any other.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from datetime import datetime
from typing import Final, TypeVar, cast

from pydantic import BaseModel

from eevidence._internal.text import UNSAFE, printable
from eevidence.letter._catalogue import RTL_LANGUAGES

__all__ = ["OWN_ISOLATES", "escaped", "format_datetime", "ltr", "printable_line", "when"]

T = TypeVar("T")

OWN_ISOLATES: Final = frozenset({"\u2066", "\u2069"})
"""The bidirectional isolates the letter adds itself: LRI (U+2066) and PDI (U+2069)."""


def ltr(lang: str, text: str) -> str:
    """``text`` as one left-to-right run in a letter in ``lang``: between LRI and PDI in a
    right-to-left language, as it is in the others."""
    return f"\u2066{text}\u2069" if lang in RTL_LANGUAGES else text


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
    """``value`` with its unsafe characters escaped; its line feeds stay line breaks (the
    text letter prints a value of several lines on several lines, as the other formats)."""
    if UNSAFE.search(value) is None:
        return value
    return "\n".join(printable(line) for line in value.split("\n"))


def _escaped(value: object) -> object:
    """:func:`escaped`, untyped; gives ``value`` itself when nothing in it changes."""
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, BaseModel):
        current = {name: getattr(value, name) for name in type(value).model_fields}
        copied: dict[str, object] | None = None
        for name, v in current.items():
            new = _escaped(v)
            if new is not v:
                copied = dict(current) if copied is None else copied
                copied[name] = new
        if copied is None:
            return value
        # the values were validated; only their unsafe characters became visible escapes
        return type(value).model_construct(value.model_fields_set, **copied)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _escaped(getattr(value, f.name)) for f in fields(value)}
        if all(v is getattr(value, name) for name, v in changes.items()):
            return value
        return replace(value, **changes)
    if isinstance(value, tuple | list | frozenset):
        items = [_escaped(v) for v in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        if isinstance(value, tuple):
            return tuple(items)
        return items if isinstance(value, list) else frozenset(items)
    if isinstance(value, dict):
        pairs = [(_escaped(k), _escaped(v)) for k, v in value.items()]
        if all(k is a and v is b for (k, v), (a, b) in zip(pairs, value.items(), strict=True)):
            return value
        return dict(pairs)
    return value


def escaped(value: T) -> T:
    """A copy of ``value`` (a request, a profile, a name...) whose texts have their control
    and bidirectional formatting characters written as visible escapes, line feeds kept.

    Strings inside pydantic models, dataclasses, tuples, lists, frozensets and dicts are
    escaped; other values (dates, numbers, IP addresses) are kept. What has nothing to
    escape is returned itself. Models are copied without being validated again: the copy
    is for printing only.
    """
    return cast(T, _escaped(value))


def printable_line(line: str, *, own_isolates: bool) -> str:
    """One line of the text letter, safe on a terminal: every unsafe character written as a
    visible escape, but for LRI and PDI when ``own_isolates`` says the letter added them
    itself (its values were :func:`escaped` before it was built)."""
    if not own_isolates:
        return printable(line)
    return UNSAFE.sub(lambda m: m[0] if m[0] in OWN_ISOLATES else printable(m[0]), line)
