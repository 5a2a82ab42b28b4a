"""The risk model through the API: technical price on a quote, a portfolio run from the
policy store, its curve — for the insurer only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cybercover.services.authz import SYSTEM
from cybercover.services.people import create_user
from tests.integration.api_helpers import PASSWORD, bearer
from tests.integration.conftest import AppFactory, FakeClock
from tests.integration.seed import seed


@pytest.fixture
def world(make_app_for_test: AppFactory, clock: FakeClock) -> tuple[TestClient, dict[str, Any]]:
    app = make_app_for_test()
    db = app.state.db
    ids = seed(db)
    create_user(
        db,
        SYSTEM,
        organisation_id=1,
        email="uw@insurer.jp",
        display_name="uw",
        role="underwriter",
        password=PASSWORD,
    )
    # inside the policy's period (04-01 on), the day after the seed's incident (1 May)
    clock.now = datetime(2026, 5, 2, 1, 0, tzinfo=UTC)
    return TestClient(app), ids


def test_underwriter_sees_the_technical_price_beside_the_table(
    world: tuple[TestClient, dict[str, Any]],
) -> None:
    client, ids = world
    uw = bearer(client, "uw@insurer.jp")
    quote = client.get(f"/api/v1/quotes/{ids['quote_id']}", headers=uw).json()
    response = client.get(f"/api/v1/quotes/{ids['quote_id']}/technical-price", headers=uw)
    assert response.status_code == 200, response.text
    price = response.json()
    assert price["table_premium"] == quote["premium"]
    assert price["years"] == 100_000 and price["capital_ratio_basis"] == "default"
    assert price["technical_premium"] % 10 == 0 and price["technical_premium"] > 0
    assert price["ratio"] == pytest.approx(quote["premium"] / price["technical_premium"])
    # the same quote priced twice: the same figures (seeded)
    again = client.get(f"/api/v1/quotes/{ids['quote_id']}/technical-price", headers=uw).json()
    assert again == price


@pytest.mark.parametrize("who", ["agent@lac.jp", "agent@other.jp", "partner@pr.jp"])
def test_agencies_and_partners_never_see_a_technical_price(
    world: tuple[TestClient, dict[str, Any]], who: str
) -> None:
    client, ids = world
    headers = bearer(client, who)
    response = client.get(f"/api/v1/quotes/{ids['quote_id']}/technical-price", headers=headers)
    assert response.status_code in (403, 404)
    assert "technical_premium" not in response.text


def test_portfolio_run_stores_its_figures_and_moves_the_capital_ratio(
    world: tuple[TestClient, dict[str, Any]],
) -> None:
    client, ids = world
    uw = bearer(client, "uw@insurer.jp")
    assert client.get("/api/v1/risk/runs/latest", headers=uw).status_code == 404
    bad = client.post("/api/v1/risk/runs", headers=uw, json={"years": 10})
    assert bad.status_code == 422 and "years" in bad.text
    response = client.post("/api/v1/risk/runs", headers=uw, json={"years": 2000, "seed": 3})
    assert response.status_code == 201, response.text
    run = response.json()
    summary = run["summary"]
    assert run["policies"] == 1 and summary["years"] == 2000
    assert run["exposure"]["industry"]["manufacturing"]["policies"] == 1
    assert set(summary["pml"]["insured"]) >= {"AEP 1-in-100", "AEP 1-in-200", "AEP 1-in-250"}
    assert summary["tvar99"]["insured"] >= summary["pml"]["insured"]["AEP 1-in-100"]
    latest = client.get("/api/v1/risk/runs/latest", headers=uw).json()
    assert latest["id"] == run["id"]
    svg = client.get("/api/v1/risk/runs/latest/ep-curve.svg", headers=uw)
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    assert svg.content.startswith(b"<?xml")
    # a price now reads the run's tail: one policy is under min_industry_policies, so the
    # portfolio ratio (when the run had a tail) applies
    price = client.get(f"/api/v1/quotes/{ids['quote_id']}/technical-price", headers=uw).json()
    assert price["capital_run_id"] == run["id"]
    assert price["capital_ratio_basis"] == "portfolio"
    assert price["capital_ratio"] == pytest.approx(summary["capital_ratio"]["portfolio"])
    # the run is audited
    admin = bearer(client, "admin@example.jp")
    audit = client.get("/api/v1/audit", headers=admin).json()
    assert any(row["action"] == "risk.run" for row in audit)


def test_rate_table_quote_without_a_submission(world: tuple[TestClient, dict[str, Any]]) -> None:
    """``POST /api/v1/rating``: the published example (REFERENCE.md §1: ¥67,000) rates at
    66,500円 (docs/rating.md), for agents of any agency; never for partners or insureds."""
    from pathlib import Path

    client, _ = world
    body = Path(__file__).resolve().parents[2] / "examples" / "rate-manufacturer-plan1.json"
    text = body.read_text(encoding="utf-8")
    for who in ("agent@lac.jp", "agent@other.jp", "uw@insurer.jp"):
        headers = {**bearer(client, who), "Content-Type": "application/json"}
        response = client.post("/api/v1/rating", headers=headers, content=text)
        assert response.status_code == 200, response.text
        assert response.json()["premium"] == 66_500
    for who in ("partner@pr.jp", "holder@other.jp"):
        headers = {**bearer(client, who), "Content-Type": "application/json"}
        assert client.post("/api/v1/rating", headers=headers, content=text).status_code == 403
    agent = {**bearer(client, "agent@lac.jp"), "Content-Type": "application/json"}
    bad = client.post("/api/v1/rating", headers=agent, content=text.replace("愛知県", "Bavaria"))
    assert bad.status_code == 422 and "company.prefecture" in bad.text
