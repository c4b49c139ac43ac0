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
