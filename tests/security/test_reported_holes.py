"""The holes the attack pass of issue #16 found, each as it was reproduced.

The others have their own files: the kernel cache (tests/unit/terms/test_kernel_cache.py),
nested JSON (test_json_limits.py), X-Forwarded-For (test_forwarded_headers.py), the long
incident summary (tests/integration/test_documents_long_text.py), outbound URLs
(tests/unit/test_outbound_urls.py). The classes of hole are covered for every route by
test_adversarial.py.
"""

from __future__ import annotations

import hashlib

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cybercover.services.authz import Role
from cybercover.services.incidents import timeline
from cybercover.services.people import authenticate
from tests.integration.api_helpers import PASSWORD, bearer
from tests.integration.conftest import AppFactory, FakeClock
from tests.security.test_adversarial import sign_in
from tests.security.world import World, build_world


@pytest.fixture
def app_and_world(make_app_for_test: AppFactory, clock: FakeClock) -> tuple[FastAPI, World]:
    app = make_app_for_test()
    return app, build_world(app.state.db)


def test_another_companys_incident_key_no_longer_reaches_its_incident(
    app_and_world: tuple[FastAPI, World],
) -> None:
    """Hole 1: the key of A's incident was computable (company id and the Tokyo day) and a
    policyholder of B posting it received A's incident — the caller's name and phone —
    and wrote into A's timeline. Now a key only recognises the caller's own request."""
    app, world = app_and_world
    db = app.state.db
    # A's incident was reported for 1 May 2026 in Tokyo; its old key, as it was computed
    old_key = hashlib.sha256(f"{world.own['company_id']}|2026-05-01".encode()).hexdigest()[:32]
    desk = authenticate(db, "desk@desk.jp", PASSWORD)
    events_before = timeline(db, desk, world.own["incident_id"])
    client = TestClient(app)  # B's policyholder
    headers = bearer(client, "holder@b.jp")
    for body in (
        {"summary": "x", "duplicate_key": old_key, "occurred_at": "2026-05-01T10:00:00+09:00"},
        {"summary": "x", "idempotency_key": old_key, "occurred_at": "2026-05-01T10:00:00+09:00"},
    ):
        answer = client.post("/api/v1/incidents", headers=headers, json=body)
        assert answer.status_code == 201, answer.text
        made = answer.json()
        assert made["id"] != world.own["incident_id"]
        assert made["company_id"] == world.foreign["company_id"]  # B's own report
        assert "03-1111-0001" not in answer.text and "甲テスト" not in answer.text
    assert timeline(db, desk, world.own["incident_id"]) == events_before


def test_the_claims_reserves_are_not_shown_to_the_policyholder(
    app_and_world: tuple[FastAPI, World],
) -> None:
    """Hole 2: ``GET /api/v1/claims/{id}`` gave the policyholder the reserves."""
    app, world = app_and_world
    claim = f"/api/v1/claims/{world.own['claim_id']}"
    handler = sign_in(app, Role.CLAIMS_HANDLER)
    set_reserve = handler.api.post(
        f"{claim}/reserves",
        headers=handler.headers,
        json={"coverage": "liability", "amount": 6_000_000, "reason": "見込み"},
    )
    assert set_reserve.status_code == 201, set_reserve.text
    assert handler.api.get(claim, headers=handler.headers).json()["reserves"] == {
        "liability": 6_000_000
    }
    holder = sign_in(app, Role.POLICYHOLDER)
    seen = holder.api.get(claim, headers=holder.headers)
    assert seen.status_code == 200
    assert "reserves" not in seen.json() and "6000000" not in seen.text
    # the same on the page and the settlement letter's data: no reserve anywhere
    assert "6,000,000" not in holder.page.get(f"/claims/{world.own['claim_id']}").text


def test_a_submission_naming_an_agency_that_does_not_exist_is_a_problem_at_the_field(
    app_and_world: tuple[FastAPI, World],
) -> None:
    """Hole 6: ``POST /api/v1/submissions`` with an unknown ``agency_id`` reached the
    database as a foreign-key error and answered 500."""
    app, world = app_and_world
    admin = sign_in(app, Role.ADMIN)
    # a start date not in the past: the world's clock stands at 1 May 2026
    body = {"company_id": world.own["company_id"], "start_date": "2026-06-01"}
    for agency, rule in (
        (2_147_000_000, "not_found"),
        (world.foreign["agency_id"], "not_handling_agency"),  # exists, does not handle A
        (world.own["partner_org"], "not_handling_agency"),  # not an agency at all
    ):
        answer = admin.api.post(
            "/api/v1/submissions", headers=admin.headers, json={**body, "agency_id": agency}
        )
        assert answer.status_code == 422, answer.text
        assert [(e["field"], e["rule"]) for e in answer.json()["errors"]] == [("agency_id", rule)]
    made = admin.api.post(
        "/api/v1/submissions",
        headers=admin.headers,
        json={**body, "agency_id": world.own["agency_id"]},
    )
    assert made.status_code == 201 and made.json()["agency_id"] == world.own["agency_id"]
