"""初期ヒアリング (the desk's initial interview): the questions and answer validation.

The questions live in ``incidents/data/hearing.toml`` (PRODUCT.md §1, §6: the page names
the interview, the questions are ours). Answers are plain values keyed by question code.

:func:`validate_answers` raises :class:`~cybercover.errors.InputError` for an answer of
the wrong type, a choice not offered or a question not asked, each naming
``hearing.<code>``; datetimes must carry a UTC offset. A *missing* answer is not an
error: a hearing can be resumed. Answers that are well typed but contradict each other
(the outage ends before it starts) are returned as problems, not raised: the caller
said what it saw, and the desk asks again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any, Literal

from pydantic import Field, StrictInt, StrictStr, model_validator

from cybercover.errors import InputError, Problem
from cybercover.incidents.common import CODE_PATTERN, Answer, Strict, Text, load_data_file
from cybercover.timeutil import JST

__all__ = [
    "HearingAnswers",
    "HearingDef",
    "HearingQuestion",
    "HearingType",
    "hearing",
    "validate_answers",
]

HearingType = Literal["bool", "int", "text", "datetime", "choice"]

HearingAnswers = dict[str, Answer]
"""Normalised answers: datetimes in Asia/Tokyo (the same instant as given)."""


class ChoiceOption(Strict):
    value: StrictStr = Field(pattern=CODE_PATTERN)
    label: Text


class HearingQuestion(Strict):
    """One question: its code, answer type, text and help in Japanese and English."""

    code: StrictStr = Field(pattern=CODE_PATTERN)
    type: HearingType
    text: Text
    help: Text
    choices: list[ChoiceOption] = Field(default_factory=list)

    @model_validator(mode="after")
    def _choices_only_for_choice(self) -> HearingQuestion:
        if (self.type == "choice") != bool(self.choices):
            raise ValueError(
                "選択肢は choice 型の質問にだけ、必ず指定します / "
                "a choice question needs choices, and only a choice question has them"
            )
        return self


class HearingDef(Strict):
    """The whole ``hearing.toml``."""

    version: StrictInt = Field(ge=1)
    questions: list[HearingQuestion] = Field(min_length=1)

    @model_validator(mode="after")
    def _codes_unique(self) -> HearingDef:
        codes = [q.code for q in self.questions]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(
                f"質問コードが重複しています（{', '.join(dupes)}） / "
                f"duplicate question codes ({', '.join(dupes)})"
            )
        return self

    def question(self, code: str) -> HearingQuestion:
        for q in self.questions:
            if q.code == code:
                return q
        raise KeyError(code)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(q.code for q in self.questions)


@cache
def hearing() -> HearingDef:
    """The packaged hearing questions, loaded and validated once per process."""
    return load_data_file("hearing.toml", HearingDef)


def _wrong(code: str, rule: str, ja: str, en: str) -> Problem:
    return Problem(f"hearing.{code}", rule, ja, en)


def _normalise(q: HearingQuestion, value: Any) -> Answer | Problem | None:
    """The answer in its normal form, ``None`` for "not answered", or the problem."""
    if value is None:
        return None
    if q.type == "bool":
        if isinstance(value, bool):
            return value
        return _wrong(
            q.code, "bool_type", "true または false で指定してください", "must be true or false"
        )
    if q.type == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            return _wrong(q.code, "int_type", "整数で指定してください", "must be an integer")
        if value < 0:
            return _wrong(
                q.code, "greater_than_equal", "0 以上で指定してください", "must be at least 0"
            )
        return value
    if q.type == "datetime":
        moment = value
        if isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value.strip())
            except ValueError:
                return _wrong(
                    q.code,
                    "datetime_parsing",
                    "日時の形式が正しくありません（例: 2026-06-01T10:00:00+09:00）",
                    "is not a valid date-time (e.g. 2026-06-01T10:00:00+09:00)",
                )
        if not isinstance(moment, datetime):
            return _wrong(q.code, "datetime_type", "日時で指定してください", "must be a date-time")
        if moment.tzinfo is None or moment.utcoffset() is None:
            return _wrong(
                q.code,
                "timezone_aware",
                "時差（+09:00 など）付きの日時で指定してください",
                "must carry a UTC offset (e.g. +09:00)",
            )
        return moment.astimezone(JST)
    if not isinstance(value, str):
        return _wrong(q.code, "string_type", "文字列で指定してください", "must be a string")
    text = value.strip()
    if not text:
        return None  # an empty text box is an unanswered question
    if q.type == "choice":
        allowed = [c.value for c in q.choices]
        if text not in allowed:
            return _wrong(
                q.code,
                "literal_error",
                f"指定できない値です（{', '.join(allowed)}）",
                f"is not one of the allowed values ({', '.join(allowed)})",
            )
    return text


def _consistency(answers: HearingAnswers) -> list[Problem]:
    out: list[Problem] = []

    def before(early: str, late: str, ja: str, en: str) -> None:
        a, b = answers.get(early), answers.get(late)
        if isinstance(a, datetime) and isinstance(b, datetime) and b < a:
            out.append(_wrong(late, "time_order", ja, en))

    before(
        "outage_started_at",
        "outage_ended_at",
        "復旧日時が停止日時より前です",
        "the outage ends before it starts",
    )
    before("began_at", "aware_at", "認知日時が発生日時より前です", "awareness is before the start")
    if answers.get("still_ongoing") is False and (
        "outage_started_at" in answers and "outage_ended_at" not in answers
    ):
        out.append(
            _wrong(
                "outage_ended_at",
                "outage_end_missing",
                "収束済みですが復旧日時がありません",
                "the event is over but the outage has no end time",
            )
        )
    return out


def validate_answers(answers: Mapping[str, Any]) -> tuple[HearingAnswers, list[Problem]]:
    """Normalised answers and the contradictions found among them.

    Raises :class:`InputError` (every problem at once, paths ``hearing.<code>``) for an
    unknown question, a wrong type, a naive datetime or a choice not offered. Unanswered
    questions (absent, ``None`` or empty text) are left out of the result.
    """
    definition = hearing()
    known = set(definition.codes)
    errors: list[Problem] = []
    out: HearingAnswers = {}
    for code, value in answers.items():
        if code not in known:
            errors.append(_wrong(code, "extra_forbidden", "不明な項目です", "is not a known field"))
            continue
        result = _normalise(definition.question(code), value)
        if isinstance(result, Problem):
            errors.append(result)
        elif result is not None:
            out[code] = result
    if errors:
        raise InputError(errors)
    return out, _consistency(out)
