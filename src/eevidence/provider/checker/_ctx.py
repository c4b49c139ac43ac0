"""What every checker rule shares: the context of one check and the readers of request fields.

A rule is a function ``rule(ctx, now)`` that adds findings to ``ctx``; the rules live in
modules by family (``_rules`` for the provider's general terms, ``_us`` for United States
law and provider routes, ``_eu`` for Regulation (EU) 2023/1543, ``_basis`` for the legal
basis and treaties, ``_codes`` for registry codes, ``_elements`` for the elements a
provider requires) and :func:`~eevidence.provider.checker.check` runs them in one order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, Final

from eevidence.provider._law import LawFacts
from eevidence.provider._profiles import Fact, ProviderProfile
from eevidence.provider.checker._findings import RULES
from eevidence.provider.checker._report import Finding
from eevidence.provider.checker._requested import NoAuthorityEntry, RequestedAuthorityFacts
from eevidence.request import IssuingAuthority, Request, TimeWindow


class Ctx:
    """Collects findings for one request; builds the source citation of each.

    ``requested_authority`` holds what the directory of authorities says of the authority
    a State-to-State request is addressed to, when the caller looked it up.
    """

    def __init__(
        self,
        request: Request,
        profile: ProviderProfile,
        law: LawFacts,
        requested_authority: RequestedAuthorityFacts | NoAuthorityEntry | None = None,
    ) -> None:
        self.request = request
        self.profile = profile
        self.law = law
        self.requested_authority = requested_authority
        self.findings: list[Finding] = []

    def add(self, code: str, path: str, message: str, action: str, source: str) -> None:
        """Add a finding with ``code``'s catalogue severity (:data:`RULES`)."""
        rule = RULES[code]
        self.findings.append(Finding(code, rule.severity, path, message, action, source))

    def fact_source(self, fact: Fact[Any] | None, what: str) -> str:
        """The citation of a profile fact: the profile, the fact's name and its sources."""
        p = self.profile
        if fact is None or not fact.sources:
            return f"{p.name} profile, {what} (last reviewed {p.last_reviewed.isoformat()})"
        cites = "; ".join(
            f"{s.title} ({s.url or s.document}, read {s.read.isoformat()})" for s in p.cited(fact)
        )
        return f"{p.name} profile, {what}: {cites}"

    def law_source(self, *ids: str) -> str:
        """Citations of whole legal sources (ids of :attr:`LawFacts.sources`)."""
        return "; ".join(self.law.cite(i) for i in ids)

    def cite(self, ids: Iterable[str], *refs: str) -> str:
        """Citations of articles ``refs`` of a fact whose sources are ``ids``.

        Each ref is cited in the source whose title begins with the ref's statute (``18
        U.S.C. 2711(4)`` in ``18 U.S.C. 2711 - Definitions``), else in the fact's first
        source (an ``art. 4(5)`` of the instrument the fact describes).
        """
        ids = tuple(ids)
        chosen = self.cite_ids(ids, *refs)
        return "; ".join(self.law.cite(i, ref) for i, ref in zip(chosen, refs, strict=True))

    def cite_ids(self, ids: Iterable[str], *refs: str) -> tuple[str, ...]:
        """The source id :meth:`cite` cites each of ``refs`` in."""
        ids = tuple(ids)
        out: list[str] = []
        for ref in refs:
            head = ref.split("(")[0].strip()
            out.append(
                next(
                    (i for i in ids if head and self.law.sources[i].title.startswith(head)), ids[0]
                )
            )
        return tuple(out)

    @property
    def headquarters(self) -> str | None:
        """The provider's headquarters country (ISO 3166-1 alpha-2), None when unknown."""
        return self.profile.value(self.profile.headquarters)

    @property
    def request_date(self) -> date:
        """The request's date (``created_at`` in its own UTC offset)."""
        return self.request.created_at.date()


Rule = Callable[[Ctx, datetime], None]
"""A checker rule: adds the findings it makes about ``ctx.request`` at ``now``."""


def number(req: Request, name: str) -> int | None:
    """The request's whole-number field ``name``, or None when its model has none or it
    is not set."""
    value = getattr(req, name, None)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def issuer(req: Request) -> IssuingAuthority | None:
    """The issuing authority of an order (:attr:`~eevidence.request.KindSpec.order`), else None."""
    found = getattr(req, "issuing_authority", None)
    return found if isinstance(found, IssuingAuthority) else None


def text_field(req: Request, name: str) -> str | None:
    """The request's text field ``name`` (read by name, as dispatches do), or None."""
    value = getattr(req, name, None)
    return value if isinstance(value, str) else None


def written_languages(req: Request) -> list[str]:
    """The languages the request is written in: its own, then each attached translation's."""
    written = [req.language, *(a.language for a in req.attachments if a.kind == "translation")]
    return [t for t in written if t is not None]


def windows(req: Request) -> list[tuple[str, TimeWindow]]:
    """The request's period and every identifier's window, with their JSON paths."""
    out = [("$.period", req.period)] if req.period else []
    out.extend(
        (f"$.identifiers[{i}].window", ident.window)
        for i, ident in enumerate(req.identifiers)
        if ident.window is not None
    )
    return out


HEAVY: Final = ("traffic", "content")
"""The categories Regulation (EU) 2023/1543 treats apart (art. 4(2), 5(4), 8(1)): traffic data
other than for identifying the user, and content data (``user_identification`` is its own
category here)."""


def heavy(req: Request) -> list[str]:
    """The request's traffic and content categories (:data:`HEAVY`), in its order."""
    return [c for c in req.data.categories if c in HEAVY]
