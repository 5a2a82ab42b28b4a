"""Disclosure answers and ISMS certificate waivers (PRODUCT.md §7, docs/underwriting.md)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cybercover.errors import InputError
from cybercover.product import Product
from cybercover.underwriting import parse_isms, validate_answers, waived_questions
from tests.factories import CLEAN_ANSWERS, START, make_isms

SECURITY_CONTROLS = {
    "mfa",
    "edr",
    "offline_backups",
    "patch_cadence_days",
    "incident_response_plan",
    "staff_training",
    "email_filtering",
    "privileged_access_management",
}


def paths(err: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [p.path for p in err.value.problems]


def test_the_product_asks_every_code_the_rate_table_reads(product: Product) -> None:
    rated = {c.code for c in product.rating.security.controls} | {
        s.code for s in product.rating.security.surcharges
    }
    assert rated <= set(product.disclosure.codes)


def test_every_question_has_japanese_and_english_text(product: Product) -> None:
    for q in product.disclosure.questions:
        assert q.text.ja and q.text.en


def test_clean_answers_pass_and_nothing_is_missing_at_bind(product: Product) -> None:
    checked = validate_answers(product, CLEAN_ANSWERS, "bind", None, on=START)
    assert checked.complete
    assert checked.values["outsourced_it"] == "partly"


def test_a_quote_needs_only_the_quote_answers(product: Product) -> None:
    answers = {k: v for k, v in CLEAN_ANSWERS.items() if k != "known_circumstances"}
    assert validate_answers(product, answers, "quote", None, on=START).complete
    assert validate_answers(product, answers, "bind", None, on=START).missing == (
        "known_circumstances",
    )


def test_missing_answers_are_listed_in_question_order(product: Product) -> None:
    checked = validate_answers(product, {}, "quote", None, on=START)
    assert checked.missing == (
        "mfa",
        "edr",
        "offline_backups",
        "patch_cadence_days",
        "prior_incidents_3y",
        "rdp_exposed",
        "pending_claims",
    )


def test_a_wrong_type_names_the_question(product: Product) -> None:
    with pytest.raises(InputError) as err:
        validate_answers(
            product, {"mfa": "yes", "prior_incidents_3y": True}, "quote", None, on=START
        )
    assert paths(err) == ["disclosure.mfa", "disclosure.prior_incidents_3y"]
    assert err.value.problems[0].ja.startswith("はい")
    assert err.value.problems[0].en == "must be true or false"


def test_an_unknown_question_is_refused(product: Product) -> None:
    with pytest.raises(InputError) as err:
        validate_answers(product, {"favourite_colour": "blue"}, "quote", None, on=START)
    assert paths(err) == ["disclosure.favourite_colour"]
    assert err.value.problems[0].rule == "unknown_question"


def test_a_choice_not_offered_is_refused_with_the_choices(product: Product) -> None:
    with pytest.raises(InputError) as err:
        validate_answers(product, {"outsourced_it": "mostly"}, "bind", None, on=START)
    problem = err.value.problems[0]
    assert (problem.path, problem.rule) == ("disclosure.outsourced_it", "choice_not_allowed")
    assert "in_house, partly, fully" in problem.en


def test_a_number_below_the_minimum_is_refused(product: Product) -> None:
    with pytest.raises(InputError) as err:
        validate_answers(product, {"prior_incidents_3y": -1}, "quote", None, on=START)
    assert paths(err) == ["disclosure.prior_incidents_3y"]


def test_a_decimal_answer_is_read_exactly_from_a_string_or_a_float(product: Product) -> None:
    for raw in ("7.5", 7.5):
        checked = validate_answers(
            product, {"security_budget_percent": raw}, "quote", None, on=START
        )
        assert checked.values["security_budget_percent"] == Decimal("7.5")


def test_a_decimal_answer_above_100_percent_is_refused(product: Product) -> None:
    with pytest.raises(InputError) as err:
        validate_answers(product, {"security_budget_percent": "120"}, "quote", None, on=START)
    assert paths(err) == ["disclosure.security_budget_percent"]


def test_a_date_answer_is_read_from_iso_text(product: Product) -> None:
    checked = validate_answers(
        product, {"last_penetration_test": "2025-11-30"}, "quote", None, on=START
    )
    assert checked.values["last_penetration_test"] == date(2025, 11, 30)


def test_a_malformed_date_is_refused(product: Product) -> None:
    with pytest.raises(InputError) as err:
        validate_answers(product, {"last_penetration_test": "30/11/2025"}, "quote", None, on=START)
    assert paths(err) == ["disclosure.last_penetration_test"]


def test_a_text_answer_longer_than_allowed_is_refused(product: Product) -> None:
    with pytest.raises(InputError) as err:
        validate_answers(product, {"security_officer": "x" * 201}, "bind", None, on=START)
    assert paths(err) == ["disclosure.security_officer"]


def test_none_and_blank_text_are_no_answer(product: Product) -> None:
    checked = validate_answers(
        product, {"mfa": None, "security_officer": "  "}, "bind", None, on=START
    )
    assert "mfa" in checked.missing and "security_officer" in checked.missing


@pytest.mark.parametrize("body", ["JQA", "BSI-J"])
def test_a_valid_certificate_copy_from_jqa_or_bsi_j_waives_the_security_controls(
    product: Product, body: str
) -> None:
    assert waived_questions(product, make_isms(body), on=START) == SECURITY_CONTROLS


def test_a_waived_question_is_not_missing(product: Product) -> None:
    checked = validate_answers(product, {}, "quote", make_isms("BSI-J"), on=START)
    assert checked.missing == ("prior_incidents_3y", "rdp_exposed", "pending_claims")
    assert "mfa" in checked.waived


def test_a_certificate_from_another_body_waives_nothing(product: Product) -> None:
    assert waived_questions(product, make_isms("other"), on=START) == frozenset()


def test_a_certificate_expired_at_the_quote_date_waives_nothing(product: Product) -> None:
    expired = make_isms(expires_on=date(2026, 3, 31))
    assert waived_questions(product, expired, on=date(2026, 4, 1)) == frozenset()


def test_a_certificate_expiring_on_the_quote_date_still_counts(product: Product) -> None:
    assert waived_questions(product, make_isms(expires_on=START), on=START) == SECURITY_CONTROLS


def test_no_certificate_waives_nothing(product: Product) -> None:
    assert waived_questions(product, make_isms(certified=False), on=START) == frozenset()
    assert waived_questions(product, None, on=START) == frozenset()


def test_a_waived_question_answered_anyway_is_still_checked(product: Product) -> None:
    with pytest.raises(InputError) as err:
        validate_answers(product, {"mfa": 1}, "quote", make_isms(), on=START)
    assert paths(err) == ["disclosure.mfa"]


def test_an_isms_declaration_with_an_unknown_body_is_refused(product: Product) -> None:
    data = {
        "certified": True,
        "body": "ACME",
        "certificate_number": "1",
        "expires_on": "2027-01-01",
    }
    with pytest.raises(InputError) as err:
        parse_isms(product, data)
    assert paths(err) == ["isms.body"]


def test_a_certified_company_must_give_the_certificate_details(product: Product) -> None:
    with pytest.raises(InputError) as err:
        parse_isms(product, {"certified": True, "body": "JQA"})
    assert paths(err) == ["isms"]


def test_an_isms_declaration_is_parsed_from_json(product: Product) -> None:
    data = {
        "certified": True,
        "body": "BSI-J",
        "certificate_number": "IS 654321",
        "expires_on": "2027-06-30",
        "scope": "本社・データセンター",
    }
    cert = parse_isms(product, data)
    assert cert is not None and cert.expires_on == date(2027, 6, 30)
    assert parse_isms(product, None) is None
