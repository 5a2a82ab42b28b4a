"""How documents write dates, period bounds and amounts (和暦 beside the Gregorian date)."""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction

import pytest

from cybercover.documents.formats import (
    date_text,
    datetime_text,
    hours_text,
    limit_text,
    moment_text,
    wareki,
    yen,
)
from cybercover.timeutil import JST


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 4, 1), "令和8年4月1日"),
        (date(2019, 5, 1), "令和元年5月1日"),  # the first day of Reiwa: 元年
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1926, 12, 25), "昭和元年12月25日"),
    ],
)
def test_the_japanese_era_turns_over_on_its_first_day(day: date, expected: str) -> None:
    assert wareki(day) == expected


def test_a_date_before_the_gregorian_calendar_in_japan_is_refused() -> None:
    with pytest.raises(ValueError):
        wareki(date(1872, 12, 31))


def test_dates_carry_the_era_in_japanese_and_read_plainly_in_english() -> None:
    assert date_text(date(2026, 4, 1), "ja") == "2026年4月1日（令和8年4月1日）"
    assert date_text(date(2026, 4, 1), "en") == "1 April 2026"
    # a moment is dated in Tokyo: 15:30 UTC on 31 March is 1 April in Japan
    moment = datetime.fromisoformat("2026-03-31T15:30:00+00:00")
    assert date_text(moment, "ja") == "2026年4月1日（令和8年4月1日）"
    assert datetime_text(moment, "ja") == "2026年4月1日（令和8年4月1日） 0時30分"
    assert datetime_text(moment, "en") == "1 April 2026 00:30 JST"


@pytest.mark.parametrize(
    ("hour", "minute", "ja"),
    [(0, 0, "午前0時"), (16, 0, "午後4時"), (12, 30, "午後0時30分"), (11, 59, "午前11時59分")],
)
def test_period_bounds_are_written_with_gozen_and_gogo(hour: int, minute: int, ja: str) -> None:
    moment = datetime(2026, 4, 1, hour, minute, tzinfo=JST)
    assert moment_text(moment, "ja") == f"2026年4月1日（令和8年4月1日） {ja}"
    assert moment_text(moment, "en") == f"1 April 2026, {hour:02d}:{minute:02d} JST"


def test_limits_are_written_in_oku_and_man_beside_the_full_figure() -> None:
    assert limit_text(2_000_000_000, "ja") == "20億円（2,000,000,000円）"
    assert limit_text(30_000_000, "ja") == "3,000万円（30,000,000円）"
    assert limit_text(1_234_500_000, "ja") == "12億3,450万円（1,234,500,000円）"
    assert limit_text(123_456_789, "ja") == "123,456,789円"  # not a whole 万: no short form
    assert limit_text(2_000_000_000, "en") == "2,000,000,000 yen"
    assert yen(1_100_000, "ja") == "1,100,000円"
    assert yen(0, "en") == "0 yen"


def test_hours_keep_their_fraction() -> None:
    assert hours_text(Fraction(7, 2), "ja") == "3.5時間"
    assert hours_text("12", "en") == "12 hours"
    assert hours_text(Fraction(1), "en") == "1 hour"
