"""The ``[disclosure]`` and ``[underwriting]`` sections of a product file, as data.

The disclosure (告知) is the questionnaire an applicant answers before the insurer
accepts (PRODUCT.md §5 "告知内容等により引受できない場合があります", §7 ISMS certificate
copy, §8 "the disclosure questionnaire's questions": ours). Underwriting rules are
conditions over the company profile, the answers, the ISMS certificate and the chosen
limits; each raises an issue that blocks a step until someone with enough authority
clears it (docs/underwriting.md).

Conditions are a small declarative language, never evaluated as code::

    {field = "disclosure.mfa", op = "eq", value = false}
    {any = [{field = "company.country", op = "ne", value = "JP"}, ...]}
    {all = [...]}

Shape errors (an unknown operator, a value missing) are refused by pydantic at load with
the field path; references (a field that does not exist, a value of the wrong type for
the field) are checked by :func:`underwriting_problems`, which the product's
consistency check calls.

This module must not import :mod:`cybercover.product.model` (that module imports this
one for ``Product.disclosure`` and ``Product.underwriting``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    model_validator,
)

from cybercover.errors import Problem, format_path
from cybercover.validation import exact_decimal

__all__ = [
    "COMPANY_FIELDS",
    "OPERATORS",
    "Action",
    "AnswerType",
    "BlockingPoint",
    "ChoiceOption",
    "ConditionDef",
    "DisclosureDef",
    "FieldKind",
    "IsmsDisclosureDef",
    "Operator",
    "QuestionDef",
    "RuleDef",
    "Stage",
    "Text",
    "UnderwritingDef",
    "field_kind",
    "underwriting_problems",
]

AnswerType = Literal["bool", "int", "decimal", "text", "choice", "date"]
Stage = Literal["quote", "bind"]
BlockingPoint = Literal["quote", "bind", "issue"]
Action = Literal["decline", "refer"]
Operator = Literal[
    "eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "missing", "present", "nonempty"
]
OPERATORS: tuple[str, ...] = (
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "in",
    "not_in",
    "missing",
    "present",
    "nonempty",
)

_CODE = r"^[a-z][a-z0-9_]*$"


Number = Annotated[Decimal, BeforeValidator(exact_decimal)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(_Strict):
    """A text in Japanese first and English second."""

    ja: str = Field(min_length=1)
    en: str = Field(min_length=1)


# -- disclosure ---------------------------------------------------------------------------


class ChoiceOption(_Strict):
    value: StrictStr = Field(pattern=_CODE)
    label: Text


class QuestionDef(_Strict):
    """One disclosure question (告知項目).

    ``required_at`` is the first step that needs the answer (``quote`` or ``bind``;
    none: optional). ``waived_by_isms_certificate``: a valid copy of an ISMS certificate
    from one of ``disclosure.isms.waiver_bodies`` answers it (PRODUCT.md §7).
    """

    code: StrictStr = Field(pattern=_CODE)
    text: Text
    type: AnswerType
    required_at: Stage | None = None
    waived_by_isms_certificate: StrictBool = False
    help: Text | None = None
    options: tuple[ChoiceOption, ...] = ()
    min: Number | None = None
    max: Number | None = None
    max_length: StrictInt | None = Field(default=None, ge=1)
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _type_settings(self) -> QuestionDef:
        if (self.type == "choice") != bool(self.options):
            raise ValueError(
                "choice の質問には options が必要です（他の型には指定不可） / "
                "options are required for a choice question and only for it"
            )
        values = [o.value for o in self.options]
        if len(set(values)) != len(values):
            raise ValueError("options の value が重複しています / duplicate option values")
        if self.type not in ("int", "decimal") and (self.min is not None or self.max is not None):
            raise ValueError(
                "min / max は int と decimal の質問だけです / min and max are for int and decimal"
            )
        if self.type == "int" and any(
            b is not None and b != b.to_integral_value() for b in (self.min, self.max)
        ):
            raise ValueError("int の質問の min / max は整数 / an int question has whole bounds")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min は max 以下 / min must not exceed max")
        if self.type != "text" and self.max_length is not None:
            raise ValueError("max_length は text の質問だけです / max_length is for text only")
        return self

    @property
    def option_values(self) -> tuple[str, ...]:
        return tuple(o.value for o in self.options)


class IsmsDisclosureDef(_Strict):
    """What the applicant declares about an ISMS certificate (PRODUCT.md §7).

    ``bodies`` are the certification bodies an applicant may name (``other`` for any
    body not listed); a valid certificate of a ``waiver_bodies`` body, submitted as a
    copy, answers every question marked ``waived_by_isms_certificate``. A certificate
    expired at the quote date does not count.
    """

    label: Text
    help: Text
    bodies: tuple[StrictStr, ...] = Field(min_length=1)
    waiver_bodies: tuple[StrictStr, ...] = ()
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _waiver_bodies_known(self) -> IsmsDisclosureDef:
        unknown = [b for b in self.waiver_bodies if b not in self.bodies]
        if unknown:
            raise ValueError(
                f"waiver_bodies が bodies にありません: {', '.join(unknown)} / "
                f"waiver_bodies not in bodies: {', '.join(unknown)}"
            )
        return self


class DisclosureDef(_Strict):
    """The ``[disclosure]`` section: questions in the order they are asked."""

    label: Text
    questions: tuple[QuestionDef, ...] = Field(min_length=1)
    isms: IsmsDisclosureDef

    @model_validator(mode="after")
    def _codes_unique(self) -> DisclosureDef:
        codes = [q.code for q in self.questions]
        dups = sorted({c for c in codes if codes.count(c) > 1})
        if dups:
            raise ValueError(
                f"重複したコード {', '.join(dups)} / duplicate codes {', '.join(dups)}"
            )
        return self

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(q.code for q in self.questions)

    def question(self, code: str) -> QuestionDef:
        for q in self.questions:
            if q.code == code:
                return q
        raise KeyError(code)


# -- conditions and rules ------------------------------------------------------------------


_SCALAR_OPS = frozenset({"eq", "ne", "lt", "le", "gt", "ge"})
_SET_OPS = frozenset({"in", "not_in"})
_NO_VALUE_OPS = frozenset({"missing", "present", "nonempty"})
_ORDER_OPS = frozenset({"lt", "le", "gt", "ge"})

Scalar = bool | int | Decimal | str | date


def _scalar(value: Any) -> Scalar:
    if isinstance(value, bool | int | str | date | Decimal):
        return value
    if isinstance(value, float):
        return exact_decimal(value)
    raise ValueError(
        "値は true/false・数値・文字列・日付のいずれかです / "
        "a value is a bool, a number, a string or a date"
    )


class ConditionDef(_Strict):
    """One condition: a test of one field, or ``all`` / ``any`` of conditions.

    A test is ``field`` + ``op`` and, for the comparing operators, ``value`` (a list for
    ``in`` / ``not_in``, or ``values_from`` naming a list of ``[underwriting.lists]``).
    ``missing`` / ``present`` test whether the field has a value; ``nonempty`` is for
    list fields (``unanswered.quote``). A comparison on a field without a value is
    false: a rule that must fire on a missing value says so with ``missing``.
    """

    field: StrictStr | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
    op: Operator | None = None
    value: Any = None
    values_from: StrictStr | None = None
    # no min_length: pydantic would add a spurious "too short" for every broken child
    all_: tuple[ConditionDef, ...] | None = Field(default=None, alias="all")
    any_: tuple[ConditionDef, ...] | None = Field(default=None, alias="any")

    @model_validator(mode="after")
    def _one_form(self) -> ConditionDef:
        forms = sum(x is not None for x in (self.field, self.all_, self.any_))
        if forms != 1:
            raise ValueError(
                "条件は field・all・any のいずれか一つです / "
                "a condition is exactly one of field, all or any"
            )
        if self.field is None:
            if not (self.all_ or self.any_):
                raise ValueError("all / any は空にできません / all and any must not be empty")
            if self.op is not None or self.value is not None or self.values_from is not None:
                raise ValueError(
                    "all / any に op・value は指定できません / all and any take no op or value"
                )
            return self
        if self.op is None:
            raise ValueError(f"{self.field}: op が必要です / op is required")
        if self.op in _NO_VALUE_OPS:
            if self.value is not None or self.values_from is not None:
                raise ValueError(
                    f"{self.field}: {self.op} に value は指定できません / {self.op} takes no value"
                )
        elif self.op in _SET_OPS:
            if (self.value is None) == (self.values_from is None):
                raise ValueError(
                    f"{self.field}: {self.op} には value（配列）か values_from のどちらか一つ / "
                    f"{self.op} needs exactly one of value (a list) or values_from"
                )
            if self.value is not None and (not isinstance(self.value, list) or not self.value):
                raise ValueError(
                    f"{self.field}: {self.op} の value は空でない配列 / "
                    f"the value of {self.op} is a non-empty list"
                )
        else:
            if self.value is None or self.values_from is not None:
                raise ValueError(
                    f"{self.field}: {self.op} には value が一つ必要です / {self.op} needs one value"
                )
            if isinstance(self.value, list):
                raise ValueError(
                    f"{self.field}: {self.op} の value は配列にできません / "
                    f"the value of {self.op} is not a list"
                )
        return self

    @property
    def values(self) -> tuple[Scalar, ...]:
        """The value list of ``in`` / ``not_in`` (``values_from`` is resolved by the caller)."""
        return tuple(_scalar(v) for v in self.value) if isinstance(self.value, list) else ()

    @property
    def scalar(self) -> Scalar:
        return _scalar(self.value)

    def leaves(self) -> tuple[ConditionDef, ...]:
        if self.field is not None:
            return (self,)
        return tuple(leaf for c in (self.all_ or self.any_ or ()) for leaf in c.leaves())


class RuleDef(_Strict):
    """An underwriting rule: when ``condition`` holds, an issue is raised that blocks
    ``blocking_point`` until someone with ``authority`` (a name of
    ``[underwriting.authorities]``) clears it."""

    code: StrictStr = Field(pattern=_CODE)
    title: Text
    message: Text
    condition: ConditionDef
    action: Action
    blocking_point: BlockingPoint
    authority: StrictStr
    source: str = Field(min_length=1)


class UnderwritingDef(_Strict):
    """The ``[underwriting]`` section.

    ``authorities`` maps a name to a numeric level (a user's ``underwriting_authority``
    must be at least the level); ``decline_authority`` is the level needed to decline an
    issue outright; ``lists`` are named value lists for ``values_from``.
    """

    label: Text
    authorities: dict[StrictStr, StrictInt] = Field(min_length=1)
    decline_authority: StrictStr
    lists: dict[StrictStr, tuple[StrictStr, ...]] = {}
    rules: tuple[RuleDef, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _names_known(self) -> UnderwritingDef:
        if any(level < 1 for level in self.authorities.values()):
            raise ValueError("authorities の水準は1以上 / authority levels start at 1")
        if self.decline_authority not in self.authorities:
            raise ValueError(
                f"decline_authority {self.decline_authority} が authorities にありません / "
                "decline_authority is not one of authorities"
            )
        return self

    def level(self, name: str) -> int:
        return self.authorities[name]

    def rule(self, code: str) -> RuleDef:
        for r in self.rules:
            if r.code == code:
                return r
        raise KeyError(code)


# -- the fields a condition may name -------------------------------------------------------

FieldType = Literal["bool", "int", "decimal", "text", "choice", "date", "list"]


@dataclass(frozen=True, slots=True)
class FieldKind:
    """The type of a fact a condition can test (``choice`` carries its options)."""

    type: FieldType
    options: tuple[str, ...] = ()


COMPANY_FIELDS: Mapping[str, FieldKind] = {
    "country": FieldKind("text"),  # ISO 3166-1 alpha-2; JP for a company in Japan
    "prefecture": FieldKind("text"),  # 都道府県 of the registered address
    "annual_revenue": FieldKind("int"),  # 売上高, last fiscal year, yen
    "employees": FieldKind("int"),
    "industry_group": FieldKind("text"),  # JSIC 中分類 (2 digits)
    "overseas_sales_ratio": FieldKind("decimal"),  # 0–1
    "personal_records": FieldKind("int"),  # personal data records held
    "handles_my_number": FieldKind("bool"),
    "handles_card_data": FieldKind("bool"),
}
"""The company profile facts (the ``companies`` table's underwriting columns)."""

_ISMS_FIELDS: Mapping[str, FieldKind] = {
    "certified": FieldKind("bool"),
    "body": FieldKind("text"),
    "expires_on": FieldKind("date"),
    "valid": FieldKind("bool"),  # certified and not expired at the quote date
    "waives": FieldKind("bool"),  # valid, and its body is one of waiver_bodies
}


def field_kind(
    path: str,
    disclosure: DisclosureDef,
    limit_keys: Collection[str],
    option_keys: Collection[str],
) -> FieldKind | None:
    """The kind of the fact ``path`` names, or ``None`` when there is no such fact."""
    namespace, _, name = path.partition(".")
    if namespace == "company":
        return COMPANY_FIELDS.get(name)
    if namespace == "disclosure":
        if name not in disclosure.codes:
            return None
        q = disclosure.question(name)
        return FieldKind(q.type, q.option_values)
    if namespace == "limits":
        return FieldKind("int") if name in limit_keys else None
    if namespace == "options":
        return FieldKind("bool") if name in option_keys else None
    if namespace == "isms":
        if name == "body":
            return FieldKind("choice", disclosure.isms.bodies)
        return _ISMS_FIELDS.get(name)
    if namespace == "unanswered":
        return FieldKind("list") if name in ("quote", "bind") else None
    return None


def _fits(kind: FieldKind, value: Scalar) -> bool:
    if kind.type == "bool":
        return isinstance(value, bool)
    if kind.type in ("int", "decimal"):
        return isinstance(value, int | Decimal) and not isinstance(value, bool)
    if kind.type == "text":
        return isinstance(value, str)
    if kind.type == "choice":
        return isinstance(value, str) and value in kind.options
    if kind.type == "date":
        return isinstance(value, date)
    return False


def _condition_problems(
    cond: ConditionDef,
    path: Sequence[str | int],
    disclosure: DisclosureDef,
    underwriting: UnderwritingDef,
    limit_keys: Collection[str],
    option_keys: Collection[str],
) -> list[Problem]:
    problems: list[Problem] = []
    if cond.field is None:
        key = "all" if cond.all_ is not None else "any"
        for i, sub in enumerate(cond.all_ or cond.any_ or ()):
            problems += _condition_problems(
                sub, [*path, key, i], disclosure, underwriting, limit_keys, option_keys
            )
        return problems
    where = format_path([*path, "field"])
    kind = field_kind(cond.field, disclosure, limit_keys, option_keys)
    if kind is None:
        return [
            Problem(
                where,
                "unknown_field",
                f"条件の項目 {cond.field} がありません",
                f"{cond.field} is not a fact a condition can test",
            )
        ]
    op = cond.op
    assert op is not None  # the shape validator requires it for a field test
    at_op = format_path([*path, "op"])
    at_value = format_path([*path, "value"])

    def bad(at: str, rule: str, ja: str, en: str) -> None:
        problems.append(Problem(at, rule, ja, en))

    if kind.type == "list" and op not in ("nonempty",):
        bad(
            at_op,
            "operator_not_for_field",
            f"{cond.field} には nonempty だけが使えます",
            f"{cond.field} is a list: only nonempty applies",
        )
        return problems
    if op == "nonempty" and kind.type != "list":
        bad(
            at_op,
            "operator_not_for_field",
            "nonempty は一覧の項目だけです",
            f"nonempty applies to list fields only, not {cond.field}",
        )
        return problems
    if op in _ORDER_OPS and kind.type not in ("int", "decimal", "date"):
        bad(
            at_op,
            "operator_not_for_field",
            f"{op} は数値か日付の項目だけです",
            f"{op} compares numbers or dates; {cond.field} is {kind.type}",
        )
        return problems
    try:
        if op in _SCALAR_OPS:
            values: tuple[Scalar, ...] = (cond.scalar,)
        elif op in _SET_OPS and cond.values_from is not None:
            if cond.values_from not in underwriting.lists:
                bad(
                    format_path([*path, "values_from"]),
                    "unknown_list",
                    f"一覧 {cond.values_from} がありません",
                    f"no list {cond.values_from} in [underwriting.lists]",
                )
                return problems
            values = underwriting.lists[cond.values_from]
        else:
            values = cond.values
    except ValueError as exc:
        ja, _, en = str(exc).partition(" / ")
        bad(at_value, "value_error", ja, en or ja)
        return problems
    for v in values:
        if not _fits(kind, v):
            allowed = f"（{', '.join(kind.options)}）" if kind.type == "choice" else ""
            bad(
                at_value,
                "value_not_for_field",
                f"{cond.field}（{kind.type}）に合わない値です: {v!r}{allowed}",
                f"{v!r} does not fit {cond.field} ({kind.type}){allowed}",
            )
    return problems


def underwriting_problems(
    disclosure: DisclosureDef,
    underwriting: UnderwritingDef,
    limit_keys: Collection[str],
    option_keys: Collection[str],
) -> list[Problem]:
    """References across the two sections: each rule's fields exist and its values fit
    them, codes unique, authorities known. Each problem names its field path."""
    problems: list[Problem] = []
    codes = [r.code for r in underwriting.rules]
    for dup in sorted({c for c in codes if codes.count(c) > 1}):
        problems.append(
            Problem(
                "underwriting.rules",
                "product_consistency",
                f"重複したコード {dup}",
                f"duplicate rule code {dup}",
            )
        )
    for i, rule in enumerate(underwriting.rules):
        if rule.authority not in underwriting.authorities:
            problems.append(
                Problem(
                    f"underwriting.rules[{i}].authority",
                    "unknown_authority",
                    f"権限 {rule.authority} が authorities にありません",
                    f"authority {rule.authority} is not one of underwriting.authorities",
                )
            )
        problems += _condition_problems(
            rule.condition,
            ["underwriting", "rules", i, "condition"],
            disclosure,
            underwriting,
            limit_keys,
            option_keys,
        )
    return problems
