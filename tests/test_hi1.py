"""ETSI TS 103 120 (HI-1): every export validates against the official XSDs; round trips;
tampered, foreign and hostile messages are refused with a reason."""

from __future__ import annotations

import base64
import functools
import hashlib
import importlib.util
import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from lxml import etree

import eevidence as ee
from eevidence._cli import main
from eevidence.errors import Hi1Error, InputError
from eevidence.hi1 import Hi1Endpoint, from_hi1_xml, hi1_draft, read_hi1, to_hi1_xml
from eevidence.hi1._model import AUTH, CORE, TASK
from tests.helpers import EXAMPLES, ROOT, example_doc
from tests.test_canonical import requests

NOW = datetime(2026, 11, 24, 10, 0, 0, 123456, tzinfo=UTC)
TX = "c02358b2-76cf-4ba4-a8eb-f6436ccaea2e"
SENDER = Hi1Endpoint("FR", "PJ-CYBER")
RECEIVER = Hi1Endpoint("IE", "meta")
PDF = b"%PDF-1.7\n% a signed letter stands here\n%%EOF\n"
NAMES = sorted(p.stem for p in EXAMPLES.glob("*.json"))


# --------------------------------------------------------------------------- the oracle


@functools.cache
def _schema() -> etree.XMLSchema:
    """The official 1.15.1 XSDs from the ts103120 wheel, behind a wrapper that imports each
    namespace with its file (they import each other without schemaLocation)."""
    spec = importlib.util.find_spec("ts103120")  # located, never imported (3.12-only deps)
    assert spec is not None
    assert spec.submodule_search_locations is not None
    folder = Path(next(iter(spec.submodule_search_locations))) / "data" / "1.15.1" / "xsd"
    imports = []
    for path in sorted(folder.glob("*.xsd")):
        namespace = etree.parse(str(path)).getroot().get("targetNamespace")
        imports.append(f'<xs:import namespace="{namespace}" schemaLocation="{path.as_uri()}"/>')
    assert len(imports) == 10
    wrapper = (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        + "".join(imports)
        + "</xs:schema>"
    )
    return etree.XMLSchema(etree.fromstring(wrapper.encode()))


@pytest.fixture
def xsd() -> etree.XMLSchema:
    return _schema()


def assert_valid(schema: etree.XMLSchema, data: bytes) -> None:
    doc = etree.fromstring(data)
    if not schema.validate(doc):
        errors = "\n".join(str(e) for e in schema.error_log)
        raise AssertionError(f"not valid against the TS 103 120 XSDs:\n{errors}")


def export(request: ee.Request, **kw: Any) -> bytes:
    args: dict[str, Any] = {
        "sender": SENDER,
        "receiver": RECEIVER,
        "now": NOW,
        "transaction_id": TX,
    }
    args.update(kw)
    return to_hi1_xml(request, **args)


def request_of(doc: dict[str, Any]) -> ee.Request:
    return ee.parse_request(doc)


_FUZZ_REQUEST = ee.read_request(EXAMPLES / "emergency-disclosure.json")
_FUZZ_BASE = export(_FUZZ_REQUEST, document=PDF)


def test_the_oracle_rejects_what_the_standard_forbids(xsd: etree.XMLSchema) -> None:
    data = export(ee.read_request(EXAMPLES / "voluntary-disclosure.json"))
    assert_valid(xsd, data)
    no_micro = data.replace(b"2026-11-24T10:00:00.123456Z", b"2026-11-24T10:00:00Z")
    assert not xsd.validate(etree.fromstring(no_micro))
    bad_ldid = re.sub(rb"<task:Reference>[A-Z]{2}-", b"<task:Reference>fr-", data, count=1)
    assert bad_ldid != data
    assert not xsd.validate(etree.fromstring(bad_ldid))
    bad_phone = data.replace(b"<common:ApproverPhoneNumber>", b"<common:ApproverPhoneNumber>+", 1)
    assert not xsd.validate(etree.fromstring(bad_phone))


# --------------------------------------------------------------------------- every example


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("with_letter", [False, True])
def test_every_example_export_is_valid_and_round_trips(
    xsd: etree.XMLSchema, name: str, with_letter: bool
) -> None:
    request = ee.read_request(EXAMPLES / f"{name}.json")
    extra: dict[str, Any] = {"document": PDF} if with_letter else {}
    first = export(request, **extra)
    assert_valid(xsd, first)
    back = from_hi1_xml(first)
    assert back == request
    assert ee.canonical_bytes(back) == ee.canonical_bytes(request)
    again = export(back, **extra)
    assert again == first  # export -> import -> export gives the same bytes


@pytest.mark.parametrize("name", NAMES)
def test_message_structure_follows_the_request(name: str) -> None:
    request = ee.read_request(EXAMPLES / f"{name}.json")
    message = read_hi1(export(request, document=PDF))
    assert message.sender == SENDER
    assert message.receiver == RECEIVER
    assert message.transaction_id == TX
    assert message.timestamp == "2026-11-24T10:00:00.123456Z"
    assert message.etsi_version == "V1.15.1"
    assert set(message.actions) == {"CREATE"}
    (auth,) = message.authorisations
    assert auth.object_id == request.id
    assert auth.reference == request.case.reference
    assert auth.created == request.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    n = len(request.identifiers) * len(request.data.categories)
    assert len(message.tasks) == n
    preservation = request.kind in {
        "preservation",
        "preservation_extension",
        "eu_preservation_order",
        "preservation_24_7",
    }
    assert {t.kind for t in message.tasks} == {"LP" if preservation else "LD"}
    assert all(t.associated == (request.id,) for t in message.tasks)
    types = {t.request_type for t in message.tasks}
    wanted = {
        "subscriber": "SubscriberData",
        "user_identification": "UserIdentifyingData",
        "traffic": "TrafficData",
        "content": "StoredContentData",
    }
    assert types == {("ETSI", "RequestType", wanted[c]) for c in request.data.categories}
    letter, embedded = message.documents
    assert letter.contents == PDF
    assert letter.checksum == hashlib.sha256(PDF).hexdigest()
    assert letter.content_type == "application/pdf"
    assert embedded.contents == ee.canonical_bytes(request)
    assert embedded.document_type == ("eevidence", "DocumentType", "CanonicalRequest")
    summary = message.summary()
    assert json.loads(json.dumps(summary))["documents"][0]["size"] == len(PDF)


def test_eu_orders_use_the_epoc_dictionaries() -> None:
    production = read_hi1(export(ee.read_request(EXAMPLES / "eu-production-order.json")))
    (auth,) = production.authorisations
    assert auth.legal_type == ("ETSI", "EPOCLegalType", "EPOC")
    assert auth.priority is not None
    assert auth.priority[:2] == ("ETSI", "EPOCPriority")
    preservation_request = ee.read_request(EXAMPLES / "eu-preservation-order.json")
    preservation = read_hi1(export(preservation_request, document=PDF))
    assert preservation.authorisations[0].legal_type == ("ETSI", "EPOCLegalType", "EPOCPR")
    expiry = preservation_request.created_at + timedelta(days=60)
    assert {t.desired_expiration for t in preservation.tasks} == {
        expiry.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    }
    assert preservation.documents[0].document_type == ("ETSI", "EPOCDocumentType", "Form2")


def test_validated_emergency_order_carries_both_approvals(xsd: etree.XMLSchema) -> None:
    doc = example_doc("eu-production-order")
    doc["issuing_authority"]["type"] = "public_prosecutor"
    doc["issuing_authority"].pop("file_reference")
    doc["validating_authority"] = {
        "type": "judge",
        "name": "Tribunal judiciaire de Paris",
        "country": "FR",
        "representative": "Juge Marc Petit",
        "email": "cabinet.petit@justice.example.fr",
        "phone": "+33144000020",
        "validated_at": "2026-11-22T10:15:30.5+01:00",
    }
    doc["emergency"] = {
        "threat_nature": "A planned attack on a public event on 28 November 2026.",
        "why_without_delay": "The data identifies the person preparing the attack.",
    }
    doc.pop("confidentiality")
    doc["enforcing_authority"].pop("notified_at")
    request = request_of(doc)
    data = export(request)
    assert_valid(xsd, data)
    assert from_hi1_xml(data) == request
    root = etree.fromstring(data)
    common = "http://uri.etsi.org/03120/common/2016/02/Common"
    approvals = root.findall(f".//{{{AUTH}}}AuthorisationApprovalDetails")
    assert [a.findtext(f"{{{common}}}ApprovalType") for a in approvals] == [
        "IssuingAuthority",
        "ValidatingAuthority",
    ]
    assert approvals[0].findtext(f"{{{common}}}ApprovalIsEmergency") == "true"
    assert approvals[1].findtext(f"{{{common}}}ApprovalTimestamp") == "2026-11-22T09:15:30Z"
    roles = root.findall(f".//{{{common}}}ApproverRole")
    assert [r.text for r in roles] == ["PublicProsecutor", "JudgeCourtOrInvestigatingJudge"]
    (auth,) = read_hi1(data).authorisations
    assert auth.priority == ("ETSI", "EPOCPriority", "EightHours")
    assert auth.flags == (("ETSI", "AuthorisationFlag", "IsEmergency"),)


def test_no_flags_no_period_no_optional_contacts(xsd: etree.XMLSchema) -> None:
    doc = example_doc("voluntary-disclosure")
    doc.pop("confidentiality", None)
    doc.pop("period", None)
    doc["authority"]["officer"]["email"] = "a" * 250 + "@police.example.fr"
    request = request_of(doc)
    data = export(request)
    assert_valid(xsd, data)
    assert b"AuthorisationFlags" not in data
    assert b"AuthorisationTimespan" not in data
    assert b"ApproverEmailAddress" not in data  # longer than the 255 characters it allows
    assert from_hi1_xml(data) == request


# --------------------------------------------------------------------------- urgency

URGENCY_FLAG = ("eevidence", "UrgencyReason")
STATE_KINDS = ["mla-request", "preservation-24-7"]


def _urgency_variants(name: str) -> list[dict[str, Any] | None]:
    """No urgency, the example's, and every reason with a multi-line explanation and an
    answer time given with an offset."""
    every = {
        "reasons": [
            "trial_date",
            "terrorism",
            "preservation_expiring",
            "threat_to_life",
            "person_in_custody",
            "other",
        ],
        "explanation": "The hearing is on 3 March 2027.\nThe suspect is held: 4 days left.",
        "respond_by": "2027-02-01T00:00:00.75+01:00",
    }
    return [None, example_doc(name)["urgency"], every]


@pytest.mark.parametrize("name", STATE_KINDS)
@pytest.mark.parametrize("variant", [0, 1, 2])
def test_urgency_of_a_request_to_a_state_travels_and_round_trips(
    xsd: etree.XMLSchema, name: str, variant: int
) -> None:
    doc = example_doc(name)
    urgency = _urgency_variants(name)[variant]
    if urgency is None:
        doc.pop("urgency")
    else:
        doc["urgency"] = urgency
    request = request_of(doc)
    for extra in ({}, {"document": PDF}):
        data = export(request, **extra)
        assert_valid(xsd, data)
        back = from_hi1_xml(data)
        assert back == request
        assert getattr(back, "urgency", None) == getattr(request, "urgency", None)
        assert export(back, **extra) == data
    (auth,) = read_hi1(data).authorisations
    manual = (auth.manual_information or "").split("\n")
    assert manual[0] == f"Request kind: {request.kind}"
    reasons = [f for f in auth.flags if f[:2] == URGENCY_FLAG]
    if urgency is None:
        assert auth.priority is None
        assert reasons == []
        assert not any(line.startswith(("URGENT", "Respond by")) for line in manual)
        assert "urgency" not in hi1_draft(read_hi1(data))[0]
        return
    assert auth.priority == ("eevidence", "RequestPriority", "Urgent")
    assert [f[2] for f in reasons] == urgency["reasons"]
    assert auth.flags[-len(reasons) :] == tuple(reasons)  # after the ETSI flags
    assert ("ETSI", "AuthorisationFlag", "IsEmergency") not in auth.flags
    text = auth.manual_information or ""
    head = f"URGENT: {'; '.join(urgency['reasons'])}: {urgency['explanation']}"
    assert text.split("\n", 1)[1].startswith(head + "\n")
    if "respond_by" in urgency:
        assert head + "\nRespond by: 2027-01-31T23:00:00Z\nRequesting authority: " in text
    else:
        assert "Respond by" not in text
    # a message without the request document is drafted with the same urgency
    draft, notes = hi1_draft(read_hi1(data))
    assert notes == []
    assert draft["kind"] == request.kind
    expected = {k: urgency[k] for k in ("reasons", "explanation")}
    if "respond_by" in urgency:
        expected["respond_by"] = "2027-01-31T23:00:00Z"  # UTC, whole seconds
    assert draft["urgency"] == expected


def test_an_eu_production_order_keeps_the_epoc_priority() -> None:
    """Only kinds without EPOC deadlines get the eevidence priority."""
    request = ee.read_request(EXAMPLES / "eu-production-order.json")
    assert getattr(request, "urgency", None) is None  # the EU order has no urgency field
    (auth,) = read_hi1(export(request)).authorisations
    assert auth.priority == ("ETSI", "EPOCPriority", "TenDaysASAP")
    assert not [f for f in auth.flags if f[:2] == URGENCY_FLAG]


def test_a_changed_urgency_is_refused() -> None:
    data = export(ee.read_request(EXAMPLES / "mla-request.json"))
    flag = b"<common:Name>UrgencyReason</common:Name>\n                  <common:Value>"
    assert data.count(flag) == 2
    swapped = data.replace(flag + b"terrorism<", flag + b"threat_to_life<")
    with pytest.raises(Hi1Error, match="disagree") as err:
        from_hi1_xml(swapped)
    (problem,) = err.value.problems
    assert problem.path.endswith("/auth:AuthorisationFlag[2]/common:Value[1]")
    assert "threat_to_life" in problem.message
    no_priority = re.sub(
        rb"<auth:AuthorisationPriority>.*?</auth:AuthorisationPriority>\s*", b"", data, flags=re.S
    )
    assert no_priority != data
    with pytest.raises(Hi1Error, match="disagree"):
        from_hi1_xml(no_priority)
    later = data.replace(b"Respond by: 2027-01-31T23:00:00Z", b"Respond by: 2027-03-31T23:00:00Z")
    assert later != data
    with pytest.raises(Hi1Error, match="disagree"):
        from_hi1_xml(later)


def test_draft_of_urgency_flags_it_cannot_take() -> None:
    """An unknown reason is noted and left out; reasons on a kind without urgency too; a
    manual information that names other reasons gives no explanation."""
    data = export(ee.read_request(EXAMPLES / "mla-request.json"))
    odd = data.replace(b"<common:Value>preservation_expiring<", b"<common:Value>hurry<")
    draft, notes = hi1_draft(read_hi1(odd))
    assert draft["urgency"] == {"reasons": ["terrorism"]}  # the text names other reasons
    assert notes == ["urgency reason 'hurry' is not one a request takes: left out"]
    with pytest.raises(InputError) as err:
        ee.parse_request(draft)  # a person must say why
    assert "$.urgency.explanation" in [p.path for p in err.value.problems]
    voluntary = export(ee.read_request(EXAMPLES / "voluntary-disclosure.json"))
    flagged = voluntary.replace(
        b"</auth:AuthorisationFlags>",
        b"<auth:AuthorisationFlag><common:Owner>eevidence</common:Owner>"
        b"<common:Name>UrgencyReason</common:Name><common:Value>terrorism</common:Value>"
        b"</auth:AuthorisationFlag></auth:AuthorisationFlags>",
    )
    assert flagged != voluntary
    draft, notes = hi1_draft(read_hi1(flagged))
    assert draft["kind"] == "voluntary_disclosure"
    assert "urgency" not in draft
    assert notes == [
        "the authorisation gives reasons for urgency, and the drafted kind has no urgency: left out"
    ]


def test_declared_encodings(xsd: etree.XMLSchema) -> None:
    request = ee.read_request(EXAMPLES / "preservation.json")
    data = export(request)
    latin = data.decode("utf-8").replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
    assert from_hi1_xml(latin.encode("latin-1")) == request
    with pytest.raises(Hi1Error, match="decode"):
        read_hi1(data.replace(b'encoding="UTF-8"', b'encoding="NO-SUCH-8"'))


def test_preservation_expiration_from_the_days_asked() -> None:
    doc = example_doc("preservation")
    doc["preservation_days"] = 30
    doc["created_at"] = "2026-11-16T09:30:00+01:00"
    message = read_hi1(export(request_of(doc)))
    assert {t.desired_expiration for t in message.tasks} == {"2026-12-16T08:30:00Z"}
    doc.pop("preservation_days")
    message = read_hi1(export(request_of(doc)))
    assert {t.desired_expiration for t in message.tasks} == {None}


@pytest.mark.parametrize(
    ("name", "changes", "field"),
    [
        ("preservation", {"preservation_days": 90}, "$.preservation_days"),
        (
            "preservation-extension",
            {"current_expiry": "9999-12-01T00:00:00Z", "extension_days": 90},
            "$.extension_days",
        ),
        ("eu-preservation-order", {}, "$.created_at"),
    ],
)
def test_an_expiration_past_9999_is_an_hi1_error(
    name: str, changes: dict[str, Any], field: str
) -> None:
    doc = {**example_doc(name), "created_at": "9999-12-31T00:00:00Z", **changes}
    if name == "eu-preservation-order":
        doc["created_at"] = "9999-11-30T00:00:00Z"  # + 60 days (art. 11(1))
    request = request_of(doc)
    with pytest.raises(Hi1Error, match="after 9999-12-31") as caught:
        export(request)
    assert [p.path for p in caught.value.problems] == [field]


def test_cli_export_of_an_expiration_past_9999(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = {**example_doc("preservation"), "created_at": "9999-12-31T00:00:00Z"}
    doc["preservation_days"] = 90
    path = tmp_path / "far.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    capsys.readouterr()
    assert main(["export", "etsi", str(path), "-o", str(tmp_path / "far.xml")]) == 1
    err = capsys.readouterr().err
    assert "after 9999-12-31" in err
    assert "$.preservation_days" in err
    assert "Traceback" not in err
    assert not (tmp_path / "far.xml").exists()


def test_the_approvers_are_read_but_not_summarised() -> None:
    """Drafts read the approval types and the manual information; the summary (what
    ``eevidence import etsi --summary`` prints) stays as it was."""
    message = read_hi1(
        (ROOT / "tests" / "vectors" / "hi1" / "eu-production-order.xml").read_bytes()
    )
    (auth,) = message.authorisations
    assert auth.approval_types[0] == "IssuingAuthority"
    assert (auth.manual_information or "").startswith("Request kind: eu_production_order\n")
    authorisations = message.summary()["authorisations"]
    assert isinstance(authorisations, list)
    (summary,) = authorisations
    assert set(summary) == {
        "object_id",
        "reference",
        "legal_type",
        "priority",
        "start",
        "end",
        "created",
        "flags",
        "legal_entity",
    }
    assert read_hi1(FOREIGN).authorisations == ()


def test_a_foreign_order_is_drafted_as_an_order() -> None:
    """An ``IssuingAuthority`` approval makes the draft an order of the kinds table."""
    xml = export(ee.read_request(EXAMPLES / "protocol2-art7-order.json"))
    text = re.sub(rb"Request kind: [a-z0-9_]+", b"Subscriber information", xml)
    assert text != xml
    draft, notes = hi1_draft(read_hi1(text))
    assert draft["kind"] == "protocol2_art7_order"
    assert notes == []
    request = text.replace(b">IssuingAuthority<", b">RequestingAuthority<")
    assert hi1_draft(read_hi1(request))[0]["kind"] == "voluntary_disclosure"
    # the legal instrument tells the orders apart: CETS 224 art. 7 or a CLOUD Act agreement
    cloud = export(ee.read_request(EXAMPLES / "cloud-act-order.json"))
    cloud = re.sub(rb"Request kind: [a-z0-9_]+", b"Production order", cloud)
    draft, notes = hi1_draft(read_hi1(cloud))
    assert (draft["kind"], notes) == ("cloud_act_order", [])


# --------------------------------------------------------------------------- identifiers


def every_identifier_request() -> ee.Request:
    doc = example_doc("voluntary-disclosure")
    doc["identifiers"] = [
        {"type": "email", "value": "user@mail.example.com"},
        {"type": "email", "value": "usér@example.org"},
        {"type": "phone", "value": "+33612345678"},
        {"type": "username", "value": "night_fall", "service": "Instagram"},
        {"type": "account_id", "value": "1000234", "service": "Facebook"},
        {"type": "url", "value": "https://social.example/night_fall?tab=1&x=2"},
        {"type": "ip_address", "value": "203.0.113.7", "timestamp": "2026-11-02T21:14:07.5+01:00"},
        {
            "type": "ip_address",
            "value": "2001:db8::1",
            "port": 443,
            "timestamp": "2026-11-02T21:14:07Z",
        },
        {"type": "ip_range", "value": "198.51.100.0/24"},
        {"type": "ip_range", "value": "2001:db8::/32"},
        {"type": "imei", "value": "490154203237518"},
        {"type": "mac_address", "value": "00:1A:2B:3C:4D:5E"},
        {
            "type": "domain",
            "value": "example.org",
            "window": {"start": "2026-10-01T00:00:00Z", "end": "2026-10-02T00:00:00Z"},
        },
    ]
    doc["data"] = {"categories": ["subscriber"], "subscriber_details": ["user_information"]}
    return request_of(doc)


def test_every_identifier_type_maps_to_a_format(xsd: etree.XMLSchema) -> None:
    request = every_identifier_request()
    data = export(request)
    assert_valid(xsd, data)
    assert from_hi1_xml(data) == request
    values = [t.values[0] for t in read_hi1(data).tasks]
    assert values == [
        ("ETSI", "EmailAddress", "user@mail.example.com"),
        ("ETSI", "InternationalizedEmailAddress", "usér@example.org"),
        ("ETSI", "InternationalE164", "33612345678"),
        ("ETSI", "ServiceAccessIdentifier", "night_fall"),
        ("ETSI", "ServiceAccessIdentifier", "1000234"),
        ("eevidence", "URL", "https://social.example/night_fall?tab=1&x=2"),
        ("ETSI", "IPv4Address", "203.0.113.7"),
        ("ETSI", "IPv6Address", "2001:0db8:0000:0000:0000:0000:0000:0001"),
        ("ETSI", "IPv4CIDR", "198.51.100.0/24"),
        ("ETSI", "IPv6CIDR", "2001:0db8:0000:0000:0000:0000:0000:0000/32"),
        ("ETSI", "IMEICheckDigit", "490154203237518"),
        ("ETSI", "MACAddress", "00:1a:2b:3c:4d:5e"),
        ("eevidence", "DomainName", "example.org"),
    ]
    tasks = read_hi1(data).tasks
    assert tasks[6].observed == "2026-11-02T20:14:07Z"  # whole seconds, UTC
    assert tasks[12].start == "2026-10-01T00:00:00Z"
    root = etree.fromstring(data)
    subtypes = root.findall(f".//{{{TASK}}}RequestSubtype")
    assert len(subtypes) == 13
    assert {s[2].text for s in subtypes} == {"UserInformation"}


def test_long_texts_and_line_breaks_survive(xsd: etree.XMLSchema) -> None:
    doc = example_doc("preservation")
    long = "word " * 3999 + "end."
    doc["case"]["summary_of_facts"] = long
    doc["case"]["offence_description"] = long
    doc["justification"] = {
        "relation_to_offence": "first line\r\nsecond line\rthird  ",
        "necessity_and_proportionality": long,
    }
    doc["data"]["description"] = long
    request = request_of(doc)
    data = export(request)
    assert_valid(xsd, data)
    manual = etree.fromstring(data).find(f".//{{{AUTH}}}AuthorisationManualInformation")
    assert manual is not None
    assert manual.text is not None
    assert len(manual.text) == 65535
    assert manual.text.endswith("\u2026")
    assert from_hi1_xml(data) == request


def test_characters_xml_cannot_carry_are_replaced_in_the_readable_copy(
    xsd: etree.XMLSchema,
) -> None:
    doc = example_doc("preservation")
    doc["case"]["summary_of_facts"] = "bell \x07 here"
    doc["case"]["reference"] = "REF\x00-1"
    request = request_of(doc)
    data = export(request)
    assert_valid(xsd, data)
    assert "bell \ufffd here".encode() in data
    assert "<auth:AuthorisationReference>REF\ufffd-1<".encode() in data
    assert from_hi1_xml(data) == request  # the embedded request keeps the text as written


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_random_requests_export_valid_messages_that_round_trip(request: ee.Request) -> None:
    schema = _schema()
    data = export(request)
    assert_valid(schema, data)
    assert from_hi1_xml(data) == request
    assert export(from_hi1_xml(data)) == data


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 2**64), st.integers(1, 255)), min_size=1, max_size=4),
    st.one_of(st.none(), st.integers(0, 2**64)),
)
def test_mutated_messages_raise_only_our_errors(
    flips: list[tuple[int, int]], cut: int | None
) -> None:
    data = bytearray(_FUZZ_BASE)
    for pos, xor in flips:
        data[pos % len(data)] ^= xor
    if cut is not None:
        data = data[: cut % len(data)]
    try:
        message = read_hi1(bytes(data))
    except InputError:
        return
    json.dumps(message.summary())
    try:
        request = from_hi1_xml(bytes(data))
    except InputError:
        return
    # a mutation that left the request standing touched nothing the import relies on
    assert request == _FUZZ_REQUEST


def test_stray_text_and_foreign_elements_are_refused() -> None:
    data = export(ee.read_request(EXAMPLES / "preservation.json"))
    stray = data.replace(b"</SenderIdentifier>", b"</SenderIdentifier>note", 1)
    with pytest.raises(Hi1Error) as err:
        from_hi1_xml(stray)
    assert err.value.problems[-1].path.endswith("SenderIdentifier[1]/following-text()")
    foreign = data.replace(b"<task:Value>", b'<x:Value xmlns:x="urn:x">', 1).replace(
        b"</task:Value>", b"</x:Value>", 1
    )
    with pytest.raises(Hi1Error) as err:
        from_hi1_xml(foreign)
    assert any("{urn:x}Value" in p.path for p in err.value.problems)
    inner = data.replace(b"<Header>", b"<Header>text", 1)
    with pytest.raises(Hi1Error) as err:
        from_hi1_xml(inner)
    assert any(p.path.endswith("Header[1]/text()") for p in err.value.problems)
    rooted = data.replace(b"<Header>", b"root text<Header>", 1)
    with pytest.raises(Hi1Error) as err:
        from_hi1_xml(rooted)
    assert any(p.path == "HI1Message/text()" for p in err.value.problems)
    attributed = data.replace(b"<Header>", b'<Header id="1">', 1)
    with pytest.raises(Hi1Error) as err:
        from_hi1_xml(attributed)
    assert any(p.path.endswith("Header[1]/@id") for p in err.value.problems)
    on_root = data.replace(b"<HI1Message ", b'<HI1Message id="1" ', 1)
    with pytest.raises(Hi1Error) as err:
        from_hi1_xml(on_root)
    assert [p.path for p in err.value.problems] == ["HI1Message/@id"]


def test_deep_nesting_is_refused() -> None:
    deep = f'<HI1Message xmlns="{CORE}">'.encode() + b"<a>" * 40 + b"</a>" * 40 + b"</HI1Message>"
    with pytest.raises(Hi1Error, match="nested deeper"):
        read_hi1(deep)


# --------------------------------------------------------------------------- arguments


def test_endpoint_and_argument_checks() -> None:
    assert Hi1Endpoint.parse("FR:PJ:CYBER") == Hi1Endpoint("FR", "PJ:CYBER")
    assert str(Hi1Endpoint("FR", "PJ")) == "FR:PJ"
    with pytest.raises(Hi1Error, match="COUNTRY:IDENTIFIER"):
        Hi1Endpoint.parse("PJ")
    with pytest.raises(Hi1Error, match="two capital letters"):
        Hi1Endpoint("fr", "PJ")
    with pytest.raises(Hi1Error, match="unique identifier"):
        Hi1Endpoint("FR", "")
    request = ee.read_request(EXAMPLES / "preservation.json")
    with pytest.raises(Hi1Error, match="transaction id"):
        export(request, transaction_id="C02358B2-76CF-4BA4-A8EB-F6436CCAEA2E")
    with pytest.raises(Hi1Error, match="PDF"):
        export(request, document=b"<html>")
    with pytest.raises(InputError, match="naive"):
        export(request, now=datetime(2026, 11, 24, 10, 0))
    with pytest.raises(Hi1Error, match="out of range"):  # not the OverflowError of astimezone
        export(request, now=datetime(1, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))))
    text = export(request, document=b"plain", document_content_type="text/plain")
    assert read_hi1(text).documents[0].content_type == "text/plain"
    fresh = read_hi1(to_hi1_xml(request, sender=SENDER, receiver=RECEIVER, now=NOW))
    assert re.fullmatch(r"[0-9a-f-]{36}", fresh.transaction_id)
    paris = timezone(timedelta(hours=1))
    assert read_hi1(export(request, now=NOW.astimezone(paris))).timestamp == (
        "2026-11-24T10:00:00.123456Z"
    )


# --------------------------------------------------------------------------- import checks


def test_a_changed_field_is_refused_with_its_path() -> None:
    data = export(ee.read_request(EXAMPLES / "preservation.json"))
    changed = data.replace(
        b"<task:Value>nightfall_2026</task:Value>", b"<task:Value>x</task:Value>"
    )
    assert changed != data
    with pytest.raises(Hi1Error, match="disagree") as err:
        from_hi1_xml(changed)
    paths = [p.path for p in err.value.problems]
    assert len(paths) == 3  # one task per data category for that identifier
    assert all(p.endswith("/task:RequestValue[1]/task:Value[1]") for p in paths)
    assert "'x'" in err.value.diagnostics()


def test_removed_and_added_objects_are_refused() -> None:
    data = export(ee.read_request(EXAMPLES / "voluntary-disclosure.json"))
    without_flags = re.sub(
        rb"<auth:AuthorisationFlags>.*?</auth:AuthorisationFlags>\s*", b"", data, flags=re.S
    )
    assert without_flags != data
    with pytest.raises(Hi1Error) as err:
        from_hi1_xml(without_flags)
    assert any("missing from the message" in p.message for p in err.value.problems)
    extra = data.replace(
        b"<auth:AuthorisationJurisdiction>",
        b"<auth:AuthorisationManualInformation>more</auth:AuthorisationManualInformation>"
        b"<auth:AuthorisationJurisdiction>",
    )
    with pytest.raises(Hi1Error) as err:
        from_hi1_xml(extra)
    assert err.value.problems


def test_changed_documents_are_refused() -> None:
    request = ee.read_request(EXAMPLES / "preservation.json")
    data = export(request, document=PDF)
    good = base64.b64encode(PDF)
    bad = base64.b64encode(PDF.replace(b"signed", b"forged"))
    with pytest.raises(Hi1Error, match="checksum"):
        read_hi1(data.replace(good, bad))
    with pytest.raises(Hi1Error, match="base64"):
        read_hi1(data.replace(good, b"!!!"))
    sha = hashlib.sha256(PDF).hexdigest().encode()
    with pytest.raises(Hi1Error, match="checksum type"):
        read_hi1(data.replace(b"<doc:ChecksumType>SHA-256", b"<doc:ChecksumType>MD5"))
    # a request document whose checksum was recomputed still has to match the fields
    doc = example_doc("preservation")
    doc["justification"]["relation_to_offence"] = "rewritten"
    other = ee.canonical_bytes(request_of(doc))
    canon = ee.canonical_bytes(request)
    swapped = data.replace(base64.b64encode(canon), base64.b64encode(other)).replace(
        hashlib.sha256(canon).hexdigest().encode(), hashlib.sha256(other).hexdigest().encode()
    )
    assert swapped != data
    assert sha in swapped
    with pytest.raises(Hi1Error, match="disagree"):
        from_hi1_xml(swapped)
    no_sum = data.replace(
        b"<doc:Checksum>" + hashlib.sha256(canon).hexdigest().encode(), b"<doc:Checksum>"
    )
    with pytest.raises(Hi1Error):
        read_hi1(no_sum)


def test_prefixes_and_whitespace_do_not_matter() -> None:
    request = ee.read_request(EXAMPLES / "eu-production-order.json")
    data = export(request, document=PDF)
    renamed = (
        data.replace(b"xmlns:task=", b"xmlns:t=")
        .replace(b"<task:", b"<t:")
        .replace(b"</task:", b"</t:")
        .replace(b'xsi:type="task:', b'xsi:type="t:')
    )
    # base64 wrapped at 76 columns, as some tools write it
    encoded = base64.b64encode(PDF)
    wrapped = b"\n".join(encoded[i : i + 20] for i in range(0, len(encoded), 20))
    renamed = renamed.replace(encoded, wrapped)
    assert from_hi1_xml(renamed) == request
    compact = re.sub(rb">\s+<", b"><", data)
    assert from_hi1_xml(compact) == request


FOREIGN = f"""<?xml version="1.0"?>
<HI1Message xmlns="{CORE}" xmlns:c="http://uri.etsi.org/03120/common/2016/02/Common"
    xmlns:task="{TASK}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <Header>
    <SenderIdentifier><CountryCode>XX</CountryCode><UniqueIdentifier>ACTOR01</UniqueIdentifier></SenderIdentifier>
    <ReceiverIdentifier><CountryCode>GB</CountryCode><UniqueIdentifier>TestRPS</UniqueIdentifier></ReceiverIdentifier>
    <TransactionIdentifier>{TX}</TransactionIdentifier>
    <Timestamp>2015-09-01T12:00:00.000000Z</Timestamp>
    <Version><ETSIVersion>V1.15.1</ETSIVersion><NationalProfileOwner>XX</NationalProfileOwner>
      <NationalProfileVersion>v1.0</NationalProfileVersion></Version>
  </Header>
  <Payload><RequestPayload><ActionRequests>
    <ActionRequest><ActionIdentifier>0</ActionIdentifier><CREATE>
      <HI1Object xsi:type="task:LDTaskObject">
        <ObjectIdentifier>2b36a78b-b628-416d-bd22-404e68a0cd36</ObjectIdentifier>
        <task:Reference>XX-ACTOR01-1234</task:Reference>
        <task:RequestDetails>
          <task:Type><c:Owner>ETSI</c:Owner><c:Name>RequestType</c:Name><c:Value>SubscriberData</c:Value></task:Type>
          <task:RequestValues><task:RequestValue>
            <task:FormatType><task:FormatOwner>ETSI</task:FormatOwner><task:FormatName>InternationalE164</task:FormatName></task:FormatType>
            <task:Value>442079460223</task:Value>
          </task:RequestValue></task:RequestValues>
        </task:RequestDetails>
      </HI1Object>
    </CREATE></ActionRequest>
    <ActionRequest><ActionIdentifier>1</ActionIdentifier><GET>
      <Identifier>2b36a78b-b628-416d-bd22-404e68a0cd36</Identifier>
    </GET></ActionRequest>
  </ActionRequests></RequestPayload></Payload>
</HI1Message>
""".encode()


def test_foreign_messages_are_read_but_not_imported(xsd: etree.XMLSchema) -> None:
    assert_valid(xsd, FOREIGN)
    message = read_hi1(FOREIGN)
    assert message.actions == ("CREATE", "GET")
    (task,) = message.tasks
    assert task.kind == "LD"
    assert task.reference == "XX-ACTOR01-1234"
    assert task.request_type == ("ETSI", "RequestType", "SubscriberData")
    assert task.values == (("ETSI", "InternationalE164", "442079460223"),)
    assert message.profile_owner == "XX"
    with pytest.raises(Hi1Error, match="no eevidence request document"):
        from_hi1_xml(FOREIGN)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', "DTD"),
        (b'<!DOCTYPE HI1Message SYSTEM "http://example.org/evil.dtd"><HI1Message/>', "DTD"),
        (b"<HI1Message", "well-formed"),
        (b"<other/>", "not an HI1Message"),
        (f'<HI1Message xmlns="{CORE}"/>'.encode(), "no Header"),
        (f'<HI1Message xmlns="{CORE}"><Header/></HI1Message>'.encode(), "no sender"),
        (
            f'<HI1Message xmlns="{CORE}"><Header><SenderIdentifier><CountryCode>fr</CountryCode>'
            f"<UniqueIdentifier>x</UniqueIdentifier></SenderIdentifier></Header>"
            f"</HI1Message>".encode(),
            "sender: ",
        ),
        (
            f'<HI1Message xmlns="{CORE}"><Header/><Payload><RequestPayload><ActionRequests>'
            f"<ActionRequest><ActionIdentifier>0</ActionIdentifier></ActionRequest>"
            f"</ActionRequests></RequestPayload></Payload></HI1Message>".encode(),
            "no known action",
        ),
    ],
)
def test_hostile_and_broken_messages_are_refused(data: bytes, reason: str) -> None:
    with pytest.raises(Hi1Error, match=reason):
        read_hi1(data)


def test_oversized_message_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("eevidence.hi1._xml.MAX_MESSAGE_BYTES", 10)
    with pytest.raises(Hi1Error, match="larger than"):
        read_hi1(b"<HI1Message>  </HI1Message>")


# --------------------------------------------------------------------------- command line


def test_cli_export_and_import(
    tmp_path: Path, xsd: etree.XMLSchema, capsys: pytest.CaptureFixture[str]
) -> None:
    source = EXAMPLES / "emergency-disclosure.json"
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(PDF)
    msg = tmp_path / "msg.xml"
    assert (
        main(
            [
                "export",
                "etsi",
                str(source),
                "-o",
                str(msg),
                "--sender",
                "FR:PJ-CYBER",
                "--document",
                str(letter),
                "--transaction-id",
                TX,
            ]
        )
        == 0
    )
    assert "to " in capsys.readouterr().err
    data = msg.read_bytes()
    assert_valid(xsd, data)
    message = read_hi1(data)
    assert message.sender == SENDER
    request = ee.read_request(source)
    assert message.receiver.unique_id == request.provider
    assert message.documents[0].name == "letter.pdf"

    out = tmp_path / "back.json"
    assert main(["import", "etsi", str(msg), "-o", str(out)]) == 0
    assert ee.read_request(out) == request
    capsys.readouterr()
    assert main(["import", "etsi", str(msg)]) == 0
    assert ee.parse_request(capsys.readouterr().out) == request
    assert main(["import", "etsi", str(msg), "--summary"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["sender"] == "FR:PJ-CYBER"
    assert summary["documents"][0]["size"] == len(PDF)


def test_cli_defaults_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    msg = tmp_path / "msg.xml"
    assert main(["export", "etsi", str(EXAMPLES / "preservation.json"), "-o", str(msg)]) == 0
    message = read_hi1(msg.read_bytes())
    request = ee.read_request(EXAMPLES / "preservation.json")
    assert message.sender == Hi1Endpoint(request.authority.country, request.authority.name)
    profile = ee.load_providers().get("meta")
    seat = profile.headquarters.value if profile.headquarters.known else None
    assert message.receiver == Hi1Endpoint(seat or "XX", "meta")  # the profile's seat, if known
    assert (
        main(
            [
                "export",
                "etsi",
                str(EXAMPLES / "preservation.json"),
                "-o",
                str(msg),
                "--receiver",
                "meta",
            ]
        )
        == 2
    )
    assert "--receiver" in capsys.readouterr().err
    missing = tmp_path / "missing.pdf"
    code = main(
        [
            "export",
            "etsi",
            str(EXAMPLES / "preservation.json"),
            "-o",
            str(msg),
            "--document",
            str(missing),
        ]
    )
    assert code == 1
    assert "cannot read file" in capsys.readouterr().err
    tampered = tmp_path / "tampered.xml"
    tampered.write_bytes(msg.read_bytes().replace(b"PJ-CT-2026-0147", b"PJ-CT-2026-9999"))
    assert main(["import", "etsi", str(tampered)]) == 1
    assert "disagree" in capsys.readouterr().err


def test_cli_refuses_oversized_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("eevidence._cli._etsi.MAX_MESSAGE_BYTES", 8)
    big = tmp_path / "big.xml"
    big.write_bytes(b"<HI1Message/>")
    assert main(["import", "etsi", str(big)]) == 1
    assert "larger than" in capsys.readouterr().err


def test_provider_with_known_seat_is_the_default_receiver() -> None:
    from eevidence._cli._etsi import default_receiver

    registry = ee.load_providers()
    for profile in registry.profiles.values():
        seat = profile.value(profile.headquarters, include_secondary=True)
        if seat:
            doc = example_doc("preservation")
            doc["provider"] = profile.id
            assert default_receiver(request_of(doc)) == Hi1Endpoint(seat, profile.id)
            return
    pytest.fail("no provider profile states its seat")


# --------------------------------------------------------------------------- golden messages

VECTORS = Path(__file__).parent / "vectors" / "hi1"


def test_golden_messages_are_current(tmp_path: Path) -> None:
    """The committed messages are exactly what the export writes today."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_hi1_vectors.py"), str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    fresh = sorted(p.name for p in tmp_path.glob("*.xml"))
    assert fresh == sorted(p.name for p in VECTORS.glob("*.xml"))
    assert len(fresh) == len(NAMES)
    for name in fresh:
        assert (tmp_path / name).read_bytes() == (VECTORS / name).read_bytes(), (
            f"{name} changed: if on purpose, run python scripts/gen_hi1_vectors.py"
        )


@pytest.mark.parametrize("name", NAMES)
def test_golden_messages_validate_and_import(xsd: etree.XMLSchema, name: str) -> None:
    data = (VECTORS / f"{name}.xml").read_bytes()
    assert_valid(xsd, data)
    assert from_hi1_xml(data) == ee.read_request(EXAMPLES / f"{name}.json")


# --------------------------------------------------------------------------- drafts


def _foreign_with(values: list[tuple[str, str, str]], extra: str = "") -> bytes:
    rv = "".join(
        f"<task:RequestValue><task:FormatType><task:FormatOwner>{o}</task:FormatOwner>"
        f"<task:FormatName>{n}</task:FormatName></task:FormatType>"
        f"<task:Value>{v}</task:Value></task:RequestValue>"
        for o, n, v in values
    )
    text = FOREIGN.decode()
    start = text.index("<task:RequestValues>") + len("<task:RequestValues>")
    end = text.index("</task:RequestValues>")
    text = text[:start] + rv + text[end:]
    return text.replace("<task:RequestValues>", extra + "<task:RequestValues>").encode()


def test_draft_from_a_foreign_message(xsd: etree.XMLSchema) -> None:
    data = _foreign_with(
        [
            ("ETSI", "InternationalE164", "442079460223"),
            ("ETSI", "IMEI", "49015420323751"),
            ("ETSI", "IPv6Address", "2001:0db8:0000:0000:0000:0000:0000:0001"),
            ("ETSI", "IPv4CIDR", "198.51.100.0/24"),
            ("ETSI", "IMSI", "234150999999999"),
            ("ETSI", "IPv4Address", "not-an-address"),
            ("ETSI", "EmailAddress", "a@example.org"),
            ("ETSI", "MACAddress", "00:1a:2b:3c:4d:5e"),
            ("ETSI", "ServiceAccessIdentifier", "night_fall"),
            ("eevidence", "URL", "https://social.example/x"),
            ("eevidence", "DomainName", "example.org"),
            ("ETSI", "IMEICheckDigit", "490154203237518"),
        ],
        extra="<task:StartTime>2026-10-01T00:00:00Z</task:StartTime>"
        "<task:EndTime>2026-10-02T00:00:00Z</task:EndTime>"
        "<task:ObservedTime>2026-10-01T12:00:00Z</task:ObservedTime>",
    )
    assert_valid(xsd, data)
    draft, notes = hi1_draft(read_hi1(data))
    window = {"start": "2026-10-01T00:00:00Z", "end": "2026-10-02T00:00:00Z"}
    assert draft["kind"] == "voluntary_disclosure"
    assert "provider" not in draft  # "TestRPS" is no provider id
    assert draft["data"] == {"categories": ["subscriber"]}
    assert draft["identifiers"] == [
        {"type": "phone", "value": "+442079460223", "window": window},
        {"type": "imei", "value": "490154203237518", "window": window},
        {
            "type": "ip_address",
            "value": "2001:db8::1",
            "timestamp": "2026-10-01T12:00:00Z",
            "window": window,
        },
        {"type": "ip_range", "value": "198.51.100.0/24", "window": window},
        {"type": "email", "value": "a@example.org", "window": window},
        {"type": "mac_address", "value": "00:1a:2b:3c:4d:5e", "window": window},
        {"type": "account_id", "value": "night_fall", "window": window},
        {"type": "url", "value": "https://social.example/x", "window": window},
        {"type": "domain", "value": "example.org", "window": window},
    ]
    assert len(notes) == 2
    assert "ETSI/IMSI" in notes[0]
    assert "ETSI/IPv4Address" in notes[1]


@pytest.mark.parametrize("name", NAMES)
def test_draft_of_an_eevidence_message_keeps_what_hi1_carries(name: str) -> None:
    request = ee.read_request(EXAMPLES / f"{name}.json")
    draft, notes = hi1_draft(read_hi1((VECTORS / f"{name}.xml").read_bytes()))
    assert notes == []
    assert draft["id"] == request.id
    assert draft["case"] == {"reference": request.case.reference}
    assert draft["provider"] == "provider"  # the receiver the vectors were written for
    assert draft["data"] == {"categories": list(request.data.categories)}
    assert len(draft["identifiers"]) == len(request.identifiers)  # type: ignore[arg-type]
    assert draft["kind"] == request.kind  # the approver and the manual information tell
    if request.kind == "preservation":
        assert draft["preservation_days"] == request.preservation_days
    urgency = getattr(request, "urgency", None)
    if urgency is not None:
        drafted = draft["urgency"]
        assert isinstance(drafted, dict)
        assert drafted["reasons"] == list(urgency.reasons)
        assert drafted["explanation"] == urgency.explanation
    else:
        assert "urgency" not in draft
    with pytest.raises(InputError):
        ee.parse_request(draft)  # HI-1 has no officer, justification or language


def test_draft_leaves_out_what_it_cannot_compute() -> None:
    """Values no request field can take are left out (or noted), never raised about."""
    data = _foreign_with([("ETSI", "IMEI", "4901542032375\u00b2")])  # isdigit(), not a digit
    draft, notes = hi1_draft(read_hi1(data))
    assert "identifiers" not in draft
    assert len(notes) == 1
    assert "ETSI/IMEI" in notes[0]
    golden = (VECTORS / "preservation.xml").read_bytes()
    assert hi1_draft(read_hi1(golden))[0]["preservation_days"] == 90
    naive = golden.replace(
        b"Z</task:DesiredPreservationExpiration>", b"</task:DesiredPreservationExpiration>"
    )
    assert naive != golden
    draft, _ = hi1_draft(read_hi1(naive))  # a naive expiration, an aware creation time
    assert draft["kind"] == "preservation"
    assert "preservation_days" not in draft


def test_cli_draft(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    msg = tmp_path / "foreign.xml"
    msg.write_bytes(_foreign_with([("ETSI", "IMSI", "234150999999999")]))
    out = tmp_path / "draft.json"
    assert main(["import", "etsi", str(msg), "--draft", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "note: task" in err
    assert "draft to complete" in err
    assert "$.authority" in err
    assert json.loads(out.read_text(encoding="utf-8"))["kind"] == "voluntary_disclosure"
    assert main(["import", "etsi", str(VECTORS / "preservation.xml"), "--draft"]) == 0
    assert json.loads(capsys.readouterr().out)["preservation_days"] == 90


def test_draft_that_is_complete(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    request = ee.read_request(EXAMPLES / "preservation.json")
    full = json.loads(ee.canonical_bytes(request))
    monkeypatch.setattr("eevidence._cli._etsi.hi1_draft", lambda message: (full, []))
    assert main(["import", "etsi", str(VECTORS / "preservation.xml"), "--draft"]) == 0
    assert "complete, valid request" in capsys.readouterr().err
