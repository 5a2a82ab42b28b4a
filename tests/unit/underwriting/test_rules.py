"""Each underwriting rule of the product file on a hand-built example (docs/underwriting.md)."""

from __future__ import annotations

from datetime import date

import pytest

from cybercover.errors import InputError
from cybercover.product import Product
from cybercover.underwriting import UnderwritingIssue, evaluate
from tests.factories import make_facts, make_isms


def codes(issues: list[UnderwritingIssue]) -> list[str]:
    return [i.rule_code for i in issues]


def only(issues: list[UnderwritingIssue], code: str) -> UnderwritingIssue:
    found = [i for i in issues if i.rule_code == code]
    assert len(found) == 1, codes(issues)
    return found[0]


def test_a_clean_application_raises_no_issue(product: Product) -> None:
    assert evaluate(product, make_facts()) == []


def test_a_company_outside_japan_is_declined_at_quote(product: Product) -> None:
    issues = evaluate(product, make_facts(company={"country": "US", "prefecture": "California"}))
    issue = only(issues, "not_located_in_japan")
    assert issue.action == "decline"
    assert issue.blocking_point == "quote"
    assert issue.authority == "chief_underwriter"
    assert issue.authority_level == 3
    assert issue.initial_status == "declined"
    assert issue.facts == {"company.country": "US", "company.prefecture": "California"}
    assert issue.message_ja.startswith("日本国内")


def test_a_japanese_country_code_with_an_unknown_prefecture_is_declined(product: Product) -> None:
    issue = only(
        evaluate(product, make_facts(company={"prefecture": "ハワイ州"})), "not_located_in_japan"
    )
    assert issue.facts == {"company.prefecture": "ハワイ州"}


@pytest.mark.parametrize("prefecture", ["北海道", "東京都", "京都府", "大阪府", "沖縄県"])
def test_every_kind_of_prefecture_is_in_japan(product: Product, prefecture: str) -> None:
    assert evaluate(product, make_facts(company={"prefecture": prefecture})) == []


def test_all_47_prefectures_are_listed(product: Product) -> None:
    prefectures = product.underwriting.lists["prefectures"]
    assert len(prefectures) == len(set(prefectures)) == 47


def test_a_company_without_a_prefecture_is_referred_not_declined(product: Product) -> None:
    issues = evaluate(product, make_facts(without=["prefecture"]))
    assert codes(issues) == ["company_location_missing"]
    assert issues[0].facts == {"company.prefecture": None}


def test_one_prior_incident_is_referred_to_an_underwriter(product: Product) -> None:
    issues = evaluate(product, make_facts(answers={"prior_incidents_3y": 1}))
    assert codes(issues) == ["prior_incidents"]
    assert issues[0].facts == {"disclosure.prior_incidents_3y": 1}
    assert (issues[0].action, issues[0].authority) == ("refer", "underwriter")


def test_three_prior_incidents_are_also_declined_unless_a_senior_overrides(
    product: Product,
) -> None:
    issues = evaluate(product, make_facts(answers={"prior_incidents_3y": 3}))
    assert codes(issues) == ["prior_incidents", "repeated_incidents"]
    repeated = issues[1]
    assert (repeated.action, repeated.authority_level) == ("decline", 2)


def test_two_prior_incidents_are_not_declined(product: Product) -> None:
    assert codes(evaluate(product, make_facts(answers={"prior_incidents_3y": 2}))) == [
        "prior_incidents"
    ]


def test_missing_mfa_is_referred_before_bind(product: Product) -> None:
    issue = only(evaluate(product, make_facts(answers={"mfa": False})), "no_mfa")
    assert (issue.action, issue.blocking_point) == ("refer", "bind")
    assert issue.facts == {"disclosure.mfa": False}


def test_missing_offline_backups_are_referred_before_bind(product: Product) -> None:
    issue = only(
        evaluate(product, make_facts(answers={"offline_backups": False})), "no_offline_backups"
    )
    assert issue.blocking_point == "bind"


def test_rdp_exposed_to_the_internet_is_referred_to_a_senior_before_quote(
    product: Product,
) -> None:
    issue = only(evaluate(product, make_facts(answers={"rdp_exposed": True})), "rdp_exposed")
    assert (issue.blocking_point, issue.authority) == ("quote", "senior_underwriter")


def test_revenue_above_ten_billion_yen_is_referred(product: Product) -> None:
    issue = only(
        evaluate(product, make_facts(company={"annual_revenue": 10_000_000_001})), "large_revenue"
    )
    assert issue.facts == {"company.annual_revenue": 10_000_000_001}


def test_revenue_of_exactly_ten_billion_yen_is_not_referred(product: Product) -> None:
    assert evaluate(product, make_facts(company={"annual_revenue": 10_000_000_000})) == []


def test_a_liability_limit_above_500_million_yen_is_referred(product: Product) -> None:
    facts = make_facts(limits={"liability": 1_000_000_000, "response_costs": 30_000_000})
    issue = only(evaluate(product, facts), "high_liability_limit")
    assert issue.facts == {"limits.liability": 1_000_000_000}
    assert issue.source.startswith("PRODUCT.md §3 ※1")


def test_a_liability_limit_of_500_million_yen_is_not_referred(product: Product) -> None:
    facts = make_facts(limits={"liability": 500_000_000, "response_costs": 30_000_000})
    assert evaluate(product, facts) == []


def test_an_answer_needed_for_a_quote_that_is_missing_blocks_the_quote(product: Product) -> None:
    issue = only(
        evaluate(product, make_facts(without=["mfa", "rdp_exposed"])), "answers_missing_at_quote"
    )
    assert issue.blocking_point == "quote"
    assert issue.facts == {"unanswered.quote": ("mfa", "rdp_exposed")}


def test_an_answer_needed_to_bind_that_is_missing_blocks_the_bind(product: Product) -> None:
    issues = evaluate(product, make_facts(without=["known_circumstances"]))
    assert codes(issues) == ["answers_missing_at_bind"]
    assert issues[0].blocking_point == "bind"
    assert issues[0].facts == {"unanswered.bind": ("known_circumstances",)}


def test_an_optional_question_left_unanswered_raises_nothing(product: Product) -> None:
    assert evaluate(product, make_facts(answers={"last_penetration_test": None})) == []


def test_a_valid_jqa_certificate_answers_the_missing_security_controls(product: Product) -> None:
    facts = make_facts(
        without=["mfa", "edr", "offline_backups", "staff_training"], isms=make_isms()
    )
    assert evaluate(product, facts) == []


def test_a_certificate_does_not_answer_prior_incidents(product: Product) -> None:
    facts = make_facts(without=["prior_incidents_3y"], isms=make_isms("BSI-J"))
    issue = only(evaluate(product, facts), "answers_missing_at_quote")
    assert issue.facts == {"unanswered.quote": ("prior_incidents_3y",)}


def test_an_expired_certificate_answers_nothing(product: Product) -> None:
    facts = make_facts(without=["mfa"], isms=make_isms(expires_on=date(2026, 3, 31)))
    assert codes(evaluate(product, facts)) == ["answers_missing_at_quote"]


def test_a_pending_claim_is_referred_to_a_senior(product: Product) -> None:
    issue = only(evaluate(product, make_facts(answers={"pending_claims": True})), "pending_claims")
    assert issue.authority == "senior_underwriter"


def test_a_known_circumstance_is_referred_before_bind(product: Product) -> None:
    issue = only(
        evaluate(product, make_facts(answers={"known_circumstances": True})), "known_circumstances"
    )
    assert issue.blocking_point == "bind"


def test_patches_applied_after_more_than_90_days_are_referred(product: Product) -> None:
    assert codes(evaluate(product, make_facts(answers={"patch_cadence_days": 91}))) == [
        "slow_patching"
    ]
    assert evaluate(product, make_facts(answers={"patch_cadence_days": 90})) == []


def test_card_data_without_edr_is_referred_with_both_facts(product: Product) -> None:
    facts = make_facts(company={"handles_card_data": True}, answers={"edr": False})
    issue = only(evaluate(product, facts), "card_data_without_edr")
    assert issue.facts == {"company.handles_card_data": True, "disclosure.edr": False}


def test_no_edr_without_card_data_is_not_the_card_data_rule(product: Product) -> None:
    assert "card_data_without_edr" not in codes(
        evaluate(product, make_facts(answers={"edr": False}))
    )


def test_a_company_field_of_the_wrong_type_is_refused_not_skipped(product: Product) -> None:
    with pytest.raises(InputError) as err:
        evaluate(product, make_facts(company={"annual_revenue": "lots"}))
    assert [p.path for p in err.value.problems] == ["company.annual_revenue"]


def test_a_wrong_answer_is_refused_by_evaluate_too(product: Product) -> None:
    with pytest.raises(InputError) as err:
        evaluate(product, make_facts(answers={"mfa": "yes"}))
    assert [p.path for p in err.value.problems] == ["disclosure.mfa"]


def test_an_issue_renders_as_json_with_its_facts(product: Product) -> None:
    issue = only(evaluate(product, make_facts(without=["mfa"])), "answers_missing_at_quote")
    data = issue.as_dict()
    assert data["facts"] == {"unanswered.quote": ["mfa"]}
    assert data["title"]["ja"] == "見積に必要な告知の未回答"
