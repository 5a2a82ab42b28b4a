"""Stored and reflected XSS: every free-text field the API stores gets a script payload,
then every HTML page of the app is crawled as each role — the page routes come from the
app itself and the links found on each page, so pages added later are covered without
editing this test — and the raw payload must never appear unescaped."""

from __future__ import annotations

import re
from collections import deque
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Route

from cybercover.companies import check_digit
from tests.integration.api_helpers import PASSWORD, bearer
from tests.integration.conftest import AppFactory, FakeClock
from tests.integration.seed import seed
from tests.integration.test_lifecycle_api import COMPANY

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
PAYLOAD = f'{SCRIPT}">{IMG}'  # 55 characters: fits every field of 100 or more
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
USERS = [
    "admin@example.jp",
    "agent@lac.jp",
    "agent@other.jp",
    "holder@other.jp",
    "partner@pr.jp",
    "f@partner.jp",
    "desk@desk.jp",
    "claims@insurer.jp",
]
MAX_PAGES = 200  # per user; the crawl stops there
_HREF = re.compile(r"""(?:href|hx-get)\s*=\s*["']([^"']+)["']""")


def _inject(client: TestClient, ids: dict[str, Any]) -> dict[str, int]:
    """Store the payload through the API in every free-text field; returns the status of
    each attempt (a refusal is fine: then it is not stored)."""
    agent = bearer(client, "agent@lac.jp")
    admin = bearer(client, "admin@example.jp")
    desk = bearer(client, "desk@desk.jp")
    partner = bearer(client, "f@partner.jp")
    claims = bearer(client, "claims@insurer.jp")
    free = {"name": PAYLOAD, "name_kana": "テスト", "address_line": PAYLOAD}
    attempts: list[tuple[str, str, dict[str, str], Any]] = [
        ("PUT", f"/api/v1/companies/{ids['company_id']}", agent, {**COMPANY, **free}),
        (
            "POST",
            "/api/v1/companies",
            agent,
            {
                **COMPANY,
                **free,
                "corporate_number": f"{check_digit('010401099999')}010401099999",
                "cloud_vendors": [PAYLOAD],
                "key_software_vendors": [PAYLOAD],
                "agency_codes": ["lac"],
            },
        ),
        (
            "PATCH",
            f"/api/v1/submissions/{ids['submission_id']}",
            agent,
            {"disclosure": {"security_officer": PAYLOAD}},
        ),
        (
            "POST",
            f"/api/v1/submissions/{ids['submission_id']}/prebind",
            agent,
            {"kind": "application", "result": "received", "note": PAYLOAD},
        ),
        (
            "POST",
            f"/api/v1/underwriting-issues/{ids['issue_id']}/decision",
            admin,
            {"kind": "clear", "reason": PAYLOAD},
        ),
        (
            "POST",
            "/api/v1/organisations",
            admin,
            {"kind": "agency", "code": "xss", "name": PAYLOAD},
        ),
        (
            "POST",
            "/api/v1/users",
            admin,
            {
                "organisation_id": ids["agency_id"],
                "email": "xss@lac.jp",
                "display_name": PAYLOAD,
                "role": "agent",
                "password": PASSWORD,
            },
        ),
        (
            "POST",
            "/api/v1/incidents",
            desk,
            {
                "summary": PAYLOAD,
                "caller_name": PAYLOAD,
                "caller_organisation": PAYLOAD,
                "caller_contact": PAYLOAD,
                "company_id": ids["company_id"],
                "occurred_at": "2026-05-02T10:00:00+09:00",
            },
        ),
        ("PUT", f"/api/v1/incidents/{ids['incident_id']}/hearing", desk, {"summary": PAYLOAD}),
        ("POST", f"/api/v1/dispatches/{ids['dispatch_id']}/work", partner, {"note": PAYLOAD}),
        (
            "POST",
            f"/api/v1/dispatches/{ids['dispatch_id']}/costs",
            partner,
            {
                "kind": "invoice",
                "description": PAYLOAD,
                "amount_ex_tax": 1_000,
                "registration_number": "T7000012050002",
            },
        ),
        (
            "POST",
            f"/api/v1/costs/{ids['cost_id']}/decision",
            desk,
            {"approve": False, "reason": PAYLOAD},
        ),
        (
            "POST",
            f"/api/v1/claims/{ids['claim_id']}/items",
            claims,
            {"coverage": "liability", "category": SCRIPT, "description": PAYLOAD, "amount": 1},
        ),
        (
            "POST",
            f"/api/v1/claims/{ids['claim_id']}/reserves",
            claims,
            {"coverage": "liability", "amount": 1_000, "reason": PAYLOAD},
        ),
        (
            "POST",
            f"/api/v1/claims/{ids['claim_id']}/recoveries",
            claims,
            {"amount": 1, "from_party": PAYLOAD, "note": PAYLOAD},
        ),
        (
            "POST",
            "/api/v1/claims",
            claims,
            {
                "policy_id": ids["policy_id"],
                "grounds": PAYLOAD,
                "accident_at": "2026-05-03T10:00:00+09:00",
            },
        ),
    ]
    statuses = {}
    for method, url, headers, body in attempts:
        statuses[f"{method} {url}"] = client.request(
            method, url, headers=headers, json=body
        ).status_code
    upload = client.post(
        f"/api/v1/claims/{ids['claim_id']}/documents",
        headers=claims,
        files={"file": (f"{SCRIPT}.pdf", b"%PDF-1.4 x", "application/pdf")},
    )
    statuses["upload"] = upload.status_code
    return statuses


def _page_routes(client: TestClient, ids: dict[str, Any]) -> list[str]:
    """Every GET route outside the API, its path parameters filled from the seed."""
    paths = []
    for route in client.app.routes:  # type: ignore[attr-defined]
        if not isinstance(route, APIRoute | Route) or "GET" not in (route.methods or ()):
            continue
        path = route.path
        if path.startswith(("/api/", "/docs", "/static", "/healthz", "/redoc")):
            continue
        for name in re.findall(r"{(\w+)(?::\w+)?}", path):
            value = quote(str(ids.get(name, PAYLOAD)))
            path = re.sub(r"\{" + name + r"(?::\w+)?\}", lambda _, v=value: v, path)
        paths.append(path)
    # reflected input: the payload in query strings and path parts the pages read
    reflected = quote(PAYLOAD)
    paths += [
        f"/login?next={reflected}",
        f"/lang/en?next={reflected}",
        f"/agent/commission?month={reflected}",
        f"/{reflected}",
        f"/incidents/{reflected}",
    ]
    return paths


def _crawl(client: TestClient, start: list[str]) -> list[tuple[str, str]]:
    """BFS over same-site GET links; returns (url, html) of every HTML page seen."""
    seen: set[str] = set()
    queue = deque(start)
    pages = []
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen or "logout" in url:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code, response.text[:500])
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        pages.append((url, response.text))
        for href in _HREF.findall(response.text):
            target = urljoin(url, href.replace("&amp;", "&"))
            parts = urlsplit(target)
            if parts.netloc or not parts.path.startswith("/"):
                continue
            if parts.path.startswith(("/static", "/api/")):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return pages


def test_no_stored_or_reflected_payload_reaches_any_page_unescaped(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    app = make_app_for_test()
    ids = seed(app.state.db)
    client = TestClient(app)
    statuses = _inject(client, ids)
    stored = [k for k, v in statuses.items() if v < 300]
    assert len(stored) >= 10, statuses  # most fields took the payload
    start = _page_routes(client, ids)
    escaped_seen = 0
    html_pages = 0
    for email in [None, *USERS]:
        visitor = TestClient(app)
        if email is not None:
            login = visitor.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
            assert login.status_code == 200, login.text
        for url, html in _crawl(visitor, start):
            html_pages += 1
            assert SCRIPT not in html, (email, url)
            assert IMG not in html, (email, url)
            escaped_seen += html.count(ESCAPED)
    print(f"{html_pages} HTML pages crawled, {escaped_seen} escaped payloads; stored: {stored}")
    if html_pages:  # the app has pages: the payloads were shown, escaped
        assert escaped_seen > 0
