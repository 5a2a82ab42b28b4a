"""The rate table of a product file (``[rating]``): every rate as data (docs/rating.md).

An insurer changes any rate by issuing a new product file; no rate lives in code. Yen
figures are strict ``int``; factors are exact :class:`~decimal.Decimal` values. A TOML
float (``1.40``) is read through its shortest decimal form (``repr``), so the factor is
exactly the figure written in the file; a string (``"1.40"``) is accepted too.

This module must not import :mod:`cybercover.product.model` (that module imports this
one for ``Product.rating``).
"""

from __future__ import annotations

import itertools
import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    model_validator,
)

from cybercover.validation import exact_decimal

__all__ = [
    "BusinessInterruptionRates",
    "ControlDef",
    "DeductibleCredit",
    "IndustryClass",
    "IsmsRates",
    "LimitPoint",
    "OverseasBand",
    "RateTable",
    "RevenuePoint",
    "SecurityRates",
    "SurchargeDef",
    "Text",
    "WaitingFactor",
    "jsic_codes",
]


Factor = Annotated[Decimal, BeforeValidator(exact_decimal), Field(gt=0)]
"""A multiplier, strictly positive."""
Load = Annotated[Decimal, BeforeValidator(exact_decimal), Field(ge=0, le=1)]
"""An additive adjustment of the security modifier (0.05 = 5 points)."""
Ratio = Annotated[Decimal, BeforeValidator(exact_decimal), Field(ge=0, le=1)]
Yen = StrictInt


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A text in Japanese first and English second."""

    ja: str = Field(min_length=1)
    en: str = Field(min_length=1)


_JSIC = re.compile(r"^(\d{2})(?:-(\d{2}))?$")


def jsic_codes(spec: str) -> tuple[str, ...]:
    """``"09-32"`` → ``("09", …, "32")``; ``"39"`` → ``("39",)`` (JSIC 中分類 codes)."""
    match = _JSIC.match(spec)
    if match is None:
        raise ValueError(
            f"JSIC 中分類コードの形式が正しくありません: {spec} / not a JSIC code or range"
        )
    first = int(match.group(1))
    last = int(match.group(2) or match.group(1))
    if not 1 <= first <= last <= 99:
        raise ValueError(f"JSIC 中分類コードの範囲が正しくありません: {spec} / bad JSIC range")
    return tuple(f"{n:02d}" for n in range(first, last + 1))


class RevenuePoint(_Strict):
    """Base premium (reference class, 1.00 factors) at a revenue of the last fiscal year."""

    revenue: Yen = Field(ge=0)
    premium: Yen = Field(gt=0)


class IndustryClass(_Strict):
    """An industry class: JSIC Rev. 14 middle groups (2-digit 中分類) and its factor."""

    label: Text
    jsic: tuple[str, ...] = Field(min_length=1)
    factor: Factor
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _codes_parse(self) -> IndustryClass:
        for spec in self.jsic:
            jsic_codes(spec)
        return self

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for spec in self.jsic for code in jsic_codes(spec))


class LimitPoint(_Strict):
    limit: Yen = Field(ge=0)
    factor: Factor


class LimitFactors(_Strict):
    """Factors at listed limits; a limit between two points is interpolated linearly and
    the factor rounded half up to ``factor_places`` decimals (docs/rating.md)."""

    label: Text
    points: tuple[LimitPoint, ...] = Field(min_length=1)
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _rising(self) -> LimitFactors:
        limits = [p.limit for p in self.points]
        factors = [p.factor for p in self.points]
        if any(b <= a for a, b in itertools.pairwise(limits)):
            raise ValueError("limit は昇順で重複なし / limits must strictly rise")
        if any(b < a for a, b in itertools.pairwise(factors)):
            raise ValueError(
                "高い限度額の係数が低い限度額より小さくなっています / "
                "a higher limit must not have a smaller factor"
            )
        return self


class WaitingFactor(_Strict):
    """Business-interruption factor for a waiting period of at least ``from_hours``."""

    from_hours: StrictInt = Field(ge=0)
    factor: Factor


class BusinessInterruptionRates(_Strict):
    option: StrictStr
    waiting_hours: tuple[WaitingFactor, ...] = Field(min_length=1)
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _falling(self) -> BusinessInterruptionRates:
        hours = [w.from_hours for w in self.waiting_hours]
        factors = [w.factor for w in self.waiting_hours]
        if any(b <= a for a, b in itertools.pairwise(hours)):
            raise ValueError("from_hours は昇順で重複なし / from_hours must strictly rise")
        if any(b > a for a, b in itertools.pairwise(factors)):
            raise ValueError(
                "長い免責時間の係数が短い免責時間より大きくなっています / "
                "a longer waiting period must not have a larger factor"
            )
        return self


class DeductibleCredit(_Strict):
    """Factor for a deductible of at least ``deductible`` yen (on every part bought)."""

    deductible: Yen = Field(ge=0)
    factor: Factor


class DeductibleCredits(_Strict):
    points: tuple[DeductibleCredit, ...] = Field(min_length=1)
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _falling(self) -> DeductibleCredits:
        amounts = [p.deductible for p in self.points]
        factors = [p.factor for p in self.points]
        if amounts[0] != 0:
            raise ValueError("最初の自己負担額は0円 / the first deductible must be 0 yen")
        if any(b <= a for a, b in itertools.pairwise(amounts)):
            raise ValueError("deductible は昇順で重複なし / deductibles must strictly rise")
        if any(b > a for a, b in itertools.pairwise(factors)):
            raise ValueError(
                "高い自己負担額の係数が大きくなっています / "
                "a higher deductible must not have a larger factor"
            )
        return self


class OverseasBand(_Strict):
    """Factor for an overseas sales share up to and including ``up_to`` (0–1)."""

    up_to: Ratio
    factor: Factor


class OverseasRates(_Strict):
    bands: tuple[OverseasBand, ...] = Field(min_length=1)
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _covers(self) -> OverseasRates:
        ups = [b.up_to for b in self.bands]
        if any(b <= a for a, b in itertools.pairwise(ups)) or ups[-1] != 1:
            raise ValueError("up_to は昇順で最後は1 / up_to must strictly rise and end at 1")
        return self


class ControlDef(_Strict):
    """A security control of the disclosure: in place → ``-credit``, not in place →
    ``+debit``, unanswered → 0 (neutral)."""

    code: StrictStr = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: Text
    kind: Literal["bool", "max_days"]
    in_place_max_days: StrictInt | None = Field(default=None, ge=0)
    credit: Load
    debit: Load
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _threshold(self) -> ControlDef:
        if (self.kind == "max_days") != (self.in_place_max_days is not None):
            raise ValueError(
                "max_days の管理策には in_place_max_days が必要です（bool には不要） / "
                "in_place_max_days is required for kind max_days and only for it"
            )
        return self


class SurchargeDef(_Strict):
    """A disclosure answer that only ever adds: ``load`` per yes (bool) or per count,
    counting at most ``max_count``."""

    code: StrictStr = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: Text
    kind: Literal["bool", "count"]
    load: Load
    max_count: StrictInt | None = Field(default=None, ge=1)
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _count(self) -> SurchargeDef:
        if (self.kind == "count") != (self.max_count is not None):
            raise ValueError(
                "count の割増には max_count が必要です（bool には不要） / "
                "max_count is required for kind count and only for it"
            )
        return self


class SecurityRates(_Strict):
    """Security modifier: 1 + the sum of adjustments, then held within [min, max]."""

    min_factor: Factor
    max_factor: Factor
    controls: tuple[ControlDef, ...] = Field(min_length=1)
    surcharges: tuple[SurchargeDef, ...] = ()
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _bounds(self) -> SecurityRates:
        if not self.min_factor <= 1 <= self.max_factor:
            raise ValueError(
                "min_factor ≤ 1 ≤ max_factor にしてください / bounds must hold 1: min ≤ 1 ≤ max"
            )
        codes = [c.code for c in self.controls] + [s.code for s in self.surcharges]
        dups = sorted({c for c in codes if codes.count(c) > 1})
        if dups:
            raise ValueError(
                f"重複したコード {', '.join(dups)} / duplicate codes {', '.join(dups)}"
            )
        return self


class IsmsRates(_Strict):
    """ISMS discount (PRODUCT.md §7). Certificates of the product's ``full_discount_bodies``
    get ``full_bodies_percent`` and a combined ceiling of the product's
    ``max_discount_percent``; other bodies get ``other_bodies_percent`` and the smaller
    ceiling ``other_bodies_max_discount_percent``."""

    full_bodies_percent: StrictInt = Field(ge=0, le=100)
    other_bodies_percent: StrictInt = Field(ge=0, le=100)
    other_bodies_max_discount_percent: StrictInt = Field(ge=0, le=100)
    source: str = Field(min_length=1)


class RateTable(_Strict):
    """The ``[rating]`` section of a product file."""

    currency: Literal["JPY"]
    factor_places: StrictInt = Field(ge=0, le=6)
    premium_unit: Yen = Field(ge=1)
    minimum_premium: Yen = Field(ge=0)
    basis: Text
    revenue: tuple[RevenuePoint, ...] = Field(min_length=1)
    industries: dict[str, IndustryClass] = Field(min_length=1)
    limits: dict[str, LimitFactors] = Field(min_length=1)
    business_interruption: BusinessInterruptionRates
    deductibles: DeductibleCredits
    overseas: OverseasRates
    security: SecurityRates
    isms: IsmsRates
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> RateTable:
        revenues = [p.revenue for p in self.revenue]
        premiums = [p.premium for p in self.revenue]
        if any(b <= a for a, b in itertools.pairwise(revenues)):
            raise ValueError("revenue は昇順で重複なし / revenue points must strictly rise")
        if any(b < a for a, b in itertools.pairwise(premiums)):
            raise ValueError(
                "売上高が大きいのに基本保険料が小さくなっています / "
                "a larger revenue must not have a smaller base premium"
            )
        owner: dict[str, str] = {}
        for key, cls in self.industries.items():
            for code in cls.codes:
                if code in owner:
                    raise ValueError(
                        f"JSIC {code} が {owner[code]} と {key} の両方にあります / "
                        f"JSIC {code} is in both {owner[code]} and {key}"
                    )
                owner[code] = key
        missing = [f"{n:02d}" for n in range(1, 100) if f"{n:02d}" not in owner]
        if missing:
            raise ValueError(
                f"業種区分のない JSIC 中分類があります: {', '.join(missing)} / "
                f"JSIC middle groups without an industry class: {', '.join(missing)}"
            )
        return self

    def industry_for_jsic(self, code: str) -> str:
        """The industry key of a JSIC middle-group code (``"39"`` → ``it_app_development``)."""
        for key, cls in self.industries.items():
            if code in cls.codes:
                return key
        raise KeyError(code)
