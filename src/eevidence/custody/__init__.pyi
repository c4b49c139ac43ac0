# Public names of eevidence.custody, imported on first use (lazy_loader.attach_stub).

from ._case import (
    CASE_CONTEXT as CASE_CONTEXT,
    custody_to_case as custody_to_case,
)
from ._entries import (
    ENTRY_PAYLOAD_TYPE as ENTRY_PAYLOAD_TYPE,
    GENESIS as GENESIS,
    BreakKind as BreakKind,
    ChainBreak as ChainBreak,
    ChainReport as ChainReport,
    CustodyAction as CustodyAction,
    CustodyEntry as CustodyEntry,
    EntrySigner as EntrySigner,
    append_entry as append_entry,
    entries_from_jsonl as entries_from_jsonl,
    entries_to_jsonl as entries_to_jsonl,
    verify_chain as verify_chain,
    verify_lines as verify_lines,
)
from ._evidence import (
    EvidenceCheck as EvidenceCheck,
    Received as Received,
    check_file as check_file,
    ingest_file as ingest_file,
    sha256_file as sha256_file,
)
from ._log import (
    WORKSTATION_KEY as WORKSTATION_KEY,
    CustodyStore as CustodyStore,
    checkpoint_log as checkpoint_log,
    import_jsonl as import_jsonl,
    record as record,
    verify_log as verify_log,
    workstation_signer as workstation_signer,
)
from ._timestamp import (
    TimestampAuthority as TimestampAuthority,
    request_timestamp as request_timestamp,
    verify_timestamp as verify_timestamp,
)
from ._witness import (
    Witness as Witness,
    WitnessAnswer as WitnessAnswer,
    request_cosignature as request_cosignature,
    serve_witness as serve_witness,
    witness_anchors as witness_anchors,
    witness_checkpoint as witness_checkpoint,
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
    "Witness",
    "WitnessAnswer",
    "append_entry",
    "check_file",
    "checkpoint_log",
    "custody_to_case",
    "entries_from_jsonl",
    "entries_to_jsonl",
    "import_jsonl",
    "ingest_file",
    "record",
    "request_cosignature",
    "request_timestamp",
    "serve_witness",
    "sha256_file",
    "verify_chain",
    "verify_lines",
    "verify_log",
    "verify_timestamp",
    "witness_anchors",
    "witness_checkpoint",
    "workstation_signer",
]
