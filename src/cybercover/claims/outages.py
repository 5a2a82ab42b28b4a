"""The longest unbroken interruption, from outage intervals (PRODUCT.md §3 ※3).

Intervals that overlap or touch are one interruption; separate ones never add up
(REFERENCE.md §3: two 2-hour outages under a 3-hour waiting period pay nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from cybercover.errors import InputError, Problem

__all__ = ["longest_unbroken_hours"]


def longest_unbroken_hours(
    intervals: Sequence[tuple[datetime, datetime]], path: str = "outages"
) -> Decimal:
    """Hours of the longest unbroken interruption, exact to the microsecond."""
    problems = []
    for i, (start, end) in enumerate(intervals):
        if start.tzinfo is None or end.tzinfo is None:
            problems.append(
                Problem(
                    f"{path}[{i}]",
                    "timezone_aware",
                    "時差付きの日時で指定してください",
                    "start and end must carry a UTC offset",
                )
            )
        elif end < start:
            problems.append(
                Problem(
                    f"{path}[{i}].end",
                    "end_before_start",
                    "終了が開始より前です",
                    "the end is before the start",
                )
            )
    if problems:
        raise InputError(problems)
    longest = 0
    current: tuple[datetime, datetime] | None = None
    for start, end in sorted(intervals):
        if current is not None and start <= current[1]:
            current = (current[0], max(current[1], end))
        else:
            current = (start, end)
        span = current[1] - current[0]
        longest = max(
            longest, span.days * 86_400_000_000 + span.seconds * 1_000_000 + span.microseconds
        )
    return Decimal(longest) / Decimal(3_600_000_000)
