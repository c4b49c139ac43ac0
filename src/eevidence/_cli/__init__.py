"""The ``eevidence`` command line: a thin layer over the library.

Exit codes: 0 success; 1 invalid input, failed check or verification; 2 usage error.
Each command group lives in its own module exposing ``register(subparsers)``; the chosen
command's handler returns the exit code. Library errors are caught once, here.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from eevidence._cli import (
    _custody,
    _demo,
    _etsi,
    _package,
    _providers,
    _render,
    _requests,
    _submit,
    _tracking,
)
from eevidence._cli._common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, CliUsageError
from eevidence._version import __version__
from eevidence.errors import EEvidenceError

__all__ = ["EXIT_INVALID", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]

_GROUPS = (
    _requests,
    _providers,
    _render,
    _package,
    _tracking,
    _custody,
    _etsi,
    _submit,
    _demo,
)


def build_parser() -> argparse.ArgumentParser:
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
    for group in _GROUPS:
        group.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    # -v / -vv concern eevidence's own messages; other libraries stay at warnings
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.verbose:
        logging.getLogger("eevidence").setLevel(level)
    try:
        code: int = args.handler(args)
    except CliUsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"eevidence: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except EEvidenceError as exc:
        print(f"eevidence: {exc.diagnostics()}", file=sys.stderr)
        return EXIT_INVALID
    except BrokenPipeError:
        # the reader went away (``eevidence ... | head``): stop quietly, as other tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("eevidence: interrupted", file=sys.stderr)
        return 130
    return code
