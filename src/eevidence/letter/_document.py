"""Building the request letter: a request in, a :class:`~eevidence.letter.Letter` out.

``build_letter(request, lang=...)`` turns a request into a :class:`Letter` whose every
label and fixed sentence comes from the language's catalogue (``catalogues/<lang>.json``,
data, not code). The text, HTML and PDF renderers only lay this model out, so a letter
says the same thing in every format. User-written text (summary of facts, justification)
is carried as given, never translated. Pure: no clock, no I/O beyond reading the shipped
catalogues once.

What varies by kind comes from the kinds table (:data:`eevidence.request.KINDS`): the
title (``kind.<kind>``), the opening sentence (``intro.<kind>``), the addressee heading of
an EU order (Reg. (EU) 2023/1543 art. 7) and the kind's own sections
(``letter_sections``), each built here by the builder of its catalogue key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Final, TypeVar

from eevidence.errors import RenderError
from eevidence.letter._addressee import ProviderNames, profile_addressee, shipped_profile
from eevidence.letter._bidi import LTR_IDENTIFIERS, escaped, ltr, ltr_value, when
from eevidence.letter._catalogue import RTL_LANGUAGES, Catalogue, catalogue
from eevidence.letter._model import Fields, Letter, Paragraph, Section, Signature, Table
from eevidence.letter._names import country_name, language_name
from eevidence.letter._state import STATE_SECTIONS, SectionBuilder, state_addressee, urgency_meta
from eevidence.provider import ProviderProfile
from eevidence.request import (
    AccountIdIdentifier,
    AttachmentRef,
    AuthorityProfile,
    DesignatedAuthority,
    EmergencyDetails,
    EnforcingAuthority,
    IpAddressIdentifier,
    IssuingAuthority,
    Request,
    RequestingAuthority,
    TimeWindow,
    UsernameIdentifier,
    ValidatingAuthority,
    emergency_details,
    kind_spec,
)

__all__ = ["build_letter", "image_mime"]

T = TypeVar("T")


# --------------------------------------------------------------------------- formatting


def _window(t: Catalogue, window: TimeWindow) -> str:
    return t("window.from_to", start=when(t.lang, window.start), end=when(t.lang, window.end))


def _yes_no(t: Catalogue, value: bool) -> str:
    return t("value.yes") if value else t("value.no")


def _rows(*rows: tuple[str, str | None]) -> Fields:
    return Fields(tuple((k, v) for k, v in rows if v is not None and v != ""))


def _field(request: Request, name: str, cls: type[T]) -> T | None:
    """The field ``name`` of ``request`` when its kind's model has it and it is set."""
    value = getattr(request, name, None)
    return value if isinstance(value, cls) else None


# --------------------------------------------------------------------------- sections


def _requesting_authority(t: Catalogue, a: RequestingAuthority) -> Section:
    """The requesting authority (Budapest art. 29(2)(a)) and, when the request says the
    officer is sworn, a sentence saying so (providers such as Meta and Snap ask for it)."""
    officer = a.officer
    contact = a.contact_24_7
    reach = (contact.name, ltr(t.lang, contact.phone), ltr_value(t.lang, contact.email))
    sworn = (Paragraph(t("sentence.sworn_officer", officer=officer.name)),)
    return Section(
        t("section.requesting_authority"),
        (
            _rows(
                (t("field.name"), a.name),
                (t("field.unit"), a.unit),
                (t("field.country"), country_name(a.country, t.lang)),
                (t("field.address"), "\n".join(a.address)),
                (t("field.officer"), officer.name),
                (t("field.role"), officer.role),
                (t("field.badge_number"), officer.badge_number),
                (t("field.email"), ltr(t.lang, officer.email)),
                (t("field.phone"), ltr(t.lang, officer.phone)),
                (t("field.contact_24_7"), "\n".join(x for x in reach if x)),
            ),
            *(sworn if officer.sworn_officer else ()),
        ),
    )


def _authority_rows(
    t: Catalogue, a: IssuingAuthority | ValidatingAuthority
) -> list[tuple[str, str | None]]:
    """The rows an issuing and a validating authority share (Annex I / II, section B)."""
    return [
        (t("field.authority_type"), t(f"authority.{a.type}")),
        (t("field.name"), a.name),
        (t("field.country"), country_name(a.country, t.lang)),
        (t("field.representative"), a.representative),
        (t("field.email"), ltr_value(t.lang, a.email)),
        (t("field.phone"), ltr_value(t.lang, a.phone)),
    ]


def _issuing_authority(t: Catalogue, a: IssuingAuthority, request: Request) -> Section:
    """Section A of an EU order's annex; in a request to a State, the prosecution office or
    court in charge of the case (T-CY templates; UNTOC art. 18(15)(b))."""
    return Section(
        t("section.issuing_authority" + _to_state(request)),
        (_rows(*_authority_rows(t, a), (t("field.file_reference"), a.file_reference)),),
    )


def _validating_authority(t: Catalogue, a: ValidatingAuthority) -> Section:
    return Section(
        t("section.validating_authority"),
        (_rows(*_authority_rows(t, a), (t("field.validated_at"), when(t.lang, a.validated_at))),),
    )


def _enforcing_authority(t: Catalogue, a: EnforcingAuthority) -> Section:
    notified = when(t.lang, a.notified_at) if a.notified_at else None
    return Section(
        t("section.enforcing_authority"),
        (
            _rows(
                (t("field.name"), a.name),
                (t("field.country"), country_name(a.country, t.lang)),
                (t("field.notified_at"), notified),
            ),
        ),
    )


_ADDRESSEE_FIELDS: Final = (
    ("field.addressee_entity", "addressee_entity"),  # the legal entity, any kind (first)
    ("field.establishment", "addressee_establishment"),  # EU orders (Reg. 2023/1543 art. 7)
    ("field.custodian_information", "custodian_information"),  # Budapest art. 29(2)(d)
    ("field.provider_address", "provider_address"),  # CETS 224 art. 7(4)(d)
)
"""(catalogue key, request field) of the kind-specific rows of the addressee section."""


def _entity(t: Catalogue, name: str, country: str | None) -> str:
    """An entity's name, and on the next line its country's name when known."""
    return name if country is None else f"{name}\n{country_name(country, t.lang)}"


def _addressee(
    t: Catalogue,
    request: Request,
    provider_name: str,
    profile: ProviderProfile | None,
    escape: bool,
) -> Section:
    """The addressee: the service provider, the legal entity (the request's
    ``addressee_entity``, else the one the profile names for this request) and its postal
    address when the profile records one, then the rows of the kind (:data:`_ADDRESSEE_FIELDS`).
    The designated establishment of an EU order (Reg. (EU) 2023/1543 art. 7) is the request's
    ``addressee_establishment``, else the profile's designated addressee."""
    spec = kind_spec(request.kind)
    state = state_addressee(t, request, provider_name) if spec.addressee == "state" else None
    if state is not None:  # a requested State's authority; the provider holds the data
        return state
    eu = spec.eu_order
    known = (
        profile_addressee(
            profile,
            kind=request.kind,
            requester_country=request.authority.country,
            eu_order=eu,
        )
        if profile is not None
        else None
    )
    known = escaped(known) if escape else known  # what the profile says, like the request
    rows: list[tuple[str, str | None]] = [(t("field.provider"), provider_name)]
    entity = _field(request, "addressee_entity", str)
    if entity is None and known is not None and known.entity is not None:
        entity = _entity(t, known.entity, known.entity_country)
    rows.append((t("field.addressee_entity"), entity))
    rows.append((t("field.postal_address"), known.postal_address if known else None))
    for key, name in _ADDRESSEE_FIELDS[1:]:
        value = _field(request, name, str)
        designated = known.designated if known is not None else None
        if value is None and name == "addressee_establishment" and designated is not None:
            value = _entity(t, designated, known.designated_country if known else None)
        rows.append((t(key), value))
    title = t("section.addressee_eu") if eu else t("section.addressee")
    return Section(title, (_rows(*rows),))


_OWN_ARTICLE: Final = re.compile(r"_(?:art|usc_)(\d+)([a-z]?)$")
"""The article an instrument id names (``budapest_art29`` -> ``29``, ``us_18_usc_2703f`` ->
``2703(f)``); its catalogue text ends with it in every language."""
_SEVERAL: Final = re.compile(r"[,;&]|\s(and|et|y|و)\s|\d\s*[-\u2013]\s*\d")
"""An article field that names several articles (``4, 5``, ``4 and 5``, ``4-6``)."""


def _provision(t: Catalogue, instrument: str, article: str | None) -> str:
    """The instrument and article as one text, the article printed once: an article that
    is, or narrows, the one the instrument is named after replaces it (``29(7)`` for
    ``budapest_art29``); another is added after the instrument's name, as "article N"
    when it is a number, else as written (``s. 1``)."""
    name = t(f"instrument.{instrument}")
    if not article:
        return name
    # in a right-to-left letter the article is one left-to-right run: "29(7)" stays "29(7)"
    shown = ltr(t.lang, article)
    own = _OWN_ARTICLE.search(instrument)
    if own is not None:
        number = f"{own[1]}({own[2]})" if own[2] else own[1]
        narrows = article == number or article.startswith(f"{number}(")
        if narrows and name.endswith(number):
            return name[: -len(number)] + shown
    if not article[0].isdigit():  # the field names its own kind: "s. 1", "§ 100a"
        return t("basis.provision", instrument=name, article=shown)
    if _SEVERAL.search(article):
        return t("basis.articles", instrument=name, article=shown)
    return t("basis.article", instrument=name, article=shown)


def _legal_basis(t: Catalogue, request: Request) -> Section:
    """One row per basis: the instrument with its article, and the citation when any basis
    has one (the citation column is left out otherwise)."""
    bases = request.legal_basis
    cited = any(b.citation for b in bases)
    rows = tuple(
        (str(i), _provision(t, b.instrument, b.article), *((b.citation or "",) if cited else ()))
        for i, b in enumerate(bases, 1)
    )
    header = (
        t("column.number"),
        t("field.instrument"),
        *((t("field.citation"),) if cited else ()),
    )
    return Section(t("section.legal_basis"), (Table(header, rows),))


def _case(t: Catalogue, request: Request) -> tuple[Section, Section]:
    c = request.case
    years = str(c.maximum_penalty_years) if c.maximum_penalty_years is not None else None
    case = Section(
        t("section.case"),
        (
            _rows(
                (t("field.case_reference"), c.reference),
                (t("field.offence"), c.offence_description),
                (t("field.offence_category"), t(f"offence.{c.offence_category}")),
                (t("field.terrorism_related"), _yes_no(t, c.terrorism_related)),
                (t("field.statutory_citation"), c.statutory_citation),
                (t("field.maximum_penalty"), c.maximum_penalty),
                (t("field.maximum_penalty_years"), years),
            ),
        ),
    )
    return case, Section(t("section.summary_of_facts"), (Paragraph(c.summary_of_facts),))


def _identifier_details(t: Catalogue, ident: object) -> str:
    parts: list[str] = []
    if isinstance(ident, UsernameIdentifier | AccountIdIdentifier) and ident.service:
        parts.append(f"{t('detail.service')}: {ident.service}")
    if isinstance(ident, IpAddressIdentifier):
        if ident.port is not None:
            parts.append(f"{t('detail.port')}: {ident.port}")
        parts.append(f"{t('detail.observed_at')}: {when(t.lang, ident.timestamp)}")
    note = getattr(ident, "note", None)
    if note:
        parts.append(f"{t('detail.note')}: {note}")
    return "\n".join(parts)


def _identifiers(t: Catalogue, request: Request) -> Section:
    default = t("window.request_period") if request.period else ""
    rows = tuple(
        (
            str(i),
            t(f"identifier.{ident.type}"),
            ltr(t.lang, str(ident.value)) if ident.type in LTR_IDENTIFIERS else str(ident.value),
            _identifier_details(t, ident),
            _window(t, ident.window) if ident.window else default,
        )
        for i, ident in enumerate(request.identifiers, 1)
    )
    header = (
        t("column.number"),
        t("column.type"),
        t("column.value"),
        t("column.details"),
        t("column.window"),
    )
    return Section(t("section.identifiers"), (Table(header, rows),))


def _data(t: Catalogue, request: Request) -> Section:
    d = request.data
    details = "\n".join(t(f"subscriber.{s}") for s in d.subscriber_details)
    return Section(
        t("section.data"),
        (
            _rows(
                (t("field.categories"), "\n".join(t(f"category.{c}") for c in d.categories)),
                (t("field.subscriber_details"), details),
                (t("field.other_subscriber_details"), d.other_subscriber_details),
                (t("field.description"), d.description),
                (t("field.period"), _window(t, request.period) if request.period else None),
            ),
        ),
    )


def _emergency(t: Catalogue, e: EmergencyDetails, title: str) -> Section:
    return Section(
        title,
        (
            _rows(
                (t("field.threat_nature"), e.threat_nature),
                (t("field.why_without_delay"), e.why_without_delay),
                (t("field.persons_at_risk"), e.persons_at_risk),
                (t("field.imminence"), e.imminence),
            ),
        ),
    )


def _preservation(
    t: Catalogue, request: Request, title: str, names: ProviderNames
) -> Section | None:
    """Budapest Convention art. 29(2): how long, whether MLA follows, and closure notice;
    read by field name, so any kind whose model has these fields gets them."""
    days = _field(request, "preservation_days", int)
    mla = _field(request, "mla_to_follow", bool)
    notify = _field(request, "notify_before_account_closure", bool)
    return Section(
        title,
        (
            _rows(
                (t("field.preservation_days"), str(days) if days else None),
                (t("field.mla_to_follow"), None if mla is None else _yes_no(t, mla)),
                (
                    t("field.notify_before_account_closure"),
                    None if notify is None else _yes_no(t, notify),
                ),
            ),
        ),
    )


def _extension(t: Catalogue, request: Request, title: str, names: ProviderNames) -> Section | None:
    """The preservation being extended: its id, the provider's reference, the current
    expiry and the extension asked; read by field name."""
    expiry = _field(request, "current_expiry", datetime)
    days = _field(request, "extension_days", int)
    number = _field(request, "extension_number", int)
    return Section(
        title,
        (
            _rows(
                (t("field.original_request_id"), _field(request, "original_request_id", str)),
                (t("field.provider_reference"), _field(request, "provider_reference", str)),
                (t("field.current_expiry"), when(t.lang, expiry) if expiry else None),
                (t("field.extension_days"), str(days) if days else None),
                (t("field.extension_number"), None if number is None else str(number)),
            ),
        ),
    )


def _prior_preservation(
    t: Catalogue, request: Request, title: str, names: ProviderNames
) -> Section | None:
    reference = _field(request, "preservation_reference", str)
    if reference is None:
        return None
    return Section(title, (_rows((t("field.preservation_reference"), reference)),))


def _emergency_section(
    t: Catalogue, request: Request, title: str, names: ProviderNames
) -> Section | None:
    details = emergency_details(request)
    return None if details is None else _emergency(t, details, title)


def _subsequent_request(
    t: Catalogue, request: Request, title: str, names: ProviderNames
) -> Section | None:
    text = _field(request, "subsequent_request", str)
    if not text:
        return None
    return Section(title, (Paragraph(text),))


def _cloud_act(t: Catalogue, request: Request, title: str, names: ProviderNames) -> Section | None:
    """An order under a CLOUD Act agreement (18 U.S.C. 2523): the partner State, the
    national order, the designated authority that transmits it (US-UK agreement art. 5),
    the statement on United States persons (art. 4) and the serious crime (art. 1); read
    by field name."""
    partner = _field(request, "agreement_partner", str)
    designated = _field(request, "designated_authority", DesignatedAuthority)
    if partner is None and designated is None:
        return None
    who = (
        "\n".join(
            (
                designated.name,
                country_name(designated.country, t.lang),
                ltr(t.lang, designated.email),
                ltr(t.lang, designated.phone),
            )
        )
        if designated is not None
        else None
    )
    return Section(
        title,
        (
            _rows(
                (
                    t("field.agreement_partner"),
                    country_name(partner, t.lang) if partner is not None else None,
                ),
                (t("field.national_order"), _field(request, "national_order", str)),
                (t("field.designated_authority"), who),
                (
                    t("field.designated_authority_reference"),
                    designated.reference if designated is not None else None,
                ),
                (t("field.us_person_statement"), _field(request, "us_person_statement", str)),
                (t("field.serious_crime"), _field(request, "serious_crime", str)),
            ),
        ),
    )


_KIND_SECTIONS: Final[Mapping[str, SectionBuilder]] = {
    "section.preservation": _preservation,
    "section.extension": _extension,
    "section.prior_preservation": _prior_preservation,
    "section.emergency": _emergency_section,
    "section.emergency_eu": _emergency_section,
    "section.subsequent_request": _subsequent_request,
    "section.cloud_act": _cloud_act,
    **STATE_SECTIONS,
}
"""Builders of the kind-specific sections, by the catalogue key of their title (the
``letter_sections`` of the kinds table); a builder gives ``None`` when the request has
nothing for its section."""


def _kind_sections(t: Catalogue, request: Request, names: ProviderNames) -> list[Section]:
    sections: list[Section] = []
    for key in kind_spec(request.kind).letter_sections:
        build = _KIND_SECTIONS.get(key)
        if build is None:
            raise RenderError(
                f"the kinds table lists letter section {key!r} for {request.kind} "
                "requests, and the letter has no builder for it",
                source="kinds table",
            )
        section = build(t, request, t(key), names)
        if section is not None:
            sections.append(section)
    return sections


def _to_state(request: Request) -> str:
    """The suffix of the texts written to a State (``_state``), not to a provider."""
    return "_state" if kind_spec(request.kind).addressee == "state" else ""


def _justification(t: Catalogue, request: Request) -> Section:
    j = request.justification
    return Section(
        t("section.justification"),
        (
            _rows(
                (t("field.relation_to_offence"), j.relation_to_offence),
                (t("field.necessity_and_proportionality"), j.necessity_and_proportionality),
            ),
        ),
    )


def _confidentiality(t: Catalogue, request: Request) -> Section | None:
    c = request.confidentiality
    if c is None:
        return None
    duration = str(c.duration_days) if c.duration_days else t("field.until_further_notice")
    return Section(
        t("section.confidentiality"),
        (
            Paragraph(t("sentence.confidentiality" + _to_state(request))),
            _rows(
                (t("field.confidentiality_reason"), c.reason),
                (t("field.confidentiality_duration"), duration),
            ),
        ),
    )


def _attachments(t: Catalogue, attachments: tuple[AttachmentRef, ...]) -> Section:
    if not attachments:
        return Section(t("section.attachments"), (Paragraph(t("sentence.none")),))
    header = (
        t("column.number"),
        t("column.file"),
        t("column.kind"),
        t("column.description"),
        t("column.language"),
        t("column.sha256"),
    )
    rows = tuple(
        (
            str(i),
            a.name,
            t(f"attachment.{a.kind}"),
            a.description or "",
            language_name(a.language, t.lang) if a.language else "",
            a.sha256 or "",
        )
        for i, a in enumerate(attachments, 1)
    )
    return Section(t("section.attachments"), (Table(header, rows),))


def _signatures(t: Catalogue, request: Request) -> tuple[Signature, ...]:
    officer = request.authority.officer
    sigs: list[Signature] = []
    ia = _field(request, "issuing_authority", IssuingAuthority)
    if ia is not None:
        title = t("signature.issuing_authority" + _to_state(request))
        sigs.append(Signature(title, (ia.representative, ia.name)))
        va = _field(request, "validating_authority", ValidatingAuthority)
        if va is not None:
            sigs.append(
                Signature(t("signature.validating_authority"), (va.representative, va.name))
            )
    else:
        sigs.append(
            Signature(
                t("signature.requesting_officer"),
                (officer.name, officer.role, request.authority.name),
            )
        )
    return tuple(sigs)


def _original_language(t: Catalogue, tag: str) -> tuple[tuple[str, str], ...]:
    """The row naming the request's language, when the letter is in another one (a
    translation of the labels; the user's text stays as written)."""
    if tag.split("-", maxsplit=1)[0].lower() == t.lang:
        return ()
    return ((t("meta.original_language"), language_name(tag, t.lang)),)


def build_letter(
    request: Request,
    *,
    lang: str,
    provider_name: str | None = None,
    authority: AuthorityProfile | None = None,
    provider: ProviderProfile | None = None,
    escape: bool = False,
) -> Letter:
    """The letter for ``request`` in ``lang``, as a document model.

    Sections, in order: the issuing and validating authorities of an order (Reg. (EU)
    2023/1543 Annex I/II section A and B; CETS 224 art. 7(4); in a request to a State, the
    prosecution office or court in charge of the case), the requesting authority
    (Budapest art. 29(2)(a)), the addressee (the designated establishment of an EU order,
    art. 7; the custodian, Budapest art. 29(2)(d); the provider's address, CETS 224 art.
    7(4)(d)), the enforcing authority notified (art. 8), the legal basis, the case and the
    summary of facts, the identifiers, the data requested, the kind's own sections (kinds
    table), the justification, non-disclosure, and the attachments.

    Args:
        request: the request.
        lang: the letter language, one of :data:`LANGUAGES`.
        provider_name: the addressee's display name (default: the profile's name, else
            the provider id).
        authority: supplies the letterhead (default: the request's requesting authority).
        provider: the provider's profile: the legal entity that answers the request (or
            the designated addressee of an EU order) and the postal address, where the
            profile settles them and the request does not name the entity itself.
            Default: the shipped profile of the request's provider, if the package has
            one (else the letter names the provider by its id only).
        escape: write the control and bidirectional formatting characters of the request,
            the profiles and ``provider_name`` as visible escapes (``\\x1b``, ``\\u202e``),
            line feeds kept, before the letter adds its own isolates, as
            :func:`~eevidence.letter.render_letter` does for every format
            (:attr:`Letter.escaped`). Without it the letter holds the request's text
            exactly, and the renderers escape its isolates with the rest.

    Returns:
        The letter; the same arguments always give an equal letter.

    The meta rows name the request's language only when the letter is in another one
    ("Original language: French"): user-written text is in that language.

    Raises:
        RenderError: ``lang`` has no catalogue, the catalogue lacks a text the letter
            needs, the kinds table names a section the letter cannot build, or the CLDR
            names of countries and languages (``language-data``) are not installed.
        InputError: the request's kind has no row in the kinds table.
        ConfigurationError: the shipped country list, legal facts or provider profile are
            broken.
    """
    t = catalogue(lang)
    if provider is None:
        provider = shipped_profile(request.provider)
    addressee = provider_name or (provider.name if provider is not None else request.provider)
    if escape:  # what others wrote, escaped before the letter adds its isolates
        request, authority, addressee = escaped(request), escaped(authority), escaped(addressee)
    head = authority.authority if authority is not None else request.authority
    issuing = _field(request, "issuing_authority", IssuingAuthority)
    validating = _field(request, "validating_authority", ValidatingAuthority)
    enforcing = _field(request, "enforcing_authority", EnforcingAuthority)
    issuer = issuing.name if issuing is not None else request.authority.name
    sections: list[Section] = []
    if issuing is not None:
        sections.append(_issuing_authority(t, issuing, request))
    if validating is not None:
        sections.append(_validating_authority(t, validating))
    sections.append(_requesting_authority(t, request.authority))
    sections.append(_addressee(t, request, addressee, provider, escape))
    if enforcing is not None:
        sections.append(_enforcing_authority(t, enforcing))
    sections.append(_legal_basis(t, request))
    sections.extend(_case(t, request))
    sections.append(_identifiers(t, request))
    sections.append(_data(t, request))
    sections.extend(_kind_sections(t, request, ProviderNames(request.provider, addressee, escape)))
    sections.append(_justification(t, request))
    confidentiality = _confidentiality(t, request)
    if confidentiality is not None:
        sections.append(confidentiality)
    sections.append(_attachments(t, tuple(request.attachments)))
    return Letter(
        lang=lang,
        rtl=lang in RTL_LANGUAGES,
        title=t(f"kind.{request.kind}"),
        letterhead=(head.name, head.unit, *head.address),
        meta=(
            (t("meta.date"), when(t.lang, request.created_at)),
            (t("meta.case_reference"), request.case.reference),
            (t("meta.request_id"), request.id),
            *_original_language(t, request.language),
            *urgency_meta(t, request),
        ),
        intro=t(f"intro.{request.kind}", authority=issuer, provider=addressee),
        sections=tuple(sections),
        signatures=_signatures(t, request),
        signature_labels=(t("field.signature"), t("field.date")),
        closing=t("sentence.closing" + _to_state(request)),
        footer=f"{request.case.reference} · {request.id}",
        page_label=t("meta.page", page="{page}", pages="{pages}"),
        request_id=request.id,
        created_at=request.created_at,
        keywords=(request.kind, request.case.reference),
        escaped=escape,
    )


def image_mime(data: bytes) -> str:
    """The media type of a logo image, from its signature bytes; only PNG and JPEG are accepted.

    Returns:
        ``image/png`` (PNG signature, ISO/IEC 15948) or ``image/jpeg`` (SOI marker and a
        segment marker, ITU-T T.81).

    Raises:
        RenderError: ``data`` is neither a PNG nor a JPEG image.
    """
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    raise RenderError("the logo must be a PNG or JPEG image", source="logo")
