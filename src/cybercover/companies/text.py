"""Normalising Japanese company names and their kana reading.

Names arrive typed by hand, pasted from registries or converted from legacy Shift_JIS
systems, so the same company shows up as ``ＡＢＣ　株式会社``, ``ABC 株式会社`` and
``ABC  株式会社 ``. :func:`normalize_name` gives one stored form; :func:`name_key` gives the
form two names are compared by.

Decisions (kept deliberately small, so stored names stay recognisable):

- **NFKC**: full-width Latin letters and digits become ASCII, half-width katakana become
  full-width, ``㈱`` becomes ``(株)``. Parentheses therefore come out as ASCII ``( )``.
- **Whitespace**: every run of Unicode whitespace (the ideographic space U+3000 included)
  becomes one ASCII space; leading and trailing whitespace is dropped.
- **Kana reading** (フリガナ): stored in full-width **katakana**. Hiragana is accepted and
  converted, because people type the reading either way and the National Tax Agency's
  corporate number register publishes フリガナ in katakana. Only kana, the long-vowel
  mark ``ー``, the middle dot ``・`` and spaces are allowed.
- Comparison (:func:`name_key`) also case-folds, so ``abc株式会社`` and ``ABC株式会社``
  are the same company name. It does *not* equate ``株式会社`` with ``(株)``: that is a
  matching heuristic for later, not a normalisation.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["name_key", "names_match", "normalize_kana", "normalize_name"]

_WHITESPACE = re.compile(r"\s+")

# Hiragana ぁ (U+3041) .. ゖ (U+3096) map onto katakana ァ (U+30A1) .. ヶ (U+30F6);
# ゝゞ (U+309D, U+309E) onto ヽヾ.
_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}
_HIRAGANA_TO_KATAKANA.update({0x309D: 0x30FD, 0x309E: 0x30FE})

# Full-width katakana ァ..ヺ, the middle dot ・, the long-vowel mark ー, iteration marks
# ヽヾ, and a plain space between words.
_KANA_ONLY = re.compile(r"[\u30A1-\u30FA\u30FB\u30FC\u30FD\u30FE ]+")


def normalize_name(text: str) -> str:
    """``text`` in NFKC with whitespace collapsed to single spaces and trimmed.

    Used before storing any company name, vendor name or address line, and before
    comparing them. An all-whitespace input gives ``""``; callers that need a value must
    check for that.
    """
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def name_key(text: str) -> str:
    """The form two names are compared by: :func:`normalize_name`, then case-folded."""
    return normalize_name(text).casefold()


def names_match(a: str, b: str) -> bool:
    """Whether two names are the same after normalisation (see the module docstring)."""
    return name_key(a) == name_key(b)


def normalize_kana(text: str) -> str:
    """A kana reading as full-width katakana, or ``ValueError`` ("ja / en").

    Half-width katakana (NFKC) and hiragana (converted) are accepted. Anything else —
    kanji, Latin letters, digits, punctuation other than ``・`` — is refused, because a
    reading with them cannot be sorted or searched as a reading.
    """
    kana = normalize_name(text).translate(_HIRAGANA_TO_KATAKANA)
    if not kana:
        raise ValueError("空にできません / must not be empty")
    if not _KANA_ONLY.fullmatch(kana):
        bad = "".join(sorted({ch for ch in kana if not _KANA_ONLY.fullmatch(ch)}))
        raise ValueError(
            f"フリガナはカタカナ（またはひらがな）で入力してください（使えない文字: {bad}）"
            f" / the kana reading must be katakana or hiragana (not allowed: {bad})"
        )
    return kana
