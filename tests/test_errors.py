"""One error root: models built directly, and every public call of the base layers, raise
eevidence errors (never pydantic's, cryptography's or the json module's), and the error tree
drawn in ``eevidence.errors`` is the real class hierarchy."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pydantic
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import TypeAdapter

import eevidence
import eevidence.provider._law as law_module
from eevidence import errors
from eevidence._internal.models import Model
from eevidence.crypto import (
    Envelope,
    NoteVerifier,
    generate_private_key,
    load_trust_store,
    open_note,
    pae,
    sign_note,
    verifier_key,
    write_private_key,
    write_public_key,
)
from eevidence.custody import (
    CustodyEntry,
    entries_from_jsonl,
    sha256_file,
    verify_lines,
    workstation_signer,
)
from eevidence.errors import (
    ConfigurationError,
    EEvidenceError,
    InputError,
    PackageError,
    ProfileError,
    RequestValidationError,
    SigningKeyError,
)
from eevidence.provider import Fact, LawFacts, LawSource, ProviderProfile, Source, law_facts
from eevidence.request import (
    Contact,
    PhoneIdentifier,
    PreservationRequest,
    TimeWindow,
    parse_request,
)
from eevidence.request._codec import REQUEST_ADAPTER
from tests.helpers import example_doc

ROOT = Path(__file__).resolve().parents[1]

# -- the drawn tree ------------------------------------------------------------------------


def _drawn_tree() -> dict[str, frozenset[str]]:
    """``{class name: parent names}`` from the tree drawn in the module docstring: the
    parent it is drawn under, and any other named on its line as ``also a <Name>``."""
    doc = errors.__doc__
    assert doc is not None
    block = doc.split("::", 1)[1].split("\n\n", 2)[1]
    parents: dict[str, frozenset[str]] = {}
    stack: list[tuple[int, str]] = []
    for line in block.splitlines():
        match = re.search(r"[A-Z][A-Za-z0-9]*Error", line)
        assert match is not None, line
        name, column = match.group(), match.start()
        while stack and stack[-1][0] >= column:
            stack.pop()
        also = re.findall(r"also an? ([A-Z][A-Za-z0-9]*Error)", line)
        parents[name] = frozenset([stack[-1][1]] if stack else []) | frozenset(also)
        stack.append((column, name))
    return parents


def _real_tree() -> dict[str, frozenset[str]]:
    """``{class name: names of its direct bases}`` of the classes defined in eevidence.errors
    (the root's base, ``Exception``, left out)."""
    found: dict[str, frozenset[str]] = {}

    def walk(cls: type[BaseException]) -> None:
        found[cls.__name__] = frozenset(
            b.__name__ for b in cls.__bases__ if issubclass(b, EEvidenceError)
        )
        for sub in cls.__subclasses__():
            if sub.__module__ == "eevidence.errors":
                walk(sub)

    walk(EEvidenceError)
    return found


def test_the_drawn_error_tree_is_the_class_hierarchy() -> None:
    drawn = _drawn_tree()
    assert drawn == _real_tree()
    exported = {n for n in errors.__all__ if n != "Problem"}
    assert set(drawn) == exported


def test_each_family_is_a_cause() -> None:
    families = (
        errors.InputError,
        errors.IntegrityError,
        errors.TrustError,
        errors.ConfigurationError,
        errors.RemoteError,
    )
    assert issubclass(errors.PackageTrustError, errors.TrustError)
    assert issubclass(errors.PackageTrustError, errors.PackageVerificationError)
    assert issubclass(errors.UntrustedNoteError, errors.TrustError)
    assert not issubclass(errors.UntrustedNoteError, errors.IntegrityError)
    assert issubclass(errors.TimestampError, errors.RemoteError)
    for name in errors.__all__:
        cls = getattr(errors, name)
        if name != "Problem" and cls is not EEvidenceError and cls not in families:
            assert any(issubclass(cls, f) for f in families), name


# -- models built directly -----------------------------------------------------------------


def _problems(error: InputError) -> dict[str, str]:
    return {p.path: p.message for p in error.problems}


def test_a_request_model_built_directly_raises_request_validation_error() -> None:
    with pytest.raises(RequestValidationError) as info:
        PhoneIdentifier(type="phone", value="0612")
    error = info.value
    assert not isinstance(error, pydantic.ValidationError)
    assert isinstance(error.__cause__, pydantic.ValidationError)
    assert list(_problems(error)) == ["$.value"]
    assert "E.164" in _problems(error)["$.value"]
    assert str(error) == "invalid phone identifier: 1 problem"
    assert error.diagnostics().startswith("<input>: invalid phone identifier")


def test_except_eevidence_error_catches_a_bad_model() -> None:
    caught: EEvidenceError | None = None
    try:
        Contact(phone="+33612345678", email="not an address", name="   ")
    except eevidence.EEvidenceError as exc:
        caught = exc
    assert isinstance(caught, RequestValidationError)
    assert set(_problems(caught)) == {"$.email", "$.name"}


def test_every_problem_of_a_nested_document_has_its_path() -> None:
    doc = example_doc("preservation")
    doc["identifiers"][0] = {"type": "phone", "value": "0612"}
    doc["authority"]["officer"]["email"] = "nobody"
    with pytest.raises(RequestValidationError) as info:
        PreservationRequest.model_validate_json(json.dumps(doc))
    assert set(_problems(info.value)) == {"$.identifiers[0].value", "$.authority.officer.email"}
    # the same problems, with the same paths, as parse_request finds
    with pytest.raises(RequestValidationError) as parsed:
        parse_request(doc)
    assert parsed.value.problems == info.value.problems


def test_validate_json_and_python_and_strings_raise_the_family_error() -> None:
    with pytest.raises(RequestValidationError) as info:
        TimeWindow.model_validate_json(b"{not json")
    assert list(_problems(info.value)) == ["$"]
    with pytest.raises(RequestValidationError) as info:
        TimeWindow.model_validate({"start": datetime(2026, 1, 1, tzinfo=UTC)})
    assert _problems(info.value) == {"$.end": "required field is missing"}
    with pytest.raises(RequestValidationError):
        TimeWindow.model_validate_strings({"start": "x", "end": "y"})
    window = TimeWindow.model_validate_strings(
        {"start": "2026-01-01T00:00:00Z", "end": "2026-02-01T00:00:00Z"}
    )
    assert window.end.month == 2


def test_a_frozen_field_cannot_change_and_says_so_in_the_family_error() -> None:
    window = TimeWindow(
        start=datetime(2026, 1, 1, tzinfo=UTC), end=datetime(2026, 2, 1, tzinfo=UTC)
    )
    with pytest.raises(RequestValidationError) as info:
        window.end = window.start  # type: ignore[misc]
    assert list(_problems(info.value)) == ["$.end"]
    updated = window.model_copy(update={"end": datetime(2026, 3, 1, tzinfo=UTC)})
    assert updated.end.month == 3


def test_a_profile_model_built_directly_raises_profile_error() -> None:
    with pytest.raises(ProfileError) as info:
        Source(
            kind="legal",
            title="Regulation",
            published="undated",
            read=date(2026, 1, 1),
            secondary=True,
        )  # type: ignore[call-arg]
    error = info.value
    assert error.origin == "<input>"
    assert _problems(error) == {"$.url": "Field required"}  # anyone must be able to re-check it
    with pytest.raises(ProfileError) as info:
        Fact[bool](status="known")
    assert _problems(info.value) == {"$": "a known fact needs a value"}
    with pytest.raises(ProfileError) as info:
        ProviderProfile.model_validate_json(b"[]")
    assert info.value.problems[0].path == "$"
    with pytest.raises(eevidence.EEvidenceError):
        ProviderProfile.model_validate({})


def test_law_facts_built_directly_raise_input_error() -> None:
    with pytest.raises(InputError) as info:
        LawSource(title="t", url="u", published="undated", read="someday")  # type: ignore[arg-type]
    assert sorted(_problems(info.value)) == ["$.read", "$.url"]
    doc = json.loads((ROOT / "law" / "instruments.json").read_text(encoding="utf-8"))
    doc["treaties"]["cets-224"]["sources"] = ["nowhere"]
    with pytest.raises(InputError) as info:
        LawFacts.model_validate(doc)
    assert "'nowhere'" in _problems(info.value)["$"]
    with pytest.raises(InputError, match="unknown legal source"):
        law_facts().cite("nowhere")


def test_broken_shipped_law_facts_are_a_configuration_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = json.loads((ROOT / "law" / "instruments.json").read_text(encoding="utf-8"))
    del doc["budapest_art29"]
    (tmp_path / "instruments.json").write_text(json.dumps(doc), encoding="utf-8")
    monkeypatch.setattr(law_module, "data_dir", lambda name: tmp_path)
    with pytest.raises(ConfigurationError, match=r"\$\.budapest_art29: required field is missing"):
        law_facts.__wrapped__()
    (tmp_path / "instruments.json").write_text("{", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="cannot load legal facts"):
        law_facts.__wrapped__()


def test_a_custody_entry_built_directly_raises_input_error() -> None:
    with pytest.raises(InputError) as info:
        CustodyEntry.model_validate({"seq": -1})
    problems = _problems(info.value)
    assert "$.seq" in problems
    assert "$.signature" in problems


def test_nested_validation_does_not_go_through_the_wrapping_init() -> None:
    # pydantic-core builds nested models itself: parsing stays as fast as before.
    classes: list[type[Model]] = [
        PhoneIdentifier,
        PreservationRequest,
        TimeWindow,
        ProviderProfile,
        CustodyEntry,
        LawFacts,
        Source,
    ]
    assert all(not cls.__pydantic_custom_init__ for cls in classes)
    request = REQUEST_ADAPTER.validate_json(json.dumps(example_doc("preservation")))
    assert isinstance(request, PreservationRequest)
    assert TypeAdapter(list[TimeWindow]).validate_python([]) == []


# -- third-party exceptions of the base layers ---------------------------------------------


def test_deep_documents_are_input_errors() -> None:
    with pytest.raises(InputError, match="nested deeper than 64 levels"):
        parse_request(b"[" * 100_000)
    deep: list[Any] = []
    current = deep
    for _ in range(5_000):
        current.append([])
        current = current[0]
    with pytest.raises(InputError):
        parse_request({"a": deep})


def test_a_passphrase_the_backend_refuses_is_a_signing_key_error(tmp_path: Path) -> None:
    key = generate_private_key("ed25519")
    with pytest.raises(SigningKeyError, match="1023"):
        write_private_key(key, tmp_path / "k.pem", passphrase=b"x" * 2000)
    assert not (tmp_path / "k.pem").exists()
    with pytest.raises(InputError, match="cannot write"):
        write_public_key(key, tmp_path / "missing" / "k.pub.pem")


def test_an_envelope_type_that_is_not_utf8_is_refused() -> None:
    doc = '{"payload": "", "payloadType": "\\ud800", "signatures": []}'
    with pytest.raises(PackageError, match="payloadType") as info:
        Envelope.from_bytes(doc.encode())
    assert info.value.code == "bad_envelope"
    with pytest.raises(InputError, match="UTF-8"):
        pae("\ud800", b"")


def test_a_verifier_key_the_library_refuses_is_an_input_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from eevidence.crypto import _note

    text = verifier_key("log", Ed25519PrivateKey.generate()).encode()

    class Refusing:
        @staticmethod
        def from_public_bytes(data: bytes) -> None:
            raise ValueError("invalid point")

    monkeypatch.setattr(_note, "Ed25519PublicKey", Refusing)
    with pytest.raises(InputError, match="not a valid Ed25519"):
        NoteVerifier.decode(text)


def test_a_trust_store_that_cannot_be_listed_is_a_configuration_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: Path) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "iterdir", refuse)
    with pytest.raises(ConfigurationError, match="cannot be listed"):
        load_trust_store(tmp_path)


def test_custody_files_and_lines_never_raise_foreign_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        sha256_file(tmp_path / "missing.bin")
    with pytest.raises(InputError, match="line 1") as info:
        entries_from_jsonl(b'{"seq": "zero"}\n')
    assert "$.seq" in _problems(info.value)
    with pytest.raises(InputError, match="line 2"):
        entries_from_jsonl(b"\n{not json\n")
    lines = [
        b"[" * 100_000,
        json.dumps({"seq": 1, "prev_hash": "0" * 64, "at": 5}).encode(),
        json.dumps({"seq": 2, "prev_hash": "0", "at": "x", "keyid": [], "signature": 1}).encode(),
    ]
    report = verify_lines(lines, [])
    assert [b.kind for b in report.breaks if b.kind == "malformed"] == ["malformed", "malformed"]
    assert not report.ok


def test_a_key_folder_that_cannot_be_created_is_a_signing_key_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(SigningKeyError, match="key folder"):
        workstation_signer(tmp_path / "file" / "sub")


def test_importing_custody_does_not_load_httpx() -> None:
    code = (
        "import sys, eevidence.custody as c; "
        "c.TimestampAuthority, c.request_timestamp, c.verify_timestamp, c.record; "
        "print('httpx' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


def test_text_that_is_not_utf8_never_reaches_the_encoder() -> None:
    key = Ed25519PrivateKey.generate()
    with pytest.raises(InputError, match="UTF-8"):
        sign_note("a\ud800\n", [("log", key)])
    with pytest.raises(InputError, match="UTF-8"):
        sign_note("a\n", [("l\ud800g", key)])
    with pytest.raises(InputError, match="UTF-8"):
        open_note("a\ud800\n\n\u2014 log AAAA\n", [verifier_key("log", key)])


# -- entry checks: bad arguments are the caller's input errors -----------------------------


NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("country", ["fr", "Fr", "France", "ZZZ", "F", "F1", "\u00c9E", "", None])
def test_route_advice_refuses_a_country_that_is_not_an_alpha2_code(country: Any) -> None:
    from eevidence.provider import advise_routes, load_providers

    meta = load_providers().get("meta")
    with pytest.raises(InputError, match="ISO 3166-1 alpha-2") as info:
        advise_routes(country, meta, ["content"], emergency=False, now=NOW)
    assert info.value.source == "requesting_country"
    assert advise_routes("FR", meta, ["content"], emergency=False, now=NOW)


def test_route_advice_refuses_a_naive_now() -> None:
    from eevidence.provider import advise_routes, load_providers

    meta = load_providers().get("meta")
    with pytest.raises(InputError, match="aware"):
        advise_routes("FR", meta, ["content"], emergency=False, now=datetime(2026, 11, 22))


def test_the_pydantic_request_adapter_is_not_public() -> None:
    import eevidence.request

    assert "REQUEST_ADAPTER" not in eevidence.request.__all__
    assert not hasattr(eevidence.request, "REQUEST_ADAPTER")
    assert not hasattr(eevidence, "REQUEST_ADAPTER")


@pytest.mark.parametrize("value", [None, {"a": 1}, "x", example_doc("preservation")])
def test_canonical_bytes_of_something_that_is_not_a_request_is_an_input_error(
    value: Any,
) -> None:
    with pytest.raises(InputError, match=f"expected a request model, got {type(value).__name__}"):
        eevidence.canonical_bytes(value)
    with pytest.raises(InputError):
        eevidence.canonical_bytes(TimeWindow(start=NOW, end=NOW))  # type: ignore[arg-type]


def test_model_copy_with_changes_is_validated() -> None:
    request = parse_request(example_doc("preservation"))
    with pytest.raises(RequestValidationError) as info:
        request.model_copy(update={"id": "not-a-uuid", "identifiers": ()})
    assert set(_problems(info.value)) == {"$.id", "$.identifiers"}
    assert isinstance(info.value.__cause__, pydantic.ValidationError)
    with pytest.raises(RequestValidationError, match="1 problem") as info:
        request.model_copy(update={"no_such_field": 1})
    assert list(_problems(info.value)) == ["$.no_such_field"]
    from eevidence.provider import load_providers

    with pytest.raises(ProfileError):
        load_providers().get("meta").model_copy(update={"id": "Not An Id!"})
    with pytest.raises(InputError):
        TimeWindow(start=NOW, end=NOW).model_copy(update={"start": "noon"})
    changed = request.model_copy(update={"language": "de"})
    assert changed.language == "de"
    assert changed.model_fields_set == request.model_fields_set
    assert changed.model_copy(update={"language": request.language}) == request
    assert eevidence.canonical_bytes(changed.model_copy(update={"language": "en"})) == (
        eevidence.canonical_bytes(request)
    )


def test_model_copy_without_changes_is_a_plain_copy() -> None:
    request = parse_request(example_doc("preservation"))
    for copy in (
        request.model_copy(),
        request.model_copy(update={}),
        request.model_copy(deep=True),
    ):
        assert copy == request
        assert copy is not request
    deep = request.model_copy(update={"language": "de"}, deep=True)
    assert deep.authority == request.authority
    assert deep.authority is not request.authority


def test_canonical_json_of_a_deep_value_is_an_input_error() -> None:
    from eevidence.crypto import canonical_json_bytes

    deep: list[Any] = []
    for _ in range(5_000):
        deep = [deep]
    with pytest.raises(InputError, match="nested too deeply"):
        canonical_json_bytes(deep)
    with pytest.raises(InputError, match="nested too deeply"):
        canonical_json_bytes({"a": deep})
    loop: dict[str, Any] = {}
    loop["self"] = loop
    with pytest.raises(InputError, match="Circular"):
        canonical_json_bytes(loop)


def test_a_hundred_thousand_problems_print_in_a_few_lines() -> None:
    from eevidence.errors import Problem

    error = InputError(
        "invalid request: 100000 problems",
        source="big.json",
        problems=[Problem(f"$.identifiers[{i}].value", "x" * 1000) for i in range(100_000)],
    )
    text = error.diagnostics()
    assert len(text.splitlines()) == 1 + InputError.SHOWN + 1
    assert text.endswith(f"... and {100_000 - InputError.SHOWN} more problems")
    assert max(len(line) for line in text.splitlines()) < 800
    doc = error.to_dict()
    assert doc["problems_total"] == 100_000
    assert len(doc["problems"]) == InputError.SHOWN * 10  # type: ignore[arg-type]
