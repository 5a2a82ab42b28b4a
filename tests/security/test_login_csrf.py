"""The login form's CSRF token is a signed double submit (web/pages_auth.py): the cookie
holds a nonce, the form ``<issued-at>.<HMAC(secret_key, nonce, issued-at)>``, good for two
hours; a cross-site ``Origin`` or ``Sec-Fetch-Site`` is refused even with a valid pair."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cybercover.api.app import create_app
from cybercover.services.people import bootstrap_admin
from cybercover.settings import Settings
from cybercover.web.pages_auth import LOGIN_CSRF_COOKIE, login_csrf_token
from tests.integration.api_helpers import PASSWORD
from tests.integration.conftest import AppFactory, FakeClock

ADMIN = "admin@example.jp"


@pytest.fixture
def app(make_app_for_test: AppFactory) -> FastAPI:
    app = make_app_for_test()
    bootstrap_admin(app.state.db, email=ADMIN, password=PASSWORD)
    return app


def _form_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found[1]


def _sign_in(
    client: TestClient, token: str, headers: dict[str, str] | None = None
) -> tuple[int, str]:
    answer = client.post(
        "/login",
        data={"email": ADMIN, "password": PASSWORD, "csrf_token": token, "next": "/"},
        headers=headers or {},
        follow_redirects=False,
    )
    return answer.status_code, answer.text


def _now(clock: FakeClock) -> int:
    return int(clock.now.timestamp())


def test_the_form_and_its_cookie_sign_in(app: FastAPI) -> None:
    client = TestClient(app)
    form = client.get("/login")
    nonce = client.cookies[LOGIN_CSRF_COOKIE]
    token = _form_token(form.text)
    assert nonce not in token  # the form carries a signature, not the cookie's value
    assert "HttpOnly" in form.headers["set-cookie"]
    assert "SameSite=strict" in form.headers["set-cookie"]
    status, _ = _sign_in(client, token)
    assert status == 303 and "cc_session" in client.cookies


def test_a_token_signed_with_another_secret_is_refused_and_the_form_shown_again(
    app: FastAPI, clock: FakeClock
) -> None:
    client = TestClient(app)
    client.get("/login")
    nonce = client.cookies[LOGIN_CSRF_COOKIE]
    forged = login_csrf_token("not the server's secret", nonce, _now(clock))
    status, page = _sign_in(client, forged)
    assert status == 403 and "cc_session" not in client.cookies
    assert "フォームの有効期限が切れました。もう一度お試しください" in page
    # the page shown again carries a good token: the retry signs in
    assert _sign_in(client, _form_token(page))[0] == 303


def test_a_planted_cookie_and_a_matching_field_no_longer_pass(
    app: FastAPI, clock: FakeClock
) -> None:
    # the plain double submit an attacker could fake by planting a cookie of their own
    client = TestClient(app)
    planted = "A" * 43
    client.cookies.set(LOGIN_CSRF_COOKIE, planted)
    assert _sign_in(client, planted)[0] == 403
    # nor does a real signature made for another nonce (a pair harvested by the
    # attacker, sent with the victim's own cookie)
    harvester = TestClient(app)
    harvested = _form_token(harvester.get("/login").text)
    victim = TestClient(app)
    victim.get("/login")
    assert victim.cookies[LOGIN_CSRF_COOKIE] != harvester.cookies[LOGIN_CSRF_COOKIE]
    assert _sign_in(victim, harvested)[0] == 403
    assert "cc_session" not in victim.cookies
    # no cookie at all: refused, and the form shown again sets one
    bare = TestClient(app)
    status, page = _sign_in(bare, harvested)
    assert status == 403 and LOGIN_CSRF_COOKIE in bare.cookies
    assert _sign_in(bare, _form_token(page))[0] == 303


def test_a_token_expires_two_hours_after_the_form_was_shown(app: FastAPI, clock: FakeClock) -> None:
    client = TestClient(app)
    token = _form_token(client.get("/login").text)
    clock.advance(hours=1, minutes=59, seconds=59)
    still = _form_token(client.get("/login").text)  # a second tab, shown later
    assert _sign_in(client, token)[0] == 303  # the first, two hours less a second old
    clock.advance(seconds=2)
    assert _sign_in(client, token)[0] == 403  # two hours and a second
    assert _sign_in(client, still)[0] == 303  # the second tab's is younger
    # a token "from the future" (beyond a minute of clock skew) is no token either
    nonce = client.cookies[LOGIN_CSRF_COOKIE]
    secret = app.state.settings.secret_key
    assert _sign_in(client, login_csrf_token(secret, nonce, _now(clock) + 3600))[0] == 403
    # and malformed ones are refused, not errors
    for odd in ("", ".", "1.", "x.y", f"{_now(clock)}.{'0' * 64}", "9" * 40 + "." + "a" * 64):
        assert _sign_in(client, odd)[0] == 403, odd


def test_a_sign_in_posted_from_another_site_is_refused_even_with_a_valid_pair(
    app: FastAPI,
) -> None:
    client = TestClient(app)
    token = _form_token(client.get("/login").text)
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "http://testserver.evil.example"},
        {"Origin": "http://sub.testserver"},  # a sibling or child host is another origin
        {"Origin": "https://testserver"},  # another scheme: this request is plain HTTP
        {"Origin": "http://testserver:8080"},
        {"Origin": "null"},
        {"Origin": "http://testserver:port"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "http://testserver", "Sec-Fetch-Site": "cross-site"},
    ):
        status, page = _sign_in(client, token, headers)
        assert status == 403, headers
        assert "別のサイトからのログインは受け付けられません" in page
        assert "cc_session" not in client.cookies
    # the site's own origin (with or without its default port) and same-site fetches pass
    for headers in (
        {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
        {"Origin": "HTTP://TestServer:80"},
        {"Sec-Fetch-Site": "none"},  # typed into the address bar, or no browser at all
    ):
        fresh = TestClient(app)
        assert _sign_in(fresh, _form_token(fresh.get("/login").text), headers)[0] == 303


def test_a_wrong_password_shows_the_form_again_with_a_token_that_works(
    app: FastAPI,
) -> None:
    client = TestClient(app)
    token = _form_token(client.get("/login").text)
    wrong = client.post(
        "/login",
        data={"email": ADMIN, "password": "wrong password", "csrf_token": token},
        follow_redirects=False,
    )
    assert wrong.status_code == 401
    assert "メールアドレスまたはパスワードが違います" in wrong.text
    assert _sign_in(client, _form_token(wrong.text))[0] == 303


@pytest.fixture
def production_app(tmp_path: Path, clock: FakeClock) -> Iterator[FastAPI]:
    settings = Settings(
        environment="production",
        database_url=f"sqlite:///{tmp_path / 'p.db'}",
        secret_key="s" * 40,
        webhook_secret="w" * 40,
    )
    app = create_app(settings, clock=clock)
    bootstrap_admin(app.state.db, email=ADMIN, password=PASSWORD)
    yield app
    app.state.db.engine.dispose()


def test_in_production_the_cookie_is_host_only_and_secure(
    production_app: FastAPI, clock: FakeClock
) -> None:
    client = TestClient(production_app, base_url="https://testserver")
    form = client.get("/login")
    cookie = form.headers["set-cookie"]
    assert cookie.startswith("__Host-cc_login_csrf=")
    assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie
    assert LOGIN_CSRF_COOKIE not in client.cookies  # the development name is not used
    status, _ = _sign_in(client, _form_token(form.text), {"Origin": "https://testserver"})
    assert status == 303
    # a cookie by the development name (which a subdomain could set) is not read
    other = TestClient(production_app, base_url="https://testserver")
    nonce = "B" * 43
    other.cookies.set(LOGIN_CSRF_COOKIE, nonce)
    token = login_csrf_token("s" * 40, nonce, _now(clock))  # right secret, right time
    assert _sign_in(other, token)[0] == 403
