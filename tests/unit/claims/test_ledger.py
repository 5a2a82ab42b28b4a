"""The one ledger and the payment rules (issue #17, rules 4–5), figures by hand."""

from __future__ import annotations

from cybercover.claims.ledger import (
    Commitment,
    DispatchCosts,
    Posting,
    due_by_head,
    due_by_part,
    erosion,
    lien_problem,
    needs_approval,
    overpaid,
    partner_outstanding,
    payment_problems,
)

SHARED = {
    "liability": None,
    "response_costs": None,
    "profit_loss": "bi",
    "continuation_costs": "bi",
}


def test_an_invoice_replaces_its_estimate_and_a_claim_payment_replaces_the_commitment() -> None:
    # dispatch 1: estimate 3,000,000 approved, then invoice 2,800,000 approved
    # dispatch 2: estimate 1,000,000 approved, no invoice yet
    dispatches = [DispatchCosts(3_000_000, 2_800_000, True), DispatchCosts(1_000_000, 0, False)]
    # committed 2,800,000 + 1,000,000 = 3,800,000; the claim paid 2,800,000 on partner heads
    assert partner_outstanding(dispatches, 0) == 3_800_000
    assert partner_outstanding(dispatches, 2_800_000) == 1_000_000
    assert partner_outstanding(dispatches, 5_000_000) == 0  # never below 0


def test_erosion_sums_every_claim_and_commitment_but_the_excluded_ones() -> None:
    postings = [
        Posting(1, "response_costs", "forensics", 4_000_000),
        Posting(1, "liability", None, 2_000_000),
        Posting(2, "profit_loss", None, 1_500_000),
        Posting(2, "continuation_costs", None, 500_000),
    ]
    commitments = [
        Commitment(7, "response_costs", 1_000_000),
        Commitment(8, "response_costs", 300_000),
    ]
    ledger = erosion(postings, commitments, SHARED)
    # ② 4,000,000 + 1,000,000 + 300,000 = 5,300,000; ③④ share "bi": 1,500,000 + 500,000
    assert ledger.parts == {
        "response_costs": 5_300_000,
        "liability": 2_000_000,
        "profit_loss": 1_500_000,
        "continuation_costs": 500_000,
    }
    assert ledger.shared == {"bi": 2_000_000}
    assert ledger.aggregate == 5_300_000 + 2_000_000 + 2_000_000  # 9,300,000
    # claim 1 on incident 7 is adjudicated against the rest
    without = erosion(postings, commitments, SHARED, excluding_claim=1, excluding_incident=7)
    assert without.parts == {
        "profit_loss": 1_500_000,
        "continuation_costs": 500_000,
        "response_costs": 300_000,
    }
    assert without.aggregate == 2_300_000


def test_due_by_part_and_by_head_count_paid_and_pending() -> None:
    payable = {"liability": 5_100_000, "response_costs": 35_400_000}
    lines = [
        ("response_costs", "forensics", 4_000_000),
        ("response_costs", "call_centre", 8_000_000),
        ("liability", "damages", 3_600_000),
        ("liability", "defence_costs", 1_500_000),
    ]
    postings = [
        Posting(1, "response_costs", "forensics", 4_000_000),
        Posting(1, "liability", "damages", 1_000_000, pending=True),
    ]
    assert due_by_part(payable, postings) == {
        "liability": 4_100_000,  # 5,100,000 − 1,000,000 pending
        "response_costs": 31_400_000,  # 35,400,000 − 4,000,000
    }
    heads = due_by_head(lines, postings)
    assert heads[("response_costs", "forensics")] == 0
    assert heads[("response_costs", "call_centre")] == 8_000_000
    assert heads[("liability", "damages")] == 2_600_000


def test_a_payment_is_capped_by_the_due_and_the_open_reserve() -> None:
    due_part = {"response_costs": 10_000_000}
    due_head = {("response_costs", "forensics"): 4_000_000}
    ok = payment_problems(
        amount=4_000_000,
        part="response_costs",
        head="forensics",
        due_part=due_part,
        due_head=due_head,
        open_reserve=6_000_000,
    )
    assert ok == []
    too_much = payment_problems(
        amount=4_000_001,
        part="response_costs",
        head="forensics",
        due_part=due_part,
        due_head=due_head,
        open_reserve=4_000_000,
    )
    assert [p.rule for p in too_much] == ["above_due", "above_reserve"]
    assert (
        payment_problems(
            amount=1,
            part="liability",
            head=None,
            due_part=due_part,
            due_head=due_head,
            open_reserve=10,
        )[0].rule
        == "nothing_payable_on_part"
    )


def test_authority_counts_the_requesters_total_on_the_claim() -> None:
    # authority 10,000,000: one payment of 6,000,000 passes; a second of 6,000,000 by the
    # same handler makes 12,000,000 and needs an approver
    assert not needs_approval(6_000_000, 0, 10_000_000)
    assert needs_approval(6_000_000, 6_000_000, 10_000_000)
    assert not needs_approval(4_000_000, 6_000_000, 10_000_000)  # exactly 10,000,000


def test_the_statutory_lien_on_liability_money() -> None:
    assert lien_problem("liability", "third_party", None) is None
    assert lien_problem("liability", "insured", None) is not None
    assert lien_problem("liability", "insured", "victim_paid") is None
    assert lien_problem("liability", "insured", "victim_consent") is None
    assert lien_problem("response_costs", "insured", None) is None


def test_overpaid_after_a_correction_is_a_receivable() -> None:
    # paid 100,000,000 on ②; after the wrong FX item is amended, 37,500,000 is payable
    assert overpaid({"response_costs": 37_500_000}, {"response_costs": 100_000_000}) == {
        "response_costs": 62_500_000
    }
    assert overpaid({"response_costs": 40_000_000}, {"response_costs": 37_500_000}) == {}


def test_remaining_limits_lists_every_limit() -> None:
    from datetime import date

    from cybercover.claims.ledger import remaining_limits
    from cybercover.product import default_product
    from cybercover.terms import Ledger, build_policy_terms

    terms = build_policy_terms(
        default_product(),
        start=date(2026, 4, 1),
        limits={
            "liability": 30_000_000,
            "response_costs": 10_000_000,
            "profit_loss": 20_000_000,
            "continuation_costs": 10_000_000,
            "business_interruption": 20_000_000,
        },
        options={"business_interruption": True},
    )
    ledger = Ledger(
        parts={
            "response_costs": 6_000_000,
            "profit_loss": 15_000_000,
            "continuation_costs": 5_000_000,
        },
        shared={"business_interruption": 20_000_000},
        aggregate=26_000_000,
    )
    assert remaining_limits(terms, ledger) == {
        "liability": 30_000_000,
        "response_costs": 4_000_000,  # 10,000,000 − 6,000,000
        "profit_loss": 5_000_000,  # 20,000,000 − 15,000,000
        "continuation_costs": 5_000_000,  # 10,000,000 − 5,000,000
        "business_interruption": 0,  # 20,000,000 − 20,000,000
        "aggregate": 4_000_000,  # the aggregate = ① 30,000,000 − 26,000,000
    }
