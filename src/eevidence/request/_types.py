"""Constrained scalar types used by the models.

Each type validates with a readable message (the message names what was expected) and
publishes an equivalent JSON Schema fragment, so raw JSON checked against ``schemas/``
is held to the same rules as Python objects.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, Strict, WithJsonSchema
from pydantic_core import PydanticCustomError

from eevidence._internal.datetimes import DATE_TIME_PATTERN, anchored, date_time_problem
from eevidence._internal.fs import FILE_NAME

T = TypeVar("T")

_TEXT_PATTERN = r"\S"


def _schema(**kw: Any) -> WithJsonSchema:
    if "pattern" in kw:  # the same whole-string match in every regex dialect
        kw["pattern"] = anchored(kw["pattern"])
    return WithJsonSchema({"type": "string", **kw})


def _check(pattern: str, what: str) -> AfterValidator:
    rx = re.compile(pattern)

    def check(value: str) -> str:
        if not rx.fullmatch(value):
            raise ValueError(f"{what}, got {value!r}")
        return value

    return AfterValidator(check)


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):  # Python's True == 1: JSON's true is not the number 1
        raise ValueError("expected the number 1, not a boolean")
    return value


SchemaVersion = Annotated[Literal[1], BeforeValidator(_not_bool)]
"""The version of a document format: the number 1 (``true`` is refused, as the schema does)."""

Seq = Annotated[tuple[T, ...], Strict(False)]
"""An immutable sequence; accepts a list or tuple from Python and an array from JSON."""

Text = Annotated[str, Field(min_length=1, max_length=20_000, pattern=_TEXT_PATTERN)]
"""Free text written by a person; must contain at least one non-blank character."""

ShortText = Annotated[str, Field(min_length=1, max_length=500, pattern=_TEXT_PATTERN)]
"""A name, title, reference or similar single-line value."""


def _no_newline(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError("must be a single line")
    return value


Line = Annotated[
    ShortText,
    AfterValidator(_no_newline),
    # the lookahead asks for a non-blank character, the rest for no CR or LF anywhere
    _schema(pattern=r"(?=[^\r\n]*\S)[^\r\n]*", minLength=1, maxLength=500),
]
"""A :data:`ShortText` on one line (no CR or LF)."""


def _rfc3339_text(value: object) -> object:
    # Before pydantic's own parser, which also reads Unix times ("20261130" is 1970-08-23)
    # and lax ISO 8601 forms: only the strict RFC 3339 text of eevidence._internal.datetimes
    # goes through (from JSON or Python), or a datetime object (from Python).
    if isinstance(value, datetime):
        return value
    problem = date_time_problem(value)
    if problem is not None:
        raise PydanticCustomError("date_time_format", "{reason}", {"reason": problem})
    return value


UtcDatetime = Annotated[
    AwareDatetime,
    Strict(False),  # pydantic parses the text _rfc3339_text let through, as it always did
    BeforeValidator(_rfc3339_text),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "pattern": DATE_TIME_PATTERN,
            "description": "RFC 3339 date-time with an explicit UTC offset (Z or +hh:mm).",
        }
    ),
]
"""A date and time with an explicit UTC offset; naive datetimes are refused.

In JSON: ``YYYY-MM-DDTHH:MM:SS[.ffffff](Z|+hh:mm|-hh:mm)`` (RFC 3339 section 5.6, upper-case
``T`` and ``Z``, at most six fraction digits, no leap second), exactly what the published
schema's ``pattern`` accepts; Unix times, compact ISO 8601 forms (``20261130``) and a space
for ``T`` are refused. From Python: an aware ``datetime``, or such a text."""

CountryCode = Annotated[
    str,
    _check(r"[A-Z]{2}", "expected an ISO 3166-1 alpha-2 country code such as 'FR'"),
    _schema(pattern=r"[A-Z]{2}", description="ISO 3166-1 alpha-2 country code."),
]
"""An ISO 3166-1 alpha-2 country code in capitals (``FR``)."""

_DNS_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_EMAIL = rf"[^@\s]+@{_DNS_LABEL}(?:\.{_DNS_LABEL})+"
Email = Annotated[
    str,
    Field(max_length=320),
    _check(_EMAIL, "expected an email address such as 'name@agency.example'"),
    _schema(pattern=_EMAIL, maxLength=320, description="Email address."),
]
"""An email address ``local@domain.tld`` (RFC 5321 section 4.5.3.1.3: at most 320 characters)."""

_E164 = r"\+[1-9][0-9]{1,14}"
E164 = Annotated[
    str,
    _check(_E164, "expected an E.164 phone number: '+', country code and number, up to 15 digits"),
    _schema(pattern=_E164, description="Phone number in E.164 form, e.g. +33612345678."),
]
"""A phone number in ITU-T E.164 form: ``+``, country code and number, 15 digits at most."""

_BCP47 = r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*"
LanguageTag = Annotated[
    str,
    _check(_BCP47, "expected a BCP 47 language tag such as 'en' or 'pt-BR'"),
    _schema(pattern=_BCP47, description="BCP 47 language tag."),
]
"""A BCP 47 (RFC 5646) language tag such as ``en`` or ``pt-BR``."""

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
RequestId = Annotated[
    str,
    _check(_UUID, "expected a lower-case UUID such as '0b6e6d1c-8a55-4f55-9a4e-1f0f6bb6d2a1'"),
    _schema(pattern=_UUID, description="Stable request id (lower-case UUID)."),
]
"""A request id: a lower-case UUID (RFC 9562)."""

_PROVIDER_ID = r"[a-z0-9][a-z0-9-]{0,62}"
ProviderId = Annotated[
    str,
    _check(_PROVIDER_ID, "expected a provider id: lower-case letters, digits and '-'"),
    _schema(pattern=_PROVIDER_ID, description="Provider profile id, e.g. 'meta'."),
]
"""A provider profile id: lower-case letters, digits and ``-``, at most 63 characters."""

_HEX64 = r"[0-9a-f]{64}"
Sha256Hex = Annotated[
    str,
    _check(_HEX64, "expected 64 lower-case hexadecimal digits (a SHA-256 digest)"),
    _schema(pattern=_HEX64, description="SHA-256 digest, lower-case hex."),
]
"""A SHA-256 digest (FIPS 180-4) as 64 lower-case hexadecimal digits."""

_FILE_NAME = FILE_NAME


def _safe_file_name(value: str) -> str:
    if value in {".", ".."} or value.endswith((".", " ")):
        raise ValueError(f"not a safe file name: {value!r}")
    return value


FileName = Annotated[
    str,
    _check(_FILE_NAME, "expected a plain file name (letters, digits, '.', '_', '-', space)"),
    AfterValidator(_safe_file_name),
    _schema(pattern=_FILE_NAME, description="A file name without directories."),
]
"""A plain file name: no directory, no leading dot, not ending in a dot or a space."""

_MAC = r"[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}"
MacAddress = Annotated[
    str,
    _check(_MAC, "expected a MAC address such as '00:1A:2B:3C:4D:5E'"),
    _schema(pattern=_MAC, description="IEEE 802 MAC-48 address."),
]
"""An IEEE 802 MAC-48 address, six hex octets separated by ``:`` or ``-``."""

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = rf"{_LABEL}(?:\.{_LABEL})+"
DomainName = Annotated[
    str,
    Field(max_length=253),
    _check(_DOMAIN, "expected a domain name such as 'example.org'"),
    _schema(pattern=_DOMAIN, maxLength=253, description="DNS domain name."),
]
"""A DNS domain name of two or more labels (RFC 1035 section 2.3.1), at most 253 characters."""


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _imei(value: str) -> str:
    if not re.fullmatch(r"[0-9]{15}", value):
        raise ValueError(f"expected an IMEI of 15 digits, got {value!r}")
    if not _luhn_ok(value):
        raise ValueError(f"IMEI check digit is wrong (Luhn), got {value!r}")
    return value


Imei = Annotated[
    str,
    AfterValidator(_imei),
    _schema(pattern=r"[0-9]{15}", description="IMEI, 15 digits with a Luhn check digit."),
]
"""An IMEI: 15 digits, the last a Luhn check digit (3GPP TS 23.003 section 6.2)."""


def _ip(value: str) -> str:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise ValueError(f"expected an IPv4 or IPv6 address, got {value!r}") from None
    return value


IpAddress = Annotated[
    str,
    AfterValidator(_ip),
    WithJsonSchema(
        {
            "type": "string",
            "anyOf": [{"format": "ipv4"}, {"format": "ipv6"}],
            "description": "IPv4 or IPv6 address.",
        }
    ),
]
"""An IPv4 (RFC 791) or IPv6 (RFC 4291) address, as Python's ``ipaddress`` reads it."""


def _network(value: str) -> str:
    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise ValueError(
            f"expected an IP range in CIDR form such as '203.0.113.0/24': {exc}"
        ) from None
    if "/" not in value:
        raise ValueError(
            f"expected an IP range in CIDR form such as '203.0.113.0/24', got {value!r}"
        )
    return value


IpNetwork = Annotated[
    str,
    AfterValidator(_network),
    _schema(pattern=r"[0-9A-Fa-f:.]+/[0-9]{1,3}", description="IP range in CIDR notation."),
]
"""An IP range in CIDR notation (RFC 4632), host bits zero (``203.0.113.0/24``)."""


def _url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc or any(c.isspace() for c in value):
        raise ValueError(f"expected an http(s) URL, got {value!r}")
    return value


Url = Annotated[
    str,
    Field(max_length=4096),
    AfterValidator(_url),
    _schema(pattern=r"https?://[^\s/]+\S*", maxLength=4096, description="http or https URL."),
]
"""An http or https URL (RFC 3986) without spaces, at most 4096 characters."""


HttpsUrl = Annotated[
    str, Field(max_length=4096, pattern=r"^https://[^\s/?#]+[^\s]*$", min_length=9)
]
"""An https URL without spaces (a source anyone can open and re-check)."""


def _published(value: Any) -> Any:
    # One clear message instead of one error per member of the union.
    if value == "undated" or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("published", "expected a date (YYYY-MM-DD) or 'undated'")


PublishedDate = Annotated[date | Literal["undated"], BeforeValidator(_published)]
"""The date a source's text shows (``YYYY-MM-DD``), or ``"undated"`` when it shows none."""


def check_sourced_fact(status: str, value: object, sources: object) -> None:
    """The rule every sourced fact follows (provider profiles, the directory of authorities):
    a ``known`` fact has a value (a list, at least one item) and at least one source; an
    ``unknown`` one has the value ``null``, so that nothing is guessed.

    Raises:
        PydanticCustomError: the fact breaks the rule (a model validator turns it into a
            validation problem at the fact's path).
    """
    if status == "known":
        if value is None:
            raise PydanticCustomError("fact_value", "a known fact needs a value")
        if isinstance(value, tuple) and not value:
            raise PydanticCustomError("fact_value", "a known list must not be empty")
        if not sources:
            raise PydanticCustomError("fact_sources", "a known fact needs at least one source id")
    elif value is not None:
        raise PydanticCustomError("fact_value", "an unknown fact must have value null")
