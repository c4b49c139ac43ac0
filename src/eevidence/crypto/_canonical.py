"""Canonical JSON: the one serialisation that is hashed and signed.

Sorted keys, no insignificant whitespace, UTF-8, integers only (the subset of RFC 8785
JSON Canonicalization Scheme that integer-only documents need: for such documents the
output is identical to RFC 8785's).
"""

from __future__ import annotations

import json
from typing import Any

from eevidence.errors import InputError

__all__ = ["canonical_json_bytes"]


def canonical_json_bytes(value: Any) -> bytes:
    """Canonical JSON of a JSON value: sorted keys, no whitespace, UTF-8, integers only.

    Raises:
        InputError: ``value`` holds something JSON cannot express (a float NaN, a lone
            surrogate, a non-JSON type).
    """
    try:
        return json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        ).encode("utf-8")
    except (UnicodeEncodeError, ValueError, TypeError) as exc:
        raise InputError(f"value cannot be written as canonical JSON: {exc}") from None
