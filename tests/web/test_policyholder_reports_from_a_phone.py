"""At 02:30 a policyholder reports an incident from a phone: the short form, a message
next to the empty field, then the incident with its number; another company's
policyholder gets a 404 page without it."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.web.conftest import PHONE, Site


def test_a_policyholder_reports_an_incident_from_a_phone(site: Site, people: Any) -> None:
    holder = people(viewport=PHONE, is_mobile=True, has_touch=True)
    page = holder.sign_in("holder@test.jp")
    expect(page).to_have_url(re.compile(r"/my$"))
    # cover at a glance: plan ①, nothing paid or committed yet (limit, paid, committed, left)
    rows = page.locator("table.limits tbody tr")
    expect(rows.nth(0).locator("td")).to_have_text(["1億円", "0円", "0円", "100,000,000円"])
    expect(rows.nth(1).locator("td")).to_have_text(["3,000万円", "0円", "0円", "30,000,000円"])
    expect(page.locator("section.card h2")).to_contain_text("有効")
    # the period 1 April 2026 to 1 April 2027, with the era year beside
    expect(page.locator("section.card p").first).to_have_text(
        "保険期間: 2026年4月1日（令和8年） – 2027年4月1日（令和9年）"
    )
    holder.shot("my-cover-phone")
    # the page fits the phone: nothing wider than the screen
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width

    page.get_by_role("link", name="事故を報告する").first.click()
    holder.shot("report-form-phone")
    # an empty summary is refused by the service, the message next to the field
    page.get_by_label("何が起きましたか").fill(" ")
    page.get_by_role("button", name="報告する").click()
    expect(page.locator("#err-summary")).to_be_visible()
    holder.shot("report-refused-phone")

    page.get_by_label("何が起きましたか").fill("画面に身代金要求が表示され、ファイルが開けない")
    page.get_by_label("いつ頃ですか").fill("2026-07-10T02:10")
    page.get_by_label("折り返しの電話番号").fill("090-0000-0000")
    page.get_by_role("button", name="報告する").click()
    expect(page.get_by_role("status")).to_have_text(
        "ご報告を受け付けました。デスクから折り返しご連絡します。"
    )
    expect(page.locator("h1")).to_contain_text("INC-2026-000001")
    expect(page.locator("#summary")).to_have_text("画面に身代金要求が表示され、ファイルが開けない")
    # reported at 02:30 on 10 July in Tokyo, occurred at 02:10
    facts = page.locator("dl.facts dd")
    expect(facts.nth(1)).to_have_text("2026年7月10日（令和8年） 02:30")
    expect(facts.nth(2)).to_have_text("2026年7月10日（令和8年） 02:10")
    incident_url = page.url
    holder.shot("reported-phone")

    # what a user typed is shown as text, never run as markup (another day's event, so
    # not merged into the first as the same event)
    page.goto(site.url + "/incidents/new")
    page.get_by_label("何が起きましたか").fill('<script>window.pwned=1</script><b id="x">太字</b>')
    page.get_by_label("いつ頃ですか").fill("2026-07-08T09:00")
    page.get_by_role("button", name="報告する").click()
    expect(page.locator("h1")).to_contain_text("INC-2026-000002")
    expect(page.locator("#summary")).to_have_text(
        '<script>window.pwned=1</script><b id="x">太字</b>'
    )
    assert page.evaluate("window.pwned === undefined")
    assert page.locator("#summary b").count() == 0

    page.goto(site.url + "/my")
    expect(page.locator("#inc-h + ul li").first).to_contain_text("INC-2026-000001")

    other = people(viewport=PHONE, is_mobile=True)
    other.sign_in("holder@other.jp")
    response = other.page.goto(incident_url)
    assert response is not None and response.status == 404
    expect(other.page.locator("main")).not_to_contain_text("身代金")
    expect(other.page.locator("main")).not_to_contain_text("INC-2026")
    other.shot("other-company-denied-phone")
