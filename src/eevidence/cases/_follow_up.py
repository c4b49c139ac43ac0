"""Drafting the formal request that must follow a preservation or an emergency disclosure: a
request for mutual legal assistance (``mla_request``) built from the tracked request.

Pure: the preservation request, its tracked record, the provider's profile, the directory of
authorities and ``now`` in; a :class:`FollowUpDraft` out. What the preservation already says
is carried over (the requesting authority, the case, the identifiers, the data categories,
the period, the justification, the confidentiality, the language, the provider and its
preservation reference, the dates); what only a person can supply is left ``null`` in the
draft and listed with its JSON path and the reason it is needed.

A provider that disclosed data in an emergency (18 U.S.C. 2702(b)(8)) gave them without legal
process; the formal request that follows asks for them again so they can be used as evidence.
It has no preservation to outrun, so it has no dispatch deadline: it should leave as soon as it
can.

For a preservation, the dispatch deadline is the latest moment to send the MLA request so that
it can reach the provider before the preservation lapses: the expiry in force minus the
expected transmission time of the requested State (the authority entry's
``transmission_days`` where published), or minus a stated default when none is published. A
reminder comes :data:`REMINDER_DAYS` days before it: ask the provider to extend the
preservation if the request cannot leave by then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, get_args

from eevidence._internal.codes import is_assigned_country
from eevidence.authorities import Authority, AuthorityRegistry
from eevidence.errors import InputError, LifecycleError
from eevidence.provider import ProviderProfile
from eevidence.request import (
    REQUEST_KINDS,
    IssuingAuthority,
    Request,
    is_emergency,
    kind_spec,
    new_request_id,
    parse_request,
)
from eevidence.tracking import FOLLOW_UP_REMINDER_DAYS, PRESERVATION_KINDS, Tracked, as_utc

__all__ = [
    "DEFAULT_TRANSMISSION_DAYS",
    "FOLLOW_UP_KINDS",
    "RECEIPT_DAYS_24_7",
    "REMINDER_DAYS",
    "FollowUpDraft",
    "Missing",
    "draft_follow_up",
]

DEFAULT_TRANSMISSION_DAYS: Final = 60
"""Days assumed for an MLA request to travel from dispatch to the provider when the requested
State publishes no figure: a default of this tool, stated as such wherever it is used, never a
published fact; give the figure you know instead (``--transmission-days``)."""
RECEIPT_DAYS_24_7: Final = 14
"""Days assumed for the request for mutual assistance that follows a 24/7 preservation to
reach the requested State's central authority: once it is received, the data stay
preserved pending the decision on it (Budapest Convention art. 29(7)), so the dispatch
deadline counts the time to that receipt, not to the provider. A default of this tool,
stated as such wherever it is used, never a published fact (``--transmission-days``)."""
REMINDER_DAYS: Final = FOLLOW_UP_REMINDER_DAYS
"""Days before the dispatch deadline at which to ask the provider for an extension (the
tracking's :data:`~eevidence.tracking.FOLLOW_UP_REMINDER_DAYS`)."""
FOLLOW_UP_KINDS: Final = ("mla_request",)
"""The kinds a follow-up can be drafted as."""

_WHY: Final[tuple[tuple[str, str], ...]] = (
    (
        "$.issuing_authority",
        "the prosecution office or court in charge of the case issues and signs an MLA "
        "request, and the requested State quotes its case number (T-CY(2018)10; UNTOC "
        "art. 18(15)(a))",
    ),
    (
        "$.legal_basis",
        "the treaty or convention the request rests on (Budapest art. 31, UNTOC art. 18, a "
        "bilateral treaty) or reciprocity, with its article where it has one: the central "
        "authority checks that it binds both States",
    ),
    (
        "$.requested_authority",
        "the requested State's central authority the request is addressed to; no entry of the "
        "directory of authorities was found for that State (add one, or write it here)",
    ),
)
_RECOMMENDED: Final[tuple[tuple[str, str], ...]] = (
    (
        "$.dual_criminality",
        "where the treaty makes dual criminality a condition of production, say why the "
        "conduct is an offence in the requested State too (a common ground for refusal)",
    ),
    (
        "$.persons",
        "UNTOC art. 18(15)(e): where possible, the identity, location and nationality of "
        "the persons concerned",
    ),
    (
        "$.procedures",
        "certification of business records, chain of custody and delivery format, so the "
        "evidence is admissible (T-CY(2018)10)",
    ),
)


@dataclass(frozen=True, slots=True)
class Missing:
    """Something a person must (``required``) or should supply, at a JSON path."""

    path: str
    why: str
    required: bool = True

    def to_dict(self) -> dict[str, Any]:
        """``path``, ``why`` and ``required``."""
        return {"path": self.path, "why": self.why, "required": self.required}


@dataclass(frozen=True, slots=True)
class FollowUpDraft:
    """A drafted follow-up request with what is missing and its dispatch deadline."""

    document: dict[str, Any]
    """The draft as a JSON object (``null`` where a person must supply a value)."""
    missing: tuple[Missing, ...]
    preservation_id: str
    requested_state: str | None
    authority: Authority | None
    """The requested State's central authority from the directory, if one was found."""
    expires: datetime | None
    """The expiry of the preservation in force (``None`` after an emergency disclosure)."""
    transmission_days: int | None
    """Days assumed from dispatch to the provider (``None`` after an emergency disclosure:
    no preservation runs)."""
    transmission_basis: str
    """Where the transmission time comes from: the authority entry's sources, a figure
    given, or the stated default."""
    dispatch_by: datetime | None
    """The latest moment to dispatch the draft (``None`` after an emergency disclosure: as
    soon as possible)."""
    remind_at: datetime | None
    drafted_at: datetime
    """When the draft was made (``now``)."""
    follows_kind: str
    """The kind of the tracked request the draft follows."""
    kind_known: bool
    """Whether the installed request models define the kind (the draft was then validated
    against them and :attr:`missing` holds every problem found)."""

    @property
    def late(self) -> bool:
        """The dispatch deadline had passed when the draft was made: send it at once and ask
        the provider to extend the preservation now."""
        return self.dispatch_by is not None and self.dispatch_by <= self.drafted_at

    def to_dict(self) -> dict[str, Any]:
        """The draft's summary as a JSON object (without the document)."""
        return {
            "preservation_id": self.preservation_id,
            "kind": self.document.get("kind"),
            "draft_id": self.document.get("id"),
            "requested_state": self.requested_state,
            "requested_authority": None if self.authority is None else self.authority.id,
            "follows_kind": self.follows_kind,
            "preservation_expires": _opt_iso(self.expires),
            "transmission_days": self.transmission_days,
            "transmission_basis": self.transmission_basis,
            "dispatch_by": _opt_iso(self.dispatch_by),
            "extension_reminder": _opt_iso(self.remind_at),
            "late": self.late,
            "missing": [m.to_dict() for m in self.missing],
            "validated_against_models": self.kind_known,
        }


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _opt_iso(value: datetime | None) -> str | None:
    return None if value is None else _iso(value)


def _why(path: str, kind: str) -> str:
    for prefix, why in _WHY:
        if path.startswith(prefix):
            return why + _allowed(path, kind)
    return "required by the request model"


def _allowed(path: str, kind: str) -> str:
    """The values the models allow at ``path``, for the person who fills it in."""
    if path.endswith(".instrument") and kind in REQUEST_KINDS:
        bases = ", ".join(kind_spec(kind).bases)
        return f"; one of: {bases} (a treaty: name it in legal_basis[0].citation)"
    if path == "$.issuing_authority.type":
        hint = IssuingAuthority.model_fields["type"].annotation
        return f"; one of: {', '.join(get_args(hint))}"
    if path == "$.issuing_authority.phone":
        return "; E.164, e.g. +33144000001"
    return ""


def _nulls(value: Any, path: str = "$") -> list[str]:
    if value is None:
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _nulls(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _nulls(v, f"{path}[{i}]")]
    return []


def _central_authority(authorities: AuthorityRegistry, country: str | None) -> Authority | None:
    if country is None:
        return None
    found = authorities.find(country, "mla_central_authority")
    return found[0] if len(found) == 1 else None


def _transmission(
    authority: Authority | None, given: int | None, country: str | None, *, via_24_7: bool
) -> tuple[int, str]:
    if given is not None:
        if not 0 <= given <= 3650:
            raise InputError(
                f"transmission days {given}: expected 0 to 3650", source="--transmission-days"
            )
        return given, "transmission time given by the user"
    if via_24_7:
        return (
            RECEIPT_DAYS_24_7,
            f"default of {RECEIPT_DAYS_24_7} days for the request to reach the requested "
            "State's central authority: once it is received, the data stay preserved pending "
            "the decision on it (Budapest Convention art. 29(7))",
        )
    if authority is not None and authority.transmission_days.value is not None:
        fact = authority.transmission_days
        return fact.value, f"{authority.name}: {', '.join(fact.sources)} ({authority.id})"  # type: ignore[return-value]
    where = country or "the requested State"
    return (
        DEFAULT_TRANSMISSION_DAYS,
        f"default of {DEFAULT_TRANSMISSION_DAYS} days: no transmission time published for {where}",
    )


def _document(
    preservation: Request,
    tracked: Tracked,
    *,
    now: datetime,
    country: str | None,
    authority: Authority | None,
    expires: datetime | None,
) -> dict[str, Any]:
    base = preservation.model_dump(mode="json", exclude_none=True)
    ref = tracked.provider_ref
    terror = preservation.case.terrorism_related
    first = ["terrorism"] if terror else []
    if expires is None:  # after an emergency disclosure
        reasons = [*first, "threat_to_life"]
        what = "Emergency disclosure request"
        sent = _iso(tracked.submitted_at) if tracked.submitted_at else "an earlier date"
        explanation = (
            f"{preservation.provider} disclosed data in an emergency"
            + (f" (reference {ref})" if ref else "")
            + f" after the request sent on {sent}; they are requested through formal legal "
            "process so that they can be used as evidence."
        )
        produce = (
            f"Order {preservation.provider} to produce, through formal legal process, the data "
            "it disclosed in the emergency, for the identifiers listed, for the data "
            "categories and period stated"
        )
    else:
        reasons = [*first, "preservation_expiring"]
        through = getattr(preservation, "requested_authority", None)
        if through is not None:  # a 24/7 preservation: the requested State preserved them
            what = f"24/7 preservation request to {through.name or through.country}"
            explanation = (
                f"The data held by {preservation.provider} are preserved at the request made "
                f"through the 24/7 network to {through.name or through.country}"
                + (f" (reference {ref})" if ref else "")
                + f" until {_iso(expires)}; once this request is received they stay "
                "preserved pending the decision on it (Budapest Convention art. 29(7))."
            )
        else:
            what = "Preservation request"
            explanation = (
                f"The data are preserved by {preservation.provider}"
                + (f" under reference {ref}" if ref else "")
                + f" until {_iso(expires)}; they may be deleted afterwards."
            )
        produce = (
            f"Order {preservation.provider} to produce the data preserved for the identifiers "
            "listed, for the data categories and period stated"
        )
    if terror:
        explanation += " The case concerns terrorism."
    doc: dict[str, Any] = {
        "schema_version": 1,
        "id": new_request_id(),
        "kind": "mla_request",
        "created_at": _iso(now),
        "authority": base["authority"],
        "case": base["case"],
        "legal_basis": [{"instrument": None}],
        "provider": preservation.provider,
        "identifiers": base["identifiers"],
        "data": base["data"],
        "justification": base["justification"],
        "language": preservation.language,
        "issuing_authority": {
            "type": None,
            "name": None,
            "country": preservation.authority.country,
            "representative": None,
            "email": None,
            "phone": None,
            "file_reference": None,
        },
        "requested_authority": {
            "country": country,
            "capacity": "central_authority",
            "name": None if authority is None else authority.name,
        },
        "earlier_requests": [
            {
                "description": f"{what}, data held by {preservation.provider} ({preservation.kind})"
                if what.startswith("24/7")
                else f"{what} to {preservation.provider} ({preservation.kind})",
                "request_id": preservation.id,
                "provider": preservation.provider,
                **({"reference": ref} if ref else {}),
                **(
                    {"sent_at": _iso(tracked.submitted_at)}
                    if tracked.submitted_at is not None
                    else {}
                ),
                **({"expires": _iso(expires)} if expires is not None else {}),
            }
        ],
        "measures": [
            {
                "description": produce,
                "provider": preservation.provider,
                **({"preservation_reference": ref} if ref and expires is not None else {}),
                "relevance": preservation.justification.relation_to_offence,
            }
        ],
        "urgency": {
            "reasons": reasons,
            "explanation": explanation,
            **({"respond_by": _iso(expires)} if expires is not None else {}),
        },
    }
    for key in ("period", "confidentiality", "attachments"):
        if key in base:
            doc[key] = base[key]
    return doc


def draft_follow_up(
    preservation: Request,
    tracked: Tracked,
    *,
    now: datetime,
    authorities: AuthorityRegistry,
    profile: ProviderProfile | None = None,
    kind: str = "mla_request",
    requested_state: str | None = None,
    transmission_days: int | None = None,
) -> FollowUpDraft:
    """Draft the MLA request that follows the tracked preservation (or emergency disclosure)
    ``tracked``.

    Args:
        preservation: The preservation request, or the emergency disclosure request (kinds
            table: an emergency), the tracked request's document.
        tracked: Its tracked record: the provider's reference and the expiry in force.
        now: The current time (aware): the draft's ``created_at``.
        authorities: The directory of authorities (:func:`eevidence.authorities.load_authorities`).
        profile: The provider's profile: its headquarters name the requested State when
            ``requested_state`` is not given.
        kind: The kind to draft (:data:`FOLLOW_UP_KINDS`).
        requested_state: The requested State (ISO 3166-1 alpha-2), default the requested
            State of a 24/7 preservation, else the provider's headquarters.
        transmission_days: Days the requested State takes to bring the request to the
            provider, when known; default: the authority entry's, else
            :data:`DEFAULT_TRANSMISSION_DAYS`.

    Returns:
        The draft, what is missing, and the dispatch deadline (none after an emergency
        disclosure).

    Raises:
        InputError: ``kind`` cannot be drafted; ``preservation`` is not the tracked request
            or neither a preservation nor an emergency; ``requested_state`` is not an ISO
            3166-1 alpha-2 code or is the requesting State; ``transmission_days`` is out of
            range, or given for the follow-up of an emergency disclosure.
        LifecycleError: ``now`` is naive; the preservation has no expiry in force (record
            ``preserved`` first), it lapsed or it is final; the emergency request disclosed
            nothing.
    """
    now = as_utc(now, "now")
    if kind not in FOLLOW_UP_KINDS:
        raise InputError(
            f"a follow-up can be drafted as {', '.join(FOLLOW_UP_KINDS)}, not {kind!r}",
            source="--as",
        )
    if preservation.id != tracked.id:
        raise InputError(
            f"the request given ({preservation.id}) is not the tracked request {tracked.id}",
            source=tracked.id,
        )
    preserved = tracked.kind in PRESERVATION_KINDS and preservation.kind in PRESERVATION_KINDS
    if not preserved and not is_emergency(preservation):
        raise InputError(
            f"this is a {tracked.kind}: a follow-up is drafted from a preservation or an "
            "emergency disclosure",
            source=tracked.id,
        )
    expires = tracked.expires
    if not preserved:
        if tracked.disclosed_at is None:
            raise LifecycleError(
                f"the emergency request disclosed nothing (state {tracked.state}): a formal "
                "request follows data disclosed in an emergency (record disclosed first)",
                source=tracked.id,
            )
    elif tracked.terminal:
        raise LifecycleError(
            f"the preservation is {tracked.state}: nothing is preserved to follow up",
            source=tracked.id,
        )
    elif expires is None:
        raise LifecycleError(
            f"no preservation expiry in force (state {tracked.state}): record the provider's "
            "confirmation first (track event ID preserved [--expires DATE])",
            source=tracked.id,
        )
    elif expires <= now:
        raise LifecycleError(
            f"the preservation lapsed on {_iso(expires)}: the data may be gone; a follow-up "
            "would need a new preservation first",
            source=tracked.id,
        )
    country = _requested_state(requested_state, preservation)
    if country is None:
        # a 24/7 preservation was made by the requested State's point of contact: the
        # request for assistance goes to that State (Budapest art. 29(1), 31)
        authority_of = getattr(preservation, "requested_authority", None)
        country = getattr(authority_of, "country", None)
    if country is None and profile is not None and profile.headquarters.value is not None:
        country = profile.headquarters.value
    authority = _central_authority(authorities, country)
    if preserved:
        via_24_7 = getattr(preservation, "requested_authority", None) is not None
        days, basis = _transmission(authority, transmission_days, country, via_24_7=via_24_7)
    elif transmission_days is not None:
        raise InputError(
            "a transmission time sets the dispatch deadline of a preservation's follow-up; "
            "after an emergency disclosure there is none",
            source="--transmission-days",
        )
    else:
        days, basis = None, "no preservation runs after an emergency disclosure"
    document = _document(
        preservation, tracked, now=now, country=country, authority=authority, expires=expires
    )
    missing = [Missing(p, _why(p, kind)) for p in _nulls(document)]
    kind_known = kind in REQUEST_KINDS
    if kind_known:
        missing += _model_problems(document, {m.path for m in missing})
    missing += [Missing(p, why, required=False) for p, why in _RECOMMENDED]
    dispatch_by = None if expires is None or days is None else expires - timedelta(days=days)
    return FollowUpDraft(
        document=document,
        missing=tuple(missing),
        preservation_id=tracked.id,
        requested_state=country,
        authority=authority,
        expires=expires,
        transmission_days=days,
        transmission_basis=basis,
        dispatch_by=dispatch_by,
        remind_at=None if dispatch_by is None else dispatch_by - timedelta(days=REMINDER_DAYS),
        follows_kind=tracked.kind,
        kind_known=kind_known,
        drafted_at=now,
    )


def _requested_state(given: str | None, request: Request) -> str | None:
    """``given`` as an ISO 3166-1 alpha-2 code other than the requesting State, or ``None``
    when not given.

    Raises:
        InputError: it is not an assigned alpha-2 code, or it is the requesting State.
    """
    if given is None:
        return None
    code = given.strip().upper()
    if not is_assigned_country(code):
        raise InputError(
            f"{given!r} is not an ISO 3166-1 alpha-2 country code (US, GB, ...)",
            source="--requested-state",
        )
    if code == request.authority.country:
        raise InputError(
            f"{code} is the requesting authority's own State: a request for mutual "
            "assistance goes to another State",
            source="--requested-state",
        )
    return code


def _model_problems(document: dict[str, Any], known: set[str]) -> list[Missing]:
    """Problems of the draft against the request models, apart from the nulls listed."""
    try:
        parse_request(document, source="follow-up draft")
    except InputError as exc:
        return [
            Missing(p.path, p.message)
            for p in exc.problems
            if not any(p.path == k or p.path.startswith(f"{k}.") for k in known)
            and not any(k.startswith(f"{p.path}.") or k.startswith(f"{p.path}[") for k in known)
        ]
    return []
