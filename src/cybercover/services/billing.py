"""Premium collection, lapse for non-payment, cover before premium, commission.

- An accident before the premium is received is not covered unless the product says
  otherwise (保険料領収前の事故, product ``policy.cover_before_premium_received``): the
  first instalment must be paid before the accident's time.
- A policy lapses when an instalment is unpaid ``grace_period_days`` after its due date.
- Commission: each agency on a policy earns ``commission %`` of the premium written,
  times its share (共同取扱). The monthly statement lists each transaction of the month;
  the remittance (代理店精算) is the premium collected in the month less commission on it.
  Every figure is floored to the yen (ours, docs/policies.md).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cybercover.errors import InputError, NotFoundError, Problem
from cybercover.product import find_product
from cybercover.services.authz import Actor, authorize
from cybercover.services.policies import jst_date
from cybercover.services.scope import load, load_policy
from cybercover.services.snapshots import invoice_view, policy_view
from cybercover.services.uow import Database
from cybercover.storage.models import Invoice, Organisation, Policy, PolicyAgency, PolicyTransaction
from cybercover.timeutil import JST

__all__ = [
    "commission_statement",
    "coverage_at",
    "lapse_overdue",
    "record_payment",
]


def _floor(value: Fraction) -> int:
    return value.numerator // value.denominator


def record_payment(
    db: Database, actor: Actor, invoice_id: int, *, amount: int, paid_at: datetime | None = None
) -> dict[str, Any]:
    """Record premium received (or a refund paid out, for a negative invoice)."""
    with db.unit_of_work() as uow:
        invoice = load(uow.session, actor, Invoice, invoice_id, "billing.record_payment")
        outstanding = invoice.amount - invoice.paid_amount
        if amount == 0 or (amount > 0) != (outstanding > 0) or abs(amount) > abs(outstanding):
            raise InputError(
                [
                    Problem(
                        "amount",
                        "payment_amount",
                        f"未収額は{outstanding:,}円です",
                        f"the amount outstanding is {outstanding:,} yen",
                    )
                ]
            )
        before = invoice_view(invoice)
        invoice.paid_amount += amount
        if invoice.paid_amount == invoice.amount:
            invoice.paid_at = paid_at or uow.now
        uow.session.flush()
        after = invoice_view(invoice)
        uow.audit(
            actor.user_id, "billing.payment", ("invoice", invoice.id), before=before, after=after
        )
        return after


def lapse_overdue(db: Database, actor: Actor | None) -> list[str]:
    """Lapse every policy with an instalment unpaid past the grace period (a daily job;
    ``actor`` None when run by the system). Returns the policy numbers lapsed."""
    if actor is not None:
        authorize(actor, "billing.record_payment")
    lapsed: list[str] = []
    with db.unit_of_work() as uow:
        today = jst_date(uow.now)
        for policy in uow.session.execute(
            select(Policy).where(Policy.status == "in_force")
        ).scalars():
            grace = find_product(
                policy.product_code, policy.product_version
            ).policy.grace_period_days
            overdue = (
                uow.session.execute(
                    select(Invoice).where(
                        Invoice.policy_id == policy.id,
                        Invoice.amount > 0,
                        Invoice.paid_at.is_(None),
                        Invoice.due_date < today - timedelta(days=grace),
                    )
                )
                .scalars()
                .first()
            )
            if overdue is None:
                continue
            before = policy_view(policy)
            policy.status = "lapsed"
            policy.cancelled_at = uow.now
            uow.session.add(
                PolicyTransaction(
                    policy_id=policy.id,
                    kind="lapse",
                    status="applied",
                    effective_at=uow.now,
                    changes={"invoice_id": overdue.id},
                    premium_delta=0,
                    factors=[],
                    created_by=None,
                    created_at=uow.now,
                )
            )
            uow.session.flush()
            uow.audit(
                actor.user_id if actor else None,
                "policy.lapse",
                ("policy", policy.id),
                before=before,
                after=policy_view(policy),
            )
            lapsed.append(policy.number or str(policy.id))
    return lapsed


def coverage_facts(session: Session, policy: Policy, at: datetime) -> dict[str, Any]:
    """Was ``policy`` in force at ``at``, was the premium received by then, which parts
    does it cover (保険料領収前の事故: not covered before the first instalment is paid,
    unless the product says otherwise)."""
    rules = find_product(policy.product_code, policy.product_version).policy
    ended = policy.cancelled_at if policy.status in ("cancelled", "lapsed") else None
    in_period = policy.period_start <= at < policy.period_end and (ended is None or at < ended)
    in_force = in_period and policy.status in ("in_force", "cancelled", "lapsed", "expired")
    first = (
        session.execute(
            select(Invoice)
            .where(Invoice.policy_id == policy.id, Invoice.amount > 0)
            .order_by(Invoice.due_date, Invoice.id)
        )
        .scalars()
        .first()
    )
    received = first is not None and first.paid_at is not None and first.paid_at <= at
    covered = in_force and (received or rules.cover_before_premium_received)
    terms = policy.terms
    parts = ["liability", "response_costs"] + (
        ["profit_loss", "continuation_costs"] if terms.get("business_interruption") else []
    )
    return {
        "policy_id": policy.id,
        "number": policy.number,
        "at": at.isoformat(),
        "in_force": in_force,
        "premium_received": received,
        "covered": covered,
        "parts": parts if covered else [],
        "limits": terms.get("limits", {}),
    }


def coverage_at(db: Database, actor: Actor, policy_id: int, at: datetime) -> dict[str, Any]:
    """``coverage_facts`` for a policy the actor may read."""
    if at.tzinfo is None:
        raise InputError(
            [
                Problem(
                    "at",
                    "timezone_aware",
                    "時差付きの日時で指定してください",
                    "must carry a UTC offset",
                )
            ]
        )
    with db.sessions() as session:
        return coverage_facts(session, load_policy(session, actor, policy_id, "policy.read"), at)


def commission_statement(
    db: Database, actor: Actor, agency_id: int, year: int, month: int
) -> dict[str, Any]:
    """The agency's monthly statement: commission per transaction, and the remittance."""
    if not 1 <= month <= 12:
        raise InputError([Problem("month", "month", "1〜12で指定してください", "must be 1 to 12")])
    start = datetime.combine(date(year, month, 1), time(0), tzinfo=JST)
    end = datetime.combine(date(year + month // 12, month % 12 + 1, 1), time(0), tzinfo=JST)
    with db.sessions() as session:
        # an agent reaches its own agency only (services/scope.py)
        agency = load(session, actor, Organisation, agency_id, "commission.read")
        if agency.kind != "agency":
            raise NotFoundError("agency", agency_id)
        shares = {
            a.policy_id: a
            for a in session.execute(
                select(PolicyAgency).where(PolicyAgency.agency_id == agency_id)
            ).scalars()
        }
        rows = []
        for tx in session.execute(
            select(PolicyTransaction)
            .where(
                PolicyTransaction.policy_id.in_(list(shares)),
                PolicyTransaction.status == "applied",
                PolicyTransaction.created_at >= start,
                PolicyTransaction.created_at < end,
            )
            .order_by(PolicyTransaction.id)
        ).scalars():
            share = shares[tx.policy_id]
            commission = _floor(
                Fraction(
                    tx.premium_delta * share.commission_rate_bp * share.share_bp, 10_000 * 10_000
                )
            )
            policy = session.get(Policy, tx.policy_id)
            assert policy is not None
            rows.append(
                {
                    "policy_number": policy.number,
                    "transaction_id": tx.id,
                    "kind": tx.kind,
                    "premium": tx.premium_delta,
                    "commission_percent": share.commission_rate_bp / 100,
                    "share_percent": share.share_bp / 100,
                    "commission": commission,
                }
            )
        collected = 0
        collected_commission = 0
        for inv in session.execute(
            select(Invoice).where(
                Invoice.policy_id.in_(list(shares)),
                Invoice.paid_at.is_not(None),
                Invoice.paid_at >= start,
                Invoice.paid_at < end,
            )
        ).scalars():
            share = shares[inv.policy_id]
            part = _floor(Fraction(inv.paid_amount * share.share_bp, 10_000))
            collected += part
            collected_commission += _floor(Fraction(part * share.commission_rate_bp, 10_000))
        return {
            "agency": {"id": agency.id, "code": agency.code, "name": agency.name},
            "month": f"{year:04d}-{month:02d}",
            "rows": rows,
            "commission_total": sum(r["commission"] for r in rows),
            "collected": collected,
            "remittance": collected - collected_commission,
        }
