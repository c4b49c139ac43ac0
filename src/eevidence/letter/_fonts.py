"""The fonts of PDF letters: Noto Sans and Noto Naskh Arabic (SIL Open Font License 1.1),
shipped with the package, parsed once per process and copied cheaply for each document.
"""

from __future__ import annotations

import copy
import io
import threading
from functools import cache
from typing import Any, Final

from fontTools import ttLib
from fpdf import FPDF
from fpdf.errors import FPDFException
from fpdf.fonts import SubsetMap, TTFFont

from eevidence._internal.resources import data_dir
from eevidence.errors import RenderError
from eevidence.letter._shaping import CachedBidi, CachedShapingFont

__all__ = ["RULER_LOCK", "font_data", "font_for", "ruler"]

_FONT_FILES: Final = {
    ("sans", ""): "NotoSans-Regular.ttf",
    ("sans", "B"): "NotoSans-Bold.ttf",
    ("naskh", ""): "NotoNaskhArabic-Regular.ttf",
    ("naskh", "B"): "NotoNaskhArabic-Bold.ttf",
}
_UNEMBEDDED_TABLES: Final = ("GDEF", "GPOS", "GSUB", "name", "post", "gasp", "cmap", "OS/2")
"""Tables a document's font copy goes without: HarfBuzz reads the layout tables from the
font file and fpdf2 drops them from the PDF anyway; a TrueType program of a CIDFontType2
font needs no name, post, gasp, cmap or OS/2 table (PDF 1.7, 9.9: glyphs are found through
the CIDToGIDMap; fpdf2 took the font's name and metrics from the prototype). Not parsing
and subsetting them takes two thirds off the time fpdf2 spends on a font per document."""
RULER_LOCK: Final = threading.RLock()
"""Guards the shared fonts while they are parsed and the ruler while it measures."""


class _CopyOnRead(dict[str, Any]):
    """The glyphs of a shared, already split ``glyf`` table; reading one gives a copy.

    fontTools' subsetter reads the glyphs it keeps and then edits them in place (component
    ids, trimming), so each document edits its own copies and the shared glyphs stay as
    they were. Splitting the table afresh for every document cost more than the rest of
    the font work together."""

    def __getitem__(self, name: str) -> Any:
        return copy.copy(super().__getitem__(name))


_Shared = tuple[bytes, list[str], dict[str, Any], dict[str, tuple[int, int]], TTFFont]
_FONTS: dict[tuple[str, str], _Shared] = {}


def font_data(family: str, style: str) -> _Shared:
    """The font file's bytes, glyph order and a parsed fpdf2 font, made once per process."""
    with RULER_LOCK:
        found = _FONTS.get((family, style))
        if found is None:
            found = _FONTS[family, style] = _load_font(family, style)
        return found


def _load_font(family: str, style: str) -> _Shared:
    path = data_dir("fonts") / _FONT_FILES[family, style]
    try:
        data = path.read_bytes()
        prototype = FPDF()
        prototype.add_font(family, style, str(path))
    except (OSError, FPDFException) as exc:
        raise RenderError(f"cannot load the PDF font {path}: {exc}", source=str(path)) from exc
    font = prototype.fonts[f"{family}{style}"]
    assert isinstance(font, TTFFont)  # noqa: S101 - add_font of a .ttf file makes one
    order = list(font.ttfont.getGlyphOrder())
    glyphs = dict(font.ttfont["glyf"].glyphs)
    metrics = dict(font.ttfont["hmtx"].metrics)
    font.ttfont.close()  # every document reads its own copy from ``data``
    return data, order, glyphs, metrics, font


@cache
def ruler(families: tuple[str, ...], shaping: bool) -> FPDF:
    """A page-less document with the same fonts, used only to measure text (called with
    ``RULER_LOCK`` held, so it is made once)."""
    ruler = CachedBidi()
    for family in families:
        for style in ("", "B"):
            ruler.fonts[f"{family}{style}"] = font_for(ruler, family, style)
    if len(families) > 1:
        ruler.set_fallback_fonts(list(families))
    if shaping:
        ruler.set_text_shaping(use_shaping_engine=True)
    return ruler


def font_for(pdf: FPDF, family: str, style: str) -> TTFFont:
    """A font for one document: the parsed prototype's metrics, with its own glyph subset and
    its own fontTools object (fpdf2 subsets that object in place when it writes the file).

    Parsing a font costs more than laying out a whole letter; this is what fpdf2's own
    ``__deepcopy__`` of a font shares, plus a fresh, lazily read ``TTFont``.
    """
    data, order, glyphs, metrics, prototype = font_data(family, style)
    font: TTFFont = copy.copy(prototype)
    font.__class__ = CachedShapingFont  # the same slots; HarfBuzz's results kept
    font.i = len(pdf.fonts) + 1
    font.cw = dict(prototype.cw)
    font.glyph_ids = dict(prototype.glyph_ids)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    ttfont = ttLib.TTFont(io.BytesIO(data), lazy=True, recalcBBoxes=False, recalcTimestamp=False)
    ttfont.setGlyphOrder(order)
    glyf: Any = ttLib.newTable("glyf")
    glyf.glyphOrder = list(order)
    glyf.glyphs = _CopyOnRead(glyphs)
    glyf._reverseGlyphOrder = {}
    ttfont["glyf"] = glyf
    hmtx: Any = ttLib.newTable("hmtx")
    hmtx.metrics = dict(metrics)  # the subsetter replaces the dict; its values are tuples
    ttfont["hmtx"] = hmtx
    for table in _UNEMBEDDED_TABLES:
        if table in ttfont:
            del ttfont[table]
    font.ttfont = ttfont
    font.subset = SubsetMap(font)
    # Objects that fpdf2 changes while it writes or shapes a document are the document's own:
    # the font descriptor (it receives an object number) and the HarfBuzz font (its size).
    font.desc = copy.copy(prototype.desc)
    font._hbfont = None
    return font
