"""Outcome figures for requests addressed to a State (mutual legal assistance, 24/7
preservation), so that outcomes can be shared as the UN Counter-Terrorism Committee's
guidance asks: how many were executed, partially executed, refused (by reason), withdrawn or
are pending, and how long transmission and execution took.

Pure: tracked requests and ``now`` in, a JSON-ready dict out. Which kinds are addressed to a
State is read from the kinds table (:attr:`eevidence.request.KindSpec.addressee`). The stages
are those of the lifecycle: ``submitted`` (sent), ``received`` (by the central authority or
point of contact), ``transmitted`` (for execution), ``disclosed`` (executed; ``partial``:
partially executed) or ``preserved`` (a 24/7 preservation), ``rejected`` (refused, with the
reason), ``withdrawn``. Percentiles are by nearest rank, durations in days.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Final

from eevidence.errors import InputError
from eevidence.request import KINDS, kind_spec
from eevidence.tracking import Tracked, as_utc

__all__ = ["STATE_KINDS", "state_outcomes"]


STATE_KINDS: Final[frozenset[str]] = frozenset(
    kind for kind, spec in KINDS.items() if spec.addressee == "state"
)
"""The kinds addressed to a State (kinds table, as it is when this module is imported)."""


def _addressed_to_state(kind: str) -> bool:
    try:
        return kind_spec(kind).addressee == "state"
    except InputError:  # a kind this installation does not know: not counted
        return False


def _spread(days: list[float]) -> dict[str, Any]:
    if not days:
        return {"count": 0, "median_days": None, "p90_days": None}
    ordered = sorted(days)

    def rank(p: float) -> float:
        return round(ordered[max(math.ceil(p * len(ordered)) - 1, 0)], 1)

    return {"count": len(ordered), "median_days": rank(0.5), "p90_days": rank(0.9)}


def _days(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 86400


def _outcome(t: Tracked) -> str:
    state = t.state
    if state == "disclosed":
        last = t.last("disclosed")
        return "partially_executed" if last is not None and last.partial else "executed"
    if state in ("preserved", "extension_requested", "extended", "expired"):
        return "preserved"
    return {"rejected": "refused", "withdrawn": "withdrawn"}.get(state, "pending")


def state_outcomes(
    tracked: Iterable[Tracked], *, now: datetime, since: datetime | None = None
) -> dict[str, Any]:
    """Outcome figures per kind for the requests addressed to a State.

    Args:
        tracked: Tracked requests (a store's ``list_requests()``); those addressed to a
            provider are left out.
        now: The current time (aware), stated in the report.
        since: Only requests created at or after this time (aware).

    Returns:
        ``{"as_of", "since", "kinds": {kind: {"requests", "outcomes": {outcome: n},
        "refusal_reasons": {reason: n}, "to_transmission", "to_execution",
        "requested_states": {state: {the same figures}}}}}``; the two durations are
        ``{"count", "median_days", "p90_days"}`` from the submission to the transmission for
        execution, and to the (first) execution or preservation. ``state`` is the requested
        State (ISO 3166-1 alpha-2, :attr:`~eevidence.tracking.Tracked.requested_state`), or
        ``unknown`` for a record that does not keep it.

    Raises:
        LifecycleError: ``now`` or ``since`` is naive.
    """
    now = as_utc(now, "now")
    start = None if since is None else as_utc(since, "since")
    kinds: dict[str, dict[str, Any]] = {}
    spans: dict[tuple[str, str | None], tuple[list[float], list[float]]] = {}
    for t in tracked:
        if not _addressed_to_state(t.kind) or (start is not None and t.created_at < start):
            continue
        row = kinds.setdefault(
            t.kind, {"requests": 0, "outcomes": {}, "refusal_reasons": {}, "requested_states": {}}
        )
        state_key = t.requested_state or "unknown"
        per_state = row["requested_states"].setdefault(
            state_key, {"requests": 0, "outcomes": {}, "refusal_reasons": {}}
        )
        outcome = _outcome(t)
        for into in (row, per_state):
            into["requests"] += 1
            into["outcomes"][outcome] = into["outcomes"].get(outcome, 0) + 1
            if outcome == "refused":
                reason = t.reject_reason or "no reason recorded"
                into["refusal_reasons"][reason] = into["refusal_reasons"].get(reason, 0) + 1
        sent = t.submitted_at
        moved = t.first("transmitted")
        done = t.first("disclosed", "preserved")
        for key in ((t.kind, None), (t.kind, state_key)):
            transmission, execution = spans.setdefault(key, ([], []))
            for days, into_list in (
                (_days(sent, moved.at if moved else None), transmission),
                (_days(sent, done.at if done else None), execution),
            ):
                if days is not None:
                    into_list.append(days)
    for (kind, where), (transmission, execution) in spans.items():
        figures = kinds[kind] if where is None else kinds[kind]["requested_states"][where]
        figures["to_transmission"] = _spread(transmission)
        figures["to_execution"] = _spread(execution)
    for figures in kinds.values():
        figures["requested_states"] = dict(sorted(figures["requested_states"].items()))
    return {
        "as_of": now.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "since": None if start is None else start.isoformat().replace("+00:00", "Z"),
        "kinds": dict(sorted(kinds.items())),
    }
