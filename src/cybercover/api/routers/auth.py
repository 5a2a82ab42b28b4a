"""Log in (page session with CSRF token), log out, and bearer tokens for the API."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from cybercover.api.deps import SESSION_COOKIE, AppSettings, CurrentActor, Db, client_address
from cybercover.errors import AuthenticationError
from cybercover.services.people import (
    authenticate_login,
    end_session,
    issue_api_token,
    start_session,
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


@router.post("/login", response_model=SessionRead)
def login(
    body: Credentials, request: Request, db: Db, settings: AppSettings, response: Response
) -> SessionRead:
    token, csrf = start_session(
        db, body.email, body.password, hours=settings.session_hours, client=client_address(request)
    )
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.environment == "production",
    )
    return SessionRead(csrf_token=csrf)


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
