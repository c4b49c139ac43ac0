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

__all__ = [
    "LOOKALIKE_DISTANCE",
    "Check",
    "IntakeVerdict",
    "SignerBinding",
    "domain_problem",
    "intake_package",
]
