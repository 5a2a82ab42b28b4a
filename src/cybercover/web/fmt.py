"""How pages show amounts, dates and durations, in Japanese or English.

Amounts are ``int`` yen: limits with 万/億 in Japanese (``format_yen_short``), every
other amount to the yen. Times are shown in Asia/Tokyo; Japanese dates carry the 和暦
(era year) beside the Western date, as Japanese forms do.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from cybercover.money import format_yen, format_yen_en, format_yen_short
from cybercover.timeutil import JST

__all__ = [
    "duration",
    "era_year",
    "jst_date",
    "jst_datetime",
    "local_input",
    "localised",
    "yen",
    "yen_short",
]

# (first day, era name) newest first: 令和, 平成, 昭和
_ERAS = ((date(2019, 5, 1), "令和"), (date(1989, 1, 8), "平成"), (date(1926, 12, 25), "昭和"))
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def era_year(day: date) -> str:
    """``date(2026, 7, 10)`` → ``"令和8年"``; the first year of an era is 元年."""
    for start, name in _ERAS:
        if day >= start:
            number = day.year - start.year + 1
            return f"{name}{'元' if number == 1 else number}年"
    return ""


def _moment(value: str | date | datetime | None) -> date | datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime: a time must carry its offset")
        return value.astimezone(JST)
    return value


def jst_date(value: str | date | datetime | None, lang: str) -> str:
    """``2026-07-10`` → ``2026年7月10日（令和8年）`` or ``10 Jul 2026``."""
    moment = _moment(value)
    if moment is None:
        return "—"
    day = moment.date() if isinstance(moment, datetime) else moment
    if lang == "ja":
        return f"{day.year}年{day.month}月{day.day}日（{era_year(day)}）"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def jst_datetime(value: str | date | datetime | None, lang: str) -> str:
    """An instant in Tokyo time: ``2026年7月10日（令和8年） 02:30`` or ``10 Jul 2026 02:30 JST``."""
    moment = _moment(value)
    if moment is None:
        return "—"
    if not isinstance(moment, datetime):
        return jst_date(moment, lang)
    clock = moment.strftime("%H:%M")
    return f"{jst_date(moment, lang)} {clock}" + ("" if lang == "ja" else " JST")


def local_input(value: Any) -> str:
    """An aware ISO time as the Tokyo wall-clock value of a ``datetime-local`` input;
    what the user typed (no offset yet) is given back as typed."""
    if not value:
        return ""
    text = str(value)
    if len(text) == 16:
        return text
    moment = datetime.fromisoformat(text).astimezone(JST)
    return moment.strftime("%Y-%m-%dT%H:%M")


def yen(amount: int | None, lang: str) -> str:
    """Every yen shown: ``1,234,567円`` or ``1,234,567 yen``."""
    if amount is None:
        return "—"
    return format_yen(amount) if lang == "ja" else format_yen_en(amount)


def yen_short(amount: int | None, lang: str) -> str:
    """Limits and other round figures: ``1億円``, ``3,000万円``; English to the yen."""
    if amount is None:
        return "—"
    return format_yen_short(amount) if lang == "ja" else format_yen_en(amount)


def duration(seconds: int, lang: str) -> str:
    """Time left on a clock (``残り 1時間05分`` / ``1 h 05 min left``), or how late."""
    late = seconds < 0
    minutes = abs(seconds) // 60
    hours, minutes = divmod(minutes, 60)
    if lang == "ja":
        text = f"{hours}時間{minutes:02d}分" if hours else f"{minutes}分"
        return f"{text}超過" if late else f"残り {text}"
    text = f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
    return f"{text} late" if late else f"{text} left"


def localised(value: Any, lang: str) -> str:
    """The user's language of a ``{"ja": …, "en": …}`` text or a ``Problem``."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("ja") or "")
    text = getattr(value, lang, None)
    return str(text) if text is not None else str(value)
