"""The incident desk: reports, hearing, advice, deadlines, hand-over, dispatches,
partners' estimates and invoices, the desk queue and the timeline."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header
from pydantic import BaseModel, Field

from cybercover.api.deps import AppSettings, CurrentActor, Db
from cybercover.errors import InputError, Problem
from cybercover.services.dispatch import (
    decide_cost,
    desk_queue,
    dispatch_partner,
    escalate_late,
    hand_over,
    list_dispatches,
    log_work,
    respond_dispatch,
    submit_cost,
)
from cybercover.services.hearing import (
    complete_deadline,
    give_advice,
    list_deadlines,
    record_hearing,
    send_deadline_reminders,
)
from cybercover.services.incidents import (
    get_incident,
    link_incident,
    list_incidents,
    report_incident,
    timeline,
    unlink_incident,
)
from cybercover.services.outbound import OutboundPolicy
from cybercover.services.partners import list_partners, register_partner

router = APIRouter(tags=["incidents"])


class ReportIn(BaseModel):
    summary: str = Field(max_length=4000)
    channel: str | None = Field(default=None, examples=["phone"])
    occurred_at: str | None = Field(default=None, examples=["2026-07-10T02:10:00+09:00"])
    caller_name: str | None = Field(default=None, max_length=200)
    caller_organisation: str | None = Field(default=None, max_length=200)
    caller_contact: str | None = Field(default=None, max_length=200)
    company_id: int | None = None
    corporate_number: str | None = None
    idempotency_key: str | None = Field(
        default=None,
        max_length=64,
        description="再送識別キー: the same key and report from the same user give back "
        "the incident the first try made (also accepted as the Idempotency-Key header)",
    )


class LinkIn(BaseModel):
    to_incident_id: int
    reason: str = Field(max_length=500)


class UnlinkIn(BaseModel):
    reason: str = Field(max_length=500)


class DispatchIn(BaseModel):
    partner_id: int
    service: str = Field(examples=["investigation"])


class ResponseIn(BaseModel):
    accept: bool
    reason: str = Field(default="", max_length=500)


class WorkIn(BaseModel):
    note: str = Field(max_length=2000)
    hours: str = Field(default="0", max_length=16)


class CostIn(BaseModel):
    kind: str = Field(examples=["estimate"])
    description: str = Field(max_length=500)
    amount_ex_tax: int
    tax_rate_percent: int = 10
    registration_number: str = Field(examples=["T7000012050002"])


class DecisionIn(BaseModel):
    approve: bool
    reason: str = Field(default="", max_length=500)


class PartnerIn(BaseModel):
    organisation_id: int
    services: list[str]
    regions: list[str] = ["全国"]
    registration_number: str
    contact_email: str = Field(max_length=254)
    webhook_url: str | None = Field(default=None, max_length=500)


@router.post("/incidents", status_code=201)
def report(
    body: ReportIn,
    actor: CurrentActor,
    db: Db,
    idempotency_key: Annotated[str | None, Header(max_length=64)] = None,
) -> dict[str, Any]:
    data = body.model_dump(exclude_none=True)
    if (
        idempotency_key is not None
        and data.setdefault("idempotency_key", idempotency_key) != idempotency_key
    ):
        raise InputError(
            [
                Problem(
                    "idempotency_key",
                    "idempotency_key_mismatch",
                    "ヘッダーと本文の再送識別キーが異なります",
                    "the Idempotency-Key header and the body's idempotency_key differ",
                )
            ]
        )
    return report_incident(db, actor, data)


@router.get("/incidents")
def incidents(actor: CurrentActor, db: Db) -> list[dict[str, Any]]:
    return list_incidents(db, actor)


@router.get("/incidents/queue")
def queue(actor: CurrentActor, db: Db) -> list[dict[str, Any]]:
    return desk_queue(db, actor)


@router.post("/incidents/escalations")
def escalations(actor: CurrentActor, db: Db) -> dict[str, list[str]]:
    return {"escalated": escalate_late(db, actor)}


@router.post("/incidents/reminders")
def reminders(actor: CurrentActor, db: Db) -> dict[str, list[int]]:
    return {"reminded": send_deadline_reminders(db, actor)}


@router.get("/incidents/{incident_id}")
def read(incident_id: int, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return get_incident(db, actor, incident_id)


@router.post("/incidents/{incident_id}/link")
def link(incident_id: int, body: LinkIn, actor: CurrentActor, db: Db) -> dict[str, Any]:
    """An operator decides this report is part of another incident (with a reason)."""
    return link_incident(
        db, actor, incident_id, to_incident_id=body.to_incident_id, reason=body.reason
    )


@router.post("/incidents/{incident_id}/unlink")
def unlink(incident_id: int, body: UnlinkIn, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return unlink_incident(db, actor, incident_id, reason=body.reason)


@router.get("/incidents/{incident_id}/timeline")
def incident_timeline(incident_id: int, actor: CurrentActor, db: Db) -> list[dict[str, Any]]:
    return timeline(db, actor, incident_id)


@router.post("/incidents/{incident_id}/hand-over")
def handover(incident_id: int, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return hand_over(db, actor, incident_id)


@router.post("/incidents/{incident_id}/dispatches", status_code=201)
def dispatch(incident_id: int, body: DispatchIn, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return dispatch_partner(
        db, actor, incident_id, partner_id=body.partner_id, service=body.service
    )


@router.get("/dispatches")
def dispatches(actor: CurrentActor, db: Db) -> list[dict[str, Any]]:
    return list_dispatches(db, actor)


@router.post("/dispatches/{dispatch_id}/response")
def respond(dispatch_id: int, body: ResponseIn, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return respond_dispatch(db, actor, dispatch_id, accept=body.accept, reason=body.reason)


@router.post("/dispatches/{dispatch_id}/work")
def work(dispatch_id: int, body: WorkIn, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return log_work(db, actor, dispatch_id, note=body.note, hours=body.hours)


@router.post("/dispatches/{dispatch_id}/costs", status_code=201)
def cost(dispatch_id: int, body: CostIn, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return submit_cost(db, actor, dispatch_id, **body.model_dump())


@router.post("/costs/{cost_id}/decision")
def decide(cost_id: int, body: DecisionIn, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return decide_cost(db, actor, cost_id, approve=body.approve, reason=body.reason)


@router.get("/partners")
def partners(
    actor: CurrentActor, db: Db, service: str | None = None, prefecture: str | None = None
) -> list[dict[str, Any]]:
    return list_partners(db, actor, service, prefecture)


@router.post("/partners", status_code=201)
def partner_register(
    body: PartnerIn, actor: CurrentActor, db: Db, settings: AppSettings
) -> dict[str, Any]:
    outbound = OutboundPolicy.from_settings(settings)  # the webhook URL's rule
    return register_partner(db, actor, **body.model_dump(), outbound=outbound)


@router.put("/incidents/{incident_id}/hearing")
def hearing(incident_id: int, body: dict[str, Any], actor: CurrentActor, db: Db) -> dict[str, Any]:
    return record_hearing(db, actor, incident_id, body)


@router.post("/incidents/{incident_id}/advice")
def advise(incident_id: int, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return give_advice(db, actor, incident_id)


@router.get("/incidents/{incident_id}/deadlines")
def deadlines(incident_id: int, actor: CurrentActor, db: Db) -> list[dict[str, Any]]:
    return list_deadlines(db, actor, incident_id)


@router.post("/deadlines/{deadline_id}/done")
def deadline_done(deadline_id: int, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return complete_deadline(db, actor, deadline_id)
