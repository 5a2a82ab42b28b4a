"""First hearing (初期ヒアリング), triage and first advice (初動アドバイス), and the
regulatory clocks the insured must meet — kept on the incident, with their history.

The rules are the incidents domain's (cybercover.incidents: hearing.toml, playbook.toml,
regulatory.toml); this module stores answers (who, when), what triage said, the advice
as given, and each deadline, moving or withdrawing it when an answer changes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from cybercover.errors import ConflictError, NotFoundError
from cybercover.incidents import Triage, advice, deadlines, triage, validate_answers
from cybercover.services.audit import jsonable
from cybercover.services.authz import Actor, authorize, person
from cybercover.services.incidents import add_event, incident_view
from cybercover.services.notifications import enqueue_mail
from cybercover.services.scope import load, load_incident
from cybercover.services.uow import Database
from cybercover.services.visibility import shape
from cybercover.storage.models import Company, Deadline, Incident, User
from cybercover.timeutil import JST

__all__ = [
    "complete_deadline",
    "give_advice",
    "list_deadlines",
    "record_hearing",
    "send_deadline_reminders",
]

REMIND_BEFORE_HOURS = 24  # ours: a reminder when a duty is due within a day, or overdue


def _triage_view(result: Triage) -> dict[str, Any]:
    return {
        "family": result.family,
        "families": list(result.families),
        "severity": result.severity,
        "reasons": [{"code": r.code, "ja": r.ja, "en": r.en} for r in result.reasons],
    }


def deadline_view(row: Deadline, now: datetime) -> dict[str, Any]:
    left = int((row.due_at - now).total_seconds())
    return {
        "id": row.id,
        "rule": row.rule_code,
        "name": {"ja": row.name_ja, "en": row.name_en},
        "source": row.source,
        "status": row.status,
        "target_at": row.target_at.astimezone(JST).isoformat() if row.target_at else None,
        "due_at": row.due_at.astimezone(JST).isoformat(),
        "seconds_left": left,
        "overdue": row.status == "open" and now >= row.due_at,
        "history": row.history,
    }


def record_hearing(
    db: Database, actor: Actor, incident_id: int, answers: dict[str, Any]
) -> dict[str, Any]:
    """Store answers (a hearing can be resumed: new answers merge over the earlier ones),
    then triage, and compute or move the regulatory clocks from the awareness time."""
    with db.unit_of_work() as uow:
        session = uow.session
        incident = load_incident(session, actor, incident_id, "incident.manage")
        before = dict(incident.hearing)
        merged = {k: v for k, v in {**before, **jsonable(answers)}.items() if v is not None}
        values, contradictions = validate_answers(merged)
        incident.hearing = merged
        aware = values.get("aware_at")
        incident.aware_at = aware if isinstance(aware, datetime) else incident.aware_at
        result = triage(values, now=uow.now)
        incident.triage = {
            **_triage_view(result),
            "warnings": [p.as_dict() for p in contradictions],
        }
        incident.first_response_at = incident.first_response_at or uow.now
        changed = sorted(k for k in set(before) | set(merged) if before.get(k) != merged.get(k))
        add_event(uow, incident, actor, "hearing.answered", codes=changed)
        add_event(uow, incident, actor, "triage", family=result.family, severity=result.severity)
        moved = _sync_deadlines(uow, incident, values, changed, actor)
        session.flush()
        uow.audit(
            actor.user_id,
            "incident.hearing",
            ("incident", incident.id),
            before={"hearing": before},
            after={"hearing": merged, "triage": incident.triage},
        )
        rows = session.execute(
            select(Deadline).where(Deadline.incident_id == incident.id).order_by(Deadline.due_at)
        ).scalars()
        return {
            **shape(actor, "incident", incident_view(incident)),
            "deadlines": [deadline_view(r, uow.now) for r in rows],
            "deadline_changes": moved,
        }


def _sync_deadlines(
    uow: Any, incident: Incident, values: dict[str, Any], changed: list[str], actor: Actor
) -> list[dict[str, Any]]:
    """Add, move or withdraw deadlines; each change is kept in the row's history and on
    the timeline, with the answers that caused it."""
    if incident.aware_at is None:
        return []
    wanted = {d.rule: d for d in deadlines(values, incident.aware_at)}
    rows = {
        r.rule_code: r
        for r in uow.session.execute(
            select(Deadline).where(
                Deadline.incident_id == incident.id, Deadline.status != "withdrawn"
            )
        ).scalars()
    }
    changes: list[dict[str, Any]] = []

    def note(row: Deadline, kind: str, old: datetime | None) -> None:
        entry = {
            "at": uow.now.isoformat(),
            "kind": kind,
            "old_due_at": old.isoformat() if old else None,
            "new_due_at": row.due_at.isoformat() if kind != "withdrawn" else None,
            "because": changed,
        }
        row.history = [*row.history, entry]
        changes.append({"rule": row.rule_code, **entry})
        add_event(uow, incident, actor, f"deadline.{kind}", rule=row.rule_code, due_at=row.due_at)

    for rule, d in wanted.items():
        row = rows.get(rule)
        if row is None:
            row = Deadline(
                incident_id=incident.id,
                rule_code=rule,
                name_ja=d.name.ja,
                name_en=d.name.en,
                source=d.source.ja[:300],
                target_at=d.target_at,
                due_at=d.due_at,
                status="open",
                history=[],
            )
            uow.session.add(row)
            uow.session.flush()
            note(row, "appeared", None)
        elif row.due_at != d.due_at or row.target_at != d.target_at:
            old = row.due_at
            row.due_at, row.target_at = d.due_at, d.target_at
            note(row, "moved", old)
    for rule, row in rows.items():
        if rule not in wanted and row.status == "open":
            row.status = "withdrawn"
            note(row, "withdrawn", row.due_at)
    return changes


def give_advice(db: Database, actor: Actor, incident_id: int) -> dict[str, Any]:
    """Record the first-advice checklist for the triaged family, as given, by whom, when."""
    with db.unit_of_work() as uow:
        incident = load_incident(uow.session, actor, incident_id, "incident.manage")
        if not incident.triage:
            raise ConflictError(
                "no_hearing", "初期ヒアリングの後に助言してください", "hear the caller first"
            )
        values, _ = validate_answers(incident.hearing)
        items = advice(triage(values, now=uow.now))
        incident.advice = [
            {
                "code": i.code,
                "family": i.family,
                "ja": i.text.ja,
                "en": i.text.en,
                "source": i.source,
                "ours": i.ours,
                "given_at": uow.now.isoformat(),
                "given_by": actor.user_id,
            }
            for i in items
        ]
        incident.first_response_at = incident.first_response_at or uow.now
        add_event(uow, incident, actor, "advice.given", codes=[i.code for i in items])
        uow.audit(
            actor.user_id,
            "incident.advice",
            ("incident", incident.id),
            after={"advice": incident.advice},
        )
        return {"incident_id": incident.id, "advice": incident.advice}


def list_deadlines(db: Database, actor: Actor, incident_id: int) -> list[dict[str, Any]]:
    with db.sessions() as session:
        incident = load_incident(session, actor, incident_id, "incident.case")
        now = db.clock()
        rows = session.execute(
            select(Deadline).where(Deadline.incident_id == incident.id).order_by(Deadline.due_at)
        ).scalars()
        return [deadline_view(r, now) for r in rows]


def complete_deadline(
    db: Database, actor: Actor, deadline_id: int, *, incident_id: int | None = None
) -> dict[str, Any]:
    """Mark a duty done (``incident_id``: the incident a page names it under, which must
    be its own)."""
    with db.unit_of_work() as uow:
        row = load(uow.session, actor, Deadline, deadline_id, "incident.manage")
        if incident_id is not None and row.incident_id != incident_id:
            raise NotFoundError("deadline", deadline_id)
        incident = uow.session.get(Incident, row.incident_id)
        assert incident is not None
        if row.status != "open":
            raise ConflictError(
                "not_open", f"この期限は{row.status}です", f"the deadline is {row.status}"
            )
        row.status, row.done_at = "done", uow.now
        add_event(
            uow, incident, actor, "deadline.done", rule=row.rule_code, late=uow.now >= row.due_at
        )
        uow.audit(actor.user_id, "deadline.done", ("deadline", row.id))
        return deadline_view(row, uow.now)


def send_deadline_reminders(db: Database, actor: Actor) -> list[int]:
    """Mail the insured's users (through the outbox) about duties due within a day or
    overdue, at most once a day each. Returns the deadline ids reminded."""
    authorize(actor, "incident.remind")
    sent: list[int] = []
    with db.unit_of_work() as uow:
        horizon = uow.now + timedelta(hours=REMIND_BEFORE_HOURS)
        for row in uow.session.execute(
            select(Deadline).where(Deadline.status == "open", Deadline.due_at <= horizon)
        ).scalars():
            if row.reminded_at is not None and uow.now - row.reminded_at < timedelta(hours=24):
                continue
            incident = uow.session.get(Incident, row.incident_id)
            assert incident is not None
            recipients = []
            if incident.company_id is not None:
                company = uow.session.get(Company, incident.company_id)
                assert company is not None
                recipients = list(
                    uow.session.execute(
                        select(User.email).where(
                            User.organisation_id == company.organisation_id, User.active.is_(True)
                        )
                    ).scalars()
                )
            due = row.due_at.astimezone(JST).strftime("%Y-%m-%d %H:%M")
            for email in recipients:
                enqueue_mail(
                    uow,
                    to=email,
                    topic="deadline.reminder",
                    subject=f"【期限】{row.name_ja} {due} / Deadline: {row.name_en}",
                    body=f"{incident.number}: {row.name_ja}（{row.source}）\n期限 / due: {due} JST\n",
                )
            row.reminded_at = uow.now
            add_event(
                uow, incident, actor, "deadline.reminded", rule=row.rule_code, to=len(recipients)
            )
            sent.append(row.id)
        if sent:
            uow.audit(
                person(actor),
                "deadline.remind",
                ("deadline", ",".join(map(str, sent))[:64]),
            )
    return sent
