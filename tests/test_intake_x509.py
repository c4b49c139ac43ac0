"""X.509 signers at intake: a package signed with a certificate's key, carrying its chain,
is bound to the authority whose directory entry lists the CA the chain validates to, and
refused with the reason when the chain is expired, not yet valid, for the wrong use, from
an unknown CA, broken, or too long for a CA's path length."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from eevidence._cli import main
from eevidence.crypto import (
    Envelope,
    KeySigner,
    PrivateKey,
    generate_private_key,
    write_key_pair,
)
from eevidence.directory import (
    Authority,
    CertificateAuthority,
    Directory,
    KeyRole,
    Revocation,
    edit_directory,
    init_directory,
    sign_directory,
    verify_directory,
)
from eevidence.errors import DirectoryError, InputError, PackageError
from eevidence.intake import IntakeVerdict, intake_package
from eevidence.package import SIGNATURE_FILE, build_package, package_report, sign_package
from eevidence.request import parse_request
from tests.helpers import example_doc

ISSUED = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
NOW_TEXT = "2026-11-21T10:00:00Z"
CREATED = datetime(2026, 11, 21, 2, 12, tzinfo=UTC)
"""``created_at`` of the emergency example."""
FR_CALLBACK = "+33140000000"
START = datetime(2025, 1, 1, tzinfo=UTC)
END = datetime(2030, 1, 1, tzinfo=UTC)


# -- a small PKI -------------------------------------------------------------------------------


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Police Judiciaire"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _usage(*, sign: bool = False, cert_sign: bool = False, encipher: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=False,
        key_encipherment=encipher,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


@dataclass
class Node:
    key: Any
    cert: x509.Certificate

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(Encoding.PEM)


def _issue(
    cn: str,
    key: Any,
    issuer: Node | None,
    *,
    ca: bool,
    path_length: int | None = None,
    usage: x509.KeyUsage | None = None,
    eku: list[x509.ObjectIdentifier] | None = None,
    not_before: datetime = START,
    not_after: datetime = END,
) -> Node:
    signing_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(issuer.cert.subject if issuer else _name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()),
            critical=False,
        )
    )
    usage = usage or (_usage(cert_sign=True) if ca else _usage(sign=True))
    builder = builder.add_extension(usage, critical=True)
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    return Node(key, builder.sign(signing_key, hashes.SHA256()))


def _ca(cn: str = "PJ Root CA", **kw: Any) -> Node:
    return _issue(cn, ec.generate_private_key(ec.SECP256R1()), None, ca=True, path_length=1, **kw)


def _intermediate(root: Node, cn: str = "PJ Officers CA", **kw: Any) -> Node:
    return _issue(cn, ec.generate_private_key(ec.SECP256R1()), root, ca=True, **kw)


def _leaf(issuer: Node, key: PrivateKey | None = None, **kw: Any) -> tuple[KeySigner, Node]:
    key = key or generate_private_key()
    kw.setdefault("eku", [ExtendedKeyUsageOID.EMAIL_PROTECTION])
    return KeySigner(key), _issue("Officer Jeanne Martin", key, issuer, ca=False, **kw)


@dataclass
class Pki:
    root: Node
    inter: Node
    signer: KeySigner
    leaf: Node

    @property
    def chain(self) -> list[x509.Certificate]:
        return [self.leaf.cert, self.inter.cert]


def _pki(**leaf: Any) -> Pki:
    root = _ca()
    inter = _intermediate(root, path_length=0)
    signer, node = _leaf(inter, **leaf)
    return Pki(root, inter, signer, node)


# -- directory and packages ---------------------------------------------------------------------


def _authority(
    aid: str, country: str, domain: str, cas: list[CertificateAuthority] | None
) -> Authority:
    return Authority(
        id=aid,
        name={"FR": "Police Judiciaire", "DE": "Bundeskriminalamt"}[country],
        country=country,
        kind="police",
        domains=(domain,),
        callback=FR_CALLBACK if country == "FR" else "+49611550",
        certificate_authorities=tuple(cas) if cas is not None else None,
    )


def _ca_entry(
    node: Node,
    roles: tuple[KeyRole, ...] = ("requests", "emergency"),
    revoked: Revocation | None = None,
) -> CertificateAuthority:
    entry = CertificateAuthority.from_pem(node.pem, roles=roles)
    return entry if revoked is None else entry.model_copy(update={"revoked": revoked})


@dataclass
class World:
    folder: Path
    root: KeySigner


def _world(
    tmp: Path, fr: list[CertificateAuthority], de: list[CertificateAuthority] | None = None
) -> World:
    root = KeySigner(generate_private_key())
    folder = tmp / "dir"
    init_directory(
        folder,
        roots=[root.public_key],
        threshold=1,
        signers=[root],
        now=ISSUED,
        expires=timedelta(days=365),
    )

    def change(d: Directory) -> Directory:
        return d.model_copy(
            update={
                "authorities": (
                    _authority("fr-pj", "FR", "police.example.fr", fr),
                    _authority("de-bka", "DE", "bka.example.de", de),
                )
            }
        )

    edit_directory(folder, change, now=ISSUED + timedelta(hours=1))
    sign_directory(folder, root)
    return World(folder, root)


def _doc(**changes: Any) -> dict[str, Any]:
    doc = example_doc("emergency-disclosure")
    for k, v in changes.items():
        doc[k] = v
    return doc


def _build(
    tmp: Path,
    pki: Pki | None,
    *,
    signer: KeySigner | None = None,
    chain: list[x509.Certificate] | None = None,
    doc: dict[str, Any] | None = None,
    name: str = "pkg.zip",
) -> Path:
    out = tmp / name
    signer = signer or (pki.signer if pki else KeySigner(generate_private_key()))
    if chain is None:
        chain = pki.chain if pki else []
    build_package(
        parse_request(doc or _doc()), out, signers=[signer], now=NOW, certificates=[chain]
    )
    return out


def _intake(w: World, package: Path) -> IntakeVerdict:
    return intake_package(
        package, verify_directory(w.folder, [w.root.public_key], now=NOW), now=NOW
    )


def _refused(v: IntakeVerdict, *fragments: str) -> str:
    assert v.decision == "reject"
    assert v.authority is None
    text = "\n".join(v.reasons)
    for f in fragments:
        assert f in text, text
    return text


# -- accept ---------------------------------------------------------------------------------------


def test_chain_to_a_listed_ca_binds_the_authority(tmp_path: Path) -> None:
    pki = _pki()
    w = _world(tmp_path, [_ca_entry(pki.root)])
    pkg = _build(tmp_path, pki)
    v = _intake(w, pkg)
    assert v.decision == "accept", v.reasons
    assert v.authority is not None
    assert v.authority.id == "fr-pj"
    assert v.callback == FR_CALLBACK
    [s] = v.signers
    assert s.ok
    assert s.keyid == pki.signer.keyid
    assert s.authority_id == "fr-pj"
    assert s.certificate_subject == pki.leaf.cert.subject.rfc4514_string()
    assert "CN=Officer Jeanne Martin" in s.certificate_subject
    assert s.certificate_authority == pki.root.cert.subject.rfc4514_string()
    assert [c.name for c in v.checks] == [
        "directory",
        "certificate",
        "package",
        "request",
        "signer",
        "callback",
    ]
    assert "validates to CN=PJ Root CA" in v.checks[1].detail
    d = v.to_dict()
    assert d["signers"][0]["certificate"] == {
        "subject": s.certificate_subject,
        "ca": s.certificate_authority,
    }
    assert d["signers"][0]["authority"]["name"] == "Police Judiciaire"
    json.dumps(d)


def test_leaf_directly_under_the_listed_ca_and_rsa_leaf(tmp_path: Path) -> None:
    root = _ca()
    signer, leaf = _leaf(root, key=generate_private_key("rsa"), eku=None)
    w = _world(tmp_path, [_ca_entry(root)])
    v = _intake(w, _build(tmp_path, None, signer=signer, chain=[leaf.cert]))
    assert v.decision == "accept", v.reasons


def test_listed_intermediate_is_an_anchor_too(tmp_path: Path) -> None:
    pki = _pki()
    w = _world(tmp_path, [_ca_entry(pki.inter)])
    v = _intake(w, _build(tmp_path, pki, chain=[pki.leaf.cert]))
    assert v.decision == "accept", v.reasons


def test_chain_is_outside_what_the_signature_covers_and_plain_verify_still_works(
    tmp_path: Path,
) -> None:
    pki = _pki()
    pkg = _build(tmp_path, pki, name="pkg")
    env = Envelope.from_bytes((pkg / SIGNATURE_FILE).read_bytes())
    [sig] = env.signatures
    assert sig.certificates == tuple(c.public_bytes(Encoding.DER) for c in pki.chain)
    raw = json.loads((pkg / SIGNATURE_FILE).read_bytes())
    assert raw["signatures"][0]["certificates"] == [
        base64.b64encode(c.public_bytes(Encoding.DER)).decode() for c in pki.chain
    ]
    # a verifier trusting the leaf certificate accepts the package; the chain is ignored
    trust_dir = tmp_path / "trust"
    trust_dir.mkdir()
    (trust_dir / "leaf.pem").write_bytes(pki.leaf.pem)
    assert main(["package", "verify", str(pkg), "--trust", str(trust_dir)]) == 0


# -- refusals ------------------------------------------------------------------------------------


def test_expired_leaf_is_refused(tmp_path: Path) -> None:
    pki = _pki(not_after=datetime(2026, 6, 1, tzinfo=UTC))
    w = _world(tmp_path, [_ca_entry(pki.root)])
    text = _refused(
        _intake(w, _build(tmp_path, pki)),
        "had expired when the request was created",
        "CN=Officer Jeanne Martin",
        "valid until 2026-06-01T00:00:00Z",
    )
    assert "unknown signer" in text


def test_not_yet_valid_leaf_is_refused(tmp_path: Path) -> None:
    pki = _pki(not_before=datetime(2026, 11, 21, 5, 0, tzinfo=UTC))
    w = _world(tmp_path, [_ca_entry(pki.root)])
    _refused(_intake(w, _build(tmp_path, pki)), "was not yet valid when the request was created")


def test_expired_intermediate_is_refused(tmp_path: Path) -> None:
    root = _ca()
    inter = _intermediate(root, path_length=0, not_after=datetime(2026, 3, 1, tzinfo=UTC))
    signer, leaf = _leaf(inter)
    w = _world(tmp_path, [_ca_entry(root)])
    pkg = _build(tmp_path, None, signer=signer, chain=[leaf.cert, inter.cert])
    _refused(_intake(w, pkg), "CN=PJ Officers CA", "had expired")


def test_expired_ca_is_refused(tmp_path: Path) -> None:
    root = _ca(not_after=datetime(2026, 6, 1, tzinfo=UTC))
    signer, leaf = _leaf(root)
    w = _world(tmp_path, [_ca_entry(root)])
    pkg = _build(tmp_path, None, signer=signer, chain=[leaf.cert])
    _refused(
        _intake(w, pkg),
        "the certificate CN=PJ Root CA,O=Police Judiciaire,C=FR had expired when the request "
        "was created (2026-11-21T02:12:00Z; valid until 2026-06-01T00:00:00Z)",
    )


def test_leaf_without_digital_signature_is_refused(tmp_path: Path) -> None:
    pki = _pki(usage=_usage(encipher=True))
    w = _world(tmp_path, [_ca_entry(pki.root)])
    _refused(
        _intake(w, _build(tmp_path, pki)),
        "Martin,O=Police Judiciaire,C=FR: its key usage does not allow digitalSignature",
    )


def test_tls_only_leaf_is_refused(tmp_path: Path) -> None:
    pki = _pki(eku=[ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH])
    w = _world(tmp_path, [_ca_entry(pki.root)])
    _refused(
        _intake(w, _build(tmp_path, pki)),
        "its extended key usage is serverAuth, clientAuth, not a signing purpose",
    )


def test_document_signing_purpose_is_accepted(tmp_path: Path) -> None:
    pki = _pki(eku=[x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")])
    w = _world(tmp_path, [_ca_entry(pki.root)])
    assert _intake(w, _build(tmp_path, pki)).decision == "accept"


def test_unknown_ca_is_refused(tmp_path: Path) -> None:
    pki = _pki()
    other = _ca("Some Other Root CA")
    w = _world(tmp_path, [_ca_entry(other)])
    _refused(
        _intake(w, _build(tmp_path, pki)),
        "does not lead to a certificate authority the directory lists",
        "unknown signer",
    )


def test_directory_without_cas_names_the_certificate(tmp_path: Path) -> None:
    pki = _pki()
    w = _world(tmp_path, [])
    _refused(_intake(w, _build(tmp_path, pki)), "the directory lists no certificate authority")


def test_broken_chain_is_refused(tmp_path: Path) -> None:
    pki = _pki()
    w = _world(tmp_path, [_ca_entry(pki.root)])
    # the intermediate is missing
    pkg = _build(tmp_path, pki, chain=[pki.leaf.cert])
    _refused(_intake(w, pkg), "does not lead to a certificate authority the directory lists")


def test_forged_intermediate_is_refused(tmp_path: Path) -> None:
    pki = _pki()
    # same name as the real intermediate, but signed by a key of the forger's own
    forger = _issue("PJ Root CA", ec.generate_private_key(ec.SECP256R1()), None, ca=True)
    fake = _intermediate(forger, path_length=0)
    signer, leaf = _leaf(fake)
    w = _world(tmp_path, [_ca_entry(pki.root)])
    pkg = _build(tmp_path, None, signer=signer, chain=[leaf.cert, fake.cert])
    _refused(_intake(w, pkg), "unknown signer", "path validation failed: signature does not match")


def test_path_length_is_enforced(tmp_path: Path) -> None:
    root = _ca()
    inter = _intermediate(root, path_length=0)
    sub = _intermediate(inter, cn="PJ Sub CA")  # below a CA with pathLen 0
    signer, leaf = _leaf(sub)
    w = _world(tmp_path, [_ca_entry(root)])
    pkg = _build(tmp_path, None, signer=signer, chain=[leaf.cert, sub.cert, inter.cert])
    _refused(_intake(w, pkg), "path length constraint violated")


def test_intermediate_that_is_not_a_ca_is_refused(tmp_path: Path) -> None:
    root = _ca()
    not_ca = _issue("Not A CA", ec.generate_private_key(ec.SECP256R1()), root, ca=False)
    signer, leaf = _leaf(not_ca)
    w = _world(tmp_path, [_ca_entry(root)])
    pkg = _build(tmp_path, None, signer=signer, chain=[leaf.cert, not_ca.cert])
    _refused(_intake(w, pkg), "basicConstraints.cA must be asserted in a CA certificate")


def test_swapped_chain_does_not_lend_its_trust(tmp_path: Path) -> None:
    """A valid chain for another key, attached to a signature by an unlisted key."""
    pki = _pki()
    w = _world(tmp_path, [_ca_entry(pki.root)])
    forger = KeySigner(generate_private_key())
    pkg = _build(tmp_path, None, signer=forger, chain=[], name="pkg")
    env_path = pkg / SIGNATURE_FILE
    raw = json.loads(env_path.read_bytes())
    raw["signatures"][0]["certificates"] = [
        base64.b64encode(c.public_bytes(Encoding.DER)).decode() for c in pki.chain
    ]
    env_path.write_text(json.dumps(raw))
    v = _intake(w, pkg)
    _refused(v, "unknown signer")
    assert v.signers == ()


def test_revoked_ca_is_refused(tmp_path: Path) -> None:
    pki = _pki()
    revoked = Revocation(at=datetime(2026, 11, 1, tzinfo=UTC), reason="CA key compromised")
    w = _world(tmp_path, [_ca_entry(pki.root, revoked=revoked)])
    v = _intake(w, _build(tmp_path, pki))
    _refused(v, "the certificate authority CN=PJ Root CA", "was revoked at 2026-11-01T00:00:00Z")
    assert v.signers[0].certificate_subject is not None


def test_ca_roles_apply(tmp_path: Path) -> None:
    pki = _pki()
    w = _world(tmp_path, [_ca_entry(pki.root, roles=("requests",))])
    _refused(
        _intake(w, _build(tmp_path, pki)),
        "may sign requests, not a request of kind emergency_disclosure",
    )


def test_ca_of_another_authority_does_not_sign_for_this_one(tmp_path: Path) -> None:
    pki = _pki()
    w = _world(tmp_path, [], de=[_ca_entry(pki.root)])
    v = _intake(w, _build(tmp_path, pki))
    _refused(v, "signed by Bundeskriminalamt (DE)", "a signer of another authority")
    assert v.signers[0].authority_id == "de-bka"


# -- building, documents, the command line -------------------------------------------------------


def test_chain_must_start_with_the_signers_certificate(tmp_path: Path) -> None:
    pki = _pki()
    stranger = KeySigner(generate_private_key())
    with pytest.raises(InputError, match="is not for one signing key"):
        _build(tmp_path, pki, signer=stranger)
    assert not (tmp_path / "pkg.zip").exists()
    pkg = _build(tmp_path, None, signer=stranger, chain=[])
    trust = [stranger.public_key]
    from eevidence.crypto import TrustStore

    with pytest.raises(InputError, match="is not for the signing key"):
        sign_package(
            pkg,
            pki.signer,
            trust=TrustStore.from_public_keys(trust),
            certificates=[pki.inter.cert],  # not the co-signer's certificate
        )


def test_cosignature_can_carry_a_chain(tmp_path: Path) -> None:
    pki = _pki()
    officer = KeySigner(generate_private_key())
    w = _world(tmp_path, [_ca_entry(pki.root)])
    pkg = _build(tmp_path, None, signer=officer, chain=[])
    from eevidence.crypto import TrustStore

    sign_package(
        pkg,
        pki.signer,
        trust=TrustStore.from_public_keys([officer.public_key]),
        certificates=pki.chain,
    )
    v = _intake(w, pkg)
    assert v.decision == "accept", v.reasons
    assert [s.certificate_subject is not None for s in v.signers] == [True]
    report = package_report(pkg, TrustStore.from_public_keys([officer.public_key]))
    assert report.ok


def test_ca_entry_checks_its_fingerprint_and_that_it_is_a_ca(tmp_path: Path) -> None:
    pki = _pki()
    entry = _ca_entry(pki.root)
    with pytest.raises(DirectoryError) as caught:
        CertificateAuthority(fingerprint="0" * 64, certificate=entry.certificate)
    assert "not the SHA-256 of its certificate" in str(caught.value.problems)
    with pytest.raises(DirectoryError) as caught:
        CertificateAuthority.from_pem(pki.leaf.pem)
    assert "is not a CA certificate" in str(caught.value.problems)
    with pytest.raises(DirectoryError, match="not a PEM certificate"):
        CertificateAuthority.from_pem(b"nonsense")
    # a directory without CAs keeps its signed form (no new field appears)
    w = _world(tmp_path, [])
    doc = json.loads(verify_directory(w.folder, [w.root.public_key], now=NOW).directory.payload())
    assert "certificate_authorities" not in doc["authorities"][1]
    assert doc["authorities"][0]["certificate_authorities"] == []
    with pytest.raises(DirectoryError) as caught:
        Directory.model_validate(
            {
                **doc,
                "authorities": [
                    {**doc["authorities"][0], "certificate_authorities": [entry.model_dump()]},
                    {**doc["authorities"][1], "certificate_authorities": [entry.model_dump()]},
                ],
            }
        )
    assert "a certificate authority is listed twice" in str(caught.value.problems)


def test_malformed_certificates_field_is_refused() -> None:
    env = Envelope("t", b"x", ()).to_bytes()
    doc = json.loads(env)
    doc["signatures"] = [{"keyid": "", "sig": "AA==", "certificates": "not a list"}]
    with pytest.raises(PackageError, match="certificates must be a list"):
        Envelope.from_bytes(json.dumps(doc).encode())
    doc["signatures"] = [{"keyid": "", "sig": "AA==", "certificates": ["%%%"]}]
    with pytest.raises(PackageError, match="certificate 0: not base64"):
        Envelope.from_bytes(json.dumps(doc).encode())
    doc["signatures"] = [{"keyid": "", "sig": "AA==", "certificates": None}]
    assert Envelope.from_bytes(json.dumps(doc).encode()).signatures[0].certificates == ()


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_cli_directory_add_ca_package_build_cert_intake(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pki = _pki()
    w = _world(tmp_path, [])
    root_ca = tmp_path / "root-ca.pem"
    root_ca.write_bytes(pki.root.pem)
    root_key = tmp_path / "root.key"
    write_key_pair(w.root._key, root_key, tmp_path / "root.pub")
    add = ["directory", "add", str(w.folder), "--id", "fr-pj", "--now", NOW_TEXT]
    code, _, err = _run([*add, "--ca", str(tmp_path / "nothing.pem")], capsys)
    assert code != 0
    assert "cannot read" in err
    code, _, err = _run([*add, "--ca", str(root_ca), "--valid-until", "2027-01-01"], capsys)
    assert code == 2
    assert "--valid-from and --valid-until describe a --key" in err
    assert _run([*add, "--ca", str(root_ca), "--role", "emergency"], capsys)[0] == 0
    assert _run(["directory", "sign", str(w.folder), "--key", str(root_key)], capsys)[0] == 0
    code, out, _ = _run(["directory", "show", str(w.folder)], capsys)
    assert "CA " in out
    assert "CN=PJ Root CA" in out
    # the officer's key, certificate chain and request as files
    officer_key = tmp_path / "officer.key"
    write_key_pair(pki.signer._key, officer_key, tmp_path / "officer.pub")
    chain = tmp_path / "chain.pem"
    chain.write_bytes(pki.leaf.pem + pki.inter.pem)
    request = tmp_path / "request.json"
    request.write_text(json.dumps(_doc()))
    pkg = tmp_path / "pkg.zip"
    build = ["package", "build", str(request), "--key", str(officer_key), "--no-letter"]
    code, _, err = _run([*build, "--cert", str(root_ca), "-o", str(pkg), "--now", NOW_TEXT], capsys)
    assert code != 0
    assert "is not for one signing key" in err
    assert not pkg.exists()
    code, _, err = _run([*build, "--cert", str(chain), "-o", str(pkg), "--now", NOW_TEXT], capsys)
    assert code == 0, err
    argv = ["intake", str(pkg), "--directory", str(w.folder), "--root", str(tmp_path / "root.pub")]
    code, out, _ = _run([*argv, "--now", NOW_TEXT, "--json"], capsys)
    verdict = json.loads(out)
    assert code == 0, verdict["reasons"]
    assert verdict["signers"][0]["certificate"]["subject"].startswith("CN=Officer Jeanne Martin")
    assert verdict["authority"]["id"] == "fr-pj"
    code, out, _ = _run([*argv, "--now", NOW_TEXT], capsys)
    assert code == 0
    assert "of Police Judiciaire (certificate CN=Officer Jeanne Martin" in out
    # revoke the CA: the same package is refused
    revoke = ["directory", "revoke", str(w.folder), "--ca", str(root_ca), "--reason", "compromised"]
    assert _run([*revoke, "--now", NOW_TEXT], capsys)[0] == 0
    assert _run(["directory", "sign", str(w.folder), "--key", str(root_key)], capsys)[0] == 0
    code, out, _ = _run([*argv, "--now", "2026-11-21T11:00:00Z"], capsys)
    assert code == 1
    assert "was revoked at" in out
    # a verifier trusting the leaf certificate accepts the package (the chain is ignored)
    trust = tmp_path / "trust"
    trust.mkdir()
    (trust / "leaf.pem").write_bytes(pki.leaf.pem)
    assert _run(["package", "verify", str(pkg), "--trust", str(trust)], capsys)[0] == 0
