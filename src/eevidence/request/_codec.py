"""Parsing, canonical serialisation and file I/O for requests.

* :func:`parse_request` turns JSON bytes (or an already-decoded JSON value) into a model,
  reporting every problem with its JSON path;
* :func:`canonical_bytes` gives the exact bytes that get hashed and signed (RFC 8785 style:
  sorted keys, no insignificant whitespace, UTF-8, integers only);
* :func:`load_document` reads a JSON or YAML file; :func:`write_atomic` writes a file
  through a temporary file and a rename, so a failure never leaves half a file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import yaml
from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from eevidence._internal.fs import write_atomic
from eevidence.errors import InputError, Problem, RequestValidationError
from eevidence.request._models import Request

__all__ = [
    "canonical_bytes",
    "canonical_json_bytes",
    "load_document",
    "parse_request",
    "problems_from_validation_error",
    "read_request",
    "write_atomic",
]

REQUEST_ADAPTER: Final[TypeAdapter[Request]] = TypeAdapter(Request)
MAX_DOCUMENT_BYTES: Final = 16 * 1024 * 1024
_DISCRIMINATORS: Final = ("kind", "type")


# --------------------------------------------------------------------------- error paths


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


# --------------------------------------------------------------------------- parsing


def _decode_json(data: bytes | str, source: str) -> Any:
    if isinstance(data, bytes):
        if len(data) > MAX_DOCUMENT_BYTES:
            raise InputError(f"document is larger than {MAX_DOCUMENT_BYTES} bytes", source=source)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text (byte {exc.start})", source=source) from None
    else:
        text = data
    try:
        return json.loads(text, parse_float=_reject_float, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", source=source
        ) from None
    except ValueError as exc:
        raise InputError(f"not valid JSON: {exc}", source=source) from None


def _reject_float(text: str) -> Any:
    raise ValueError(f"non-integer number {text} (this format uses integers only)")


def _reject_constant(text: str) -> Any:
    raise ValueError(f"{text} is not allowed")


def parse_request(data: bytes | str | Mapping[str, Any], *, source: str = "<input>") -> Request:
    """Parse a request from JSON text or a decoded JSON object.

    Raises :class:`RequestValidationError` listing every problem (with JSON paths), or
    :class:`InputError` when the input is not JSON at all.
    """
    raw = isinstance(data, bytes | bytearray | str)
    document = _decode_json(data, source) if raw else data  # type: ignore[arg-type]
    if not isinstance(document, Mapping):
        raise RequestValidationError(
            "a request must be a JSON object",
            source=source,
            problems=[Problem("$", f"expected an object, got {_kind_of(document)}")],
        )
    try:
        # Round-trip through JSON so Python-mode strictness does not differ from JSON input.
        return REQUEST_ADAPTER.validate_json(json.dumps(document, ensure_ascii=False))
    except ValidationError as exc:
        problems = problems_from_validation_error(exc, document)
        n = len(problems)
        raise RequestValidationError(
            f"invalid request: {n} problem{'s' if n != 1 else ''}", source=source, problems=problems
        ) from None
    except (TypeError, ValueError) as exc:
        raise InputError(f"cannot read document: {exc}", source=source) from None


# --------------------------------------------------------------------------- canonical bytes


def canonical_json_bytes(value: Any) -> bytes:
    """Canonical JSON of a JSON value: sorted keys, no whitespace, UTF-8, integers only."""
    try:
        return json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        ).encode("utf-8")
    except (UnicodeEncodeError, ValueError, TypeError) as exc:
        raise InputError(f"value cannot be written as canonical JSON: {exc}") from None


def canonical_bytes(request: Request) -> bytes:
    """The canonical bytes of a request: what is stored in packages, hashed and signed."""
    return canonical_json_bytes(REQUEST_ADAPTER.dump_python(request, mode="json"))


# --------------------------------------------------------------------------- files


class _StringTimestampLoader(yaml.SafeLoader):
    """A safe YAML loader that keeps timestamps as strings (so offsets are never lost)."""


_StringTimestampLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _is_yaml(path: Path) -> bool:
    return path.suffix.lower() in {".yaml", ".yml"}


def load_document(path: str | os.PathLike[str]) -> Any:
    """Read a JSON (or, by extension ``.yaml``/``.yml``, YAML) file into a JSON value."""
    p = Path(path)
    source = str(p)
    try:
        with p.open("rb") as fh:
            data = fh.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", source=source) from None
    if not _is_yaml(p):
        return _decode_json(data, source)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InputError(f"document is larger than {MAX_DOCUMENT_BYTES} bytes", source=source)
    try:
        document = yaml.load(data, Loader=_StringTimestampLoader)  # noqa: S506 - safe loader subclass
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", source=source) from None
    if any(isinstance(v, float) for v in _walk(document)):
        raise InputError("non-integer number (this format uses integers only)", source=source)
    return document


def _walk(value: Any) -> Any:
    yield value
    if isinstance(value, Mapping):
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)


def read_request(path: str | os.PathLike[str]) -> Request:
    """Read and validate a request file (JSON or YAML)."""
    document = load_document(path)
    if not isinstance(document, Mapping):
        raise RequestValidationError(
            "a request must be a JSON object",
            source=str(path),
            problems=[Problem("$", f"expected an object, got {_kind_of(document)}")],
        )
    return parse_request(document, source=str(path))


def _kind_of(value: object) -> str:
    names = {list: "an array", str: "a string", bool: "a boolean", int: "a number"}
    if value is None:
        return "null"
    return names.get(type(value), type(value).__name__)
