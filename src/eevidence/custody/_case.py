"""CASE/UCO export of the custody log (JSON-LD, https://caseontology.org).

Each custody entry becomes a ``case-investigation:InvestigativeAction`` with its performer
(the actor, a ``uco-identity:Identity``), its instrument (the tool, a ``uco-tool:Tool``
with its version), its object (the request or evidence item, a
``uco-observable:ObservableObject`` carrying its SHA-256 in a ``ContentDataFacet``), its
time, location and description, and as its result a ``case-investigation:ProvenanceRecord``
that names the object in the state the entry recorded. Transfers name the parties in the
description. Node ids are derived from the log (entry hashes), so the same log gives the
same graph.

Pure: entries in, a JSON-LD document (a dict) out.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC
from typing import Any, Final

from eevidence.custody._entries import CustodyEntry

__all__ = ["CASE_CONTEXT", "custody_to_case"]

CASE_CONTEXT: Final[dict[str, str]] = {  # JSON-LD prefixes of CASE 1.x and UCO 1.x
    "kb": "urn:eevidence:",
    "case-investigation": "https://ontology.caseontology.org/case/investigation/",
    "uco-action": "https://ontology.unifiedcyberontology.org/uco/action/",
    "uco-core": "https://ontology.unifiedcyberontology.org/uco/core/",
    "uco-identity": "https://ontology.unifiedcyberontology.org/uco/identity/",
    "uco-location": "https://ontology.unifiedcyberontology.org/uco/location/",
    "uco-observable": "https://ontology.unifiedcyberontology.org/uco/observable/",
    "uco-tool": "https://ontology.unifiedcyberontology.org/uco/tool/",
    "uco-types": "https://ontology.unifiedcyberontology.org/uco/types/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
_NS: Final = uuid.UUID("2f0b7f63-3c55-5b8e-9a57-6c1d5a0e7a11")


def _id(kind: str, *parts: str) -> str:
    return f"kb:{kind}-{uuid.uuid5(_NS, '|'.join((kind, *parts)))}"


def _time(entry: CustodyEntry) -> dict[str, str]:
    text = entry.at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return {"@type": "xsd:dateTime", "@value": text}


def custody_to_case(entries: Sequence[CustodyEntry], *, log_name: str) -> dict[str, Any]:
    """The custody log as a CASE/UCO JSON-LD graph (https://caseontology.org, CASE 1.x).

    Args:
        entries: The log's entries, in order.
        log_name: The log's name, part of every node id and description (e.g. the
            checkpoint origin).

    Returns:
        ``{"@context": CASE_CONTEXT, "@graph": [...]}``: one ``InvestigativeAction`` and
        one ``ProvenanceRecord`` per entry, plus the identities, tools, objects and
        locations they name (each once). Node ids are UUIDv5 derived from the log, so the
        same log gives the same graph.
    """
    graph: list[dict[str, Any]] = []
    seen: set[str] = set()

    def add(node: dict[str, Any]) -> str:
        node_id: str = node["@id"]
        if node_id not in seen:
            seen.add(node_id)
            graph.append(node)
        return node_id

    for entry in entries:
        performer = add(
            {
                "@id": _id("identity", entry.actor, entry.role),
                "@type": "uco-identity:Identity",
                "uco-core:name": entry.actor,
                "uco-core:description": f"role: {entry.role}",
            }
        )
        tool = add(
            {
                "@id": _id("tool", entry.tool, entry.tool_version),
                "@type": "uco-tool:Tool",
                "uco-core:name": entry.tool,
                "uco-tool:version": entry.tool_version,
            }
        )
        state = entry.object_sha256 or "no-digest"
        obj_node: dict[str, Any] = {
            "@id": _id("object", entry.object_id, state),
            "@type": "uco-observable:ObservableObject",
            "uco-core:name": entry.object_id,
        }
        if entry.object_sha256:
            obj_node["uco-core:hasFacet"] = [
                {
                    "@id": _id("content-data-facet", entry.object_id, state),
                    "@type": "uco-observable:ContentDataFacet",
                    "uco-observable:hash": [
                        {
                            "@id": _id("hash", entry.object_id, state),
                            "@type": "uco-types:Hash",
                            "uco-types:hashMethod": "SHA256",
                            "uco-types:hashValue": {
                                "@type": "xsd:hexBinary",
                                "@value": entry.object_sha256.upper(),
                            },
                        }
                    ],
                }
            ]
        obj = add(obj_node)
        entry_hash = entry.entry_hash()
        record = add(
            {
                "@id": _id("provenance-record", log_name, entry_hash),
                "@type": "case-investigation:ProvenanceRecord",
                "case-investigation:exhibitNumber": entry.object_id,
                "uco-core:description": f"custody log {log_name}, entry {entry.seq}, "
                f"entry sha256 {entry_hash}",
                "uco-core:object": [{"@id": obj}],
            }
        )
        description = [f"{entry.action} (custody log {log_name}, entry {entry.seq})"]
        if entry.transfer_from or entry.transfer_to:
            description.append(f"transfer from {entry.transfer_from} to {entry.transfer_to}")
        if entry.note:
            description.append(entry.note)
        action: dict[str, Any] = {
            "@id": _id("investigative-action", log_name, entry_hash),
            "@type": "case-investigation:InvestigativeAction",
            "uco-core:name": entry.action,
            "uco-core:description": "; ".join(description),
            "uco-action:startTime": _time(entry),
            "uco-action:endTime": _time(entry),
            "uco-action:performer": {"@id": performer},
            "uco-action:instrument": [{"@id": tool}],
            "uco-action:object": [{"@id": obj}],
            "uco-action:result": [{"@id": record}],
        }
        if entry.location:
            action["uco-action:location"] = [
                {
                    "@id": add(
                        {
                            "@id": _id("location", entry.location),
                            "@type": "uco-location:Location",
                            "uco-core:name": entry.location,
                        }
                    )
                }
            ]
        add(action)
    return {"@context": CASE_CONTEXT, "@graph": graph}
