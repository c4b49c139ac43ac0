"""The one reading of date-times in eevidence: RFC 3339 with an explicit offset, strictly.

A date-time is ``YYYY-MM-DDTHH:MM:SS[.ffffff](Z|+hh:mm|-hh:mm)`` (RFC 3339 section 5.6,
``date-time``), restricted as follows (docs/decisions/0012-strict-dates.md):

* upper-case ``T`` and ``Z`` only (the lower-case spellings section 5.6 allows are refused,
  so a document has one spelling of each moment);
* one to six fraction digits (a seventh would be lost: Python keeps microseconds);
* no leap second (``:60``; Python's ``datetime`` cannot hold one), no year 0000, and a day
  that exists in its month and year (February 29 only in leap years);
* offsets from ``-23:59`` to ``+23:59``; ``-00:00`` (RFC 3339 section 4.3) reads as UTC.

Refused therefore: Unix times (``1700000000``), compact ISO 8601 forms (``20261130``,
``20261130T090000Z``), a space instead of ``T``, a missing offset or seconds, and every
other spelling Python's or pydantic's lax parsers would accept.

:data:`DATE_TIME_PATTERN` is the same grammar as a regular expression that means the same
in ECMA-262 and in Python (JSON Schema 2020-12 validation, section 6.3.3), published in the
schemas under ``schemas/``; with it, a JSON Schema validator refuses exactly what the models
refuse, whether or not it also asserts the ``date-time`` format.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Final

from eevidence.errors import InputError

__all__ = [
    "DATE_TIME_EXAMPLE",
    "DATE_TIME_PATTERN",
    "anchored",
    "date_time_problem",
    "parse_date_time",
]

DATE_TIME_EXAMPLE: Final = "2026-11-30T09:00:00Z"
"""A date-time as messages show one."""

_DAY = (
    r"[0-9]{4}-(?:"
    r"(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    r"|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
_LEAP_DAY = r"(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29"
_FULL_DATE = rf"(?!0000)(?:{_DAY}|{_LEAP_DAY})"
_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,6})?"
_OFFSET = r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
_DATE_TIME = f"{_FULL_DATE}T{_TIME}{_OFFSET}"


def anchored(core: str) -> str:
    """``core`` as a JSON Schema ``pattern`` matching whole strings only, in every dialect.

    JSON Schema patterns are ECMA-262 regular expressions applied unanchored (JSON Schema
    2020-12 validation, section 6.3.3); in ECMA-262 ``$`` matches only at the end of the
    string, in Python also before a final newline. ``$(?!\\n)`` matches only at the end in
    both, so ``"FR\\n"`` is refused by every validator, as the models refuse it.
    """
    return f"^(?:{core})$(?!\\n)"


DATE_TIME_PATTERN: Final = anchored(_DATE_TIME)
"""The date-time grammar above as a JSON Schema ``pattern`` (same meaning in ECMA-262 and
Python)."""

_DATE_TIME_RE: Final = re.compile(_DATE_TIME)
_NO_OFFSET_RE: Final = re.compile(f"{_FULL_DATE}T{_TIME}")
_SHAPE_RE: Final = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})"
)
_FULL_DATE_RE: Final = re.compile(_FULL_DATE)


def date_time_problem(text: object) -> str | None:
    """Why ``text`` is not a date-time of the grammar above, or ``None`` when it is one.

    Args:
        text: Any value (a JSON value, a command-line word).

    Returns:
        ``None`` for a string of the grammar; else one sentence, e.g. ``expected an RFC 3339
        date-time with an explicit UTC offset such as '2026-11-30T09:00:00Z', got '20261130'``.
    """
    if isinstance(text, str):
        if _DATE_TIME_RE.fullmatch(text):
            return None
        got = repr(text) if len(text) <= 64 else f"{text[:61]!r}..."
        if _NO_OFFSET_RE.fullmatch(text):
            return (
                f"date-time needs an explicit UTC offset, e.g. {DATE_TIME_EXAMPLE} or +01:00, "
                f"got {got}"
            )
        if _SHAPE_RE.fullmatch(text):
            got += " (no such day, hour, minute, second or offset, or more than 6 fraction digits)"
    elif isinstance(text, bool):
        got = "a boolean"
    elif isinstance(text, int | float):
        got = "a number (Unix times are not accepted)"
    else:
        got = type(text).__name__
    return (
        "expected an RFC 3339 date-time with an explicit UTC offset such as "
        f"{DATE_TIME_EXAMPLE!r}, got {got}"
    )


def parse_date_time(text: str, *, source: str, full_date: bool = False) -> datetime:
    """Read one date-time of the grammar above; with ``full_date``, also ``YYYY-MM-DD``.

    Args:
        text: The text, e.g. ``2026-11-30T09:00:00+01:00``.
        source: What gave the text (an option name, a file), for the error.
        full_date: Also accept an RFC 3339 ``full-date`` (``2026-12-31``), read as 00:00 UTC.

    Returns:
        An aware ``datetime`` with the offset as written (``Z`` and ``-00:00`` as UTC).

    Raises:
        InputError: ``text`` is not of the grammar (the message says what was expected and
            what was given; ``source`` is ``source``).
    """
    if full_date and _FULL_DATE_RE.fullmatch(text):
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
    problem = date_time_problem(text)
    if problem is not None:
        if full_date:
            problem = problem.replace(" such as ", " or a date, such as '2026-12-31' or ", 1)
        raise InputError(problem, source=source)
    return datetime.fromisoformat(text)
