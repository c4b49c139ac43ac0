"""Both stores, one suite: every test here runs on SQLite and on a real PostgreSQL server.

Includes two real processes recording events on the same request at once (no update may be
lost) and a writer killed with SIGKILL, between commits and inside a transaction (the store
must stay consistent and usable).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from eevidence.errors import (
    ConcurrentUpdateError,
    LifecycleError,
    StoreError,
    UnknownRequestError,
)
from eevidence.tracking import (
    SCHEMA_VERSION,
    Event,
    PostgresStore,
    SqliteStore,
    Terms,
    Tracked,
    apply_event,
    build_report,
    deadlines_of,
    default_store_path,
    open_store,
    outcome_row,
)
from eevidence.tracking._outcomes import aggregate
from tests.helpers import ROOT
from tests.stores import new_database
from tests.test_lifecycle import T0, US

AnyStore = SqliteStore | PostgresStore
NOW = T0 + timedelta(days=100)


def make(
    n: int = 1, kind: str = "preservation", provider: str = "meta", terms: Terms = US
) -> Tracked:
    return Tracked(
        id=f"00000000-0000-4000-8000-{n:012d}",
        kind=kind,  # type: ignore[arg-type]
        provider=provider,
        country="FR",
        created_at=T0 + timedelta(minutes=n),
        terms=terms,
    )


def ev(name: str, hours: float, **kw: object) -> Event:
    return Event(name, T0 + timedelta(hours=hours), "officer", **kw)  # type: ignore[arg-type]


def test_add_get_record_round_trip(store: AnyStore) -> None:
    t = make()
    store.add(t)
    assert store.get(t.id) == t
    store.record(t.id, ev("submitted", 1), now=NOW)
    after = store.record(t.id, ev("preserved", 2, ref="LE-7", note="confirmed by email"), now=NOW)
    assert after.state == "preserved"
    again = store.get(t.id)
    assert again == after
    assert again.provider_ref == "LE-7"
    assert again.expires == T0 + timedelta(hours=2, days=90)
    assert store.verify() == []


def test_unknown_and_duplicate(store: AnyStore) -> None:
    with pytest.raises(UnknownRequestError, match="list them with: eevidence status"):
        store.get("nope")
    with pytest.raises(UnknownRequestError):
        store.record("nope", ev("submitted", 1), now=NOW)
    store.add(make())
    with pytest.raises(LifecycleError, match="already tracked"):
        store.add(make())


def test_illegal_transition_leaves_store_unchanged(store: AnyStore) -> None:
    t = make()
    store.add(t)
    store.record(t.id, ev("submitted", 1), now=NOW)
    with pytest.raises(LifecycleError, match="cannot become extended"):
        store.record(t.id, ev("extended", 2), now=NOW)
    assert store.get(t.id).version == 1
    assert store.verify() == []


def test_follow_up_links(store: AnyStore) -> None:
    preservation = make(1)
    disclosure = make(2, kind="voluntary_disclosure", terms=Terms())
    store.add(preservation)
    store.add(disclosure)
    with pytest.raises(UnknownRequestError, match="track the preservation first"):
        store.add(Tracked.from_dict({**make(3).to_dict(), "follows": "missing"}))
    with pytest.raises(LifecycleError, match="continues a preservation"):
        store.add(Tracked.from_dict({**make(4).to_dict(), "follows": disclosure.id}))
    follow = Tracked.from_dict(
        {**make(5, kind="voluntary_disclosure").to_dict(), "follows": preservation.id}
    )
    store.add(follow)
    assert store.get(follow.id).follows == preservation.id
    assert [t.id for t in store.list_requests()] == [preservation.id, disclosure.id, follow.id]


def test_listing_deadlines_and_report(store: AnyStore) -> None:
    open_one, lapsed, rejected = make(1), make(2), make(3, kind="voluntary_disclosure")
    other = make(4, provider="google", kind="voluntary_disclosure", terms=Terms())
    store.add_many([open_one, lapsed, rejected, other])
    store.record(open_one.id, ev("submitted", 1), now=NOW)
    store.record(lapsed.id, ev("submitted", 1), now=NOW)
    store.record(lapsed.id, ev("preserved", 3), now=NOW)
    store.record(rejected.id, ev("submitted", 1), now=NOW)
    store.record(rejected.id, ev("rejected", 25, reason="no valid process"), now=NOW)
    store.record(other.id, ev("submitted", 1), now=NOW)
    store.record(other.id, ev("disclosed", 49, partial=True), now=NOW)

    assert [t.id for t in store.list_requests(open_only=True)] == [open_one.id, lapsed.id, other.id]
    assert len(store.list_requests()) == 4
    due = store.deadlines_before(T0 + timedelta(days=10))
    assert [(d.request_id, d.kind) for d in due] == [(open_one.id, "acknowledgement_due")]
    assert due[0].due == T0 + timedelta(hours=1, days=7)
    due = store.deadlines_before(T0 + timedelta(days=91))
    assert [(d.request_id, d.kind) for d in due] == [
        (open_one.id, "acknowledgement_due"),
        (lapsed.id, "act_before_expiry"),
        (lapsed.id, "preservation_expires"),
    ]
    assert due == sorted(
        (d for t in store.list_requests() for d in deadlines_of(t)), key=lambda d: d.due
    )
    store.record(open_one.id, ev("acknowledged", 30), now=NOW)
    assert [d.request_id for d in store.deadlines_before(T0 + timedelta(days=91))] == [
        lapsed.id
    ] * 2

    rows = store.outcome_rows(now=NOW)
    assert sorted(r.outcome for r in rows) == [
        "acknowledged",
        "disclosed_partial",
        "preserved",
        "rejected",
    ]
    by_outcome = {r.outcome: r for r in rows}
    assert by_outcome["rejected"].reject_reason == "no valid process"
    assert by_outcome["rejected"].answer_hours == pytest.approx(24, abs=0.001)
    assert by_outcome["disclosed_partial"].disclosure_hours == pytest.approx(48, abs=0.001)
    assert by_outcome["acknowledged"].answer_hours == pytest.approx(29, abs=0.001)
    assert by_outcome["acknowledged"].disclosure_hours is None
    assert by_outcome["preserved"].lapsed  # expired at T0 + 90 days, still recorded as preserved
    for days, expected in ((90, set()), (91, {"preserved"})):
        later = store.outcome_rows(now=T0 + timedelta(days=days))
        assert {r.outcome for r in later if r.lapsed} == expected
    # SQL computes what the pure function computes
    pure = {r.outcome: r for r in (outcome_row(t, now=NOW) for t in store.list_requests())}
    assert set(pure) == set(by_outcome)
    for outcome, expected_row in pure.items():
        got = by_outcome[outcome]
        assert (got.lapsed, got.reject_reason) == (expected_row.lapsed, expected_row.reject_reason)
        assert got.answer_hours == pytest.approx(expected_row.answer_hours, abs=0.001)
        assert got.disclosure_hours == pytest.approx(expected_row.disclosure_hours, abs=0.001)
    # the grouped query gives what grouping the rows in Python gives
    for kw in ({}, {"provider": "google"}, {"since": T0 + timedelta(minutes=3)}):
        grouped = store.outcome_groups(now=NOW, **kw)
        expected_groups = aggregate(store.outcome_rows(now=NOW, **kw))
        assert build_report(grouped, now=NOW) == build_report(expected_groups, now=NOW)
        assert set(grouped) == set(expected_groups)
    assert set(store.outcome_groups(now=NOW, provider="google")) == {
        ("google", "voluntary_disclosure")
    }
    assert {r.provider for r in store.outcome_rows(now=NOW, provider="google")} == {"google"}
    since = store.outcome_rows(now=NOW, since=T0 + timedelta(minutes=3))
    assert sorted(r.kind for r in since) == ["voluntary_disclosure", "voluntary_disclosure"]
    assert store.verify() == []


def test_verify_finds_a_tampered_row(store: AnyStore) -> None:
    store.add(make())
    store.record(make().id, ev("submitted", 1), now=NOW)
    with store._transaction():
        store._execute(
            store._sql("UPDATE requests SET state = ? WHERE id = ?"), ("draft", make().id)
        )
    assert store.verify() == [f"{make().id}: derived columns do not match the history"]
    with store._transaction():
        store._execute("DELETE FROM deadlines")
    assert store.verify() == [
        f"{make().id}: derived columns do not match the history",
        f"{make().id}: deadlines do not match the history",
    ]


def test_schema_is_versioned(store_spec: str) -> None:
    first = open_store(store_spec)
    assert first.schema_version() == SCHEMA_VERSION
    first.close()
    again = open_store(store_spec)  # opening twice applies nothing twice
    assert again.schema_version() == SCHEMA_VERSION
    with again._transaction():
        again._execute(
            again._sql("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)"),
            (SCHEMA_VERSION + 1, "later"),
        )
    again.close()
    with pytest.raises(StoreError, match=r"written by a newer eevidence .*upgrade eevidence"):
        open_store(store_spec)


def test_concurrent_updates_give_up_cleanly(
    store: AnyStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.add(make())
    monkeypatch.setattr("eevidence.tracking.store._base._RETRIES", 3)
    monkeypatch.setattr(type(store), "_write_event", lambda self, before, after: False)
    with pytest.raises(ConcurrentUpdateError, match="nothing was written"):
        store.record(make().id, ev("submitted", 1), now=NOW)


# -- real processes ------------------------------------------------------------------------------

_WRITER = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timedelta, timezone
    from eevidence.tracking._lifecycle import Event
    from eevidence.tracking.store import open_store

    spec, request_id, tag, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    store = open_store(spec)
    at = datetime(2026, 11, 16, tzinfo=timezone.utc)
    now = at + timedelta(days=1)
    i = 0
    while count < 0 or i < count:
        store.record(request_id, Event("noted", at, tag, note=f"{tag}-{i}"), now=now)
        i += 1
        print(i, flush=True)
    store.close()
    """
)


def _writer(spec: str, request_id: str, tag: str, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _WRITER, spec, request_id, tag, str(count)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_processes_lose_no_update(store_spec: str) -> None:
    store = open_store(store_spec)
    store.add(make())
    n = 60
    procs = [_writer(store_spec, make().id, tag, n) for tag in ("a", "b")]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    final = store.get(make().id)
    assert final.version == 2 * n
    notes = {e.note for e in final.events}
    assert notes == {f"{tag}-{i}" for tag in ("a", "b") for i in range(n)}
    # each writer's own events keep their order
    for tag in ("a", "b"):
        mine = [e.note for e in final.events if e.actor == tag]
        assert mine == [f"{tag}-{i}" for i in range(n)]
    assert store.verify() == []
    store.close()


def test_writer_killed_between_and_during_commits(store_spec: str) -> None:
    store = open_store(store_spec)
    store.add(make())
    for _ in range(3):
        p = _writer(store_spec, make().id, "w", -1)
        assert p.stdout is not None
        written = 0
        while written < 15:
            line = p.stdout.readline()
            if not line:  # the writer died on its own: show why
                pytest.fail(p.communicate(timeout=30)[1])
            written = int(line)
        time.sleep(0.01 * (written % 7))
        p.send_signal(signal.SIGKILL)
        p.communicate(timeout=30)
        assert p.returncode == -signal.SIGKILL
        assert store.verify() == []
    after = store.get(make().id)
    assert after.version >= 45
    assert [e.note for e in after.events] == [f"w-{i}" for run in _runs(after) for i in range(run)]
    store.close()


def _runs(t: Tracked) -> list[int]:
    """Lengths of the three writers' runs (each restarts counting at 0)."""
    runs: list[int] = []
    for e in t.events:
        if e.note == "w-0":
            runs.append(0)
        runs[-1] += 1
    return runs


_HALF_WRITTEN = textwrap.dedent(
    """
    import sys, time, json
    from datetime import datetime, timedelta, timezone
    from eevidence.tracking import Event, apply_event
    from eevidence.tracking.store import open_store

    store = open_store(sys.argv[1])
    before = store.get(sys.argv[2])
    at = datetime(2026, 11, 16, 1, tzinfo=timezone.utc)
    after = apply_event(before, Event("submitted", at, "killed"), now=at)
    with store._transaction():
        store._execute_count(
            store._sql(store._UPDATE), (*store._derived(after), after.id, before.version)
        )
        store._execute(
            store._sql(store._INSERT_EVENT),
            (after.id, after.version, json.dumps(after.events[-1].to_dict())),
        )
        print("written, not committed", flush=True)
        time.sleep(120)
    """
)


def test_writer_killed_inside_a_transaction_changes_nothing(store_spec: str) -> None:
    store = open_store(store_spec)
    store.add(make())
    p = subprocess.Popen(
        [sys.executable, "-c", _HALF_WRITTEN, store_spec, make().id],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert p.stdout is not None
    line = p.stdout.readline()
    if line != "written, not committed\n":
        p.kill()
        pytest.fail(p.communicate()[1])
    os.kill(p.pid, signal.SIGKILL)
    p.communicate(timeout=30)
    assert store.get(make().id).version == 0
    assert store.verify() == []
    # the lock held by the dead writer is gone: the next write goes through
    assert store.record(make().id, ev("submitted", 1), now=NOW).version == 1
    store.close()


# -- opening -------------------------------------------------------------------------------------


def test_unreachable_postgresql_is_a_clear_error() -> None:
    with pytest.raises(
        StoreError, match=r"cannot reach PostgreSQL at .*check that the server"
    ) as info:
        PostgresStore("postgresql://user:secret@127.0.0.1:1/db", connect_timeout=2)
    assert "secret" not in str(info.value)
    assert "127.0.0.1:1/db" in str(info.value)


def test_postgresql_without_psycopg_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as on a user install without the extra
    with pytest.raises(StoreError, match=r"pip install 'eevidence\[postgres\]'") as caught:
        open_store("postgresql://officer:s3cret@127.0.0.1:9/cases")
    assert "s3cret" not in str(caught.value)


def test_bad_url_is_redacted() -> None:
    with pytest.raises(StoreError, match="cannot be parsed") as caught:
        open_store("postgresql://user:secret@host:notaport/db?x")
    assert "secret" not in str(caught.value)


PASSWORD = "Pw-7q9Zk4mXv"
"""A password no message may show, whole or in part (any 6 characters of it)."""

BAD_URLS = [
    f"postgresql://officer:{PASSWORD}@host:notaport/db",
    f"postgresql://officer:{PASSWORD}@127.0.0.1:1/db",
    f"postgresql://officer:{PASSWORD}@/db?host=/nonexistent-socket-dir",
    f"postgresql://officer:{PASSWORD}@host/db?sslmode=bogus",
    f"postgresql://officer:{PASSWORD}@host:5432/db?password={PASSWORD}&x=%zz",
    f"postgresql://host/db?password={PASSWORD}&connect_timeout=abc",
    f"postgresql://officer:{PASSWORD}@[::1/db",
    f"postgresql://officer:{PASSWORD[:4]}%zz{PASSWORD[4:]}@host/db",
    f"postgres:/officer:{PASSWORD}@host/db",
    f"postgresql:officer:{PASSWORD}@host/db",
    f"POSTGRESQL://officer:{PASSWORD}@host/db",
    f"sqlite://officer:{PASSWORD}@host/db",
    f"sqlite:///officer:{PASSWORD}@x/store.sqlite3",
    f"mysql://officer:{PASSWORD}@host/db",
]


def _shows_password(text: str) -> bool:
    return any(PASSWORD[i : i + 6] in text for i in range(len(PASSWORD) - 5))


@pytest.mark.parametrize("url", BAD_URLS)
def test_no_error_path_taking_a_store_url_shows_its_password(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from eevidence._cli import main

    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError) as caught:
        open_store(url).close()
    error: BaseException | None = caught.value
    while error is not None:  # the message and every chained cause
        assert not _shows_password(str(error)), str(error)
        error = error.__cause__ or error.__context__
    for argv in (
        ["--store", url, "status"],
        ["custody", "verify", "--store", url],
        ["custody", "log", "--store", url],
        ["deadlines", "--store", url],
        ["--store", url, "track", "add", str(ROOT / "examples/requests/preservation.json")],
    ):
        assert main(argv) != 0
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        assert not _shows_password(out + err), (argv, out + err)
    assert not list(tmp_path.rglob("*.sqlite3"))  # nothing was created from a URL


def test_a_read_only_sqlite_copy_is_read_only(tmp_path: Path) -> None:
    folder = tmp_path / "copy"
    folder.mkdir()
    path = folder / "tracking.sqlite3"
    SqliteStore(path).close()
    path.chmod(0o444)
    folder.chmod(0o555)
    try:
        store = SqliteStore(path, create=False)
        try:
            assert store.read_only
            assert store.custody_size() == 0
            with pytest.raises(StoreError, match="opened read-only"):
                store.save_checkpoint(0, "x")
        finally:
            store.close()
        with pytest.raises(StoreError, match="read-only copy"):
            SqliteStore(path)
        assert sorted(p.name for p in folder.iterdir()) == ["tracking.sqlite3"]
    finally:
        folder.chmod(0o755)
        path.chmod(0o644)


def test_sqlite_file_is_private_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "store.sqlite3"
    SqliteStore(path).close()
    assert path.stat().st_mode & 0o777 == 0o600
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database" * 100)
    with pytest.raises(StoreError, match="is it an eevidence store"):
        SqliteStore(junk)
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="cannot create the store"):
        SqliteStore(tmp_path / "file" / "store.sqlite3")


def test_default_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EEVIDENCE_HOME", str(tmp_path / "home"))
    assert default_store_path() == tmp_path / "home" / "tracking.sqlite3"
    monkeypatch.delenv("EEVIDENCE_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_store_path() == tmp_path / "xdg" / "eevidence" / "tracking.sqlite3"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_store_path() == tmp_path / ".local" / "share" / "eevidence" / "tracking.sqlite3"
    store = open_store(None)
    assert store.location == str(default_store_path())
    store.close()


def test_busy_sqlite_store_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    holder = SqliteStore(path)
    waiter = SqliteStore(path, timeout=0.1)
    with holder._transaction(), pytest.raises(StoreError, match="busy"):
        waiter.add(make())
    holder.close()
    waiter.close()


def test_postgres_database_per_test(pg_server: str) -> None:
    url = new_database(pg_server)
    store = PostgresStore(url)
    assert store.location.startswith("postgresql://127.0.0.1:")
    assert store.location.endswith(url.rsplit("/", 1)[1])
    assert store._ts_out("2026-01-01T00:00:00+00:00") == datetime(2026, 1, 1, tzinfo=UTC)
    assert store._ts_out(None) is None
    store.close()


def test_a_stale_write_is_detected_and_retried(
    store_spec: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writer A reads, writer B commits, A's write must fail its version check and retry."""
    a, b = open_store(store_spec), open_store(store_spec)
    a.add(make())
    cls = type(a)
    original_get, original_write = cls.get, cls._write_event
    writes: list[bool] = []

    def get_then_interfere(self: AnyStore, request_id: str) -> Tracked:
        tracked = original_get(self, request_id)
        if self is a and not writes:
            b.record(request_id, ev("noted", 1, note="from b"), now=NOW)
        return tracked

    def counted_write(self: AnyStore, before: Tracked, after: Tracked) -> bool:
        ok = original_write(self, before, after)
        writes.append(ok)
        return ok

    monkeypatch.setattr(cls, "get", get_then_interfere)
    monkeypatch.setattr(cls, "_write_event", counted_write)
    result = a.record(make().id, ev("submitted", 2), now=NOW)
    assert writes == [True, False, True]  # b's note, a's stale write, a's retry
    assert [(e.name, e.note) for e in result.events] == [("noted", "from b"), ("submitted", None)]
    assert a.verify() == []
    a.close()
    b.close()


def test_import_with_history(store: AnyStore) -> None:
    t = make()
    for name, hours in (("submitted", 1), ("preserved", 2)):
        t = apply_event(t, ev(name, hours), now=NOW)
    other = Tracked.from_dict({**t.to_dict(), "id": "other"})
    store.add(t)
    store.add_many([other])
    assert store.get(t.id) == t
    assert store.get("other").events == t.events
    assert len(store.deadlines_before(NOW)) == 4
    assert store.verify() == []
    with store._transaction():
        store._execute(
            store._sql("DELETE FROM events WHERE request_id = ? AND seq = 1"), ("other",)
        )
    assert "other: event numbers have gaps" in store.verify()


def test_driver_errors_become_store_errors(store: AnyStore) -> None:
    store.add(make())
    with store._transaction():
        store._execute("DROP TABLE events")
    with pytest.raises(StoreError, match=r"the store .* failed: .*events"):
        store.get(make().id)
    # the failed transaction was rolled back: the connection still works
    assert [r.outcome for r in store.outcome_rows(now=NOW)] == ["draft"]
    with pytest.raises(StoreError, match="failed"):
        store.add_many([make(2), make(2)])  # same id twice in one import
    assert len(store.outcome_rows(now=NOW)) == 1


def test_a_closed_store_raises_store_errors(store_spec: str) -> None:
    """Every call on a closed store is a StoreError, never the driver's own exception."""
    store = open_store(store_spec)
    store.add(make())
    store.close()
    store.close()  # a second close does nothing
    calls: list[Callable[[], object]] = [
        lambda: store.get(make().id),
        store.list_requests,
        lambda: store.record(make().id, ev("submitted", 1), now=NOW),
        lambda: store.add(make(2)),
        lambda: store.add_many([make(3)]),
        lambda: store.deadlines_before(NOW),
        lambda: store.outcome_rows(now=NOW),
        lambda: store.outcome_groups(now=NOW),
        store.verify,
        store.schema_version,
        store.custody_size,
        store.custody_lines,
        store.checkpoints,
        lambda: store.save_checkpoint(1, "note"),
    ]
    for call in calls:
        with pytest.raises(StoreError, match=f"the store {re.escape(store.location)}"):
            call()


def test_a_sqlite_store_used_from_another_thread_raises_store_errors(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "store.sqlite3")
    errors: list[BaseException] = []

    def use() -> None:
        for call in (store.custody_size, store.close):
            try:
                call()
            except BaseException as exc:
                errors.append(exc)

    thread = threading.Thread(target=use)
    thread.start()
    thread.join()
    assert [type(e) for e in errors] == [StoreError, StoreError]
    assert "busy or unusable" in str(errors[0])
    assert "cannot close the store" in str(errors[1])
    assert store.custody_size() == 0  # still usable from its own thread
    store.close()


def test_an_unreadable_row_is_a_store_error(store: AnyStore) -> None:
    store.add(make())
    with store._transaction():
        store._execute(store._sql("UPDATE requests SET facts = ? WHERE id = ?"), ("{", make().id))
    with pytest.raises(StoreError, match=rf"unreadable row for request {make().id}"):
        store.get(make().id)
    with pytest.raises(StoreError, match="the store is damaged"):
        store.list_requests()


@pytest.mark.parametrize(
    ("table", "column", "body"),
    [
        ("requests", "facts", '{"id": "x", "terms": ' + "[" * 100_000 + "]" * 100_000 + "}"),
        ("requests", "facts", "[]"),
        ("requests", "facts", "{}"),
        ("events", "body", '{"event": "submitted", "note": ' + "[" * 100_000 + "]" * 100_000 + "}"),
        ("events", "body", "[1]"),
        ("events", "body", "{}"),
    ],
)
def test_a_row_of_deep_or_odd_json_is_a_store_error(
    store: AnyStore, table: str, column: str, body: str
) -> None:
    store.add(make())
    store.record(make().id, ev("submitted", 1), now=NOW)
    key = "id" if table == "requests" else "request_id"
    with store._transaction():
        store._execute(
            store._sql(f"UPDATE {table} SET {column} = ? WHERE {key} = ?"),  # noqa: S608
            (body, make().id),
        )
    with pytest.raises(StoreError, match=rf"unreadable row for request {make().id}"):
        store.get(make().id)
    with pytest.raises(StoreError, match="the store is damaged"):
        store.list_requests()
    with pytest.raises(StoreError, match="the store is damaged"):
        store.record(make().id, ev("acknowledged", 2), now=NOW)


@pytest.mark.parametrize(
    "spec", ["mysql://db/cases", "sqlite:///x.db", "file://x", "POSTGRESQL://h/d"]
)
def test_a_url_of_another_scheme_is_refused_and_creates_nothing(
    spec: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    scheme = spec.split(":", 1)[0]
    with pytest.raises(StoreError, match=f"unsupported store URL scheme '{scheme}'"):
        open_store(spec)
    with pytest.raises(StoreError, match=f"'{scheme}'"):
        open_store(spec, create=False)
    assert list(tmp_path.iterdir()) == []


def test_a_relative_file_with_a_colon_is_still_a_sqlite_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    open_store("cases:2026.sqlite3").close()
    assert (tmp_path / "cases:2026.sqlite3").is_file()


def test_a_sqlite_file_that_cannot_be_made_private_is_a_store_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: Path, mode: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(Path, "chmod", refuse)
    with pytest.raises(StoreError, match=r"cannot open the store .*Operation not permitted"):
        SqliteStore(tmp_path / "store.sqlite3")


def test_percentiles_ranked_in_sql_match_python(store: AnyStore) -> None:
    """Nearest-rank median and p90 computed by the store equal the pure computation."""
    import random

    rng = random.Random(3)  # noqa: S311 - test data
    batch = []
    for n in range(1, 48):
        t = make(n, kind=rng.choice(["voluntary_disclosure", "emergency_disclosure"]))
        t = apply_event(t, ev("submitted", 1), now=NOW)
        if n % 5:
            t = apply_event(t, ev("acknowledged", 1 + rng.uniform(0.1, 300)), now=NOW)
        if n % 3:
            t = apply_event(t, ev("disclosed", 400 + rng.uniform(0, 500)), now=NOW)
        batch.append(t)
    store.add_many(batch)
    grouped = store.outcome_groups(now=NOW)
    expected = aggregate(store.outcome_rows(now=NOW))
    assert grouped == expected
    assert all(g.answer is not None and g.answer.n > 10 for g in grouped.values())


def test_pending_migrations_are_applied_on_open(
    store_spec: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = open_store(store_spec)
    first.add(make())
    first.close()
    import eevidence.tracking.store._schema as schema_module

    later = (
        *schema_module.MIGRATIONS,
        (SCHEMA_VERSION + 1, ("CREATE TABLE later_feature (x INTEGER)",)),
    )
    monkeypatch.setattr(schema_module, "MIGRATIONS", later)
    monkeypatch.setattr(schema_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    upgraded = open_store(store_spec)
    assert upgraded.schema_version() == SCHEMA_VERSION + 1
    with upgraded._transaction():
        assert upgraded._execute("SELECT count(*) FROM later_feature")[0][0] == 0
    assert upgraded.get(make().id) == make()  # data kept
    upgraded.close()
    monkeypatch.undo()
    with pytest.raises(StoreError, match="written by a newer eevidence"):
        open_store(store_spec)


def test_the_command_line_refuses_a_store_url_of_another_scheme(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from eevidence._cli import main
    from tests.helpers import EXAMPLES

    monkeypatch.chdir(tmp_path)
    request = str(EXAMPLES / "preservation.json")
    assert main(["--store", "mysql://db/cases", "track", "add", request]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.splitlines() == [
        "eevidence: unsupported store URL scheme 'mysql': give a postgresql:// URL or the "
        "path of a SQLite file (the rest of the URL is not repeated: it may hold a password)"
    ]
    assert list(tmp_path.iterdir()) == []  # no SQLite file named mysql:/db/cases


EU_ORDER = Terms(
    preservation_days=60,
    extension_days=30,
    max_extensions=1,
    basis="Regulation (EU) 2023/1543 art. 11(1)",
    preservation_clock="order",
    validation_hours=48,
    validation_basis="Regulation (EU) 2023/1543 art. 4(5)",
)


def test_the_order_clock_and_record_events_are_stored(store: AnyStore) -> None:
    """An EU preservation order's expiry is derived from its receipt, moved by the Annex VI
    extension and removed by the Annex V confirmation; each step is stored, derived in the
    columns and deadlines, and read back the same."""
    t = make(kind="eu_preservation_order", terms=EU_ORDER)
    store.add(t)
    assert [d.kind for d in store.deadlines_before(NOW)] == ["validation_due"]
    store.record(t.id, ev("submitted", 1), now=NOW)
    store.record(t.id, ev("received", 3), now=NOW)
    preserved = store.record(t.id, ev("preserved", 4), now=NOW)
    assert preserved.state == "preserved"
    assert preserved.expires == T0 + timedelta(hours=3, days=60)
    extended = store.record(t.id, ev("preservation_extended", 24 * 30), now=NOW)
    assert extended.expires == T0 + timedelta(hours=3, days=90)
    assert store.get(t.id) == extended
    assert store.verify() == []
    due = {d.kind: d for d in store.deadlines_before(NOW + timedelta(days=400))}
    assert due["preservation_expires"].due == T0 + timedelta(hours=3, days=90)
    assert due["preservation_expires"].basis == "Regulation (EU) 2023/1543 art. 11(1)"
    assert due["validation_due"].basis == "Regulation (EU) 2023/1543 art. 4(5)"
    store.record(t.id, ev("validated", 24 * 31), now=NOW)
    confirmed = store.record(t.id, ev("production_request_confirmed", 24 * 80), now=NOW)
    assert confirmed.expires is None
    assert store.get(t.id) == confirmed
    assert store.deadlines_before(NOW + timedelta(days=400)) == []
    assert store.verify() == []
    (row,) = store.outcome_rows(now=NOW + timedelta(days=400))
    assert (row.outcome, row.lapsed) == ("preserved", False)


def test_a_record_stored_by_an_earlier_release_reads_back(store: AnyStore) -> None:
    """Facts written before the order clock and the new bases existed (no such keys in
    ``terms``) read back with the provider clock, and their stored deadlines still match."""
    t = make()
    store.add(t)
    store.record(t.id, ev("submitted", 1), now=NOW)
    store.record(t.id, ev("preserved", 2), now=NOW)
    old_terms = {
        "preservation_days": 90,
        "extension_days": 90,
        "max_extensions": 1,
        "extension_notice_days": None,
        "response_hours": None,
        "basis": "18 U.S.C. 2703(f)",
    }
    facts = {**t.facts_dict(), "terms": old_terms}
    with store._transaction():
        store._execute(
            store._sql("UPDATE requests SET facts = ? WHERE id = ?"),
            (json.dumps(facts, sort_keys=True), t.id),
        )
    again = store.get(t.id)
    assert again.terms == US
    assert again.expires == T0 + timedelta(hours=2, days=90)
    assert store.verify() == []
    assert store.record(t.id, ev("extension_requested", 3), now=NOW).state == "extension_requested"


def test_a_row_with_an_unknown_clock_is_a_store_error(store: AnyStore) -> None:
    t = make()
    store.add(t)
    facts = {**t.facts_dict(), "terms": {**US.to_dict(), "preservation_clock": "sundial"}}
    with store._transaction():
        store._execute(
            store._sql("UPDATE requests SET facts = ? WHERE id = ?"), (json.dumps(facts), t.id)
        )
    with pytest.raises(StoreError, match="unknown preservation clock 'sundial'"):
        store.get(t.id)


def test_a_store_of_schema_2_gains_the_follows_index_and_keeps_its_data(
    store_spec: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import eevidence.tracking.store._schema as schema_module

    real = schema_module.MIGRATIONS
    monkeypatch.setattr(schema_module, "MIGRATIONS", real[:2])
    monkeypatch.setattr(schema_module, "SCHEMA_VERSION", 2)
    old = open_store(store_spec)
    preservation = make(1)
    old.add(preservation)
    old.add(replace(make(2, kind="mla_request"), follows=preservation.id))
    assert old.schema_version() == 2
    old.close()
    monkeypatch.undo()
    upgraded = open_store(store_spec)
    try:
        assert upgraded.schema_version() == SCHEMA_VERSION >= 3
        assert [t.id for t in upgraded.followers(preservation.id)] == [make(2).id]
        assert [t.id for t in upgraded.list_requests(kinds={"mla_request"})] == [make(2).id]
    finally:
        upgraded.close()


@pytest.mark.parametrize(
    "reference", ["PJ-CT-2026-0147", "50%_off", 'a"b\\c', "Réf. 2026/ü", "x_y"]
)
def test_requests_of_one_case_and_many_ids_at_once(store: AnyStore, reference: str) -> None:
    ours = [replace(make(n), case_reference=reference) for n in (1, 2)]
    others = [
        replace(make(3), case_reference="50X_off"),  # a LIKE wildcard must not match it
        replace(make(4), case_reference="xAy"),
        replace(make(5), case_reference=reference + " 2"),
        make(6),
    ]
    store.add_many([*ours, *others])
    got = store.list_requests(case_reference=reference)
    assert [t.id for t in got] == [t.id for t in ours]
    assert store.list_requests(case_reference="nothing") == []
    wanted = [make(5).id, make(1).id, "not-there", make(5).id]
    assert [t.id for t in store.get_many(wanted)] == [make(5).id, make(1).id]
    assert store.get_many([]) == []
    many = [make(n) for n in range(10, 1210)]
    store.add_many(many)
    assert len(store.get_many(t.id for t in many)) == 1200  # more than one batch
