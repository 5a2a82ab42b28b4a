"""Hand-over to the emergency support service and its partners (PRODUCT.md §6).

For an insured incident the desk hands over and dispatches partners by service. A
partner sees only the dispatches sent to it: it accepts or declines, logs work, sends
estimates and invoices (with consumption tax and its qualified-invoice registration
number). Before the desk approves one, it is checked against what remains of the
policy's response-cost and aggregate limits **through the terms engine**; approved costs
are the partner costs of the claim (issue #5). Service clocks time each step.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cybercover.errors import ConflictError, InputError, NotFoundError, Problem
from cybercover.services.authz import Actor, authorize, person
from cybercover.services.catalogue import incident_product
from cybercover.services.claims import policy_ledger
from cybercover.services.incidents import add_event
from cybercover.services.notifications import enqueue_mail, enqueue_webhook
from cybercover.services.partners import NATIONWIDE, check_registration_number
from cybercover.services.scope import load, load_incident, reach_filter, reference
from cybercover.services.terms_versions import REASONS, cover_of, terms_of_version
from cybercover.services.uow import Database
from cybercover.services.visibility import shape
from cybercover.storage.models import (
    Company,
    CostDocument,
    Dispatch,
    Incident,
    IncidentEvent,
    Organisation,
    PartnerProfile,
    Policy,
    User,
)
from cybercover.terms import Accident, LossLine, adjudicate

__all__ = [
    "ServiceTargets",
    "decide_cost",
    "desk_queue",
    "dispatch_partner",
    "dispatchable_services",
    "escalate_late",
    "hand_over",
    "list_dispatches",
    "log_work",
    "respond_dispatch",
    "submit_cost",
]

PAID_FROM = "response_costs"  # PRODUCT.md §6, our reading: the partners' costs are part ②


class ServiceTargets:
    """Desk service targets (ours; settings): first response, partner acceptance,
    estimate approval."""

    def __init__(
        self, first_response: timedelta, acceptance: timedelta, approval: timedelta
    ) -> None:
        self.first_response = first_response
        self.acceptance = acceptance
        self.approval = approval

    @classmethod
    def default(cls) -> ServiceTargets:
        return cls(timedelta(minutes=30), timedelta(hours=1), timedelta(hours=4))


def dispatch_view(d: Dispatch, partner: Organisation | None = None) -> dict[str, Any]:
    return {
        "id": d.id,
        "incident_id": d.incident_id,
        "partner_id": d.partner_id,
        "partner": partner.name if partner else None,
        "service": d.service,
        "status": d.status,
        "requested_at": d.requested_at.isoformat(),
        "responded_at": d.responded_at.isoformat() if d.responded_at else None,
        "decline_reason": d.decline_reason,
        "work_log": d.work_log,
    }


def cost_view(c: CostDocument) -> dict[str, Any]:
    return {
        "id": c.id,
        "dispatch_id": c.dispatch_id,
        "kind": c.kind,
        "description": c.description,
        "amount_ex_tax": c.amount_ex_tax,
        "tax_rate_percent": c.tax_rate_percent,
        "tax": c.tax,
        "total": c.total,
        "registration_number": c.registration_number,
        "status": c.status,
        "submitted_at": c.submitted_at.isoformat(),
        "decision": c.decision,
    }


def hand_over(db: Database, actor: Actor, incident_id: int) -> dict[str, Any]:
    """Pass an insured's incident to the emergency support service, one stop."""
    with db.unit_of_work() as uow:
        incident = load_incident(uow.session, actor, incident_id, "incident.manage")
        if not incident.insured or incident.policy_id is None:
            raise ConflictError(
                "not_insured",
                "保険契約のない事案は緊急時サポートに引き継げません（初動アドバイスのみ）",
                "only an insured's incident is handed over (others get first advice only)",
            )
        if incident.handed_over_at is not None:
            raise ConflictError("already_handed_over", "引継ぎ済みです", "already handed over")
        incident.handed_over_at = uow.now
        incident.status = "handed_over"
        incident.first_response_at = incident.first_response_at or uow.now
        add_event(uow, incident, actor, "handed_over")
        uow.audit(actor.user_id, "incident.hand_over", ("incident", incident.id))
        return {"id": incident.id, "status": incident.status, "handed_over_at": uow.now.isoformat()}


def dispatchable_services(db: Database, actor: Actor, incident_id: int) -> tuple[Any, ...]:
    """The emergency services the desk may dispatch on the incident: those of the version
    its policy was sold under (the version on sale when it has none)."""
    with db.sessions() as session:
        incident = load_incident(session, actor, incident_id, "incident.manage")
        return tuple(incident_product(session, incident).emergency_support.services)


def dispatch_partner(
    db: Database, actor: Actor, incident_id: int, *, partner_id: int, service: str
) -> dict[str, Any]:
    with db.unit_of_work() as uow:
        session = uow.session
        incident = load_incident(session, actor, incident_id, "incident.manage")
        # the services of the version the incident's policy was sold under
        known = [s.code for s in incident_product(session, incident).emergency_support.services]
        if service not in known:
            raise InputError(
                [
                    Problem(
                        "service",
                        "unknown_service",
                        f"不明なサービスです（{', '.join(known)}）",
                        f"must be one of {', '.join(known)}",
                    )
                ]
            )
        if incident.handed_over_at is None:
            raise ConflictError(
                "not_handed_over", "緊急時サポートへの引継ぎ前です", "hand the incident over first"
            )
        partner = reference(session, actor, Organisation, partner_id, "partner_id")
        profile = session.get(PartnerProfile, partner.id)
        if profile is None:
            raise InputError(
                [Problem("partner_id", "not_found", "提携先がありません", "no such partner")]
            )
        if service not in profile.services:
            raise InputError(
                [
                    Problem(
                        "service",
                        "not_offered",
                        "この提携先はこのサービスを提供していません",
                        "this partner does not deliver this service",
                    )
                ]
            )
        company = session.get(Company, incident.company_id) if incident.company_id else None
        if (
            company is not None
            and NATIONWIDE not in profile.regions
            and company.prefecture not in profile.regions
        ):
            raise InputError(
                [
                    Problem(
                        "partner_id",
                        "region",
                        f"この提携先は{company.prefecture}に対応していません",
                        f"this partner does not cover {company.prefecture}",
                    )
                ]
            )
        open_same = (
            session.execute(
                select(Dispatch).where(
                    Dispatch.incident_id == incident.id,
                    Dispatch.service == service,
                    Dispatch.status.in_(("requested", "accepted")),
                )
            )
            .scalars()
            .first()
        )
        if open_same is not None:
            raise ConflictError(
                "service_dispatched",
                "このサービスは手配済みです",
                "this service is already dispatched",
            )
        dispatch = Dispatch(
            incident_id=incident.id,
            partner_id=partner.id,
            service=service,
            status="requested",
            requested_at=uow.now,
            work_log=[],
            requested_by=actor.user_id,
        )
        session.add(dispatch)
        session.flush()
        add_event(
            uow,
            incident,
            actor,
            "dispatched",
            dispatch_id=dispatch.id,
            partner=partner.name,
            service=service,
        )
        view = dispatch_view(dispatch, partner)
        uow.audit(actor.user_id, "incident.dispatch", ("dispatch", dispatch.id), after=view)
        _notify_partner(uow, profile, incident, dispatch)
        return view


def _notify_partner(
    uow: Any, profile: PartnerProfile, incident: Incident, dispatch: Dispatch
) -> None:
    """Tell the partner through the outbox (sent after commit)."""
    if profile.webhook_url:
        enqueue_webhook(
            uow,
            url=profile.webhook_url,
            topic="dispatch.requested",
            payload={
                "version": 1,
                "incident": incident.number,
                "dispatch_id": dispatch.id,
                "service": dispatch.service,
                "summary": incident.summary,
            },
        )
    enqueue_mail(
        uow,
        to=profile.contact_email,
        topic="dispatch.requested",
        subject=f"【緊急時サポート】手配依頼 {incident.number} / Dispatch request",
        body=f"{incident.number}: {dispatch.service}\n{incident.summary}\n",
    )


def _load_dispatch(
    session: Session, actor: Actor, dispatch_id: int, action: str
) -> tuple[Dispatch, Incident]:
    """A partner reaches only its own dispatch, not the others of the same incident
    (services/scope.py)."""
    dispatch = load(session, actor, Dispatch, dispatch_id, action)
    incident = session.get(Incident, dispatch.incident_id)
    assert incident is not None
    return dispatch, incident


def respond_dispatch(
    db: Database, actor: Actor, dispatch_id: int, *, accept: bool, reason: str = ""
) -> dict[str, Any]:
    with db.unit_of_work() as uow:
        dispatch, incident = _load_dispatch(uow.session, actor, dispatch_id, "dispatch.respond")
        if dispatch.status != "requested":
            raise ConflictError(
                "not_requested",
                f"この手配は{dispatch.status}です",
                f"the dispatch is {dispatch.status}",
            )
        if not accept and not reason.strip():
            raise InputError(
                [
                    Problem(
                        "reason",
                        "required",
                        "辞退の理由を入力してください",
                        "give a reason to decline",
                    )
                ]
            )
        dispatch.status = "accepted" if accept else "declined"
        dispatch.responded_at = uow.now
        dispatch.decline_reason = None if accept else reason.strip()[:500]
        add_event(
            uow,
            incident,
            actor,
            f"dispatch.{dispatch.status}",
            dispatch_id=dispatch.id,
            reason=dispatch.decline_reason,
        )
        view = dispatch_view(dispatch)
        uow.audit(
            actor.user_id, f"dispatch.{dispatch.status}", ("dispatch", dispatch.id), after=view
        )
        return shape(actor, "dispatch", view)


def log_work(
    db: Database, actor: Actor, dispatch_id: int, *, note: str, hours: str = "0"
) -> dict[str, Any]:
    with db.unit_of_work() as uow:
        dispatch, incident = _load_dispatch(uow.session, actor, dispatch_id, "dispatch.respond")
        if dispatch.status != "accepted":
            raise ConflictError(
                "not_accepted",
                "受諾した手配にのみ作業記録を残せます",
                "log work on an accepted dispatch",
            )
        entry = {
            "at": uow.now.isoformat(),
            "by": actor.user_id,
            "note": note.strip()[:2000],
            "hours": str(hours),
        }
        dispatch.work_log = [*dispatch.work_log, entry]
        add_event(
            uow, incident, actor, "dispatch.work", dispatch_id=dispatch.id, note=entry["note"]
        )
        uow.audit(actor.user_id, "dispatch.work", ("dispatch", dispatch.id), after=entry)
        return shape(actor, "dispatch", dispatch_view(dispatch))


def submit_cost(
    db: Database,
    actor: Actor,
    dispatch_id: int,
    *,
    kind: str,
    description: str,
    amount_ex_tax: int,
    tax_rate_percent: int,
    registration_number: str,
) -> dict[str, Any]:
    """An estimate or invoice: consumption tax floored to the yen once per document (one
    rounding per rate per invoice, as the qualified-invoice rules allow)."""
    problems: list[Problem] = []
    if kind not in ("estimate", "invoice"):
        problems.append(
            Problem(
                "kind",
                "unknown_kind",
                "estimate か invoice を指定してください",
                "must be estimate or invoice",
            )
        )
    if isinstance(amount_ex_tax, bool) or not isinstance(amount_ex_tax, int) or amount_ex_tax <= 0:
        problems.append(
            Problem(
                "amount_ex_tax",
                "positive_yen",
                "1円以上の整数で指定してください",
                "must be a positive whole number of yen",
            )
        )
    if tax_rate_percent not in (8, 10):
        problems.append(
            Problem(
                "tax_rate_percent",
                "tax_rate",
                "消費税率は10%または8%です",
                "consumption tax is 10 % or 8 %",
            )
        )
    try:
        number = check_registration_number(registration_number)
    except InputError as exc:
        problems.extend(exc.problems)
        number = ""
    if problems:
        raise InputError(problems)
    with db.unit_of_work() as uow:
        dispatch, incident = _load_dispatch(uow.session, actor, dispatch_id, "dispatch.respond")
        if dispatch.status != "accepted":
            raise ConflictError(
                "not_accepted",
                "受諾した手配にのみ見積・請求を送れます",
                "the dispatch is not accepted",
            )
        tax = (Fraction(amount_ex_tax * tax_rate_percent, 100)).__floor__()
        doc = CostDocument(
            dispatch_id=dispatch.id,
            kind=kind,
            description=description.strip()[:500],
            amount_ex_tax=amount_ex_tax,
            tax_rate_percent=tax_rate_percent,
            tax=tax,
            total=amount_ex_tax + tax,
            registration_number=number,
            status="submitted",
            submitted_by=actor.user_id,
            submitted_at=uow.now,
            decision={},
        )
        uow.session.add(doc)
        uow.session.flush()
        add_event(uow, incident, actor, f"cost.{kind}", cost_id=doc.id, total=doc.total)
        view = cost_view(doc)
        uow.audit(actor.user_id, f"cost.{kind}", ("cost_document", doc.id), after=view)
        return shape(actor, "cost", view)


def decide_cost(
    db: Database,
    actor: Actor,
    cost_id: int,
    *,
    approve: bool,
    reason: str = "",
    incident_id: int | None = None,
) -> dict[str, Any]:
    """Approve or refuse; an approval is refused when the terms engine would not pay the
    whole amount from what remains of the response-cost and aggregate limits. A refusal
    needs its reason: the partner is told it."""
    reason = reason.strip()
    if not approve and not reason:
        raise InputError(
            [
                Problem(
                    "reason",
                    "required",
                    "不承認とする理由を入力してください",
                    "say why the document is refused",
                )
            ]
        )
    with db.unit_of_work() as uow:
        session = uow.session
        doc = load(session, actor, CostDocument, cost_id, "cost.approve")
        dispatch = session.get(Dispatch, doc.dispatch_id)  # reached with its document
        assert dispatch is not None
        incident = session.get(Incident, dispatch.incident_id)
        assert incident is not None
        if incident_id is not None and incident.id != incident_id:  # a page's parent
            raise NotFoundError("cost document", cost_id)
        if doc.status != "submitted":
            raise ConflictError(
                "decided", f"この書類は{doc.status}です", f"the document is {doc.status}"
            )
        decision: dict[str, Any] = {
            "by": actor.user_id,
            "at": uow.now.isoformat(),
            "reason": reason,
        }
        if approve:
            policy = session.get(Policy, incident.policy_id) if incident.policy_id else None
            if policy is None:
                raise ConflictError(
                    "not_insured", "保険契約のない事案です", "the incident has no policy"
                )
            check = limit_check(session, policy, incident, doc, uow.now)
            decision["limit_check"] = check
            if check["payable"] < check["amount"]:
                doc.status = "refused"
                codes = {r["code"] for r in check["reasons"]}
                decision["reason"] = "not_in_force" if "not_in_force" in codes else "limit"
            else:
                doc.status = "approved"
        else:
            doc.status = "refused"
        doc.decided_by, doc.decided_at, doc.decision = actor.user_id, uow.now, decision
        add_event(uow, incident, actor, f"cost.{doc.status}", cost_id=doc.id, total=doc.total)
        view = cost_view(doc)
        uow.audit(actor.user_id, f"cost.{doc.status}", ("cost_document", doc.id), after=view)
        return shape(actor, "cost", view)


def limit_check(
    session: Session, policy: Policy, incident: Incident, doc: CostDocument, now: datetime
) -> dict[str, Any]:
    """Would the terms engine pay what approving ``doc`` adds to the period's one ledger
    (claims/ledger.py: claim payments, payments awaiting approval, and partner costs
    committed), under the terms in force when the incident happened? An invoice replaces
    its dispatch's estimate, so it adds only what it exceeds it by."""
    cover = cover_of(session, policy, incident.occurred_at, now)
    version = cover.version
    terms = terms_of_version(  # the limits alone: the claim takes the deductible
        policy, version.terms if version is not None else policy.terms, deductibles=False
    )
    before, _ = policy_ledger(session, policy)
    after, _ = policy_ledger(session, policy, as_if_approved=(doc, incident.id))
    amount = max(after.parts.get(PAID_FROM, 0) - before.parts.get(PAID_FROM, 0), 0)
    payable, reasons, remaining = amount, [], terms.part(PAID_FROM).limit
    if not cover.covered:
        payable = 0
        ja, en = REASONS[cover.reason]
        reasons = [{"code": "not_in_force", "amount": amount, "ja": ja, "en": en}]
    elif amount:
        result = adjudicate(
            terms,
            [Accident("cost", incident.occurred_at, None, (), (LossLine(PAID_FROM, amount),))],
            ledger=before,
        )
        line = result.accidents[0].lines[0]
        payable, remaining = line.paid, result.remaining[PAID_FROM]
        reasons = [
            {"code": r.code, "amount": r.amount, "ja": r.ja, "en": r.en} for r in line.reasons
        ]
    else:
        remaining = max(terms.part(PAID_FROM).limit - before.parts.get(PAID_FROM, 0), 0)
    return {
        "amount": amount,
        "document_total": doc.total,
        "payable": payable,
        "committed_before": before.parts.get(PAID_FROM, 0),
        "remaining_after": remaining,
        "reasons": reasons,
    }


def desk_queue(
    db: Database, actor: Actor, targets: ServiceTargets | None = None
) -> list[dict[str, Any]]:
    """Open incidents with their service clocks; late ones first."""
    authorize(actor, "incident.manage")
    return _queue(db, targets)


def _queue(db: Database, targets: ServiceTargets | None) -> list[dict[str, Any]]:
    targets = targets or ServiceTargets.default()
    now = db.clock()
    rows = []
    with db.sessions() as session:
        for incident in session.execute(
            # a report linked to another incident is handled under that one
            select(Incident).where(Incident.status != "closed", Incident.linked_to_id.is_(None))
        ).scalars():
            clocks = []
            if incident.first_response_at is None:
                clocks.append(("first_response", incident.reported_at + targets.first_response))
            for d in session.execute(
                select(Dispatch).where(
                    Dispatch.incident_id == incident.id, Dispatch.status == "requested"
                )
            ).scalars():
                clocks.append((f"acceptance:{d.id}", d.requested_at + targets.acceptance))
            for c in session.execute(
                select(CostDocument)
                .join(Dispatch, Dispatch.id == CostDocument.dispatch_id)
                .where(Dispatch.incident_id == incident.id, CostDocument.status == "submitted")
            ).scalars():
                clocks.append((f"approval:{c.id}", c.submitted_at + targets.approval))
            items = [
                {
                    "clock": name,
                    "due_at": due.isoformat(),
                    "seconds_left": int((due - now).total_seconds()),
                    "late": due < now,
                }
                for name, due in clocks
            ]
            soonest = min((int((due - now).total_seconds()) for _, due in clocks), default=10**9)
            rows.append(
                {
                    "incident_id": incident.id,
                    "number": incident.number,
                    "status": incident.status,
                    "insured": incident.insured,
                    "clocks": items,
                    "late": any(i["late"] for i in items),
                    "_sort": soonest,
                }
            )
    rows.sort(key=lambda r: (not r["late"], r["_sort"]))
    for r in rows:
        del r["_sort"]
    return rows


def list_dispatches(db: Database, actor: Actor) -> list[dict[str, Any]]:
    """A partner's own dispatches (the desk sees all), each with its cost documents."""
    authorize(actor, "incident.read")
    with db.sessions() as session:
        query = select(Dispatch).where(reach_filter(actor, Dispatch)).order_by(Dispatch.id)
        out = []
        for d in session.execute(query).scalars():
            view = dispatch_view(d, session.get(Organisation, d.partner_id))
            view["costs"] = [
                cost_view(c)
                for c in session.execute(
                    select(CostDocument)
                    .where(CostDocument.dispatch_id == d.id)
                    .order_by(CostDocument.id)
                ).scalars()
            ]
            out.append(shape(actor, "dispatch", view))
        return out


def escalate_late(db: Database, actor: Actor, targets: ServiceTargets | None = None) -> list[str]:
    """Escalate every late service clock once: a timeline event and a mail to the desk's
    operators (through the outbox). Returns ``"<incident number>:<clock>"`` per escalation."""
    authorize(actor, "incident.remind")
    escalated: list[str] = []
    queue = _queue(db, targets)
    with db.unit_of_work() as uow:
        desk_emails = list(
            uow.session.execute(
                select(User.email).where(User.role == "desk_operator", User.active.is_(True))
            ).scalars()
        )
        for row in queue:
            incident = uow.session.get(Incident, row["incident_id"])
            assert incident is not None
            done = {
                e.data.get("clock")
                for e in uow.session.execute(
                    select(IncidentEvent).where(
                        IncidentEvent.incident_id == incident.id, IncidentEvent.kind == "escalated"
                    )
                ).scalars()
            }
            for clock in row["clocks"]:
                if not clock["late"] or clock["clock"] in done:
                    continue
                add_event(
                    uow, incident, actor, "escalated", clock=clock["clock"], due_at=clock["due_at"]
                )
                for email in desk_emails:
                    enqueue_mail(
                        uow,
                        to=email,
                        topic="desk.escalation",
                        subject=f"【遅延】{incident.number} {clock['clock']} / Late: {incident.number}",
                        body=f"{incident.number}: {clock['clock']} was due at {clock['due_at']}\n",
                    )
                escalated.append(f"{incident.number}:{clock['clock']}")
        if escalated:
            uow.audit(
                person(actor),
                "desk.escalate",
                ("incident", "queue"),
                after={"escalated": escalated},
            )
    return escalated
