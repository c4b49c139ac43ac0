"""What fpdf2 computes for a shaped line that depends on its text alone, kept for the
next lines and documents: the directional runs of the Unicode bidirectional algorithm
(:func:`bidi_runs`, :class:`CachedBidi`) and the glyphs HarfBuzz gives each run
(:class:`CachedShapingFont`).

An Arabic letter writes most of its lines (labels, fixed sentences) in every letter, and
fpdf2 spends most of a shaped line's time on these two steps: it runs the bidirectional
algorithm once per line and HarfBuzz three times per run (its width twice, its glyphs
once). fpdf2 still writes every line itself, and the glyphs still get their codes in the
document's font subset in the order it gives them, so a document is byte for byte the one
fpdf2 alone would write.

The tables are shared by all documents of the process; each is emptied when it reaches its
size limit. They hold results of pure functions, so a lost or doubled entry (two threads
shaping the same text) changes nothing but time.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from typing import Any, Final

from fpdf import FPDF
from fpdf.bidi import BidiParagraph, auto_detect_base_direction
from fpdf.enums import TextDirection
from fpdf.fonts import TTFFont
from fpdf.line_break import Fragment

__all__ = ["CachedBidi", "CachedShapingFont", "bidi_runs"]

_RUNS_MAX: Final = 20_000
_runs: dict[
    tuple[str, TextDirection | None, str | None],
    tuple[TextDirection, tuple[tuple[str, TextDirection], ...]],
] = {}
"""Directional runs of shaped lines by (text, base direction, page-count alias)."""


def bidi_runs(
    text: str, direction: TextDirection | None, alias: str | None
) -> tuple[TextDirection, tuple[tuple[str, TextDirection], ...]]:
    """The paragraph direction of ``text`` (``direction``, else its first strong
    character's: Unicode Standard Annex #9, rules P2 and P3) and its directional runs in
    logical order, as fpdf2 computes them for a line."""
    key = (text, direction, alias)
    found = _runs.get(key)
    if found is None:
        paragraph = direction or auto_detect_base_direction(text)
        runs = BidiParagraph(
            text=text, base_direction=paragraph, preserve_bn_chars=True, alias=alias
        ).get_bidi_fragments()
        found = (paragraph, tuple(runs))
        if len(_runs) >= _RUNS_MAX:
            _runs.clear()
        _runs[key] = found
    return found


class CachedBidi(FPDF):
    """An fpdf2 document whose shaped lines take their directional runs from
    :func:`bidi_runs`."""

    def _preload_bidirectional_text(self, text: str, markdown: bool) -> Sequence[Fragment]:
        """fpdf2's split of a shaped line into directional runs, each into fragments by
        font, with the runs of each text kept for the next documents (:func:`bidi_runs`):
        the Unicode bidirectional algorithm is the slowest step of a shaped line."""
        shaping = self.text_shaping
        if not shaping or markdown:
            return super()._preload_bidirectional_text(text, markdown)
        direction, runs = bidi_runs(text, shaping["direction"], self.str_alias_nb_pages)
        shaping["paragraph_direction"] = direction
        emphasis = (
            "B" in self.font_style,
            "I" in self.font_style,
            bool(self.strikethrough),
            bool(self.underline),
        )
        fragments: list[Fragment] = []
        for run, run_direction in runs:
            shaping["fragment_direction"] = run_direction
            fragments.extend(self._preload_font_styles(run, False, _initial_emphasis=emphasis))
            emphasis = getattr(self, "_markdown_emphasis", emphasis)
        return tuple(fragments)


_SHAPED_MAX: Final = 20_000
"""Texts whose shaping each font keeps (per family and style), shared by all documents."""
_Glyph = tuple[int, tuple[int, ...], str, int, int, int, int, int, bool]
"""A shaped glyph before it has a place in a document's subset: glyph id, the characters
it draws, glyph name, width, x and y advance, x and y offset, and whether fpdf2 must
position it on its own."""
_widths: dict[tuple[object, ...], tuple[int, float]] = {}
_shapes: dict[tuple[object, ...], tuple[_Glyph, ...]] = {}


def _shaping_key(
    font: TTFFont, text: str, size: float, params: dict[str, Any] | None
) -> tuple[object, ...]:
    """What HarfBuzz's result depends on: the font, the text, the size and the buffer's
    direction, script, language and features (fpdf2's ``perform_harfbuzz_shaping``)."""
    if params is None:
        return (font.fontkey, text, size, None, None, None, ())
    features = params.get("features") or {}
    return (
        font.fontkey,
        text,
        size,
        params.get("fragment_direction"),
        params.get("script"),
        params.get("language"),
        tuple(sorted(features.items())),
    )


class CachedShapingFont(TTFFont):
    """A document's font whose HarfBuzz results are kept for the next lines and documents
    (:func:`~eevidence.letter._fonts.font_for` makes every font one): the width and the
    glyphs of a text at a size, in a direction; only each glyph's code in the document's
    subset is given out anew, through the document's ``SubsetMap``."""

    __slots__ = ()

    def shaped_text_width(
        self, text: str, font_size_pt: float, text_shaping_params: dict[str, Any] | None
    ) -> tuple[int, float]:
        key = _shaping_key(self, text, font_size_pt, text_shaping_params)
        found = _widths.get(key)
        if found is None:
            found = super().shaped_text_width(text, font_size_pt, text_shaping_params)
            if len(_widths) >= _SHAPED_MAX:
                _widths.clear()
            _widths[key] = found
        return found

    def shape_text(
        self, text: str, font_size_pt: float, text_shaping_params: dict[str, Any] | None
    ) -> list[dict[str, Any]]:
        if not text:
            return []
        key = _shaping_key(self, text, font_size_pt, text_shaping_params)
        glyphs = _shapes.get(key)
        if glyphs is None:
            glyphs = self._shape(text, font_size_pt, text_shaping_params)
            if len(_shapes) >= _SHAPED_MAX:
                _shapes.clear()
            _shapes[key] = glyphs
        out: list[dict[str, Any]] = []
        subset = self.subset
        for codepoint, unicode, name, width, x_adv, y_adv, x_off, y_off, force in glyphs:
            glyph = subset.get_glyph(
                glyph=codepoint, unicode=unicode, glyph_name=name, glyph_width=width
            )
            if glyph is None:
                continue
            out.append(
                {
                    "mapped_char": subset.pick_glyph(glyph),
                    "x_advance": x_adv,
                    "y_advance": y_adv,
                    "x_offset": x_off,
                    "y_offset": y_off,
                    "force_positioning": force,
                }
            )
        return out

    def _shape(
        self, text: str, font_size_pt: float, text_shaping_params: dict[str, Any] | None
    ) -> tuple[_Glyph, ...]:
        """fpdf2's ``shape_text`` up to the subset: each glyph HarfBuzz gives, with the
        characters of its cluster (a ligature draws several)."""
        infos, positions = self.perform_harfbuzz_shaping(text, font_size_pt, text_shaping_params)
        clusters = sorted(int(info.cluster) for info in infos)
        by_cluster: dict[int, list[int]] = {}
        for i in range(len(text)):
            at = bisect_left(clusters, i)
            if at == 0:
                cluster = clusters[0]
            elif at == len(clusters) or clusters[at] != i:
                cluster = clusters[at - 1]
            else:
                cluster = clusters[at]
            by_cluster.setdefault(cluster, []).append(i)
        metrics = self.ttfont["hmtx"].metrics
        glyphs: list[_Glyph] = []
        for info, pos in zip(infos, positions, strict=True):
            chars = by_cluster.pop(info.cluster, None)
            unicode = tuple(ord(text[i]) for i in chars) if chars is not None else ()
            name = self.ttfont.getGlyphName(info.codepoint)
            width = round(self.scale * metrics[name][0])
            force = (
                width != pos.x_advance
                or pos.x_offset != 0
                or pos.y_offset != 0
                or pos.y_advance != 0
            )
            glyphs.append(
                (
                    info.codepoint,
                    unicode,
                    name,
                    width,
                    pos.x_advance,
                    pos.y_advance,
                    pos.x_offset,
                    pos.y_offset,
                    force,
                )
            )
        return tuple(glyphs)
