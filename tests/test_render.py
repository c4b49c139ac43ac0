"""Request letters: catalogues, content in every kind, language and format, determinism, safety."""

from __future__ import annotations

import ast
import html as html_lib
import io
import json
import re
import struct
import xml.etree.ElementTree as ET
import zlib
from datetime import datetime
from pathlib import Path
from typing import Any, get_args

import pypdf
import pytest

from eevidence import parse_request
from eevidence._cli import main
from eevidence._internal.text import printable
from eevidence.errors import RenderError
from eevidence.letter import (
    FORMATS,
    LANGUAGES,
    Catalogue,
    Fields,
    Table,
    build_letter,
    catalogue,
    format_datetime,
    render_html,
    render_letter,
    render_text,
)
from eevidence.letter._bidi import escaped
from eevidence.letter._names import country_name, language_name
from eevidence.provider import Channel, Entity, ProviderProfile, ScopedFact, load_providers
from eevidence.request import (
    DATA_CATEGORIES,
    IDENTIFIER_TYPES,
    INSTRUMENTS,
    REQUEST_KINDS,
    SUBSCRIBER_DETAILS,
    AuthorityProfile,
    MlaRequest,
    Request,
)
from eevidence.request._models import (
    AttachmentKind,
    IssuingAuthorityType,
    OffenceCategory,
    ValidatingAuthorityType,
)
from tests.helpers import EXAMPLES, ROOT, example_doc

KINDS = sorted(p.stem for p in EXAMPLES.glob("*.json"))
ENUM_KEYS = {
    "kind",
    "type",
    "instrument",
    "categories",
    "subscriber_details",
    "offence_category",
    "language",
    "schema_version",
    "country",
    "agreement_partner",
    "provider",
    "capacity",
    "reasons",
}
"""Fields whose values are translated (or shown as names: the provider by its profile's name),
so they are checked separately."""
_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
_ARABIC = re.compile("[\u0600-\u06ff]")


def _request(name: str, **changes: Any) -> Request:
    doc = example_doc(name)
    doc.update(changes)
    return parse_request(doc)


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def _squash(text: str) -> str:
    """Text without white space or bidirectional marks: wrapped lines compare equal."""
    return re.sub(r"[\s\u200e\u200f\u202a-\u202e\u2066-\u2069]+", "", text)


def _runs(label: str) -> list[str]:
    """A label's runs of one writing direction, squashed. In a right-to-left line a PDF holds
    mixed runs in visual order, each run's letters in logical order."""
    parts = re.findall(r"[\u0600-\u06ff][\u0600-\u06ff\s]*|[^\u0600-\u06ff]+", label)
    return [p for p in (_squash(x).strip("()") for x in parts) if p]


def _expected(request: Request) -> list[str]:
    """Every value of the request that a letter must show as written: identifiers, dates,
    references, names, user text, numbers."""
    out: list[str] = []

    def walk(value: Any, key: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif key in ENUM_KEYS or isinstance(value, bool) or value is None:
            return
        elif isinstance(value, str) and _DATETIME.match(value):
            out.append(format_datetime(datetime.fromisoformat(value)))
        else:
            out.append(str(value))

    walk(request.model_dump(mode="json"), "")
    return out


# --------------------------------------------------------------------------- catalogues


def test_every_language_has_every_entry_with_the_same_placeholders() -> None:
    english = catalogue("en")
    for lang in LANGUAGES:
        other = catalogue(lang)
        assert other.keys() == english.keys(), (lang, other.keys() ^ english.keys())
        for key in sorted(english.keys()):
            assert other.entries[key].strip(), (lang, key)
            assert other.placeholders(key) == english.placeholders(key), (lang, key)


def _keys_used_by_code() -> tuple[set[str], set[str]]:
    """Literal catalogue keys and f-string key prefixes used in the letter model's source."""
    tree = ast.parse(
        (ROOT / "src" / "eevidence" / "letter" / "_document.py").read_text(encoding="utf-8")
    )
    literal: set[str] = set()
    prefixes: set[str] = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        if node.func.id != "t" or not node.args:
            continue
        arg = node.args[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            literal.add(arg.value)
        elif isinstance(arg, ast.JoinedStr):
            head = arg.values[0]
            assert isinstance(head, ast.Constant)
            prefixes.add(str(head.value))
    return literal, prefixes


def test_every_key_the_code_uses_exists_in_every_language() -> None:
    literal, prefixes = _keys_used_by_code()
    authority_types = set(get_args(IssuingAuthorityType)) | set(get_args(ValidatingAuthorityType))
    families: dict[str, tuple[str, ...]] = {
        "kind.": REQUEST_KINDS,
        "intro.": REQUEST_KINDS,
        "instrument.": INSTRUMENTS,
        "identifier.": IDENTIFIER_TYPES,
        "category.": DATA_CATEGORIES,
        "subscriber.": SUBSCRIBER_DETAILS,
        "offence.": get_args(OffenceCategory),
        "attachment.": get_args(AttachmentKind),
        "authority.": tuple(sorted(authority_types)),
    }
    assert prefixes == set(families), "a new key family needs its vocabulary listed here"
    assert len(literal) > 80
    needed = literal | {prefix + value for prefix, values in families.items() for value in values}
    for lang in LANGUAGES:
        missing = needed - catalogue(lang).keys()
        assert not missing, (lang, sorted(missing))


def test_a_missing_label_is_an_error_not_a_blank() -> None:
    partial = Catalogue("xx", {"field.name": "Name"})
    assert partial("field.name") == "Name"
    with pytest.raises(RenderError, match=re.escape("'field.email'")) as info:
        partial("field.email")
    assert "catalogues/xx.json" in info.value.diagnostics()


def test_a_letter_with_a_label_missing_from_its_catalogue_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entries = dict(catalogue("fr").entries)
    del entries["section.justification"]
    monkeypatch.setattr(
        "eevidence.letter._document.catalogue", lambda lang: Catalogue(lang, entries)
    )
    with pytest.raises(RenderError, match=re.escape("section.justification")):
        build_letter(_request("preservation"), lang="fr")


def test_unknown_language_and_format_are_refused() -> None:
    request = _request("preservation")
    with pytest.raises(RenderError, match="no letter catalogue for language 'de'"):
        render_letter(request, fmt="txt", lang="de")
    with pytest.raises(RenderError, match="unknown letter format 'docx'"):
        render_letter(request, fmt="docx", lang="en")


def test_a_broken_catalogue_file_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "fr.json").write_text('["not", "an", "object"]', encoding="utf-8")
    (tmp_path / "es.json").write_text("{", encoding="utf-8")
    monkeypatch.setattr("eevidence.letter._catalogue.data_dir", lambda name: tmp_path)
    catalogue.cache_clear()
    try:
        with pytest.raises(RenderError, match="not an object of strings"):
            catalogue("fr")
        with pytest.raises(RenderError, match="cannot read the catalogue"):
            catalogue("es")
    finally:
        catalogue.cache_clear()


# --------------------------------------------------------------------------- content


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", KINDS)
def test_every_kind_in_every_language_shows_every_value(name: str, lang: str) -> None:
    request = _request(name)
    expected = _expected(request)
    t = catalogue(lang)
    labels = [t(f"kind.{request.kind}"), t("section.identifiers"), t("section.justification")]
    labels += [t(f"identifier.{i.type}") for i in request.identifiers]
    labels += [t(f"category.{c}") for c in request.data.categories]
    for fmt in FORMATS:
        data = render_letter(request, fmt=fmt, lang=lang)
        text = _pdf_text(data) if fmt == "pdf" else data.decode("utf-8")
        if fmt == "html":
            text = re.sub(r"<[^>]+>", " ", text).replace("&#x27;", "'").replace("&amp;", "&")
        flat = _squash(text)
        missing = [v for v in expected if _squash(v) not in flat]
        assert not missing, (fmt, missing)
        absent = [part for label in labels for part in _runs(label) if part not in flat]
        assert not absent, (fmt, absent)


def test_the_letter_has_the_model_form_sections_of_each_kind() -> None:
    t = catalogue("en")

    def titles(name: str) -> list[str]:
        return [s.title for s in build_letter(_request(name), lang="en").sections]

    common = ["section.requesting_authority", "section.legal_basis", "section.case"]
    common += ["section.identifiers", "section.data", "section.justification"]
    for name in KINDS:
        assert {t(k) for k in common} <= set(titles(name)), name
    assert t("section.emergency") in titles("emergency-disclosure")
    assert t("section.extension") in titles("preservation-extension")
    eu = titles("eu-production-order")
    assert eu.index(t("section.issuing_authority")) == 0
    assert t("section.addressee_eu") in eu
    assert t("section.subsequent_request") in titles("eu-preservation-order")
    assert t("section.confidentiality") in titles("preservation")
    p2 = build_letter(_request("protocol2-art7-order"), lang="en")
    assert p2.signatures[0].title == t("signature.issuing_authority")


def test_optional_parts_appear_only_when_given() -> None:
    doc = example_doc("eu-production-order")
    doc["validating_authority"] = {
        "type": "judge",
        "name": "Tribunal judiciaire de Paris",
        "country": "FR",
        "representative": "Juge Anne Roux",
        "email": "anne.roux@justice.example.fr",
        "phone": "+33144320000",
        "validated_at": "2026-11-16T08:00:00+01:00",
    }
    doc["emergency"] = {
        "threat_nature": "A planned attack on 20 November",
        "why_without_delay": "x",
    }
    letter = build_letter(parse_request(doc), lang="en")
    titles = [s.title for s in letter.sections]
    assert "Validating authority" in titles
    assert "Emergency case" in titles
    assert [s.title for s in letter.signatures] == [
        "For the issuing authority",
        "For the validating authority",
    ]
    assert "2026-11-16 08:00:00 UTC+01:00" in "\n".join(letter.texts())
    voluntary = example_doc("voluntary-disclosure")
    voluntary.pop("preservation_reference", None)
    voluntary.pop("confidentiality", None)
    titles = [s.title for s in build_letter(parse_request(voluntary), lang="en").sections]
    assert "Earlier preservation" not in titles
    assert "Confidentiality" not in titles
    plain_order = example_doc("eu-production-order")
    plain_order.pop("emergency", None)
    assert "Emergency case" not in [
        s.title for s in build_letter(parse_request(plain_order), lang="en").sections
    ]


def test_identifier_details_and_windows_are_shown() -> None:
    doc = example_doc("preservation")
    doc["identifiers"] = [
        {
            "type": "account_id",
            "value": "1784523",
            "service": "Facebook",
            "note": "the main account",
            "window": {"start": "2026-10-01T00:00:00Z", "end": "2026-10-02T00:00:00+02:00"},
        },
        {"type": "imei", "value": "490154203237518"},
    ]
    doc.pop("period")
    text = render_letter(parse_request(doc), fmt="txt", lang="en").decode()
    assert "Service: Facebook" in text
    assert "Note: the main account" in text
    assert "from 2026-10-01 00:00:00 UTC to 2026-10-02 00:00:00 UTC+02:00" in text
    assert "Period of interest of the request" not in text


def test_user_text_is_rendered_as_given_in_every_language() -> None:
    facts = "Les faits : 3 messages envoyés le 2 novembre, « à 21 h »."
    request = _request(
        "preservation", case={**example_doc("preservation")["case"], "summary_of_facts": facts}
    )
    for lang in LANGUAGES:
        assert facts in render_letter(request, fmt="txt", lang=lang).decode()


# --------------------------------------------------------------------------- PDF


def test_pdf_is_deterministic_with_fixed_metadata() -> None:
    request = _request("preservation")
    for lang in LANGUAGES:
        for fmt in FORMATS:
            assert render_letter(request, fmt=fmt, lang=lang) == render_letter(
                request, fmt=fmt, lang=lang
            ), (fmt, lang)
    data = render_letter(request, fmt="pdf", lang="en")
    reader = pypdf.PdfReader(io.BytesIO(data))
    meta = reader.metadata
    assert meta is not None
    assert meta.creation_date == request.created_at
    assert meta.title == "Request for the preservation of stored computer data"
    other = render_letter(
        _request("preservation", id="00000000-0000-4000-8000-000000000000"), fmt="pdf", lang="en"
    )
    ids = [pypdf.PdfReader(io.BytesIO(d)).trailer["/ID"] for d in (data, other)]
    assert ids[0] != ids[1]


def _to_unicode_maps(data: bytes) -> dict[str, dict[int, str]]:
    """Per embedded font: glyph code -> the text it stands for (from the ToUnicode CMaps)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    out: dict[str, dict[int, str]] = {}
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for ref in resources["/Font"].values():
            font = ref.get_object()
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            mapping = out.setdefault(str(font["/BaseFont"]), {})
            for code, uni in re.findall(r"<([0-9A-F]{4})> <([0-9A-F]+)>", cmap):
                raw = bytes.fromhex(uni)
                mapping[int(code, 16)] = raw.decode("utf-16-be")
    return out


def test_arabic_pdf_is_shaped_right_to_left_and_extracts_in_logical_order() -> None:
    request = _request("preservation")
    data = render_letter(request, fmt="pdf", lang="ar")
    maps = _to_unicode_maps(data)
    naskh = {k: v for k, v in maps.items() if "NotoNaskhArabic" in k and "Bold" not in k}
    (glyphs,) = naskh.values()
    # Shaping picks contextual forms: one Arabic letter is drawn by several glyphs
    # (initial, medial, final, isolated), which all map back to the same character.
    by_text: dict[str, int] = {}
    for text in glyphs.values():
        if _ARABIC.fullmatch(text):
            by_text[text] = by_text.get(text, 0) + 1
    assert max(by_text.values()) >= 3, by_text
    text = _pdf_text(data)
    t = catalogue("ar")
    for key in ("kind.preservation", "section.identifiers", "sentence.confidentiality"):
        assert t(key).rstrip(".") in text, key
    # right to left: an Arabic label sits to the right of its value on the page
    reader = pypdf.PdfReader(io.BytesIO(data))
    positions: dict[str, float] = {}

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        for word in ("PJ-44721", t("field.badge_number")):
            if word in text and word not in positions:
                positions[word] = float(tm[4]) * float(cm[0]) + float(cm[4])

    reader.pages[0].extract_text(visitor_text=visit)
    assert positions[t("field.badge_number")] > positions["PJ-44721"]


def test_latin_letters_do_not_embed_the_arabic_font() -> None:
    fonts = _to_unicode_maps(render_letter(_request("preservation"), fmt="pdf", lang="fr"))
    assert all("NotoSans" in name for name in fonts)
    arabic_facts = "تم نشر الرسائل من الحساب المذكور"
    case = {**example_doc("preservation")["case"], "summary_of_facts": arabic_facts}
    data = render_letter(_request("preservation", case=case), fmt="pdf", lang="en")
    assert any("NotoNaskhArabic" in name for name in _to_unicode_maps(data))
    assert arabic_facts in _pdf_text(data)


def test_long_text_flows_over_pages_and_long_words_are_broken() -> None:
    long_text = " ".join(f"Sentence {i} of a very long summary of the facts." for i in range(350))
    case = {**example_doc("preservation")["case"], "summary_of_facts": long_text}
    justification = {
        "relation_to_offence": "x" * 300,
        "necessity_and_proportionality": " ".join(["Necessary and proportionate."] * 600),
    }
    identifiers = [{"type": "email", "value": f"user{i}@mail.example.com"} for i in range(80)]
    request = _request(
        "preservation", case=case, justification=justification, identifiers=identifiers
    )
    data = render_letter(request, fmt="pdf", lang="en")
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 8
    text = _squash(_pdf_text(data))
    # page footers come between the parts of a paragraph that flows over pages
    body = _squash(re.sub(r"PJ-CT-2026-0147 · \S+ Page \d+ of \d+", "", _pdf_text(data)))
    assert _squash(long_text) in body
    assert "x" * 300 in text
    assert all(f"user{i}@mail.example.com" in text for i in range(80))
    # the identifier table's header row is repeated on the pages it continues on
    assert _squash(_pdf_text(data)).count("No.TypeValue") >= 2


def test_characters_the_fonts_cannot_draw_are_refused_for_pdf_only() -> None:
    facts = "Nguyễn Thị Hạnh, Ádám, Ɓello Ɗanjuma, Ελένη, Пётр Иванов met 张伟 🙂"
    case = {**example_doc("preservation")["case"], "summary_of_facts": facts}
    request = _request("preservation", case=case)
    with pytest.raises(RenderError, match=r"'张' \(U\+5F20\).*render this request as HTML") as info:
        render_letter(request, fmt="pdf", lang="en")
    # the message names where the first one is, and quotes the text around it
    where = "the first is in 'Summary of the facts': '..., Ελένη, Пётр Иванов met 张伟 🙂'"
    assert where in str(info.value)
    doc = example_doc("preservation")
    doc["authority"]["officer"]["name"] = "Wei 张"
    with pytest.raises(RenderError) as info:
        render_letter(parse_request(doc), fmt="pdf", lang="fr")
    t = catalogue("fr")
    place = f"{t('section.requesting_authority')}: {t('field.officer')}"
    assert f"the first is in {place!r}: 'Wei 张'" in str(info.value)
    assert facts in render_letter(request, fmt="html", lang="en").decode()
    drawable = facts.replace(" met 张伟 🙂", "")
    case["summary_of_facts"] = drawable
    for lang in ("en", "ar"):
        data = render_letter(_request("preservation", case=case), fmt="pdf", lang=lang)
        assert _squash(drawable) in _squash(_pdf_text(data))


def _png(width: int = 4, height: int = 2) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    raw = b"".join(b"\x00" + b"\x10\x40\x90" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_letterhead_logo_and_authority_profile(lang: str) -> None:
    profile = AuthorityProfile.model_validate_json(
        (ROOT / "examples" / "authority.json").read_text(encoding="utf-8")
    )
    changed = profile.model_copy(
        update={"authority": profile.authority.model_copy(update={"name": "Parquet national"})}
    )
    request = _request("preservation")
    data = render_letter(request, fmt="pdf", lang=lang, authority=changed, logo=_png())
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages[0].images) == 1
    assert _pdf_text(data).startswith("Parquet national")
    html = render_letter(request, fmt="html", lang=lang, authority=changed, logo=_png())
    assert b'src="data:image/png;base64,' in html
    assert b"Parquet national" in html


def test_a_bad_logo_is_refused() -> None:
    request = _request("preservation")
    with pytest.raises(RenderError, match="PNG or JPEG"):
        render_letter(request, fmt="html", lang="en", logo=b"GIF89a")
    with pytest.raises(RenderError, match="cannot be read"):
        render_letter(request, fmt="pdf", lang="en", logo=b"\x89PNG\r\n\x1a\nbroken")
    jpeg_like = b"\xff\xd8\xff\xe0" + b"\x00" * 20
    assert b"data:image/jpeg;base64," in render_letter(
        request, fmt="html", lang="en", logo=jpeg_like
    )


# --------------------------------------------------------------------------- HTML and text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_html_is_well_formed_self_contained_and_directional(lang: str) -> None:
    for name in KINDS:
        html = render_letter(_request(name), fmt="html", lang=lang).decode("utf-8")
        assert html.startswith("<!DOCTYPE html>\n")
        root = ET.fromstring(html.split("\n", 1)[1])  # noqa: S314 - our own output
        assert root.tag == "html"
        assert root.get("lang") == lang
        assert root.get("dir") == ("rtl" if lang == "ar" else "ltr")
        assert not re.search(r"""(src|href)\s*=\s*["'](?!data:)""", html)
        assert "url(" not in html
        assert "@import" not in html


def test_html_escapes_user_text() -> None:
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    case = {
        **example_doc("preservation")["case"],
        "summary_of_facts": attack,
        "reference": "R&D <1>",
    }
    html = render_letter(_request("preservation", case=case), fmt="html", lang="en").decode()
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "R&amp;D &lt;1&gt;" in html
    ET.fromstring(html.split("\n", 1)[1])  # noqa: S314 - our own output


def test_text_letter_layout() -> None:
    text = render_letter(_request("preservation"), fmt="txt", lang="en").decode()
    lines = text.splitlines()
    assert lines[0] == "Police Judiciaire (fictional example)"
    assert "Request for the preservation of stored computer data" in lines
    assert "1. Requesting authority" in lines
    assert all(len(line) <= 78 for line in lines if " " in line.strip())
    assert "Signature: ______________________" in lines
    assert lines[-1] == "PJ-CT-2026-0147 · 3f1c2a6e-1b7d-4c9a-9e0f-5a2b7c8d9e01"
    none = render_letter(_request("emergency-disclosure"), fmt="txt", lang="es").decode()
    assert "Documentos adjuntos" in none
    assert "Ninguno" in none


# --------------------------------------------------------------------------- CLI


def test_render_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    example = EXAMPLES / "preservation.json"
    out = tmp_path / "letter.pdf"
    assert main(["render", str(example), "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF-")
    assert "pdf letter in en" in capsys.readouterr().err
    html = tmp_path / "letter.html"
    logo = tmp_path / "logo.png"
    logo.write_bytes(_png())
    args = ["render", str(example), "--format", "html", "--lang", "ar", "-o", str(html)]
    args += ["--authority", str(ROOT / "examples" / "authority.json"), "--logo", str(logo)]
    assert main(args) == 0
    assert 'dir="rtl"' in html.read_text(encoding="utf-8")
    assert "Meta" in html.read_text(encoding="utf-8")


def _own_linkedin(folder: Path) -> Path:
    """A profile folder whose ``linkedin`` profile names another EU entity (a user's own
    profile replaces the shipped one)."""
    doc = json.loads(_profile("linkedin").model_dump_json(exclude_none=True))
    for entity in doc["entities"]:
        if entity["regions"] == ["EU"]:
            entity["name"] = "LinkedIn Example Entity Ltd"
    folder.mkdir()
    (folder / "linkedin.json").write_text(json.dumps(doc), encoding="utf-8")
    return folder


def test_the_commands_address_the_legal_entity_of_the_provider_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = example_doc("preservation")
    doc["provider"] = "linkedin"
    doc["language"] = "en"
    doc["attachments"] = []  # a package holds every attachment listed
    source = tmp_path / "request.json"
    source.write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / "letter.txt"
    assert main(["render", str(source), "--format", "txt", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "Service provider: LinkedIn\nLegal entity addressed: LinkedIn Ireland U.C.\n" in text
    assert "    Ireland\n" in text
    # the registry's profile is the one used: a profile of the user's own replaces the shipped
    own = _own_linkedin(tmp_path / "profiles")
    args = ["render", str(source), "--format", "txt", "--providers-dir", str(own)]
    assert main([*args, "-o", str(tmp_path / "own.txt")]) == 0
    own_text = (tmp_path / "own.txt").read_text(encoding="utf-8")
    assert "Legal entity addressed: LinkedIn Example Entity Ltd" in own_text
    # package build puts the same letter in the package ($EEVIDENCE_PROVIDERS)
    import zipfile

    monkeypatch.setenv("EEVIDENCE_PROVIDERS", str(own))
    key = tmp_path / "officer.pem"
    assert main(["keys", "generate", "-o", str(key), "--public", str(tmp_path / "o.pem")]) == 0
    package = tmp_path / "p.zip"
    build = ["package", "build", str(source), "--key", str(key), "-o", str(package)]
    assert main([*build, "--now", "2026-11-22T10:00:00Z"]) == 0
    with zipfile.ZipFile(package) as zf:
        (name,) = [n for n in zf.namelist() if n.endswith("/letter.en.pdf")]
        letter = _pdf_text(zf.read(name))
    assert "LinkedIn Example Entity Ltd" in letter


def test_render_command_defaults_to_the_request_language(tmp_path: Path) -> None:
    doc = example_doc("preservation")
    doc["language"] = "fr-BE"
    source = tmp_path / "request.json"
    source.write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / "letter.txt"
    assert main(["render", str(source), "--format", "txt", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "Demande de conservation de données informatiques stockées" in text
    assert "Fournisseur de services: Meta (Facebook, Instagram)" in text
    assert "Langue d'origine" not in text  # a French letter of a French request
    doc["language"] = "de"
    source.write_text(json.dumps(doc), encoding="utf-8")
    other = tmp_path / "letter-de.txt"
    assert main(["render", str(source), "--format", "txt", "-o", str(other)]) == 0
    text = other.read_text(encoding="utf-8")
    assert "Request for the preservation" in text
    assert "Original language: German" in text


def test_render_command_takes_the_logo_from_the_authority_profile(tmp_path: Path) -> None:
    profile = json.loads((ROOT / "examples" / "authority.json").read_text(encoding="utf-8"))
    profile["logo"] = "logo.png"
    (tmp_path / "authority.json").write_text(json.dumps(profile), encoding="utf-8")
    example = str(EXAMPLES / "preservation.json")
    out = tmp_path / "letter.pdf"
    args = ["render", example, "-o", str(out), "--authority", str(tmp_path / "authority.json")]
    assert main(args) == 1  # the logo file is not there yet
    (tmp_path / "logo.png").write_bytes(_png())
    assert main(args) == 0
    assert len(pypdf.PdfReader(out).pages[0].images) == 1
    profile["logo"] = "../logo.png"
    (tmp_path / "authority.json").write_text(json.dumps(profile), encoding="utf-8")
    args[3] = str(tmp_path / "other.pdf")
    assert main(args) == 1  # a path, not a file name: refused by the profile model


def test_render_command_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    example = str(EXAMPLES / "preservation.json")
    out = str(tmp_path / "x.pdf")
    assert main(["render", example, "-o", out, "--logo", str(tmp_path / "missing.png")]) == 2
    assert "cannot read the logo" in capsys.readouterr().err
    bad = tmp_path / "authority.json"
    bad.write_text('{"schema_version": 1}', encoding="utf-8")
    assert main(["render", example, "-o", out, "--authority", str(bad)]) == 1
    assert "invalid authority profile" in capsys.readouterr().err
    code: int | str | None
    try:  # a usage error: argparse's exit, or its code returned
        code = main(["render", example, "-o", out, "--lang", "de"])
    except SystemExit as exit_info:
        code = exit_info.code
    assert code == 2
    assert not (tmp_path / "x.pdf").exists()


def test_demo_renders_the_example_letter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--out", str(tmp_path)]) == 0
    assert "render the preservation request as a letter" in capsys.readouterr().out
    request = _request("preservation")
    for lang in LANGUAGES:
        data = (tmp_path / "letters" / f"preservation.{lang}.pdf").read_bytes()
        assert data == render_letter(request, fmt="pdf", lang=lang, provider=_profile("meta"))


def test_letters_rendered_in_threads_equal_sequential_ones() -> None:
    from concurrent.futures import ThreadPoolExecutor

    jobs = [(name, lang) for name in KINDS[:3] for lang in ("en", "ar")]

    def one(job: tuple[str, str]) -> bytes:
        return render_letter(_request(job[0]), fmt="pdf", lang=job[1])

    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(pool.map(one, jobs))
    assert threaded == [one(job) for job in jobs]


def test_embedded_font_programs_are_complete_truetype_fonts() -> None:
    from fontTools.ttLib import TTFont

    data = render_letter(_request("preservation"), fmt="pdf", lang="ar")
    reader = pypdf.PdfReader(io.BytesIO(data))
    resources: Any = reader.pages[0]["/Resources"]
    programs = 0
    for ref in resources["/Font"].values():
        descendant = ref.get_object()["/DescendantFonts"][0].get_object()
        program = descendant["/FontDescriptor"].get_object()["/FontFile2"].get_object()
        font = TTFont(io.BytesIO(program.get_data()))
        assert {"head", "hhea", "loca", "maxp", "glyf", "hmtx"} <= set(font.keys())
        assert font["maxp"].numGlyphs == len(font.getGlyphOrder()) > 1
        programs += 1
    assert programs == 4


def test_pdf_text_with_pdf_syntax_characters_round_trips() -> None:
    tricky = r"Paths C:\temp\(x) and (unbalanced ( parens) \ backslash % percent <hex> [brackets]"
    case = {**example_doc("preservation")["case"], "summary_of_facts": tricky}
    for lang in ("en", "ar"):
        data = render_letter(_request("preservation", case=case), fmt="pdf", lang=lang)
        assert _squash(tricky) in _squash(_pdf_text(data)), lang


def test_package_build_includes_the_letter_by_default(tmp_path: Path) -> None:
    import zipfile

    officer = tmp_path / "officer.pem"
    assert main(["keys", "generate", "-o", str(officer), "--public", str(tmp_path / "o.pem")]) == 0
    doc = example_doc("emergency-disclosure")
    doc["language"] = "es"
    source = tmp_path / "request.json"
    source.write_text(json.dumps(doc), encoding="utf-8")
    base = ["package", "build", str(source), "--key", str(officer), "--now", "2026-11-22T10:00:00Z"]

    def letters(out: Path) -> dict[str, bytes]:
        with zipfile.ZipFile(out) as zf:
            return {
                n.rsplit("/", 1)[1]: zf.read(n) for n in zf.namelist() if "/data/documents/" in n
            }

    assert main([*base, "-o", str(tmp_path / "a.zip")]) == 0
    found = letters(tmp_path / "a.zip")
    assert list(found) == ["letter.es.pdf"]
    request = parse_request(doc)
    expected = render_letter(
        request, fmt="pdf", lang="es", provider_name="Meta (Facebook, Instagram)"
    )
    assert found["letter.es.pdf"] == expected
    assert (
        main([*base, "--letter-lang", "en", "--letter-lang", "es", "-o", str(tmp_path / "b.zip")])
        == 0
    )
    assert sorted(letters(tmp_path / "b.zip")) == ["letter.en.pdf", "letter.es.pdf"]
    assert main([*base, "--no-letter", "-o", str(tmp_path / "c.zip")]) == 0
    assert letters(tmp_path / "c.zip") == {}


@pytest.mark.parametrize("lang", ["en", "fr", "es", "ar"])
def test_a_sworn_officer_and_the_addressed_entity_are_printed(lang: str) -> None:
    t = catalogue(lang)
    doc = example_doc("preservation")
    plain = build_letter(parse_request(doc), lang=lang)
    sworn_line = t("sentence.sworn_officer", officer=doc["authority"]["officer"]["name"])
    officer = {**doc["authority"]["officer"], "sworn_officer": True}
    marked = parse_request(
        {
            **doc,
            "addressee_entity": "Meta Platforms, Inc.",
            "authority": {**doc["authority"], "officer": officer},
        }
    )
    letter = build_letter(marked, lang=lang)
    text = render_letter(marked, fmt="txt", lang=lang).decode("utf-8")
    assert sworn_line in text
    assert "Meta Platforms, Inc." in text
    assert sworn_line not in render_letter(parse_request(doc), fmt="txt", lang=lang).decode()
    (addressee,) = [s for s in letter.sections if s.title == t("section.addressee")]
    (plain_addressee,) = [s for s in plain.sections if s.title == t("section.addressee")]
    assert addressee != plain_addressee
    officer["sworn_officer"] = False  # said not to be sworn: no sentence either
    unsworn = parse_request({**doc, "authority": {**doc["authority"], "officer": officer}})
    assert sworn_line not in render_letter(unsworn, fmt="txt", lang=lang).decode()


def test_the_cloud_act_section_says_what_the_agreement_asks() -> None:
    request = parse_request(example_doc("cloud-act-order"))
    text = render_letter(request, fmt="txt", lang="en").decode("utf-8")
    section = text.split("Order under a CLOUD Act agreement\n---", 1)[1]
    for expected in (
        "State party to the agreement with the United States: United Kingdom",
        "National order: Overseas Production Order",
        "Designated authority: Home Office, Investigatory Powers Unit",
        "Reference of the designated authority: DAA-2026-1187",
        "United States persons: The order does not intentionally target",
        "Serious crime: Preparation of terrorist acts",
    ):
        assert expected in section, expected


# --------------------------------------------------------------------------- what a recipient reads


def _texts(request: Request, lang: str, **options: Any) -> dict[str, str]:
    """The letter in every format, as text: the PDF read back with pypdf, the HTML without
    its tags (entities undone)."""
    out: dict[str, str] = {}
    for fmt in FORMATS:
        data = render_letter(request, fmt=fmt, lang=lang, **options)
        if fmt == "pdf":
            out[fmt] = _pdf_text(data)
        else:
            text = data.decode("utf-8")
            if fmt == "html":
                text = html_lib.unescape(re.sub(r"<[^>]+>", " ", text))
            out[fmt] = text
    return out


def _profile(provider_id: str) -> ProviderProfile:
    return load_providers().profiles[provider_id]


def _shown(label: str, flat: str) -> bool:
    """Whether every run of ``label`` is in the squashed text ``flat``."""
    return all(part in flat for part in _runs(label))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_addressee_is_the_legal_entity_and_no_internal_identifier(lang: str) -> None:
    t = catalogue(lang)
    assert "field.provider_id" not in t.entries
    # LinkedIn answers by the requester's location (LinkedIn Ireland U.C. for EU requests):
    # a French authority's letter names it, and its country
    linkedin = _profile("linkedin")
    request = _request("preservation", provider="linkedin")
    for fmt, text in _texts(request, lang, provider=linkedin).items():
        flat = _squash(text)
        assert _shown(t("field.addressee_entity"), flat), fmt
        assert _squash("LinkedIn Ireland U.C.") in flat, fmt
        assert _squash(country_name("IE", lang)) in flat, fmt
        assert "LinkedIn Corp." not in text, fmt
        assert "Provider identifier" not in text, fmt
        assert "linkedin" not in text.replace("LinkedIn", ""), fmt  # the id is printed nowhere
    # an authority outside the EU gets the entity for the rest of the world
    us_authority = {**example_doc("preservation")["authority"], "country": "US"}
    us = _request("preservation", provider="linkedin", authority=us_authority)
    assert "LinkedIn Corp." in render_letter(us, fmt="txt", lang=lang, provider=linkedin).decode()
    # the request's own entity wins over the profile's
    named = _request("preservation", provider="linkedin", addressee_entity="LinkedIn Corp.")
    text = render_letter(named, fmt="txt", lang=lang, provider=linkedin).decode()
    assert "LinkedIn Corp." in text
    assert "LinkedIn Ireland U.C." not in text
    # Meta answers by the user's location, which the letter cannot know: no entity is guessed
    meta = render_letter(_request("preservation"), fmt="txt", lang=lang, provider=_profile("meta"))
    assert t("field.addressee_entity") not in meta.decode()


def test_the_profile_s_designated_addressee_and_postal_address_are_printed() -> None:
    meta = _profile("meta")
    source = next(iter(meta.sources))
    post = Channel(
        kind="post",
        name="Law enforcement mail (fictional, for this test)",
        address="1 Example Quay, Dublin 2, Ireland",
        sources=(source,),
    )
    designated = ScopedFact[Entity](
        status="known",
        value=Entity(name="Example Establishment Ltd (fictional)", country="IE"),
        sources=(source,),
    )
    profile = meta.model_copy(
        update={"channels": (*meta.channels, post), "eu_designated_addressee": designated}
    )
    order_doc = example_doc("eu-production-order")
    order_doc.pop("addressee_establishment", None)
    order = parse_request(order_doc)
    for lang in LANGUAGES:
        t = catalogue(lang)
        for fmt, text in _texts(order, lang, provider=profile).items():
            flat = _squash(text)
            assert _squash("Example Establishment Ltd (fictional)") in flat, (lang, fmt)
            assert _squash("1 Example Quay, Dublin 2, Ireland") in flat, (lang, fmt)
            assert _squash(country_name("IE", lang)) in flat, (lang, fmt)
        letter = build_letter(order, lang=lang, provider=profile)
        (section,) = [s for s in letter.sections if s.title == t("section.addressee_eu")]
        (rows,) = section.blocks
        assert isinstance(rows, Fields)
        labels = dict(rows.rows)
        assert labels[t("field.establishment")].startswith("Example Establishment Ltd")
        assert labels[t("field.postal_address")] == "1 Example Quay, Dublin 2, Ireland"
    # an EU order never goes to an entity the profile lists for other requests
    plain = build_letter(order, lang="en", provider=_profile("linkedin"))
    assert "LinkedIn Ireland U.C." not in "\n".join(plain.texts())
    # without a profile the shipped one is used: it names no designated addressee
    bare = "\n".join(build_letter(order, lang="en").texts())
    assert "Example Establishment" not in bare
    assert "1 Example Quay" not in bare
    assert bare == "\n".join(build_letter(order, lang="en", provider=meta).texts())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_without_a_profile_the_letter_uses_the_shipped_one(lang: str) -> None:
    t = catalogue(lang)
    linkedin = _profile("linkedin")
    request = _request("preservation", provider="linkedin")
    text = render_letter(request, fmt="txt", lang=lang).decode()
    assert f"{t('field.provider')}: LinkedIn\n" in text
    assert f"{t('field.addressee_entity')}: LinkedIn Ireland U.C." in text
    for fmt in FORMATS:
        assert render_letter(request, fmt=fmt, lang=lang) == render_letter(
            request, fmt=fmt, lang=lang, provider=linkedin
        ), fmt
    # GitHub's profile gives its entity's postal address
    github = render_letter(_request("preservation", provider="github"), fmt="txt", lang=lang)
    assert f"{t('field.addressee_entity')}: GitHub, Inc." in github.decode()
    assert "88 Colin P. Kelly Jr. St." in github.decode()
    # a provider the package has no profile of is named by its id, with no entity
    other = render_letter(_request("preservation", provider="example-host"), fmt="txt", lang=lang)
    assert f"{t('field.provider')}: example-host\n" in other.decode()
    assert t("field.addressee_entity") not in other.decode()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_request_language_is_named_only_when_the_letter_is_a_translation(lang: str) -> None:
    t = catalogue(lang)
    label = t("meta.original_language")
    for tag, language in (("fr", "fr"), ("en", "en"), ("es-ES", "es"), ("ar", "ar")):
        request = _request("preservation", language=tag)
        rows = dict(build_letter(request, lang=lang).meta)
        if language == lang:
            assert label not in rows, tag
        else:
            # the language's name in the letter's language, never its code
            assert rows[label] == language_name(tag, lang) != tag, tag
        for fmt, text in _texts(request, lang).items():
            assert _shown(label, _squash(text)) == (language != lang), (tag, fmt)
    english = dict(build_letter(_request("preservation", language="fr-BE"), lang="en").meta)
    assert english["Original language"] == "French (Belgium)"
    french = dict(build_letter(_request("preservation", language="en"), lang="fr").meta)
    assert french["Langue d'origine"] == "anglais"
    spanish = dict(build_letter(_request("preservation", language="fr"), lang="es").meta)
    assert spanish["Idioma original"] == "francés"


def test_attachment_languages_are_named() -> None:
    doc = example_doc("preservation")
    doc["attachments"] = [{**doc["attachments"][0], "language": "fr"}]
    request = parse_request(doc)
    assert "Language: French" in render_letter(request, fmt="txt", lang="en").decode()
    assert "Idioma: francés" in render_letter(request, fmt="txt", lang="es").decode()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_countries_are_printed_as_names_in_the_letter_language(lang: str) -> None:
    t = catalogue(lang)
    names = {
        "en": ("France", "United Kingdom"),
        "fr": ("France", "Royaume-Uni"),
        "es": ("Francia", "Reino Unido"),
        "ar": ("فرنسا", "المملكة المتحدة"),
    }[lang]
    assert (country_name("FR", lang), country_name("GB", lang)) == names
    for fmt, text in _texts(_request("preservation"), lang).items():
        assert _squash(names[0]) in _squash(text), fmt
        assert not re.search(rf"{re.escape(t('field.country'))}:?\s*FR\b", text), fmt
    text = render_letter(_request("preservation"), fmt="txt", lang=lang).decode()
    assert f"{t('field.country')}: {names[0]}" in text
    cloud = render_letter(_request("cloud-act-order"), fmt="txt", lang=lang).decode()
    assert f"{t('field.agreement_partner')}: {names[1]}" in cloud
    assert f"{t('field.country')}: {names[1]}" in cloud
    assert not re.search(r"\bGB$", cloud, re.MULTILINE)


def test_a_code_with_no_name_in_the_data_is_printed_as_it_is() -> None:
    assert country_name("ZZ", "en") == "ZZ"
    assert country_name("ZZ", "fr") == "ZZ"
    assert language_name("not a tag", "en") == "not a tag"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_legal_basis_names_each_article_once(lang: str) -> None:
    t = catalogue(lang)

    def basis(*items: dict[str, str]) -> list[str]:
        letter = build_letter(_request("preservation", legal_basis=list(items)), lang=lang)
        (section,) = [s for s in letter.sections if s.title == t("section.legal_basis")]
        (table,) = section.blocks
        assert isinstance(table, Table)
        assert len(table.header) == 2 + any("citation" in i for i in items)
        return [re.sub("[\u2066\u2069]", "", row[1]) for row in table.rows]

    art29 = t("instrument.budapest_art29")
    assert basis({"instrument": "budapest_art29", "article": "29"}) == [art29]
    assert basis({"instrument": "budapest_art29"}) == [art29]
    assert basis({"instrument": "budapest_art29", "article": "29(7)"}) == [art29 + "(7)"]
    usc = t("instrument.us_18_usc_2702")
    assert basis({"instrument": "us_18_usc_2702", "article": "2702(c)(4)"}) == [usc + "(c)(4)"]
    f = t("instrument.us_18_usc_2703f")
    assert basis({"instrument": "us_18_usc_2703f", "article": "2703(f)"}) == [f]
    reg = t("instrument.eu_2023_1543")
    assert basis({"instrument": "eu_2023_1543", "article": "5"}) == [
        t("basis.article", instrument=reg, article="5")
    ]
    cloud = t("instrument.cloud_act_agreement")
    assert basis({"instrument": "cloud_act_agreement", "article": "4, 5"}) == [
        t("basis.articles", instrument=cloud, article="4, 5")
    ]
    national = t("instrument.national_law")
    assert basis(
        {"instrument": "national_law", "article": "s. 1", "citation": "Crime Act 2019"}
    ) == [t("basis.provision", instrument=national, article="s. 1")]
    # printed once in every format: no "Article" column repeating the number
    once = _request("preservation", legal_basis=[{"instrument": "budapest_art29", "article": "29"}])
    for fmt, text in _texts(once, lang).items():
        flat = _squash(text)
        start = flat.index(_squash(t("section.legal_basis")))
        section = flat[start : flat.index(_squash(t("section.case")), start)]
        assert section.count("29") == 1, (fmt, section)


def _page_texts(data: bytes) -> list[str]:
    return [_squash(p.extract_text()) for p in pypdf.PdfReader(io.BytesIO(data)).pages]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_signature_block_stays_with_the_closing_paragraph(lang: str) -> None:
    t = catalogue(lang)
    sentence = max(_runs(t("sentence.closing")), key=len)
    closing = sentence[len(sentence) // 2 :][:20]  # a part no other text of the letter has
    signature = max(_runs(t("signature.requesting_officer")), key=len)
    facts = example_doc("preservation")["case"]["summary_of_facts"]
    page_counts: set[int] = set()
    # the summary grows a few lines at a time, so the closing falls at every height of a page
    for times in range(1, 40):
        case = {**example_doc("preservation")["case"], "summary_of_facts": facts * times}
        pages = _page_texts(
            render_letter(_request("preservation", case=case), fmt="pdf", lang=lang)
        )
        page_counts.add(len(pages))
        with_closing = [i for i, p in enumerate(pages) if closing in p]
        with_signature = [i for i, p in enumerate(pages) if signature in p]
        assert with_closing == with_signature == [len(pages) - 1], (times, len(pages))
    assert len(page_counts) >= 2  # grown by more than a page: every position was tried
    for name in KINDS:  # every example: the closing and every signature on the last page
        last = _page_texts(render_letter(_request(name), fmt="pdf", lang=lang))[-1]
        own = max(_runs(build_letter(_request(name), lang=lang).closing), key=len)
        assert own[len(own) // 2 :][:20] in last, name  # a letter to a State closes otherwise
        for sig in build_letter(_request(name), lang=lang).signatures:
            assert max(_runs(sig.title), key=len) in last, (name, sig.title)


def test_the_html_letter_keeps_the_closing_and_signatures_in_one_unbroken_block() -> None:
    request = _request("eu-production-order")
    html = render_letter(request, fmt="html", lang="en").decode()
    root = ET.fromstring(html.split("\n", 1)[1])  # noqa: S314 - our own output
    (block,) = [e for e in root.iter("div") if e.get("class") == "closing"]
    assert "The requesting authority thanks" in "".join(block.itertext())
    sigs = [e for e in block.iter("div") if e.get("class") == "sig"]
    assert len(sigs) == len(build_letter(request, lang="en").signatures) >= 1
    assert ".closing { break-inside: avoid;" in html


def test_letters_with_a_provider_profile_are_deterministic() -> None:
    linkedin = _profile("linkedin")
    request = _request("preservation", provider="linkedin")
    for lang in LANGUAGES:
        for fmt in FORMATS:
            first = render_letter(request, fmt=fmt, lang=lang, provider=linkedin)
            assert first == render_letter(request, fmt=fmt, lang=lang, provider=linkedin)


def test_control_characters_of_a_request_are_escaped_in_the_text_letter() -> None:
    doc = json.loads((EXAMPLES / "preservation.json").read_text(encoding="utf-8"))
    doc["case"]["reference"] = "PJ-\x1b[31mRED\x1b[0m-\u202e1"
    text = render_letter(parse_request(json.dumps(doc).encode()), fmt="txt", lang="en")
    assert b"\x1b" not in text
    assert "\u202e".encode() not in text
    assert b"PJ-\\x1b[31mRED" in text


def test_the_text_letter_keeps_the_isolates_it_adds_in_arabic() -> None:
    # dates and article numbers of a right-to-left letter are left-to-right runs (LRI...PDI)
    # in every format: the text letter carries the characters, not their escapes
    for name in KINDS:
        request = _request(name)
        text = render_letter(request, fmt="txt", lang="ar").decode()
        assert "\\u2066" not in text, name
        assert "\\u2069" not in text, name
        date = format_datetime(request.created_at)
        assert f"{catalogue('ar')('meta.date')}: \u2066{date}\u2069\n" in text, name
        assert text.count("\u2066") == text.count("\u2069") >= 2, name
        letter = build_letter(request, lang="ar")
        assert text.count("\u2066") == sum(s.count("\u2066") for s in letter.texts()), name
    article = f"{catalogue('ar')('instrument.budapest_art29')[:-2]}\u206629\u2069"
    assert article in render_letter(_request("preservation"), fmt="txt", lang="ar").decode()
    for lang in ("en", "fr", "es"):  # left-to-right letters add none
        assert (
            "\u2066" not in render_letter(_request("preservation"), fmt="txt", lang=lang).decode()
        )


def test_bidi_and_control_characters_of_a_request_are_escaped_beside_the_letters_isolates() -> None:
    doc = example_doc("preservation")
    doc["case"]["reference"] = "PJ-\x1b[2J-\u202e1"
    doc["case"]["summary_of_facts"] = "First line \u2066kept\u2069.\nSecond\tline \u2067x\u2069."
    doc["authority"]["officer"]["name"] = "Claire \u202eMartin\x00"
    doc["legal_basis"] = [{"instrument": "budapest_art29", "article": "29(7)\u2069\u202eevil"}]
    request = parse_request(doc)
    text = render_letter(request, fmt="txt", lang="ar").decode()
    assert not re.search("[\x00-\x09\x0b-\x1f\u202a-\u202e\u2067\u2068]", text)
    assert "PJ-\\x1b[2J-\\u202e1" in text
    assert "Claire \\u202eMartin\\x00" in text
    # the user's isolates are escapes, the letter's own around them stay characters
    assert "\u206629(7)\\u2069\\u202eevil\u2069" in text
    assert "First line \\u2066kept\\u2069." in text
    # a line feed of a value still breaks the line, a tab is an escape
    assert "\nSecond\\x09line \\u2067x\\u2069.\n" in text
    clean = build_letter(parse_request(example_doc("preservation")), lang="ar")
    assert text.count("\u2066") == sum(s.count("\u2066") for s in clean.texts())
    # the document model built without escapes keeps the request's text exactly
    signer = build_letter(request, lang="ar").signatures[0]
    assert signer.lines[0] == "Claire \u202eMartin\x00"
    # the HTML letter writes the same escapes beside the same isolates
    page = html_lib.unescape(render_letter(request, fmt="html", lang="ar").decode())
    assert "\u206629(7)\\u2069\\u202eevil\u2069" in page
    assert "Claire \\u202eMartin\\x00" in page
    assert "First line \\u2066kept\\u2069.\nSecond\\x09line \\u2067x\\u2069." in page
    assert page.count("\u2066") == text.count("\u2066")


def test_a_letter_built_without_escapes_has_all_its_isolates_escaped_as_text() -> None:
    # without escape=True the letter cannot tell its isolates from the request's
    request = _request("preservation")
    plain = build_letter(request, lang="ar")
    assert not plain.escaped
    assert plain.texts() == build_letter(request, lang="ar", escape=True).texts()
    text = render_text(plain).decode()
    assert "\u2066" not in text
    assert "\\u2066" in text
    escaped = build_letter(request, lang="ar", escape=True)
    assert escaped.escaped
    assert render_text(escaped) == render_letter(request, fmt="txt", lang="ar")
    # the HTML letter does the same
    page = render_html(plain).decode()
    assert "\u2066" not in page
    assert "\\u2066" in page
    assert render_html(escaped) == render_letter(request, fmt="html", lang="ar")
    assert "\\u2066" not in render_html(escaped).decode()


def test_escaped_copies_only_what_has_something_to_escape() -> None:
    request = _request("mla-request")
    assert escaped(request) is request
    doc = example_doc("mla-request")
    doc["persons"][0]["location"] = "Paris\u202e"
    hostile = parse_request(doc)
    copy = escaped(hostile)
    assert isinstance(hostile, MlaRequest)
    assert isinstance(copy, MlaRequest)
    assert copy is not hostile
    assert copy.persons[0].location == "Paris\\u202e"
    assert copy.case is hostile.case
    assert copy.created_at == hostile.created_at
    assert hostile.persons[0].location == "Paris\u202e"
    assert escaped(("a", "b\x1b")) == ("a", "b\\x1b")
    assert escaped({"k\u2066": ["x\ny\r"]}) == {"k\\u2066": ["x\ny\\x0d"]}


# --------------------------------------------------------------------------- State kinds


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_request_to_a_state_names_the_authority_in_charge_not_an_annex_section(
    lang: str,
) -> None:
    t = catalogue(lang)
    letter = build_letter(_request("mla-request"), lang=lang)
    first, second = letter.sections[:2]
    assert first.title == t("section.issuing_authority_state")
    assert second.title == t("section.requesting_authority")
    assert letter.signatures[0].title == t("signature.issuing_authority_state")
    # the EU order annexes' wording ("Section A - ...") is the EU orders' only
    annex = {"en": "Section", "fr": "Section", "es": "Sección", "ar": "القسم"}[lang]
    assert annex in t("section.issuing_authority")
    for key in ("section.issuing_authority_state", "signature.issuing_authority_state"):
        assert annex.lower() not in t(key).lower(), key
    assert t("section.issuing_authority_state") != t("section.requesting_authority")
    eu = build_letter(_request("eu-production-order"), lang=lang)
    assert eu.sections[0].title == t("section.issuing_authority")
    assert eu.signatures[0].title == t("signature.issuing_authority")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_earlier_requests_id_is_labelled(lang: str) -> None:
    t = catalogue(lang)
    request = _request("mla-request")
    assert isinstance(request, MlaRequest)
    (earlier,) = request.earlier_requests
    letter = build_letter(request, lang=lang)
    (section,) = [s for s in letter.sections if s.title == t("section.earlier_requests")]
    (table,) = section.blocks
    assert isinstance(table, Table)
    label = f"{t('field.request_id')}: {earlier.request_id}"
    assert table.rows[0][1] == f"{earlier.description}\n{label}"
    text = render_letter(request, fmt="txt", lang=lang).decode()
    assert label in " ".join(text.split())
    without = _request("mla-request", earlier_requests=[{"description": "A ticket"}])
    (section,) = [s for s in build_letter(without, lang=lang).sections if s.title == section.title]
    assert isinstance(section.blocks[0], Table)
    assert section.blocks[0].rows[0][1] == "A ticket"


# --------------------------------------------------------------------------- every format escapes

_RAW_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e]")
"""The characters a letter may never hold raw (its own isolates aside)."""
_HOSTILE = {
    "identifier": "user\u202e_evil",
    "reference": "PJ-\x1b[31mRED\x07-\x9b2J",
    "officer": "Claire \u2066Martin\u2069 \u2067x\u2068y\u061c\u200fz\x85",
}
"""Values typed into request fields: ESC, BEL, CSI and NEL, an override, isolates, marks."""


def _hostile() -> Request:
    doc = example_doc("preservation")
    doc["identifiers"][0] = {
        "type": "username",
        "value": _HOSTILE["identifier"],
        "service": "Instagram",
    }
    doc["case"]["reference"] = _HOSTILE["reference"]
    doc["authority"]["officer"]["name"] = _HOSTILE["officer"]
    return parse_request(doc)


def _read(data: bytes, fmt: str) -> str:
    """The letter's text as a reader gets it: the PDF's extracted text, the HTML's text."""
    if fmt == "pdf":
        return _pdf_text(data)
    text = data.decode()
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", text)) if fmt == "html" else text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_format_escapes_control_and_bidi_characters_of_a_request_alike(lang: str) -> None:
    request = _hostile()
    clean = build_letter(_request("preservation"), lang=lang, escape=True)
    own = sum(text.count("\u2066") for text in clean.texts())
    for fmt in FORMATS:
        data = render_letter(request, fmt=fmt, lang=lang)  # the PDF renders, not refuses
        shown = _read(data, fmt)
        if fmt == "pdf" and lang == "ar":  # the right-to-left mark the PDF puts before a heading
            shown = shown.replace("\u200f", "")
        assert not _RAW_UNSAFE.search(shown), (fmt, _RAW_UNSAFE.findall(shown))
        for value in _HOSTILE.values():
            assert _squash(printable(value)) in _squash(shown), (fmt, value)
        if fmt != "pdf":  # the letter's own isolates stay characters, the request's do not
            assert shown.count("\u2066") == shown.count("\u2069") == own, fmt
            assert "\u2067" not in shown
            assert "\u2068" not in shown
    page = render_letter(request, fmt="html", lang=lang).decode()
    assert '<td dir="auto">user\\u202e_evil</td>' in page
    assert "PJ-\\x1b[31mRED\\x07-\\x9b2J" in page


def test_the_pdf_prints_escapes_where_it_refused_control_characters() -> None:
    request = _hostile()
    for lang in ("en", "ar"):
        text = _pdf_text(render_letter(request, fmt="pdf", lang=lang))
        assert "\\u202e" in text
        assert "\u202e" not in text
        assert _squash("PJ-\\x1b[31mRED\\x07") in _squash(text)
    # the same letter twice gives the same bytes
    assert render_letter(request, fmt="pdf", lang="ar") == render_letter(
        request, fmt="pdf", lang="ar"
    )


def test_ordinary_text_is_not_escaped_in_any_format() -> None:
    # accents (precomposed and combining), Arabic with its own comma and question mark,
    # Greek, Cyrillic; an emoji with a zero-width joiner in the HTML and text letters
    drawable = "Café naïve e\u0301 — حساب المستخدم، هل؟ Ελένη Пётр"
    for facts, formats in ((drawable, FORMATS), (f"{drawable} 👩\u200d💻", ("html", "txt"))):
        case = {**example_doc("preservation")["case"], "summary_of_facts": facts}
        request = _request("preservation", case=case)
        for lang in LANGUAGES:
            for fmt in formats:
                shown = _read(render_letter(request, fmt=fmt, lang=lang), fmt)
                if fmt == "pdf":
                    assert _squash(facts) in _squash(shown), (fmt, lang)
                else:
                    assert facts in shown, (fmt, lang)
                assert "\\u" not in shown, (fmt, lang)


# --------------------------------------------------------------------------- left-to-right runs


def _phones_and_emails(request: Request) -> set[str]:
    """Every phone number and email address of the request, identifiers included."""
    found: set[str] = set()

    def walk(value: Any, key: str) -> None:
        if isinstance(value, dict):
            kind = value.get("type")
            for k, v in value.items():
                walk(v, "phone" if k == "value" and kind in ("phone", "email") else k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif key in ("phone", "email") and isinstance(value, str):
            found.add(value)

    walk(request.model_dump(mode="json"), "")
    return found


@pytest.mark.parametrize("name", KINDS)
def test_arabic_letters_print_phone_numbers_and_emails_as_left_to_right_runs(name: str) -> None:
    request = _request(name)
    values = _phones_and_emails(request)
    assert any(v.startswith("+") for v in values)
    assert any("@" in v for v in values)
    for fmt in ("txt", "html"):
        shown = _read(render_letter(request, fmt=fmt, lang="ar"), fmt)
        for value in values:
            assert f"\u2066{value}\u2069" in shown, (fmt, value)
            assert value not in shown.replace(f"\u2066{value}\u2069", ""), (fmt, value)
    for lang in ("en", "fr", "es"):
        assert "\u2066" not in render_letter(request, fmt="txt", lang=lang).decode()
    # a PDF line holding only the number needs no isolates: it is written as it is
    pdf = _squash(_pdf_text(render_letter(request, fmt="pdf", lang="ar")))
    assert all(_squash(v) in pdf for v in values)


def test_the_plus_of_a_phone_number_stays_before_its_digits_in_right_to_left_text() -> None:
    from fpdf.bidi import BidiParagraph  # the Unicode bidirectional algorithm of fpdf2

    request = _request("mla-request")
    phone = "+33144000001"
    assert phone in _phones_and_emails(request)
    text = render_letter(request, fmt="txt", lang="ar").decode()
    lines = [line for line in text.split("\n") if phone in line]
    assert lines
    for line in lines:
        runs = [run for run, _ in BidiParagraph(text=line).get_bidi_fragments()]
        assert phone in runs, runs  # one left-to-right run, its "+" first
    # without the isolates the "+" would join the right-to-left run before the digits
    bare = [run for run, _ in BidiParagraph(text=f"الهاتف: {phone}").get_bidi_fragments()]
    assert phone not in bare


def test_machine_identifiers_are_left_to_right_runs_and_names_keep_their_direction() -> None:
    identifiers = [
        {"type": "ip_range", "value": "2001:db8::/32"},
        {"type": "phone", "value": "+33144000001"},
        {"type": "username", "value": "مستخدم_1", "service": "Instagram"},
    ]
    request = _request("preservation", identifiers=identifiers)
    text = render_letter(request, fmt="txt", lang="ar").decode()
    assert "\u20662001:db8::/32\u2069" in text
    assert "\u2066+33144000001\u2069" in text
    assert "مستخدم_1" in text
    assert "\u2066مستخدم_1" not in text
    assert "\u2066" not in render_letter(request, fmt="txt", lang="en").decode()


# --------------------------------------------------------------------------- lists and names


@pytest.mark.parametrize("lang", LANGUAGES)
def test_lists_are_joined_with_the_comma_of_the_letter_language(lang: str) -> None:
    t = catalogue(lang)
    request = _request("mla-request")
    assert isinstance(request, MlaRequest)
    assert request.urgency is not None
    reasons = [t(f"urgency.{r}") for r in request.urgency.reasons]
    assert len(reasons) == 2
    comma = "\u060c " if lang == "ar" else ", "
    assert t("list.separator") == comma
    priority = dict(build_letter(request, lang=lang).meta)[t("meta.priority")]
    assert priority == f"{t('value.urgent')}: {comma.join(reasons)}"
    if lang == "ar":
        assert "," not in priority
        assert (
            f"{reasons[0]}\u060c {reasons[1]}"
            in render_letter(request, fmt="txt", lang=lang).decode()
        )


def _provider_cells(request: Request, lang: str, **options: Any) -> list[str]:
    """The provider column of the earlier requests and of the measures requested."""
    t = catalogue(lang)
    letter = build_letter(request, lang=lang, **options)
    cells: list[str] = []
    for section in letter.sections:
        if section.title in (t("section.earlier_requests"), t("section.measures")):
            (table,) = section.blocks
            assert isinstance(table, Table)
            column = table.header.index(t("field.provider"))
            cells += [row[column] for row in table.rows]
    return cells


@pytest.mark.parametrize("lang", LANGUAGES)
def test_earlier_requests_and_measures_name_the_provider_not_its_id(lang: str) -> None:
    meta = load_providers().get("meta").name
    request = _request("mla-request")
    assert _provider_cells(request, lang) == [meta, meta]
    text = " ".join(render_letter(request, fmt="txt", lang=lang).decode().split())
    assert f"{catalogue(lang)('field.provider')}: meta" not in text
    # another shipped provider by its profile's name, an unknown one by its id
    doc = example_doc("mla-request")
    doc["earlier_requests"][0]["provider"] = "google"
    doc["measures"][0]["provider"] = "acme-isp"
    assert _provider_cells(parse_request(doc), lang) == ["acme-isp", "Google"]
    # the request's own provider as the caller names it
    named = _provider_cells(request, lang, provider_name="Meta Platforms, Inc.")
    assert named == ["Meta Platforms, Inc.", "Meta Platforms, Inc."]
    p247 = _request("preservation-24-7")
    assert meta in _provider_cells(p247, lang)
