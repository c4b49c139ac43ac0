"""Hostile inputs found from outside, each refused with one clear line: store URLs whose
password holds URL delimiters, unbounded and blocking reads, times the store cannot hold,
huge integers, symlink loops, end of input at a prompt, half-written poll state, lax provider
answers, retries without an overall deadline, error output without a cap, YAML 1.1
coercions, an empty passphrase from the environment and control characters in letters."""

from __future__ import annotations

from pathlib import Path

import pytest

from eevidence.errors import StoreError
from eevidence.tracking import open_store

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
