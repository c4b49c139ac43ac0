"""Names of countries and languages in the letter's language, where a request holds codes.

A request names countries by ISO 3166-1 alpha-2 code (``FR``) and languages by BCP 47 tag
(``fr-BE``); a letter prints names (``France``, ``French (Belgium)``). Sources:

- countries in English: the ISO 3166-1 English short names the project ships
  (``law/iso3166-1.json``, :func:`eevidence._internal.codes.country_name`);
- countries in French, Spanish and Arabic, and languages in every letter language: the
  Unicode CLDR display names, as ``langcodes`` reads them from its ``language_data``
  package (offline data, no network).

A code with no name in the data is printed as the code. Pure and cached; ``langcodes`` is
imported on first use.
"""

from __future__ import annotations

import functools
import importlib.util

from eevidence._internal.codes import country_name as _iso_name
from eevidence.errors import RenderError

__all__ = ["country_name", "language_name"]


def _data() -> None:
    """Refuse to go on without the CLDR names (``langcodes`` prints to stdout and raises
    ``ImportError`` when they are missing).

    Raises:
        RenderError: the ``language_data`` package is not installed.
    """
    if importlib.util.find_spec("language_data") is None:
        raise RenderError(
            "letters name countries and languages from the CLDR data of the "
            "'language-data' package, which is not installed (pip install language-data)",
            source="language_data",
        )


@functools.lru_cache(maxsize=2048)
def country_name(code: str, lang: str) -> str:
    """The name of the country ``code`` (ISO 3166-1 alpha-2) in the letter language ``lang``.

    ``country_name("GB", "en")`` is ``United Kingdom`` (ISO 3166-1 English short name);
    ``country_name("GB", "fr")`` is ``Royaume-Uni`` (CLDR). A code with no name, or one
    ISO 3166-1 does not assign (``is_assigned_country`` is false), is returned as it is.

    Raises:
        RenderError: ``lang`` is not English and the CLDR names are not installed.
        ConfigurationError: the shipped ISO 3166-1 list is broken.
    """
    english = _iso_name(code)
    if english is None:  # not an assigned code: no name to give
        return code
    if lang == "en":
        return english
    _data()
    from langcodes import Language  # noqa: PLC0415 - loaded on first use

    try:
        name = Language.make(territory=code).territory_name(lang)
    except (KeyError, ValueError, LookupError):  # pragma: no cover - CLDR has every assigned code
        return code
    # langcodes spells a territory it cannot name as "<unknown region> [XX]"
    return code if not name or f"[{code}]" in name else name


@functools.lru_cache(maxsize=2048)
def language_name(tag: str, lang: str) -> str:
    """The name of the language ``tag`` (BCP 47) in the letter language ``lang`` (CLDR).

    ``language_name("fr-BE", "en")`` is ``French (Belgium)``, ``language_name("fr", "es")``
    ``francés``. A tag ``langcodes`` cannot read or name is returned as it is.

    Raises:
        RenderError: the CLDR names are not installed.
    """
    _data()
    from langcodes import Language  # noqa: PLC0415 - loaded on first use
    from langcodes.tag_parser import LanguageTagError  # noqa: PLC0415

    try:
        name = Language.get(tag).display_name(lang)
    except (LanguageTagError, KeyError, ValueError, LookupError):
        return tag
    return tag if not name or "[" in name else name
