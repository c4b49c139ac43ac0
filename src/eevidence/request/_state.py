"""State-to-State request models: a request for mutual legal assistance (MLA) for stored
data, and an expedited preservation request sent through the 24/7 network.

Both keep the common request base (:class:`~eevidence.request._parts._RequestBase`): the
requesting authority, the case, the legal basis, the identifiers, the data and the
justification. ``provider`` names the service provider holding the data sought (the
request cites its preservation reference), not the addressee: the addressee is the
requested State's authority (:class:`RequestedAuthority`).

What the structures hold follows the texts that define such requests:

* Budapest Convention (CETS 185, https://rm.coe.int/1680081561) art. 29(2) (what an
  expedited preservation request specifies, points (a)-(f), the intention to follow with
  a request for mutual assistance at (f)), art. 29(3) (dual criminality is not a
  condition of preservation; art. 29(4) lets a Party reserve it for other offences than
  those of arts. 2-11), art. 29(7) (preservation for not less than sixty days), art. 30
  (expedited disclosure of preserved traffic data enough to identify another provider and
  the path of a communication), art. 31 (mutual assistance regarding accessing stored
  computer data), art. 35 (the 24/7 network of points of contact);
* the Council of Europe's templates for art. 29 preservation requests and art. 31
  requests for stored data, approved by the Cybercrime Convention Committee (T-CY)
  (https://www.coe.int/fr/web/cybercrime/-/iproceeds-multi-language-templates-for-data-preservation-request-and-access-to-stored-data):
  requesting and requested authorities with their references, the authority in charge of
  the case and its file number, facts and offences with the provisions and penalties,
  the measures requested, the link to earlier preservation requests, persons concerned,
  confidentiality, procedures to follow, urgency, contact points;
* UNTOC (the United Nations Convention against Transnational Organized Crime) art. 18 on
  mutual legal assistance, whose paragraph 15 lists what a request contains (the
  authority making it, the subject and nature of the investigation, a summary of the
  facts, the assistance sought and any procedure to follow, where possible the identity,
  location and nationality of any person concerned, the purpose).

Priority: a request carries its :class:`Urgency` and the reason for it (a terrorism case;
a preservation about to lapse), which the letter prints at its head.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from eevidence.request._base import RequestModel as _Model
from eevidence.request._parts import MAX_ITEMS, Contact, IssuingAuthority, _RequestBase
from eevidence.request._types import (
    E164,
    CountryCode,
    Email,
    Line,
    ProviderId,
    RequestId,
    Seq,
    Text,
    UtcDatetime,
)

__all__ = [
    "EarlierRequest",
    "MeasureRequested",
    "MlaRequest",
    "Offence",
    "PersonConcerned",
    "Preservation247Request",
    "Procedures",
    "RequestedAuthority",
    "RequestedAuthorityRole",
    "Urgency",
    "UrgencyReason",
]

RequestedAuthorityRole = Literal[
    "central_authority", "point_of_contact_24_7", "competent_authority"
]
"""What the requested authority is: the central authority for mutual assistance (Budapest
art. 27(2); UNTOC art. 18), the 24/7 point of contact (Budapest art. 35), or another
authority competent to receive the request."""


class RequestedAuthority(_Model):
    """The requested State's authority the request is addressed to."""

    country: CountryCode
    """The requested State (ISO 3166-1 alpha-2)."""
    capacity: RequestedAuthorityRole
    name: Line
    """e.g. 'U.S. Department of Justice, Office of International Affairs'."""
    reference: Line | None = None
    """The requested authority's own reference for the request, once it gave one."""
    email: Email | None = None
    phone: E164 | None = None
    address: Seq[Line] = ()


class EarlierRequest(_Model):
    """An earlier request this one follows or relies on: a preservation (its reference at
    the provider or at the requested State), an emergency disclosure, a provider ticket."""

    description: Line
    """What it was, e.g. 'Preservation request to Meta under Budapest art. 29'."""
    request_id: RequestId | None = None
    """The eevidence id of the earlier request, when it was made with eevidence."""
    provider: ProviderId | None = None
    """The provider the earlier request went to, when it went to one."""
    reference: Line | None = None
    """The reference the provider (or the requested State) gave it."""
    sent_at: UtcDatetime | None = None
    expires: UtcDatetime | None = None
    """When the preservation it obtained lapses, as the provider or the State stated."""


class Offence(_Model):
    """One offence under investigation: its statute and penalty (UNTOC art. 18(15);
    the T-CY templates ask for the text of the provisions)."""

    description: Text
    statute: Line
    """The provision that defines it, e.g. 'Code pénal, article 421-2-1'."""
    maximum_penalty: Line | None = None
    statute_text: Text | None = None
    """The wording of the provision, as the requested State may need it."""


PersonRole = Literal["suspect", "accused", "victim", "witness", "account_holder", "other"]


class PersonConcerned(_Model):
    """A person the request concerns (UNTOC art. 18(15): where possible, identity, location
    and nationality)."""

    name: Line
    capacity: PersonRole
    nationality: CountryCode | None = None
    date_of_birth: Line | None = None
    location: Line | None = None
    description: Text | None = None


class MeasureRequested(_Model):
    """One measure the requested State is asked to take (e.g. to order a provider to
    produce the preserved data of an account)."""

    description: Text
    provider: ProviderId | None = None
    """The provider that holds the data, when the measure concerns one."""
    preservation_reference: Line | None = None
    """The provider's reference of the preservation of the data this measure produces."""
    relevance: Text | None = None
    """How the data this measure obtains relates to the offence."""


class Procedures(_Model):
    """How the requested State is asked to execute the request (procedures the requesting
    State needs for the evidence to be admissible)."""

    certification: Text | None = None
    """e.g. a certificate of authenticity of business records signed by the custodian."""
    chain_of_custody: Text | None = None
    delivery_format: Text | None = None
    """e.g. 'native format with SHA-256 values, on encrypted media or by secure transfer'."""
    other: Text | None = None

    @model_validator(mode="after")
    def _something(self) -> Procedures:
        if not any((self.certification, self.chain_of_custody, self.delivery_format, self.other)):
            raise ValueError("give at least one procedure, or leave procedures out")
        return self


UrgencyReason = Literal[
    "terrorism",
    "preservation_expiring",
    "threat_to_life",
    "person_in_custody",
    "trial_date",
    "other",
]
"""Why a request is urgent: a terrorism case (the UN Counter-Terrorism Committee's guidance
asks States to expedite and prioritise such requests), a preservation about to lapse, a
threat to life, a person in custody, a hearing date, or another reason stated."""


class Urgency(_Model):
    """The request is urgent: why, and by when an answer is needed."""

    reasons: Annotated[Seq[UrgencyReason], Field(min_length=1, max_length=6)]
    explanation: Text
    respond_by: UtcDatetime | None = None

    @model_validator(mode="after")
    def _distinct(self) -> Urgency:
        if len(set(self.reasons)) != len(self.reasons):
            raise ValueError("an urgency reason is listed twice")
        return self


class _StateRequest(_RequestBase):
    requested_authority: RequestedAuthority
    """The requested State's authority the request is addressed to (its ``country`` is the
    requested State)."""
    earlier_requests: Annotated[Seq[EarlierRequest], Field(max_length=100)] = ()
    persons: Annotated[Seq[PersonConcerned], Field(max_length=MAX_ITEMS)] = ()
    urgency: Urgency | None = None
    contacts: Annotated[Seq[Contact], Field(max_length=20)] = ()
    """Further contact points for the requested authority (the case officer, the
    prosecutor's office, the 24/7 desk)."""

    @model_validator(mode="after")
    def _another_state(self) -> _StateRequest:
        if self.requested_authority.country == self.authority.country:
            raise ValueError(
                "the requested State is the requesting authority's own State "
                f"({self.authority.country}): a State-to-State request goes to another State"
            )
        return self


class MlaRequest(_StateRequest):
    """A request for mutual legal assistance to obtain stored data (Budapest Convention
    art. 31; UNTOC art. 18; a bilateral treaty; or reciprocity), addressed to the requested
    State's central authority and issued by the prosecution office or court in charge of
    the case (``issuing_authority``, its case number in ``file_reference``).

    Raises:
        RequestValidationError: the issuing authority gives no case number.
    """

    kind: Literal["mla_request"]
    issuing_authority: IssuingAuthority
    """The prosecution office or court in charge of the case, with its case number
    (``file_reference``), who signs the request."""
    offences: Annotated[Seq[Offence], Field(max_length=50)] = ()
    """The offences with their statutes and penalties (beyond the case's main citation)."""
    measures: Annotated[Seq[MeasureRequested], Field(min_length=1, max_length=100)]
    dual_criminality: Text | None = None
    """Why the conduct is an offence in the requested State too, where the treaty makes
    dual criminality a condition of the measures asked."""
    procedures: Procedures | None = None

    @model_validator(mode="after")
    def _case_number(self) -> MlaRequest:
        if self.issuing_authority.file_reference is None:
            raise ValueError(
                "issuing_authority.file_reference is required: the case number of the "
                "prosecution office or court in charge (the requested State quotes it)"
            )
        return self


class Preservation247Request(_StateRequest):
    """Expedited preservation of stored computer data (Budapest Convention art. 29) and,
    when asked, expedited disclosure of preserved traffic data (art. 30), sent through the
    24/7 network (art. 35) to the requested Party's point of contact, with the intention to
    follow with a request for mutual assistance (art. 29(2)(f))."""

    kind: Literal["preservation_24_7"]
    custodian_information: Text | None = None
    """What is known about the custodian or the location of the system (art. 29(2)(d))."""
    mla_to_follow: bool | None = None
    """Whether a request for mutual assistance will follow (art. 29(2)(f))."""
    preservation_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    """Preservation period asked for, in days (art. 29(7): not less than sixty)."""
    expedited_traffic_disclosure: bool = False
    """Also ask for the expedited disclosure of preserved traffic data enough to identify
    another service provider and the path of the communication (art. 30)."""
