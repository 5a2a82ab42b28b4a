"""Logging in, tokens, sessions with CSRF, and who may manage users and organisations."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cybercover.services.people import bootstrap_admin, create_organisation, create_user
from tests.integration.api_helpers import PASSWORD, bearer, ok
from tests.integration.conftest import AppFactory, FakeClock


def setup(make_app_for_test: AppFactory) -> TestClient:
    app = make_app_for_test()
    db = app.state.db
    bootstrap_admin(db, email="admin@example.jp", password=PASSWORD)
    lac = create_organisation(db, None, kind="agency", code="lac", name="株式会社ラック")
    create_user(
        db,
        None,
        organisation_id=lac,
        email="agent@lac.example.jp",
        display_name="代理店 太郎",
        role="agent",
        password=PASSWORD,
    )
    return TestClient(app)


def test_a_bearer_token_identifies_the_user(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    client = setup(make_app_for_test)
    me = ok(client.get("/api/v1/users/me", headers=bearer(client, "agent@lac.example.jp")))
    assert (me["role"], me["organisation"]["code"]) == ("agent", "lac")


def test_a_wrong_password_or_no_credentials_is_401(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    client = setup(make_app_for_test)
    wrong = client.post(
        "/api/v1/auth/tokens", json={"email": "agent@lac.example.jp", "password": "nope-nope-nope"}
    )
    assert wrong.status_code == 401
    assert wrong.headers["content-type"] == "application/problem+json"
    assert client.get("/api/v1/users/me").status_code == 401
    assert (
        client.get("/api/v1/users/me", headers={"Authorization": "Bearer cc_forged"}).status_code
        == 401
    )


def test_a_token_expires(make_app_for_test: AppFactory, clock: FakeClock) -> None:
    client = setup(make_app_for_test)
    headers = bearer(client, "agent@lac.example.jp")
    clock.advance(days=91)  # tokens last 90 days by default
    assert client.get("/api/v1/users/me", headers=headers).status_code == 401


def test_a_page_session_needs_its_csrf_token_for_writes(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    client = setup(make_app_for_test)
    csrf = ok(
        client.post("/api/v1/auth/login", json={"email": "admin@example.jp", "password": PASSWORD})
    )["csrf_token"]
    assert ok(client.get("/api/v1/users/me"))["role"] == "admin"  # the cookie is enough to read
    body = {"kind": "partner", "code": "forensic-a", "name": "フォレンジック株式会社"}
    refused = client.post("/api/v1/organisations", json=body)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    wrong = client.post("/api/v1/organisations", json=body, headers={"X-CSRF-Token": "guess"})
    assert wrong.status_code == 403
    ok(client.post("/api/v1/organisations", json=body, headers={"X-CSRF-Token": csrf}), 201)


def test_a_session_expires_and_logout_ends_it(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    client = setup(make_app_for_test)
    csrf = ok(
        client.post("/api/v1/auth/login", json={"email": "admin@example.jp", "password": PASSWORD})
    )["csrf_token"]
    ok(client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}), 204)
    assert client.get("/api/v1/users/me").status_code == 401
    ok(client.post("/api/v1/auth/login", json={"email": "admin@example.jp", "password": PASSWORD}))
    clock.advance(hours=13)  # sessions last 12 hours
    assert client.get("/api/v1/users/me").status_code == 401


def test_only_an_admin_manages_users_and_organisations(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    client = setup(make_app_for_test)
    agent = bearer(client, "agent@lac.example.jp")
    admin = bearer(client, "admin@example.jp")
    new_user = {
        "organisation_id": 2,
        "email": "second@lac.example.jp",
        "display_name": "二郎",
        "role": "agent",
        "password": PASSWORD,
    }
    assert client.post("/api/v1/users", json=new_user, headers=agent).status_code == 403
    assert client.get("/api/v1/users", headers=agent).status_code == 403
    assert client.get("/api/v1/organisations", headers=agent).status_code == 403
    assert client.get("/api/v1/audit/verify", headers=agent).status_code == 403
    ok(client.post("/api/v1/users", json=new_user, headers=admin), 201)
    emails = [u["email"] for u in ok(client.get("/api/v1/users", headers=admin))]
    assert emails == ["admin@example.jp", "agent@lac.example.jp", "second@lac.example.jp"]
    assert ok(client.get("/api/v1/audit/verify", headers=admin))["ok"] is True


def test_a_user_must_belong_to_an_organisation_of_its_kind(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    client = setup(make_app_for_test)
    admin = bearer(client, "admin@example.jp")
    response = client.post(
        "/api/v1/users",
        headers=admin,
        json={
            "organisation_id": 2,
            "email": "uw@example.jp",
            "display_name": "引受",
            "role": "underwriter",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "role"


def test_a_postal_code_gives_the_address(make_app_for_test: AppFactory, clock: FakeClock) -> None:
    client = setup(make_app_for_test)
    agent = bearer(client, "agent@lac.example.jp")
    (area,) = ok(client.get("/api/v1/companies/postal-codes/102-0093", headers=agent))
    assert (area["prefecture"]["ja"], area["city"], area["town"]) == (
        "東京都",
        "千代田区",
        "平河町",
    )
    assert client.get("/api/v1/companies/postal-codes/000-0000", headers=agent).status_code == 404
    bad = client.get("/api/v1/companies/postal-codes/12-34", headers=agent)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "postal_code"
    assert client.get("/api/v1/companies/postal-codes/102-0093").status_code == 401
