"""CASE/UCO export of the custody log (JSON-LD, https://caseontology.org): a provenance chain.

Each custody entry becomes a ``case-investigation:InvestigativeAction`` with its performer
(the actor, a ``uco-identity:Identity``), its instrument (the tool, a ``uco-tool:Tool``
with its version), its time, location and description. The actions form the chain CASE
tools follow (the ``case-investigation:ProvenanceRecord`` pattern of the CASE examples,
read by NIST's ``case_prov_rdf``/``case_prov_check``):

- **The entry itself is an object.** Entry *n* is a ``uco-observable:ObservableObject``
  whose ``ContentDataFacet`` carries the SHA-256 and size of its canonical bytes (the
  value entry *n + 1* names as ``prev_hash``), and the record the action produces is a
  ``ProvenanceRecord`` holding that entry and the object in the state the entry recorded.
- **Each action uses the previous record and produces the next.** Action *n*'s
  ``uco-action:object`` is the record of entry *n - 1* and entry *n - 1* itself (both
  named from the signed ``prev_hash``, so the graph has exactly the links the hash chain
  has) plus the object's state before the action; its ``uco-action:result`` is the record
  of entry *n*, entry *n*, and the object's state when the entry is the first to record
  it. The first entry of a log (``prev_hash`` all zeros) uses nothing.
- **One node per state of an object.** An object (``object_id``) with a given SHA-256 is
  one ``ObservableObject`` carrying that hash; an entry that records no digest (a
  transfer, a submission) refers to the object's latest known state, so a hand-over
  names the same node, with its hash, as the intake it follows. A new digest makes a new
  node, produced by the action that recorded it from the state before.

Node ids are UUIDv5 derived from the log name and entry hashes, so the same log gives the
same graph. An export that does not start at the log's first entry (or a log whose links
are broken) names the missing previous entry by its hash and no record for it: CASE
provenance checkers then report where the chain leaves the export.

Pure: entries in, a JSON-LD document (a dict) out.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC
from typing import Any, Final

from eevidence.custody._entries import GENESIS, CustodyEntry

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


def _ref(node_id: str) -> dict[str, str]:
    return {"@id": node_id}


def _time(entry: CustodyEntry) -> dict[str, str]:
    text = entry.at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return {"@type": "xsd:dateTime", "@value": text}


def _content_facet(sha256: str, size: int | None, *key: str) -> dict[str, Any]:
    """A ``ContentDataFacet`` with one SHA-256 hash (upper-case hex) and, if known, the size."""
    facet: dict[str, Any] = {
        "@id": _id("content-data-facet", *key),
        "@type": "uco-observable:ContentDataFacet",
        "uco-observable:hash": [
            {
                "@id": _id("hash", *key),
                "@type": "uco-types:Hash",
                "uco-types:hashMethod": "SHA256",
                "uco-types:hashValue": {"@type": "xsd:hexBinary", "@value": sha256.upper()},
            }
        ],
    }
    if size is not None:
        facet["uco-observable:sizeInBytes"] = {"@type": "xsd:integer", "@value": str(size)}
    return facet


def _entry_node(log_name: str, entry_hash: str, entry: CustodyEntry | None) -> dict[str, Any]:
    """The custody entry with SHA-256 ``entry_hash`` as an object; ``None``: not in the export."""
    node: dict[str, Any] = {
        "@id": _id("custody-entry", log_name, entry_hash),
        "@type": "uco-observable:ObservableObject",
    }
    if entry is None:
        node["uco-core:name"] = f"custody log {log_name}, entry sha256 {entry_hash}"
        node["uco-core:description"] = "previous entry, not part of this export"
        size = None
    else:
        canonical = entry.canonical()
        node["uco-core:name"] = f"custody log {log_name}, entry {entry.seq}"
        node["uco-core:description"] = (
            f"{entry.action} of {entry.object_id}, signed by key {entry.keyid}; "
            f"previous entry sha256 {entry.prev_hash}"
        )
        size = len(canonical)
    node["uco-core:hasFacet"] = [
        _content_facet(entry_hash, size, "custody-entry", log_name, entry_hash)
    ]
    return node


def custody_to_case(entries: Sequence[CustodyEntry], *, log_name: str) -> dict[str, Any]:
    """The custody log as a CASE/UCO provenance chain in JSON-LD (https://caseontology.org).

    The graph follows the CASE ``ProvenanceRecord`` pattern that CASE provenance tools
    (NIST ``case_prov_rdf``/``case_prov_check``, https://github.com/usnistgov/case-prov)
    map to W3C PROV-O: every action uses the previous entry's record and produces its own
    (see the module docstring for the exact nodes and links).

    Args:
        entries: The log's entries, in order (normally the whole log, from ``seq`` 0).
        log_name: The log's name, part of every node id and description (e.g. the
            checkpoint origin).

    Returns:
        ``{"@context": CASE_CONTEXT, "@graph": [...]}``: per entry one
        ``InvestigativeAction``, one ``ProvenanceRecord`` and one ``ObservableObject`` for
        the entry (SHA-256 and size of its canonical bytes); one ``ObservableObject`` per
        state (object id and SHA-256) of each object; the identities, tools and locations
        the entries name (each once). Node ids are UUIDv5 derived from the log name and
        entry hashes, so the same log gives the same graph.
    """
    graph: list[dict[str, Any]] = []
    seen: set[str] = set()
    latest: dict[str, str] = {}  # object id -> node id of its latest recorded state
    in_export = {e.entry_hash() for e in entries}

    def add(node: dict[str, Any]) -> str:
        node_id: str = node["@id"]
        if node_id not in seen:
            seen.add(node_id)
            graph.append(node)
        return node_id

    for entry in entries:
        entry_hash = entry.entry_hash()
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

        used: list[str] = []
        if entry.prev_hash != GENESIS:
            if entry.prev_hash in in_export:
                used.append(_id("provenance-record", log_name, entry.prev_hash))
                used.append(_id("custody-entry", log_name, entry.prev_hash))
            else:  # the chain leaves the export here: the previous entry, by its hash
                used.append(add(_entry_node(log_name, entry.prev_hash, None)))
        before = latest.get(entry.object_id)
        if entry.object_sha256:
            state = _id("object", entry.object_id, entry.object_sha256)
        else:
            state = before or _id("object", entry.object_id, "no-digest")
        if before is not None:
            used.append(before)
        if state in seen and state != before:
            used.append(state)  # back to a state recorded earlier
        produced: list[str] = []
        if state not in seen:
            obj_node: dict[str, Any] = {
                "@id": state,
                "@type": "uco-observable:ObservableObject",
                "uco-core:name": entry.object_id,
            }
            if entry.object_sha256:
                obj_node["uco-core:hasFacet"] = [
                    _content_facet(entry.object_sha256, None, entry.object_id, entry.object_sha256)
                ]
            produced.append(add(obj_node))
        latest[entry.object_id] = state

        entry_node = add(_entry_node(log_name, entry_hash, entry))
        record = add(
            {
                "@id": _id("provenance-record", log_name, entry_hash),
                "@type": "case-investigation:ProvenanceRecord",
                "case-investigation:exhibitNumber": entry.object_id,
                "uco-core:description": f"custody log {log_name}, entry {entry.seq}, "
                f"entry sha256 {entry_hash}",
                "uco-core:object": [_ref(entry_node), _ref(state)],
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
            "uco-action:performer": _ref(performer),
            "uco-action:instrument": [_ref(tool)],
            "uco-action:result": [_ref(record), _ref(entry_node), *map(_ref, produced)],
        }
        if used:
            action["uco-action:object"] = [_ref(n) for n in used]
        if entry.location:
            action["uco-action:location"] = [
                _ref(
                    add(
                        {
                            "@id": _id("location", entry.location),
                            "@type": "uco-location:Location",
                            "uco-core:name": entry.location,
                        }
                    )
                )
            ]
        add(action)
    return {"@context": CASE_CONTEXT, "@graph": graph}
