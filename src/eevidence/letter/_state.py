"""The sections of a letter addressed to a State (kinds table ``addressee`` ``state``): a
request for mutual legal assistance or a 24/7 preservation request.

The addressee is the requested State's central authority or 24/7 point of contact; the
provider the request names is the holder of the data. Sections follow the contents the
Council of Europe T-CY templates for art. 29 and art. 31 requests and UNTOC art. 18(15)
list: urgency and its reasons, the offences with their statutes and penalties, the
measures requested, the earlier requests (preservation references, provider tickets), the
persons concerned, dual criminality, procedures to follow, contact points, and, for a
24/7 preservation, the expedited disclosure of traffic data (Budapest art. 30). Every
builder reads the request's fields by name, so any kind with the same fields gets them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, TypeVar

from eevidence.letter._addressee import ProviderNames
from eevidence.letter._bidi import ltr, ltr_value, when
from eevidence.letter._catalogue import Catalogue
from eevidence.letter._model import Fields, Paragraph, Section, Table
from eevidence.letter._names import country_name
from eevidence.request import (
    Contact,
    EarlierRequest,
    MeasureRequested,
    Offence,
    PersonConcerned,
    Procedures,
    Request,
    RequestedAuthority,
    Urgency,
)

__all__ = ["STATE_SECTIONS", "SectionBuilder", "state_addressee", "urgency_meta"]

T = TypeVar("T")

SectionBuilder = Callable[[Catalogue, Request, str, ProviderNames], Section | None]
"""A builder of a kind's own section: the catalogue, the request, the section's title and
the names to print for the providers the request names by id; ``None`` when the request
has nothing for the section."""


def _rows(*rows: tuple[str, str | None]) -> Fields:
    return Fields(tuple((k, v) for k, v in rows if v is not None and v != ""))


def _items(request: Request, name: str, cls: type[T]) -> list[T]:
    """The items of the tuple field ``name`` of ``request`` (none when its kind has none)."""
    value = getattr(request, name, ())
    return [item for item in value if isinstance(item, cls)] if isinstance(value, tuple) else []


def state_addressee(t: Catalogue, request: Request, provider_name: str) -> Section | None:
    """The addressee of a State-to-State request: the requested State and its authority,
    then the provider holding the data (the request's ``provider``); ``None`` when the
    request names no requested authority."""
    a = getattr(request, "requested_authority", None)
    if not isinstance(a, RequestedAuthority):
        return None
    return Section(
        t("section.addressee"),
        (
            _rows(
                (t("field.requested_state"), country_name(a.country, t.lang)),
                (t("field.authority_role"), t(f"role.{a.capacity}")),
                (t("field.name"), a.name),
                (t("field.requested_reference"), a.reference),
                (t("field.address"), "\n".join(a.address)),
                (t("field.email"), ltr_value(t.lang, a.email)),
                (t("field.phone"), ltr_value(t.lang, a.phone)),
                (t("field.data_holder"), provider_name),
                (t("field.addressee_entity"), getattr(request, "addressee_entity", None)),
                (t("field.custodian_information"), getattr(request, "custodian_information", None)),
            ),
        ),
    )


def urgency_meta(t: Catalogue, request: Request) -> tuple[tuple[str, str], ...]:
    """The letter's head row marking an urgent request, with its reasons (none when the
    request is not marked urgent)."""
    u = getattr(request, "urgency", None)
    if not isinstance(u, Urgency):
        return ()
    reasons = t("list.separator").join(t(f"urgency.{r}") for r in u.reasons)
    return ((t("meta.priority"), f"{t('value.urgent')}: {reasons}"),)


def _urgency(t: Catalogue, request: Request, title: str, names: ProviderNames) -> Section | None:
    u = getattr(request, "urgency", None)
    if not isinstance(u, Urgency):
        return None
    return Section(
        title,
        (
            _rows(
                (t("field.urgency_reasons"), "\n".join(t(f"urgency.{r}") for r in u.reasons)),
                (t("field.urgency_explanation"), u.explanation),
                (t("field.respond_by"), when(t.lang, u.respond_by) if u.respond_by else None),
            ),
        ),
    )


def _offences(t: Catalogue, request: Request, title: str, names: ProviderNames) -> Section | None:
    offences = _items(request, "offences", Offence)
    if not offences:
        return None
    rows = tuple(
        (str(i), o.description, o.statute, o.maximum_penalty or "")
        for i, o in enumerate(offences, 1)
    )
    header = (
        t("column.number"),
        t("field.offence"),
        t("field.statute"),
        t("field.maximum_penalty"),
    )
    texts = tuple(
        Paragraph(t("sentence.statute_text", number=str(i), text=o.statute_text))
        for i, o in enumerate(offences, 1)
        if o.statute_text
    )
    return Section(title, (Table(header, rows), *texts))


def _measures(t: Catalogue, request: Request, title: str, names: ProviderNames) -> Section | None:
    rows = tuple(
        (
            str(i),
            m.description,
            names(m.provider) if m.provider else "",
            m.preservation_reference or "",
            m.relevance or "",
        )
        for i, m in enumerate(_items(request, "measures", MeasureRequested), 1)
    )
    if not rows:
        return None
    header = (
        t("column.number"),
        t("column.description"),
        t("field.provider"),
        t("field.preservation_reference"),
        t("field.relevance"),
    )
    return Section(title, (Table(header, rows),))


def _earlier(t: Catalogue, request: Request, title: str, names: ProviderNames) -> Section | None:
    rows = tuple(
        (
            str(i),
            e.description
            if e.request_id is None
            else f"{e.description}\n{t('field.request_id')}: {e.request_id}",
            names(e.provider) if e.provider else "",
            e.reference or "",
            when(t.lang, e.sent_at) if e.sent_at else "",
            when(t.lang, e.expires) if e.expires else "",
        )
        for i, e in enumerate(_items(request, "earlier_requests", EarlierRequest), 1)
    )
    if not rows:
        return None
    header = (
        t("column.number"),
        t("column.description"),
        t("field.provider"),
        t("field.earlier_reference"),
        t("field.sent_at"),
        t("field.expires"),
    )
    return Section(title, (Table(header, rows),))


def _persons(t: Catalogue, request: Request, title: str, names: ProviderNames) -> Section | None:
    rows = tuple(
        (
            str(i),
            p.name,
            t(f"person.{p.capacity}"),
            country_name(p.nationality, t.lang) if p.nationality else "",
            p.date_of_birth or "",
            p.location or "",
            p.description or "",
        )
        for i, p in enumerate(_items(request, "persons", PersonConcerned), 1)
    )
    if not rows:
        return None
    header = (
        t("column.number"),
        t("field.name"),
        t("field.person_role"),
        t("field.nationality"),
        t("field.date_of_birth"),
        t("field.location"),
        t("column.description"),
    )
    return Section(title, (Table(header, rows),))


def _dual_criminality(
    t: Catalogue, request: Request, title: str, names: ProviderNames
) -> Section | None:
    text = getattr(request, "dual_criminality", None)
    return Section(title, (Paragraph(text),)) if isinstance(text, str) and text else None


def _procedures(t: Catalogue, request: Request, title: str, names: ProviderNames) -> Section | None:
    p = getattr(request, "procedures", None)
    if not isinstance(p, Procedures):
        return None
    return Section(
        title,
        (
            _rows(
                (t("field.certification"), p.certification),
                (t("field.chain_of_custody"), p.chain_of_custody),
                (t("field.delivery_format"), p.delivery_format),
                (t("field.other_procedures"), p.other),
            ),
        ),
    )


def _contacts(t: Catalogue, request: Request, title: str, names: ProviderNames) -> Section | None:
    rows = tuple(
        (c.name or "", ltr(t.lang, c.phone), ltr(t.lang, c.email) if c.email else "")
        for c in _items(request, "contacts", Contact)
    )
    if not rows:
        return None
    return Section(title, (Table((t("field.name"), t("field.phone"), t("field.email")), rows),))


def _traffic_disclosure(
    t: Catalogue, request: Request, title: str, names: ProviderNames
) -> Section | None:
    if getattr(request, "expedited_traffic_disclosure", None) is not True:
        return None
    return Section(title, (Paragraph(t("sentence.traffic_disclosure")),))


STATE_SECTIONS: Final[dict[str, SectionBuilder]] = {
    "section.urgency": _urgency,
    "section.offences": _offences,
    "section.measures": _measures,
    "section.earlier_requests": _earlier,
    "section.persons": _persons,
    "section.dual_criminality": _dual_criminality,
    "section.procedures": _procedures,
    "section.contacts": _contacts,
    "section.traffic_disclosure": _traffic_disclosure,
}
"""Builders of the sections of State-to-State requests, by the catalogue key of their title
(the kinds table's ``letter_sections``)."""
