"""Japanese by default; English by a switch that sticks across pages and sign-in, with
amounts, dates and the services' messages in English; and back to Japanese."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.integration.api_helpers import PASSWORD
from tests.web.conftest import Site


def test_the_switch_to_english_sticks_and_switches_back(site: Site, people: Any) -> None:
    holder = people()
    page = holder.sign_in("holder@test.jp")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator('tr[data-part="liability"] td').first).to_have_text("1億円")

    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("My cover")
    # limit, paid, committed (issue #17), left
    expect(page.locator('tr[data-part="liability"] td')).to_have_text(
        ["100,000,000 yen", "0 yen", "0 yen", "100,000,000 yen"]
    )
    expect(page.locator("section.card p").first).to_have_text("Period: 1 Apr 2026 – 1 Apr 2027")
    holder.shot("my-cover-en")

    # the choice sticks on the next page, and the service's message comes in English
    page.get_by_role("link", name="Report an incident").first.click()
    page.get_by_label("What happened?").fill(" ")
    page.get_by_role("button", name="Send the report").click()
    expect(page.locator("#err-summary")).to_have_text("say what happened")
    holder.shot("report-refused-en")

    # and across signing out and in again
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("E-mail address").fill("holder@test.jp")
    page.get_by_label("Password").fill("wrong password!")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#err-password")).to_have_text("Wrong e-mail address or password")
    holder.shot("sign-in-refused-en")

    page.get_by_role("link", name="日本語").click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1)).to_have_text("ログイン")
    holder.sign_in("holder@test.jp")
    expect(page.get_by_role("heading", level=1)).to_have_text("ご契約")
    expect(page.locator('tr[data-part="response_costs"] td').first).to_have_text("3,000万円")
    holder.shot("my-cover-ja-again")

    # a page without a session sends the browser to sign in, then back to it; by
    # keyboard alone: the skip link first, every focus visibly outlined
    anonymous = people()
    login = anonymous.open("/my")
    expect(login.get_by_role("heading", level=1)).to_have_text("ログイン")
    login.keyboard.press("Tab")
    expect(login.locator(":focus")).to_have_text("本文へ移動")
    outline = login.evaluate("getComputedStyle(document.activeElement).outlineWidth")
    assert outline == "3px", outline
    login.get_by_label("メールアドレス").focus()
    login.keyboard.type("holder@test.jp")
    login.keyboard.press("Tab")
    expect(login.locator(":focus")).to_have_attribute("name", "password")
    login.keyboard.type(PASSWORD)
    login.keyboard.press("Enter")
    expect(login.get_by_role("heading", level=1)).to_have_text("ご契約")
    expect(login).to_have_url(site.url + "/my")
