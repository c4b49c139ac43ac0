"""What a provider says, read without any I/O: its answer parsed into a :class:`ProviderStatus`,
and the lifecycle events that status calls for.

Pure: bytes and a tracked request in, values out. No network library is imported here, so
the parsing can be reused for answers that arrive by any route (an API, a saved
notification, a portal reference typed in by the user).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal

from eevidence._internal.documents import decode_json
from eevidence.errors import InputError, MalformedAnswerError
from eevidence.tracking import Event, Tracked, allowed_events

__all__ = [
    "CONTROL",
    "MAX_ANSWER",
    "ProviderStatus",
    "StatusEvent",
    "events_for",
    "lookup",
    "parse_answer",
]

MAX_ANSWER: Final = 1 << 20
"""The largest answer read (bytes): 1 MiB."""

StatusEvent = Literal["acknowledged", "preserved", "disclosed", "rejected"]


@dataclass(frozen=True)
class ProviderStatus:
    """What a provider's answer says: its reference and where the request stands.

    ``ref`` is the provider's reference (a short text), ``event`` the lifecycle event the
    status maps to (``None``: the answer gave no status, or one this library does not know,
    kept in ``raw_status``), ``reason`` the reason of a rejection, ``partial`` whether a
    disclosure was partial, and ``expires`` (UTC) the end of a preservation.
    """

    ref: str | None = None
    event: StatusEvent | None = None
    raw_status: str | None = None
    reason: str | None = None
    partial: bool = False
    expires: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """The status as JSON-ready values (``expires`` as an ISO 8601 text or ``None``)."""
        return {
            "ref": self.ref,
            "event": self.event,
            "raw_status": self.raw_status,
            "reason": self.reason,
            "partial": self.partial,
            "expires": self.expires.isoformat() if self.expires else None,
        }


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


_REF_KEYS: Final = (
    "reference",
    "providerreference",
    "referencenumber",
    "ref",
    "requestid",
    "caseid",
    "trackingid",
    "id",
)
_STATUS_KEYS: Final = ("status", "state", "requeststatus")
_REASON_KEYS: Final = ("reason", "rejectionreason", "message", "detail")
_EXPIRES_KEYS: Final = ("expires", "expiresat", "expiry", "preservationexpiry", "preserveduntil")
_WRAPPERS: Final = ("data", "result", "request", "submission")
_STATUS_WORDS: Final[dict[str, StatusEvent]] = {
    **dict.fromkeys(
        (
            "received",
            "accepted",
            "acknowledged",
            "pending",
            "queued",
            "submitted",
            "open",
            "inprogress",
            "processing",
            "underreview",
            "created",
        ),
        "acknowledged",
    ),
    "preserved": "preserved",
    **dict.fromkeys(
        (
            "disclosed",
            "completed",
            "complete",
            "fulfilled",
            "produced",
            "delivered",
            "partiallydisclosed",
            "partial",
        ),
        "disclosed",
    ),
    **dict.fromkeys(("rejected", "refused", "denied", "declined"), "rejected"),
}
CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
"""Control characters, replaced by spaces in any text taken from an answer."""


def lookup(doc: Mapping[str, Any], keys: Iterable[str]) -> Any:
    """The first non-null value of ``doc`` under one of ``keys`` (names compared in lower
    case without punctuation: ``Provider-Reference`` is ``providerreference``)."""
    normalised = {_norm(k): v for k, v in doc.items() if isinstance(k, str)}
    for key in keys:
        if key in normalised and normalised[key] is not None:
            return normalised[key]
    return None


def _not_json(reason: str, body: bytes) -> str:
    """Why an answer was refused by the strict JSON reader, in one line."""
    reason = CONTROL.sub(" ", reason)[:300]
    if "nested deeper" in reason:
        return f"the answer is nested too deeply ({reason.split(': ', 1)[-1]})"
    if any(word in reason for word in ("duplicate key", "is not allowed", "(the limit is")):
        return f"the answer is not strict JSON: {reason.removeprefix('not valid JSON: ')}"
    preview = CONTROL.sub(" ", body[:80].decode("utf-8", "replace"))
    return f"the answer is not JSON (starts with {preview!r})"


def parse_answer(
    body: bytes, *, source: str, require_status: bool = False, max_size: int = MAX_ANSWER
) -> ProviderStatus:
    """Read a provider's answer (a JSON object, RFC 8259).

    Tolerant of how fields are named (``reference``, ``providerReference``, ``id``...,
    ``status`` or ``state``; a ``data`` wrapper), strict about values. An empty body says
    nothing (all fields ``None``).

    Args:
        body: the answer's bytes (UTF-8 JSON).
        source: where the answer came from (a URL, a file name), named in errors.
        require_status: the answer must give a status (a status query, a notification).
        max_size: the largest answer accepted, in bytes (default 1 MiB).

    Returns:
        The provider's reference and status; an expiry is converted to UTC.

    Raises:
        MalformedAnswerError: the answer is larger than ``max_size``, not JSON, not an
            object, nested too deeply, its reference is not a short text without control
            characters, its status is not a text, its expiry not a date-time with a time
            zone (or out of range), or (with ``require_status``) it gives no status.
    """
    if len(body) > max_size:
        raise MalformedAnswerError(f"the answer is larger than {max_size} bytes", source=source)
    if not body.strip():
        if require_status:
            raise MalformedAnswerError("the answer is empty; a status was expected", source=source)
        return ProviderStatus()
    try:  # strict: a key given twice, NaN/Infinity, deep nesting or a huge integer is refused
        doc = decode_json(body, source, max_bytes=max_size, integers_only=False)
    except InputError as exc:
        raise MalformedAnswerError(_not_json(str(exc.args[0]), body), source=source) from None
    if not isinstance(doc, dict):
        raise MalformedAnswerError(
            f"the answer is a JSON {type(doc).__name__}, not an object", source=source
        )
    for wrapper in _WRAPPERS:
        inner = lookup(doc, (wrapper,))
        if isinstance(inner, dict) and lookup(doc, _STATUS_KEYS + _REF_KEYS) is None:
            doc = inner
            break
    ref = _reference(doc, source)
    raw = lookup(doc, _STATUS_KEYS)
    if raw is not None and not isinstance(raw, str):
        raise MalformedAnswerError(
            f"the status is a {type(raw).__name__}, not a text", source=source
        )
    if raw is not None:
        raw = CONTROL.sub(" ", raw).strip()[:200]
    if raw is None and require_status:
        raise MalformedAnswerError("the answer has no status", source=source)
    event = _STATUS_WORDS.get(_norm(raw)) if raw else None
    partial_flag = lookup(doc, ("partial",))
    partial = (raw is not None and _norm(raw) in ("partial", "partiallydisclosed")) or (
        partial_flag is True
    )
    reason = lookup(doc, _REASON_KEYS)
    reason = CONTROL.sub(" ", reason)[:2000] if isinstance(reason, str) and reason else None
    when = _expiry(lookup(doc, _EXPIRES_KEYS), source)
    if event == "rejected" and reason is None:
        reason = f"provider status {raw}"
    return ProviderStatus(ref, event, raw, reason if event == "rejected" else None, partial, when)


def _reference(doc: Mapping[str, Any], source: str) -> str | None:
    ref = lookup(doc, _REF_KEYS)
    if ref is None:
        return None
    if isinstance(ref, bool) or not isinstance(ref, str | int):
        raise MalformedAnswerError(
            f"the provider reference is a {type(ref).__name__}, not a text", source=source
        )
    text = str(ref).strip()
    if not text or len(text) > 200 or CONTROL.search(text):
        raise MalformedAnswerError(
            "the provider reference is empty, too long or has control characters",
            source=source,
        )
    return text


def _expiry(expires: Any, source: str) -> datetime | None:
    if expires is None:
        return None
    when: datetime | None
    try:
        when = datetime.fromisoformat(str(expires).replace("Z", "+00:00"))
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise MalformedAnswerError(
            f"the expiry {expires!r} is not a date-time with a time zone", source=source
        )
    try:
        return when.astimezone(UTC)
    except OverflowError:
        raise MalformedAnswerError(
            f"the expiry {expires!r} is out of range", source=source
        ) from None


def events_for(
    tracked: Tracked, status: ProviderStatus, *, at: datetime, actor: str, note: str
) -> list[Event]:
    """Events that bring ``tracked`` to what ``status`` says (none when nothing changes)."""
    out: list[Event] = []
    allowed = set(allowed_events(tracked))
    ref = status.ref if status.ref and status.ref != tracked.provider_ref else None
    target = status.event
    if target is None or target == "acknowledged":
        if (ref or target == "acknowledged") and "acknowledged" in allowed:
            out.append(Event("acknowledged", at, actor, note=note, ref=status.ref))
        return out
    if target == tracked.state:
        last = tracked.last("disclosed")
        if target != "disclosed" or last is None or not last.partial or status.partial:
            return out  # no change (a partial disclosure followed by a full one is a change)
    if target not in allowed:
        return out
    if ref and tracked.provider_ref is None and "acknowledged" in allowed:
        out.append(Event("acknowledged", at, actor, note=note, ref=ref))
        ref = None
    out.append(
        Event(
            target,
            at,
            actor,
            note=note,
            ref=ref,
            expires=status.expires if target == "preserved" else None,
            reason=status.reason if target == "rejected" else None,
            partial=status.partial if target == "disclosed" else False,
        )
    )
    return out
