"""Every command of the command line, found in the argparse tree, given hostile inputs: a
missing file, an empty one, a directory, a huge (sparse) file, deep nesting, binary bytes, a
UTF-8 BOM before a document of the wrong shape, a document of the wrong type, and an existing
file where a folder or a new file is expected. Each run ends with one clear line on stderr
(details indented below it), a non-zero exit code, no traceback and nothing half-written.
Ctrl-C ends any command with one line and exit code 130."""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eevidence._cli import EXIT_INTERRUPTED, build_parser, main
from tests.helpers import EXAMPLES

HUGE = 2 * 1024 * 1024 * 1024  # sparse: no disk space is used

# metavars of arguments that name a file or folder the command reads
_INPUT_METAVARS = ("FILE", "PATH", "PACKAGE", "KEY", "PUB", "PEM", "MSG", "REQUEST", "PROFILE")
_INPUT_EXCLUDED = ("KIND:FILENAME",)
# arguments that name something the command writes, a file or a folder
_OUTPUTS = frozenset({"--output", "--out", "--output-dir", "--ics", "--keep-in", "--state"})
# slots whose content is opaque to the command (any bytes are valid evidence or attachments):
# only a missing file and a directory must be refused there
_OPAQUE = frozenset(
    {
        ("evidence ingest", "files"),
        ("custody record", "--file"),
        ("custody transfer", "--file"),
        ("package build", "--attach"),
        ("package build", "--document"),
        ("export etsi", "--document"),
    }
)
# commands that run servers or wait for input: given a hostile file they must still fail at
# once, which the run checks (a hang would time the test out)
# inputs that are valid in a slot: a store path names a new store (an empty file is an empty
# SQLite database), and an empty credentials file holds no credentials
_VALID = frozenset({("--store", "missing"), ("--store", "empty"), ("--credentials", "empty")})
# commands that report on each file they read, on stdout, one line per file
_REPORTERS = frozenset({("validate", "files"), ("check", "files")})
# flags without which a slot is not read
_NEEDS = {("check", "--store"): ["--record"]}
_HOSTILE = (
    "missing",
    "empty",
    "directory",
    "huge",
    "deep",
    "binary",
    "bom",
    "wrong_type",
    "fifo",
)
FIFO_SECONDS = 5
"""A command given a FIFO with no writer must refuse it at once; one still blocked after this
long fails the test (an alarm interrupts the wait) instead of hanging the suite."""
# slots whose reader still opens the file blocking (a FIFO with no writer is waited on): each
# is to read through eevidence._internal.fs.read_regular (not run here: it would block)
_FIFO_BLOCKS: frozenset[tuple[str, str]] = frozenset()


def _leaves(
    parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield prefix, parser
        return
    for action in subs:
        for name, sub in action.choices.items():
            yield from _leaves(sub, (*prefix, name))


def _is_input(action: argparse.Action) -> bool:
    meta = str(action.metavar or "")
    if meta in _INPUT_EXCLUDED or (action.option_strings and action.option_strings[-1] in _OUTPUTS):
        return False
    return any(word in meta for word in _INPUT_METAVARS)


def _slot_name(action: argparse.Action) -> str:
    return action.option_strings[-1] if action.option_strings else action.dest


def _commands() -> list[tuple[str, str]]:
    cases = []
    for path, parser in _leaves(build_parser()):
        for action in parser._actions:
            if _is_input(action):
                cases.append((" ".join(path), _slot_name(action)))
    return cases


COMMAND_SLOTS = _commands()


def _positional_value(action: argparse.Action, hostile: Path) -> str:
    """A request file where one is read (so that the slot under test is reached), else the
    hostile file for other inputs, the first choice, or a plain word."""
    if action.choices is not None:
        return str(next(iter(action.choices)))
    if str(action.metavar) in ("FILE", "REQUEST", "FILE|PACKAGE"):
        return str(EXAMPLES / "preservation.json")
    if _is_input(action):
        return str(hostile)
    return "x"


def _argv(command: str, slot: str, hostile: Path) -> list[str]:
    """The command with ``hostile`` in ``slot``, every other input slot given the same file
    and every other required positional a plain word (or its first choice)."""
    parser = {" ".join(p): q for p, q in _leaves(build_parser())}[command]
    argv = [*command.split(), *_NEEDS.get((command, slot), [])]
    for action in parser._actions:
        if action.option_strings:
            if _slot_name(action) == slot:
                argv += [slot, str(hostile)]
            continue
        if isinstance(action, argparse._SubParsersAction) or action.nargs == "?":
            if action.dest == slot:
                argv.append(str(hostile))
            continue
        argv.append(str(hostile) if action.dest == slot else _positional_value(action, hostile))
    return argv


def _make(kind: str, where: Path) -> Path:
    path = where / f"{kind}.json"
    if kind == "missing":
        return path
    if kind == "fifo":
        os.mkfifo(path, 0o600)
        return path
    if kind == "directory":
        path.mkdir()
        (path / "inside.json").write_text("{}", encoding="utf-8")
        return path
    data = {
        "empty": b"",
        "deep": b"[" * 200_000 + b"]" * 200_000,
        "binary": bytes(range(256)) * 64,
        "bom": b'\xef\xbb\xbf{"kind": "not a known kind"}',
        "wrong_type": b'["a", "list", 1, 2]',
    }.get(kind)
    if kind == "huge":
        with path.open("wb") as fh:
            fh.truncate(HUGE)
    else:
        assert data is not None
        path.write_bytes(data)
    path.chmod(0o600)  # as a private key would be: the content, not the mode, is hostile
    return path


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if p.is_file()
    }


def _assert_one_clear_line(err: str) -> None:
    assert "Traceback" not in err, err
    assert "internal error" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    if lines and lines[0].startswith("usage:"):  # argparse: the usage, then one error line
        assert lines[-1].startswith("eevidence"), err
        assert ": error: " in lines[-1], err
        assert sum(": error: " in line for line in lines) == 1, err
        return
    first = [line for line in lines if line.startswith("eevidence:")]
    assert len(first) == 1, err
    assert len(first[0]) > len("eevidence: ") + 5, err
    for line in lines:
        # the one line, its indented details, argparse's usage, or a log line
        assert line.startswith(("eevidence:", " ", "usage:", "WARNING ", "INFO ")), err


class _Blocked(BaseException):
    """The command was still blocked when the alarm rang."""


def _alarm(_signum: int, _frame: object) -> None:
    raise _Blocked


def _run_bounded(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    """:func:`_run_both` under an alarm of :data:`FIFO_SECONDS` seconds."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(FIFO_SECONDS)
    try:
        return _run_both(capsys, argv)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _run_both(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse: a usage error, already printed as one line
        code = int(exc.code or 0)
    except _Blocked:
        pytest.fail(f"{argv}: still blocked after {FIFO_SECONDS} s")
    except BaseException as exc:
        pytest.fail(f"{argv}: {type(exc).__name__} escaped main: {exc}")
    out, err = capsys.readouterr()
    return code, out, err


def _run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str]:
    code, _, err = _run_both(capsys, argv)
    return code, err


@pytest.fixture(autouse=True)
def _quiet_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    for name in list(os.environ):
        if name.startswith("EEVIDENCE_") and name != "EEVIDENCE_HOME":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_every_command_with_an_input_is_covered() -> None:
    covered = {command for command, _ in COMMAND_SLOTS}
    every = {" ".join(p) for p, _ in _leaves(build_parser())}
    # commands without any file input read only the store, options or the network
    assert covered >= every - {
        "keys generate",
        "directory show",  # reads only a directory folder (tests/test_directory.py)
        "providers list",
        "providers show",
        "route",
        "deadlines",
        "report",
        "status",
        "track event",
        "custody log",
        "custody checkpoint",
        "custody export",
        "custody trust list",
        "evidence verify",
        "schema",
        "new",
        "demo",
        "witness serve",
    } - {"poll", "custody verify"}
    assert len(COMMAND_SLOTS) > 30


@pytest.mark.parametrize("kind", _HOSTILE)
@pytest.mark.parametrize(
    ("command", "slot"), COMMAND_SLOTS, ids=[" ".join(c) for c in COMMAND_SLOTS]
)
def test_hostile_input(
    command: str, slot: str, kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if (command, slot) in _OPAQUE and kind not in ("missing", "directory"):
        pytest.skip("any bytes are valid here")
    if (slot, kind) in _VALID:
        pytest.skip("a valid input in this slot")
    if kind == "fifo" and (command, slot) in _FIFO_BLOCKS:
        pytest.xfail("this reader still waits on a FIFO")
    work = tmp_path / "work"
    work.mkdir()
    hostile = _make(kind, work)
    before = _snapshot(work)
    run = _run_bounded if kind == "fifo" else _run_both
    code, out, err = run(capsys, _argv(command, slot, hostile))
    assert code != 0, out + err
    if (command, slot) in _REPORTERS and not err:
        # one report line for the file, on stdout, that says why
        (line,) = [line for line in out.splitlines() if line.startswith("INVALID")]
        assert str(hostile.name) in line
        assert "Traceback" not in out
    else:
        _assert_one_clear_line(err)
    assert _snapshot(work) == before  # nothing written beside the input, the input unchanged


def _existing_output_cases() -> list[tuple[str, list[str]]]:
    return [
        ("schema", ["schema", "--output-dir", "{out}"]),
        ("demo", ["demo", "--out", "{out}"]),
        ("deadlines", ["deadlines", "--ics", "{dir}"]),
        ("custody checkpoint", ["custody", "checkpoint", "--output", "{dir}"]),
        ("custody export", ["custody", "export", "--output", "{dir}"]),
    ]


@pytest.mark.parametrize(
    ("name", "argv"), _existing_output_cases(), ids=[c[0] for c in _existing_output_cases()]
)
def test_an_output_that_cannot_be_written_is_one_clear_line(
    name: str, argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    out = work / "existing.txt"
    out.write_bytes(b"keep me")
    folder = work / "a folder"
    folder.mkdir()
    before = _snapshot(work)
    filled = [a.format(out=out, dir=folder) for a in argv]
    code, err = _run(capsys, filled)
    assert code != 0, err
    _assert_one_clear_line(err)
    assert _snapshot(work) == before
    assert out.read_bytes() == b"keep me"


def test_demo_out_on_an_existing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "demo.txt"
    target.write_text("mine", encoding="utf-8")
    code, err = _run(capsys, ["demo", "--out", str(target)])
    assert code == 1
    assert err.strip() == f"eevidence: --out {target}: it exists and is not a folder"
    assert target.read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("where", ["parsing", "running"])
def test_ctrl_c_is_one_line_and_exit_130(
    where: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupt(*_args: object, **_kw: object) -> int:
        raise KeyboardInterrupt

    if where == "parsing":
        monkeypatch.setattr("eevidence._cli.build_parser", interrupt)
    else:
        monkeypatch.setattr("eevidence._cli._providers.load_providers", interrupt)
    code, err = _run(capsys, ["providers", "list"])
    assert code == EXIT_INTERRUPTED == 130
    assert err == "eevidence: interrupted\n"


def test_an_unexpected_defect_is_one_line_with_the_traceback_in_the_log(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*_args: object, **_kw: object) -> object:
        raise ZeroDivisionError("a defect")

    monkeypatch.setattr("eevidence._cli._providers.load_providers", broken)
    with caplog.at_level("DEBUG", logger="eevidence"):
        code, err = _run(capsys, ["-vv", "providers", "list"])
    assert code == 1
    assert err.startswith("eevidence: internal error (ZeroDivisionError): a defect; please report")
    assert "Traceback" not in err
    assert any(r.exc_info for r in caplog.records)


def test_an_unwrapped_file_error_names_the_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def denied(*_args: object, **_kw: object) -> object:
        raise PermissionError(13, "Permission denied", "/some/file.json")

    monkeypatch.setattr("eevidence._cli._providers.load_providers", denied)
    code, err = _run(capsys, ["providers", "list"])
    assert code == 1
    assert err == "eevidence: /some/file.json: Permission denied\n"


# --------------------------------------------------------------------------- Ctrl-C in ingest

PRESERVATION_ID = "3f1c2a6e-1b7d-4c9a-9e0f-5a2b7c8d9e01"


def _custody_actions(store: Path) -> list[str]:
    from eevidence.tracking import SqliteStore

    opened = SqliteStore(store)
    try:
        return [json.loads(line)["action"] for line in opened.custody_lines()]
    finally:
        opened.close()


@pytest.mark.parametrize("moment", ["copying", "recording", "signal_while_recording"])
def test_ctrl_c_in_evidence_ingest_leaves_nothing_or_a_recorded_file(
    moment: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from eevidence._cli import _evidence

    store = tmp_path / "s.sqlite3"
    s = ["--store", str(store), "--now", "2026-11-24T12:00:00Z"]
    assert _run(capsys, ["track", "add", str(EXAMPLES / "preservation.json"), *s])[0] == 0
    first, second = tmp_path / "one.bin", tmp_path / "two.bin"
    first.write_bytes(b"1" * 300_000)
    second.write_bytes(b"2" * 300_000)
    kept = tmp_path / "evidence"
    real_record = _evidence.record_for
    calls: list[str] = []

    def record_for(*args: Any, **kw: Any) -> Any:
        calls.append(kw.get("location", ""))
        if len(calls) == 2 and moment == "recording":
            raise KeyboardInterrupt
        if len(calls) == 2 and moment == "signal_while_recording":
            os.kill(os.getpid(), signal.SIGINT)  # held until the entry is written
        return real_record(*args, **kw)

    monkeypatch.setattr(_evidence, "record_for", record_for)
    if moment == "copying":

        def progress(total: int, quiet: bool) -> Any:
            seen = [0]

            class Bar:
                def __call__(self, n: int) -> None:
                    seen[0] += n
                    if seen[0] > 400_000:  # inside the second file
                        raise KeyboardInterrupt

                def finish(self) -> None:
                    return

            return Bar()

        monkeypatch.setattr(_evidence, "progress", progress)
    argv = ["evidence", "ingest", str(first), str(second), "--request", PRESERVATION_ID]
    code, err = _run(capsys, [*argv, "--keep-in", str(kept), "--quiet", *s])
    assert code == 130, err
    assert err.strip().splitlines()[-1] == "eevidence: interrupted"
    files = sorted(p.name.split("-", 1)[1] for p in (kept / PRESERVATION_ID).iterdir())
    received = _custody_actions(store).count("evidence_received")
    if moment == "signal_while_recording":
        assert files == ["one.bin", "two.bin"]  # complete and recorded
        assert received == 2
    else:
        assert files == ["one.bin"]  # the second left nothing, not even a temporary file
        assert received == 1
