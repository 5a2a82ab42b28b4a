"""Numbers the database cannot hold are clean answers, not 500s (schemathesis found
``GET /api/v1/companies/9223372036854775808``)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cybercover.services.people import bootstrap_admin
from tests.integration.api_helpers import PASSWORD, bearer
from tests.integration.conftest import AppFactory


def test_ids_beyond_any_row_are_not_found(make_app_for_test: AppFactory) -> None:
    client = TestClient(make_app_for_test())
    bootstrap_admin(client.app.state.db, email="admin@example.jp", password=PASSWORD)  # type: ignore[attr-defined]
    admin = bearer(client, "admin@example.jp")
    for ident in (2**31, 2**63, 10**30, -(2**63) - 1):
        for path in (f"/api/v1/companies/{ident}", f"/api/v1/claims/{ident}"):
            response = client.get(path, headers=admin)
            assert response.status_code == 404, (path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
