"""Request models: each kind constructs, bad input fails with a path naming the field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

import eevidence as ee
from eevidence.request import IDENTIFIER_TYPES, DataRequested, TimeWindow, new_request_id
from tests.helpers import example_doc


def paths_of(doc: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ee.RequestValidationError) as info:
        ee.parse_request(doc)
    return {p.path: p.message for p in info.value.problems}


@pytest.mark.parametrize(
    "name",
    [
        "preservation",
        "preservation-extension",
        "voluntary-disclosure",
        "emergency-disclosure",
        "eu-production-order",
        "eu-preservation-order",
        "protocol2-art7-order",
    ],
)
def test_every_kind_parses(name: str) -> None:
    request = ee.parse_request(example_doc(name))
    assert request.kind == name.replace("-", "_")
    assert request.created_at.tzinfo is not None


def built(build: Callable[[], object]) -> dict[str, str]:
    """The problems of a model built directly (not through parse_request), by JSON path."""
    with pytest.raises(ee.RequestValidationError) as info:
        build()
    return {p.path: p.message for p in info.value.problems}


def test_models_are_frozen() -> None:
    request = ee.parse_request(example_doc("preservation"))
    with pytest.raises(ee.RequestValidationError) as info:
        request.provider = "google"  # type: ignore[misc]
    assert [p.path for p in info.value.problems] == ["$.provider"]
    assert "model_copy" in info.value.problems[0].message
    with pytest.raises(ee.RequestValidationError):
        del request.provider
    assert request.provider == "meta"


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("emergency-disclosure", "emergency"),
        ("eu-production-order", "issuing_authority"),
        ("eu-preservation-order", "issuing_authority"),
        ("preservation-extension", "original_request_id"),
        ("preservation-extension", "provider_reference"),
        ("protocol2-art7-order", "issuing_authority"),
    ],
)
def test_kind_specific_fields_are_required(name: str, field: str) -> None:
    doc = example_doc(name)
    del doc[field]
    assert paths_of(doc) == {f"$.{field}": "required field is missing"}


def test_emergency_without_threat_details() -> None:
    doc = example_doc("emergency-disclosure")
    del doc["emergency"]["threat_nature"]
    doc["emergency"]["why_without_delay"] = "   "
    problems = paths_of(doc)
    assert set(problems) == {"$.emergency.threat_nature", "$.emergency.why_without_delay"}


def test_bad_inputs_each_named() -> None:
    doc = example_doc("preservation")
    doc["created_at"] = "2026-11-16T09:30:00"
    doc["authority"]["officer"]["phone"] = "0612345678"
    doc["identifiers"][2].pop("timestamp")
    doc["data"]["categories"].append("metadata")
    doc["colour"] = "red"
    doc["period"] = {"start": "2026-11-16T00:00:00Z", "end": "2026-09-01T00:00:00Z"}
    problems = paths_of(doc)
    assert set(problems) == {
        "$.created_at",
        "$.authority.officer.phone",
        "$.identifiers[2].timestamp",
        "$.data.categories[3]",
        "$.colour",
        "$.period",
    }
    assert "UTC offset" in problems["$.created_at"]
    assert "E.164" in problems["$.authority.officer.phone"]
    assert problems["$.colour"].startswith("unknown field")
    assert "ends before" in problems["$.period"]


@pytest.mark.parametrize(
    ("identifier", "fragment"),
    [
        ({"type": "email", "value": "no-at-sign"}, "email address"),
        ({"type": "phone", "value": "+0123"}, "E.164"),
        ({"type": "phone", "value": "+1234567890123456"}, "E.164"),
        ({"type": "ip_address", "value": "300.1.1.1", "timestamp": "2026-01-01T00:00:00Z"}, "IPv4"),
        ({"type": "ip_range", "value": "203.0.113.7/24"}, "CIDR"),
        ({"type": "ip_range", "value": "203.0.113.7"}, "CIDR"),
        ({"type": "imei", "value": "490154203237519"}, "Luhn"),
        ({"type": "imei", "value": "49015420323751"}, "15 digits"),
        ({"type": "mac_address", "value": "00:1A:2B:3C:4D"}, "MAC"),
        ({"type": "domain", "value": "localhost"}, "domain"),
        ({"type": "url", "value": "ftp://example.org/x"}, "URL"),
        ({"type": "username", "value": "abc"}, "required"),
    ],
)
def test_identifier_rules(identifier: dict[str, Any], fragment: str) -> None:
    doc = example_doc("preservation")
    doc["identifiers"] = [identifier]
    problems = paths_of(doc)
    assert len(problems) == 1
    ((path, message),) = problems.items()
    assert path.startswith("$.identifiers[0]")
    assert fragment in message


def test_valid_identifiers_of_every_type() -> None:
    doc = example_doc("preservation")
    window = {"start": "2026-01-01T00:00:00+01:00", "end": "2026-02-01T00:00:00-05:00"}
    doc["identifiers"] = [
        {"type": "email", "value": "a.b@mail.example.com", "window": window},
        {"type": "phone", "value": "+447700900123"},
        {"type": "username", "value": "x_y", "service": "Telegram"},
        {"type": "account_id", "value": "100012345678"},
        {"type": "url", "value": "https://www.example.com/p/abc?x=1"},
        {
            "type": "ip_address",
            "value": "2001:db8::1",
            "port": 443,
            "timestamp": "2026-01-01T00:00:00Z",
        },
        {"type": "ip_range", "value": "2001:db8::/32"},
        {"type": "imei", "value": "490154203237518"},
        {"type": "mac_address", "value": "00-1a-2b-3c-4d-5e"},
        {"type": "domain", "value": "bad-site.example"},
    ]
    request = ee.parse_request(doc)
    assert [i.type for i in request.identifiers] == list(IDENTIFIER_TYPES)


def test_unknown_identifier_type_and_kind() -> None:
    doc = example_doc("preservation")
    doc["identifiers"] = [{"type": "fax", "value": "1"}]
    problems = paths_of(doc)
    assert list(problems) == ["$.identifiers[0]"]
    assert "unknown type 'fax'" in problems["$.identifiers[0]"]
    doc = example_doc("preservation")
    doc["kind"] = "subpoena"
    assert "unknown kind 'subpoena'" in paths_of(doc)["$"]
    del doc["kind"]
    assert paths_of(doc) == {"$": "required field kind is missing"}


def test_naive_datetime_refused_from_python() -> None:
    problems = built(
        lambda: TimeWindow(start=datetime(2026, 1, 1), end=datetime(2026, 2, 1, tzinfo=UTC))
    )
    assert list(problems) == ["$.start"]
    assert "UTC offset" in problems["$.start"]


def test_date_times_from_python_follow_the_json_grammar() -> None:
    # an aware datetime, or the same RFC 3339 text JSON would give; never a Unix time
    aware = datetime(2026, 1, 1, tzinfo=UTC)
    window = TimeWindow(start=aware, end="2026-02-01T00:00:00+01:00")  # type: ignore[arg-type]
    assert window.end == datetime(2026, 1, 31, 23, tzinfo=UTC)
    lax_values: tuple[Any, ...] = (
        "20260201",
        "1769904000",
        1769904000,
        "2026-02-01 00:00:00Z",
        "2026-02-30T00:00:00Z",
    )
    for lax in lax_values:
        problems = built(lambda: TimeWindow(start=aware, end=lax))  # noqa: B023 - called at once
        assert list(problems) == ["$.end"], lax
        assert "RFC 3339" in problems["$.end"]


def test_data_requested_consistency() -> None:
    assert "twice" in built(lambda: DataRequested(categories=("traffic", "traffic")))["$"]
    assert (
        "'subscriber' is not"
        in (
            built(
                lambda: DataRequested(categories=("traffic",), subscriber_details=("puk_codes",))
            )["$"]
        )
    )
    assert (
        "other_subscriber_details"
        in (
            built(lambda: DataRequested(categories=("subscriber",), subscriber_details=("other",)))[
                "$"
            ]
        )
    )
    assert (
        "subscriber detail is listed twice"
        in (
            built(
                lambda: DataRequested(
                    categories=("subscriber",), subscriber_details=("other", "other")
                )
            )["$"]
        )
    )
    ok = DataRequested(
        categories=("subscriber",),
        subscriber_details=("other",),
        other_subscriber_details="IMSI",
    )
    assert ok.subscriber_details == ("other",)


def test_duplicate_attachment_names() -> None:
    doc = example_doc("preservation")
    doc["attachments"] = [
        {"name": "Order.pdf", "kind": "court_order"},
        {"name": "order.PDF", "kind": "translation"},
    ]
    assert "same file name" in paths_of(doc)["$"]


@pytest.mark.parametrize("name", ["../etc/passwd", "a/b.pdf", ".hidden", "..", "trailing."])
def test_attachment_names_are_plain(name: str) -> None:
    doc = example_doc("preservation")
    doc["attachments"] = [{"name": name, "kind": "other"}]
    assert "$.attachments[0].name" in paths_of(doc)


def test_eu_production_order_validation_rules() -> None:
    doc = example_doc("eu-production-order")
    doc["issuing_authority"]["type"] = "public_prosecutor"
    assert "art. 4(2)" in paths_of(doc)["$"]
    doc["validating_authority"] = {
        "type": "public_prosecutor",
        "name": "Parquet",
        "country": "FR",
        "representative": "P",
        "email": "p@justice.example.fr",
        "phone": "+33100000000",
        "validated_at": "2026-11-22T10:00:00Z",
    }
    assert "not a public prosecutor" in paths_of(doc)["$"]
    doc["validating_authority"]["type"] = "judge"
    assert ee.parse_request(doc).kind == "eu_production_order"
    # subscriber data only: a prosecutor may issue without validation (art. 4(1)(a))
    doc = example_doc("eu-production-order")
    doc["issuing_authority"]["type"] = "public_prosecutor"
    doc["data"] = {"categories": ["subscriber"]}
    assert ee.parse_request(doc).kind == "eu_production_order"
    doc["issuing_authority"]["type"] = "other_competent_authority"
    assert "must be validated" in paths_of(doc)["$"]


def test_eu_preservation_order_by_other_authority_needs_validation() -> None:
    doc = example_doc("eu-preservation-order")
    doc["issuing_authority"]["type"] = "other_competent_authority"
    assert "validating_authority is required" in paths_of(doc)["$"]


def test_article7_order_is_subscriber_only() -> None:
    doc = example_doc("protocol2-art7-order")
    doc["data"]["categories"].append("traffic")
    assert "only ask for subscriber" in paths_of(doc)["$"]


def test_floats_and_non_objects_rejected() -> None:
    doc = example_doc("preservation")
    with pytest.raises(ee.InputError, match="integers only"):
        ee.parse_request(b'{"kind": "preservation", "preservation_days": 90.5}')
    with pytest.raises(ee.InputError, match="not valid JSON"):
        ee.parse_request(b"{not json")
    with pytest.raises(ee.InputError, match="UTF-8"):
        ee.parse_request(b'{"a": "\xff"}')
    with pytest.raises(ee.InputError, match="NaN"):
        ee.parse_request('{"kind": NaN}')
    with pytest.raises(ee.RequestValidationError, match="JSON object"):
        ee.parse_request("[1, 2]")
    assert ee.parse_request(doc).kind == "preservation"


def test_error_diagnostics_name_source_and_paths() -> None:
    doc = example_doc("preservation")
    doc["language"] = "english!"
    with pytest.raises(ee.RequestValidationError) as info:
        ee.parse_request(doc, source="req.json")
    text = info.value.diagnostics()
    assert text.startswith("req.json: invalid request: 1 problem")
    assert "$.language: expected a BCP 47 language tag" in text
    assert info.value.to_dict()["problems"] == [
        {"path": "$.language", "message": info.value.problems[0].message}
    ]


def test_new_request_id_is_a_valid_id() -> None:
    doc = example_doc("preservation")
    doc["id"] = new_request_id()
    assert ee.parse_request(doc).id == doc["id"]
    doc["id"] = doc["id"].upper()
    assert "$.id" in paths_of(doc)


# --------------------------------------------------------------------------- CLOUD Act orders


def test_a_cloud_act_order_is_issued_by_the_partner_state() -> None:
    doc = example_doc("cloud-act-order")
    order = ee.parse_request(doc)
    assert order.kind == "cloud_act_order"
    with pytest.raises(ee.RequestValidationError) as caught:
        ee.parse_request({**doc, "agreement_partner": "AU"})
    assert "agreement_partner AU is not the country of the issuing authority (GB)" in (
        caught.value.diagnostics()
    )
    designated = {k: v for k, v in doc["designated_authority"].items() if k != "email"}
    with pytest.raises(ee.RequestValidationError) as caught:
        ee.parse_request({**doc, "designated_authority": designated})
    assert "$.designated_authority.email" in caught.value.diagnostics()
    without = {k: v for k, v in doc.items() if k != "serious_crime"}
    assert ee.parse_request(without).serious_crime is None  # type: ignore[union-attr]


def test_fields_added_later_stay_out_of_the_canonical_bytes_while_unset() -> None:
    """``addressee_entity`` and ``sworn_officer`` are optional, and a request that does not
    set them keeps the canonical bytes (and so digests and signatures) it had before."""
    doc = example_doc("preservation")
    request = ee.parse_request(doc)
    assert request.addressee_entity is None
    assert request.authority.officer.sworn_officer is None
    plain = ee.canonical_bytes(request)
    assert b"addressee_entity" not in plain
    assert b"sworn_officer" not in plain
    officer = {**doc["authority"]["officer"], "sworn_officer": True}
    named = ee.parse_request(
        {
            **doc,
            "addressee_entity": "Meta Platforms, Inc.",
            "authority": {**doc["authority"], "officer": officer},
        }
    )
    marked = ee.canonical_bytes(named)
    assert b'"addressee_entity":"Meta Platforms, Inc."' in marked
    assert b'"sworn_officer":true' in marked
    assert ee.parse_request(marked) == named
    with pytest.raises(ee.RequestValidationError):
        ee.parse_request({**doc, "addressee_entity": ""})
