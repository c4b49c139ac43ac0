"""Request letters as plain text, self-contained HTML and PDF, in English, French, Spanish, Arabic.

All three formats lay out the same :class:`~eevidence.letter.Letter`, so their content is
identical. Output is deterministic: the same request and options give the same bytes
(the PDF's creation date is the request's ``created_at`` and its file identifier is
derived from the content). PDF fonts (Noto Sans, Noto Naskh Arabic, SIL Open Font
License 1.1) ship with the package; Arabic is shaped by HarfBuzz and laid out right to left.
"""

from __future__ import annotations

import html
import re
import textwrap
from base64 import b64encode
from collections.abc import Callable
from typing import Final, Literal, get_args

from eevidence._internal.text import UNSAFE
from eevidence.errors import RenderError
from eevidence.letter._bidi import printable_text
from eevidence.letter._document import build_letter, image_mime
from eevidence.letter._model import Fields, Letter, Table
from eevidence.provider import ProviderProfile
from eevidence.request import AuthorityProfile, Request

__all__ = [
    "FORMATS",
    "LetterFormat",
    "render_html",
    "render_letter",
    "render_text",
]

LetterFormat = Literal["pdf", "html", "txt"]
"""Letter output formats."""
FORMATS: Final[tuple[str, ...]] = get_args(LetterFormat)
"""Every :data:`LetterFormat`, in order."""


def render_letter(
    request: Request,
    *,
    fmt: str,
    lang: str,
    authority: AuthorityProfile | None = None,
    provider_name: str | None = None,
    logo: bytes | None = None,
    provider: ProviderProfile | None = None,
) -> bytes:
    """The letter for ``request`` as ``fmt`` (pdf, html or txt) in ``lang`` (en, fr, es, ar).

    Deterministic: the same arguments always give the same bytes.

    Args:
        request: the request.
        fmt: ``pdf`` (A4, fonts embedded), ``html`` (one self-contained file) or ``txt``
            (UTF-8 plain text, 78 columns).
        lang: the letter language, one of :data:`~eevidence.letter.LANGUAGES`.
        authority: gives the letterhead (default: the request's requesting authority).
        provider_name: the addressee's display name (default: the profile's name, else
            the provider id).
        logo: a PNG or JPEG image (bytes) printed in the letterhead of the PDF and HTML
            letters; the text letter has none.
        provider: the provider's profile: the addressee block names the legal entity
            (or the designated addressee of an EU order) and the postal address where
            the profile settles them (:func:`~eevidence.letter.build_letter`). Default:
            the shipped profile of the request's provider, if the package has one; pass
            the profile to use one of your own (``load_providers(DIR).get(id)``).

    Returns:
        The letter file's bytes.

    Raises:
        RenderError: ``fmt`` or ``lang`` is unknown, a catalogue text is missing, the logo
            is not a readable PNG or JPEG image, the PDF fonts cannot draw a character
            of the request, or the CLDR names (``language-data``) are not installed.
        InputError: the request's kind has no row in the kinds table.
        ConfigurationError: the shipped country list, legal facts or provider profile are
            broken.
    """
    if fmt not in FORMATS:
        raise RenderError(
            f"unknown letter format {fmt!r}; available: {', '.join(FORMATS)}", source="--format"
        )
    letter = build_letter(
        request,
        lang=lang,
        provider_name=provider_name,
        authority=authority,
        provider=provider,
        escape=True,  # what others wrote, escaped before the letter adds its own isolates
    )
    if fmt == "txt":
        return render_text(letter)
    if fmt == "html":
        return render_html(letter, logo=logo)
    from eevidence.letter._pdf import render_pdf  # noqa: PLC0415 - fpdf2 loads only for PDFs

    return render_pdf(letter, logo=logo)


# --------------------------------------------------------------------------- plain text

_WIDTH: Final = 78


_WRAPPED_SPACE: Final = re.compile("[\t\n\x0b\x0c\r]|  ")
"""Whitespace :func:`textwrap.wrap` would turn into spaces (all of it but the space) or
keep as a run of its own (two spaces)."""


def _wrap(text: str, indent: str = "", first: str | None = None) -> list[str]:
    """``text`` in lines of at most 78 columns, the first after ``first`` (else ``indent``)
    and the others after ``indent``, as :func:`textwrap.wrap` breaks them (words kept
    whole); each line feed of ``text`` starts a new line."""
    lines: list[str] = []
    lead = indent if first is None else first
    for para in text.split("\n"):
        lines += _wrap_words(para, lead, indent) if _simple(para) else _textwrap(para, lead, indent)
        lead = indent
    return lines


def _simple(para: str) -> bool:
    """``para`` is words between single spaces, none of them whitespace (what textwrap
    drops at the end of a line), with no other whitespace to change or drop."""
    return (
        para != ""
        and not para[0].isspace()
        and not para[-1].isspace()
        and _WRAPPED_SPACE.search(para) is None
        and (para.isprintable() or not any(w.isspace() for w in para.split(" ")))
    )


def _wrap_words(para: str, lead: str, indent: str) -> list[str]:
    """:func:`_textwrap` of a :func:`_simple` paragraph, without its chunking: a word goes
    on the line when it fits after a space, and a word longer than a line stands alone."""
    width = _WIDTH - len(lead)
    if len(para) <= width:
        return [lead + para]
    lines: list[str] = []
    line = ""
    for word in para.split(" "):
        if line and len(line) + 1 + len(word) <= width:
            line = f"{line} {word}"
            continue
        if line:
            lines.append(lead + line)
            lead, width = indent, _WIDTH - len(indent)
        if len(word) > width:  # alone on its line, whatever is left of it
            lines.append(lead + word)
            lead, width = indent, _WIDTH - len(indent)
            line = ""
        else:
            line = word
    if line:
        lines.append(lead + line)
    return lines


def _textwrap(para: str, lead: str, indent: str) -> list[str]:
    wrapped = textwrap.wrap(
        para,
        _WIDTH,
        initial_indent=lead,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return wrapped or [lead.rstrip()]


def render_text(letter: Letter) -> bytes:
    """The letter as UTF-8 plain text (for email bodies and web portals).

    Lines are wrapped at 78 columns; sections are numbered; tables become one block per
    row; a signature block gets a line to sign on and the date of the request.

    Control and bidirectional formatting characters are written as visible escapes
    (``\\x1b``, ``\\u202e``: :func:`eevidence._internal.text.printable`), so that none
    from a request reaches an email body raw. The left-to-right isolates a right-to-left
    letter puts around its dates, article numbers, phone numbers and email addresses
    (U+2066, U+2069) are kept as they are when the letter was built with ``escape=True``
    (:attr:`Letter.escaped`), as :func:`render_letter` builds it: the request's own
    isolates are escapes by then. In a letter built without it, the letter's isolates
    cannot be told from the request's, and all are escaped. The HTML and PDF letters do the
    same.
    """
    out: list[str] = [*letter.letterhead, ""]
    out += [letter.title, "=" * min(len(letter.title), _WIDTH), ""]
    out += [f"{k}: {v}" for k, v in letter.meta]
    out += ["", *_wrap(letter.intro)]
    for n, section in enumerate(letter.sections, 1):
        heading = f"{n}. {section.title}"
        out += ["", heading, "-" * min(len(heading), _WIDTH)]
        for block in section.blocks:
            if isinstance(block, Fields):
                for label, value in block.rows:
                    out += _wrap(value, "    ", f"{label}: ")
            elif isinstance(block, Table):
                for row in block.rows:
                    out.append(f"[{row[0]}]")
                    for head, cell in zip(block.header[1:], row[1:], strict=True):
                        if cell:
                            out += _wrap(cell, "      ", f"  {head}: ")
            else:
                out += _wrap(block.text)
    out += ["", *_wrap(letter.closing)]
    label_sig, label_date = letter.signature_labels
    for sig in letter.signatures:
        out += ["", sig.title, f"{label_sig}: ______________________", *sig.lines]
        out.append(f"{label_date}: {letter.created_at.strftime('%Y-%m-%d')}")
    out += ["", "--", letter.footer]
    # control and bidi characters (ESC, NUL, RLO...) are shown escaped: the text goes into
    # email bodies and portal fields that terminals display; the letter's isolates stay
    return (printable_text("\n".join(out), own_isolates=letter.escaped) + "\n").encode()


# --------------------------------------------------------------------------- HTML

_CSS: Final = """
@page { size: A4; margin: 18mm; }
body { font-family: "Noto Sans", "Noto Naskh Arabic", Arial, sans-serif; font-size: 10.5pt;
       color: #111; max-width: 180mm; margin: 0 auto; line-height: 1.4; }
header { border-bottom: 1px solid #444; padding-bottom: 4mm; margin-bottom: 4mm; }
header img { max-height: 20mm; float: inline-end; }
header p { margin: 0; }
header p.org { font-weight: bold; font-size: 12pt; }
h1 { font-size: 14pt; margin: 4mm 0; }
h2 { font-size: 11.5pt; margin: 5mm 0 2mm 0; border-bottom: 1px solid #bbb; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 2mm 0; }
th, td { border: 1px solid #bbb; padding: 1mm 2mm; vertical-align: top; text-align: start; }
th { background: #eee; }
table.fields th { width: 32%; background: #f6f6f6; }
td { white-space: pre-line; overflow-wrap: anywhere; }
.closing { break-inside: avoid; page-break-inside: avoid; }
.sig { margin-top: 8mm; page-break-inside: avoid; }
.sig .line { margin-top: 12mm; }
footer { margin-top: 8mm; font-size: 8.5pt; color: #555; border-top: 1px solid #bbb; }
"""


def _escaper(letter: Letter) -> Callable[[str], str]:
    """HTML escaping for the texts of ``letter``, after its control and bidirectional
    formatting characters are made visible escapes (its own isolates kept when it was
    built with ``escape=True``), line feeds kept for ``white-space: pre-line``."""
    own = letter.escaped

    def escape(text: str) -> str:
        if _ESCAPED.search(text) is None:
            return text  # most texts: nothing to escape, for HTML or as a control character
        return html.escape(printable_text(text, own_isolates=own), quote=True)

    return escape


_ESCAPED: Final = re.compile(f"{UNSAFE.pattern}|[&<>\"']")
"""A character that a text must not hold to be written in HTML as it is: one of
:data:`~eevidence._internal.text.UNSAFE` (escaped unless it is a line feed or the
letter's own isolate) or one that :func:`html.escape` replaces (with ``quote=True``)."""


def render_html(letter: Letter, *, logo: bytes | None = None) -> bytes:
    """The letter as one self-contained, printable XHTML-compatible HTML5 file (UTF-8).

    Styles are inline (A4 page), the logo is a ``data:`` URI, every text is escaped, and
    user-written values carry ``dir="auto"`` so mixed scripts read in their own direction.
    Control and bidirectional formatting characters are visible escapes (``\\u202e``), as
    in :func:`render_text`: an override in an identifier cannot reorder what the reader
    sees; the letter's own left-to-right isolates stay characters when it was built with
    ``escape=True``.

    Args:
        letter: the letter.
        logo: a PNG or JPEG image (bytes) for the letterhead, or ``None``.

    Raises:
        RenderError: ``logo`` is neither a PNG nor a JPEG image.
    """
    esc = _escaper(letter)  # every text goes through it
    direction = "rtl" if letter.rtl else "ltr"
    parts: list[str] = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(letter.lang)}" dir="{direction}">',
        "<head>",
        '<meta charset="utf-8"/>',
        f"<title>{esc(letter.title)} - {esc(letter.request_id)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
    ]
    if logo is not None:
        src = f"data:{image_mime(logo)};base64,{b64encode(logo).decode('ascii')}"
        parts.append(f'<img src="{src}" alt=""/>')
    for i, line in enumerate(letter.letterhead):
        cls = ' class="org"' if i == 0 else ""
        parts.append(f'<p{cls} dir="auto">{esc(line)}</p>')
    parts += ["</header>", f"<h1>{esc(letter.title)}</h1>", '<table class="fields">']
    parts += [
        f'<tr><th scope="row">{esc(k)}</th><td dir="auto">{esc(v)}</td></tr>'
        for k, v in letter.meta
    ]
    parts += ["</table>", f"<p>{esc(letter.intro)}</p>"]
    for n, section in enumerate(letter.sections, 1):
        parts.append(f"<section><h2>{n}. {esc(section.title)}</h2>")
        for block in section.blocks:
            if isinstance(block, Fields):
                parts.append('<table class="fields">')
                parts += [
                    f'<tr><th scope="row">{esc(k)}</th><td dir="auto">{esc(v)}</td></tr>'
                    for k, v in block.rows
                ]
                parts.append("</table>")
            elif isinstance(block, Table):
                head = "".join(f'<th scope="col">{esc(h)}</th>' for h in block.header)
                parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>")
                for row in block.rows:
                    cells = "".join(f'<td dir="auto">{esc(c)}</td>' for c in row)
                    parts.append(f"<tr>{cells}</tr>")
                parts.append("</tbody></table>")
            else:
                parts.append(f'<p dir="auto">{esc(block.text)}</p>')
        parts.append("</section>")
    # the closing and the signatures are printed on one page (break-inside: avoid)
    parts.append(f'<div class="closing"><p>{esc(letter.closing)}</p>')
    label_sig, label_date = letter.signature_labels
    date = letter.created_at.strftime("%Y-%m-%d")
    for sig in letter.signatures:
        parts.append(f'<div class="sig"><p><strong>{esc(sig.title)}</strong></p>')
        parts.append(f'<p class="line">{esc(label_sig)}: ______________________</p>')
        parts += [f'<p dir="auto">{esc(line)}</p>' for line in sig.lines]
        parts.append(f"<p>{esc(label_date)}: {esc(date)}</p></div>")
    parts.append("</div>")
    parts += [f'<footer dir="auto">{esc(letter.footer)}</footer>', "</body>", "</html>"]
    return ("\n".join(parts) + "\n").encode("utf-8")
