"""Tracking: the lifecycle of each request, deadlines, calendars, outcome reports, stores.

:func:`tracked_from_request` starts tracking a request (its deadline terms fixed then); the
lifecycle and deadlines are pure (``now`` is a parameter); the stores
(:mod:`eevidence.tracking.store`: SQLite by default, PostgreSQL shared) keep them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from eevidence._internal.lazy import attach as _attach

if TYPE_CHECKING:
    from eevidence.tracking._deadlines import (
        ACK_DAYS,
        ACK_EMERGENCY_HOURS,
        REMINDER_DAYS,
        Deadline,
        DeadlineKind,
        deadlines_of,
        due_within,
        next_due,
        parse_within,
        terms_for,
        to_ics,
    )
    from eevidence.tracking._lifecycle import (
        EVENTS,
        PRESERVATION_KINDS,
        STATES,
        TERMINAL_STATES,
        TRANSITIONS,
        Event,
        EventName,
        State,
        Terms,
        Tracked,
        allowed_events,
        apply_event,
        as_utc,
    )
    from eevidence.tracking._outcomes import (
        Groups,
        GroupStats,
        OutcomeRow,
        Spread,
        build_report,
        format_report,
        outcome_of,
        outcome_row,
    )
    from eevidence.tracking._start import (
        tracked_from_request,
    )
    from eevidence.tracking.store import (
        SCHEMA_VERSION,
        PostgresStore,
        SqliteStore,
        Store,
        default_store_path,
        open_store,
    )

__all__ = [
    "ACK_DAYS",
    "ACK_EMERGENCY_HOURS",
    "EVENTS",
    "PRESERVATION_KINDS",
    "REMINDER_DAYS",
    "SCHEMA_VERSION",
    "STATES",
    "TERMINAL_STATES",
    "TRANSITIONS",
    "Deadline",
    "DeadlineKind",
    "Event",
    "EventName",
    "GroupStats",
    "Groups",
    "OutcomeRow",
    "PostgresStore",
    "Spread",
    "SqliteStore",
    "State",
    "Store",
    "Terms",
    "Tracked",
    "allowed_events",
    "apply_event",
    "as_utc",
    "build_report",
    "deadlines_of",
    "default_store_path",
    "due_within",
    "format_report",
    "next_due",
    "open_store",
    "outcome_of",
    "outcome_row",
    "parse_within",
    "terms_for",
    "to_ics",
    "tracked_from_request",
]

__getattr__, __dir__ = _attach(__name__, __file__)
