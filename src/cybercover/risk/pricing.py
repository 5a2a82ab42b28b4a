"""The technical price of one quote, beside its rate-table premium.

Expected loss under exactly the quoted terms (the policy's own :class:`PolicyTerms`
through the same simulation as the portfolio, ``quote_years`` years), plus a capital
charge from the portfolio's tail and the expense and profit loadings of the product
file's ``[pricing]`` (docs/risk-model.md):

    capital   = expected loss × capital ratio (industry, else portfolio, else default)
    technical = (expected loss + cost of capital × capital) / (1 − expense − profit)

rounded up to the rate table's premium unit. The ratio ``table / technical`` shows where
the table is above (> 1) or below (< 1) the model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from cybercover.errors import InputError, Problem
from cybercover.product.model import PricingDef, Product
from cybercover.risk.exposure import Insured, Portfolio
from cybercover.risk.model import LossModel
from cybercover.risk.simulate import simulate_local

__all__ = ["CapitalBasis", "TechnicalPrice", "capital_ratio_for", "technical_price"]


@dataclass(frozen=True, slots=True)
class CapitalBasis:
    """The portfolio tail a price reads: ratios by industry and for the portfolio, with
    the run they come from (``None``: no run yet, the product default applies)."""

    ratios: Mapping[str, float]
    policies: Mapping[str, int]
    run_id: int | None = None
    run_at: str | None = None


@dataclass(frozen=True, slots=True)
class TechnicalPrice:
    expected_loss: int
    standard_error: int
    expected_accidents: float
    capital_ratio: float
    capital_ratio_basis: str  # "industry", "portfolio" or "default"
    capital: int
    capital_charge: int
    expense_loading: int
    profit_loading: int
    technical_premium: int
    table_premium: int | None
    ratio: float | None  # table / technical
    years: int
    seed: int
    capital_run_id: int | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def capital_ratio_for(
    industry: str, basis: CapitalBasis | None, settings: PricingDef
) -> tuple[float, str]:
    if basis is not None:
        if basis.policies.get(industry, 0) >= settings.min_industry_policies:
            ratio = basis.ratios.get(industry)
            if ratio is not None:
                return ratio, "industry"
        if "portfolio" in basis.ratios:
            return basis.ratios["portfolio"], "portfolio"
    return settings.default_capital_ratio, "default"


def _ceil_to(value: float, unit: int) -> int:
    return math.ceil(value / unit) * unit


def technical_price(
    product: Product,
    model: LossModel,
    insured: Insured,
    *,
    table_premium: int | None = None,
    basis: CapitalBasis | None = None,
    years: int | None = None,
    seed: int | None = None,
) -> TechnicalPrice:
    settings = product.pricing
    if settings is None:
        raise ValueError("the product file has no [pricing] section")
    years = settings.quote_years if years is None else years
    seed = settings.quote_seed if seed is None else seed
    if not 1000 <= years <= 10_000_000:
        raise InputError(
            [
                Problem(
                    "years",
                    "range",
                    "模擬年数は1,000〜10,000,000年です",
                    "simulated years must be 1,000 to 10,000,000",
                )
            ]
        )
    portfolio = Portfolio.build(model, [insured], seed=seed)
    result = simulate_local(model, portfolio, years=years, seed=seed, block_years=years)
    # every later figure is computed from the yen shown, so each can be checked by hand
    el = round(float(result.insured.mean()))
    se = float(result.insured.std(ddof=1) / math.sqrt(years)) if years > 1 else 0.0
    ratio, how = capital_ratio_for(insured.industry, basis, settings)
    capital = round(el * ratio)
    charge = round(capital * settings.cost_of_capital_percent / 100)
    denom = 1 - (settings.expense_loading_percent + settings.profit_loading_percent) / 100
    gross = (el + charge) / denom
    unit = product.rating.premium_unit
    technical = _ceil_to(gross, unit)
    return TechnicalPrice(
        expected_loss=el,
        standard_error=round(se),
        expected_accidents=float(result.accidents.mean()),
        capital_ratio=ratio,
        capital_ratio_basis=how,
        capital=capital,
        capital_charge=charge,
        expense_loading=round(gross * settings.expense_loading_percent / 100),
        profit_loading=round(gross * settings.profit_loading_percent / 100),
        technical_premium=technical,
        table_premium=table_premium,
        ratio=(table_premium / technical) if table_premium is not None and technical else None,
        years=years,
        seed=seed,
        capital_run_id=basis.run_id if basis is not None else None,
    )
