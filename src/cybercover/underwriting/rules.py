"""Evaluate the product's underwriting rules on the facts of one application.

Pure: :func:`evaluate` takes the product and a :class:`Facts` value and returns the
issues raised, in the order of the product file; nothing is stored. The facts a
condition may name (docs/underwriting.md):

``company.<field>``  the company profile (:data:`~cybercover.underwriting.model.COMPANY_FIELDS`)
``disclosure.<code>`` the answers, normalised by :func:`validate_answers`
``limits.<key>``     the limits chosen (coverage parts, shared limits, ``aggregate``)
``options.<key>``    the options bought
``isms.<field>``     ``certified``, ``body``, ``expires_on``, and derived ``valid`` and
                     ``waives`` (PRODUCT.md §7)
``unanswered.quote`` / ``unanswered.bind``  codes required at that step, unanswered and
                     not waived by an ISMS certificate copy
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from cybercover.errors import InputError, Problem
from cybercover.underwriting.answers import (
    IsmsCertificate,
    answer_problems,
    isms_valid,
    isms_waives,
    missing_answers,
    waived_questions,
)
from cybercover.underwriting.model import (
    COMPANY_FIELDS,
    Action,
    BlockingPoint,
    ConditionDef,
    RuleDef,
    Scalar,
    UnderwritingDef,
)
from cybercover.validation import exact_decimal

if TYPE_CHECKING:
    from cybercover.product.model import Product

__all__ = ["Facts", "UnderwritingIssue", "company_facts", "evaluate", "fact_values"]

_MISSING = object()


@dataclass(frozen=True, slots=True)
class Facts:
    """What the rules look at: one application on its quote date ``on``."""

    on: date
    company: Mapping[str, object]
    disclosure: Mapping[str, object] = field(default_factory=dict)
    limits: Mapping[str, int] = field(default_factory=dict)
    options: Mapping[str, bool] = field(default_factory=dict)
    isms: IsmsCertificate | None = None


@dataclass(frozen=True, slots=True)
class UnderwritingIssue:
    """A finding that blocks ``blocking_point`` until someone with ``authority_level``
    clears it (引受上の確認事項). ``facts`` are the values that made the rule fire."""

    rule_code: str
    action: Action
    blocking_point: BlockingPoint
    authority: str
    authority_level: int
    title_ja: str
    title_en: str
    message_ja: str
    message_en: str
    facts: Mapping[str, object]
    source: str

    @property
    def initial_status(self) -> str:
        """``declined`` for a decline rule (blocks until overridden), else ``open``."""
        return "declined" if self.action == "decline" else "open"

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule_code": self.rule_code,
            "action": self.action,
            "blocking_point": self.blocking_point,
            "authority": self.authority,
            "authority_level": self.authority_level,
            "title": {"ja": self.title_ja, "en": self.title_en},
            "message": {"ja": self.message_ja, "en": self.message_en},
            "facts": {k: _json(v) for k, v in self.facts.items()},
            "source": self.source,
        }


def _json(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_json(v) for v in value]
    return value


def company_facts(company: Mapping[str, object]) -> dict[str, object]:
    """The company profile fields the rules know, type-checked (``company.<field>``);
    other keys (name, address …) are ignored. Raises :class:`InputError`."""
    out: dict[str, object] = {}
    problems: list[Problem] = []
    for name, kind in COMPANY_FIELDS.items():
        raw = company.get(name)
        if raw is None:
            continue
        where = f"company.{name}"
        if kind.type == "bool":
            ok = isinstance(raw, bool)
            value: object = raw
        elif kind.type == "int":
            ok = isinstance(raw, int) and not isinstance(raw, bool)
            value = raw
        elif kind.type == "decimal":
            try:
                value, ok = exact_decimal(raw), True
            except ValueError:
                ok = False
        else:
            ok = isinstance(raw, str)
            value = raw.strip() if isinstance(raw, str) else raw
        if not ok:
            problems.append(
                Problem(
                    where,
                    f"{kind.type}_type",
                    f"{kind.type} で指定してください",
                    f"must be of type {kind.type}",
                )
            )
        elif value != "":
            out[name] = value
    if problems:
        raise InputError(problems)
    return out


def fact_values(product: Product, facts: Facts) -> dict[str, object]:
    """Every fact by its path (``disclosure.mfa``); an absent fact has no key."""
    answers, problems = answer_problems(product, facts.disclosure)
    if problems:
        raise InputError(problems)
    values: dict[str, object] = {f"company.{k}": v for k, v in company_facts(facts.company).items()}
    values.update({f"disclosure.{k}": v for k, v in answers.items()})
    values.update({f"limits.{k}": v for k, v in facts.limits.items()})
    values.update({f"options.{k}": v for k, v in facts.options.items()})
    isms = facts.isms
    if isms is not None:
        values["isms.certified"] = isms.certified
        if isms.body is not None:
            values["isms.body"] = isms.body
        if isms.expires_on is not None:
            values["isms.expires_on"] = isms.expires_on
    values["isms.valid"] = isms_valid(isms, facts.on)
    values["isms.waives"] = isms_waives(product, isms, facts.on)
    waived = waived_questions(product, isms, on=facts.on)
    values["unanswered.quote"] = missing_answers(product, answers, ("quote",), waived)
    values["unanswered.bind"] = missing_answers(product, answers, ("bind",), waived)
    return values


def _compare(op: str, actual: object, expected: Scalar) -> bool:
    """One comparison; values of different kinds never match (a bool is not a number)."""
    if isinstance(actual, bool) or isinstance(expected, bool):
        if not (isinstance(actual, bool) and isinstance(expected, bool)):
            return False
    elif isinstance(actual, int | Decimal) != isinstance(expected, int | Decimal):
        return False
    elif isinstance(actual, int | Decimal):
        pass
    elif type(actual) is not type(expected):
        return False
    a: Any = actual
    if op == "eq":
        return bool(a == expected)
    if op == "ne":
        return bool(a != expected)
    if op == "lt":
        return bool(a < expected)
    if op == "le":
        return bool(a <= expected)
    if op == "gt":
        return bool(a > expected)
    if op == "ge":
        return bool(a >= expected)
    raise ValueError(f"not a comparison: {op}")


def _test(cond: ConditionDef, values: Mapping[str, object], uw: UnderwritingDef) -> bool:
    assert cond.field is not None and cond.op is not None
    actual = values.get(cond.field, _MISSING)
    if cond.op == "missing":
        return actual is _MISSING
    if cond.op == "present":
        return actual is not _MISSING
    if actual is _MISSING:
        return False  # a comparison on a missing fact is false (docs/underwriting.md)
    if cond.op == "nonempty":
        return isinstance(actual, tuple) and len(actual) > 0
    if cond.op in ("in", "not_in"):
        options: tuple[Scalar, ...] = (
            uw.lists[cond.values_from] if cond.values_from is not None else cond.values
        )
        found = any(_compare("eq", actual, v) for v in options)
        return found if cond.op == "in" else not found
    return _compare(cond.op, actual, cond.scalar)


def _holds(
    cond: ConditionDef, values: Mapping[str, object], uw: UnderwritingDef, hits: dict[str, object]
) -> bool:
    """Whether ``cond`` holds; the facts of the tests that made it hold go into ``hits``."""
    if cond.field is not None:
        if _test(cond, values, uw):
            hits[cond.field] = values.get(cond.field)
            return True
        return False
    if cond.all_ is not None:
        local: dict[str, object] = {}
        if all(_holds(c, values, uw, local) for c in cond.all_):
            hits.update(local)
            return True
        return False
    held = False
    for c in cond.any_ or ():
        held = _holds(c, values, uw, hits) or held  # every branch that holds is a reason
    return held


def _issue(rule: RuleDef, uw: UnderwritingDef, hits: Mapping[str, object]) -> UnderwritingIssue:
    return UnderwritingIssue(
        rule_code=rule.code,
        action=rule.action,
        blocking_point=rule.blocking_point,
        authority=rule.authority,
        authority_level=uw.level(rule.authority),
        title_ja=rule.title.ja,
        title_en=rule.title.en,
        message_ja=rule.message.ja,
        message_en=rule.message.en,
        facts=dict(hits),
        source=rule.source,
    )


def evaluate(product: Product, facts: Facts) -> list[UnderwritingIssue]:
    """The issues the product's rules raise on ``facts``, in rule order.

    Raises :class:`InputError` when an answer or a company field has the wrong type
    (the same checks as :func:`validate_answers`), so a rule never silently skips a
    value it could not read.
    """
    uw = product.underwriting
    values = fact_values(product, facts)
    issues = []
    for rule in uw.rules:
        hits: dict[str, object] = {}
        if _holds(rule.condition, values, uw, hits):
            issues.append(_issue(rule, uw, hits))
    return issues
