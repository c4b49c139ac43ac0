"""The models accept exactly the request documents the published JSON Schema accepts.

Differential property tests (Hypothesis): documents are made from the shipped examples by
hostile mutations (types written as strings, compact, epoch and lax dates, a space instead
of ``T``, empty strings, numbers for strings, booleans as strings, a trailing newline, extra
and missing keys, values moved to another field...), then read twice: by
:func:`eevidence.parse_request` from the JSON text, and by a Draft 2020-12 validator of
``schemas/request.schema.json`` with format checking. Both must accept, or both refuse.

Two things the schema cannot say are set apart, each for a stated reason:

* rules between fields (a window that ends before it starts, a category listed twice, a
  validating authority some orders need...): the model refuses, with a ``value_error`` on
  the object, while the schema accepts. The test counts a document refused only by such
  rules as accepted by the model's fields, so every field still has to agree;
* integral floats (``90.0``): JSON Schema counts them as integers (2020-12 validation,
  section 6.1.1) while requests take integers only (canonical form, RFC 8785); they are
  not generated. Non-integral numbers are, and both refuse them.

The runs are derandomized and use no example database, so CI sees the same documents every
time; ``max_examples`` keeps the whole file to a few seconds.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from jsonschema import Draft202012Validator
from pydantic import TypeAdapter, ValidationError

import eevidence as ee
from eevidence._cli import main
from eevidence._cli._common import CliUsageError
from eevidence._cli._options import parse_time
from eevidence.request import Request, TimeWindow, schema_problems
from tests.helpers import EXAMPLES, ROOT
from tests.test_cli_requests import NEW_ARGS

SCHEMA = json.loads((ROOT / "schemas" / "request.schema.json").read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
ADAPTER: TypeAdapter[Any] = TypeAdapter(Request)
EXAMPLE_DOCS = {
    p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.glob("*.json"))
}

SETTINGS = settings(
    max_examples=400,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Hostile scalars: what people and programs write where a date, a number, a flag or a word
# is expected.
DATES = [
    "20261130",
    "20261101",
    "20261130T090000Z",
    "2026-11-30T090000Z",
    "1700000000",
    "1700000000.5",
    "2026-11-30 09:00:00Z",
    "2026-11-30t09:00:00z",
    "2026-11-30T09:00:00",
    "2026-11-30T09:00Z",
    "2026-11-30",
    "2026-11-30T09:00:00+0100",
    "2026-11-30T09:00:00+01",
    "2026-11-30T09:00:00+24:00",
    "2026-11-30T09:00:00+23:59",
    "2026-11-30T09:00:00-00:00",
    "2026-11-30T09:00:00.1234567Z",
    "2026-11-30T09:00:00.123456Z",
    "2026-11-30T09:00:00,5Z",
    "2026-11-30T24:00:00Z",
    "2026-11-30T09:60:00Z",
    "2016-12-31T23:59:60Z",
    "2026-02-29T00:00:00Z",
    "2024-02-29T00:00:00Z",
    "2100-02-29T00:00:00Z",
    "2000-02-29T00:00:00Z",
    "2026-04-31T00:00:00Z",
    "2026-13-01T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "+2026-11-30T09:00:00Z",
    "2026-11-30T09:00:00Z\n",
    " 2026-11-30T09:00:00Z",
    "\uff12\uff10\uff12\uff16-11-30T09:00:00Z",  # full-width digits
]
SCALARS: list[Any] = [
    *DATES,
    1700000000,
    -1,
    0,
    1,
    90,
    3650,
    3651,
    65535,
    65536,
    2**63,
    90.5,
    True,
    False,
    None,
    "",
    " ",
    "\n",
    "\t",
    "x",
    "true",
    "false",
    "null",
    "90",
    "1",
    "0",
    "FR",
    "fr",
    "FR\n",
    "en",
    "meta",
    "203.0.113.5",
    "2001:db8::1",
    "203.0.113.0/24",
    "https://example.org/a",
    "name@example.org",
    "+33612345678",
    "preservation",
    [],
    {},
]


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path in ``node`` (objects by key, arrays by index), the root excluded."""
    out: list[tuple[Any, ...]] = []
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, value in items:
        out.append((*path, key))
        out.extend(_leaves(value, (*path, key)))
    return out


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> None:
    _get(doc, path[:-1])[path[-1]] = value


def _retyped(value: Any) -> list[Any]:
    """The same value written with the wrong JSON type or spelling."""
    out: list[Any] = []
    if isinstance(value, bool):
        out += [str(value).lower(), str(value), int(value)]
    elif isinstance(value, int):
        out += [str(value), value + 0.5, -value, value * 1000]
    elif isinstance(value, str):
        out += [
            "",
            " " + value,
            value + "\n",
            value.upper(),
            value.lower(),
            value.replace("T", " "),
            value.replace("T", "t").replace("Z", "z"),
            re.sub(r"[-:]", "", value),
            re.sub(r"(Z|[+-][0-9]{2}:[0-9]{2})$", "", value),
            [value],
        ]
        if value.isdigit():
            out.append(int(value))
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if moment.tzinfo is not None:
                stamp = int(moment.timestamp())
                out += [stamp, str(stamp), moment.strftime("%Y%m%d"), moment.date().isoformat()]
    elif isinstance(value, list):
        out += [[], value[:1] * 2, {"0": value[0]} if value else {}]
    elif isinstance(value, dict):
        out += [{}, list(value.values())]
    return out


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """A shipped example with one to three hostile changes."""
    doc: dict[str, Any] = copy.deepcopy(EXAMPLE_DOCS[draw(st.sampled_from(sorted(EXAMPLE_DOCS)))])
    for _ in range(draw(st.integers(1, 3))):
        paths = _leaves(doc)
        path = draw(st.sampled_from(paths))
        old = _get(doc, path)
        op = draw(st.sampled_from(["retype", "scalar", "delete", "extra", "move"]))
        if op == "retype" and _retyped(old):
            _set(doc, path, draw(st.sampled_from(_retyped(old))))
        elif op == "delete" and isinstance(path[-1], str):
            del _get(doc, path[:-1])[path[-1]]
        elif op == "extra":
            target = _get(doc, path) if isinstance(old, dict) else doc
            target[draw(st.sampled_from(["colour", "", "Created_at", "kind ", "$schema"]))] = 1
        elif op == "move":
            _set(doc, path, copy.deepcopy(_get(doc, draw(st.sampled_from(paths)))))
        else:
            _set(doc, path, draw(st.sampled_from(SCALARS)))
    return doc


def _model_verdict(doc: dict[str, Any]) -> tuple[bool, list[str]]:
    """(fields accepted, reasons) by the request model, reading the document's JSON text."""
    text = json.dumps(doc, ensure_ascii=False)
    try:
        ee.parse_request(text)
    except ee.InputError as exc:
        accepted_api = False
        reasons = [f"{p.path}: {p.message}" for p in exc.problems] or [str(exc)]
    else:
        accepted_api = True
        reasons = []
    try:
        ADAPTER.validate_json(text)
    except ValidationError as exc:
        assert not accepted_api, "parse_request accepted what the model refuses"
        errors = exc.errors(include_url=False)
        # only rules between fields (model validators on an object) failed: the schema
        # cannot express them, so the fields themselves were all accepted
        between_fields = all(
            e["type"] == "value_error" and isinstance(e["input"], dict) for e in errors
        )
        return between_fields, reasons
    assert accepted_api, f"parse_request refused what the model accepts: {reasons}"
    return True, reasons


def _schema_verdict(doc: dict[str, Any]) -> tuple[bool, list[str]]:
    errors = list(VALIDATOR.iter_errors(doc))
    return not errors, [f"{e.json_path}: {e.message}" for e in errors]


def _agree(doc: dict[str, Any]) -> None:
    model_ok, model_why = _model_verdict(doc)
    schema_ok, schema_why = _schema_verdict(doc)
    assert model_ok == schema_ok, (
        f"model {'accepts' if model_ok else 'refuses'}, schema "
        f"{'accepts' if schema_ok else 'refuses'}:\n"
        f"{json.dumps(doc, ensure_ascii=False)[:3000]}\nmodel: {model_why}\nschema: {schema_why}"
    )


@pytest.mark.parametrize("name", sorted(EXAMPLE_DOCS))
def test_shipped_examples_are_accepted_by_both(name: str) -> None:
    assert _model_verdict(EXAMPLE_DOCS[name]) == (True, [])
    assert _schema_verdict(EXAMPLE_DOCS[name]) == (True, [])


@SETTINGS
@given(mutated())
def test_model_and_schema_agree_on_mutated_examples(doc: dict[str, Any]) -> None:
    _agree(doc)


@pytest.mark.parametrize("value", DATES)
@pytest.mark.parametrize("field", ["created_at", "period.start", "identifiers.2.timestamp"])
def test_every_hostile_date_is_judged_alike(field: str, value: str) -> None:
    doc = copy.deepcopy(EXAMPLE_DOCS["preservation"])
    path = tuple(int(k) if k.isdigit() else k for k in field.split("."))
    _set(doc, path, value)
    _agree(doc)


def test_compact_and_epoch_dates_are_refused_naming_the_field() -> None:
    for value in ["20261130", "1700000000", 1700000000, "2026-11-30 09:00:00Z"]:
        doc = copy.deepcopy(EXAMPLE_DOCS["preservation"])
        doc["created_at"] = value
        with pytest.raises(ee.RequestValidationError) as info:
            ee.parse_request(json.dumps(doc))
        [problem] = info.value.problems
        assert problem.path == "$.created_at"
        assert "RFC 3339" in problem.message
        assert repr(value) in problem.message or "number" in problem.message


_OFFSETS = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(lambda m: timezone(timedelta(minutes=m)))


def _rfc3339(moment: datetime, digits: int) -> str:
    text = f"{moment.year:04d}-" + moment.strftime("%m-%dT%H:%M:%S")  # %Y: no padding
    if digits:
        text += "." + f"{moment.microsecond:06d}"[:digits]
    offset = moment.utcoffset()
    assert offset is not None
    minutes = int(offset.total_seconds()) // 60
    if minutes == 0:
        return text + "Z"
    sign = "+" if minutes > 0 else "-"
    return text + f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@st.composite
def date_time_texts(draw: st.DrawFn) -> str:
    """An RFC 3339 date-time, then (often) one character replaced, inserted or dropped."""
    moment = draw(
        st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))
    ).replace(tzinfo=draw(_OFFSETS))
    text = _rfc3339(moment, draw(st.integers(0, 6)))
    edit = draw(st.sampled_from(["none", "replace", "insert", "drop"]))
    if edit == "none":
        return text
    i = draw(st.integers(0, len(text) - 1))
    c = draw(st.sampled_from("0123456789-:.+TtZz \n,W"))
    if edit == "replace":
        return text[:i] + c + text[i + 1 :]
    if edit == "insert":
        return text[:i] + c + text[i:]
    return text[:i] + text[i + 1 :]


WINDOW_VALIDATOR = VALIDATOR.evolve(
    schema=SCHEMA["$defs"]["TimeWindow"] | {"$defs": SCHEMA["$defs"]}
)


@SETTINGS
@given(date_time_texts())
def test_model_and_schema_agree_on_date_time_texts(text: str) -> None:
    window = {"start": text, "end": "9999-12-31T23:59:59Z"}
    try:
        TimeWindow.model_validate_json(json.dumps(window))
    except ee.RequestValidationError as exc:
        model_ok = [p.path for p in exc.problems] == ["$"]  # only the order of start and end
    else:
        model_ok = True
    assert model_ok == WINDOW_VALIDATOR.is_valid(window), text


@settings(SETTINGS, max_examples=200)
@given(st.datetimes(timezones=st.just(UTC)), st.integers(0, 6), _OFFSETS)
def test_valid_date_times_keep_their_instant(moment: datetime, digits: int, tz: timezone) -> None:
    try:
        local = moment.astimezone(tz)
    except OverflowError:
        return
    text = _rfc3339(local, digits)
    window = {"start": text, "end": "9999-12-31T23:59:59-23:59"}
    assert WINDOW_VALIDATOR.is_valid(window), text
    parsed = TimeWindow.model_validate_json(json.dumps(window))
    assert parsed.start == datetime.fromisoformat(text)
    assert parsed.start.utcoffset() == tz.utcoffset(None)
    assert parsed.model_dump(mode="json")["start"][:19] == text[:19]


# -- the command line reads times with the same grammar, naming the option ----------------


@pytest.mark.parametrize(
    ("option", "value", "problem"),
    [
        ("--period", "20261101/2026-11-30T00:00:00Z", "--period: start: expected an RFC 3339"),
        ("--period", "2026-11-01T00:00:00Z/1700000000", "--period: end: expected an RFC 3339"),
        ("--period", "2026-11-01 00:00:00Z/2026-11-30T00:00:00Z", "--period: start:"),
        ("--created-at", "20261130", "--created-at: expected an RFC 3339"),
        ("--created-at", "2026-11-22T10:00:00", "--created-at: date-time needs an explicit UTC"),
        ("--identifier", "username:bob@20261101/20261130", "--identifier: window start:"),
        ("--identifier", "email:a@b.example@2026-11-01T00:00:00Z/2026-11-30", "window end:"),
        ("--identifier", "username:bob@2026-11-01 10:00:00Z", "--identifier: time: expected"),
    ],
)
def test_new_refuses_lax_times_naming_the_option(
    option: str, value: str, problem: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "req.json"
    args = ["new", "preservation", *NEW_ARGS, option, value, "-o", str(out)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert f"cannot read {option} {value!r}" in err
    assert problem in err
    assert "Traceback" not in err
    assert not out.exists()


def test_new_keeps_a_strict_period_and_its_offsets(tmp_path: Path) -> None:
    out = tmp_path / "req.json"
    period = "2026-11-01T00:00:00+01:00/2026-11-30T00:00:00.5Z"
    assert main(["new", "preservation", *NEW_ARGS, "--period", period, "-o", str(out)]) == 0
    request = ee.parse_request(out.read_bytes())
    assert request.period is not None
    assert request.period.start.utcoffset() == timedelta(hours=1)
    assert request.period.end == datetime(2026, 11, 30, 0, 0, 0, 500000, tzinfo=UTC)
    assert request.period.start == datetime(2026, 10, 31, 23, tzinfo=UTC)


def test_validate_refuses_a_compact_created_at(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = copy.deepcopy(EXAMPLE_DOCS["preservation"])
    doc["created_at"] = "20261130"
    path = tmp_path / "compact.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    assert "$.created_at: expected an RFC 3339 date-time" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-31", datetime(2026, 12, 31, tzinfo=UTC)),
        ("2026-12-31T10:00:00+01:00", datetime(2026, 12, 31, 9, tzinfo=UTC)),
        ("2026-12-31T10:00:00.25-00:00", datetime(2026, 12, 31, 10, 0, 0, 250000, tzinfo=UTC)),
    ],
)
def test_option_times_read_rfc_3339_and_plain_dates(text: str, expected: datetime) -> None:
    assert parse_time(text, "--at") == expected


@pytest.mark.parametrize(
    "text",
    [
        "20261101",
        "20261101T000000Z",
        "1700000000",
        "2026-12-31 10:00:00Z",
        "2026-12-31t10:00:00z",
        "2026-02-29",
        "2026-12-31T10:00",
        "2026-12-31T10:00:00",
        "yesterday",
    ],
)
def test_option_times_refuse_lax_forms_naming_the_option(text: str) -> None:
    with pytest.raises(CliUsageError, match=f"^--expires {re.escape(repr(text))}: "):
        parse_time(text, "--expires")


def test_every_time_option_of_the_cli_is_read_by_the_shared_readers() -> None:
    # no command module parses a time itself: only the shared readers of _options do
    cli = ROOT / "src" / "eevidence" / "_cli"
    for path in sorted(cli.glob("*.py")):
        if path.name == "_options.py":
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (
            "fromisoformat(",
            "strptime(",
            "parse_window_spec(",
            "parse_identifier_spec(",
        ):
            assert pattern not in text, f"{path.name} reads times with {pattern}"


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(schema_version=True),
        lambda d: d["data"].update(
            categories=[*d["data"]["categories"], d["data"]["categories"][0]]
        ),
    ],
    ids=["schema-version-true", "category-twice"],
)
def test_the_schema_and_the_models_refuse_the_same_documents(change: Any) -> None:
    """Found by mutating the examples: both judges refuse these (true is not the number 1;
    a list meant as a set holds each value once)."""
    doc = json.loads((EXAMPLES / "preservation.json").read_text(encoding="utf-8"))
    change(doc)
    assert schema_problems(doc)
    with pytest.raises(ee.RequestValidationError):
        ee.parse_request(json.dumps(doc).encode())
