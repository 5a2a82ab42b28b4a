"""A partner's webhook URL through the API and the administrator's page: an internal
address is refused at the field, unless the server's allow-list
(``CYBERCOVER_OUTBOUND_ALLOW``) names it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cybercover.api.app import create_app
from cybercover.services.authz import SYSTEM
from cybercover.services.people import bootstrap_admin, create_organisation
from cybercover.settings import Settings
from tests.integration.api_helpers import PASSWORD, bearer, ok
from tests.integration.conftest import FakeClock

AppWithAllowList = Callable[[list[str]], FastAPI]


@pytest.fixture
def make_app(database_url: str, clock: FakeClock) -> Iterator[AppWithAllowList]:
    """Build the app on this test's database with the given outbound allow-list."""
    apps: list[FastAPI] = []

    def build(outbound_allow: list[str]) -> FastAPI:
        settings = Settings(
            environment="test", database_url=database_url, outbound_allow=outbound_allow
        )
        app = create_app(settings, clock=clock)
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.state.db.engine.dispose()


def seed(app: FastAPI) -> int:
    """The administrator and one partner organisation; its id."""
    db = app.state.db
    bootstrap_admin(db, email="admin@example.jp", password=PASSWORD)
    return create_organisation(db, SYSTEM, kind="partner", code="forensics", name="調査株式会社")


def partner(organisation_id: int, webhook_url: str) -> dict[str, Any]:
    return {
        "organisation_id": organisation_id,
        "services": ["investigation"],
        "registration_number": "T7000012050002",
        "contact_email": "desk@forensics.example.jp",
        "webhook_url": webhook_url,
    }


def test_the_api_refuses_a_webhook_url_on_loopback_naming_the_field(
    make_app: AppWithAllowList,
) -> None:
    app = make_app([])
    firm = seed(app)
    client = TestClient(app)
    admin = bearer(client, "admin@example.jp")

    for url, rule in [
        ("http://127.0.0.1:8080/x", "url_host_private"),
        ("http://169.254.169.254/latest/meta-data", "url_host_private"),
        ("http://2130706433/", "url_host_ambiguous"),
        ("http://user:pass@hooks.example.jp/", "url_credentials"),
    ]:
        response = client.post("/api/v1/partners", headers=admin, json=partner(firm, url))
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        [error] = response.json()["errors"]
        assert (error["field"], error["rule"]) == ("webhook_url", rule)
        assert error["ja"] and error["en"]

    listed = ok(client.get("/api/v1/partners", headers=admin))
    assert listed == []  # nothing was registered


def test_the_api_accepts_a_private_webhook_url_the_allow_list_names(
    make_app: AppWithAllowList,
) -> None:
    app = make_app(["127.0.0.1", "10.20.0.0/16"])
    firm = seed(app)
    client = TestClient(app)
    admin = bearer(client, "admin@example.jp")

    made = ok(
        client.post(
            "/api/v1/partners", headers=admin, json=partner(firm, "http://127.0.0.1:8080/x")
        ),
        201,
    )
    assert made["id"] == firm
    again = client.post(
        "/api/v1/partners", headers=admin, json=partner(firm, "http://10.20.0.9/hooks")
    )
    assert again.status_code == 201, again.text
    outside = client.post(
        "/api/v1/partners", headers=admin, json=partner(firm, "http://10.21.0.9/hooks")
    )
    assert outside.status_code == 422
    assert outside.json()["errors"][0]["field"] == "webhook_url"


def signed_in(app: FastAPI, email: str) -> tuple[TestClient, str]:
    """A client with a page session, and the CSRF token its forms carry."""
    client = TestClient(app)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    response = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token[1], "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert csrf is not None
    return client, csrf[1]


def test_the_admin_page_shows_the_refusal_at_the_webhook_url_field(
    make_app: AppWithAllowList,
) -> None:
    app = make_app([])
    firm = seed(app)
    client, csrf = signed_in(app, "admin@example.jp")
    form = {
        "csrf_token": csrf,
        "organisation_id": str(firm),
        "service.investigation": "yes",
        "regions": "全国",
        "registration_number": "T7000012050002",
        "contact_email": "desk@forensics.example.jp",
    }

    refused = client.post("/admin/partners", data={**form, "webhook_url": "http://localhost/x"})

    assert refused.status_code == 422
    assert 'id="err-partner.webhook_url">localhost は内部向けのホスト名です' in refused.text
    made = client.post(
        "/admin/partners", data={**form, "webhook_url": "https://93.184.215.14/hooks"}
    )
    assert "提携先を登録しました。" in made.text
