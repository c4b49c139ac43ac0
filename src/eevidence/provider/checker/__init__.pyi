"""The checker: will this provider accept this request as written, and why not?

:func:`check` is pure: a request, a provider profile, legal facts and ``now`` in, a
:class:`CheckReport` out. Every finding's code, severity and title is in :data:`RULES`
(the catalogue, ``docs/findings.md``).
"""

from ._findings import (
    RULES as RULES,
    CheckReport as CheckReport,
    Finding as Finding,
    Rule as Rule,
    Severity as Severity,
    findings_markdown as findings_markdown,
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
    "Rule",
    "Severity",
    "check",
    "findings_markdown",
]
