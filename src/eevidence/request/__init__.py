"""What a request is: models, identifiers, parsing, canonical bytes, schemas, kinds.

Pure: values in, values out, no I/O except :func:`read_request` reading one file. Every
request kind is one row of :data:`KINDS` (:mod:`eevidence.request.kinds`); the models
follow the UNODC model forms, 18 U.S.C. 2702/2703(f), the Budapest Convention art. 29-31,
its Second Protocol art. 7/9/10 and Regulation (EU) 2023/1543 (Annexes I and II).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from eevidence._internal.lazy import attach as _attach

if TYPE_CHECKING:
    from eevidence.request._codec import (
        REQUEST_ADAPTER,
        canonical_bytes,
        parse_request,
        read_request,
    )
    from eevidence.request._models import (
        AccountIdIdentifier,
        AttachmentRef,
        AuthorityProfile,
        Case,
        Confidentiality,
        Contact,
        DataRequested,
        DomainIdentifier,
        EmailIdentifier,
        EmergencyDetails,
        EmergencyDisclosureRequest,
        EnforcingAuthority,
        EuPreservationOrder,
        EuProductionOrder,
        Identifier,
        ImeiIdentifier,
        IpAddressIdentifier,
        IpRangeIdentifier,
        IssuingAuthority,
        Justification,
        LegalBasis,
        MacAddressIdentifier,
        Officer,
        PhoneIdentifier,
        PreservationExtensionRequest,
        PreservationRequest,
        Protocol2Art7Order,
        Request,
        RequestingAuthority,
        TimeWindow,
        UrlIdentifier,
        UsernameIdentifier,
        ValidatingAuthority,
        VoluntaryDisclosureRequest,
        new_request_id,
    )
    from eevidence.request._schemas import (
        SCHEMA_FILES,
        generated_schemas,
        schema_problems,
    )
    from eevidence.request._spec import (
        parse_identifier_spec,
        parse_legal_basis_spec,
        parse_window_spec,
    )
    from eevidence.request._types import (
        CountryCode,
        LanguageTag,
        Line,
        Seq,
        Text,
        Url,
    )
    from eevidence.request._vocab import (
        DATA_CATEGORIES,
        IDENTIFIER_TYPES,
        INSTRUMENTS,
        LETTER_LANGUAGES,
        REQUEST_KINDS,
        SUBSCRIBER_DETAILS,
        DataCategory,
        IdentifierType,
        Instrument,
        LetterLanguage,
        RequestKind,
        SubscriberDetail,
    )

__all__ = [
    "DATA_CATEGORIES",
    "IDENTIFIER_TYPES",
    "INSTRUMENTS",
    "LETTER_LANGUAGES",
    "REQUEST_ADAPTER",
    "REQUEST_KINDS",
    "SCHEMA_FILES",
    "SUBSCRIBER_DETAILS",
    "AccountIdIdentifier",
    "AttachmentRef",
    "AuthorityProfile",
    "Case",
    "Confidentiality",
    "Contact",
    "CountryCode",
    "DataCategory",
    "DataRequested",
    "DomainIdentifier",
    "EmailIdentifier",
    "EmergencyDetails",
    "EmergencyDisclosureRequest",
    "EnforcingAuthority",
    "EuPreservationOrder",
    "EuProductionOrder",
    "Identifier",
    "IdentifierType",
    "ImeiIdentifier",
    "Instrument",
    "IpAddressIdentifier",
    "IpRangeIdentifier",
    "IssuingAuthority",
    "Justification",
    "LanguageTag",
    "LegalBasis",
    "LetterLanguage",
    "Line",
    "MacAddressIdentifier",
    "Officer",
    "PhoneIdentifier",
    "PreservationExtensionRequest",
    "PreservationRequest",
    "Protocol2Art7Order",
    "Request",
    "RequestKind",
    "RequestingAuthority",
    "Seq",
    "SubscriberDetail",
    "Text",
    "TimeWindow",
    "Url",
    "UrlIdentifier",
    "UsernameIdentifier",
    "ValidatingAuthority",
    "VoluntaryDisclosureRequest",
    "canonical_bytes",
    "generated_schemas",
    "new_request_id",
    "parse_identifier_spec",
    "parse_legal_basis_spec",
    "parse_request",
    "parse_window_spec",
    "read_request",
    "schema_problems",
]

__getattr__, __dir__ = _attach(__name__, __file__)
