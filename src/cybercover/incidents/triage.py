"""Triage and first advice (初動アドバイス): which covered-event families an incident
belongs to, how severe it is, and what the insured should do first.

Families are PRODUCT.md §2's four. Rules (docs/incident-desk.md, ours — the page gives
examples, not rules), each adding a :class:`Reason`:

- ``leak`` (情報の漏えいまたはそのおそれ): any personal data (a count of at least 1,
  sensitive, financial or My Number data, EU residents' data), or the event is a data
  leak, a lost device or a misdelivery.
- ``data_loss`` (データの消失・破壊): data erased, destroyed or encrypted, or ransomware.
- ``network_unavailable`` (管理するネットワークの使用不能): an outage start is known, or the
  event is a DDoS or a system failure.
- ``rights_infringement`` (著作権・人格権の侵害): the event is a rights claim.
- None of these: an intrusion (unauthorised access, malware, ransomware) or anything else
  is treated as a suspected leak until the investigation rules it out (そのおそれ).

Primary family, when several apply: ``leak`` > ``network_unavailable`` > ``data_loss`` >
``rights_infringement``. A leak carries the shortest legal clocks (APPI, GDPR), so it
drives the first hours; an outage next, because the waiting period (PRODUCT.md §3 ※3)
needs its times recorded from the start.

Severity is the highest level any rule reaches: critical — a ransom demand, more than
10,000 people, an outage of 24 hours or more; high — more than 1,000 people, an outage
of 3 hours or more (the waiting period), still going on, sensitive, financial or My
Number data, an improper purpose; medium — a family established by the facts; low —
nothing else (an intrusion not yet shown to have done harm).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Literal

from pydantic import Field, StrictBool, StrictInt, StrictStr, model_validator

from cybercover.incidents.common import CODE_PATTERN, Answer, Strict, Text, load_data_file
from cybercover.timeutil import to_utc

__all__ = [
    "FAMILIES",
    "AdviceItem",
    "Family",
    "PlaybookDef",
    "Reason",
    "Severity",
    "Triage",
    "advice",
    "playbook",
    "triage",
]

Family = Literal["leak", "data_loss", "network_unavailable", "rights_infringement"]
FAMILIES: tuple[Family, ...] = ("leak", "network_unavailable", "data_loss", "rights_infringement")
"""The four families of PRODUCT.md §2, in order of precedence for the primary family."""

Severity = Literal["low", "medium", "high", "critical"]
_LEVELS: tuple[Severity, ...] = ("low", "medium", "high", "critical")

# Thresholds (ours): the page's first example is "tens of thousands" of customers.
CRITICAL_PEOPLE = 10_000
HIGH_PEOPLE = 1_000  # APPI's reporting threshold (REFERENCE.md §5)
WAITING_HOURS = 3  # PRODUCT.md §3 ※3: the waiting period's minimum
CRITICAL_OUTAGE_HOURS = 24


@dataclass(frozen=True, slots=True)
class Reason:
    """Why triage concluded something: a stable code and a sentence in ja and en."""

    code: str
    ja: str
    en: str


@dataclass(frozen=True, slots=True)
class Triage:
    """``family`` is the primary one of ``families`` (all that apply, precedence order)."""

    family: Family
    families: tuple[Family, ...]
    severity: Severity
    reasons: tuple[Reason, ...]


def _true(answers: Mapping[str, Answer], code: str) -> bool:
    return answers.get(code) is True


def _count(answers: Mapping[str, Answer]) -> int | None:
    value = answers.get("personal_data_count")
    return value if type(value) is int else None


def _outage_hours(answers: Mapping[str, Answer], now: datetime | None) -> float | None:
    start = answers.get("outage_started_at")
    if not isinstance(start, datetime):
        return None
    end = answers.get("outage_ended_at")
    if not isinstance(end, datetime):
        if now is None:
            return None
        end = now
    return (to_utc(end) - to_utc(start)) / timedelta(hours=1)


def _families(answers: Mapping[str, Answer]) -> tuple[list[Family], list[Reason]]:
    kind = answers.get("event_kind")
    count = _count(answers)
    found: dict[Family, Reason] = {}
    data_flags = ("sensitive_data", "financial_data", "my_number", "eu_residents")
    if (count is not None and count >= 1) or any(_true(answers, c) for c in data_flags):
        found["leak"] = Reason(
            "family_leak_personal_data",
            "個人情報が関係するため「情報の漏えいまたはそのおそれ」",
            "personal data is involved: information leak or suspected leak",
        )
    elif kind in ("data_leak", "lost_device", "misdelivery"):
        found["leak"] = Reason(
            "family_leak_event",
            "事象の種類から「情報の漏えいまたはそのおそれ」",
            "the kind of event is a leak or suspected leak",
        )
    if _true(answers, "data_destroyed") or kind == "ransomware":
        found["data_loss"] = Reason(
            "family_data_loss",
            "データの消失・破壊・暗号化（ランサムウェアを含む）のため「データの消失・破壊」",
            "data erased, destroyed or encrypted (ransomware included): loss of data",
        )
    if "outage_started_at" in answers or kind in ("ddos", "system_failure"):
        found["network_unavailable"] = Reason(
            "family_network_unavailable",
            "業務・サービスが停止したため「管理するネットワークの使用不能」",
            "the business or service stopped: unavailability of a managed network",
        )
    if kind == "rights_claim":
        found["rights_infringement"] = Reason(
            "family_rights",
            "権利侵害の申立てのため「著作権・人格権の侵害」",
            "a rights claim: infringement of copyright or personality rights",
        )
    if not found:
        found["leak"] = Reason(
            "family_leak_default",
            "他に該当がないため、調査で否定されるまで漏えいのおそれとして扱います",
            "nothing else applies: treated as a suspected leak until the investigation rules it out",
        )
    families = [f for f in FAMILIES if f in found]
    return families, [found[f] for f in families]


def _severity(
    answers: Mapping[str, Answer], derived: bool, now: datetime | None
) -> tuple[Severity, list[Reason]]:
    hits: list[tuple[Severity, Reason]] = []

    def hit(level: Severity, code: str, ja: str, en: str) -> None:
        hits.append((level, Reason(code, ja, en)))

    count = _count(answers)
    hours = _outage_hours(answers, now)
    if _true(answers, "ransom_demand"):
        hit("critical", "severity_ransom", "身代金の要求がある", "a ransom has been demanded")
    if count is not None and count > CRITICAL_PEOPLE:
        hit("critical", "severity_people_10000", "1万人を超える個人情報", "more than 10,000 people")
    elif count is not None and count > HIGH_PEOPLE:
        hit("high", "severity_people_1000", "1,000人を超える個人情報", "more than 1,000 people")
    if hours is not None and hours >= CRITICAL_OUTAGE_HOURS:
        hit("critical", "severity_outage_24h", "停止が24時間以上", "outage of 24 hours or more")
    elif hours is not None and hours >= WAITING_HOURS:
        hit("high", "severity_outage_3h", "停止が3時間以上", "outage of 3 hours or more")
    if _true(answers, "still_ongoing"):
        hit("high", "severity_ongoing", "事象が継続中", "still going on")
    for code, ja, en in (
        ("sensitive_data", "要配慮個人情報を含む", "sensitive personal data"),
        ("financial_data", "カード番号等の財産的被害のおそれがある情報を含む", "financial data"),
        ("my_number", "マイナンバーを含む", "My Number data"),
        ("improper_purpose", "不正の目的によるおそれ", "an improper purpose may be involved"),
    ):
        if _true(answers, code):
            hit("high", f"severity_{code}", ja, en)
    if not hits and derived:
        hit(
            "medium",
            "severity_medium",
            "補償対象の事象の類型に当たる事実がある",
            "facts place it in a covered-event family",
        )
    if not hits:
        return "low", [Reason("severity_low", "重大化の兆候なし", "no sign of escalation")]
    level = max((lv for lv, _ in hits), key=_LEVELS.index)
    return level, [r for _, r in hits]


def triage(answers: Mapping[str, Answer], *, now: datetime | None = None) -> Triage:
    """The families, the primary family, the severity and the reasons for ``answers``
    (normalised hearing answers). ``now`` lets an outage still going on count its hours."""
    families, reasons = _families(answers)
    derived = reasons[0].code != "family_leak_default"
    severity, severity_reasons = _severity(answers, derived, now)
    return Triage(families[0], tuple(families), severity, (*reasons, *severity_reasons))


class PlaybookItemDef(Strict):
    code: StrictStr = Field(pattern=CODE_PATTERN)
    families: list[Family] = Field(min_length=1)
    text: Text
    source: StrictStr | None = Field(default=None, min_length=1)
    ours: StrictBool = False

    @model_validator(mode="after")
    def _sourced_or_ours(self) -> PlaybookItemDef:
        if (self.source is None) != self.ours:
            raise ValueError(
                "出典を書くか ours = true にします（両方は不可） / "
                "give a source or mark the item ours (not both)"
            )
        return self


class PlaybookDef(Strict):
    """The whole ``playbook.toml``."""

    version: StrictInt = Field(ge=1)
    items: list[PlaybookItemDef] = Field(min_length=1)

    @model_validator(mode="after")
    def _every_family_covered(self) -> PlaybookDef:
        codes = [i.code for i in self.items]
        if len(set(codes)) != len(codes):
            raise ValueError("項目コードが重複しています / duplicate item codes")
        missing = [f for f in FAMILIES if not any(f in i.families for i in self.items)]
        if missing:
            raise ValueError(
                f"助言のない類型があります（{', '.join(missing)}） / "
                f"families without advice ({', '.join(missing)})"
            )
        return self


@cache
def playbook() -> PlaybookDef:
    """The packaged playbook, loaded and validated once per process."""
    return load_data_file("playbook.toml", PlaybookDef)


@dataclass(frozen=True, slots=True)
class AdviceItem:
    """One first-response step; ``source`` names the public guide, ``None`` when ours."""

    code: str
    family: Family
    text: Text
    source: str | None
    ours: bool


def advice(result: Triage) -> list[AdviceItem]:
    """The checklist for a triage: each family in turn (primary first), the items of that
    family in file order, every item once (under the first family that brought it)."""
    out: list[AdviceItem] = []
    seen: set[str] = set()
    for family in result.families:
        for item in playbook().items:
            if family in item.families and item.code not in seen:
                seen.add(item.code)
                out.append(AdviceItem(item.code, family, item.text, item.source, item.ours))
    return out
