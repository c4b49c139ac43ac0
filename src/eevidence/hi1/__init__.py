"""ETSI TS 103 120 (HI-1) messages: export of requests, import and drafts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from eevidence._internal.lazy import attach as _attach

if TYPE_CHECKING:
    from eevidence.hi1._hi1 import (
        ETSI_VERSION,
        MAX_MESSAGE_BYTES,
        Hi1Authorisation,
        Hi1Document,
        Hi1Endpoint,
        Hi1Message,
        Hi1Task,
        from_hi1_xml,
        hi1_draft,
        read_hi1,
        to_hi1_xml,
    )

__all__ = [
    "ETSI_VERSION",
    "MAX_MESSAGE_BYTES",
    "Hi1Authorisation",
    "Hi1Document",
    "Hi1Endpoint",
    "Hi1Message",
    "Hi1Task",
    "from_hi1_xml",
    "hi1_draft",
    "read_hi1",
    "to_hi1_xml",
]

__getattr__, __dir__ = _attach(__name__, __file__)
