"""The portfolio page and the technical price on the quote table (issue #6), without a
browser: the insurer's roles see them, agencies and insureds never do."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI

from tests.factories import CLEAN_ANSWERS
from tests.integration.api_helpers import signed_in
from tests.integration.conftest import FakeClock
from tests.web.test_pages_http import PLAN_1_FORM, _new_submission, text

Seeded = tuple[FastAPI, FakeClock, dict[str, Any]]


def test_underwriter_runs_the_portfolio_and_reads_its_figures(seeded: Seeded) -> None:
    app, _, _world = seeded
    uw, csrf = signed_in(app, "underwriter@insurer.jp")
    first = uw.get("/portfolio")
    assert first.status_code == 200
    assert "ポートフォリオの模擬はまだ実行されていません。" in first.text
    bad = uw.post("/portfolio/runs", data={"csrf_token": csrf, "years": "50", "seed": "1"})
    assert bad.status_code == 422 and "100〜10,000,000年で指定してください" in bad.text
    done = uw.post("/portfolio/runs", data={"csrf_token": csrf, "years": "1000", "seed": "7"})
    assert done.status_code == 200
    page = text(done.text)
    assert "ポートフォリオの模擬結果を保存しました。" in page
    assert "有効契約 1件、模擬 1,000年（シード 7）" in page
    assert "PML AEP 1-in-100" in page and "TVaR 99%" in page
    assert 'src="/api/v1/risk/runs/latest/ep-curve.svg"' in done.text
    # the seeded company's exposure: one policy, liability ¥100M (plan ①), by industry
    industry = re.search(r'<table id="exposure-industry">.*?</table>', done.text, re.S)
    assert industry is not None and "1億円" in industry[0]
    curve = uw.get("/api/v1/risk/runs/latest/ep-curve.svg")
    assert curve.status_code == 200 and b"<svg" in curve.content
    uw.cookies.set("cc_lang", "en")
    english = uw.get("/portfolio")
    assert "Exposure by industry" in english.text and "Average annual loss" in english.text


def test_agencies_and_insureds_never_reach_the_portfolio(seeded: Seeded) -> None:
    app, _, _world = seeded
    for email in ("agent@lac.jp", "holder@test.jp"):
        client, csrf = signed_in(app, email)
        page = client.get("/portfolio")
        assert page.status_code == 403, (email, page.status_code)
        assert "PML" not in page.text and "/portfolio" not in client.get("/").text
        refused = client.post("/portfolio/runs", data={"csrf_token": csrf, "years": "1000"})
        assert refused.status_code == 403


def test_technical_price_beside_the_table_price_for_the_underwriter_only(
    seeded: Seeded,
) -> None:
    app, _, world = seeded
    agent, csrf = signed_in(app, "agent@lac.jp")
    sid = _new_submission(agent, csrf, world["company"]["id"])
    answers = {
        f"disclosure.{k}": ("yes" if v else "no") if isinstance(v, bool) else str(v)
        for k, v in CLEAN_ANSWERS.items()
    }
    agent.post(f"/submissions/{sid}/disclosure", data=answers | {"csrf_token": csrf})
    agent.post(f"/submissions/{sid}/quote", data=PLAN_1_FORM | {"csrf_token": csrf})
    agency_view = agent.get(f"/submissions/{sid}").text
    assert "技術的保険料" not in agency_view and "data-technical" not in agency_view
    uw, _ = signed_in(app, "underwriter@insurer.jp")
    page = uw.get(f"/submissions/{sid}").text
    table = re.search(r'data-quote="(\d+)">([\d,]+)円', page)
    technical = re.search(r'data-technical="(\d+)">([\d,]+)円', page)
    ratio = re.search(r'data-ratio="(\d+)">([\d.]+)<', page)
    assert table and technical and ratio and table[1] == technical[1] == ratio[1]
    premium = int(table[2].replace(",", ""))
    price = int(technical[2].replace(",", ""))
    assert price % 10 == 0 and float(ratio[2]) == round(premium / price, 2)
