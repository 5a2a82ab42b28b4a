"""Options of a quote as data, their terms, and their premium: shared by new business,
endorsements and renewals so that all three price exactly alike."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError

from cybercover.errors import InputError, Problem
from cybercover.product.model import Product
from cybercover.rating.engine import Premium, RateRequest, rate
from cybercover.storage.models import Company
from cybercover.terms.build import build_policy_terms
from cybercover.terms.model import PolicyTerms
from cybercover.underwriting import IsmsCertificate
from cybercover.validation import problems_from_validation_error

__all__ = [
    "OptionIn",
    "PricedOption",
    "company_facts",
    "option_terms",
    "parse_options",
    "price_option",
]


class WaitingOptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hours: StrictInt | Decimal | str | float | None = None
    mode: str | None = None


class OptionIn(BaseModel):
    """One option of a quote: limits, deductibles, BI on or off, waiting hours."""

    model_config = ConfigDict(extra="forbid")

    label: str = Field(default="", max_length=100)
    limits: dict[str, StrictInt]
    deductibles: dict[str, StrictInt] = {}
    business_interruption: StrictBool = False
    waiting_period: WaitingOptionIn = WaitingOptionIn()

    def hours(self) -> Fraction | None:
        value = self.waiting_period.hours
        if value is None:
            return None
        try:
            return Fraction(Decimal(str(value)))
        except (ArithmeticError, ValueError):
            raise InputError(
                [
                    Problem(
                        "waiting_period.hours",
                        "decimal_parsing",
                        "数値で指定してください",
                        "must be a number",
                    )
                ]
            ) from None

    def stored(self) -> dict[str, Any]:
        """The JSON kept on quotes and policies (hours as an exact decimal string)."""
        hours = self.hours()
        return {
            "label": self.label,
            "limits": dict(self.limits),
            "deductibles": dict(self.deductibles),
            "business_interruption": self.business_interruption,
            "waiting_period": {
                "hours": str(Decimal(hours.numerator) / Decimal(hours.denominator))
                if hours is not None
                else None,
                "mode": self.waiting_period.mode,
            },
        }


def parse_options(data: Sequence[Mapping[str, Any]], path: str = "options") -> list[OptionIn]:
    problems: list[Problem] = []
    out: list[OptionIn] = []
    if not data:
        raise InputError(
            [
                Problem(
                    path,
                    "too_short",
                    "1つ以上の選択肢を指定してください",
                    "give at least one option",
                )
            ]
        )
    for i, item in enumerate(data):
        try:
            out.append(OptionIn.model_validate(item))
        except ValidationError as exc:
            problems.extend(problems_from_validation_error(exc, (path, i)))
    if problems:
        raise InputError(problems)
    return out


def company_facts(company: Company) -> dict[str, object]:
    """The company as underwriting rules and rating read it."""
    return {
        "country": company.country,
        "prefecture": company.prefecture,
        "annual_revenue": company.annual_revenue,
        "employees": company.employees,
        "industry_group": company.industry_group,
        "overseas_sales_ratio": Decimal(company.overseas_sales_ratio),
        "personal_records": company.personal_records,
        "handles_my_number": company.handles_my_number,
        "handles_card_data": company.handles_card_data,
    }


@dataclass(frozen=True, slots=True)
class PricedOption:
    option: OptionIn
    terms: PolicyTerms
    premium: Premium


def option_terms(
    product: Product, option: OptionIn, start: date, path: Sequence[str | int]
) -> PolicyTerms:
    return build_policy_terms(
        product,
        start=start,
        limits=option.limits,
        deductibles=option.deductibles,
        options={"business_interruption": option.business_interruption},
        waiting_hours=option.hours(),
        waiting_mode=option.waiting_period.mode,
        path=tuple(path),
    )


def price_option(
    product: Product,
    company: Company,
    option: OptionIn,
    *,
    start: date,
    disclosure: Mapping[str, object],
    isms: IsmsCertificate | None,
    isms_counts: bool,
    path: Sequence[str | int] = ("options", 0),
) -> PricedOption:
    """Terms and premium of one option; problems name ``options[i].…``."""
    terms = option_terms(product, option, start, path)
    try:
        industry = product.rating.industry_for_jsic(company.industry_group)
    except (KeyError, ValueError):
        raise InputError(
            [
                Problem(
                    "company.industry_group",
                    "no_rate_class",
                    f"業種 {company.industry_group} の料率クラスがありません",
                    f"no rate class for industry group {company.industry_group}",
                )
            ]
        ) from None
    request = RateRequest(
        annual_revenue=company.annual_revenue,
        industry=industry,
        terms=terms,
        overseas_sales_ratio=Decimal(company.overseas_sales_ratio),
        disclosure=disclosure,
        isms_body=isms.body if isms is not None and isms_counts else None,
    )
    return PricedOption(option, terms, rate(product, request))
