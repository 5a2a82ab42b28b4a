"""An underwriter clears a referral from the queue with its reason; a reason left out is
refused next to the field; an agent may not open the queue."""

from __future__ import annotations

from datetime import date
from typing import Any

from playwright.sync_api import expect

from cybercover.services.people import authenticate
from cybercover.services.submissions import (
    create_submission,
    get_submission,
    quote_submission,
    update_submission,
)
from tests.factories import CLEAN_ANSWERS
from tests.integration.api_helpers import PASSWORD
from tests.integration.test_lifecycle_api import PLAN_1
from tests.web.conftest import Site


def referred_submission(site: Site) -> int:
    """The client answered no to MFA: quoted, but binding waits for an underwriter."""
    agent = authenticate(site.db, "agent@lac.jp", PASSWORD)
    sid: int = create_submission(
        site.db, agent, company_id=site.world["company"]["id"], start_date=date(2026, 8, 1)
    )["id"]
    update_submission(site.db, agent, sid, disclosure={**CLEAN_ANSWERS, "mfa": False})
    quote_submission(site.db, agent, sid, [PLAN_1])
    return sid


def test_an_underwriter_clears_a_referral(site: Site, people: Any) -> None:
    sid = referred_submission(site)
    underwriter = people()
    page = underwriter.sign_in("underwriter@insurer.jp")
    card = page.locator(f'section[data-submission="{sid}"]')
    expect(card.get_by_role("heading", level=2)).to_contain_text("株式会社テスト製作所")
    issue = card.locator('article[data-rule="no_mfa"]')
    expect(issue.get_by_role("heading", level=3)).to_contain_text("多要素認証なし")
    expect(issue).to_contain_text("多要素認証が導入されていません")
    expect(issue.locator(".status")).to_have_text("未決")
    # the options asked for: plan ① at ¥100M liability and ¥30M response costs
    expect(card.locator("tbody tr").first.locator("td")).to_have_text(
        ["1億円", "3,000万円", "—", "—", "—", "見積を参照"]
    )
    underwriter.shot("queue")

    # a decision without a reason is refused, the message next to the reason field
    issue.get_by_label("理由").fill("   ")
    issue.get_by_role("button", name="判断を記録").click()
    issue = page.locator(f'section[data-submission="{sid}"] article[data-rule="no_mfa"]')
    expect(issue.locator(".field-error")).to_have_text("空にできません")
    underwriter.shot("reason-required")

    issue.get_by_label("判断").select_option("clear")
    issue.get_by_label("理由").fill("MFA導入済みを電話で確認")
    issue.get_by_role("button", name="判断を記録").click()
    expect(page.get_by_role("status")).to_have_text("判断を記録しました。")
    expect(page.locator("#queue-empty")).to_have_text("判断待ちの申込はありません。")
    underwriter.shot("queue-cleared")
    cleared = {
        i["rule_code"]: i
        for i in get_submission(site.db, authenticate(site.db, "admin@example.jp", PASSWORD), sid)[
            "issues"
        ]
    }["no_mfa"]
    assert (cleared["status"], cleared["history"][0]["by_name"]) == ("cleared", "引受 一郎")

    # the agent's submission page now shows it cleared; the agent may not open the queue
    agent = people()
    agent.sign_in("agent@lac.jp")
    agent.open(f"/submissions/{sid}")
    expect(agent.page.locator('li[data-rule="no_mfa"] .status')).to_have_text("承認")
    response = agent.page.goto(site.url + "/underwriting")
    assert response is not None and response.status == 403
    expect(agent.page.locator("main")).not_to_contain_text("テスト製作所")
    agent.shot("agent-denied-queue")
