"""A policy's terms in time, read from the database: its versions, its lifecycle events,
its first premium, and the cover at a moment (the rules are in policies/cover.py).

Every path that asks "was this policy in force then, and under which terms?" — the
incident desk, the claims worksheet and payments, ``GET /policies/{id}/terms?at=`` — asks
:func:`cover_of` here.
"""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cybercover.errors import InputError, Problem
from cybercover.policies.cover import (
    Cover,
    FirstPremium,
    LifecycleEvent,
    PolicyHistory,
    TermsVersion,
    cover_at,
    in_force_spans,
)
from cybercover.product.catalogue import sold_under
from cybercover.services.authz import Actor
from cybercover.services.scope import load_policy
from cybercover.services.uow import Database
from cybercover.storage.models import Invoice, Policy, PolicyTermsVersion, PolicyTransaction
from cybercover.terms import PolicyTerms, build_policy_terms

__all__ = [
    "add_terms_version",
    "cover_of",
    "cover_view",
    "first_instalment",
    "first_premium",
    "policy_history",
    "require_aware",
    "terms_at",
    "terms_history",
    "terms_of_version",
]


def add_terms_version(
    session: Session,
    policy: Policy,
    *,
    effective_from: datetime,
    terms: dict[str, Any],
    annual_premium: int,
    transaction_id: int | None,
    now: datetime,
) -> PolicyTermsVersion:
    """Record the next version of ``policy``'s terms from ``effective_from`` (bind/issue
    makes version 1, each applied endorsement the next)."""
    last = session.execute(
        select(PolicyTermsVersion)
        .where(PolicyTermsVersion.policy_id == policy.id)
        .order_by(PolicyTermsVersion.number.desc())
        .limit(1)
    ).scalar_one_or_none()
    row = PolicyTermsVersion(
        policy_id=policy.id,
        number=(last.number + 1) if last is not None else 1,
        effective_from=effective_from,
        terms=terms,
        annual_premium=annual_premium,
        transaction_id=transaction_id,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def latest_version_start(session: Session, policy_id: int) -> datetime | None:
    return session.execute(
        select(PolicyTermsVersion.effective_from)
        .where(PolicyTermsVersion.policy_id == policy_id)
        .order_by(PolicyTermsVersion.number.desc())
        .limit(1)
    ).scalar_one_or_none()


def policy_history(session: Session, policy: Policy) -> PolicyHistory:
    versions = tuple(
        TermsVersion(v.number, v.effective_from, v.terms, v.annual_premium)
        for v in session.execute(
            select(PolicyTermsVersion)
            .where(PolicyTermsVersion.policy_id == policy.id)
            .order_by(PolicyTermsVersion.number)
        ).scalars()
    )
    events: list[LifecycleEvent] = []
    ended_by = ""
    for tx in session.execute(
        select(PolicyTransaction)
        .where(
            PolicyTransaction.policy_id == policy.id,
            PolicyTransaction.status == "applied",
            PolicyTransaction.kind.in_(("cancellation", "lapse", "reinstatement")),
        )
        .order_by(PolicyTransaction.id)
    ).scalars():
        if tx.kind == "reinstatement":
            events.append(LifecycleEvent("reinstatement", tx.effective_at, after=ended_by))
        else:
            ended_by = tx.kind
            events.append(LifecycleEvent(tx.kind, tx.effective_at))  # type: ignore[arg-type]
    return PolicyHistory(
        policy.period_start,
        policy.period_end,
        versions,
        tuple(events),
        issued=policy.number is not None and bool(versions),
    )


def first_instalment(session: Session, policy: Policy) -> Invoice | None:
    """The policy's first premium instalment: the one whose receipt decides cover."""
    return (
        session.execute(
            select(Invoice)
            .where(Invoice.policy_id == policy.id, Invoice.amount > 0)
            .order_by(Invoice.due_date, Invoice.id)
        )
        .scalars()
        .first()
    )


def first_premium(session: Session, policy: Policy) -> FirstPremium | None:
    first = first_instalment(session, policy)
    if first is None:
        return None
    return FirstPremium(first.due_date, first.paid_at)


def cover_of(session: Session, policy: Policy, at: datetime, now: datetime) -> Cover:
    """In force at ``at``, under which version, and the premium condition judged at
    ``now`` (rules: policies/cover.py)."""
    rules = sold_under(policy).policy
    return cover_at(
        policy_history(session, policy),
        at,
        first_premium(session, policy),
        grace_days=rules.grace_period_days,
        cover_before_premium_received=rules.cover_before_premium_received,
        now=now,
    )


def terms_of_version(
    policy: Policy, terms: dict[str, Any], *, deductibles: bool = True
) -> PolicyTerms:
    """The terms engine's view of one version of ``policy``'s terms."""
    product = sold_under(policy)
    wp = terms.get("waiting_period") or {}
    return build_policy_terms(
        product,
        start=policy.period_start,
        limits=terms["limits"],
        deductibles=(terms.get("deductibles") or {}) if deductibles else {},
        options={"business_interruption": bool(terms.get("business_interruption"))},
        waiting_hours=Fraction(wp["hours"]) if wp.get("hours") else None,
        waiting_mode=wp.get("mode"),
    )


REASONS: dict[str, tuple[str, str]] = {
    "covered": ("補償対象期間内です", "in force"),
    "premium_held": (
        "初回保険料の払込期日前の事故です。保険料の領収まで保険金の支払を保留します",
        "before the first premium fell due: payment is held until the premium is received",
    ),
    "premium_refused": (
        "保険料領収前の事故です（払込期日経過後の未払い、または猶予期間を経過）",
        "the premium was not received (due and unpaid at the accident, or overdue past grace)",
    ),
    "not_started": ("保険期間の開始前です", "before the policy period"),
    "ended": ("保険期間外、または解約・失効後です", "after the policy ended"),
    "lapse_gap": (
        "失効から復活までの間で、補償されません",
        "in the gap between a lapse and the reinstatement: not in force",
    ),
    "not_issued": ("証券が発行されていません", "the policy has not been issued"),
}


def cover_view(cover: Cover) -> dict[str, Any]:
    ja, en = REASONS[cover.reason]
    version = cover.version
    return {
        "at": cover.at.isoformat(),
        "in_force": cover.in_force,
        "covered": cover.covered,
        "premium": cover.premium,
        "reason": cover.reason,
        "message": {"ja": ja, "en": en},
        "version": (
            {
                "number": version.number,
                "effective_from": version.effective_from.isoformat(),
                "terms": version.terms,
                "annual_premium": version.annual_premium,
            }
            if version is not None
            else None
        ),
    }


def terms_at(db: Database, actor: Actor, policy_id: int, at: datetime) -> dict[str, Any]:
    """The terms version in force at ``at`` and the cover then (``GET
    /policies/{id}/terms?at=``)."""
    require_aware(at)
    with db.sessions() as session:
        policy = load_policy(session, actor, policy_id, "policy.read")
        return {"policy_id": policy.id, **cover_view(cover_of(session, policy, at, db.clock()))}


def require_aware(at: datetime, field: str = "at") -> None:
    """A moment the caller names must carry its UTC offset (422 naming ``field``)."""
    if at.tzinfo is None:
        raise InputError(
            [
                Problem(
                    field,
                    "timezone_aware",
                    "時差付きの日時で指定してください",
                    "must carry a UTC offset",
                )
            ]
        )


def terms_history(db: Database, actor: Actor, policy_id: int) -> dict[str, Any]:
    """Every terms version of the policy and the spans it was in force."""
    with db.sessions() as session:
        policy = load_policy(session, actor, policy_id, "policy.read")
        history = policy_history(session, policy)
        versions = list(history.versions)
        return {
            "policy_id": policy.id,
            "versions": [
                {
                    "number": v.number,
                    "effective_from": v.effective_from.isoformat(),
                    "effective_to": (
                        versions[i + 1].effective_from if i + 1 < len(versions) else history.end
                    ).isoformat(),
                    "terms": v.terms,
                    "annual_premium": v.annual_premium,
                }
                for i, v in enumerate(versions)
            ],
            "in_force": [
                {"from": a.isoformat(), "to": b.isoformat()} for a, b in in_force_spans(history)
            ],
        }
