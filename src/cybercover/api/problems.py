"""Map the exception tree to RFC 9457 problem JSON, each error naming its field."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from cybercover.errors import (
    AuthenticationError,
    AuthorityError,
    ConflictError,
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
    return problem(
        422,
        "invalid-input",
        "入力内容に誤りがあります / Invalid input",
        "; ".join(f"{p.path}: {p.en}" for p in problems),
        errors=[p.as_dict() for p in problems],
    )


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(InputError)
    async def _input(_: Request, exc: InputError) -> JSONResponse:
        return _input_problem(exc.problems)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _input_problem(problems_from_errors(exc.errors()))

    @app.exception_handler(NotFoundError)
    async def _not_found(_: Request, exc: NotFoundError) -> JSONResponse:
        return problem(404, "not-found", "見つかりません / Not found", f"{exc.what} not found")

    @app.exception_handler(ForbiddenError)
    async def _forbidden(_: Request, exc: ForbiddenError) -> JSONResponse:
        if isinstance(exc, AuthorityError):  # the step is the role's; the amount is not
            return problem(
                403,
                "insufficient-authority",
                "権限の範囲外です / Above your authority",
                f"{exc.ja} / {exc.en}",
            )
        return problem(403, "forbidden", "権限がありません / Forbidden", f"{exc.ja} / {exc.en}")

    @app.exception_handler(AuthenticationError)
    async def _unauthenticated(_: Request, exc: AuthenticationError) -> JSONResponse:
        response = problem(
            401, "unauthenticated", "認証が必要です / Authentication required", str(exc)
        )
        response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(ConflictError)
    async def _conflict(_: Request, exc: ConflictError) -> JSONResponse:
        return problem(
            409, exc.rule, "処理できない状態です / Conflict", f"{exc.ja} / {exc.en}", rule=exc.rule
        )
