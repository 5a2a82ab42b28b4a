"""What every page handler shares: the signed-in user, the language, rendering, errors.

Page handlers only adapt: they read a form, call a service in ``cybercover.services``
and render what it returns. Business rules stay in the services; a service's
``InputError``/``ConflictError`` comes back as a message next to its field.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from cybercover.edge import CSRF_HEADER, SESSION_COOKIE, Db, check_csrf
from cybercover.errors import (
    AuthenticationError,
    ConflictError,
    ForbiddenError,
    InputError,
    Problem,
)
from cybercover.product.catalogue import on_sale
from cybercover.services.authz import Actor, Role
from cybercover.services.people import actor_from_session
from cybercover.web import fmt, labels
from cybercover.web.i18n import DEFAULT_LANG, LANG_COOKIE, LANGS, translations

__all__ = [
    "HOME",
    "LoginRequired",
    "Page",
    "PageDep",
    "form_problems",
    "lang_of",
    "redirect",
    "render",
    "scoped",
]

TEMPLATES = Path(__file__).parent / "templates"

# the page each role lands on after signing in
HOME: dict[Role, str] = {
    Role.POLICYHOLDER: "/my",
    Role.AGENT: "/agent",
    Role.UNDERWRITER: "/underwriting",
    Role.DESK_OPERATOR: "/desk",
    Role.PARTNER: "/partner",
    Role.CLAIMS_HANDLER: "/claims",
    Role.ADMIN: "/admin",
    Role.ACTUARY: "/portfolio",
    Role.AUDITOR: "/audit",
}


class LoginRequired(Exception):
    """No valid session: the page sends the browser to the login form."""


def lang_of(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE, DEFAULT_LANG)
    return lang if lang in LANGS else DEFAULT_LANG


@lru_cache(maxsize=len(LANGS))
def environment(lang: str) -> Environment:
    """One Jinja2 environment per language, autoescaping every template."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.globals["lang"] = lang
    env.filters["yen"] = lambda v: fmt.yen(v, lang)
    env.filters["yen_short"] = lambda v: fmt.yen_short(v, lang)
    env.filters["jdate"] = lambda v: fmt.jst_date(v, lang)
    env.filters["jtime"] = lambda v: fmt.jst_datetime(v, lang)
    env.filters["duration"] = lambda v: fmt.duration(v, lang)
    env.filters["loc"] = lambda v: fmt.localised(v, lang)
    tr = translations(lang).gettext

    def name(table: dict[str, str]) -> Callable[[Any], str]:
        return lambda code: tr(table[str(code)]) if str(code) in table else str(code)

    env.globals["role_name"] = name(labels.ROLES)
    env.globals["status_name"] = name(labels.STATUSES)
    env.globals["limit_name"] = name(labels.LIMITS)
    env.globals["plan_name"] = name(labels.PLANS)
    env.globals["prebind_name"] = name(labels.PREBIND)
    env.globals["done_message"] = name(labels.DONE)
    env.filters["pair"] = lambda v: (v, v)
    env.filters["choices"] = lambda items: [(c.value, fmt.localised(c.label, lang)) for c in items]
    env.filters["local_input"] = fmt.local_input
    env.globals["clock_name"] = lambda code: labels.clock_name(code, tr)

    # cost heads of part ② by their product label (the loss items store the code): the
    # label of the version the page's object was sold under (its ``product`` in the
    # page's context, product/catalogue.py), else of the version on sale
    @pass_context
    def cost_head_name(context: Any, code: Any) -> str:
        product = context.get("product") or on_sale()
        heads = {h.code: h.label for h in product.cost_heads}
        return fmt.localised(heads[code], lang) if code in heads else str(code or "")

    env.globals["cost_head_name"] = cost_head_name
    env.filters["pair_plan"] = lambda v: (v, name(labels.PLANS)(v))
    env.filters["pair_role"] = lambda v: (v, name(labels.ROLES)(v))
    env.filters["pair_limit"] = lambda v: (v, name(labels.LIMITS)(v))
    return env


@dataclass
class Page:
    """The request as a page sees it: who, in which language, with which CSRF token."""

    request: Request
    actor: Actor
    csrf: str
    lang: str
    db: Any = field(repr=False)
    form: dict[str, str] = field(default_factory=dict, repr=False)
    files: dict[str, UploadFile] = field(default_factory=dict, repr=False)

    @property
    def role(self) -> Role:
        return self.actor.role


async def page_user(request: Request, db: Db) -> AsyncIterator[Page]:
    """The signed-in user of a page (session cookie only); unsafe requests must carry the
    session's CSRF token (``X-CSRF-Token`` or the form's ``csrf_token``), checked here
    as the API's own dependency checks it. A posted form is read here,
    on the event loop, so that the handlers are plain functions that FastAPI runs in its
    thread pool: a service's database round trips never stall the loop. Uploaded files
    of the form are closed after the response."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise LoginRequired
    try:
        actor, csrf = await run_in_threadpool(actor_from_session, db, cookie)
    except AuthenticationError:
        raise LoginRequired from None
    try:
        page = Page(request=request, actor=actor, csrf=csrf, lang=lang_of(request), db=db)
        if request.method != "GET":
            form = await request.form()
            check_csrf(request.headers.get(CSRF_HEADER) or form.get("csrf_token"), csrf)
            page.form = {
                k: v.strip() for k, v in form.items() if isinstance(v, str) and k != "csrf_token"
            }
            page.files = {k: v for k, v in form.items() if isinstance(v, UploadFile)}
        yield page
    finally:
        await request.close()


PageDep = Annotated[Page, Depends(page_user)]


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    page: Page | None = None,
    status: int = 200,
    problems: list[Problem] | tuple[Problem, ...] = (),
) -> HTMLResponse:
    lang = page.lang if page else lang_of(request)
    values: dict[str, Any] = {
        "request": request,
        "path": request.url.path,
        "page": page,
        "actor": page.actor if page else None,
        "csrf": page.csrf if page else "",
        "problems": list(problems),
        "done": request.query_params.get("done", ""),
    }
    values.update(context)
    html = environment(lang).get_template(template).render(values)
    return HTMLResponse(html, status_code=status)


def redirect(url: str, done: str | None = None) -> RedirectResponse:
    """After a successful POST: see the result with GET (the done key picks a message)."""
    if done:
        url += ("&" if "?" in url else "?") + "done=" + quote(done)
    return RedirectResponse(url, status_code=303)


def scoped(problems: list[Problem], prefix: str) -> list[Problem]:
    """The problems of one of several forms on a page, named for that form's fields
    (``amount`` of the reserve form → ``reserve.amount``)."""
    return [Problem(f"{prefix}.{p.path}" if p.path else "", p.rule, p.ja, p.en) for p in problems]


def form_problems(exc: InputError | ConflictError | ForbiddenError) -> list[Problem]:
    """The messages to show on the form: each input problem at its field; a conflict (a
    state that does not allow the step) or a refusal (e.g. above one's payment
    authority) at the top of the form."""
    if isinstance(exc, InputError):
        return list(exc.problems)
    if isinstance(exc, ForbiddenError):
        return [Problem("", "forbidden", exc.ja, exc.en)]
    return [Problem("", exc.rule, exc.ja, exc.en)]
