"""How documents write dates, times, periods and amounts, in Japanese and in English.

Dates are Asia/Tokyo. Japanese documents put the Japanese era (和暦) beside the
Gregorian date, as Japanese forms do: ``2026年4月1日（令和8年4月1日）``; the first year of
an era is 元年. Amounts are 円 with thousands separators; limits, which people read in
万/億, are written both ways (``20億円（2,000,000,000円）``).
"""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction
from typing import Literal

from cybercover.money import format_yen, format_yen_en, format_yen_short
from cybercover.timeutil import JST

__all__ = [
    "Lang",
    "date_text",
    "datetime_text",
    "hours_text",
    "limit_text",
    "moment_text",
    "wareki",
    "yen",
]

Lang = Literal["ja", "en"]

# (first day, era name); the first day of each era of the modern calendar
_ERAS: tuple[tuple[date, str], ...] = (
    (date(2019, 5, 1), "令和"),
    (date(1989, 1, 8), "平成"),
    (date(1926, 12, 25), "昭和"),
    (date(1912, 7, 30), "大正"),
    (date(1873, 1, 1), "明治"),  # the Gregorian calendar from Meiji 6
)
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def wareki(day: date) -> str:
    """``date(2026, 4, 1)`` → ``"令和8年4月1日"``; ``date(2019, 5, 1)`` → ``"令和元年5月1日"``."""
    for first, name in _ERAS:
        if day >= first:
            year = day.year - first.year + 1
            return f"{name}{'元' if year == 1 else year}年{day.month}月{day.day}日"
    raise ValueError(f"{day.isoformat()} is before the Gregorian calendar in Japan (1873)")


def _day(value: date | datetime) -> date:
    return value.astimezone(JST).date() if isinstance(value, datetime) else value


def date_text(value: date | datetime, lang: Lang) -> str:
    """A date (a datetime is taken in Tokyo): ``2026年4月1日（令和8年4月1日）`` / ``1 April 2026``."""
    day = _day(value)
    if lang == "ja":
        return f"{day.year}年{day.month}月{day.day}日（{wareki(day)}）"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def datetime_text(moment: datetime, lang: Lang) -> str:
    """A moment in Tokyo: ``2026年7月10日（令和8年7月10日）2時15分`` / ``10 July 2026 02:15 JST``."""
    local = moment.astimezone(JST)
    if lang == "ja":
        return f"{date_text(local, 'ja')} {local.hour}時{local.minute:02d}分"
    return f"{date_text(local, 'en')} {local:%H:%M} JST"


def moment_text(moment: datetime, lang: Lang) -> str:
    """A period bound the Japanese way: ``2026年4月1日（令和8年4月1日）午前0時`` (午前/午後,
    12-hour clock, minutes only when not on the hour) / ``1 April 2026, 00:00 JST``."""
    local = moment.astimezone(JST)
    if lang == "en":
        return f"{date_text(local, 'en')}, {local:%H:%M} JST"
    half = "午前" if local.hour < 12 else "午後"
    hour = local.hour % 12
    minutes = f"{local.minute}分" if local.minute else ""
    return f"{date_text(local, 'ja')} {half}{hour}時{minutes}"


def yen(amount: int, lang: Lang) -> str:
    """``1234567`` → ``1,234,567円`` / ``1,234,567 yen``."""
    return format_yen(amount) if lang == "ja" else format_yen_en(amount)


def limit_text(amount: int, lang: Lang) -> str:
    """A limit as people read it: ``20億円（2,000,000,000円）``; ``2,000,000,000 yen``.

    An amount that is not a whole 万 (or is under 1万) has no short form to add.
    """
    if lang == "en":
        return format_yen_en(amount)
    short = format_yen_short(amount)
    long = format_yen(amount)
    return long if short == long else f"{short}（{long}）"


def hours_text(hours: Fraction | str, lang: Lang) -> str:
    """``Fraction(7, 2)`` or ``"3.5"`` → ``3.5時間`` / ``3.5 hours``."""
    value = Fraction(hours)
    text = (
        str(value.numerator)
        if value.denominator == 1
        else f"{float(value):.6f}".rstrip("0").rstrip(".")
    )
    return f"{text}時間" if lang == "ja" else f"{text} hour{'' if value == 1 else 's'}"
