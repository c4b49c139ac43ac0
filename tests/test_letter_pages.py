"""PDF letters: the closing and the signature blocks never stand alone on the last page."""

from __future__ import annotations

import io
import re
from typing import Any

import pypdf
import pytest

from eevidence import parse_request
from eevidence.letter import LANGUAGES, Fields, Letter, Table, build_letter, render_letter
from tests.helpers import EXAMPLES, example_doc

KINDS = sorted(p.stem for p in EXAMPLES.glob("*.json"))


def _squash(text: str) -> str:
    """Text without white space or bidirectional marks: wrapped lines compare equal."""
    return re.sub(r"[\s\u200e\u200f\u202a-\u202e\u2066-\u2069]+", "", text)


def _runs(text: str) -> list[str]:
    """A text's runs of one writing direction, squashed (a PDF holds the runs of a
    right-to-left line in visual order, each run's letters in logical order)."""
    parts = re.findall(r"[\u0600-\u06ff][\u0600-\u06ff\s]*|[^\u0600-\u06ff]+", text)
    return [p for p in (_squash(x).strip("()") for x in parts) if p]


def _closing_texts(letter: Letter, pages: int) -> str:
    """Every text of the closing, the signature blocks and the page footers, squashed."""
    label_sig, label_date = letter.signature_labels
    texts = [letter.closing, label_sig, label_date, letter.created_at.strftime("%Y-%m-%d")]
    texts += [line for sig in letter.signatures for line in (sig.title, *sig.lines)]
    label = letter.page_label.replace("{pages}", str(pages))
    texts += [letter.footer, *(label.replace("{page}", str(n)) for n in range(1, pages + 1))]
    return "\x00".join(run for text in texts for run in _runs(text))


def _body_pieces(letter: Letter) -> list[str]:
    """Short pieces of the body (section headings, labels, values, cells, the start and the
    end of each paragraph), squashed: a page holding any part of a section holds one."""
    texts: list[str] = []
    for section in letter.sections:
        texts.append(section.title)
        for block in section.blocks:
            if isinstance(block, Fields):
                texts += [text for row in block.rows for text in row]
            elif isinstance(block, Table):
                texts += [*block.header, *(cell for row in block.rows for cell in row)]
            else:
                texts.append(block.text)
    pieces: list[str] = []
    for text in texts:
        for run in _runs(text):
            pieces += [run[:12], run[-12:]] if len(run) > 24 else [run]
    return [p for p in pieces if len(p) >= 3]


def _last_page_body(letter: Letter, data: bytes) -> list[str]:
    """The pieces of the body on the letter's last page that no text of the closing, the
    signatures or the footers holds."""
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    last = _squash(pages[-1].extract_text())
    closing = _closing_texts(letter, len(pages))
    return [p for p in _body_pieces(letter) if p in last and p not in closing]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", KINDS)
def test_the_last_page_holds_more_than_the_closing_and_signatures(name: str, lang: str) -> None:
    request = parse_request(example_doc(name))
    letter = build_letter(request, lang=lang)
    data = render_letter(request, fmt="pdf", lang=lang)
    assert _last_page_body(letter, data), (name, lang)
    assert data == render_letter(request, fmt="pdf", lang=lang)  # still reproducible


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_body_s_end_goes_with_the_closing_wherever_the_page_ends(lang: str) -> None:
    doc = example_doc("voluntary-disclosure")
    facts = doc["case"]["summary_of_facts"]
    page_counts: set[int] = set()
    # the summary grows a few lines at a time, so the closing falls at every height of a page
    for times in range(1, 30):
        changes: dict[str, Any] = {"case": {**doc["case"], "summary_of_facts": facts * times}}
        request = parse_request({**doc, **changes})
        letter = build_letter(request, lang=lang)
        data = render_letter(request, fmt="pdf", lang=lang)
        page_counts.add(len(pypdf.PdfReader(io.BytesIO(data)).pages))
        assert _last_page_body(letter, data), times
    assert len(page_counts) >= 2  # grown by more than a page: every position was tried
