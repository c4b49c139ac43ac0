# Public names of eevidence.hi1, imported on first use (lazy_loader.attach_stub).

from ._draft import hi1_draft as hi1_draft
from ._export import to_hi1_xml as to_hi1_xml
from ._import import (
    from_hi1_xml as from_hi1_xml,
    read_hi1 as read_hi1,
)
from ._model import (
    ETSI_VERSION as ETSI_VERSION,
    MAX_MESSAGE_BYTES as MAX_MESSAGE_BYTES,
    Hi1Authorisation as Hi1Authorisation,
    Hi1Document as Hi1Document,
    Hi1Endpoint as Hi1Endpoint,
    Hi1Message as Hi1Message,
    Hi1Task as Hi1Task,
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
