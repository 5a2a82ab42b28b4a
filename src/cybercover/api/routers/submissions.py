"""Submissions: application and disclosure, documents, underwriting, quotes, pre-bind."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile
from pydantic import BaseModel, Field

from cybercover.api.deps import AppSettings, CurrentActor, Db
from cybercover.services.submissions import (
    create_submission,
    decide_issue,
    get_quote,
    get_submission,
    list_submissions,
    quote_submission,
    record_prebind,
    referral_queue,
    renew_policy,
    update_submission,
    upload_document,
)

router = APIRouter(tags=["submissions"])


class SubmissionCreate(BaseModel):
    company_id: int
    start_date: date
    agency_id: int | None = None


class SubmissionUpdate(BaseModel):
    disclosure: dict[str, Any] | None = None
    isms: dict[str, Any] | None = None
    start_date: date | None = None


class QuoteRequest(BaseModel):
    options: list[dict[str, Any]] = Field(min_length=1, max_length=10)


class PreBindIn(BaseModel):
    kind: str = Field(examples=["important_matters"])
    result: str = Field(examples=["explained"])
    note: str | None = Field(default=None, max_length=500)


@router.get("/submissions")
def submissions(actor: CurrentActor, db: Db, status: str | None = None) -> list[dict[str, Any]]:
    return list_submissions(db, actor, status)


@router.post("/submissions", status_code=201)
def create(body: SubmissionCreate, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return create_submission(
        db, actor, company_id=body.company_id, start_date=body.start_date, agency_id=body.agency_id
    )


@router.get("/submissions/{submission_id}")
def read(submission_id: int, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return get_submission(db, actor, submission_id)


@router.patch("/submissions/{submission_id}")
def update(
    submission_id: int, body: SubmissionUpdate, actor: CurrentActor, db: Db
) -> dict[str, Any]:
    return update_submission(
        db,
        actor,
        submission_id,
        disclosure=body.disclosure,
        isms=body.isms,
        start_date=body.start_date,
    )


@router.post("/submissions/{submission_id}/documents", status_code=201)
def upload(
    submission_id: int,
    actor: CurrentActor,
    db: Db,
    settings: AppSettings,
    kind: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
) -> dict[str, Any]:
    data = file.file.read(settings.max_upload_bytes + 1)  # spooled already; a plain def
    return upload_document(
        db,
        actor,
        submission_id,
        kind=kind,
        filename=file.filename or "upload",
        content_type=file.content_type or "",
        data=data,
        max_bytes=settings.max_upload_bytes,
    )


@router.post("/submissions/{submission_id}/quotes", status_code=201)
def quote(submission_id: int, body: QuoteRequest, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return quote_submission(db, actor, submission_id, body.options)


@router.post("/submissions/{submission_id}/prebind")
def prebind(submission_id: int, body: PreBindIn, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return record_prebind(
        db, actor, submission_id, kind=body.kind, result=body.result, note=body.note
    )


@router.get("/underwriting-issues/queue")
def queue(actor: CurrentActor, db: Db) -> list[dict[str, Any]]:
    """The underwriter's referral queue (the `/underwriting` page): submissions with an
    issue still open, oldest first, then endorsements to apply with an issue open."""
    return referral_queue(db, actor)


@router.post("/underwriting-issues/{issue_id}/decision")
def decide(issue_id: int, body: dict[str, Any], actor: CurrentActor, db: Db) -> dict[str, Any]:
    return decide_issue(db, actor, issue_id, body)


@router.post("/policies/{policy_id}/renewal", status_code=201)
def renew(policy_id: int, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return renew_policy(db, actor, policy_id)


@router.get("/quotes/{quote_id}")
def quote_read(quote_id: int, actor: CurrentActor, db: Db) -> dict[str, Any]:
    return get_quote(db, actor, quote_id)
