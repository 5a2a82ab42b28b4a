"""Premium collection, lapse for non-payment, cover before premium, commission.

- An accident before the premium is received is not covered unless the product says
  otherwise (保険料領収前の事故, product ``policy.cover_before_premium_received``): the
  first instalment must be paid before the accident's time.
- A policy lapses when an instalment is unpaid ``grace_period_days`` after its due date.
- A receipt (issue #17) carries the bank's value date (``paid_at``): never in the future,
  never on a day before its invoice was issued. One dated before an accident already
  reported on the policy, which it would turn from not covered to covered, needs an
  underwriter's confirmation (``confirm``) and is audited as such.
- Commission: each agency on a policy earns ``commission %`` of the premium *collected*
  (product ``commission_basis = "collected"``), times its share (共同取扱); a refund paid
  takes its commission back (return commission). The monthly statement lists each receipt
  and refund booked in the month; the remittance (代理店精算) is the agency's share of the
  premium collected less the commission. Every figure is floored to the yen, towards zero
  (ours, docs/policies.md).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cybercover.errors import AuthorityError, ConflictError, InputError, NotFoundError, Problem
from cybercover.policies.lifecycle import Action, next_status
from cybercover.policies.lifecycle import Status as PolicyStatus
from cybercover.policies.premium import (
    accidents_a_receipt_would_cover,
    commission_on,
    share_of,
    value_date_problem,
)
from cybercover.product.catalogue import sold_under
from cybercover.services.authz import Actor, authorize, person
from cybercover.services.policies import jst_date
from cybercover.services.scope import load, load_policy
from cybercover.services.snapshots import invoice_view, policy_view
from cybercover.services.terms_versions import (
    cover_of,
    cover_view,
    first_instalment,
    require_aware,
)
from cybercover.services.uow import Database
from cybercover.storage.models import (
    Claim,
    Incident,
    Invoice,
    Organisation,
    Policy,
    PolicyAgency,
    PolicyTransaction,
    PremiumReceipt,
)
from cybercover.timeutil import JST

__all__ = [
    "commission_statement",
    "coverage_at",
    "lapse_overdue",
    "record_payment",
]


def record_payment(
    db: Database,
    actor: Actor,
    invoice_id: int,
    *,
    amount: int,
    paid_at: datetime | None = None,
    confirm: bool = False,
) -> dict[str, Any]:
    """Record premium received (or a refund paid out, for a negative invoice) with its
    value date ``paid_at`` (default: now). A receipt completing the first instalment that
    is dated before an accident already reported on the policy, and would turn it from not
    covered to covered, needs ``confirm`` by an underwriter (the underwriting action and an
    underwriter's authority level); the audit row says so."""
    if paid_at is not None and (paid_at.tzinfo is None or paid_at.utcoffset() is None):
        raise InputError(
            [
                Problem(
                    "paid_at",
                    "timezone_aware",
                    "時差付きの日時で指定してください",
                    "must carry a UTC offset",
                )
            ]
        )
    with db.unit_of_work() as uow:
        session = uow.session
        invoice = load(session, actor, Invoice, invoice_id, "billing.record_payment")
        if invoice.cancelled_at is not None:
            raise ConflictError(
                "invoice_cancelled",
                "この請求は解約により取り消されています",
                "the invoice was cancelled with its policy",
            )
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
        value_at = (paid_at or uow.now).astimezone(UTC)  # stored, and shown, in UTC
        _check_value_date(value_at, invoice, uow.now)
        policy = session.get(Policy, invoice.policy_id)  # the parent of a scoped row
        assert policy is not None
        completes = invoice.paid_amount + amount == invoice.amount
        turned = (
            _accidents_turned(session, policy, invoice, value_at, uow.now)
            if completes and invoice.amount > 0
            else []
        )
        if turned:
            _confirmation(actor, policy, turned, value_at, confirm)
        before = invoice_view(invoice)
        invoice.paid_amount += amount
        if completes:
            invoice.paid_at = value_at
        receipt = PremiumReceipt(
            invoice_id=invoice.id,
            policy_id=invoice.policy_id,
            amount=amount,
            paid_at=value_at,
            recorded_at=uow.now,
            recorded_by=actor.user_id or None,
            confirmed_by=actor.user_id if turned else None,
            confirmed_accidents=[t.isoformat() for t in turned] if turned else None,
        )
        session.add(receipt)
        session.flush()
        after = {**invoice_view(invoice), "receipt": _receipt_view(receipt)}
        uow.audit(
            actor.user_id, "billing.payment", ("invoice", invoice.id), before=before, after=after
        )
        if turned:
            uow.audit(
                actor.user_id,
                "billing.receipt_confirmed",
                ("invoice", invoice.id),
                after={
                    "policy_id": policy.id,
                    "value_date": value_at.isoformat(),
                    "accidents_made_covered": [t.isoformat() for t in turned],
                    "confirmed_by": actor.user_id,
                },
            )
        return after


def lapse_overdue(db: Database, actor: Actor) -> list[str]:
    """Lapse every policy with an instalment unpaid past the grace period (a daily job:
    the system actor, or a person by hand). Returns the policy numbers lapsed."""
    authorize(actor, "billing.lapse")
    lapsed: list[str] = []
    with db.unit_of_work() as uow:
        today = jst_date(uow.now)
        for policy in uow.session.execute(
            select(Policy).where(Policy.status == PolicyStatus.IN_FORCE)
        ).scalars():
            grace = sold_under(policy).policy.grace_period_days
            overdue = (
                uow.session.execute(
                    select(Invoice).where(
                        Invoice.policy_id == policy.id,
                        Invoice.amount > 0,
                        Invoice.paid_at.is_(None),
                        Invoice.cancelled_at.is_(None),  # cancelled: neither due nor lapsing
                        Invoice.due_date < today - timedelta(days=grace),
                    )
                )
                .scalars()
                .first()
            )
            if overdue is None:
                continue
            before = policy_view(policy)
            policy.status = next_status(policy.status, Action.LAPSE)
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
                person(actor),
                "policy.lapse",
                ("policy", policy.id),
                before=before,
                after=policy_view(policy),
            )
            lapsed.append(policy.number or str(policy.id))
    return lapsed


def coverage_facts(
    session: Session, policy: Policy, at: datetime, now: datetime | None = None
) -> dict[str, Any]:
    """Was ``policy`` in force at ``at``, under which terms version, and what does the
    premium condition say (judged at ``now``, default ``at``)? The one rule of
    policies/cover.py, asked by the desk and by claims alike."""
    cover = cover_of(session, policy, at, now or at)
    terms = cover.version.terms if cover.version is not None else policy.terms
    parts = ["liability", "response_costs"] + (
        ["profit_loss", "continuation_costs"] if terms.get("business_interruption") else []
    )
    return {
        **cover_view(cover),
        "policy_id": policy.id,
        "number": policy.number,
        "premium_received": cover.premium in ("received", "not_required"),
        "premium_pending": cover.premium == "held",
        "parts": parts if cover.covered else [],
        "limits": terms.get("limits", {}),
    }


def coverage_at(db: Database, actor: Actor, policy_id: int, at: datetime) -> dict[str, Any]:
    """``coverage_facts`` for a policy the actor may read."""
    require_aware(at)
    with db.sessions() as session:
        policy = load_policy(session, actor, policy_id, "policy.read")
        return coverage_facts(session, policy, at, db.clock())


def commission_statement(
    db: Database, actor: Actor, agency_id: int, year: int, month: int
) -> dict[str, Any]:
    """The agency's monthly statement: commission on each receipt booked in the month
    (premium collected), return commission on each refund paid, and the remittance."""
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
        rows: list[dict[str, Any]] = []
        for receipt in session.execute(
            select(PremiumReceipt)
            .where(
                PremiumReceipt.policy_id.in_(list(shares)),
                PremiumReceipt.recorded_at >= start,
                PremiumReceipt.recorded_at < end,
            )
            .order_by(PremiumReceipt.id)
        ).scalars():
            share = shares[receipt.policy_id]
            policy = session.get(Policy, receipt.policy_id)
            assert policy is not None
            rows.append(
                {
                    "policy_number": policy.number,
                    "invoice_id": receipt.invoice_id,
                    "receipt_id": receipt.id,
                    "kind": "receipt" if receipt.amount > 0 else "refund",
                    "paid_at": receipt.paid_at.isoformat(),
                    "premium": receipt.amount,
                    "collected": share_of(receipt.amount, share.share_bp),
                    "commission_percent": share.commission_rate_bp / 100,
                    "share_percent": share.share_bp / 100,
                    "commission": commission_on(
                        receipt.amount, share.commission_rate_bp, share.share_bp
                    ),
                }
            )
        commission_total = sum(r["commission"] for r in rows)
        collected = sum(r["collected"] for r in rows)
        return {
            "agency": {"id": agency.id, "code": agency.code, "name": agency.name},
            "month": f"{year:04d}-{month:02d}",
            "basis": "collected",
            "rows": rows,
            "commission_total": commission_total,
            "return_commission": -sum(r["commission"] for r in rows if r["kind"] == "refund"),
            "collected": collected,
            "remittance": collected - commission_total,
        }


# -- premium money (issue #17, rule 8): the value date and the accident check -----------


def _receipt_view(r: PremiumReceipt) -> dict[str, Any]:
    return {
        "id": r.id,
        "invoice_id": r.invoice_id,
        "amount": r.amount,
        "paid_at": r.paid_at.isoformat(),
        "recorded_at": r.recorded_at.isoformat(),
        "recorded_by": r.recorded_by,
        "confirmed_by": r.confirmed_by,
        "confirmed_accidents": r.confirmed_accidents,
    }


def _check_value_date(value_at: datetime, invoice: Invoice, now: datetime) -> None:
    problem = value_date_problem(value_at, issued_at=invoice.issued_at, now=now)
    if problem == "not_in_future":
        raise InputError(
            [
                Problem(
                    "paid_at",
                    problem,
                    "入金日（着金日）は未来の日付にできません",
                    "the value date must not be in the future",
                )
            ]
        )
    if problem is not None:
        issued = jst_date(invoice.issued_at)
        raise InputError(
            [
                Problem(
                    "paid_at",
                    problem,
                    f"入金日（着金日）は請求の発行日（{issued}）より前にできません",
                    f"the value date must not be before the invoice was issued ({issued})",
                )
            ]
        )


def _accidents_turned(
    session: Session, policy: Policy, invoice: Invoice, value_at: datetime, now: datetime
) -> list[datetime]:
    """The accidents already reported on ``policy`` (incidents and claims) that a receipt
    completing ``invoice`` with value date ``value_at`` turns from not covered to covered:
    only the first instalment decides cover (policies/cover.py)."""
    first = first_instalment(session, policy)
    if first is None or first.id != invoice.id:
        return []
    times = [
        *session.execute(
            select(Incident.occurred_at).where(Incident.policy_id == policy.id)
        ).scalars(),
        *session.execute(select(Claim.accident_at).where(Claim.policy_id == policy.id)).scalars(),
    ]
    rules = sold_under(policy).policy
    return accidents_a_receipt_would_cover(
        sorted(set(times)),
        first_due=invoice.due_date,
        received_at=invoice.paid_at,
        value_at=value_at,
        grace_days=rules.grace_period_days,
        cover_before_premium_received=rules.cover_before_premium_received,
        now=now,
    )


def _confirmation(
    actor: Actor, policy: Policy, turned: list[datetime], value_at: datetime, confirm: bool
) -> None:
    """A receipt dated before a reported accident it would make covered: refused unless
    confirmed, and only an underwriter (the underwriting action and at least the
    product's ``underwriter`` authority level) may confirm it."""
    when = ", ".join(t.astimezone(JST).strftime("%Y-%m-%d %H:%M") for t in turned)
    if not confirm:
        raise ConflictError(
            "receipt_before_reported_accident",
            f"入金日（{jst_date(value_at)}）が届出済みの事故（{when}）より前で、その事故を"
            "補償対象にします。引受担当者の確認（confirm）が必要です",
            f"the value date {jst_date(value_at)} is before an accident already reported "
            f"({when} JST), which it would make covered: an underwriter must confirm it",
        )
    authorize(actor, "underwriting.decide")
    product = sold_under(policy)
    level = product.underwriting.level("underwriter")
    if actor.underwriting_authority < level:
        raise AuthorityError(
            "underwriting.decide",
            f"事故より前の入金日の確認には引受権限（{level}以上）が必要です",
            f"confirming a value date before a reported accident needs underwriting "
            f"authority {level} or above",
        )
