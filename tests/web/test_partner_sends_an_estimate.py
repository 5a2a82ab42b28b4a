"""A partner sees its own dispatches only: it accepts one, logs its work and sends an
estimate whose tax it sees computed; a bad amount is refused next to the field; the desk
approves it against what is left of the response-cost limit; another partner sees
nothing of it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from cybercover.errors import InputError
from cybercover.services.dispatch import (
    decide_cost,
    dispatch_partner,
    hand_over,
    respond_dispatch,
    submit_cost,
)
from cybercover.services.incidents import report_incident
from cybercover.services.people import authenticate
from tests.integration.api_helpers import PASSWORD
from tests.web.conftest import Site


def dispatched(site: Site) -> tuple[int, int]:
    holder = authenticate(site.db, "holder@test.jp", PASSWORD)
    desk = authenticate(site.db, "desk@desk.jp", PASSWORD)
    iid = report_incident(site.db, holder, {"summary": "不正アクセスの疑い"})["id"]
    hand_over(site.db, desk, iid)
    partners = site.world["partners"]
    forensics = dispatch_partner(
        site.db, desk, iid, partner_id=partners["forensics"], service="investigation"
    )
    dispatch_partner(site.db, desk, iid, partner_id=partners["pr"], service="public_relations")
    return iid, int(forensics["id"])


def test_a_partner_accepts_and_sends_an_estimate(site: Site, people: Any) -> None:
    iid, did = dispatched(site)
    partner = people()
    page = partner.sign_in("forensics@partner.jp")
    cards = page.locator("section[data-dispatch]")
    expect(cards).to_have_count(1)  # not the PR firm's dispatch
    card = page.locator(f'section[data-dispatch="{did}"]')
    expect(card.get_by_role("heading", level=2)).to_contain_text("調査・応急対応")
    expect(card.locator(".status")).to_have_text("依頼中")
    partner.shot("dispatches")
    card.get_by_role("button", name="受諾").click()
    expect(page.get_by_role("status")).to_have_text("回答しました。")
    expect(card.locator("h2 .status")).to_have_text("受諾")

    card.get_by_label("作業内容").fill("ログ保全、感染端末の隔離")
    card.get_by_label("時間").fill("3.5")
    card.get_by_role("button", name="記録", exact=True).click()
    expect(card.locator("ul.list li")).to_contain_text(["ログ保全、感染端末の隔離 (3.5 h)"])

    # an amount that is not a whole number is refused next to the field
    card.get_by_label("内容", exact=True).fill("フォレンジック調査 一式")
    card.get_by_label("税抜金額（円）").fill("1500万")
    card.get_by_label("適格請求書発行事業者登録番号（T＋13桁）").fill("T7000012050002")
    card.get_by_role("button", name="送付").click()
    expect(card.locator(".field-error")).to_have_text("整数で指定してください")
    expect(card.get_by_label("税抜金額（円）")).to_have_value("1500万")
    partner.shot("estimate-refused")

    card.get_by_label("税抜金額（円）").fill("15,000,000")
    card.get_by_role("button", name="送付").click()
    expect(page.get_by_role("status")).to_have_text("デスクに送付しました。")
    # consumption tax 10 %, floored: 1,500,000; total 16,500,000
    expect(card.locator("tbody tr").first.locator("td")).to_have_text(
        [
            "見積書",
            "フォレンジック調査 一式",
            "15,000,000円",
            "1,500,000円",
            "16,500,000円",
            "提出済",
        ]
    )
    partner.shot("estimate-sent")

    # the desk approves it: 30,000,000 of response costs, 13,500,000 left after it
    desk = people()
    desk.sign_in("desk@desk.jp")
    desk.open(f"/incidents/{iid}")
    cost = desk.page.locator("div.cost").first
    cost.get_by_role("button", name="承認", exact=True).click()
    expect(desk.page.locator("div.cost .status").first).to_have_text("承認済")
    expect(desk.page.locator("div.cost small").first).to_contain_text("13,500,000円")
    desk.shot("estimate-approved")
    page.reload()
    expect(card.locator("tbody tr").first.locator("td").last).to_have_text("承認済")

    # the PR firm sees only its own dispatch; it has a dispatch on this incident, so it
    # reaches the incident's summary, but the case page is not its to read (403)
    other = people()
    other.sign_in("pr@partner.jp")
    expect(other.page.locator("section[data-dispatch]")).to_have_count(1)
    expect(other.page.locator("main")).not_to_contain_text("フォレンジック調査")
    response = other.page.goto(site.url + f"/incidents/{iid}")
    assert response is not None and response.status == 403
    expect(other.page.locator("main")).not_to_contain_text("フォレンジック調査")
    expect(other.page.locator("main")).not_to_contain_text("不正アクセス")
    other.shot("other-partner")


def test_the_desk_refuses_a_cost_with_its_reason_and_the_partner_reads_it(
    site: Site, people: Any
) -> None:
    iid, did = dispatched(site)
    partner_actor = authenticate(site.db, "forensics@partner.jp", PASSWORD)
    respond_dispatch(site.db, partner_actor, did, accept=True)
    cost = submit_cost(
        site.db,
        partner_actor,
        did,
        kind="estimate",
        description="追加調査",
        amount_ex_tax=2_000_000,
        tax_rate_percent=10,
        registration_number="T7000012050002",
    )
    # the service refuses a refusal without a reason (the page's field is required too)
    desk_actor = authenticate(site.db, "desk@desk.jp", PASSWORD)
    with pytest.raises(InputError) as refused:
        decide_cost(site.db, desk_actor, cost["id"], approve=False, reason="  ")
    assert [(p.path, p.rule) for p in refused.value.problems] == [("reason", "required")]

    desk = people()
    desk.sign_in("desk@desk.jp")
    desk.open(f"/incidents/{iid}")
    row = desk.page.locator(f'div.cost[data-cost="{cost["id"]}"]')
    row.get_by_label("不承認の理由").fill("範囲外の作業が含まれています")
    row.get_by_role("button", name="不承認", exact=True).click()
    expect(desk.page.get_by_role("status")).to_have_text("判断を記録しました。")
    row = desk.page.locator(f'div.cost[data-cost="{cost["id"]}"]')
    expect(row.locator(".refusal")).to_have_text("— 範囲外の作業が含まれています")

    partner = people()
    page = partner.sign_in("forensics@partner.jp")
    line = page.locator(f'tr[data-cost="{cost["id"]}"] td').last
    expect(line).to_have_text("不承認 — 範囲外の作業が含まれています")
