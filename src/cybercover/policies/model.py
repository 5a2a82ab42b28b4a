"""Policy-lifecycle settings of the product file (`[policy]`): quotes, cancellation,
payment, grace period, commission and co-agency (PRODUCT.md §1, §5, §8)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, model_validator

__all__ = ["AgencyShareDef", "PolicyRulesDef", "ShortRateStep"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ShortRateStep(_Strict):
    """Cancelled within ``up_to_days`` of the start: the insurer keeps ``retained_percent``."""

    up_to_days: StrictInt = Field(ge=1, le=366)
    retained_percent: StrictInt = Field(ge=0, le=100)


class AgencyShareDef(_Strict):
    agency: str
    tasks: tuple[str, ...] = Field(min_length=1)
    share_percent: StrictInt = Field(ge=0, le=100)


class PolicyRulesDef(_Strict):
    number_prefix: str = Field(pattern=r"^[A-Z]{2,4}$")
    quote_validity_days: StrictInt = Field(ge=1, le=365)
    retroactive: Literal["inception"]
    cancellation_by_insured: Literal["pro_rata", "short_rate"]
    cancellation_by_insurer: Literal["pro_rata", "short_rate"]
    short_rate: tuple[ShortRateStep, ...] = Field(min_length=1)
    payment_plans: dict[str, StrictInt]  # plan → number of instalments
    payment_methods: tuple[str, ...] = Field(min_length=1)
    # days from the start of the period to the first instalment's due date, per method
    # (a direct debit is first collected weeks after the start); a method not named: 0
    first_premium_due_days: dict[str, StrictInt] = Field(default_factory=dict)
    grace_period_days: StrictInt = Field(ge=0, le=180)
    cover_before_premium_received: StrictBool
    commission_percent: StrictInt = Field(ge=0, le=50)
    # commission on premium collected, return commission on refunds paid (issue #17)
    commission_basis: Literal["collected"]
    co_agency: tuple[AgencyShareDef, ...] = Field(min_length=1)
    reinstatement_days: StrictInt = Field(ge=0, le=365)
    claim_payment_days: StrictInt = Field(ge=1, le=365)
    limitation_years: StrictInt = Field(ge=1, le=10)

    @model_validator(mode="after")
    def _consistent(self) -> PolicyRulesDef:
        steps = [s.up_to_days for s in self.short_rate]
        if steps != sorted(steps) or len(set(steps)) != len(steps) or steps[-1] < 365:
            raise ValueError(
                "short_rate は日数の昇順で365日以上まで / short_rate steps must rise and reach 365 days"
            )
        if sum(a.share_percent for a in self.co_agency) != 100:
            raise ValueError(
                "co_agency の share_percent の合計は100 / co_agency shares must add up to 100"
            )
        unknown = set(self.first_premium_due_days) - set(self.payment_methods)
        if unknown or any(not 0 <= d <= 90 for d in self.first_premium_due_days.values()):
            raise ValueError(
                "first_premium_due_days は支払方法ごとに0〜90日 / "
                "first_premium_due_days: a payment method's days, 0 to 90"
            )
        if any(n < 1 for n in self.payment_plans.values()):
            raise ValueError("payment_plans は1回以上 / a payment plan has at least one instalment")
        return self
