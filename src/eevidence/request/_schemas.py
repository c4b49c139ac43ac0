"""JSON Schemas (Draft 2020-12) generated from the models, and raw-JSON validation with them.

The committed files under ``schemas/`` are produced by ``scripts/gen_schemas.py`` from
:func:`generated_schemas`; a test fails when they drift from the models.
"""

from __future__ import annotations

import functools
from typing import Any, Final

from jsonschema import Draft202012Validator, FormatChecker
from pydantic import BaseModel, TypeAdapter

from eevidence.errors import Problem
from eevidence.provider._profiles import ProviderProfile
from eevidence.request._codec import REQUEST_ADAPTER
from eevidence.request._models import AuthorityProfile

__all__ = ["SCHEMA_FILES", "generated_schemas", "schema_problems"]

DRAFT: Final = "https://json-schema.org/draft/2020-12/schema"

SCHEMA_FILES: Final[dict[str, tuple[str, str]]] = {
    # file name -> (schema id, title)
    "request.schema.json": ("urn:eevidence:schema:request:1", "eevidence request"),
    "authority-profile.schema.json": (
        "urn:eevidence:schema:authority-profile:1",
        "eevidence authority profile",
    ),
    "provider.schema.json": ("urn:eevidence:schema:provider:1", "eevidence provider profile"),
}


def _adapters() -> dict[str, TypeAdapter[Any] | type[BaseModel]]:
    return {
        "request.schema.json": REQUEST_ADAPTER,
        "authority-profile.schema.json": AuthorityProfile,
        "provider.schema.json": ProviderProfile,
    }


def _if_then_unions(node: Any) -> Any:
    """Rewrite pydantic's ``oneOf`` + ``discriminator`` into ``if``/``then`` branches.

    ``oneOf`` makes a validator report one opaque error for the whole object; with
    ``if``/``then`` keyed on the discriminator, any Draft 2020-12 validator reports each
    broken field of the chosen branch with its own path.
    """
    if isinstance(node, list):
        return [_if_then_unions(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _if_then_unions(v) for k, v in node.items()}
    disc = out.pop("discriminator", None)
    if disc is not None and "oneOf" in out:
        prop = disc["propertyName"]
        mapping: dict[str, str] = disc["mapping"]
        del out["oneOf"]
        out["type"] = "object"
        out["required"] = [prop]
        out["properties"] = {prop: {"enum": list(mapping)}}
        out["allOf"] = [
            {
                "if": {"properties": {prop: {"const": tag}}, "required": [prop]},
                "then": {"$ref": ref},
            }
            for tag, ref in mapping.items()
        ]
    return out


def _with_header(name: str, body: dict[str, Any]) -> dict[str, Any]:
    schema_id, title = SCHEMA_FILES[name]
    head: dict[str, Any] = {"$schema": DRAFT, "$id": schema_id, "title": title}
    head.update({k: v for k, v in body.items() if k != "title"})
    return head


@functools.cache
def _generated() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, adapter in _adapters().items():
        if isinstance(adapter, TypeAdapter):
            body = adapter.json_schema(mode="validation")
        else:
            body = adapter.model_json_schema(mode="validation")
        out[name] = _with_header(name, _if_then_unions(body))
    return out


def generated_schemas() -> dict[str, dict[str, Any]]:
    """File name -> JSON Schema, freshly generated from the models."""
    return {k: dict(v) for k, v in _generated().items()}


@functools.cache
def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(_generated()[name], format_checker=FormatChecker())


def schema_problems(document: Any, schema: str = "request.schema.json") -> list[Problem]:
    """Every error of ``document`` against a published schema, each with its JSON path."""
    validator = _validator(schema)
    errors = sorted(
        validator.iter_errors(document), key=lambda e: (list(map(str, e.path)), e.message)
    )
    return [Problem(e.json_path, e.message) for e in errors]
