"""ETSI TS 103 120 (HI-1) messages: export a request, read a message, import it back.

A request becomes one ``HI1Message`` whose payload ``CREATE``s, in this order:

1. an ``AuthorisationObject`` (the legal authorisation: case reference, legal type,
   priority, timespan, the addressed provider, creation time, who issued or validated it,
   flags such as emergency or delayed user notice, and a human-readable summary);
2. one ``LPTaskObject`` (preservation kinds) or ``LDTaskObject`` (disclosure kinds) per
   identifier and data category, each with its request type, request value, time window
   and, for preservation, the desired preservation expiration;
3. a ``DocumentObject`` carrying the request letter (typically the signed PDF), with its
   SHA-256 checksum, when one is given;
4. a ``DocumentObject`` carrying the canonical request JSON (what packages sign), so
   that nothing HI-1 has no field for (justification, confidentiality, officer...) is lost.

Import reads a message (no DTDs, no entities), checks every document checksum, takes the
embedded request and re-derives the HI-1 payload from it: a message whose visible fields
say anything else than its embedded request is refused, field by field. A message from
another system carries no request document: :func:`hi1_draft` gives what its fields say in
the request format, for a person to complete.

Writing needs only the standard library; the tests validate every export against the
official XSDs (version 1.15.1) with lxml. Dictionary values and format names follow the
standard and ETSI's reference EPOC translation (see docs/decisions/0007-ts-103-120.md);
values with no ETSI dictionary use the owner ``eevidence``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Final, Literal
from xml.etree import ElementTree as ET
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from eevidence.errors import Hi1Error, InputError, Problem
from eevidence.request import (
    DataCategory,
    EuPreservationOrder,
    EuProductionOrder,
    Identifier,
    IssuingAuthority,
    Protocol2Art7Order,
    Request,
    ValidatingAuthority,
    canonical_bytes,
    parse_request,
)

__all__ = [
    "ETSI_VERSION",
    "MAX_MESSAGE_BYTES",
    "Hi1Authorisation",
    "Hi1Document",
    "Hi1Endpoint",
    "Hi1Message",
    "Hi1Task",
    "from_hi1_xml",
    "hi1_draft",
    "read_hi1",
    "to_hi1_xml",
]

ETSI_VERSION: Final = "V1.15.1"
"""The TS 103 120 version the messages are written for (and validated against in tests)."""
PROFILE_OWNER: Final = "eevidence"
PROFILE_VERSION: Final = "1"
MAX_MESSAGE_BYTES: Final = 64 * 1024 * 1024
"""Largest message read (documents travel base64-encoded inside it)."""
MAX_DEPTH: Final = 32
"""Deepest element nesting read (eevidence's own messages go 11 levels deep)."""

CORE: Final = "http://uri.etsi.org/03120/common/2019/10/Core"
COMMON: Final = "http://uri.etsi.org/03120/common/2016/02/Common"
TASK: Final = "http://uri.etsi.org/03120/common/2020/09/Task"
AUTH: Final = "http://uri.etsi.org/03120/common/2020/09/Authorisation"
DOC: Final = "http://uri.etsi.org/03120/common/2020/09/Document"
XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"
_PREFIXES: Final = {CORE: "", COMMON: "common", TASK: "task", AUTH: "auth", DOC: "doc", XSI: "xsi"}

ETSI: Final = "ETSI"
OURS: Final = "eevidence"
REQUEST_DOCUMENT_TYPE: Final = (OURS, "DocumentType", "CanonicalRequest")
LETTER_DOCUMENT_TYPE: Final = (OURS, "DocumentType", "RequestLetter")
CHECKSUM_TYPE: Final = "SHA-256"
_LONG: Final = 65535

_PRESERVATION_KINDS: Final = frozenset(
    {"preservation", "preservation_extension", "eu_preservation_order"}
)
_REQUEST_TYPES: Final[dict[DataCategory, str]] = {
    "subscriber": "SubscriberData",
    "user_identification": "UserIdentifyingData",
    "traffic": "TrafficData",
    "content": "StoredContentData",
}
_SUBTYPES: Final = {
    "user_information": "UserInformation",
    "registration_information": "RegistrationInformation",
    "type_of_service": "TypeOfServiceInformation",
    "profile_information": "ProfileInformation",
    "validation_of_use": "DataOnValidationOfUse",
    "payment_information": "DebitOrCreditCardInformation",
    "puk_codes": "PUKCodes",
    "other": "SubscriberDataOther",
}
_ROLES: Final = {
    "judge": "JudgeCourtOrInvestigatingJudge",
    "court": "JudgeCourtOrInvestigatingJudge",
    "investigating_judge": "JudgeCourtOrInvestigatingJudge",
    "public_prosecutor": "PublicProsecutor",
    "other_competent_authority": "OtherCompetentAuthority",
}
_EPOC_PR_DAYS: Final = 60  # Reg. (EU) 2023/1543 art. 11(1)
_ETSI_EMAIL: Final = re.compile(
    r"[a-zA-Z0-9.!#$%&'*+\\/=?^_`{|}~-]+@[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*"
)
_COUNTRY: Final = re.compile(r"[A-Z]{2}")
_UUID: Final = re.compile(r"[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}")
# Characters XML 1.0 cannot carry at all (even escaped), and lone surrogates (not UTF-8).
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ENTITIES: Final = {"\r": "&#13;"}  # a raw CR would be read back as a line feed
_NS_IDS: Final = uuid.UUID("6f1d0a52-8f3c-5d0e-9a55-3b1f2c7e4d10")


# --------------------------------------------------------------------------- values


def _q(ns: str, name: str) -> str:
    """Clark notation: ``{namespace}local``."""
    return f"{{{ns}}}{name}"


@dataclass(frozen=True)
class Hi1Endpoint:
    """A TS 103 120 endpoint: ISO 3166-1 alpha-2 country code and a unique identifier."""

    country: str
    unique_id: str

    def __post_init__(self) -> None:
        if not _COUNTRY.fullmatch(self.country):
            raise Hi1Error(f"endpoint country code must be two capital letters: {self.country!r}")
        if not self.unique_id or len(self.unique_id) > _LONG or _NOT_XML.search(self.unique_id):
            raise Hi1Error("endpoint unique identifier must be 1 to 65535 XML characters")

    @classmethod
    def parse(cls, text: str) -> Hi1Endpoint:
        """``'FR:PJ-CYBER'`` -> ``Hi1Endpoint('FR', 'PJ-CYBER')``."""
        country, sep, unique_id = text.partition(":")
        if not sep:
            raise Hi1Error(f"expected COUNTRY:IDENTIFIER such as 'FR:PJ-CYBER', got {text!r}")
        return cls(country, unique_id)

    def __str__(self) -> str:
        return f"{self.country}:{self.unique_id}"


DictEntry = tuple[str, str, str]
"""A TS 103 120 dictionary entry: (Owner, Name, Value)."""


@dataclass(frozen=True)
class Hi1Authorisation:
    """What an ``AuthorisationObject`` says (the fields eevidence writes)."""

    object_id: str
    reference: str | None
    legal_type: DictEntry | None
    priority: DictEntry | None
    start: str | None
    end: str | None
    created: str | None
    flags: tuple[DictEntry, ...]
    legal_entity: str | None


@dataclass(frozen=True)
class Hi1Task:
    """One ``LPTaskObject`` (preservation) or ``LDTaskObject`` (disclosure)."""

    kind: Literal["LP", "LD"]
    object_id: str
    associated: tuple[str, ...]
    reference: str | None
    request_type: DictEntry | None
    values: tuple[tuple[str, str, str], ...]
    """(FormatOwner, FormatName, Value) of each request value."""
    start: str | None
    end: str | None
    observed: str | None
    desired_expiration: str | None


@dataclass(frozen=True)
class Hi1Document:
    """A ``DocumentObject``; ``contents`` are the decoded bytes, checked against the checksum."""

    object_id: str
    name: str | None
    document_type: DictEntry | None
    content_type: str | None
    checksum: str | None
    checksum_type: str | None
    contents: bytes | None = field(repr=False)


@dataclass(frozen=True)
class Hi1Message:
    """The parts of an HI-1 request message that eevidence reads."""

    sender: Hi1Endpoint
    receiver: Hi1Endpoint
    transaction_id: str
    timestamp: str
    etsi_version: str
    profile_owner: str
    profile_version: str
    actions: tuple[str, ...]
    """The verb of each action request, in order (``CREATE``, ``UPDATE``...)."""
    authorisations: tuple[Hi1Authorisation, ...]
    tasks: tuple[Hi1Task, ...]
    documents: tuple[Hi1Document, ...]

    def summary(self) -> dict[str, object]:
        """A JSON-ready view (document contents replaced by their size)."""
        return {
            "sender": str(self.sender),
            "receiver": str(self.receiver),
            "transaction_id": self.transaction_id,
            "timestamp": self.timestamp,
            "etsi_version": self.etsi_version,
            "national_profile": f"{self.profile_owner} {self.profile_version}",
            "actions": list(self.actions),
            "authorisations": [_plain(a) for a in self.authorisations],
            "tasks": [_plain(t) for t in self.tasks],
            "documents": [
                {
                    **{k: v for k, v in _plain(d).items() if k != "contents"},
                    "size": None if d.contents is None else len(d.contents),
                }
                for d in self.documents
            ],
        }


def _plain(obj: Hi1Authorisation | Hi1Task | Hi1Document) -> dict[str, object]:
    out: dict[str, object] = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, tuple):
            value = [list(v) if isinstance(v, tuple) else v for v in value]
        out[f.name] = value
    return out


@dataclass(frozen=True)
class _Letter:
    contents: bytes
    name: str
    content_type: str


# --------------------------------------------------------------------------- formatting


def _xml_text(value: str) -> str:
    """``value`` with the characters XML 1.0 cannot carry replaced by U+FFFD.

    Only the readable copy in the XML loses them: the embedded request keeps the text as
    written, and import re-derives the same replacement, so the round trip still holds.
    """
    return _NOT_XML.sub("\ufffd", value)


def _long(value: str) -> str:
    value = _xml_text(value)
    return value if len(value) <= _LONG else value[: _LONG - 1] + "\u2026"


def _short(value: str) -> str:
    value = _xml_text(value)
    return value if len(value) <= 255 else value[:254] + "\u2026"


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InputError("a date-time without a UTC offset was given (naive datetime)")
    return moment.astimezone(UTC)


def _qualified(moment: datetime) -> str:
    """``etsi:QualifiedDateTime``: whole seconds, in UTC (fractions are dropped)."""
    return _utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def _micro(moment: datetime) -> str:
    """``etsi:QualifiedMicrosecondDateTime``, in UTC."""
    return _utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _object_id(request: Request, *parts: object) -> str:
    """A stable object identifier: the same request always gives the same ids."""
    return str(uuid.uuid5(_NS_IDS, "/".join([request.id, *map(str, parts)])))


def _request_value(identifier: Identifier) -> tuple[str, str, str]:
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


# --------------------------------------------------------------------------- building


class _Builder:
    """Elements in XSD order, namespaced; serialised by :func:`_serialise`."""

    @staticmethod
    def el(parent: ET.Element, ns: str, name: str, text: str | None = None) -> ET.Element:
        child = ET.SubElement(parent, f"{{{ns}}}{name}")
        if text is not None:
            child.text = text
        return child

    @classmethod
    def entry(cls, parent: ET.Element, ns: str, name: str, entry: DictEntry) -> ET.Element:
        node = cls.el(parent, ns, name)
        for tag, value in zip(("Owner", "Name", "Value"), entry, strict=True):
            cls.el(node, COMMON, tag, value)
        return node

    @classmethod
    def endpoint(cls, parent: ET.Element, ns: str, name: str, endpoint: Hi1Endpoint) -> None:
        node = cls.el(parent, ns, name)
        cls.el(node, CORE, "CountryCode", endpoint.country)
        cls.el(node, CORE, "UniqueIdentifier", endpoint.unique_id)


_b = _Builder


def _hi1_object(
    actions: ET.Element, xsi_type: str, object_id: str, owner: Hi1Endpoint, associated: str | None
) -> ET.Element:
    action = _b.el(actions, CORE, "ActionRequest")
    _b.el(action, CORE, "ActionIdentifier", str(len(actions) - 1))
    create = _b.el(action, CORE, "CREATE")
    obj = _b.el(create, CORE, "HI1Object")
    obj.set(f"{{{XSI}}}type", xsi_type)
    _b.el(obj, CORE, "ObjectIdentifier", object_id)
    _b.el(obj, CORE, "CountryCode", owner.country)
    _b.el(obj, CORE, "OwnerIdentifier", _short(owner.unique_id))
    if associated is not None:
        _b.el(_b.el(obj, CORE, "AssociatedObjects"), CORE, "AssociatedObject", associated)
    return obj


def _approval(
    parent: ET.Element,
    kind: str,
    *,
    name: str,
    role: str | None,
    contact_name: str | None,
    email: str,
    phone: str,
    reference: str | None = None,
    timestamp: datetime | None = None,
    emergency: bool = False,
) -> None:
    node = _b.el(parent, AUTH, "AuthorisationApprovalDetails")
    _b.el(node, COMMON, "ApprovalType", kind)
    if reference is not None:
        _b.el(node, COMMON, "ApprovalReference", _long(reference))
    approver = _b.el(node, COMMON, "ApproverDetails")
    _b.el(approver, COMMON, "ApproverName", _long(name))
    if role is not None:
        _b.el(approver, COMMON, "ApproverRole", _long(role))
    contact = _b.el(approver, COMMON, "ApproverContactDetails")
    if contact_name is not None:
        _b.el(contact, COMMON, "ApproverAlternateName", _long(contact_name))
    if len(email) <= 255:
        _b.el(contact, COMMON, "ApproverEmailAddress", _xml_text(email))
    _b.el(contact, COMMON, "ApproverPhoneNumber", phone.lstrip("+"))
    if timestamp is not None:
        _b.el(node, COMMON, "ApprovalTimestamp", _qualified(timestamp))
    if emergency:
        _b.el(node, COMMON, "ApprovalIsEmergency", "true")


def _issuer(parent: ET.Element, issuer: IssuingAuthority, *, emergency: bool) -> None:
    _approval(
        parent,
        "IssuingAuthority",
        name=issuer.name,
        role=_ROLES[issuer.type],
        contact_name=issuer.representative,
        email=issuer.email,
        phone=issuer.phone,
        reference=issuer.file_reference,
        emergency=emergency,
    )


def _validator(parent: ET.Element, validator: ValidatingAuthority) -> None:
    _approval(
        parent,
        "ValidatingAuthority",
        name=validator.name,
        role=_ROLES[validator.type],
        contact_name=validator.representative,
        email=validator.email,
        phone=validator.phone,
        timestamp=validator.validated_at,
    )


def _is_emergency(request: Request) -> bool:
    if request.kind == "emergency_disclosure":
        return True
    return isinstance(request, EuProductionOrder) and request.emergency is not None


def _manual_information(request: Request) -> str:
    lines = [
        f"Request kind: {request.kind}",
        f"Requesting authority: {request.authority.name} ({request.authority.country}), "
        f"{request.authority.unit}",
        f"Offence: {request.case.offence_description}",
        f"Statutory citation: {request.case.statutory_citation}",
        f"Summary of facts: {request.case.summary_of_facts}",
        f"Relation to the offence: {request.justification.relation_to_offence}",
        "Necessity and proportionality: " + request.justification.necessity_and_proportionality,
    ]
    if request.data.description:
        lines.append(f"Data requested: {request.data.description}")
    if request.confidentiality is not None:
        lines.append(f"Do not notify the user: {request.confidentiality.reason}")
    emergency = getattr(request, "emergency", None)
    if emergency is not None:
        lines.append(f"Emergency: {emergency.threat_nature} {emergency.why_without_delay}")
    return _long("\n".join(lines))


def _authorisation(
    actions: ET.Element, request: Request, sender: Hi1Endpoint, receiver: Hi1Endpoint
) -> str:
    auth_id = request.id
    obj = _hi1_object(actions, _q(AUTH, "AuthorisationObject"), auth_id, sender, None)
    _b.el(obj, AUTH, "AuthorisationReference", _long(request.case.reference))
    if isinstance(request, EuProductionOrder):
        _b.entry(obj, AUTH, "AuthorisationLegalType", (ETSI, "EPOCLegalType", "EPOC"))
        priority = "EightHours" if request.emergency is not None else "TenDaysASAP"
        _b.entry(obj, AUTH, "AuthorisationPriority", (ETSI, "EPOCPriority", priority))
    elif isinstance(request, EuPreservationOrder):
        _b.entry(obj, AUTH, "AuthorisationLegalType", (ETSI, "EPOCLegalType", "EPOCPR"))
    else:
        legal = (OURS, "LegalInstrument", request.legal_basis[0].instrument)
        _b.entry(obj, AUTH, "AuthorisationLegalType", legal)
    _b.entry(
        obj,
        AUTH,
        "AuthorisationDesiredStatus",
        (ETSI, "AuthorisationDesiredStatus", "SubmittedToCSP"),
    )
    if request.period is not None:
        span = _b.el(obj, AUTH, "AuthorisationTimespan")
        _b.el(span, AUTH, "StartTime", _qualified(request.period.start))
        _b.el(span, AUTH, "EndTime", _qualified(request.period.end))
    _b.endpoint(_b.el(obj, AUTH, "AuthorisationCSPID"), AUTH, "CSPID", receiver)
    _b.el(obj, AUTH, "AuthorisationCreationTimestamp", _qualified(request.created_at))
    emergency = _is_emergency(request)
    if isinstance(request, EuProductionOrder | EuPreservationOrder | Protocol2Art7Order):
        _issuer(obj, request.issuing_authority, emergency=emergency)
        if not isinstance(request, Protocol2Art7Order) and request.validating_authority:
            _validator(obj, request.validating_authority)
    else:
        officer = request.authority.officer
        _approval(
            obj,
            "RequestingAuthority",
            name=request.authority.name,
            role=officer.role,
            contact_name=officer.name,
            email=officer.email,
            phone=officer.phone,
            reference=request.case.reference,
            emergency=emergency,
        )
    flags: list[DictEntry] = []
    if emergency:
        flags.append((ETSI, "AuthorisationFlag", "IsEmergency"))
    if request.confidentiality is not None:
        flags.append((ETSI, "EPOCAuthorisationFlag", "DelayInformingUser"))
    enforcing = getattr(request, "enforcing_authority", None)
    if enforcing is not None and enforcing.notified_at is not None:
        flags.append((ETSI, "EPOCAuthorisationFlag", "EnforcingAuthorityNotified"))
    if flags:
        node = _b.el(obj, AUTH, "AuthorisationFlags")
        for flag in flags:
            _b.entry(node, AUTH, "AuthorisationFlag", flag)
    _b.el(obj, AUTH, "AuthorisationManualInformation", _manual_information(request))
    _b.el(obj, AUTH, "AuthorisationJurisdiction", request.authority.country)
    category = (OURS, "OffenceCategory", request.case.offence_category)
    _b.entry(obj, AUTH, "AuthorisationTypeOfCase", category)
    entity = getattr(request, "issuing_authority", None) or request.authority
    _b.el(obj, AUTH, "AuthorisationLegalEntity", _short(entity.name))
    return auth_id


def _desired_expiration(request: Request) -> datetime | None:
    if request.kind == "preservation" and request.preservation_days:
        return request.created_at + timedelta(days=request.preservation_days)
    if (
        request.kind == "preservation_extension"
        and request.current_expiry
        and (request.extension_days)
    ):
        return request.current_expiry + timedelta(days=request.extension_days)
    if request.kind == "eu_preservation_order":
        return request.created_at + timedelta(days=_EPOC_PR_DAYS)
    return None


def _tasks(actions: ET.Element, request: Request, sender: Hi1Endpoint, auth_id: str) -> None:
    preservation = request.kind in _PRESERVATION_KINDS
    expiration = _desired_expiration(request)
    for index, identifier in enumerate(request.identifiers):
        window = identifier.window or request.period
        observed = getattr(identifier, "timestamp", None)
        for category in request.data.categories:
            object_id = _object_id(request, "task", index, category)
            xsi_type = _q(TASK, "LPTaskObject" if preservation else "LDTaskObject")
            obj = _hi1_object(actions, xsi_type, object_id, sender, auth_id)
            if not preservation:
                _b.el(obj, TASK, "Reference", f"{sender.country}-{request.id}-{object_id}")
                desired = (ETSI, "LDTaskDesiredStatus", "AwaitingDisclosure")
            else:
                desired = (ETSI, "LPTaskDesiredStatus", "AwaitingPreservation")
            _b.entry(obj, TASK, "DesiredStatus", desired)
            details = _b.el(obj, TASK, "RequestDetails")
            _b.entry(details, TASK, "Type", (ETSI, "RequestType", _REQUEST_TYPES[category]))
            if window is not None:
                _b.el(details, TASK, "StartTime", _qualified(window.start))
                _b.el(details, TASK, "EndTime", _qualified(window.end))
            if observed is not None and not preservation:
                _b.el(details, TASK, "ObservedTime", _qualified(observed))
            owner, name, value = _request_value(identifier)
            rv = _b.el(_b.el(details, TASK, "RequestValues"), TASK, "RequestValue")
            fmt = _b.el(rv, TASK, "FormatType")
            _b.el(fmt, TASK, "FormatOwner", owner)
            _b.el(fmt, TASK, "FormatName", name)
            _b.el(rv, TASK, "Value", _long(value))
            if category == "subscriber" and request.data.subscriber_details:
                sub = _b.el(details, TASK, "Subtype")
                for detail in request.data.subscriber_details:
                    entry = (ETSI, "EPOCRequestSubtype", _SUBTYPES[detail])
                    _b.entry(sub, TASK, "RequestSubtype", entry)
            if preservation and expiration is not None:
                _b.el(obj, TASK, "DesiredPreservationExpiration", _qualified(expiration))


def _document(
    actions: ET.Element,
    request: Request,
    sender: Hi1Endpoint,
    auth_id: str,
    *,
    role: str,
    name: str,
    document_type: DictEntry,
    contents: bytes,
    content_type: str,
) -> None:
    obj = _hi1_object(
        actions, _q(DOC, "DocumentObject"), _object_id(request, "document", role), sender, auth_id
    )
    _b.el(obj, DOC, "DocumentReference", _long(request.case.reference))
    _b.el(obj, DOC, "DocumentName", _long(name))
    _b.entry(obj, DOC, "DocumentType", document_type)
    body = _b.el(obj, DOC, "DocumentBody")
    _b.el(body, DOC, "Contents", base64.b64encode(contents).decode("ascii"))
    _b.el(body, DOC, "ContentType", _short(content_type))
    _b.el(body, DOC, "Checksum", hashlib.sha256(contents).hexdigest())
    _b.el(body, DOC, "ChecksumType", CHECKSUM_TYPE)


def _letter_type(request: Request) -> DictEntry:
    if request.kind == "eu_production_order":
        return (ETSI, "EPOCDocumentType", "Form1")
    if request.kind == "eu_preservation_order":
        return (ETSI, "EPOCDocumentType", "Form2")
    return LETTER_DOCUMENT_TYPE


def _message(
    request: Request,
    *,
    sender: Hi1Endpoint,
    receiver: Hi1Endpoint,
    timestamp: str,
    transaction_id: str,
    letter: _Letter | None,
) -> ET.Element:
    root = ET.Element(f"{{{CORE}}}HI1Message")
    header = _b.el(root, CORE, "Header")
    _b.endpoint(header, CORE, "SenderIdentifier", sender)
    _b.endpoint(header, CORE, "ReceiverIdentifier", receiver)
    _b.el(header, CORE, "TransactionIdentifier", transaction_id)
    _b.el(header, CORE, "Timestamp", timestamp)
    version = _b.el(header, CORE, "Version")
    _b.el(version, CORE, "ETSIVersion", ETSI_VERSION)
    _b.el(version, CORE, "NationalProfileOwner", PROFILE_OWNER)
    _b.el(version, CORE, "NationalProfileVersion", PROFILE_VERSION)
    actions = _b.el(
        _b.el(_b.el(root, CORE, "Payload"), CORE, "RequestPayload"), CORE, "ActionRequests"
    )
    auth_id = _authorisation(actions, request, sender, receiver)
    _tasks(actions, request, sender, auth_id)
    if letter is not None:
        _document(
            actions,
            request,
            sender,
            auth_id,
            role="letter",
            name=letter.name,
            document_type=_letter_type(request),
            contents=letter.contents,
            content_type=letter.content_type,
        )
    _document(
        actions,
        request,
        sender,
        auth_id,
        role="request",
        name=f"{request.id}.json",
        document_type=REQUEST_DOCUMENT_TYPE,
        contents=canonical_bytes(request),
        content_type="application/json",
    )
    return root


def _serialise(root: ET.Element) -> bytes:
    """UTF-8 XML with fixed prefixes (``xsi:type`` values depend on them), two-space indent."""
    out: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>\n']

    def qname(tag: str) -> str:
        ns, _, local = tag[1:].partition("}")
        prefix = _PREFIXES[ns]
        return f"{prefix}:{local}" if prefix else local

    def write(node: ET.Element, depth: int) -> None:
        pad = "  " * depth
        attrs = ""
        if depth == 0:
            attrs = "".join(f' xmlns{":" + p if p else ""}="{ns}"' for ns, p in _PREFIXES.items())
        for key, value in node.attrib.items():
            # the only attribute written is xsi:type, whose value is a Clark-notation QName
            attrs += f" {qname(key)}={quoteattr(qname(value))}"
        name = qname(node.tag)
        if len(node):
            out.append(f"{pad}<{name}{attrs}>\n")
            for child in node:
                write(child, depth + 1)
            out.append(f"{pad}</{name}>\n")
        else:
            out.append(f"{pad}<{name}{attrs}>{escape(node.text or '', _ENTITIES)}</{name}>\n")

    write(root, 0)
    return "".join(out).encode("utf-8")


def to_hi1_xml(
    request: Request,
    *,
    sender: Hi1Endpoint,
    receiver: Hi1Endpoint,
    now: datetime,
    transaction_id: str | None = None,
    document: bytes | None = None,
    document_name: str = "request.pdf",
    document_content_type: str = "application/pdf",
) -> bytes:
    """The request as a TS 103 120 ``HI1Message`` (UTF-8 XML bytes).

    ``sender``/``receiver`` are the header endpoints (the receiver is also the
    authorisation's CSP id); ``now`` (aware) is the header timestamp; ``transaction_id``
    defaults to a fresh UUID; ``document`` is the request letter (normally the signed PDF)
    to carry in a ``DocumentObject`` with its SHA-256 checksum. The same arguments always
    give the same bytes.
    """
    if transaction_id is None:
        transaction_id = str(uuid.uuid4())
    elif not _UUID.fullmatch(transaction_id):
        raise Hi1Error(f"transaction id must be a lower-case UUID, got {transaction_id!r}")
    pdf = document_content_type == "application/pdf"
    if document is not None and pdf and not document.startswith(b"%PDF-"):
        raise Hi1Error("the document is said to be a PDF but does not start with %PDF-")
    letter = None if document is None else _Letter(document, document_name, document_content_type)
    root = _message(
        request,
        sender=sender,
        receiver=receiver,
        timestamp=_micro(now),
        transaction_id=transaction_id,
        letter=letter,
    )
    return _serialise(root)


# --------------------------------------------------------------------------- reading


def _parse_xml(data: bytes, source: str) -> ET.Element:
    """Parse with expat; DTDs (hence entity declarations) are refused outright."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise Hi1Error(f"message is larger than {MAX_MESSAGE_BYTES} bytes", source=source)
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    scopes: list[dict[str, str]] = []
    pending: dict[str, str] = {}

    def refuse(*_args: object) -> None:
        raise Hi1Error("the message has a DTD or entity declaration (refused)", source=source)

    def start_ns(prefix: str | None, uri: str) -> None:
        pending[prefix or ""] = uri

    def start(name: str, attrs: dict[str, str]) -> None:
        if len(scopes) >= MAX_DEPTH:
            raise Hi1Error(f"elements nested deeper than {MAX_DEPTH} levels", source=source)
        scopes.append(dict(pending))
        pending.clear()
        resolved: dict[str, str] = {}
        for key, value in attrs.items():
            tag = "{" + key if "}" in key else key
            if tag == f"{{{XSI}}}type":
                prefix, _, local = value.strip().rpartition(":")
                uri = next((s[prefix] for s in reversed(scopes) if prefix in s), None)
                resolved[tag] = f"{{{uri}}}{local}" if uri is not None else local
            else:
                resolved[tag] = value
        builder.start("{" + name if "}" in name else name, resolved)

    def end(name: str) -> None:
        scopes.pop()
        builder.end("{" + name if "}" in name else name)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartNamespaceDeclHandler = start_ns
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise Hi1Error(f"not well-formed XML: {exc}", source=source) from None
    except (LookupError, ValueError) as exc:  # an unknown or broken declared encoding
        raise Hi1Error(f"cannot decode the XML: {exc}", source=source) from None
    return builder.close()


def _text(node: ET.Element | None) -> str | None:
    return None if node is None else (node.text or "")


def _child_text(node: ET.Element, ns: str, name: str) -> str | None:
    return _text(node.find(_q(ns, name)))


def _entry(node: ET.Element | None) -> DictEntry | None:
    if node is None:
        return None
    parts = [_child_text(node, COMMON, tag) or "" for tag in ("Owner", "Name", "Value")]
    return parts[0], parts[1], parts[2]


def _endpoint(node: ET.Element | None, what: str, source: str) -> Hi1Endpoint:
    if node is None:
        raise Hi1Error(f"the header has no {what}", source=source)
    try:
        return Hi1Endpoint(
            (_child_text(node, CORE, "CountryCode") or "").strip(),
            _child_text(node, CORE, "UniqueIdentifier") or "",
        )
    except Hi1Error as exc:
        raise Hi1Error(f"{what}: {exc}", source=source) from None


def _read_authorisation(obj: ET.Element, object_id: str) -> Hi1Authorisation:
    span = obj.find(_q(AUTH, "AuthorisationTimespan"))
    flags = obj.find(_q(AUTH, "AuthorisationFlags"))
    return Hi1Authorisation(
        object_id=object_id,
        reference=_child_text(obj, AUTH, "AuthorisationReference"),
        legal_type=_entry(obj.find(_q(AUTH, "AuthorisationLegalType"))),
        priority=_entry(obj.find(_q(AUTH, "AuthorisationPriority"))),
        start=None if span is None else _child_text(span, AUTH, "StartTime"),
        end=None if span is None else _child_text(span, AUTH, "EndTime"),
        created=_child_text(obj, AUTH, "AuthorisationCreationTimestamp"),
        flags=tuple(
            e for e in (_entry(f) for f in ([] if flags is None else flags)) if e is not None
        ),
        legal_entity=_child_text(obj, AUTH, "AuthorisationLegalEntity"),
    )


def _read_task(obj: ET.Element, object_id: str, kind: Literal["LP", "LD"]) -> Hi1Task:
    details = obj.find(_q(TASK, "RequestDetails"))
    values: list[tuple[str, str, str]] = []
    if details is not None:
        for rv in details.iterfind(f"{_q(TASK, 'RequestValues')}/{_q(TASK, 'RequestValue')}"):
            fmt = rv.find(_q(TASK, "FormatType"))
            values.append(
                (
                    "" if fmt is None else _child_text(fmt, TASK, "FormatOwner") or "",
                    "" if fmt is None else _child_text(fmt, TASK, "FormatName") or "",
                    _child_text(rv, TASK, "Value") or "",
                )
            )

    def detail(name: str) -> str | None:
        return None if details is None else _child_text(details, TASK, name)

    return Hi1Task(
        kind=kind,
        object_id=object_id,
        associated=_associated(obj),
        reference=_child_text(obj, TASK, "Reference"),
        request_type=None if details is None else _entry(details.find(_q(TASK, "Type"))),
        values=tuple(values),
        start=detail("StartTime"),
        end=detail("EndTime"),
        observed=detail("ObservedTime"),
        desired_expiration=_child_text(obj, TASK, "DesiredPreservationExpiration"),
    )


def _associated(obj: ET.Element) -> tuple[str, ...]:
    path = f"{_q(CORE, 'AssociatedObjects')}/{_q(CORE, 'AssociatedObject')}"
    return tuple((n.text or "").strip() for n in obj.iterfind(path))


def _read_document(obj: ET.Element, object_id: str, source: str) -> Hi1Document:
    body = obj.find(_q(DOC, "DocumentBody"))
    contents: bytes | None = None
    checksum = checksum_type = content_type = None
    if body is not None:
        encoded = _child_text(body, DOC, "Contents")
        if encoded is not None:
            try:
                contents = base64.b64decode("".join(encoded.split()), validate=True)
            except (binascii.Error, ValueError):
                raise Hi1Error(
                    f"document {object_id}: contents are not valid base64", source=source
                ) from None
        content_type = _child_text(body, DOC, "ContentType")
        checksum = _child_text(body, DOC, "Checksum")
        checksum_type = _child_text(body, DOC, "ChecksumType")
    if contents is not None and checksum is not None:
        if checksum_type not in {CHECKSUM_TYPE, "SHA256", "sha256", "sha-256"}:
            raise Hi1Error(
                f"document {object_id}: unsupported checksum type {checksum_type!r}",
                source=source,
            )
        if hashlib.sha256(contents).hexdigest() != checksum.strip().lower():
            raise Hi1Error(
                f"document {object_id}: contents do not match their SHA-256 checksum",
                source=source,
            )
    return Hi1Document(
        object_id=object_id,
        name=_child_text(obj, DOC, "DocumentName"),
        document_type=_entry(obj.find(_q(DOC, "DocumentType"))),
        content_type=content_type,
        checksum=checksum,
        checksum_type=checksum_type,
        contents=contents,
    )


_OBJECT_TYPES: Final = {
    _q(AUTH, "AuthorisationObject"): "authorisation",
    _q(TASK, "LPTaskObject"): "LP",
    _q(TASK, "LDTaskObject"): "LD",
    _q(DOC, "DocumentObject"): "document",
}


def _read(root: ET.Element, source: str) -> Hi1Message:
    if root.tag != _q(CORE, "HI1Message"):
        raise Hi1Error(f"not an HI1Message (root element {root.tag})", source=source)
    header = root.find(_q(CORE, "Header"))
    if header is None:
        raise Hi1Error("the message has no Header", source=source)
    version = header.find(_q(CORE, "Version"))
    actions: list[str] = []
    authorisations: list[Hi1Authorisation] = []
    tasks: list[Hi1Task] = []
    documents: list[Hi1Document] = []
    path = "/".join(_q(CORE, n) for n in ("Payload", "RequestPayload", "ActionRequests"))
    for action in root.iterfind(f"{path}/{_q(CORE, 'ActionRequest')}"):
        for verb in ("CREATE", "UPDATE", "GET", "LIST", "DELIVER"):
            node = action.find(_q(CORE, verb))
            if node is not None:
                actions.append(verb)
                break
        else:
            raise Hi1Error("an ActionRequest has no known action", source=source)
        obj = node.find(_q(CORE, "HI1Object"))
        if obj is None:
            continue
        object_id = (_child_text(obj, CORE, "ObjectIdentifier") or "").strip()
        kind = _OBJECT_TYPES.get(obj.get(_q(XSI, "type"), ""))
        if kind == "authorisation":
            authorisations.append(_read_authorisation(obj, object_id))
        elif kind == "LP":
            tasks.append(_read_task(obj, object_id, "LP"))
        elif kind == "LD":
            tasks.append(_read_task(obj, object_id, "LD"))
        elif kind == "document":
            documents.append(_read_document(obj, object_id, source))
    return Hi1Message(
        sender=_endpoint(header.find(_q(CORE, "SenderIdentifier")), "sender", source),
        receiver=_endpoint(header.find(_q(CORE, "ReceiverIdentifier")), "receiver", source),
        transaction_id=(_child_text(header, CORE, "TransactionIdentifier") or "").strip(),
        timestamp=(_child_text(header, CORE, "Timestamp") or "").strip(),
        etsi_version=(
            "" if version is None else (_child_text(version, CORE, "ETSIVersion") or "").strip()
        ),
        profile_owner=(
            "" if version is None else _child_text(version, CORE, "NationalProfileOwner") or ""
        ),
        profile_version=(
            "" if version is None else _child_text(version, CORE, "NationalProfileVersion") or ""
        ),
        actions=tuple(actions),
        authorisations=tuple(authorisations),
        tasks=tuple(tasks),
        documents=tuple(documents),
    )


def read_hi1(data: bytes, *, source: str = "<input>") -> Hi1Message:
    """Read any HI-1 request message: header, authorisations, tasks and documents.

    Document checksums are verified (a mismatch raises :class:`Hi1Error`). The message is
    not validated against the XSDs here; that needs lxml and is done in the test suite.
    """
    return _read(_parse_xml(data, source), source)


# --------------------------------------------------------------------------- import


def _leaves(root: ET.Element) -> Iterator[tuple[str, str]]:
    """(path, text) of every element, attribute and stray text, in document order."""

    def name(tag: str) -> str:
        if not tag.startswith("{"):
            return tag
        ns, _, local = tag[1:].partition("}")
        prefix = _PREFIXES.get(ns)
        if prefix is None:
            return tag
        return f"{prefix}:{local}" if prefix else local

    def walk(node: ET.Element, path: str) -> Iterator[tuple[str, str]]:
        counts: dict[str, int] = {}
        for child in node:
            counts[child.tag] = counts.get(child.tag, 0) + 1
            local = child.tag.rpartition("}")[2]
            here = f"{path}/{name(child.tag)}[{counts[child.tag]}]"
            for key, value in sorted(child.attrib.items()):
                yield f"{here}/@{name(key)}", value
            if (child.tail or "").strip():  # stray text between elements
                yield f"{here}/following-text()", child.tail or ""
            if len(child):
                if (child.text or "").strip():
                    yield f"{here}/text()", child.text or ""
                yield from walk(child, here)
            else:
                text = child.text or ""
                if local == "Contents":
                    text = "".join(text.split())
                yield here, text

    for key, value in sorted(root.attrib.items()):
        yield f"HI1Message/@{name(key)}", value
    if (root.text or "").strip():
        yield "HI1Message/text()", root.text or ""
    yield from walk(root, "HI1Message")


def _expected_root(message: Hi1Message, request: Request, letter: _Letter | None) -> ET.Element:
    return _message(
        request,
        sender=message.sender,
        receiver=message.receiver,
        timestamp=message.timestamp,
        transaction_id=message.transaction_id,
        letter=letter,
    )


def from_hi1_xml(data: bytes, *, source: str = "<input>") -> Request:
    """The request an eevidence HI-1 message carries, checked against the message.

    The message must carry the canonical request document (eevidence writes it in every
    export); its checksum must hold; and every field of the payload a provider reads
    (authorisation, tasks, letter) must be exactly what the embedded request gives.
    Raises :class:`Hi1Error` listing each disagreeing field.
    """
    root = _parse_xml(data, source)
    message = _read(root, source)
    embedded = [d for d in message.documents if d.document_type == REQUEST_DOCUMENT_TYPE]
    if len(embedded) != 1 or embedded[0].contents is None:
        raise Hi1Error(
            "the message carries no eevidence request document: HI-1 alone has no field for "
            "the requesting officer, justification, confidentiality, language and more, so "
            "no complete request can be made from it (read_hi1 / --summary shows what it "
            "holds)",
            source=source,
        )
    if embedded[0].checksum is None:
        raise Hi1Error("the request document has no checksum", source=source)
    request = parse_request(embedded[0].contents, source=f"{source} (request document)")
    letters = [d for d in message.documents if d is not embedded[0]]
    letter: _Letter | None = None
    if letters:
        first = letters[0]
        letter = _Letter(first.contents or b"", first.name or "", first.content_type or "")
    expected = list(_leaves(_expected_root(message, request, letter)))
    found = list(_leaves(root))
    if expected != found:
        problems = _differences(expected, found)
        raise Hi1Error(
            f"the message's fields disagree with its embedded request ({len(problems)} "
            "difference(s))",
            source=source,
            problems=problems,
        )
    return request


def _differences(
    expected: Sequence[tuple[str, str]], found: Sequence[tuple[str, str]]
) -> list[Problem]:
    want = dict(expected)
    have = dict(found)
    problems: list[Problem] = []
    for path, value in expected:
        if path not in have:
            problems.append(Problem(path, "missing from the message"))
        elif have[path] != value:
            shown = have[path] if len(have[path]) <= 80 else have[path][:77] + "..."
            problems.append(Problem(path, f"message says {shown!r}, the request gives another"))
    problems.extend(
        Problem(path, "not derived from the embedded request")
        for path, _ in found
        if path not in want
    )
    return problems


# --------------------------------------------------------------------------- drafts

_CATEGORIES: Final = {v: k for k, v in _REQUEST_TYPES.items()}
_PROVIDER_ID: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


def _luhn_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def _identifier(
    owner: str, name: str, value: str, observed: str | None
) -> dict[str, object] | None:
    """A request identifier from an HI-1 request value, or None when there is no equivalent."""
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
    if owner == ETSI and name == "IMEI" and value.isdigit() and len(value) == 14:
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


def _kind(message: Hi1Message) -> str:
    legal = message.authorisations[0].legal_type if message.authorisations else None
    if legal == (ETSI, "EPOCLegalType", "EPOCPR"):
        return "eu_preservation_order"
    if legal == (ETSI, "EPOCLegalType", "EPOC"):
        return "eu_production_order"
    if any(t.kind == "LP" for t in message.tasks):
        return "preservation"
    flags = message.authorisations[0].flags if message.authorisations else ()
    if (ETSI, "AuthorisationFlag", "IsEmergency") in flags:
        return "emergency_disclosure"
    return "voluntary_disclosure"


def hi1_draft(message: Hi1Message) -> tuple[dict[str, object], list[str]]:
    """What an HI-1 message says, in the request format, for a person to complete.

    Returns the draft (a JSON object; ``parse_request`` lists what is still missing, such as
    the requesting authority, justification and language, which HI-1 does not carry) and
    notes on the request values that have no request identifier type (they are left out).
    """
    draft: dict[str, object] = {"schema_version": 1, "kind": _kind(message)}
    notes: list[str] = []
    auth = message.authorisations[0] if message.authorisations else None
    if auth is not None:
        if _UUID.fullmatch(auth.object_id):
            draft["id"] = auth.object_id
        if auth.created:
            draft["created_at"] = auth.created
        if auth.reference:
            draft["case"] = {"reference": auth.reference}
        if auth.start and auth.end:
            draft["period"] = {"start": auth.start, "end": auth.end}
        if auth.legal_type is not None:
            owner, name, value = auth.legal_type
            if (owner, name) == (ETSI, "EPOCLegalType"):
                draft["legal_basis"] = [{"instrument": "eu_2023_1543"}]
            elif (owner, name) == (OURS, "LegalInstrument"):
                draft["legal_basis"] = [{"instrument": value}]
    provider = message.receiver.unique_id
    if _PROVIDER_ID.fullmatch(provider):
        draft["provider"] = provider
    identifiers: list[dict[str, object]] = []
    categories: list[str] = []
    for task in message.tasks:
        if task.request_type is not None and task.request_type[:2] == (ETSI, "RequestType"):
            category = _CATEGORIES.get(task.request_type[2])
            if category is not None and category not in categories:
                categories.append(category)
        for owner, name, value in task.values:
            ident = _identifier(owner, name, value, task.observed)
            if ident is None:
                notes.append(f"task {task.object_id}: no identifier type for {owner}/{name}")
                continue
            if (
                task.start
                and task.end
                and (task.start, task.end)
                != (
                    None if auth is None else auth.start,
                    None if auth is None else auth.end,
                )
            ):
                ident["window"] = {"start": task.start, "end": task.end}
            if ident not in identifiers:
                identifiers.append(ident)
    if identifiers:
        draft["identifiers"] = identifiers
    if categories:
        draft["data"] = {"categories": categories}
    expirations = {t.desired_expiration for t in message.tasks if t.desired_expiration}
    if draft["kind"] == "preservation" and len(expirations) == 1 and auth and auth.created:
        try:
            days = datetime.fromisoformat(expirations.pop()) - datetime.fromisoformat(auth.created)
        except ValueError:
            days = timedelta(0)
        if days.days >= 1 and days == timedelta(days=days.days):
            draft["preservation_days"] = days.days
    return draft, notes
