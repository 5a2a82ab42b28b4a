"""Yen amounts: always ``int``, formatted for people as 円 (with 万/億 where expected).

No float ever holds a payable amount (DESIGN.md, Conventions).
"""

from __future__ import annotations

__all__ = ["format_yen", "format_yen_en", "format_yen_short"]


def format_yen(amount: int) -> str:
    """``1000000000`` → ``"1,000,000,000円"``."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"yen amounts are int, got {type(amount).__name__}")
    return f"{amount:,}円"


def format_yen_en(amount: int) -> str:
    """``1000000000`` → ``"1,000,000,000 yen"`` (English text)."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"yen amounts are int, got {type(amount).__name__}")
    return f"{amount:,} yen"


def format_yen_short(amount: int) -> str:
    """Japanese large-number units where people expect them.

    ``1000000000`` → ``"10億円"``, ``25000000`` → ``"2,500万円"``,
    ``1234500000`` → ``"12億3,450万円"``; amounts that are not whole 万 fall back to
    :func:`format_yen`, so no yen is ever hidden by rounding.
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"yen amounts are int, got {type(amount).__name__}")
    if amount == 0 or amount % 10_000 != 0:
        return format_yen(amount)
    sign = "-" if amount < 0 else ""
    man = abs(amount) // 10_000
    oku, rest = divmod(man, 10_000)
    text = ""
    if oku:
        text += f"{oku:,}億"
    if rest:
        text += f"{rest:,}万"
    return f"{sign}{text}円"
