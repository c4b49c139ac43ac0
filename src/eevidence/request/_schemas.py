"""JSON Schemas (Draft 2020-12) of requests and authority profiles, generated from the models.

The committed files under ``schemas/`` are produced by ``scripts/gen_schemas.py`` from
:func:`generated_schemas` here and in :mod:`eevidence.provider`; a test fails when they
drift from the models.
"""

from __future__ import annotations

import functools
from typing import Any, Final

from jsonschema import Draft202012Validator

from eevidence._internal.schemas import generate_schema, problems_against, validator_for
from eevidence.errors import ConfigurationError, Problem
from eevidence.request._codec import REQUEST_ADAPTER
from eevidence.request._models import AuthorityProfile

__all__ = ["SCHEMA_FILES", "generated_schemas", "schema_problems"]

SCHEMA_FILES: Final[dict[str, tuple[str, str]]] = {
    # file name -> (schema id, title)
    "request.schema.json": ("urn:eevidence:schema:request:1", "eevidence request"),
    "authority-profile.schema.json": (
        "urn:eevidence:schema:authority-profile:1",
        "eevidence authority profile",
    ),
}


@functools.cache
def _generated() -> dict[str, dict[str, Any]]:
    sources = {
        "request.schema.json": REQUEST_ADAPTER,
        "authority-profile.schema.json": AuthorityProfile,
    }
    return {
        name: generate_schema(sources[name], schema_id=schema_id, title=title)  # type: ignore[arg-type]
        for name, (schema_id, title) in SCHEMA_FILES.items()
    }


def generated_schemas() -> dict[str, dict[str, Any]]:
    """File name -> JSON Schema of requests and authority profiles, generated from the models.

    The provider-profile schema is :func:`eevidence.provider.generated_schemas`.
    """
    return {k: dict(v) for k, v in _generated().items()}


@functools.cache
def _validator(name: str) -> Draft202012Validator:
    return validator_for(_generated()[name])


def schema_problems(document: Any, schema: str = "request.schema.json") -> list[Problem]:
    """Every error of a raw JSON ``document`` against a published schema, with JSON paths.

    ``schema`` is a file name of :data:`SCHEMA_FILES` (``request.schema.json`` or
    ``authority-profile.schema.json``). Returns an empty list when the document conforms.

    Raises:
        ConfigurationError: ``schema`` names no schema of this module.
    """
    if schema not in SCHEMA_FILES:
        raise ConfigurationError(
            f"unknown schema {schema!r}; expected one of {sorted(SCHEMA_FILES)}"
        )
    return problems_against(_validator(schema), document)
