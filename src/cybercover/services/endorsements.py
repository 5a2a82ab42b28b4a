"""Mid-term changes (異動): quote an endorsement, then apply it.

The new terms are re-rated exactly as new business (services.pricing); the additional
(or returned) premium is the change in annual premium pro rata for the days left, floored
to the yen. A quoted endorsement is applied only while the policy still has the terms it
was quoted on; otherwise it must be quoted again.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from cybercover.errors import ConflictError, NotFoundError
from cybercover.policies.premium import days_between, pro_rata
from cybercover.product import find_product
from cybercover.services.authz import Actor
from cybercover.services.policies import bill, effective_moment, jst_date
from cybercover.services.pricing import parse_options, price_option
from cybercover.services.scope import load, load_policy
from cybercover.services.snapshots import policy_view, transaction_view
from cybercover.services.uow import Database
from cybercover.storage.models import Company, Policy, PolicyTransaction, Submission
from cybercover.underwriting import isms_valid, parse_isms

__all__ = ["apply_endorsement", "quote_endorsement"]


def quote_endorsement(
    db: Database, actor: Actor, policy_id: int, *, effective_date: date, option: dict[str, Any]
) -> dict[str, Any]:
    (parsed,) = parse_options([option], path="option")
    with db.unit_of_work() as uow:
        session = uow.session
        policy = load_policy(session, actor, policy_id, "policy.change")
        if policy.status != "in_force":
            raise ConflictError(
                "not_in_force", f"この契約は{policy.status}です", f"the policy is {policy.status}"
            )
        moment = effective_moment(policy, effective_date)
        product = find_product(policy.product_code, policy.product_version)
        company = session.get(Company, policy.company_id)
        submission = session.get(Submission, policy.submission_id)
        assert company is not None and submission is not None
        isms = parse_isms(product, submission.isms)
        priced = price_option(
            product,
            company,
            parsed,
            start=jst_date(policy.period_start),
            disclosure=submission.disclosure,
            isms=isms,
            isms_counts=isms_valid(isms, jst_date(policy.period_start)),
            path=("option",),
        )
        period_days = days_between(policy.period_start, policy.period_end)
        remaining_days = days_between(moment, policy.period_end)
        delta_annual = priced.premium.premium - policy.annual_premium
        sign = 1 if delta_annual >= 0 else -1
        delta = sign * pro_rata(abs(delta_annual), remaining_days, period_days)
        tx = PolicyTransaction(
            policy_id=policy.id,
            kind="endorsement",
            status="quoted",
            effective_at=moment,
            changes={
                "terms_before": policy.terms,
                "terms_after": parsed.stored(),
                "annual_premium_before": policy.annual_premium,
                "annual_premium_after": priced.premium.premium,
                "remaining_days": remaining_days,
                "period_days": period_days,
            },
            premium_delta=delta,
            factors=[f.as_dict() for f in priced.premium.factors],
            created_by=actor.user_id,
            created_at=uow.now,
        )
        session.add(tx)
        session.flush()
        view = transaction_view(tx)
        uow.audit(
            actor.user_id, "policy.endorsement_quote", ("policy_transaction", tx.id), after=view
        )
        return view


def apply_endorsement(db: Database, actor: Actor, transaction_id: int) -> dict[str, Any]:
    with db.unit_of_work() as uow:
        session = uow.session
        tx = load(session, actor, PolicyTransaction, transaction_id, "policy.change")
        if tx.kind != "endorsement":
            raise NotFoundError("endorsement", transaction_id)
        policy = session.get(Policy, tx.policy_id)  # reached with its transaction
        assert policy is not None
        if tx.status != "quoted":
            raise ConflictError(
                "not_quoted", f"この異動は{tx.status}です", f"the endorsement is {tx.status}"
            )
        if policy.status != "in_force" or policy.terms != tx.changes["terms_before"]:
            tx.status = "superseded"
            raise ConflictError(
                "requote",
                "契約内容が変わったため再見積が必要です",
                "the policy changed since this quote: quote the endorsement again",
            )
        before = policy_view(policy)
        policy.terms = tx.changes["terms_after"]
        policy.annual_premium = tx.changes["annual_premium_after"]
        policy.written_premium += tx.premium_delta
        tx.status = "applied"
        for other in session.execute(
            select(PolicyTransaction).where(
                PolicyTransaction.policy_id == policy.id,
                PolicyTransaction.status == "quoted",
                PolicyTransaction.id != tx.id,
            )
        ).scalars():
            other.status = "superseded"
        session.flush()
        if tx.premium_delta:
            bill(uow, policy, tx, tx.premium_delta, jst_date(tx.effective_at), 1)
        uow.audit(
            actor.user_id,
            "policy.endorse",
            ("policy", policy.id),
            before=before,
            after=policy_view(policy),
        )
        return {**policy_view(policy), "transaction": transaction_view(tx)}
