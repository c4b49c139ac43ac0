"""Letter catalogues: the labels and fixed sentences of each letter language, as data.

``catalogues/<lang>.json`` (shipped with the package) maps each key (``section.case``,
``kind.preservation``, ``intro.preservation``...) to its text in that language; a key
missing from a catalogue is an error when a letter needs it, never a blank.
"""

from __future__ import annotations

import json
import string
from functools import cache
from typing import Final

from eevidence._internal.resources import data_dir
from eevidence.errors import RenderError
from eevidence.request import LETTER_LANGUAGES as LANGUAGES

__all__ = ["LANGUAGES", "RTL_LANGUAGES", "Catalogue", "catalogue"]

RTL_LANGUAGES: Final[frozenset[str]] = frozenset({"ar"})
"""Letter languages written right to left."""


class Catalogue:
    """The labels and fixed sentences of one language; a missing key is an error, never blank.

    ``t = catalogue("fr")``; ``t("section.case")`` is a label, ``t("intro.preservation",
    authority=..., provider=...)`` a sentence with its ``{placeholders}`` filled
    (:meth:`str.format`). Calling it raises :class:`RenderError` for a key the catalogue
    does not have.
    """

    def __init__(self, lang: str, entries: dict[str, str]) -> None:
        """A catalogue of ``lang`` (a letter language) made of ``entries`` (key -> text)."""
        self.lang = lang
        self.entries = entries

    def __call__(self, key: str, **values: str) -> str:
        """The text of ``key``, with ``values`` filled into its placeholders.

        Raises:
            RenderError: the catalogue has no entry ``key``.
        """
        try:
            text = self.entries[key]
        except KeyError:
            raise RenderError(
                f"the {self.lang!r} catalogue has no entry {key!r}",
                source=f"catalogues/{self.lang}.json",
            ) from None
        return text.format(**values) if values else text

    def keys(self) -> frozenset[str]:
        """Every key the catalogue has (e.g. ``section.case``, ``kind.preservation``)."""
        return frozenset(self.entries)

    def placeholders(self, key: str) -> frozenset[str]:
        """The ``{name}`` placeholders of one entry (``key`` must be one of :meth:`keys`)."""
        return frozenset(
            name for _, name, _, _ in string.Formatter().parse(self.entries[key]) if name
        )


@cache
def catalogue(lang: str) -> Catalogue:
    """The shipped catalogue of ``lang`` (``catalogues/<lang>.json``), read once and cached.

    Args:
        lang: a letter language, one of :data:`LANGUAGES` (``en``, ``fr``, ``es``, ``ar``).

    Returns:
        The catalogue; the same instance on every call with the same ``lang``.

    Raises:
        RenderError: ``lang`` has no catalogue, or its file cannot be read or is not a
            JSON object of strings (a broken installation).
    """
    if lang not in LANGUAGES:
        raise RenderError(
            f"no letter catalogue for language {lang!r}; available: {', '.join(LANGUAGES)}",
            source="--lang",
        )
    path = data_dir("catalogues") / f"{lang}.json"
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RenderError(f"cannot read the catalogue {path}: {exc}", source=str(path)) from exc
    if not isinstance(entries, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in entries.items()
    ):
        raise RenderError(f"the catalogue {path} is not an object of strings", source=str(path))
    return Catalogue(lang, entries)
