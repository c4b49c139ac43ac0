"""Locate data shipped with the package (schemas, provider profiles, authority entries,
example requests, legal facts, letter catalogues and fonts).

In an installed wheel the files live under ``eevidence/_data/``; in a source checkout
(editable install) they are read from the repository's top-level folders.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Final, Literal

from eevidence.errors import ConfigurationError

__all__ = ["data_dir"]

DataName = Literal["schemas", "providers", "authorities", "examples", "law", "catalogues", "fonts"]
_CHECKOUT: Final[dict[str, str]] = {
    "schemas": "schemas",
    "providers": "providers",
    "authorities": "authorities",
    "examples": "examples/requests",
    "law": "law",
    "catalogues": "catalogues",
    "fonts": "fonts",
}


def data_dir(name: DataName) -> Path:
    """The directory holding the shipped ``name`` files."""
    packaged = Path(str(resources.files("eevidence"))) / "_data" / name
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[3] / _CHECKOUT[name]
    if checkout.is_dir():
        return checkout
    raise ConfigurationError(f"the package data folder {name!r} is missing from this installation")
