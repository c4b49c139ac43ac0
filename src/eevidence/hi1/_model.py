"""HI-1 message values: namespaces, limits and the frozen parts of a message.

The constants every module of the package shares (the TS 103 120 V1.15.1 namespaces with
the prefixes eevidence writes, dictionary owners, document types, size limits) and the
frozen dataclasses a message is read into: :class:`Hi1Message` with its
:class:`Hi1Authorisation`, :class:`Hi1Task` and :class:`Hi1Document` objects, and the
endpoints that address a message (:class:`Hi1Endpoint`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Final, Literal

from eevidence.errors import Hi1Error

__all__ = [
    "AUTH",
    "CHECKSUM_TYPE",
    "COMMON",
    "CORE",
    "DOC",
    "ETSI",
    "ETSI_VERSION",
    "LETTER_DOCUMENT_TYPE",
    "LONG_TEXT",
    "LOWER_UUID",
    "MAX_DEPTH",
    "MAX_MESSAGE_BYTES",
    "NOT_XML",
    "OURS",
    "PREFIXES",
    "PROFILE_OWNER",
    "PROFILE_VERSION",
    "REQUEST_DOCUMENT_TYPE",
    "TASK",
    "XSI",
    "DictEntry",
    "Hi1Authorisation",
    "Hi1Document",
    "Hi1Endpoint",
    "Hi1Message",
    "Hi1Task",
    "Letter",
    "q",
]

ETSI_VERSION: Final = "V1.15.1"
"""The TS 103 120 version the messages are written for (and validated against in tests)."""
PROFILE_OWNER: Final = "eevidence"
"""``NationalProfileOwner`` written in the header: no national profile is claimed."""
PROFILE_VERSION: Final = "1"
"""``NationalProfileVersion`` written in the header."""
MAX_MESSAGE_BYTES: Final = 64 * 1024 * 1024
"""Largest message read, in bytes (documents travel base64-encoded inside it)."""
MAX_DEPTH: Final = 32
"""Deepest element nesting read (eevidence's own messages go 11 levels deep)."""

CORE: Final = "http://uri.etsi.org/03120/common/2019/10/Core"
COMMON: Final = "http://uri.etsi.org/03120/common/2016/02/Common"
TASK: Final = "http://uri.etsi.org/03120/common/2020/09/Task"
AUTH: Final = "http://uri.etsi.org/03120/common/2020/09/Authorisation"
DOC: Final = "http://uri.etsi.org/03120/common/2020/09/Document"
XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"
PREFIXES: Final = {CORE: "", COMMON: "common", TASK: "task", AUTH: "auth", DOC: "doc", XSI: "xsi"}
"""Namespace -> the prefix written for it (``""``: the default namespace). ``xsi:type``
values are QNames, so these prefixes are fixed and all declared on the root."""

ETSI: Final = "ETSI"
"""Owner of the dictionaries and formats TS 103 120 / TS 103 280 define."""
OURS: Final = "eevidence"
"""Owner of the values no ETSI dictionary has (so none pretends to be ETSI's)."""
REQUEST_DOCUMENT_TYPE: Final = (OURS, "DocumentType", "CanonicalRequest")
"""``DocumentType`` of the document carrying the canonical request JSON."""
LETTER_DOCUMENT_TYPE: Final = (OURS, "DocumentType", "RequestLetter")
"""``DocumentType`` of a request letter that has no EPOC form number."""
CHECKSUM_TYPE: Final = "SHA-256"
"""``ChecksumType`` written for every document."""
LONG_TEXT: Final = 65535
"""Longest text (in characters) of the ``LongString`` fields of TS 103 120."""
LOWER_UUID: Final = re.compile(r"[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}")
"""TS 103 120's UUID pattern (lower-case hexadecimal only)."""
NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot carry at all (even escaped), and lone surrogates (not UTF-8)."""
_COUNTRY: Final = re.compile(r"[A-Z]{2}")


def q(ns: str, name: str) -> str:
    """Clark notation of an element or type name: ``{namespace}local``."""
    return f"{{{ns}}}{name}"


DictEntry = tuple[str, str, str]
"""A TS 103 120 dictionary entry (annex F): (Owner, Name, Value)."""


@dataclass(frozen=True)
class Hi1Endpoint:
    """A TS 103 120 ``EndpointID`` (clause 6.2.4): who sends or receives a message.

    Raises:
        Hi1Error: ``country`` is not two capital letters, or ``unique_id`` is empty,
            longer than 65535 characters or holds a character XML 1.0 cannot carry.
    """

    country: str
    """ISO 3166-1 alpha-2 country code, such as ``FR``."""
    unique_id: str
    """Identifier unique within the country (1 to 65535 characters), such as ``PJ-CYBER``."""

    def __post_init__(self) -> None:
        if not _COUNTRY.fullmatch(self.country):
            raise Hi1Error(f"endpoint country code must be two capital letters: {self.country!r}")
        if not self.unique_id or len(self.unique_id) > LONG_TEXT or NOT_XML.search(self.unique_id):
            raise Hi1Error("endpoint unique identifier must be 1 to 65535 XML characters")

    @classmethod
    def parse(cls, text: str) -> Hi1Endpoint:
        """An endpoint from its ``COUNTRY:IDENTIFIER`` text form.

        ``'FR:PJ-CYBER'`` gives ``Hi1Endpoint('FR', 'PJ-CYBER')``; the identifier is
        everything after the first colon (``'FR:PJ:CYBER'`` gives ``'PJ:CYBER'``).

        Args:
            text: The endpoint, as ``str(endpoint)`` writes it.

        Returns:
            The endpoint.

        Raises:
            Hi1Error: There is no colon, or either part is invalid (see the class).
        """
        country, sep, unique_id = text.partition(":")
        if not sep:
            raise Hi1Error(f"expected COUNTRY:IDENTIFIER such as 'FR:PJ-CYBER', got {text!r}")
        return cls(country, unique_id)

    def __str__(self) -> str:
        return f"{self.country}:{self.unique_id}"


_DETAIL: Final = {"summary": False}
"""Metadata of the fields :meth:`Hi1Message.summary` leaves out (read for drafts)."""


@dataclass(frozen=True)
class Hi1Authorisation:
    """What an ``AuthorisationObject`` (TS 103 120 clause 7.2) says: the fields eevidence
    writes, as the message gives them (texts, not parsed; None when absent)."""

    object_id: str
    """``ObjectIdentifier`` (eevidence writes the request id)."""
    reference: str | None
    """``AuthorisationReference`` (eevidence writes the case reference)."""
    legal_type: DictEntry | None
    """``AuthorisationLegalType``."""
    priority: DictEntry | None
    """``AuthorisationPriority`` (eevidence writes ETSI's ``EPOCPriority`` for EU production
    orders, and ``eevidence``/``RequestPriority``/``Urgent`` for an urgent request to a
    State)."""
    start: str | None
    """``AuthorisationTimespan/StartTime``."""
    end: str | None
    """``AuthorisationTimespan/EndTime``."""
    created: str | None
    """``AuthorisationCreationTimestamp``."""
    flags: tuple[DictEntry, ...]
    """``AuthorisationFlags``, in message order (eevidence writes ETSI's ``IsEmergency``,
    ``DelayInformingUser`` and ``EnforcingAuthorityNotified``, then one
    ``eevidence``/``UrgencyReason`` entry per reason a request to a State is urgent)."""
    legal_entity: str | None
    """``AuthorisationLegalEntity``."""
    approval_types: tuple[str, ...] = field(default=(), metadata=_DETAIL)
    """The ``ApprovalType`` of each ``AuthorisationApprovalDetails``, in message order
    (eevidence writes ``IssuingAuthority`` for an order, with ``ValidatingAuthority`` when
    it was validated, and ``RequestingAuthority`` for a request). Not in the summary."""
    manual_information: str | None = field(default=None, metadata=_DETAIL)
    """``AuthorisationManualInformation`` (eevidence writes a summary for a person whose first
    line names the request kind, followed for an urgent request by its ``URGENT:`` and
    ``Respond by:`` lines). Not in the summary."""


@dataclass(frozen=True)
class Hi1Task:
    """One ``LPTaskObject`` (lawful preservation) or ``LDTaskObject`` (lawful disclosure,
    TS 103 120 clause 8.3), as the message gives it (texts, not parsed; None when absent)."""

    kind: Literal["LP", "LD"]
    """``LP`` for an ``LPTaskObject``, ``LD`` for an ``LDTaskObject``."""
    object_id: str
    """``ObjectIdentifier``."""
    associated: tuple[str, ...]
    """``AssociatedObjects`` (eevidence writes the authorisation's identifier)."""
    reference: str | None
    """``Reference`` (the LDID of a disclosure task, TS 103 280)."""
    request_type: DictEntry | None
    """``RequestDetails/Type``."""
    values: tuple[tuple[str, str, str], ...]
    """(FormatOwner, FormatName, Value) of each request value."""
    start: str | None
    """``RequestDetails/StartTime``."""
    end: str | None
    """``RequestDetails/EndTime``."""
    observed: str | None
    """``RequestDetails/ObservedTime``."""
    desired_expiration: str | None
    """``DesiredPreservationExpiration`` (preservation tasks)."""


@dataclass(frozen=True)
class Hi1Document:
    """A ``DocumentObject`` (TS 103 120 clause 7.3); ``contents`` are the decoded bytes,
    already checked against the checksum when the message gives one."""

    object_id: str
    """``ObjectIdentifier``."""
    name: str | None
    """``DocumentName``."""
    document_type: DictEntry | None
    """``DocumentType``."""
    content_type: str | None
    """``DocumentBody/ContentType`` (a MIME type)."""
    checksum: str | None
    """``DocumentBody/Checksum``, as written (hexadecimal)."""
    checksum_type: str | None
    """``DocumentBody/ChecksumType``."""
    contents: bytes | None = field(repr=False)
    """``DocumentBody/Contents``, base64-decoded."""


@dataclass(frozen=True)
class Hi1Message:
    """The parts of an HI-1 request message that eevidence reads (from :func:`read_hi1`).

    Header values are the message's texts (surrounding white space removed from the
    identifiers and the timestamp); objects other than authorisations, LP/LD tasks and
    documents are not kept, but the verb of their action is.
    """

    sender: Hi1Endpoint
    """Header ``SenderIdentifier``."""
    receiver: Hi1Endpoint
    """Header ``ReceiverIdentifier``."""
    transaction_id: str
    """Header ``TransactionIdentifier``."""
    timestamp: str
    """Header ``Timestamp`` (a ``QualifiedMicrosecondDateTime``, TS 103 280)."""
    etsi_version: str
    """Header ``Version/ETSIVersion``, such as ``V1.15.1``."""
    profile_owner: str
    """Header ``Version/NationalProfileOwner``."""
    profile_version: str
    """Header ``Version/NationalProfileVersion``."""
    actions: tuple[str, ...]
    """The verb of each action request, in order (``CREATE``, ``UPDATE``...)."""
    authorisations: tuple[Hi1Authorisation, ...]
    """Every ``AuthorisationObject``, in message order."""
    tasks: tuple[Hi1Task, ...]
    """Every ``LPTaskObject`` and ``LDTaskObject``, in message order."""
    documents: tuple[Hi1Document, ...]
    """Every ``DocumentObject``, in message order."""

    def summary(self) -> dict[str, object]:
        """A JSON-ready view of the message, for display.

        Returns:
            A dict with the header values (endpoints as ``COUNTRY:IDENTIFIER``, the
            national profile as ``"owner version"``), the action verbs, and one dict per
            authorisation, task and document with their fields (tuples become lists;
            an authorisation's ``approval_types`` and ``manual_information`` are left out); a
            document's ``contents`` are replaced by their ``size`` in bytes (None when
            the document has no contents).
        """
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
        if f.metadata.get("summary") is False:
            continue
        value = getattr(obj, f.name)
        if isinstance(value, tuple):
            value = [list(v) if isinstance(v, tuple) else v for v in value]
        out[f.name] = value
    return out


@dataclass(frozen=True)
class Letter:
    """A request letter carried in a message: its bytes, file name and MIME type."""

    contents: bytes
    name: str
    content_type: str
