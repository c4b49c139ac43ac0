"""Packages encrypted for their recipients (age v1, X25519): the command line, two age
implementations nobody here wrote as oracles (the pure-Python ``age`` package's ``pyage``
command, and rage through ``pyrage``), refusals, and bounded memory."""

from __future__ import annotations

import io
import os
import re
import shutil
import stat
import subprocess
import sys
import tracemalloc
from datetime import timedelta
from pathlib import Path

import pyrage  # type: ignore[import-untyped]  # rage's bindings ship no type information
import pytest

from eevidence._cli import main
from eevidence._cli._package import placeholder_pdf
from eevidence.directory import verify_directory
from eevidence.errors import InputError, PackageError
from eevidence.package import (
    Identity,
    Recipient,
    decrypt_package,
    decrypt_stream,
    encrypt_package,
    encrypt_stream,
    generate_identity,
    read_identities,
)
from tests.directory_helpers import (
    ISSUED,
    de_authority,
    key_entry,
    make_world,
    publish,
    replace_authority,
)
from tests.helpers import EXAMPLES
from tests.package_vectors import ATTACHMENT

REQUEST = str(EXAMPLES / "preservation.json")
NOW = "2026-11-20T10:00:00Z"
PYAGE = shutil.which("pyage") or str(Path(sys.executable).with_name("pyage"))


@pytest.fixture
def setup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Path]:
    trust = tmp_path / "trust"
    trust.mkdir()
    officer = tmp_path / "officer.pem"
    assert main(["keys", "generate", "-o", str(officer), "--public", str(trust / "o.pem")]) == 0
    att = tmp_path / ATTACHMENT
    att.write_bytes(placeholder_pdf("scan"))
    identity, recipient = tmp_path / "recipient.key", tmp_path / "recipient.txt"
    assert main(["keys", "identity", "-o", str(identity), "--recipient", str(recipient)]) == 0
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    capsys.readouterr()
    return {
        "trust": trust,
        "officer": officer,
        "att": att,
        "dir": tmp_path,
        "identity": identity,
        "recipient": recipient,
        "outbox": outbox,
    }


def _build(setup: dict[str, Path], out: Path, *extra: str) -> int:
    argv = ["package", "build", REQUEST, "--key", str(setup["officer"]), "--no-record"]
    argv += ["--attach", str(setup["att"]), "-o", str(out), "--now", NOW, *extra]
    return main(argv)


def _encrypted(setup: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> Path:
    assert _build(setup, setup["outbox"], "--encrypt-to", str(setup["recipient"])) == 0
    capsys.readouterr()
    (out,) = setup["outbox"].iterdir()
    return out


def _request_id() -> str:
    text = Path(REQUEST).read_text(encoding="utf-8")
    found = re.search(r'"id":\s*"([0-9a-f-]{36})"', text)
    assert found is not None
    return found.group(1)


def test_identity_file_is_private_and_age_readable(setup: dict[str, Path]) -> None:
    identity = setup["identity"]
    assert stat.S_IMODE(identity.stat().st_mode) == 0o600
    text = identity.read_text(encoding="ascii")
    recipient = setup["recipient"].read_text(encoding="ascii").strip()
    assert f"# public key: {recipient}" in text
    (key_line,) = [line for line in text.splitlines() if not line.startswith("#")]
    # rage parses the identity and derives the same recipient
    assert str(pyrage.x25519.Identity.from_str(key_line).to_public()) == recipient
    assert main(["keys", "identity", "-o", str(identity)]) == 1  # never overwritten


def test_round_trip_verifies_and_reveals_nothing(
    setup: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert _build(setup, setup["outbox"], "--encrypt-to", str(setup["recipient"])) == 0
    assert "encrypted for 1 recipient(s)" in capsys.readouterr().out
    (encrypted,) = setup["outbox"].iterdir()  # no plaintext or temporary file left
    assert re.fullmatch(r"[0-9a-f]{32}\.age", encrypted.name)
    data = encrypted.read_bytes()
    assert data.startswith(b"age-encryption.org/v1\n-> X25519 ")
    request_id = _request_id()
    for secret in (request_id.encode(), b"preservation", b"bag-info", b"request.json"):
        assert secret not in data
    plain = setup["dir"] / "received.zip"
    argv = ["package", "decrypt", str(encrypted), "--identity", str(setup["identity"])]
    assert main([*argv, "-o", str(plain)]) == 0
    assert stat.S_IMODE(plain.stat().st_mode) == 0o600
    assert main(["package", "verify", str(plain), "--trust", str(setup["trust"])]) == 0
    assert "VERIFIED" in capsys.readouterr().out
    # the same build without encryption gives the same bytes (Ed25519 is deterministic)
    clear = setup["dir"] / "clear.zip"
    assert _build(setup, clear) == 0
    assert clear.read_bytes() == plain.read_bytes()


def test_recipient_given_inline_and_named_file(
    setup: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    other = generate_identity()
    recipient = setup["recipient"].read_text(encoding="ascii").strip()
    out = setup["dir"] / "for-two.age"
    assert _build(setup, out, "--encrypt-to", recipient, "--encrypt-to", str(other.recipient)) == 0
    for identity in (read_identities(setup["identity"])[0], other):
        target = setup["dir"] / f"opened-{identity.recipient}.zip"
        decrypt_package(out, target, [identity])
        assert target.stat().st_size > 0
    assert _build(setup, out, "--encrypt-to", recipient) == 1  # never overwritten
    assert "refusing to overwrite" in capsys.readouterr().err


def test_external_tools_decrypt(setup: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    encrypted = _encrypted(setup, capsys)
    home = setup["dir"] / "home"  # pyage also reads keys from ~/.config/age and ~/.ssh
    home.mkdir()
    by_pyage = setup["dir"] / "pyage.zip"
    subprocess.run(
        [PYAGE, "decrypt", "-i", str(encrypted), "-o", str(by_pyage), str(setup["identity"])],
        check=True,
        env={**os.environ, "HOME": str(home)},
        capture_output=True,
    )
    assert main(["package", "verify", str(by_pyage), "--trust", str(setup["trust"])]) == 0
    key_line = read_identities(setup["identity"])[0]
    by_rage = pyrage.decrypt(
        encrypted.read_bytes(), [pyrage.x25519.Identity.from_str(str(key_line))]
    )
    assert by_rage == by_pyage.read_bytes()


@pytest.mark.parametrize("size", [0, 1, 65535, 65536, 65537, 3 * 65536, 200_001])
def test_interoperates_both_ways_at_chunk_edges(size: int) -> None:
    data = os.urandom(size)
    ours = generate_identity()
    theirs = pyrage.x25519.Identity.from_str(str(ours))
    out = io.BytesIO()
    assert encrypt_stream(io.BytesIO(data), out, [ours.recipient]) == size
    assert pyrage.decrypt(out.getvalue(), [theirs]) == data
    back = io.BytesIO()
    sealed = pyrage.encrypt(data, [theirs.to_public()])
    assert decrypt_stream(io.BytesIO(sealed), back, [ours]) == size
    assert back.getvalue() == data


def _decrypt_fails(
    setup: dict[str, Path], capsys: pytest.CaptureFixture[str], encrypted: Path, identity: Path
) -> str:
    target = setup["dir"] / "out.zip"
    argv = ["package", "decrypt", str(encrypted), "--identity", str(identity), "-o", str(target)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert not target.exists()
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".eevidence-")]
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    return err


def test_wrong_identity_refused(setup: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    encrypted = _encrypted(setup, capsys)
    stranger = setup["dir"] / "stranger.key"
    assert main(["keys", "identity", "-o", str(stranger)]) == 0
    capsys.readouterr()
    err = _decrypt_fails(setup, capsys, encrypted, stranger)
    assert "no identity given opens this package" in err


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("payload", "altered or damaged (chunk 0"),
        ("stanza", "header was altered"),
        ("mac", "header was altered"),
        ("wrapped-key", "no identity given opens"),
        ("truncated-chunk", "truncated"),
        ("truncated-mid", "altered or damaged"),
        ("nonce", "truncated"),
    ],
)
def test_tampered_or_truncated_refused(
    setup: dict[str, Path], capsys: pytest.CaptureFixture[str], where: str, message: str
) -> None:
    identity = read_identities(setup["identity"])[0]
    big = setup["dir"] / "big.bin"
    big.write_bytes(os.urandom(3 * 65536 + 100))
    encrypted = encrypt_package(big, setup["dir"] / "big.age", [identity.recipient])
    data = bytearray(encrypted.read_bytes())
    header_end = data.index(b"\n---") + 1
    body = data.index(b"\n", header_end) + 1  # the 16-byte nonce, then the chunks
    if where == "payload":
        data[body + 16 + 100] ^= 1
    elif where == "stanza":  # a stanza added to the header (say, another recipient)
        data[header_end:header_end] = b"-> X-added abc\n\n"
    elif where == "mac":
        data[header_end + 4] = ord("A") if data[header_end + 4] != ord("A") else ord("B")
    elif where == "wrapped-key":
        data[header_end - 3] ^= 1  # the wrapped file key no longer opens
    elif where == "truncated-chunk":
        del data[body + 16 + 2 * (65536 + 16) :]  # ends at a chunk boundary
    elif where == "truncated-mid":
        del data[-50:]
    else:
        del data[body + 8 :]
    encrypted.write_bytes(bytes(data))
    err = _decrypt_fails(setup, capsys, encrypted, setup["identity"])
    assert message in err, err


def test_not_encrypted_and_bad_keys(
    setup: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    err = _decrypt_fails(setup, capsys, setup["att"], setup["identity"])
    assert "not an encrypted package" in err
    with pytest.raises(InputError, match="not an age X25519 recipient"):
        Recipient.parse("age1" + "q" * 58)  # bad checksum
    with pytest.raises(InputError, match="not an age X25519 identity"):
        Identity.parse(str(generate_identity()).lower())
    assert _build(setup, setup["outbox"], "--encrypt-to", "provider:google") == 2
    assert "provider profiles carry no encryption key" in capsys.readouterr().err
    assert _build(setup, setup["dir"] / "x.zip", "--encrypt-to", str(setup["recipient"])) == 2
    assert "ending in .age" in capsys.readouterr().err
    assert list(setup["outbox"].iterdir()) == []


def test_recipient_from_the_directory(
    setup: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    world = make_world(setup["dir"])
    now = ISSUED + timedelta(hours=2)
    recipient = setup["recipient"].read_text(encoding="ascii").strip()
    authority = de_authority(key_entry(world.de.public_key)).model_copy(
        update={"encryption_recipients": (recipient,)}
    )
    publish(world.folder, replace_authority(authority), [world.root], now=now)
    listed = verify_directory(world.folder, [world.root.public_key], now=now).directory
    assert listed.authority("de-bka").encryption_recipients == (recipient,)  # type: ignore[union-attr]
    root_pub = setup["dir"] / "root.pem"
    from eevidence.crypto import write_public_key

    write_public_key(world.root.public_key, root_pub)
    spec = f"directory:{world.folder}#de-bka"
    out = setup["dir"] / "to-bka.age"
    argv = ["--encrypt-to", spec, "--directory-root", str(root_pub), "--now", now.isoformat()]
    assert _build(setup, out, *argv) == 0
    plain = setup["dir"] / "bka.zip"
    decrypt_package(out, plain, read_identities(setup["identity"]))
    assert main(["package", "verify", str(plain), "--trust", str(setup["trust"])]) == 0
    capsys.readouterr()
    assert (
        _build(
            setup,
            setup["dir"] / "fr.age",
            "--encrypt-to",
            f"directory:{world.folder}#fr-pj",
            "--directory-root",
            str(root_pub),
            "--now",
            now.isoformat(),
        )
        == 1
    )
    assert "lists no encryption recipient" in capsys.readouterr().err
    assert _build(setup, setup["dir"] / "n.age", "--encrypt-to", spec) == 2
    assert "--directory-root" in capsys.readouterr().err


def test_streaming_memory_is_bounded(tmp_path: Path) -> None:
    """A 200 MB (sparse) file is encrypted and decrypted with a few MiB of Python memory."""
    size = 200 * 1000 * 1000
    src = tmp_path / "big.bin"
    with src.open("wb") as fh:
        fh.truncate(size)
    identity = generate_identity()
    tracemalloc.start()
    try:
        encrypted = encrypt_package(src, tmp_path, [identity.recipient])
        src.unlink()
        _, peak_encrypt = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        out = decrypt_package(encrypted, tmp_path / "back.bin", [identity])
        _, peak_decrypt = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert out.stat().st_size == size
    assert encrypted.stat().st_size > size
    assert peak_encrypt < 8 * 1024 * 1024, peak_encrypt
    assert peak_decrypt < 8 * 1024 * 1024, peak_decrypt


def test_library_refuses_without_keys(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="at least one recipient"):
        encrypt_package(Path(REQUEST), tmp_path, [])
    with pytest.raises(InputError, match="at least one identity"):
        decrypt_package(Path(REQUEST), tmp_path / "x", [])
    with pytest.raises(PackageError, match="cannot read"):
        encrypt_package(tmp_path / "missing.zip", tmp_path, [generate_identity().recipient])
