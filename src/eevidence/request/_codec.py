"""Parsing and canonical serialisation of requests.

* :func:`parse_request` turns JSON bytes (or an already-decoded JSON value) into a model,
  reporting every problem with its JSON path;
* :func:`canonical_bytes` gives the exact bytes that get hashed and signed (sorted keys,
  no insignificant whitespace, UTF-8, integers only);
* :func:`read_request` reads a JSON or YAML request file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any, Final

from pydantic import TypeAdapter, ValidationError

from eevidence._internal.documents import decode_json, load_document
from eevidence._internal.validation import kind_of, problems_from_validation_error
from eevidence.crypto import canonical_json_bytes
from eevidence.errors import InputError, Problem, RequestValidationError
from eevidence.request._models import Request

__all__ = ["REQUEST_ADAPTER", "canonical_bytes", "parse_request", "read_request"]

REQUEST_ADAPTER: Final[TypeAdapter[Request]] = TypeAdapter(Request)


def parse_request(data: bytes | str | Mapping[str, Any], *, source: str = "<input>") -> Request:
    """Parse a request from JSON text or a decoded JSON object.

    Raises :class:`RequestValidationError` listing every problem (with JSON paths), or
    :class:`InputError` when the input is not JSON at all.
    """
    raw = isinstance(data, bytes | bytearray | str)
    document = decode_json(data, source) if raw else data  # type: ignore[arg-type]
    if not isinstance(document, Mapping):
        raise RequestValidationError(
            "a request must be a JSON object",
            source=source,
            problems=[Problem("$", f"expected an object, got {kind_of(document)}")],
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


def canonical_bytes(request: Request) -> bytes:
    """The canonical bytes of a request: what is stored in packages, hashed and signed."""
    return canonical_json_bytes(REQUEST_ADAPTER.dump_python(request, mode="json"))


def read_request(path: str | os.PathLike[str]) -> Request:
    """Read and validate a request file (JSON or YAML)."""
    document = load_document(path)
    if not isinstance(document, Mapping):
        raise RequestValidationError(
            "a request must be a JSON object",
            source=str(path),
            problems=[Problem("$", f"expected an object, got {kind_of(document)}")],
        )
    return parse_request(document, source=str(path))
