"""The custody log in both stores: appends, checkpoints, concurrent appenders, SIGKILL."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from eevidence.crypto import Checkpoint, parse_checkpoint, sign_checkpoint, verifier_key
from eevidence.custody import CustodyEntry, append_entry, verify_lines
from eevidence.custody._entries import key_id
from eevidence.errors import StoreError
from eevidence.tracking import PostgresStore, SqliteStore, open_store

AnyStore = SqliteStore | PostgresStore
SEED = bytes(range(32))
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


class Signer:
    def __init__(self, seed: bytes = SEED) -> None:
        self.key = Ed25519PrivateKey.from_private_bytes(seed)
        self.keyid = key_id(self.key.public_key())

    def sign(self, data: bytes) -> bytes:
        return self.key.sign(data)


def step(
    signer: Signer, object_id: str, note: str, at: datetime = NOW
) -> Callable[[CustodyEntry | None], CustodyEntry]:
    def build(previous: CustodyEntry | None) -> CustodyEntry:
        return append_entry(
            previous,
            signer,
            at=max(at, previous.at) if previous else at,
            actor="Lt. Claire Martin",
            role="investigator",
            action="note",
            object_id=object_id,
            note=note,
        )

    return build


def test_append_read_and_checkpoints(store: AnyStore) -> None:
    signer = Signer()
    assert store.custody_size() == 0
    assert store.custody_lines() == []
    first = store.append_custody(step(signer, "request/1", "created"))
    second = store.append_custody(step(signer, "evidence/1", "received"))
    third = store.append_custody(step(signer, "request/1", "signed"))
    assert (first.seq, second.seq, third.seq) == (0, 1, 2)
    assert third.prev_hash == second.entry_hash()
    lines = store.custody_lines()
    assert lines == [first.canonical(), second.canonical(), third.canonical()]
    assert store.custody_lines(object_id="request/1") == [first.canonical(), third.canonical()]
    report = verify_lines(lines, [signer.key.public_key()])
    assert report.ok
    note = sign_checkpoint(Checkpoint("test/log", 3, report.root), [("test/log", signer.key)])
    store.save_checkpoint(3, note, b"\x30\x00")
    store.save_checkpoint(3, note)  # replaced, not duplicated
    [(size, saved, token)] = store.checkpoints()
    assert (size, token) == (3, None)
    cp = parse_checkpoint(saved, [verifier_key("test/log", signer.key)])
    assert verify_lines(store.custody_lines(), [signer.key.public_key()], checkpoint=cp).ok


def test_a_builder_that_does_not_follow_the_log_writes_nothing(store: AnyStore) -> None:
    signer = Signer()
    store.append_custody(step(signer, "o", "one"))

    def stale(previous: CustodyEntry | None) -> CustodyEntry:
        return step(signer, "o", "fork")(None)  # ignores the log: would fork it

    with pytest.raises(StoreError, match="does not follow"):
        store.append_custody(stale)
    assert store.custody_size() == 1


_APPENDER = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timezone
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from eevidence.custody._entries import append_entry, key_id
    from eevidence.tracking.store import open_store

    spec, tag, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))

    class Signer:
        keyid = key_id(key.public_key())
        def sign(self, data):
            return key.sign(data)

    store = open_store(spec)
    at = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
    i = 0
    while count < 0 or i < count:
        def build(previous, i=i):
            return append_entry(previous, Signer(), at=max(at, previous.at) if previous else at,
                actor=tag, role="clerk", action="note", object_id="evidence/1",
                note=f"{tag}-{i}")
        store.append_custody(build)
        i += 1
        print(i, flush=True)
    store.close()
    """
)


def _appender(spec: str, tag: str, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _APPENDER, spec, tag, str(count)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_concurrent_appenders_make_one_linear_chain(store_spec: str) -> None:
    n, tags = 40, ("a", "b", "c")
    procs = [_appender(store_spec, tag, n) for tag in tags]
    for p in procs:
        _, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
    store = open_store(store_spec)
    lines = store.custody_lines()
    store.close()
    assert len(lines) == n * len(tags)
    report = verify_lines(lines, [Signer().key.public_key()])
    assert report.ok, report.breaks[:3]
    notes = [line.split(b'"note":"')[1].split(b'"')[0].decode() for line in lines]
    for tag in tags:
        assert [x for x in notes if x.startswith(tag)] == [f"{tag}-{i}" for i in range(n)]


def test_appender_killed_mid_append_leaves_a_chain_that_verifies(store_spec: str) -> None:
    store = open_store(store_spec)
    total = 0
    for run in range(3):
        p = _appender(store_spec, f"k{run}", -1)
        assert p.stdout is not None
        written = 0
        while written < 10 + run * 3:
            written = int(p.stdout.readline())
        p.send_signal(signal.SIGKILL)
        p.communicate(timeout=30)
        assert p.returncode == -signal.SIGKILL
        lines = store.custody_lines()
        assert len(lines) >= total + written  # every committed entry is there
        total = len(lines)
        assert verify_lines(lines, [Signer().key.public_key()]).ok
    # and the log takes appends again
    store.append_custody(step(Signer(), "evidence/1", "after", NOW + timedelta(days=1)))
    assert verify_lines(store.custody_lines(), [Signer().key.public_key()]).ok
    store.close()


def test_batch_append_chains_inside_one_transaction(store: AnyStore) -> None:
    signer = Signer()
    first = store.append_custody(step(signer, "o", "one"))
    batch = store.append_custody_many([step(signer, "o", f"b{i}") for i in range(5)])
    assert [e.seq for e in batch] == [1, 2, 3, 4, 5]
    assert batch[0].prev_hash == first.entry_hash()
    assert store.append_custody_many([]) == []
    assert verify_lines(store.custody_lines(), [signer.key.public_key()]).ok

    def forked(previous: CustodyEntry | None) -> CustodyEntry:
        return batch[2]  # an entry that is already in the log

    with pytest.raises(StoreError, match="does not follow"):
        store.append_custody_many([step(signer, "o", "x"), forked])
    assert store.custody_size() == 6  # the whole batch was refused
