"""Log in (page session with CSRF token), log out, and bearer tokens for the API: issue,
list one's own, revoke."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from cybercover.api.deps import SESSION_COOKIE, AppSettings, CurrentActor, Db, client_address
from cybercover.edge import open_session
from cybercover.errors import AuthenticationError
from cybercover.services.people import (
    authenticate_login,
    end_session,
    issue_api_token,
    list_api_tokens,
    revoke_api_token,
)

router = APIRouter(prefix="/auth", tags=["auth"])


class Credentials(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)


class TokenCreate(Credentials):
    name: str = Field(default="api", max_length=100)


class SessionRead(BaseModel):
    csrf_token: str


class TokenRead(BaseModel):
    token: str
    token_type: str = "bearer"


class TokenInfo(BaseModel):
    id: int
    user_id: int
    name: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


@router.post("/login", response_model=SessionRead)
def login(
    body: Credentials, request: Request, db: Db, settings: AppSettings, response: Response
) -> SessionRead:
    return SessionRead(
        csrf_token=open_session(response, request, db, settings, body.email, body.password)
    )


@router.post("/logout", status_code=204)
def logout(request: Request, actor: CurrentActor, db: Db, response: Response) -> None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie is None:
        raise AuthenticationError("no session")
    end_session(db, cookie)
    response.delete_cookie(SESSION_COOKIE)


@router.post("/tokens", response_model=TokenRead, status_code=201)
def create_token(body: TokenCreate, request: Request, db: Db, settings: AppSettings) -> TokenRead:
    actor = authenticate_login(db, body.email, body.password, client=client_address(request))
    return TokenRead(token=issue_api_token(db, actor, name=body.name, days=settings.api_token_days))


@router.get("/tokens", response_model=list[TokenInfo])
def tokens(actor: CurrentActor, db: Db) -> list[dict[str, object]]:
    """The caller's own tokens (names and dates; the tokens themselves are never kept)."""
    return list_api_tokens(db, actor)


@router.delete("/tokens/current", status_code=204)
def revoke_current(request: Request, actor: CurrentActor, db: Db) -> None:
    """Revoke the bearer token of this request (log out of the API)."""
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        raise AuthenticationError("no bearer token")
    revoke_api_token(db, actor, token=header[7:].strip())


@router.delete("/tokens/{token_id}", status_code=204)
def revoke(token_id: int, actor: CurrentActor, db: Db) -> None:
    """Revoke one of the caller's tokens (an administrator: anyone's)."""
    revoke_api_token(db, actor, token_id)
