"""Controlled vocabularies shared by the request models, provider profiles and checker.

Values are plain strings (``Literal`` types), so strict models accept them from Python
and JSON alike and the JSON Schemas list them as ``enum``.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

RequestKind = Literal[
    "preservation",
    "preservation_extension",
    "voluntary_disclosure",
    "emergency_disclosure",
    "eu_production_order",
    "eu_preservation_order",
    "protocol2_art7_order",
    "cloud_act_order",
    "mla_request",
    "preservation_24_7",
]
"""Kinds of request (see the table in the README)."""

IdentifierType = Literal[
    "email",
    "phone",
    "username",
    "account_id",
    "url",
    "ip_address",
    "ip_range",
    "imei",
    "mac_address",
    "domain",
]
"""Types of target identifier."""

DataCategory = Literal["subscriber", "user_identification", "traffic", "content"]
"""Data categories, after Regulation (EU) 2023/1543 art. 3(9)-(12) and Budapest art. 1(d), 18(3)."""

SubscriberDetail = Literal[
    "user_information",
    "registration_information",
    "type_of_service",
    "profile_information",
    "validation_of_use",
    "payment_information",
    "puk_codes",
    "other",
]
"""Sub-options of subscriber data in the EPOC form (Annex I, section on data categories)."""

Instrument = Literal[
    "provider_policy",
    "us_18_usc_2703f",
    "us_18_usc_2702",
    "budapest_art29",
    "budapest_art30",
    "budapest_art31",
    "protocol2_art7",
    "protocol2_art9",
    "protocol2_art10",
    "eu_2023_1543",
    "mla_treaty",
    "cloud_act_agreement",
    "national_law",
    "untoc_art18",
    "reciprocity",
]
"""Legal instruments a request can rest on (``untoc_art18``: mutual legal assistance under
the United Nations Convention against Transnational Organized Crime; ``reciprocity``:
assistance between States without a treaty, on the requested State's law and the promise
of reciprocity)."""

REQUEST_KINDS: Final[tuple[str, ...]] = get_args(RequestKind)
IDENTIFIER_TYPES: Final[tuple[str, ...]] = get_args(IdentifierType)
DATA_CATEGORIES: Final[tuple[str, ...]] = get_args(DataCategory)
SUBSCRIBER_DETAILS: Final[tuple[str, ...]] = get_args(SubscriberDetail)
INSTRUMENTS: Final[tuple[str, ...]] = get_args(Instrument)

LetterLanguage = Literal["en", "fr", "es", "ar"]
"""Languages request letters are rendered in."""
LETTER_LANGUAGES: Final[tuple[LetterLanguage, ...]] = get_args(LetterLanguage)
