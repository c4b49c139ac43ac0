"""The kinds table: one row per request kind, read by every place that dispatches on kind.

Each :class:`KindSpec` row says what a kind is (its model, its family, whether it is an
order of Regulation (EU) 2023/1543 or an order of an issuing authority at all), how an
emergency is recognised, how the ETSI TS 103 120 (HI-1) export labels it, which sections of
the letter belong to it, where its deadline terms come from and which submission API path
receives it, with the statute or annex each row rests on. The checker, the letter, the
deadlines, the lifecycle, the HI-1 export and drafts and the submission channels read this
table, and ``tests/test_kinds.py`` fails when a kind is missing from the table or from any
of them (it also runs kinds made at run time through every one).

Adding a kind is: its literal in :data:`~eevidence.request.RequestKind`, its model in the
:data:`~eevidence.request.Request` union, a row here, and the catalogue texts the letter
needs in every language (``kind.<kind>``, ``intro.<kind>`` and its section keys).
Dispatches read the table when they are called (never a copy taken at import), and read a
kind-specific value from the request's fields by name (``preservation_days``,
``original_request_id``...), so a kind whose model has the same fields is handled alike.

HI-1 values follow ETSI TS 103 120 V1.15.1 and ETSI's reference EPOC translation: the
``EPOCLegalType`` dictionary (``EPOC``, ``EPOCPR``), ``LPTaskObject``/``LDTaskObject``
(legal preservation / legal disclosure tasks) and the ``EPOCDocumentType`` dictionary
(``Form1`` is the EPOC certificate of Annex I, ``Form2`` the EPOC-PR certificate of Annex II).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal, cast

from pydantic import BaseModel

from eevidence.errors import InputError
from eevidence.request._models import (
    CloudActOrder,
    EmergencyDetails,
    EmergencyDisclosureRequest,
    EuPreservationOrder,
    EuProductionOrder,
    MlaRequest,
    Preservation247Request,
    PreservationExtensionRequest,
    PreservationRequest,
    Protocol2Art7Order,
    Request,
    VoluntaryDisclosureRequest,
)
from eevidence.request._vocab import REQUEST_KINDS, Instrument, RequestKind

__all__ = [
    "KINDS",
    "Addressee",
    "ApiPath",
    "DeadlineSource",
    "EmergencyRule",
    "EpocForm",
    "Family",
    "Hi1LegalType",
    "Hi1Task",
    "KindSpec",
    "emergency_details",
    "is_emergency",
    "kind_spec",
]

Family = Literal["preservation", "disclosure"]
"""``preservation``: keep data, hand nothing over; ``disclosure``: hand data over."""

EmergencyRule = Literal["always", "never", "field"]
"""When a request of a kind is an emergency: always, never, or when its ``emergency``
field (:class:`~eevidence.request.EmergencyDetails`) is set."""

Hi1LegalType = Literal["EPOC", "EPOCPR", "instrument"]
"""The HI-1 ``AuthorisationLegalType``: an entry of ETSI's ``EPOCLegalType`` dictionary, or
``instrument``: the request's first legal basis under eevidence's ``LegalInstrument``."""

Hi1Task = Literal["LP", "LD"]
"""The HI-1 task object: ``LPTaskObject`` (legal preservation) or ``LDTaskObject``
(legal disclosure), one per identifier and data category."""

EpocForm = Literal["Form1", "Form2"]
"""The ETSI ``EPOCDocumentType`` of the letter: Form1 (EPOC, Annex I), Form2 (EPOC-PR,
Annex II)."""

DeadlineSource = Literal[
    "eu_art10_production",
    "eu_art11_preservation",
    "provider_preservation",
    "acknowledgement",
    "budapest_art29_minimum",
    "mla_execution",
]
"""Where the deadline terms of a kind come from when it is tracked:

* ``eu_art10_production``: Regulation (EU) 2023/1543 art. 10: production within 10 days,
  8 hours in an emergency (art. 10(2), 10(4)), counted from submission;
* ``eu_art11_preservation``: Regulation (EU) 2023/1543 art. 11: preservation for 60 days,
  extendable once by 30 (art. 11(1));
* ``provider_preservation``: the provider profile's published preservation terms for the
  requester's country, completed by the statute the request rests on (18 U.S.C. 2703(f)(2);
  Budapest Convention art. 29(7));
* ``acknowledgement``: no legal deadline; only this tool's reminder to chase an answer;
* ``budapest_art29_minimum``: a preservation the requested Party orders on a request
  through the 24/7 network: Budapest Convention art. 29(7), "a period not less than sixty
  days", the minimum that Party guarantees (its stated expiry wins when recorded);
* ``mla_execution``: a request for mutual legal assistance: no treaty sets an execution
  time and none is recorded per requested State, so only the reminder to chase an
  answer applies (the execution time is unknown, not assumed).
"""

Addressee = Literal["provider", "state"]
"""Who receives a request of the kind: the service provider (``provider``), or the
requested State's central authority or 24/7 point of contact (``state``). For a ``state``
kind the request's ``provider`` names the provider that holds the data; the checker's
rules about what that provider accepts from foreign authorities (its request kinds,
channels, languages, notice policy, required elements) do not apply to it."""

ApiPath = Literal["preservation", "production"]
"""The submission API path a request of the kind is posted to: ``<base>/eevidence/<path>``."""


@dataclass(frozen=True, slots=True)
class KindSpec:
    """One row of the kinds table: everything that varies by request kind.

    Attributes:
        kind: the ``kind`` literal (a member of :data:`~eevidence.request.RequestKind`).
        model: the pydantic model class of requests of this kind (a member of the
            :data:`~eevidence.request.Request` union).
        family: ``preservation`` (data is kept, nothing handed over) or ``disclosure``.
        eu_order: an order of Regulation (EU) 2023/1543 (EPOC or EPOC-PR, art. 5 and 6):
            the checker applies the Regulation's conditions, the letter addresses the
            designated establishment or legal representative (art. 7).
        order: issued by an issuing authority (its model has ``issuing_authority``, who
            signs the letter and is the approver of the HI-1 authorisation), as opposed to
            a request signed by the requesting officer.
        instrument: the legal instrument that defines requests of this kind, when a single
            one does, so that its conditions apply to every request of the kind:
            ``eu_2023_1543`` for the EU orders, ``protocol2_art7`` for an order under art. 7
            of the Second Additional Protocol (CETS 224; the checker notes that its entry
            into force between the two States is not recorded), ``cloud_act_agreement``
            for an order under an agreement of 18 U.S.C. 2523; ``None`` when the request
            rests on whatever instrument its legal basis names.
        bases: the instruments a request of this kind can rest on: at least one of its
            ``legal_basis`` instruments must be one of them. Why each row has its own:

            * ``preservation`` and ``preservation_extension``: Budapest art. 29 (expedited
              preservation between Parties), 18 U.S.C. 2703(f) (preservation at the
              request of a US governmental entity), the provider's own policy of
              preserving for foreign authorities, national law, or an MLA treaty whose
              request the preservation secures. No disclosure article founds a
              preservation, and no EU or CLOUD Act instrument is a basis for a request
              that is no order.
            * ``voluntary_disclosure``: the provider's policy, 18 U.S.C. 2702 (which lets a
              US provider disclose non-content records to a non-governmental entity,
              2702(c)(6), a foreign authority included), national law, or an MLA treaty.
              Budapest art. 29 and 18 U.S.C. 2703(f) are preservation provisions: they
              found no disclosure.
            * ``emergency_disclosure``: 18 U.S.C. 2702 (b)(8) and (c)(4), the provider's
              policy, or national law. CETS 224 art. 10 (emergency mutual assistance) and
              art. 9 (expedited disclosure through the 24/7 network) are requests between
              Parties, not to a provider: they found no request sent to one.
            * ``eu_production_order``, ``eu_preservation_order``: Regulation (EU)
              2023/1543 only (art. 5, 6).
            * ``protocol2_art7_order``: CETS 224 art. 7 only.
            * ``cloud_act_order``: the agreement under 18 U.S.C. 2523, and the national
              law the order is made under (COPOA 2019; TIA Act 1979 Schedule 1).
        emergency: how an emergency is recognised (:data:`EmergencyRule`).
        hi1_legal_type: the HI-1 ``AuthorisationLegalType`` (:data:`Hi1LegalType`).
        hi1_task: the HI-1 task object type, ``LP`` or ``LD`` (:data:`Hi1Task`).
        epoc_form: the ETSI ``EPOCDocumentType`` of the letter in HI-1, or ``None`` for
            eevidence's own ``RequestLetter`` document type.
        letter_sections: catalogue keys (``catalogues/<lang>.json``) of the titles of the
            letter sections that belong to this kind, in the order they are printed; each
            is printed when the request carries its content.
        deadlines: where the deadline terms come from (:data:`DeadlineSource`).
        api_path: the submission API path (:data:`ApiPath`).
        sources: the statutes, articles and annexes the kind rests on.
        addressee: who receives it (:data:`Addressee`): the provider, or a State.

    The ``bases`` of the State-to-State rows:

    * ``mla_request``: Budapest art. 31 (mutual assistance regarding stored data), UNTOC
      art. 18, a bilateral MLA treaty, or reciprocity. Preservation articles (Budapest
      art. 29, 18 U.S.C. 2703(f)) found no production.
    * ``preservation_24_7``: Budapest art. 29 (expedited preservation), art. 30 (expedited
      disclosure of preserved traffic data), or reciprocity (a request through a 24/7
      network between States that are not both Parties).
    """

    kind: RequestKind
    model: type[BaseModel]
    family: Family
    eu_order: bool
    order: bool
    instrument: Instrument | None
    bases: tuple[Instrument, ...]
    emergency: EmergencyRule
    hi1_legal_type: Hi1LegalType
    hi1_task: Hi1Task
    epoc_form: EpocForm | None
    letter_sections: tuple[str, ...]
    deadlines: DeadlineSource
    api_path: ApiPath
    sources: tuple[str, ...]
    addressee: Addressee = "provider"

    @property
    def letter_keys(self) -> tuple[str, ...]:
        """Every catalogue key the letter of this kind may need beyond the common ones:
        ``kind.<kind>`` (the title), ``intro.<kind>`` (the opening sentence) and
        :attr:`letter_sections`."""
        return (f"kind.{self.kind}", f"intro.{self.kind}", *self.letter_sections)


_ROWS: Final[tuple[KindSpec, ...]] = (
    KindSpec(
        kind="preservation",
        model=PreservationRequest,
        family="preservation",
        eu_order=False,
        order=False,
        instrument=None,
        bases=(
            "budapest_art29",
            "us_18_usc_2703f",
            "provider_policy",
            "national_law",
            "mla_treaty",
        ),
        emergency="never",
        hi1_legal_type="instrument",
        hi1_task="LP",
        epoc_form=None,
        letter_sections=("section.preservation",),
        deadlines="provider_preservation",
        api_path="preservation",
        sources=(
            "18 U.S.C. 2703(f)",
            "Budapest Convention (CETS 185) art. 29(2)",
            "T-CY template for art. 29 preservation requests (approved 9 July 2019): "
            "https://www.coe.int/fr/web/cybercrime/-/iproceeds-multi-language-templates-"
            "for-data-preservation-request-and-access-to-stored-data",
        ),
    ),
    KindSpec(
        kind="preservation_extension",
        model=PreservationExtensionRequest,
        family="preservation",
        eu_order=False,
        order=False,
        instrument=None,
        bases=(
            "budapest_art29",
            "us_18_usc_2703f",
            "provider_policy",
            "national_law",
            "mla_treaty",
        ),
        emergency="never",
        hi1_legal_type="instrument",
        hi1_task="LP",
        epoc_form=None,
        letter_sections=("section.extension",),
        deadlines="provider_preservation",
        api_path="preservation",
        sources=("18 U.S.C. 2703(f)(2)", "Budapest Convention (CETS 185) art. 29(7)"),
    ),
    KindSpec(
        kind="voluntary_disclosure",
        model=VoluntaryDisclosureRequest,
        family="disclosure",
        eu_order=False,
        order=False,
        instrument=None,
        bases=("provider_policy", "us_18_usc_2702", "national_law", "mla_treaty"),
        emergency="never",
        hi1_legal_type="instrument",
        hi1_task="LD",
        epoc_form=None,
        letter_sections=("section.prior_preservation",),
        deadlines="acknowledgement",
        api_path="production",
        sources=("18 U.S.C. 2702(c)(6)", "the provider's published policy"),
    ),
    KindSpec(
        kind="emergency_disclosure",
        model=EmergencyDisclosureRequest,
        family="disclosure",
        eu_order=False,
        order=False,
        instrument=None,
        bases=("us_18_usc_2702", "provider_policy", "national_law"),
        emergency="always",
        hi1_legal_type="instrument",
        hi1_task="LD",
        epoc_form=None,
        letter_sections=("section.emergency",),
        deadlines="acknowledgement",
        api_path="production",
        sources=("18 U.S.C. 2702(b)(8), (c)(4)", "the provider's published emergency policy"),
    ),
    KindSpec(
        kind="eu_production_order",
        model=EuProductionOrder,
        family="disclosure",
        eu_order=True,
        order=True,
        instrument="eu_2023_1543",
        bases=("eu_2023_1543",),
        emergency="field",
        hi1_legal_type="EPOC",
        hi1_task="LD",
        epoc_form="Form1",
        letter_sections=("section.emergency_eu",),
        deadlines="eu_art10_production",
        api_path="production",
        sources=(
            "Regulation (EU) 2023/1543 art. 5, art. 10 (10 days; 8 hours in an emergency, "
            "art. 10(4))",
            "Regulation (EU) 2023/1543 Annex I (EPOC)",
        ),
    ),
    KindSpec(
        kind="eu_preservation_order",
        model=EuPreservationOrder,
        family="preservation",
        eu_order=True,
        order=True,
        instrument="eu_2023_1543",
        bases=("eu_2023_1543",),
        emergency="never",
        hi1_legal_type="EPOCPR",
        hi1_task="LP",
        epoc_form="Form2",
        letter_sections=("section.subsequent_request",),
        deadlines="eu_art11_preservation",
        api_path="preservation",
        sources=(
            "Regulation (EU) 2023/1543 art. 6, art. 11 (60 days, extendable by 30)",
            "Regulation (EU) 2023/1543 Annex II (EPOC-PR)",
        ),
    ),
    KindSpec(
        kind="protocol2_art7_order",
        model=Protocol2Art7Order,
        family="disclosure",
        eu_order=False,
        order=True,
        instrument="protocol2_art7",
        bases=("protocol2_art7",),
        emergency="never",
        hi1_legal_type="instrument",
        hi1_task="LD",
        epoc_form=None,
        letter_sections=(),
        deadlines="acknowledgement",
        api_path="production",
        sources=("Second Additional Protocol to the Budapest Convention (CETS 224) art. 7",),
    ),
    KindSpec(
        kind="cloud_act_order",
        model=CloudActOrder,
        family="disclosure",
        eu_order=False,
        order=True,
        instrument="cloud_act_agreement",
        bases=("cloud_act_agreement", "national_law"),
        emergency="never",
        hi1_legal_type="instrument",
        hi1_task="LD",
        epoc_form=None,
        letter_sections=("section.cloud_act",),
        deadlines="acknowledgement",
        api_path="production",
        sources=(
            "18 U.S.C. 2523; 18 U.S.C. 2702(b)(9), (c)(7)",
            "Agreement between the United States and the United Kingdom on Access to "
            "Electronic Data for the Purpose of Countering Serious Crime (3 October 2019), "
            "art. 1, 4, 5: https://www.justice.gov/dag/cloud-act-agreement-between-"
            "governments-us-united-kingdom-great-britain-and-northern-ireland",
            "Agreement between the United States and Australia on Access to Electronic "
            "Data for the Purpose of Countering Serious Crime (15 December 2021)",
            "Crime (Overseas Production Orders) Act 2019 (UK); Telecommunications "
            "(Interception and Access) Act 1979 (Cth) Schedule 1",
        ),
    ),
    KindSpec(
        kind="mla_request",
        model=MlaRequest,
        family="disclosure",
        eu_order=False,
        order=True,
        instrument=None,
        bases=("budapest_art31", "untoc_art18", "mla_treaty", "reciprocity"),
        emergency="never",
        hi1_legal_type="instrument",
        hi1_task="LD",
        epoc_form=None,
        letter_sections=(
            "section.urgency",
            "section.offences",
            "section.measures",
            "section.earlier_requests",
            "section.persons",
            "section.dual_criminality",
            "section.procedures",
            "section.contacts",
        ),
        deadlines="mla_execution",
        api_path="production",
        sources=(
            "Budapest Convention (CETS 185) art. 31, art. 27(2) (central authorities)",
            "United Nations Convention against Transnational Organized Crime art. 18 "
            "(contents of a request: art. 18(15))",
            "Council of Europe T-CY templates for art. 29 preservation requests and art. 31 "
            "requests for stored data: https://www.coe.int/fr/web/cybercrime/-/iproceeds-"
            "multi-language-templates-for-data-preservation-request-and-access-to-stored-data",
        ),
        addressee="state",
    ),
    KindSpec(
        kind="preservation_24_7",
        model=Preservation247Request,
        family="preservation",
        eu_order=False,
        order=False,
        instrument=None,
        bases=("budapest_art29", "budapest_art30", "reciprocity"),
        emergency="never",
        hi1_legal_type="instrument",
        hi1_task="LP",
        epoc_form=None,
        letter_sections=(
            "section.urgency",
            "section.preservation",
            "section.traffic_disclosure",
            "section.earlier_requests",
            "section.persons",
            "section.contacts",
        ),
        deadlines="budapest_art29_minimum",
        api_path="preservation",
        sources=(
            "Budapest Convention (CETS 185) art. 29(2), 29(3), 29(7), art. 30, art. 35 "
            "(24/7 network)",
            "Council of Europe T-CY template for art. 29 preservation requests: "
            "https://www.coe.int/fr/web/cybercrime/-/iproceeds-multi-language-templates-"
            "for-data-preservation-request-and-access-to-stored-data",
        ),
        addressee="state",
    ),
)

_TABLE: Final[dict[RequestKind, KindSpec]] = {row.kind: row for row in _ROWS}
KINDS: Final[Mapping[RequestKind, KindSpec]] = MappingProxyType(_TABLE)
"""The kinds table, ``{kind: row}``, in the order of :data:`~eevidence.request.RequestKind`
(a read-only view: whoever holds it sees the table as it is when they read it)."""


def kind_spec(kind: str) -> KindSpec:
    """The row of the kinds table for ``kind``.

    Args:
        kind: a request kind, such as ``"preservation"`` (a member of
            :data:`~eevidence.request.RequestKind`).

    Returns:
        The :class:`KindSpec` row of that kind.

    Raises:
        InputError: ``kind`` has no row in :data:`KINDS` (not a known request kind).
    """
    spec = cast("Mapping[str, KindSpec]", KINDS).get(kind)
    if spec is None:
        raise InputError(
            f"unknown request kind {kind!r}; known kinds: {', '.join(REQUEST_KINDS)}",
            source="kind",
        )
    return spec


def emergency_details(request: Request) -> EmergencyDetails | None:
    """The emergency details of ``request`` when its kind can carry them and they are set.

    Returns ``None`` for a kind whose :attr:`KindSpec.emergency` is ``never``, and for an
    ``eu_production_order`` without ``emergency`` (Reg. (EU) 2023/1543 art. 10(4)).

    Raises:
        InputError: the request's kind has no row in :data:`KINDS`.
    """
    if kind_spec(request.kind).emergency == "never":
        return None
    details = getattr(request, "emergency", None)
    return details if isinstance(details, EmergencyDetails) else None


def is_emergency(request: Request) -> bool:
    """Whether ``request`` is an emergency, as its kind's row says
    (:attr:`KindSpec.emergency`): always (``emergency_disclosure``; 18 U.S.C. 2702(b)(8),
    (c)(4)), never, or when its ``emergency`` field is set (an ``eu_production_order`` in an
    emergency case, Reg. (EU) 2023/1543 art. 10(4): 8 hours).

    Raises:
        InputError: the request's kind has no row in :data:`KINDS`.
    """
    rule = kind_spec(request.kind).emergency
    return rule == "always" or (rule == "field" and emergency_details(request) is not None)
