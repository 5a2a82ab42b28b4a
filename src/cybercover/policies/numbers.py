"""Policy numbers: ``CY-2026-000123-7`` (prefix, year, sequence, Luhn check digit)."""

from __future__ import annotations

import re

__all__ = ["is_valid_policy_number", "policy_number"]

_PATTERN = re.compile(r"^([A-Z]{2,4})-(\d{4})-(\d{6})-(\d)$")


def _luhn_digit(digits: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def policy_number(prefix: str, year: int, sequence: int) -> str:
    if not 0 < sequence < 1_000_000:
        raise ValueError("sequence must be 1..999999")
    body = f"{year:04d}{sequence:06d}"
    return f"{prefix}-{year:04d}-{sequence:06d}-{_luhn_digit(body)}"


def is_valid_policy_number(text: str) -> bool:
    match = _PATTERN.match(text)
    if match is None:
        return False
    return int(match.group(4)) == _luhn_digit(match.group(2) + match.group(3))
