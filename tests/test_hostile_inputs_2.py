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

from eevidence.errors import InputError, StoreError
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


# --------------------------------------------------------------------------- numbers, YAML 1.2


def _yaml_request(tmp_path: Path, **changes: str) -> Path:
    """The preservation example as YAML, with some values written as given (raw YAML)."""
    lines = []
    doc = json.loads((EXAMPLES / "preservation.json").read_text(encoding="utf-8"))
    for key, value in doc.items():
        raw = changes.pop(key) if key in changes else json.dumps(value)
        lines.append(f"{key}: {raw}")
    lines += [f"{key}: {raw}" for key, raw in changes.items()]
    path = tmp_path / "request.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _validate(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from eevidence._cli import main

    code = main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert "internal error" not in out + err
    return code, out + err


def test_the_example_as_yaml_is_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _validate(_yaml_request(tmp_path), capsys)[0] == 0


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        ("preservation_days", "1:30"),  # YAML 1.1: sexagesimal 90
        ("preservation_days", "1_0_0"),  # YAML 1.1: 100
        ("preservation_days", "0x5A"),  # YAML 1.1: 90
        ("preservation_days", "0o132"),  # YAML 1.2 core: 90; not decimal
        ("mla_to_follow", "yes"),  # YAML 1.1: true
        ("mla_to_follow", "on"),
        ("mla_to_follow", "Y"),
    ],
)
def test_yaml_1_1_coercions_are_not_made(
    key: str, raw: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from eevidence._internal.documents import decode_yaml

    path = _yaml_request(tmp_path, **{key: raw})
    assert decode_yaml(path.read_bytes(), str(path))[key] == raw  # a text, not a number
    code, text = _validate(path, capsys)
    assert code != 0
    assert key in text


def test_yaml_scalars_follow_the_core_schema() -> None:
    from eevidence._internal.documents import decode_yaml

    doc = decode_yaml("a: 010\nb: -7\nc: true\nd: FALSE\ne: ~\nf:\ng: null\n", "x")
    assert doc == {"a": 10, "b": -7, "c": True, "d": False, "e": None, "f": None, "g": None}
    assert decode_yaml("h: 2026-11-30\ni: .inf\nj: '12'\n", "x") == {
        "h": "2026-11-30",
        "i": ".inf",
        "j": "12",
    }
    for explicit in ("a: !!int 0x5A", "a: !!bool yes", "a: !!float 1:30"):
        with pytest.raises(InputError, match="not readable YAML"):
            decode_yaml(explicit, "x")


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_huge_integer_is_one_clear_line(
    suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    huge = "9" * 100_000
    path = tmp_path / f"hugeint{suffix}"
    if suffix == ".json":
        doc = (EXAMPLES / "preservation.json").read_text(encoding="utf-8")
        path.write_text(doc.replace('"preservation_days": 90', f'"preservation_days": {huge}'))
    else:
        path = _yaml_request(tmp_path, preservation_days=huge)
    code, text = _validate(path, capsys)
    assert code != 0
    assert "an integer of 100000 digits (the limit is 64 digits)" in text
    assert "set_int_max_str_digits" not in text
    assert len(text) < 1000


def test_integers_up_to_the_limit_are_read() -> None:
    from eevidence._internal.documents import MAX_INTEGER_DIGITS, decode_json, decode_yaml

    big = "9" * MAX_INTEGER_DIGITS
    assert decode_json(f"[{big}, -{big}]", "x") == [int(big), -int(big)]
    assert decode_yaml(f"a: -{big}", "x") == {"a": -int(big)}
    with pytest.raises(InputError, match="digits"):
        decode_json(f"[{big}9]", "x")
    with pytest.raises(InputError, match="a number written with 130 characters"):
        decode_json(f"[1.{big}{big}]", "x", integers_only=False)


# --------------------------------------------------------------------------- provider answers


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"reference": "A", "reference": "B", "status": "received"}', "duplicate key"),
        (b'{"reference": "A", "status": "received", "x": NaN}', "NaN is not allowed"),
        (b'{"reference": "A", "status": "received", "x": -Infinity}', "Infinity"),
        (b'{"reference": "A", "status": "received", "x": 1' + b"0" * 5000 + b"}", "digits"),
    ],
)
def test_a_lax_provider_answer_is_refused(body: bytes, reason: str) -> None:
    from eevidence.errors import MalformedAnswerError
    from eevidence.submit import parse_answer

    with pytest.raises(MalformedAnswerError, match="not strict JSON") as caught:
        parse_answer(body, source="answer.json")
    assert reason in str(caught.value)
    assert "\n" not in str(caught.value)


def test_poll_answer_with_a_duplicate_key_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from eevidence._cli import main

    answer = tmp_path / "answer.json"
    answer.write_bytes(b'{"reference": "A", "reference": "B", "status": "received"}')
    store = ["--store", str(tmp_path / "s.sqlite3")]
    assert main(["poll", "R-1", "--answer", str(answer), *store]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "duplicate key 'reference'" in err


# --------------------------------------------------------------------------- passphrases


def test_an_empty_passphrase_variable_does_not_write_an_unencrypted_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from eevidence._cli import main

    monkeypatch.setenv("EEVIDENCE_PASSPHRASE", "")
    code = main(["keys", "generate", "-o", str(tmp_path / "k")])
    err = capsys.readouterr().err
    assert code != 0
    assert "EEVIDENCE_PASSPHRASE is empty" in err
    assert not list(tmp_path.iterdir())


def test_end_of_input_at_the_passphrase_prompt_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from eevidence._cli import main

    def ended(prompt: str = "") -> str:
        raise EOFError

    monkeypatch.setattr("getpass.getpass", ended)
    code = main(["keys", "generate", "-o", str(tmp_path / "k"), "--passphrase-prompt"])
    err = capsys.readouterr().err
    assert code != 0
    assert "Traceback" not in err
    assert "no passphrase was typed" in err
    assert not list(tmp_path.iterdir())
