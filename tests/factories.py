"""Factories: the one place tests build terms and accidents."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from cybercover.product import Product
from cybercover.rating.engine import RateRequest
from cybercover.terms import Accident, LossLine, PolicyTerms, build_policy_terms
from cybercover.timeutil import JST
from cybercover.underwriting import Facts, IsmsCertificate

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


def make_rate_request(
    product: Product,
    *,
    revenue: int = 500_000_000,
    industry: str = "manufacturing",
    liability: int = 100_000_000,
    response_costs: int = 30_000_000,
    deductible: int = 100_000,
    bi: bool = False,
    bi_limit: int | None = None,
    hours: Fraction | int = 3,
    overseas: str = "0",
    disclosure: dict[str, object] | None = None,
    isms_body: str | None = None,
) -> RateRequest:
    """A quote request on the published basis (REFERENCE.md §1: plan ①, deductible
    ¥100,000 on every part, no overseas sales, neutral disclosure); override what a test
    is about."""
    from decimal import Decimal

    limits = {"liability": liability, "response_costs": response_costs}
    if bi:
        shared = bi_limit if bi_limit is not None else liability
        limits.update(
            {"business_interruption": shared, "profit_loss": shared, "continuation_costs": shared}
        )
    parts = ("liability", "response_costs", "profit_loss", "continuation_costs")
    terms = build_policy_terms(
        product,
        start=START,
        limits=limits,
        deductibles=dict.fromkeys(parts, deductible),
        options={"business_interruption": bi},
        waiting_hours=Fraction(hours),
    )
    return RateRequest(
        annual_revenue=revenue,
        industry=industry,
        terms=terms,
        overseas_sales_ratio=Decimal(overseas),
        disclosure=dict(disclosure or {}),
        isms_body=isms_body,
    )


# -- underwriting (docs/underwriting.md) -------------------------------------------------

CLEAN_COMPANY: dict[str, object] = {
    "country": "JP",
    "prefecture": "東京都",
    "annual_revenue": 500_000_000,
    "employees": 50,
    "industry_group": "39",
    "overseas_sales_ratio": "0",
    "handles_card_data": False,
    "handles_my_number": True,
}
"""A company that no underwriting rule refers."""

CLEAN_ANSWERS: dict[str, object] = {
    "mfa": True,
    "edr": True,
    "offline_backups": True,
    "patch_cadence_days": 14,
    "incident_response_plan": True,
    "staff_training": True,
    "email_filtering": True,
    "privileged_access_management": True,
    "prior_incidents_3y": 0,
    "rdp_exposed": False,
    "pending_claims": False,
    "known_circumstances": False,
    "outsourced_it": "partly",
    "security_officer": "情報システム部長 山田太郎",
}
"""Every required disclosure question answered the way no rule refers."""


def make_isms(
    body: str = "JQA", expires_on: date = date(2027, 3, 31), certified: bool = True
) -> IsmsCertificate:
    """An ISMS certificate declaration (PRODUCT.md §7), valid at START by default."""
    return IsmsCertificate(
        certified=certified,
        body=body if certified else None,
        certificate_number="IS 123456" if certified else None,
        expires_on=expires_on if certified else None,
        scope="本社" if certified else None,
    )


def make_facts(
    *,
    company: dict[str, object] | None = None,
    answers: dict[str, object] | None = None,
    without: Sequence[str] = (),
    limits: dict[str, int] | None = None,
    isms: IsmsCertificate | None = None,
    on: date = START,
) -> Facts:
    """Facts of a clean application; override what a test is about (``without`` drops
    answers or company fields by code)."""
    comp = {**CLEAN_COMPANY, **(company or {})}
    ans = {**CLEAN_ANSWERS, **(answers or {})}
    for code in without:
        comp.pop(code, None)
        ans.pop(code, None)
    return Facts(
        on=on,
        company=comp,
        disclosure=ans,
        limits=limits or {"liability": 100_000_000, "response_costs": 30_000_000},
        options={"business_interruption": False},
        isms=isms,
    )


def product_data() -> dict[str, Any]:
    """The bundled product file as a fresh dict, for tests that break one field."""
    import tomllib

    from cybercover.product import DEFAULT_PRODUCT_FILE, products_dir

    return tomllib.loads((products_dir() / DEFAULT_PRODUCT_FILE).read_text(encoding="utf-8"))
