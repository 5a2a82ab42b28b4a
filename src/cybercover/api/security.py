"""Security plumbing of the web app: response headers, the login limit's 429 and a clean
503 when the database cannot be reached (docs/operations.md).

- Every response carries ``X-Content-Type-Options``, ``X-Frame-Options``,
  ``Referrer-Policy`` and a ``Content-Security-Policy`` that lets pages load scripts,
  styles, images, fonts and HTMX requests from this origin only (no inline script, no
  ``eval``); the Swagger UI at ``/docs`` alone may load its bundle from its CDN.
- In production, ``Strict-Transport-Security`` tells browsers to use HTTPS only.
- ``Cache-Control: no-store`` on everything but static assets: API answers and pages
  carry personal data (names, contacts, My Number flags) that no cache may keep.
- A database that is down or restarting gives ``503`` problem JSON with ``Retry-After``,
  never a traceback; a retry once it is back succeeds (a dead connection invalidates the
  pool, storage/db.py).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cybercover.api.problems import problem
from cybercover.services.people import TooManyLoginFailures
from cybercover.settings import Settings

__all__ = ["CSP", "DOCS_CSP", "SecurityHeaders", "install_security"]

log = logging.getLogger("cybercover.api")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)
# FastAPI's Swagger UI page: its bundle from jsDelivr and one inline start-up script
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "img-src 'self' data: https://fastapi.tiangolo.com; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)
HSTS = "max-age=63072000; includeSubDomains"
DB_RETRY_AFTER = 5  # seconds: a PostgreSQL restart takes about one to three


class SecurityHeaders:
    """Pure ASGI middleware (no per-request task, unlike ``BaseHTTPMiddleware``)."""

    def __init__(self, app: ASGIApp, *, production: bool) -> None:
        self.app = app
        self.production = production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        csp = DOCS_CSP if path.startswith("/docs") else CSP
        cacheable = path.startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _OURS]
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                    (b"content-security-policy", csp.encode()),
                ]
                if not cacheable:
                    headers.append((b"cache-control", b"no-store"))
                if self.production:
                    headers.append((b"strict-transport-security", HSTS.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


_OURS = frozenset(
    {
        b"x-content-type-options",
        b"x-frame-options",
        b"referrer-policy",
        b"content-security-policy",
        b"strict-transport-security",
    }
)


def _database_unavailable(exc: Exception) -> bool:
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeout):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def install_security(app: FastAPI, settings: Settings) -> None:
    """Add the headers middleware and the 429 and 503 problem handlers to ``app``."""
    app.add_middleware(SecurityHeaders, production=settings.environment == "production")

    @app.exception_handler(TooManyLoginFailures)
    async def _too_many(_: Request, exc: TooManyLoginFailures) -> JSONResponse:
        response = problem(
            429,
            "too-many-login-failures",
            "ログインの失敗が多すぎます / Too many failed logins",
            f"しばらくしてから再度お試しください / try again in {exc.retry_after} seconds",
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _out_of_range(request: Request, exc: Exception) -> JSONResponse:
        return _out_of_range_problem(request)

    @app.exception_handler(DBAPIError)
    async def _db_error(request: Request, exc: DBAPIError) -> JSONResponse:
        if not _database_unavailable(exc):
            raise exc
        # one line, no traceback and no SQL (its parameters may be personal data)
        log.warning(
            "database unavailable (%s) on %s %s",
            type(exc.orig).__name__ if exc.orig is not None else type(exc).__name__,
            request.method,
            request.url.path,
        )
        return _unavailable()

    @app.exception_handler(PoolTimeout)
    async def _pool_timeout(request: Request, _: PoolTimeout) -> JSONResponse:
        log.warning("database pool exhausted on %s %s", request.method, request.url.path)
        return _unavailable()


# the largest value a stored integer takes (BIGINT); ids are smaller still
_MAX_STORED = 2**63 - 1
_MAX_ID = 2**31 - 1


def _out_of_range_problem(request: Request) -> JSONResponse:
    """A value the database cannot hold (found by tests/security/test_schemathesis.py:
    ``GET /companies/9223372036854775808`` was a 500): an id in the path that no row can
    have is *not found*; any other number too large or text too long is bad input."""
    for name, raw in request.path_params.items():
        try:
            value = int(raw)
        except (TypeError, ValueError):
            continue
        if not -_MAX_ID <= value <= _MAX_ID:
            return problem(404, "not-found", "見つかりません / Not found", f"{name} not found")
    en = f"a value is too large (at most {_MAX_STORED:,}) or too long to be stored"
    return problem(
        422,
        "invalid-input",
        "入力内容に誤りがあります / Invalid input",
        en,
        errors=[
            {
                "field": "",
                "rule": "out_of_range",
                "ja": f"値が大きすぎるか長すぎます（数値は{_MAX_STORED:,}以下）",
                "en": en,
            }
        ],
    )


def _unavailable() -> JSONResponse:
    response = problem(
        503,
        "database-unavailable",
        "一時的に処理できません / Service temporarily unavailable",
        "データベースに接続できません。少し待って再度お試しください / "
        "the database cannot be reached; please retry shortly",
    )
    response.headers["Retry-After"] = str(DB_RETRY_AFTER)
    return response
