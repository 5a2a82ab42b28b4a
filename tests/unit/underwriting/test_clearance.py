"""A clearance is tied to the facts it cleared (underwriting/clearance.py, issue #17)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from decimal import Decimal

from cybercover.product import default_product
from cybercover.underwriting import (
    carried_entry,
    cleared_facts,
    evaluate,
    facts_digest,
    reopen_entry,
    stored_facts,
)
from tests.factories import make_facts

AT = datetime(2026, 6, 10, 1, 0, tzinfo=UTC)


def test_the_digest_is_of_the_facts_as_stored_whatever_their_order() -> None:
    raw = {"company.annual_revenue": 20_000_000_000, "disclosure.mfa": False}
    # stored as text: {"company.annual_revenue": "20000000000", "disclosure.mfa": "False"}
    assert stored_facts(raw) == {
        "company.annual_revenue": "20000000000",
        "disclosure.mfa": "False",
    }
    canonical = '{"company.annual_revenue":"20000000000","disclosure.mfa":"False"}'
    assert facts_digest(raw) == hashlib.sha256(canonical.encode()).hexdigest()
    assert facts_digest(dict(reversed(list(raw.items())))) == facts_digest(raw)
    assert facts_digest(stored_facts(raw)) == facts_digest(raw)
    assert facts_digest({"x": Decimal("0.30")}) != facts_digest({"x": Decimal("0.3")})


def test_the_rule_firing_on_other_facts_has_another_digest() -> None:
    product = default_product()

    def fired(revenue: int) -> dict[str, object]:
        issues = evaluate(product, make_facts(company={"annual_revenue": revenue}))
        return dict(next(i for i in issues if i.rule_code == "large_revenue").facts)

    # large_revenue: company.annual_revenue > 10,000,000,000 (the product file)
    assert fired(20_000_000_000) == {"company.annual_revenue": 20_000_000_000}
    assert facts_digest(fired(20_000_000_000)) == facts_digest(fired(20_000_000_000))
    assert facts_digest(fired(20_000_000_000)) != facts_digest(fired(30_000_000_000))
    # a change the rule does not look at leaves its facts, so its digest, as they were
    same_rule_other_company = evaluate(
        product, make_facts(company={"annual_revenue": 20_000_000_000, "employees": 900})
    )
    assert facts_digest(
        next(i for i in same_rule_other_company if i.rule_code == "large_revenue").facts
    ) == facts_digest(fired(20_000_000_000))


def test_lowered_limits_replace_those_asked_for_in_the_facts_cleared() -> None:
    facts = {"limits.liability": 1_000_000_000}
    assert cleared_facts(facts, {"liability": 800_000_000, "response_costs": 1}) == {
        "limits.liability": "800000000"
    }
    assert cleared_facts(facts) == {"limits.liability": "1000000000"}


def test_history_rows_say_why() -> None:
    reopened = reopen_entry(
        at=AT,
        status_after="open",
        facts_cleared={"company.annual_revenue": "20000000000"},
        facts_now={"company.annual_revenue": 30_000_000_000},
    )
    assert reopened["decision"] == "reopen" and reopened["at"] == "2026-06-10T01:00:00+00:00"
    assert (reopened["status_before"], reopened["status_after"]) == ("cleared", "open")
    assert reopened["facts_now"] == {"company.annual_revenue": "30000000000"}
    carried = carried_entry(
        at=AT, status_before="open", from_issue=7, facts={"disclosure.mfa": False}
    )
    assert carried["decision"] == "carried" and carried["from_issue"] == 7
    assert carried["facts_cleared"] == {"disclosure.mfa": "False"}
