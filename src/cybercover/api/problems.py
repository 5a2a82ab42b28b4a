"""Map the exception tree to RFC 9457 problem JSON, each error naming its field."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from cybercover.edge import answer_for
from cybercover.errors import (
    AuthenticationError,
    ConflictError,
    CybercoverError,
    ForbiddenError,
    InputError,
    NotFoundError,
    Problem,
)
from cybercover.validation import problems_from_errors

__all__ = ["install_problem_handlers", "problem"]

PROBLEM = "application/problem+json"


def problem(status: int, kind: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {
        "type": f"/problems/{kind}",
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _input_problem(problems: Sequence[Problem]) -> JSONResponse:
    answer = answer_for(InputError(list(problems)))
    return problem(
        answer.status,
        answer.kind,
        answer.title,
        "; ".join(f"{p.path}: {p.en}" for p in problems),
        errors=[p.as_dict() for p in problems],
    )


def _answer(exc: CybercoverError, detail: str, **extra: Any) -> JSONResponse:
    answer = answer_for(exc)  # the one mapping (cybercover/edge.py)
    return problem(answer.status, answer.kind, answer.title, detail, **extra)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(InputError)
    async def _input(_: Request, exc: InputError) -> JSONResponse:
        return _input_problem(exc.problems)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _input_problem(problems_from_errors(exc.errors()))

    @app.exception_handler(NotFoundError)
    async def _not_found(_: Request, exc: NotFoundError) -> JSONResponse:
        return _answer(exc, f"{exc.what} not found")

    @app.exception_handler(ForbiddenError)
    async def _forbidden(_: Request, exc: ForbiddenError) -> JSONResponse:
        return _answer(exc, f"{exc.ja} / {exc.en}")

    @app.exception_handler(AuthenticationError)
    async def _unauthenticated(_: Request, exc: AuthenticationError) -> JSONResponse:
        response = _answer(exc, str(exc))
        response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(ConflictError)
    async def _conflict(_: Request, exc: ConflictError) -> JSONResponse:
        return _answer(exc, f"{exc.ja} / {exc.en}", rule=exc.rule)
