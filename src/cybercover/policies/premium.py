"""Premium arithmetic of the policy lifecycle: pro rata, short rate, earned, instalments.

All in integer yen with exact fractions; every result is floored to the yen once
(ours: the insured is never charged a fraction of a yen more, and refunds are floored
likewise; the remainder of an instalment split goes on the first instalment).
"""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction

from cybercover.policies.model import PolicyRulesDef

__all__ = [
    "days_between",
    "earned_premium",
    "earned_to_date",
    "instalments",
    "pro_rata",
    "return_premium",
    "short_rate_retained",
]


def _floor(value: Fraction) -> int:
    return value.numerator // value.denominator


def days_between(start: datetime, end: datetime) -> int:
    """Whole days from ``start`` to ``end`` (both aware datetimes)."""
    return (end - start).days


def pro_rata(amount: int, part_days: int, period_days: int) -> int:
    """``amount × part_days / period_days``, floored (e.g. the additional premium of an
    endorsement for the days left)."""
    if period_days <= 0:
        raise ValueError("period_days must be positive")
    part_days = min(max(part_days, 0), period_days)
    return _floor(Fraction(amount * part_days, period_days))


def earned_premium(written: int, elapsed_days: int, period_days: int) -> int:
    """Premium earned by day: written × elapsed / period (floored)."""
    return pro_rata(written, elapsed_days, period_days)


def earned_to_date(
    written: int, start: datetime, end: datetime, ended_at: datetime | None, at: datetime
) -> int:
    """Premium earned by day from ``start`` to ``at`` (stopping at a cancellation or lapse
    ``ended_at`` and at ``end``), of the premium written."""
    stop = min(at, ended_at or end, end)
    return earned_premium(written, max(days_between(start, stop), 0), days_between(start, end))


def short_rate_retained(rules: PolicyRulesDef, elapsed_days: int) -> int:
    """Percent of the annual premium the insurer keeps after ``elapsed_days`` (短期率)."""
    for step in rules.short_rate:
        if elapsed_days <= step.up_to_days:
            return step.retained_percent
    return 100


def return_premium(
    rules: PolicyRulesDef, *, premium: int, elapsed_days: int, period_days: int, method: str
) -> int:
    """What goes back to the insured on cancellation, floored to the yen."""
    if method == "pro_rata":
        return pro_rata(premium, period_days - elapsed_days, period_days)
    kept = short_rate_retained(rules, elapsed_days)
    return _floor(Fraction(premium * (100 - kept), 100))


def instalments(total: int, count: int) -> list[int]:
    """Equal instalments; the yen left over by the split go on the first one."""
    if count < 1:
        raise ValueError("count must be at least 1")
    base, rest = divmod(total, count)
    return [base + rest] + [base] * (count - 1)
