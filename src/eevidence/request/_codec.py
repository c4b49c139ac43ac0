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
from typing import Any, Final, get_args

from pydantic import TypeAdapter, ValidationError

from eevidence._internal.documents import decode_json, load_document
from eevidence._internal.validation import kind_of, problems_from_validation_error
from eevidence.crypto import canonical_json_bytes
from eevidence.errors import InputError, Problem, RequestValidationError
from eevidence.request._models import Request

__all__ = ["REQUEST_ADAPTER", "canonical_bytes", "parse_request", "read_request"]

REQUEST_ADAPTER: Final[TypeAdapter[Request]] = TypeAdapter(Request)
"""The pydantic adapter of :data:`Request`, private to this feature (it raises pydantic's
errors): outside it, use :func:`parse_request` and :func:`canonical_bytes`."""

_REQUEST_CLASSES: Final[tuple[type, ...]] = get_args(get_args(Request)[0])
"""The model classes of :data:`Request` (the members of the discriminated union)."""


def parse_request(data: bytes | str | Mapping[str, Any], *, source: str = "<input>") -> Request:
    """Parse and validate one request.

    Args:
        data: JSON text (UTF-8 bytes or str, at most 16 MiB) or an already-decoded JSON
            object; numbers must be integers (the canonical form has no floats).
        source: Where the data came from (a file name), for messages.

    Returns:
        The request model of the document's ``kind`` (one member of :data:`Request`).

    Raises:
        RequestValidationError: the document is not an object or does not satisfy the
            request model; ``problems`` lists every problem with its JSON path
            (``$.identifiers[0].value``).
        InputError: the input is not UTF-8 JSON of integers, strings, booleans, null,
            arrays and objects, or is too large or too deep to read.
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
    except (TypeError, ValueError, RecursionError) as exc:
        raise InputError(f"cannot read document: {exc}", source=source) from None


def canonical_bytes(request: Request) -> bytes:
    """The canonical bytes of a request: what is stored in packages, hashed and signed.

    Sorted keys, no insignificant whitespace, UTF-8, integers only: RFC 8785 (JSON
    Canonicalization Scheme) output for such documents; date-times as written by the model
    (RFC 3339 with their offset).

    Args:
        request: A validated request model (one member of :data:`Request`).

    Returns:
        The UTF-8 bytes of the canonical JSON document.

    Raises:
        InputError: ``request`` is not a request model (``None``, a dict, another model;
            parse a document first with :func:`parse_request`), or it holds a value JSON
            cannot express (only possible for a model built with ``model_construct``, which
            skips validation).
    """
    if not isinstance(request, _REQUEST_CLASSES):
        raise InputError(
            f"expected a request model, got {type(request).__name__}: "
            "parse a document first (eevidence.parse_request)",
            source="canonical_bytes",
        )
    return canonical_json_bytes(REQUEST_ADAPTER.dump_python(request, mode="json"))


def read_request(path: str | os.PathLike[str]) -> Request:
    """Read and validate a request file.

    Args:
        path: A ``.json`` file, or a ``.yaml``/``.yml`` file (YAML 1.1 safe subset;
            timestamps are kept as text so their UTC offsets are never lost); at most 16 MiB.

    Returns:
        The request model, as :func:`parse_request` gives it.

    Raises:
        InputError: the file cannot be read, or is not valid JSON/YAML of integers,
            strings, booleans, null, arrays and objects.
        RequestValidationError: the document does not satisfy the request model (every
            problem with its JSON path; ``source`` is the file name).
    """
    document = load_document(path)
    if not isinstance(document, Mapping):
        raise RequestValidationError(
            "a request must be a JSON object",
            source=str(path),
            problems=[Problem("$", f"expected an object, got {kind_of(document)}")],
        )
    return parse_request(document, source=str(path))
