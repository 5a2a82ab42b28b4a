"""The longest unbroken interruption, from intervals (REFERENCE.md §3)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from cybercover.claims import longest_unbroken_hours
from cybercover.errors import InputError
from cybercover.timeutil import JST


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 7, 10, hour, minute, tzinfo=JST)


def test_two_separate_two_hour_outages_never_add_up() -> None:
    assert longest_unbroken_hours([(at(1), at(3)), (at(5), at(7))]) == Decimal(2)


def test_overlapping_or_touching_intervals_are_one_interruption() -> None:
    assert longest_unbroken_hours([(at(10), at(12)), (at(11), at(14))]) == Decimal(4)
    assert longest_unbroken_hours([(at(10), at(12)), (at(12), at(13, 30))]) == Decimal("3.5")


def test_an_interval_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(InputError) as info:
        longest_unbroken_hours([(at(5), at(4))])
    assert info.value.problems[0].path == "outages[0].end"
