"""法人番号 (corporate number): 13 digits whose first digit checks the other 12.

The rule (法人番号の指定等に関する省令 第2条, National Tax Agency): with the 12-digit base
number P read from its *last* digit as n = 1 .. 12, and Q_n = 1 for odd n, 2 for even n,

    check digit = 9 − ((Σ P_n × Q_n) mod 9)

so the check digit is always 1..9 and a leading 0 is never valid. Example, the National
Tax Agency itself: 7000012050002 → base 000012050002 → Σ = 11 → 9 − 2 = 7.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["CorporateNumber", "check_digit"]

# Separators people type between digit groups: ASCII hyphen, the Unicode hyphens and dashes,
# the minus sign, the katakana long-vowel mark (a common IME slip) and spaces. Full-width
# forms are folded to these by NFKC first.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212\u30FC]")
_DIGITS = re.compile(r"[0-9]+")


def check_digit(base: str) -> int:
    """The check digit of a 12-digit base number (the corporate number without its first digit)."""
    if len(base) != 12 or not _DIGITS.fullmatch(base):
        raise ValueError(f"base number must be 12 ASCII digits, got {base!r}")
    total = sum(int(d) * (2 if n % 2 == 0 else 1) for n, d in enumerate(reversed(base), start=1))
    return 9 - total % 9


@dataclass(frozen=True, slots=True)
class CorporateNumber:
    """A corporate number whose check digit has been verified; ``str()`` gives the 13 digits."""

    digits: str

    def __post_init__(self) -> None:
        if len(self.digits) != 13 or not _DIGITS.fullmatch(self.digits):
            raise ValueError(f"corporate number must be 13 ASCII digits, got {self.digits!r}")
        if int(self.digits[0]) != check_digit(self.digits[1:]):
            raise ValueError(f"corporate number {self.digits} fails its check digit")

    def __str__(self) -> str:
        return self.digits

    @classmethod
    def parse(cls, text: str) -> CorporateNumber:
        """Read a corporate number as typed: full-width digits, hyphens and spaces are
        accepted (NFKC, then separators removed); anything else is a ``ValueError`` with a
        "日本語 / English" message saying what is wrong."""
        raw = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
        if raw[:1] in ("T", "t") and len(raw) == 14:
            raise ValueError(
                "法人番号は13桁の数字です（適格請求書発行事業者登録番号の先頭の T は付けないでください）"
                " / a corporate number is 13 digits (leave out the T of an invoice registration number)"
            )
        if not _DIGITS.fullmatch(raw):
            raise ValueError(
                "法人番号は数字で入力してください（区切りのハイフン・空白は可）"
                " / a corporate number must be digits (hyphens and spaces between them are allowed)"
            )
        if len(raw) != 13:
            raise ValueError(
                f"法人番号は13桁です（入力は{len(raw)}桁）"
                f" / a corporate number has 13 digits (got {len(raw)})"
            )
        if int(raw[0]) != check_digit(raw[1:]):
            raise ValueError(
                "法人番号の検査用数字（先頭の1桁）が一致しません。番号を確認してください"
                " / the corporate number's check digit (the first digit) does not match;"
                " please check the number"
            )
        return cls(raw)
