"""Claims: open, loss items, adjudication worksheet, reserves, payments and approvals."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Response, UploadFile
from pydantic import AwareDatetime, BaseModel, Field

from cybercover.api.deps import AppSettings, CurrentActor, Db
from cybercover.api.routers.documents import PDF, LangQuery, _pdf
from cybercover.services.claim_lifecycle import (
    claim_transactions,
    close_claim,
    denial_letter_pdf,
    deny_claim,
    reopen_claim,
)
from cybercover.services.claims import (
    add_loss_item,
    add_profit_loss_item,
    adjudicate_claim,
    approve_payment,
    attach_document,
    complete_documents,
    correct_loss_item,
    get_claim,
    give_circumstance_notice,
    limits_left,
    list_claims,
    open_claim,
    record_recovery,
    request_payment,
    set_reserve,
    undo_payment,
)
from cybercover.services.documents import parse_lang
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
    circumstance_notice_id: int | None = None
    known_at: AwareDatetime | None = None


class NoticeIn(BaseModel):
    description: str = Field(max_length=2000)
    given_at: AwareDatetime | None = None


class ItemIn(BaseModel):
    coverage: str
    category: str = Field(max_length=48)
    description: str = Field(default="", max_length=500)
    amount: int | None = None
    fx: dict[str, Any] | None = None
    victims: int | None = None
    victim_companies: int | None = None
    consent: bool = False
    claim_made_at: AwareDatetime | None = None
    act_at: AwareDatetime | None = None


class ReserveIn(BaseModel):
    coverage: str
    amount: int
    reason: str = Field(max_length=500)


class RecoveryIn(BaseModel):
    amount: int
    from_party: str = Field(max_length=200)
    note: str = Field(default="", max_length=500)


class PaymentIn(BaseModel):
    """A payment request: part, cost head (optional), payee and amount (issue #17)."""

    idempotency_key: str = Field(max_length=100)
    coverage: str = Field(max_length=32)
    amount: int
    payee_kind: str = Field(max_length=16)
    payee_name: str = Field(default="", max_length=200)
    head: str | None = Field(default=None, max_length=48)
    payee_organisation_id: int | None = None
    lien_basis: str | None = Field(default=None, max_length=32)


class DecisionIn(BaseModel):
    approve: bool = True
    reason: str = Field(default="", max_length=500)


class ReasonIn(BaseModel):
    reason: str = Field(max_length=500)


class CorrectionIn(BaseModel):
    reason: str = Field(max_length=500)
    withdraw: bool = False
    amount: int | None = None
    fx: dict[str, Any] | None = None
    description: str | None = Field(default=None, max_length=500)


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
    return request_payment(db, actor, claim_id, **body.model_dump())


@router.post("/payments/{payment_id}/approval")
def approval(
    payment_id: int, actor: CurrentActor, db: Db, body: DecisionIn | None = None
) -> dict[str, Any]:
    """Approve exactly the requested amount, or reject it with a reason."""
    decision = body or DecisionIn()
    return approve_payment(db, actor, payment_id, approve=decision.approve, reason=decision.reason)


@router.post("/payments/{payment_id}/undo")
def undo(payment_id: int, body: ReasonIn, actor: CurrentActor, db: Db) -> dict[str, Any]:
    """Void a payment awaiting approval, or reverse a released one, with a reason."""
    return undo_payment(db, actor, payment_id, reason=body.reason)


@router.post("/loss-items/{item_id}/correction")
def correction(item_id: int, body: CorrectionIn, actor: CurrentActor, db: Db) -> dict[str, Any]:
    """Amend (a new amount or foreign amount and rate) or withdraw a loss item."""
    return correct_loss_item(db, actor, item_id, **body.model_dump())


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


# -- the claim lifecycle (issue #17, rule 7): services/claim_lifecycle.py ----------------


class DenialIn(BaseModel):
    """A denial's grounds: shown to the insured and printed on its letter, except the
    internal note (the insurer's staff only)."""

    reason_code: str = Field(max_length=64)
    clause: str = Field(max_length=200)
    reason_ja: str = Field(max_length=1000)
    reason_en: str = Field(max_length=1000)
    internal_note: str = Field(default="", max_length=1000)


@router.get("/claims")
def claims(
    actor: CurrentActor,
    db: Db,
    status: str | None = None,
    policy_id: int | None = None,
    handler_id: int | None = None,
) -> list[dict[str, Any]]:
    """The claims the caller may read, newest first; by status, policy and handler (who
    opened the claim: claims staff only)."""
    return list_claims(db, actor, status=status, policy_id=policy_id, handler_id=handler_id)


@router.post("/claims/{claim_id}/close")
def close(claim_id: int, body: ReasonIn, actor: CurrentActor, db: Db) -> dict[str, Any]:
    """Close the claim, with a reason: no more items or payments until reopened."""
    return close_claim(db, actor, claim_id, reason=body.reason)


@router.post("/claims/{claim_id}/deny")
def deny(claim_id: int, body: DenialIn, actor: CurrentActor, db: Db) -> dict[str, Any]:
    """Deny the claim with a reason code, the clause and the reason (ja, en)."""
    return deny_claim(db, actor, claim_id, **body.model_dump())


@router.post("/claims/{claim_id}/reopen")
def reopen(claim_id: int, body: ReasonIn, actor: CurrentActor, db: Db) -> dict[str, Any]:
    """Reopen a closed or denied claim, with a reason."""
    return reopen_claim(db, actor, claim_id, reason=body.reason)


@router.get("/claims/{claim_id}/transactions")
def transactions(claim_id: int, actor: CurrentActor, db: Db) -> list[dict[str, Any]]:
    """The claim's payments, reserves (claims staff only), recoveries and status changes
    in order."""
    return claim_transactions(db, actor, claim_id)


@router.get("/claims/{claim_id}/denial-letter.pdf", responses=PDF)
def denial_letter(claim_id: int, actor: CurrentActor, db: Db, lang: LangQuery = "ja") -> Response:
    """保険金をお支払いできない旨のご通知 / denial letter (404 unless the claim is denied)."""
    return _pdf(denial_letter_pdf(db, actor, claim_id, parse_lang(lang)))


@router.get("/policies/{policy_id}/limits")
def limits(policy_id: int, actor: CurrentActor, db: Db) -> dict[str, Any]:
    """What is left of every limit of the policy's current terms after the period's one
    ledger: paid, committed (payments awaiting approval, partner costs), left."""
    return limits_left(db, actor, policy_id)


@router.post("/policies/{policy_id}/circumstance-notices", status_code=201)
def notice(policy_id: int, body: NoticeIn, actor: CurrentActor, db: Db) -> dict[str, Any]:
    """Record a notice of circumstances given under a claims-made policy: a later claim
    from them belongs to this policy (``circumstance_notice_id`` when it is opened)."""
    return give_circumstance_notice(
        db, actor, policy_id, description=body.description, given_at=body.given_at
    )
