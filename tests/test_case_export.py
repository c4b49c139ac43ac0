"""CASE/UCO export of the custody log, checked by case_validate (case-utils, pinned)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from eevidence.custody import CustodyEntry, append_entry, custody_to_case
from eevidence.custody._entries import key_id

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


class Signer:
    def __init__(self) -> None:
        self.key = Ed25519PrivateKey.from_private_bytes(bytes(32))
        self.keyid = key_id(self.key.public_key())

    def sign(self, data: bytes) -> bytes:
        return self.key.sign(data)


def log() -> list[CustodyEntry]:
    steps: list[dict[str, Any]] = [
        {"action": "request_created", "object_id": "request/0b1c"},
        {"action": "request_signed", "object_id": "package/0b1c", "object_sha256": "12" * 32},
        {
            "action": "evidence_received",
            "object_id": "evidence/meta-0001.zip",
            "object_sha256": "ab" * 32,
            "location": "evidence store, Paris",
            "note": "returned by the provider's portal",
        },
        {
            "action": "transferred",
            "object_id": "evidence/meta-0001.zip",
            "object_sha256": "ab" * 32,
            "transfer_from": "Lt. Claire Martin",
            "transfer_to": "Forensic laboratory, Lyon",
        },
    ]
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


def validate(doc: dict[str, Any], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "custody.jsonld"
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-c", "from case_utils.case_validate import main; main()", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_export_is_accepted_by_case_validate(tmp_path: Path) -> None:
    entries = log()
    doc = custody_to_case(entries, log_name="FR-PJ")
    types = [n["@type"] for n in doc["@graph"]]
    assert types.count("case-investigation:InvestigativeAction") == len(entries)
    assert types.count("case-investigation:ProvenanceRecord") == len(entries)
    assert "uco-tool:Tool" in types
    assert "uco-identity:Identity" in types
    hashes = json.dumps(doc)
    assert ("AB" * 32) in hashes
    assert "Forensic laboratory, Lyon" in hashes
    assert custody_to_case(entries, log_name="FR-PJ") == doc  # deterministic
    result = validate(doc, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Conforms: True" in result.stdout


def test_case_validate_rejects_a_broken_export(tmp_path: Path) -> None:
    doc = custody_to_case(log(), log_name="FR-PJ")
    for node in doc["@graph"]:
        if node["@type"] == "case-investigation:InvestigativeAction":
            node["uco-action:startTime"] = {"@type": "xsd:dateTime", "@value": "yesterday"}
    result = validate(doc, tmp_path)
    assert result.returncode != 0
    assert "Conforms: False" in result.stdout
