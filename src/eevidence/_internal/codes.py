"""Country, language and phone codes checked against their registries, not their shape.

The request models check the shape of a code only (two capitals, a BCP 47-looking tag, ``+``
and digits), so an archived request always parses. The functions here say whether a code
is one the registry assigned:

- country codes: the closed ISO 3166-1 alpha-2 list shipped in ``law/iso3166-1.json``
  (generated from pycountry by ``scripts/gen_iso3166.py``), plus the user-assigned codes an
  official text documents (``XK``, Kosovo); :func:`is_assigned_country`,
  :func:`country_name`;
- language tags: BCP 47 (RFC 5646) against the IANA subtag registry as ``langcodes``
  carries it (CLDR validity data); :func:`language_tag_problem`, and
  :func:`languages_match`, which compares tags by CLDR language matching distance rather
  than by primary subtag, and by script (``zh-Hans`` is not ``zh-Hant``, ``sr-Latn`` is
  not ``sr-Cyrl``; ``nb`` is ``no``; ``iw`` is ``he``); :func:`readable_language_problem`
  also refuses the special-purpose codes (``und``, ``zxx``, ``mul``, ``mis``) as the
  language of a text someone must read;
- phone numbers: ITU-T E.164 numbers against the national numbering plans as
  ``phonenumbers`` (Google libphonenumber metadata, PyPI ``phonenumberslite``) carries
  them; :func:`phone_problem`.

Everything is pure and cached; ``langcodes`` and ``phonenumbers`` are imported on first
use, so importing this module (or ``eevidence``) loads neither. Decision record:
``docs/decisions/0009-codes.md``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, Final

from eevidence._internal.resources import data_dir
from eevidence.errors import ConfigurationError

__all__ = [
    "MAX_LANGUAGE_DISTANCE",
    "country_name",
    "country_source",
    "is_assigned_country",
    "language_tag_problem",
    "languages_match",
    "phone_problem",
    "readable_language_problem",
]

MAX_LANGUAGE_DISTANCE: Final = 5
"""The largest CLDR language matching distance (``langcodes.tag_distance``) at which a text
in one tag is taken as written in another.

CLDR (Unicode TR35, Part 1, "Language Matching"; data in ``languageInfo.xml``) gives 0 to
tags that expand to the same thing (``iw``/``he``, ``pt-BR``/``pt``), 1 to ``nb``/``no``,
3 to 5 to regional variants of one language (``en-GB``/``en``, ``en-US``/``en-GB``,
``pt-PT``/``pt``) and to a second script of one language read both ways
(``sr-Latn``/``sr-Cyrl``). From 8 up it is another language a reader may partly follow
(``bs``/``hr`` 8; ``sh`` for a ``hr`` reader 9; ``ar`` for an ``arz`` reader 10;
``da``/``nb`` 12; ``nn``/``no`` 20), and from about 50 a script the reader does not read
(``zh-Hans``/``zh-Hant`` 54; ``zh``, which CLDR expands to ``zh-Hans-CN``, is 54 from
``zh-TW``). A legal request is accepted in a language, not in a neighbour of it, so
only the variants of one language (5 and below) match."""

_COUNTRY: Final = re.compile(r"[A-Z]{2}")
_E164: Final = re.compile(r"\+[1-9][0-9]{1,14}")


# --------------------------------------------------------------------------- countries


def _countries() -> Mapping[str, str]:
    """Code -> English short name: the ISO 3166-1 codes and the documented user-assigned ones.

    Raises:
        ConfigurationError: the shipped file is missing or not the expected shape.
    """
    return _country_list()[0]


@functools.cache
def _country_list() -> tuple[Mapping[str, str], str]:
    """The codes (see :func:`_countries`) and the citation of the list (:func:`country_source`).

    Raises:
        ConfigurationError: the shipped file is missing or not the expected shape.
    """
    path = data_dir("law") / "iso3166-1.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        codes: dict[str, str] = dict(doc["codes"])
        for code, entry in doc["user_assigned"].items():
            if not entry["sources"]:
                raise ValueError(f"user-assigned code {code} has no source")
            codes[code] = entry["name"]
        origin = doc["source"]
        source = (
            f"ISO 3166-1 alpha-2 ({origin['data']} {origin['pycountry']}, {origin['url']})"
            + "".join(
                f"; {code}: user-assigned, {entry['sources'][0]['title']} "
                f"({entry['sources'][0]['url']}, read {entry['sources'][0]['read']})"
                for code, entry in sorted(doc["user_assigned"].items())
            )
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigurationError(f"the shipped country code list {path} is broken: {exc}") from exc
    bad = [c for c, n in codes.items() if not _is_code(c) or not isinstance(n, str) or not n]
    if bad or len(codes) < 200:
        raise ConfigurationError(
            f"the shipped country code list {path} is broken: "
            + (f"bad entries {sorted(map(str, bad))[:5]}" if bad else f"only {len(codes)} codes")
        )
    return MappingProxyType(codes), source


def _is_code(value: Any) -> bool:
    return isinstance(value, str) and _COUNTRY.fullmatch(value) is not None


def is_assigned_country(code: str) -> bool:
    """Whether ``code`` names a country: an ISO 3166-1 alpha-2 code element in force, or a
    user-assigned one an official text documents (``XK``, Kosovo).

    Args:
        code: two capital letters (``FR``); lower case is not a code element.

    Returns:
        True for an assigned code (``FR``, ``GB``, ``XK``). False for everything else: codes
        never assigned (``XX``, ``QZ``), codes reserved but not assigned (``UK``, reserved
        for the United Kingdom, whose code is ``GB``; ``EU``, reserved for the European
        Union, which is not a country), withdrawn codes (``YU``, ``AN``), and anything not
        two capitals.

    Raises:
        ConfigurationError: the shipped list (``law/iso3166-1.json``) is broken.

    Source: ISO 3166-1 (via the Debian iso-codes data, see the file's ``source``).
    """
    return code in _countries()


def country_source() -> str:
    """The citation of the country list, for findings that rest on it: the standard, the
    data and version it was generated from, and the source of each user-assigned code.

    Raises:
        ConfigurationError: the shipped list (``law/iso3166-1.json``) is broken.
    """
    return _country_list()[1]


def country_name(code: str) -> str | None:
    """The English short name of ``code`` (``GB`` -> ``United Kingdom``), or None when
    :func:`is_assigned_country` is False for it.

    Raises:
        ConfigurationError: the shipped list (``law/iso3166-1.json``) is broken.

    Source: ISO 3166-1 English short names (Debian iso-codes data).
    """
    return _countries().get(code)


# --------------------------------------------------------------------------- languages


@functools.lru_cache(maxsize=1024)
def language_tag_problem(tag: str) -> str | None:
    """Why ``tag`` is not a valid BCP 47 language tag, in one line, or None when it is.

    Valid means well-formed (RFC 5646 section 2.1) and every subtag registered in the IANA
    Language Subtag Registry (section 2.2.9), as ``langcodes`` checks it; deprecated
    subtags that have a preferred value (``iw``, ``in``, region ``UK``) are valid, and are
    read as their preferred value by :func:`languages_match`. Private-use subtags
    (``x-...``, regions ``XA`` to ``XZ``) are valid, as the RFC says.

    Returns:
        None, or a reason such as ``"'xx' is not a registered language subtag"``.
    """
    from langcodes import Language  # noqa: PLC0415 - loaded on first use
    from langcodes.tag_parser import LanguageTagError  # noqa: PLC0415

    try:
        Language.get(tag, normalize=False)
        valid = Language.get(tag).is_valid()
    except LanguageTagError as exc:
        return f"{tag!r} is not a well-formed BCP 47 language tag: {exc}"
    if valid:
        return None
    return _invalid_subtag(tag)


SPECIAL_LANGUAGES: Final = {
    "und": "undetermined",
    "zxx": "no linguistic content",
    "mul": "multiple languages",
    "mis": "uncoded languages",
}
"""ISO 639-2 special-purpose codes (registered in the IANA registry, so valid tags): none
names a language a letter can be read in (RFC 5646 section 4.1, ISO 639-2 "special
situations")."""


def readable_language_problem(tag: str) -> str | None:
    """Why ``tag`` is not the language of a text a reader can read (a request, a
    translation), in one line, or None.

    :func:`language_tag_problem`, plus the special-purpose primary subtags
    (:data:`SPECIAL_LANGUAGES`: ``und``, ``zxx``, ``mul``, ``mis``), which are valid tags
    but name no language.

    Source: RFC 5646 section 4.1 (choice of language tag), ISO 639-2 special-purpose codes.
    """
    problem = language_tag_problem(tag)
    if problem is not None:
        return problem
    primary = tag.split("-", 1)[0].casefold()
    if primary in SPECIAL_LANGUAGES:
        return (
            f"{tag!r} is the special-purpose code for {SPECIAL_LANGUAGES[primary]} "
            "(ISO 639-2), not a language a letter can be read in"
        )
    return None


def _invalid_subtag(tag: str) -> str:
    """The first subtag of the (well-formed) ``tag`` the registry does not hold."""
    from langcodes import Language  # noqa: PLC0415 - loaded on first use

    lang = Language.get(tag, normalize=False)
    parts: list[tuple[str, dict[str, Any]]] = [
        ("language", {"language": lang.language}),
        ("script", {"script": lang.script}),
        ("region", {"territory": lang.territory}),
    ]
    parts += [("variant", {"variants": [v]}) for v in lang.variants or ()]
    for what, fields in parts:
        value = next(iter(fields.values()))
        if value is None:
            continue
        if not Language.make(**fields).is_valid():
            shown = value[0] if isinstance(value, list) else value
            return f"{shown!r} is not a registered {what} subtag (in {tag!r})"
    return f"{tag!r} repeats a subtag or extension, or has more than one extended language"


def languages_match(wanted: str, accepted: Iterable[str]) -> bool:
    """Whether a text in language ``wanted`` is in one of the ``accepted`` languages.

    Compares with CLDR language matching (``langcodes.tag_distance``, the reader's accepted
    tag as the desired language, ``wanted`` as the supported one): a match is a distance of
    at most :data:`MAX_LANGUAGE_DISTANCE` (5) between tags written in the same script once
    both are maximized (CLDR likely subtags: ``sr`` is ``sr-Cyrl-RS``, ``zh`` is
    ``zh-Hans-CN``, ``en-GB`` is ``en-Latn-GB``). So regional variants and aliases match
    (``en-GB``/``en``, ``pt-BR``/``pt``, ``nb``/``no``, ``iw``/``he``) and other languages or
    scripts do not (``zh-Hans``/``zh-Hant``, ``sr-Latn``/``sr-Cyrl``, ``da``/``nb``,
    ``de``/``en``): CLDR puts a second script of one language within 5, but a reader
    accepting one script has not said it reads the other. A tag ``langcodes`` cannot parse
    matches only the same tag, ignoring case.

    Args:
        wanted: the language of the text (a request's ``language``, a translation's).
        accepted: the languages the reader accepts (a provider profile's ``languages``).

    Returns:
        True when some accepted tag is within the distance.

    Source: RFC 4647 (matching of language tags), Unicode TR35 Part 1 "Language Matching".
    """
    return any(_distance(a, wanted) <= MAX_LANGUAGE_DISTANCE for a in accepted)


@functools.lru_cache(maxsize=4096)
def _distance(desired: str, supported: str) -> int:
    from langcodes import Language, tag_distance  # noqa: PLC0415 - loaded on first use
    from langcodes.tag_parser import LanguageTagError  # noqa: PLC0415

    try:
        if Language.get(desired).maximize().script != Language.get(supported).maximize().script:
            return MAX_LANGUAGE_DISTANCE + 1
        return int(tag_distance(desired, supported))
    except LanguageTagError:
        return 0 if desired.casefold() == supported.casefold() else MAX_LANGUAGE_DISTANCE + 1


# --------------------------------------------------------------------------- phone numbers


@functools.lru_cache(maxsize=1024)
def phone_problem(e164: str) -> str | None:
    """Why ``e164`` is not a valid phone number, in one line, or None when it is.

    Valid means in ITU-T E.164 form (``+``, country calling code, number, 15 digits at most)
    and a number the numbering plan of its country calling code assigns, as
    ``phonenumbers`` (libphonenumber metadata) knows the plan: a possible length and a range
    in use. A number in a range in use need not be connected; nothing here dials it.

    Returns:
        None, or a reason such as ``"not a valid number in the numbering plan of +44"``.

    Source: ITU-T E.164 (section 6, number structure); national plans as published to the ITU
    and collected in libphonenumber's metadata.
    """
    if not _E164.fullmatch(e164):
        return (
            f"{e164!r} is not in E.164 form: '+', the country calling code and the number, "
            "15 digits at most"
        )
    import phonenumbers  # noqa: PLC0415 - loaded on first use
    from phonenumbers import NumberParseException, ValidationResult  # noqa: PLC0415

    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException as exc:
        if exc.error_type == NumberParseException.INVALID_COUNTRY_CODE:
            return f"{e164} does not begin with a country calling code in use"
        return f"{e164} is too short to be a phone number"
    plan = f"+{number.country_code}"
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == ValidationResult.INVALID_COUNTRY_CODE:
        return f"{plan} is not a country calling code in use"
    if reason == ValidationResult.TOO_SHORT:
        return f"too short for the numbering plan of {plan}"
    if reason == ValidationResult.TOO_LONG:
        return f"too long for the numbering plan of {plan}"
    if reason == ValidationResult.INVALID_LENGTH:
        return f"not a number length used in the numbering plan of {plan}"
    if not phonenumbers.is_valid_number(number):
        return f"not a valid number in the numbering plan of {plan}"
    return None
