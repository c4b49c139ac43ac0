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

SCHEMA_FILES: Final[dict[str, tuple[str, str]]] = {  # the published files of this module
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
    """The JSON Schemas (Draft 2020-12) of requests and authority profiles, from the models.

    Discriminated unions are written as ``if``/``then`` branches keyed on ``kind`` (requests)
    and ``type`` (identifiers), so a validator reports each broken field with its own path
    (JSON Schema 2020-12 core, section 10.2.2). The provider-profile schema is
    :func:`eevidence.provider.generated_schemas`.

    Returns:
        ``{file name: schema}`` for every name of :data:`SCHEMA_FILES`; each schema is a
        fresh top-level copy that the caller may change.
    """
    return {k: dict(v) for k, v in _generated().items()}


@functools.cache
def _validator(name: str) -> Draft202012Validator:
    return validator_for(_generated()[name])


def schema_problems(document: Any, schema: str = "request.schema.json") -> list[Problem]:
    """Every error of a raw JSON ``document`` against a published schema, with JSON paths.

    Formats (``date-time``, ``ipv4``, ``ipv6``...) are checked too (JSON Schema 2020-12
    validation, section 7).

    Args:
        document: A decoded JSON value (what ``json.loads`` returns).
        schema: A file name of :data:`SCHEMA_FILES` (``request.schema.json`` or
            ``authority-profile.schema.json``).

    Returns:
        One problem per schema error, sorted by path; empty when the document conforms.

    Raises:
        ConfigurationError: ``schema`` names no schema of this module.
    """
    if schema not in SCHEMA_FILES:
        raise ConfigurationError(
            f"unknown schema {schema!r}; expected one of {sorted(SCHEMA_FILES)}"
        )
    return problems_against(_validator(schema), document)
