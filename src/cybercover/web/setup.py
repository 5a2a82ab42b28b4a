"""Mount the pages on the API's app: static files, page routes, HTML error pages.

The API keeps its problem JSON; a request for a page (any path outside ``/api/`` and
``/docs``) gets an HTML page instead: 404 and 403 pages that say nothing of the object,
and the login form when the session is missing or expired.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from cybercover.edge import answer_for
from cybercover.errors import (
    AuthenticationError,
    ConflictError,
    CybercoverError,
    ForbiddenError,
    InputError,
    NotFoundError,
)
from cybercover.web import (
    pages_admin,
    pages_auth,
    pages_claims,
    pages_desk,
    pages_policy,
    pages_risk,
)
from cybercover.web.common import LoginRequired, form_problems, render

__all__ = ["install_pages"]

Handler = Callable[[Request, Any], Response | Awaitable[Response]]


def _is_page(request: Request) -> bool:
    return not request.url.path.startswith(("/api/", "/docs", "/healthz"))


def _login(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


async def _page_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, LoginRequired | AuthenticationError):
        return _login(request)
    assert isinstance(exc, CybercoverError)  # the kinds install_pages hands here
    status = answer_for(exc).status  # the one mapping (cybercover/edge.py)
    if isinstance(exc, NotFoundError | ForbiddenError):  # nothing said of the object
        return render(request, "error.html", {"status": status}, status=status)
    assert isinstance(exc, InputError | ConflictError)
    return render(
        request, "error.html", {"status": status}, status=status, problems=form_problems(exc)
    )


def install_pages(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    for module in (pages_auth, pages_policy, pages_desk, pages_claims, pages_admin, pages_risk):
        app.include_router(module.router, include_in_schema=False)
    for kind in (
        LoginRequired,
        AuthenticationError,
        NotFoundError,
        ForbiddenError,
        InputError,
        ConflictError,
    ):
        previous = app.exception_handlers.get(kind)
        app.add_exception_handler(kind, _either(previous))


def _either(previous: Handler | None) -> Handler:
    async def handle(request: Request, exc: Exception) -> Response:
        if _is_page(request) or previous is None:
            return await _page_error(request, exc)
        answer = previous(request, exc)
        return await answer if inspect.isawaitable(answer) else answer

    return handle
