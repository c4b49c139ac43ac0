"""Regulation (EU) 2023/1543 rules the EU order models enforce: art. 4(5) (emergency orders
issued without prior validation) and the art. 8(2) statement that exempts an order from
notifying the enforcing authority."""

from __future__ import annotations

from typing import Any

import pytest

import eevidence as ee
from tests.helpers import example_doc

OTHER = {
    "type": "other_competent_authority",
    "name": "Police judiciaire, Office anti-cybercriminalite",
    "country": "FR",
    "representative": "Commissaire Paul Martin",
    "email": "ofac@interieur.example.fr",
    "phone": "+33144000020",
}
EMERGENCY = {
    "threat_nature": "a planned attack on a named venue this evening",
    "why_without_delay": "the account holder's identity lets police intercept the attacker",
}


def _refused(doc: dict[str, Any]) -> str:
    with pytest.raises(ee.RequestValidationError) as info:
        ee.parse_request(doc)
    return " ".join(p.message for p in info.value.problems)


def _production(**changes: Any) -> dict[str, Any]:
    doc = example_doc("eu-production-order")
    doc.pop("validating_authority", None)
    doc.update(changes)
    return doc


def test_an_emergency_identification_order_may_go_without_prior_validation() -> None:
    doc = _production(
        issuing_authority=OTHER,
        data={"categories": ["subscriber", "user_identification"]},
        emergency=EMERGENCY,
        without_prior_validation="no judge could be reached before the attack",
    )
    order = ee.parse_request(doc)
    assert order.without_prior_validation is not None  # type: ignore[union-attr]


def test_without_prior_validation_an_other_authority_order_still_needs_validation() -> None:
    doc = _production(issuing_authority=OTHER, data={"categories": ["subscriber"]})
    assert "validating_authority is required" in _refused(doc)


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"data": {"categories": ["subscriber", "traffic"]}}, "traffic and content data"),
        ({"data": {"categories": ["content"]}}, "traffic and content data"),
        ({"emergency": None}, "needs an emergency case"),
        ({"issuing_authority": {**OTHER, "type": "public_prosecutor"}}, "other competent"),
    ],
)
def test_art_4_5_is_limited_to_what_it_allows(changes: dict[str, Any], why: str) -> None:
    doc = _production(
        issuing_authority=OTHER,
        data={"categories": ["subscriber"]},
        emergency=EMERGENCY,
        without_prior_validation="no judge could be reached in time",
    )
    doc.update(changes)
    if doc.get("emergency") is None:
        doc.pop("emergency")
    assert why in _refused(doc)


def test_a_preservation_order_may_go_without_prior_validation() -> None:
    doc = example_doc("eu-preservation-order")
    doc.pop("validating_authority", None)
    doc["issuing_authority"] = OTHER
    doc["without_prior_validation"] = "the account is being deleted tonight"
    assert ee.parse_request(doc).kind == "eu_preservation_order"


def test_the_art_8_2_statement_is_kept() -> None:
    doc = example_doc("eu-production-order")
    doc.pop("enforcing_authority", None)
    doc["notification_exception"] = "offence in France by a suspect living in Lyon"
    order = ee.parse_request(doc)
    assert order.notification_exception == doc["notification_exception"]  # type: ignore[union-attr]
