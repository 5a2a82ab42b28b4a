"""Bind, issue, endorse, cancel, reinstate and renew a policy: each one transaction.

Rules come from the product's ``[policy]`` section (docs/policies.md); premium arithmetic
from :mod:`cybercover.policies.premium`. Dates people see are in Asia/Tokyo; a policy
runs from 00:00 JST on its start date for one year, half-open.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cybercover.errors import ConflictError, InputError, Problem
from cybercover.policies.lifecycle import Action, Status, allowed, next_status, require
from cybercover.policies.numbers import policy_number
from cybercover.policies.premium import (
    InvoiceMoney,
    cancellation_money,
    days_between,
    earned_at,
    instalments,
)
from cybercover.product.catalogue import sold_under
from cybercover.product.model import Product
from cybercover.services.authz import Actor, authorize
from cybercover.services.scope import load_policy, load_quote, reach_filter
from cybercover.services.snapshots import invoice_view, policy_view, transaction_view
from cybercover.services.terms_versions import add_terms_version, terms_of_version
from cybercover.services.uow import Database, UnitOfWork, next_number
from cybercover.services.visibility import shape, shape_all
from cybercover.storage.models import (
    Invoice,
    Organisation,
    Policy,
    PolicyAgency,
    PolicyTransaction,
    PreBindRecord,
    Quote,
    Submission,
    UnderwritingIssueRow,
)
from cybercover.terms import PolicyTerms
from cybercover.timeutil import JST, add_years

__all__ = [
    "PREBIND_KINDS",
    "bind_quote",
    "cancel_policy",
    "get_policy",
    "issue_policy",
    "jst_date",
    "list_policies",
    "policy_terms",
    "reinstate_policy",
]

# Documents Japanese sales rules require before binding, and the result each must have.
PREBIND_KINDS: dict[str, str] = {
    "important_matters": "explained",  # 重要事項説明
    "intention_confirmation": "confirmed",  # 意向確認
    "application": "received",  # 申込書
    "antisocial_check": "clear",  # 反社会的勢力チェック
}


def jst_date(moment: datetime) -> date:
    return moment.astimezone(JST).date()


def _jst_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=JST)


def _product_of(policy: Policy | Submission) -> Product:
    return sold_under(policy)


def _open_issues(
    session: Session, submission_id: int, points: tuple[str, ...]
) -> list[UnderwritingIssueRow]:
    return list(
        session.execute(
            select(UnderwritingIssueRow).where(
                UnderwritingIssueRow.submission_id == submission_id,
                UnderwritingIssueRow.status.in_(("open", "declined")),
                UnderwritingIssueRow.blocking_point.in_(points),
            )
        ).scalars()
    )


def _blocked(issues: list[UnderwritingIssueRow], step: str) -> ConflictError:
    codes = ", ".join(sorted({i.rule_code for i in issues}))
    return ConflictError(
        "underwriting_issues_open",
        f"未解決の引受上の確認事項があります（{codes}）",
        f"underwriting issues must be cleared before {step}: {codes}",
    )


def bind_quote(
    db: Database, actor: Actor, quote_id: int, *, payment_plan: str, payment_method: str
) -> dict[str, Any]:
    """Bind one quoted option: checks validity, version, issues and the pre-bind records."""
    with db.unit_of_work() as uow:
        session = uow.session
        quote, submission = load_quote(session, actor, quote_id, "policy.bind")
        product = _product_of(submission)
        rules = product.policy
        problems = []
        if payment_plan not in rules.payment_plans:
            problems.append(
                Problem(
                    "payment_plan",
                    "unknown_plan",
                    f"指定できない払込方法です（{', '.join(rules.payment_plans)}）",
                    f"must be one of {', '.join(rules.payment_plans)}",
                )
            )
        if payment_method not in rules.payment_methods:
            problems.append(
                Problem(
                    "payment_method",
                    "unknown_method",
                    f"指定できない支払方法です（{', '.join(rules.payment_methods)}）",
                    f"must be one of {', '.join(rules.payment_methods)}",
                )
            )
        if problems:
            raise InputError(problems)
        if quote.status != "quoted":
            raise ConflictError(
                "quote_not_open", f"この見積は{quote.status}です", f"the quote is {quote.status}"
            )
        if quote.submission_version != submission.version:
            raise ConflictError(
                "quote_outdated",
                "申込内容が変更されたため再見積が必要です",
                "the submission changed after this quote: quote again",
            )
        if jst_date(uow.now) > quote.valid_until:
            quote.status = "expired"
            raise ConflictError(
                "quote_expired",
                f"見積の有効期限（{quote.valid_until}）を過ぎています",
                f"the quote expired on {quote.valid_until}",
            )
        if submission.start_date < jst_date(uow.now):
            raise ConflictError(
                "start_date_passed",
                f"保険始期（{submission.start_date}）を過ぎています。始期を変更して再見積してください",
                f"the start date {submission.start_date} has passed: change it and quote again",
            )
        blocking = _open_issues(session, submission.id, ("quote", "bind"))
        if blocking:
            raise _blocked(blocking, "binding")
        records = {
            r.kind: r.result
            for r in session.execute(
                select(PreBindRecord).where(PreBindRecord.submission_id == submission.id)
            ).scalars()
        }
        missing = [k for k, want in PREBIND_KINDS.items() if records.get(k) != want]
        if missing:
            raise ConflictError(
                "prebind_incomplete",
                f"契約前の手続が完了していません（{', '.join(missing)}）",
                f"before binding, record: {', '.join(missing)}",
            )
        start = _jst_midnight(submission.start_date)
        policy = Policy(
            number=None,
            company_id=submission.company_id,
            submission_id=submission.id,
            quote_id=quote.id,
            product_code=submission.product_code,
            product_version=submission.product_version,
            status="bound",
            period_start=start,
            period_end=add_years(start, product.period.years),
            retroactive_date=submission.start_date,
            terms=quote.options,
            annual_premium=quote.premium,
            written_premium=0,
            payment_plan=payment_plan,
            payment_method=payment_method,
            created_at=uow.now,
        )
        session.add(policy)
        session.flush()
        add_terms_version(  # version 1, from the start of the period
            session,
            policy,
            effective_from=start,
            terms=quote.options,
            annual_premium=quote.premium,
            transaction_id=None,
            now=uow.now,
        )
        for other in session.execute(
            select(Quote).where(Quote.submission_id == submission.id)
        ).scalars():
            if other.id != quote.id and other.status == "quoted":
                other.status = "superseded"
        quote.status = "bound"
        submission.status = "bound"
        session.flush()
        uow.audit(actor.user_id, "policy.bind", ("policy", policy.id), after=policy_view(policy))
        return policy_view(policy)


def _next_number(session: Session, prefix: str, year: int) -> str:
    return policy_number(prefix, year, next_number(session, f"policy/{prefix}-{year:04d}"))


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def bill(
    uow: UnitOfWork, policy: Policy, tx: PolicyTransaction, amount: int, first_due: date, count: int
) -> None:
    for i, part in enumerate(instalments(amount, count) if amount > 0 else [amount]):
        uow.session.add(
            Invoice(
                policy_id=policy.id,
                transaction_id=tx.id,
                sequence=i + 1,
                due_date=_add_months(first_due, i),
                amount=part,
                method=policy.payment_method,
                paid_at=None,
                paid_amount=0,
                issued_at=uow.now,
            )
        )


def issue_policy(db: Database, actor: Actor, policy_id: int) -> dict[str, Any]:
    """Issue a bound policy: number, period, agencies with their shares, premium invoices."""
    with db.unit_of_work() as uow:
        session = uow.session
        policy = load_policy(session, actor, policy_id, "policy.bind")
        require(policy.status, Action.ISSUE)
        blocking = _open_issues(session, policy.submission_id, ("quote", "bind", "issue"))
        if blocking:
            raise _blocked(blocking, "issuing")
        product = _product_of(policy)
        rules = product.policy
        submission = session.get(Submission, policy.submission_id)
        assert submission is not None
        if submission.renewal_of_id is not None:
            previous = session.get(Policy, submission.renewal_of_id)
            assert previous is not None
            policy.retroactive_date = previous.retroactive_date  # 遡及日 carried over
            previous.renewed_by_id = policy.id
        policy.number = _next_number(
            session, rules.number_prefix, jst_date(policy.period_start).year
        )
        policy.status = next_status(policy.status, Action.ISSUE)
        policy.written_premium = policy.annual_premium
        submission.status = "issued"
        tx = PolicyTransaction(
            policy_id=policy.id,
            kind="issue",
            status="applied",
            effective_at=policy.period_start,
            changes={"terms": policy.terms},
            premium_delta=policy.annual_premium,
            factors=[],
            created_by=actor.user_id,
            created_at=uow.now,
        )
        session.add(tx)
        session.flush()
        bill(
            uow,
            policy,
            tx,
            policy.annual_premium,
            # the first instalment's due date by payment method (product file)
            jst_date(policy.period_start)
            + timedelta(days=rules.first_premium_due_days.get(policy.payment_method, 0)),
            rules.payment_plans[policy.payment_plan],
        )
        for share in rules.co_agency:
            agency = session.execute(
                select(Organisation).where(Organisation.code == share.agency)
            ).scalar_one_or_none()
            if agency is None:
                raise ConflictError(
                    "agency_missing",
                    f"代理店 {share.agency} が登録されていません",
                    f"agency {share.agency} of the product is not registered",
                )
            session.add(
                PolicyAgency(
                    policy_id=policy.id,
                    agency_id=agency.id,
                    tasks=list(share.tasks),
                    share_bp=share.share_percent * 100,
                    commission_rate_bp=rules.commission_percent * 100,
                )
            )
        session.flush()
        uow.audit(actor.user_id, "policy.issue", ("policy", policy.id), after=policy_view(policy))
        return policy_view(policy)


def get_policy(db: Database, actor: Actor, policy_id: int) -> dict[str, Any]:
    with db.sessions() as session:
        policy = load_policy(session, actor, policy_id, "policy.read")
        view = policy_view(policy)
        # the steps its status allows (policies/lifecycle.py): the pages offer only these
        view["allowed_actions"] = [a.value for a in allowed(policy.status)]
        if policy.status != Status.BOUND:
            view["earned_premium"] = _earned_now(policy, db.clock())
        view["transactions"] = [
            transaction_view(t)
            for t in session.execute(
                select(PolicyTransaction)
                .where(PolicyTransaction.policy_id == policy.id)
                .order_by(PolicyTransaction.id)
            ).scalars()
        ]
        view["invoices"] = [
            invoice_view(i)
            for i in session.execute(
                select(Invoice).where(Invoice.policy_id == policy.id).order_by(Invoice.id)
            ).scalars()
        ]
        view["agencies"] = [
            {
                "agency_id": a.agency_id,
                "tasks": a.tasks,
                "share_percent": a.share_bp / 100,
                "commission_percent": a.commission_rate_bp / 100,
            }
            for a in session.execute(
                select(PolicyAgency).where(PolicyAgency.policy_id == policy.id)
            ).scalars()
        ]
        return shape(actor, "policy", view)


def effective_moment(policy: Policy, day: date, field: str = "effective_date") -> datetime:
    moment = _jst_midnight(day)
    if not policy.period_start <= moment < policy.period_end:
        raise InputError(
            [
                Problem(
                    field, "outside_period", "保険期間外の日付です", "is outside the policy period"
                )
            ]
        )
    return moment


def cancel_policy(
    db: Database, actor: Actor, policy_id: int, *, effective_date: date, by: str, reason: str
) -> dict[str, Any]:
    """Cancel from 00:00 JST on ``effective_date``. The premium earned is pro rata or short
    rate as the product says for who asked; only premium received goes back: the open
    instalments are cancelled, and what was received is squared with what was earned by
    a refund or a shortfall billed (policies/premium.py ``cancellation_money``,
    docs/policies.md). The transaction's ``changes`` keep what it did."""
    if by not in ("insured", "insurer"):
        raise InputError(
            [
                Problem(
                    "by",
                    "unknown",
                    "insured か insurer を指定してください",
                    "must be insured or insurer",
                )
            ]
        )
    with db.unit_of_work() as uow:
        policy = load_policy(uow.session, actor, policy_id, "policy.change")
        require(policy.status, Action.CANCEL)
        rules = _product_of(policy).policy
        moment = effective_moment(policy, effective_date)
        before = policy_view(policy)
        method = rules.cancellation_by_insured if by == "insured" else rules.cancellation_by_insurer
        invoices = _policy_invoices(uow.session, policy.id)
        money = cancellation_money(
            rules,
            written=policy.written_premium,
            invoices=[_invoice_money(i) for i in invoices],
            elapsed_days=days_between(policy.period_start, moment),
            period_days=days_between(policy.period_start, policy.period_end),
            method=method,
        )
        policy.status = next_status(policy.status, Action.CANCEL)
        policy.cancelled_at = moment
        policy.written_premium = money.earned
        tx = PolicyTransaction(
            policy_id=policy.id,
            kind="cancellation",
            status="applied",
            effective_at=moment,
            changes={"by": by, "reason": reason, **money.as_changes()},
            premium_delta=-money.return_premium,
            factors=[],
            created_by=actor.user_id,
            created_at=uow.now,
        )
        uow.session.add(tx)
        uow.session.flush()
        cancelled = _cancel_open_invoices(uow, invoices, money.cancelled, tx)
        # the refund or the shortfall falls due on the cancellation date, or today if later
        due = max(effective_date, jst_date(uow.now))
        if money.refund:
            bill(uow, policy, tx, -money.refund, due, 1)
        if money.shortfall:
            bill(uow, policy, tx, money.shortfall, due, 1)
        uow.session.flush()
        uow.audit(
            actor.user_id,
            "policy.cancel",
            ("policy", policy.id),
            before=before,
            after={**policy_view(policy), "cancellation": tx.changes},
        )
        return {
            **policy_view(policy),
            "method": method,
            "earned_premium": money.earned,
            "return_premium": money.return_premium,
            "received": money.received,
            "refund": money.refund,
            "shortfall": money.shortfall,
            "cancelled_instalments": cancelled,
            "invoices": [invoice_view(i) for i in _policy_invoices(uow.session, policy.id)],
        }


def reinstate_policy(db: Database, actor: Actor, policy_id: int, *, reason: str) -> dict[str, Any]:
    """Put a cancelled or lapsed policy back in force within the product's window.

    A cancelled policy is charged again exactly the premium its cancellation returned (the
    cancellation transaction's refund), so the written premium is what it was before. It
    is not the annual premium less the written premium: after a mid-term endorsement the
    annual premium is the new terms' full-year rate, and that difference would charge
    the endorsement's days at the new rate twice. A lapsed policy's unpaid instalments
    stay billed as they were: nothing is charged."""
    with db.unit_of_work() as uow:
        policy = load_policy(uow.session, actor, policy_id, "policy.change")
        require(policy.status, Action.REINSTATE)
        if policy.cancelled_at is None:  # an end is recorded with every cancel and lapse
            raise ConflictError(
                "not_cancelled", f"この契約は{policy.status}です", f"the policy is {policy.status}"
            )
        rules = _product_of(policy).policy
        if uow.now > policy.cancelled_at + timedelta(days=rules.reinstatement_days):
            raise ConflictError(
                "reinstatement_window_passed",
                f"解約・失効から{rules.reinstatement_days}日を過ぎています",
                f"more than {rules.reinstatement_days} days since the policy ended",
            )
        before = policy_view(policy)
        charge = 0
        if policy.status == Status.CANCELLED:
            cancellation = uow.session.execute(
                select(PolicyTransaction)
                .where(
                    PolicyTransaction.policy_id == policy.id,
                    PolicyTransaction.kind == "cancellation",
                )
                .order_by(PolicyTransaction.id.desc())
                .limit(1)
            ).scalar_one()
            charge = -cancellation.premium_delta
        policy.status = next_status(policy.status, Action.REINSTATE)
        policy.written_premium += charge
        policy.cancelled_at = None
        tx = PolicyTransaction(
            policy_id=policy.id,
            kind="reinstatement",
            status="applied",
            effective_at=uow.now,
            changes={"reason": reason},
            premium_delta=charge,
            factors=[],
            created_by=actor.user_id,
            created_at=uow.now,
        )
        uow.session.add(tx)
        uow.session.flush()
        if charge:
            bill(uow, policy, tx, charge, jst_date(uow.now), 1)
        uow.audit(
            actor.user_id,
            "policy.reinstate",
            ("policy", policy.id),
            before=before,
            after=policy_view(policy),
        )
        return policy_view(policy)


def list_policies(db: Database, actor: Actor) -> list[dict[str, Any]]:
    authorize(actor, "policy.read")
    with db.sessions() as session:
        query = select(Policy).where(reach_filter(actor, Policy)).order_by(Policy.id)
        return shape_all(
            actor, "policy", [policy_view(p) for p in session.execute(query).scalars()]
        )


def policy_terms(policy: Policy, *, deductibles: bool = True) -> PolicyTerms:
    """The terms engine's view of a stored policy (its product version, its options);
    ``deductibles=False`` for checking what remains of the limits alone."""
    return terms_of_version(policy, policy.terms, deductibles=deductibles)


# -- premium money (issue #17, rule 8): the cancellation's invoices, the earned premium --


def _policy_invoices(session: Session, policy_id: int) -> list[Invoice]:
    return list(
        session.execute(
            select(Invoice).where(Invoice.policy_id == policy_id).order_by(Invoice.id)
        ).scalars()
    )


def _invoice_money(invoice: Invoice) -> InvoiceMoney:
    return InvoiceMoney(
        invoice.id, invoice.amount, invoice.paid_amount, invoice.cancelled_at is not None
    )


def _cancel_open_invoices(
    uow: UnitOfWork, invoices: list[Invoice], ids: tuple[int, ...], tx: PolicyTransaction
) -> list[dict[str, Any]]:
    """Cancel the open invoices ``ids`` (neither due nor lapsing from now); their views."""
    cancelled = []
    for invoice in invoices:
        if invoice.id in ids:
            invoice.cancelled_at = uow.now
            invoice.cancelled_by_transaction_id = tx.id
            cancelled.append(invoice_view(invoice))
    return cancelled


def _earned_now(policy: Policy, at: datetime) -> int:
    """Premium earned by ``at`` (policies/premium.py ``earned_at``): a cancelled policy
    earns what its cancellation kept, never 0."""
    return earned_at(
        policy.written_premium,
        policy.period_start,
        policy.period_end,
        policy.cancelled_at,
        at,
        cancelled=policy.status == Status.CANCELLED,
    )
