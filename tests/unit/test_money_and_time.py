"""Yen formatting and the period rules."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from cybercover.money import format_yen, format_yen_en, format_yen_short
from cybercover.timeutil import JST, add_years, period_start


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0, "0円"),
        (1_000_000_000, "10億円"),
        (2_000_000_000, "20億円"),
        (25_000_000, "2,500万円"),
        (1_234_500_000, "12億3,450万円"),
        (100_000, "10万円"),
        (123_456, "123,456円"),
    ],
)
def test_short_yen_uses_man_and_oku_only_when_no_yen_is_hidden(amount: int, text: str) -> None:
    assert format_yen_short(amount) == text


def test_full_yen_in_japanese_and_english() -> None:
    assert format_yen(1_000_000_000) == "1,000,000,000円"
    assert format_yen_en(1_200) == "1,200 yen"


def test_a_float_is_never_an_amount() -> None:
    with pytest.raises(TypeError):
        format_yen(1.0)  # type: ignore[arg-type]


def test_a_date_starts_at_midnight_in_tokyo_and_29_february_rolls_to_1_march() -> None:
    assert period_start(date(2026, 4, 1)) == datetime(2026, 4, 1, tzinfo=JST)
    assert add_years(datetime(2028, 2, 29, 9, tzinfo=JST), 1) == datetime(2029, 3, 1, 9, tzinfo=JST)


def test_a_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        period_start(datetime(2026, 4, 1))
