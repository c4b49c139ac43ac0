"""The base of every pydantic model in eevidence: frozen, strict about unknown fields, and
raising eevidence errors, never pydantic's.

Building a model directly (``PhoneIdentifier(type="phone", value="0612")``), through
``model_validate``, ``model_validate_json`` or ``model_validate_strings``, copying it with
changes (``model_copy(update=...)``, which validates the result, unlike pydantic's), and
assigning to or deleting a field of a (frozen) instance report every problem with its JSON path
(``$.value``) in the error of the model's family, :attr:`Model.error_class`: a
:class:`~eevidence.errors.RequestValidationError` for requests, a
:class:`~eevidence.errors.ProfileError` for provider profiles, an
:class:`~eevidence.errors.InputError` for custody entries and legal facts. The pydantic
error stays attached as ``__cause__``.

Only those entry points are wrapped: pydantic-core still builds nested models itself (the
``__init__`` here is marked as pydantic's own, so nested validation never calls it), and a
:class:`pydantic.TypeAdapter` over models is exactly as fast as before.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Final, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from eevidence._internal.validation import problems_from_validation_error
from eevidence.errors import InputError, Problem

__all__ = ["Model", "drop_schema_description"]

_WORD: Final = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _decoded(json_data: str | bytes | bytearray) -> object:
    """The JSON value of ``json_data``, or ``None`` when it is not JSON (error paths only)."""
    try:
        return json.loads(json_data)
    except (ValueError, RecursionError):
        return None


def drop_schema_description(schema: dict[str, Any]) -> None:
    """A ``json_schema_extra`` hook that keeps a class docstring out of the JSON Schema.

    The published schemas under ``schemas/`` are a stable format; a model whose docstring
    was written for Python readers after the schema was published uses this hook so the
    schema stays byte-identical.
    """
    schema.pop("description", None)


class Model(BaseModel):
    """A frozen pydantic model (``extra="forbid"``) whose errors are eevidence errors.

    Subclasses choose their family's error with the class attribute :attr:`error_class`
    and may refine how problems are read from pydantic's error (:meth:`_problems`) and how
    the error is built (:meth:`_error`). Do not define ``__init__`` on subclasses: the
    pydantic mypy plugin then keeps generating their typed ``__init__``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    error_class: ClassVar[type[InputError]] = InputError
    """The error raised when data does not satisfy the model (an :class:`InputError` kind)."""

    def __init__(self, /, **data: Any) -> None:
        """Validate ``data`` (field name -> value) into a new instance.

        Raises:
            InputError: ``data`` does not satisfy the model; the exact class is the model's
                :attr:`error_class` (e.g. :class:`~eevidence.errors.RequestValidationError`),
                with one :class:`~eevidence.errors.Problem` per error and its JSON path.
        """
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise type(self)._invalid(exc, data) from exc

    # pydantic calls a model's own ``__init__`` during nested validation unless it is marked
    # as the base one; this one only translates errors, so pydantic-core may skip it.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(cls, obj: Any, **options: Any) -> Self:
        """Validate a Python object (a mapping of fields, or an instance) into the model.

        ``options`` are pydantic's (``strict``, ``context``, ``from_attributes``...).

        Raises:
            InputError: ``obj`` does not satisfy the model; the class is :attr:`error_class`.
        """
        try:
            return super().model_validate(obj, **options)
        except ValidationError as exc:
            raise cls._invalid(exc, obj) from exc

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **options: Any) -> Self:
        """Validate JSON text (UTF-8 bytes or str) into the model.

        ``options`` are pydantic's (``strict``, ``context``...).

        Raises:
            InputError: ``json_data`` is not JSON (one problem at ``$``) or does not satisfy
                the model; the class is :attr:`error_class`.
        """
        try:
            return super().model_validate_json(json_data, **options)
        except ValidationError as exc:
            raise cls._invalid(exc, _decoded(json_data)) from exc

    @classmethod
    def model_validate_strings(cls, obj: Any, **options: Any) -> Self:
        """Validate an object whose leaves are strings (``"1"`` for 1) into the model.

        Raises:
            InputError: ``obj`` does not satisfy the model; the class is :attr:`error_class`.
        """
        try:
            return super().model_validate_strings(obj, **options)
        except ValidationError as exc:
            raise cls._invalid(exc, obj) from exc

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy of the model, with the fields in ``update`` (field name -> value) changed.

        Without ``update`` this is pydantic's cheap copy (nothing is validated again: the
        model already was). With ``update`` the result is validated like a new model, so
        a copy can never hold what the model refuses (pydantic's own ``model_copy`` would
        store the values unchecked). Fields that were not set keep their defaults.

        Args:
            update: New values by field name (not applied recursively to nested models).
            deep: Whether the fields that are not updated are deep-copied.

        Returns:
            A new instance of the same class.

        Raises:
            InputError: the updated model does not satisfy the model (an unknown field, a
                value of the wrong form); the class is :attr:`error_class`, with one
                problem per error and its JSON path.
        """
        if not update:
            return super().model_copy(deep=deep)
        base = super().model_copy(deep=True) if deep else self
        data = {name: getattr(base, name) for name in base.model_fields_set}
        data.update(update)
        return type(self).model_validate(data)

    def __setattr__(self, name: str, value: Any) -> None:
        """Refuse to change a field: models are values (use ``model_copy(update=...)``).

        Raises:
            InputError: always for a field of a frozen model; the class is :attr:`error_class`.
        """
        try:
            super().__setattr__(name, value)
        except ValidationError as exc:
            raise type(self)._invalid(exc, {}) from exc

    def __delattr__(self, name: str) -> None:
        """Refuse to delete a field: models are values.

        Raises:
            InputError: always for a field of a frozen model; the class is :attr:`error_class`.
        """
        try:
            super().__delattr__(name)
        except ValidationError as exc:
            raise type(self)._invalid(exc, {}) from exc

    # -- hooks -----------------------------------------------------------------------------

    @classmethod
    def _problems(cls, exc: ValidationError, document: object) -> Sequence[Problem]:
        """Every error of ``exc``, with JSON paths into ``document`` (the validated input)."""
        return problems_from_validation_error(exc, document)

    @classmethod
    def _error(cls, problems: Sequence[Problem], source: str) -> InputError:
        """The family's error for ``problems`` found in data from ``source``."""
        n = len(problems)
        what = _WORD.sub(" ", cls.__name__.split("[", 1)[0]).lower()
        return cls.error_class(
            f"invalid {what}: {n} problem{'s' if n != 1 else ''}", source=source, problems=problems
        )

    @classmethod
    def _invalid(cls, exc: ValidationError, document: object) -> InputError:
        return cls._error(cls._problems(exc, document), "<input>")
