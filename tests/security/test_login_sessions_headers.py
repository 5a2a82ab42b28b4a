"""Login limit, session expiry, security headers and the production-secret refusal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from cybercover.api.app import create_app
from cybercover.services.authz import SYSTEM
from cybercover.services.people import bootstrap_admin, create_organisation, create_user
from cybercover.settings import Settings
from tests.integration.api_helpers import PASSWORD
from tests.integration.conftest import AppFactory, FakeClock


def _people(client: TestClient, count: int = 1) -> list[str]:
    db = client.app.state.db  # type: ignore[attr-defined]
    bootstrap_admin(db, email="admin@example.jp", password=PASSWORD)
    agency = create_organisation(db, SYSTEM, kind="agency", code="lac", name="lac")
    emails = [f"agent{i}@lac.jp" for i in range(count)]
    for email in emails:
        create_user(
            db,
            SYSTEM,
            organisation_id=agency,
            email=email,
            display_name=email,
            role="agent",
            password=PASSWORD,
        )
    return emails


def _token(client: TestClient, email: str, password: str) -> int:
    return client.post(
        "/api/v1/auth/tokens", json={"email": email, "password": password}
    ).status_code


def test_five_wrong_passwords_lock_the_account_for_the_rest_of_fifteen_minutes(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    client = TestClient(make_app_for_test())
    (email,) = _people(client)
    for _ in range(5):  # one a minute: 0, 1, 2, 3, 4 minutes
        assert _token(client, email, "wrong password!") == 401
        clock.advance(minutes=1)
    # at minute 5 even the right password is refused; the first failure (minute 0)
    # leaves the window at minute 15: 600 seconds from now, plus the second rounded up
    refused = client.post("/api/v1/auth/tokens", json={"email": email, "password": PASSWORD})
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "601"
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == "/problems/too-many-login-failures"
    # the page login is the same account: refused too
    assert (
        client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}).status_code
        == 429
    )
    clock.advance(minutes=10, seconds=1)  # minute 15 and a second: four failures left
    assert _token(client, email, PASSWORD) == 201
    # a success clears the account's count, not the address's: the failures of minutes
    # 1 to 4 are still in the address's window, so one more from here makes five
    assert _token(client, email, "wrong password!") == 401
    assert _token(client, email, PASSWORD) == 429


def test_one_client_address_trying_many_accounts_is_stopped_after_five_failures(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    client = TestClient(make_app_for_test())
    emails = _people(client, 6)
    for email in emails[:5]:
        assert _token(client, email, "wrong password!") == 401
    # a sixth account, never tried, from the same address (TestClient's "testclient")
    assert _token(client, emails[5], PASSWORD) == 429
    # another address is not held back: a second app instance (another worker) sees the
    # same count for the same address, and a fresh one for another
    other = TestClient(make_app_for_test(), client=("192.0.2.7", 50000))
    assert _token(other, emails[5], PASSWORD) == 201
    same = TestClient(make_app_for_test())
    assert _token(same, emails[5], PASSWORD) == 429


def test_unknown_accounts_count_like_known_ones(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    client = TestClient(make_app_for_test(), client=("198.51.100.1", 1))
    _people(client)
    for _ in range(5):
        assert _token(client, "nobody@lac.jp", "whatever pass") == 401
    assert _token(client, "nobody@lac.jp", "whatever pass") == 429


def test_a_page_session_expires_after_session_hours(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    client = TestClient(make_app_for_test())
    (email,) = _people(client)
    login = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200
    assert "Max-Age=43200" in login.headers["set-cookie"]  # 12 hours, the default
    assert "HttpOnly" in login.headers["set-cookie"]
    assert client.get("/api/v1/users/me").json()["email"] == email
    clock.advance(hours=11, minutes=59)
    assert client.get("/api/v1/users/me").status_code == 200
    clock.advance(minutes=1)  # exactly 12 hours after the login
    expired = client.get("/api/v1/users/me")
    assert expired.status_code == 401
    assert email not in expired.text


def test_every_answer_carries_the_security_headers_and_no_store(
    make_app_for_test: AppFactory,
) -> None:
    client = TestClient(make_app_for_test())
    (email,) = _people(client)
    for response in (
        client.get("/healthz"),
        client.post("/api/v1/auth/tokens", json={"email": email, "password": PASSWORD}),
        client.get("/api/v1/users/me"),  # 401 problem
        client.get("/login"),
    ):
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cache-Control"] == "no-store"
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self';" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp
        assert "Strict-Transport-Security" not in headers  # not in test mode
    # the Swagger UI alone may load its bundle from its CDN
    assert "cdn.jsdelivr.net" in client.get("/docs").headers["Content-Security-Policy"]
    static = client.get("/static/site.css")
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")


def test_a_request_id_is_echoed_when_plain_and_replaced_when_not(
    make_app_for_test: AppFactory,
) -> None:
    client = TestClient(make_app_for_test())
    sent = client.get("/healthz", headers={"X-Request-ID": "desk-2026.03.02:17"})
    assert sent.headers["X-Request-ID"] == "desk-2026.03.02:17"
    made = client.get("/healthz").headers["X-Request-ID"]
    assert len(made) == 32 and int(made, 16) >= 0  # a new uuid4, as hex
    # a value with odd characters (or too long) is not echoed into the answer's headers
    for odd in ("a b", "<script>", "x" * 129):
        answer = client.get("/api/v1/users/me", headers={"X-Request-ID": odd})
        assert answer.status_code == 401  # the problem answers carry it too
        assert answer.headers["X-Request-ID"] != odd
        assert len(answer.headers["X-Request-ID"]) == 32


def test_production_adds_strict_transport_security(tmp_path: Path) -> None:
    settings = Settings(
        environment="production",
        database_url=f"sqlite:///{tmp_path / 'p.db'}",
        secret_key="s" * 40,
        webhook_secret="w" * 40,
    )
    app = create_app(settings)
    try:
        response = TestClient(app).get("/healthz")
    finally:
        app.state.db.engine.dispose()
    assert response.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"


def test_serve_refuses_default_secrets_in_production_with_a_message_not_a_traceback(
    tmp_path: Path,
) -> None:
    env = {
        **os.environ,
        "CYBERCOVER_ENVIRONMENT": "production",
        "CYBERCOVER_DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
    }
    env.pop("CYBERCOVER_SECRET_KEY", None)
    done = subprocess.run(
        [sys.executable, "-m", "cybercover", "serve", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "本番環境では CYBERCOVER_SECRET_KEY に32文字以上" in done.stderr
    assert "CYBERCOVER_SECRET_KEY must be set to a random value of 32+ characters" in done.stderr
    assert not (tmp_path / "p.db").exists()  # refused before touching the database
