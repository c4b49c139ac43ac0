"""The checker's report: each finding (:class:`Finding`) and the report of one check
(:class:`CheckReport`), findings sorted errors first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from eevidence.provider.checker._findings import Severity

__all__ = ["CheckReport", "Finding", "sort_findings"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the checker found about a request."""

    code: str
    """The catalogue code (a key of :data:`~eevidence.provider.checker.RULES`)."""
    severity: Severity
    """The severity the catalogue gives the code."""
    path: str
    """JSON path in the request the finding concerns (``$`` for the whole request)."""
    message: str
    """What was found, about this request and this provider."""
    action: str
    """What to do about it."""
    source: str
    """The provider fact, legal rule or directory entry it rests on, with its source and date."""

    def to_dict(self) -> dict[str, str]:
        """The finding as a JSON object: ``code``, ``severity``, ``path``, ``message``,
        ``action`` and ``source``, all strings (the ``findings`` of ``eevidence check
        --json``)."""
        return {
            "code": self.code,
            "severity": self.severity,
            "path": self.path,
            "message": self.message,
            "action": self.action,
            "source": self.source,
        }


_ORDER: Final[dict[str, int]] = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Every finding about one request against one provider profile.

    Findings are sorted errors first, then warnings, then notes; within a severity by code,
    then by JSON path.
    """

    request_id: str
    """The id of the request checked."""
    provider: str
    """The id of the provider profile it was checked against."""
    findings: tuple[Finding, ...] = field(default_factory=tuple)
    """Every finding, in the order described above."""

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings and notes allowed)."""
        return not any(f.severity == "error" for f in self.findings)

    def by_severity(self, severity: Severity) -> tuple[Finding, ...]:
        """The findings of one severity, in report order."""
        return tuple(f for f in self.findings if f.severity == severity)

    def codes(self) -> set[str]:
        """The distinct codes found (e.g. ``{"EE141", "EE202"}``)."""
        return {f.code for f in self.findings}

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON object: ``request_id``, ``provider``, ``ok`` (bool),
        ``counts`` (``{"error": n, "warning": n, "info": n}``) and ``findings`` (a list of
        :meth:`Finding.to_dict` objects): what ``eevidence check --json`` prints per file."""
        return {
            "request_id": self.request_id,
            "provider": self.provider,
            "ok": self.ok,
            "counts": {s: len(self.by_severity(s)) for s in ("error", "warning", "info")},
            "findings": [f.to_dict() for f in self.findings],
        }


def sort_findings(findings: list[Finding]) -> tuple[Finding, ...]:
    """``findings`` in report order: by severity (errors first), code, JSON path."""
    return tuple(sorted(findings, key=lambda f: (_ORDER[f.severity], f.code, f.path)))
