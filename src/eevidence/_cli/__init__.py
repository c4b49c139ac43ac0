"""The ``eevidence`` command line: a thin layer over the library.

Exit codes: 0 success; 1 invalid input, failed check or verification; 2 usage error;
130 interrupted (Ctrl-C). Each command group lives in its own module exposing
``register(subparsers)``; the chosen command's handler returns the exit code. Library errors
are caught once, here, and printed as one line (with indented details where an input has
several problems); no traceback reaches the user: a file system error the library did not
wrap names the file, and anything else is reported as an internal error in one line, the
traceback going to the log (``-vv``).

Only the module of the command being run is imported (:data:`COMMANDS`), so a command pays
for what it uses: ``package verify`` does not load the PDF, HTTP or database stacks.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from eevidence._cli._common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, CliUsageError, diagnostics
from eevidence._internal.text import printable
from eevidence._version import __version__
from eevidence.errors import EEvidenceError

__all__ = [
    "COMMANDS",
    "EXIT_INTERRUPTED",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_USAGE",
    "build_parser",
    "main",
]

EXIT_INTERRUPTED = 130
"""Exit code after Ctrl-C: 128 + SIGINT (2), as shells report a command that SIGINT ended."""

_GROUPS = (
    "_requests",
    "_providers",
    "_render",
    "_package",
    "_tracking",
    "_custody",
    "_etsi",
    "_submit",
    "_demo",
    "_witness",
)
COMMANDS: dict[str, str] = {
    "new": "_requests",
    "validate": "_requests",
    "schema": "_requests",
    "providers": "_providers",
    "check": "_providers",
    "route": "_providers",
    "render": "_render",
    "keys": "_package",
    "package": "_package",
    "track": "_tracking",
    "status": "_tracking",
    "deadlines": "_tracking",
    "report": "_tracking",
    "custody": "_custody",
    "evidence": "_custody",
    "export": "_etsi",
    "import": "_etsi",
    "submit": "_submit",
    "poll": "_submit",
    "demo": "_demo",
    "witness": "_witness",
}
"""Which module registers each command (a test checks this against the full parser)."""


def _group(name: str) -> ModuleType:
    return importlib.import_module(f"eevidence._cli.{name}")


def _command_of(argv: Sequence[str]) -> str | None:
    """The command named in ``argv`` (skipping the global options), if any."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--store":
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``command``, only that command's group is loaded and registered."""
    parser = argparse.ArgumentParser(
        prog="eevidence",
        description="Cross-border electronic-evidence requests: build, check, render, sign, "
        "submit, track, and keep the chain of custody.",
    )
    parser.add_argument("--version", action="version", version=f"eevidence {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)"
    )
    parser.add_argument(
        "--store", dest="global_store", metavar="PATH|URL", help="tracking store (see: status -h)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    groups = [COMMANDS[command]] if command in COMMANDS else list(_GROUPS)
    for group in groups:
        _group(group).register(sub)
    return parser


class _PrintableFormatter(logging.Formatter):
    """Log lines whose message has its control and bidi characters escaped: a message may
    quote a package, a request or a provider's answer."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return printable(super().formatMessage(record))


def _log_handler() -> logging.Handler:
    handler = logging.StreamHandler()
    handler.setFormatter(_PrintableFormatter("%(levelname)s %(name)s: %(message)s"))
    return handler


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command ``argv`` names (default: ``sys.argv[1:]``) and answer its exit code;
    Ctrl-C at any point, parsing included, ends with one line and :data:`EXIT_INTERRUPTED`."""
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:
        print("eevidence: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _main(arguments: list[str]) -> int:
    parser = build_parser(_command_of(arguments))
    args = parser.parse_args(arguments)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    # -v / -vv concern eevidence's own messages; other libraries stay at warnings
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, handlers=[_log_handler()])
    if args.verbose:
        logging.getLogger("eevidence").setLevel(level)
    try:
        code: int = args.handler(args)
    except CliUsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"eevidence: error: {printable(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except EEvidenceError as exc:
        print(f"eevidence: {diagnostics(exc)}", file=sys.stderr)
        return EXIT_INVALID
    except BrokenPipeError:
        # the reader went away (``eevidence ... | head``): stop quietly, as other tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_INVALID
    except OSError as exc:  # a file or stream error no library function wrapped
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"eevidence: {printable(f'{where}{exc.strerror or exc}')}", file=sys.stderr)
        logging.getLogger("eevidence").debug("unwrapped error", exc_info=True)
        return EXIT_INVALID
    except Exception as exc:  # a defect: one line for the user, the traceback in the log
        logging.getLogger("eevidence").debug("internal error", exc_info=True)
        print(
            f"eevidence: internal error ({type(exc).__name__}): {printable(str(exc))[:300]}; "
            "please report it (run with -vv for the details)",
            file=sys.stderr,
        )
        return EXIT_INVALID
    return code
