"""Factories: the one place tests build terms and accidents."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from fractions import Fraction

from cybercover.product import Product
from cybercover.terms import Accident, LossLine, PolicyTerms, build_policy_terms
from cybercover.timeutil import JST

START = date(2026, 4, 1)


def jst(*args: int) -> datetime:
    """An aware datetime in Asia/Tokyo: ``jst(2026, 6, 1, 10)``."""
    return datetime(*args, tzinfo=JST)  # type: ignore[misc]


def make_terms(
    product: Product,
    *,
    limits: dict[str, int] | None = None,
    deductibles: dict[str, int] | None = None,
    bi: bool = True,
    hours: Fraction | int = 3,
    mode: str = "qualifying",
    start: date | datetime = START,
) -> PolicyTerms:
    """Terms with generous defaults; override only what a test is about."""
    base = {
        "liability": 1_000_000_000,
        "response_costs": 500_000_000,
        "profit_loss": 100_000_000,
        "continuation_costs": 100_000_000,
        "business_interruption": 100_000_000,
    }
    base.update(limits or {})
    return build_policy_terms(
        product,
        start=start,
        limits=base,
        deductibles=deductibles or {},
        options={"business_interruption": bi},
        waiting_hours=Fraction(hours),
        waiting_mode=mode,
    )


def accident(
    id: str,
    when: datetime,
    *losses: tuple[str, int],
    outage: Fraction | int | str | None = None,
    causes: Sequence[str] = (),
) -> Accident:
    return Accident(
        id=id,
        occurred_at=when,
        outage_hours=Fraction(outage) if outage is not None else None,
        causes=tuple(causes),
        losses=tuple(LossLine(c, a) for c, a in losses),
    )
