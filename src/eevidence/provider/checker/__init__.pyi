# Public names of eevidence.provider.checker, imported on first use (lazy_loader.attach_stub).

from ._findings import (
    RULES as RULES,
    Rule as Rule,
    Severity as Severity,
    findings_markdown as findings_markdown,
)
from ._report import (
    CheckReport as CheckReport,
    Finding as Finding,
)
from ._requested import (
    NoAuthorityEntry as NoAuthorityEntry,
    RequestedAuthorityFacts as RequestedAuthorityFacts,
)
from ._rules import (
    PUBLIC_WEBMAIL_DOMAINS as PUBLIC_WEBMAIL_DOMAINS,
    check as check,
)

__all__ = [
    "PUBLIC_WEBMAIL_DOMAINS",
    "RULES",
    "CheckReport",
    "Finding",
    "NoAuthorityEntry",
    "RequestedAuthorityFacts",
    "Rule",
    "Severity",
    "check",
    "findings_markdown",
]
