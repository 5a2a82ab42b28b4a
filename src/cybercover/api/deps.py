"""Request dependencies: the database, the current actor (bearer token or session + CSRF)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from cybercover.errors import AuthenticationError, ForbiddenError
from cybercover.services.authz import Actor
from cybercover.services.people import actor_from_session, actor_from_token, token_digest
from cybercover.services.token_cache import TokenCache
from cybercover.services.uow import Database
from cybercover.settings import Settings

__all__ = [
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "AppSettings",
    "CurrentActor",
    "Db",
    "check_csrf",
    "client_address",
    "current_actor",
    "get_db",
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


async def current_actor(request: Request, db: Db) -> Actor:
    """Bearer token for the API; otherwise the session cookie, whose unsafe requests must
    echo the session's CSRF token in ``X-CSRF-Token`` (or a ``csrf_token`` form field).

    The look-up runs in the thread pool: a database round trip on the event loop would
    stall every other request of this worker while it waits (bench/README.md, load). A
    bearer token the worker's cache knows is answered without it."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
        cache: TokenCache = request.app.state.token_cache
        cached = cache.get(token_digest(token), db.clock())  # services/token_cache.py
        if cached is not None:
            return cached
        return await run_in_threadpool(actor_from_token, db, token, cache)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise AuthenticationError("no credentials")
    actor, csrf = await run_in_threadpool(actor_from_session, db, cookie)
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER)
        if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            form = await request.form()
            value = form.get("csrf_token")
            sent = value if isinstance(value, str) else None
        check_csrf(sent, csrf)
    return actor


def check_csrf(sent: object, expected: str) -> None:
    """The one CSRF check of a session's unsafe request, for the API and the pages alike:
    the token sent (header or form field) must be the session's, compared in constant
    time."""
    if not isinstance(sent, str) or not secrets.compare_digest(sent, expected):
        raise ForbiddenError(
            "csrf", ja="CSRFトークンが一致しません", en="CSRF token missing or wrong"
        )


CurrentActor = Annotated[Actor, Depends(current_actor)]
