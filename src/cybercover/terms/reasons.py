"""The reasons a yen is withheld: stable codes, the clause, Japanese and English text.

Codes are part of the public output (``cybercover adjudicate``, the claims worksheet,
settlement letters) and never change meaning; a new rule gets a new code.
"""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction

from cybercover.money import format_yen, format_yen_en
from cybercover.terms.model import CostHead, PolicyTerms, Reason
from cybercover.timeutil import JST

__all__ = ["REASON_CODES"]

REASON_CODES = (
    "outside_period",
    "excluded",
    "not_bought",
    "waiting_period_not_met",
    "waiting_period_time_deductible",
    "deductible",
    "limit_per_accident",
    "limit_period",
    "shared_limit_per_accident",
    "shared_limit_period",
    "aggregate",
    "cost_head_victim_cap",
    "cost_head_share",
    "cost_head_limit",
)


def _hours(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    as_float = float(value)
    text = f"{as_float:.6f}".rstrip("0").rstrip(".")
    return text if Fraction(text) == value else f"{value.numerator}/{value.denominator}"


def _jst(moment: datetime) -> str:
    return moment.astimezone(JST).strftime("%Y-%m-%d %H:%M")


def outside_period(terms: PolicyTerms, amount: int, occurred_at: datetime) -> Reason:
    return Reason(
        "outside_period",
        amount,
        "PRODUCT.md §5",
        f"事故日時 {_jst(occurred_at)} が保険期間（{_jst(terms.start)}〜{_jst(terms.end)}、"
        "終期を含まない）の外です",
        f"the accident at {_jst(occurred_at)} JST is outside the policy period "
        f"[{_jst(terms.start)}, {_jst(terms.end)}) JST",
    )


def excluded(terms: PolicyTerms, amount: int, part: str, cause: str) -> Reason:
    ja_cause, en_cause = terms.label(f"cause:{cause}")
    ja_part, en_part = terms.label(part)
    return Reason(
        f"excluded:{cause}",
        amount,
        "PRODUCT.md §4",
        f"{ja_part}は「{ja_cause}」に起因する損害を支払いません（免責事由 {cause}）",
        f"{en_part} does not pay for a loss caused by: {en_cause} (exclusion {cause})",
    )


def not_bought(terms: PolicyTerms, amount: int, part: str) -> Reason:
    ja_part, en_part = terms.label(part)
    return Reason(
        "not_bought",
        amount,
        "PRODUCT.md §3 (オプション)",
        f"{ja_part}（オプション）は付帯されていません",
        f"{en_part} (an option) was not bought",
    )


def waiting_not_met(terms: PolicyTerms, amount: int, outage: Fraction) -> Reason:
    hours = _hours(terms.waiting.hours)
    return Reason(
        "waiting_period_not_met",
        amount,
        "PRODUCT.md §3 ※3",
        f"連続した停止 {_hours(outage)}時間が免責時間 {hours}時間を超えていません",
        f"the unbroken outage of {_hours(outage)} hours does not exceed "
        f"the waiting period of {hours} hours",
    )


def waiting_time_deductible(terms: PolicyTerms, amount: int, outage: Fraction) -> Reason:
    hours = _hours(terms.waiting.hours)
    return Reason(
        "waiting_period_time_deductible",
        amount,
        "PRODUCT.md §3 ※3 (time_deductible)",
        f"停止 {_hours(outage)}時間のうち免責時間 {hours}時間分の損害は支払対象外です"
        "（損害は停止時間に比例して発生したものとして按分、円未満切捨て）",
        f"the loss of the first {hours} of {_hours(outage)} outage hours is not paid "
        "(loss taken as accruing evenly; floored to the yen)",
    )


def deductible(terms: PolicyTerms, amount: int, part: str) -> Reason:
    ja_part, en_part = terms.label(part)
    figure = format_yen(terms.part(part).deductible)
    figure_en = format_yen_en(terms.part(part).deductible)
    return Reason(
        "deductible",
        amount,
        "PRODUCT.md §3 ※2",
        f"{ja_part}の自己負担額（1事故 {figure}）",
        f"{en_part} deductible ({figure_en} per accident)",
    )


def part_limit(terms: PolicyTerms, amount: int, part: str, *, per_accident: bool) -> Reason:
    ja_part, en_part = terms.label(part)
    limit = terms.part(part).limit
    figure = format_yen(limit)
    figure_en = format_yen_en(limit)
    if per_accident:
        return Reason(
            "limit_per_accident",
            amount,
            "PRODUCT.md §3",
            f"{ja_part}の1事故あたりお支払限度額 {figure}",
            f"{en_part} limit per accident of {figure_en}",
        )
    return Reason(
        "limit_period",
        amount,
        "PRODUCT.md §3",
        f"{ja_part}の保険期間中のお支払限度額 {figure} の残額を超えています",
        f"exceeds what remains of the {en_part} period limit of {figure_en}",
    )


def shared_limit(
    terms: PolicyTerms, amount: int, shared: str, limit: int, *, per_accident: bool
) -> Reason:
    ja_name, en_name = terms.label(shared)
    figure = format_yen(limit)
    figure_en = format_yen_en(limit)
    if per_accident:
        return Reason(
            "shared_limit_per_accident",
            amount,
            "PRODUCT.md §3 ③④",
            f"{ja_name}（1事故 {figure}）の残額を超えています（先着順）",
            f"exceeds what remains of the {en_name} of {figure_en} for this accident "
            "(first come first served)",
        )
    return Reason(
        "shared_limit_period",
        amount,
        "PRODUCT.md §3 ③④",
        f"{ja_name}（保険期間中 {figure}）の残額を超えています（先着順）",
        f"exceeds what remains of the {en_name} of {figure_en} for the period "
        "(first come first served)",
    )


def aggregate(terms: PolicyTerms, amount: int) -> Reason:
    ja_name, en_name = terms.label("aggregate")
    figure = format_yen(terms.aggregate)
    figure_en = format_yen_en(terms.aggregate)
    return Reason(
        "aggregate",
        amount,
        "PRODUCT.md §3 (※1, 内枠)",
        f"{ja_name} {figure} の残額を超えています（先着順）",
        f"exceeds what remains of the {en_name} of {figure_en} (first come first served)",
    )


def head_victim_cap(
    terms: PolicyTerms, amount: int, head: CostHead, victims: int, companies: int = 0
) -> Reason:
    ja, en = terms.label(f"head:{head.code}")
    person, company = head.per_victim_cap or 0, head.per_company_cap or 0
    cap = person * victims + company * companies
    return Reason(
        "cost_head_victim_cap",
        amount,
        "REFERENCE.md §4 (per-victim cap)",
        f"{ja}は1人あたり{format_yen(person)}・1社あたり{format_yen(company)}まで"
        f"（{victims:,}人・{companies:,}社分 {format_yen(cap)}）",
        f"{en} are paid up to {format_yen_en(person)} per person and {format_yen_en(company)} "
        f"per company ({victims:,} people, {companies:,} companies: {format_yen_en(cap)})",
    )


def head_share(terms: PolicyTerms, amount: int, head: CostHead) -> Reason:
    ja, en = terms.label(f"head:{head.code}")
    return Reason(
        "cost_head_share",
        amount,
        "REFERENCE.md §4 (payment share)",
        f"{ja}の支払割合は{head.share_percent}%です（円未満切捨て）",
        f"{en} are paid at {head.share_percent}% (floored to the yen)",
    )


def head_limit(terms: PolicyTerms, amount: int, head: CostHead) -> Reason:
    ja, en = terms.label(f"head:{head.code}")
    limit = head.head_limit or 0
    return Reason(
        "cost_head_limit",
        amount,
        "REFERENCE.md §4 (head limit)",
        f"{ja}の1事故あたり限度額 {format_yen(limit)}",
        f"{en} limit per accident of {format_yen_en(limit)}",
    )
