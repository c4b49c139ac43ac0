"""HI-1 values of the request vocabulary: dictionary entries and request value formats.

Data categories, subscriber-data details and authority roles as values of ETSI
dictionaries (``RequestType``, ``EPOCRequestSubtype``, approver roles), and identifiers
as request values in the formats of TS 103 280 (owner ``ETSI``) or, where it has none,
of eevidence (owner ``eevidence``). Both directions: the export writes them, drafts read
them back. Values after ETSI's reference EPOC-to-HI-1 translation (see
docs/decisions/0007-ts-103-120.md).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Final

from eevidence.hi1._model import ETSI, OURS
from eevidence.request import DataCategory, Identifier

__all__ = [
    "CATEGORIES",
    "REQUEST_TYPES",
    "ROLES",
    "SUBTYPES",
    "identifier_of",
    "request_value",
]

REQUEST_TYPES: Final[dict[DataCategory, str]] = {
    "subscriber": "SubscriberData",
    "user_identification": "UserIdentifyingData",
    "traffic": "TrafficData",
    "content": "StoredContentData",
}
"""Data category -> value of the ETSI ``RequestType`` dictionary."""
CATEGORIES: Final = {v: k for k, v in REQUEST_TYPES.items()}
"""ETSI ``RequestType`` value -> data category."""
SUBTYPES: Final = {
    "user_information": "UserInformation",
    "registration_information": "RegistrationInformation",
    "type_of_service": "TypeOfServiceInformation",
    "profile_information": "ProfileInformation",
    "validation_of_use": "DataOnValidationOfUse",
    "payment_information": "DebitOrCreditCardInformation",
    "puk_codes": "PUKCodes",
    "other": "SubscriberDataOther",
}
"""Subscriber-data detail -> value of the ETSI ``EPOCRequestSubtype`` dictionary."""
ROLES: Final = {
    "judge": "JudgeCourtOrInvestigatingJudge",
    "court": "JudgeCourtOrInvestigatingJudge",
    "investigating_judge": "JudgeCourtOrInvestigatingJudge",
    "public_prosecutor": "PublicProsecutor",
    "other_competent_authority": "OtherCompetentAuthority",
}
"""Issuing or validating authority type -> ``ApproverRole`` of its approval details."""
_ETSI_EMAIL: Final = re.compile(
    r"[a-zA-Z0-9.!#$%&'*+\\/=?^_`{|}~-]+@[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*"
)


def request_value(identifier: Identifier) -> tuple[str, str, str]:
    """(FormatOwner, FormatName, Value) of an identifier, after TS 103 120 / TS 103 280."""
    kind, value = identifier.type, identifier.value
    if kind == "email":
        name = "EmailAddress" if _ETSI_EMAIL.fullmatch(value) else "InternationalizedEmailAddress"
        return ETSI, name, value
    if kind == "phone":
        return ETSI, "InternationalE164", value.lstrip("+")
    if kind == "ip_address":
        address = ipaddress.ip_address(value)
        if address.version == 4:
            return ETSI, "IPv4Address", str(address)
        return ETSI, "IPv6Address", address.exploded
    if kind == "ip_range":
        network = ipaddress.ip_network(value, strict=False)
        if network.version == 4:
            return ETSI, "IPv4CIDR", str(network)
        return ETSI, "IPv6CIDR", network.exploded
    if kind == "imei":
        return ETSI, "IMEICheckDigit", value
    if kind == "mac_address":
        return ETSI, "MACAddress", value.replace("-", ":").lower()
    if kind in {"username", "account_id"}:
        return ETSI, "ServiceAccessIdentifier", value
    if kind == "url":
        return OURS, "URL", value
    return OURS, "DomainName", value


def _luhn_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def identifier_of(
    owner: str, name: str, value: str, observed: str | None
) -> dict[str, object] | None:
    """A request identifier (JSON) from an HI-1 request value, or None when it has none."""
    try:
        if owner == ETSI and name in {"EmailAddress", "InternationalizedEmailAddress"}:
            return {"type": "email", "value": value}
        if owner == ETSI and name == "InternationalE164":
            return {"type": "phone", "value": "+" + value}
        if owner == ETSI and name in {"IPv4Address", "IPv6Address"}:
            out: dict[str, object] = {
                "type": "ip_address",
                "value": str(ipaddress.ip_address(value)),
            }
            if observed is not None:
                out["timestamp"] = observed
            return out
        if owner == ETSI and name in {"IPv4CIDR", "IPv6CIDR"}:
            return {"type": "ip_range", "value": str(ipaddress.ip_network(value, strict=False))}
    except ValueError:
        return None
    if owner == ETSI and name == "IMEICheckDigit":
        return {"type": "imei", "value": value}
    # TS 103 280 IMEI: 14 digits without the check digit (Luhn, 3GPP TS 23.003 annex B)
    if owner == ETSI and name == "IMEI" and value.isdecimal() and len(value) == 14:
        return {"type": "imei", "value": value + _luhn_digit(value)}
    if owner == ETSI and name == "MACAddress":
        return {"type": "mac_address", "value": value}
    if owner == ETSI and name == "ServiceAccessIdentifier":
        return {"type": "account_id", "value": value}
    if owner == OURS and name == "URL":
        return {"type": "url", "value": value}
    if owner == OURS and name == "DomainName":
        return {"type": "domain", "value": value}
    return None
