"""The 24-hour incident desk (PRODUCT.md §6): intake, first hearing, triage and first
advice, regulatory clocks, hand-over, dispatch of partners, their estimates and
invoices checked against the policy's limits through the terms engine, service clocks
and one timeline. One use case, one transaction, with its audit row and timeline event.
"""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cybercover.errors import InputError, NotFoundError, Problem
from cybercover.services.authz import Actor, Resource, Role, authorize
from cybercover.services.billing import coverage_facts
from cybercover.services.uow import (
    Database,
    UnitOfWork,
    assign_number,
    is_unique_violation,
    placeholder_number,
)
from cybercover.storage.models import (
    Company,
    Dispatch,
    Incident,
    IncidentEvent,
    Policy,
)
from cybercover.timeutil import JST

__all__ = [
    "CHANNELS",
    "add_event",
    "get_incident",
    "incident_resource",
    "incident_view",
    "list_incidents",
    "load_incident",
    "report_incident",
    "timeline",
]

CHANNELS = ("phone", "mail", "web", "api")


def duplicate_key(company_id: int | None, caller_organisation: str, occurred_at: datetime) -> str:
    """The same event reported twice — the same company (or caller organisation) on the
    same day in Tokyo — lands on one open incident (ours: a reading of "the same event")."""
    who = (
        str(company_id)
        if company_id is not None
        else unicodedata.normalize("NFKC", caller_organisation).strip().lower()
    )
    day = occurred_at.astimezone(JST).date().isoformat()
    return hashlib.sha256(f"{who}|{day}".encode()).hexdigest()[:32]


def _open_incident(session: Session, key: str) -> Incident | None:
    return session.execute(
        select(Incident).where(Incident.duplicate_key == key, Incident.status != "closed")
    ).scalar_one_or_none()


def incident_resource(session: Session, incident: Incident) -> Resource:
    org_id = None
    if incident.company_id is not None:
        company = session.get(Company, incident.company_id)
        org_id = company.organisation_id if company else None
    partners = session.execute(
        select(Dispatch.partner_id).where(Dispatch.incident_id == incident.id)
    ).scalars()
    return Resource(
        "incident", incident.id, company_organisation_id=org_id, partner_ids=frozenset(partners)
    )


def load_incident(session: Session, actor: Actor, incident_id: int, action: str) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFoundError("incident", incident_id)
    authorize(actor, action, incident_resource(session, incident))
    return incident


def add_event(
    uow: UnitOfWork, incident: Incident, actor: Actor | None, kind: str, **data: Any
) -> None:
    from cybercover.services.audit import jsonable

    uow.session.add(
        IncidentEvent(
            incident_id=incident.id,
            at=uow.now,
            actor_user_id=actor.user_id if actor else None,
            kind=kind,
            data=jsonable(data),
        )
    )


def _coverage(
    session: Session, company_id: int, at: datetime
) -> tuple[Policy | None, dict[str, Any]]:
    """The company's policy in force at ``at`` and what it covers (the desk shows it at once)."""
    policies = session.execute(
        select(Policy)
        .where(Policy.company_id == company_id, Policy.number.is_not(None))
        .order_by(Policy.period_start.desc())
    ).scalars()
    for policy in policies:
        facts = coverage_facts(session, policy, at)
        if facts["in_force"]:
            return policy, facts
    return None, {"in_force": False, "covered": False, "parts": []}


def incident_view(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "number": incident.number,
        "company_id": incident.company_id,
        "policy_id": incident.policy_id,
        "insured": incident.insured,
        "coverage": incident.coverage,
        "channel": incident.channel,
        "caller": {
            "name": incident.caller_name,
            "organisation": incident.caller_organisation,
            "contact": incident.caller_contact,
        },
        "summary": incident.summary,
        "status": incident.status,
        "occurred_at": incident.occurred_at.isoformat(),
        "aware_at": incident.aware_at.isoformat() if incident.aware_at else None,
        "hearing": incident.hearing,
        "triage": incident.triage,
        "advice": incident.advice,
        "reported_at": incident.reported_at.isoformat(),
        "first_response_at": incident.first_response_at.isoformat()
        if incident.first_response_at
        else None,
        "handed_over_at": incident.handed_over_at.isoformat() if incident.handed_over_at else None,
    }


def report_incident(db: Database, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """A report by phone, mail, the web or the API. A policyholder reports for its own
    company; a desk operator records any caller (first advice is given to anyone; only an
    insured is handed over). The same event reported twice lands on one incident."""
    authorize(actor, "incident.report")
    problems: list[Problem] = []
    channel = str(data.get("channel") or ("web" if actor.role is Role.POLICYHOLDER else "phone"))
    if channel not in CHANNELS:
        problems.append(
            Problem(
                "channel",
                "unknown_channel",
                f"指定できない受付経路です（{', '.join(CHANNELS)}）",
                f"must be one of {', '.join(CHANNELS)}",
            )
        )
    summary = str(data.get("summary") or "").strip()
    if not summary:
        problems.append(
            Problem("summary", "required", "何が起きたかを入力してください", "say what happened")
        )
    occurred_raw = data.get("occurred_at")
    occurred_at: datetime | None = None
    if occurred_raw is not None:
        try:
            occurred_at = datetime.fromisoformat(str(occurred_raw))
            if occurred_at.tzinfo is None:
                raise ValueError
        except ValueError:
            problems.append(
                Problem(
                    "occurred_at",
                    "datetime",
                    "時差付きの日時で指定してください",
                    "must be a date-time with a UTC offset",
                )
            )
    if problems:
        raise InputError(problems)
    with db.unit_of_work() as uow:
        session = uow.session
        when = occurred_at or uow.now
        company: Company | None = None
        if actor.role is Role.POLICYHOLDER:
            company = session.execute(
                select(Company).where(Company.organisation_id == actor.organisation_id)
            ).scalar_one_or_none()
        elif data.get("company_id") is not None:
            company = session.get(Company, int(data["company_id"]))
            if company is None:
                raise InputError(
                    [Problem("company_id", "not_found", "会社がありません", "no such company")]
                )
        elif data.get("corporate_number"):
            company = session.execute(
                select(Company).where(
                    Company.corporate_number == str(data["corporate_number"]).replace("-", "")
                )
            ).scalar_one_or_none()
        caller_org = str(
            data.get("caller_organisation") or (company.name if company else "")
        ).strip()
        key = str(
            data.get("duplicate_key")
            or duplicate_key(company.id if company else None, caller_org, when)
        )

        def duplicate_of(existing: Incident) -> dict[str, Any]:
            add_event(
                uow,
                existing,
                actor,
                "report.duplicate",
                channel=channel,
                summary=summary,
                caller=str(data.get("caller_name") or ""),
            )
            uow.audit(actor.user_id, "incident.report_duplicate", ("incident", existing.id))
            return {**incident_view(existing), "duplicate": True}

        existing = _open_incident(session, key)
        if existing is not None:
            return duplicate_of(existing)
        policy, facts = (
            _coverage(session, company.id, when)
            if company
            else (None, {"in_force": False, "parts": []})
        )
        incident = Incident(
            number=placeholder_number(),  # numbered last (assign_number)
            company_id=company.id if company else None,
            policy_id=policy.id if policy else None,
            insured=bool(facts.get("covered")),
            coverage=facts,
            channel=channel,
            caller_name=str(data.get("caller_name") or actor.display_name)[:200],
            caller_organisation=caller_org[:200],
            caller_contact=str(data.get("caller_contact") or "")[:200],
            reported_by=actor.user_id,
            summary=summary,
            duplicate_key=key,
            status="open",
            occurred_at=when,
            aware_at=None,
            hearing={},
            triage={},
            advice=[],
            reported_at=uow.now,
        )
        try:
            with session.begin_nested():  # a savepoint: the insert alone is undone
                session.add(incident)
                session.flush()
        except IntegrityError as exc:
            # the same event reported at the same moment by someone else, whose insert
            # won (the partial unique index of migration 0009): land on theirs
            winner = _open_incident(session, key) if is_unique_violation(exc) else None
            if winner is None:
                raise
            return duplicate_of(winner)
        add_event(
            uow,
            incident,
            actor,
            "reported",
            channel=channel,
            summary=summary,
            insured=incident.insured,
            policy_id=incident.policy_id,
        )
        session.flush()
        year = uow.now.astimezone(JST).year
        assign_number(session, incident, f"incident/INC-{year}", f"INC-{year}-")
        uow.audit(
            actor.user_id,
            "incident.report",
            ("incident", incident.id),
            after=incident_view(incident),
        )
        return {**incident_view(incident), "duplicate": False}


def _visible_view(actor: Actor, incident: Incident) -> dict[str, Any]:
    if actor.role is Role.PARTNER:  # a partner sees what its dispatch needs, no more
        return {
            "id": incident.id,
            "number": incident.number,
            "summary": incident.summary,
            "status": incident.status,
            "triage": incident.triage,
        }
    return incident_view(incident)


def get_incident(db: Database, actor: Actor, incident_id: int) -> dict[str, Any]:
    with db.sessions() as session:
        return _visible_view(actor, load_incident(session, actor, incident_id, "incident.read"))


def list_incidents(db: Database, actor: Actor) -> list[dict[str, Any]]:
    authorize(actor, "incident.read")
    with db.sessions() as session:
        query = select(Incident).order_by(Incident.id)
        if actor.role is Role.POLICYHOLDER:
            query = query.join(Company, Company.id == Incident.company_id).where(
                Company.organisation_id == actor.organisation_id
            )
        elif actor.role is Role.PARTNER:
            query = query.where(
                Incident.id.in_(
                    select(Dispatch.incident_id).where(Dispatch.partner_id == actor.organisation_id)
                )
            )
        return [_visible_view(actor, i) for i in session.execute(query).scalars()]


def timeline(db: Database, actor: Actor, incident_id: int) -> list[dict[str, Any]]:
    """Every step on one timeline, in time order, with its actor (exportable as JSON)."""
    with db.sessions() as session:
        incident = load_incident(session, actor, incident_id, "incident.read")
        if actor.role is Role.PARTNER:
            raise NotFoundError("incident", incident_id)
        return [
            {
                "at": e.at.isoformat(),
                "at_jst": e.at.astimezone(JST).strftime("%Y-%m-%d %H:%M"),
                "actor_user_id": e.actor_user_id,
                "kind": e.kind,
                "data": e.data,
            }
            for e in session.execute(
                select(IncidentEvent)
                .where(IncidentEvent.incident_id == incident.id)
                .order_by(IncidentEvent.at, IncidentEvent.id)
            ).scalars()
        ]
