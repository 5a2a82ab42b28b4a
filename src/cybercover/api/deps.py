"""Request dependencies: the database, the current actor (bearer token or session + CSRF)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from cybercover.edge import (
    CSRF_HEADER,
    SAFE_METHODS,
    SESSION_COOKIE,
    AppSettings,
    Db,
    check_csrf,
    client_address,
    get_db,
    get_settings,
)
from cybercover.errors import AuthenticationError
from cybercover.services.authz import Actor
from cybercover.services.people import actor_from_session, actor_from_token, token_digest
from cybercover.services.token_cache import TokenCache

# the shared edge (cybercover/edge.py), re-exported for the routers
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
    "get_settings",
]


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


CurrentActor = Annotated[Actor, Depends(current_actor)]
