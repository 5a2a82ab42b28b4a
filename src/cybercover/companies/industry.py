"""Industries by the Japan Standard Industrial Classification, Rev.14 (2023).

The table (20 divisions 大分類 A–T, 99 major groups 中分類 01–99, Japanese and English
names) lives in ``data/jsic_rev14.toml``, which cites its source. It is read once, on first
use, from the installed package.

JSIC calls the two-digit level 中分類 "major group"; this module calls it ``group``.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = [
    "Division",
    "Industry",
    "IndustryGroup",
    "division",
    "divisions",
    "group",
    "groups",
    "industry",
]


@dataclass(frozen=True, slots=True)
class Division:
    """A JSIC division (大分類), ``code`` ``"A"`` .. ``"T"``."""

    code: str
    ja: str
    en: str


@dataclass(frozen=True, slots=True)
class IndustryGroup:
    """A JSIC major group (中分類), ``code`` ``"01"`` .. ``"99"``, inside one division."""

    code: str
    division: Division
    ja: str
    en: str


@dataclass(frozen=True, slots=True)
class Industry:
    """A company's industry: the major group and the division it belongs to."""

    division: Division
    group: IndustryGroup

    def __post_init__(self) -> None:
        if self.group.division != self.division:
            raise ValueError(f"group {self.group.code} is not in division {self.division.code}")


@dataclass(frozen=True, slots=True)
class _Table:
    revision: str
    divisions: dict[str, Division]
    groups: dict[str, IndustryGroup]


@cache
def _table() -> _Table:
    text = (
        resources.files("cybercover.companies").joinpath("data/jsic_rev14.toml").read_text("utf-8")
    )
    data = tomllib.loads(text)
    divisions = {d["code"]: Division(d["code"], d["ja"], d["en"]) for d in data["division"]}
    groups = {
        g["code"]: IndustryGroup(g["code"], divisions[g["division"]], g["ja"], g["en"])
        for g in data["group"]
    }
    return _Table(str(data["revision"]), divisions, groups)


def divisions() -> tuple[Division, ...]:
    """All divisions, A to T."""
    return tuple(_table().divisions.values())


def groups() -> tuple[IndustryGroup, ...]:
    """All major groups, 01 to 99."""
    return tuple(_table().groups.values())


def division(code: str) -> Division:
    """The division with this letter (full-width and lower case accepted), or ``ValueError``."""
    key = unicodedata.normalize("NFKC", code).strip().upper()
    found = _table().divisions.get(key)
    if found is None:
        raise ValueError(
            "日本標準産業分類の大分類（A〜T）で指定してください"
            " / must be a JSIC division letter, A to T"
        )
    return found


def group(code: str | int) -> IndustryGroup:
    """The major group with this code (``"39"``, ``39``, ``"３９"``, ``"5"`` → ``"05"``),
    or ``ValueError``."""
    text = unicodedata.normalize("NFKC", str(code)).strip()
    found = _table().groups.get(text.zfill(2)) if text.isdigit() and len(text) <= 2 else None
    if found is None:
        raise ValueError(
            "日本標準産業分類の中分類（2桁、01〜99）で指定してください"
            " / must be a JSIC major group code, two digits 01 to 99"
        )
    return found


def industry(group_code: str | int, division_code: str | None = None) -> Industry:
    """The industry for a major group; the division is derived from it, and if one is
    given as well it must be the group's own (``ValueError`` otherwise)."""
    found = group(group_code)
    if division_code is not None:
        given = division(division_code)
        if given != found.division:
            raise ValueError(
                f"中分類 {found.code}（{found.ja}）は大分類 {found.division.code}"
                f"（{found.division.ja}）に属します（{given.code} ではありません）"
                f" / major group {found.code} belongs to division {found.division.code},"
                f" not {given.code}"
            )
    return Industry(found.division, found)
