"""A partner sees its own dispatches only: it accepts one, logs its work and sends an
estimate whose tax it sees computed; a bad amount is refused next to the field; the desk
approves it against what is left of the response-cost limit; another partner sees
nothing of it."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from cybercover.services.dispatch import dispatch_partner, hand_over
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

    # the PR firm sees only its own dispatch, and a 404 page for the incident
    other = people()
    other.sign_in("pr@partner.jp")
    expect(other.page.locator("section[data-dispatch]")).to_have_count(1)
    expect(other.page.locator("main")).not_to_contain_text("フォレンジック調査")
    response = other.page.goto(site.url + f"/incidents/{iid}")
    assert response is not None and response.status == 404
    expect(other.page.locator("main")).not_to_contain_text("不正アクセス")
    other.shot("other-partner")
