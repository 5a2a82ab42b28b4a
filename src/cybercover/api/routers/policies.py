"""Policies and their transactions: bind a quote, issue, cancel, reinstate, read."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, Field

from cybercover.api.deps import CurrentActor, Db
from cybercover.services.policies import (
    bind_quote,
    cancel_policy,
    get_policy,
    issue_policy,
    list_policies,
    reinstate_policy,
)
from cybercover.services.terms_versions import terms_at, terms_history

router = APIRouter(tags=["policies"])


class BindIn(BaseModel):
    payment_plan: str = Field(examples=["lump_sum"])
    payment_method: str = Field(examples=["invoice"])


class CancelIn(BaseModel):
    effective_date: date
    by: str = Field(examples=["insured"])
    reason: str = Field(max_length=500)


class ReinstateIn(BaseModel):
    reason: str = Field(max_length=500)


@router.post("/quotes/{quote_id}/bind", status_code=201)
def bind(quote_id: int, body: BindIn, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return bind_quote(
        db, actor, quote_id, payment_plan=body.payment_plan, payment_method=body.payment_method
    )


@router.get("/policies")
def policies(actor: CurrentActor, db: Db) -> list[dict[str, Any]]:
    return list_policies(db, actor)


@router.get("/policies/{policy_id}")
def read(policy_id: int, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return get_policy(db, actor, policy_id)


@router.post("/policies/{policy_id}/issue")
def issue(policy_id: int, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return issue_policy(db, actor, policy_id)


@router.post("/policies/{policy_id}/cancel")
def cancel(policy_id: int, body: CancelIn, actor: CurrentActor, db: Db) -> dict[str, Any]:
    """Cancel: the policy, with ``earned_premium`` (what the insurer keeps by the
    product's basis), ``return_premium`` (the written premium given up), ``received``,
    ``refund`` (only premium received goes back), ``shortfall`` (billed when more was
    earned than received) and ``cancelled_instalments`` (unpaid, cancelled: not refunded)."""
    return cancel_policy(
        db, actor, policy_id, effective_date=body.effective_date, by=body.by, reason=body.reason
    )


@router.post("/policies/{policy_id}/reinstate")
def reinstate(policy_id: int, body: ReinstateIn, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return reinstate_policy(db, actor, policy_id, reason=body.reason)


@router.get("/policies/{policy_id}/terms")
def terms(
    policy_id: int, actor: CurrentActor, db: Db, at: AwareDatetime | None = None
) -> dict[str, Any]:
    """The terms version in force at ``at`` (and whether the policy was in force then,
    and the premium condition); without ``at``, every version and the spans in force."""
    if at is None:
        return terms_history(db, actor, policy_id)
    return terms_at(db, actor, policy_id, at)
