"""Regulatory clocks after an incident (REFERENCE.md §5): who must be told, by when.

The rules live in ``incidents/data/regulatory.toml``: each has a trigger (a condition
over hearing answers), a legal source, and a clock counted from the moment the insured
became aware (``aware_at``). Three ways of counting (docs/incident-desk.md):

- ``days``: calendar days in Asia/Tokyo, the awareness day not counted (Civil Code
  art. 140, 初日不算入): awareness on 10 July makes 11 July day 1. Day N ends at 24:00 JST,
  held as the half-open bound ``00:00 JST`` of the next day: a report is late when
  ``now >= due_at`` (the same half-open reading as policy periods, timeutil.py).
- ``hours``: exact hours from the awareness instant (GDPR 72 h, NIS2 24 h / 72 h).
- ``months``: the same wall-clock time in Asia/Tokyo N months on; a day the month lacks
  becomes its last day.

Pure: the clock is passed in, every datetime is aware and compared as an instant, and
results are shown in Asia/Tokyo.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Literal

from pydantic import Field, StrictBool, StrictInt, StrictStr, model_validator

from cybercover.errors import InputError, Problem
from cybercover.incidents.common import (
    CODE_PATTERN,
    Answer,
    Condition,
    Strict,
    Text,
    condition_fields,
    evaluate,
    load_data_file,
)
from cybercover.incidents.hearing import hearing
from cybercover.timeutil import JST, to_utc

__all__ = [
    "Change",
    "ClockDef",
    "Deadline",
    "RegulatoryDef",
    "RuleDef",
    "deadline_status",
    "deadlines",
    "recompute",
    "regulatory_rules",
]

Regime = Literal["appi", "my_number", "gdpr", "nis2"]
Unit = Literal["days", "hours", "months"]


class ClockDef(Strict):
    """How a due time is counted: ``due`` (and optionally an earlier ``target``) in ``unit``."""

    unit: Unit
    due: StrictInt = Field(ge=1)
    target: StrictInt | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _target_not_after_due(self) -> ClockDef:
        if self.target is not None and self.target > self.due:
            raise ValueError(
                "目標は期限より後にできません / the target cannot be after the due time"
            )
        return self


class VariantDef(Strict):
    """Another clock for the same rule when ``when`` holds (the first that holds wins)."""

    when: Condition
    clock: ClockDef
    reason: Text


class RuleDef(Strict):
    """One regulatory duty: who is told, on what trigger, counted how, on which source.

    ``confirmed = false`` marks a threshold or period we could not confirm; ``ours``
    marks a period the law does not fix (the figures are the desk's choice)."""

    code: StrictStr = Field(pattern=CODE_PATTERN)
    regime: Regime
    name: Text
    source: Text
    confirmed: StrictBool
    ours: StrictBool = False
    trigger: StrictStr
    clock: ClockDef
    note: Text | None = None
    variants: list[VariantDef] = Field(default_factory=list)


class RegulatoryDef(Strict):
    """The whole ``regulatory.toml``."""

    version: StrictInt = Field(ge=1)
    triggers: dict[str, Condition]
    rules: list[RuleDef] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> RegulatoryDef:
        codes = [r.code for r in self.rules]
        if len(set(codes)) != len(codes):
            raise ValueError("規則コードが重複しています / duplicate rule codes")
        for rule in self.rules:
            if rule.trigger not in self.triggers:
                raise ValueError(
                    f"{rule.code}: 未定義のトリガーです（{rule.trigger}） / "
                    f"{rule.code}: unknown trigger ({rule.trigger})"
                )
        questions = set(hearing().codes)
        conditions = [*self.triggers.values()]
        conditions += [v.when for r in self.rules for v in r.variants]
        for condition in conditions:
            unknown = [f for f in condition_fields(condition) if f not in questions]
            if unknown:
                raise ValueError(
                    f"ヒアリングにない項目です（{', '.join(unknown)}） / "
                    f"not a hearing question ({', '.join(unknown)})"
                )
        return self

    def fields_read(self, rule: RuleDef) -> tuple[str, ...]:
        """Every answer the rule's trigger and variants read."""
        seen: dict[str, None] = dict.fromkeys(condition_fields(self.triggers[rule.trigger]))
        for variant in rule.variants:
            seen.update(dict.fromkeys(condition_fields(variant.when)))
        return tuple(seen)


@cache
def regulatory_rules() -> RegulatoryDef:
    """The packaged regulatory rules, loaded and validated once per process."""
    return load_data_file("regulatory.toml", RegulatoryDef)


@dataclass(frozen=True, slots=True)
class Deadline:
    """One duty's due time for one incident.

    ``target_at`` (when the desk aims to be done) and ``due_at`` are instants in
    Asia/Tokyo; ``due_at`` is a half-open bound: late when ``now >= due_at``.
    ``inputs`` are the answers the rule read (so a later recompute can say which answer
    moved it), ``aware_at`` the awareness it counted from."""

    rule: str
    regime: str
    name: Text
    source: Text
    target_at: datetime | None
    due_at: datetime
    basis: Text
    confirmed: bool
    ours: bool
    note: Text | None
    aware_at: datetime
    inputs: tuple[tuple[str, Answer | None], ...]


def _end_of_day(aware_local: date, day: int) -> datetime:
    """The half-open end of day ``day`` counted from the day after ``aware_local``."""
    return datetime.combine(aware_local + timedelta(days=day + 1), time(0, 0), tzinfo=JST)


def _add_months(moment: datetime, months: int) -> datetime:
    local = moment.astimezone(JST)
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    for day in (local.day, 30, 29, 28):
        try:
            return local.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def _at(clock: ClockDef, amount: int, aware_at: datetime) -> datetime:
    if clock.unit == "days":
        return _end_of_day(aware_at.astimezone(JST).date(), amount)
    if clock.unit == "hours":
        return (to_utc(aware_at) + timedelta(hours=amount)).astimezone(JST)
    return _add_months(aware_at, amount)


def _basis(clock: ClockDef, reason: Text | None) -> Text:
    t = clock.target
    if clock.unit == "days":
        ja = f"認知日の翌日を1日目として{clock.due}日目の終わり（日本時間24時）まで"
        en = f"by the end of day {clock.due} (24:00 JST), the day after awareness being day 1"
        if t is not None:
            ja += f"、目標は{t}日目の終わり"
            en += f"; target the end of day {t}"
    elif clock.unit == "hours":
        ja = f"認知時刻から{clock.due}時間以内"
        en = f"within {clock.due} hours of the awareness time"
        if t is not None:
            ja += f"、目標は{t}時間"
            en += f"; target {t} hours"
    else:
        ja = f"認知日時から{clock.due}か月後の同時刻（日本時間）まで"
        en = f"by the same time {clock.due} month(s) after awareness (JST)"
    if reason is not None:
        ja += f"（{reason.ja}）"
        en += f" ({reason.en})"
    return Text(ja=ja, en=en)


def _aware(aware_at: datetime) -> datetime:
    if aware_at.tzinfo is None or aware_at.utcoffset() is None:
        raise InputError(
            [
                Problem(
                    "hearing.aware_at",
                    "timezone_aware",
                    "時差（+09:00 など）付きの日時で指定してください",
                    "must carry a UTC offset (e.g. +09:00)",
                )
            ]
        )
    return aware_at.astimezone(JST)


def deadlines(answers: Mapping[str, Answer], aware_at: datetime) -> list[Deadline]:
    """Every regulatory duty the answers trigger, in file order, counted from ``aware_at``.

    ``answers`` are normalised hearing answers (:func:`validate_answers`); a rule whose
    trigger reads a missing answer does not fire until the answer is known."""
    aware = _aware(aware_at)
    spec = regulatory_rules()
    out: list[Deadline] = []
    for rule in spec.rules:
        if not evaluate(spec.triggers[rule.trigger], answers):
            continue
        clock, reason = rule.clock, None
        for variant in rule.variants:
            if evaluate(variant.when, answers):
                clock, reason = variant.clock, variant.reason
                break
        out.append(
            Deadline(
                rule=rule.code,
                regime=rule.regime,
                name=rule.name,
                source=rule.source,
                target_at=None if clock.target is None else _at(clock, clock.target, aware),
                due_at=_at(clock, clock.due, aware),
                basis=_basis(clock, reason),
                confirmed=rule.confirmed,
                ours=rule.ours,
                note=rule.note,
                aware_at=aware,
                inputs=tuple((f, answers.get(f)) for f in spec.fields_read(rule)),
            )
        )
    return out


def deadline_status(deadline: Deadline, now: datetime) -> tuple[timedelta, bool]:
    """Time left until ``due_at`` (negative once past) and whether it is overdue
    (``now >= due_at``: the due time is a half-open bound)."""
    left = to_utc(deadline.due_at) - to_utc(now)
    return left, left <= timedelta(0)


ChangeKind = Literal["appeared", "disappeared", "moved"]


@dataclass(frozen=True, slots=True)
class Change:
    """What one recompute did to one rule, and why (the answers that changed).

    ``because`` lists answer codes whose value differs from what the old deadline read
    (``aware_at`` when the awareness time moved); ``was_overdue`` says whether the old
    due time had already passed at ``at`` (a disappearing overdue duty deserves a look)."""

    rule: str
    kind: ChangeKind
    old: Deadline | None
    new: Deadline | None
    because: tuple[str, ...]
    at: datetime
    was_overdue: bool


def _changed_inputs(old: Deadline, answers: Mapping[str, Answer], aware: datetime) -> list[str]:
    because = [code for code, value in old.inputs if answers.get(code) != value]
    if to_utc(old.aware_at) != to_utc(aware):
        because.insert(0, "aware_at")
    return because


def recompute(
    old_list: Sequence[Deadline],
    new_answers: Mapping[str, Answer],
    aware_at: datetime,
    now: datetime,
) -> tuple[list[Deadline], list[Change]]:
    """The deadlines for the new answers, and every change from ``old_list``: a rule that
    appeared, disappeared, or whose target or due time moved. Callers keep the changes
    as the incident's history; nothing here is stored."""
    aware = _aware(aware_at)
    now_utc = to_utc(now)
    new_list = deadlines(new_answers, aware)
    old_by = {d.rule: d for d in old_list}
    new_by = {d.rule: d for d in new_list}
    changes: list[Change] = []
    order = [*new_by, *(code for code in old_by if code not in new_by)]
    for code in order:
        old, new = old_by.get(code), new_by.get(code)
        overdue = old is not None and to_utc(old.due_at) <= now_utc
        if old is None and new is not None:
            because = [c for c, v in new.inputs if v is not None]
            changes.append(Change(code, "appeared", None, new, tuple(because), now, False))
        elif old is not None and new is None:
            because = _changed_inputs(old, new_answers, aware)
            changes.append(Change(code, "disappeared", old, None, tuple(because), now, overdue))
        elif (
            old is not None
            and new is not None
            and (
                to_utc(old.due_at) != to_utc(new.due_at)
                or (old.target_at is None) != (new.target_at is None)
                or (
                    old.target_at is not None
                    and new.target_at is not None
                    and to_utc(old.target_at) != to_utc(new.target_at)
                )
            )
        ):
            because = _changed_inputs(old, new_answers, aware)
            changes.append(Change(code, "moved", old, new, tuple(because), now, overdue))
    return new_list, changes
