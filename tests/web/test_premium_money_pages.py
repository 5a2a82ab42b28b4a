"""Premium money on the pages (issue #17, rule 8): the cancellation's refund and earned
premium on the policy page, a refund paid recorded there with its value date, and the
return commission on the agent's statement. Figures by hand."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI

from tests.integration.api_helpers import signed_in
from tests.integration.conftest import FakeClock

Seeded = tuple[FastAPI, FakeClock, dict[str, Any]]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_cancellation_refund_recorded_on_the_policy_page_takes_back_commission(
    seeded: Seeded,
) -> None:
    app, _, world = seeded  # 10 July 2026 02:30 JST; ¥53,200 lump sum paid on 2 March
    pid = world["policy_id"]
    agent, agent_csrf = signed_in(app, "agent@lac.jp")
    # the insured cancels from 10 July: day 100 (30 + 31 + 30 + 9), short rate keeps
    # 55 % (93–123 days): 53,200 − 53,200 × 45 % (23,940) = 29,260 earned; all 53,200
    # was received, so 23,940 goes back
    cancelled = agent.post(
        f"/policies/{pid}/cancel",
        data={"csrf_token": agent_csrf, "effective_date": "2026-07-10", "by": "insured"}
        | {"reason": "事業譲渡"},
    )
    page = text(cancelled.text)
    assert "解約しました。" in page
    assert "既経過保険料 29,260円" in page
    assert "返戻金 23,940円" in page and "不足額の請求 0円" in page
    assert "取消した分割保険料 0 (0円)" in page
    # an agent may not record money: no form, and the route refuses
    assert "入金の記録" not in page
    refund_id = int(re.findall(r'data-invoice="(\d+)"', cancelled.text)[-1])
    refused = agent.post(
        f"/policies/{pid}/invoices/{refund_id}/payment",
        data={"csrf_token": agent_csrf, "amount": "-23940"},
    )
    assert refused.status_code == 403

    admin, csrf = signed_in(app, "admin@example.jp")
    page = admin.get(f"/policies/{pid}").text
    assert f'action="/policies/{pid}/invoices/{refund_id}/payment"' in page
    # a value date tomorrow is refused at the form, in the API's words
    future = admin.post(
        f"/policies/{pid}/invoices/{refund_id}/payment",
        data={"csrf_token": csrf, "amount": "-23940", "paid_at": "2026-07-11"},
    )
    assert future.status_code == 422
    assert "入金日（着金日）は未来の日付にできません" in future.text
    paid = admin.post(
        f"/policies/{pid}/invoices/{refund_id}/payment",
        data={"csrf_token": csrf, "amount": "-23,940", "paid_at": "2026-07-10"},
    )
    assert "入金を記録しました。" in text(paid.text)
    assert f'action="/policies/{pid}/invoices/{refund_id}/payment"' not in paid.text

    # July: the refund paid takes back 23,940 × 20 % × 50 % = 2,394 of commission
    statement = text(agent.get("/agent/commission?month=2026-07").text)
    assert "返戻金支払" in statement
    assert "手数料合計 -2,394円" in statement
    assert "うち返戻金に対する戻し手数料 -2,394円" in statement
    # March: the premium collected earned 53,200 × 20 % × 50 % = 5,320
    march = text(agent.get("/agent/commission?month=2026-03").text)
    assert "保険料領収" in march and "手数料合計 5,320円" in march
