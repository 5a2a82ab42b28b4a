"""The claims handler's worksheet on the product page's leak example: each item, what is
payable, each yen withheld with its clause; then one payment per part (issue #17), each
within its reserve: the liability money to the victim (not the insured, 保険法22条), the
response costs above the handler's authority — its reserve set by a manager, the payment
waiting for a second approver. The policyholder then sees the limits eroded. Another
company's policyholder gets a 404 page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from playwright.sync_api import Page, expect

from cybercover.services.claims import add_loss_item, open_claim
from cybercover.services.people import authenticate
from cybercover.timeutil import JST
from tests.integration.api_helpers import PASSWORD
from tests.integration.test_claims import LEAK_ITEMS
from tests.web.conftest import Site

# examples/page-leak-gifts-lawsuit.json, less its last item (added in the browser)
ITEMS = LEAK_ITEMS[:-1]


def claim_with_items(site: Site) -> int:
    handler = authenticate(site.db, "claims@insurer.jp", PASSWORD)
    claim = open_claim(
        site.db,
        handler,
        policy_id=site.world["policy_id"],
        accident_at=datetime(2026, 7, 1, 9, 30, tzinfo=JST),
        claim_made_at=datetime(2026, 7, 7, 9, 30, tzinfo=JST),  # the customers' first demand
    )
    for coverage, category, amount in ITEMS:
        add_loss_item(
            site.db,
            handler,
            claim["id"],
            coverage=coverage,
            category=category,
            description=category,
            amount=amount,
            # ¥650 gifts to 30,000 customers, within the ¥1,000-a-person cap, consented
            victims=30_000 if category == "apology_gifts" else None,
            consent=category == "apology_gifts",
        )
    return int(claim["id"])


def reserve(page: Page, coverage: str, amount: str) -> None:
    """Set a part's reserve on the claim page."""
    page.locator("#f-reserve\\.coverage").select_option(coverage)
    page.locator("#f-reserve\\.amount").fill(amount)
    page.locator("#f-reserve\\.reason").fill("査定額 / as assessed")
    page.get_by_role("button", name="備金を設定").click()


def request(page: Page, coverage: str, amount: str, payee_kind: str, payee_name: str) -> None:
    """Ask for a payment of one part, to one payee, on the claim page."""
    page.locator("#f-pay\\.coverage").select_option(coverage)
    page.locator("#f-pay\\.amount").fill(amount)
    page.locator("#f-pay\\.payee_kind").select_option(payee_kind)
    page.locator("#f-pay\\.payee_name").fill(payee_name)
    page.locator("#pay").click()


def test_a_handler_pays_with_a_second_approver(site: Site, people: Any) -> None:
    cid = claim_with_items(site)
    handler = people()
    page = handler.sign_in("claims@insurer.jp")
    expect(page.locator("tbody tr").first).to_contain_text("CLM-2026-000001")
    page.get_by_role("link", name="CLM-2026-000001").click()

    page.get_by_label("補償").first.select_option(label="事故対応特別費用")
    page.locator("#f-category").fill("legal_advice")
    page.get_by_label("内容", exact=True).fill("弁護士相談")
    page.locator("#f-amount").fill("abc")  # the item form's amount
    page.get_by_role("button", name="追加", exact=True).click()
    expect(page.locator("#err-amount")).to_have_text("整数で指定してください")
    page.locator("#f-amount").fill("1,000,000")
    page.get_by_role("button", name="追加", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("損害項目を追加しました。")

    rows = page.locator("table.worksheet tbody tr")
    expect(rows).to_have_count(7)

    # liability 3,600,000 + 2,500,000 − 100,000 deductible = 6,000,000. Response costs:
    # forensics 4,000,000 + call centre 8,000,000 = 12,000,000; the gifts (¥650 × 30,000
    # = 19,500,000) reach the 30,000,000 limit after 18,000,000 (1,500,000 withheld);
    # the notices lose all 3,900,000 to the limit, the legal advice its 100,000
    # deductible and the other 900,000 to the limit: 6,400,000 withheld of 36,400,000
    def row(category: str) -> Any:
        return page.locator(f'table.worksheet tbody tr[data-category="{category}"]')

    expect(row("defence_costs").locator(".withheld strong")).to_have_text(["100,000円"])
    # a cost head by its product label; a category that is no head, as typed
    expect(row("forensics").locator("td").nth(1)).to_have_text("事故原因・被害範囲調査費用")
    expect(row("apology_gifts").locator("td").nth(1)).to_have_text("見舞金・見舞品購入費用")
    expect(row("legal_advice").locator("td").nth(1)).to_have_text("legal_advice — 弁護士相談")
    expect(row("apology_gifts").locator("td.payable")).to_have_text("18,000,000円")
    expect(row("apology_gifts").locator(".withheld strong")).to_have_text(["1,500,000円"])
    expect(row("notices").locator("td.payable")).to_have_text("0円")
    expect(row("notices").locator(".withheld strong")).to_have_text(["3,900,000円"])
    legal = row("legal_advice")
    expect(legal.locator("td").first).to_have_text("事故対応特別費用")
    expect(legal.locator("td.payable")).to_have_text("0円")
    expect(legal.locator(".withheld strong")).to_have_text(["100,000円", "900,000円"])
    expect(legal.locator(".withheld").first).to_contain_text("自己負担額")
    expect(legal.locator(".withheld small")).to_have_text(["(PRODUCT.md §3 ※2)", "(PRODUCT.md §3)"])
    expect(page.locator("#payable-total")).to_have_text("36,000,000円")
    handler.shot("worksheet")

    # ① 6,000,000: the handler reserves it (within its 10,000,000 authority) and pays it
    # to the victims; to the insured it is refused without the victims' consent or proof
    # they were paid (保険法22条)
    reserve(page, "liability", "6,000,000")
    expect(page.get_by_role("status")).to_have_text("支払備金を設定しました。")
    request(page, "liability", "6,000,000", "insured", "株式会社テスト製作所")
    expect(page.locator("#err-pay\\.lien_basis")).to_contain_text("保険法22条")
    request(page, "liability", "6,000,000", "third_party", "顧客各位（被害者）")
    expect(page.get_by_role("status")).to_have_text("支払を申請しました。")
    paid = page.locator("tr[data-payment]").first
    expect(paid.locator("td.num")).to_have_text("6,000,000円")
    expect(paid.locator(".pstatus")).to_have_text("支払済")  # within authority: paid at once
    # ② 30,000,000 is above what the handler may reserve: a manager reserves it
    reserve(page, "response_costs", "30,000,000")
    expect(page.locator(".errors")).to_contain_text("備金の権限を超えています")
    manager = people()
    manager.sign_in("manager@insurer.jp")
    reserve(manager.open(f"/claims/{cid}"), "response_costs", "30,000,000")
    expect(manager.page.get_by_role("status")).to_have_text("支払備金を設定しました。")

    # 6,000,000 + 30,000,000 = 36,000,000 asked by the handler on this claim is above its
    # 10,000,000 authority: the ② payment waits for a second approver
    page = handler.open(f"/claims/{cid}")
    request(page, "response_costs", "30,000,000", "insured", "株式会社テスト製作所")
    payment = page.locator("tr[data-payment]").last
    expect(payment.locator("td.num")).to_have_text("30,000,000円")
    expect(payment.locator(".pstatus")).to_have_text("承認待ち")
    payment.get_by_role("button", name="承認", exact=True).click()
    expect(page.locator(".errors")).to_contain_text("依頼者本人は承認できません")
    handler.shot("own-approval-refused")

    manager.open(f"/claims/{cid}")
    approve = manager.page.locator("tr[data-payment]").last
    approve.get_by_role("button", name="承認", exact=True).click()
    expect(manager.page.get_by_role("status")).to_have_text("支払の承認・却下を記録しました。")
    expect(manager.page.locator("tr[data-payment] .pstatus")).to_have_text(["支払済", "支払済"])
    manager.shot("paid")

    # the policyholder's cover: 100,000,000 − 6,000,000 liability, the response costs
    # spent, 100,000,000 − 36,000,000 left of the aggregate
    holder = people()
    page = holder.sign_in("holder@test.jp")
    expect(page.locator('tr[data-part="liability"] td.left')).to_have_text("94,000,000円")
    expect(page.locator('tr[data-part="response_costs"] td.left')).to_have_text("0円")
    expect(page.locator('tr[data-part="aggregate"] td.left')).to_have_text("64,000,000円")
    expect(page.locator("#clm-h + ul li")).to_contain_text("36,000,000円")
    holder.shot("holder-limits-eroded")

    other = people()
    other.sign_in("holder@other.jp")
    response = other.page.goto(site.url + f"/claims/{cid}")
    assert response is not None and response.status == 404
    expect(other.page.locator("main")).not_to_contain_text("CLM-2026")
    expect(other.page.locator("main")).not_to_contain_text("36,000,000")
    other.shot("other-company-denied")
