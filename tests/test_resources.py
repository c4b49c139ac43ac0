"""Every kind of shipped data is found in a source checkout and is put in the wheel at the
place ``data_dir`` looks for it."""

from __future__ import annotations

import tomllib
from typing import get_args

import pytest

from eevidence._internal.resources import _CHECKOUT, DataName, data_dir
from tests.helpers import ROOT


def _force_include() -> dict[str, str]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        config = tomllib.load(f)
    mapping: dict[str, str] = config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    return mapping


def test_every_kind_has_a_checkout_folder_and_a_wheel_place() -> None:
    names = set(get_args(DataName))
    assert "authorities" in names
    assert set(_CHECKOUT) == names
    expected = {folder: f"eevidence/_data/{name}" for name, folder in _CHECKOUT.items()}
    assert _force_include() == expected


@pytest.mark.parametrize("name", get_args(DataName))
def test_checkout_folders_are_found(name: DataName) -> None:
    found = data_dir(name)
    assert found == ROOT / _CHECKOUT[name]
    assert any(found.iterdir())
