"""The desk at night: the live queue with its service clocks (a late one marked, the
queue refreshed by HTMX), the hearing that sets the regulatory clocks, the first advice,
the hand-over and a partner dispatched; a policyholder may not open the desk."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from cybercover.services.incidents import report_incident
from cybercover.services.people import authenticate
from tests.integration.api_helpers import PASSWORD
from tests.web.conftest import Site


def reported(site: Site) -> int:
    holder = authenticate(site.db, "holder@test.jp", PASSWORD)
    incident = report_incident(
        site.db,
        holder,
        {"summary": "ランサムウェアでサーバーが停止", "occurred_at": "2026-07-10T02:10:00+09:00"},
    )
    return int(incident["id"])


def test_the_desk_hears_advises_and_dispatches(site: Site, people: Any) -> None:
    iid = reported(site)  # at 02:30 on 10 July, Tokyo time
    desk = people()
    page = desk.sign_in("desk@desk.jp")
    row = page.locator(f'#queue tr[data-incident="{iid}"]')
    # first response within 30 minutes of the report
    expect(row.locator(".clocks li")).to_have_text(["初動対応: 残り 30分"])
    desk.shot("queue")

    # 45 minutes later the queue, refreshed in place by HTMX, shows it 15 minutes late
    site.clock.advance(minutes=45)
    page.evaluate("htmx.ajax('GET', '/desk/queue', {target: '#queue', swap: 'outerHTML'})")
    expect(row.locator(".clocks li")).to_have_text(["初動対応: 15分超過"])
    expect(row.locator(".badge-late")).to_have_text("遅延")
    expect(row).to_have_class("late")
    desk.shot("queue-late")

    row.get_by_role("link").click()
    expect(page.locator("h1")).to_contain_text("INC-2026-000001")
    expect(page.locator("#dl-h + table tbody")).to_contain_text("期限はまだありません")

    # the hearing: ransomware, 30,000 people's data, EU residents, aware at 02:15
    page.locator('[name="hearing.what_happened"]').fill("ファイルが暗号化され身代金を要求された")
    page.locator('[name="hearing.event_kind"]').select_option("ransomware")
    page.locator('[name="hearing.aware_at"]').fill("2026-07-10T02:15")
    page.locator('[name="hearing.began_at"]').fill("2026-07-10T01:50")
    page.locator('[name="hearing.still_ongoing"]').select_option("yes")
    page.locator('[name="hearing.personal_data_count"]').fill("30000")
    page.locator('[name="hearing.improper_purpose"]').select_option("no")
    page.locator('[name="hearing.eu_residents"]').select_option("yes")
    page.locator('[name="hearing.ransom_demand"]').select_option("yes")
    page.get_by_role("button", name="ヒアリングを保存").click()
    expect(page.get_by_role("status")).to_have_text("ヒアリングを保存し、報告期限を設定しました。")
    expect(page.locator("#severity")).to_have_text("critical")
    # APPI: day 1 is 11 July; the preliminary report aims at the end of day 3 and is
    # due at the end of day 5; GDPR art. 33: 72 hours from 02:15 on 10 July
    appi = page.locator('tr[data-rule="appi_preliminary"] td')
    expect(appi.nth(1)).to_have_text("2026年7月14日（令和8年） 00:00")
    expect(appi.nth(2)).to_contain_text("2026年7月16日（令和8年） 00:00")
    gdpr = page.locator('tr[data-rule="gdpr_authority"] td')
    expect(gdpr.nth(2)).to_contain_text("2026年7月13日（令和8年） 02:15")
    # 03:15 now: 71 hours left before 02:15 on 13 July
    expect(gdpr.nth(2)).to_contain_text("残り 71時間00分")
    desk.shot("hearing")

    page.get_by_role("button", name="助言する").click()
    expect(page.get_by_role("status")).to_have_text("助言を記録しました。")
    assert page.locator("#adv-h + ul li").count() > 0
    page.get_by_role("button", name="対応チームに引き継ぐ").click()
    expect(page.locator("#incident-status")).to_have_text("引継済")

    page.get_by_label("サービスと事業者").select_option(label="調査・応急対応 — forensics 株式会社")
    page.get_by_role("button", name="依頼する").click()
    expect(page.get_by_role("status")).to_have_text("提携事業者に手配しました。")
    dispatch = page.locator("#dsp-h + table tbody tr").first
    expect(dispatch.locator("td")).to_have_text(
        ["forensics 株式会社", "investigation", "依頼中", "—"]
    )
    desk.shot("dispatched")

    # the queue now waits on the partner: accept within an hour
    page.goto(site.url + "/desk")
    expect(page.locator(f'#queue tr[data-incident="{iid}"] .clocks li')).to_have_text(
        ["手配 #1 の受諾待ち: 残り 1時間00分"]
    )

    holder = people()
    holder.sign_in("holder@test.jp")
    response = holder.page.goto(site.url + "/desk")
    assert response is not None and response.status == 403
    expect(holder.page.locator("main")).not_to_contain_text("INC-2026")
    holder.shot("holder-denied-desk")
