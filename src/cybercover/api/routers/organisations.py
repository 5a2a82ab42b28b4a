"""Organisations: insured companies, agencies, the insurer, the desk, partner firms."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from cybercover.api.deps import CurrentActor, Db
from cybercover.services.people import create_organisation, list_organisations

router = APIRouter(prefix="/organisations", tags=["organisations"])


class OrganisationCreate(BaseModel):
    kind: str
    code: str = Field(max_length=64)
    name: str = Field(max_length=200)


@router.get("")
def organisations(actor: CurrentActor, db: Db, kind: str | None = None) -> list[dict[str, Any]]:
    return list_organisations(db, actor, kind)


@router.post("", status_code=201)
def create(body: OrganisationCreate, actor: CurrentActor, db: Db) -> dict[str, int]:
    return {"id": create_organisation(db, actor, **body.model_dump())}
