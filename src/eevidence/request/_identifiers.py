"""Target identifiers of a request, each typed, and the time windows they are wanted for."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import ConfigDict, Field, model_validator

from eevidence._internal.models import drop_schema_description
from eevidence.request._base import RequestModel as _Model
from eevidence.request._types import (
    E164,
    DomainName,
    Email,
    Imei,
    IpAddress,
    IpNetwork,
    Line,
    MacAddress,
    Text,
    Url,
    UtcDatetime,
)

__all__ = [
    "AccountIdIdentifier",
    "DomainIdentifier",
    "EmailIdentifier",
    "Identifier",
    "ImeiIdentifier",
    "IpAddressIdentifier",
    "IpRangeIdentifier",
    "MacAddressIdentifier",
    "PhoneIdentifier",
    "TimeWindow",
    "UrlIdentifier",
    "UsernameIdentifier",
]


# --------------------------------------------------------------------------- identifiers


class TimeWindow(_Model):
    """A half-open period [start, end) with explicit UTC offsets."""

    start: UtcDatetime
    end: UtcDatetime

    @model_validator(mode="after")
    def _ordered(self) -> TimeWindow:
        if self.end <= self.start:
            raise ValueError("time window ends before or when it starts (end must be after start)")
        return self


class _IdentifierBase(_Model):
    window: TimeWindow | None = None
    """Period for which data about this identifier is wanted, when narrower than the request's."""
    note: Text | None = None


class EmailIdentifier(_IdentifierBase):
    """A target email address (``local@domain``, at most 320 characters)."""

    model_config = ConfigDict(json_schema_extra=drop_schema_description)  # schema as published

    type: Literal["email"]
    value: Email


class PhoneIdentifier(_IdentifierBase):
    """A target phone number in ITU-T E.164 form: ``+``, country code, number (15 digits max)."""

    model_config = ConfigDict(json_schema_extra=drop_schema_description)  # schema as published

    type: Literal["phone"]
    value: E164


class UsernameIdentifier(_IdentifierBase):
    """A user name on a service; names are unique only per service, so ``service`` is required."""

    model_config = ConfigDict(json_schema_extra=drop_schema_description)  # schema as published

    type: Literal["username"]
    value: Line
    service: Line
    """The service the user name belongs to, e.g. 'Instagram'."""


class AccountIdIdentifier(_IdentifierBase):
    """A provider's own account number or id (a user id, a customer number...)."""

    model_config = ConfigDict(json_schema_extra=drop_schema_description)  # schema as published

    type: Literal["account_id"]
    value: Line
    service: Line | None = None


class UrlIdentifier(_IdentifierBase):
    """An http(s) URL of a profile, page, post or file (RFC 3986), at most 4096 characters."""

    model_config = ConfigDict(json_schema_extra=drop_schema_description)  # schema as published

    type: Literal["url"]
    value: Url


class IpAddressIdentifier(_IdentifierBase):
    """An IP address is only meaningful with the moment it was used (and often the port)."""

    type: Literal["ip_address"]
    value: IpAddress
    port: Annotated[int, Field(ge=0, le=65535)] | None = None
    timestamp: UtcDatetime
    """The moment the address was observed, with an explicit UTC offset."""


class IpRangeIdentifier(_IdentifierBase):
    """A range of IP addresses in CIDR notation (RFC 4632 section 3.1; RFC 4291 section 2.3)."""

    model_config = ConfigDict(json_schema_extra=drop_schema_description)  # schema as published

    type: Literal["ip_range"]
    value: IpNetwork


class ImeiIdentifier(_IdentifierBase):
    """A device IMEI: 15 digits whose last is a Luhn check digit (3GPP TS 23.003 section 6.2)."""

    model_config = ConfigDict(json_schema_extra=drop_schema_description)  # schema as published

    type: Literal["imei"]
    value: Imei


class MacAddressIdentifier(_IdentifierBase):
    """A network interface's IEEE 802 MAC-48 address (six hex octets, ``:`` or ``-``)."""

    model_config = ConfigDict(json_schema_extra=drop_schema_description)  # schema as published

    type: Literal["mac_address"]
    value: MacAddress


class DomainIdentifier(_IdentifierBase):
    """A DNS domain name of two or more labels (RFC 1035 section 2.3.1), at most 253 characters."""

    model_config = ConfigDict(json_schema_extra=drop_schema_description)  # schema as published

    type: Literal["domain"]
    value: DomainName


Identifier = Annotated[
    Union[  # noqa: UP007 - pydantic discriminated unions read clearer this way
        EmailIdentifier,
        PhoneIdentifier,
        UsernameIdentifier,
        AccountIdIdentifier,
        UrlIdentifier,
        IpAddressIdentifier,
        IpRangeIdentifier,
        ImeiIdentifier,
        MacAddressIdentifier,
        DomainIdentifier,
    ],
    Field(discriminator="type"),
]
"""A typed target identifier, discriminated on ``type``."""
