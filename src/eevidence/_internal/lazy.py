"""Lazy public faces: a package's names are imported on first use (PEP 562).

A face lists its public names once, as imports under ``if TYPE_CHECKING:`` (what type
checkers and readers see) and in ``__all__``; :func:`attach` reads that block from the
face's own source and resolves each name from its module the first time it is used, so
``import eevidence`` and ``import eevidence.request`` load no model, no schema and no
third-party library until a name is asked for.
"""

from __future__ import annotations

import ast
import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["attach", "lazy_names"]


def lazy_names(source_file: str) -> dict[str, tuple[str, str]]:
    """``{public name: (module, attribute)}`` from the ``if TYPE_CHECKING:`` block of a file.

    Only absolute ``from module import name [as alias]`` statements are read.
    """
    tree = ast.parse(Path(source_file).read_text(encoding="utf-8"))
    found: dict[str, tuple[str, str]] = {}
    for node in tree.body:
        if not (isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"):
            continue
        for statement in node.body:
            if isinstance(statement, ast.ImportFrom) and statement.module and not statement.level:
                for alias in statement.names:
                    found[alias.asname or alias.name] = (statement.module, alias.name)
    return found


def attach(package: str, source_file: str) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of a lazy face.

    Usage, at the end of a package's ``__init__.py``::

        __getattr__, __dir__ = attach(__name__, __file__)
    """
    names = lazy_names(source_file)

    def __getattr__(name: str) -> Any:
        try:
            module, attribute = names[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(module), attribute)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(names))

    return __getattr__, __dir__
