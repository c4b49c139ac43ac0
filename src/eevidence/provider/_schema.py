"""The JSON Schema (Draft 2020-12) of provider profiles, generated from the profile model.

Profiles are checked against it before the model reads them, so a contributor editing a
profile gets every error of the file with its JSON path.
"""

from __future__ import annotations

import functools
from typing import Any, Final

from jsonschema import Draft202012Validator

from eevidence._internal.schemas import generate_schema, problems_against, validator_for
from eevidence.errors import Problem
from eevidence.provider._profiles import ProviderProfile

__all__ = ["PROFILE_SCHEMA_FILE", "generated_schemas", "profile_schema_problems"]

PROFILE_SCHEMA_FILE: Final = "provider.schema.json"
"""The file name of the provider-profile schema under ``schemas/``."""
_ID: Final = "urn:eevidence:schema:provider:1"


@functools.cache
def _schema() -> dict[str, Any]:
    return generate_schema(ProviderProfile, schema_id=_ID, title="eevidence provider profile")


def generated_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema (Draft 2020-12) of provider profiles, generated from the model.

    Returns:
        ``{"provider.schema.json": schema}``; the schema is a fresh top-level copy that the
        caller may change (``scripts/gen_schemas.py`` writes it under ``schemas/``).
    """
    return {PROFILE_SCHEMA_FILE: dict(_schema())}


@functools.cache
def _validator() -> Draft202012Validator:
    return validator_for(_schema())


def profile_schema_problems(document: Any) -> list[Problem]:
    """Every error of a raw provider-profile document against its schema, with JSON paths.

    Formats are checked too (JSON Schema 2020-12 validation, section 7).

    Args:
        document: A decoded JSON value (what ``json.loads`` returns).

    Returns:
        One problem per schema error, sorted by path; empty when the document conforms.
    """
    return problems_against(_validator(), document)
