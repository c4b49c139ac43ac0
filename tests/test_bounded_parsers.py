"""Hostile documents: every reader of outside input stays bounded and answers with its own error.

Each attack is reproduced as an attacker would write it: a YAML alias bomb, an XML billion
laughs, arrays nested 100,000 deep in JSON, YAML, TOML and XML, a 20 MB HI-1 message of
millions of empty elements, a UTF-8 byte order mark, keys given twice. Where time or memory
is the point, the reader runs in a fresh interpreter that reports its own peak memory
(``resource.getrusage``). Hypothesis then feeds the readers arbitrary and mutated input and
allows only eevidence's own errors.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import eevidence as ee
from eevidence._cli import main
from eevidence._internal.documents import (
    MAX_DEPTH,
    MAX_DOCUMENT_BYTES,
    MAX_YAML_BYTES,
    MAX_YAML_NODES,
    decode_json,
    decode_toml,
    decode_yaml,
    load_document,
)
from eevidence.errors import CredentialsError, EEvidenceError, Hi1Error, InputError, ProfileError
from eevidence.hi1 import Hi1Endpoint, from_hi1_xml, read_hi1, to_hi1_xml
from eevidence.hi1._xml import MAX_ATTRIBUTES, MAX_ELEMENTS
from eevidence.provider import load_profile_file
from eevidence.submit import load_credentials
from tests.helpers import EXAMPLES, ROOT

DEEP = 100_000
CORE_NS = "http://uri.etsi.org/03120/common/2019/10/Core"
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
END = Hi1Endpoint("FR", "TEST")


def _measured(code: str, *args: str) -> tuple[str, float, int]:
    """Run ``code`` in a fresh interpreter; its output, seconds taken and peak RSS in MiB.

    ``code`` sets ``result`` (a text); the wrapper times it and reads ``ru_maxrss``.
    """
    script = (
        "import resource, sys, time\nstart = time.perf_counter()\n"
        + textwrap.dedent(code)
        + "\nelapsed = time.perf_counter() - start\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024\n"
        "print(result)\nprint(elapsed)\nprint(peak)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=True,
    ).stdout.splitlines()
    return "\n".join(out[:-2]), float(out[-2]), int(out[-1])


# --------------------------------------------------------------------------- YAML aliases

# 339 bytes: nine levels of nine aliases each, 9**9 (387 million) strings once expanded
BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{c}: &{c} [{','.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_the_alias_bomb_is_refused_at_once_within_400_mib(tmp_path: Path) -> None:
    assert len(BOMB) < 400
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB, encoding="utf-8")
    out, seconds, mib = _measured(
        """
        from eevidence._internal.documents import load_document
        from eevidence.errors import InputError
        try:
            load_document(sys.argv[1])
            result = "accepted"
        except InputError as exc:
            result = exc.diagnostics()
        """,
        str(bomb),
    )
    assert out == f"{bomb}: not readable YAML: YAML aliases are not accepted (*a at line 2): " + (
        "write the value out"
    )
    assert seconds < 30  # a guard against a blow-up (over 60 s unbounded), not a speed figure
    assert mib < 400


def test_the_alias_bomb_is_one_line_from_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB, encoding="utf-8")
    assert main(["validate", str(bomb)]) != 0
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "YAML aliases are not accepted" in text
    assert "Traceback" not in text
    assert len(text.strip().splitlines()) == 1


def test_a_recursive_alias_is_refused() -> None:
    with pytest.raises(InputError, match="aliases are not accepted"):
        decode_yaml("a: &a [*a]\n", "x.yaml")
    with pytest.raises(InputError, match="aliases are not accepted"):
        decode_yaml("base: &b {x: 1}\nother:\n  <<: *b\n", "x.yaml")


def test_yaml_node_count_and_size_are_capped() -> None:
    assert MAX_YAML_NODES == 100_000
    many = "[" + ",".join(["1"] * 500) + "]"
    with pytest.raises(InputError, match="more than 500 YAML nodes \\(the limit\\)"):
        decode_yaml(many, "x.yaml", max_nodes=500)
    assert len(decode_yaml(many, "x.yaml", max_nodes=501)) == 500
    with pytest.raises(InputError, match=f"larger than {MAX_YAML_BYTES} bytes \\(the limit\\)"):
        decode_yaml(b"#" * (MAX_YAML_BYTES + 1), "x.yaml")


def test_yaml_keeps_to_json_values() -> None:
    with pytest.raises(InputError, match=r"non-integer number at \$\.a\[1\]"):
        decode_yaml("a: [1, 2.5]\n", "x.yaml")
    with pytest.raises(InputError, match=r"a YAML bytes at \$\.b is not a JSON value"):
        decode_yaml("b: !!binary aGk=\n", "x.yaml")
    with pytest.raises(InputError, match=r"a YAML set at \$ is not a JSON value"):
        decode_yaml("!!set {a, b}\n", "x.yaml")
    with pytest.raises(InputError, match=r"the key 1 at \$ is not a text"):
        decode_yaml("1: one\n", "x.yaml")
    # timestamps stay text (their offset is never lost)
    assert decode_yaml("at: 2026-11-30T09:00:00+01:00\n", "x.yaml") == {
        "at": "2026-11-30T09:00:00+01:00"
    }


# --------------------------------------------------------------------------- deep nesting


@pytest.mark.parametrize(
    ("suffix", "text", "message"),
    [
        (".json", "[" * DEEP + "]" * DEEP, f"arrays/objects nested deeper than {MAX_DEPTH}"),
        (".json", '{"a":' * DEEP + "1" + "}" * DEEP, f"nested deeper than {MAX_DEPTH}"),
        (".yaml", "[" * DEEP + "]" * DEEP, f"sequences/mappings nested deeper than {MAX_DEPTH}"),
        (".yaml", "{a: " * DEEP + "1" + "}" * DEEP, f"nested deeper than {MAX_DEPTH}"),
        (".yaml", "".join("  " * i + "-\n" for i in range(MAX_DEPTH + 2)), "deeper than 64"),
    ],
)
def test_deep_nesting_is_an_input_error_naming_the_limit(
    tmp_path: Path, suffix: str, text: str, message: str
) -> None:
    path = tmp_path / f"deep{suffix}"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message) as info:
        load_document(path)
    assert "(the limit)" in str(info.value)
    assert info.value.source == str(path)
    with pytest.raises(InputError, match=message):
        ee.read_request(path)


def test_nesting_up_to_the_limit_is_read() -> None:
    at_limit = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert decode_json(at_limit, "x") == json.loads(at_limit)
    assert decode_yaml(at_limit, "x") == json.loads(at_limit)
    with pytest.raises(InputError, match="deeper than"):
        decode_json("[" + at_limit + "]", "x")
    with pytest.raises(InputError, match="deeper than"):
        decode_yaml("[" + at_limit + "]", "x")
    # brackets inside strings are not nesting, escaped quotes included
    text = json.dumps({"a": "[" * 500, "b": '"\\[' * 200, "c": [["]]]]"]]})
    assert decode_json(text, "x") == json.loads(text)


def test_deep_request_bytes_and_profiles(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nested deeper than"):
        ee.parse_request(b"[" * DEEP + b"]" * DEEP)
    profile = tmp_path / "deep.json"
    profile.write_bytes(b'{"id": ' + b"[" * DEEP + b"]" * DEEP + b"}")
    with pytest.raises(ProfileError) as info:
        load_profile_file(profile)
    assert "nested deeper than 64 levels (the limit)" in info.value.problems[0].message


def _private(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    os.chmod(path, 0o600)
    return path


@pytest.mark.parametrize(
    "body",
    [
        b"a = " + b"[" * 30_000 + b"]" * 30_000,
        b"a = " + b"{b = " * 10_000 + b"1" + b"}" * 10_000,
        b"a = " + b"[" * 17 + b"]" * 17,
        b"[" + b".".join([b"t"] * 17) + b"]\n",
    ],
)
def test_deep_toml_credentials_are_refused(tmp_path: Path, body: bytes) -> None:
    file = _private(tmp_path / "credentials.toml", body)
    with pytest.raises(CredentialsError, match="nested deeper than 16 levels \\(the limit\\)"):
        load_credentials(file, environ={})
    with pytest.raises(InputError, match="nested deeper than 16 levels"):
        decode_toml(body, "c.toml")


def test_toml_credentials_size_and_bom(tmp_path: Path) -> None:
    big = _private(tmp_path / "big.toml", b"#" * (64 * 1024 + 1))
    with pytest.raises(CredentialsError, match="larger than 65536 bytes \\(the limit\\)"):
        load_credentials(big, environ={})
    bom = _private(tmp_path / "bom.toml", b'\xef\xbb\xbf[api.meta]\ntoken = "t0k"\n')
    token = load_credentials(bom, environ={}).token("meta")
    assert token is not None
    assert token.reveal() == "t0k"
    twice = _private(tmp_path / "twice.toml", b'[api.meta]\ntoken = "sekrit1"\ntoken = "b"\n')
    with pytest.raises(CredentialsError, match="not valid TOML") as info:
        load_credentials(twice, environ={})
    assert "sekrit1" not in str(info.value)


# --------------------------------------------------------------------------- BOM, duplicates


def test_a_utf8_bom_is_accepted_everywhere(tmp_path: Path) -> None:
    raw = (EXAMPLES / "preservation.json").read_bytes()
    with_bom = tmp_path / "bom.json"
    with_bom.write_bytes(b"\xef\xbb\xbf" + raw)
    assert ee.read_request(with_bom) == ee.read_request(EXAMPLES / "preservation.json")
    assert ee.parse_request(b"\xef\xbb\xbf" + raw) == ee.parse_request(raw)
    yaml_bom = tmp_path / "bom.yaml"
    yaml_bom.write_bytes(b"\xef\xbb\xbfkind: preservation\n")
    assert load_document(yaml_bom) == {"kind": "preservation"}
    profile = tmp_path / "meta.json"
    shipped = ROOT / "providers" / "meta.json"
    profile.write_bytes(b"\xef\xbb\xbf" + shipped.read_bytes())
    assert load_profile_file(profile) == load_profile_file(shipped)
    assert main(["validate", str(with_bom)]) == 0


def test_duplicate_keys_are_refused_with_key_and_path(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"duplicate key 'kind' in the object at \$ "):
        decode_json('{"kind": "a", "kind": "b"}', "x")
    text = '{"a": [{"ok": 1}, {"b": {"v": 1, "v": 2}}]}'
    with pytest.raises(InputError, match=r"duplicate key 'v' in the object at \$\.a\[1\]\.b "):
        decode_json(text, "x")
    with pytest.raises(InputError, match=r"duplicate key 'v' in the mapping at \$\.a\[1\]\.b "):
        decode_yaml("a:\n  - ok: 1\n  - b:\n      v: 1\n      v: 2\n", "x.yaml")
    # the same key in two objects is no duplicate
    assert decode_json('[{"a": 1}, {"a": 2}]', "x") == [{"a": 1}, {"a": 2}]
    doc = json.loads((EXAMPLES / "preservation.json").read_text(encoding="utf-8"))
    path = tmp_path / "twice.json"
    body = json.dumps(doc)[:-1] + ', "provider": "google"}'
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InputError, match="duplicate key 'provider'"):
        ee.read_request(path)
    profile = tmp_path / "meta.json"
    shipped = (ROOT / "providers" / "meta.json").read_text(encoding="utf-8")
    profile.write_text(shipped.rstrip()[:-1] + ', "id": "meta"}', encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile_file(profile)
    assert "duplicate key 'id' in the object at $ " in info.value.problems[0].message


def test_json_size_limit_is_named() -> None:
    with pytest.raises(InputError, match=f"larger than {MAX_DOCUMENT_BYTES} bytes \\(the limit\\)"):
        decode_json(b" " * (MAX_DOCUMENT_BYTES + 1), "x")
    with pytest.raises(InputError, match="larger than 10 bytes"):
        decode_json(b"[1, 2, 3, 4]", "x", max_bytes=10)
    assert decode_json("[1.5]", "x", integers_only=False) == [1.5]
    with pytest.raises(InputError, match=r"non-integer number 1\.5"):
        decode_json("[1.5]", "x")


def test_the_nesting_scan_is_linear_on_unterminated_strings() -> None:
    _, seconds, _ = _measured(
        """
        from eevidence._internal.documents import decode_json
        from eevidence.errors import InputError
        try:
            decode_json('"' + '\\\\"' * 1_500_000, "x")
            result = "accepted"
        except InputError as exc:
            result = str(exc)
        """
    )
    assert seconds < 30  # a guard against a blow-up, not a speed figure


# --------------------------------------------------------------------------- XML


def test_billion_laughs_is_refused() -> None:
    laughs = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'.encode()
            for i in range(1, 10)
        )
        + b"]>\n<HI1Message>&lol9;</HI1Message>"
    )
    with pytest.raises(Hi1Error, match="DTD or entity declaration"):
        read_hi1(laughs)
    external = b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://example.invalid/x.dtd"><x/>'
    with pytest.raises(Hi1Error, match="DTD"):
        read_hi1(external)
    with pytest.raises(Hi1Error, match="not well-formed"):
        read_hi1(b"<HI1Message>&undefined;</HI1Message>")


def test_deep_xml_is_refused() -> None:
    deep = b"<a>" * DEEP + b"</a>" * DEEP
    with pytest.raises(Hi1Error, match="nested deeper than 32 levels \\(the limit\\)"):
        read_hi1(deep)


def _root(body: bytes) -> bytes:
    return (
        b'<?xml version="1.0"?><HI1Message xmlns="' + CORE_NS.encode() + b'"><Header>'
        b"<SenderIdentifier><CountryCode>FR</CountryCode><UniqueIdentifier>S</UniqueIdentifier>"
        b"</SenderIdentifier><ReceiverIdentifier><CountryCode>IE</CountryCode>"
        b"<UniqueIdentifier>R</UniqueIdentifier></ReceiverIdentifier></Header>"
        + body
        + b"</HI1Message>"
    )


def test_element_and_attribute_caps() -> None:
    with pytest.raises(Hi1Error, match=f"more than {MAX_ELEMENTS} elements \\(the limit\\)"):
        read_hi1(_root(b"<x/>" * MAX_ELEMENTS))
    attrs = b" ".join(f'a{i}=""'.encode() for i in range(MAX_ATTRIBUTES + 1))
    with pytest.raises(Hi1Error, match=f"more than {MAX_ATTRIBUTES} attributes \\(the limit\\)"):
        read_hi1(_root(b"<x " + attrs + b"/>"))
    spaces = b" ".join(f'xmlns:p{i}="urn:{i}"'.encode() for i in range(MAX_ATTRIBUTES + 1))
    with pytest.raises(Hi1Error, match=f"more than {MAX_ATTRIBUTES} namespaces \\(the limit\\)"):
        read_hi1(_root(b"<x " + spaces + b"/>"))
    # just under the caps reads
    assert read_hi1(_root(b"<x/>" * (MAX_ELEMENTS - 20))).sender == Hi1Endpoint("FR", "S")


def test_a_20_mb_message_of_empty_elements_stays_within_600_mib(tmp_path: Path) -> None:
    big = tmp_path / "huge.xml"
    big.write_bytes(_root(b"<a/>" * 5_000_000))
    assert big.stat().st_size > 20_000_000
    out, seconds, mib = _measured(
        """
        from eevidence._cli import main
        result = main(["import", "etsi", sys.argv[1]])
        """,
        str(big),
    )
    assert out == "1"
    assert mib < 600
    assert seconds < 60  # a guard against a blow-up, not a speed figure


def _exported(name: str = "preservation") -> tuple[ee.Request, bytes]:
    request = ee.read_request(EXAMPLES / f"{name}.json")
    return request, to_hi1_xml(request, sender=END, receiver=END, now=NOW)


def test_import_lists_at_most_100_differences(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, data = _exported()
    stuffed = data.replace(b"</HI1Message>", b"<Stray/>" * 250 + b"</HI1Message>")
    with pytest.raises(Hi1Error, match=r"\(250 difference\(s\)\)") as info:
        from_hi1_xml(stuffed)
    assert len(info.value.problems) == 101
    assert info.value.problems[-1].message == "150 more difference(s) not listed"
    msg = tmp_path / "stuffed.xml"
    msg.write_bytes(stuffed)
    assert main(["import", "etsi", str(msg)]) == 1
    assert len(capsys.readouterr().err.splitlines()) < 110


def test_summary_lists_are_capped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    actions = (
        b"<Payload><RequestPayload><ActionRequests>"
        + (b"<ActionRequest><GET/></ActionRequest>" * 300)
        + b"</ActionRequests></RequestPayload></Payload>"
    )
    msg = tmp_path / "many.xml"
    msg.write_bytes(_root(actions))
    assert len(read_hi1(msg.read_bytes()).actions) == 300
    assert main(["import", "etsi", "--summary", str(msg)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["actions"] == ["GET"] * 100
    assert shown["actions_not_shown"] == 200
    assert "tasks_not_shown" not in shown


def test_an_eevidence_message_of_the_largest_request_still_imports() -> None:
    doc = json.loads((EXAMPLES / "eu-production-order.json").read_text(encoding="utf-8"))
    doc["identifiers"] = [{"type": "email", "value": f"u{i}@mail.example.com"} for i in range(1000)]
    doc["data"]["categories"] = ["subscriber", "user_identification", "traffic", "content"]
    request = ee.parse_request(doc)
    data = to_hi1_xml(request, sender=END, receiver=END, now=NOW)
    assert 100_000 < data.count(b"</") + data.count(b"/>") < MAX_ELEMENTS
    assert from_hi1_xml(data) == request


# --------------------------------------------------------------------------- fuzzing

_FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_FUZZ
@given(st.one_of(st.binary(max_size=400), st.text(max_size=400)))
def test_decode_json_raises_only_our_errors(data: bytes | str) -> None:
    with contextlib.suppress(EEvidenceError):
        decode_json(data, "fuzz")


_JSONISH = st.text(alphabet='[]{}",:\\ 0123456789.eE-+truefalsn\ufeff\n\t', max_size=300)


@_FUZZ
@given(_JSONISH)
def test_decode_json_on_json_alphabet_agrees_with_the_standard_reader(text: str) -> None:
    try:
        value = decode_json(text, "fuzz")
    except InputError:
        return
    assert value == json.loads(text.removeprefix("\ufeff"))


_YAMLISH = st.text(alphabet="[]{}-:,&*!?|>'\"#%@` \n\tab01.~\ufeff", max_size=300)


@_FUZZ
@given(st.one_of(_YAMLISH, st.text(max_size=300), st.binary(max_size=300)))
def test_decode_yaml_raises_only_our_errors(data: str | bytes) -> None:
    try:
        value = decode_yaml(data, "fuzz.yaml")
    except EEvidenceError:
        return
    json.dumps(value)  # what it returns is JSON


_TOMLISH = st.text(alphabet="[]{}=\"'.,#\n abc012_-:T", max_size=300)


@_FUZZ
@given(st.one_of(_TOMLISH, st.binary(max_size=300)))
def test_decode_toml_raises_only_our_errors(data: str | bytes) -> None:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with contextlib.suppress(EEvidenceError):
        decode_toml(raw, "fuzz.toml")


@st.composite
def _xml(draw: st.DrawFn) -> bytes:
    """Small XML-ish documents: elements, attributes, namespaces, entities, DTD pieces."""
    parts = draw(
        st.lists(
            st.sampled_from(
                [
                    "<a>",
                    "</a>",
                    "<b x='1'>",
                    "</b>",
                    "<c/>",
                    '<d xmlns:p="urn:p" p:y="2"/>',
                    "text",
                    "&amp;",
                    "&e;",
                    "&#0;",
                    "<!DOCTYPE a>",
                    '<!ENTITY e "x">',
                    "<![CDATA[z]]>",
                    "<!-- c -->",
                    "<?pi x?>",
                    '<Header xmlns="' + CORE_NS + '">',
                    "</Header>",
                    '<?xml version="1.0" encoding="latin-1"?>',
                ]
            ),
            max_size=40,
        )
    )
    return ("<HI1Message xmlns='" + CORE_NS + "'>" + "".join(parts) + "</HI1Message>").encode()


@_FUZZ
@given(st.one_of(_xml(), st.binary(max_size=300)))
def test_hi1_readers_raise_only_our_errors(data: bytes) -> None:
    for reader in (read_hi1, from_hi1_xml):
        with contextlib.suppress(EEvidenceError):
            reader(data)


_FUZZ_REQUEST, _FUZZ_MESSAGE = _exported("eu-production-order")
_ELEMENTS = sorted(
    {
        chunk.split(b">")[0].split(b" ")[0]
        for chunk in _FUZZ_MESSAGE.split(b"<")[1:]
        if chunk and chunk[:1] not in b"/?!"
    }
)


@_FUZZ
@given(
    st.lists(
        st.tuples(st.integers(0, len(_ELEMENTS) - 1), st.integers(0, 30), st.integers(1, 3)),
        min_size=1,
        max_size=5,
    )
)
def test_structural_mutations_of_a_message_raise_only_our_errors(
    edits: list[tuple[int, int, int]],
) -> None:
    """Whole elements repeated, dropped or nested into themselves: only our errors."""
    data = _FUZZ_MESSAGE
    for which, nth, action in edits:
        tag = _ELEMENTS[which]
        start = -1
        for _ in range(nth + 1):
            start = data.find(b"<" + tag, start + 1)
            if start < 0:
                break
        if start < 0:
            continue
        close = data.find(b"</" + tag + b">", start)
        end = data.find(b"/>", start) + 2 if close < 0 else close + len(tag) + 3
        if end < 2:
            continue
        element = data[start:end]
        if action == 1:  # repeated
            data = data[:end] + element + data[end:]
        elif action == 2:  # dropped
            data = data[:start] + data[end:]
        else:  # nested into itself, twice
            inner = element.replace(b">", b">" + element, 1)
            data = data[:start] + inner.replace(b">", b">" + element, 1) + data[end:]
    try:
        read_hi1(data)
        request = from_hi1_xml(data)
    except EEvidenceError:
        return
    assert request == _FUZZ_REQUEST
