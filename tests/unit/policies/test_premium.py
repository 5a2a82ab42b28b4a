"""Premium arithmetic of the lifecycle and policy numbers, figures by hand."""

from __future__ import annotations

from datetime import datetime

import pytest

from cybercover.policies import (
    instalments,
    is_valid_policy_number,
    policy_number,
    pro_rata,
    return_premium,
    short_rate_retained,
)
from cybercover.policies.premium import earned_to_date
from cybercover.product import Product
from cybercover.timeutil import JST

START = datetime(2026, 4, 1, tzinfo=JST)
END = datetime(2027, 4, 1, tzinfo=JST)


def test_pro_rata_is_floored_to_the_yen() -> None:
    # 100,000 × 182 / 365 = 49,863.01… → 49,863
    assert pro_rata(100_000, 182, 365) == 49_863
    assert pro_rata(100_000, 400, 365) == 100_000  # never more than the period
    assert pro_rata(100_000, -3, 365) == 0


def test_the_short_rate_table_keeps_a_share_by_days_elapsed(product: Product) -> None:
    rules = product.policy
    assert [short_rate_retained(rules, d) for d in (0, 7, 8, 31, 32, 244, 245, 246, 365)] == [
        10,
        10,
        15,
        25,
        35,
        80,
        80,
        85,
        100,
    ]


def test_return_premium_short_rate_and_pro_rata(product: Product) -> None:
    rules = product.policy
    # short rate after 100 days keeps 55 %: 120,001 × 45 % = 54,000.45 → 54,000
    assert (
        return_premium(
            rules, premium=120_001, elapsed_days=100, period_days=365, method="short_rate"
        )
        == 54_000
    )
    # pro rata: 120,001 × 265 / 365 = 87,124.7… → 87,124
    assert (
        return_premium(rules, premium=120_001, elapsed_days=100, period_days=365, method="pro_rata")
        == 87_124
    )


def test_instalments_put_the_remainder_on_the_first() -> None:
    # 12 × 8,333 = 99,996: the 7 yen left go on the first instalment
    assert instalments(100_003, 12) == [8_340] + [8_333] * 11
    assert sum(instalments(100_003, 12)) == 100_003
    assert instalments(5, 1) == [5]
    with pytest.raises(ValueError):
        instalments(5, 0)


def test_earned_premium_by_day_stops_at_a_cancellation() -> None:
    # 36,500 yen over 365 days: 100 yen a day
    assert earned_to_date(36_500, START, END, None, datetime(2026, 4, 11, 12, tzinfo=JST)) == 1_000
    assert earned_to_date(36_500, START, END, datetime(2026, 4, 6, tzinfo=JST), END) == 500
    assert earned_to_date(36_500, START, END, None, datetime(2030, 1, 1, tzinfo=JST)) == 36_500


def test_policy_numbers_carry_a_luhn_check_digit() -> None:
    number = policy_number("CY", 2026, 123)
    assert number == "CY-2026-000123-" + number[-1]
    assert is_valid_policy_number(number)
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert not is_valid_policy_number(wrong)
    assert not is_valid_policy_number("CY-2026-123-4")
