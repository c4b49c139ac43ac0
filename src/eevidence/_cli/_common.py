"""Helpers shared by the command modules.

Everything printed for people goes through :func:`echo` (or
:func:`~eevidence._internal.text.printable` on each piece of text it did not write itself):
text from a package, a request, a provider profile, a provider's answer or a store never
reaches the terminal with control or bidi characters. JSON output (:func:`print_json`) keeps
the exact text, with those characters JSON-escaped.
"""

from __future__ import annotations

import json
import sys
from typing import Any, Final, TextIO

from eevidence._internal.text import json_safe, printable
from eevidence.errors import EEvidenceError, InputError

EXIT_OK: Final = 0
EXIT_INVALID: Final = 1
EXIT_USAGE: Final = 2


class CliUsageError(Exception):
    """A command-line usage mistake that argparse itself cannot see (exit code 2)."""


def echo(line: str = "", *, file: TextIO | None = None) -> None:
    """Print ``line`` (one line) with control and bidi characters escaped."""
    print(printable(line), file=file)


def print_json(value: Any) -> None:
    """Print ``value`` as indented JSON; control and bidi characters inside strings are
    JSON-escaped, so the values decode exactly."""
    sys.stdout.write(
        json_safe(json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False)) + "\n"
    )


def pretty_json_bytes(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def pretty_json_text(value: Any) -> str:
    """What :func:`pretty_json_bytes` writes to a file, safe to write to a terminal."""
    return json_safe(json.dumps(value, indent=2, ensure_ascii=False)) + "\n"


def diagnostics(exc: EEvidenceError) -> str:
    """``exc.diagnostics()``, printable: each line's text escaped, so that nothing in a
    message (a file name, a value read from a document) adds a line or drives the terminal."""
    if isinstance(exc, InputError) and type(exc).diagnostics is InputError.diagnostics:
        lines = [f"{printable(exc.source)}: {printable(str(exc.args[0]))}"]
        lines += [f"  {printable(p.path)}: {printable(p.message)}" for p in exc.problems]
        return "\n".join(lines)
    return printable(exc.diagnostics())
