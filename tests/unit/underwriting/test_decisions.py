"""Deciding an underwriting issue: authority, status, history, lowering limits
(PRODUCT.md §3 ※1, docs/underwriting.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from cybercover.errors import ConflictError, ForbiddenError, InputError
from cybercover.product import Product
from cybercover.underwriting import (
    ChosenTerms,
    Decider,
    IssueDecision,
    UnderwritingIssue,
    decide,
    evaluate,
    parse_decision,
)
from tests.factories import START, jst, make_facts

NOW = jst(2026, 3, 20, 15, 30)
JUNIOR = Decider(user_id=7, authority=1, name="引受 一郎")
SENIOR = Decider(user_id=8, authority=2, name="引受 花子")
CHIEF = Decider(user_id=9, authority=3, name="引受 部長")
CHOSEN = ChosenTerms(
    start=START, limits={"liability": 1_000_000_000, "response_costs": 300_000_000}
)


def issue_for(product: Product, **facts: Any) -> UnderwritingIssue:
    issues = evaluate(product, make_facts(**facts))
    assert len(issues) == 1, [i.rule_code for i in issues]
    return issues[0]


def high_limit(product: Product) -> UnderwritingIssue:
    return issue_for(product, limits=dict(CHOSEN.limits))


def clear(reason: str = "確認済み / checked") -> IssueDecision:
    return IssueDecision(kind="clear", reason=reason)


def test_an_underwriter_with_enough_authority_clears_an_issue(product: Product) -> None:
    issue = issue_for(product, answers={"mfa": False})
    outcome = decide(product, issue, clear("導入予定を確認"), decider=JUNIOR, at=NOW)
    assert outcome.status == "cleared"
    entry = outcome.entry.as_dict()
    assert entry["by"] == 7 and entry["by_name"] == "引受 一郎"
    assert entry["at"] == "2026-03-20T06:30:00+00:00"
    assert (entry["decision"], entry["reason"]) == ("clear", "導入予定を確認")
    assert (entry["status_before"], entry["status_after"]) == ("open", "cleared")
    assert (entry["authority_required"], entry["authority_held"]) == (1, 1)


def test_a_user_without_enough_authority_is_refused(product: Product) -> None:
    issue = issue_for(product, answers={"rdp_exposed": True})  # senior_underwriter
    with pytest.raises(ForbiddenError) as err:
        decide(product, issue, clear(), decider=JUNIOR, at=NOW)
    assert err.value.action == "underwriting.decide"
    assert "rdp_exposed" in err.value.ja and "2 needed, 1 held" in err.value.en


def test_a_user_with_no_authority_cannot_even_decline(product: Product) -> None:
    issue = issue_for(product, answers={"mfa": False})
    nobody = Decider(user_id=1, authority=0)
    with pytest.raises(ForbiddenError):
        decide(product, issue, IssueDecision(kind="decline", reason="no"), decider=nobody, at=NOW)


def test_any_underwriter_may_decline_an_issue_above_their_authority(product: Product) -> None:
    issue = issue_for(product, answers={"rdp_exposed": True})
    outcome = decide(
        product,
        issue,
        IssueDecision(kind="decline", reason="RDP閉鎖の予定なし"),
        decider=JUNIOR,
        at=NOW,
    )
    assert outcome.status == "declined"


def test_only_the_chief_can_override_the_not_in_japan_decline(product: Product) -> None:
    issue = issue_for(product, company={"country": "SG", "prefecture": "Singapore"})
    assert issue.initial_status == "declined"
    with pytest.raises(ForbiddenError):
        decide(product, issue, clear(), decider=SENIOR, at=NOW, status="declined")
    outcome = decide(
        product, issue, clear("日本法人と確認"), decider=CHIEF, at=NOW, status="declined"
    )
    assert outcome.status == "cleared"


def test_a_declined_issue_cannot_have_its_limits_lowered(product: Product) -> None:
    issue = issue_for(product, answers={"prior_incidents_3y": 1})
    lower = IssueDecision(kind="lower_limits", reason="r", limits={"liability": 100_000_000})
    with pytest.raises(ConflictError):
        decide(product, issue, lower, decider=CHIEF, at=NOW, status="declined", chosen=CHOSEN)


def test_a_cleared_issue_takes_no_further_decision(product: Product) -> None:
    issue = issue_for(product, answers={"mfa": False})
    with pytest.raises(ConflictError) as err:
        decide(product, issue, clear(), decider=CHIEF, at=NOW, status="cleared")
    assert err.value.rule == "issue_closed"


def test_lowering_the_liability_limit_returns_validated_terms(product: Product) -> None:
    issue = high_limit(product)
    lower = IssueDecision(
        kind="lower_limits", reason="実際のリスクに応じて5億円", limits={"liability": 500_000_000}
    )
    outcome = decide(product, issue, lower, decider=SENIOR, at=NOW, chosen=CHOSEN)
    assert outcome.status == "cleared"
    assert outcome.terms is not None and outcome.terms.limits["liability"] == 500_000_000
    assert outcome.policy_terms is not None
    assert outcome.policy_terms.part("liability").limit == 500_000_000
    assert outcome.policy_terms.aggregate == 500_000_000  # defaults to the liability limit
    entry = outcome.entry.as_dict()
    assert entry["limits_before"]["liability"] == 1_000_000_000
    assert entry["limits_after"]["liability"] == 500_000_000
    # the lowered terms no longer raise the issue
    assert evaluate(product, make_facts(limits=dict(outcome.terms.limits))) == []


def test_lowering_needs_the_issue_authority(product: Product) -> None:
    lower = IssueDecision(kind="lower_limits", reason="r", limits={"liability": 500_000_000})
    with pytest.raises(ForbiddenError):
        decide(product, high_limit(product), lower, decider=JUNIOR, at=NOW, chosen=CHOSEN)


def test_a_new_limit_above_the_current_one_is_refused(product: Product) -> None:
    lower = IssueDecision(kind="lower_limits", reason="r", limits={"liability": 2_000_000_000})
    with pytest.raises(InputError) as err:
        decide(product, high_limit(product), lower, decider=SENIOR, at=NOW, chosen=CHOSEN)
    assert [(p.path, p.rule) for p in err.value.problems] == [
        ("decision.limits.liability", "not_lower")
    ]


def test_a_new_limit_equal_to_the_current_one_lowers_nothing(product: Product) -> None:
    lower = IssueDecision(kind="lower_limits", reason="r", limits={"liability": 1_000_000_000})
    with pytest.raises(InputError) as err:
        decide(product, high_limit(product), lower, decider=SENIOR, at=NOW, chosen=CHOSEN)
    assert [p.path for p in err.value.problems] == ["decision.limits"]


def test_lowering_liability_below_response_costs_breaks_the_product_rule(product: Product) -> None:
    lower = IssueDecision(kind="lower_limits", reason="r", limits={"liability": 200_000_000})
    with pytest.raises(InputError) as err:
        decide(product, high_limit(product), lower, decider=SENIOR, at=NOW, chosen=CHOSEN)
    assert [(p.path, p.rule) for p in err.value.problems] == [
        ("decision.limits.response_costs", "response_costs_within_liability")
    ]


def test_lowering_a_limit_of_a_part_not_bought_is_refused(product: Product) -> None:
    lower = IssueDecision(kind="lower_limits", reason="r", limits={"profit_loss": 1})
    with pytest.raises(InputError) as err:
        decide(product, high_limit(product), lower, decider=SENIOR, at=NOW, chosen=CHOSEN)
    assert [p.path for p in err.value.problems] == ["decision.limits.profit_loss"]


def test_lowering_without_the_current_terms_is_refused(product: Product) -> None:
    lower = IssueDecision(kind="lower_limits", reason="r", limits={"liability": 500_000_000})
    with pytest.raises(InputError):
        decide(product, high_limit(product), lower, decider=SENIOR, at=NOW)


def test_a_decision_time_without_an_offset_is_refused(product: Product) -> None:
    with pytest.raises(ValueError):
        decide(product, high_limit(product), clear(), decider=SENIOR, at=datetime(2026, 3, 20))


def test_a_decision_needs_a_reason(product: Product) -> None:
    with pytest.raises(InputError) as err:
        parse_decision({"kind": "clear", "reason": ""})
    assert [p.path for p in err.value.problems] == ["decision.reason"]


def test_a_clear_decision_takes_no_limits(product: Product) -> None:
    with pytest.raises(InputError) as err:
        parse_decision({"kind": "clear", "reason": "ok", "limits": {"liability": 1}})
    assert [p.path for p in err.value.problems] == ["decision"]


def test_an_unknown_decision_is_refused(product: Product) -> None:
    with pytest.raises(InputError) as err:
        parse_decision({"kind": "approve", "reason": "ok"})
    assert [(p.path, p.rule) for p in err.value.problems] == [("decision.kind", "literal_error")]
