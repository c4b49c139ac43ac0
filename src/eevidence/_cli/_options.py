"""Options shared by the command groups: store, now, times, JSON output, output files
(``--force``), provider profiles, passphrase, progress, actor.

Each is one function that adds the option to a parser and one that reads it back, so every
command spells and reads it the same way. Imports only public faces and building blocks of
:mod:`eevidence._internal` (the one date-time grammar).
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import re
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from eevidence._cli._common import CliUsageError
from eevidence._internal.datetimes import date_time_problem, parse_date_time
from eevidence.errors import InputError, Problem
from eevidence.request import parse_identifier_spec, parse_window_spec

if TYPE_CHECKING:
    from eevidence.request import RequestingAuthority
    from eevidence.tracking import Store

__all__ = [
    "ACTOR_ENV",
    "KEY_ENV",
    "PASSPHRASE_ENV",
    "PROGRESS_MIN_BYTES",
    "ROLE_ENV",
    "STORE_ENV",
    "ProgressBar",
    "actor_of",
    "actor_options",
    "folder_of",
    "force_option",
    "identifier_of",
    "new_output",
    "now_of",
    "parse_time",
    "passphrase_of",
    "passphrase_options",
    "progress",
    "providers_option",
    "store_of",
    "store_options",
    "time_text_of",
    "user",
    "window_of",
]

STORE_ENV = "EEVIDENCE_STORE"
PASSPHRASE_ENV = "EEVIDENCE_PASSPHRASE"  # noqa: S105 - a variable name, not a secret
KEY_ENV = "EEVIDENCE_KEY"
ACTOR_ENV = "EEVIDENCE_ACTOR"
ROLE_ENV = "EEVIDENCE_ROLE"
PROGRESS_MIN_BYTES = 64 << 20

_log = logging.getLogger(__name__)


# -- store, now, json ----------------------------------------------------------------------


def store_options(p: argparse.ArgumentParser, *, json_option: bool = True) -> None:
    """Add ``--store``, ``--now`` and (unless ``json_option`` is false) ``--json``."""
    p.add_argument(
        "--store",
        metavar="PATH|URL",
        help="SQLite file or postgresql:// URL (default: $EEVIDENCE_STORE, else "
        "$EEVIDENCE_HOME/tracking.sqlite3, else the per-user data directory)",
    )
    p.add_argument("--now", metavar="DATETIME", help="act as of this time (default: now)")
    if json_option:
        p.add_argument("--json", action="store_true", help="machine-readable output")


def parse_time(text: str, option: str) -> datetime:
    """A moment given to ``option`` (``--now``, ``--at``, ``--expires``...), in UTC.

    The text is an RFC 3339 date-time with an explicit offset, read by the one grammar the
    request models and the published schemas use (:mod:`eevidence._internal.datetimes`),
    or an RFC 3339 full date (``2026-12-31``), read as 00:00 UTC. Compact forms
    (``20261101``), Unix times and a space for ``T`` are refused.

    Raises:
        CliUsageError: not such a date or date-time (the message names ``option`` and says
            what was expected), or a date-time that falls outside the years 1 to 9999 once
            converted to UTC.
    """
    try:
        value = parse_date_time(text, source=option, full_date=True)
    except InputError as exc:
        raise CliUsageError(f"{option} {text!r}: {exc}") from None
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise CliUsageError(
            f"{option} {text!r}: out of range once converted to UTC (years 1 to 9999)"
        ) from None


def _time_problem(text: str, option: str, what: str = "", *, given: str | None = None) -> None:
    problem = date_time_problem(text)
    if problem is not None:
        raise InputError(
            f"cannot read {option} {given or text!r}",
            source="command line",
            problems=[Problem(option, f"{what}{problem}")],
        )


def time_text_of(text: str, option: str) -> str:
    """The date-time ``text`` given to ``option`` for a request field (``--created-at``).

    Checked by the grammar the request models use and returned unchanged (its offset is
    kept, as the request will keep it).

    Raises:
        InputError: not an RFC 3339 date-time with an explicit offset; the problem's path
            is ``option``.
    """
    _time_problem(text, option)
    return text


def window_of(text: str, option: str = "--period") -> dict[str, str]:
    """The time window ``START/END`` given to ``option``, as a request's JSON value.

    Raises:
        InputError: no ``START/END`` form, or a half that is not an RFC 3339 date-time with
            an explicit offset; the problem's path is ``option``.
    """
    window = parse_window_spec(text, option=option)
    for half in ("start", "end"):
        _time_problem(window[half], option, f"{half}: ", given=text)
    return window


# what is left after '@' when someone meant a time window or moment in another spelling
_TIME_LIKE = re.compile(r"[0-9][0-9T:.,+ Zz-]*(?:/[0-9][0-9T:.,+ Zz-]*)?")


def identifier_of(text: str, option: str = "--identifier") -> dict[str, Any]:
    """The identifier ``TYPE[/SERVICE]:VALUE[@START/END]`` given to ``option``, as JSON.

    Its time (window or, for an IP address, moment of use) is checked by the grammar the
    request models use; a value ending in ``@`` and something that looks like a time in
    another spelling (``@20261101/20261130``) is refused rather than read as part of the
    value.

    Raises:
        InputError: the form is not recognised, or a time is not an RFC 3339 date-time with
            an explicit offset; the problem's path is ``option``.
    """
    identifier = parse_identifier_spec(text, option=option)
    if "timestamp" in identifier:
        _time_problem(identifier["timestamp"], option, "time of use: ", given=text)
    if "window" in identifier:
        for half in ("start", "end"):
            _time_problem(identifier["window"][half], option, f"window {half}: ", given=text)
    else:
        _, at, tail = str(identifier.get("value", "")).rpartition("@")
        if at and _TIME_LIKE.fullmatch(tail) and any(c in tail for c in "/T:"):
            start, slash, end = tail.partition("/")
            what = "window start: " if slash else "time: "
            _time_problem(start, option, what, given=text)
            if slash:
                _time_problem(end, option, "window end: ", given=text)
    return identifier


def now_of(args: argparse.Namespace) -> datetime:
    """``--now`` if given, else the current time (UTC)."""
    text = getattr(args, "now", None)
    return parse_time(text, "--now") if text else datetime.now(UTC)


def store_of(args: argparse.Namespace, *, create: bool = True) -> Store:
    """The store named by ``--store`` (or the default); ``create=False`` for read-only use."""
    # imported here: commands that never open a store (package verify...) stay light
    from eevidence.tracking import open_store  # noqa: PLC0415

    spec = (
        getattr(args, "store", None)
        or getattr(args, "global_store", None)
        or os.environ.get(STORE_ENV)
        or None
    )
    return open_store(spec, create=create)


# -- output files and folders -------------------------------------------------------------


def force_option(
    p: argparse.ArgumentParser | argparse._ArgumentGroup, what: str = "an existing output file"
) -> None:
    """Add ``--force``: replace ``what`` instead of refusing to."""
    p.add_argument("--force", action="store_true", help=f"replace {what}")


def new_output(path: str | os.PathLike[str], option: str, *, force: bool) -> Path:
    """The output file ``path`` given to ``option``, checked before any work is done: an
    existing file (or anything else at that path) is refused unless ``force``.

    The file is then written whole or not at all (a temporary file renamed over it, see
    :func:`eevidence._internal.fs.write_atomic`), so a refused or failed command leaves the
    existing file as it was.

    Raises:
        CliUsageError: something exists at ``path`` and ``force`` is false; or ``path``
            is an existing folder (never replaced).
    """
    target = Path(path)
    if target.is_dir():
        raise CliUsageError(f"{option} {path}: is a folder; name a file")
    if not force and os.path.lexists(target):
        raise CliUsageError(f"{option} {path}: the file exists; give --force to replace it")
    return target


# -- provider profiles ---------------------------------------------------------------------


def providers_option(p: argparse.ArgumentParser) -> None:
    """Add ``--providers-dir DIR``: profiles that add to the shipped ones and replace those
    with the same id (default: ``$EEVIDENCE_PROVIDERS``)."""
    p.add_argument(
        "--providers-dir",
        metavar="DIR",
        help="extra provider profiles, replacing shipped ones with the same id "
        "(default: $EEVIDENCE_PROVIDERS)",
    )


# -- output folders ------------------------------------------------------------------------


def folder_of(text: str, option: str) -> Path:
    """The folder ``text`` given to ``option`` (``--out DIR``), created with its parents.

    Raises:
        InputError: it exists but is not a folder, or it cannot be created (a parent that
            is a file, no permission); the source names the option and the path.
    """
    path = Path(text)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        if path.exists() and not path.is_dir():
            reason = "it exists and is not a folder"
        else:
            reason = f"cannot create the folder: {exc.strerror or exc}"
        raise InputError(reason, source=f"{option} {text}") from None
    return path


# -- passphrase ----------------------------------------------------------------------------


def passphrase_options(p: argparse.ArgumentParser) -> None:
    """Add ``--passphrase-env VAR`` and ``--passphrase-prompt`` (mutually exclusive)."""
    g = p.add_mutually_exclusive_group()
    g.add_argument(
        "--passphrase-env",
        metavar="VAR",
        help=f"read the key passphrase from this environment variable (default: "
        f"${PASSPHRASE_ENV} when set)",
    )
    g.add_argument(
        "--passphrase-prompt", action="store_true", help="ask for the passphrase (not echoed)"
    )


def _typed(prompt: str) -> str:
    """A passphrase typed at the terminal; the end of input (Ctrl-D) is one clear error."""
    try:
        return getpass.getpass(prompt)
    except EOFError:
        raise CliUsageError(
            "no passphrase was typed (the input ended); type one at the prompt"
        ) from None


def passphrase_of(args: argparse.Namespace, *, confirm: bool = False) -> bytes | None:
    """The key passphrase the options name, or ``None`` for a key without one.

    ``confirm`` is set when a key is being written: an empty passphrase the user asked for
    (prompted, a variable named with ``--passphrase-env``, or ``$EEVIDENCE_PASSPHRASE`` set
    but empty) is then refused, since it would leave the key unencrypted.

    Raises:
        CliUsageError: the named variable is not set, the input ends at the prompt, the two
            prompted entries differ, or an asked-for passphrase is empty where a key is
            being encrypted.
    """
    if args.passphrase_prompt:
        first = _typed("Key passphrase: ")
        if confirm and not first:
            raise CliUsageError(
                "an empty passphrase would leave the key unencrypted; type one, or leave out "
                "--passphrase-prompt"
            )
        if confirm and _typed("Repeat passphrase: ") != first:
            raise CliUsageError("the passphrases do not match")
        return first.encode("utf-8") or None
    var = args.passphrase_env or PASSPHRASE_ENV
    value = os.environ.get(var)
    if args.passphrase_env and value is None:
        raise CliUsageError(f"environment variable {var} is not set")
    if confirm and value is not None and not value:
        raise CliUsageError(
            f"environment variable {var} is empty: an empty passphrase would leave the key "
            f"unencrypted (unset {var} to write a key without a passphrase)"
        )
    return value.encode("utf-8") if value else None


# -- progress ------------------------------------------------------------------------------


class ProgressBar:
    """A one-line progress bar on a terminal, fed byte counts; thread-safe."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = max(total, 1)
        self.done = 0
        self.stream = stream
        self._lock = threading.Lock()
        self._shown = -1

    def __call__(self, n: int) -> None:
        with self._lock:
            self.done += n
            pct = min(100, self.done * 100 // self.total)
            if pct != self._shown:
                self._shown = pct
                bar = "#" * (pct // 4)
                self.stream.write(f"\r  [{bar:<25}] {pct:3d}% of {self.total / 1e9:.2f} GB")
                self.stream.flush()

    def finish(self) -> None:
        """End the line the bar was drawn on (if it was drawn)."""
        if self._shown >= 0:
            self.stream.write("\n")


def progress(total: int, quiet: bool) -> ProgressBar | None:
    """A bar on standard error for work of ``total`` bytes, unless quiet, small or not a tty."""
    if quiet or total < PROGRESS_MIN_BYTES or not sys.stderr.isatty():
        return None
    return ProgressBar(total, sys.stderr)


# -- actor ---------------------------------------------------------------------------------


def user() -> str:
    """The operating system's name for the current user."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in this environment
        return "unknown"


_ACTOR_RESOLVED = "_eevidence_actor"
"""Where :func:`actor_of` keeps its answer on the parsed arguments: one act, one actor."""


def actor_options(p: argparse.ArgumentParser, what: str = "who acts") -> None:
    """Add ``--actor NAME`` and ``--role ROLE`` (read back by :func:`actor_of`).

    Args:
        p: the command's parser.
        what: what the actor does, for the help (e.g. ``who records the event``).
    """
    p.add_argument(
        "--actor",
        metavar="NAME",
        help=f"{what} (default: ${ACTOR_ENV}, else the officer of the request or authority "
        "profile when the command has one, else the operating-system login, with a warning)",
    )
    p.add_argument(
        "--role",
        metavar="ROLE",
        help=f"their role (default: ${ROLE_ENV}, else the officer's role when the officer "
        "acts, else 'user')",
    )


def actor_of(
    args: argparse.Namespace, authority: RequestingAuthority | None = None
) -> tuple[str, str]:
    """Who acts, and in which role, for everything one command records.

    The actor is the first of: ``--actor``, ``$EEVIDENCE_ACTOR``, the officer of
    ``authority`` (the requesting authority of the request or authority profile the command
    works on, when it has one), and last the operating system's login, which is then named
    in a warning on standard error (never silently). The role is ``--role``, else
    ``$EEVIDENCE_ROLE``, else the officer's role when the officer is the actor, else
    ``user``.

    The answer is kept on ``args``: later calls for the same command return it unchanged,
    so the lifecycle history and the custody entry of one act name the same person.

    Args:
        args: the parsed arguments (``--actor``/``--role`` when the command has them,
            :func:`actor_options`).
        authority: the requesting authority whose officer acts when neither the options
            nor the environment name someone, or ``None``.

    Returns:
        ``(actor, role)``, both non-empty after stripping.
    """
    known = getattr(args, _ACTOR_RESOLVED, None)
    if known is not None:
        return known  # type: ignore[no-any-return]
    actor = _given(getattr(args, "actor", None)) or _given(os.environ.get(ACTOR_ENV))
    role = _given(getattr(args, "role", None)) or _given(os.environ.get(ROLE_ENV))
    if actor is None and authority is not None:
        actor = authority.officer.name
        role = role or authority.officer.role
    if actor is None:
        actor = user()
        _log.warning(
            "recording the actor as the operating-system login %r: name who acts with "
            "--actor NAME or $%s",
            actor,
            ACTOR_ENV,
        )
    resolved = (actor, role or "user")
    setattr(args, _ACTOR_RESOLVED, resolved)
    return resolved


def _given(value: str | None) -> str | None:
    """``value`` stripped, or ``None`` when it is missing or blank."""
    value = (value or "").strip()
    return value or None
