"""The command line: validate, new, schema; exit codes and messages."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import eevidence as ee
from eevidence._cli import main
from eevidence.provider import generated_schemas as provider_schemas
from eevidence.request import (
    KINDS,
    CloudActOrder,
    EmailIdentifier,
    EuProductionOrder,
    IpAddressIdentifier,
    PreservationRequest,
    UsernameIdentifier,
    generated_schemas,
)
from tests.helpers import ROOT, example_doc

AUTHORITY = str(ROOT / "examples" / "authority.json")


def test_validate_examples_exit_0(
    example_paths: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", *map(str, example_paths)]) == 0
    out = capsys.readouterr().out
    assert out.count("ok ") == len(example_paths) == len(KINDS)


def test_validate_broken_copy_names_every_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = example_doc("emergency-disclosure")
    doc["created_at"] = "2026-11-21T03:12:00"
    doc["identifiers"][0]["service"] = ""
    doc["emergency"].pop("why_without_delay")
    doc["data"]["categories"] = ["subscriber", "metadata"]
    doc["surprise"] = 1
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(doc), encoding="utf-8")
    good = tmp_path / "good.json"
    shutil.copy(ROOT / "examples" / "requests" / "preservation.json", good)
    assert main(["validate", str(good), str(broken)]) == 1
    out = capsys.readouterr().out
    assert f"ok       {good}" in out
    assert f"INVALID  {broken}: invalid request: 5 problems" in out
    for path in (
        "$.created_at",
        "$.identifiers[0].service",
        "$.emergency.why_without_delay",
        "$.data.categories[1]",
        "$.surprise",
    ):
        assert f"    {path}: " in out


def test_validate_json_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{ nope", encoding="utf-8")
    missing = tmp_path / "missing.json"
    assert main(["validate", "--json", str(bad), str(missing)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is False
    first, second = report["files"]
    assert first["file"] == str(bad)
    assert "not valid JSON" in first["message"]
    assert "line 1 column 3" in first["message"]
    assert second["valid"] is False
    assert "cannot read file" in second["message"]


def test_validate_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import yaml

    doc = example_doc("preservation")
    path = tmp_path / "req.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    # Timestamps are unquoted in YAML; they must keep their offsets and stay strings.
    path.write_text(text.replace("'2026-11-16T09:30:00+01:00'", "2026-11-16T09:30:00+01:00"))
    assert main(["validate", str(path)]) == 0
    assert ee.read_request(path) == ee.parse_request(doc)
    bad = tmp_path / "bad.yml"
    bad.write_text("a: [1, 2\n", encoding="utf-8")
    assert main(["validate", str(bad)]) == 1
    assert "not valid YAML" in capsys.readouterr().out
    flt = tmp_path / "float.yaml"
    flt.write_text("preservation_days: 90.5\n", encoding="utf-8")
    assert main(["validate", str(flt)]) == 1


NEW_ARGS = [
    "--authority",
    AUTHORITY,
    "--provider",
    "meta",
    "--case",
    "PJ-1",
    "--offence",
    "Incitement to terrorism",
    "--offence-category",
    "terrorism",
    "--terrorism",
    "--facts",
    "Posts calling for attacks.",
    "--statute",
    "Code pénal art. 421-2-5",
    "--identifier",
    "email:suspect@mail.example.com@2026-09-01T00:00:00Z/2026-11-01T00:00:00Z",
    "--identifier",
    "username/Instagram:nightfall_2026",
    "--identifier",
    "ip_address:[2001:db8::5]:443@2026-10-02T10:00:00+02:00",
    "--data",
    "subscriber",
    "--data",
    "traffic",
    "--relation",
    "The account published the posts.",
    "--necessity",
    "One account, two months.",
    "--period",
    "2026-09-01T00:00:00Z/2026-11-01T00:00:00Z",
    "--non-disclosure",
    "Would alert the suspect.",
    "--non-disclosure-days",
    "90",
    "--created-at",
    "2026-11-22T10:00:00Z",
]


def test_new_preservation_writes_a_valid_request(tmp_path: Path) -> None:
    out = tmp_path / "req.json"
    code = main(
        [
            "new",
            "preservation",
            *NEW_ARGS,
            "--mla-to-follow",
            "--preservation-days",
            "90",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    request = ee.read_request(out)
    assert isinstance(request, PreservationRequest)
    assert request.mla_to_follow is True
    assert request.legal_basis[0].instrument == "budapest_art29"  # from the authority profile
    email, username, ip = request.identifiers
    assert isinstance(email, EmailIdentifier)
    assert email.window is not None
    assert isinstance(username, UsernameIdentifier)
    assert username.service == "Instagram"
    assert isinstance(ip, IpAddressIdentifier)
    assert (ip.value, ip.port, ip.timestamp.isoformat()) == (
        "2001:db8::5",
        443,
        "2026-10-02T10:00:00+02:00",
    )
    assert request.confidentiality is not None
    assert request.confidentiality.duration_days == 90


def test_new_emergency_needs_threat_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "req.json"
    basis = ["--legal-basis", "us_18_usc_2702:2702(c)(4)"]
    assert main(["new", "emergency-disclosure", *NEW_ARGS, *basis, "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "$.emergency.threat_nature: required field is missing" in err
    assert "$.emergency.why_without_delay: required field is missing" in err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []
    args = [
        *NEW_ARGS,
        "--legal-basis",
        "us_18_usc_2702:2702(c)(4)",
        "--threat",
        "Attack announced",
        "--why-now",
        "Locate the user",
        "--canonical",
    ]
    assert main(["new", "emergency_disclosure", *args, "-o", str(out)]) == 0
    request = ee.read_request(out)
    assert out.read_bytes() == ee.canonical_bytes(request)


def test_new_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            ["new", "voluntary_disclosure", *NEW_ARGS, "--legal-basis", "us_18_usc_2702:2702(c)(6)"]
        )
        == 0
    )
    request = ee.parse_request(capsys.readouterr().out)
    assert request.legal_basis[0].article == "2702(c)(6)"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--identifier", "fax:123"], "unknown identifier type 'fax'"),
        (["--identifier", "email"], "expected TYPE:VALUE"),
        (["--identifier", "ip_address:203.0.113.1"], "needs the moment"),
        (["--identifier", "phone:0612345678"], "$.identifiers[3].value: expected an E.164"),
        (["--legal-basis", "magic"], "unknown instrument"),
        (["--period", "2026-01-01T00:00:00Z"], "expected START/END"),
        (
            ["--created-at", "2026-11-22T10:00:00"],
            "--created-at: date-time needs an explicit UTC offset",
        ),
    ],
)
def test_new_bad_options(
    extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new", "preservation", *NEW_ARGS, *extra]) == 1
    assert message in capsys.readouterr().err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "subpoena", *NEW_ARGS]) == 2
    assert "unknown kind 'subpoena'" in capsys.readouterr().err
    assert main(["validate"]) == 2
    assert "see 'eevidence validate --help'" in capsys.readouterr().err
    i = NEW_ARGS.index("--non-disclosure")
    without = NEW_ARGS[:i] + NEW_ARGS[i + 4 :]
    assert main(["new", "preservation", *without, "--non-disclosure-days", "3"]) == 2
    assert "--non-disclosure-days needs" in capsys.readouterr().err
    assert main(["new", "preservation", *NEW_ARGS, "--attachment", "order.pdf"]) == 2
    assert main(["schema", "nope.json"]) == 2


def test_new_eu_order_with_authority_files(tmp_path: Path) -> None:
    doc = example_doc("eu-production-order")
    issuer = tmp_path / "issuer.json"
    issuer.write_text(json.dumps(doc["issuing_authority"]), encoding="utf-8")
    enforcing = tmp_path / "enf.json"
    enforcing.write_text(json.dumps(doc["enforcing_authority"]), encoding="utf-8")
    out = tmp_path / "epoc.json"
    args = [
        "new", "eu-production-order", *NEW_ARGS,
        "--legal-basis", "eu_2023_1543:5",
        "--issuing-authority", str(issuer),
        "--enforcing-authority", str(enforcing),
        "--establishment", "Meta Platforms Ireland Ltd",
        "--attachment", "court_order:order.pdf",
        "-o", str(out),
    ]  # fmt: skip
    assert main(args) == 0
    request = ee.read_request(out)
    assert isinstance(request, EuProductionOrder)
    assert request.issuing_authority.type == "investigating_judge"
    assert request.attachments[0].name == "order.pdf"


def test_new_takes_only_the_profile_bases_the_kind_can_rest_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Budapest art. 29 founds a preservation, never a disclosure: the profile's default
    is used where it fits, refused by name where it does not, and the fitting ones kept."""
    out = tmp_path / "req.json"
    assert main(["new", "voluntary-disclosure", *NEW_ARGS, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert (
        "--legal-basis: the authority profile's default basis (budapest_art29) cannot found "
        "a voluntary_disclosure request; give one of: provider_policy, us_18_usc_2702, "
        "national_law, mla_treaty"
    ) in err
    assert not out.exists()
    profile = json.loads(Path(AUTHORITY).read_text(encoding="utf-8"))
    profile["legal_basis"] = [
        {"instrument": "budapest_art29", "article": "29"},
        {"instrument": "provider_policy"},
    ]
    both = tmp_path / "authority.json"
    both.write_text(json.dumps(profile), encoding="utf-8")
    args = [*NEW_ARGS]
    args[1] = str(both)
    assert main(["new", "voluntary-disclosure", *args, "-o", str(out)]) == 0
    assert [b.instrument for b in ee.read_request(out).legal_basis] == ["provider_policy"]
    assert main(["new", "preservation", *args, "-o", str(out), "--force"]) == 0
    kept = ["budapest_art29", "provider_policy"]  # both can found a preservation
    assert [b.instrument for b in ee.read_request(out).legal_basis] == kept


def test_new_cloud_act_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = example_doc("cloud-act-order")
    issuer = tmp_path / "issuer.json"
    issuer.write_text(json.dumps(doc["issuing_authority"]), encoding="utf-8")
    designated = tmp_path / "designated.json"
    designated.write_text(json.dumps(doc["designated_authority"]), encoding="utf-8")
    out = tmp_path / "opo.json"
    args = [
        "new", "cloud-act-order", *NEW_ARGS,
        "--provider", "google",
        "--addressee-entity", "Google LLC",
        "--sworn-officer",
        "--legal-basis", "cloud_act_agreement:4",
        "--legal-basis", "national_law:s. 1",
        "--agreement-partner", "GB",
        "--national-order", doc["national_order"],
        "--issuing-authority", str(issuer),
        "--designated-authority", str(designated),
        "--us-person-statement", doc["us_person_statement"],
        "--serious-crime", "Life imprisonment.",
        "-o", str(out),
    ]  # fmt: skip
    assert main(args) == 0
    request = ee.read_request(out)
    assert isinstance(request, CloudActOrder)
    assert (request.provider, request.addressee_entity) == ("google", "Google LLC")
    assert request.authority.officer.sworn_officer is True
    assert request.designated_authority.reference == "DAA-2026-1187"
    assert request.serious_crime == "Life imprisonment."
    # the French authority of the profile cannot issue an order relying on the UK agreement
    i = args.index("--agreement-partner")
    args[i + 1] = "AU"
    args += ["--force"]
    assert main(args) == 1
    assert "agreement_partner AU is not the country of the issuing authority (GB)" in (
        capsys.readouterr().err
    )
    # the profile's default (Budapest art. 29) founds no order under an agreement
    i = args.index("--legal-basis")
    without = args[:i] + args[i + 4 :]
    assert main(without) == 2
    assert "give one of: cloud_act_agreement, national_law" in capsys.readouterr().err


def test_new_rejects_bad_authority_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "auth.json"
    profile.write_text('{"authority": {}}', encoding="utf-8")
    args = [*NEW_ARGS]
    args[1] = str(profile)
    assert main(["new", "preservation", *args]) == 1
    assert "invalid authority profile" in capsys.readouterr().err
    profile.write_text("[]", encoding="utf-8")
    assert main(["new", "preservation", *args]) == 1


def test_schema_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert "request.schema.json" in capsys.readouterr().out
    assert main(["schema", "request.schema.json"]) == 0
    assert (
        json.loads(capsys.readouterr().out)
        == {**generated_schemas(), **provider_schemas()}["request.schema.json"]
    )
    assert main(["schema", "-o", str(tmp_path / "s")]) == 0
    # every schema the project publishes, as scripts/gen_schemas.py writes them
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == sorted(
        p.name for p in (ROOT / "schemas").glob("*.schema.json")
    )


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert ee.__version__ in capsys.readouterr().out


@pytest.mark.parametrize(
    ("text", "kind"), [("[]", "an array"), ("null", "null"), ('"x"', "a string"), ("3", "a number")]
)
def test_json_that_is_not_an_object_is_one_clear_error(
    text: str, kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "r.json"
    path.write_text(text, encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    assert f"expected an object, got {kind}" in capsys.readouterr().out
    assert main(["check", str(path)]) == 1
    assert main(["render", str(path), "-o", str(tmp_path / "x.pdf")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "must be a JSON object" in err
    with pytest.raises(ee.RequestValidationError, match="JSON object"):
        ee.read_request(path)


def test_new_refuses_a_provider_without_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EEVIDENCE_PROVIDERS", raising=False)
    args = [a if a != "meta" else "acme-mail" for a in NEW_ARGS]
    assert "acme-mail" in args
    out = tmp_path / "req.json"
    assert main(["new", "preservation", *args, "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "--provider: unknown provider 'acme-mail'" in err
    assert "add your own with --providers-dir or $EEVIDENCE_PROVIDERS" in err
    assert not out.exists()
    # a profile of one's own makes the id known
    own = tmp_path / "providers"
    own.mkdir()
    meta = json.loads((ROOT / "providers" / "meta.json").read_text(encoding="utf-8"))
    meta["id"] = "acme-mail"
    (own / "acme-mail.json").write_text(json.dumps(meta), encoding="utf-8")
    assert main(["new", "preservation", *args, "--providers-dir", str(own), "-o", str(out)]) == 0
    assert ee.read_request(out).provider == "acme-mail"


# -- output folders that cannot be used: one line, no traceback, nothing written -----------


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    [line] = err.splitlines()
    return line


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["demo", "--out"], "--out"),
        (["schema", "-o"], "--output-dir"),
        (["schema", "--output-dir"], "--output-dir"),
    ],
)
def test_an_output_folder_that_is_a_file_is_one_clear_error(
    argv: list[str], option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = tmp_path / "file"
    existing.write_bytes(b"keep")
    assert main([*argv, str(existing)]) == 1
    assert _one_error_line(capsys) == (
        f"eevidence: {option} {existing}: it exists and is not a folder"
    )
    assert existing.read_bytes() == b"keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
    assert main([*argv, str(existing / "sub")]) == 1
    assert _one_error_line(capsys) == (
        f"eevidence: {option} {existing / 'sub'}: cannot create the folder: Not a directory"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_an_output_folder_under_dev_null_is_one_clear_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["schema", "-o", "/dev/null/x"]) == 1
    assert _one_error_line(capsys) == (
        "eevidence: --output-dir /dev/null/x: cannot create the folder: Not a directory"
    )
    assert main(["demo", "--out", "/dev/null/x"]) == 1
    assert "--out /dev/null/x: cannot create the folder" in _one_error_line(capsys)


def test_schema_output_folder_is_created_with_its_parents(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b"
    assert main(["schema", "-o", str(out)]) == 0
    assert (out / "request.schema.json").is_file()
    assert main(["schema", "-o", str(out)]) == 2  # its schema files are not replaced
    assert main(["schema", "-o", str(out), "--force"]) == 0
