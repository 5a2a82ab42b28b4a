"""An agent fills the disclosure form, quotes two options side by side, records the
pre-bind steps, binds plan ① and issues the policy; another agency sees none of it."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.factories import CLEAN_ANSWERS
from tests.web.conftest import Site


def test_an_agent_quotes_two_options_and_binds_one(site: Site, people: Any) -> None:
    agent = people()
    page = agent.sign_in("agent@lac.jp")
    expect(page).to_have_url(re.compile(r"/agent$"))
    expect(page.get_by_role("heading", name="顧客")).to_be_visible()
    agent.shot("clients")

    # a new submission for the client, starting 1 August 2026
    page.get_by_label("会社", exact=True).select_option(label="株式会社テスト製作所")
    page.get_by_label("保険始期").fill("2026-08-01")
    page.get_by_role("button", name="作成").click()
    expect(page.get_by_role("status")).to_have_text("作成しました。")
    expect(page.locator("#submission-status")).to_have_text("作成中")

    # quoting before the disclosure is answered is referred: the answers are missing
    page.get_by_role("button", name="見積", exact=True).click()
    expect(page.locator("#submission-status")).to_have_text("引受審査中")
    expect(page.locator("#iss-h + ul")).to_contain_text("見積に必要な告知の未回答")
    agent.shot("referred-without-disclosure")

    # the disclosure form: every answer the way no underwriting rule refers
    for code, value in CLEAN_ANSWERS.items():
        field = page.locator(f'[name="disclosure.{code}"]')
        if isinstance(value, bool):
            field.select_option("yes" if value else "no")
        elif code == "outsourced_it":
            field.select_option(str(value))
        else:
            field.fill(str(value))
    page.get_by_role("button", name="告知を保存").click()
    expect(page.get_by_role("status")).to_have_text("保存しました。")
    agent.shot("disclosure")

    # the form starts from plan ① and plan ② + BI: quote both, side by side
    page.get_by_role("button", name="見積", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("見積りました")
    premiums = page.locator("td.premium")
    # plan ①: ¥70,000 base at ¥500M revenue × 0.95 (¥100,000 deductible) = 66,500,
    #   × 0.80 security credit (every control in place) = 53,200
    # plan ② + BI: 70,000 × 1.40 (¥500M liability) = 98,000 × 1.23 (¥100M costs)
    #   = 120,540 × 1.15 (BI, 12 h) = 138,621 × 0.80 = 110,896.8 → 110,897, floored to 10
    expect(premiums).to_have_text(["53,200円", "110,890円"])
    security = page.locator('tr[data-factor="security"] td')
    expect(security).to_have_text(["×0.80 → 53,200円", "×0.80 → 110,897円"])
    limits = page.locator("table.quotes tbody tr").first.locator("td")
    expect(limits).to_have_text(["1億円", "5億円"])
    # valid for 30 days from the quote on 10 July (JST): until 9 August 2026
    expect(page.locator("table.quotes tfoot tr").nth(1).locator("td").first).to_have_text(
        "2026年8月9日（令和8年）"
    )
    agent.shot("quotes-side-by-side")

    # binding before the pre-bind steps is refused with the service's reason
    page.locator("form.bind").first.get_by_role("button", name="このプランで締結").click()
    expect(page.locator(".errors")).to_be_visible()
    for label in ["重要事項説明済", "意向確認済", "申込書受領", "反社会的勢力チェック済"]:
        page.get_by_label(label).check()
    page.get_by_role("button", name="記録", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("記録しました。")

    page.locator("form.bind").first.get_by_role("button", name="このプランで締結").click()
    expect(page.get_by_role("status")).to_contain_text("締結しました")
    expect(page.locator("#policy-status")).to_have_text("締結済")
    expect(page.locator("#annual-premium")).to_have_text("53,200円")
    agent.shot("bound")
    page.get_by_role("button", name="証券を発行する").click()
    expect(page.get_by_role("status")).to_have_text("証券を発行しました。")
    expect(page.locator("h1")).to_contain_text(re.compile(r"CY-2026-\d{6}-\d"))
    # one lump-sum invoice of the whole premium, due on the start date, nothing received
    invoice = page.locator("#invoices tbody tr")
    expect(invoice).to_have_count(1)
    for i, cell in enumerate(["1", "2026年8月1日（令和8年）", "53,200円", "0円", "—"]):
        expect(invoice.locator("td").nth(i)).to_have_text(cell)
    policy_url = page.url
    agent.shot("issued")

    # another agency's agent gets a 404 page that shows nothing of it
    other = people()
    other.sign_in("agent@other.jp")
    response = other.page.goto(policy_url)
    assert response is not None and response.status == 404
    expect(other.page.locator("main")).not_to_contain_text("53,200")
    expect(other.page.locator("main")).not_to_contain_text("CY-2026")
    other.shot("other-agency-denied")
