"""Tag files and envelopes read as RFC 8493 and DSSE say: format vectors and the parsers."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import bagit
import pytest
from hypothesis import given, strategies as st

import eevidence as ee
from eevidence.crypto import Envelope, TrustStore, load_trust_store
from eevidence.errors import PackageVerificationError, TrustError
from eevidence.package import SIGNATURE_FILE, VerificationReport, package_report
from eevidence.package._tagfiles import (
    decode_path,
    encode_path,
    parse_bag_declaration,
    parse_bag_info,
    parse_manifest,
    parse_payload_sizes,
    split_lines,
    visible,
)
from tests.package_vectors import VECTORS
from tests.package_vectors_format import (
    BAGIT_WIRED,
    GOLDEN,
    NEGATIVE,
    NFC_NAME,
    NFD_NAME,
    ORACLE,
    POSITIVE,
    Expect,
    golden_files,
)

DIGEST = "ab" * 32


@pytest.fixture(scope="module")
def trust() -> TrustStore:
    return load_trust_store(VECTORS / "trust")


def _extract(archive: Path, to: Path) -> Path:
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(to)
    (root,) = to.iterdir()
    return root


def _meets(report: VerificationReport, expect: Expect) -> bool:
    if expect.kind == "problem":
        return any(p.code == expect.code and expect.detail in p.message for p in report.problems)
    return any(f.status == expect.code and f.path == expect.detail for f in report.files)


# --------------------------------------------------------------------------- vectors


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_format_negative_vector_fails_for_its_reason(
    name: str, trust: TrustStore, tmp_path: Path
) -> None:
    make, expect = NEGATIVE[name]
    committed = VECTORS / "negative" / f"{name}.zip"
    assert make(GOLDEN.read_bytes()) == committed.read_bytes()
    for form in (committed, _extract(committed, tmp_path)):
        report = package_report(form, trust, threshold=2)
        assert not report.ok
        assert _meets(report, expect), report.reasons()
        assert any(r.startswith(expect.code) for r in report.reasons()), report.reasons()
        if expect.code != "bad_envelope":  # sealed again: both signatures hold
            assert len(report.valid_signers) == 2, report.reasons()
    with pytest.raises(PackageVerificationError) as exc:
        ee.verify_package(committed, trust, threshold=2)
    assert not isinstance(exc.value, TrustError)


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_format_positive_vector_verifies(name: str, trust: TrustStore, tmp_path: Path) -> None:
    committed = VECTORS / "positive" / f"{name}.zip"
    assert POSITIVE[name](GOLDEN.read_bytes()) == committed.read_bytes()
    directory = _extract(committed, tmp_path)
    for form in (committed, directory):
        report = ee.verify_package(form, trust, threshold=2)
        assert report.ok
        assert len(report.valid_signers) == 2
    if name in ORACLE:
        logging.disable(logging.CRITICAL)  # bagit-python logs every file it checks
        try:
            assert bagit.Bag(str(directory)).validate()
        finally:
            logging.disable(logging.NOTSET)


def test_bagit_python_also_refuses_some_negative_vectors(tmp_path: Path) -> None:
    logging.disable(logging.CRITICAL)
    try:
        for n, name in enumerate(
            (
                "format_bagit_bom",
                "format_manifest_percent_7e_is_not_decoded",
                "format_names_differ_by_normalisation",
                "format_names_differ_by_trailing_space",
            )
        ):
            root = _extract(VECTORS / "negative" / f"{name}.zip", tmp_path / str(n))
            with pytest.raises(bagit.BagError):
                bagit.Bag(str(root)).validate()
    finally:
        logging.disable(logging.NOTSET)


def test_names_with_separators_and_trailing_spaces_are_read_exactly(trust: TrustStore) -> None:
    for name, path in (
        ("format_name_u2028", "data/attachments/a\u2028b.txt"),
        ("format_name_u0085", "data/attachments/a\x85b.txt"),
        ("format_name_form_feed", "data/attachments/a\x0cb.txt"),
        ("format_name_vertical_tab", "data/attachments/a\x0bb.txt"),
        ("format_name_trailing_space", "data/attachments/note.txt "),
        ("format_name_percent_literal", "data/attachments/%7Enote.txt"),
        ("format_name_percent_encoded", "data/attachments/100%.txt"),
    ):
        report = package_report(VECTORS / "positive" / f"{name}.zip", trust, threshold=2)
        assert (path, "ok") in {(f.path, f.status) for f in report.files}, name


def test_bag_info_values_keep_line_separator_characters(trust: TrustStore) -> None:
    vector = VECTORS / "positive" / "format_bag_info_value_separators.zip"
    report = package_report(vector, trust, threshold=2)
    assert ("EEvidence-Note", "a\u2028b\x85c\x0cd\x0be") in report.info


def test_dsse_positive_vectors_are_what_they_claim() -> None:
    def envelope(name: str) -> bytes:
        _, files = golden_files((VECTORS / "positive" / f"{name}.zip").read_bytes())
        return files[SIGNATURE_FILE]

    _, golden = golden_files(GOLDEN.read_bytes())
    genuine = Envelope.from_bytes(golden[SIGNATURE_FILE])
    url_safe = envelope("format_dsse_url_safe_unpadded")
    assert b"=" not in url_safe
    assert b"-" in url_safe or b"_" in url_safe
    assert Envelope.from_bytes(url_safe) == genuine
    unknown = Envelope.from_bytes(envelope("format_dsse_unknown_fields_null_keyid"))
    assert [s.keyid for s in unknown.signatures] == ["", ""]
    assert [s.sig for s in unknown.signatures] == [s.sig for s in genuine.signatures]


def test_vector_names_are_distinct() -> None:
    assert not set(NEGATIVE) & set(POSITIVE)
    assert all(n.startswith("format_") for n in [*NEGATIVE, *POSITIVE])
    assert set(BAGIT_WIRED) <= set(NEGATIVE)
    assert set(ORACLE) <= set(POSITIVE)


# --------------------------------------------------------------------------- lines and paths


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("", []),
        ("a", ["a"]),
        ("a\n", ["a"]),
        ("a\r\nb\rc\nd", ["a", "b", "c", "d"]),
        ("a\n\n", ["a", ""]),
        ("a\r\r\n", ["a", ""]),
        (
            "a\u2028b\u2029c\x85d\x0ce\x0bf\x1cg\x1dh\x1ei",
            ["a\u2028b\u2029c\x85d\x0ce\x0bf\x1cg\x1dh\x1ei"],
        ),
    ],
)
def test_lines_end_only_at_cr_lf_crlf(text: str, lines: list[str]) -> None:
    assert split_lines(text) == lines


@pytest.mark.parametrize(
    ("written", "path"),
    [
        ("data/a%0Db%0dc", "data/a\rb\rc"),
        ("data/a%0Ab%0ac", "data/a\nb\nc"),
        ("data/100%25", "data/100%"),
        ("data/%250A", "data/%0A"),
        ("data/%2525", "data/%25"),
        ("data/%7Edir/%20x%41", "data/%7Edir/%20x%41"),
        ("data/%test2.txt", "data/%test2.txt"),
        ("data/%", "data/%"),
        ("./data/a", "data/a"),
        ("././data/a", "./data/a"),
        ("data/./a", "data/./a"),
        ("data/a ", "data/a "),
    ],
)
def test_paths_are_decoded_as_rfc_8493_says(written: str, path: str) -> None:
    assert decode_path(written) == path


@given(st.text())
def test_encode_then_decode_is_the_identity(path: str) -> None:
    if not path.startswith("./"):
        assert decode_path(encode_path(path)) == path


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("data/a.txt", "'data/a.txt'"),
        ("data/a.txt ", "'data/a.txt\\x20'"),
        ("data/a  /b", "'data/a\\x20\\x20/b'"),
        ("data/ a b", "'data/ a b'"),
        (NFC_NAME, "'data/attachments/Núñez.txt'"),
        (NFD_NAME, "'data/attachments/Nu\\u0301n\\u0303ez.txt'"),
        ("a\u2028b\x85c\x0cd\x0be\x1b[2J", "'a\\u2028b\\x85c\\x0cd\\x0be\\x1b[2J'"),
        ("evil\u202etxt.exe", "'evil\\u202etxt.exe'"),
        ("nb\u00a0sp zw\u200bj", "'nb\\xa0sp zw\\u200bj'"),
        ("\u212b", "'\\u212b'"),
        ("it's a\\b", "'it\\'s a\\\\b'"),
        ("\U0001f600", "'\U0001f600'"),
        ("\U000e0041", "'\\U000e0041'"),
        ("x" * 201, "'" + "x" * 200 + "'..."),
    ],
)
def test_visible_tells_look_alike_names_apart(text: str, shown: str) -> None:
    assert visible(text) == shown


# --------------------------------------------------------------------------- manifests


def _manifest(text: str) -> tuple[dict[str, str], list[str]]:
    return parse_manifest(text.encode("utf-8"), "sha256", name="m")


def test_manifest_path_runs_to_the_end_of_the_line() -> None:
    found, problems = _manifest(
        f"{DIGEST}  data/a \n{DIGEST}\tdata/b\t\n  {DIGEST} \t data/c d\r\n"
        f"{DIGEST.upper()} data/e\r{DIGEST}  data/f\u2028g\x85h\x0ci\x0bj\n\n \t\n"
    )
    assert problems == []
    assert found == {
        "data/a ": DIGEST,
        "data/b\t": DIGEST,
        "data/c d": DIGEST,
        "data/e": DIGEST,
        "data/f\u2028g\x85h\x0ci\x0bj": DIGEST,
    }


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (f"{DIGEST}\u3000data/a", "m line 1: expected 'DIGEST PATH'"),
        (f"{DIGEST}\u00a0data/a", "m line 1: expected 'DIGEST PATH'"),
        (f"{DIGEST}\x0cdata/a", "m line 1: expected 'DIGEST PATH'"),
        (f"{DIGEST}  ", "m line 1: expected 'DIGEST PATH'"),
        (DIGEST, "m line 1: expected 'DIGEST PATH'"),
        (f"{DIGEST[:-1]}\u0660  data/a", "m line 1: not a sha256 digest"),
        (f"{DIGEST}0  data/a", "m line 1: not a sha256 digest"),
        (f"{DIGEST}  ./../a", "m line 1: path escapes the package: '../a' (path_traversal)"),
        (f"{DIGEST}  data/%0Aa", "m line 1: unsafe entry name 'data/\\na' (unsafe_path)"),
    ],
)
def test_manifest_lines_refused(line: str, problem: str) -> None:
    assert _manifest(line + "\n") == ({}, [problem])


def test_manifest_dot_slash_duplicates_and_look_alikes() -> None:
    found, problems = _manifest(
        f"{DIGEST}  ./data/a\n{DIGEST}  data/a\n{DIGEST}  data/b\n{DIGEST}  data/b \n"
        f"{DIGEST}  {NFC_NAME}\n{DIGEST}  {NFD_NAME}\n"
    )
    assert set(found) == {"data/a", "data/b", "data/b ", NFC_NAME, NFD_NAME}
    assert problems == [
        "m line 2: 'data/a' is listed twice",
        "m: 'data/b' and 'data/b\\x20' differ only by trailing spaces or Unicode normalisation"
        " (ambiguous_name)",
        "m: 'data/attachments/Núñez.txt' and 'data/attachments/Nu\\u0301n\\u0303ez.txt' differ"
        " only by trailing spaces or Unicode normalisation (ambiguous_name)",
    ]


def test_manifest_bom_and_encoding() -> None:
    assert parse_manifest(f"\ufeff{DIGEST}  data/a\n".encode(), "sha256", name="m") == (
        {"data/a": DIGEST},
        [],
    )
    assert parse_manifest(b"\xff", "sha512", name="m") == ({}, ["m: not UTF-8"])


# --------------------------------------------------------------------------- bag-info.txt


def test_bag_info_lines_and_values() -> None:
    items, problems = parse_bag_info(
        "\ufeffA: one\r\nB:\ttwo\t\rC : x\u2028y\x85z\x0c\x0b\n  continued\n\tagain\n"
        "no colon\n: no label\n\n".encode()
    )
    assert items == [("A", "one"), ("B", "two"), ("C", "x\u2028y\x85z\x0c\x0b continued again")]
    assert problems == [
        "bag-info.txt line 6: expected 'Label: value'",
        "bag-info.txt line 7: expected 'Label: value'",
    ]
    assert parse_bag_info(b"\xff", name="other.txt") == ([], ["other.txt: not UTF-8"])
    assert parse_bag_info(b"x\n", name="other.txt")[1] == [
        "other.txt line 1: expected 'Label: value'"
    ]


# --------------------------------------------------------------------------- bagit.txt


@pytest.mark.parametrize(
    ("data", "declaration"),
    [
        (b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n", ("1.0", "UTF-8")),
        (b"BagIt-Version: 1.0\r\nTag-File-Character-Encoding: UTF-8\r\n", ("1.0", "UTF-8")),
        (b"BagIt-Version: 1.0\rTag-File-Character-Encoding: utf-8\r", ("1.0", "utf-8")),
        # The conformance suite's v0.97 bags: CRLF, no line end after the second line.
        (b"BagIt-Version: 0.97\r\nTag-File-Character-Encoding: UTF-8", ("0.97", "UTF-8")),
    ],
)
def test_bagit_txt_accepted(data: bytes, declaration: tuple[str, str]) -> None:
    assert parse_bag_declaration(data) == (declaration, [])


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (
            b"BagIt-Version:1.0\nTag-File-Character-Encoding: UTF-8\n",
            "bagit.txt line 1: expected 'BagIt-Version: M.N', found 'BagIt-Version:1.0'",
        ),
        (
            b"BagIt-Version:\t1.0\nTag-File-Character-Encoding: UTF-8\n",
            "bagit.txt line 1: expected 'BagIt-Version: M.N', found 'BagIt-Version:\\x091.0'",
        ),
        (
            b"BagIt-Version:  1.0\nTag-File-Character-Encoding: UTF-8\n",
            "bagit.txt line 1: expected 'BagIt-Version: M.N', found 'BagIt-Version:  1.0'",
        ),
        (
            b"bagit-version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
            "bagit.txt line 1: expected 'BagIt-Version: M.N', found 'bagit-version: 1.0'",
        ),
        (
            b"BagIt-Version: 1.0 \nTag-File-Character-Encoding: UTF-8\n",
            "bagit.txt line 1: expected 'BagIt-Version: M.N', found 'BagIt-Version: 1.0\\x20'",
        ),
        (
            b"BagIt-Version: 1.0\nTag-File-Character-Encoding:UTF-8\n",
            "bagit.txt line 2: expected 'Tag-File-Character-Encoding: ENCODING', found"
            " 'Tag-File-Character-Encoding:UTF-8'",
        ),
        (
            b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8 \n",
            "bagit.txt: Tag-File-Character-Encoding must be UTF-8, found 'UTF-8\\x20'",
        ),
        (
            b"BagIt-Version: 1.0\nTag-File-Character-Encoding: ISO-8859-1\n",
            "bagit.txt: Tag-File-Character-Encoding must be UTF-8, found 'ISO-8859-1'",
        ),
        (
            b"BagIt-Version: 2.0\nTag-File-Character-Encoding: UTF-8\n",
            "bagit.txt: BagIt-Version must be 1.0 (or 0.97), found 2.0",
        ),
        (
            b"BagIt-Version: \xd9\xa1.0\nTag-File-Character-Encoding: UTF-8\n",
            "bagit.txt line 1: expected 'BagIt-Version: M.N', found 'BagIt-Version: \u0661.0'",
        ),
        # The conformance suite's bom-in-bagit.txt.
        (
            b"\xef\xbb\xbfBagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n",
            "bagit.txt: starts with a byte order mark (U+FEFF), which RFC 8493 section 2.1.1"
            " forbids",
        ),
        (b"\xff\xfeB\x00", "bagit.txt: not UTF-8 (RFC 8493 section 2.1.1)"),
    ],
)
def test_bagit_txt_refused(data: bytes, problem: str) -> None:
    assert parse_bag_declaration(data)[1] == [problem]


def test_bagit_txt_with_spaces_before_the_colons_is_refused() -> None:
    # The conformance suite's bagit-with-invalid-whitespace (v0.97 and v1.0).
    data = b"BagIt-Version : 1.0\nTag-File-Character-Encoding : UTF-8\n"
    assert parse_bag_declaration(data) == (
        None,
        [
            "bagit.txt line 1: expected 'BagIt-Version: M.N', found 'BagIt-Version : 1.0'",
            "bagit.txt line 2: expected 'Tag-File-Character-Encoding: ENCODING', found"
            " 'Tag-File-Character-Encoding : UTF-8'",
        ],
    )


@pytest.mark.parametrize(
    "data",
    [
        b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n\n",
        b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\nExtra: x\n",
        b"BagIt-Version: 1.0\n",
        b"",
        b"Tag-File-Character-Encoding: UTF-8\nBagIt-Version: 1.0\n",
        "BagIt-Version: 1.0\u2028Tag-File-Character-Encoding: UTF-8\n".encode(),
    ],
)
def test_bagit_txt_must_be_exactly_the_two_lines(data: bytes) -> None:
    declaration, problems = parse_bag_declaration(data)
    assert problems
    assert all(p.startswith("bagit.txt") for p in problems)
    if not data.startswith(b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"):
        assert declaration is None
    else:
        assert declaration == ("1.0", "UTF-8")
        assert problems == [
            "bagit.txt: expected exactly two lines, 'BagIt-Version: M.N' and"
            f" 'Tag-File-Character-Encoding: ENCODING', found {len(split_lines(data.decode()))}"
        ]


# --------------------------------------------------------------------------- payload-sizes.txt


def test_payload_sizes() -> None:
    sizes, problems = parse_payload_sizes(
        "12 data/a \r\n3 ./data/100%25\r0 data/x\u2028y\n\u0661 data/b\n12data/c\n-1 data/d\n"
        "\n".encode()
    )
    assert sizes == {"data/a ": 12, "data/100%": 3, "data/x\u2028y": 0}
    assert problems == [f"payload-sizes.txt line {n}: expected 'SIZE PATH'" for n in (4, 5, 6, 7)]
    assert parse_payload_sizes(b"\xff") == ({}, ["payload-sizes.txt: not UTF-8"])


def test_a_size_too_long_to_read_is_a_problem_not_a_crash() -> None:
    sizes, problems = parse_payload_sizes(b"9" * 5000 + b" data/a\n12 data/b\n")
    assert sizes == {"data/b": 12}
    assert problems == ["payload-sizes.txt line 1: a size of 5000 digits"]
