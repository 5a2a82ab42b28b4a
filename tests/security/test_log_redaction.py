"""No password, token, e-mail address, telephone number, My Number or card-data flag in
any log line: a journey that submits each of them runs with every logger at DEBUG and
SQLAlchemy echoing its statements *with their parameters* (the likeliest leak)."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from cybercover.logging import redact
from cybercover.services.authz import SYSTEM
from cybercover.services.people import create_organisation, create_user
from tests.integration.api_helpers import PASSWORD, bearer
from tests.integration.conftest import AppFactory
from tests.integration.test_lifecycle_api import COMPANY

WRONG_PASSWORD = "Tr0ub4dor&3-not-mine"
CALLER_MAIL = "yamada.taro@example.co.jp"
CALLER_PHONE = "090-1234-5678"
MY_NUMBER = "123456789012"
CARD = "4111 1111 1111 1111"


def test_a_journey_with_personal_data_leaves_none_of_it_in_the_logs(
    make_app_for_test: AppFactory,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # SQL and parameters
    client = TestClient(make_app_for_test())
    db = client.app.state.db  # type: ignore[attr-defined]
    client.post("/api/v1/auth/tokens", json={"email": "x@y.jp", "password": PASSWORD})
    from cybercover.services.people import bootstrap_admin

    bootstrap_admin(db, email="admin@example.jp", password=PASSWORD)
    agency = create_organisation(db, SYSTEM, kind="agency", code="lac", name="lac")
    create_organisation(db, SYSTEM, kind="agency", code="sjp", name="sjp")
    desk = create_organisation(db, SYSTEM, kind="desk", code="desk", name="desk")
    for org, email, role in [
        (agency, "agent@lac.jp", "agent"),
        (desk, "desk@desk.jp", "desk_operator"),
    ]:
        create_user(
            db,
            SYSTEM,
            organisation_id=org,
            email=email,
            display_name=email,
            role=role,
            password=PASSWORD,
        )
    wrong = client.post(
        "/api/v1/auth/tokens", json={"email": "agent@lac.jp", "password": WRONG_PASSWORD}
    )
    assert wrong.status_code == 401
    agent = bearer(client, "agent@lac.jp")
    company = client.post(
        "/api/v1/companies",
        headers=agent,
        json={**COMPANY, "handles_my_number": True, "handles_card_data": True},
    )
    assert company.status_code == 201, company.text
    report = client.post(
        "/api/v1/incidents",
        headers=bearer(client, "desk@desk.jp"),
        json={
            "summary": f"カード番号 {CARD} とマイナンバー {MY_NUMBER} が流出した可能性",
            "caller_name": "山田太郎",
            "caller_contact": f"{CALLER_PHONE} {CALLER_MAIL}",
            "company_id": company.json()["id"],
        },
    )
    assert report.status_code == 201, report.text
    try:  # a failure whose message carries personal data, logged with its traceback
        raise ValueError(f"could not notify {CALLER_MAIL} at {CALLER_PHONE}")
    except ValueError:
        logging.getLogger("cybercover.test").exception("notify failed for %s", CALLER_MAIL)
    # uvicorn's access line: its arguments stay arguments (its formatter unpacks them).
    # A uvicorn started in this process earlier (the browser tests) applied its logging
    # config, which stops "uvicorn.access" from reaching caplog's root handler.
    access = logging.getLogger("uvicorn.access")
    monkeypatch.setattr(access, "propagate", True)
    monkeypatch.setattr(access, "disabled", False)
    caplog.set_level(logging.INFO, logger="uvicorn.access")
    access.info(
        '%s - "%s %s HTTP/%s" %d',
        "127.0.0.1:5000",
        "GET",
        f"/api/v1/companies?email={CALLER_MAIL}",
        "1.1",
        200,
    )

    text = caplog.text
    assert "INSERT INTO incidents" in text and "INSERT INTO users" in text  # it was logged
    assert "Traceback" in text and "notify failed for [email]" in text
    assert '"GET /api/v1/companies?email=[redacted] HTTP/1.1" 200' in text
    for secret in (
        PASSWORD,
        WRONG_PASSWORD,
        "$argon2",
        agent["Authorization"].split()[1],
        "admin@example.jp",
        "agent@lac.jp",
        CALLER_MAIL,
        CALLER_PHONE,
        MY_NUMBER,
        CARD,
        '"handles_card_data": true',
        '"handles_my_number": true',
    ):
        assert secret not in text, secret


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("mail yamada@example.co.jp now", "mail [email] now"),
        ("tel 03-1234-5678, 09012345678, +81 90-1234-5678", "tel [phone], [phone], [phone]"),
        ("個人番号 1234 5678 9012", "個人番号 [my-number]"),
        ("card 4111-1111-1111-1111", "card [card]"),
        ('{"password": "p w", "token": "abc"}', '{"password": [redacted], "token": [redacted]}'),
        ("Authorization: Bearer cc_abcdefghijklmnopqrstuvwx", "Authorization: [redacted] [secret]"),
        # left alone: a public 法人番号, yen amounts, dates and times
        (
            "法人番号 7000012050002 ¥500,000,000 2026-03-02T10:00:00+09:00",
            "法人番号 7000012050002 ¥500,000,000 2026-03-02T10:00:00+09:00",
        ),
    ],
)
def test_redaction_rules(raw: str, shown: str) -> None:
    assert redact(raw) == shown


def test_numbers_stay_numbers_for_their_format(caplog: pytest.LogCaptureFixture) -> None:
    from decimal import Decimal

    from cybercover.logging import install_redaction

    install_redaction()
    caplog.set_level(logging.INFO)
    logging.getLogger("cybercover.test").info("%d 円, %.1f%%, %s", 1_500_000, Decimal("2.5"), True)
    assert "1500000 円, 2.5%, True" in caplog.text
