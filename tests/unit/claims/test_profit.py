"""Loss of profit (喪失利益, REFERENCE.md §3): figures worked by hand in the comments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from cybercover.claims import (
    ProfitLossInput,
    compute_profit_loss,
    format_rate,
    parse_profit_loss_input,
)
from cybercover.errors import InputError

CLAIM: dict[str, Any] = {
    "standard_revenue": 12_000_000,
    "trend_factor": "1.05",
    "actual_revenue": 4_000_000,
    "operating_profit": 30_000_000,
    "insured_fixed_costs": 50_000_000,
    "annual_revenue": 200_000_000,
    "fixed_costs_saved": 200_000,
    "mitigation_costs": 500_000,
    "shortfall_avoided": 1_000_000,
    "indemnity_period": {"start": "2026-06-01", "end": "2026-06-30", "max_days": 90},
}


def claim(**changes: Any) -> ProfitLossInput:
    return parse_profit_loss_input({**CLAIM, **changes})


def problems(data: dict[str, Any]) -> dict[str, str]:
    """Field path → rule code of every problem found."""
    with pytest.raises(InputError) as info:
        compute_profit_loss(parse_profit_loss_input(data))
    return {p.path: p.rule for p in info.value.problems}


def test_the_worked_example_pays_loss_of_profit_plus_capped_mitigation_costs() -> None:
    result = compute_profit_loss(claim())
    # rate = (30,000,000 + 50,000,000) / 200,000,000 = 0.4
    assert result.profit_rate == Fraction(2, 5)
    # 12,000,000 × 1.05 = 12,600,000; − 4,000,000 = 8,600,000
    assert result.row("adjusted_standard_revenue").amount == 12_600_000
    assert result.revenue_shortfall == 8_600_000
    # 8,600,000 × 0.4 = 3,440,000; − 200,000 saved = 3,240,000
    assert result.row("profit_on_shortfall").amount == 3_440_000
    assert result.loss_of_profit == 3_240_000
    # cap 1,000,000 × 0.4 = 400,000 < 500,000 spent → 400,000
    assert result.row("mitigation_cap").amount == 400_000
    assert result.mitigation_payable == 400_000
    # 3,240,000 + 400,000 = 3,640,000
    assert result.total == 3_640_000
    assert result.indemnity_days == 30


def test_every_step_is_a_row_with_labels_and_its_formula() -> None:
    result = compute_profit_loss(claim())
    assert [r.code for r in result.rows] == [
        "adjusted_standard_revenue",
        "revenue_shortfall",
        "profit_on_shortfall",
        "fixed_costs_saved",
        "loss_of_profit",
        "mitigation_costs",
        "mitigation_cap",
        "mitigation_payable",
        "total",
    ]
    assert result.row("revenue_shortfall").ja == "営業収益減少額"
    assert result.row("loss_of_profit").ja == "喪失利益"
    assert result.row("adjusted_standard_revenue").formula == "12,000,000 × 1.05"
    assert result.row("profit_on_shortfall").formula == (
        "8,600,000 × 0.4 ((30,000,000 + 50,000,000) / 200,000,000)"
    )
    assert result.row("mitigation_payable").formula == "min(500,000, 400,000)"
    assert result.row("total").formula == "3,240,000 + 400,000"
    assert [r.code for r in result.rows if r.floored] == [
        "adjusted_standard_revenue",
        "profit_on_shortfall",
        "mitigation_cap",
    ]


def test_the_inputs_are_kept_with_the_result() -> None:
    inp = claim()
    result = compute_profit_loss(inp)
    assert result.inputs is inp
    out = result.as_dict()
    assert out["inputs"]["trend_factor"] == "1.05"
    assert out["profit_rate"] == "0.4"
    assert out["total"] == 3_640_000
    assert out["rows"][-1] == {
        "code": "total",
        "ja": "利益損害の額（喪失利益 + 収益減少防止費用）",
        "en": "loss of profit plus mitigation costs payable",
        "formula": "3,240,000 + 400,000",
        "amount": 3_640_000,
        "floored": False,
    }


def test_mitigation_costs_below_the_cap_are_paid_in_full() -> None:
    # cap 1,000,000 × 0.4 = 400,000 ≥ 300,000 spent → 300,000; total 3,240,000 + 300,000
    result = compute_profit_loss(claim(mitigation_costs=300_000))
    assert result.mitigation_payable == 300_000
    assert result.total == 3_540_000


def test_actual_revenue_above_standard_is_no_shortfall_and_no_loss() -> None:
    # 12,600,000 − 13,000,000 < 0 → 0; 0 × 0.4 − 200,000 < 0 → 0; mitigation still 400,000
    result = compute_profit_loss(claim(actual_revenue=13_000_000))
    assert result.revenue_shortfall == 0
    assert result.loss_of_profit == 0
    assert result.total == 400_000


def test_fixed_costs_saved_above_the_loss_leave_nothing_not_a_negative_amount() -> None:
    # 3,440,000 − 5,000,000 < 0 → 0
    result = compute_profit_loss(claim(fixed_costs_saved=5_000_000, mitigation_costs=0))
    assert result.loss_of_profit == 0
    assert result.total == 0


def test_the_trend_factor_defaults_to_one() -> None:
    data = {k: v for k, v in CLAIM.items() if k != "trend_factor"}
    result = compute_profit_loss(parse_profit_loss_input(data))
    # 12,000,000 − 4,000,000 = 8,000,000; × 0.4 = 3,200,000; − 200,000 = 3,000,000
    assert result.inputs.trend_factor == Decimal(1)
    assert result.revenue_shortfall == 8_000_000
    assert result.loss_of_profit == 3_000_000


@pytest.mark.parametrize("given", ["1.05", Decimal("1.05"), 1.05])
def test_a_trend_factor_is_read_as_an_exact_decimal(given: object) -> None:
    # a JSON float 1.05 is read via repr, so it is exactly 1.05, never 1.0500000000000000444
    inp = claim(trend_factor=given)
    assert inp.trend_factor == Decimal("1.05")
    assert compute_profit_loss(inp).revenue_shortfall == 8_600_000


def test_each_product_is_floored_once_to_the_yen() -> None:
    # rate = (1 + 0) / 3 = 1/3 (never rounded)
    # 1,000 × 1.0005 = 1,000.5 → 1,000; shortfall 1,000 − 0 = 1,000
    # 1,000 × 1/3 = 333.33… → 333; cap 100 × 1/3 = 33.33… → 33; min(50, 33) = 33
    result = compute_profit_loss(
        claim(
            standard_revenue=1_000,
            trend_factor="1.0005",
            actual_revenue=0,
            operating_profit=1,
            insured_fixed_costs=0,
            annual_revenue=3,
            fixed_costs_saved=0,
            mitigation_costs=50,
            shortfall_avoided=100,
        )
    )
    assert result.profit_rate == Fraction(1, 3)
    assert result.row("adjusted_standard_revenue").amount == 1_000
    assert result.loss_of_profit == 333
    assert result.mitigation_payable == 33
    assert result.total == 366
    assert result.row("profit_on_shortfall").formula == "1,000 × 1/3 ((1 + 0) / 3)"


def test_an_operating_loss_smaller_than_fixed_costs_still_gives_a_rate() -> None:
    # (−10,000,000 + 50,000,000) / 200,000,000 = 0.2; 8,600,000 × 0.2 = 1,720,000
    result = compute_profit_loss(claim(operating_profit=-10_000_000))
    assert result.profit_rate == Fraction(1, 5)
    assert result.row("profit_on_shortfall").amount == 1_720_000


def test_an_indemnity_period_of_exactly_the_maximum_is_accepted() -> None:
    period = {"start": "2026-06-01", "end": "2026-06-30", "max_days": 30}
    assert compute_profit_loss(claim(indemnity_period=period)).indemnity_days == 30


def test_an_indemnity_period_longer_than_the_maximum_names_the_end_date() -> None:
    period = {"start": "2026-06-01", "end": "2026-07-01", "max_days": 30}
    with pytest.raises(InputError) as info:
        parse_profit_loss_input({**CLAIM, "indemnity_period": period})
    (problem,) = info.value.problems
    assert problem.path == "indemnity_period.end"
    assert problem.rule == "indemnity_period_too_long"
    assert "31" in problem.en and "30" in problem.en


def test_compute_checks_the_period_of_an_input_built_directly() -> None:
    inp = ProfitLossInput.model_validate(
        {
            **CLAIM,
            "indemnity_period": {
                "start": date(2026, 6, 1),
                "end": date(2026, 12, 1),
                "max_days": 90,
            },
        }
    )
    with pytest.raises(InputError) as info:
        compute_profit_loss(inp)
    assert [p.path for p in info.value.problems] == ["indemnity_period.end"]


def test_an_indemnity_period_ending_before_it_starts_is_refused() -> None:
    period = {"start": "2026-06-10", "end": "2026-06-01", "max_days": 90}
    assert problems({**CLAIM, "indemnity_period": period}) == {
        "indemnity_period.end": "indemnity_period_reversed"
    }


def test_a_negative_profit_rate_is_refused_naming_operating_profit() -> None:
    assert problems({**CLAIM, "operating_profit": -60_000_000}) == {
        "operating_profit": "profit_rate_negative"
    }


def test_every_field_error_is_reported_at_once_with_its_path() -> None:
    data = {
        **CLAIM,
        "standard_revenue": 1.5,
        "actual_revenue": "4000000",
        "fixed_costs_saved": -1,
        "annual_revenue": 0,
        "trend_factor": "abc",
        "shortfall_avoided": True,
        "surprise": 1,
        "indemnity_period": {"start": "2026-06-01", "end": "June", "max_days": 0},
    }
    del data["operating_profit"]
    assert problems(data) == {
        "standard_revenue": "int_type",
        "actual_revenue": "int_type",
        "fixed_costs_saved": "greater_than_equal",
        "annual_revenue": "greater_than",
        "trend_factor": "value_error",
        "shortfall_avoided": "int_type",
        "surprise": "extra_forbidden",
        "operating_profit": "missing",
        "indemnity_period.end": "date_from_datetime_parsing",
        "indemnity_period.max_days": "greater_than",
    }


def test_a_zero_or_negative_trend_factor_is_refused() -> None:
    assert problems({**CLAIM, "trend_factor": "0"}) == {"trend_factor": "greater_than"}


def test_paths_carry_the_prefix_given() -> None:
    with pytest.raises(InputError) as info:
        parse_profit_loss_input({**CLAIM, "actual_revenue": None}, prefix=("claim",))
    assert [p.path for p in info.value.problems] == ["claim.actual_revenue"]


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        (Fraction(2, 5), "0.4"),
        (Fraction(21, 20), "1.05"),
        (Fraction(1), "1"),
        (Fraction(0), "0"),
        (Fraction(1, 3), "1/3"),
        (Fraction(1, 200), "0.005"),
        (Fraction(-1, 4), "-0.25"),
    ],
)
def test_rates_are_shown_exactly(rate: Fraction, text: str) -> None:
    assert format_rate(rate) == text
