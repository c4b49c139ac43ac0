"""The JSON Schema (Draft 2020-12) of a directory version's payload, generated from the
model: agencies that publish a directory with other tools can check what they write."""

from __future__ import annotations

import functools
from typing import Any, Final

from eevidence._internal.schemas import generate_schema
from eevidence.directory._model import Directory

__all__ = ["DIRECTORY_SCHEMA_FILE", "generated_schemas"]

DIRECTORY_SCHEMA_FILE: Final = "directory.schema.json"
"""The file name of the directory schema under ``schemas/``."""
_ID: Final = "urn:eevidence:schema:directory:1"


@functools.cache
def _schema() -> dict[str, Any]:
    return generate_schema(Directory, schema_id=_ID, title="eevidence directory of authorities")


def generated_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of a directory version's payload (what the root keys sign).

    Returns:
        ``{"directory.schema.json": schema}``, a fresh top-level copy the caller may change
        (``scripts/gen_schemas.py`` writes it under ``schemas/``).
    """
    return {DIRECTORY_SCHEMA_FILE: dict(_schema())}
