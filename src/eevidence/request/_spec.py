"""Short text forms used on the command line, turned into request JSON values.

* identifier: ``TYPE[/SERVICE]:VALUE[@START/END]``; for ``ip_address`` the part after ``@``
  is the moment the address was used, and a port may follow the address
  (``203.0.113.5:443``, ``[2001:db8::1]:443``);
* time window: ``START/END`` (RFC 3339 date-times with offsets);
* legal basis: ``INSTRUMENT[:ARTICLE]``.

The values are only split here; the request model validates them.
"""

from __future__ import annotations

import re
from typing import Any

from eevidence.errors import InputError, Problem
from eevidence.request._vocab import IDENTIFIER_TYPES, INSTRUMENTS

__all__ = ["parse_identifier_spec", "parse_legal_basis_spec", "parse_window_spec"]

_WINDOW_TAIL = re.compile(r"@([0-9]{4}-[0-9]{2}-[0-9]{2}T[^@]*)$")


def _bad(option: str, text: str, why: str) -> InputError:
    return InputError(
        f"cannot read {option} {text!r}", source="command line", problems=[Problem(option, why)]
    )


def parse_window_spec(text: str, *, option: str = "--period") -> dict[str, str]:
    """``START/END`` -> ``{"start": START, "end": END}`` (a time-window JSON value).

    The halves are only split here; the request model checks that they are RFC 3339
    date-times with a UTC offset and that the window is not empty.

    Args:
        text: The option's value, e.g. ``2026-09-01T00:00:00Z/2026-10-01T00:00:00Z``.
        option: The option's name, for messages.

    Returns:
        The window as a JSON object of two strings.

    Raises:
        InputError: ``text`` has no ``/`` or an empty half (the problem's path is ``option``).
    """
    start, sep, end = text.partition("/")
    if not sep or not start or not end:
        raise _bad(
            option, text, "expected START/END, e.g. 2026-09-01T00:00:00Z/2026-10-01T00:00:00Z"
        )
    return {"start": start, "end": end}


def _split_ip_port(value: str) -> tuple[str, int | None]:
    m = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\](?::([0-9]{1,5}))?", value)
    if m:
        return m.group(1), int(m.group(2)) if m.group(2) else None
    m = re.fullmatch(r"([0-9.]+):([0-9]{1,5})", value)
    if m:
        return m.group(1), int(m.group(2))
    return value, None


def parse_identifier_spec(text: str, *, option: str = "--identifier") -> dict[str, Any]:
    """``TYPE[/SERVICE]:VALUE[@START/END]`` -> an identifier JSON value.

    ``email:a@b.example@2026-01-01T00:00:00Z/2026-02-01T00:00:00Z`` gives ``{"type":
    "email", "value": "a@b.example", "window": {...}}``. For ``ip_address`` the part after
    ``@`` is the moment the address was used (``timestamp``, required) and a port may follow
    the address (``203.0.113.5:443``, ``[2001:db8::1]:443``).

    Args:
        text: The option's value.
        option: The option's name, for messages.

    Returns:
        The identifier as a JSON object (``type``, ``value`` and, as given, ``service``,
        ``window``, ``timestamp``, ``port``); the request model validates it.

    Raises:
        InputError: no ``TYPE:VALUE`` form, an unknown type, or an IP address without the
            moment it was used (the problem's path is ``option``).
    """
    head, sep, rest = text.partition(":")
    if not sep or not rest:
        raise _bad(option, text, "expected TYPE:VALUE, e.g. email:name@example.com")
    typ, _, service = head.partition("/")
    if typ not in IDENTIFIER_TYPES:
        raise _bad(
            option, text, f"unknown identifier type {typ!r}; expected one of {IDENTIFIER_TYPES}"
        )
    value, when = rest, None
    m = _WINDOW_TAIL.search(rest)
    if m:
        value, when = rest[: m.start()], m.group(1)
    out: dict[str, Any] = {"type": typ}
    if typ == "ip_address":
        address, port = _split_ip_port(value)
        out["value"] = address
        if port is not None:
            out["port"] = port
        if when is None:
            if "@" in rest:
                raise _bad(
                    option,
                    text,
                    f"cannot read the time {rest.rsplit('@', 1)[1]!r}: give a date-time with a "
                    "UTC offset, e.g. ip_address:203.0.113.5@2026-11-02T21:14:07+01:00",
                )
            raise _bad(
                option, text, "an IP address needs the moment it was used: ip_address:ADDR@TIME"
            )
        out["timestamp"] = when
    else:
        out["value"] = value
        if when is not None:
            out["window"] = parse_window_spec(when, option=option)
    if service:
        out["service"] = service
    return out


def parse_legal_basis_spec(text: str, *, option: str = "--legal-basis") -> dict[str, str]:
    """``INSTRUMENT[:ARTICLE]`` -> ``{"instrument": ..., "article": ...}``.

    Args:
        text: The option's value, e.g. ``budapest_art29`` or ``us_18_usc_2703f:2703(f)``.
        option: The option's name, for messages.

    Returns:
        The legal basis as a JSON object (``article`` only when given).

    Raises:
        InputError: the instrument is not one of :data:`INSTRUMENTS` (the problem's path is
            ``option``).
    """
    instrument, _, article = text.partition(":")
    if instrument not in INSTRUMENTS:
        raise _bad(
            option, text, f"unknown instrument {instrument!r}; expected one of {INSTRUMENTS}"
        )
    out = {"instrument": instrument}
    if article:
        out["article"] = article
    return out
