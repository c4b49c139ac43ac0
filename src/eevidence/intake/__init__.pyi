# Public names of eevidence.intake, imported on first use (lazy_loader.attach_stub).

from ._domains import (
    LOOKALIKE_DISTANCE as LOOKALIKE_DISTANCE,
    domain_problem as domain_problem,
)
from ._intake import (
    Check as Check,
    IntakeVerdict as IntakeVerdict,
    SignerBinding as SignerBinding,
    intake_package as intake_package,
)
from ._reply import (
    REPLY_GROUNDS as REPLY_GROUNDS,
    Reply as Reply,
    ReplyGround as ReplyGround,
    build_reply as build_reply,
    read_verdict as read_verdict,
)
from ._x509 import (
    SIGNING_PURPOSES as SIGNING_PURPOSES,
    CertifiedSigner as CertifiedSigner,
    certified_signers as certified_signers,
)

__all__ = [
    "LOOKALIKE_DISTANCE",
    "REPLY_GROUNDS",
    "SIGNING_PURPOSES",
    "CertifiedSigner",
    "Check",
    "IntakeVerdict",
    "Reply",
    "ReplyGround",
    "SignerBinding",
    "build_reply",
    "certified_signers",
    "domain_problem",
    "intake_package",
    "read_verdict",
]
