"""The kinds table: one row per request kind, read by every place that dispatches on kind.

Adding a request kind is its literal, its model, a row in ``eevidence.request.kinds.KINDS``
and the catalogue texts its letter needs. These tests fail until every part of the chain
handles it: the table itself (one row per literal, one model per row), the checker, the
letter in every language, the HI-1 export and import, the deadlines and the submission API
path. A table with a row missing is shown to be caught.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any, get_args

import httpx
import pytest

import eevidence.request.kinds as kinds_module
from eevidence.errors import InputError, LifecycleError
from eevidence.hi1 import Hi1Endpoint, from_hi1_xml, read_hi1, to_hi1_xml
from eevidence.letter import LANGUAGES, build_letter, catalogue, render_letter
from eevidence.provider import RULES, check, law_facts, load_providers
from eevidence.request import (
    KINDS,
    REQUEST_KINDS,
    EmergencyDetails,
    KindSpec,
    PreservationRequest,
    Request,
    emergency_details,
    is_emergency,
    kind_spec,
    parse_request,
)
from eevidence.submit import ApiChannel
from eevidence.tracking import (
    PRESERVATION_KINDS,
    Event,
    EventName,
    Terms,
    apply_event,
    deadlines_of,
    terms_for,
    tracked_from_request,
)
from tests.helpers import EXAMPLES, example_doc

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TX = "c02358b2-76cf-4ba4-a8eb-f6436ccaea2e"
SENDER = Hi1Endpoint("FR", "PJ-CYBER")
PDF = b"%PDF-1.7\n% a letter stands here\n%%EOF\n"
BASE = "https://provider.example/le"
REGISTRY = load_providers()
MODELS: tuple[type[Any], ...] = get_args(get_args(Request)[0])
"""The members of the ``Request`` union."""
TABLE: dict[str, KindSpec] = {str(kind): spec for kind, spec in KINDS.items()}
"""The kinds table as a plain dict, to take apart."""
EMERGENCY = {"threat_nature": "a hostage is held", "why_without_delay": "the deadline is tonight"}


def example_name(kind: str) -> str:
    return kind.replace("_", "-")


def example(kind: str, **changes: Any) -> Request:
    """The shipped example of ``kind`` (``examples/requests/<kind>.json``), with changes."""
    return parse_request({**example_doc(example_name(kind)), **changes})


# --------------------------------------------------------------------------- the table


def table_problems(table: Mapping[str, KindSpec]) -> list[str]:
    """Everything wrong with a kinds table: missing or extra rows, models, inconsistent rows."""
    problems = [f"{kind}: no row in the kinds table" for kind in REQUEST_KINDS if kind not in table]
    models = Counter(spec.model for spec in table.values())
    problems += [
        f"{model.__name__}: in the Request union but no row's model"
        for model in MODELS
        if model not in models
    ]
    if list(table) != [kind for kind in REQUEST_KINDS if kind in table]:
        problems.append("rows are not in the order of RequestKind")
    for key, spec in table.items():
        fields = spec.model.model_fields
        if key not in REQUEST_KINDS:
            problems.append(f"{key}: not a RequestKind literal")
        if spec.kind != key:
            problems.append(f"{key}: the row says kind {spec.kind!r}")
        if spec.model not in MODELS:
            problems.append(f"{key}: {spec.model.__name__} is not in the Request union")
        elif get_args(fields["kind"].annotation) != (key,):
            problems.append(f"{key}: {spec.model.__name__} is not the model of this kind")
        if models[spec.model] > 1:
            problems.append(f"{key}: {spec.model.__name__} is the model of several rows")
        problems += [f"{key}: {why}" for why in _row_problems(spec, fields)]
    return problems


def _row_problems(spec: KindSpec, fields: Mapping[str, Any]) -> list[str]:
    """The row's values against each other and against its model's fields."""
    preservation = spec.family == "preservation"
    emergency = fields.get("emergency")
    expected_emergency = (
        "never" if emergency is None else "always" if emergency.is_required() else "field"
    )
    checks = {
        "LP tasks are the preservation family's": (spec.hi1_task == "LP") == preservation,
        "the API path follows the family": spec.api_path
        == ("preservation" if preservation else "production"),
        "EU orders, and only they, have an EPOC form": (spec.epoc_form is not None)
        == spec.eu_order,
        "EU orders, and only they, have an EPOC legal type": (spec.hi1_legal_type != "instrument")
        == spec.eu_order,
        "EU orders, and only they, run on the Regulation's clocks": spec.deadlines.startswith("eu_")
        == spec.eu_order,
        "an EU order is an order": spec.order or not spec.eu_order,
        "an order, and only it, has an issuing authority": spec.order
        == ("issuing_authority" in fields),
        f"emergency is {expected_emergency!r} by the model": spec.emergency == expected_emergency,
        "the row cites its sources": bool(spec.sources) and all(spec.sources),
        "letter sections are catalogue keys": all(
            key.startswith("section.") for key in spec.letter_sections
        ),
    }
    return [f"{name} (row: {spec})" for name, ok in checks.items() if not ok]


def test_the_table_has_one_row_per_kind_and_model() -> None:
    assert table_problems(TABLE) == []
    assert tuple(KINDS) == REQUEST_KINDS
    rows = kinds_module._ROWS
    assert len(rows) == len(KINDS) == len(REQUEST_KINDS) == len(MODELS)


def test_a_missing_row_is_detected() -> None:
    table = {kind: spec for kind, spec in TABLE.items() if kind != "voluntary_disclosure"}
    problems = table_problems(table)
    assert "voluntary_disclosure: no row in the kinds table" in problems
    assert "VoluntaryDisclosureRequest: in the Request union but no row's model" in problems


def test_a_fake_extra_row_is_detected() -> None:
    fake = dataclasses.replace(KINDS["preservation"], kind="bogus")  # type: ignore[arg-type]
    problems = table_problems({**TABLE, "bogus": fake})
    assert "bogus: not a RequestKind literal" in problems
    assert "bogus: PreservationRequest is not the model of this kind" in problems
    assert "preservation: PreservationRequest is the model of several rows" in problems
    wrong = dataclasses.replace(KINDS["eu_production_order"], emergency="never", api_path="x")  # type: ignore[arg-type]
    problems = table_problems({**TABLE, "eu_production_order": wrong})
    assert any("emergency is 'field' by the model" in p for p in problems)
    assert any("the API path follows the family" in p for p in problems)


def test_every_dispatch_reads_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the row of a kind gone, every dispatch on that kind refuses it by name."""
    request = example("voluntary_disclosure")
    profile = REGISTRY.get(request.provider)
    table = {kind: spec for kind, spec in KINDS.items() if kind != request.kind}
    monkeypatch.setattr(kinds_module, "KINDS", MappingProxyType(table))
    dispatches: dict[str, Callable[[], object]] = {
        "kinds": lambda: kind_spec(request.kind),
        "emergency": lambda: is_emergency(request),
        "checker": lambda: check(request, profile, now=NOW),
        "letter": lambda: build_letter(request, lang="en"),
        "deadline terms": lambda: terms_for(request, profile, law_facts()),
        "tracking": lambda: tracked_from_request(request, profile, now=NOW),
        "API path": lambda: ApiChannel(BASE, token=None, client=_client()).endpoint(request),
        "HI-1": lambda: to_hi1_xml(
            request, sender=Hi1Endpoint("FR", "PJ"), receiver=Hi1Endpoint("IE", "x"), now=NOW
        ),
        "profile requirements": lambda: profile.required_for(request.kind),
    }
    refused: dict[str, str] = {}
    for name, dispatch in dispatches.items():
        try:
            dispatch()
        except InputError as exc:
            refused[name] = str(exc)
    assert set(refused) == set(dispatches), "these did not read the kinds table: " + ", ".join(
        sorted(set(dispatches) - set(refused))
    )
    assert all("unknown request kind 'voluntary_disclosure'" in m for m in refused.values())


def _client() -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(500)))


def test_an_unknown_kind_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown request kind 'nope'") as caught:
        kind_spec("nope")
    assert "preservation, preservation_extension" in caught.value.diagnostics()


# --------------------------------------------------------------------------- every dispatch


def test_every_kind_has_an_example() -> None:
    shipped = sorted(p.stem for p in EXAMPLES.glob("*.json"))
    assert shipped == sorted(example_name(kind) for kind in REQUEST_KINDS)


@pytest.mark.parametrize("kind", REQUEST_KINDS)
def test_the_example_is_checked(kind: str) -> None:
    request = example(kind)
    assert request.kind == kind
    assert isinstance(request, kind_spec(kind).model)
    report = check(request, REGISTRY.get(request.provider), now=NOW)
    assert report.request_id == request.id
    assert {f.code for f in report.findings} <= set(RULES)


@pytest.mark.parametrize("kind", REQUEST_KINDS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_letter_has_every_text_in_every_language(kind: str, lang: str) -> None:
    spec = kind_spec(kind)
    t = catalogue(lang)
    assert set(spec.letter_keys) <= t.keys(), sorted(set(spec.letter_keys) - t.keys())
    # with every optional part of the kind set, each of its sections is printed
    extra = {"emergency": EMERGENCY} if spec.emergency == "field" else {}
    request = example(kind, **extra)
    letter = build_letter(request, lang=lang)
    assert letter.title == t(f"kind.{kind}")
    titles = [section.title for section in letter.sections]
    for key in spec.letter_sections:
        assert t(key) in titles, key
    assert t("section.addressee_eu" if spec.eu_order else "section.addressee") in titles
    issuer = getattr(request, "issuing_authority", request.authority).name
    assert letter.intro == t(f"intro.{kind}", authority=issuer, provider=request.provider)
    assert render_letter(request, fmt="txt", lang=lang).startswith(request.authority.name.encode())


@pytest.mark.parametrize("kind", REQUEST_KINDS)
def test_the_pdf_letter_renders(kind: str) -> None:
    assert render_letter(example(kind), fmt="pdf", lang="en").startswith(b"%PDF-")


@pytest.mark.parametrize("kind", REQUEST_KINDS)
def test_hi1_export_follows_the_row_and_reads_back(kind: str) -> None:
    spec = kind_spec(kind)
    request = example(kind)
    receiver = Hi1Endpoint("IE", request.provider)
    xml = to_hi1_xml(
        request, sender=SENDER, receiver=receiver, now=NOW, transaction_id=TX, document=PDF
    )
    assert from_hi1_xml(xml) == request
    message = read_hi1(xml)
    assert {task.kind for task in message.tasks} == {spec.hi1_task}
    (auth,) = message.authorisations
    legal: tuple[str, str, str]
    if spec.hi1_legal_type == "instrument":
        legal = ("eevidence", "LegalInstrument", request.legal_basis[0].instrument)
    else:
        legal = ("ETSI", "EPOCLegalType", spec.hi1_legal_type)
    assert auth.legal_type == legal
    assert (("ETSI", "AuthorisationFlag", "IsEmergency") in auth.flags) == is_emergency(request)
    letter = message.documents[0]
    expected = (
        ("ETSI", "EPOCDocumentType", spec.epoc_form)
        if spec.epoc_form
        else ("eevidence", "DocumentType", "RequestLetter")
    )
    assert letter.document_type == expected


@pytest.mark.parametrize("kind", REQUEST_KINDS)
def test_deadlines_follow_the_row(kind: str) -> None:
    spec = kind_spec(kind)
    request = example(kind)
    profile = REGISTRY.get(request.provider)
    now = request.created_at + timedelta(days=1)
    tracked = tracked_from_request(request, profile, now=now)
    assert tracked.kind == kind
    assert tracked.emergency == is_emergency(request) == (spec.emergency == "always")
    assert tracked.terms == terms_for(request, profile, law_facts())
    assert (kind in PRESERVATION_KINDS) == (spec.family == "preservation")
    eu = law_facts().eu_regulation_2023_1543
    terms = tracked.terms
    if spec.deadlines == "eu_art10_production":
        assert terms.response_hours == eu.production_deadline_days * 24
        assert terms.basis == "Regulation (EU) 2023/1543 art. 10"
    elif spec.deadlines == "eu_art11_preservation":
        assert (terms.preservation_days, terms.extension_days, terms.max_extensions) == (
            eu.preservation_days,
            eu.preservation_extension_days,
            1,
        )
    elif spec.deadlines == "provider_preservation":
        assert terms.preservation_days is not None
        assert terms.basis.startswith(f"provider profile {profile.id}")
    else:
        assert terms == Terms()
    submitted = apply_event(
        tracked, Event("submitted", request.created_at + timedelta(hours=1), "o"), now=now
    )
    due = {d.kind for d in deadlines_of(submitted)}
    assert "acknowledgement_due" in due
    assert ("production_due" in due) == (spec.deadlines == "eu_art10_production")
    follow_up: EventName = "preserved" if spec.family == "preservation" else "disclosed"
    answered = apply_event(
        submitted, Event(follow_up, request.created_at + timedelta(hours=2), "o"), now=now
    )
    assert answered.state == follow_up


def test_an_emergency_production_order_is_an_emergency() -> None:
    request = example("eu_production_order", emergency=EMERGENCY)
    assert is_emergency(request)
    assert emergency_details(request) == EmergencyDetails(**EMERGENCY)
    tracked = tracked_from_request(request, None, now=NOW)
    assert tracked.emergency
    assert (
        tracked.terms.response_hours == law_facts().eu_regulation_2023_1543.emergency_deadline_hours
    )
    assert emergency_details(example("preservation")) is None


@pytest.mark.parametrize("kind", REQUEST_KINDS)
def test_the_api_path_follows_the_row(kind: str) -> None:
    with _client() as client:
        url = ApiChannel(BASE, token=None, client=client).endpoint(example(kind))
    assert url.path == f"/le/eevidence/{kind_spec(kind).api_path}"


def test_tracking_refuses_a_naive_now() -> None:
    request = example("preservation")
    assert isinstance(request, PreservationRequest)
    with pytest.raises(LifecycleError, match="no time zone"):
        tracked_from_request(request, None, now=datetime(2026, 12, 1))
