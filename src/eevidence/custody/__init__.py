"""Chain of custody: signed, hash-chained entries under an RFC 9162 Merkle tree.

Entries, the log kept in a :class:`CustodyStore`, signed checkpoints with optional
RFC 3161 timestamps, evidence intake (hashing what providers return) and CASE/UCO export.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from eevidence._internal.lazy import attach as _attach

if TYPE_CHECKING:
    from eevidence.custody._case import (
        CASE_CONTEXT,
        custody_to_case,
    )
    from eevidence.custody._entries import (
        ENTRY_PAYLOAD_TYPE,
        GENESIS,
        BreakKind,
        ChainBreak,
        ChainReport,
        CustodyAction,
        CustodyEntry,
        EntrySigner,
        append_entry,
        entries_from_jsonl,
        entries_to_jsonl,
        verify_chain,
        verify_lines,
    )
    from eevidence.custody._evidence import (
        EvidenceCheck,
        Received,
        check_file,
        ingest_file,
        sha256_file,
    )
    from eevidence.custody._log import (
        WORKSTATION_KEY,
        CustodyStore,
        checkpoint_log,
        import_jsonl,
        record,
        verify_log,
        workstation_signer,
    )
    from eevidence.custody._timestamp import (
        TimestampAuthority,
        request_timestamp,
        verify_timestamp,
    )

__all__ = [
    "CASE_CONTEXT",
    "ENTRY_PAYLOAD_TYPE",
    "GENESIS",
    "WORKSTATION_KEY",
    "BreakKind",
    "ChainBreak",
    "ChainReport",
    "CustodyAction",
    "CustodyEntry",
    "CustodyStore",
    "EntrySigner",
    "EvidenceCheck",
    "Received",
    "TimestampAuthority",
    "append_entry",
    "check_file",
    "checkpoint_log",
    "custody_to_case",
    "entries_from_jsonl",
    "entries_to_jsonl",
    "import_jsonl",
    "ingest_file",
    "record",
    "request_timestamp",
    "sha256_file",
    "verify_chain",
    "verify_lines",
    "verify_log",
    "verify_timestamp",
    "workstation_signer",
]

__getattr__, __dir__ = _attach(__name__, __file__)
