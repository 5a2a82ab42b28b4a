"""The product definition: every fact of PRODUCT.md §2–§7 as validated data.

A product file (``products/*.toml``) is parsed into :class:`Product`. The model checks
both the shape of each field and the product's own consistency (codes unique, every
reference resolves, defaults within bounds), so a broken file is refused with the field
and the rule, never half-loaded.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, model_validator

from cybercover.claims.model import ClaimsRulesDef
from cybercover.errors import Problem
from cybercover.policies.model import PolicyRulesDef
from cybercover.rating.model import RateTable
from cybercover.underwriting.model import DisclosureDef, UnderwritingDef, underwriting_problems

__all__ = [
    "AggregateDef",
    "CoverageDef",
    "EmergencySupportDef",
    "ExclusionDef",
    "IncidentDeskDef",
    "InsuredDef",
    "Label",
    "LimitRuleDef",
    "Product",
    "SharedLimitDef",
    "WaitingMode",
    "WaitingPeriodDef",
    "consistency_problems",
]

WaitingMode = Literal["qualifying", "time_deductible"]
Code = StrictStr
Yen = StrictInt


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(_Strict):
    """A text in Japanese first and English second."""

    ja: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Agency(_Strict):
    code: Code = Field(min_length=1)
    name: Label
    address: str
    enquiries: StrictBool = False


class ProductInfo(_Strict):
    code: Code = Field(min_length=1)
    version: str = Field(min_length=1)
    name: Label
    insurer: Label
    approval_number: str
    approval_date: date
    source: str
    outline_only: StrictBool = True
    agencies: tuple[Agency, ...] = Field(min_length=1)


class PeriodDef(_Strict):
    years: StrictInt = Field(ge=1, le=1)
    timezone: Literal["Asia/Tokyo"]


class EligibilityDef(_Strict):
    countries: tuple[str, ...] = Field(min_length=1)
    label: Label
    note: Label | None = None


class CoverageDef(_Strict):
    """One coverage part (①–④ of PRODUCT.md §3)."""

    code: Code = Field(pattern=r"^[a-z][a-z_]*$")
    number: StrictInt = Field(ge=1)
    label: Label
    short: Label
    optional: StrictBool
    option: Code | None = None
    max_limit: Yen = Field(gt=0)
    default_deductible: Yen = Field(ge=0)
    waiting_period: StrictBool = False
    shared_limit: Code | None = None
    source: str

    @model_validator(mode="after")
    def _option_iff_optional(self) -> CoverageDef:
        if self.optional and self.option is None:
            raise ValueError(
                "任意のカバーには option の指定が必要です / an optional coverage must name its option"
            )
        if not self.optional and self.option is not None:
            raise ValueError(
                "基本カバーに option は指定できません / a coverage that is always bought has no option"
            )
        return self


class OptionDef(_Strict):
    label: Label


class SharedLimitDef(_Strict):
    """A limit shared by several parts, taken first come first served in part order."""

    label: Label
    parts: tuple[Code, ...] = Field(min_length=2)
    max_limit: Yen = Field(gt=0)
    default: Code | None = None
    source: str


class AggregateDef(_Strict):
    label: Label
    max_limit: Yen = Field(gt=0)
    default: Code
    page_figure: Yen | None = None
    source: str


class LimitRuleDef(_Strict):
    """``left``'s limit must not exceed ``right``'s (both limit keys)."""

    code: Code
    left: Code
    right: Code
    label: Label
    source: str


class WaitingModeDef(_Strict):
    label: Label


class WaitingPeriodDef(_Strict):
    min_hours: StrictInt = Field(ge=0)
    default_hours: StrictInt = Field(ge=0)
    default_mode: WaitingMode
    label: Label
    modes: dict[WaitingMode, WaitingModeDef]

    @model_validator(mode="after")
    def _defaults_allowed(self) -> WaitingPeriodDef:
        if self.default_hours < self.min_hours:
            raise ValueError(
                "default_hours は min_hours 以上にしてください / default_hours must be at least min_hours"
            )
        if self.default_mode not in self.modes:
            raise ValueError(
                "default_mode が modes にありません / default_mode is not one of modes"
            )
        return self


class ExclusionDef(_Strict):
    code: Code = Field(pattern=r"^[a-z][a-z_]*$")
    label: Label
    applies_to: tuple[Code, ...] = Field(min_length=1)
    source: str


class CostHeadDef(_Strict):
    """A cost head of a part (REFERENCE.md §4): payment share, head limit per accident,
    per-victim cap (e.g. apology gifts), whether the insurer's prior consent is needed."""

    code: Code = Field(pattern=r"^[a-z][a-z_]*$")
    part: Code
    label: Label
    share_percent: StrictInt = Field(ge=1, le=100)
    head_limit: Yen | None = Field(default=None, gt=0)
    per_victim_cap: Yen | None = Field(default=None, gt=0)
    per_company_cap: Yen | None = Field(default=None, gt=0)
    consent_required: StrictBool = False
    source: str


class EventFamilyDef(_Strict):
    code: Code
    label: Label
    examples: tuple[Label, ...] = ()


class EmergencyServiceDef(_Strict):
    code: Code
    label: Label


class IncidentDeskDef(_Strict):
    """The insurer's incident support desk: who runs it and what it does (PRODUCT.md §6)."""

    name: Label
    operator: Label
    role: Label


class InsuredDef(_Strict):
    """被保険者: who the policy covers, in the page's words (PRODUCT.md §5)."""

    label: Label
    text: Label
    liability_note: Label


class EmergencySupportDef(_Strict):
    label: Label
    automatic: StrictBool
    paid_from: Code
    desk: IncidentDeskDef | None = None
    services: tuple[EmergencyServiceDef, ...] = Field(min_length=1)


class IsmsDef(_Strict):
    max_discount_percent: StrictInt = Field(ge=0, le=100)
    full_discount_bodies: tuple[str, ...]
    label: Label


def _duplicates(codes: list[str]) -> list[str]:
    return sorted({c for c in codes if codes.count(c) > 1})


class PricingDef(_Strict):
    """Loadings of the technical price (docs/risk-model.md)."""

    expense_loading_percent: Annotated[float, Field(ge=0, lt=100)]
    profit_loading_percent: Annotated[float, Field(ge=0, lt=100)]
    cost_of_capital_percent: Annotated[float, Field(ge=0, le=100)]
    default_capital_ratio: Annotated[float, Field(ge=0)]
    min_industry_policies: Annotated[int, Field(ge=1)]
    quote_years: Annotated[int, Field(ge=1000, le=10_000_000)]
    quote_seed: Annotated[int, Field(ge=0)]
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _loadings_below_one(self) -> PricingDef:
        if self.expense_loading_percent + self.profit_loading_percent >= 100:
            raise ValueError("expense + profit loadings must stay below 100%")
        return self


class Product(_Strict):
    """A whole product version. Coverage order in the file is the engine's fixed order."""

    schema_version: Literal[1]
    product: ProductInfo
    period: PeriodDef
    eligibility: EligibilityDef
    insured: InsuredDef | None = None
    coverages: tuple[CoverageDef, ...] = Field(min_length=1)
    options: dict[Code, OptionDef] = {}
    shared_limits: dict[Code, SharedLimitDef] = {}
    aggregate: AggregateDef
    limit_rules: tuple[LimitRuleDef, ...] = ()
    waiting_period: WaitingPeriodDef
    exclusions: tuple[ExclusionDef, ...] = ()
    cost_heads: tuple[CostHeadDef, ...] = ()
    event_families: tuple[EventFamilyDef, ...] = Field(min_length=1)
    emergency_support: EmergencySupportDef
    isms: IsmsDef
    policy: PolicyRulesDef
    claims: ClaimsRulesDef = ClaimsRulesDef()  # initial reserves (docs/claims.md)
    pricing: PricingDef | None = None  # technical price loadings (docs/risk-model.md)
    rating: RateTable  # the rate table (docs/rating.md)
    disclosure: DisclosureDef  # 告知 (docs/underwriting.md)
    underwriting: UnderwritingDef  # referral and decline rules (docs/underwriting.md)

    # -- convenient views ----------------------------------------------------------------

    def coverage(self, code: str) -> CoverageDef:
        for cov in self.coverages:
            if cov.code == code:
                return cov
        raise KeyError(code)

    @property
    def coverage_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.coverages)

    @property
    def exclusion_codes(self) -> tuple[str, ...]:
        return tuple(e.code for e in self.exclusions)

    def excluded_parts(self, cause: str) -> tuple[str, ...]:
        for exc in self.exclusions:
            if exc.code == cause:
                return exc.applies_to
        raise KeyError(cause)

    def limit_label(self, key: str) -> Label:
        """The label of any limit key: a coverage, a shared limit or ``aggregate``."""
        if key == "aggregate":
            return self.aggregate.label
        if key in self.shared_limits:
            return self.shared_limits[key].label
        return self.coverage(key).short


def consistency_problems(product: Product) -> list[Problem]:
    """Rules across fields: codes unique, every reference resolves.

    Called by the loader after the shape is validated, so each problem keeps its own
    field path.
    """
    problems: list[Problem] = []

    def add(path: str, ja: str, en: str) -> None:
        problems.append(Problem(path, "product_consistency", ja, en))

    codes = [c.code for c in product.coverages]
    for dup in _duplicates(codes):
        add("coverages", f"重複したコード {dup}", f"duplicate coverage code {dup}")
    known = set(codes)
    limit_keys = known | set(product.shared_limits) | {"aggregate"}
    for i, cov in enumerate(product.coverages):
        if cov.option is not None and cov.option not in product.options:
            add(
                f"coverages[{i}].option",
                f"未定義のオプション {cov.option}",
                f"unknown option {cov.option}",
            )
    in_shared: dict[str, str] = {}
    for name, shared in product.shared_limits.items():
        for part in shared.parts:
            if part not in known:
                add(
                    f"shared_limits.{name}.parts",
                    f"未定義のカバー {part}",
                    f"unknown coverage {part}",
                )
            elif part in in_shared:
                add(
                    f"shared_limits.{name}.parts",
                    f"{part} は複数の合算限度額に属しています",
                    f"{part} is already in shared limit {in_shared[part]}",
                )
            in_shared.setdefault(part, name)
        if shared.default is not None and shared.default not in limit_keys:
            add(
                f"shared_limits.{name}.default",
                f"未定義の限度額 {shared.default}",
                f"unknown limit {shared.default}",
            )
    for i, cov in enumerate(product.coverages):
        if cov.shared_limit != in_shared.get(cov.code):
            expected = in_shared.get(cov.code)
            add(
                f"coverages[{i}].shared_limit",
                f"合算限度額の parts と一致しません（期待値: {expected}）",
                f"does not match the parts of the shared limits (expected {expected})",
            )
    if product.aggregate.default not in known:
        add(
            "aggregate.default",
            f"未定義のカバー {product.aggregate.default}",
            f"unknown coverage {product.aggregate.default}",
        )
    for i, rule in enumerate(product.limit_rules):
        for side in ("left", "right"):
            key = getattr(rule, side)
            if key not in limit_keys:
                add(f"limit_rules[{i}].{side}", f"未定義の限度額 {key}", f"unknown limit {key}")
    for dup in _duplicates([h.code for h in product.cost_heads]):
        add("cost_heads", f"重複したコード {dup}", f"duplicate cost head code {dup}")
    for i, head in enumerate(product.cost_heads):
        if head.part not in known:
            add(
                f"cost_heads[{i}].part",
                f"未定義のカバー {head.part}",
                f"unknown coverage {head.part}",
            )
    for dup in _duplicates([e.code for e in product.exclusions]):
        add("exclusions", f"重複したコード {dup}", f"duplicate exclusion code {dup}")
    for i, exc in enumerate(product.exclusions):
        for part in exc.applies_to:
            if part not in known:
                add(
                    f"exclusions[{i}].applies_to",
                    f"未定義のカバー {part}",
                    f"unknown coverage {part}",
                )
    if product.emergency_support.paid_from not in known:
        add(
            "emergency_support.paid_from",
            "未定義のカバー",
            f"unknown coverage {product.emergency_support.paid_from}",
        )
    for dup in _duplicates([s.code for s in product.emergency_support.services]):
        add("emergency_support.services", f"重複したコード {dup}", f"duplicate service code {dup}")
    for part, amount in product.claims.initial_reserve.items():
        if part not in known:
            add(f"claims.initial_reserve.{part}", "未定義のカバー", f"unknown coverage {part}")
        elif not 0 <= amount <= product.coverage(part).max_limit:
            add(
                f"claims.initial_reserve.{part}",
                "初期備金は0円以上、その補償の最高限度額以下",
                "an initial reserve is 0 yen or more and at most the part's maximum limit",
            )
    problems += underwriting_problems(
        product.disclosure, product.underwriting, limit_keys, product.options
    )
    return problems
