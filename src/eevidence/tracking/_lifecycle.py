"""The lifecycle of a tracked request: a pure state machine (values in, values out).

A tracked request is its immutable facts (id, kind, provider, requesting country, the
deadline terms in force when it was tracked) plus the list of events recorded so far. The
state is never stored on its own: it is the result of replaying the events, so a record
can never disagree with its history. Each event is named after the state it leads to,
except ``noted`` (a remark, a call with the provider...) and the *record events*
(:data:`RECORD_EVENTS`), which leave the state as it is.

Transitions (``*`` marks a terminal state)::

    draft                -> checked | signed | submitted | withdrawn
    checked              -> signed | submitted | withdrawn
    signed               -> submitted | withdrawn
    submitted            -> acknowledged | preserved | disclosed | rejected | withdrawn
    acknowledged         -> preserved | disclosed | rejected | withdrawn
    preserved            -> extension_requested | expired | withdrawn
    extension_requested  -> extended | expired | withdrawn
    extended             -> extension_requested | expired | withdrawn
    disclosed (partial)  -> disclosed | rejected | withdrawn
    disclosed (full)*, rejected*, withdrawn*, expired*

Checking and signing are optional steps (``draft -> submitted`` is allowed: not every
channel takes signed packages). Further rules:

* ``preserved``, ``extension_requested``, ``extended`` and ``expired`` only apply to the
  preservation family of the kinds table (``preservation``, ``preservation_extension``,
  ``eu_preservation_order``; the table is read when an event is checked); ``disclosed``
  only to the other kinds. A preservation is continued by a follow-up request
  (disclosure, EU production order, MLA) tracked with ``follows`` set to the
  preservation's id (a request that names its original, as an extension does with
  ``original_request_id``, follows it without being told).
* ``rejected`` needs a reason; ``disclosed`` says whether it was partial.
* With the ``provider`` clock (:data:`~eevidence.tracking.Terms.preservation_clock`),
  ``preserved`` and ``extended`` carry the expiry: the one the provider gave, or else the
  one computed from the terms (preservation period, extension period). When the terms are
  unknown the expiry must be given. ``extension_requested`` is refused once the terms'
  maximum number of extensions is used.
* With the ``order`` clock (European Preservation Orders, Regulation (EU) 2023/1543
  art. 11), the expiry is never given: it runs from the addressee's receipt (``received``,
  until then the submission), is moved by the issuing authority's extension
  (``preservation_extended``, Annex VI) and removed by its confirmation that the
  subsequent request for production was issued (``production_request_confirmed``,
  Annex V; art. 11(2)). ``extension_requested`` and ``extended`` do not apply.
* Event times are aware and not in the future (``now`` is a parameter); a change of state
  is never earlier than the previous change of state (notes and record events may be
  recorded late).

Record events (never once the request is final; each once, except
``preservation_extended`` as many times as the terms allow):

* ``received``: the addressee received the request (the Regulation's clocks run from it,
  arts. 10 and 11(1)); after the submission and not after the addressee's first answer;
* ``preservation_extended`` (Annex VI, ``order`` clock): while the period in force runs
  (art. 11(1): "during that 60-day period"), before any confirmation;
* ``production_request_confirmed`` (Annex V, ``order`` clock): while the preservation runs
  (art. 11(2): "during the period of preservation");
* ``validated``: the ex post validation of an order issued without prior validation
  (art. 4(5)); only when the terms set one;
* ``transmitted``: the requested State's central authority or 24/7 point of contact
  transmitted the request for execution (to a prosecutor, a court or the provider); only
  for a kind addressed to a State (kinds table ``addressee``), after the submission and,
  when recorded, the receipt;
* ``follow_up_drafted``: the follow-up request of a preservation (an MLA request) was
  drafted; it carries ``due``, the latest moment to dispatch it so that it reaches the
  provider before the preservation lapses (:attr:`Tracked.follow_up_due`). Only for the
  preservation family, while a preservation with a known expiry is in force, after the
  submission; ``due`` is not after that expiry. Recorded again, the latest one counts.

State changes are checked and applied by :func:`~eevidence.tracking.apply_event`
(``_apply.py``).

A request addressed to a State (``mla_request``, ``preservation_24_7``) runs through the
same states, read as the stages of mutual assistance: ``submitted`` (sent), ``received``
(received by the central authority or point of contact), ``transmitted`` (transmitted for
execution), ``disclosed`` with ``partial`` (partially executed) or without (executed; for a
preservation, ``preserved``), ``rejected`` (refused, with the reasons), ``withdrawn``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Literal, get_args

from eevidence.request import KINDS, RequestKind
from eevidence.tracking._event import (
    Event,
    EventName,
    as_utc,
    iso as _iso,
    required as _required,
    time_of as _time,
)
from eevidence.tracking._start import start_facts
from eevidence.tracking._terms import Terms

if TYPE_CHECKING:
    from eevidence.provider import LawFacts, ProviderProfile
    from eevidence.request import Request

__all__ = [
    "EVENTS",
    "PRESERVATION_KINDS",
    "RECORD_EVENTS",
    "STATES",
    "TERMINAL_STATES",
    "TRANSITIONS",
    "Event",
    "EventName",
    "State",
    "Terms",
    "Tracked",
    "as_utc",
]

State = Literal[
    "draft",
    "checked",
    "signed",
    "submitted",
    "acknowledged",
    "preserved",
    "extension_requested",
    "extended",
    "disclosed",
    "rejected",
    "withdrawn",
    "expired",
]
STATES: Final[tuple[str, ...]] = get_args(State)
"""Every :data:`State`, in lifecycle order."""
EVENTS: Final[tuple[str, ...]] = get_args(EventName)
"""Every :data:`EventName`, in lifecycle order (``noted`` last)."""
RECORD_EVENTS: Final[frozenset[str]] = frozenset(
    {
        "received",
        "transmitted",
        "validated",
        "preservation_extended",
        "production_request_confirmed",
        "follow_up_drafted",
    }
)
"""Events that record a fact without changing the state (see the module docstring)."""
KEEP_STATE: Final = RECORD_EVENTS | {"noted"}
"""Events that leave the state as it is: the record events and ``noted``."""
ANSWERS: Final = ("acknowledged", "preserved", "disclosed", "rejected")
"""The addressee's answers: the first one is when it responded."""

TRANSITIONS: Final[Mapping[State, frozenset[State]]] = {
    "draft": frozenset({"checked", "signed", "submitted", "withdrawn"}),
    "checked": frozenset({"signed", "submitted", "withdrawn"}),
    "signed": frozenset({"submitted", "withdrawn"}),
    "submitted": frozenset({"acknowledged", "preserved", "disclosed", "rejected", "withdrawn"}),
    "acknowledged": frozenset({"preserved", "disclosed", "rejected", "withdrawn"}),
    "preserved": frozenset({"extension_requested", "expired", "withdrawn"}),
    "extension_requested": frozenset({"extended", "expired", "withdrawn"}),
    "extended": frozenset({"extension_requested", "expired", "withdrawn"}),
    # After a partial disclosure only; a full disclosure is terminal (see _allowed).
    "disclosed": frozenset({"disclosed", "rejected", "withdrawn"}),
    "rejected": frozenset(),
    "withdrawn": frozenset(),
    "expired": frozenset(),
}
"""The states each state may lead to (the diagram of the module docstring)."""
TERMINAL_STATES: Final = frozenset({"rejected", "withdrawn", "expired"})
"""Terminal whatever happened before; ``disclosed`` is terminal when the disclosure was full."""

PRESERVATION_KINDS: Final[frozenset[str]] = frozenset(
    kind for kind, spec in KINDS.items() if spec.family == "preservation"
)
"""The kinds of the preservation family (kinds table, as it is when this module is
imported): they are preserved, extended and expire; they are never disclosed. The lifecycle
itself reads the table when an event is checked."""


@dataclass(frozen=True, slots=True)
class Tracked:
    """A tracked request: fixed facts plus its events, oldest first."""

    id: str
    """The request id."""
    kind: RequestKind
    """The request kind."""
    provider: str
    """The addressee's provider id."""
    country: str
    """Country of the requesting authority."""
    created_at: datetime
    """When the request was made (its ``created_at``)."""
    emergency: bool = False
    """An emergency (kinds table: :func:`eevidence.request.is_emergency`): the provider
    is chased after 24 hours instead of 7 days."""
    terms: Terms = field(default_factory=Terms)
    """The deadline terms fixed when tracking started."""
    follows: str | None = None
    """Id of the preservation this request continues."""
    case_reference: str | None = None
    """The requesting authority's case or file number (the request's ``case.reference``),
    shown beside the id where people read deadlines (calendars); ``None`` for a record
    made before it was kept."""
    requested_state: str | None = None
    """For a request addressed to a State: the requested State (ISO 3166-1 alpha-2, its
    requested authority's country), for outcome figures per State; ``None`` otherwise and
    for a record made before it was kept."""
    terrorism_related: bool = False
    """The case concerns terrorism (the request's ``case.terrorism_related``): the UN
    Counter-Terrorism Committee's guidance asks States to expedite such requests, and the
    view of a case marks them urgent."""
    events: tuple[Event, ...] = ()

    @classmethod
    def from_request(
        cls,
        request: Request,
        profile: ProviderProfile | None,
        *,
        now: datetime,
        law: LawFacts | None = None,
        follows: str | None = None,
    ) -> Tracked:
        """Start tracking ``request``: a new record (state ``draft``, no events) with the
        deadline terms in force at ``now``.

        The one call an integrator needs: the emergency flag is read from the kinds table
        (:func:`eevidence.request.is_emergency`; an emergency is chased after
        :data:`~eevidence.tracking.ACK_EMERGENCY_HOURS` hours, not
        :data:`~eevidence.tracking.ACK_DAYS` days) and the terms from the legal facts and
        the profile (:func:`~eevidence.tracking.terms_for`: Regulation (EU) 2023/1543 arts.
        4(5), 10, 11 and 12(1); the provider's published preservation terms; 18 U.S.C.
        2703(f)(2) for a US requester), so nothing private is needed. The terms are fixed
        then: a later change of a profile does not move the deadlines of a request already
        tracked. To keep the record in a store with its custody entry, use
        :func:`~eevidence.tracking.start_tracking`.

        Args:
            request: the request to track.
            profile: the addressee's provider profile, or ``None`` when it has none (the
                terms then come from the law only).
            now: the moment tracking starts (aware).
            law: the legal facts (default: the shipped ones,
                :func:`eevidence.provider.law_facts`).
            follows: id of the preservation this request continues (default: the one the
                request names, an extension's ``original_request_id``).

        Returns:
            The tracked request, to be added to a store.

        Raises:
            LifecycleError: ``now`` is naive or out of range.
            InputError: the request's kind has no row in the kinds table.
            ConfigurationError: ``law`` is not given and the shipped legal facts cannot be
                loaded.
        """
        return cls(**start_facts(request, profile, now=now, follows=follows, law=law))

    # -- derived values (all computed from the events) -----------------------------------------

    @property
    def state(self) -> State:
        """The current state: that of the last event other than ``noted`` (``draft``
        when there is none)."""
        state: State = "draft"
        for event in self.events:
            if event.name not in KEEP_STATE:
                state = event.name  # type: ignore[assignment]  # every other event is a state
        return state

    @property
    def stage(self) -> str:
        """The state in the words of mutual legal assistance for a request addressed to a
        State (kinds table ``addressee``): ``sent``, ``received`` (by the central authority
        or point of contact), ``transmitted`` (for execution), ``partially_executed``,
        ``executed``, ``refused``, or the state itself (``draft``, ``preserved``,
        ``withdrawn``...); for any other request, :attr:`state`."""
        state = self.state
        spec = KINDS.get(self.kind)
        if spec is None or spec.addressee != "state":
            return state
        if state in ("submitted", "acknowledged"):
            if self.first("transmitted") is not None:
                return "transmitted"
            # the central authority's acknowledgement says it received the request
            received = self.received_at is not None or state == "acknowledged"
            return "received" if received else "sent"
        if state == "disclosed":
            last = self.last("disclosed")
            return "partially_executed" if last is not None and last.partial else "executed"
        return "refused" if state == "rejected" else state

    @property
    def version(self) -> int:
        """Number of events recorded: the row version used for optimistic concurrency."""
        return len(self.events)

    @property
    def provider_ref(self) -> str | None:
        """The provider's reference for the request: the latest one an event recorded."""
        return next((e.ref for e in reversed(self.events) if e.ref), None)

    def first(self, *names: str) -> Event | None:
        """The earliest event with one of ``names``, or ``None``."""
        return next((e for e in self.events if e.name in names), None)

    def last(self, *names: str) -> Event | None:
        """The latest event with one of ``names``, or ``None``."""
        return next((e for e in reversed(self.events) if e.name in names), None)

    @property
    def submitted_at(self) -> datetime | None:
        """When the request was first submitted, or ``None``."""
        event = self.first("submitted")
        return event.at if event else None

    @property
    def received_at(self) -> datetime | None:
        """When the addressee received the request (``received``), or ``None``."""
        event = self.first("received")
        return event.at if event else None

    @property
    def clock_start(self) -> datetime | None:
        """Where the addressee's clocks start: its receipt when recorded, else the
        submission (the earliest it can have been received, so deadlines counted from it
        are never later than the law's); ``None`` before submission."""
        return self.received_at or self.submitted_at

    @property
    def production_request_confirmed(self) -> bool:
        """Whether the issuing authority confirmed the subsequent request for production
        (Annex V; Regulation (EU) 2023/1543 art. 11(2): no expiry from then on)."""
        return self.first("production_request_confirmed") is not None

    @property
    def validated_at(self) -> datetime | None:
        """When the order was validated ex post (``validated``, art. 4(5)), or ``None``."""
        event = self.first("validated")
        return event.at if event else None

    @property
    def responded_at(self) -> datetime | None:
        """First answer of the provider (acknowledgement, preservation, disclosure, refusal)."""
        event = self.first(*ANSWERS)
        return event.at if event else None

    @property
    def disclosed_at(self) -> datetime | None:
        """When data was first disclosed (partly or fully), or ``None``."""
        event = self.first("disclosed")
        return event.at if event else None

    @property
    def extensions(self) -> int:
        """How many extensions were made: granted by the provider (``extended``) or, for
        an ``order`` clock, made by the issuing authority (``preservation_extended``)."""
        return sum(1 for e in self.events if e.name in ("extended", "preservation_extended"))

    @property
    def reject_reason(self) -> str | None:
        """Why the provider refused, when the request is ``rejected``; else ``None``."""
        event = self.last("rejected")
        return event.reason if event and self.state == "rejected" else None

    @property
    def terminal(self) -> bool:
        """Whether the request is final: rejected, withdrawn, expired, or fully disclosed."""
        if self.state == "disclosed":
            last = self.last("disclosed")
            return last is not None and not last.partial
        return self.state in TERMINAL_STATES

    @property
    def expires(self) -> datetime | None:
        """Expiry of the preservation now in force (``None`` if none is, or it is not known).

        ``provider`` clock: the expiry of the latest ``preserved`` or ``extended`` event,
        while preserved (or extended, or expired). ``order`` clock (Regulation (EU)
        2023/1543 art. 11(1)): from the addressee's receipt (:attr:`clock_start`),
        ``preservation_days`` plus ``extension_days`` per extension, from submission on and
        until the request is rejected or withdrawn; none once the subsequent request for
        production is confirmed (art. 11(2)). An expiry after the year 9999 is given as the
        last instant a datetime can hold.
        """
        state = self.state
        if self.terms.preservation_clock == "order":
            if state in ("draft", "checked", "signed", "rejected", "withdrawn"):
                return None
            if self.production_request_confirmed:
                return None
            return self.order_expiry(self.extensions)
        if state not in ("preserved", "extension_requested", "extended", "expired"):
            return None
        event = self.last("preserved", "extended")
        return event.expires if event else None

    @property
    def follow_up_due(self) -> datetime | None:
        """The latest moment to dispatch the drafted follow-up request: the ``due`` of the
        latest ``follow_up_drafted`` event, moved by as much as the expiry in force moved
        since it was recorded (an extension moves it later by the extension); ``None`` when
        no follow-up was drafted or no preservation is in force (it lapsed, was withdrawn, or
        its subsequent request for production was confirmed). Held at the first or last
        instant a datetime can hold."""
        expires = self.expires
        if expires is None or self.terminal:
            return None
        for n in range(len(self.events) - 1, -1, -1):
            event = self.events[n]
            if event.name == "follow_up_drafted" and event.due is not None:
                then = replace(self, events=self.events[:n]).expires
                shift = expires - then if then else timedelta(0)
                try:
                    return event.due + shift
                except OverflowError:
                    edge = datetime.max if shift > timedelta(0) else datetime.min
                    return edge.replace(tzinfo=UTC)
        return None

    def order_expiry(self, extensions: int) -> datetime | None:
        """For an ``order`` clock: :attr:`clock_start` + ``preservation_days`` days +
        ``extensions`` times ``extension_days`` days (``None`` when a term or the start is
        unknown; held at the end of year 9999 when later)."""
        start, terms = self.clock_start, self.terms
        if start is None or terms.preservation_days is None:
            return None
        days = terms.preservation_days + extensions * (terms.extension_days or 0)
        try:
            return start + timedelta(days=days)
        except OverflowError:
            return datetime.max.replace(tzinfo=UTC)

    def to_dict(self) -> dict[str, Any]:
        """The tracked request as a JSON object: its facts (``id``, ``kind``, ``provider``,
        ``country``, ``created_at``, ``emergency``, ``terms``, ``follows``,
        ``case_reference``, ``requested_state``, ``terrorism_related``), the derived
        ``state``, ``stage``, ``provider_ref`` and ``expires``, and its ``events``; times
        are RFC 3339 in UTC (``Z``). What ``eevidence status --json`` prints."""
        return {
            "id": self.id,
            "kind": self.kind,
            "provider": self.provider,
            "country": self.country,
            "created_at": _iso(self.created_at),
            "emergency": self.emergency,
            "terms": self.terms.to_dict(),
            "follows": self.follows,
            "case_reference": self.case_reference,
            "requested_state": self.requested_state,
            "terrorism_related": self.terrorism_related,
            "state": self.state,
            "stage": self.stage,
            "provider_ref": self.provider_ref,
            "expires": _iso(self.expires) if self.expires else None,
            "events": [e.to_dict() for e in self.events],
        }

    def facts_dict(self) -> dict[str, Any]:
        """The fixed facts only (what a store keeps next to the events)."""
        data = self.to_dict()
        for key in ("state", "stage", "provider_ref", "expires", "events"):
            del data[key]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], events: tuple[Event, ...] = ()) -> Tracked:
        """The tracked request of a :meth:`to_dict` or :meth:`facts_dict` object; ``events``,
        when given, replace those of ``data``.

        Raises:
            InputError: a fact is missing or ``created_at`` is not an ISO 8601 date-time
                (stores turn it into a ``StoreError``).
        """
        what = "tracked request"
        return cls(
            id=_required(data, "id", what),
            kind=_required(data, "kind", what),
            provider=_required(data, "provider", what),
            country=_required(data, "country", what),
            created_at=_time(_required(data, "created_at", what), "created_at", what),
            emergency=bool(data.get("emergency", False)),
            terms=Terms.from_dict(data.get("terms", {})),
            follows=data.get("follows"),
            case_reference=data.get("case_reference"),
            requested_state=data.get("requested_state"),
            terrorism_related=bool(data.get("terrorism_related", False)),
            events=events or tuple(Event.from_dict(e) for e in data.get("events", ())),
        )
