"""Sign in and out, the language switch, and each role's landing page."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from cybercover.api.deps import SESSION_COOKIE, AppSettings, Db
from cybercover.api.routers.auth import Credentials, login
from cybercover.errors import AuthenticationError, Problem
from cybercover.services.people import TooManyLoginFailures, end_session
from cybercover.web.common import HOME, PageDep, redirect, render
from cybercover.web.i18n import LANG_COOKIE, LANGS

router = APIRouter()

LOGIN_CSRF_COOKIE = "cc_login_csrf"
YEAR = 365 * 24 * 3600


def _local(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


@router.get("/")
def home(page: PageDep) -> RedirectResponse:
    return redirect(HOME[page.role])


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(request, "login.html", {"next": _local(next), "csrf": token})
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict")
    return response


@router.post("/login")
def login_submit(
    request: Request,
    db: Db,
    settings: AppSettings,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(csrf_token, expected):
        problem = Problem(
            "csrf_token",
            "csrf",
            "フォームの有効期限が切れました。もう一度お試しください",
            "The form has expired; please try again",
        )
        return render(
            request,
            "login.html",
            {"next": _local(next), "csrf": expected, "email": email},
            status=403,
            problems=[problem],
        )
    response = RedirectResponse(_local(next), status_code=303)
    try:
        login(
            body=Credentials(email=email, password=password),
            request=request,
            db=db,
            settings=settings,
            response=response,
        )
    except AuthenticationError as exc:
        problem = (
            Problem(
                "password",
                "too_many_failures",
                f"ログインの失敗が続いたため、{exc.retry_after}秒後に再度お試しください",
                f"Too many failed sign-ins; try again in {exc.retry_after} seconds",
            )
            if isinstance(exc, TooManyLoginFailures)
            else Problem(
                "password",
                "wrong_credentials",
                "メールアドレスまたはパスワードが違います",
                "Wrong e-mail address or password",
            )
        )
        return render(
            request,
            "login.html",
            {"next": _local(next), "csrf": expected, "email": email},
            status=401,
            problems=[problem],
        )
    return response


@router.post("/logout")
def logout(page: PageDep) -> Response:
    cookie = page.request.cookies.get(SESSION_COOKIE, "")
    end_session(page.db, cookie)
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/lang/{lang}")
def switch_language(lang: str, next: str = "/") -> Response:
    """The language switch: a link, remembered for a year in a cookie."""
    response = RedirectResponse(_local(next), status_code=303)
    if lang in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=YEAR, samesite="lax")
    return response
