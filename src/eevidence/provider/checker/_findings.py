"""Findings of the request checker: stable codes, severities, a catalogue.

The catalogue (:data:`RULES`) is the single list of every code the checker can emit;
``docs/findings.md`` is generated from it (``scripts/gen_findings_doc.py``) and a test
fails when the two drift. The findings of one check and their report are in ``_report``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["RULES", "Rule", "Severity", "findings_markdown"]

Severity = Literal["error", "warning", "info"]
"""How serious a finding is: ``error`` (the provider will refuse the request as written),
``warning`` (it may be refused or delayed), ``info`` (something to know or confirm)."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One entry of the findings catalogue (:data:`RULES`, ``docs/findings.md``).

    Codes are stable: a code keeps its meaning for ever and is never reused.
    """

    code: str
    """``EE`` and three digits, e.g. ``EE141``; the hundreds group the rules by family."""
    severity: Severity
    """The severity of every finding with this code."""
    title: str
    """A short name, e.g. ``Preservation period too long``."""
    meaning: str
    """What a finding with this code means, in one or two sentences."""
    basis: str
    """The legal rule or kind of provider fact the check rests on."""


def _r(code: str, severity: Severity, title: str, meaning: str, basis: str) -> tuple[str, Rule]:
    return code, Rule(code, severity, title, meaning, basis)


RULES: Final[dict[str, Rule]] = dict(
    [
        _r(
            "EE001",
            "error",
            "Provider mismatch",
            "The request names another provider than the profile it is checked against.",
            "Request structure",
        ),
        _r(
            "EE002",
            "error",
            "Country code not assigned",
            "A country code of the request (an authority's, the agreement partner's) is not a"
            " code element assigned in ISO 3166-1 (e.g. UK for GB, EU, a withdrawn code).",
            "ISO 3166-1 alpha-2",
        ),
        _r(
            "EE003",
            "error",
            "Language tag not valid",
            "The request's language or an attachment's is not a valid BCP 47 tag: malformed, "
            "or a subtag the IANA registry does not hold; or the request or a translation is "
            "tagged with a special-purpose code (und, zxx, mul, mis) that names no language.",
            "BCP 47 (RFC 5646 sections 2.2.9, 4.1); IANA Language Subtag Registry; ISO 639-2",
        ),
        _r(
            "EE004",
            "error",
            "Authority phone number not valid",
            "A phone number of the requesting officer, the 24/7 contact or another authority "
            "is not a valid number in its numbering plan: the provider cannot call back.",
            "ITU-T E.164; national numbering plans",
        ),
        _r(
            "EE005",
            "warning",
            "Target phone number not valid",
            "A phone identifier is not a valid number in its numbering plan; the provider "
            "searches by the exact number and may find nothing.",
            "ITU-T E.164; national numbering plans",
        ),
        _r(
            "EE101",
            "error",
            "Request kind not accepted",
            "The provider's published policy does not list this kind of request.",
            "Provider profile: accepted request kinds",
        ),
        _r(
            "EE102",
            "info",
            "Acceptance of the request kind unknown",
            "The provider's sources do not say whether it accepts this kind of request.",
            "Provider profile: accepted request kinds (unknown)",
        ),
        _r(
            "EE103",
            "error",
            "Legal basis cannot found this kind of request",
            "None of the instruments the request names is one a request of its kind can rest "
            "on (e.g. a disclosure resting only on Budapest art. 29, a preservation article).",
            "Kinds table: the instruments each kind can rest on (bases)",
        ),
        _r(
            "EE111",
            "error",
            "Identifier type not accepted",
            "The provider says it cannot search by this type of identifier.",
            "Provider profile: accepted identifier types",
        ),
        _r(
            "EE112",
            "info",
            "Identifier types accepted unknown",
            "The provider's sources do not list the identifiers it accepts.",
            "Provider profile: accepted identifier types (unknown)",
        ),
        _r(
            "EE121",
            "error",
            "Data category cannot be obtained through this route",
            "For a foreign authority, the provider discloses this data category only through "
            "another route (MLA, an order under a CLOUD Act agreement, EU order, emergency) or "
            "not at all; a US provider may not disclose content on a voluntary request "
            "whatever its policy says.",
            "Provider profile: data category requirements; 18 U.S.C. 2702(a), (b)(8), (b)(9)",
        ),
        _r(
            "EE122",
            "warning",
            "Data category needs domestic legal process",
            "The provider discloses this category only on legal process valid in the "
            "requesting country (court order or equivalent): attach it.",
            "Provider profile: data category requirements",
        ),
        _r(
            "EE123",
            "info",
            "Route for a data category unknown",
            "The provider's sources do not say what a foreign authority needs for this category.",
            "Provider profile: data category requirements (unknown)",
        ),
        _r(
            "EE131",
            "warning",
            "Emergency details incomplete",
            "An emergency request should say who is at risk and how imminent the harm is; "
            "providers assess emergency requests on these facts, and an EU order's emergency "
            "case is an imminent threat to life, physical integrity or safety.",
            "18 U.S.C. 2702(b)(8), (c)(4) (danger of death or serious physical injury); "
            "provider emergency criteria; Reg. (EU) 2023/1543 art. 3(18)",
        ),
        _r(
            "EE132",
            "info",
            "Emergency channel",
            "Where and how the provider takes emergency requests (never a channel serving the "
            "Digital Services Act only); for an EU order, the designated addressee, bound to "
            "answer within 8 hours (Reg. (EU) 2023/1543 art. 10(4)).",
            "Provider profile: emergency channel; Reg. (EU) 2023/1543 art. 3(18), 10(4)",
        ),
        _r(
            "EE133",
            "error",
            "Data category outside the provider's emergency disclosure",
            "The provider states which data categories it discloses in an emergency to "
            "authorities outside its home country; the request asks for another.",
            "Provider profile: emergency disclosure to foreign authorities",
        ),
        _r(
            "EE134",
            "warning",
            "Emergency content on a records-only basis",
            "An emergency disclosure asks for content, but the 18 U.S.C. 2702 basis it names "
            "cites only 2702(c) (records); content in an emergency rests on 2702(b)(8).",
            "18 U.S.C. 2702(b)(8), (c)(4)",
        ),
        _r(
            "EE141",
            "error",
            "Preservation longer than granted",
            "The preservation (or extension) period asked exceeds what the provider or the "
            "law grants.",
            "Provider profile: preservation; 18 U.S.C. 2703(f)(2) (US requesters only)",
        ),
        _r(
            "EE142",
            "error",
            "Too many extensions",
            "The provider or the law allows fewer extensions of a preservation.",
            "Provider profile: preservation; 18 U.S.C. 2703(f)(2)",
        ),
        _r(
            "EE143",
            "warning",
            "Extension asked late",
            "The provider wants extension requests some days before expiry; the current "
            "expiry is closer than that.",
            "Provider profile: preservation (extension notice)",
        ),
        _r(
            "EE144",
            "error",
            "Preservation already expired",
            "The preservation to be extended expired before the request was made.",
            "Request dates",
        ),
        _r(
            "EE145",
            "error",
            "18 U.S.C. 2703(f) named by a foreign authority",
            "18 U.S.C. 2703(f) obliges a provider to preserve at the request of a US "
            "governmental entity (2711(4)) only; a foreign authority rests preservation on "
            "Budapest art. 29 (24/7 network), the provider's policy, or a US authority's "
            "request on its behalf.",
            "18 U.S.C. 2703(f)(1), 2711(4); Budapest Convention art. 29",
        ),
        _r(
            "EE151",
            "error",
            "Period of interest in the future",
            "The period (or an identifier's window or IP timestamp) lies after the request "
            "time: providers disclose stored data only, not prospective data.",
            "Stored-data instruments (18 U.S.C. 2703(f), Budapest art. 29, Reg. 2023/1543)",
        ),
        _r(
            "EE152",
            "warning",
            "Period older than the provider keeps the data",
            "The provider says it deletes this data after a period; older data is likely gone.",
            "Provider profile: retention",
        ),
        _r(
            "EE161",
            "error",
            "Language not accepted",
            "The provider does not accept requests in this language: attach a translation "
            "into an accepted language.",
            "Provider profile: languages",
        ),
        _r(
            "EE162",
            "info",
            "Accepted languages unknown",
            "The provider's sources do not say which languages it accepts; English is the "
            "safest choice.",
            "Provider profile: languages (unknown)",
        ),
        _r(
            "EE163",
            "error",
            "Language not accepted by the EU order's addressee",
            "The EU order is in none of the official languages of the Union the designated "
            "addressee accepts.",
            "Reg. (EU) 2023/1543 art. 9; provider profile: EU order languages",
        ),
        _r(
            "EE164",
            "info",
            "EU order languages unknown",
            "The languages the designated addressee accepts for EU orders are not recorded: "
            "an official language of the Union it accepts, or one of the State where it is.",
            "Reg. (EU) 2023/1543 art. 9; provider profile: EU order languages (unknown)",
        ),
        _r(
            "EE165",
            "error",
            "EU order not in an official language of the Union",
            "An EPOC or EPOC-PR is written in an official language of the Union (one the "
            "addressee accepts, or one of the enforcing State); the order's language is none, "
            "whatever the addressee accepts.",
            "Reg. (EU) 2023/1543 art. 9; Regulation No 1 (1958) art. 1",
        ),
        _r(
            "EE171",
            "warning",
            "Non-disclosure without a duration",
            "The provider expects a non-disclosure request to state how long the user must "
            "not be told.",
            "Provider profile: user notification",
        ),
        _r(
            "EE172",
            "warning",
            "No non-disclosure request",
            "The provider notifies users of requests unless asked (and sometimes ordered) not "
            "to; the request does not ask for non-disclosure.",
            "Provider profile: user notification",
        ),
        _r(
            "EE173",
            "warning",
            "Non-disclosure needs a court order",
            "The provider honours non-disclosure only on a court order (or equivalent); no "
            "court order is attached.",
            "Provider profile: user notification",
        ),
        _r(
            "EE180",
            "error",
            "EU order without an addressee",
            "An EU order is addressed to the provider's designated establishment or legal "
            "representative; the order names none.",
            "Reg. (EU) 2023/1543 art. 7(1); Directive (EU) 2023/1544 art. 3",
        ),
        _r(
            "EE181",
            "info",
            "EU order to a provider without an EU establishment",
            "An EU order is addressed to the provider's designated establishment or legal "
            "representative in the EU; none is recorded for this provider (its GDPR or Digital "
            "Services Act establishment is not it).",
            "Reg. (EU) 2023/1543 art. 7; Directive (EU) 2023/1544 art. 3; provider profile: EU "
            "designated addressee",
        ),
        _r(
            "EE182",
            "error",
            "EU order before the Regulation applies",
            "Regulation (EU) 2023/1543 applies from 18 August 2026.",
            "Reg. (EU) 2023/1543 art. 34",
        ),
        _r(
            "EE183",
            "error",
            "Issuing State not bound by the Regulation",
            "Only EU Member States taking part in Regulation (EU) 2023/1543 (not Denmark) "
            "can issue EU orders.",
            "Reg. (EU) 2023/1543",
        ),
        _r(
            "EE184",
            "error",
            "Enforcing authority not notified",
            "A production order for traffic data (other than for identification) or content "
            "data must be notified to the enforcing authority, unless the offence is in the "
            "issuing State and the person whose data are sought resides there (art. 8(2)).",
            "Reg. (EU) 2023/1543 art. 8(1), 8(2)",
        ),
        _r(
            "EE185",
            "info",
            "EU preservation period",
            "An EU preservation order keeps the data 60 days unless a request for production "
            "is confirmed (Annex V), then as long as necessary to produce it (art. 11(2)); "
            "extendable by 30 days (Annex VI).",
            "Reg. (EU) 2023/1543 art. 11(1), 11(2)",
        ),
        _r(
            "EE186",
            "error",
            "Offence below the threshold for traffic or content data",
            "An EPOC for traffic (other than for identification) or content data needs an "
            "offence punishable by a maximum of at least 3 years, a terrorist offence, or an "
            "offence of art. 5(4)(b) committed wholly or partly by means of an information "
            "system; the penalty stated is lower.",
            "Reg. (EU) 2023/1543 art. 5(4)",
        ),
        _r(
            "EE187",
            "warning",
            "Penalty not stated for traffic or content data",
            "An EPOC for traffic or content data needs an offence punishable by a maximum of "
            "at least 3 years (or a listed offence); the maximum penalty in years is not "
            "stated.",
            "Reg. (EU) 2023/1543 art. 5(4)",
        ),
        _r(
            "EE188",
            "info",
            "Ex-post validation due",
            "The order was issued without prior validation: it must be validated ex post "
            "within 48 hours.",
            "Reg. (EU) 2023/1543 art. 4(5)",
        ),
        _r(
            "EE189",
            "warning",
            "Listed offence only by means of an information system",
            "Non-cash payment fraud (Directive (EU) 2019/713), child sexual abuse and attacks "
            "on information systems open an EPOC for traffic or content data below the penalty "
            "threshold only when committed wholly or partly by means of an information system.",
            "Reg. (EU) 2023/1543 art. 5(4)(b)",
        ),
        _r(
            "EE190",
            "error",
            "EU order to an addressee in the issuing State",
            "The Regulation covers cross-border cases: an EPOC or EPOC-PR goes to a designated "
            "establishment or legal representative in another Member State; the provider's "
            "designated addressee is established in the issuing State (use a national order).",
            "Reg. (EU) 2023/1543 art. 1(1), 3(1), 3(2)",
        ),
        _r(
            "EE191",
            "warning",
            "Preservation request lacks an art. 29(2) element",
            "A preservation request should state what is known about the custodian or "
            "location of the data and that a mutual assistance request will follow.",
            "Budapest Convention art. 29(2)(d),(f)",
        ),
        _r(
            "EE192",
            "error",
            "Enforcing authority of the wrong State",
            "The enforcing authority is the competent authority of the Member State where the "
            "designated addressee is established or resides; the one named is of the issuing "
            "State, of a State not bound by the Regulation, or of another State than the "
            "addressee's.",
            "Reg. (EU) 2023/1543 art. 3(16), 3(17), 8(1)",
        ),
        _r(
            "EE201",
            "error",
            "Official email address required",
            "The provider accepts requests only from official government email domains; the "
            "officer's address is on a public webmail domain.",
            "Provider profile: required elements",
        ),
        _r(
            "EE202",
            "info",
            "Required elements of a valid request",
            "What the provider requires that only the letter or the package can carry "
            "(letterhead, signature, PDF...); elements the request shows are checked (EE201, "
            "EE203).",
            "Provider profile: required elements",
        ),
        _r(
            "EE203",
            "error",
            "Required element missing",
            "The provider requires an element the request does not give (a period of "
            "interest, a sworn officer, the addressee entity, the officer's id, who is at "
            "risk).",
            "Provider profile: required elements",
        ),
        _r(
            "EE211",
            "info",
            "Second Protocol status not confirmed",
            "Whether the Second Additional Protocol binds both States is not recorded; check "
            "before relying on article 7.",
            "CETS 224 art. 16; treaty chart",
        ),
        _r(
            "EE212",
            "error",
            "Second Protocol does not apply",
            "Art. 7 of the Second Additional Protocol does not apply between the issuing "
            "State and the provider's State on the request's date: the Protocol is not in "
            "force, a State is not a Party, or a State excluded the article.",
            "CETS 224 art. 7, 16(3); treaty chart",
        ),
        _r(
            "EE221",
            "error",
            "CLOUD Act agreement not in force",
            "No executive agreement between the issuing State and the United States is in "
            "force on the order's date.",
            "18 U.S.C. 2523; the agreement",
        ),
        _r(
            "EE222",
            "error",
            "Provider not a US provider",
            "A CLOUD Act agreement lifts the bars of US law; the provider's headquarters are "
            "in another State.",
            "18 U.S.C. 2523, 2702(b)(9); provider profile: headquarters",
        ),
        _r(
            "EE223",
            "info",
            "Provider headquarters unknown",
            "Whether the provider is a US provider, to which an order under a CLOUD Act "
            "agreement applies, is not recorded.",
            "18 U.S.C. 2523; provider profile: headquarters (unknown)",
        ),
        _r(
            "EE224",
            "error",
            "Offence below the agreement's Serious Crime threshold",
            "The agreement covers Serious Crimes, punishable by a maximum term of "
            "imprisonment of at least the agreement's threshold; the penalty stated is lower.",
            "CLOUD Act agreement, definition of Serious Crime; 18 U.S.C. 2523(b)(4)(D)(i)",
        ),
        _r(
            "EE225",
            "warning",
            "Penalty not stated for a CLOUD Act order",
            "The maximum penalty in years is not stated, so the agreement's Serious Crime "
            "threshold cannot be checked.",
            "CLOUD Act agreement, definition of Serious Crime",
        ),
        _r(
            "EE226",
            "error",
            "Designated authority of another State",
            "An order under a CLOUD Act agreement is transmitted by the designated authority "
            "of the partner State; the one named is of another State.",
            "CLOUD Act agreement, designated authority (US-UK agreement art. 1, 5)",
        ),
        _r(
            "EE227",
            "error",
            "Requesting authority not of the agreement's State",
            "An order under a CLOUD Act agreement is issued by an authority of the partner "
            "State; the requesting authority is of another State than the agreement partner.",
            "18 U.S.C. 2523(b); the agreement (orders of the partner's own authorities)",
        ),
        _r(
            "EE231",
            "error",
            "Treaty does not bind both States",
            "A basis of a State-to-State request is a treaty that does not bind both the "
            "requesting and the requested State on the request's date: not in force, a State "
            "not a Party or not yet bound.",
            "The treaty chart (Budapest Convention CETS 185; UNTOC)",
        ),
        _r(
            "EE232",
            "info",
            "Treaty status of a State not recorded",
            "Whether the treaty a State-to-State request cites binds both States is not "
            "recorded in the treaty data; check the depositary's chart.",
            "The treaty chart (incomplete)",
        ),
        _r(
            "EE233",
            "warning",
            "Dual criminality not addressed",
            "A request for mutual assistance asks for traffic or content data and does not "
            "say why the conduct is an offence in the requested State too.",
            "Budapest Convention art. 25(5); UNTOC art. 18",
        ),
        _r(
            "EE234",
            "warning",
            "Link between data and offence not stated",
            "A measure of a request for mutual assistance does not say how the data it "
            "obtains relates to the offence.",
            "Council of Europe T-CY templates; Budapest Convention art. 29(2)(c)",
        ),
        _r(
            "EE235",
            "warning",
            "Terrorism case not marked urgent",
            "A State-to-State request in a terrorism case is not marked urgent for it.",
            "UN Counter-Terrorism Committee guidance (expedite and prioritise)",
        ),
        _r(
            "EE236",
            "warning",
            "Cited preservation lapsed",
            "A preservation the request cites has lapsed: the data may have been deleted.",
            "The earlier request's recorded expiry",
        ),
        _r(
            "EE237",
            "warning",
            "Cited preservation lapses soon",
            "A preservation the request cites lapses within 30 days and the request is not "
            "marked urgent for it.",
            "The earlier request's recorded expiry",
        ),
        _r(
            "EE238",
            "warning",
            "Traffic data disclosure without its article",
            "A 24/7 preservation request asks for the expedited disclosure of traffic data and "
            "does not cite Budapest Convention art. 30.",
            "Budapest Convention art. 30",
        ),
        _r(
            "EE241",
            "error",
            "Language not accepted by the requested authority",
            "A request addressed to a State is written in no language its requested authority "
            "accepts, as the authority's entry in the directory of authorities states, and "
            "carries no translation into one.",
            "Directory of authorities: the authority's accepted languages, with their sources",
        ),
        _r(
            "EE242",
            "info",
            "Requested authority's languages unknown",
            "The directory entry of the requested authority records the languages it accepts "
            "as unknown, so the request's language could not be checked.",
            "Directory of authorities: languages (unknown)",
        ),
        _r(
            "EE243",
            "info",
            "Requested authority not in the directory",
            "The directory of authorities (shipped entries and those of "
            "$EEVIDENCE_AUTHORITIES) has no entry for the authority a request addressed to a "
            "State names, so the request's language could not be checked.",
            "Directory of authorities",
        ),
    ]
)
"""The findings catalogue, ``{code: rule}``, in code order: every code the checker emits."""


def findings_markdown() -> str:
    """The findings catalogue as Markdown: the exact content of ``docs/findings.md``.

    Returns:
        A title, a note that the file is generated, and one table row per :data:`RULES`
        entry (code, severity, title, meaning, what it rests on), ending with a newline.
    """
    lines = [
        "# Findings catalogue",
        "",
        "Generated from `src/eevidence/provider/checker/_findings.py` by",
        "`scripts/gen_findings_doc.py`; do not edit by hand. Codes are stable: a code is never",
        "reused for another meaning.",
        "",
        "| code | severity | title | meaning | rests on |",
        "|---|---|---|---|---|",
    ]
    for rule in RULES.values():
        lines.append(
            f"| {rule.code} | {rule.severity} | {rule.title} | {rule.meaning} | {rule.basis} |"
        )
    return "\n".join(lines) + "\n"
