"""``eevidence --help`` lists every environment variable the library and the CLI read."""

from __future__ import annotations

import re

import pytest

from eevidence._cli import ENVIRONMENT, main
from tests.helpers import ROOT

_NAME = re.compile(r"\"(EEVIDENCE_[A-Z0-9_]+)\"")
_FAMILIES = {
    "EEVIDENCE_API_TOKEN_": "EEVIDENCE_API_TOKEN_<PROVIDER>",
    "EEVIDENCE_SMTP_": "EEVIDENCE_SMTP_*",
}


def _read_by_the_code() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "src" / "eevidence").rglob("*.py"):
        names.update(_NAME.findall(path.read_text(encoding="utf-8")))
    return names


def test_every_variable_the_code_reads_is_listed() -> None:
    names = _read_by_the_code()
    assert {"EEVIDENCE_STORE", "EEVIDENCE_PROVIDERS", "EEVIDENCE_AUTHORITIES"} <= names
    missing = []
    for name in sorted(names):
        family = next((f for f in _FAMILIES if name.startswith(f)), None)
        if family is not None:
            listed = _FAMILIES[family] in ENVIRONMENT
        else:
            listed = re.search(rf"^  {name}\b", ENVIRONMENT, re.MULTILINE) is not None
            listed = listed or f" {name} (" in ENVIRONMENT
        if not listed:
            missing.append(name)
    assert missing == []


def test_help_describes_the_authorities_folder(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.lstrip().startswith("EEVIDENCE_AUTHORITIES"))
    assert "authority entries" in line
