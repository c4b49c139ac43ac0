"""Keys, signers, trust stores and the DSSE envelope."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

import eevidence as ee
from eevidence.crypto import (
    KEY_TYPES,
    Envelope,
    EnvelopeSignature,
    KeySigner,
    KeyType,
    Signer,
    generate_private_key,
    key_id,
    key_type,
    load_private_key,
    load_public_key,
    load_trust_store,
    pae,
    public_key_pem,
    verify_signature,
    write_key_pair,
    write_private_key,
    write_public_key,
)
from eevidence.errors import PackageError, SigningKeyError


def test_pae_matches_the_dsse_specification_vector() -> None:
    assert (
        pae("http://example.com/HelloWorld", b"hello world")
        == b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )
    assert pae("", b"") == b"DSSEv1 0  0 "
    assert pae("t\u00e9", b"x") == b"DSSEv1 3 t\xc3\xa9 1 x"  # length in bytes, not characters


@pytest.mark.parametrize("kind", KEY_TYPES)
def test_generate_write_load_sign_verify(tmp_path: Path, kind: KeyType) -> None:
    key = generate_private_key(kind)
    path = tmp_path / "k.pem"
    write_private_key(key, path, passphrase=b"correct horse")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert b"ENCRYPTED PRIVATE KEY" in path.read_bytes()
    loaded = load_private_key(path, passphrase=b"correct horse")
    signer = KeySigner(loaded)
    assert isinstance(signer, Signer)
    assert key_type(signer.public_key) == kind
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert signer.keyid == key_id(key.public_key()) == hashlib.sha256(der).hexdigest()
    sig = signer.sign(b"message")
    assert verify_signature(signer.public_key, sig, b"message")
    assert not verify_signature(signer.public_key, sig, b"messagE")
    assert not verify_signature(signer.public_key, b"\x00" * len(sig), b"message")
    assert signer.keyid[:16] in repr(signer)
    pub = tmp_path / "k.pub.pem"
    write_public_key(loaded, pub)
    assert key_id(load_public_key(pub)) == signer.keyid
    assert public_key_pem(loaded) == public_key_pem(loaded.public_key())


def test_rsa_uses_pss_3072() -> None:
    key = generate_private_key("rsa")
    assert isinstance(key, rsa.RSAPrivateKey)
    assert key.key_size == 3072
    from cryptography.hazmat.primitives.asymmetric import padding

    sig = KeySigner(key).sign(b"m")
    key.public_key().verify(
        sig, b"m", padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256()
    )


def test_private_key_errors(tmp_path: Path) -> None:
    key = generate_private_key()
    plain = tmp_path / "plain.pem"
    write_private_key(key, plain)
    assert b"BEGIN PRIVATE KEY" in plain.read_bytes()
    with pytest.raises(SigningKeyError, match="overwrite"):
        write_private_key(key, plain)
    with pytest.raises(SigningKeyError, match="not encrypted"):
        load_private_key(plain, passphrase=b"x")
    enc = tmp_path / "enc.pem"
    write_private_key(key, enc, passphrase=b"secret")
    with pytest.raises(SigningKeyError, match="encrypted"):
        load_private_key(enc)
    with pytest.raises(SigningKeyError, match="wrong passphrase"):
        load_private_key(enc, passphrase=b"wrong")
    with pytest.raises(SigningKeyError, match="cannot read"):
        load_private_key(tmp_path / "absent.pem")
    big = tmp_path / "big.pem"
    big.write_bytes(b"x" * (1024 * 1024 + 1))
    with pytest.raises(SigningKeyError, match="too large"):
        load_private_key(big)
    with pytest.raises(SigningKeyError, match="cannot write"):
        write_private_key(key, tmp_path / "no" / "dir" / "k.pem")
    with pytest.raises(SigningKeyError, match="unknown key type"):
        generate_private_key("dsa")  # type: ignore[arg-type]
    p384 = ec.generate_private_key(ec.SECP384R1())
    weird = tmp_path / "p384.pem"
    weird.write_bytes(
        p384.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(SigningKeyError, match="unsupported elliptic curve"):
        load_private_key(weird)
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505
    with pytest.raises(SigningKeyError, match="too short"):
        KeySigner(small)
    from cryptography.hazmat.primitives.asymmetric import ed448

    with pytest.raises(SigningKeyError, match="unsupported key type"):
        KeySigner(ed448.Ed448PrivateKey.generate())  # type: ignore[arg-type]


def _certificate(key: ec.EllipticCurvePrivateKey) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Validating authority (test)")])
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def test_trust_store_from_keys_and_certificates(tmp_path: Path) -> None:
    a = generate_private_key()
    b = ec.generate_private_key(ec.SECP256R1())
    store = tmp_path / "trust"
    store.mkdir()
    (store / "a.pem").write_bytes(public_key_pem(a))
    (store / "a-copy.pem").write_bytes(public_key_pem(a))
    (store / "b.crt").write_bytes(_certificate(b))
    (store / "README.txt").write_text("ignored")
    (store / "sub.pem").mkdir()
    trust = load_trust_store(store)
    assert len(trust) == 2
    assert key_id(a.public_key()) in trust
    assert key_id(b.public_key()) in trust
    (cert_key,) = [k for k in trust if k.certificate is not None]
    assert cert_key.keyid == key_id(b.public_key())
    first = trust.candidates(key_id(b.public_key()))[0]
    assert first.keyid == key_id(b.public_key())
    single = load_trust_store(store / "a.pem")
    assert [k.keyid for k in single] == [key_id(a.public_key())]


def test_trust_store_errors(tmp_path: Path) -> None:
    with pytest.raises(ee.ConfigurationError):
        load_trust_store(tmp_path / "absent")
    with pytest.raises(ee.ConfigurationError, match="no PEM"):
        load_trust_store(tmp_path)
    (tmp_path / "bad.pem").write_text(
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"
    )
    with pytest.raises(SigningKeyError, match="not a readable PEM public key"):
        load_trust_store(tmp_path)
    (tmp_path / "bad.pem").write_text(
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
    )
    with pytest.raises(SigningKeyError, match="certificate"):
        load_trust_store(tmp_path)


# --------------------------------------------------------------------------- envelopes


def _envelope_json(**override: object) -> bytes:
    doc: dict[str, object] = {
        "payload": base64.b64encode(b"p").decode(),
        "payloadType": "t",
        "signatures": [{"keyid": "k", "sig": base64.b64encode(b"s").decode()}],
    }
    doc.update(override)
    return json.dumps(doc).encode()


def test_envelope_round_trip() -> None:
    env = Envelope.from_bytes(_envelope_json())
    assert env == Envelope("t", b"p", (EnvelopeSignature("k", b"s"),))
    assert Envelope.from_bytes(env.to_bytes()) == env
    assert env.signed_bytes() == b"DSSEv1 1 t 1 p"
    no_keyid = Envelope.from_bytes(_envelope_json(signatures=[{"sig": "AA=="}]))
    assert no_keyid.signatures[0].keyid == ""


@pytest.mark.parametrize(
    "data",
    [
        b"\xff",
        b"[]",
        b"{",
        _envelope_json(payload=1),
        _envelope_json(payload="***"),
        _envelope_json(signatures={}),
        _envelope_json(signatures=[{"keyid": "k"}]),
        _envelope_json(signatures=[{"keyid": 1, "sig": "AA=="}]),
        _envelope_json(signatures=[{"sig": "AA=="}] * 65),
        _envelope_json(payload="é"),
        b" " * (16 * 1024 * 1024 + 1),
    ],
)
def test_malformed_envelopes(data: bytes) -> None:
    with pytest.raises(PackageError) as exc:
        Envelope.from_bytes(data)
    assert exc.value.code == "bad_envelope"


# --------------------------------------------------------------------------- envelopes per the DSSE spec
# envelope.md v1.0.2 "Parsing rules" and protocol.md v1.0.2 "Protocol": what a verifier must
# accept, and what is refused because two readers could take it differently.

_P_STD = base64.b64encode(b"\xfb\xff payload").decode()  # "+/8gcGF5bG9hZA=="
_S_STD = base64.b64encode(b"\xfb\xef").decode()  # "++8=": one pad character


def _spelled(payload: str, sig: str) -> bytes:
    return json.dumps(
        {"payload": payload, "payloadType": "t", "signatures": [{"keyid": "k", "sig": sig}]}
    ).encode()


@pytest.mark.parametrize(
    "data",
    [
        _spelled(_P_STD, _S_STD),
        _spelled(_P_STD.rstrip("="), _S_STD.rstrip("=")),
        _spelled(_P_STD.replace("+", "-").replace("/", "_"), _S_STD.replace("+", "-")),
        _spelled(
            _P_STD.replace("+", "-").replace("/", "_").rstrip("="),
            _S_STD.replace("+", "-").rstrip("="),
        ),
        _spelled(_P_STD, _S_STD.replace("+", "-").rstrip("=")),
    ],
    ids=["standard", "standard-unpadded", "url-safe", "url-safe-unpadded", "mixed-fields"],
)
def test_envelope_accepts_standard_and_url_safe_base64_padded_or_not(data: bytes) -> None:
    assert Envelope.from_bytes(data) == Envelope(
        "t", b"\xfb\xff payload", (EnvelopeSignature("k", b"\xfb\xef"),)
    )


@pytest.mark.parametrize(
    "signature",
    [{"sig": "cw=="}, {"keyid": None, "sig": "cw=="}, {"keyid": "", "sig": "cw=="}],
    ids=["absent", "null", "empty"],
)
def test_envelope_keyid_unset_null_or_empty_is_the_same(signature: dict[str, object]) -> None:
    env = Envelope.from_bytes(_envelope_json(signatures=[signature]))
    assert env.signatures == (EnvelopeSignature("", b"s"),)


def test_envelope_ignores_unknown_fields() -> None:
    data = _envelope_json(
        extra=1,
        nested={"deep": [1, {"x": None}]},
        signatures=[{"keyid": "k", "sig": "cw==", "cert": "x", "alg": {"n": 1.5}}],
    )
    assert Envelope.from_bytes(data) == Envelope("t", b"p", (EnvelopeSignature("k", b"s"),))


def test_envelope_dsse_specification_example_parses() -> None:
    # protocol.md, "Test Vectors": the example envelope, no keyid.
    example = (
        b'{"payload": "aGVsbG8gd29ybGQ=",\n "payloadType": "http://example.com/HelloWorld",\n'
        b' "signatures": [{"sig": "A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiH'
        b'qJPcIAriEGAHTVeCUjW2JIZA=="}]}'
    )
    env = Envelope.from_bytes(example)
    assert env.signed_bytes() == b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    assert env.signatures[0].keyid == ""
    assert len(env.signatures[0].sig) == 64


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (
            b'{"payload": "cA==", "payload": "cQ==", "payloadType": "t", "signatures": []}',
            "the key 'payload' appears twice",
        ),
        (
            b'{"payload": "cA==", "payloadType": "t", "signatures": '
            b'[{"sig": "cw==", "sig": "dA=="}]}',
            "the key 'sig' appears twice",
        ),
        (
            b'{"payload": "cA==", "payloadType": "t", "signatures": [], "x": {"a": 1, "a": 2}}',
            "the key 'a' appears twice",
        ),
        (_spelled("cA==", "+_8="), "signature 0: not base64 (a character outside one"),
        (_spelled("c A==", "cw=="), "payload: not base64 (a character outside one"),
        (_spelled("cA==\n", "cw=="), "payload: not base64 (a character outside one"),
        (_spelled("cA=", "cw=="), "payload: not base64 (wrong length or padding)"),
        (_spelled("cA===", "cw=="), "payload: not base64 (wrong length or padding)"),
        (_spelled("cAA==", "cw=="), "payload: not base64 (wrong length or padding)"),
        (_spelled("cAAA=", "cw=="), "payload: not base64 (wrong length or padding)"),
        (_spelled("c", "cw=="), "payload: not base64 (wrong length or padding)"),
        (_spelled("c=A=", "cw=="), "payload: not base64 (a character outside one"),
        (_spelled("cB==", "cw=="), "payload: non-canonical base64"),
        (_spelled("cA", "cx"), "signature 0: non-canonical base64"),
        (_spelled("cA==", "\u0441w=="), "signature 0: not base64"),
        (b'{"payload": "cA==", "payloadType": "t", "signatures": [], "x": NaN}', "not JSON"),
        (b'{"payload": "cA==", "payloadType": "t", "signatures": [], "x": -Infinity}', "not JSON"),
        (b'\xef\xbb\xbf{"payload": "", "payloadType": "t", "signatures": []}', "byte order mark"),
        (b'{"payload": "\xed\xa0\x80", "payloadType": "t", "signatures": []}', "not UTF-8"),
        (b'{"payload": "", "payloadType": "\\ud800", "signatures": []}', "payloadType is not"),
        (
            b'{"payload": "", "payloadType": "t", "signatures": [{"keyid": "\\udc00", "sig": ""}]}',
            "signature 0: keyid must be a string",
        ),
        (_envelope_json(signatures=[{"keyid": ["k"], "sig": "cw=="}]), "keyid must be a string"),
        (_envelope_json(payload=None), "payload and payloadType must be strings"),
        (_envelope_json(payloadType=None), "payload and payloadType must be strings"),
        (_envelope_json(signatures=None), "signatures must be a list"),
        (_envelope_json(signatures=[{"keyid": "k", "sig": None}]), "needs a 'sig' string"),
        (_envelope_json(signatures=[None]), "needs a 'sig' string"),
        (b'{"payloadType": "t", "signatures": []}', "missing the field(s) payload"),
        (b'{"payload": ""}', "missing the field(s) payloadType, signatures"),
        (b'"text"', "not a JSON object"),
        (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
    ],
)
def test_envelope_refuses_what_could_be_read_two_ways(data: bytes, why: str) -> None:
    with pytest.raises(PackageError) as exc:
        Envelope.from_bytes(data, source="env.json")
    assert exc.value.code == "bad_envelope"
    assert why in str(exc.value)
    assert "env.json" in str(exc.value.source)


def _golden_zip_envelope() -> tuple[dict[str, bytes], str]:
    import zipfile

    from tests.package_vectors import VECTORS

    with zipfile.ZipFile(VECTORS / "golden.zip") as zf:
        files = {i.filename: zf.read(i) for i in zf.infolist()}
    (name,) = [n for n in files if n.endswith("/signature.dsse.json")]
    return files, name


def test_envelope_is_still_written_in_standard_padded_base64() -> None:
    files, name = _golden_zip_envelope()
    genuine = files[name]
    assert Envelope.from_bytes(genuine).to_bytes() == genuine
    doc = json.loads(genuine)
    for text in [doc["payload"], *(s["sig"] for s in doc["signatures"])]:
        assert base64.b64encode(base64.b64decode(text, validate=True)).decode() == text


@pytest.mark.parametrize("form", ["zip", "directory"])
def test_genuine_package_with_url_safe_unpadded_envelope_verifies(
    tmp_path: Path, form: str
) -> None:
    import zipfile

    from eevidence.package import package_report
    from tests.package_vectors import VECTORS

    files, name = _golden_zip_envelope()
    doc = json.loads(files[name])

    def url_safe(text: str) -> str:
        return base64.urlsafe_b64encode(base64.b64decode(text)).decode().rstrip("=")

    doc["payload"] = url_safe(doc["payload"])
    for sig in doc["signatures"]:
        sig["sig"] = url_safe(sig["sig"])
    rewritten = json.dumps(doc).encode()
    assert b"=" not in rewritten
    assert b"-" in rewritten or b"_" in rewritten
    files[name] = rewritten
    target = tmp_path / "pkg.zip"
    with zipfile.ZipFile(target, "w") as zf:
        for entry, data in files.items():
            zf.writestr(entry, data)
    if form == "directory":
        with zipfile.ZipFile(target) as zf:
            zf.extractall(tmp_path / "x")
        target = tmp_path / "x" / name.split("/", 1)[0]
    # The signers' public keys (officer and validator) are the trust store.
    trust = load_trust_store(VECTORS / "trust")
    report = package_report(target, trust, threshold=2)
    assert report.ok, report.reasons()
    assert len(report.valid_signers) == 2
    assert [s.status for s in report.signatures] == ["valid", "valid"]


def test_a_key_buried_in_a_binary_file_is_never_trusted(tmp_path: Path) -> None:
    """A zip (a package, say) that stores a PEM key is not a trust store, nor in one."""
    import io
    import zipfile

    key = generate_private_key("ed25519")
    pem = public_key_pem(key.public_key())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("bag/data/trust/key.pem", pem)
    (tmp_path / "package.zip").write_bytes(buffer.getvalue())
    with pytest.raises(SigningKeyError, match="NUL"):
        load_trust_store(tmp_path / "package.zip")
    folder = tmp_path / "trust"
    folder.mkdir()
    (folder / "copy.pem").write_bytes(buffer.getvalue())
    with pytest.raises(SigningKeyError, match="NUL"):
        load_trust_store(folder)
    (folder / "copy.pem").write_bytes(b"explanatory text\n" + pem)  # RFC 7468: still read
    assert len(load_trust_store(folder)) == 1


# --------------------------------------------------------------------------- key files and pairs


def _pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def test_a_private_key_others_can_write_is_refused_and_one_they_can_read_warned(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key = generate_private_key()
    path = tmp_path / "k.pem"
    write_private_key(key, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with caplog.at_level("WARNING", logger="eevidence"):
        load_private_key(path)
    assert caplog.records == []
    for mode in (0o622, 0o602, 0o666, 0o620):
        path.chmod(mode)
        with pytest.raises(SigningKeyError, match=f"written by others \\(mode 0{mode:o}\\)"):
            load_private_key(path)
        with pytest.raises(SigningKeyError, match="chmod 600"):
            KeySigner.from_file(path)
    for mode in (0o644, 0o640, 0o604):
        path.chmod(mode)
        caplog.clear()
        with caplog.at_level("WARNING", logger="eevidence"):
            assert key_id(load_private_key(path).public_key()) == key_id(key.public_key())
        assert f"can be read by others (mode 0{mode:o})" in caplog.text
    with pytest.raises(SigningKeyError, match="not a regular file"):
        load_private_key(tmp_path)
    fifo = tmp_path / "fifo.pem"
    os.mkfifo(fifo, 0o600)
    with pytest.raises(SigningKeyError, match="not a regular file"):
        load_private_key(fifo)  # refused, not waited on
    with pytest.raises(SigningKeyError, match="not a regular file"):
        load_public_key(fifo)


def test_an_empty_passphrase_is_refused_where_encryption_was_asked(tmp_path: Path) -> None:
    key = generate_private_key()
    with pytest.raises(SigningKeyError, match="empty passphrase would leave the key unencrypted"):
        write_private_key(key, tmp_path / "k.pem", passphrase=b"")
    with pytest.raises(SigningKeyError, match="empty passphrase"):
        write_key_pair(key, tmp_path / "k.pem", tmp_path / "k.pub", passphrase=b"")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("exponent", "bits"), [(3, 2048), (65537, 1024)])
def test_weak_rsa_keys_are_refused_everywhere(tmp_path: Path, exponent: int, bits: int) -> None:
    weak = rsa.generate_private_key(public_exponent=exponent, key_size=bits)
    message = "public exponent 3 refused" if exponent == 3 else "too short"
    path = tmp_path / "weak.pem"
    path.write_bytes(_pem(weak))
    path.chmod(0o600)
    with pytest.raises(SigningKeyError, match=message):
        load_private_key(path)
    with pytest.raises(SigningKeyError, match=message):
        KeySigner(weak)
    with pytest.raises(SigningKeyError, match=message):
        write_private_key(weak, tmp_path / "copy.pem")
    with pytest.raises(SigningKeyError, match=message):
        write_key_pair(weak, tmp_path / "pair.pem", tmp_path / "pair.pub")
    trust = tmp_path / "trust"
    trust.mkdir()
    (trust / "weak.pem").write_bytes(public_key_pem(weak.public_key()))
    with pytest.raises(SigningKeyError, match=message):
        load_trust_store(trust)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trust", "weak.pem"]
    # what the library generates passes its own rules
    made = generate_private_key("rsa")
    assert isinstance(made, rsa.RSAPrivateKey)
    assert made.public_key().public_numbers().e == 65537
    assert made.key_size == 3072


def test_a_key_pair_appears_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from eevidence.crypto import _keys

    key = generate_private_key()
    private, public = tmp_path / "k.pem", tmp_path / "k.pub.pem"
    write_key_pair(key, private, public, passphrase=b"pass")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE(public.stat().st_mode) == 0o644
    loaded = load_private_key(private, passphrase=b"pass")
    assert key_id(load_public_key(public)) == key_id(loaded.public_key())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.pem", "k.pub.pem"]
    # existing files are never overwritten
    other = generate_private_key()
    with pytest.raises(SigningKeyError, match="overwrite"):
        write_key_pair(other, private, tmp_path / "new.pub")
    with pytest.raises(SigningKeyError, match="overwrite"):
        write_key_pair(other, tmp_path / "new.pem", public)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.pem", "k.pub.pem"]

    # interrupted (or failing) between the two files: neither is left, nor any temporary file
    real = _keys._place
    calls: list[Path] = []

    def interrupted(tmp: Path, path: Path, *, replace: bool = False) -> None:
        calls.append(path)
        if path.suffix == ".pem" and not path.name.endswith(".pub.pem"):
            raise KeyboardInterrupt
        real(tmp, path, replace=replace)

    monkeypatch.setattr(_keys, "_place", interrupted)
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    with pytest.raises(KeyboardInterrupt):
        write_key_pair(other, fresh / "w.pem", fresh / "w.pub.pem")
    assert calls == [fresh / "w.pub.pem", fresh / "w.pem"]  # the public key was placed first
    assert list(fresh.iterdir()) == []

    # a public key left alone (its private key deleted) is replaced only when asked, and
    # restored if the new private key cannot be placed
    private.unlink()
    before = public.read_bytes()
    with pytest.raises(KeyboardInterrupt):
        write_key_pair(other, private, public, replace_public=True)
    assert public.read_bytes() == before
    assert not private.exists()
    monkeypatch.setattr(_keys, "_place", real)
    write_key_pair(other, private, public, replace_public=True)
    assert key_id(load_public_key(public)) == key_id(other.public_key())
    assert key_id(load_private_key(private).public_key()) == key_id(other.public_key())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh", "k.pem", "k.pub.pem"]
