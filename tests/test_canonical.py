"""Canonical bytes: parse -> serialise -> parse is lossless and the bytes are stable."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st

import eevidence as ee
from eevidence.crypto import canonical_json_bytes
from eevidence.request import TimeWindow
from tests.helpers import example_doc

KIND_EXAMPLES = {
    "preservation": "preservation",
    "preservation_extension": "preservation-extension",
    "voluntary_disclosure": "voluntary-disclosure",
    "emergency_disclosure": "emergency-disclosure",
    "eu_production_order": "eu-production-order",
    "eu_preservation_order": "eu-preservation-order",
    "protocol2_art7_order": "protocol2-art7-order",
}

_chars = st.characters(exclude_categories=["Cs", "Cc"])
line = st.text(_chars, min_size=1, max_size=40).filter(lambda s: s.strip() != "")
text = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=200).filter(
    lambda s: s.strip() != ""
)
offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
moments = st.builds(
    lambda dt, tz: dt.replace(tzinfo=tz),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)),
    offsets,
)


def _iso(dt: datetime) -> str:
    window = TimeWindow(start=dt, end=dt + timedelta(seconds=1))
    return str(window.model_dump(mode="json")["start"])


@st.composite
def windows(draw: st.DrawFn) -> dict[str, str]:
    start = draw(moments)
    length = draw(st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=900)))
    return {"start": _iso(start), "end": _iso(start + length)}


@st.composite
def identifiers(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(
        st.sampled_from(["email", "phone", "username", "account_id", "ip_address", "ip_range"])
    )
    out: dict[str, Any] = {"type": kind}
    if kind == "email":
        local = draw(st.from_regex(r"[a-z0-9._%+-]{1,20}", fullmatch=True))
        out["value"] = f"{local}@mail.example.org"
    elif kind == "phone":
        out["value"] = "+" + draw(st.from_regex(r"[1-9][0-9]{5,14}", fullmatch=True))
    elif kind in {"username", "account_id"}:
        out["value"] = draw(line)
        out["service"] = draw(line)
    elif kind == "ip_address":
        rnd = draw(st.randoms(use_true_random=False))
        out["value"] = (
            f"203.0.113.{rnd.randrange(256)}"
            if rnd.random() < 0.5
            else f"2001:db8::{rnd.randrange(65536):x}"
        )
        if draw(st.booleans()):
            out["port"] = draw(st.integers(0, 65535))
        out["timestamp"] = _iso(draw(moments))
    else:
        out["value"] = draw(st.sampled_from(["203.0.113.0/24", "2001:db8::/32", "10.0.0.0/8"]))
    if draw(st.booleans()):
        out["window"] = draw(windows())
    if draw(st.booleans()):
        out["note"] = draw(text)
    return out


@st.composite
def requests(draw: st.DrawFn) -> ee.Request:
    kind = draw(st.sampled_from(sorted(KIND_EXAMPLES)))
    doc = example_doc(KIND_EXAMPLES[kind])
    doc["id"] = str(uuid.UUID(int=draw(st.integers(0, 2**128 - 1)), version=4))
    doc["created_at"] = _iso(draw(moments))
    doc["case"]["reference"] = draw(line)
    doc["case"]["offence_description"] = draw(text)
    doc["case"]["summary_of_facts"] = draw(text)
    doc["justification"]["relation_to_offence"] = draw(text)
    doc["identifiers"] = draw(st.lists(identifiers(), min_size=1, max_size=5))
    if draw(st.booleans()):
        doc["period"] = draw(windows())
    else:
        doc.pop("period", None)
    doc["language"] = draw(st.sampled_from(["en", "fr", "es", "ar", "pt-BR", "zh-Hant-TW"]))
    return ee.parse_request(doc)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_round_trip_is_lossless_and_canonical_bytes_stable(request: ee.Request) -> None:
    data = ee.canonical_bytes(request)
    again = ee.parse_request(data)
    assert again == request
    assert ee.canonical_bytes(again) == data
    # canonical form: compact, sorted keys, UTF-8
    value = json.loads(data)
    assert (
        data
        == json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    )


@settings(max_examples=60, deadline=None)
@given(requests(), st.randoms(use_true_random=False))
def test_canonical_bytes_ignore_key_order_and_whitespace(
    request: ee.Request, rnd: random.Random
) -> None:
    value = json.loads(ee.canonical_bytes(request))

    def shuffle(v: Any) -> Any:
        if isinstance(v, dict):
            items = list(v.items())
            rnd.shuffle(items)
            return {k: shuffle(x) for k, x in items}
        if isinstance(v, list):
            return [shuffle(x) for x in v]
        return v

    messy = json.dumps(
        shuffle(value), indent=rnd.choice([None, 1, 4]), ensure_ascii=rnd.random() < 0.5
    )
    assert ee.canonical_bytes(ee.parse_request(messy)) == ee.canonical_bytes(request)


def test_canonical_bytes_known_answer() -> None:
    assert canonical_json_bytes({"b": [1, "é"], "a": {"y": None, "x": True}}) == (
        '{"a":{"x":true,"y":null},"b":[1,"é"]}'.encode()
    )


def test_canonical_rejects_non_json_values() -> None:
    import pytest

    with pytest.raises(ee.InputError):
        canonical_json_bytes({"x": float("nan")})
    with pytest.raises(ee.InputError):
        canonical_json_bytes({"x": "\ud800"})


def test_offsets_are_preserved() -> None:
    doc = example_doc("preservation")
    request = ee.parse_request(doc)
    assert b'"created_at":"2026-11-16T09:30:00+01:00"' in ee.canonical_bytes(request)
    utc = TimeWindow(start=datetime(2026, 1, 1, tzinfo=UTC), end=datetime(2026, 1, 2, tzinfo=UTC))
    assert utc.model_dump(mode="json") == {
        "start": "2026-01-01T00:00:00Z",
        "end": "2026-01-02T00:00:00Z",
    }
