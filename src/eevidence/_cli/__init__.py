"""The ``eevidence`` command line: a thin layer over the library.

Exit codes: 0 success; 1 invalid input, failed check or verification; 2 usage error;
130 interrupted (Ctrl-C). Each command group lives in its own module exposing
``register(subparsers)``; the chosen command's handler returns the exit code. Library errors
are caught once, here, and printed as one line (with indented details where an input has
several problems); no traceback reaches the user: a file system error the library did not
wrap names the file, and anything else is reported as an internal error in one line, the
traceback going to the log (``-vv``).

Only the module of the command being run is imported (:data:`COMMANDS`), so a command pays
for what it uses: ``package verify`` does not load the PDF, HTTP or database stacks; and
``eevidence --help``, ``--version`` or no command at all load no command module (the list
of commands comes from :data:`SUMMARIES`).

A usage error (an unknown option, a missing argument, a value the command cannot use) is
printed as one line, ``eevidence: error: MESSAGE``, and an indented pointer to the
command's help (``see 'eevidence COMMAND --help'``), on standard error, with exit code 2.
When ``--json`` is among the arguments, it is printed instead as one JSON object on
standard output, where the command would have printed its JSON answer: ``{"ok": false,
"error": {"type": "usage", "command": ..., "message": ..., "help": "eevidence COMMAND
--help"}}``, still with exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from eevidence._cli._common import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    ArgumentsError,
    CliUsageError,
    Parser,
    diagnostics,
    print_json,
)
from eevidence._internal.text import printable
from eevidence._version import __version__
from eevidence.errors import EEvidenceError

__all__ = [
    "COMMANDS",
    "EXIT_INTERRUPTED",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_USAGE",
    "SUMMARIES",
    "build_parser",
    "main",
]

EXIT_INTERRUPTED = 130
"""Exit code after Ctrl-C: 128 + SIGINT (2), as shells report a command that SIGINT ended."""

_GROUPS = (
    "_requests",
    "_providers",
    "_render",
    "_letter",
    "_package",
    "_tracking",
    "_custody",
    "_etsi",
    "_submit",
    "_demo",
    "_witness",
    "_intake",
    "_cases",
)
COMMANDS: dict[str, str] = {
    "new": "_requests",
    "validate": "_requests",
    "schema": "_requests",
    "providers": "_providers",
    "check": "_providers",
    "route": "_providers",
    "render": "_render",
    "letter": "_letter",
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
    "directory": "_intake",
    "intake": "_intake",
    "authorities": "_cases",
    "case": "_cases",
    "follow-up": "_cases",
}
"""Which module registers each command (a test checks this against the full parser)."""

SUMMARIES: dict[str, str] = {
    "new": "build a request from options",
    "validate": "validate request files (JSON or YAML)",
    "schema": "print or write the JSON Schemas",
    "providers": "list or show provider requirement profiles",
    "check": "check requests against the addressee's profile",
    "route": "which routes can obtain the data",
    "render": "render a request as a letter: PDF, HTML or plain text, in en, fr, es or ar",
    "letter": "verify PAdES-signed PDF letters; issue a throwaway test certificate",
    "keys": "generate signing keys and export public keys",
    "package": "build, sign, inspect and verify signed request packages",
    "track": "track a request and record what happens to it",
    "status": "tracked requests and their state",
    "deadlines": "what is due soon, most urgent first",
    "report": "outcome report per provider and request kind",
    "custody": "the chain of custody: log, verify, checkpoint, export",
    "evidence": "take in evidence files and re-check them later",
    "export": "export a request in an interchange format (etsi: TS 103 120 XML)",
    "import": "import a request from an interchange format (etsi: TS 103 120 XML)",
    "submit": "send a signed package to its provider (API, email or portal bundle)",
    "poll": "ask providers' APIs for the status of submitted requests",
    "demo": "run the example workflow on the shipped example requests",
    "witness": "witness other parties' custody logs (C2SP tlog-witness)",
    "directory": "a signed directory of authorities and their signing keys",
    "intake": "decide whether a received request package is genuine",
    "authorities": "list or show central authorities and 24/7 points of contact",
    "case": "one view of every tracked request of a case",
    "follow-up": "draft the MLA request that follows a tracked preservation",
}
"""Each command's one-line help, in :data:`COMMANDS` order: what ``eevidence --help`` lists
without importing any command module (a test checks it against the full parser)."""

ENVIRONMENT = """\
environment:
  EEVIDENCE_ACTOR        who acts, in custody entries and lifecycle events (default: the
                         request's officer where there is one, else the login)
  EEVIDENCE_ROLE         the actor's role (default: user)
  EEVIDENCE_STORE        tracking store: SQLite file or postgresql:// URL
  EEVIDENCE_HOME         folder of the default store and trust configuration
  EEVIDENCE_CONFIG       folder of the custody trust configuration (its trust/ folder)
  EEVIDENCE_PROVIDERS    folder of extra or replacement provider profiles
  EEVIDENCE_AUTHORITIES  folder of extra or replacement authority entries (central
                         authorities, 24/7 points of contact)
  EEVIDENCE_KEY          signing key for custody entries
  EEVIDENCE_PASSPHRASE   passphrase of the signing key
  EEVIDENCE_TRUST        trust store of package signers' public keys
  EEVIDENCE_CREDENTIALS  TOML file of API tokens and mail settings for submission
  EEVIDENCE_API_TOKEN_<PROVIDER>, EEVIDENCE_API_TOKEN (any provider), EEVIDENCE_SMTP_*:
                         credentials that win over that file

Run 'eevidence COMMAND --help' for a command's options."""
"""The environment variables the commands read: the epilog of ``eevidence --help``."""


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


def _top_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="eevidence",
        description="Cross-border electronic-evidence requests: build, check, render, sign, "
        "submit, track, and keep the chain of custody.",
        epilog=ENVIRONMENT,
    )
    parser.add_argument("--version", action="version", version=f"eevidence {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)"
    )
    parser.add_argument(
        "--store", dest="global_store", metavar="PATH|URL", help="tracking store (see: status -h)"
    )
    return parser


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``command``, only that command's group is loaded and registered.

    Every parser it holds is a :class:`~eevidence._cli._common.Parser` (usage errors raise
    :class:`~eevidence._cli._common.ArgumentsError` instead of exiting), and each command's
    parser records its ``prog`` (``eevidence package build``) as ``cli_prog``.
    """
    parser = _top_parser()
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    groups = [COMMANDS[command]] if command in COMMANDS else list(_GROUPS)
    for group in groups:
        _group(group).register(sub)
    _record_progs(parser)
    return parser


def _record_progs(parser: argparse.ArgumentParser) -> None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                sub.set_defaults(cli_prog=sub.prog)
                _record_progs(sub)


def light_parser() -> argparse.ArgumentParser:
    """The parser of ``eevidence`` without a command (``--help``, ``--version``): the
    commands listed from :data:`SUMMARIES`, no command module imported."""
    parser = _top_parser()
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, summary in SUMMARIES.items():
        sub.add_parser(name, help=summary, add_help=False)
    return parser


def _wants_json(arguments: Sequence[str]) -> bool:
    """``--json`` among the arguments (before a ``--`` that ends the options)."""
    for arg in arguments:
        if arg == "--":
            return False
        if arg == "--json":
            return True
    return False


def _usage_error(prog: str, message: str, *, as_json: bool) -> int:
    """Report a usage error in one line and a pointer to ``prog --help`` (or as JSON)."""
    if as_json:
        print_json(
            {
                "ok": False,
                "error": {
                    "type": "usage",
                    "command": prog,
                    "message": message,
                    "help": f"{prog} --help",
                },
            }
        )
    else:
        print(f"eevidence: error: {printable(message)}", file=sys.stderr)
        print(f"  see '{printable(prog)} --help'", file=sys.stderr)
    return EXIT_USAGE


class _PrintableFormatter(logging.Formatter):
    """Log lines whose message has its control and bidi characters escaped: a message may
    quote a package, a request or a provider's answer."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return printable(super().formatMessage(record))


def _log_handler() -> logging.Handler:
    handler = logging.StreamHandler()
    handler.setFormatter(_PrintableFormatter("eevidence: %(levelname)s: %(message)s"))
    return handler


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command ``argv`` names (default: ``sys.argv[1:]``) and answer its exit code;
    Ctrl-C at any point, parsing included, ends with one line and :data:`EXIT_INTERRUPTED`."""
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:
        print("eevidence: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


DEFAULT_ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "intake": ("check", ("check", "reply")),
}
"""Commands whose action may be left out: ``eevidence intake PACKAGE`` is ``intake check``."""


def _with_default_action(arguments: list[str], command: str | None) -> list[str]:
    """``arguments`` with the default action of ``command`` put in when none is named."""
    if command not in DEFAULT_ACTIONS:
        return arguments
    default, actions = DEFAULT_ACTIONS[command]
    at = arguments.index(command) + 1
    following = arguments[at] if at < len(arguments) else None
    if following in (*actions, "-h", "--help"):
        return arguments
    return [*arguments[:at], default, *arguments[at:]]


def _argument_name(arguments: list[str], n: int) -> str:
    """How to name the ``n``-th argument (from 1) in a message: its option when it is one
    (``--ref=...``) or follows one (``--ref VALUE``), else its position."""
    argument = arguments[n - 1]
    if argument.startswith("--") and "=" in argument:
        return f"the value of {argument.split('=', 1)[0]}"
    if n > 1 and arguments[n - 2].startswith("-") and arguments[n - 2] != "-":
        return f"the value of {arguments[n - 2]}"
    return f"argument {n}"


def _main(arguments: list[str]) -> int:
    command = _command_of(arguments)
    arguments = _with_default_action(arguments, command)
    as_json = _wants_json(arguments)
    for n, argument in enumerate(arguments, 1):
        try:
            argument.encode("utf-8")
        except UnicodeEncodeError:  # bytes the locale could not decode (surrogate escapes)
            return _usage_error(
                f"eevidence {command}" if command in COMMANDS else "eevidence",
                f"{_argument_name(arguments, n)} is not UTF-8 text: eevidence reads its "
                "arguments as UTF-8 (rename the file or re-encode the text)",
                as_json=as_json,
            )
    for name, value in sorted(os.environ.items()):
        if not name.startswith("EEVIDENCE_"):
            continue
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return _usage_error(
                f"eevidence {command}" if command in COMMANDS else "eevidence",
                f"${name} is not UTF-8 text: eevidence reads its settings as UTF-8",
                as_json=as_json,
            )
    parser = build_parser(command) if command in COMMANDS else light_parser()
    try:
        args = parser.parse_args(arguments)
    except ArgumentsError as exc:
        prog = exc.prog
        if prog == parser.prog and command in COMMANDS:  # an option the command lacks
            prog = f"{parser.prog} {command}"
        return _usage_error(prog, exc.message, as_json=as_json)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    # -v / -vv concern eevidence's own messages; other libraries stay at warnings
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, handlers=[_log_handler()])
    if args.verbose:
        logging.getLogger("eevidence").setLevel(level)
    # pyHanko logs a failed certificate path with its traceback; the verdict already says
    # why a letter's signer is not trusted, so its log is shown only at -vv
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.DEBUG if args.verbose >= 2 else logging.CRITICAL)
    try:
        code: int = args.handler(args)
    except CliUsageError as exc:
        prog = getattr(args, "cli_prog", None) or parser.prog
        return _usage_error(prog, str(exc), as_json=as_json)
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
