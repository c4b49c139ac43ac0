"""Build a preservation request through the Python API and print its canonical JSON.

Run: python examples/build_preservation.py [OUTPUT.json]
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import eevidence as ee
from eevidence.request import (
    Case,
    Confidentiality,
    Contact,
    DataRequested,
    IpAddressIdentifier,
    Justification,
    LegalBasis,
    Officer,
    PreservationRequest,
    RequestingAuthority,
    TimeWindow,
    UsernameIdentifier,
    new_request_id,
)


def build(now: datetime) -> PreservationRequest:
    authority = RequestingAuthority(
        name="Guardia Civil (fictional example)",
        country="ES",
        unit="Unidad Central Especial 2 - Cyber Terrorism",
        officer=Officer(
            name="Lucía Romero",
            role="Teniente",
            email="lromero@guardia.example.es",
            phone="+34910000001",
        ),
        contact_24_7=Contact(name="24/7 Point of Contact", phone="+34910000247"),
    )
    case = Case(
        reference="UCE2-2026-0311",
        offence_description="Financing of terrorism through online fundraising",
        offence_category="terrorist_financing",
        terrorism_related=True,
        summary_of_facts="A channel solicits cryptocurrency donations for a proscribed group.",
        statutory_citation="Código Penal, artículo 576",
        maximum_penalty_years=10,
    )
    cest = timezone(timedelta(hours=1))
    return PreservationRequest(
        kind="preservation",
        id=new_request_id(),
        created_at=now,
        authority=authority,
        case=case,
        legal_basis=(LegalBasis(instrument="budapest_art29", article="29"),),
        provider="x",
        identifiers=(
            UsernameIdentifier(type="username", value="donate_now_2026", service="X"),
            IpAddressIdentifier(
                type="ip_address",
                value="2001:db8::17",
                port=443,
                timestamp=datetime(2026, 11, 3, 18, 2, 11, tzinfo=cest),
            ),
        ),
        data=DataRequested(categories=("subscriber", "traffic")),
        period=TimeWindow(
            start=datetime(2026, 10, 1, tzinfo=UTC), end=datetime(2026, 11, 20, tzinfo=UTC)
        ),
        justification=Justification(
            relation_to_offence="The account posts the donation addresses.",
            necessity_and_proportionality="Only this account and the period of the campaign.",
        ),
        confidentiality=Confidentiality(reason="Notice would alert the fundraisers."),
        language="en",
        mla_to_follow=True,
        custodian_information="X Corp.; EU users served by X Internet Unlimited Co.",
    )


def main(argv: list[str]) -> int:
    request = build(datetime.now(UTC).replace(microsecond=0))
    data = ee.canonical_bytes(request)
    if len(argv) > 1:
        Path(argv[1]).write_bytes(data)
        print(f"wrote {request.kind} {request.id} to {argv[1]}")
    else:
        sys.stdout.write(data.decode("utf-8") + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
