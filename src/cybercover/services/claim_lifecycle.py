"""A claim's lifecycle (issue #17, rule 7): close, deny (with its letter), reopen; the
status history; the claim's money events in order; the claims list by status, policy
and handler.

The statuses and their transitions are the domain's (``claims/lifecycle.py``); each use
case here loads the claim through the scoping layer, locks its policy row (where every
change of a claim's money queues: ``services/claims.py``), asks the domain whether the
event is allowed, writes one ``claim_status_history`` row and its audit row in the same
unit of work.

Payments move the status too, but they are made in ``services/claims.py``: after a
payment is released or reversed it calls :func:`record_money_event` in its own unit of
work, and :func:`ensure_open_for_money` before it adds an item or moves money. This
module imports ``services/claims.py`` only inside a function, so that one may import
this one at its top.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cybercover.claims.lifecycle import (
    DENIAL_REASONS,
    EXCLUSION_PREFIX,
    Event,
    EventKind,
    Status,
    Trigger,
    accepts_money,
    allowed_events,
    denial_problems,
    transition,
)
from cybercover.documents.denial import DenialLetter, render_denial
from cybercover.documents.formats import Lang
from cybercover.documents.model import T
from cybercover.errors import ConflictError, InputError, NotFoundError, Problem
from cybercover.product.catalogue import sold_under
from cybercover.services.authz import Actor, authorize, can, person
from cybercover.services.documents import Rendered, _insured, _rendered
from cybercover.services.scope import load_claim
from cybercover.services.uow import Database, UnitOfWork
from cybercover.services.visibility import shape, shape_all, transaction_visible
from cybercover.storage.models import (
    Claim,
    ClaimAdjudication,
    ClaimPayment,
    ClaimRecovery,
    ClaimReserve,
    ClaimStatusChange,
    Company,
    Incident,
    Policy,
    User,
)

__all__ = [
    "claim_handlers",
    "claim_lifecycle",
    "claim_transactions",
    "close_claim",
    "denial_letter_pdf",
    "deny_claim",
    "ensure_open_for_money",
    "record_money_event",
    "reopen_claim",
]

_STATUS_JA = {
    "open": "受付中",
    "partly_paid": "一部支払済",
    "paid": "支払済",
    "closed": "終了",
    "denied": "不払決定",
    "reopened": "再開",
}


def ensure_open_for_money(claim: Claim) -> None:
    """Refuse a loss item, a payment or a reversal on a claim that is closed or denied
    (``ConflictError`` ``claim_not_open``, naming the status): reopen it first."""
    if not accepts_money(claim.status):
        ja = _STATUS_JA.get(claim.status, claim.status)
        raise ConflictError(
            "claim_not_open",
            f"この請求は{ja}です。損害項目の追加や支払の前に再開してください",
            f"the claim is {claim.status}: reopen it before adding items or moving money",
        )


# -- the facts an event depends on ----------------------------------------------------


def _lock(session: Session, claim: Claim) -> Claim:
    """Lock the claim's policy row (where payments queue) and read the claim again, as
    the change before this one left it."""
    session.execute(select(Policy.id).where(Policy.id == claim.policy_id).with_for_update())
    return session.execute(
        select(Claim)
        .where(Claim.id == claim.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def _payments(session: Session, claim_id: int) -> list[ClaimPayment]:
    return list(
        session.execute(
            select(ClaimPayment).where(ClaimPayment.claim_id == claim_id).order_by(ClaimPayment.id)
        ).scalars()
    )


def _money_facts(session: Session, claim: Claim) -> tuple[bool, bool, bool]:
    """(paid, pending, outstanding): money is paid on the claim and not reversed; a
    payment waits for approval; something is still due — payable on the claim's last
    worksheet and not paid, or waiting for approval."""
    paid_by_part: dict[str, int] = {}
    pending = False
    for p in _payments(session, claim.id):
        if p.status == "paid":
            for part, amount in p.by_part.items():
                paid_by_part[part] = paid_by_part.get(part, 0) + amount
        elif p.status == "pending_approval":
            pending = True
    payable: dict[str, int] = (
        session.execute(
            select(ClaimAdjudication.payable)
            .where(ClaimAdjudication.claim_id == claim.id)
            .order_by(ClaimAdjudication.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        or {}
    )
    due = any(amount > paid_by_part.get(part, 0) for part, amount in payable.items())
    return any(paid_by_part.values()), pending, due or pending


def _record(
    uow: UnitOfWork,
    actor: Actor,
    claim: Claim,
    event: Event,
    *,
    reason: str = "",
    grounds: dict[str, str] | None = None,
    internal_note: str = "",
) -> Status:
    """Move ``claim`` by ``event`` (the domain refuses what is not allowed) and keep the
    change: one history row and its audit row, in the caller's unit of work."""
    before = claim.status
    after = transition(before, event)
    claim.status = after.value
    row = ClaimStatusChange(
        claim_id=claim.id,
        at=uow.now,
        by=person(actor),
        event=event.kind.value,
        from_status=before,
        to_status=after.value,
        reason=reason,
        internal_note=internal_note,
        **(grounds or {}),
    )
    uow.session.add(row)
    uow.audit(
        person(actor),
        f"claim.{event.kind.value}",
        ("claim", claim.id),
        before={"status": before},
        after={"status": after.value, "reason": reason, **(grounds or {})}
        | ({"internal_note": internal_note} if internal_note else {}),
    )
    return after


def record_money_event(
    uow: UnitOfWork,
    actor: Actor,
    claim: Claim,
    kind: EventKind | str,
    *,
    outstanding: bool | None = None,
) -> Status:
    """For ``services/claims.py``: after a payment is released (``payment``) or reversed
    (``payment_reversed``), in the same unit of work, move the claim's status and keep
    the change when it changes. ``outstanding``: whether something is still due after
    the payment (default: worked out from the claim's last worksheet and its payments).
    A payment requested and waiting for approval is not an event yet."""
    event_kind = EventKind(kind)
    if event_kind not in (EventKind.PAYMENT, EventKind.PAYMENT_REVERSED):
        raise ValueError(f"{event_kind} is a handler's decision, not a money event")
    uow.session.flush()
    paid, _, due = _money_facts(uow.session, claim)
    event = (
        Event.payment(outstanding=due if outstanding is None else outstanding)
        if event_kind is EventKind.PAYMENT
        else Event.payment_reversed(paid=paid)
    )
    after = transition(claim.status, event)
    if after.value == claim.status:
        return after
    return _record(uow, actor, claim, event)


# -- the handler's decisions ------------------------------------------------------------


def _reason(reason: str, field: str = "reason") -> str:
    if not reason.strip():
        raise InputError([Problem(field, "required", "理由を入力してください", "give the reason")])
    return reason.strip()[:500]


def close_claim(db: Database, actor: Actor, claim_id: int, *, reason: str) -> dict[str, Any]:
    """Close the claim, with a reason (all paid, nothing due, withdrawn): it takes no more
    items or payments until it is reopened."""
    with db.unit_of_work() as uow:
        claim = _lock(uow.session, load_claim(uow.session, actor, claim_id, "claim.manage"))
        why = _reason(reason)
        _, pending, _ = _money_facts(uow.session, claim)
        _record(uow, actor, claim, Event.close(pending=pending), reason=why)
        return _lifecycle_view(uow.session, actor, claim)


def deny_claim(
    db: Database,
    actor: Actor,
    claim_id: int,
    *,
    reason_code: str,
    clause: str,
    reason_ja: str,
    reason_en: str,
    internal_note: str = "",
) -> dict[str, Any]:
    """Deny the claim: a reason code (``excluded:<exclusion>`` for an exclusion of the
    product), the clause of the wording it rests on, the reason in Japanese and English
    (all shown to the insured and on the denial letter), and an internal note for the
    insurer's staff only. Only while nothing is paid on the claim."""
    with db.unit_of_work() as uow:
        claim = _lock(uow.session, load_claim(uow.session, actor, claim_id, "claim.manage"))
        policy = uow.session.get(Policy, claim.policy_id)  # reached with its claim
        assert policy is not None
        product = sold_under(policy)
        problems = denial_problems(
            reason_code,
            clause,
            reason_ja,
            reason_en,
            exclusions=[e.code for e in product.exclusions],
        )
        if problems:
            raise InputError(problems)
        paid, pending, _ = _money_facts(uow.session, claim)
        grounds = {
            "reason_code": reason_code,
            "clause": clause.strip()[:200],
            "reason_ja": reason_ja.strip()[:1000],
            "reason_en": reason_en.strip()[:1000],
        }
        _record(
            uow,
            actor,
            claim,
            Event.deny(paid=paid, pending=pending),
            reason=grounds["reason_ja"][:500],
            grounds=grounds,
            internal_note=internal_note.strip()[:1000],
        )
        return _lifecycle_view(uow.session, actor, claim)


def reopen_claim(db: Database, actor: Actor, claim_id: int, *, reason: str) -> dict[str, Any]:
    """Reopen a closed or denied claim, with a reason (a new invoice, a reconsidered
    denial): it takes items and payments again, as an open claim does."""
    with db.unit_of_work() as uow:
        claim = _lock(uow.session, load_claim(uow.session, actor, claim_id, "claim.manage"))
        why = _reason(reason)
        _record(uow, actor, claim, Event.reopen(), reason=why)
        return _lifecycle_view(uow.session, actor, claim)


# -- reads -----------------------------------------------------------------------------


def _history(session: Session, claim_id: int) -> list[ClaimStatusChange]:
    return list(
        session.execute(
            select(ClaimStatusChange)
            .where(ClaimStatusChange.claim_id == claim_id)
            .order_by(ClaimStatusChange.at, ClaimStatusChange.id)
        ).scalars()
    )


def _change_view(row: ClaimStatusChange) -> dict[str, Any]:
    return {
        "at": row.at.isoformat(),
        "event": row.event,
        "from_status": row.from_status,
        "to_status": row.to_status,
        "reason": row.reason,
        "reason_code": row.reason_code,
        "clause": row.clause,
        "reason_ja": row.reason_ja,
        "reason_en": row.reason_en,
        "internal_note": row.internal_note,
        "by": row.by,
    }


def _denial_reasons(session: Session, claim: Claim) -> list[dict[str, str]]:
    """The reason codes a denial of this claim may give: the general ones, and each
    exclusion of the product version its policy was sold under."""
    policy = session.get(Policy, claim.policy_id)  # reached with its claim
    assert policy is not None
    product = sold_under(policy)
    return [{"code": code, "ja": ja, "en": en} for code, (ja, en) in DENIAL_REASONS.items()] + [
        {"code": f"{EXCLUSION_PREFIX}{e.code}", "ja": e.label.ja, "en": e.label.en}
        for e in product.exclusions
    ]


def _lifecycle_view(session: Session, actor: Actor, claim: Claim) -> dict[str, Any]:
    """The claim's status, the handler's events allowed now (none for a reader who may
    not manage claims) and its status history, oldest first."""
    offered: tuple[EventKind, ...] = ()
    if can(actor, "claim.manage"):
        paid, pending, _ = _money_facts(session, claim)
        offered = allowed_events(claim.status, trigger=Trigger.HANDLER, paid=paid, pending=pending)
    view = {
        "id": claim.id,
        "number": claim.number,
        "status": claim.status,
        "allowed_events": [e.value for e in offered],
        "denial_reasons": _denial_reasons(session, claim) if EventKind.DENY in offered else [],
        "history": [_change_view(r) for r in _history(session, claim.id)],
    }
    return shape(actor, "claim_lifecycle", view)


def claim_lifecycle(db: Database, actor: Actor, claim_id: int) -> dict[str, Any]:
    """The claim's status, the events the actor may trigger now, and its history (the
    claim page's lifecycle block)."""
    with db.sessions() as session:
        claim = load_claim(session, actor, claim_id, "claim.read")
        return _lifecycle_view(session, actor, claim)


def claim_transactions(db: Database, actor: Actor, claim_id: int) -> list[dict[str, Any]]:
    """The claim's money events and status changes in the order they happened: each
    payment requested, released and undone (voided, rejected, reversed), each reserve
    set, each recovery, each change of status. Reserves (and every reason behind them)
    are the money staff's; internal notes and who did what are the staff's
    (services/visibility.py)."""
    with db.sessions() as session:
        claim = load_claim(session, actor, claim_id, "claim.read")
        rows: list[tuple[datetime, int, int, dict[str, Any]]] = []

        def add(at: datetime, rank: int, ident: int, view: dict[str, Any]) -> None:
            rows.append((at, rank, ident, {"at": at.isoformat(), **view}))

        for p in _payments(session, claim.id):
            money = {
                "payment_id": p.id,
                "amount": p.amount,
                "coverage": p.coverage,
                "head": p.head,
                "status": p.status,
            }
            add(
                p.requested_at,
                1,
                p.id,
                {"kind": "payment_requested", **money, "by": p.requested_by},
            )
            if p.paid_at is not None:
                by = p.approved_by or p.requested_by
                add(p.paid_at, 2, p.id, {"kind": "payment_paid", **money, "by": by})
            if p.undone_at is not None:
                add(
                    p.undone_at,
                    3,
                    p.id,
                    {
                        "kind": f"payment_{p.status}",
                        **money,
                        "internal_note": p.undo_reason or "",
                        "by": p.undone_by,
                    },
                )
        for r in session.execute(
            select(ClaimReserve).where(ClaimReserve.claim_id == claim.id).order_by(ClaimReserve.id)
        ).scalars():
            add(
                r.at,
                0,
                r.id,
                {
                    "kind": "reserve",
                    "coverage": r.coverage,
                    "amount": r.amount,
                    "internal_note": r.reason,
                    "by": r.by,
                },
            )
        for c in session.execute(
            select(ClaimRecovery)
            .where(ClaimRecovery.claim_id == claim.id)
            .order_by(ClaimRecovery.id)
        ).scalars():
            add(
                c.at,
                4,
                c.id,
                {
                    "kind": "recovery",
                    "amount": c.amount,
                    "from_party": c.from_party,
                    "internal_note": c.note,
                    "by": c.by,
                },
            )
        for h in _history(session, claim.id):
            add(h.at, 5, h.id, {"kind": "status", **_change_view(h)})
        rows.sort(key=lambda r: (r[0], r[1], r[2]))
        views = [v for _, _, _, v in rows if transaction_visible(actor, v["kind"])]
        return shape_all(actor, "claim_transaction", views)


def claim_handlers(db: Database, actor: Actor) -> list[dict[str, Any]]:
    """The people who opened claims (the handler filter of the claims list): id and
    name, for the claims staff only."""
    authorize(actor, "claim.manage")
    with db.sessions() as session:
        return [
            {"id": uid, "name": name}
            for uid, name in session.execute(
                select(User.id, User.display_name)
                .where(User.id.in_(select(Claim.opened_by)))
                .order_by(User.id)
            ).all()
        ]


# -- the denial letter --------------------------------------------------------------------


def denial_letter_pdf(db: Database, actor: Actor, claim_id: int, lang: Lang = "ja") -> Rendered:
    """お支払いできない旨のご通知: the addressee, the policy and claim numbers, the
    accident, the reason and the clause (and the exclusion's wording when the reason is
    one) — never a reserve or an internal note. Not found unless the claim is denied;
    whoever may read the claim may read its letter (``claim.read``: the insured, claims
    staff)."""
    with db.sessions() as session:
        claim = load_claim(session, actor, claim_id, "claim.read")
        denial = next(
            (
                h
                for h in reversed(_history(session, claim.id))
                if h.to_status == Status.DENIED.value
            ),
            None,
        )
        if claim.status != Status.DENIED.value or denial is None:
            raise NotFoundError("denial letter", claim_id)
        policy = session.get(Policy, claim.policy_id)  # reached with its claim
        company = session.get(Company, policy.company_id) if policy else None
        assert policy is not None and company is not None
        product = sold_under(policy)
        incident = session.get(Incident, claim.incident_id) if claim.incident_id else None
        code = denial.reason_code or "other"
        exclusion = None
        if code.startswith(EXCLUSION_PREFIX):
            wanted = code.removeprefix(EXCLUSION_PREFIX)
            exclusion = next(
                (T(e.label.ja, e.label.en) for e in product.exclusions if e.code == wanted), None
            )
        heading = DENIAL_REASONS.get(
            code if not code.startswith(EXCLUSION_PREFIX) else "excluded", DENIAL_REASONS["other"]
        )
        doc = DenialLetter(
            claim_number=claim.number,
            policy_number=policy.number or "",
            issued_at=db.clock(),
            denied_at=denial.at,
            insurer=T(product.product.insurer.ja, product.product.insurer.en),
            company=_insured(company),
            accident_at=claim.accident_at,
            accident=incident.summary if incident is not None else "",
            reason_heading=T(*heading),
            reason=T(denial.reason_ja or "", denial.reason_en or denial.reason_ja or ""),
            clause=denial.clause or "",
            exclusion=exclusion,
        )
    return _rendered(
        render_denial(doc, lang),
        f"保険金をお支払いできない旨のご通知_{doc.claim_number}",
        f"denial-{doc.claim_number}",
        lang,
    )
