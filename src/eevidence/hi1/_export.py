"""Export: a request as one TS 103 120 ``HI1Message`` (the layout is in the package docstring).

The request maps onto the objects field by field here; what depends on the request's
kind (legal type, task object, letter type, approver, desired preservation expiration)
comes from :mod:`eevidence.hi1._kinds`, which reads the kinds table, the urgency of a
request to a State (priority, flags, manual information lines) from
:mod:`eevidence.hi1._urgency`, dictionary values and request value formats from
:mod:`eevidence.hi1._dictionaries`.
Object identifiers are UUIDv5 values derived from the request id, so the same arguments
always give the same bytes, and import can re-derive a message to compare it.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from datetime import datetime
from typing import Final
from xml.etree import ElementTree as ET

from eevidence.errors import Hi1Error
from eevidence.hi1._dictionaries import REQUEST_TYPES, ROLES, SUBTYPES, request_value
from eevidence.hi1._kinds import (
    KIND_LINE,
    desired_expiration,
    issuer_of,
    legal_type,
    letter_type,
    task_object,
    validator_of,
)
from eevidence.hi1._model import (
    AUTH,
    CHECKSUM_TYPE,
    COMMON,
    CORE,
    DOC,
    ETSI,
    ETSI_VERSION,
    LOWER_UUID,
    OURS,
    PROFILE_OWNER,
    PROFILE_VERSION,
    REQUEST_DOCUMENT_TYPE,
    TASK,
    XSI,
    DictEntry,
    Hi1Endpoint,
    Letter,
    q,
)
from eevidence.hi1._urgency import URGENT_PRIORITY, urgency_flags, urgency_lines, urgency_of
from eevidence.hi1._xml import (
    Builder,
    long_text,
    micro_time,
    qualified_time,
    serialise,
    short_text,
    xml_text,
)
from eevidence.request import (
    IssuingAuthority,
    Request,
    ValidatingAuthority,
    canonical_bytes,
    is_emergency,
    kind_spec,
)

__all__ = [
    "build_message",
    "to_hi1_xml",
]

_NS_IDS: Final = uuid.UUID("6f1d0a52-8f3c-5d0e-9a55-3b1f2c7e4d10")

_b = Builder


def _object_id(request: Request, *parts: object) -> str:
    """A stable object identifier: the same request always gives the same ids."""
    return str(uuid.uuid5(_NS_IDS, "/".join([request.id, *map(str, parts)])))


# --------------------------------------------------------------------------- objects


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
    _b.el(obj, CORE, "OwnerIdentifier", short_text(owner.unique_id))
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
    """One ``AuthorisationApprovalDetails`` (``ApprovalDetails``, TS 103 120 annex E)."""
    node = _b.el(parent, AUTH, "AuthorisationApprovalDetails")
    _b.el(node, COMMON, "ApprovalType", kind)
    if reference is not None:
        _b.el(node, COMMON, "ApprovalReference", long_text(reference))
    approver = _b.el(node, COMMON, "ApproverDetails")
    _b.el(approver, COMMON, "ApproverName", long_text(name))
    if role is not None:
        _b.el(approver, COMMON, "ApproverRole", long_text(role))
    contact = _b.el(approver, COMMON, "ApproverContactDetails")
    if contact_name is not None:
        _b.el(contact, COMMON, "ApproverAlternateName", long_text(contact_name))
    if len(email) <= 255:
        _b.el(contact, COMMON, "ApproverEmailAddress", xml_text(email))
    _b.el(contact, COMMON, "ApproverPhoneNumber", phone.lstrip("+"))
    if timestamp is not None:
        _b.el(node, COMMON, "ApprovalTimestamp", qualified_time(timestamp))
    if emergency:
        _b.el(node, COMMON, "ApprovalIsEmergency", "true")


def _issuer(parent: ET.Element, issuer: IssuingAuthority, *, emergency: bool) -> None:
    _approval(
        parent,
        "IssuingAuthority",
        name=issuer.name,
        role=ROLES[issuer.type],
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
        role=ROLES[validator.type],
        contact_name=validator.representative,
        email=validator.email,
        phone=validator.phone,
        timestamp=validator.validated_at,
    )


def _manual_information(request: Request) -> str:
    urgency = urgency_of(request)
    lines = [
        KIND_LINE + request.kind,
        *(() if urgency is None else urgency_lines(urgency)),
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
    return long_text("\n".join(lines))


def _authorisation(
    actions: ET.Element, request: Request, sender: Hi1Endpoint, receiver: Hi1Endpoint
) -> str:
    """The ``AuthorisationObject`` (TS 103 120 clause 7.2); returns its identifier."""
    auth_id = request.id
    obj = _hi1_object(actions, q(AUTH, "AuthorisationObject"), auth_id, sender, None)
    _b.el(obj, AUTH, "AuthorisationReference", long_text(request.case.reference))
    _b.entry(obj, AUTH, "AuthorisationLegalType", legal_type(request))
    urgency = urgency_of(request)
    if kind_spec(request.kind).deadlines == "eu_art10_production":
        # Reg. (EU) 2023/1543 art. 10: 8 hours in an emergency, 10 days otherwise
        priority = "EightHours" if is_emergency(request) else "TenDaysASAP"
        _b.entry(obj, AUTH, "AuthorisationPriority", (ETSI, "EPOCPriority", priority))
    elif urgency is not None:
        _b.entry(obj, AUTH, "AuthorisationPriority", URGENT_PRIORITY)
    _b.entry(
        obj,
        AUTH,
        "AuthorisationDesiredStatus",
        (ETSI, "AuthorisationDesiredStatus", "SubmittedToCSP"),
    )
    if request.period is not None:
        span = _b.el(obj, AUTH, "AuthorisationTimespan")
        _b.el(span, AUTH, "StartTime", qualified_time(request.period.start))
        _b.el(span, AUTH, "EndTime", qualified_time(request.period.end))
    _b.endpoint(_b.el(obj, AUTH, "AuthorisationCSPID"), AUTH, "CSPID", receiver)
    _b.el(obj, AUTH, "AuthorisationCreationTimestamp", qualified_time(request.created_at))
    emergency = is_emergency(request)
    issuer = issuer_of(request)  # an order (the row's ``order``) is approved by its issuer
    if issuer is not None:
        _issuer(obj, issuer, emergency=emergency)
        validator = validator_of(request)
        if validator is not None:
            _validator(obj, validator)
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
    if urgency is not None:
        flags.extend(urgency_flags(urgency))
    if flags:
        node = _b.el(obj, AUTH, "AuthorisationFlags")
        for flag in flags:
            _b.entry(node, AUTH, "AuthorisationFlag", flag)
    _b.el(obj, AUTH, "AuthorisationManualInformation", _manual_information(request))
    _b.el(obj, AUTH, "AuthorisationJurisdiction", request.authority.country)
    category = (OURS, "OffenceCategory", request.case.offence_category)
    _b.entry(obj, AUTH, "AuthorisationTypeOfCase", category)
    entity = issuer or request.authority
    _b.el(obj, AUTH, "AuthorisationLegalEntity", short_text(entity.name))
    return auth_id


def _tasks(actions: ET.Element, request: Request, sender: Hi1Endpoint, auth_id: str) -> None:
    """One task object per identifier and data category (TS 103 120 clause 8)."""
    kind = task_object(request)
    preservation = kind == "LP"
    expiration = desired_expiration(request)
    for index, identifier in enumerate(request.identifiers):
        window = identifier.window or request.period
        observed = getattr(identifier, "timestamp", None)
        for category in request.data.categories:
            object_id = _object_id(request, "task", index, category)
            xsi_type = q(TASK, f"{kind}TaskObject")
            obj = _hi1_object(actions, xsi_type, object_id, sender, auth_id)
            if not preservation:
                _b.el(obj, TASK, "Reference", f"{sender.country}-{request.id}-{object_id}")
                desired = (ETSI, "LDTaskDesiredStatus", "AwaitingDisclosure")
            else:
                desired = (ETSI, "LPTaskDesiredStatus", "AwaitingPreservation")
            _b.entry(obj, TASK, "DesiredStatus", desired)
            details = _b.el(obj, TASK, "RequestDetails")
            _b.entry(details, TASK, "Type", (ETSI, "RequestType", REQUEST_TYPES[category]))
            if window is not None:
                _b.el(details, TASK, "StartTime", qualified_time(window.start))
                _b.el(details, TASK, "EndTime", qualified_time(window.end))
            if observed is not None and not preservation:
                _b.el(details, TASK, "ObservedTime", qualified_time(observed))
            owner, name, value = request_value(identifier)
            rv = _b.el(_b.el(details, TASK, "RequestValues"), TASK, "RequestValue")
            fmt = _b.el(rv, TASK, "FormatType")
            _b.el(fmt, TASK, "FormatOwner", owner)
            _b.el(fmt, TASK, "FormatName", name)
            _b.el(rv, TASK, "Value", long_text(value))
            if category == "subscriber" and request.data.subscriber_details:
                sub = _b.el(details, TASK, "Subtype")
                for detail in request.data.subscriber_details:
                    entry = (ETSI, "EPOCRequestSubtype", SUBTYPES[detail])
                    _b.entry(sub, TASK, "RequestSubtype", entry)
            if preservation and expiration is not None:
                _b.el(obj, TASK, "DesiredPreservationExpiration", qualified_time(expiration))


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
    """A ``DocumentObject`` (TS 103 120 clause 7.3) with its SHA-256 checksum."""
    obj = _hi1_object(
        actions, q(DOC, "DocumentObject"), _object_id(request, "document", role), sender, auth_id
    )
    _b.el(obj, DOC, "DocumentReference", long_text(request.case.reference))
    _b.el(obj, DOC, "DocumentName", long_text(name))
    _b.entry(obj, DOC, "DocumentType", document_type)
    body = _b.el(obj, DOC, "DocumentBody")
    _b.el(body, DOC, "Contents", base64.b64encode(contents).decode("ascii"))
    _b.el(body, DOC, "ContentType", short_text(content_type))
    _b.el(body, DOC, "Checksum", hashlib.sha256(contents).hexdigest())
    _b.el(body, DOC, "ChecksumType", CHECKSUM_TYPE)


# --------------------------------------------------------------------------- message


def build_message(
    request: Request,
    *,
    sender: Hi1Endpoint,
    receiver: Hi1Endpoint,
    timestamp: str,
    transaction_id: str,
    letter: Letter | None,
) -> ET.Element:
    """The ``HI1Message`` element of ``request``: header, then the objects it creates.

    Import calls this too, with the header values of the message it checks.

    Raises:
        Hi1Error: A date-time of the request has no UTC equivalent (out of range), or the
            desired preservation expiration it asks for falls after 9999-12-31.
        InputError: The request's kind has no row in the kinds table.
    """
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
            document_type=letter_type(request),
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
    """The request as one TS 103 120 ``HI1Message``: UTF-8 XML bytes, ready to send.

    The message (TS 103 120 V1.15.1; the tests validate every export against its XSDs)
    has a header (clause 6.2) and a ``RequestPayload`` whose action requests ``CREATE``
    the authorisation (clause 7.2; approved by the issuing authority of an order, as the
    kinds table's ``order`` says, else by the requesting authority; an urgent request to a
    State has the ``eevidence`` priority ``Urgent``, one ``UrgencyReason`` flag per reason
    and its reasons, explanation and answer time in the manual information), one ``LPTaskObject``
    (with the desired preservation expiration when one is known) or ``LDTaskObject`` per
    identifier and data category (clause 8), the letter when one is given and the
    canonical request JSON as ``DocumentObject``\\s (clause 7.3). Date-times are written
    in UTC, in whole seconds (``QualifiedDateTime``, TS 103 280); texts too long for
    their field end with an ellipsis, and characters XML 1.0 cannot carry are written as
    U+FFFD (the embedded request keeps the exact values). The same arguments always give
    the same bytes.

    Args:
        request: The request to export (already validated, as every ``Request`` is).
        sender: Header ``SenderIdentifier``: the requesting authority's endpoint, also
            the owner (``CountryCode``/``OwnerIdentifier``) of every object.
        receiver: Header ``ReceiverIdentifier``: the provider, also the authorisation's
            ``CSPID``.
        now: Header ``Timestamp``; must be timezone-aware. Written in UTC with
            microseconds (``QualifiedMicrosecondDateTime``, TS 103 280).
        transaction_id: Header ``TransactionIdentifier``, a lower-case UUID; a fresh
            random UUID (version 4) when None.
        document: The request letter (normally the signed PDF) to carry in a
            ``DocumentObject`` with its SHA-256 checksum; None for none.
        document_name: The letter's ``DocumentName`` (at most 65535 characters kept).
        document_content_type: The letter's MIME type (at most 255 characters kept);
            ``application/pdf`` requires ``document`` to start with ``%PDF-``.

    Returns:
        The message: UTF-8 XML with an XML declaration, fixed namespace prefixes
        (``xsi:type`` values depend on them) and two-space indentation.

    Raises:
        Hi1Error: ``transaction_id`` is not a lower-case UUID; ``document`` is said to be
            a PDF but does not start with ``%PDF-``; ``now`` or a date-time of the
            request has no UTC equivalent (out of the datetime range); or the desired
            preservation expiration (``created_at`` + ``preservation_days``,
            ``current_expiry`` + ``extension_days``) falls after 9999-12-31 (the error's
            problem names the field). An urgency's ``respond_by`` is a date-time of the
            request too.
        InputError: ``now`` is naive (it has no UTC offset), or the request's kind has no
            row in the kinds table.
    """
    if transaction_id is None:
        transaction_id = str(uuid.uuid4())
    elif not LOWER_UUID.fullmatch(transaction_id):
        raise Hi1Error(f"transaction id must be a lower-case UUID, got {transaction_id!r}")
    pdf = document_content_type == "application/pdf"
    if document is not None and pdf and not document.startswith(b"%PDF-"):
        raise Hi1Error("the document is said to be a PDF but does not start with %PDF-")
    letter = None if document is None else Letter(document, document_name, document_content_type)
    root = build_message(
        request,
        sender=sender,
        receiver=receiver,
        timestamp=micro_time(now),
        transaction_id=transaction_id,
        letter=letter,
    )
    return serialise(root)
