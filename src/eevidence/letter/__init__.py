"""Request letters: one document model laid out as plain text, HTML or PDF, in en/fr/es/ar.

Deterministic: the same request and options give the same bytes. fpdf2 and HarfBuzz are
loaded only when a PDF is asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from eevidence._internal.lazy import attach as _attach

if TYPE_CHECKING:
    from eevidence.letter._catalogue import (
        LANGUAGES,
        Catalogue,
        catalogue,
    )
    from eevidence.letter._document import (
        build_letter,
        format_datetime,
        image_mime,
    )
    from eevidence.letter._model import (
        Fields,
        Letter,
        Paragraph,
        Section,
        Signature,
        Table,
    )
    from eevidence.letter._pdf import (
        render_pdf,
    )
    from eevidence.letter._render import (
        FORMATS,
        LetterFormat,
        render_html,
        render_letter,
        render_text,
    )

__all__ = [
    "FORMATS",
    "LANGUAGES",
    "Catalogue",
    "Fields",
    "Letter",
    "LetterFormat",
    "Paragraph",
    "Section",
    "Signature",
    "Table",
    "build_letter",
    "catalogue",
    "format_datetime",
    "image_mime",
    "render_html",
    "render_letter",
    "render_pdf",
    "render_text",
]

__getattr__, __dir__ = _attach(__name__, __file__)
