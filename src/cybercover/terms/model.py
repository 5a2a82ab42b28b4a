"""Values of the terms engine: a policy's terms, accidents, and what was paid and why.

Plain frozen dataclasses: no I/O, no clock. Money is ``int`` yen; hours are exact
``Fraction`` so that nothing floored ever passes through a float.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Literal

__all__ = [
    "Accident",
    "AccidentResult",
    "Adjudication",
    "CostHead",
    "Ledger",
    "LineResult",
    "LossLine",
    "PartResult",
    "PartTerms",
    "PolicyTerms",
    "Reason",
    "SharedTerms",
    "WaitingPeriod",
]

WaitingMode = Literal["qualifying", "time_deductible"]


@dataclass(frozen=True, slots=True)
class WaitingPeriod:
    """免責時間 (PRODUCT.md §3 ※3): hours, at least the product minimum, and how it works."""

    hours: Fraction
    mode: WaitingMode


@dataclass(frozen=True, slots=True)
class PartTerms:
    """One coverage part as a policy holds it.

    ``limit`` is the same figure per accident and per period (1事故および保険期間中,
    PRODUCT.md §3). A part not bought pays nothing; its ``limit`` is whatever the
    policy named (0 when it named none), kept only to report what remains of it.
    """

    code: str
    bought: bool
    limit: int
    deductible: int
    waiting: bool
    shared: str | None
    excluded_by: frozenset[str]


@dataclass(frozen=True, slots=True)
class CostHead:
    """A cost head inside a part (事故対応特別費用の費目): what is paid of its lines in one
    accident is at most ``per_victim_cap`` × victims, then ``share_percent`` of that
    (floored), then at most ``head_limit``."""

    code: str
    part: str
    share_percent: int
    head_limit: int | None
    per_victim_cap: int | None
    per_company_cap: int | None = None


@dataclass(frozen=True, slots=True)
class SharedTerms:
    """A limit shared by ``parts`` per accident and per period, first come first served."""

    code: str
    parts: tuple[str, ...]
    limit: int


@dataclass(frozen=True, slots=True)
class PolicyTerms:
    """Everything the engine needs of one policy. The period is half-open [start, end)."""

    start: datetime
    end: datetime
    parts: tuple[PartTerms, ...]
    shared: tuple[SharedTerms, ...]
    aggregate: int
    waiting: WaitingPeriod
    labels: dict[str, tuple[str, str]] = field(default_factory=dict, compare=False)
    cost_heads: tuple[CostHead, ...] = ()
    """(ja, en) names of parts, shared limits, ``aggregate`` and ``cause:<code>``."""

    def label(self, key: str) -> tuple[str, str]:
        return self.labels.get(key, (key, key))

    def part(self, code: str) -> PartTerms:
        for p in self.parts:
            if p.code == code:
                return p
        raise KeyError(code)

    def covers(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True, slots=True)
class LossLine:
    """One loss line; ``category`` names a cost head of the part (PRODUCT.md §3 ②,
    REFERENCE.md §4) when it is one, ``victims`` the people a per-victim cap counts."""

    coverage: str
    amount: int
    category: str | None = None
    victims: int | None = None
    victim_companies: int | None = None


@dataclass(frozen=True, slots=True)
class Accident:
    """One accident (1事故): its trigger time, longest unbroken outage, causes and losses."""

    id: str | int
    occurred_at: datetime
    outage_hours: Fraction | None
    causes: tuple[str, ...]
    losses: tuple[LossLine, ...]


@dataclass(frozen=True, slots=True)
class Reason:
    """Why ``amount`` yen were withheld: a stable code, the clause, and a sentence."""

    code: str
    amount: int
    clause: str
    ja: str
    en: str

    def with_amount(self, amount: int) -> Reason:
        return Reason(self.code, amount, self.clause, self.ja, self.en)


@dataclass(frozen=True, slots=True)
class PartResult:
    coverage: str
    claimed: int
    paid: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class LineResult:
    coverage: str
    claimed: int
    paid: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class AccidentResult:
    id: str | int
    occurred_at: datetime
    parts: tuple[PartResult, ...]
    lines: tuple[LineResult, ...]

    @property
    def paid(self) -> dict[str, int]:
        return {p.coverage: p.paid for p in self.parts}

    @property
    def total(self) -> int:
        return sum(p.paid for p in self.parts)


@dataclass(slots=True)
class Ledger:
    """The erosion ledger: what has been paid so far in the period against each limit."""

    parts: dict[str, int] = field(default_factory=dict)
    shared: dict[str, int] = field(default_factory=dict)
    aggregate: int = 0

    def copy(self) -> Ledger:
        return Ledger(dict(self.parts), dict(self.shared), self.aggregate)


@dataclass(frozen=True, slots=True)
class Adjudication:
    """Accidents in input order, and the limits as they stand afterwards."""

    accidents: tuple[AccidentResult, ...]
    ledger: Ledger
    remaining: dict[str, int]

    @property
    def total_paid(self) -> int:
        return sum(a.total for a in self.accidents)
