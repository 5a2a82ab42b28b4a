"""Sign in and out, the language switch, and each role's landing page.

The login form is CSRF-protected by a *signed* double-submit token (OWASP): the cookie
holds a random nonce, the form ``<issued-at>.<HMAC-SHA256(secret_key, "login-csrf|" nonce
"|" issued-at)>``, good for two hours. A cookie planted by a sibling subdomain or over
plain HTTP gives nothing without the server's secret; in production the cookie is named
``__Host-…`` (Secure, no Domain: no subdomain can set it at all). A login POST whose
``Origin`` is another site's, or that the browser marks ``Sec-Fetch-Site: cross-site``,
is refused too, even with a valid pair harvested by the attacker.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from cybercover.edge import SESSION_COOKIE, AppSettings, Db, open_session
from cybercover.errors import AuthenticationError, Problem
from cybercover.services.people import TooManyLoginFailures, end_session
from cybercover.services.uow import Database
from cybercover.settings import Settings
from cybercover.web.common import HOME, PageDep, redirect, render
from cybercover.web.i18n import LANG_COOKIE, LANGS

router = APIRouter()
log = logging.getLogger("cybercover.web")

LOGIN_CSRF_COOKIE = "cc_login_csrf"
LOGIN_CSRF_COOKIE_PRODUCTION = "__Host-cc_login_csrf"  # HTTPS only, this host only
LOGIN_CSRF_SECONDS = 2 * 3600  # how long a login form may be left open
LOGIN_CSRF_SKEW = 60  # seconds a token may be "from the future" (another worker's clock)
YEAR = 365 * 24 * 3600
_NONCE = re.compile(r"[A-Za-z0-9_-]{32,64}")
_TOKEN = re.compile(r"([0-9]{1,12})\.([0-9a-f]{64})")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def login_csrf_cookie(settings: Settings) -> str:
    return (
        LOGIN_CSRF_COOKIE_PRODUCTION if settings.environment == "production" else LOGIN_CSRF_COOKIE
    )


def _signature(secret: str, nonce: str, issued: int) -> str:
    message = f"login-csrf|{nonce}|{issued}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def login_csrf_token(secret: str, nonce: str, issued: int) -> str:
    """The form's token for the cookie's ``nonce``, issued at ``issued`` (Unix seconds)."""
    return f"{issued}.{_signature(secret, nonce, issued)}"


def _token_valid(secret: str, nonce: str, token: str, now: int) -> bool:
    found = _TOKEN.fullmatch(token)
    if found is None or not _NONCE.fullmatch(nonce):
        return False
    issued = int(found[1])
    if not now - LOGIN_CSRF_SECONDS <= issued <= now + LOGIN_CSRF_SKEW:
        return False
    return hmac.compare_digest(found[2], _signature(secret, nonce, issued))


def _now(db: Database) -> int:
    return int(db.clock().timestamp())  # the database's clock: tests move it


def _origin(scheme: str, host: str | None, port: int | None) -> tuple[str, str, int | None]:
    scheme = scheme.lower()
    return scheme, (host or "").lower(), port or _DEFAULT_PORTS.get(scheme)


def _cross_site(request: Request) -> str | None:
    """Why this POST comes from another site (its ``Origin`` or ``Sec-Fetch-Site``), or
    None. Without either header (an older browser, a script) the token decides."""
    if request.headers.get("sec-fetch-site", "").lower() == "cross-site":
        return "Sec-Fetch-Site: cross-site"
    sent = request.headers.get("origin")
    if sent is None:
        return None
    try:
        own = _origin(request.url.scheme, request.url.hostname, request.url.port)
        parts = urlsplit(sent)
        theirs = _origin(parts.scheme, parts.hostname, parts.port)
    except ValueError:  # a port that is no number, a broken IPv6 literal
        return f"Origin {sent[:100]!r}"
    return None if theirs == own else f"Origin {sent[:100]!r}"


def _login_page(
    request: Request,
    db: Database,
    settings: Settings,
    context: dict[str, str],
    *,
    status: int = 200,
    problems: list[Problem] | None = None,
) -> Response:
    """The form with a fresh token; the cookie's nonce is kept if it has one (several
    tabs may hold the form), else a new one is set."""
    name = login_csrf_cookie(settings)
    nonce = request.cookies.get(name, "")
    if not _NONCE.fullmatch(nonce):
        nonce = secrets.token_urlsafe(32)
    token = login_csrf_token(settings.secret_key, nonce, _now(db))
    response = render(
        request, "login.html", {**context, "csrf": token}, status=status, problems=problems or []
    )
    production = settings.environment == "production"
    response.set_cookie(name, nonce, httponly=True, samesite="strict", secure=production)
    return response


def _local(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


@router.get("/")
def home(page: PageDep) -> RedirectResponse:
    return redirect(HOME[page.role])


@router.get("/login")
def login_form(request: Request, db: Db, settings: AppSettings, next: str = "/") -> Response:
    return _login_page(request, db, settings, {"next": _local(next)})


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
    context = {"next": _local(next), "email": email}
    cross_site = _cross_site(request)
    if cross_site is not None:
        log.warning("login refused: %s is not this site (%s)", cross_site, request.base_url)
        problem = Problem(
            "csrf_token",
            "cross_site",
            "別のサイトからのログインは受け付けられません",
            "Signing in from another site is not accepted",
        )
        return _login_page(request, db, settings, context, status=403, problems=[problem])
    nonce = request.cookies.get(login_csrf_cookie(settings), "")
    if not _token_valid(settings.secret_key, nonce, csrf_token, _now(db)):
        problem = Problem(
            "csrf_token",
            "csrf",
            "フォームの有効期限が切れました。もう一度お試しください",
            "The form has expired; please try again",
        )
        return _login_page(request, db, settings, context, status=403, problems=[problem])
    response = RedirectResponse(_local(next), status_code=303)
    try:
        open_session(response, request, db, settings, email, password)
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
        return _login_page(request, db, settings, context, status=401, problems=[problem])
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
