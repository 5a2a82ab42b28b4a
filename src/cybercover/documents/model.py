"""The plain data each document is rendered from: no database, no product file.

The service layer (``cybercover.services.documents``) fills these from the stored
objects and the product version they were sold under; the renderers here only lay them
out. Text that exists in both languages is a :class:`T`; what people typed (a summary,
an item's description) is kept as they wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction

from cybercover.documents.formats import Lang

__all__ = [
    "AgencyShare",
    "CostLine",
    "CoverageLine",
    "DeadlineLine",
    "DispatchLine",
    "Factor",
    "IncidentReport",
    "Insured",
    "LimitLine",
    "PaymentLine",
    "PolicySchedule",
    "Quote",
    "QuoteOption",
    "SettlementItem",
    "SettlementLetter",
    "T",
    "Terms",
    "TimelineLine",
    "Withheld",
]


@dataclass(frozen=True, slots=True)
class T:
    """A text in Japanese and English; ``T.same(x)`` for a text with one form."""

    ja: str
    en: str

    def __call__(self, lang: Lang) -> str:
        return self.ja if lang == "ja" else self.en

    @staticmethod
    def same(text: str) -> T:
        return T(text, text)


@dataclass(frozen=True, slots=True)
class Insured:
    """The insured company as the documents name it."""

    name: str
    corporate_number: str
    address: str


@dataclass(frozen=True, slots=True)
class CoverageLine:
    """One coverage part: the same limit per accident and per period (PRODUCT.md §3)."""

    number: int
    label: T
    bought: bool
    limit: int
    deductible: int
    waiting: bool
    shared: T | None = None


@dataclass(frozen=True, slots=True)
class LimitLine:
    """A limit that is not one part's: a shared limit or the period aggregate."""

    label: T
    limit: int
    parts: T


@dataclass(frozen=True, slots=True)
class Terms:
    """What a policy (or a quoted option) pays: parts, shared limits, the aggregate and
    the waiting period of the parts that have one."""

    parts: tuple[CoverageLine, ...]
    shared: tuple[LimitLine, ...]
    aggregate: LimitLine
    waiting_label: T
    waiting_hours: Fraction | None
    waiting_mode: T | None
    option_label: T | None = None
    option_bought: bool = False


@dataclass(frozen=True, slots=True)
class Factor:
    """One step of the premium: the factor applied and the premium after it."""

    code: str
    label: T
    factor: str
    amount: int


@dataclass(frozen=True, slots=True)
class QuoteOption:
    label: str
    premium: int
    terms: Terms
    factors: tuple[Factor, ...]
    status: str


@dataclass(frozen=True, slots=True)
class Quote:
    """見積書: one submission's quoted options side by side."""

    reference: str
    issued_at: datetime
    product: T
    approval_number: str
    insurer: T
    agencies: tuple[T, ...]
    company: Insured
    industry: T
    annual_revenue: int
    start: datetime
    end: datetime
    valid_until: date
    options: tuple[QuoteOption, ...]
    isms: T
    notes: tuple[T, ...] = ()


@dataclass(frozen=True, slots=True)
class AgencyShare:
    name: T
    address: str
    tasks: tuple[T, ...]
    share_percent: str
    enquiries: bool


@dataclass(frozen=True, slots=True)
class PolicySchedule:
    """保険証券: the stored policy under the product version it was sold under."""

    number: str
    status: T
    issued_at: datetime
    product: T
    product_version: str
    approval_number: str
    insurer: T
    company: Insured
    insured_note: T
    start: datetime
    end: datetime
    retroactive_date: date
    terms: Terms
    exclusions: tuple[tuple[T, tuple[T, ...]], ...]
    emergency_label: T
    emergency_services: tuple[T, ...]
    emergency_paid_from: T
    desk: T
    agencies: tuple[AgencyShare, ...]
    annual_premium: int
    written_premium: int
    payment: T
    notes: tuple[T, ...] = ()


@dataclass(frozen=True, slots=True)
class Withheld:
    amount: int
    clause: str
    text: T


@dataclass(frozen=True, slots=True)
class SettlementItem:
    description: str
    coverage: T
    category: T | None
    claimed: int
    payable: int
    withheld: tuple[Withheld, ...]


@dataclass(frozen=True, slots=True)
class PaymentLine:
    paid_at: datetime
    amount: int
    by_part: tuple[tuple[T, int], ...]
    reference: str


@dataclass(frozen=True, slots=True)
class SettlementLetter:
    """支払通知: what was paid on a claim, each yen withheld and why, what remains."""

    claim_number: str
    policy_number: str
    issued_at: datetime
    insurer: T
    company: Insured
    accident_at: datetime
    payments: tuple[PaymentLine, ...]
    items: tuple[SettlementItem, ...]
    paid_to_date: int
    remaining: tuple[tuple[T, int, int], ...]
    """(label, limit, what remains of it after the payments shown)."""
    notes: tuple[T, ...] = ()


@dataclass(frozen=True, slots=True)
class DeadlineLine:
    name: T
    source: str
    due_at: datetime
    target_at: datetime | None
    status: T
    done_at: datetime | None


@dataclass(frozen=True, slots=True)
class CostLine:
    kind: T
    description: str
    amount_ex_tax: int
    tax: int
    total: int
    status: T


@dataclass(frozen=True, slots=True)
class DispatchLine:
    partner: str
    service: T
    status: T
    requested_at: datetime
    responded_at: datetime | None
    costs: tuple[CostLine, ...]


@dataclass(frozen=True, slots=True)
class TimelineLine:
    at: datetime
    what: T
    actor: str
    detail: str


@dataclass(frozen=True, slots=True)
class IncidentReport:
    """事故対応報告書: the desk's record of one incident."""

    number: str
    issued_at: datetime
    status: T
    company: str
    policy_number: str | None
    insured: bool
    channel: T
    caller: str
    summary: str
    occurred_at: datetime
    aware_at: datetime | None
    reported_at: datetime
    first_response_at: datetime | None
    handed_over_at: datetime | None
    triage: tuple[tuple[T, T], ...]
    hearing: tuple[tuple[T, T], ...]
    advice: tuple[tuple[T, datetime | None], ...]
    deadlines: tuple[DeadlineLine, ...]
    dispatches: tuple[DispatchLine, ...]
    timeline: tuple[TimelineLine, ...]
    desk: T = field(default_factory=lambda: T("", ""))
