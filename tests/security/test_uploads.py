"""Uploads through the API: too large, wrong type, bytes that lie about their type and
path tricks in file names are refused or neutralised, on both upload routes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cybercover.api.app import create_app
from cybercover.settings import Settings
from cybercover.storage.models import ClaimDocument, Upload
from tests.integration.api_helpers import bearer
from tests.integration.conftest import FakeClock
from tests.integration.seed import seed

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
LIMIT = 1024


@pytest.fixture
def world(database_url: str, clock: FakeClock) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    settings = Settings(environment="test", database_url=database_url, max_upload_bytes=LIMIT)
    app = create_app(settings, clock=clock)
    ids = seed(app.state.db)
    yield TestClient(app), ids
    app.state.db.engine.dispose()


def _send(
    client: TestClient, ids: dict[str, Any], route: str, name: str, ctype: str, data: bytes
) -> Any:
    if route == "submission":
        return client.post(
            f"/api/v1/submissions/{ids['submission_id']}/documents",
            headers=bearer(client, "agent@lac.jp"),
            data={"kind": "isms_certificate"},
            files={"file": (name, data, ctype)},
        )
    return client.post(
        f"/api/v1/claims/{ids['claim_id']}/documents",
        headers=bearer(client, "claims@insurer.jp"),
        files={"file": (name, data, ctype)},
    )


def _stored(client: TestClient) -> int:
    db = client.app.state.db  # type: ignore[attr-defined]
    with db.sessions() as session:
        return int(
            session.execute(select(func.count()).select_from(Upload)).scalar_one()
            + session.execute(select(func.count()).select_from(ClaimDocument)).scalar_one()
        )


ROUTES = ["submission", "claim"]


REFUSED = [
    ("big.pdf", "application/pdf", PDF + b"x" * LIMIT, "too_large"),
    ("page.html", "text/html", b"<html><script>alert(1)</script></html>", "content_type"),
    ("image.svg", "image/svg+xml", b"<svg onload=alert(1)></svg>", "content_type"),
    ("tool.pdf", "application/pdf", b"MZ\x90\x00\x03 a Windows program", "content_mismatch"),
    ("photo.png", "image/png", PDF, "content_mismatch"),
    ("empty.pdf", "application/pdf", b"", "empty"),
    ("x.pdf", "application/octet-stream", PDF, "content_type"),
]


@pytest.mark.parametrize("route", ROUTES)
def test_a_file_that_breaks_a_rule_is_refused_naming_the_rule_and_nothing_is_stored(
    world: tuple[TestClient, dict[str, Any]], route: str
) -> None:
    client, ids = world
    before = _stored(client)
    for name, ctype, data, rule in REFUSED:
        response = _send(client, ids, route, name, ctype, data)
        assert response.status_code == 422, (name, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        errors = response.json()["errors"]
        assert {"field": "file", "rule": rule} in [
            {"field": e["field"], "rule": e["rule"]} for e in errors
        ], (name, errors)
    assert _stored(client) == before


RENAMED = [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\windows\\win.ini.pdf", "win.ini.pdf"),
    ("/etc/shadow.pdf", "shadow.pdf"),
    ("....//....//x.pdf", "x.pdf"),
    ("..", "upload"),
    ("<script>alert(1)</script>.pdf", "script_.pdf"),
    ("見積書 2026年.pdf", "見積書_2026年.pdf"),
]


@pytest.mark.parametrize("route", ROUTES)
def test_path_tricks_in_file_names_keep_only_a_plain_last_part(
    world: tuple[TestClient, dict[str, Any]], route: str
) -> None:
    client, ids = world
    for name, stored in RENAMED:
        response = _send(client, ids, route, name, "application/pdf", PDF)
        assert response.status_code == 201, (name, response.text)
        assert response.json()["filename"] == stored
