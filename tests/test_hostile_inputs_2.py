"""Hostile inputs found from outside, each refused with one clear line: store URLs whose
password holds URL delimiters, unbounded and blocking reads, times the store cannot hold,
huge integers, symlink loops, end of input at a prompt, half-written poll state, lax provider
answers, retries without an overall deadline, error output without a cap, YAML 1.1
coercions, an empty passphrase from the environment and control characters in letters."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from eevidence.errors import StoreError
from eevidence.tracking import open_store
from tests.helpers import EXAMPLES, ROOT

# --------------------------------------------------------------------------- store URLs

SECRET = "S3cr3tPw9x"


def _shows_part_of(secret: str, text: str) -> bool:
    return any(secret[i : i + 3] in text for i in range(len(secret) - 2))


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u:S3cr3t/Pw9x@127.0.0.1:1/db",
        "postgresql://u:S3cr3t@Pw9x@127.0.0.1:1/db",
        "postgresql://u:S3cr3t?Pw9x@127.0.0.1:1/db",
        "postgresql://u:S3cr3t#Pw9x@127.0.0.1:1/db",
        "postgresql://u:S3c/r3t@P/w9x@127.0.0.1:1/db",
        "postgresql://u@127.0.0.1:1/S3cr3tPw9x@x",
        "postgresql://127.0.0.1:1/db?password=S3cr3t/Pw9x@x",
        " postgresql://u:S3cr3tPw9x@127.0.0.1:1/db",
        "x postgresql://u:S3cr3tPw9x@127.0.0.1:1/db",
    ],
)
def test_no_part_of_a_password_with_delimiters_is_shown(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from eevidence._cli import main

    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError) as caught:
        open_store(url).close()
    error: BaseException | None = caught.value
    while error is not None:
        assert not _shows_part_of(SECRET, str(error)), str(error)
        error = error.__cause__ or error.__context__
    for argv in (["--store", url, "status"], ["custody", "log", "--store", url]):
        assert main(argv) != 0
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        assert err.startswith("eevidence: ")
        assert not _shows_part_of(SECRET, out + err), (argv, out + err)
    monkeypatch.setenv("EEVIDENCE_STORE", url)
    assert main(["status"]) != 0
    out, err = capsys.readouterr()
    assert not _shows_part_of(SECRET, out + err), out + err
    assert not list(tmp_path.rglob("*"))  # nothing was created from a URL


def test_a_percent_encoded_password_still_reaches_the_server() -> None:
    with pytest.raises(
        StoreError, match=r"cannot reach PostgreSQL at postgresql://127\.0\.0\.1:1/db"
    ):
        open_store("postgresql://u:S3cr3t%2FPW%40x@127.0.0.1:1/db").close()


# --------------------------------------------------------------------------- FIFOs, devices

EXAMPLE = str(EXAMPLES / "preservation.json")


def _cli(argv: list[str], cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The command line in a child process: a read that blocks or runs on fails the test
    by its timeout instead of hanging the suite."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EEVIDENCE_")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    return subprocess.run(
        [sys.executable, "-m", "eevidence", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _one_line(result: subprocess.CompletedProcess[str], name: str) -> str:
    assert result.returncode != 0, result
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr
    text = result.stderr or result.stdout
    lines = [line for line in text.splitlines() if line.startswith(("eevidence", "INVALID"))]
    assert len(lines) == 1, text
    assert name in lines[0], text
    return lines[0]


def _trust(where: Path) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    folder = where / "trust"
    folder.mkdir()
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (folder / "officer.pub.pem").write_bytes(pem)
    return folder


FIFO_COMMANDS = [
    ["validate", "{fifo}"],
    ["check", "{fifo}"],
    ["render", "{fifo}", "-o", "out.pdf"],
    ["render", EXAMPLE, "-o", "out.pdf", "--logo", "{fifo}"],
    ["track", "add", "{fifo}", "--store", "s.sqlite3"],
    ["submit", "{fifo}", "--trust", "trust"],
    ["submit", "{fifo}", "--allow-unsigned"],
    ["custody", "import", "{fifo}", "--store", "s.sqlite3"],
    ["poll", "R-1", "--answer", "{fifo}", "--store", "s.sqlite3"],
]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a POSIX feature")
@pytest.mark.parametrize("argv", FIFO_COMMANDS, ids=[" ".join(a[:2]) for a in FIFO_COMMANDS])
@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_fifo_without_a_writer_is_refused_at_once(
    argv: list[str], suffix: str, tmp_path: Path
) -> None:
    fifo = tmp_path / f"input{suffix}"
    os.mkfifo(fifo)
    _trust(tmp_path)
    result = _cli([a.format(fifo=fifo) for a in argv], tmp_path, timeout=30)
    line = _one_line(result, str(fifo))
    assert "FIFO" in line
    assert not (tmp_path / "out.pdf").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["render", EXAMPLE, "-o", "out.pdf", "--logo", "/dev/zero"],
        ["submit", "/dev/zero", "--trust", "trust"],
        ["custody", "import", "/dev/zero", "--store", "s.sqlite3"],
        ["poll", "R-1", "--answer", "/dev/zero", "--store", "s.sqlite3"],
    ],
    ids=["render --logo", "submit", "custody import", "poll --answer"],
)
def test_a_device_is_refused_without_reading_it(argv: list[str], tmp_path: Path) -> None:
    _trust(tmp_path)
    result = _cli(argv, tmp_path, timeout=30)
    assert "character device" in _one_line(result, "/dev/zero")


def test_an_authority_logo_that_links_to_a_device_is_refused(tmp_path: Path) -> None:
    profile = json.loads((ROOT / "examples" / "authority.json").read_text(encoding="utf-8"))
    profile["logo"] = "logo.png"
    (tmp_path / "authority.json").write_text(json.dumps(profile), encoding="utf-8")
    (tmp_path / "logo.png").symlink_to("/dev/zero")
    argv = ["render", EXAMPLE, "-o", "out.pdf", "--authority", "authority.json"]
    line = _one_line(_cli(argv, tmp_path, timeout=30), "logo.png")
    assert "character device" in line
    assert not (tmp_path / "out.pdf").exists()


def test_a_large_file_that_is_not_a_zip_is_refused_before_it_is_read(tmp_path: Path) -> None:
    from eevidence.errors import InputError
    from eevidence.submit._outgoing import MAX_SEND_BYTES, load_outgoing

    big = tmp_path / "big.zip"
    with big.open("wb") as fh:  # sparse: no disk space is used
        fh.truncate(MAX_SEND_BYTES + 1)
    with pytest.raises(InputError, match=f"larger than {MAX_SEND_BYTES} bytes"):
        load_outgoing(big)
    with big.open("r+b") as fh:
        fh.truncate(64 * 1024 * 1024)
    with pytest.raises(InputError, match="not a package in zip form"):
        load_outgoing(big)


def test_a_symlink_loop_given_to_submit_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "a.zip").symlink_to(tmp_path / "b.zip")
    (tmp_path / "b.zip").symlink_to(tmp_path / "a.zip")
    _trust(tmp_path)
    for extra in (["--trust", "trust"], ["--allow-unsigned"]):
        result = _cli(["submit", "a.zip", *extra], tmp_path)
        assert "symbolic links" in _one_line(result, "a.zip")
