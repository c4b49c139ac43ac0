"""The PDF layout of a request letter (A4, fpdf2, embedded Noto fonts).

Lines are broken here, word by word with cached word widths, and each line is written
as one fpdf2 cell: fpdf2 then applies the Unicode bidirectional algorithm and HarfBuzz
shaping to the line (both kept by text for the next lines and documents:
:mod:`eevidence.letter._shaping`). A line without Arabic needs neither and is written
directly. This keeps a letter at a few milliseconds of layout, where fpdf2's own table and
multi-cell line breaking measured ten times slower. Arabic letters are mirrored: labels
on the right, text aligned right, table columns in reverse order.

The closing and the signatures never stand alone on the last page: when they do not fit
under the body, the body's end goes to the next page with them, from the last place that
keeps a heading with its first row or line and a table head with its first row (the way
typesetters keep a closing with the text before it). Where the pages break is found by
layouts that place every line without writing it; the letter is then written once.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Final

from fpdf import FPDF
from fpdf.enums import Align, PDFResourceType
from fpdf.errors import FPDFException
from fpdf.fonts import TTFFont
from PIL import Image

from eevidence.errors import RenderError
from eevidence.letter._bidi import shown
from eevidence.letter._document import image_mime
from eevidence.letter._fonts import RULER_LOCK, font_data, font_for, ruler
from eevidence.letter._model import Fields, Letter, Table
from eevidence.letter._shaping import CachedBidi

__all__ = ["render_pdf"]

_NEEDS_SHAPING: Final = re.compile(
    "[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff\u200e\u200f\u2066-\u2069]"
)
_ARABIC: Final = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_MARGIN: Final = 18.0
_BOTTOM: Final = 18.0
_PAD_X: Final = 1.5
_PAD_Y: Final = 0.9
_LABEL_FILL: Final = (244, 244, 244)
_HEAD_FILL: Final = (232, 232, 232)
_RULE: Final = 170
_TEXT: Final = 17
_GREY_TEXT: Final = 90
_WIDTH_CACHE_MAX: Final = 100_000
_widths: dict[tuple[tuple[str, ...], str, bool, bool, float, str], float] = {}
"""Word widths by (fonts, family, shaping, bold, size, word), shared by all documents."""


@dataclass(frozen=True)
class _Mark:
    """A place where the body may go on to a new page (before a section heading, a row, a
    table or a line of text), as the layout found it."""

    page: int
    y: float
    movable: bool
    """False where a break would part what must stay together (a heading and the first
    row or line under it; a table head and its first row) or would leave a page empty."""


@dataclass(frozen=True)
class _Cell:
    text: str
    width: float
    bold: bool = False
    fill: tuple[int, int, int] | None = None


class _Pdf(CachedBidi):
    def __init__(self, letter: Letter, families: tuple[str, ...], doc_id: str) -> None:
        super().__init__(format="A4", unit="mm")
        self.letter = letter
        self.families = families
        self.family = families[0]
        self.doc_id = doc_id

    def file_id(self) -> str:
        return f"<{self.doc_id}><{self.doc_id}>"

    def footers(self) -> None:
        """Write the reference and "page n of N" at the foot of every page, once N is known
        (fpdf2's page-count alias cannot be shaped inside right-to-left text)."""
        last = self.page
        pages = self.pages_count
        for number in range(1, pages + 1):
            self.page = number
            self.set_font(self.family, "", 7.5)
            self.set_text_color(_GREY_TEXT)
            self.set_fill_color(_GREY_TEXT)  # text in the fill colour keeps fpdf2 from wrapping
            self.set_xy(_MARGIN, self.h - 12)
            label = self.letter.page_label.replace("{page}", str(number))
            label = label.replace("{pages}", str(pages))
            width = self.epw / 2
            first, second = (
                (label, self.letter.footer) if self.letter.rtl else (self.letter.footer, label)
            )
            _select_font(self)
            self.cell(width, 4, first, align=Align.L)
            _select_font(self)
            self.cell(width, 4, second, align=Align.R)
        self.page = last


def _select_font(pdf: FPDF) -> None:
    """Select the current font in the page's content stream, outside any q/Q block."""
    font = pdf.current_font
    if font is not None:
        pdf._out(f"BT /F{font.i} {pdf.font_size_pt:.2f} Tf ET")


class _Writer:
    """Measures, wraps and places text lines on the pages of one document."""

    def __init__(self, pdf: _Pdf, rtl: bool, *, dry: bool = False) -> None:
        self.pdf = pdf
        self.rtl = rtl
        self.dry = dry
        """Measure only: lines are broken and placed, pages added and marks taken exactly
        as when writing, but no line's text is written (:meth:`cell`)."""
        self.align = Align.R if rtl else Align.L
        self.bottom = pdf.h - _BOTTOM
        self._shaping_state = pdf.text_shaping
        self.families = pdf.families
        self._font: tuple[str, bool, float] | None = None
        self.current = "sans"
        """Family of the text being measured or written: Noto Naskh Arabic for text with
        Arabic letters (when the document has it), Noto Sans otherwise."""
        self.header: tuple[list[_Cell], float, float] | None = None
        self.marks: list[_Mark] = []
        """Every place the body may break, in order (:meth:`mark`)."""
        self.break_at: int | None = None
        """The mark before which the body goes on to a new page (to keep text with the
        closing), or ``None``."""
        self.page_top = float(_MARGIN)
        """Where text starts on the current page (below a repeated table head)."""
        self.closing_alone = False
        """The closing and the signatures went on to a page of their own."""
        self.closing_height = 0.0
        """The height the closing asked for (with the signatures kept with it)."""
        self.body_end = (0, 0.0)
        """The page and height where the body ended, before the closing."""

    # ---------------------------------------------------------------- fonts and widths

    def use(self, text: str) -> None:
        """Choose the family (and whether to shape) for ``text``. Text without Arabic
        letters or direction marks is neither shaped nor reordered: it needs neither, and
        fpdf2's bidirectional algorithm is the slowest step of an Arabic letter."""
        arabic = "naskh" in self.families and _NEEDS_SHAPING.search(text) is not None
        self.current = "naskh" if arabic else "sans"
        self.pdf.text_shaping = self._shaping_state if arabic else None

    def font(self, bold: bool, size: float) -> None:
        if self._font != (self.current, bold, size):
            self.pdf.set_font(self.current, "B" if bold else "", size)
            self._font = (self.current, bold, size)

    def width(self, word: str, bold: bool, size: float) -> float:
        """The width of ``word``, measured on a page-less twin document (measuring on the
        document itself would write font changes into its pages)."""
        shaping = self.pdf.text_shaping is not None
        key = (self.families, self.current, shaping, bold, size, word)
        found = _widths.get(key)
        if found is None:
            with RULER_LOCK:  # the ruler's current font is shared state
                measure = ruler(self.families, shaping)
                measure.set_font(self.current, "B" if bold else "", size)
                found = float(measure.get_string_width(word))
            if len(_widths) >= _WIDTH_CACHE_MAX:
                _widths.clear()
            _widths[key] = found
        return found

    def wrap(self, text: str, width: float, bold: bool, size: float) -> list[str]:
        """Break ``text`` into lines no wider than ``width`` (logical order, words kept whole
        unless a single word is wider than the line). Selects the family for ``text``."""
        self.use(text)
        space = self.width(" ", bold, size)
        lines: list[str] = []
        for para in text.split("\n"):
            current: list[str] = []
            used = 0.0
            for word in para.split():
                w = self.width(word, bold, size)
                if w > width:
                    if current:
                        lines.append(" ".join(current))
                    pieces = self._split_word(word, width, bold, size)
                    lines.extend(pieces[:-1])
                    current, used = [pieces[-1]], self.width(pieces[-1], bold, size)
                    continue
                extra = w + (space if current else 0.0)
                if current and used + extra > width:
                    lines.append(" ".join(current))
                    current, used = [word], w
                else:
                    current.append(word)
                    used += extra
            lines.append(" ".join(current))
        return lines

    def _split_word(self, word: str, width: float, bold: bool, size: float) -> list[str]:
        pieces: list[str] = []
        start = 0
        for end in range(1, len(word) + 1):
            if end - start > 1 and self.width(word[start:end], bold, size) > width:
                pieces.append(word[start : end - 1])
                start = end - 1
        pieces.append(word[start:])
        return pieces

    def cell(self, width: float, height: float, line: str) -> None:
        """One line of text at the current position.

        With a fallback font, fpdf2 may select the page's font inside a q/Q-wrapped text
        object, where it is lost for the next line; selecting it again outside keeps every
        line's font defined (otherwise viewers drop the glyphs).
        """
        pdf = self.pdf
        if self.dry:
            pdf.x += width  # where fpdf2's cell() leaves the position
            return
        if pdf.text_shaping is None:
            self._plain(width, height, line)
            return
        if len(self.families) > 1:
            _select_font(pdf)
        pdf.cell(width, height, line, align=self.align)

    def _plain(self, width: float, height: float, line: str) -> None:
        """Write a line that needs neither shaping nor reordering (no Arabic, one font: the
        coverage check put all its characters in Noto Sans) as one text object, the way
        fpdf2's ``cell()`` places it, at a fraction of its cost. It sits in q/Q, so the
        font it selects does not leak to the lines fpdf2 writes."""
        pdf = self.pdf
        font = pdf.current_font
        assert isinstance(font, TTFFont)  # noqa: S101 - only the shipped TrueType fonts
        size_pt = pdf.font_size_pt
        k = pdf.k
        font.biggest_size_pt = max(font.biggest_size_pt, size_pt)
        text_width = sum(font.cw[ord(c)] for c in line) * size_pt * 0.001 / k
        dx = width - pdf.c_margin - text_width if self.rtl else pdf.c_margin
        codes = (font.subset.pick(ord(c)) for c in line)
        mapped = "".join(chr(code) for code in codes if code)
        if mapped:
            x = (pdf.x + dx) * k
            y = (pdf.h - pdf.y - 0.5 * height - 0.3 * pdf.font_size) * k
            pdf._out(
                f"q BT {x:.2f} {y:.2f} Td /F{font.i} {size_pt:.2f} Tf "
                f"({font.escape_text(mapped)}) Tj ET Q"
            )
            pdf._resource_catalog.add(PDFResourceType.FONT, font.i, pdf.page)
        pdf.x += width

    # ---------------------------------------------------------------- pages

    def new_page(self) -> None:
        self.pdf.add_page()
        self._font = None
        self.pdf.set_y(_MARGIN)
        if self.header is not None:
            cells, size, lh = self.header
            self.header = None
            self.row(cells, size, lh)
            self.header = (cells, size, lh)
        self.page_top = self.pdf.get_y()

    def mark(self, *, movable: bool = True) -> None:
        """A place where the body may break; the layout breaks here when it is
        :attr:`break_at`. A place at the top of a page is not movable (a break there would
        leave the page empty)."""
        if len(self.marks) == self.break_at:
            self.new_page()
        y = self.pdf.get_y()
        top = y <= self.page_top + 0.01
        self.marks.append(_Mark(self.pdf.page, y, movable and not top))

    def height(self, text: str, size: float, *, bold: bool = False) -> float:
        """The height (mm) :meth:`paragraph` takes to write ``text`` at ``size`` points."""
        return len(self.wrap(text, self.pdf.epw, bold, size)) * size * 0.5

    def need(self, height: float) -> None:
        if self.pdf.get_y() + height > self.bottom:
            self.new_page()

    # ---------------------------------------------------------------- blocks

    def paragraph(
        self, text: str, *, size: float = 10, bold: bool = False, marks: bool | None = None
    ) -> None:
        """``text``, line by line. ``marks``: each line is a :meth:`mark`, the first one
        movable when ``marks`` is true (``None``: no marks)."""
        lh = size * 0.5
        for i, line in enumerate(self.wrap(text, self.pdf.epw, bold, size)):
            self.need(lh)
            if marks is not None:
                self.mark(movable=marks or i > 0)
            self.font(bold, size)
            self.pdf.set_x(_MARGIN)
            self.cell(self.pdf.epw, lh, line)
            self.pdf.ln(lh)

    def row(self, cells: Sequence[_Cell], size: float, lh: float) -> None:
        """One table row; cells are in visual order, left to right. A row taller than the
        rest of the page moves to the next page, or is split when taller than a page."""
        pdf = self.pdf
        wrapped = [self.wrap(c.text, c.width - 2 * _PAD_X, c.bold, size) for c in cells]
        total = max(len(lines) for lines in wrapped)
        capacity = int((self.bottom - _MARGIN - 2 * _PAD_Y) // lh) - 4
        start = 0
        while start < total:
            room = int((self.bottom - pdf.get_y() - 2 * _PAD_Y) // lh)
            remaining = total - start
            if room < remaining and (room < 1 or remaining <= capacity):
                self.new_page()
                continue
            take = min(room, remaining)
            y = pdf.get_y()
            height = take * lh + 2 * _PAD_Y
            x = _MARGIN
            for cell, lines in zip(cells, wrapped, strict=True):
                if cell.fill is not None:
                    pdf.set_fill_color(*cell.fill)
                    pdf.rect(x, y, cell.width, height, style="F")
                    pdf.set_fill_color(_TEXT)
                self.use(cell.text)
                self.font(cell.bold, size)
                for i, line in enumerate(lines[start : start + take]):
                    pdf.set_xy(x + _PAD_X, y + _PAD_Y + i * lh)
                    self.cell(cell.width - 2 * _PAD_X, lh, line)
                x += cell.width
            pdf.set_draw_color(_RULE)
            pdf.line(_MARGIN, y + height, _MARGIN + pdf.epw, y + height)
            pdf.set_y(y + height)
            start += take

    def fields(
        self, rows: Sequence[tuple[str, str]], size: float = 9.5, *, marks: bool | None = None
    ) -> None:
        """Label and value rows. ``marks``: each row is a :meth:`mark`, the first one
        movable when ``marks`` is true (``None``: no marks)."""
        label_w = self.pdf.epw * 0.33
        value_w = self.pdf.epw - label_w
        for i, (label, value) in enumerate(rows):
            if marks is not None:
                self.mark(movable=marks or i > 0)
            cells = [
                _Cell(label, label_w, bold=True, fill=_LABEL_FILL),
                _Cell(value, value_w),
            ]
            self.row(cells[::-1] if self.rtl else cells, size, size * 0.5)
        self.pdf.ln(2)

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        size: float = 8.5,
        *,
        marks: bool = True,
    ) -> None:
        """A table whose head is repeated on each page it runs over. The head with the
        first row is one :meth:`mark` (movable when ``marks`` is true), each further row
        another."""
        widths = self._column_widths(header, rows, size)
        order = list(range(len(header)))
        if self.rtl:
            order.reverse()
        lh = size * 0.5
        head = [_Cell(header[i], widths[i], bold=True, fill=_HEAD_FILL) for i in order]
        self.need(3 * lh + 4 * _PAD_Y)
        self.mark(movable=marks)
        self.row(head, size, lh)
        self.header = (head, size, lh)
        for n, values in enumerate(rows):
            if n > 0:
                self.mark()
            self.row([_Cell(values[i], widths[i]) for i in order], size, lh)
        self.header = None
        self.pdf.ln(2)

    def _column_widths(
        self, header: Sequence[str], rows: Sequence[Sequence[str]], size: float
    ) -> list[float]:
        """Natural width (widest line, capped) and minimum width (longest word, capped) of each
        column; the page width is shared out between them."""
        natural: list[float] = []
        minimum: list[float] = []
        for i, head in enumerate(header):
            cells = [(head, True), *((r[i], False) for r in rows)]
            widest = longest = 0.0
            for text, bold in cells:
                self.use(text)
                for line in text.split("\n"):
                    widest = max(widest, self.width(line, bold, size))
                for word in text.split():
                    longest = max(longest, self.width(word, bold, size))
            minimum.append(min(longest, 60.0) + 2 * _PAD_X + 0.5)
            natural.append(max(min(widest, 70.0) + 2 * _PAD_X + 0.5, minimum[-1]))
        page = float(self.pdf.epw)
        if sum(natural) <= page:
            scale = page / sum(natural)
            return [w * scale for w in natural]
        if sum(minimum) >= page:
            scale = page / sum(minimum)
            return [w * scale for w in minimum]
        spare = page - sum(minimum)
        extra = [n - m for n, m in zip(natural, minimum, strict=True)]
        return [m + spare * e / sum(extra) for m, e in zip(minimum, extra, strict=True)]


def render_pdf(letter: Letter, *, logo: bytes | None = None) -> bytes:
    """The letter as an A4 PDF with embedded, subset fonts; the same letter gives the same bytes.

    Fonts: Noto Sans and Noto Naskh Arabic (SIL Open Font License 1.1), shipped with the
    package; Arabic is shaped by HarfBuzz and laid out right to left. The creation date is
    the request's ``created_at`` and the file identifier is derived from the content, so
    nothing depends on the clock.

    Args:
        letter: the letter.
        logo: a PNG or JPEG image (bytes) printed 16 mm high at the start of the letterhead,
            or ``None``.

    The closing and the signature blocks stay on one page, and never alone on the last
    one: the end of the body (the tail of the last section, or the last section whole
    with its heading) goes on to their page with them.

    Control and bidirectional formatting characters (ESC, BEL, a right-to-left override
    U+202E...) are printed as visible escapes (``\\x1b``, ``\\u202e``), as in the text and
    HTML letters; the letter's own left-to-right isolates stay characters when it was built
    with ``escape=True`` (:attr:`Letter.escaped`).

    Returns:
        The PDF file's bytes.

    Raises:
        RenderError: a character of the letter is not covered by the shipped fonts (the
            message quotes the text around it), a font cannot be loaded, the logo is not a
            readable PNG or JPEG image, or fpdf2 cannot produce the file.
    """
    # control and bidi characters as visible escapes, not raw; a phone number alone in its
    # cell without isolates, as it needs none
    letter = shown(letter)
    texts = letter.texts()
    arabic = letter.rtl or any(_ARABIC.search(t) for t in texts)
    families = ("naskh", "sans") if letter.rtl else ("sans", "naskh") if arabic else ("sans",)
    _check_coverage(letter, texts, families)
    doc_id = hashlib.sha256("\x1f".join([letter.lang, *texts]).encode("utf-8")).hexdigest()[:32]
    doc_id = doc_id.upper()
    # Where the pages break is found by layouts that only measure (a fraction of the cost
    # of one that writes), then the letter is written once. A letter with Arabic is
    # measured first, as its shaped lines are most of its cost and its closing often needs
    # a second layout; a letter without is written at once, its closing fitting as a rule.
    out = _layout(letter, logo, families, doc_id, None, dry="naskh" in families)
    if out.closing_alone:
        # keep the end of the body with the closing: break before the last place on the
        # body's last page from which the rest and the closing fit on one page
        page, end = out.body_end
        room = out.bottom - _MARGIN - out.closing_height
        tried = 0
        for index in range(len(out.marks) - 1, -1, -1):
            m = out.marks[index]
            if m.page != page or not m.movable or end - m.y > room or tried == _TRIES:
                continue
            tried += 1
            moved = _layout(letter, logo, families, doc_id, index, dry=True)
            if not moved.closing_alone:
                out = moved
                break
    if out.dry:  # the same breaks, now with the text written
        out = _layout(letter, logo, families, doc_id, out.break_at, dry=False)
    pdf = out.pdf
    out.use(letter.page_label)  # shaping on again for Arabic footers
    pdf.text_shaping = out._shaping_state
    pdf.footers()
    try:
        return bytes(pdf.output())
    except FPDFException as exc:  # pragma: no cover - fpdf2 refused its own layout
        raise RenderError(f"the PDF could not be produced: {exc}", source="pdf") from exc


_TRIES: Final = 4
"""Places tried to keep the body's end with the closing (a repeated table head can make
the first place that fits by measure overflow the page)."""


def _layout(
    letter: Letter,
    logo: bytes | None,
    families: tuple[str, ...],
    doc_id: str,
    break_at: int | None,
    *,
    dry: bool,
) -> _Writer:
    """Lay the letter out on a new document, going on to a new page before mark
    ``break_at`` (:meth:`_Writer.mark`); the footers are not written yet. ``dry``: measure
    only (:attr:`_Writer.dry`), for finding where the pages break."""
    pdf = _Pdf(letter, families, doc_id)
    for family in families:
        for style in ("", "B"):
            # a layout that only measures selects fonts but draws no glyph with them: the
            # shared prototypes do, without a copy for the document (:func:`font_for`)
            font = font_data(family, style)[4] if dry else font_for(pdf, family, style)
            pdf.fonts[f"{family}{style}"] = font
    if len(families) > 1:
        pdf.set_fallback_fonts(list(families))
    if letter.rtl or "naskh" in families:
        pdf.set_text_shaping(use_shaping_engine=True)
    pdf.set_creation_date(letter.created_at)
    pdf.set_creator("eevidence")
    pdf.set_title(letter.title)
    pdf.set_author(letter.letterhead[0])
    pdf.set_subject(letter.footer)
    pdf.set_keywords(list(letter.keywords))
    pdf.set_lang(letter.lang)
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(False)
    pdf.alias_nb_pages(None)  # type: ignore[arg-type]  # pages are counted in footers()
    # Text colour and fill colour are kept equal while text is written: fpdf2 wraps a line
    # whose colour differs from the fill colour in q/Q, which loses a font set inside it.
    pdf.set_text_color(_TEXT)
    pdf.set_fill_color(_TEXT)
    out = _Writer(pdf, letter.rtl, dry=dry)
    out.break_at = break_at
    out.new_page()
    _letterhead(out, letter, logo)
    out.paragraph(letter.title, size=14, bold=True)
    pdf.ln(2)
    out.fields(letter.meta)
    out.paragraph(letter.intro)
    pdf.ln(2)
    for n, section in enumerate(letter.sections, 1):
        out.need(22)
        out.mark()  # a heading goes on to the next page with what follows it
        pdf.ln(1)
        # a right-to-left mark first keeps the number at the start of an Arabic heading
        mark = "\u200f" if letter.rtl else ""
        out.paragraph(f"{mark}{n}. {section.title}", size=11, bold=True)
        pdf.ln(1)
        for i, block in enumerate(section.blocks):
            movable = i > 0  # the heading keeps the first row or line under it
            if isinstance(block, Fields):
                out.fields(block.rows, marks=movable)
            elif isinstance(block, Table):
                out.table(block.header, block.rows, marks=movable)
            else:
                out.paragraph(block.text, size=9.5, marks=movable)
                pdf.ln(2)
    _closing(out, letter)
    return out


_CONTROLS: Final = frozenset("\n\t\u200e\u200f\u2066\u2067\u2068\u2069")
"""Characters the layout or the bidirectional algorithm consume; they need no glyph."""


def _check_coverage(letter: Letter, texts: Sequence[str], families: tuple[str, ...]) -> None:
    """Refuse text the shipped fonts cannot draw (a PDF with empty boxes for a name would
    be worse than no PDF), naming where the first such character is."""
    missing = sorted(set().union(*texts) - _covered(families) - _CONTROLS)
    if missing:
        chars = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in missing[:10])
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        absent = set(missing)
        found = next(((p, t) for p, t in _places(letter) if absent.intersection(t)), None)
        where = ""
        if found is not None:
            place, text = found
            first = next(c for c in text if c in absent)
            where = f"the first is in {place!r}: {_around(text, first)!r}; "
        raise RenderError(
            f"the PDF fonts (Latin, Greek, Cyrillic, Arabic) cannot draw {chars}{more}; "
            f"{where}render this request as HTML or text",
            source="pdf",
        )


@cache
def _covered(families: tuple[str, ...]) -> frozenset[str]:
    """The characters the regular fonts of ``families`` have glyphs for, made once."""
    return frozenset(chr(code) for family in families for code in font_data(family, "")[4].cmap)


def _places(letter: Letter) -> Iterator[tuple[str, str]]:
    """Every text of the letter with where it is printed (the section title with the row's
    label or the column's head), in reading order."""
    yield from (("letterhead", line) for line in letter.letterhead)
    yield from ((letter.title, text) for text in (letter.title, letter.intro))
    yield from letter.meta
    for section in letter.sections:
        for block in section.blocks:
            if isinstance(block, Fields):
                yield from ((f"{section.title}: {k}", v) for k, v in block.rows)
            elif isinstance(block, Table):
                for row in block.rows:
                    pairs = zip(block.header, row, strict=True)
                    yield from ((f"{section.title}: {head}", cell) for head, cell in pairs)
            else:
                yield section.title, block.text
    yield "closing", letter.closing
    for sig in letter.signatures:
        yield from ((sig.title, line) for line in (sig.title, *sig.lines))
    yield "footer", letter.footer


def _around(text: str, char: str) -> str:
    """The words of ``text`` around the first ``char``, to find it by: the whole text when
    short, else some 25 characters on each side."""
    at = text.index(char)
    start, end = max(0, at - 25), min(len(text), at + 25)
    return f"{'...' if start else ''}{text[start:end]}{'...' if end < len(text) else ''}"


_CLOSING_GAP: Final = 2.0
_SIGNATURE_GAP: Final = 5.0
_SIGN_SPACE: Final = 10.0


def _closing(out: _Writer, letter: Letter) -> None:
    """The closing sentence and the signature blocks, kept on one page: when they do not fit
    in what is left of the page, they start a new one (a signature alone on the last page
    signs nothing the reader can see), and :func:`render_pdf` then lays the letter out again
    with the end of the body moved to that page too. A signature block is never split;
    when the closing and every block together are taller than a page, the closing stays
    with the first."""
    pdf = out.pdf
    label_sig, label_date = letter.signature_labels
    date = letter.created_at.strftime("%Y-%m-%d")
    blocks = [
        (
            sig,
            [f"{label_sig}: ______________________________", *sig.lines, f"{label_date}: {date}"],
        )
        for sig in letter.signatures
    ]
    heights = [
        _SIGNATURE_GAP
        + out.height(sig.title, 10, bold=True)
        + _SIGN_SPACE
        + sum(out.height(line, 9.5) for line in lines)
        for sig, lines in blocks
    ]
    closing = _CLOSING_GAP + out.height(letter.closing, 10)
    together = closing + sum(heights)
    page = out.bottom - _MARGIN
    out.closing_height = together if together <= page else closing + (heights[0] if heights else 0)
    out.body_end = (pdf.page, pdf.get_y())
    out.need(out.closing_height)
    out.closing_alone = pdf.page != out.body_end[0]
    pdf.ln(_CLOSING_GAP)
    out.paragraph(letter.closing)
    for (sig, lines), height in zip(blocks, heights, strict=True):
        out.need(height)
        pdf.ln(_SIGNATURE_GAP)
        out.paragraph(sig.title, bold=True)
        pdf.ln(_SIGN_SPACE)
        for line in lines:
            out.paragraph(line, size=9.5)


def _letterhead(out: _Writer, letter: Letter, logo: bytes | None) -> None:
    pdf = out.pdf
    if logo is not None:
        image_mime(logo)
        height = 16.0
        try:
            with Image.open(io.BytesIO(logo)) as image:
                width = height * image.width / image.height
            x = pdf.w - _MARGIN - width if letter.rtl else _MARGIN  # at the start of the line
            pdf.image(io.BytesIO(logo), x=x, y=_MARGIN - 6, h=height)
        except Exception as exc:  # fpdf2 and Pillow raise many kinds on a bad image
            raise RenderError(f"the logo cannot be read: {exc}", source="logo") from exc
        pdf.set_y(_MARGIN - 6 + height + 3)
    for i, line in enumerate(letter.letterhead):
        out.paragraph(line, size=12 if i == 0 else 9.5, bold=i == 0)
    pdf.ln(2)
    pdf.set_draw_color(60)
    pdf.line(_MARGIN, pdf.get_y(), pdf.w - _MARGIN, pdf.get_y())
    pdf.ln(5)
