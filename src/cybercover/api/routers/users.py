"""Users: who am I, and (admins) list, create, deactivate and reactivate."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from cybercover.api.deps import CurrentActor, Db
from cybercover.services.people import create_user, get_me, list_users, set_user_active

router = APIRouter(prefix="/users", tags=["users"])


class UserCreate(BaseModel):
    organisation_id: int
    email: str = Field(max_length=254)
    display_name: str = Field(max_length=200)
    role: str
    password: str = Field(max_length=1024)
    payment_authority: int | None = None
    underwriting_authority: int = 0


@router.get("/me")
def me(actor: CurrentActor, db: Db) -> dict[str, Any]:
    return get_me(db, actor)


@router.get("")
def users(actor: CurrentActor, db: Db) -> list[dict[str, Any]]:
    return list_users(db, actor)


@router.post("", status_code=201)
def create(body: UserCreate, actor: CurrentActor, db: Db) -> dict[str, int]:
    return {"id": create_user(db, actor, **body.model_dump())}


@router.post("/{user_id}/deactivate")
def deactivate(user_id: int, actor: CurrentActor, db: Db) -> dict[str, Any]:
    """End the user's access: no login, every token revoked, every page session ended."""
    return set_user_active(db, actor, user_id, active=False)


@router.post("/{user_id}/activate")
def activate(user_id: int, actor: CurrentActor, db: Db) -> dict[str, Any]:
    """Let the user log in again (their old tokens stay revoked)."""
    return set_user_active(db, actor, user_id, active=True)
