"""CASE/UCO export of the custody log: a provenance chain CASE tools accept.

Oracles, both pinned in the test extra: ``case_validate`` (case-utils, the CASE ontology's
SHACL shapes) and NIST's CASE provenance reviewer (case-prov: ``case_prov_rdf`` maps the
export to W3C PROV-O, ``case_prov_check`` reports every action that does not follow from
the previous one and every object that does not derive from the start of the chain).
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from eevidence._cli import _custody
from eevidence._internal.resources import data_dir
from eevidence.custody import CustodyEntry, append_entry, custody_to_case
from eevidence.custody._entries import key_id
from eevidence.request import read_request

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
EVIDENCE = "evidence/meta-0001.zip"
ACTION = "case-investigation:InvestigativeAction"
RECORD = "case-investigation:ProvenanceRecord"


class Signer:
    def __init__(self) -> None:
        self.key = Ed25519PrivateKey.from_private_bytes(bytes(32))
        self.keyid = key_id(self.key.public_key())

    def sign(self, data: bytes) -> bytes:
        return self.key.sign(data)


STEPS: list[dict[str, Any]] = [
    {"action": "request_created", "object_id": "request/0b1c"},
    {"action": "request_signed", "object_id": "package/0b1c", "object_sha256": "12" * 32},
    {"action": "request_submitted", "object_id": "package/0b1c", "note": "portal upload"},
    {
        "action": "evidence_received",
        "object_id": EVIDENCE,
        "object_sha256": "ab" * 32,
        "location": "evidence store, Paris",
        "note": "returned by the provider's portal",
    },
    {
        "action": "transferred",
        "object_id": EVIDENCE,
        "object_sha256": "ab" * 32,
        "transfer_from": "Lt. Claire Martin",
        "transfer_to": "Forensic laboratory, Lyon",
    },
    {"action": "request_created", "object_id": "request/77aa"},  # a second request meanwhile
    {
        "action": "transferred",  # a hand-over that records no digest
        "object_id": EVIDENCE,
        "transfer_from": "Forensic laboratory, Lyon",
        "transfer_to": "Dr. Anna Weber",
        "location": "Forensic laboratory, Lyon",
    },
    {"action": "evidence_verified", "object_id": EVIDENCE, "object_sha256": "ab" * 32},
    {
        "action": "transferred",
        "object_id": EVIDENCE,
        "object_sha256": "ab" * 32,
        "transfer_from": "Dr. Anna Weber",
        "transfer_to": "Lt. Claire Martin",
    },
    {"action": "exported", "object_id": EVIDENCE, "object_sha256": "cd" * 32, "note": "re-zipped"},
]


def log(steps: list[dict[str, Any]] = STEPS) -> list[CustodyEntry]:
    out: list[CustodyEntry] = []
    previous = None
    signer = Signer()
    for i, step in enumerate(steps):
        previous = append_entry(
            previous,
            signer,
            at=NOW + timedelta(minutes=i),
            actor="Lt. Claire Martin",
            role="investigator",
            **step,
        )
        out.append(previous)
    return out


def write(doc: dict[str, Any], tmp_path: Path) -> Path:
    path = tmp_path / "custody.jsonld"
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


def run(module: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", f"from {module} import main; main()", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def validate(doc: dict[str, Any], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return run("case_utils.case_validate", write(doc, tmp_path))


def prov_check(path: Path) -> subprocess.CompletedProcess[str]:
    """``case_prov_rdf`` then ``case_prov_check`` (warnings count: no ``--allow-warnings``)."""
    prov = path.with_name(path.stem + ".prov.ttl")
    mapped = run("case_prov.case_prov_rdf", prov, path)
    assert mapped.returncode == 0, mapped.stdout + mapped.stderr
    assert "wasInformedBy" in prov.read_text(encoding="utf-8")  # the mapping found a chain
    return run("case_prov.case_prov_check", path, prov)


def nodes(doc: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [n for n in doc["@graph"] if n["@type"] == kind]


def ids(refs: list[dict[str, str]]) -> list[str]:
    return [r["@id"] for r in refs]


def by_id(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["@id"]: n for n in doc["@graph"]}


def sha256_of(node: dict[str, Any]) -> list[str]:
    return [
        h["uco-types:hashValue"]["@value"]
        for facet in node.get("uco-core:hasFacet", [])
        for h in facet["uco-observable:hash"]
    ]


def test_export_is_accepted_by_case_validate(tmp_path: Path) -> None:
    entries = log()
    doc = custody_to_case(entries, log_name="FR-PJ")
    types = [n["@type"] for n in doc["@graph"]]
    assert types.count(ACTION) == len(entries)
    assert types.count(RECORD) == len(entries)
    assert "uco-tool:Tool" in types
    assert "uco-identity:Identity" in types
    text = json.dumps(doc)
    assert ("AB" * 32) in text
    assert "Forensic laboratory, Lyon" in text
    assert custody_to_case(entries, log_name="FR-PJ") == doc  # deterministic
    result = validate(doc, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Conforms: True" in result.stdout


def test_case_validate_rejects_a_broken_export(tmp_path: Path) -> None:
    doc = custody_to_case(log(), log_name="FR-PJ")
    for node in nodes(doc, ACTION):
        node["uco-action:startTime"] = {"@type": "xsd:dateTime", "@value": "yesterday"}
    result = validate(doc, tmp_path)
    assert result.returncode != 0
    assert "Conforms: False" in result.stdout


def test_each_action_uses_the_previous_record_and_produces_the_next() -> None:
    entries = log()
    doc = custody_to_case(entries, log_name="FR-PJ")
    graph = by_id(doc)
    actions = nodes(doc, ACTION)
    records = [ids(a["uco-action:result"])[0] for a in actions]
    assert all(graph[r]["@type"] == RECORD for r in records)
    assert "uco-action:object" not in actions[0]  # the log's first entry uses nothing
    for n, (action, entry) in enumerate(zip(actions, entries, strict=True)):
        record = graph[records[n]]
        entry_node = graph[ids(record["uco-core:object"])[0]]
        # the record holds the entry itself, with the SHA-256 and size of its bytes
        assert sha256_of(entry_node) == [entry.entry_hash().upper()]
        facet = entry_node["uco-core:hasFacet"][0]
        assert facet["uco-observable:sizeInBytes"]["@value"] == str(len(entry.canonical()))
        assert entry_node["@id"] in ids(action["uco-action:result"])
        if n:
            used = ids(action["uco-action:object"])
            previous_entry = ids(graph[records[n - 1]]["uco-core:object"])[0]
            assert used[:2] == [records[n - 1], previous_entry]
            assert sha256_of(graph[previous_entry]) == [entry.prev_hash.upper()]


def test_hand_overs_name_the_same_object_with_its_hash() -> None:
    entries = log()
    doc = custody_to_case(entries, log_name="FR-PJ")
    graph = by_id(doc)
    actions = nodes(doc, ACTION)
    evidence = [(a, e) for a, e in zip(actions, entries, strict=True) if e.object_id == EVIDENCE]
    received = ids(evidence[0][0]["uco-action:result"])[2]
    assert graph[received]["uco-core:name"] == EVIDENCE
    assert sha256_of(graph[received]) == ["AB" * 32]
    # every later action on the evidence, with or without a digest, uses that node
    for action, entry in evidence[1:]:
        assert received in ids(action["uco-action:object"]), entry.action
    for action, _ in evidence[1:-1]:
        assert len(ids(action["uco-action:result"])) == 2  # no new state of the object
        record = graph[ids(action["uco-action:result"])[0]]
        assert ids(record["uco-core:object"])[1] == received
    # one node per object state: a new digest is a new node, produced from the old state
    states = [
        n for n in nodes(doc, "uco-observable:ObservableObject") if n["uco-core:name"] == EVIDENCE
    ]
    assert sorted(h for n in states for h in sha256_of(n)) == ["AB" * 32, "CD" * 32]
    changed = ids(evidence[-1][0]["uco-action:result"])[2]
    assert sha256_of(graph[changed]) == ["CD" * 32]
    # a submission without a digest names the package as signed
    package = [
        n
        for n in nodes(doc, "uco-observable:ObservableObject")
        if n["uco-core:name"] == "package/0b1c"
    ]
    assert len(package) == 1
    assert sha256_of(package[0]) == ["12" * 32]


def test_case_prov_check_accepts_a_log_with_several_transfers(tmp_path: Path) -> None:
    doc = custody_to_case(log(), log_name="FR-PJ")
    result = prov_check(write(doc, tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Conforms: True" in result.stdout
    assert "Severity" not in result.stdout  # no warnings either


@pytest.mark.parametrize("cut", ["record", "entry"])
def test_case_prov_check_reports_an_action_cut_from_the_chain(tmp_path: Path, cut: str) -> None:
    doc = custody_to_case(log(), log_name="FR-PJ")
    handover = nodes(doc, ACTION)[6]
    drop = 0 if cut == "record" else 1  # the previous record, or the entry it holds
    del handover["uco-action:object"][drop]  # still valid CASE, but no longer a chain
    result = prov_check(write(doc, tmp_path))
    assert result.returncode == 1
    assert "Conforms: False" in result.stdout
    assert "case-prov:chain-of-communication-shape" in result.stdout
    assert handover["@id"] in result.stdout


def test_an_export_that_starts_mid_log_shows_where_the_chain_leaves_it(tmp_path: Path) -> None:
    entries = log()[3:]
    doc = custody_to_case(entries, log_name="FR-PJ")
    graph = by_id(doc)
    first = nodes(doc, ACTION)[0]
    outside = graph[ids(first["uco-action:object"])[0]]
    assert sha256_of(outside) == [entries[0].prev_hash.upper()]
    assert validate(doc, tmp_path).returncode == 0
    result = prov_check(write(doc, tmp_path))
    assert result.returncode == 1
    assert "case-prov:chain-of-derivation-shape" in result.stdout
    assert outside["@id"] in result.stdout


def test_the_demo_export_is_a_chain_case_tools_accept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the demo's custody step (`eevidence demo`, section 7) writes the export checked here
    example = data_dir("examples") / "preservation.json"
    assert _custody.demo_step(tmp_path, example, read_request(example).created_at)
    assert "CASE/UCO export" in capsys.readouterr().out
    path = tmp_path / "custody" / "custody.case.jsonld"
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert len(nodes(doc, ACTION)) >= 5
    assert any(n["uco-core:name"] == "transferred" for n in nodes(doc, ACTION))
    checked = run("case_utils.case_validate", path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    result = prov_check(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Conforms: True" in result.stdout
    assert "Severity" not in result.stdout
