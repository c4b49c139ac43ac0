"""The recipient's answer to a request it took in: an acknowledgement or a rejection.

An answer is built from an intake verdict (:class:`~eevidence.intake.IntakeVerdict` or
its JSON form, ``eevidence intake --json``). An accepted request is acknowledged with the
recipient's own reference; a rejected one is answered with every reason the verdict
gives. For an order under Regulation (EU) 2023/1543 the answer also carries the fields a
recipient fills in the form of its Annex III (the order's identification, the issuing
authority, the addressee's reference and the grounds), with the grounds the
Regulation's articles 10 and 11 name for informing the issuing authority; the text of the
form's boxes is not reproduced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal, get_args

from eevidence._internal.documents import decode_json, read_limited
from eevidence.directory import as_of
from eevidence.errors import InputError

__all__ = ["REPLY_GROUNDS", "Reply", "ReplyGround", "build_reply", "read_verdict"]

ReplyGround = Literal[
    "not_authenticated",
    "incomplete",
    "manifest_errors",
    "insufficient_information",
    "de_facto_impossibility",
]
"""Why a request is not executed: ``not_authenticated`` (the intake could not bind it to
the authority it names: every reason is listed), or one of the grounds on which an
addressee informs the issuing authority of an EU order with the Annex III form
(incomplete, manifest errors, not enough information to execute it, de facto
impossibility for reasons not attributable to the addressee)."""
REPLY_GROUNDS: Final[tuple[str, ...]] = get_args(ReplyGround)
_EU_ORDERS: Final = frozenset({"eu_production_order", "eu_preservation_order"})
_ANNEX_III: Final = "Regulation (EU) 2023/1543, articles 10 and 11, Annex III"


@dataclass(frozen=True)
class Reply:
    """The answer, as data (:meth:`to_dict`) and as a short letter (:meth:`to_text`).

    Attributes:
        kind: ``acknowledgement`` or ``rejection``.
        request_id, request_kind, request_created_at: The request answered.
        authority: The authority answered: the directory's entry on accept, the authority
            the request claims on reject (``{"name", "country"}``).
        recipient: Who answers (the provider or central authority).
        reference: The recipient's own reference for the request.
        grounds: Why it is not executed (rejection only).
        reasons: The intake's reasons, one line each (rejection only).
        callback: The directory's call-back number (acknowledgement of an emergency).
        written_at: When the answer was written.
        eu_order: Whether the request is an order under Regulation (EU) 2023/1543.
    """

    kind: Literal["acknowledgement", "rejection"]
    request_id: str | None
    request_kind: str | None
    request_created_at: str | None
    authority: dict[str, Any]
    recipient: str
    reference: str
    grounds: tuple[str, ...]
    reasons: tuple[str, ...]
    callback: str | None
    written_at: datetime
    eu_order: bool

    def to_dict(self) -> dict[str, Any]:
        """The JSON answer: every field; for an EU order an ``annex_iii`` object."""
        out: dict[str, Any] = {
            "type": "eevidence-reply",
            "kind": self.kind,
            "request": {
                "id": self.request_id,
                "kind": self.request_kind,
                "created_at": self.request_created_at,
            },
            "authority": self.authority,
            "recipient": self.recipient,
            "reference": self.reference,
            "written_at": as_of(self.written_at),
        }
        if self.kind == "rejection":
            out["grounds"] = list(self.grounds)
            out["reasons"] = list(self.reasons)
        if self.callback:
            out["callback"] = self.callback
        if self.eu_order and self.kind == "rejection":
            out["annex_iii"] = {
                "source": _ANNEX_III,
                "order": self.request_id,
                "issuing_authority": self.authority.get("name"),
                "addressee": self.recipient,
                "addressee_reference": self.reference,
                "grounds": list(self.grounds),
                "explanation": "; ".join(self.reasons),
            }
        return out

    def to_text(self) -> str:
        """A short letter (plain text, one paragraph per point)."""
        who = self.authority.get("name") or "the requesting authority"
        unverified = self.kind == "rejection" and "not_authenticated" in self.grounds
        lines = [
            f"From: {self.recipient}",
            f"To: {who}"
            + (f" ({self.authority['country']})" if self.authority.get("country") else "")
            + (" - as the request names it; not verified" if unverified else ""),
            f"Date: {as_of(self.written_at)}",
            f"Our reference: {self.reference}",
            f"Your request: {self.request_id or 'unidentified'} ({self.request_kind or 'unknown'})",
            "",
        ]
        if self.kind == "acknowledgement":
            lines.append(
                "We acknowledge receipt of your request. Its signature was verified against "
                "the directory of authorities and bound to your authority. Please quote our "
                "reference in all further correspondence."
            )
            if self.callback:
                lines += ["", f"We will confirm the emergency with you on {self.callback}."]
        else:
            lines.append("We cannot act on the request received, for these reasons:")
            lines += [f"  - {r}" for r in self.reasons]
            lines += ["", f"Grounds: {', '.join(self.grounds)}."]
            if self.eu_order:
                lines += ["", f"This answer gives the information of {_ANNEX_III}."]
            if unverified:
                lines += [
                    "",
                    "If the request is genuine, please send it again signed with a key the "
                    "directory lists for your authority, from an official address.",
                ]
        return "\n".join(lines) + "\n"


def build_reply(
    verdict: dict[str, Any],
    *,
    recipient: str,
    reference: str,
    now: datetime,
    grounds: tuple[str, ...] = (),
) -> Reply:
    """The answer to the request an intake verdict is about.

    Args:
        verdict: The verdict's JSON form (:meth:`IntakeVerdict.to_dict`).
        recipient: Who answers.
        reference: The recipient's reference.
        now: When the answer is written.
        grounds: For a rejection, the grounds (:data:`REPLY_GROUNDS`); default
            ``not_authenticated`` for a verdict that rejected the request. Given for an
            accepted verdict, the answer is a rejection on those grounds (a genuine
            request that cannot be executed).

    Raises:
        InputError: the verdict is not an intake verdict, or a ground is unknown.
    """
    decision = verdict.get("decision")
    if decision not in ("accept", "reject") or not isinstance(verdict.get("reasons"), list):
        raise InputError("not an intake verdict (eevidence intake --json)", source="verdict")
    listed = verdict.get("signers")
    signers: list[Any] = listed if isinstance(listed, list) else []
    bound = any(isinstance(x, dict) and x.get("ok") is True for x in signers)
    if decision == "accept" and (verdict["reasons"] or not bound or not verdict.get("authority")):
        raise InputError(
            "the verdict says accept but gives reasons, no bound signer or no authority: "
            "it was not written by eevidence intake as it stands; run intake again",
            source="verdict",
        )
    if decision == "reject" and not verdict["reasons"]:
        raise InputError("the verdict says reject but gives no reason", source="verdict")
    for g in grounds:
        if g not in REPLY_GROUNDS:
            raise InputError(
                f"unknown ground {g!r}: one of {', '.join(REPLY_GROUNDS)}", source="--ground"
            )
    if not recipient.strip() or not reference.strip():
        raise InputError("the recipient and the reference must not be blank", source="reply")
    request = verdict.get("request") if isinstance(verdict.get("request"), dict) else None
    accepted = decision == "accept"
    if accepted and isinstance(verdict.get("authority"), dict):
        a = verdict["authority"]
        authority = {"id": a.get("id"), "name": a.get("name"), "country": a.get("country")}
    elif request is not None and isinstance(request.get("claimed_authority"), dict):
        authority = dict(request["claimed_authority"])
    else:
        authority = {}
    rejection = not accepted or bool(grounds)
    reasons = tuple(str(r) for r in verdict["reasons"])
    if accepted and grounds:
        reasons = (f"the request cannot be executed ({', '.join(grounds)})",)
    callback = verdict.get("callback")
    return Reply(
        kind="rejection" if rejection else "acknowledgement",
        request_id=request.get("id") if request else None,
        request_kind=request.get("kind") if request else None,
        request_created_at=request.get("created_at") if request else None,
        authority=authority,
        recipient=recipient.strip(),
        reference=reference.strip(),
        grounds=tuple(grounds) or (("not_authenticated",) if rejection else ()),
        reasons=reasons if rejection else (),
        callback=callback.get("number") if isinstance(callback, dict) and not rejection else None,
        written_at=now,
        eu_order=bool(request and request.get("kind") in _EU_ORDERS),
    )


def read_verdict(path: str, *, limit: int = 4 << 20) -> dict[str, Any]:
    """A verdict file's JSON object (at most ``limit`` bytes, strict JSON).

    Raises:
        InputError: the file cannot be read, is too large, is not JSON, or not an object.
    """
    doc = decode_json(read_limited(path, limit, "verdict"), path)
    if not isinstance(doc, dict):
        raise InputError("not an intake verdict (a JSON object)", source=path)
    return doc
