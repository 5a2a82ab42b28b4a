"""Time rules: aware datetimes, stored in UTC, shown in Asia/Tokyo; half-open periods."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

__all__ = ["JST", "add_years", "period_start", "to_utc"]

JST = ZoneInfo("Asia/Tokyo")


def to_utc(moment: datetime) -> datetime:
    """The same instant in UTC; a naive datetime is refused (it names no instant)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: a time must carry its offset")
    return moment.astimezone(UTC)


def period_start(start: date | datetime) -> datetime:
    """A policy start as an aware datetime.

    A plain date means 00:00 Asia/Tokyo that day (DESIGN.md: a policy from 2026-04-01
    ends at 2027-04-01 00:00 JST).
    """
    if isinstance(start, datetime):
        to_utc(start)  # refuses naive
        return start
    return datetime.combine(start, time(0, 0), tzinfo=JST)


def add_years(moment: datetime, years: int) -> datetime:
    """Same wall-clock time ``years`` later; 29 February rolls to 1 March.

    This is the period end rule of the product (PRODUCT.md §5, one year): a policy
    that starts on 29 February ends on 1 March, so the period never loses a day.
    """
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February into a common year
        return moment.replace(year=moment.year + years, month=3, day=1)
