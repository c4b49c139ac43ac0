"""An encryption the user asked for never silently becomes no encryption."""

from __future__ import annotations

from pathlib import Path

import pytest

from eevidence._cli import main


def test_an_empty_prompted_passphrase_is_refused_when_writing_a_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "")
    key = tmp_path / "k.pem"
    assert main(["keys", "generate", "-o", str(key), "--passphrase-prompt"]) == 2
    assert "empty passphrase" in capsys.readouterr().err
    assert not key.exists()


def test_an_empty_named_variable_is_refused_when_writing_a_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_PASS", "")
    key = tmp_path / "k.pem"
    assert main(["keys", "generate", "-o", str(key), "--passphrase-env", "MY_PASS"]) == 2
    assert "MY_PASS is empty" in capsys.readouterr().err
    assert not key.exists()
