"""Endorsements, payments, coverage at a moment, commission statements."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel

from cybercover.api.deps import CurrentActor, Db
from cybercover.edge import parse_month
from cybercover.services.billing import (
    commission_statement,
    coverage_at,
    lapse_overdue,
    record_payment,
)
from cybercover.services.endorsements import (
    apply_endorsement,
    get_endorsement,
    quote_endorsement,
)

router = APIRouter(tags=["policies"])


class EndorsementIn(BaseModel):
    """A change of the terms (``option``; none: the terms in force), of the company's
    revenue or industry (``company``) and of disclosure answers (``disclosure``)."""

    effective_date: date
    option: dict[str, Any] | None = None
    company: dict[str, Any] | None = None
    disclosure: dict[str, Any] | None = None


class PaymentIn(BaseModel):
    """A receipt: the amount (negative: a refund paid out), the bank's value date
    (``paid_at``; none: now; never in the future nor before the invoice was issued) and
    ``confirm``: an underwriter confirms a value date before an accident already reported
    that it would make covered (issue #17)."""

    amount: int
    paid_at: AwareDatetime | None = None
    confirm: bool = False


@router.post("/policies/{policy_id}/endorsements", status_code=201)
def endorse(policy_id: int, body: EndorsementIn, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return quote_endorsement(
        db,
        actor,
        policy_id,
        effective_date=body.effective_date,
        option=body.option,
        company=body.company,
        disclosure=body.disclosure,
    )


@router.get("/endorsements/{transaction_id}")
def endorsement(transaction_id: int, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return get_endorsement(db, actor, transaction_id)


@router.post("/endorsements/{transaction_id}/apply")
def apply(transaction_id: int, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return apply_endorsement(db, actor, transaction_id)


@router.get("/policies/{policy_id}/coverage")
def coverage(policy_id: int, at: AwareDatetime, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return coverage_at(db, actor, policy_id, at)


@router.post("/invoices/{invoice_id}/payments")
def pay(invoice_id: int, body: PaymentIn, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return record_payment(
        db, actor, invoice_id, amount=body.amount, paid_at=body.paid_at, confirm=body.confirm
    )


@router.post("/billing/lapse-overdue")
def lapse(actor: CurrentActor, db: Db) -> dict[str, list[str]]:
    return {"lapsed": lapse_overdue(db, actor)}


@router.get("/agencies/{agency_id}/commission")
def commission(agency_id: int, month: str, actor: CurrentActor, db: Db) -> dict[str, Any]:
    year, month_number = parse_month(month)
    return commission_statement(db, actor, agency_id, year, month_number)
