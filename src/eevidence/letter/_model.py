"""The letter as a document model: ordered sections of labelled rows, tables, paragraphs.

:func:`~eevidence.letter.build_letter` makes a :class:`Letter`; the text, HTML and PDF
renderers only lay it out, so a letter says the same thing in every format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["Block", "Fields", "Letter", "Paragraph", "Section", "Signature", "Table"]


@dataclass(frozen=True)
class Fields:
    """Label / value rows. A value may hold several lines."""

    rows: tuple[tuple[str, str], ...]
    """``(label, value)`` pairs; rows with no value are left out when the letter is built."""


@dataclass(frozen=True)
class Table:
    """A table with a header row; every row has as many cells as the header."""

    header: tuple[str, ...]
    """Column labels (catalogue texts)."""
    rows: tuple[tuple[str, ...], ...]
    """Cells, row by row; an empty cell is an empty string."""


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of running text (user-written text is carried as given)."""

    text: str


Block = Fields | Table | Paragraph
"""What a section holds: label/value rows, a table or a paragraph."""


@dataclass(frozen=True)
class Section:
    """A numbered section of the letter: a title and its blocks, in order."""

    title: str
    """The section title (catalogue text)."""
    blocks: tuple[Block, ...]
    """Label/value rows (:class:`Fields`), :class:`Table`\\s and :class:`Paragraph`\\s."""


@dataclass(frozen=True)
class Signature:
    """A signature block: who signs, and the lines printed under the space for the signature."""

    title: str
    """Who signs (catalogue text, e.g. the issuing authority)."""
    lines: tuple[str, ...]
    """Name, function and authority of the signatory, one per line."""


@dataclass(frozen=True)
class Letter:
    """A request letter as a document model, laid out by the text, HTML and PDF renderers.

    Every label and fixed sentence is a catalogue text of :attr:`lang`; made by
    :func:`~eevidence.letter.build_letter`.
    """

    lang: str
    """The letter language (one of :data:`~eevidence.letter.LANGUAGES`)."""
    rtl: bool
    """Written right to left (Arabic)."""
    title: str
    """The kind of request as a title (catalogue ``kind.<kind>``)."""
    letterhead: tuple[str, ...]
    """Authority name, unit and address, printed at the top."""
    meta: tuple[tuple[str, str], ...]
    """``(label, value)`` pairs: date, case reference, request identifier, language."""
    intro: str
    """The opening sentence (catalogue ``intro.<kind>``)."""
    sections: tuple[Section, ...]
    """The numbered sections, in order."""
    signatures: tuple[Signature, ...]
    """Who signs: the issuing (and validating) authority of an order, else the officer."""
    signature_labels: tuple[str, str]
    """Labels of the signature and date lines."""
    closing: str
    """The closing sentence."""
    footer: str
    """Reference line printed at the foot of every page."""
    page_label: str
    """Catalogue text with ``{page}`` and ``{pages}`` placeholders."""
    request_id: str
    """The request id (also the HTML title and the PDF's identifier input)."""
    created_at: datetime
    """The request's creation time: the date under each signature and the PDF's date."""
    keywords: tuple[str, ...] = field(default=())
    """PDF keywords: the request kind and the case reference."""
    escaped: bool = False
    """Built with ``escape=True``: the control and bidirectional formatting characters of the
    request, the profiles and the names given are visible escapes in its texts, so the only
    such characters it holds are its own left-to-right isolates (U+2066, U+2069), which the
    renderers then keep (in a letter built without it, they escape those too)."""

    def texts(self) -> list[str]:
        """Every piece of text in reading order: letterhead, title, ``label: value`` lines,
        section titles, table rows joined by `` | ``, paragraphs, the closing and the
        signature blocks (the PDF checks its fonts cover them; tests read them)."""
        out = [*self.letterhead, self.title]
        out += [f"{k}: {v}" for k, v in self.meta]
        out.append(self.intro)
        for section in self.sections:
            out.append(section.title)
            for block in section.blocks:
                if isinstance(block, Fields):
                    out += [f"{k}: {v}" for k, v in block.rows]
                elif isinstance(block, Table):
                    out.append(" | ".join(block.header))
                    out += [" | ".join(r) for r in block.rows]
                else:
                    out.append(block.text)
        out.append(self.closing)
        for sig in self.signatures:
            out += [sig.title, *sig.lines]
        return out
