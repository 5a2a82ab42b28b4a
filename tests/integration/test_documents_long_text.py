"""The incident report through the API with the longest summary the API takes (4,000
characters, in lines): a PDF of several pages with every line of the summary in it, not a
500 (schemathesis found a ReportLab ``LayoutError`` on a summary longer than a page)."""

from __future__ import annotations

import io
from datetime import datetime

from fastapi.testclient import TestClient
from pypdf import PdfReader

from cybercover.timeutil import JST
from tests.integration.api_helpers import bearer
from tests.integration.conftest import AppFactory, FakeClock
from tests.integration.test_desk_api import seed
from tests.integration.test_lifecycle_api import COMPANY
from tests.unit.documents.pdftext import text_of

SUMMARY_MAX = 4_000  # ReportIn.summary's max_length


def long_summary() -> tuple[str, list[str]]:
    """4,000 characters in lines of Japanese and English; the last line is unique."""
    lines: list[str] = []
    number = 0
    while True:
        line = f"{number:03d} サーバーが暗号化された server encrypted"
        if len("\n".join([*lines, line, "最後の行 THE-LAST-LINE"])) > SUMMARY_MAX:
            break
        lines.append(line)
        number += 1
    lines.append("最後の行 THE-LAST-LINE")
    lines[-1] += "x" * (SUMMARY_MAX - len("\n".join(lines)))  # exactly the maximum
    return "\n".join(lines), lines


def test_a_summary_of_the_maximum_length_flows_across_pages(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    app = make_app_for_test()
    client = TestClient(app)
    seed(app.state.db)  # bound on 2 March; the incident is reported on 10 July
    clock.now = datetime(2026, 7, 10, 3, 0, tzinfo=JST)
    summary, lines = long_summary()
    assert len(summary) == SUMMARY_MAX
    desk = bearer(client, "desk@desk.jp")
    response = client.post(
        "/api/v1/incidents",
        headers=desk,
        json={
            "channel": "phone",
            "summary": summary,
            "occurred_at": "2026-07-10T02:10:00+09:00",
            "caller_name": "情報システム部 山田",
            "corporate_number": COMPANY["corporate_number"],
        },
    )
    assert response.status_code == 201, response.text
    incident = response.json()

    pdf = client.get(f"/api/v1/incidents/{incident['id']}/documents/report.pdf", headers=desk)
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert len(PdfReader(io.BytesIO(pdf.content)).pages) > 1
    text = text_of(pdf.content)
    last = "".join(lines[-1].split())
    assert last in text
    missing = ["".join(line.split()) for line in lines if "".join(line.split()) not in text]
    assert not missing, missing[:3]
