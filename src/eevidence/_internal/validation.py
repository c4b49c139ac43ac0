"""Pydantic validation errors translated into :class:`~eevidence.errors.Problem` lists.

Every model error reaches callers as a list of problems, each with the JSON path of the
field in the caller's own document (``$.identifiers[0].value``) and a short reason: never
as a pydantic exception.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Final

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from eevidence.errors import Problem

__all__ = ["json_path", "kind_of", "problems_from_validation_error"]

_DISCRIMINATORS: Final = ("kind", "type")


def json_path(parts: Sequence[str | int]) -> str:
    """``('identifiers', 0, 'value')`` -> ``$.identifiers[0].value``."""
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.isidentifier():
            out += f".{part}"
        else:
            out += "[" + json.dumps(part) + "]"
    return out


def _document_loc(loc: Sequence[str | int], document: object) -> list[str | int]:
    """Drop the union tags pydantic inserts into error locations, using the document itself."""
    out: list[str | int] = []
    current: object = document
    for part in loc:
        if isinstance(current, Mapping):
            if part in current:
                out.append(part)
                current = current[part]
                continue
            if any(current.get(d) == part for d in _DISCRIMINATORS):
                continue  # a union tag, not a field
            out.append(part)
            current = None
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            out.append(part)
            current = current[part]
        else:
            out.append(part)
            current = None
    return out


def _message(err: ErrorDetails) -> str:
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    typ = err["type"]
    if typ == "missing":
        return "required field is missing"
    if typ == "extra_forbidden":
        return "unknown field (not part of this request format)"
    if typ == "timezone_aware":
        return "date-time needs an explicit UTC offset, e.g. 2026-03-01T10:00:00Z or +01:00"
    if typ == "union_tag_invalid":
        ctx = err.get("ctx") or {}
        return (
            f"unknown {ctx.get('discriminator', 'kind').strip(chr(39))} "
            f"{ctx.get('tag')!r}; expected one of {ctx.get('expected_tags')}"
        )
    if typ == "union_tag_not_found":
        ctx = err.get("ctx") or {}
        return f"required field {str(ctx.get('discriminator', 'kind')).strip(chr(39))} is missing"
    if typ == "literal_error":
        return msg.replace("Input should be", "expected")
    if typ == "frozen_instance":
        return "cannot be changed: models are values (build a new one with model_copy(update=...))"
    return msg


def problems_from_validation_error(exc: ValidationError, document: object) -> list[Problem]:
    """Every error of a pydantic validation, as problems with JSON paths into ``document``."""
    found = [
        (json_path(_document_loc(err["loc"], document)), err)
        for err in exc.errors(include_url=False)
    ]
    problems = []
    for path, err in found:
        # A failing item is dropped before the length check, so pydantic then also reports the
        # sequence as too short: noise when the item's own error is already listed.
        if err["type"] == "too_short" and any(p.startswith(path + "[") for p, _ in found):
            continue
        problems.append(Problem(path, _message(err)))
    return problems


def kind_of(value: object) -> str:
    """The JSON type of ``value`` in words (``an array``, ``null``...), for messages."""
    names = {list: "an array", str: "a string", bool: "a boolean", int: "a number"}
    if value is None:
        return "null"
    return names.get(type(value), type(value).__name__)
