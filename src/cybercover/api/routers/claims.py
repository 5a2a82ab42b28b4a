"""Claims: open, loss items, adjudication worksheet, reserves, payments and approvals."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Response, UploadFile
from pydantic import AwareDatetime, BaseModel, Field

from cybercover.api.deps import AppSettings, CurrentActor, Db
from cybercover.services.claims import (
    add_loss_item,
    add_profit_loss_item,
    adjudicate_claim,
    approve_payment,
    attach_document,
    complete_documents,
    get_claim,
    open_claim,
    record_recovery,
    request_payment,
    set_reserve,
)
from cybercover.services.reports import bordereau_csv, loss_ratio

router = APIRouter(tags=["claims"])


class ClaimIn(BaseModel):
    policy_id: int | None = None
    incident_id: int | None = None
    accident_at: AwareDatetime | None = None
    outage_hours: str | int | float | None = None
    causes: list[str] = []
    act_at: AwareDatetime | None = None
    claim_made_at: AwareDatetime | None = None
    grounds: str = Field(default="", max_length=2000)
    outages: list[tuple[AwareDatetime, AwareDatetime]] | None = None


class ItemIn(BaseModel):
    coverage: str
    category: str = Field(max_length=48)
    description: str = Field(default="", max_length=500)
    amount: int | None = None
    fx: dict[str, Any] | None = None
    victims: int | None = None
    victim_companies: int | None = None
    consent: bool = False


class ReserveIn(BaseModel):
    coverage: str
    amount: int
    reason: str = Field(max_length=500)


class RecoveryIn(BaseModel):
    amount: int
    from_party: str = Field(max_length=200)
    note: str = Field(default="", max_length=500)


class PaymentIn(BaseModel):
    idempotency_key: str = Field(max_length=100)


@router.post("/claims", status_code=201)
def open_(body: ClaimIn, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return open_claim(db, actor, **body.model_dump())


@router.get("/claims/{claim_id}")
def read(claim_id: int, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return get_claim(db, actor, claim_id)


@router.post("/claims/{claim_id}/items", status_code=201)
def item(claim_id: int, body: ItemIn, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return add_loss_item(db, actor, claim_id, **body.model_dump())


@router.post("/claims/{claim_id}/adjudications", status_code=201)
def adjudication(claim_id: int, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return adjudicate_claim(db, actor, claim_id)


@router.post("/claims/{claim_id}/reserves", status_code=201)
def reserve(claim_id: int, body: ReserveIn, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return set_reserve(db, actor, claim_id, **body.model_dump())


@router.post("/claims/{claim_id}/payments", status_code=201)
def payment(claim_id: int, body: PaymentIn, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return request_payment(db, actor, claim_id, idempotency_key=body.idempotency_key)


@router.post("/payments/{payment_id}/approval")
def approval(payment_id: int, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return approve_payment(db, actor, payment_id)


@router.post("/claims/{claim_id}/profit-loss", status_code=201)
def profit_loss(claim_id: int, body: dict[str, Any], actor: CurrentActor, db: Db) -> dict[str, Any]:
    return add_profit_loss_item(db, actor, claim_id, body)


@router.get("/reports/bordereau.csv")
def bordereau(actor: CurrentActor, db: Db) -> Response:
    return Response(bordereau_csv(db, actor), media_type="text/csv; charset=utf-8")


@router.get("/reports/loss-ratio")
def ratio(at: AwareDatetime, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return loss_ratio(db, actor, at)


@router.post("/claims/{claim_id}/documents-complete")
def documents_complete(claim_id: int, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return complete_documents(db, actor, claim_id)


@router.post("/claims/{claim_id}/recoveries", status_code=201)
def recovery(claim_id: int, body: RecoveryIn, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return record_recovery(db, actor, claim_id, **body.model_dump())


@router.post("/claims/{claim_id}/documents", status_code=201)
def document(
    claim_id: int,
    actor: CurrentActor,
    db: Db,
    settings: AppSettings,
    file: Annotated[UploadFile, File()],
) -> dict[str, Any]:
    data = file.file.read(settings.max_upload_bytes + 1)  # spooled already; a plain def
    return attach_document(
        db,
        actor,
        claim_id,
        filename=file.filename or "document",
        content_type=file.content_type or "",
        data=data,
        max_bytes=settings.max_upload_bytes,
    )
