"""JSON Schema (Draft 2020-12) generation from pydantic models, and validation with it.

Generic machinery shared by the request and provider schemas: pydantic's discriminated
``oneOf`` is rewritten into ``if``/``then`` branches so that any Draft 2020-12 validator
reports each broken field with its own path (JSON Schema 2020-12, section 10.2.2).
"""

from __future__ import annotations

from typing import Any, Final

from jsonschema import Draft202012Validator, FormatChecker
from pydantic import BaseModel, TypeAdapter

from eevidence.errors import Problem

__all__ = ["DRAFT", "generate_schema", "problems_against", "validator_for"]

DRAFT: Final = "https://json-schema.org/draft/2020-12/schema"


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


def generate_schema(
    source: TypeAdapter[Any] | type[BaseModel], *, schema_id: str, title: str
) -> dict[str, Any]:
    """The Draft 2020-12 schema of a model or type adapter, with ``$schema``, ``$id`` and title."""
    if isinstance(source, TypeAdapter):
        body = source.json_schema(mode="validation")
    else:
        body = source.model_json_schema(mode="validation")
    head: dict[str, Any] = {"$schema": DRAFT, "$id": schema_id, "title": title}
    head.update({k: v for k, v in _if_then_unions(body).items() if k != "title"})
    return head


def validator_for(schema: dict[str, Any]) -> Draft202012Validator:
    """A Draft 2020-12 validator of ``schema`` that also checks ``format`` keywords."""
    return Draft202012Validator(schema, format_checker=FormatChecker())


def problems_against(validator: Draft202012Validator, document: Any) -> list[Problem]:
    """Every error of ``document`` against ``validator``'s schema, each with its JSON path."""
    errors = sorted(
        validator.iter_errors(document), key=lambda e: (list(map(str, e.path)), e.message)
    )
    return [Problem(e.json_path, e.message) for e in errors]
