"""Reading JSON and YAML documents: size-bounded, integers only, timestamps kept as text.

:func:`load_document` reads a file, :func:`decode_json` decodes bytes already in memory;
both refuse documents over :data:`MAX_DOCUMENT_BYTES`, non-integer numbers and
``NaN``/``Infinity`` with an :class:`~eevidence.errors.InputError` naming the source.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import yaml

from eevidence.errors import InputError

__all__ = ["MAX_DOCUMENT_BYTES", "decode_json", "load_document"]

MAX_DOCUMENT_BYTES: Final = 16 * 1024 * 1024


def decode_json(data: bytes | str, source: str) -> Any:
    """Decode JSON text (UTF-8 bytes or str) into a JSON value.

    Raises:
        InputError: larger than :data:`MAX_DOCUMENT_BYTES`, not UTF-8, not JSON, nested too
            deeply, or holding a non-integer number or a ``NaN``/``Infinity`` constant.
    """
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
    except RecursionError:
        raise InputError("not readable JSON: nested too deeply", source=source) from None


def _reject_float(text: str) -> Any:
    raise ValueError(f"non-integer number {text} (this format uses integers only)")


def _reject_constant(text: str) -> Any:
    raise ValueError(f"{text} is not allowed")


class _StringTimestampLoader(yaml.SafeLoader):
    """A safe YAML loader that keeps timestamps as strings (so offsets are never lost)."""


_StringTimestampLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _is_yaml(path: Path) -> bool:
    return path.suffix.lower() in {".yaml", ".yml"}


def load_document(path: str | os.PathLike[str]) -> Any:
    """Read a JSON (or, by extension ``.yaml``/``.yml``, YAML) file into a JSON value.

    Raises:
        InputError: the file cannot be read, is larger than :data:`MAX_DOCUMENT_BYTES`, is
            nested too deeply, or is not valid JSON/YAML of integers, strings, booleans,
            null, arrays and objects.
    """
    p = Path(path)
    source = str(p)
    try:
        with p.open("rb") as fh:
            data = fh.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", source=source) from None
    if not _is_yaml(p):
        return decode_json(data, source)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InputError(f"document is larger than {MAX_DOCUMENT_BYTES} bytes", source=source)
    try:
        document = yaml.load(data, Loader=_StringTimestampLoader)  # noqa: S506 - safe loader subclass
        has_float = any(isinstance(v, float) for v in _walk(document))
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", source=source) from None
    except RecursionError:
        raise InputError("not readable YAML: nested too deeply", source=source) from None
    if has_float:
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
