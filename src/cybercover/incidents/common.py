"""Shared pieces of the incident desk's data files: bilingual text, the condition
language over hearing answers, and the one way a packaged data file is read.

Conditions are data, never evaluated as code::

    {field = "sensitive_data", op = "eq", value = true}
    {any = [{field = "personal_data_count", op = "gt", value = 1000}, ...]}
    {all = [...]}

A condition on an answer that is missing is false (a hearing can be resumed: a rule
that depends on an unknown fact does not fire until the fact is known; the desk sees the
missing answers in the hearing, docs/incident-desk.md).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import datetime
from importlib import resources
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, ValidationError

from cybercover.errors import InputError
from cybercover.validation import problems_from_validation_error

__all__ = [
    "AllOf",
    "Answer",
    "AnyOf",
    "Condition",
    "Leaf",
    "Text",
    "condition_fields",
    "evaluate",
    "load_data_file",
]

Answer = bool | int | str | datetime
"""A normalised hearing answer: bool, int, str (text, choice) or an aware datetime."""

CODE_PATTERN = r"^[a-z][a-z0-9_]*$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Text(Strict):
    """A text in Japanese first and English second."""

    ja: str = Field(min_length=1)
    en: str = Field(min_length=1)


Operator = Literal["eq", "ne", "gt", "ge", "lt", "le", "in", "present"]


class Leaf(Strict):
    """One comparison of a hearing answer with a value (``present``: answered at all)."""

    field: StrictStr = Field(pattern=CODE_PATTERN)
    op: Operator
    value: StrictBool | StrictInt | StrictStr | list[StrictStr] | None = None


class AllOf(Strict):
    all: list[Condition] = Field(min_length=1)


class AnyOf(Strict):
    any: list[Condition] = Field(min_length=1)


Condition = Leaf | AllOf | AnyOf
AllOf.model_rebuild()
AnyOf.model_rebuild()


def _leaf(leaf: Leaf, answers: Mapping[str, Answer]) -> bool:
    if leaf.op == "present":
        return leaf.field in answers
    if leaf.field not in answers:
        return False
    got = answers[leaf.field]
    want = leaf.value
    if leaf.op == "eq":
        return type(got) is type(want) and got == want
    if leaf.op == "ne":
        return not (type(got) is type(want) and got == want)
    if leaf.op == "in":
        return isinstance(want, list) and isinstance(got, str) and got in want
    # Ordered comparisons are for integer answers only (bool is not a number here).
    if type(got) is not int or type(want) is not int:
        return False
    if leaf.op == "gt":
        return got > want
    if leaf.op == "ge":
        return got >= want
    if leaf.op == "lt":
        return got < want
    return got <= want


def evaluate(condition: Condition, answers: Mapping[str, Answer]) -> bool:
    """Whether ``condition`` holds for ``answers`` (missing answers: false)."""
    if isinstance(condition, AllOf):
        return all(evaluate(c, answers) for c in condition.all)
    if isinstance(condition, AnyOf):
        return any(evaluate(c, answers) for c in condition.any)
    return _leaf(condition, answers)


def condition_fields(condition: Condition) -> tuple[str, ...]:
    """The answer codes a condition reads, in order of first appearance."""
    if isinstance(condition, Leaf):
        return (condition.field,)
    parts = condition.all if isinstance(condition, AllOf) else condition.any
    seen: dict[str, None] = {}
    for part in parts:
        for name in condition_fields(part):
            seen.setdefault(name, None)
    return tuple(seen)


M = TypeVar("M", bound=BaseModel)


def load_data_file(name: str, model: type[M]) -> M:
    """Read ``incidents/data/<name>`` from the package and validate it with ``model``.

    A broken packaged file is a programming error, but it is still reported the one way
    (an :class:`InputError` naming the file and the field path)."""
    text = resources.files("cybercover.incidents").joinpath(f"data/{name}").read_text("utf-8")
    data: dict[str, Any] = tomllib.loads(text)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_validation_error(exc, (name,))) from None
