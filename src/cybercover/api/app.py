"""The application factory: ``create_app(settings)`` builds everything; nothing at import."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from fastapi import FastAPI, Request, Response

from cybercover import __version__
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
from cybercover.services.uow import Clock, Database
from cybercover.settings import Settings
from cybercover.storage.db import make_engine
from cybercover.storage.migrate import migrate
from cybercover.web import install_pages

__all__ = ["create_app"]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: Settings, *, clock: Clock | None = None, migrate_db: bool = True
) -> FastAPI:
    install_redaction()  # no personal data or secret in any log line (cybercover/logging.py)
    engine = make_engine(settings.database_url)
    if migrate_db:
        migrate(engine)
    app = FastAPI(
        title="cybercover",
        version=__version__,
        description="サイバー保険プログラムのAPI / API of the cyber insurance programme",
        docs_url="/docs",
        openapi_url="/api/v1/openapi.json",
    )
    app.state.settings = settings
    app.state.db = Database(engine=engine, clock=clock or _utcnow)
    install_problem_handlers(app)
    install_security(app, settings)  # headers, 429 on login floods, 503 when the DB is down

    @app.middleware("http")
    async def _request_id(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request.state.request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        response = await call_next(request)
        response.headers["X-Request-ID"] = request.state.request_id
        return response

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
