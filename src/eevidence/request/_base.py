"""The base of every request model: strict, frozen, attribute docstrings as schema
descriptions, every validation failure a :class:`~eevidence.errors.RequestValidationError`;
and how a field added to a version 1 model after requests were written stays out of their
canonical bytes while unset."""

from __future__ import annotations

from typing import ClassVar, Final

from pydantic import ConfigDict, Field

from eevidence._internal.models import Model
from eevidence.errors import InputError, RequestValidationError

__all__ = ["ADDED_AFTER_V1", "RequestModel"]

ADDED_AFTER_V1: Final = Field(exclude_if=lambda value: value is None)
"""Marks an optional field added to a version 1 model after requests were written with it:
left out of the serialised form (and so of :func:`~eevidence.request.canonical_bytes`)
while unset, so the canonical bytes, digests and signatures of requests written before the
field existed do not change."""


class RequestModel(Model):
    """Request models: strict types, attribute docstrings as schema descriptions."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        strict=True,
        use_attribute_docstrings=True,
        validate_default=False,
    )
    error_class: ClassVar[type[InputError]] = RequestValidationError
