"""Canonical JSON: the one serialisation that is hashed and signed.

Sorted keys, no insignificant whitespace, UTF-8, integers only (the subset of RFC 8785
JSON Canonicalization Scheme that integer-only documents need: for such documents the
output is identical to RFC 8785's, except the order of keys that mix characters above
U+FFFF with characters from U+E000 to U+FFFF, which sort by code point here).
"""

from __future__ import annotations

import json
from typing import Any

from eevidence.errors import InputError

__all__ = ["canonical_json_bytes"]


def canonical_json_bytes(value: Any) -> bytes:
    """Canonical JSON of a JSON value: sorted keys, no whitespace, UTF-8, integers only.

    For documents of integers, strings, booleans, null, arrays and objects the bytes are
    those of RFC 8785 (JSON Canonicalization Scheme) section 3.2; keys are sorted by code
    point (RFC 8785 sorts by UTF-16 code unit: the same order outside the astral planes).

    Args:
        value: A JSON value: ``dict`` with ``str`` keys, ``list``/``tuple``, ``str``,
            ``int``, ``bool`` or ``None`` (floats are written but are not canonical).

    Returns:
        The UTF-8 bytes, without a final newline.

    Raises:
        InputError: ``value`` holds something JSON cannot express (a float NaN, a lone
            surrogate, a non-JSON type, keys of mixed types), or is nested too deeply to
            write (deeper than Python's recursion limit, about 1000 levels) or holds itself.
    """
    try:
        return json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        ).encode("utf-8")
    except (UnicodeEncodeError, ValueError, TypeError) as exc:
        raise InputError(f"value cannot be written as canonical JSON: {exc}") from None
    except RecursionError:
        raise InputError("value cannot be written as canonical JSON: nested too deeply") from None
