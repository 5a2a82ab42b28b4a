"""Premium arithmetic of the policy lifecycle: pro rata, short rate, earned, instalments.

All in integer yen with exact fractions; every result is floored to the yen once
(ours: the insured is never charged a fraction of a yen more, and refunds are floored
likewise; the remainder of an instalment split goes on the first instalment).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

from cybercover.policies.cover import FirstPremium, premium_condition
from cybercover.policies.model import PolicyRulesDef
from cybercover.timeutil import JST

__all__ = [
    "CancellationMoney",
    "InvoiceMoney",
    "accidents_a_receipt_would_cover",
    "cancellation_money",
    "commission_on",
    "days_between",
    "earned_at",
    "earned_premium",
    "earned_to_date",
    "earned_when_cancelled",
    "instalments",
    "pro_rata",
    "return_premium",
    "share_of",
    "short_rate_retained",
    "value_date_problem",
]


def _floor(value: Fraction) -> int:
    return value.numerator // value.denominator


def days_between(start: datetime, end: datetime) -> int:
    """Whole days from ``start`` to ``end`` (both aware datetimes)."""
    return (end - start).days


def pro_rata(amount: int, part_days: int, period_days: int) -> int:
    """``amount × part_days / period_days``, floored (e.g. the additional premium of an
    endorsement for the days left)."""
    if period_days <= 0:
        raise ValueError("period_days must be positive")
    part_days = min(max(part_days, 0), period_days)
    return _floor(Fraction(amount * part_days, period_days))


def earned_premium(written: int, elapsed_days: int, period_days: int) -> int:
    """Premium earned by day: written × elapsed / period (floored)."""
    return pro_rata(written, elapsed_days, period_days)


def earned_to_date(
    written: int, start: datetime, end: datetime, ended_at: datetime | None, at: datetime
) -> int:
    """Premium earned by day from ``start`` to ``at`` (stopping at a cancellation or lapse
    ``ended_at`` and at ``end``), of the premium written."""
    stop = min(at, ended_at or end, end)
    return earned_premium(written, max(days_between(start, stop), 0), days_between(start, end))


def short_rate_retained(rules: PolicyRulesDef, elapsed_days: int) -> int:
    """Percent of the annual premium the insurer keeps after ``elapsed_days`` (短期率)."""
    for step in rules.short_rate:
        if elapsed_days <= step.up_to_days:
            return step.retained_percent
    return 100


def return_premium(
    rules: PolicyRulesDef, *, premium: int, elapsed_days: int, period_days: int, method: str
) -> int:
    """What goes back to the insured on cancellation, floored to the yen."""
    if method == "pro_rata":
        return pro_rata(premium, period_days - elapsed_days, period_days)
    kept = short_rate_retained(rules, elapsed_days)
    return _floor(Fraction(premium * (100 - kept), 100))


def instalments(total: int, count: int) -> list[int]:
    """Equal instalments; the yen left over by the split go on the first one."""
    if count < 1:
        raise ValueError("count must be at least 1")
    base, rest = divmod(total, count)
    return [base + rest] + [base] * (count - 1)


# -- premium money (issue #17, rule 8) ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class InvoiceMoney:
    """One invoice of a policy as money: what it bills (negative: a refund owed to the
    insured), what has been received on it (negative: refund paid out), and whether it
    was cancelled (its unpaid remainder is then never due)."""

    id: int
    amount: int
    received: int = 0
    cancelled: bool = False

    @property
    def open(self) -> bool:
        return not self.cancelled and self.received != self.amount


@dataclass(frozen=True, slots=True)
class CancellationMoney:
    """What a cancellation does with the money (services/policies.py stores it in the
    cancellation transaction's ``changes``).

    ``earned`` is what the insurer keeps of the written premium by the product's basis
    (short rate or pro rata); ``return_premium`` the written premium given up
    (written − earned, the transaction's premium change). Only money received is paid
    back: the open invoices are ``cancelled`` (their unpaid remainder, ``cancelled_unpaid``,
    is never due), and the premium held (``received``: receipts less refunds paid) is
    squared with ``earned`` by one new invoice: a ``refund`` when more was received than
    earned, a ``shortfall`` billed when less.
    """

    method: str
    elapsed_days: int
    period_days: int
    written: int
    earned: int
    return_premium: int
    received: int
    cancelled: tuple[int, ...]
    cancelled_unpaid: int
    refund: int
    shortfall: int

    def as_changes(self) -> dict[str, object]:
        return {
            "method": self.method,
            "elapsed_days": self.elapsed_days,
            "period_days": self.period_days,
            "written_before": self.written,
            "earned": self.earned,
            "return_premium": self.return_premium,
            "received": self.received,
            "cancelled_invoices": list(self.cancelled),
            "cancelled_unpaid": self.cancelled_unpaid,
            "refund": self.refund,
            "shortfall": self.shortfall,
        }


def cancellation_money(
    rules: PolicyRulesDef,
    *,
    written: int,
    invoices: Iterable[InvoiceMoney],
    elapsed_days: int,
    period_days: int,
    method: str,
) -> CancellationMoney:
    """The money of a cancellation after ``elapsed_days`` of ``period_days``: the premium
    earned by ``method`` (``short_rate`` or ``pro_rata``, floored as ``return_premium``),
    the open invoices to cancel, and the refund or shortfall that leaves the insurer
    holding exactly the premium earned."""
    given_up = return_premium(
        rules, premium=written, elapsed_days=elapsed_days, period_days=period_days, method=method
    )
    earned = written - given_up
    rows = list(invoices)
    received = sum(i.received for i in rows)
    to_cancel = [i for i in rows if i.open]
    return CancellationMoney(
        method=method,
        elapsed_days=elapsed_days,
        period_days=period_days,
        written=written,
        earned=earned,
        return_premium=given_up,
        received=received,
        cancelled=tuple(i.id for i in to_cancel),
        cancelled_unpaid=sum(i.amount - i.received for i in to_cancel),
        refund=max(received - earned, 0),
        shortfall=max(earned - received, 0),
    )


def earned_when_cancelled(kept: int, start: datetime, ended_at: datetime, at: datetime) -> int:
    """Premium earned at ``at`` by a policy cancelled at ``ended_at``: what the
    cancellation kept (its written premium after the cancellation, pro rata or short rate)
    is earned by day over the days the policy ran, and in full from the cancellation on."""
    if at >= ended_at:
        return kept
    ran = days_between(start, ended_at)
    if ran <= 0:
        return 0
    return earned_premium(kept, max(days_between(start, at), 0), ran)


def earned_at(
    written: int,
    start: datetime,
    end: datetime,
    ended_at: datetime | None,
    at: datetime,
    *,
    cancelled: bool,
) -> int:
    """Premium earned by ``at``, one rule for the policy page and the loss ratio: by day
    on the written premium (stopping at a lapse); for a ``cancelled`` policy, whose
    written premium is what its cancellation kept, ``earned_when_cancelled``."""
    if cancelled and ended_at is not None:
        return earned_when_cancelled(written, start, ended_at, at)
    return earned_to_date(written, start, end, ended_at, at)


def _sign(amount: int) -> int:
    return -1 if amount < 0 else 1


def share_of(amount: int, share_bp: int) -> int:
    """An agency's share (basis points) of an amount, floored towards zero so that a
    refund takes back exactly the share its receipt gave."""
    return _sign(amount) * _floor(Fraction(abs(amount) * share_bp, 10_000))


def commission_on(amount: int, rate_bp: int, share_bp: int) -> int:
    """Commission on premium collected (``amount`` > 0) at ``rate_bp`` of the premium,
    times the agency's ``share_bp``; on a refund paid (``amount`` < 0) the return
    commission, the same figure negative. Floored towards zero, once."""
    return _sign(amount) * _floor(Fraction(abs(amount) * rate_bp * share_bp, 10_000 * 10_000))


def value_date_problem(value_at: datetime, *, issued_at: datetime, now: datetime) -> str | None:
    """Why a receipt's value date (the bank's, 着金日) is refused, or None: never in the
    future, never on a day in Japan before the invoice was issued."""
    if value_at > now:
        return "not_in_future"
    if value_at.astimezone(JST).date() < issued_at.astimezone(JST).date():
        return "before_invoice_issued"
    return None


def accidents_a_receipt_would_cover(
    accidents: Sequence[datetime],
    *,
    first_due: date,
    received_at: datetime | None,
    value_at: datetime,
    grace_days: int,
    cover_before_premium_received: bool,
    now: datetime,
) -> list[datetime]:
    """The accidents already reported (their times) that a receipt completing the first
    instalment with value date ``value_at`` would turn from not covered to covered
    (保険料領収前の事故, policies/cover.py): each is on or after the value date, and the
    premium condition refuses it as receipts stand (``received_at``) but not with this
    receipt. Such a receipt needs an underwriter's confirmation."""

    def covered(at: datetime, received: datetime | None) -> bool:
        state = premium_condition(
            at,
            FirstPremium(first_due, received),
            grace_days=grace_days,
            cover_before_premium_received=cover_before_premium_received,
            now=now,
        )
        return state in ("received", "held", "not_required")

    return sorted(
        at
        for at in accidents
        if at >= value_at and not covered(at, received_at) and covered(at, value_at)
    )
