"""Starting to track from Python, through public faces only: ``Tracked.from_request`` and
``start_tracking`` (the record and its custody entry), ``resolve_id``."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from eevidence.crypto import KeySigner, generate_private_key
from eevidence.custody import entries_from_jsonl, verify_lines
from eevidence.errors import InputError, LifecycleError, UnknownRequestError
from eevidence.provider import law_facts, load_providers
from eevidence.request import Request, canonical_bytes, parse_request
from eevidence.tracking import (
    ACK_DAYS,
    ACK_EMERGENCY_HOURS,
    MIN_ID_PREFIX,
    Event,
    SqliteStore,
    Store,
    Tracked,
    apply_event,
    deadlines_of,
    resolve_id,
    start_tracking,
    track_request,
)
from tests.helpers import example_doc

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PROFILES = load_providers().profiles


def request_of(example: str, **changes: Any) -> Request:
    doc = example_doc(example)
    doc.update(changes)
    return parse_request(doc)


def chase_after(tracked: Tracked) -> timedelta:
    """How long after submission the provider is chased (``acknowledgement_due``)."""
    submitted = apply_event(tracked, Event("submitted", NOW, "Lt. Martin"), now=NOW)
    (due,) = [d for d in deadlines_of(submitted) if d.kind == "acknowledgement_due"]
    return due.due - NOW


def test_an_emergency_is_chased_after_24_hours_not_7_days() -> None:
    """The emergency flag comes from the kinds table, with no private import and nothing
    for the caller to re-derive."""
    request = request_of("emergency-disclosure")
    tracked = Tracked.from_request(request, PROFILES.get(request.provider), now=NOW)
    assert tracked.emergency
    assert chase_after(tracked) == timedelta(hours=ACK_EMERGENCY_HOURS) == timedelta(hours=24)
    ordinary = request_of("voluntary-disclosure")
    plain = Tracked.from_request(ordinary, PROFILES.get(ordinary.provider), now=NOW)
    assert not plain.emergency
    assert chase_after(plain) == timedelta(days=ACK_DAYS) == timedelta(days=7)


def test_an_eu_production_order_is_an_emergency_only_with_its_emergency_details() -> None:
    order = request_of("eu-production-order")
    assert not Tracked.from_request(order, None, now=NOW).emergency
    doc = example_doc("eu-production-order")
    doc["emergency"] = {
        "threat_nature": "imminent threat to life",
        "why_without_delay": "a hostage is held",
    }
    urgent = parse_request(doc)
    tracked = Tracked.from_request(urgent, None, now=NOW)
    assert tracked.emergency
    assert chase_after(tracked) == timedelta(hours=24)
    assert (
        tracked.terms.response_hours
        == law_facts().eu_regulation_2023_1543.emergency_production.hours
    )


def test_the_terms_come_from_the_law_facts_without_private_calls() -> None:
    order = request_of("eu-preservation-order")
    tracked = Tracked.from_request(order, PROFILES.get(order.provider), now=NOW)
    eu = law_facts().eu_regulation_2023_1543
    assert tracked.terms.preservation_clock == "order"
    assert tracked.terms.preservation_days == eu.preservation.delta.days == 60
    assert tracked.terms.basis == "Regulation (EU) 2023/1543 art. 11(1)"
    assert tracked.case_reference == order.case.reference
    assert (tracked.id, tracked.kind, tracked.provider, tracked.state) == (
        order.id,
        "eu_preservation_order",
        order.provider,
        "draft",
    )
    # the same law given explicitly gives the same record
    assert Tracked.from_request(order, PROFILES.get(order.provider), now=NOW, law=law_facts()) == (
        tracked
    )


def test_from_request_refuses_a_naive_now() -> None:
    with pytest.raises(LifecycleError, match="no time zone"):
        Tracked.from_request(request_of("preservation"), None, now=datetime(2026, 12, 1))


@pytest.fixture
def sqlite(tmp_path: Any) -> Any:
    opened = SqliteStore(tmp_path / "t.sqlite3")
    yield opened
    opened.close()


def test_start_tracking_keeps_the_record_and_its_custody_entry(store: Store) -> None:
    request = request_of("preservation")
    signer = KeySigner(generate_private_key())
    tracked, entry = start_tracking(
        store,
        request,
        PROFILES.get(request.provider),
        now=NOW,
        actor="Lt. Claire Martin",
        role="investigator",
        signer=signer,
    )
    assert store.get(request.id) == tracked
    assert (entry.action, entry.actor, entry.role, entry.object_id) == (
        "request_created",
        "Lt. Claire Martin",
        "investigator",
        f"request/{request.id}",
    )
    assert entry.object_sha256 == hashlib.sha256(canonical_bytes(request)).hexdigest()
    assert entry.note == f"tracking started: preservation to {request.provider}"
    lines = store.custody_lines(object_id=f"request/{request.id}")
    assert entries_from_jsonl(b"\n".join(lines)) == [entry]
    assert verify_lines(store.custody_lines(), [signer.public_key]).ok


def test_start_tracking_refuses_a_blank_actor_before_writing(sqlite: SqliteStore) -> None:
    request = request_of("preservation")
    signer = KeySigner(generate_private_key())
    for actor, role in (("  ", "investigator"), ("Lt. Martin", "")):
        with pytest.raises(InputError, match=r"needs (an actor|a role)"):
            start_tracking(sqlite, request, None, now=NOW, actor=actor, role=role, signer=signer)
    assert sqlite.list_requests() == []
    assert sqlite.custody_lines() == []


def test_a_request_cannot_follow_another_providers_preservation(sqlite: SqliteStore) -> None:
    preservation = request_of("preservation")  # to meta
    track_request(sqlite, preservation, None, now=NOW)
    google = request_of("cloud-act-order")
    assert google.provider != preservation.provider
    with pytest.raises(LifecycleError, match="cannot follow a preservation held by another"):
        track_request(sqlite, google, None, now=NOW, follows=preservation.id)
    with pytest.raises(UnknownRequestError):
        sqlite.get(google.id)
    # an extension that names a preservation sent to another provider is refused too
    extension = request_of(
        "preservation-extension",
        provider="google",
        original_request_id=preservation.id,
    )
    with pytest.raises(LifecycleError, match="went to meta"):
        track_request(sqlite, extension, None, now=NOW)
    # the same provider: linked
    disclosure = request_of("voluntary-disclosure")
    assert disclosure.provider == preservation.provider
    followed = track_request(sqlite, disclosure, None, now=NOW, follows=preservation.id)
    assert followed.follows == preservation.id


def _twin(request_id: str) -> Request:
    return request_of("voluntary-disclosure", id=request_id)


def test_resolve_id_takes_unique_prefixes_and_lists_ambiguous_candidates(
    sqlite: SqliteStore,
) -> None:
    a = "14f4ee5f-0000-4000-8000-00000000000a"
    b = "14f4ee5f-0000-4000-8000-00000000000b"
    c = "9e9e9e9e-0000-4000-8000-00000000000c"
    for request_id in (a, b, c):
        track_request(sqlite, _twin(request_id), None, now=NOW)
    assert resolve_id(sqlite, c) == c
    assert resolve_id(sqlite, "9e9e") == c
    assert resolve_id(sqlite, "9E9E9E9E") == c
    assert resolve_id(sqlite, a[:-1] + "A") == a  # case-insensitive, and whole ids too
    with pytest.raises(InputError, match="matches 2 tracked requests") as info:
        resolve_id(sqlite, "14f4ee5f")
    assert a in str(info.value)
    assert b in str(info.value)
    assert not isinstance(info.value, UnknownRequestError)
    with pytest.raises(UnknownRequestError):
        resolve_id(sqlite, "9e9"[:MIN_ID_PREFIX])  # 3 characters: not a prefix
    with pytest.raises(UnknownRequestError):
        resolve_id(sqlite, "ffff")


def test_resolve_id_lists_at_most_ten_candidates(sqlite: SqliteStore) -> None:
    ids = [f"abcdef0{i:x}-0000-4000-8000-000000000000" for i in range(12)]
    for request_id in ids:
        track_request(sqlite, _twin(request_id), None, now=NOW)
    with pytest.raises(InputError, match="matches 12 tracked requests") as info:
        resolve_id(sqlite, "abcdef0")
    message = str(info.value)
    assert all(i in message for i in ids[:10])
    assert ids[10] not in message
    assert "and 2 more" in message


def test_a_creation_time_a_store_cannot_hold_is_refused_clearly() -> None:
    from eevidence.tracking import tracked_from_request

    doc = example_doc("preservation")
    doc["created_at"] = "0001-01-01T00:00:00+01:00"  # the models accept it; UTC cannot hold it
    with pytest.raises(LifecycleError, match="no UTC equivalent"):
        tracked_from_request(parse_request(doc), None, now=NOW)
