"""The HTTP edge the API and the pages share: the database and settings of a request,
the session cookie and its CSRF check, the client's address, opening a page session,
parsing the plain query parameters both take, and the one mapping of the exception
tree to HTTP. Neither adapter imports the other (pyproject.toml
``[tool.importlinter]``): what both need lives here."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response

from cybercover.errors import (
    AuthenticationError,
    AuthorityError,
    ConflictError,
    CybercoverError,
    ForbiddenError,
    InputError,
    NotFoundError,
    Problem,
)
from cybercover.services.people import start_session
from cybercover.services.uow import Database
from cybercover.settings import Settings

__all__ = [
    "CSRF_HEADER",
    "SAFE_METHODS",
    "SESSION_COOKIE",
    "Answer",
    "AppSettings",
    "Db",
    "answer_for",
    "check_csrf",
    "client_address",
    "get_db",
    "get_settings",
    "open_session",
    "parse_month",
]

SESSION_COOKIE = "cc_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# These two are ``async`` though they wait for nothing: FastAPI runs a plain ``def``
# dependency in the thread pool, a hop that cost about 7 % of a worker's CPU per request
# (bench/README.md, "The token cache").
async def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def client_address(request: Request) -> str | None:
    """The address of the client: the peer that connected, or, when that peer is one of
    ``CYBERCOVER_TRUSTED_PROXIES``, the right-most address of ``X-Forwarded-For`` that is
    not (``create_app`` installs the middleware; uvicorn's own is off, docs/operations.md).
    A caller cannot name its own address: the login limit counts this one."""
    return request.client.host if request.client else None


Db = Annotated[Database, Depends(get_db)]
AppSettings = Annotated[Settings, Depends(get_settings)]


def check_csrf(sent: object, expected: str) -> None:
    """The one CSRF check of a session's unsafe request, for the API and the pages alike:
    the token sent (header or form field) must be the session's, compared in constant
    time."""
    if not isinstance(sent, str) or not secrets.compare_digest(sent, expected):
        raise ForbiddenError(
            "csrf", ja="CSRFトークンが一致しません", en="CSRF token missing or wrong"
        )


def open_session(
    response: Response,
    request: Request,
    db: Database,
    settings: Settings,
    email: str,
    password: str,
) -> str:
    """Sign in with a password and set the session cookie on ``response`` (the API's
    ``POST /auth/login`` and the login page); returns the session's CSRF token."""
    token, csrf = start_session(
        db, email, password, hours=settings.session_hours, client=client_address(request)
    )
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.environment == "production",
    )
    return csrf


def parse_month(text: str) -> tuple[int, int]:
    """A month given as ``YYYY-MM``."""
    year, _, month = text.partition("-")
    if not (len(year) == 4 and year.isdigit() and month.isdigit() and 1 <= int(month) <= 12):
        raise InputError(
            [Problem("month", "month_format", "YYYY-MM で指定してください", "must be YYYY-MM")]
        )
    return int(year), int(month)


@dataclass(frozen=True, slots=True)
class Answer:
    """How an error of the exception tree is answered over HTTP."""

    status: int
    kind: str  # the problem type: /problems/<kind>
    title: str


def answer_for(exc: CybercoverError) -> Answer:
    """The one mapping of the exception tree to HTTP, for the API's problem JSON
    (``api/problems.py``) and the pages' error pages (``web/setup.py``)."""
    if isinstance(exc, InputError):
        return Answer(422, "invalid-input", "入力内容に誤りがあります / Invalid input")
    if isinstance(exc, NotFoundError):
        return Answer(404, "not-found", "見つかりません / Not found")
    if isinstance(exc, AuthorityError):  # the step is the role's; the amount is not
        return Answer(403, "insufficient-authority", "権限の範囲外です / Above your authority")
    if isinstance(exc, ForbiddenError):
        return Answer(403, "forbidden", "権限がありません / Forbidden")
    if isinstance(exc, AuthenticationError):
        return Answer(401, "unauthenticated", "認証が必要です / Authentication required")
    if isinstance(exc, ConflictError):
        return Answer(409, exc.rule, "処理できない状態です / Conflict")
    raise TypeError(f"no HTTP answer for {type(exc).__name__}")
