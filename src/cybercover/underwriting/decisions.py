"""Decide an underwriting issue: clear it, decline, or lower the limits (PRODUCT.md §3 ※1).

Pure: :func:`decide` takes the issue, its current status, the decision, who decides
(with their numeric authority) and when (a clock value passed in, DESIGN.md habit 2),
and returns the new status and a history entry; the caller stores both in one
transaction. Authority (Guidewire-style, DESIGN.md): clearing an issue or lowering the
limits needs at least the issue's level; declining needs the product's
``underwriting.decline_authority`` (any underwriter may refuse a risk).

Lowering limits: the insurer may set a liability limit lower than the 2 billion yen
maximum after checking the company's actual risk (PRODUCT.md §3 ※1). The new limits
are re-validated through :func:`~cybercover.terms.build.build_policy_terms`, so every
product rule on limits still holds (e.g. response costs ≤ liability).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, model_validator

from cybercover.errors import AuthorityError, ConflictError, InputError, Problem
from cybercover.timeutil import to_utc
from cybercover.underwriting.rules import UnderwritingIssue
from cybercover.validation import problems_from_validation_error

if TYPE_CHECKING:
    from cybercover.product.model import Product
    from cybercover.terms.model import PolicyTerms

__all__ = [
    "ChosenTerms",
    "Decider",
    "DecisionKind",
    "DecisionOutcome",
    "HistoryEntry",
    "IssueDecision",
    "decide",
    "parse_decision",
]

DecisionKind = Literal["clear", "decline", "lower_limits"]
IssueStatus = Literal["open", "cleared", "declined"]


class IssueDecision(BaseModel):
    """What the underwriter decided and why; ``limits`` (only for ``lower_limits``) are
    the new limits by key, merged over the chosen ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: DecisionKind
    reason: str = Field(min_length=1, max_length=2000)
    limits: dict[str, StrictInt] | None = None

    @model_validator(mode="after")
    def _limits_iff_lowering(self) -> IssueDecision:
        if not self.reason.strip():
            raise ValueError("理由を記入してください / a reason is required")
        if (self.kind == "lower_limits") != bool(self.limits):
            raise ValueError(
                "限度額の引下げには新しい限度額（limits）が必要です（他の決定には指定不可） / "
                "lower_limits needs the new limits, and only it takes limits"
            )
        return self


def parse_decision(data: Mapping[str, Any]) -> IssueDecision:
    """A decision from request data; problems are named ``decision.<field>``."""
    try:
        return IssueDecision.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_validation_error(exc, ("decision",))) from None


@dataclass(frozen=True, slots=True)
class Decider:
    """The deciding user: id, numeric underwriting authority, name for the history."""

    user_id: int
    authority: int
    name: str = ""


@dataclass(frozen=True, slots=True)
class ChosenTerms:
    """The options of the application, as given to ``build_policy_terms``."""

    start: date | datetime
    limits: Mapping[str, int]
    deductibles: Mapping[str, int] = field(default_factory=dict)
    options: Mapping[str, bool] = field(default_factory=dict)
    waiting_hours: Fraction | None = None
    waiting_mode: str | None = None

    def build(self, product: Product, path: tuple[str, ...] = ("policy",)) -> PolicyTerms:
        from cybercover.terms.build import build_policy_terms  # product.model imports us

        return build_policy_terms(
            product,
            start=self.start,
            limits=self.limits,
            deductibles=self.deductibles,
            options=self.options,
            waiting_hours=self.waiting_hours,
            waiting_mode=self.waiting_mode,
            path=path,
        )


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One line of an issue's history: who decided what, when and why."""

    at: datetime
    by: int
    by_name: str
    decision: DecisionKind
    reason: str
    status_before: str
    status_after: IssueStatus
    authority_required: int
    authority_held: int
    limits_before: Mapping[str, int] | None = None
    limits_after: Mapping[str, int] | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "at": to_utc(self.at).isoformat(),
            "by": self.by,
            "by_name": self.by_name,
            "decision": self.decision,
            "reason": self.reason,
            "status_before": self.status_before,
            "status_after": self.status_after,
            "authority_required": self.authority_required,
            "authority_held": self.authority_held,
        }
        if self.limits_before is not None:
            out["limits_before"] = dict(self.limits_before)
        if self.limits_after is not None:
            out["limits_after"] = dict(self.limits_after)
        return out


@dataclass(frozen=True, slots=True)
class DecisionOutcome:
    """The issue's new status and history entry; for ``lower_limits`` also the new
    chosen terms and the validated policy terms."""

    status: IssueStatus
    entry: HistoryEntry
    terms: ChosenTerms | None = None
    policy_terms: PolicyTerms | None = None


_AFTER: Mapping[DecisionKind, IssueStatus] = {
    "clear": "cleared",
    "decline": "declined",
    "lower_limits": "cleared",
}


def _current_limit(policy_terms: PolicyTerms, key: str) -> int | None:
    if key == "aggregate":
        return policy_terms.aggregate
    for part in policy_terms.parts:
        if part.code == key:
            return part.limit if part.bought else None
    for shared in policy_terms.shared:
        if shared.code == key:
            return shared.limit
    return None


def decide(
    product: Product,
    issue: UnderwritingIssue,
    decision: IssueDecision,
    *,
    decider: Decider,
    at: datetime,
    status: str = "open",
    chosen: ChosenTerms | None = None,
) -> DecisionOutcome:
    """Apply ``decision`` to ``issue`` (whose stored status is ``status``).

    Refuses (:class:`AuthorityError`) a decider without the authority; refuses
    (:class:`ConflictError`) a decision on a closed issue: an open issue takes any
    decision, a declined one can only be cleared (an override) by someone with the
    issue's authority, a cleared one none. ``lower_limits`` needs ``chosen`` and raises
    :class:`InputError` when a new limit is not lower than the current one or breaks a
    product rule (problems under ``decision.limits``).
    """
    to_utc(at)  # a decision time names an instant: a naive datetime is refused
    uw = product.underwriting
    required = (
        uw.level(uw.decline_authority) if decision.kind == "decline" else issue.authority_level
    )
    if decider.authority < required:
        raise AuthorityError(
            "underwriting.decide",
            ja=f"この確認事項（{issue.rule_code}）を処理する権限がありません"
            f"（必要な権限 {required}、保有 {decider.authority}）",
            en=f"not enough underwriting authority for {issue.rule_code}: "
            f"{required} needed, {decider.authority} held",
        )
    allowed = status == "open" or (status == "declined" and decision.kind == "clear")
    if not allowed:
        raise ConflictError(
            "issue_closed",
            f"この確認事項は{status}のため、この決定はできません",
            f"the issue is {status}: {decision.kind} is not possible",
        )
    entry_limits: tuple[Mapping[str, int] | None, Mapping[str, int] | None] = (None, None)
    new_terms: ChosenTerms | None = None
    policy_terms: PolicyTerms | None = None
    if decision.kind == "lower_limits":
        assert decision.limits is not None  # checked by IssueDecision
        new_terms, policy_terms = _lower(product, decision.limits, chosen)
        assert chosen is not None
        entry_limits = (dict(chosen.limits), dict(new_terms.limits))
    entry = HistoryEntry(
        at=at,
        by=decider.user_id,
        by_name=decider.name,
        decision=decision.kind,
        reason=decision.reason.strip(),
        status_before=status,
        status_after=_AFTER[decision.kind],
        authority_required=required,
        authority_held=decider.authority,
        limits_before=entry_limits[0],
        limits_after=entry_limits[1],
    )
    return DecisionOutcome(_AFTER[decision.kind], entry, new_terms, policy_terms)


def _lower(
    product: Product, new_limits: Mapping[str, int], chosen: ChosenTerms | None
) -> tuple[ChosenTerms, PolicyTerms]:
    if chosen is None:
        raise InputError(
            [
                Problem(
                    "decision.limits",
                    "terms_required",
                    "限度額を引き下げるには現在の契約条件が必要です",
                    "lowering limits needs the terms currently chosen",
                )
            ]
        )
    current = chosen.build(product)
    problems: list[Problem] = []
    lowered = False
    for key, value in new_limits.items():
        before = _current_limit(current, key)
        where = f"decision.limits.{key}"
        if before is None:
            problems.append(
                Problem(
                    where,
                    "unknown_limit",
                    "現在の契約条件にない限度額です",
                    "is not a limit of the terms currently chosen",
                )
            )
        elif value > before:
            problems.append(
                Problem(
                    where,
                    "not_lower",
                    f"現在の限度額（{before:,}円）より高くできません",
                    f"must not be above the current limit ({before:,} yen)",
                )
            )
        elif value < before:
            lowered = True
    if not problems and not lowered:
        problems.append(
            Problem(
                "decision.limits",
                "not_lower",
                "いずれかの限度額を引き下げてください",
                "at least one limit must be lower than now",
            )
        )
    if problems:
        raise InputError(problems)
    merged = ChosenTerms(
        start=chosen.start,
        limits={**chosen.limits, **new_limits},
        deductibles=chosen.deductibles,
        options=chosen.options,
        waiting_hours=chosen.waiting_hours,
        waiting_mode=chosen.waiting_mode,
    )
    return merged, merged.build(product, ("decision",))
