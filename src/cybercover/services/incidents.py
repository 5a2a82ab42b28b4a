"""The 24-hour incident desk (PRODUCT.md §6): intake, first hearing, triage and first
advice, regulatory clocks, hand-over, dispatch of partners, their estimates and
invoices checked against the policy's limits through the terms engine, service clocks
and one timeline. One use case, one transaction, with its audit row and timeline event.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cybercover.errors import ConflictError, InputError, Problem
from cybercover.services.authz import Actor, authorize, can, person
from cybercover.services.billing import coverage_facts
from cybercover.services.scope import load_incident, reach_filter, reference
from cybercover.services.uow import (
    Database,
    UnitOfWork,
    assign_number,
    is_unique_violation,
    placeholder_number,
)
from cybercover.services.visibility import event_visible, may_see, shape, shape_all
from cybercover.storage.models import Company, Incident, IncidentEvent, Policy
from cybercover.timeutil import JST

__all__ = [
    "CHANNELS",
    "add_event",
    "get_incident",
    "incident_view",
    "link_incident",
    "list_incidents",
    "report_incident",
    "similarity_key",
    "timeline",
    "unlink_incident",
]

CHANNELS = ("phone", "mail", "web", "api")
IDEMPOTENCY_KEY_MAX = 64


def similarity_key(company_id: int | None, caller_organisation: str, occurred_at: datetime) -> str:
    """Reports that *may* be one event — the same company (or caller organisation) on the
    same day in Tokyo — share this key. The desk is shown them as possible duplicates; only
    an operator decides that two reports are one incident (:func:`link_incident`). The key
    is the server's own: no caller ever supplies or selects by it."""
    who = (
        str(company_id)
        if company_id is not None
        else unicodedata.normalize("NFKC", caller_organisation).strip().lower()
    )
    day = occurred_at.astimezone(JST).date().isoformat()
    return hashlib.sha256(f"{who}|{day}".encode()).hexdigest()[:32]


def _digest(data: dict[str, Any]) -> str:
    """The request's fingerprint: a retransmission has the same one."""
    body = {k: v for k, v in data.items() if k != "idempotency_key"}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def add_event(uow: UnitOfWork, incident: Incident, actor: Actor, kind: str, **data: Any) -> None:
    from cybercover.services.audit import jsonable

    uow.session.add(
        IncidentEvent(
            incident_id=incident.id,
            at=uow.now,
            actor_user_id=person(actor),
            kind=kind,
            data=jsonable(data),
        )
    )


def _coverage(
    session: Session, company_id: int, at: datetime, now: datetime
) -> tuple[Policy | None, dict[str, Any]]:
    """The company's policy in force at ``at`` and what it covers (the desk shows it at once)."""
    policies = session.execute(
        select(Policy)
        .where(Policy.company_id == company_id, Policy.number.is_not(None))
        .order_by(Policy.period_start.desc())
    ).scalars()
    within: dict[str, Any] | None = None
    for policy in policies:
        facts = coverage_facts(session, policy, at, now)
        if facts["in_force"]:
            return policy, facts
        if within is None and policy.period_start <= at < policy.period_end:
            within = facts  # the period's policy, not in force then: say why (a lapse gap)
    return None, within or {"in_force": False, "covered": False, "parts": []}


def incident_view(incident: Incident) -> dict[str, Any]:
    """Every field of an incident: what a caller sees of it is :func:`shape`'s to decide."""
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
        "linked_to_id": incident.linked_to_id,
    }


def _problem(field: str, rule: str, ja: str, en: str) -> InputError:
    return InputError([Problem(field, rule, ja, en)])


def report_incident(db: Database, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """A report by phone, mail, the web or the API. A policyholder reports for its own
    company; a desk operator records any caller (first advice is given to anyone; only an
    insured is handed over).

    Every report is its own incident: two real reports are one incident only when an
    operator links them (:func:`link_incident`). ``idempotency_key`` (at most 64
    characters, chosen by the client) recognises a *retransmission* of the caller's own
    request — the same user, the same key and the same request give back the incident
    it made, with ``repeated``; the same key with a different request is refused. A key
    never selects anyone else's incident."""
    authorize(actor, "incident.report")
    problems: list[Problem] = []
    for_others = can(actor, "incident.report_for_others")
    channel = str(data.get("channel") or ("phone" if for_others else "web"))
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
    key = data.get("idempotency_key")
    if key is not None and (
        not isinstance(key, str) or not key.strip() or len(key) > IDEMPOTENCY_KEY_MAX
    ):
        problems.append(
            Problem(
                "idempotency_key",
                "idempotency_key",
                f"再送識別キーは1〜{IDEMPOTENCY_KEY_MAX}文字で指定してください",
                f"must be 1 to {IDEMPOTENCY_KEY_MAX} characters",
            )
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
    digest = _digest(data)
    with db.unit_of_work() as uow:
        session = uow.session
        if key is not None:
            earlier = _own_request(session, actor, key, digest)
            if earlier is not None:
                return shape(actor, "incident", {**incident_view(earlier), "repeated": True})
        when = occurred_at or uow.now
        if when > uow.now:  # the insurer is told now: an event cannot be later
            raise InputError(
                [
                    Problem(
                        "occurred_at",
                        "not_in_future",
                        "発生日時が未来です（届出の時点より後にはできません）",
                        "must not be in the future (nor after the report)",
                    )
                ]
            )
        company: Company | None = None
        if not for_others:  # its own company, whatever the body says
            company = session.execute(
                select(Company).where(Company.organisation_id == actor.organisation_id)
            ).scalar_one_or_none()
        elif data.get("company_id") is not None:
            company = reference(session, actor, Company, data["company_id"], "company_id")
        elif data.get("corporate_number"):
            company = session.execute(
                select(Company).where(
                    Company.corporate_number == str(data["corporate_number"]).replace("-", ""),
                    reach_filter(actor, Company),
                )
            ).scalar_one_or_none()
        caller_org = str(
            data.get("caller_organisation") or (company.name if company else "")
        ).strip()
        policy, facts = (
            _coverage(session, company.id, when, uow.now)
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
            duplicate_key=similarity_key(company.id if company else None, caller_org, when),
            idempotency_key=key,
            request_digest=digest if key is not None else None,
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
            # the same request sent twice at the same moment (a client's retry racing
            # its first try): the unique (reporter, key) index of migration 0011 let
            # one insert win; this one answers with it
            if key is None or not is_unique_violation(exc):
                raise
            winner = _own_request(session, actor, key, digest)
            if winner is None:
                raise
            return shape(actor, "incident", {**incident_view(winner), "repeated": True})
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
        return shape(actor, "incident", {**incident_view(incident), "repeated": False})


def _own_request(session: Session, actor: Actor, key: str, digest: str) -> Incident | None:
    """The incident this user's earlier request with ``key`` made, if any; the same key
    with another request is refused (a key names one request, never two)."""
    earlier = session.execute(
        select(Incident).where(
            Incident.reported_by == actor.user_id, Incident.idempotency_key == key
        )
    ).scalar_one_or_none()
    if earlier is not None and earlier.request_digest != digest:
        raise _problem(
            "idempotency_key",
            "idempotency_key_reused",
            "この再送識別キーは別の内容の報告に使われています",
            "this idempotency key was used for a different report",
        )
    return earlier


def _possible_duplicates(session: Session, incident: Incident) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Incident)
        .where(
            Incident.duplicate_key == incident.duplicate_key,
            Incident.id != incident.id,
            Incident.status != "closed",
        )
        .order_by(Incident.id)
    ).scalars()
    return [
        {
            "id": r.id,
            "number": r.number,
            "summary": r.summary,
            "reported_at": r.reported_at.isoformat(),
            "linked_to_id": r.linked_to_id,
        }
        for r in rows
    ]


def _linked(session: Session, incident: Incident) -> list[dict[str, Any]]:
    return [
        {"id": r.id, "number": r.number, "summary": r.summary}
        for r in session.execute(
            select(Incident).where(Incident.linked_to_id == incident.id).order_by(Incident.id)
        ).scalars()
    ]


def get_incident(db: Database, actor: Actor, incident_id: int) -> dict[str, Any]:
    with db.sessions() as session:
        incident = load_incident(session, actor, incident_id, "incident.read")
        view = incident_view(incident)
        if may_see(actor, "incident", "possible_duplicates"):  # computed only for them
            view["possible_duplicates"] = _possible_duplicates(session, incident)
            view["linked"] = _linked(session, incident)
        return shape(actor, "incident", view)


def list_incidents(db: Database, actor: Actor) -> list[dict[str, Any]]:
    authorize(actor, "incident.read")
    with db.sessions() as session:
        rows = session.execute(
            select(Incident).where(reach_filter(actor, Incident)).order_by(Incident.id)
        ).scalars()
        return shape_all(actor, "incident", [incident_view(i) for i in rows])


def timeline(db: Database, actor: Actor, incident_id: int) -> list[dict[str, Any]]:
    """Every step on one timeline, in time order, with its actor (exportable as JSON); the
    insured sees the steps of its case, not the insurer's internal ones
    (services/visibility.py, ``EVENTS``)."""
    with db.sessions() as session:
        incident = load_incident(session, actor, incident_id, "incident.case")
        return shape_all(
            actor,
            "incident_event",
            [
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
                if event_visible(actor, e.kind)
            ],
        )


def link_incident(
    db: Database, actor: Actor, incident_id: int, *, to_incident_id: int, reason: str
) -> dict[str, Any]:
    """An operator decides that report ``incident_id`` is part of incident
    ``to_incident_id`` (one event reported twice): the report is handled under that
    incident from now on (it leaves the desk queue), each timeline says so with the
    reason, and :func:`unlink_incident` undoes it. Only reports of the same company are
    linked: a link never shows one company's case to another."""
    reason = reason.strip()
    if not reason:
        raise _problem(
            "reason",
            "required",
            "関連付ける理由を入力してください",
            "say why they are one incident",
        )
    with db.unit_of_work() as uow:
        session = uow.session
        incident = load_incident(session, actor, incident_id, "incident.manage")
        target = reference(session, actor, Incident, to_incident_id, "to_incident_id")
        if target.id == incident.id:
            raise _problem(
                "to_incident_id", "same_incident", "同じ事案です", "that is the same incident"
            )
        if target.company_id != incident.company_id:
            raise _problem(
                "to_incident_id",
                "other_company",
                "別の会社の事案とは関連付けられません",
                "reports of different companies are never one incident",
            )
        if target.linked_to_id is not None:
            raise _problem(
                "to_incident_id",
                "not_primary",
                f"関連付け先は{target.linked_to_id}番の事案に関連付けられています。元の事案を指定してください",
                f"that incident is itself linked to incident {target.linked_to_id}: name that one",
            )
        if incident.linked_to_id is not None:
            raise ConflictError(
                "already_linked",
                "この報告はすでに関連付けられています（先に解除してください）",
                "this report is already linked (unlink it first)",
            )
        if session.execute(
            select(Incident.id).where(Incident.linked_to_id == incident.id).limit(1)
        ).first():
            raise ConflictError(
                "has_linked_reports",
                "この事案には関連付けられた報告があります。先にそれらを解除してください",
                "other reports are linked to this one: unlink them first",
            )
        before = {"linked_to_id": None}
        incident.linked_to_id = target.id
        add_event(uow, incident, actor, "report.linked", to=target.number, reason=reason)
        add_event(uow, target, actor, "report.linked", report=incident.number, reason=reason)
        uow.audit(
            actor.user_id,
            "incident.link",
            ("incident", incident.id),
            before=before,
            after={"linked_to_id": target.id, "reason": reason},
        )
        return shape(actor, "incident", incident_view(incident))


def unlink_incident(db: Database, actor: Actor, incident_id: int, *, reason: str) -> dict[str, Any]:
    """Undo :func:`link_incident`: the report is its own incident again, with the reason
    on both timelines."""
    reason = reason.strip()
    if not reason:
        raise _problem("reason", "required", "解除する理由を入力してください", "say why")
    with db.unit_of_work() as uow:
        session = uow.session
        incident = load_incident(session, actor, incident_id, "incident.manage")
        if incident.linked_to_id is None:
            raise ConflictError(
                "not_linked", "この報告は関連付けられていません", "this report is not linked"
            )
        target = session.get(Incident, incident.linked_to_id)
        assert target is not None
        before = {"linked_to_id": target.id}
        incident.linked_to_id = None
        add_event(uow, incident, actor, "report.unlinked", was=target.number, reason=reason)
        add_event(uow, target, actor, "report.unlinked", report=incident.number, reason=reason)
        uow.audit(
            actor.user_id,
            "incident.unlink",
            ("incident", incident.id),
            before=before,
            after={"linked_to_id": None, "reason": reason},
        )
        return shape(actor, "incident", incident_view(incident))
