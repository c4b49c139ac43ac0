"""The workstation custody key is created whole: a private key and its public half, or
neither."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from eevidence.crypto import key_id, load_public_key
from eevidence.custody import workstation_signer


def test_a_deleted_private_key_gets_a_whole_new_pair(tmp_path: Path) -> None:
    first = workstation_signer(tmp_path)
    (tmp_path / "custody-key.pem").unlink()  # the public half is left alone
    second = workstation_signer(tmp_path)
    assert second.keyid != first.keyid
    assert key_id(load_public_key(tmp_path / "custody-key.pub.pem")) == second.keyid


def test_an_interrupted_creation_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.link

    def interrupted(src: str, dst: str) -> None:
        if str(dst).endswith("custody-key.pem"):  # the private half, placed last
            raise KeyboardInterrupt
        real(src, dst)

    monkeypatch.setattr(os, "link", interrupted)
    with pytest.raises(KeyboardInterrupt):
        workstation_signer(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_missing_workstation_key_is_said_when_a_new_one_is_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from eevidence._cli import main
    from eevidence.tracking import default_store_path

    s = ["--store", str(tmp_path / "s.sqlite3"), "--now", "2026-11-24T10:00:00Z"]
    assert main(["custody", "record", "note", "request/1", *s]) == 0
    (default_store_path().parent / "custody-key.pem").unlink()
    with caplog.at_level(logging.WARNING, logger="eevidence"):
        assert main(["custody", "record", "note", "request/2", *s]) == 0
    assert any("custody key was missing" in r.getMessage() for r in caplog.records)
