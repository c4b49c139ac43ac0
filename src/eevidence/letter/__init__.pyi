# Public names of eevidence.letter, imported on first use (lazy_loader.attach_stub).

from ._bidi import format_datetime as format_datetime
from ._catalogue import (
    LANGUAGES as LANGUAGES,
    Catalogue as Catalogue,
    catalogue as catalogue,
)
from ._document import (
    build_letter as build_letter,
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
from ._pades import (
    SIGNATURE_FIELD as SIGNATURE_FIELD,
    load_certificates as load_certificates,
    sign_letter as sign_letter,
    verify_letter as verify_letter,
)
from ._pdf import render_pdf as render_pdf
from ._render import (
    FORMATS as FORMATS,
    LetterFormat as LetterFormat,
    render_html as render_html,
    render_letter as render_letter,
    render_text as render_text,
)
from ._throwaway import (
    NOT_FOR_REAL_USE as NOT_FOR_REAL_USE,
    ThrowawayCA as ThrowawayCA,
)

__all__ = [
    "FORMATS",
    "LANGUAGES",
    "NOT_FOR_REAL_USE",
    "SIGNATURE_FIELD",
    "Catalogue",
    "Fields",
    "Letter",
    "LetterFormat",
    "Paragraph",
    "Section",
    "Signature",
    "Table",
    "ThrowawayCA",
    "build_letter",
    "catalogue",
    "format_datetime",
    "image_mime",
    "load_certificates",
    "render_html",
    "render_letter",
    "render_pdf",
    "render_text",
    "sign_letter",
    "verify_letter",
]
