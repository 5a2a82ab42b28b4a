"""The loss model's data file (``risk/data/loss-model.toml``), checked on load.

Pure domain: pydantic models of the file, and :func:`load_loss_model`. Every problem
names its field path (``families[2].split``), as the product file's loader does.
"""

from __future__ import annotations

import math
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cybercover.errors import Problem, ProductFileError
from cybercover.product.model import Product
from cybercover.validation import problems_from_validation_error

__all__ = [
    "PARTS",
    "AnswerCondition",
    "Family",
    "LossModel",
    "Scenario",
    "consistency_problems",
    "default_loss_model",
    "load_loss_model",
]

PARTS = ("liability", "response_costs", "profit_loss", "continuation_costs")
"""The coverage parts the model writes losses to (PRODUCT.md §9), in the product's order."""

SPLIT_PARTS = ("liability", "response_costs", "continuation_costs")
"""Parts a severity is split over; ③ loss of profit comes from the outage instead."""

Share = Annotated[float, Field(ge=0, le=1)]
Positive = Annotated[float, Field(gt=0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    ja: str = Field(min_length=1)
    en: str = Field(min_length=1)


def _split_ok(split: dict[str, float]) -> dict[str, float]:
    unknown = set(split) - set(SPLIT_PARTS)
    if unknown:
        raise ValueError(f"split names unknown parts {sorted(unknown)}; allowed {SPLIT_PARTS}")
    if not math.isclose(sum(split.values()), 1.0, abs_tol=1e-9):
        raise ValueError(f"split shares must add up to 1 (got {sum(split.values())})")
    if any(v <= 0 for v in split.values()):
        raise ValueError("split shares must be positive (leave a part out instead)")
    return split


class Family(_Strict):
    """Attritional accidents of one covered-event family (PRODUCT.md §2)."""

    code: str
    frequency: Annotated[float, Field(ge=0, le=1)]
    median: Annotated[int, Field(gt=0)]
    sigma: Annotated[float, Field(gt=0, le=5)]
    tail_quantile: Annotated[float, Field(gt=0.5, lt=1)] | None = None  # None: no Pareto tail
    tail_alpha: Annotated[float, Field(gt=0.5, le=10)] | None = None
    split: dict[str, float]
    split_concentration: Annotated[float, Field(gt=0)]
    outage_probability: Share
    outage_median_hours: Positive
    outage_sigma: Annotated[float, Field(gt=0, le=5)]
    continuation_share: Share
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Family:
        _split_ok(self.split)
        if (self.tail_quantile is None) != (self.tail_alpha is None):
            raise ValueError("give both tail_quantile and tail_alpha, or neither")
        return self


class SizeBand(_Strict):
    code: str
    label: Text
    below: Annotated[int, Field(gt=0)] | None = None
    frequency: Positive
    severity: Positive


class Industry(_Strict):
    frequency: Positive
    profit_rate: Annotated[float, Field(gt=0, le=1)]
    families: dict[str, Positive] = {}
    source: str = Field(min_length=1)


class AnswerCondition(_Strict):
    """A disclosure answer that moves a factor: ``when`` (bool), ``at_least`` (int) or
    ``equals`` (choice). An unanswered question never matches."""

    code: str
    when: bool | None = None
    at_least: int | None = None
    equals: str | None = None
    factor: Positive

    @model_validator(mode="after")
    def _one_test(self) -> AnswerCondition:
        tests = [t for t in (self.when, self.at_least, self.equals) if t is not None]
        if len(tests) != 1:
            raise ValueError("give exactly one of when, at_least, equals")
        return self

    def matches(self, answer: object) -> bool:
        if answer is None:
            return False
        if self.when is not None:
            return isinstance(answer, bool) and answer is self.when
        if self.at_least is not None:
            return (
                isinstance(answer, int | float)
                and not isinstance(answer, bool)
                and answer >= self.at_least
            )
        return answer == self.equals


class Controls(_Strict):
    min_factor: Positive
    max_factor: Positive
    isms_factor: Positive
    source: str = Field(min_length=1)
    answers: tuple[AnswerCondition, ...] = ()

    @model_validator(mode="after")
    def _bounds(self) -> Controls:
        if not self.min_factor <= 1 <= self.max_factor:
            raise ValueError("min_factor ≤ 1 ≤ max_factor is required")
        return self


class Vendors(_Strict):
    source: str = Field(min_length=1)
    shares: dict[str, Share]
    oed_codes: dict[str, str] = {}
    on_premises: str | None = None
    aliases: dict[str, str] = {}

    @model_validator(mode="after")
    def _shares(self) -> Vendors:
        if self.on_premises is not None and self.on_premises not in self.shares:
            raise ValueError(f"on_premises {self.on_premises} has no share")
        if not math.isclose(sum(self.shares.values()), 1.0, abs_tol=1e-9):
            raise ValueError("vendor shares must add up to 1")
        unknown = (set(self.oed_codes.values()) | set(self.aliases.values())) - set(self.shares)
        if unknown:
            raise ValueError(f"oed_codes/aliases name vendors without a share: {sorted(unknown)}")
        return self

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.shares)

    def resolve(self, name: str) -> str | None:
        """Our vendor code for a declared name or code (``None``: unknown)."""
        if name in self.shares:
            return name
        return self.aliases.get(name.strip())


class Scenario(_Strict):
    """An accumulation scenario: one event, many insureds hit."""

    code: str
    label: Text
    family: str
    rate: Annotated[float, Field(ge=0, le=50)]
    per_vendor: bool = False
    hit_probability: Share
    multipliers: tuple[AnswerCondition, ...] = ()
    median: Annotated[int, Field(gt=0)]
    sigma: Annotated[float, Field(gt=0, le=5)]
    split: dict[str, float]
    outage_median_hours: Positive
    outage_sigma: Annotated[float, Field(gt=0, le=5)]
    outage_probability: Share = 1.0
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Scenario:
        _split_ok(self.split)
        return self


class ModelInfo(_Strict):
    code: str
    version: str
    reference_revenue: Annotated[int, Field(gt=0)]
    usd_jpy: Positive
    seconds_per_tick: Literal[1] = 1
    hours_per_year: Annotated[int, Field(gt=0)] = 8760
    max_loss_revenue_multiple: Positive
    max_loss: Annotated[int, Field(gt=0)]
    outage_impact_a: Positive
    outage_impact_b: Positive


class LossModel(_Strict):
    model: ModelInfo
    families: tuple[Family, ...] = Field(min_length=1)
    size_bands: tuple[SizeBand, ...] = Field(min_length=1)
    industries: dict[str, Industry]
    controls: Controls
    vendors: Vendors
    scenarios: tuple[Scenario, ...] = ()

    @property
    def family_codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.families)

    @property
    def source_codes(self) -> tuple[str, ...]:
        """Where a loss comes from: each family (attritional), then each scenario."""
        return (*self.family_codes, *(s.code for s in self.scenarios))

    def band_index(self, revenue: int) -> int:
        for i, band in enumerate(self.size_bands):
            if band.below is None or revenue < band.below:
                return i
        return len(self.size_bands) - 1


def consistency_problems(model: LossModel, product: Product) -> list[Problem]:
    """What the model must agree on with the product: every event family and every
    rating industry class has parameters, and the parts it writes exist."""
    problems: list[Problem] = []
    product_families = {f.code for f in product.event_families}
    for i, fam in enumerate(model.families):
        if fam.code not in product_families:
            problems.append(
                Problem(
                    f"families[{i}].code",
                    "unknown_family",
                    f"商品にない事故類型です（{fam.code}）",
                    f"is not an event family of the product ({fam.code})",
                )
            )
    for code in sorted(product_families - set(model.family_codes)):
        problems.append(
            Problem(
                "families",
                "family_missing",
                f"事故類型 {code} のパラメータがありません",
                f"no parameters for event family {code}",
            )
        )
    for code in sorted(set(product.rating.industries) - set(model.industries)):
        problems.append(
            Problem(
                "industries",
                "industry_missing",
                f"業種区分 {code} のパラメータがありません",
                f"no parameters for rating industry class {code}",
            )
        )
    if tuple(product.coverage_codes) != PARTS:
        problems.append(
            Problem(
                "product.coverages",
                "parts_mismatch",
                f"補償の構成がモデルと異なります（{', '.join(product.coverage_codes)}）",
                f"the product's parts differ from the model's {PARTS}",
            )
        )
    return problems


def _problem(path: str, code: str, ja: str, en: str) -> Problem:
    return Problem(path, code, ja, en)


def structure_problems(model: LossModel) -> list[Problem]:
    """Rules across fields of the file, each named by its path."""
    problems: list[Problem] = []
    bounds = [b.below for b in model.size_bands]
    for i, below in enumerate(bounds):
        last = i == len(bounds) - 1
        if (below is None) != last:
            problems.append(
                _problem(
                    f"size_bands[{i}].below",
                    "band_bound",
                    "最後の区分以外は上限（below）が必要で、最後の区分には不要です",
                    "every band but the last needs `below`; the last has none",
                )
            )
    values = [b for b in bounds if b is not None]
    if values != sorted(set(values)):
        problems.append(
            _problem("size_bands", "band_order", "上限は昇順です", "band bounds must strictly rise")
        )
    codes = model.family_codes
    for i, code in enumerate(codes):
        if codes.index(code) != i:
            problems.append(
                _problem(f"families[{i}].code", "duplicate", "重複しています", "is a duplicate")
            )
    for name, industry in model.industries.items():
        for fam in industry.families:
            if fam not in codes:
                problems.append(
                    _problem(
                        f"industries.{name}.families.{fam}",
                        "unknown_family",
                        "事故類型がありません",
                        f"is not a family of the model ({', '.join(codes)})",
                    )
                )
    for i, sc in enumerate(model.scenarios):
        if sc.family not in codes:
            problems.append(
                _problem(
                    f"scenarios[{i}].family",
                    "unknown_family",
                    "事故類型がありません",
                    f"is not a family of the model ({', '.join(codes)})",
                )
            )
    return problems


def parse_loss_model(data: dict[str, object]) -> LossModel:
    try:
        model = LossModel.model_validate(data)
    except ValidationError as exc:
        raise ProductFileError(problems_from_validation_error(exc)) from None
    problems = structure_problems(model)
    if problems:
        raise ProductFileError(problems)
    return model


def load_loss_model(path: str | Path, product: Product | None = None) -> LossModel:
    """Read and check a loss-model file; with ``product``, check it agrees with it."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProductFileError(
            [Problem(str(path), "not_found", "ファイルがありません", "file not found")]
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ProductFileError(
            [Problem(str(path), "toml_syntax", f"TOMLの構文誤り: {exc}", f"TOML syntax: {exc}")]
        ) from None
    model = parse_loss_model(data)
    if product is not None:
        problems = consistency_problems(model, product)
        if problems:
            raise ProductFileError(problems)
    return model


DEFAULT_MODEL_FILE = Path(__file__).with_name("data") / "loss-model.toml"


@lru_cache(maxsize=1)
def default_loss_model() -> LossModel:
    """The packaged loss model, checked against the product version on sale."""
    from cybercover.product.catalogue import on_sale

    return load_loss_model(DEFAULT_MODEL_FILE, on_sale())
