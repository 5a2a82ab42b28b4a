"""The condition language of underwriting rules: shape and references are refused at
product-file load with the field path; evaluation edge cases (docs/underwriting.md)."""

from __future__ import annotations

from typing import Any

import pytest

from cybercover.errors import ProductFileError
from cybercover.product import Product
from cybercover.product.loader import parse_product
from cybercover.underwriting import evaluate
from tests.factories import make_facts, product_data


def with_rule(condition: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data = product_data()
    rule = {
        "code": "test_rule",
        "title": {"ja": "テスト", "en": "Test"},
        "message": {"ja": "テスト", "en": "Test"},
        "condition": condition,
        "action": "refer",
        "blocking_point": "quote",
        "authority": "underwriter",
        "source": "test",
        **overrides,
    }
    data["underwriting"]["rules"] = [rule, *data["underwriting"]["rules"]]
    return data


def refused(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ProductFileError) as err:
        parse_product(data)
    return [(p.path, p.rule) for p in err.value.problems]


def loaded(condition: dict[str, Any]) -> Product:
    """The product with only the test rule, so an issue raised is the test rule's."""
    data = with_rule(condition)
    data["underwriting"]["rules"] = data["underwriting"]["rules"][:1]
    return parse_product(data)


def test_an_unknown_operator_is_refused_at_load_with_its_path() -> None:
    data = with_rule({"field": "disclosure.mfa", "op": "like", "value": False})
    assert refused(data) == [("underwriting.rules[0].condition.op", "literal_error")]


def test_an_unknown_operator_deep_inside_any_names_its_path() -> None:
    data = with_rule({"any": [{"all": [{"field": "disclosure.mfa", "op": "eval", "value": 1}]}]})
    assert refused(data) == [("underwriting.rules[0].condition.any[0].all[0].op", "literal_error")]


def test_an_unknown_field_is_refused_at_load() -> None:
    data = with_rule({"field": "disclosure.favourite_colour", "op": "eq", "value": "blue"})
    assert refused(data) == [("underwriting.rules[0].condition.field", "unknown_field")]


def test_an_unknown_namespace_is_refused_at_load() -> None:
    data = with_rule({"field": "os.system", "op": "present"})
    assert refused(data) == [("underwriting.rules[0].condition.field", "unknown_field")]


def test_a_value_of_the_wrong_type_for_the_field_is_refused_at_load() -> None:
    data = with_rule({"field": "disclosure.mfa", "op": "eq", "value": "no"})
    assert refused(data) == [("underwriting.rules[0].condition.value", "value_not_for_field")]


def test_a_choice_value_the_question_does_not_offer_is_refused_at_load() -> None:
    data = with_rule({"field": "disclosure.outsourced_it", "op": "in", "value": ["mostly"]})
    assert refused(data) == [("underwriting.rules[0].condition.value", "value_not_for_field")]


def test_ordering_a_yes_no_answer_is_refused_at_load() -> None:
    data = with_rule({"field": "disclosure.mfa", "op": "gt", "value": 0})
    assert refused(data) == [("underwriting.rules[0].condition.op", "operator_not_for_field")]


def test_a_comparison_without_a_value_is_refused_at_load() -> None:
    data = with_rule({"field": "limits.liability", "op": "gt"})
    assert refused(data) == [("underwriting.rules[0].condition", "value_error")]


def test_a_condition_with_both_a_field_and_any_is_refused() -> None:
    data = with_rule(
        {"field": "disclosure.mfa", "op": "missing", "any": [{"field": "x.y", "op": "missing"}]}
    )
    assert refused(data)[0] == ("underwriting.rules[0].condition", "value_error")


def test_an_empty_all_is_refused() -> None:
    assert refused(with_rule({"all": []})) == [("underwriting.rules[0].condition", "value_error")]


def test_an_unknown_named_list_is_refused() -> None:
    data = with_rule({"field": "company.prefecture", "op": "in", "values_from": "states"})
    assert refused(data) == [("underwriting.rules[0].condition.values_from", "unknown_list")]


def test_an_unknown_authority_is_refused() -> None:
    data = with_rule({"field": "disclosure.mfa", "op": "missing"}, authority="ceo")
    assert refused(data) == [("underwriting.rules[0].authority", "unknown_authority")]


def test_an_unknown_action_is_refused() -> None:
    data = with_rule({"field": "disclosure.mfa", "op": "missing"}, action="ignore")
    assert refused(data) == [("underwriting.rules[0].action", "literal_error")]


def test_a_limit_that_is_not_a_limit_of_the_product_is_refused() -> None:
    data = with_rule({"field": "limits.cyber_extortion", "op": "gt", "value": 1})
    assert refused(data) == [("underwriting.rules[0].condition.field", "unknown_field")]


def test_a_comparison_on_a_missing_fact_is_false() -> None:
    product = loaded({"field": "disclosure.mfa", "op": "ne", "value": True})
    assert evaluate(product, make_facts(without=["mfa"])) == []
    assert len(evaluate(product, make_facts(answers={"mfa": False}))) == 1


def test_missing_and_present_test_whether_a_fact_has_a_value() -> None:
    missing = loaded({"field": "disclosure.security_budget_percent", "op": "missing"})
    present = loaded({"field": "disclosure.security_budget_percent", "op": "present"})
    assert len(evaluate(missing, make_facts())) == 1
    assert evaluate(present, make_facts()) == []
    assert len(evaluate(present, make_facts(answers={"security_budget_percent": 5}))) == 1


def test_a_decimal_threshold_compares_exactly() -> None:
    product = loaded({"field": "company.overseas_sales_ratio", "op": "gt", "value": 0.3})
    assert evaluate(product, make_facts(company={"overseas_sales_ratio": "0.3"})) == []
    assert len(evaluate(product, make_facts(company={"overseas_sales_ratio": "0.31"}))) == 1


def test_a_number_is_never_equal_to_a_boolean() -> None:
    # True == 1 in Python; a condition must not treat a yes/no fact as a count
    product = loaded({"field": "company.employees", "op": "eq", "value": 1})
    assert len(evaluate(product, make_facts(company={"employees": 1}))) == 1
    with pytest.raises(ProductFileError):
        loaded({"field": "company.employees", "op": "eq", "value": True})


def test_any_reports_every_branch_that_held() -> None:
    product = loaded(
        {
            "any": [
                {"field": "disclosure.mfa", "op": "eq", "value": False},
                {"field": "disclosure.edr", "op": "eq", "value": False},
            ]
        }
    )
    issues = evaluate(product, make_facts(answers={"mfa": False, "edr": False}))
    assert issues[0].facts == {"disclosure.mfa": False, "disclosure.edr": False}


def test_all_needs_every_part() -> None:
    product = loaded(
        {
            "all": [
                {"field": "disclosure.mfa", "op": "eq", "value": False},
                {"field": "limits.liability", "op": "ge", "value": 100_000_000},
            ]
        }
    )
    assert evaluate(product, make_facts(answers={"mfa": False}))[0].facts == {
        "disclosure.mfa": False,
        "limits.liability": 100_000_000,
    }
    small = make_facts(
        answers={"mfa": False}, limits={"liability": 50_000_000, "response_costs": 1}
    )
    assert evaluate(product, small) == []


def test_isms_facts_can_be_tested() -> None:
    from tests.factories import make_isms

    product = loaded({"field": "isms.waives", "op": "eq", "value": True})
    assert evaluate(product, make_facts()) == []
    assert len(evaluate(product, make_facts(isms=make_isms()))) == 1
    assert evaluate(product, make_facts(isms=make_isms("other"))) == []
