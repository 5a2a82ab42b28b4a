"""The ``cybercover adjudicate`` scenario: JSON in, :class:`Adjudication` out, JSON back.

Input shape (issue #2)::

    {"policy": {"start": "2026-04-01" | aware date-time,
                "limits": {"aggregate"?, "liability", "response_costs",
                           "business_interruption"?, "profit_loss"?, "continuation_costs"?},
                "deductibles"?: {coverage: yen},
                "business_interruption"?: bool,
                "waiting_period"?: {"hours": number ≥ 3, "mode": "qualifying" | "time_deductible"}},
     "accidents": [{"id", "occurred_at": aware date-time, "outage_hours"?: number,
                    "causes"?: [code], "losses": [{"coverage", "amount": yen}]}]}

Shape errors come from pydantic; product rules from :func:`build_policy_terms`; both
are gathered into one :class:`InputError` whose problems name the field path.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
)

from cybercover.errors import InputError, Problem, format_path
from cybercover.product.model import Product
from cybercover.terms.build import build_policy_terms
from cybercover.terms.exact import adjudicate
from cybercover.terms.model import (
    Accident,
    Adjudication,
    LineResult,
    LossLine,
    PartResult,
    PolicyTerms,
    Reason,
)
from cybercover.validation import decode_json, problems_from_validation_error

__all__ = ["adjudication_to_json", "load_scenario", "parse_scenario", "run_scenario"]


def _exact_number(value: Any) -> Fraction:
    """A JSON number as an exact fraction (floats arrive as Decimal, never as float)."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | Fraction):
        raise ValueError("数値で指定してください / must be a number")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError("有限の数値で指定してください / must be a finite number")
    return Fraction(value)


def _nonnegative_hours(value: Any) -> Fraction:
    number = _exact_number(value)
    if number < 0:
        raise ValueError("0以上で指定してください / must not be negative")
    return number


def _aware_datetime(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("日時を文字列で指定してください / must be a date-time string")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            "日時の形式が正しくありません（例: 2026-06-01T10:00:00+09:00） / "
            "is not a valid date-time (e.g. 2026-06-01T10:00:00+09:00)"
        ) from None
    if len(value) <= 10 or moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            "時差（+09:00 など）付きの日時で指定してください / "
            "must be a date-time with a UTC offset (e.g. 2026-06-01T10:00:00+09:00)"
        )
    return moment


def _start(value: Any) -> date | datetime:
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(
                "日付の形式が正しくありません（YYYY-MM-DD） / is not a valid date (YYYY-MM-DD)"
            ) from None
    return _aware_datetime(value)


Hours = Annotated[Fraction, BeforeValidator(_nonnegative_hours)]
Moment = Annotated[datetime, BeforeValidator(_aware_datetime)]
Start = Annotated[date | datetime, BeforeValidator(_start)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class WaitingIn(_In):
    hours: Annotated[Fraction, BeforeValidator(_exact_number)] | None = None
    mode: str | None = None


class PolicyIn(_In):
    start: Start
    limits: dict[str, StrictInt]
    deductibles: dict[str, StrictInt] = {}
    business_interruption: StrictBool = False
    waiting_period: WaitingIn = WaitingIn()


class LossIn(_In):
    coverage: str
    amount: StrictInt = Field(ge=0)
    category: str | None = None
    victims: StrictInt | None = Field(default=None, ge=0)
    victim_companies: StrictInt | None = Field(default=None, ge=0)
    description: str | None = None


class AccidentIn(_In):
    id: str | StrictInt
    occurred_at: Moment
    outage_hours: Hours | None = None
    causes: list[str] = []
    losses: list[LossIn]
    description: str | None = None


class ScenarioIn(_In):
    description: str | None = None
    policy: PolicyIn
    accidents: list[AccidentIn]


def parse_scenario(data: Any, product: Product) -> tuple[PolicyTerms, list[Accident]]:
    """Validate a decoded scenario against ``product``; raise one :class:`InputError`."""
    try:
        scenario = ScenarioIn.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_validation_error(exc)) from None

    problems: list[Problem] = []
    terms: PolicyTerms | None = None
    policy = scenario.policy
    try:
        terms = build_policy_terms(
            product,
            start=policy.start,
            limits=policy.limits,
            deductibles=policy.deductibles,
            options={"business_interruption": policy.business_interruption},
            waiting_hours=policy.waiting_period.hours,
            waiting_mode=policy.waiting_period.mode,
        )
    except InputError as exc:
        problems.extend(exc.problems)

    known_causes = set(product.exclusion_codes)
    coverages = set(product.coverage_codes)
    waiting_parts = {c.code for c in product.coverages if c.waiting_period}
    heads = {(h.part, h.code): h for h in product.cost_heads}
    seen_ids: set[str | int] = set()
    accidents: list[Accident] = []
    for i, acc in enumerate(scenario.accidents):
        here = ("accidents", i)
        if acc.id in seen_ids:
            problems.append(
                Problem(
                    format_path([*here, "id"]),
                    "duplicate_id",
                    f"事故IDが重複しています（{acc.id}）",
                    f"duplicate accident id {acc.id!r}",
                )
            )
        seen_ids.add(acc.id)
        for j, cause in enumerate(acc.causes):
            if cause not in known_causes:
                problems.append(
                    Problem(
                        format_path([*here, "causes", j]),
                        "unknown_cause",
                        f"不明な事由コードです（{', '.join(sorted(known_causes))}）",
                        f"{cause!r} is not a cause code of the product ({', '.join(sorted(known_causes))})",
                    )
                )
        needs_outage = False
        for j, loss in enumerate(acc.losses):
            if loss.coverage not in coverages:
                problems.append(
                    Problem(
                        format_path([*here, "losses", j, "coverage"]),
                        "unknown_coverage",
                        f"不明な補償です（{', '.join(product.coverage_codes)}）",
                        f"{loss.coverage!r} is not a coverage part ({', '.join(product.coverage_codes)})",
                    )
                )
            needs_outage = needs_outage or loss.coverage in waiting_parts
            if loss.category is not None:
                head = heads.get((loss.coverage, loss.category))
                if head is None:
                    codes = ", ".join(c for p, c in heads if p == loss.coverage) or "-"
                    problems.append(
                        Problem(
                            format_path([*here, "losses", j, "category"]),
                            "unknown_category",
                            f"{loss.coverage} の費目ではありません（{codes}）",
                            f"{loss.category!r} is not a cost head of {loss.coverage} ({codes})",
                        )
                    )
                elif head.per_victim_cap is not None and loss.victims is None:
                    problems.append(
                        Problem(
                            format_path([*here, "losses", j, "victims"]),
                            "victims_required",
                            "1人あたり上限のある費目には人数（victims）が必要です",
                            "a head with a per-victim cap needs the number of victims",
                        )
                    )
        if needs_outage and acc.outage_hours is None:
            problems.append(
                Problem(
                    format_path([*here, "outage_hours"]),
                    "outage_hours_required",
                    "利益損害・営業継続費用の損害には連続した停止時間（outage_hours）が必要です",
                    "a business-interruption loss needs outage_hours (the longest unbroken outage)",
                )
            )
        accidents.append(
            Accident(
                id=acc.id,
                occurred_at=acc.occurred_at,
                outage_hours=acc.outage_hours,
                causes=tuple(acc.causes),
                losses=tuple(
                    LossLine(
                        loss.coverage,
                        loss.amount,
                        loss.category,
                        loss.victims,
                        loss.victim_companies,
                    )
                    for loss in acc.losses
                ),
            )
        )
    if problems:
        raise InputError(problems)
    assert terms is not None
    return terms, accidents


def load_scenario(
    text: str, product: Product, source: str = "scenario"
) -> tuple[PolicyTerms, list[Accident]]:
    """Decode JSON (numbers with a fraction become exact decimals) and parse it."""
    data = decode_json(text, source)
    return parse_scenario(data, product)


def _reason_json(reason: Reason) -> dict[str, Any]:
    return {
        "code": reason.code,
        "amount": reason.amount,
        "clause": reason.clause,
        "ja": reason.ja,
        "en": reason.en,
    }


def _outcome_json(outcome: LineResult | PartResult) -> dict[str, Any]:
    return {
        "coverage": outcome.coverage,
        "claimed": outcome.claimed,
        "paid": outcome.paid,
        "reasons": [_reason_json(r) for r in outcome.reasons],
    }


def adjudication_to_json(result: Adjudication) -> dict[str, Any]:
    """The output form of ``cybercover adjudicate`` (accidents in input order)."""
    return {
        "accidents": [
            {
                "id": acc.id,
                "paid": acc.paid,
                "total": acc.total,
                "lines": [_outcome_json(line) for line in acc.lines],
                "parts": [_outcome_json(part) for part in acc.parts],
            }
            for acc in result.accidents
        ],
        "total_paid": result.total_paid,
        "remaining": result.remaining,
    }


def run_scenario(text: str, product: Product, source: str = "scenario") -> dict[str, Any]:
    terms, accidents = load_scenario(text, product, source)
    return adjudication_to_json(adjudicate(terms, accidents))
