"""The application factory: ``create_app(settings)`` builds everything; nothing at import."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from cybercover import __version__
from cybercover.api.limits import JsonLimits
from cybercover.api.problems import install_problem_handlers
from cybercover.api.routers import (
    audit,
    auth,
    billing,
    claims,
    companies,
    documents,
    incidents,
    organisations,
    policies,
    rating,
    risk,
    submissions,
    users,
)
from cybercover.api.security import install_security
from cybercover.logging import install_redaction
from cybercover.services.token_cache import TokenCache
from cybercover.services.uow import Clock, Database
from cybercover.settings import Settings
from cybercover.storage.auth_notify import AuthListener
from cybercover.storage.db import make_engine
from cybercover.storage.migrate import migrate
from cybercover.terms.kernel import configure_kernel_dir
from cybercover.web import install_pages

__all__ = ["RequestId", "create_app"]

_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")  # echoed back: no odd bytes


def _utcnow() -> datetime:
    return datetime.now(UTC)


class RequestId:
    """Echo the caller's ``X-Request-ID`` (or a new one) on every answer and keep it in
    ``request.state.request_id``. Pure ASGI: ``@app.middleware("http")`` would run each
    request in a task of its own behind memory streams, measurably slower under load."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = Headers(scope=scope).get("x-request-id", "")
        request_id = sent if _REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        await self.app(scope, receive, send_with_id)


def create_app(
    settings: Settings, *, clock: Clock | None = None, migrate_db: bool = True
) -> FastAPI:
    install_redaction()  # no personal data or secret in any log line (cybercover/logging.py)
    configure_kernel_dir(settings.kernel_dir)  # checked when a risk run first needs it
    engine = make_engine(settings.database_url)
    if migrate_db:
        migrate(engine)
    db = Database(engine=engine, clock=clock or _utcnow)
    cache = TokenCache(settings.token_cache_seconds)
    db.on_auth_change.append(cache.clear)  # this worker refuses a revoked token at once

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # the token cache answers only while this listener hears PostgreSQL's
        # notifications; on SQLite (or with the cache set to 0 s) it never answers
        listener = None
        if engine.dialect.name == "postgresql" and cache.ttl_s > 0:
            listener = AuthListener(engine, cache)
            listener.start()
        app.state.auth_listener = listener
        try:
            yield
        finally:
            if listener is not None:
                listener.stop()

    app = FastAPI(
        title="cybercover",
        version=__version__,
        description="サイバー保険プログラムのAPI / API of the cyber insurance programme",
        docs_url="/docs",
        openapi_url="/api/v1/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.token_cache = cache
    app.state.auth_listener = None
    install_problem_handlers(app)
    # every body but an upload: at most max_json_bytes (413), max_json_depth deep (400)
    app.add_middleware(
        JsonLimits, max_bytes=settings.max_json_bytes, max_depth=settings.max_json_depth
    )
    install_security(app, settings)  # headers, 429 on login floods, 503 when the DB is down

    app.add_middleware(RequestId)
    # outermost: the client address and scheme from X-Forwarded-For/-Proto, believed only
    # from settings.trusted_proxies (none by default; `serve` turns uvicorn's own off)
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)

    @app.get("/healthz", include_in_schema=False)
    def _health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    for router in (
        auth.router,
        users.router,
        organisations.router,
        companies.router,
        submissions.router,
        policies.router,
        billing.router,
        incidents.router,
        claims.router,
        documents.router,
        rating.router,
        risk.router,
        audit.router,
    ):
        app.include_router(router, prefix="/api/v1")
    install_pages(app)  # the pages (issue #7): HTML over the same services
    return app
