"""Tracking: the lifecycle of each request, deadlines, calendars, outcome reports, stores.

:func:`tracked_from_request` starts tracking a request (its deadline terms fixed then); the
lifecycle and deadlines are pure (``now`` is a parameter); the stores
(:mod:`eevidence.tracking.store`: SQLite by default, PostgreSQL shared) keep them.
"""

from ._deadlines import (
    ACK_DAYS as ACK_DAYS,
    ACK_EMERGENCY_HOURS as ACK_EMERGENCY_HOURS,
    REMINDER_DAYS as REMINDER_DAYS,
    Deadline as Deadline,
    DeadlineKind as DeadlineKind,
    deadlines_of as deadlines_of,
    due_within as due_within,
    next_due as next_due,
    parse_within as parse_within,
    terms_for as terms_for,
    to_ics as to_ics,
)
from ._lifecycle import (
    EVENTS as EVENTS,
    PRESERVATION_KINDS as PRESERVATION_KINDS,
    STATES as STATES,
    TERMINAL_STATES as TERMINAL_STATES,
    TRANSITIONS as TRANSITIONS,
    Event as Event,
    EventName as EventName,
    State as State,
    Terms as Terms,
    Tracked as Tracked,
    allowed_events as allowed_events,
    apply_event as apply_event,
    as_utc as as_utc,
)
from ._outcomes import (
    Groups as Groups,
    GroupStats as GroupStats,
    OutcomeRow as OutcomeRow,
    Spread as Spread,
    build_report as build_report,
    format_report as format_report,
    outcome_of as outcome_of,
    outcome_row as outcome_row,
)
from ._start import tracked_from_request as tracked_from_request
from .store import (
    SCHEMA_VERSION as SCHEMA_VERSION,
    PostgresStore as PostgresStore,
    SqliteStore as SqliteStore,
    Store as Store,
    default_store_path as default_store_path,
    open_store as open_store,
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
