# Public names of eevidence.letter, imported on first use (lazy_loader.attach_stub).

from ._catalogue import (
    LANGUAGES as LANGUAGES,
    Catalogue as Catalogue,
    catalogue as catalogue,
)
from ._document import (
    build_letter as build_letter,
    format_datetime as format_datetime,
    image_mime as image_mime,
)
from ._model import (
    Fields as Fields,
    Letter as Letter,
    Paragraph as Paragraph,
    Section as Section,
    Signature as Signature,
    Table as Table,
)
from ._pdf import render_pdf as render_pdf
from ._render import (
    FORMATS as FORMATS,
    LetterFormat as LetterFormat,
    render_html as render_html,
    render_letter as render_letter,
    render_text as render_text,
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
