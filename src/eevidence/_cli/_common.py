"""Helpers shared by the command modules.

Everything printed for people goes through :func:`echo` (or
:func:`~eevidence._internal.text.printable` on each piece of text it did not write itself):
text from a package, a request, a provider profile, a provider's answer or a store never
reaches the terminal with control or bidi characters. JSON output (:func:`print_json`) keeps
the exact text, with those characters JSON-escaped.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from typing import Any, Final, NoReturn, TextIO

from eevidence._internal.text import json_safe, printable
from eevidence.errors import EEvidenceError, InputError

EXIT_OK: Final = 0
EXIT_INVALID: Final = 1
EXIT_USAGE: Final = 2


class CliUsageError(Exception):
    """A command-line usage mistake that argparse itself cannot see (exit code 2)."""


class ArgumentsError(CliUsageError):
    """A usage mistake argparse saw (an unknown option, a missing or invalid argument).

    Attributes:
        prog: The parser's program name, the command included (``eevidence new``).
        message: argparse's one-line message.
    """

    def __init__(self, prog: str, message: str) -> None:
        super().__init__(message)
        self.prog = prog
        self.message = message


class HelpFormatter(argparse.HelpFormatter):
    """Help text filled to the terminal's width (never breaking a word at a hyphen, so
    file names and options stay whole), except a block whose lines start with
    spaces or that holds a line ending in ``:`` (a list, such as the environment variables
    of an epilog), which is printed as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        blocks = text.split("\n\n")
        out = []
        for block in blocks:
            lines = block.splitlines()
            if any(line.startswith(" ") or line.endswith(":") for line in lines):
                out.append("\n".join(indent + line for line in lines))
            else:
                words = " ".join(" ".join(lines).split())
                out.append(
                    textwrap.fill(
                        words,
                        width,
                        initial_indent=indent,
                        subsequent_indent=indent,
                        break_on_hyphens=False,
                    )
                )
        return "\n\n".join(out)

    def _split_lines(self, text: str, width: int) -> list[str]:
        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False)


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors raise :class:`ArgumentsError` instead of
    printing the usage and exiting, so that the command line reports them in one line (or
    as JSON); its sub-command parsers are of the same class."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        """Raise the usage error ``message``.

        Raises:
            ArgumentsError: always, naming this parser's ``prog``.
        """
        raise ArgumentsError(self.prog, message)


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
