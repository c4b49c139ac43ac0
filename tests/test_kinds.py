"""The kinds table: one row per request kind, read by every place that dispatches on kind.

Adding a request kind is its literal, its model, a row in ``eevidence.request.kinds.KINDS``
and the catalogue texts its letter needs. These tests fail until every part of the chain
handles it: the table itself (one row per literal, one model per row, exported and in the
``Request`` union, with an example and a README row), the checker, the letter in every
language, the HI-1 export (approver, tasks, expiration), import and drafts, the deadlines,
the lifecycle, the link to the request it follows, route advice and the submission API
path. A table with a row missing is shown to be caught; kinds made at run time (copies of
shipped kinds with new names and rows) go through every dispatch, which handles them as
their row says or refuses them by name; and no module outside the declarations compares a
kind with a kind's name or tests a request's model class to decide what to do.
"""

from __future__ import annotations

import ast
import dataclasses
import json
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal, cast, get_args
from xml.etree import ElementTree as ET

import httpx
import pytest
from pydantic import create_model

import eevidence.request.kinds as kinds_module
from eevidence.errors import InputError, LifecycleError
from eevidence.hi1 import Hi1Endpoint, from_hi1_xml, hi1_draft, read_hi1, to_hi1_xml
from eevidence.letter import LANGUAGES, build_letter, catalogue, render_letter
from eevidence.letter._catalogue import Catalogue
from eevidence.provider import RULES, check, law_facts, load_providers
from eevidence.provider.routes._advice import KIND_ROUTES, NOT_ROUTES
from eevidence.request import (
    KINDS,
    REQUEST_KINDS,
    EmergencyDetails,
    KindSpec,
    PreservationRequest,
    Request,
    canonical_bytes,
    emergency_details,
    is_emergency,
    kind_spec,
    parse_request,
)
from eevidence.request._models import _RequestBase
from eevidence.submit import ApiChannel, pick_channel
from eevidence.tracking import (
    PRESERVATION_KINDS,
    Event,
    EventName,
    Terms,
    allowed_events,
    apply_event,
    deadlines_of,
    terms_for,
    tracked_from_request,
)
from tests.helpers import EXAMPLES, ROOT, example_doc

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
        "EU orders, and only they, are defined by Reg. (EU) 2023/1543": (
            spec.instrument == "eu_2023_1543"
        )
        == spec.eu_order,
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


@pytest.fixture
def table() -> Iterator[dict[str, KindSpec]]:
    """The kinds table itself (what :data:`KINDS` shows), restored, in order, afterwards."""
    rows = cast(dict[str, KindSpec], kinds_module._TABLE)
    kept = dict(rows)
    yield rows
    rows.clear()
    rows.update(kept)


def test_every_dispatch_reads_the_table(table: dict[str, KindSpec]) -> None:
    """With the row of a kind gone, every dispatch on that kind refuses it by name."""
    request = example("voluntary_disclosure")
    profile = REGISTRY.get(request.provider)
    tracked = tracked_from_request(request, profile, now=NOW)
    message = read_hi1(_export(request))
    del table[request.kind]
    assert request.kind not in KINDS  # every holder of the table sees the row gone
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
        "lifecycle": lambda: allowed_events(tracked),
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
    draft, notes = hi1_draft(message)  # a message of the kind gone is drafted as no kind
    assert "kind" not in draft
    assert any("set kind" in note for note in notes)


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
    provider = load_providers().get(request.provider).name  # the profile's name, not the id
    assert letter.intro == t(f"intro.{kind}", authority=issuer, provider=provider)
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
        assert terms.response_hours == eu.production.hours
        assert terms.basis.startswith("Regulation (EU) 2023/1543 art. 10")
    elif spec.deadlines == "eu_art11_preservation":
        assert (terms.preservation_days, terms.extension_days, terms.max_extensions) == (
            eu.preservation.amount,
            eu.preservation_extension.amount,
            1,
        )
    elif spec.deadlines == "provider_preservation":
        assert terms.preservation_days is not None
        assert terms.basis.startswith(f"provider profile {profile.id}")
    elif spec.deadlines == "budapest_art29_minimum":
        assert terms.preservation_days == law_facts().budapest_art29.minimum.amount
        assert terms.basis.startswith("Budapest Convention (CETS 185) art. 29(7)")
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
        tracked.terms.response_hours
        == law_facts().eu_regulation_2023_1543.emergency_production.hours
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


# --------------------------------------------------------------------------- each row, each dispatch

COMMON_NS = "http://uri.etsi.org/03120/common/2016/02/Common"


def _export(request: Request) -> bytes:
    """The request's HI-1 message, as the golden vectors are written (with a letter)."""
    return to_hi1_xml(
        request,
        sender=SENDER,
        receiver=Hi1Endpoint("IE", request.provider),
        now=NOW,
        transaction_id=TX,
        document=PDF,
    )


def _approvals(xml: bytes) -> list[str]:
    """Every ``ApprovalType`` of the message, read with a plain XML parser."""
    root = ET.fromstring(xml)  # noqa: S314 - the message was just written by to_hi1_xml
    return [(n.text or "") for n in root.iter(f"{{{COMMON_NS}}}ApprovalType")]


def _known_duration(request: Request) -> timedelta | None:
    """How long the request asks the data be preserved, from its row and fields, or None."""
    spec = kind_spec(request.kind)
    if spec.deadlines == "eu_art11_preservation":
        return law_facts().eu_regulation_2023_1543.preservation.delta
    fields = request.model_dump()
    if fields.get("current_expiry") and fields.get("extension_days"):
        expiry = fields["current_expiry"] + timedelta(days=fields["extension_days"])
        return expiry - request.created_at  # type: ignore[no-any-return]
    if fields.get("preservation_days"):
        return timedelta(days=fields["preservation_days"])
    return None


@pytest.mark.parametrize("kind", REQUEST_KINDS)
def test_the_hi1_approver_is_the_issuer_exactly_for_orders(kind: str) -> None:
    spec = kind_spec(kind)
    request = example(kind)
    xml = _export(request)
    approvals = _approvals(xml)
    assert approvals[0] == ("IssuingAuthority" if spec.order else "RequestingAuthority")
    assert ("ValidatingAuthority" in approvals) == (
        getattr(request, "validating_authority", None) is not None
    )
    (auth,) = read_hi1(xml).authorisations
    assert auth.approval_types == tuple(approvals)
    approver = getattr(request, "issuing_authority", None) if spec.order else request.authority
    assert approver is not None
    assert auth.legal_entity == approver.name


@pytest.mark.parametrize("kind", REQUEST_KINDS)
@pytest.mark.parametrize("with_duration", [True, False])
def test_lp_tasks_have_an_expiration_exactly_when_a_duration_is_known(
    kind: str, with_duration: bool
) -> None:
    spec = kind_spec(kind)
    fields = spec.model.model_fields
    changes: dict[str, Any] = {}
    for name, value in (("preservation_days", 30), ("extension_days", 30)):
        if name in fields:
            changes[name] = value if with_duration else None
    if "current_expiry" in fields:
        changes["current_expiry"] = "2027-01-15T00:00:00Z" if with_duration else None
    request = example(kind, **changes)
    tasks = read_hi1(_export(request)).tasks
    assert {t.kind for t in tasks} == {spec.hi1_task}
    duration = _known_duration(request)
    if spec.family == "preservation" and with_duration:
        assert duration is not None, f"{kind}: a preservation kind with no duration to ask"
    if spec.family != "preservation" or duration is None:
        assert all(t.desired_expiration is None for t in tasks)
        return
    expected = (request.created_at + duration).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [t.desired_expiration for t in tasks] == [expected] * len(tasks)


@pytest.mark.parametrize("kind", REQUEST_KINDS)
def test_the_hi1_draft_of_an_export_gives_back_its_kind(kind: str) -> None:
    request = example(kind)
    draft, notes = hi1_draft(read_hi1(_export(request)))
    assert draft["kind"] == kind
    assert notes == []
    if "preservation_days" in kind_spec(kind).model.model_fields:
        assert draft.get("preservation_days") == getattr(request, "preservation_days", None)


def test_a_message_that_names_no_kind_is_drafted_with_a_note() -> None:
    """Without eevidence's manual information, kinds HI-1 cannot tell apart are noted."""
    xml = _export(example("preservation_extension"))
    message = read_hi1(xml)
    (auth,) = message.authorisations
    foreign = dataclasses.replace(message, authorisations=(replace_auth(auth),))
    draft, notes = hi1_draft(foreign)
    preservation_rows = [
        k
        for k, s in KINDS.items()
        if s.hi1_task == "LP" and s.hi1_legal_type == "instrument" and not s.order
    ]
    assert draft["kind"] == preservation_rows[0]
    assert notes == [
        f"the message does not say which of {', '.join(preservation_rows)} it is; drafted as "
        f"{preservation_rows[0]}: check kind"
    ]


def replace_auth(auth: Any) -> Any:
    """``auth`` as another system writes it: no manual information."""
    return dataclasses.replace(auth, manual_information=None)


@pytest.mark.parametrize("kind", REQUEST_KINDS)
def test_tracking_links_the_request_a_request_names(kind: str) -> None:
    request = example(kind)
    named = getattr(request, "original_request_id", None)
    assert tracked_from_request(request, None, now=NOW).follows == named
    assert tracked_from_request(request, None, now=NOW, follows="other").follows == "other"


def test_every_field_that_names_another_request_links_it() -> None:
    """A model field naming the request this one continues is one tracking follows."""
    from eevidence.tracking._start import FOLLOWS_FIELDS

    naming = {
        (spec.kind, name)
        for spec in KINDS.values()
        for name in spec.model.model_fields
        if name.endswith("request_id")
    }
    assert naming, "no kind names the request it follows any more: update this test"
    assert {name for _, name in naming} <= set(FOLLOWS_FIELDS), naming


@pytest.mark.parametrize("kind", REQUEST_KINDS)
def test_the_lifecycle_follows_the_family(kind: str) -> None:
    request = example(kind)
    now = request.created_at + timedelta(days=1)
    tracked = tracked_from_request(request, None, now=now)
    submitted = apply_event(tracked, Event("submitted", request.created_at, "o"), now=now)
    allowed = allowed_events(submitted)
    preservation = kind_spec(kind).family == "preservation"
    assert ("preserved" in allowed) == preservation
    assert ("disclosed" in allowed) == (not preservation)


# --------------------------------------------------------------------------- where a kind is declared


def test_every_row_model_is_public_and_in_the_union() -> None:
    import eevidence.request as face

    for kind, spec in KINDS.items():
        name = spec.model.__name__
        assert name in face.__all__, f"{kind}: {name} is not exported by eevidence.request"
        assert getattr(face, name) is spec.model
        assert spec.model in MODELS, f"{kind}: {name} is not in the Request union"
    assert len(MODELS) == len(KINDS)


def test_every_kind_has_an_example_and_a_readme_row() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Request kinds", 1)[1].split("\n\n", 2)[1]
    rows = [line.split("|")[1].strip() for line in table.splitlines()[2:]]
    assert rows == [f"`{kind}`" for kind in KINDS]
    for kind in KINDS:
        assert (EXAMPLES / f"{example_name(kind)}.json").is_file(), kind
        assert example(kind).kind == kind


def test_every_kind_is_a_route_or_says_why_not() -> None:
    assert set(KIND_ROUTES) <= set(KINDS)
    assert not set(KIND_ROUTES) & set(NOT_ROUTES)
    assert set(KINDS) == set(KIND_ROUTES) | set(NOT_ROUTES), (
        "give route advice for each new kind (provider/routes/_advice.py), or say in "
        "NOT_ROUTES why it is no route on its own"
    )


_DECLARED_IN: Final = ("request/_vocab.py", "request/_models.py", "request/kinds.py")
"""Where kinds are declared: their literals and models may be named there."""
_NARROWING: Final[frozenset[tuple[str, str]]] = frozenset()
"""(module, model) pairs where ``isinstance`` only narrows a type, known and tested."""


def _dispatches_by_name() -> list[str]:
    """Comparisons of a kind with a kind literal, and ``isinstance`` tests on a kind's
    model, anywhere in the package outside the modules that declare the kinds."""
    models = {spec.model.__name__ for spec in KINDS.values()}
    src = ROOT / "src" / "eevidence"
    found = []
    for path in sorted(src.rglob("*.py")):
        where = path.relative_to(src).as_posix()
        if where in _DECLARED_IN:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                kinds = any(
                    (isinstance(s, ast.Attribute) and s.attr == "kind")
                    or (isinstance(s, ast.Name) and s.id == "kind")
                    for s in sides
                )
                literals = {
                    c.value
                    for s in sides
                    for c in ast.walk(s)
                    if isinstance(c, ast.Constant) and c.value in REQUEST_KINDS
                }
                if kinds and literals:
                    found.append(f"{where}:{node.lineno}: kind compared with {sorted(literals)}")
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "isinstance"
                and len(node.args) == 2
            ):
                named = {n.id for n in ast.walk(node.args[1]) if isinstance(n, ast.Name)}
                for model in sorted(named & models):
                    if (where, model) not in _NARROWING:
                        found.append(f"{where}:{node.lineno}: isinstance(..., {model})")
    return found


def test_no_dispatch_decides_by_kind_name() -> None:
    """A new kind is handled by its row, never missed by a comparison with old names."""
    assert _dispatches_by_name() == []


# --------------------------------------------------------------------------- a kind made at run time


@dataclasses.dataclass(frozen=True)
class Synthetic:
    """A kind that is no member of ``RequestKind``, with a row in the table for the test."""

    request: Any
    """A request of the synthetic kind (its model is no subclass of another kind's)."""
    like: Request
    """The shipped example of the kind it was copied from."""
    row: KindSpec


SYNTHETIC: Final[dict[str, tuple[str, tuple[str, ...], dict[str, Any]]]] = {
    # kind: (kind copied, fields dropped, row changes)
    "national_production_order": (
        "protocol2_art7_order",
        ("provider_address",),
        {"instrument": None, "sources": ("a national code of criminal procedure",)},
    ),
    "national_preservation": ("preservation", (), {}),
    "national_preservation_extension": ("preservation_extension", (), {}),
    "national_emergency_request": ("emergency_disclosure", (), {}),
}
"""Kinds made at run time: each is a copy of a shipped kind's model and row."""


def _canonical(request: Request) -> bytes:
    """Canonical JSON of any request model, as ``canonical_bytes`` writes it for the members
    of the ``Request`` union (a synthetic kind's model is none: the codec refuses it)."""
    document = request.model_dump(mode="json")
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def synthetic(kind: str, monkeypatch: pytest.MonkeyPatch) -> Synthetic:
    """The synthetic ``kind``, its row added to the table for the test's duration (and
    the HI-1 export given the canonical JSON of a model outside the union)."""
    like_kind, dropped, changes = SYNTHETIC[kind]
    base = kind_spec(like_kind).model
    own: dict[str, Any] = {
        name: (info.annotation, info)
        for name, info in base.model_fields.items()
        if name not in _RequestBase.model_fields and name not in ("kind", *dropped)
    }
    name = "".join(part.title() for part in kind.split("_"))
    literal = cast(Any, Literal)[kind]
    model = create_model(name, __base__=_RequestBase, kind=(literal, ...), **own)
    row = dataclasses.replace(kind_spec(like_kind), kind=cast(Any, kind), model=model, **changes)
    monkeypatch.setitem(cast(dict[str, KindSpec], kinds_module._TABLE), kind, row)
    monkeypatch.setattr("eevidence.hi1._export.canonical_bytes", _canonical)
    like = example(like_kind)
    assert _canonical(like) == canonical_bytes(like)
    doc = {k: v for k, v in json.loads(canonical_bytes(like)).items() if k not in dropped}
    request = model.model_validate_json(json.dumps({**doc, "kind": kind}))
    return Synthetic(request, like, row)


@pytest.mark.parametrize("kind", SYNTHETIC)
def test_a_synthetic_kind_is_read_from_the_table(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = synthetic(kind, monkeypatch)
    assert kind_spec(kind) is s.row
    assert KINDS[kind] is s.row  # type: ignore[index]
    assert is_emergency(s.request) == is_emergency(s.like)
    assert emergency_details(s.request) == emergency_details(s.like)


@pytest.mark.parametrize("kind", SYNTHETIC)
def test_a_synthetic_kind_is_checked_as_its_row_says(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = synthetic(kind, monkeypatch)
    profile = REGISTRY.get(s.request.provider)
    codes = {f.code for f in check(s.request, profile, now=NOW).findings}
    like = {f.code for f in check(s.like, profile, now=NOW).findings}
    assert "EE102" in codes  # the profile says nothing about the new kind: unknown
    protocol2 = (s.row.instrument or "").startswith("protocol2_") or any(
        b.instrument.startswith("protocol2_") for b in s.request.legal_basis
    )
    assert ("EE211" in codes or "EE212" in codes) == protocol2  # status unknown, or no
    protocol_rules = {"EE211", "EE212"}  # they follow the row's instrument
    assert codes - {"EE102", *protocol_rules} == like - {"EE101", "EE102", *protocol_rules}
    assert profile.required_for(kind) == profile.required_for(s.like.kind)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", list(SYNTHETIC))
def test_a_synthetic_kind_letter(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    s = synthetic(kind, monkeypatch)
    with pytest.raises(InputError, match=f"kind.{kind}"):  # no catalogue text yet: by name
        build_letter(s.request, lang="en")
    shipped = catalogue("en")
    entries = {
        **shipped.entries,
        f"kind.{kind}": shipped.entries[f"kind.{s.like.kind}"],
        f"intro.{kind}": shipped.entries[f"intro.{s.like.kind}"],
    }
    monkeypatch.setattr(
        "eevidence.letter._document.catalogue", lambda lang: Catalogue(lang, entries)
    )
    letter = build_letter(s.request, lang="en")
    like = build_letter(s.like, lang="en")
    assert [x.title for x in letter.sections] == [x.title for x in like.sections]


@pytest.mark.parametrize("kind", SYNTHETIC)
def test_a_synthetic_kind_is_tracked_as_its_row_says(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = synthetic(kind, monkeypatch)
    profile = REGISTRY.get(s.request.provider)
    assert terms_for(s.request, profile, law_facts()) == terms_for(s.like, profile, law_facts())
    now = s.request.created_at + timedelta(days=1)
    tracked = tracked_from_request(s.request, profile, now=now)
    like = tracked_from_request(s.like, profile, now=now)
    assert tracked.kind == kind
    assert (tracked.emergency, tracked.terms, tracked.follows) == (
        like.emergency,
        like.terms,
        like.follows,
    )
    at = s.request.created_at + timedelta(hours=1)
    submitted = apply_event(tracked, Event("submitted", at, "o"), now=now)
    like_submitted = apply_event(like, Event("submitted", at, "o"), now=now)
    assert allowed_events(submitted) == allowed_events(like_submitted)
    assert [(d.kind, d.due) for d in deadlines_of(submitted)] == [
        (d.kind, d.due) for d in deadlines_of(like_submitted)
    ]


@pytest.mark.parametrize("kind", SYNTHETIC)
def test_a_synthetic_kind_is_sent_as_its_row_says(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = synthetic(kind, monkeypatch)
    with _client() as client:
        url = ApiChannel(BASE, token=None, client=client).endpoint(s.request)
    assert url.path == f"/le/eevidence/{s.row.api_path}"
    profile = REGISTRY.get(s.request.provider)
    refused = ""
    try:
        channel = pick_channel(profile, s.request)
    except InputError as exc:  # no channel for the kind: said by name
        refused = str(exc)
    assert kind in refused if refused else not channel.kinds or kind in channel.kinds


@pytest.mark.parametrize("kind", SYNTHETIC)
def test_a_synthetic_kind_in_hi1(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    s = synthetic(kind, monkeypatch)
    xml, like_xml = _export(s.request), _export(s.like)
    assert _approvals(xml)[0] == ("IssuingAuthority" if s.row.order else "RequestingAuthority")
    message, like = read_hi1(xml), read_hi1(like_xml)
    assert [(t.kind, t.desired_expiration) for t in message.tasks] == [
        (t.kind, t.desired_expiration) for t in like.tasks
    ]
    assert message.authorisations[0].legal_type == like.authorisations[0].legal_type
    assert message.authorisations[0].flags == like.authorisations[0].flags
    draft, notes = hi1_draft(message)
    assert draft["kind"] == kind
    assert notes == []
    with pytest.raises(InputError) as refused:
        from_hi1_xml(xml)  # the embedded request is parsed: a kind outside RequestKind
    assert f"unknown kind '{kind}'" in refused.value.diagnostics()


def test_a_synthetic_order_is_not_drafted_as_another_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = synthetic("national_production_order", monkeypatch)
    message = read_hi1(_export(s.request))
    (auth,) = message.authorisations
    foreign = dataclasses.replace(message, authorisations=(replace_auth(auth),))
    draft, notes = hi1_draft(foreign)
    assert draft["kind"] == "protocol2_art7_order"  # the first order of the table...
    assert "national_production_order" in notes[-1]  # ...with a note naming the other


# --------------------------------------------------------------------------- the bases column


def test_every_row_says_what_its_requests_can_rest_on() -> None:
    from eevidence.request import INSTRUMENTS

    for kind, spec in KINDS.items():
        assert spec.bases, f"{kind}: no instrument can found it"
        assert set(spec.bases) <= set(INSTRUMENTS), kind
        assert len(set(spec.bases)) == len(spec.bases), f"{kind}: an instrument twice"
        if spec.instrument is not None:
            assert spec.instrument in spec.bases, f"{kind}: its own instrument is no basis"
        request = example(kind)
        assert {b.instrument for b in request.legal_basis} & set(spec.bases), (
            f"{kind}: the shipped example rests on no instrument of its kind's bases"
        )


def test_preservation_provisions_found_no_disclosure() -> None:
    """Budapest art. 29 and 18 U.S.C. 2703(f) keep data; they hand nothing over."""
    for kind, spec in KINDS.items():
        preserving = {"budapest_art29", "us_18_usc_2703f"} & set(spec.bases)
        assert not preserving or spec.family == "preservation", (kind, preserving)
    assert KINDS["cloud_act_order"].bases == ("cloud_act_agreement", "national_law")
    assert not {"protocol2_art9", "protocol2_art10"} & set(KINDS["emergency_disclosure"].bases)
