"""XML for HI-1 messages: the values and elements written, and a hardened reader.

Writing needs only the standard library: ``xml.etree.ElementTree`` elements built in XSD
order by :class:`Builder`, turned into bytes by :func:`serialise` with the fixed prefixes
of :data:`~eevidence.hi1._model.PREFIXES`. Reading (:func:`parse_xml`) drives expat
directly: no DTD, hence no entity, is accepted (nothing is expanded or fetched); input
size, nesting depth, the number of elements and the attributes of each are capped while the
bytes are fed in 1 MiB pieces, so a message's tree never outgrows the caps (memory stays
bounded whatever the element count of the input); and ``xsi:type`` values are resolved
against the namespace declarations in scope, so a message written with other prefixes reads
the same.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final
from xml.etree import ElementTree as ET
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from eevidence.errors import Hi1Error, InputError
from eevidence.hi1._model import (
    COMMON,
    CORE,
    LONG_TEXT,
    MAX_DEPTH,
    MAX_MESSAGE_BYTES,
    NOT_XML,
    PREFIXES,
    XSI,
    DictEntry,
    Hi1Endpoint,
    q,
)

__all__ = [
    "MAX_ATTRIBUTES",
    "MAX_ELEMENTS",
    "Builder",
    "child_text",
    "long_text",
    "micro_time",
    "parse_xml",
    "qualified_time",
    "read_entry",
    "serialise",
    "short_text",
    "xml_text",
]

_ENTITIES: Final = {"\r": "&#13;"}  # a raw CR would be read back as a line feed

MAX_ELEMENTS: Final = 250_000
"""Most elements read in one message. eevidence's largest request (1,000 identifiers, four
data categories) gives about 121,000; the tree of this many elements stays under 100 MiB."""
MAX_ATTRIBUTES: Final = 32
"""Most attributes, and most namespace declarations, on one element (HI-1 uses one
attribute, ``xsi:type``, and six namespaces)."""
_FEED: Final = 1024 * 1024


# --------------------------------------------------------------------------- values written


def xml_text(value: str) -> str:
    """``value`` with the characters XML 1.0 cannot carry replaced by U+FFFD.

    Only the readable copy in the XML loses them: the embedded request keeps the text as
    written, and import re-derives the same replacement, so the round trip still holds.
    """
    return NOT_XML.sub("\ufffd", value)


def long_text(value: str) -> str:
    """A ``LongString`` (at most 65535 characters; longer text ends with an ellipsis)."""
    value = xml_text(value)
    return value if len(value) <= LONG_TEXT else value[: LONG_TEXT - 1] + "\u2026"


def short_text(value: str) -> str:
    """A ``ShortString`` (at most 255 characters; longer text ends with an ellipsis)."""
    value = xml_text(value)
    return value if len(value) <= 255 else value[:254] + "\u2026"


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InputError("a date-time without a UTC offset was given (naive datetime)")
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise Hi1Error(f"{moment.isoformat()} cannot be written in UTC (out of range)") from None


def qualified_time(moment: datetime) -> str:
    """``QualifiedDateTime`` (TS 103 280): whole seconds, in UTC (fractions are dropped).

    Raises:
        InputError: ``moment`` is naive.
        Hi1Error: ``moment`` has no UTC equivalent (out of the datetime range).
    """
    return _utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def micro_time(moment: datetime) -> str:
    """``QualifiedMicrosecondDateTime`` (TS 103 280), in UTC.

    Raises:
        InputError: ``moment`` is naive.
        Hi1Error: ``moment`` has no UTC equivalent (out of the datetime range).
    """
    return _utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --------------------------------------------------------------------------- elements written


class Builder:
    """Elements in XSD order, namespaced; serialised by :func:`serialise`."""

    @staticmethod
    def el(parent: ET.Element, ns: str, name: str, text: str | None = None) -> ET.Element:
        """A new child ``{ns}name`` of ``parent``, with ``text`` when given."""
        child = ET.SubElement(parent, f"{{{ns}}}{name}")
        if text is not None:
            child.text = text
        return child

    @classmethod
    def entry(cls, parent: ET.Element, ns: str, name: str, entry: DictEntry) -> ET.Element:
        """A dictionary entry element: ``Owner``, ``Name`` and ``Value`` children."""
        node = cls.el(parent, ns, name)
        for tag, value in zip(("Owner", "Name", "Value"), entry, strict=True):
            cls.el(node, COMMON, tag, value)
        return node

    @classmethod
    def endpoint(cls, parent: ET.Element, ns: str, name: str, endpoint: Hi1Endpoint) -> None:
        """An ``EndpointID`` element: ``CountryCode`` and ``UniqueIdentifier``."""
        node = cls.el(parent, ns, name)
        cls.el(node, CORE, "CountryCode", endpoint.country)
        cls.el(node, CORE, "UniqueIdentifier", endpoint.unique_id)


def serialise(root: ET.Element) -> bytes:
    """UTF-8 XML with fixed prefixes (``xsi:type`` values depend on them), two-space indent."""
    out: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>\n']

    def qname(tag: str) -> str:
        ns, _, local = tag[1:].partition("}")
        prefix = PREFIXES[ns]
        return f"{prefix}:{local}" if prefix else local

    def write(node: ET.Element, depth: int) -> None:
        pad = "  " * depth
        attrs = ""
        if depth == 0:
            attrs = "".join(f' xmlns{":" + p if p else ""}="{ns}"' for ns, p in PREFIXES.items())
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


# --------------------------------------------------------------------------- reading


def parse_xml(data: bytes, source: str) -> ET.Element:
    """Parse with expat; DTDs (hence entity declarations) are refused outright.

    The bytes are fed in 1 MiB pieces and every cap is checked as each element starts,
    before it joins the tree.

    Raises:
        Hi1Error: ``data`` is larger than ``MAX_MESSAGE_BYTES``, has a DTD or entity
            declaration, nests elements deeper than ``MAX_DEPTH``, has more than
            :data:`MAX_ELEMENTS` elements or an element with more than
            :data:`MAX_ATTRIBUTES` attributes or namespace declarations, is not
            well-formed, or cannot be decoded in the encoding it declares (each message
            names the limit broken).
    """
    if len(data) > MAX_MESSAGE_BYTES:
        raise Hi1Error(
            f"message is larger than {MAX_MESSAGE_BYTES} bytes (the limit)", source=source
        )
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    scopes: list[dict[str, str]] = []
    pending: dict[str, str] = {}
    count = 0

    def refuse(*_args: object) -> None:
        raise Hi1Error("the message has a DTD or entity declaration (refused)", source=source)

    def start_ns(prefix: str | None, uri: str) -> None:
        if len(pending) >= MAX_ATTRIBUTES:
            raise Hi1Error(
                f"an element declares more than {MAX_ATTRIBUTES} namespaces (the limit)",
                source=source,
            )
        pending[prefix or ""] = uri

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal count
        count += 1
        if count > MAX_ELEMENTS:
            raise Hi1Error(f"more than {MAX_ELEMENTS} elements (the limit)", source=source)
        if len(scopes) >= MAX_DEPTH:
            raise Hi1Error(
                f"elements nested deeper than {MAX_DEPTH} levels (the limit)", source=source
            )
        if len(attrs) > MAX_ATTRIBUTES:
            raise Hi1Error(
                f"an element has more than {MAX_ATTRIBUTES} attributes (the limit)",
                source=source,
            )
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
        view = memoryview(data)
        for at in range(0, len(data), _FEED):
            parser.Parse(view[at : at + _FEED].tobytes(), False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise Hi1Error(f"not well-formed XML: {exc}", source=source) from None
    except (LookupError, ValueError) as exc:  # an unknown or broken declared encoding
        raise Hi1Error(f"cannot decode the XML: {exc}", source=source) from None
    return builder.close()


def _text(node: ET.Element | None) -> str | None:
    """The text of ``node`` (``""`` when it has none), or None when there is no node."""
    return None if node is None else (node.text or "")


def child_text(node: ET.Element, ns: str, name: str) -> str | None:
    """The text of the first ``{ns}name`` child of ``node``, or None when it has none."""
    return _text(node.find(q(ns, name)))


def read_entry(node: ET.Element | None) -> DictEntry | None:
    """The dictionary entry ``node`` holds (missing parts read as ``""``), or None."""
    if node is None:
        return None
    parts = [child_text(node, COMMON, tag) or "" for tag in ("Owner", "Name", "Value")]
    return parts[0], parts[1], parts[2]
