"""Rate a quote: the product's rate table applied to a company and its chosen terms.

Pure domain (values in, values out). Every rate comes from ``product.rating``
(docs/rating.md); this module holds only the order of the steps and the arithmetic:

    base (revenue) × industry × limit factors × business interruption × deductible
    × overseas × security (bounded) × ISMS, held by the ISMS ceiling,
    floored to the premium unit, at least the minimum premium.

Rounding rule (docs/rating.md): every step is rounded half up (四捨五入) to the yen,
so each line's running amount can be checked by hand from the line before; factors are
exact decimals (a TOML factor as written; an interpolated limit factor rounded half up
to ``factor_places`` decimals); the last step floors to ``premium_unit`` yen. No float
ever holds an amount.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from cybercover.errors import InputError, Problem, ProductFileError
from cybercover.money import format_yen, format_yen_en
from cybercover.product.model import Product
from cybercover.rating.model import LimitFactors, RateTable
from cybercover.terms.build import hours_text
from cybercover.terms.model import PolicyTerms

__all__ = [
    "Answer",
    "FactorLine",
    "Premium",
    "RateRequest",
    "company_problems",
    "disclosure_problems",
    "limit_problems",
    "rate",
    "request_problems",
    "round_half_up",
]

Answer = object
"""A disclosure answer as given; the rate table's codes are checked by
:func:`request_problems` (bool, or a non-negative int)."""


@dataclass(frozen=True, slots=True)
class RateRequest:
    """What a quote is rated on: the company, its chosen terms and its answers.

    ``terms`` come from :func:`~cybercover.terms.build.build_policy_terms`, so the limits
    already obey the product's rules. ``disclosure`` maps answer codes to answers; a
    code that is absent or ``None`` is unanswered (neutral). ``isms_body`` is the
    certification body of an ISMS certificate, ``None`` when not certified.
    """

    annual_revenue: int
    industry: str
    terms: PolicyTerms
    overseas_sales_ratio: Decimal = Decimal(0)
    disclosure: Mapping[str, Answer] = field(default_factory=dict)
    isms_body: str | None = None


@dataclass(frozen=True, slots=True)
class FactorLine:
    """One step from base to final premium: the factor applied and the amount after it."""

    code: str
    ja: str
    en: str
    factor: str
    amount: int
    details: tuple[dict[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "ja": self.ja,
            "en": self.en,
            "factor": self.factor,
            "amount": self.amount,
        }
        if self.details:
            out["details"] = list(self.details)
        return out


@dataclass(frozen=True, slots=True)
class Premium:
    """The annual premium in yen and every factor applied, in order."""

    premium: int
    factors: tuple[FactorLine, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"premium": self.premium, "factors": [f.as_dict() for f in self.factors]}


def round_half_up(value: Fraction) -> int:
    """Round a non-negative exact amount half up (四捨五入) to the yen."""
    if value < 0:
        raise ValueError("amounts are never negative")
    return int((value + Fraction(1, 2)).__floor__())


def _apply(amount: int, factor: Decimal | Fraction) -> int:
    return round_half_up(Fraction(amount) * Fraction(factor))


def _text(value: Decimal | Fraction) -> str:
    """A factor as people read it: at least two decimals (``1.4`` → ``"1.40"``), exact."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent > -2:
            return str(value.quantize(Decimal("0.01")))
        return str(value)
    return str(value.numerator) if value.denominator == 1 else str(value)


# -- look-ups ---------------------------------------------------------------------------


def _base_premium(table: RateTable, revenue: int) -> tuple[int, str]:
    """Base premium at ``revenue``: linear between the listed points, rounded half up;
    below the first point the first premium (the minimum premium does the rest)."""
    points = table.revenue
    if revenue <= points[0].revenue:
        return points[0].premium, str(points[0].premium)
    for lo, hi in itertools.pairwise(points):
        if revenue == hi.revenue:
            return hi.premium, str(hi.premium)
        if revenue < hi.revenue:
            exact = lo.premium + Fraction(
                (hi.premium - lo.premium) * (revenue - lo.revenue), hi.revenue - lo.revenue
            )
            how = (
                f"{lo.premium}+({hi.premium}-{lo.premium})"
                f"*({revenue}-{lo.revenue})/({hi.revenue}-{lo.revenue})"
            )
            return round_half_up(exact), how
    raise AssertionError("revenue above the table is refused by request_problems")


def _limit_factor(table: RateTable, factors: LimitFactors, limit: int) -> Decimal:
    points = factors.points
    if limit <= points[0].limit:
        return points[0].factor
    for lo, hi in itertools.pairwise(points):
        if limit == hi.limit:
            return hi.factor
        if limit < hi.limit:
            exact = Fraction(lo.factor) + Fraction(hi.factor - lo.factor) * Fraction(
                limit - lo.limit, hi.limit - lo.limit
            )
            quantum = Decimal(1).scaleb(-table.factor_places)
            return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
                quantum, rounding=ROUND_HALF_UP
            )
    raise AssertionError("limit above the table is refused by request_problems")


def _limit_value(terms: PolicyTerms, key: str) -> int | None:
    """The limit the policy holds for ``key`` (a part or shared limit), None if not bought."""
    for part in terms.parts:
        if part.code == key:
            return part.limit if part.bought else None
    for shared in terms.shared:
        if shared.code == key:
            bought = any(p.bought for p in terms.parts if p.code in shared.parts)
            return shared.limit if bought else None
    if key == "aggregate":
        return terms.aggregate
    raise KeyError(key)


def _option_bought(product: Product, terms: PolicyTerms, option: str) -> bool:
    codes = {c.code for c in product.coverages if c.option == option}
    return any(p.bought for p in terms.parts if p.code in codes)


def _is_full_body(product: Product, body: str) -> bool:
    wanted = body.strip().casefold()
    return any(b.casefold() == wanted for b in product.isms.full_discount_bodies)


# -- checks -----------------------------------------------------------------------------


def _table_problems(product: Product) -> list[Problem]:
    """Rate-table references the product must resolve (a broken product file)."""
    table = product.rating
    problems: list[Problem] = []
    keys = {*product.coverage_codes, *product.shared_limits, "aggregate"}
    for key in table.limits:
        if key not in keys:
            problems.append(
                Problem(
                    f"rating.limits.{key}",
                    "product_consistency",
                    f"未定義の限度額 {key}",
                    f"unknown limit {key}",
                )
            )
    if table.business_interruption.option not in product.options:
        problems.append(
            Problem(
                "rating.business_interruption.option",
                "product_consistency",
                f"未定義のオプション {table.business_interruption.option}",
                f"unknown option {table.business_interruption.option}",
            )
        )
    return problems


def company_problems(
    product: Product, annual_revenue: int, industry: str, overseas_sales_ratio: Decimal
) -> list[Problem]:
    """Revenue within the table, a known industry class, a share between 0 and 1."""
    table = product.rating
    problems: list[Problem] = []
    if annual_revenue < 0:
        problems.append(
            Problem(
                "company.annual_revenue",
                "negative",
                "0円以上で指定してください",
                "must not be negative",
            )
        )
    elif annual_revenue > table.revenue[-1].revenue:
        top = table.revenue[-1].revenue
        problems.append(
            Problem(
                "company.annual_revenue",
                "above_rate_table",
                f"料率表の上限 {format_yen(top)} を超えています。引受担当者に照会してください",
                f"above the rate table's largest revenue of {format_yen_en(top)}; "
                "refer to an underwriter",
            )
        )
    if industry not in table.industries:
        keys = ", ".join(table.industries)
        problems.append(
            Problem(
                "company.industry",
                "unknown_industry",
                f"不明な業種区分です（{keys}）",
                f"is not an industry class of the rate table ({keys})",
            )
        )
    if not 0 <= overseas_sales_ratio <= 1:
        problems.append(
            Problem(
                "company.overseas_sales_ratio",
                "ratio_range",
                "0以上1以下の割合で指定してください（例: 0.15）",
                "must be a share between 0 and 1 (e.g. 0.15)",
            )
        )
    return problems


def disclosure_problems(product: Product, disclosure: Mapping[str, Answer]) -> list[Problem]:
    """The answers the rate table reads: bool for yes/no codes, a non-negative int for
    days and counts. Codes the table does not read are left to underwriting."""
    sec = product.rating.security
    kinds: dict[str, str] = {c.code: c.kind for c in sec.controls}
    kinds.update({s.code: s.kind for s in sec.surcharges})
    problems: list[Problem] = []
    for code, kind in kinds.items():
        answer = disclosure.get(code)
        if answer is None:
            continue
        where = f"disclosure.{code}"
        if kind == "bool":
            if not isinstance(answer, bool):
                problems.append(
                    Problem(
                        where,
                        "bool_type",
                        "true または false で指定してください",
                        "must be true or false",
                    )
                )
        elif isinstance(answer, bool) or not isinstance(answer, int):
            problems.append(
                Problem(where, "int_type", "整数で指定してください", "must be an integer")
            )
        elif answer < 0:
            problems.append(
                Problem(where, "negative", "0以上で指定してください", "must not be negative")
            )
    return problems


def limit_problems(product: Product, terms: PolicyTerms) -> list[Problem]:
    """Limits the rate table has no factor for (above its largest listed limit)."""
    problems: list[Problem] = []
    for key, factors in product.rating.limits.items():
        try:
            value = _limit_value(terms, key)
        except KeyError:
            continue  # reported by _table_problems
        top = factors.points[-1].limit
        if value is not None and value > top:
            problems.append(
                Problem(
                    f"options.limits.{key}",
                    "above_rate_table",
                    f"料率表の上限 {format_yen(top)} を超えています",
                    f"above the rate table's largest limit of {format_yen_en(top)}",
                )
            )
    return problems


def request_problems(product: Product, request: RateRequest) -> list[Problem]:
    """Every reason ``request`` cannot be rated, each naming its field in the JSON form."""
    return [
        *company_problems(
            product, request.annual_revenue, request.industry, request.overseas_sales_ratio
        ),
        *limit_problems(product, request.terms),
        *disclosure_problems(product, request.disclosure),
    ]


# -- the rating -------------------------------------------------------------------------


def _count(answer: Answer) -> int:
    assert isinstance(answer, int)  # checked by disclosure_problems
    return answer


def _security(
    product: Product, disclosure: Mapping[str, Answer]
) -> tuple[Decimal, list[dict[str, Any]]]:
    sec = product.rating.security
    total = Decimal(1)
    details: list[dict[str, Any]] = []
    for control in sec.controls:
        answer = disclosure.get(control.code)
        if answer is None:
            adjustment, state = Decimal(0), "unanswered"
        else:
            if control.kind == "bool":
                in_place = answer is True
            else:
                assert control.in_place_max_days is not None
                in_place = _count(answer) <= control.in_place_max_days
            adjustment = -control.credit if in_place else control.debit
            state = "in_place" if in_place else "not_in_place"
        total += adjustment
        details.append(
            {
                "code": control.code,
                "ja": control.label.ja,
                "en": control.label.en,
                "answer": answer,
                "state": state,
                "adjustment": str(adjustment),
            }
        )
    for surcharge in sec.surcharges:
        answer = disclosure.get(surcharge.code)
        if answer is None:
            adjustment = Decimal(0)
        elif surcharge.kind == "bool":
            adjustment = surcharge.load if answer is True else Decimal(0)
        else:
            assert surcharge.max_count is not None
            adjustment = surcharge.load * min(_count(answer), surcharge.max_count)
        total += adjustment
        details.append(
            {
                "code": surcharge.code,
                "ja": surcharge.label.ja,
                "en": surcharge.label.en,
                "answer": answer,
                "state": "unanswered" if answer is None else "answered",
                "adjustment": str(adjustment),
            }
        )
    bounded = min(max(total, sec.min_factor), sec.max_factor)
    details.append(
        {
            "code": "sum",
            "ja": "調整の合計（上下限の適用前）",
            "en": "Sum of the adjustments (before the bounds)",
            "adjustment": str(total),
        }
    )
    return bounded, details


def rate(product: Product, request: RateRequest) -> Premium:
    """The annual premium of ``request`` under ``product``'s rate table, with every step.

    Raises :class:`InputError` (every problem at once) for a request the table cannot
    rate, and :class:`ProductFileError` for a rate table that does not fit the product.
    """
    table_problems = _table_problems(product)
    if table_problems:
        raise ProductFileError(table_problems)
    problems = request_problems(product, request)
    if problems:
        raise InputError(problems)
    table = product.rating
    terms = request.terms
    lines: list[FactorLine] = []

    # 1. base premium by revenue (reference class, plan ① limits, deductible 0).
    revenue = request.annual_revenue
    amount, how = _base_premium(table, revenue)
    lines.append(
        FactorLine(
            "base",
            f"基本保険料（売上高 {format_yen(revenue)}）",
            f"Base premium (revenue {format_yen_en(revenue)})",
            how,
            amount,
        )
    )

    # 2. industry class (JSIC middle groups).
    cls = table.industries[request.industry]
    amount = _apply(amount, cls.factor)
    lines.append(
        FactorLine(
            f"industry:{request.industry}",
            f"業種係数（{cls.label.ja}）",
            f"Industry class factor ({cls.label.en})",
            _text(cls.factor),
            amount,
        )
    )

    # 3. limit factors, one per rated limit.
    for key, factors in table.limits.items():
        value = _limit_value(terms, key)
        if value is None:
            factor = Decimal(1)
            ja = f"{factors.label.ja}（付帯なし）"
            en = f"{factors.label.en} (not bought)"
        else:
            factor = _limit_factor(table, factors, value)
            ja = f"{factors.label.ja}（{format_yen(value)}）"
            en = f"{factors.label.en} ({format_yen_en(value)})"
        amount = _apply(amount, factor)
        lines.append(FactorLine(f"limit:{key}", ja, en, _text(factor), amount))

    # 4. business interruption option, by waiting-period hours.
    bi = table.business_interruption
    if _option_bought(product, terms, bi.option):
        hours = terms.waiting.hours
        row = [w for w in bi.waiting_hours if w.from_hours <= hours]
        factor = row[-1].factor if row else bi.waiting_hours[0].factor
        ja = f"利益損害・営業継続費用オプション（免責時間 {hours_text(hours)}時間）"
        en = f"Business interruption option (waiting period {hours_text(hours)} hours)"
    else:
        factor = Decimal(1)
        ja = "利益損害・営業継続費用オプション（付帯なし）"
        en = "Business interruption option (not bought)"
    amount = _apply(amount, factor)
    lines.append(FactorLine("business_interruption", ja, en, _text(factor), amount))

    # 5. deductible credit: the smallest deductible of the parts bought.
    deductible = min(p.deductible for p in terms.parts if p.bought)
    credit = [p for p in table.deductibles.points if p.deductible <= deductible][-1]
    amount = _apply(amount, credit.factor)
    lines.append(
        FactorLine(
            "deductible",
            f"自己負担額の割引（{format_yen(deductible)}）",
            f"Deductible credit ({format_yen_en(deductible)})",
            _text(credit.factor),
            amount,
        )
    )

    # 6. overseas sales share (ours: US lawsuits, covered under ①).
    ratio = request.overseas_sales_ratio
    band = next(b for b in table.overseas.bands if ratio <= b.up_to)
    amount = _apply(amount, band.factor)
    lines.append(
        FactorLine(
            "overseas",
            f"海外売上高比率（{ratio}）",
            f"Overseas sales share ({ratio})",
            _text(band.factor),
            amount,
        )
    )

    # 7. security modifier from the disclosure, held within its bounds.
    before_discounts = amount
    modifier, details = _security(product, request.disclosure)
    amount = _apply(amount, modifier)
    sec = table.security
    lines.append(
        FactorLine(
            "security",
            f"セキュリティ対策による調整（{sec.min_factor}～{sec.max_factor}）",
            f"Security modifier (bounded {sec.min_factor} to {sec.max_factor})",
            _text(modifier),
            amount,
            tuple(details),
        )
    )

    # 8. ISMS discount and its ceiling (PRODUCT.md §7).
    cap = product.isms.max_discount_percent
    body = request.isms_body
    if body is None:
        percent, ceiling = 0, cap
        ja, en = "ISMS認証割引（認証なし）", "ISMS discount (not certified)"
    elif _is_full_body(product, body):
        percent, ceiling = min(table.isms.full_bodies_percent, cap), cap
        ja, en = f"ISMS認証割引（{body}）", f"ISMS discount ({body})"
    else:
        ceiling = min(table.isms.other_bodies_max_discount_percent, cap)
        percent = min(table.isms.other_bodies_percent, ceiling)
        ja, en = f"ISMS認証割引（{body}）", f"ISMS discount ({body})"
    factor = Decimal(100 - percent) / 100
    amount = _apply(amount, factor)
    lines.append(FactorLine("isms", f"{ja} {percent}%", f"{en} {percent}%", _text(factor), amount))
    floor = _apply(before_discounts, Decimal(100 - ceiling) / 100)
    if amount < floor:
        held = Fraction(floor, amount) if amount else Fraction(1)
        amount = floor
        factor_text = _text(held)
    else:
        factor_text = "1.00"
    lines.append(
        FactorLine(
            "discount_ceiling",
            f"割引の上限（セキュリティ調整とISMS割引の合計 {ceiling}%）",
            f"Discount ceiling (security credit and ISMS discount together at most {ceiling}%)",
            factor_text,
            amount,
        )
    )

    # 9. floor to the premium unit, then the minimum premium.
    unit = table.premium_unit
    amount = amount // unit * unit
    lines.append(
        FactorLine(
            "rounding",
            f"{format_yen(unit)}未満切り捨て",
            f"Floored to a multiple of {format_yen_en(unit)}",
            f"floor:{unit}",
            amount,
        )
    )
    amount = max(amount, table.minimum_premium)
    lines.append(
        FactorLine(
            "minimum_premium",
            f"最低保険料 {format_yen(table.minimum_premium)}",
            f"Minimum premium {format_yen_en(table.minimum_premium)}",
            f"min:{table.minimum_premium}",
            amount,
        )
    )
    return Premium(amount, tuple(lines))
