"""PAdES-signed letters: pyHanko's own validator is the oracle (it accepts a signed letter
against the throwaway CA and refuses one byte changed); ``letter verify``, ``render
--sign-key``, B-T against a real local TSA (``openssl ts``), and packages that carry the
signed letter."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped]
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

import eevidence as ee
from eevidence._cli import main
from eevidence.crypto import KeySigner, PrivateKey, generate_private_key, write_private_key
from eevidence.letter import ThrowawayCA, render_letter, sign_letter, verify_letter
from eevidence.package import package_report
from tests.helpers import EXAMPLES
from tests.package_vectors import ATTACHMENT, attachment_bytes
from tests.test_timestamp import Tsa, tsa_server

__all__ = ["tsa_server"]

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
LATER = NOW + timedelta(days=2)
REQUEST = EXAMPLES / "preservation.json"


@pytest.fixture(scope="module")
def ca() -> ThrowawayCA:
    return ThrowawayCA(NOW)


@pytest.fixture(scope="module")
def letter() -> bytes:
    return render_letter(ee.read_request(REQUEST), fmt="pdf", lang="en")


def _signed(ca: ThrowawayCA, letter: bytes, key_type: str = "p256") -> tuple[bytes, PrivateKey]:
    key = generate_private_key(key_type)  # type: ignore[arg-type]
    cert = ca.issue(key.public_key(), "Inspector Ana Müller", "Police Test Unit")
    return sign_letter(letter, key=key, certificate=cert, now=NOW, authority="Test Police"), key


def _pyhanko(data: bytes, roots: list[x509.Certificate]) -> Any:
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    sig = reader.embedded_signatures[0]
    anchors = [asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in roots]
    context = ValidationContext(trust_roots=anchors, allow_fetching=False, moment=LATER)
    return validate_pdf_signature(sig, context)


def _flip(data: bytes, at: int) -> bytes:
    changed = bytearray(data)
    changed[at] ^= 0x01
    return bytes(changed)


@pytest.mark.parametrize("key_type", ["p256", "rsa"])
def test_pyhanko_validator_accepts_the_signed_letter(
    ca: ThrowawayCA, letter: bytes, key_type: str
) -> None:
    signed, _ = _signed(ca, letter, key_type)
    assert signed.startswith(letter)  # the letter's own bytes come first, unchanged
    status = _pyhanko(signed, [ca.certificate])
    assert status.bottom_line
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signer_reported_dt == NOW
    # and against another CA it is intact but not trusted
    other = ThrowawayCA(NOW)
    status = _pyhanko(signed, [other.certificate])
    assert status.intact
    assert not status.trusted


def test_the_letter_stays_deterministic(ca: ThrowawayCA, letter: bytes) -> None:
    again = render_letter(ee.read_request(REQUEST), fmt="pdf", lang="en")
    assert again == letter
    one, _ = _signed(ca, letter)
    two, _ = _signed(ca, letter)
    assert one[: len(letter)] == two[: len(letter)] == letter


def test_one_byte_changed_is_refused_by_pyhanko_and_letter_verify(
    ca: ThrowawayCA, letter: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    signed, _ = _signed(ca, letter)
    # a byte in the middle of the letter, well inside the signed range
    at = len(letter) // 2
    bad = _flip(signed, at)
    status = _pyhanko(bad, [ca.certificate])
    assert not status.intact
    assert not status.bottom_line
    caf = tmp_path / "ca.pem"
    caf.write_bytes(ca.certificate.public_bytes(Encoding.PEM))
    good, changed = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    good.write_bytes(signed)
    changed.write_bytes(bad)
    capsys.readouterr()
    assert (
        main(
            ["letter", "verify", str(good), "--trust-ca", str(caf), "--now", "2026-12-02T00:00:00Z"]
        )
        == 0
    )
    assert "VERIFIED" in capsys.readouterr().out
    assert main(["letter", "verify", str(changed), "--trust-ca", str(caf)]) == 1
    out = capsys.readouterr().out
    assert "CHANGED after signing" in out
    assert "NOT VERIFIED" in out
    result = verify_letter(bad, trust_roots=[ca.certificate], now=LATER)
    assert result.status == "invalid"
    assert result.intact is False
    assert not result.ok


def test_content_appended_after_signing_is_not_whole_document(
    ca: ThrowawayCA, letter: bytes
) -> None:
    signed, _ = _signed(ca, letter)
    appended = signed + b"\n% a line added after signing\n"
    result = verify_letter(appended, trust_roots=[ca.certificate], now=LATER)
    assert result.whole_document is False
    assert result.status == "invalid"
    assert not result.ok


def test_letter_verify_json_fields(
    ca: ThrowawayCA, letter: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    signed, _ = _signed(ca, letter)
    path = tmp_path / "l.pdf"
    path.write_bytes(signed)
    caf = tmp_path / "ca.pem"
    caf.write_bytes(ca.certificate.public_bytes(Encoding.PEM))
    capsys.readouterr()
    argv = ["letter", "verify", str(path), "--trust-ca", str(caf), "--json"]
    assert main([*argv, "--now", "2026-12-02T00:00:00Z"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc == {
        "path": str(path),
        "status": "valid",
        "ok": True,
        "signer": "OU=TEST CERTIFICATE - NOT FOR REAL USE,O=Police Test Unit,"
        "CN=Inspector Ana Müller",
        "intact": True,
        "whole_document": True,
        "signing_time": "2026-12-01T09:30:00Z",
        "timestamp": None,
        "timestamp_trusted": None,
        "trusted": True,
        "level": "B-B",
        "signatures": 1,
        "problem": None,
    }
    # another CA: valid signature, not trusted, exit 1
    other = tmp_path / "other.pem"
    other.write_bytes(ThrowawayCA(NOW).certificate.public_bytes(Encoding.PEM))
    assert main(["letter", "verify", str(path), "--trust-ca", str(other), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["status"] == "valid"
    assert doc["trusted"] is False
    assert doc["ok"] is False
    assert "does not chain to a trusted CA" in doc["problem"]
    # after the certificate expired (a B-B signature has no proof of time): not trusted
    assert main([*argv, "--now", "2028-01-01T00:00:00Z"]) == 1
    assert json.loads(capsys.readouterr().out)["trusted"] is False


def test_visible_signature_box_on_the_last_page(ca: ThrowawayCA, letter: bytes) -> None:
    signed, _ = _signed(ca, letter)
    reader = PdfReader(io.BytesIO(signed))
    last = reader.pages[-1]
    widgets = [a.get_object() for a in last.get("/Annots", [])]
    sigs = [w for w in widgets if w.get("/FT") == "/Sig"]
    assert len(sigs) == 1
    x1, y1, x2, y2 = (float(v) for v in sigs[0]["/Rect"])
    width, height = float(last.mediabox.width), float(last.mediabox.height)
    margin = 18 * 72 / 25.4
    assert margin - 1 <= x1 < x2 <= width - margin + 1
    assert margin - 1 <= y1 < y2 <= height - margin  # above the footers
    appearance = sigs[0]["/AP"]["/N"].get_object().get_data()
    assert b"Signed electronically by Inspector Ana M" in appearance  # the signer's name


def test_render_sign_options_and_bad_inputs(
    ca: ThrowawayCA, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = generate_private_key("p256")
    key_path = tmp_path / "k.pem"
    write_private_key(key, key_path)
    cert = tmp_path / "cert.pem"
    cert.write_bytes(
        ca.issue(key.public_key(), "Jane Doe", "Test Police").public_bytes(Encoding.PEM)
    )
    caf = tmp_path / "ca.pem"
    caf.write_bytes(ca.certificate.public_bytes(Encoding.PEM))
    out = tmp_path / "l.pdf"
    base = ["render", str(REQUEST), "--sign-key", str(key_path), "--sign-cert", str(cert)]
    assert main([*base, "-o", str(out), "--now", "2026-12-01T10:00:00Z"]) == 0
    assert "signed (PAdES B-B)" in capsys.readouterr().err
    result = verify_letter(out.read_bytes(), trust_roots=[ca.certificate], now=LATER)
    assert result.ok
    assert result.signing_time == "2026-12-01T10:00:00Z"

    def one_line_error(argv: list[str], expected: str, code: int = 1) -> None:
        assert main(argv) == code
        err = capsys.readouterr().err
        assert expected in err, err
        assert "Traceback" not in err
        assert err.startswith("eevidence: ")

    # a certificate for another key
    other = tmp_path / "other.pem"
    other.write_bytes(
        ca.issue(generate_private_key("p256").public_key(), "X", None).public_bytes(Encoding.PEM)
    )
    one_line_error(
        [
            "render",
            str(REQUEST),
            "--sign-key",
            str(key_path),
            "--sign-cert",
            str(other),
            "-o",
            str(tmp_path / "x.pdf"),
        ],
        "is not for this key",
    )
    # an Ed25519 key has no PAdES profile
    ed = tmp_path / "ed.pem"
    write_private_key(generate_private_key("ed25519"), ed)
    one_line_error(
        [
            "render",
            str(REQUEST),
            "--sign-key",
            str(ed),
            "--sign-cert",
            str(cert),
            "-o",
            str(tmp_path / "y.pdf"),
        ],
        "P-256 or RSA",
    )
    # HTML cannot be signed; the key without its certificate is a usage error
    one_line_error(
        [*base, "--format", "html", "-o", str(tmp_path / "l.html")], "PDF letters only", 2
    )
    one_line_error(
        ["render", str(REQUEST), "--sign-key", str(key_path), "-o", str(tmp_path / "z.pdf")],
        "go together",
        2,
    )
    # a certificate file that is not one
    one_line_error([*base[:-1], str(key_path), "-o", str(tmp_path / "w.pdf")], "not an X.509")
    assert not list(tmp_path.glob("[xyzw].pdf"))  # nothing written on failure
    # letter verify: missing file, not a PDF, a bad CA file, an unsigned letter
    one_line_error(
        ["letter", "verify", str(tmp_path / "none.pdf"), "--trust-ca", str(caf)], "cannot read"
    )
    one_line_error(["letter", "verify", str(caf), "--trust-ca", str(caf)], "not a PDF")
    one_line_error(["letter", "verify", str(out), "--trust-ca", str(key_path)], "not an X.509")
    unsigned = tmp_path / "unsigned.pdf"
    unsigned.write_bytes(render_letter(ee.read_request(REQUEST), fmt="pdf", lang="fr"))
    assert main(["letter", "verify", str(unsigned), "--trust-ca", str(caf)]) == 1
    assert "unsigned" in capsys.readouterr().out


def test_test_cert_command_writes_a_labelled_certificate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "k.pem"
    write_private_key(generate_private_key("rsa"), key)
    out = tmp_path / "tc"
    argv = ["letter", "test-cert", "--key", str(key), "--name", "Jane", "--out", str(out)]
    assert main(argv) == 0
    assert "NOT FOR REAL USE" in capsys.readouterr().out
    cert = x509.load_pem_x509_certificate((out / "cert.pem").read_bytes())
    assert "NOT FOR REAL USE" in cert.subject.rfc4514_string()
    assert main(argv) == 2  # never replaced without --force
    assert "--force" in capsys.readouterr().err
    signed = tmp_path / "l.pdf"
    render = ["render", str(REQUEST), "--sign-key", str(key), "--sign-cert", str(out / "cert.pem")]
    assert main([*render, "-o", str(signed)]) == 0
    capsys.readouterr()
    assert main(["letter", "verify", str(signed), "--trust-ca", str(out / "ca.pem")]) == 0


def test_b_t_with_a_real_local_tsa(
    ca: ThrowawayCA, letter: bytes, tsa_server: tuple[str, Tsa]
) -> None:
    url, tsa = tsa_server
    key = generate_private_key("p256")
    cert = ca.issue(key.public_key(), "Jane Doe", "Test Police")
    signed = sign_letter(letter, key=key, certificate=cert, now=NOW, tsa_url=url)
    result = verify_letter(signed, trust_roots=[ca.certificate, tsa.root], now=LATER)
    assert result.ok
    assert result.level == "B-T"
    assert result.timestamp is not None
    assert result.timestamp_trusted is True
    status = _pyhanko(signed, [ca.certificate, tsa.root])
    assert status.bottom_line
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.trusted


def test_package_reports_the_signed_letter_without_changing_what_verifies(
    letter: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # package verify validates letters at the clock's time: a CA valid now
    ca = ThrowawayCA(datetime.now(UTC) - timedelta(hours=1))
    signed, _ = _signed(ca, letter)
    officer = generate_private_key("p256")
    trust_dir = tmp_path / "trust"
    trust_dir.mkdir()
    ee.crypto.write_public_key(officer.public_key(), trust_dir / "o.pem")
    request = ee.read_request(REQUEST)
    attachment = tmp_path / ATTACHMENT
    attachment.write_bytes(attachment_bytes())
    pkg = ee.build_package(
        request,
        tmp_path / "pkg.zip",
        signers=[KeySigner(officer)],
        now=NOW,
        attachments=[attachment],
        documents=[("letter.en.pdf", signed), ("letter.fr.pdf", letter)],
    )
    trust = ee.crypto.load_trust_store(trust_dir)
    report = package_report(pkg, trust, letter_cas=[ca.certificate])
    assert report.ok
    by_path = {entry.path: entry for entry in report.letters}
    assert by_path["data/documents/letter.en.pdf"].ok
    assert by_path["data/documents/letter.fr.pdf"].status == "unsigned"
    # without CAs the signature is checked, its trust not judged
    plain = package_report(pkg, trust)
    assert plain.ok
    entry = next(e for e in plain.letters if e.path.endswith("letter.en.pdf"))
    assert entry.status == "valid"
    assert entry.trusted is None
    capsys.readouterr()
    assert main(["package", "verify", str(pkg), "--trust", str(trust_dir), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [(x["path"], x["status"]) for x in doc["letters"]] == [
        ("data/documents/letter.en.pdf", "valid"),
        ("data/documents/letter.fr.pdf", "unsigned"),
    ]
    assert main(["package", "verify", str(pkg), "--trust", str(trust_dir)]) == 0
    text = capsys.readouterr().out
    assert "letter data/documents/letter.en.pdf: signature valid (B-B), trust not checked" in text
    assert "letter data/documents/letter.fr.pdf: unsigned" in text
    # --letter-ca judges the letters' trust from the command line too
    ca_pem = tmp_path / "letters-ca.pem"
    ca_pem.write_bytes(ca.certificate.public_bytes(serialization.Encoding.PEM))
    verify = ["package", "verify", str(pkg), "--trust", str(trust_dir), "--json"]
    assert main([*verify, "--letter-ca", str(ca_pem)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["letters"][0]["trusted"] is True
    # a package whose letter was altered before packaging still verifies as a package;
    # the letter's report says it is invalid
    pkg2 = ee.build_package(
        request,
        tmp_path / "pkg2.zip",
        signers=[KeySigner(officer)],
        now=NOW,
        attachments=[attachment],
        documents=[("letter.en.pdf", _flip(signed, len(letter) // 2))],
    )
    report2 = package_report(pkg2, trust, letter_cas=[ca.certificate])
    assert report2.ok
    assert report2.letters[0].status == "invalid"
    assert report2.letters[0].intact is False
