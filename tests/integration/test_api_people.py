"""Logging in, tokens, sessions with CSRF, and who may manage users and organisations."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cybercover.errors import ForbiddenError
from cybercover.services.authz import SYSTEM, can
from cybercover.services.claims import open_claim
from cybercover.services.people import bootstrap_admin, create_organisation, create_user
from cybercover.services.uow import Database
from cybercover.storage.models import AuditRecord
from tests.integration.api_helpers import PASSWORD, bearer, ok
from tests.integration.conftest import AppFactory, FakeClock


def setup(make_app_for_test: AppFactory) -> TestClient:
    app = make_app_for_test()
    seed_people(app.state.db)
    return TestClient(app)


def seed_people(db: Database) -> None:
    """An administrator, and an agent of the agency ``lac``."""
    bootstrap_admin(db, email="admin@example.jp", password=PASSWORD)
    lac = create_organisation(db, SYSTEM, kind="agency", code="lac", name="株式会社ラック")
    create_user(
        db,
        SYSTEM,
        organisation_id=lac,
        email="agent@lac.example.jp",
        display_name="代理店 太郎",
        role="agent",
        password=PASSWORD,
    )


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


# -- revoking tokens and deactivating users ----------------------------------------------


def test_a_user_lists_and_revokes_their_own_tokens_only(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    client = setup(make_app_for_test)
    first = bearer(client, "agent@lac.example.jp")
    second = bearer(client, "agent@lac.example.jp")
    admin = bearer(client, "admin@example.jp")
    mine = ok(client.get("/api/v1/auth/tokens", headers=first))
    assert [t["revoked_at"] for t in mine] == [None, None]  # two tokens, newest first
    assert mine[0]["id"] > mine[1]["id"]
    assert "token" not in mine[0] and "token_hash" not in mine[0]
    admins = ok(client.get("/api/v1/auth/tokens", headers=admin))
    assert len(admins) == 1 and admins[0]["id"] not in {t["id"] for t in mine}

    # the agent cannot revoke the administrator's token, and learns nothing of it
    refused = client.delete(f"/api/v1/auth/tokens/{admins[0]['id']}", headers=first)
    assert refused.status_code == 404
    ok(client.get("/api/v1/users/me", headers=admin))

    # revoking the second token (by id) leaves the first working
    ok(client.delete(f"/api/v1/auth/tokens/{mine[0]['id']}", headers=first), 204)
    assert client.get("/api/v1/users/me", headers=second).status_code == 401
    ok(client.get("/api/v1/users/me", headers=first))
    listed = ok(client.get("/api/v1/auth/tokens", headers=first))
    assert listed[0]["revoked_at"] is not None and listed[1]["revoked_at"] is None

    # revoking the token in use logs the API client out
    ok(client.delete("/api/v1/auth/tokens/current", headers=first), 204)
    assert client.get("/api/v1/users/me", headers=first).status_code == 401
    actions = [row["action"] for row in ok(client.get("/api/v1/audit", headers=admin))]
    assert actions.count("token.revoke") == 2
    assert ok(client.get("/api/v1/audit/verify", headers=admin))["ok"] is True


def test_an_administrator_revokes_anyones_token(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    client = setup(make_app_for_test)
    agent = bearer(client, "agent@lac.example.jp")
    admin = bearer(client, "admin@example.jp")
    (token,) = ok(client.get("/api/v1/auth/tokens", headers=agent))
    ok(client.delete(f"/api/v1/auth/tokens/{token['id']}", headers=admin), 204)
    assert client.get("/api/v1/users/me", headers=agent).status_code == 401
    # a second revocation changes nothing and writes no second audit row
    ok(client.delete(f"/api/v1/auth/tokens/{token['id']}", headers=admin), 204)
    actions = [row["action"] for row in ok(client.get("/api/v1/audit", headers=admin))]
    assert actions.count("token.revoke") == 1


def test_a_deactivated_user_loses_every_token_and_session_at_once(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    client = setup(make_app_for_test)
    admin = bearer(client, "admin@example.jp")
    token = bearer(client, "agent@lac.example.jp")
    agent_id = ok(client.get("/api/v1/users/me", headers=token))["id"]
    pages = TestClient(client.app)
    ok(
        pages.post(
            "/api/v1/auth/login", json={"email": "agent@lac.example.jp", "password": PASSWORD}
        )
    )
    ok(pages.get("/api/v1/users/me"))

    # only an administrator may, and not on themselves
    assert client.post(f"/api/v1/users/{agent_id}/deactivate", headers=token).status_code == 403
    me = ok(client.get("/api/v1/users/me", headers=admin))["id"]
    self_off = client.post(f"/api/v1/users/{me}/deactivate", headers=admin)
    assert self_off.status_code == 409
    assert "自分自身を無効にすることはできません" in self_off.json()["detail"]
    assert client.post("/api/v1/users/99999/deactivate", headers=admin).status_code == 404

    off = ok(client.post(f"/api/v1/users/{agent_id}/deactivate", headers=admin))
    assert off["active"] is False
    assert client.get("/api/v1/users/me", headers=token).status_code == 401
    assert pages.get("/api/v1/users/me").status_code == 401
    login = client.post(
        "/api/v1/auth/tokens", json={"email": "agent@lac.example.jp", "password": PASSWORD}
    )
    assert login.status_code == 401
    audit = [
        r
        for r in ok(client.get("/api/v1/audit", headers=admin))
        if r["action"] == "user.deactivate"
    ]
    assert len(audit) == 1
    assert (audit[0]["after"]["tokens_revoked"], audit[0]["after"]["sessions_ended"]) == (1, 1)

    # reactivated: a new login works, the old token stays revoked
    assert ok(client.post(f"/api/v1/users/{agent_id}/activate", headers=admin))["active"] is True
    assert client.get("/api/v1/users/me", headers=token).status_code == 401
    ok(client.get("/api/v1/users/me", headers=bearer(client, "agent@lac.example.jp")))
    assert ok(client.get("/api/v1/audit/verify", headers=admin))["ok"] is True


def test_the_system_acts_by_its_own_permissions_and_is_audited_without_a_user(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    """Issue #18: no ``actor is None`` bypass. The command line and the jobs act as the
    system actor, whose permissions are its own rows of the one table: it creates users
    and organisations, lapses policies, reminds and runs the risk model, and no more — it
    does not pay a claim, bind a policy or read the audit trail. What it does is audited
    with no user. No person can be given its role."""
    client = setup(make_app_for_test)
    db = client.app.state.db  # type: ignore[attr-defined]
    for action in ("user.manage", "organisation.manage", "billing.lapse", "incident.remind"):
        assert can(SYSTEM, action), action
    for action in ("claim.manage", "policy.bind", "underwriting.decide", "audit.read"):
        assert not can(SYSTEM, action), action
    with pytest.raises(ForbiddenError):
        open_claim(db, SYSTEM, policy_id=1, accident_at=clock())
    with db.sessions() as session:
        rows = session.execute(
            select(AuditRecord.actor_user_id, AuditRecord.action).order_by(AuditRecord.seq)
        ).all()
    # bootstrap (the insurer, its admin), then the agency and its agent: all the system's
    assert [a for _, a in rows] == [
        "organisation.create",
        "user.create",
        "organisation.create",
        "user.create",
    ]
    assert {u for u, _ in rows} == {None}
    # no user holds the system's role: refused like any unknown role, naming the field
    admin = bearer(client, "admin@example.jp")
    refused = client.post(
        "/api/v1/users",
        headers=admin,
        json={
            "organisation_id": 1,
            "email": "robot@insurer.jp",
            "display_name": "robot",
            "role": "system",
            "password": "correct horse battery",
        },
    )
    assert refused.status_code == 422
    assert [(e["field"], e["rule"]) for e in refused.json()["errors"]] == [("role", "unknown_role")]
