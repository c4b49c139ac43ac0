"""The checker: will this provider accept this request as written, and why not?

:func:`check` is pure: a request, a provider profile, legal facts and ``now`` in, a
:class:`CheckReport` out. Every finding's code, severity and title is in :data:`RULES`
(the catalogue, ``docs/findings.md``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from eevidence._internal.lazy import attach as _attach

if TYPE_CHECKING:
    from eevidence.provider.checker._findings import (
        RULES,
        CheckReport,
        Finding,
        Rule,
        Severity,
        findings_markdown,
    )
    from eevidence.provider.checker._rules import (
        PUBLIC_WEBMAIL_DOMAINS,
        check,
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

__getattr__, __dir__ = _attach(__name__, __file__)
