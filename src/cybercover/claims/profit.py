"""Loss of profit (喪失利益) for coverage part ③, step by step (issue #5, part 1).

The computation follows the classic Japanese profit-insurance wording that cyber riders
reuse (REFERENCE.md §3):

- revenue shortfall (営業収益減少額) = standard revenue (標準営業収益) × trend factor
  − actual revenue in the indemnity period, not below 0;
- profit rate (利益率) = (operating profit + insured fixed costs) / revenue of the last
  fiscal year, kept as an exact fraction;
- loss of profit (喪失利益) = shortfall × profit rate − insured fixed costs saved,
  not below 0;
- mitigation costs payable (収益減少防止費用) = the costs spent, capped at the shortfall
  they avoided × profit rate;
- total = loss of profit + mitigation costs payable.

Rounding (our assumption, to confirm against the policy wording): each of the three
products (standard × trend, shortfall × rate, shortfall avoided × rate) is floored to
the yen once, in :func:`_floor_yen`, and nothing else is ever rounded. The rate itself is
never rounded. Rates and factors are ``Fraction``/``Decimal``; no float is ever used.

Pure domain: no I/O, no clock. Limits, deductibles and the waiting period are applied
later by the terms engine; this module only computes the loss.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, ValidationError

from cybercover.errors import InputError, Problem, format_path
from cybercover.validation import exact_decimal, problems_from_validation_error

__all__ = [
    "IndemnityPeriod",
    "ProfitLossInput",
    "ProfitLossResult",
    "ProfitLossRow",
    "compute_profit_loss",
    "format_rate",
    "parse_profit_loss_input",
]

Yen = Annotated[StrictInt, Field(ge=0)]
"""A yen amount: a whole number (no bool, no float, no string), not negative."""

TrendFactor = Annotated[Decimal, BeforeValidator(exact_decimal), Field(gt=0)]
"""A strictly positive exact decimal: int, decimal string, or a JSON float read via repr."""


class IndemnityPeriod(BaseModel):
    """てん補期間: from the loss until revenue is back to normal, capped by the agreed
    maximum (約定てん補期間, REFERENCE.md §3). Both dates count (our reading): 1 June to
    30 June is 30 days."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: date
    end: date
    max_days: Annotated[StrictInt, Field(gt=0)]

    @property
    def days(self) -> int:
        """Length in days, both ends included."""
        return (self.end - self.start).days + 1


class ProfitLossInput(BaseModel):
    """The figures a loss-of-profit claim needs; every yen amount a non-negative int.

    Build it from untrusted data with :func:`parse_profit_loss_input`, which raises
    :class:`~cybercover.errors.InputError` naming each field at fault.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    standard_revenue: Yen
    """標準営業収益: revenue of the same span in the 12 months before the accident."""
    trend_factor: TrendFactor = Decimal(1)
    """Fair adjustment of the standard revenue for the business's trend (1 = none)."""
    actual_revenue: Yen
    """Revenue actually earned in the indemnity period."""
    operating_profit: StrictInt
    """営業利益 of the last fiscal year; may be negative (an operating loss)."""
    insured_fixed_costs: Yen
    """保険付固定費 of the last fiscal year."""
    annual_revenue: Annotated[StrictInt, Field(gt=0)]
    """営業収益 of the last fiscal year: the profit rate's denominator."""
    fixed_costs_saved: Yen = 0
    """Insured fixed costs no longer spent because of the interruption."""
    mitigation_costs: Yen = 0
    """収益減少防止費用: costs spent to limit the shortfall."""
    shortfall_avoided: Yen = 0
    """The revenue shortfall that the mitigation costs avoided."""
    indemnity_period: IndemnityPeriod


@dataclass(frozen=True, slots=True)
class ProfitLossRow:
    """One step of the computation, as a claims handler or a settlement letter shows it.

    ``formula`` is the step with its figures filled in (language neutral);
    ``floored`` says the amount was floored to the yen at this step (and only here).
    """

    code: str
    ja: str
    en: str
    formula: str
    amount: int
    floored: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "ja": self.ja,
            "en": self.en,
            "formula": self.formula,
            "amount": self.amount,
            "floored": self.floored,
        }


@dataclass(frozen=True, slots=True)
class ProfitLossResult:
    """The loss of profit with every step kept, and the inputs it came from."""

    inputs: ProfitLossInput
    profit_rate: Fraction
    indemnity_days: int
    rows: tuple[ProfitLossRow, ...]

    def row(self, code: str) -> ProfitLossRow:
        for r in self.rows:
            if r.code == code:
                return r
        raise KeyError(code)

    @property
    def revenue_shortfall(self) -> int:
        return self.row("revenue_shortfall").amount

    @property
    def loss_of_profit(self) -> int:
        return self.row("loss_of_profit").amount

    @property
    def mitigation_payable(self) -> int:
        return self.row("mitigation_payable").amount

    @property
    def total(self) -> int:
        return self.row("total").amount

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: yen as int, the rate as an exact text (``"0.4"`` or ``"1/3"``)."""
        return {
            "inputs": self.inputs.model_dump(mode="json"),
            "profit_rate": format_rate(self.profit_rate),
            "indemnity_days": self.indemnity_days,
            "rows": [r.as_dict() for r in self.rows],
            "total": self.total,
        }


def parse_profit_loss_input(
    data: Mapping[str, Any], prefix: Sequence[str | int] = ()
) -> ProfitLossInput:
    """Validate submitted figures into a :class:`ProfitLossInput`.

    Raises :class:`~cybercover.errors.InputError`: first every field check at once, then,
    if those pass, the checks between fields (see :func:`compute_profit_loss`). ``prefix``
    is prepended to every field path (``claim.indemnity_period.end``).
    """
    try:
        inp = ProfitLossInput.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_validation_error(exc, prefix)) from None
    _check(inp, prefix)
    return inp


def compute_profit_loss(inp: ProfitLossInput) -> ProfitLossResult:
    """Loss of profit plus mitigation costs payable, every step a row (REFERENCE.md §3).

    Raises :class:`~cybercover.errors.InputError` when the indemnity period ends before it
    starts or runs longer than the agreed maximum (``indemnity_period.end``), or when
    operating profit + insured fixed costs is negative (``operating_profit``).
    """
    _check(inp, ())
    rate = Fraction(inp.operating_profit + inp.insured_fixed_costs, inp.annual_revenue)
    trend = Fraction(inp.trend_factor)
    rate_text = format_rate(rate)

    adjusted = _floor_yen(inp.standard_revenue * trend)
    shortfall = _not_below_zero(adjusted - inp.actual_revenue)
    gross = _floor_yen(shortfall * rate)
    loss = _not_below_zero(gross - inp.fixed_costs_saved)
    cap = _floor_yen(inp.shortfall_avoided * rate)
    mitigation = min(inp.mitigation_costs, cap)
    total = loss + mitigation

    rows = (
        ProfitLossRow(
            "adjusted_standard_revenue",
            "標準営業収益（趨勢調整後）",
            "standard revenue adjusted for trend",
            f"{_y(inp.standard_revenue)} × {format_rate(trend)}",
            adjusted,
            floored=True,
        ),
        ProfitLossRow(
            "revenue_shortfall",
            "営業収益減少額",
            "revenue shortfall",
            f"max(0, {_y(adjusted)} − {_y(inp.actual_revenue)})",
            shortfall,
        ),
        ProfitLossRow(
            "profit_on_shortfall",
            "営業収益減少額 × 利益率",
            "revenue shortfall × profit rate",
            f"{_y(shortfall)} × {rate_text}"
            f" (({_y(inp.operating_profit)} + {_y(inp.insured_fixed_costs)})"
            f" / {_y(inp.annual_revenue)})",
            gross,
            floored=True,
        ),
        ProfitLossRow(
            "fixed_costs_saved",
            "支出を免れた保険付固定費",
            "insured fixed costs saved",
            _y(inp.fixed_costs_saved),
            inp.fixed_costs_saved,
        ),
        ProfitLossRow(
            "loss_of_profit",
            "喪失利益",
            "loss of profit",
            f"max(0, {_y(gross)} − {_y(inp.fixed_costs_saved)})",
            loss,
        ),
        ProfitLossRow(
            "mitigation_costs",
            "収益減少防止費用（支出額）",
            "costs spent to limit the shortfall",
            _y(inp.mitigation_costs),
            inp.mitigation_costs,
        ),
        ProfitLossRow(
            "mitigation_cap",
            "収益減少防止費用の限度（防止した営業収益減少額 × 利益率）",
            "cap on those costs (shortfall avoided × profit rate)",
            f"{_y(inp.shortfall_avoided)} × {rate_text}",
            cap,
            floored=True,
        ),
        ProfitLossRow(
            "mitigation_payable",
            "収益減少防止費用（お支払い対象額）",
            "costs to limit the shortfall, payable",
            f"min({_y(inp.mitigation_costs)}, {_y(cap)})",
            mitigation,
        ),
        ProfitLossRow(
            "total",
            "利益損害の額（喪失利益 + 収益減少防止費用）",
            "loss of profit plus mitigation costs payable",
            f"{_y(loss)} + {_y(mitigation)}",
            total,
        ),
    )
    return ProfitLossResult(inp, rate, inp.indemnity_period.days, rows)


def format_rate(value: Fraction) -> str:
    """An exact rational as text: its exact decimal when it has one (``"0.4"``,
    ``"1.05"``), otherwise the fraction in lowest terms (``"1/3"``). Never rounded."""
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        return f"{value.numerator}/{value.denominator}"
    places = max(twos, fives)
    scaled = value * 10**places  # a whole number, since the denominator divides 10**places
    sign = "-" if scaled < 0 else ""
    digits = str(abs(int(scaled))).rjust(places + 1, "0")
    if places == 0:
        return f"{sign}{digits}"
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


def _floor_yen(amount: Fraction) -> int:
    """THE rounding of this module: an exact product floored to the whole yen, once.

    Our assumption (REFERENCE.md §3 names no rounding): floor, i.e. 円未満切捨て, in the
    insured's disfavour by less than one yen per step. Only the three products pass
    through here; differences, minimums and sums of whole yen need no rounding.
    """
    return amount.numerator // amount.denominator


def _not_below_zero(amount: int) -> int:
    """The "not below 0" of the wording: a shortfall or a loss is never negative."""
    return max(0, amount)


def _y(amount: int) -> str:
    return f"{amount:,}"


def _check(inp: ProfitLossInput, prefix: Sequence[str | int]) -> None:
    """The checks between fields, every problem at once."""
    problems: list[Problem] = []
    period = inp.indemnity_period
    end_path = format_path([*prefix, "indemnity_period", "end"])
    if period.end < period.start:
        problems.append(
            Problem(
                end_path,
                "indemnity_period_reversed",
                "てん補期間の終了日は開始日以降にしてください",
                "must not be before indemnity_period.start",
            )
        )
    elif period.days > period.max_days:
        problems.append(
            Problem(
                end_path,
                "indemnity_period_too_long",
                f"てん補期間（{period.days}日）が約定てん補期間（{period.max_days}日）を超えています",
                f"makes the indemnity period {period.days} days, longer than the agreed "
                f"maximum of {period.max_days} days",
            )
        )
    if inp.operating_profit + inp.insured_fixed_costs < 0:
        # An operating loss larger than the insured fixed costs gives a negative rate;
        # the classic wording has a special rule for operating losses that we do not
        # implement yet, so a person must settle such a claim (docs/claims.md).
        problems.append(
            Problem(
                format_path([*prefix, "operating_profit"]),
                "profit_rate_negative",
                "営業利益と保険付固定費の合計が負のため利益率を計算できません",
                "plus insured_fixed_costs is negative: no profit rate can be computed",
            )
        )
    if problems:
        raise InputError(problems)
