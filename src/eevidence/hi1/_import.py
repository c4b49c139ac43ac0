"""Reading HI-1 messages, and importing the request an eevidence message carries.

:func:`read_hi1` reads any HI-1 request message into a :class:`Hi1Message`, checking
every document checksum. :func:`from_hi1_xml` goes further for eevidence's own messages:
it takes the embedded request, writes the message that request gives (same header values,
same letter) and compares the two field by field, so that a message whose visible fields
say anything else than its embedded request is refused, with the path of each difference.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterator, Sequence
from typing import Final, Literal
from xml.etree import ElementTree as ET

from eevidence.errors import Hi1Error, Problem
from eevidence.hi1._export import build_message
from eevidence.hi1._model import (
    AUTH,
    CHECKSUM_TYPE,
    COMMON,
    CORE,
    DOC,
    PREFIXES,
    REQUEST_DOCUMENT_TYPE,
    TASK,
    XSI,
    Hi1Authorisation,
    Hi1Document,
    Hi1Endpoint,
    Hi1Message,
    Hi1Task,
    Letter,
    q,
)
from eevidence.hi1._xml import child_text, parse_xml, read_entry
from eevidence.request import Request, parse_request

__all__ = [
    "from_hi1_xml",
    "read_hi1",
]

_OBJECT_TYPES: Final = {
    q(AUTH, "AuthorisationObject"): "authorisation",
    q(TASK, "LPTaskObject"): "LP",
    q(TASK, "LDTaskObject"): "LD",
    q(DOC, "DocumentObject"): "document",
}
_CHECKSUM_TYPES: Final = frozenset({CHECKSUM_TYPE, "SHA256", "sha256", "sha-256"})
MAX_PROBLEMS: Final = 100
"""Most differences listed one by one in the error of :func:`from_hi1_xml` (the message
gives their total; the rest are counted in one last problem)."""


# --------------------------------------------------------------------------- reading


def _endpoint(node: ET.Element | None, what: str, source: str) -> Hi1Endpoint:
    if node is None:
        raise Hi1Error(f"the header has no {what}", source=source)
    try:
        return Hi1Endpoint(
            (child_text(node, CORE, "CountryCode") or "").strip(),
            child_text(node, CORE, "UniqueIdentifier") or "",
        )
    except Hi1Error as exc:
        raise Hi1Error(f"{what}: {exc}", source=source) from None


def _read_authorisation(obj: ET.Element, object_id: str) -> Hi1Authorisation:
    span = obj.find(q(AUTH, "AuthorisationTimespan"))
    flags = obj.find(q(AUTH, "AuthorisationFlags"))
    return Hi1Authorisation(
        object_id=object_id,
        reference=child_text(obj, AUTH, "AuthorisationReference"),
        legal_type=read_entry(obj.find(q(AUTH, "AuthorisationLegalType"))),
        priority=read_entry(obj.find(q(AUTH, "AuthorisationPriority"))),
        start=None if span is None else child_text(span, AUTH, "StartTime"),
        end=None if span is None else child_text(span, AUTH, "EndTime"),
        created=child_text(obj, AUTH, "AuthorisationCreationTimestamp"),
        flags=tuple(
            e for e in (read_entry(f) for f in ([] if flags is None else flags)) if e is not None
        ),
        legal_entity=child_text(obj, AUTH, "AuthorisationLegalEntity"),
        approval_types=tuple(
            (child_text(node, COMMON, "ApprovalType") or "").strip()
            for node in obj.iterfind(q(AUTH, "AuthorisationApprovalDetails"))
        ),
        manual_information=child_text(obj, AUTH, "AuthorisationManualInformation"),
    )


def _read_task(obj: ET.Element, object_id: str, kind: Literal["LP", "LD"]) -> Hi1Task:
    details = obj.find(q(TASK, "RequestDetails"))
    values: list[tuple[str, str, str]] = []
    if details is not None:
        for rv in details.iterfind(f"{q(TASK, 'RequestValues')}/{q(TASK, 'RequestValue')}"):
            fmt = rv.find(q(TASK, "FormatType"))
            values.append(
                (
                    "" if fmt is None else child_text(fmt, TASK, "FormatOwner") or "",
                    "" if fmt is None else child_text(fmt, TASK, "FormatName") or "",
                    child_text(rv, TASK, "Value") or "",
                )
            )

    def detail(name: str) -> str | None:
        return None if details is None else child_text(details, TASK, name)

    return Hi1Task(
        kind=kind,
        object_id=object_id,
        associated=_associated(obj),
        reference=child_text(obj, TASK, "Reference"),
        request_type=None if details is None else read_entry(details.find(q(TASK, "Type"))),
        values=tuple(values),
        start=detail("StartTime"),
        end=detail("EndTime"),
        observed=detail("ObservedTime"),
        desired_expiration=child_text(obj, TASK, "DesiredPreservationExpiration"),
    )


def _associated(obj: ET.Element) -> tuple[str, ...]:
    path = f"{q(CORE, 'AssociatedObjects')}/{q(CORE, 'AssociatedObject')}"
    return tuple((n.text or "").strip() for n in obj.iterfind(path))


def _read_document(obj: ET.Element, object_id: str, source: str) -> Hi1Document:
    body = obj.find(q(DOC, "DocumentBody"))
    contents: bytes | None = None
    checksum = checksum_type = content_type = None
    if body is not None:
        encoded = child_text(body, DOC, "Contents")
        if encoded is not None:
            try:
                contents = base64.b64decode("".join(encoded.split()), validate=True)
            except (binascii.Error, ValueError):
                raise Hi1Error(
                    f"document {object_id}: contents are not valid base64", source=source
                ) from None
        content_type = child_text(body, DOC, "ContentType")
        checksum = child_text(body, DOC, "Checksum")
        checksum_type = child_text(body, DOC, "ChecksumType")
    if contents is not None and checksum is not None:
        if checksum_type not in _CHECKSUM_TYPES:
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
        name=child_text(obj, DOC, "DocumentName"),
        document_type=read_entry(obj.find(q(DOC, "DocumentType"))),
        content_type=content_type,
        checksum=checksum,
        checksum_type=checksum_type,
        contents=contents,
    )


def _read(root: ET.Element, source: str) -> Hi1Message:
    if root.tag != q(CORE, "HI1Message"):
        raise Hi1Error(f"not an HI1Message (root element {root.tag})", source=source)
    header = root.find(q(CORE, "Header"))
    if header is None:
        raise Hi1Error("the message has no Header", source=source)
    version = header.find(q(CORE, "Version"))
    actions: list[str] = []
    authorisations: list[Hi1Authorisation] = []
    tasks: list[Hi1Task] = []
    documents: list[Hi1Document] = []
    path = "/".join(q(CORE, n) for n in ("Payload", "RequestPayload", "ActionRequests"))
    for action in root.iterfind(f"{path}/{q(CORE, 'ActionRequest')}"):
        for verb in ("CREATE", "UPDATE", "GET", "LIST", "DELIVER"):
            node = action.find(q(CORE, verb))
            if node is not None:
                actions.append(verb)
                break
        else:
            raise Hi1Error("an ActionRequest has no known action", source=source)
        obj = node.find(q(CORE, "HI1Object"))
        if obj is None:
            continue
        object_id = (child_text(obj, CORE, "ObjectIdentifier") or "").strip()
        kind = _OBJECT_TYPES.get(obj.get(q(XSI, "type"), ""))
        if kind == "authorisation":
            authorisations.append(_read_authorisation(obj, object_id))
        elif kind == "LP":
            tasks.append(_read_task(obj, object_id, "LP"))
        elif kind == "LD":
            tasks.append(_read_task(obj, object_id, "LD"))
        elif kind == "document":
            documents.append(_read_document(obj, object_id, source))
    return Hi1Message(
        sender=_endpoint(header.find(q(CORE, "SenderIdentifier")), "sender", source),
        receiver=_endpoint(header.find(q(CORE, "ReceiverIdentifier")), "receiver", source),
        transaction_id=(child_text(header, CORE, "TransactionIdentifier") or "").strip(),
        timestamp=(child_text(header, CORE, "Timestamp") or "").strip(),
        etsi_version=(
            "" if version is None else (child_text(version, CORE, "ETSIVersion") or "").strip()
        ),
        profile_owner=(
            "" if version is None else child_text(version, CORE, "NationalProfileOwner") or ""
        ),
        profile_version=(
            "" if version is None else child_text(version, CORE, "NationalProfileVersion") or ""
        ),
        actions=tuple(actions),
        authorisations=tuple(authorisations),
        tasks=tuple(tasks),
        documents=tuple(documents),
    )


def read_hi1(data: bytes, *, source: str = "<input>") -> Hi1Message:
    """Read any HI-1 request message: header, authorisations, tasks and documents.

    The message is parsed with expat, refusing DTDs and entity declarations (no entity is
    expanded, nothing is fetched); the encoding its XML declaration names is honoured.
    Every action request's verb is recorded; of the objects they carry, authorisations
    (TS 103 120 clause 7.2), LP and LD tasks (clause 8) and documents (clause 7.3) are
    read, others skipped. Document checksums are verified (SHA-256). The message is not
    validated against the XSDs here; that needs lxml and is done in the test suite.

    Args:
        data: The message, at most ``MAX_MESSAGE_BYTES`` (64 MiB).
        source: Where the bytes come from (a file name), named in errors.

    Returns:
        What the message says (see :class:`Hi1Message`).

    Raises:
        Hi1Error: The message is too large, has a DTD or entity declaration, nests
            elements more than 32 deep, has more than 250,000 elements or an element
            with more than 32 attributes, is not well-formed XML or cannot be decoded;
            its root is not an ``HI1Message`` or it has no ``Header``; its sender or
            receiver is missing or invalid; an ``ActionRequest`` has no known verb; or a
            document's contents are not base64, its checksum type is not SHA-256 or its
            contents do not match the checksum.
    """
    return _read(parse_xml(data, source), source)


# --------------------------------------------------------------------------- import


def _leaves(root: ET.Element) -> Iterator[tuple[str, str]]:
    """(path, text) of every element, attribute and stray text, in document order."""

    def name(tag: str) -> str:
        if not tag.startswith("{"):
            return tag
        ns, _, local = tag[1:].partition("}")
        prefix = PREFIXES.get(ns)
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


def _expected_root(message: Hi1Message, request: Request, letter: Letter | None) -> ET.Element:
    return build_message(
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
    (authorisation, tasks, letter) must be exactly what the embedded request gives: the
    message that request gives (same header values, same letter) is written again and
    compared element by element, attribute by attribute, including stray text between
    elements (indentation and base64 line breaks aside).

    Args:
        data: The message, at most ``MAX_MESSAGE_BYTES`` (64 MiB).
        source: Where the bytes come from (a file name), named in errors.

    Returns:
        The embedded request.

    Raises:
        Hi1Error: Everything :func:`read_hi1` refuses; a message with no eevidence
            request document (from another system: see :func:`hi1_draft`) or whose
            request document has no checksum; or fields that disagree with the embedded
            request, one :class:`~eevidence.errors.Problem` per path in ``problems`` (at
            most ``MAX_PROBLEMS`` (100), then one counting the rest).
        RequestValidationError: The embedded request document is not a valid request.
        InputError: The embedded request document is not JSON.
    """
    root = parse_xml(data, source)
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
    letter: Letter | None = None
    if letters:
        first = letters[0]
        letter = Letter(first.contents or b"", first.name or "", first.content_type or "")
    expected = list(_leaves(_expected_root(message, request, letter)))
    found = list(_leaves(root))
    if expected != found:
        problems = _differences(expected, found)
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown.append(
                Problem("...", f"{len(problems) - MAX_PROBLEMS} more difference(s) not listed")
            )
        raise Hi1Error(
            f"the message's fields disagree with its embedded request ({len(problems)} "
            "difference(s))",
            source=source,
            problems=shown,
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
