"""Documents through the API: each PDF read back with pypdf shows the names, numbers and
amounts of the case the test built (figures worked out by hand below); the allowed roles
download it, outsiders get 404/403 and no byte of it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from cybercover.cli import app
from cybercover.services.claims import add_loss_item, open_claim, request_payment, set_reserve
from cybercover.services.dispatch import (
    decide_cost,
    dispatch_partner,
    hand_over,
    respond_dispatch,
    submit_cost,
)
from cybercover.services.hearing import give_advice, record_hearing
from cybercover.services.incidents import report_incident
from cybercover.services.people import authenticate
from cybercover.services.submissions import create_submission, quote_submission, update_submission
from cybercover.services.uow import Database
from tests.factories import CLEAN_ANSWERS
from tests.integration.api_helpers import PASSWORD, bearer
from tests.integration.conftest import AppFactory, FakeClock
from tests.integration.seed import START_DATE
from tests.integration.test_claims import handlers
from tests.integration.test_desk_api import seed
from tests.integration.test_lifecycle_api import COMPANY, PLAN_1, PLAN_2_BI
from tests.unit.documents.pdftext import has, text_of

NAME = COMPANY["name"]  # 株式会社テスト製作所


def build(db: Database, clock: FakeClock) -> dict[str, Any]:
    """The desk world (a policy on plan 1, ¥100,000 deductibles), a second submission
    quoted on two options, and a ransomware case from report to payment."""
    world = seed(db)
    agent = authenticate(db, "agent@lac.jp", PASSWORD)
    desk = authenticate(db, "desk@desk.jp", PASSWORD)
    sub = create_submission(db, agent, company_id=world["company"]["id"], start_date=START_DATE)
    update_submission(db, agent, sub["id"], disclosure=CLEAN_ANSWERS)
    quotes = quote_submission(db, agent, sub["id"], [PLAN_1, PLAN_2_BI])["quotes"]

    clock.now = datetime(2026, 7, 9, 17, 30, tzinfo=UTC)  # 02:30 on 10 July in Tokyo
    incident = report_incident(
        db,
        desk,
        {
            "channel": "phone",
            "summary": "ランサムウェアでサーバーが停止",
            "occurred_at": "2026-07-10T02:10:00+09:00",
            "caller_name": "情報システム部 山田",
            "corporate_number": COMPANY["corporate_number"],
            "caller_contact": "03-0000-0000",
        },
    )
    iid = incident["id"]
    record_hearing(
        db,
        desk,
        iid,
        {
            "event_kind": "ransomware",
            "what_happened": "ファイルが暗号化され身代金を要求された",
            "aware_at": "2026-07-10T02:15:00+09:00",
            "personal_data_count": 30_000,
            "ransom_demand": True,
        },
    )
    give_advice(db, desk, iid)
    hand_over(db, desk, iid)
    dispatch = dispatch_partner(
        db, desk, iid, partner_id=world["partners"]["forensics"], service="investigation"
    )
    forensics = authenticate(db, "forensics@partner.jp", PASSWORD)
    respond_dispatch(db, forensics, dispatch["id"], accept=True)
    invoice = submit_cost(
        db,
        forensics,
        dispatch["id"],
        kind="invoice",
        description="フォレンジック調査",
        amount_ex_tax=1_000_000,
        tax_rate_percent=10,
        registration_number="T7000012050002",
    )
    decide_cost(db, desk, invoice["id"], approve=True)

    clock.now = datetime(2026, 8, 3, 1, 0, tzinfo=UTC)
    handler, _ = handlers(db)  # payment authority ¥10,000,000
    claim = open_claim(db, handler, incident_id=iid)  # the approved invoice, ¥1,100,000
    add_loss_item(
        db,
        handler,
        claim["id"],
        coverage="liability",
        category="damages",
        description="取引先への損害賠償金",
        amount=3_000_000,
        claim_made_at=datetime(2026, 7, 24, 1, 0, tzinfo=UTC),  # the customer's demand letter
    )
    add_loss_item(
        db,
        handler,
        claim["id"],
        coverage="response_costs",
        category="ransom",
        description="身代金",
        amount=500_000,
    )
    # one payment per part (issue #17), each within its reserve and, together
    # (2,900,000 + 1,000,000 = 3,900,000), within the handler's ¥10,000,000 authority:
    # ① 3,000,000 − 100,000 deductible = 2,900,000 to the customer (the victim);
    # ② the invoice 1,100,000 − 100,000 = 1,000,000 to the forensics firm, on its head
    for coverage, amount in (("liability", 2_900_000), ("response_costs", 1_000_000)):
        set_reserve(
            db, handler, claim["id"], coverage=coverage, amount=amount, reason="査定額 / assessed"
        )
    damages = request_payment(
        db,
        handler,
        claim["id"],
        idempotency_key="doc-1",
        coverage="liability",
        amount=2_900_000,
        payee_kind="third_party",
        payee_name="取引先 / the customer",
    )
    payment = request_payment(
        db,
        handler,
        claim["id"],
        idempotency_key="doc-2",
        coverage="response_costs",
        head="partner:investigation",
        amount=1_000_000,
        payee_kind="partner",
        payee_organisation_id=world["partners"]["forensics"],
    )
    assert (damages["status"], payment["status"]) == ("paid", "paid")
    return {
        **world,
        "submission_id": sub["id"],
        "quotes": quotes,
        "incident_id": iid,
        "claim_id": claim["id"],
        "claim_number": claim["number"],
        "payment_id": payment["id"],  # the last payment: the limits left after both
        "payments": [damages, payment],
    }


@pytest.fixture
def case(make_app_for_test: AppFactory, clock: FakeClock) -> tuple[TestClient, dict[str, Any]]:
    app = make_app_for_test()
    return TestClient(app), build(app.state.db, clock)


def download(client: TestClient, url: str, who: str, **params: Any) -> bytes:
    response = client.get(url, headers=bearer(client, who), params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    ascii_name = disposition.split('filename="')[1].split('"')[0]
    assert ascii_name.isascii() and ascii_name.endswith(".pdf")
    utf8_name = unquote(disposition.split("filename*=UTF-8''")[1])
    assert utf8_name.endswith(".pdf")
    assert response.content.startswith(b"%PDF-")
    return response.content


def test_the_quote_shows_both_options_every_factor_and_the_validity(
    case: tuple[TestClient, dict[str, Any]],
) -> None:
    client, ids = case
    url = f"/api/v1/submissions/{ids['submission_id']}/documents/quote.pdf"
    text = text_of(download(client, url, "holder@test.jp"))
    plan_1, plan_2 = ids["quotes"]
    has(
        text,
        "見積書",
        NAME,
        "7000012050002",
        "plan 1",
        "plan 2 + BI",
        # quoted on 2 March 2026 (the clock), valid 30 days (products file): 1 April
        "2026年4月1日（令和8年4月1日）",
        "1億円（100,000,000円）",
        "5億円（500,000,000円）",
        "3,000万円（30,000,000円）",
        "12時間",  # plan 2's waiting period
        "ISMS割引の適用なし",
        f"{plan_1['premium']:,}円",
        f"{plan_2['premium']:,}円",
        "損害保険ジャパン株式会社",
        "株式会社ラック",
    )
    for quote in (plan_1, plan_2):  # every rating factor, with the premium after it
        base, *steps = quote["factors"]
        has(text, base["ja"], f"{base['amount']:,}円")
        for factor in steps:
            has(text, factor["ja"], f"×{factor['factor']}→{factor['amount']:,}円")
        assert steps[-1]["amount"] == quote["premium"]
    english = text_of(download(client, url, "agent@lac.jp", lang="en"))
    has(english, "Quotation", "1 April 2026", "100,000,000 yen", f"{plan_2['premium']:,} yen")


def test_the_schedule_reads_the_stored_policy_and_its_product(
    case: tuple[TestClient, dict[str, Any]],
) -> None:
    client, ids = case
    policy = client.get(
        f"/api/v1/policies/{ids['policy_id']}", headers=bearer(client, "agent@lac.jp")
    ).json()
    url = f"/api/v1/policies/{ids['policy_id']}/documents/schedule.pdf"
    text = text_of(download(client, url, "holder@test.jp"))
    has(
        text,
        "保険証券",
        policy["number"],
        NAME,
        "7000012050002",
        "貴社の役員や従業員の方も被保険者",
        # period [2026-04-01 00:00 JST, 2027-04-01 00:00 JST), written the Japanese way
        "2026年4月1日（令和8年4月1日）午前0時から",
        "2027年4月1日（令和9年4月1日）午前0時まで（1年間）",
        "1億円（100,000,000円）",  # ① and, by default, the period aggregate
        "3,000万円（30,000,000円）",  # ②
        "100,000円",  # deductibles
        "付帯なし",  # ③④ not bought
        "法令に違反することを被保険者が認識しながら行った行為",
        "被保険者の構外にある他人に貸与されているネットワーク構成機器・設備の損害または損壊",
        "緊急時サポート総合サービス",
        "GDPR対応",
        "SOMPOサイバーインシデントサポートデスク",
        "初期ヒアリングや初動アドバイスを提供し",  # the desk's role, from the product file
        "株式会社ラック",
        "損保ジャパンパートナーズ株式会社",
        "50%",
        "損害保険ジャパン株式会社",
        f"{policy['annual_premium']:,}円",
    )
    english = text_of(download(client, url, "agent@lac.jp", lang="en"))
    has(
        english,
        "Policy schedule",
        policy["number"],
        "1 April 2026, 00:00 JST",
        "1 April 2027, 00:00 JST",
        "100,000,000 yen",
        "Sompo Japan Insurance Inc.",
    )


def test_the_settlement_letter_explains_each_yen_and_the_limits_left(
    case: tuple[TestClient, dict[str, Any]],
) -> None:
    client, ids = case
    # Items: the partner's invoice ¥1,100,000 (② less its ¥100,000 deductible = ¥1,000,000),
    # damages ¥3,000,000 (① less ¥100,000 = ¥2,900,000), a ransom ¥500,000 (never paid).
    # Paid in two payments (one per part): 2,900,000 + 1,000,000 = 3,900,000.
    assert [p["amount"] for p in ids["payments"]] == [2_900_000, 1_000_000]
    url = f"/api/v1/claims/{ids['claim_id']}/documents/settlement.pdf"
    text = text_of(download(client, url, "holder@test.jp"))
    has(
        text,
        "保険金支払通知書",
        ids["claim_number"],
        NAME,
        "フォレンジック調査",
        "1,100,000円",
        "1,000,000円",
        "取引先への損害賠償金",
        "3,000,000円",
        "2,900,000円",
        "身代金",
        "500,000円",
        "身代金の支払いは保険金の対象外です",
        "自己負担額（1事故100,000円）",
        "3,900,000円",
        # left after payment: ① 100,000,000 − 2,900,000; ② 30,000,000 − 1,000,000;
        # aggregate 100,000,000 − 3,900,000
        "97,100,000円",
        "29,000,000円",
        "96,100,000円",
        "2026年8月3日（令和8年8月3日）",  # paid on
    )
    one = text_of(
        download(client, url, "claims@insurer.jp", payment_id=str(ids["payment_id"]), lang="en")
    )
    # the letter of the last payment (② 1,000,000): paid to date 3,900,000, and the
    # aggregate left after it, 100,000,000 − 3,900,000 = 96,100,000
    has(one, "Notice of insurance payment", "P-" + str(ids["payment_id"]), "1,000,000 yen")
    has(one, "3,900,000 yen", "96,100,000 yen")
    # a payment of no claim of this one is not found
    response = client.get(
        url, headers=bearer(client, "claims@insurer.jp"), params={"payment_id": "999"}
    )
    assert response.status_code == 404


def test_the_incident_report_has_hearing_advice_deadlines_partners_and_timeline(
    case: tuple[TestClient, dict[str, Any]],
) -> None:
    client, ids = case
    url = f"/api/v1/incidents/{ids['incident_id']}/documents/report.pdf"
    text = text_of(download(client, url, "desk@desk.jp"))
    has(
        text,
        "事故対応報告書",
        "INC-2026-000001",
        NAME,
        "ランサムウェアでサーバーが停止",
        "ファイルが暗号化され身代金を要求された",
        "ランサムウェア（暗号化・脅迫）",
        "30,000",
        # aware 02:15 on 10 July; APPI preliminary report due at the end of day 5
        "2026年7月10日（令和8年7月10日）2時15分",
        "個人情報保護委員会への速報",
        "2026年7月16日（令和8年7月16日）0時00分",
        "forensics株式会社",
        "調査・応急対応",
        "フォレンジック調査1,100,000円",
        "承認",
        "提携先の手配",
        "緊急時サポートへ引継ぎ",
    )
    # the insured's report is the desk's: no step of this case is the insurer's alone
    # (services/visibility.py, EVENTS)
    assert text_of(download(client, url, "holder@test.jp")) == text
    english = text_of(download(client, url, "claims@insurer.jp", lang="en"))
    has(english, "Incident report", "10 July 2026 02:15 JST", "1,100,000 yen")


def test_a_bad_language_is_a_problem_naming_the_field(
    case: tuple[TestClient, dict[str, Any]],
) -> None:
    client, ids = case
    response = client.get(
        f"/api/v1/policies/{ids['policy_id']}/documents/schedule.pdf",
        headers=bearer(client, "agent@lac.jp"),
        params={"lang": "fr"},
    )
    assert response.status_code == 422
    assert "lang" in response.text and "%PDF" not in response.text


OUTSIDERS = ["agent@other.jp", "holder@other.jp", "pr@partner.jp", "forensics@partner.jp"]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_no_document(case: tuple[TestClient, dict[str, Any]], who: str) -> None:
    """Another agency, another policyholder, a partner not on the case, and even the
    partner dispatched to it (it sees its dispatch, not the whole case)."""
    client, ids = case
    headers = bearer(client, who)
    for url in (
        f"/api/v1/submissions/{ids['submission_id']}/documents/quote.pdf",
        f"/api/v1/policies/{ids['policy_id']}/documents/schedule.pdf",
        f"/api/v1/claims/{ids['claim_id']}/documents/settlement.pdf",
        f"/api/v1/incidents/{ids['incident_id']}/documents/report.pdf",
    ):
        response = client.get(url, headers=headers)
        assert response.status_code in (403, 404), (who, url, response.status_code)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert NAME not in response.text and "%PDF" not in response.text


def test_roles_outside_a_documents_function_are_refused(
    case: tuple[TestClient, dict[str, Any]],
) -> None:
    """The handling agent sees quote and schedule, but neither claims nor the desk's case."""
    client, ids = case
    agent = bearer(client, "agent@lac.jp")
    for url in (
        f"/api/v1/claims/{ids['claim_id']}/documents/settlement.pdf",
        f"/api/v1/incidents/{ids['incident_id']}/documents/report.pdf",
    ):
        response = client.get(url, headers=agent)
        assert response.status_code in (403, 404) and NAME not in response.text
    assert (
        client.get(f"/api/v1/policies/{ids['policy_id']}/documents/schedule.pdf").status_code == 401
    )


def test_the_cli_renders_the_same_documents_and_applies_a_users_access(
    case: tuple[TestClient, dict[str, Any]],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    client, ids = case
    monkeypatch.setenv("CYBERCOVER_DATABASE_URL", database_url)
    runner = CliRunner()
    out = tmp_path / "schedule.pdf"
    result = runner.invoke(
        app, ["documents", "schedule", str(ids["policy_id"]), "--lang", "en", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    api = download(
        client,
        f"/api/v1/policies/{ids['policy_id']}/documents/schedule.pdf",
        "agent@lac.jp",
        lang="en",
    )
    # the same renderer: the schedule's date is the issue's, so the texts are equal
    assert text_of(out.read_bytes()) == text_of(api)

    # as a user, that user's access applies: another company's holder gets nothing
    def letter(who: str) -> tuple[Result, Path]:
        target = tmp_path / f"{who}.pdf"
        args = ["documents", "settlement", str(ids["claim_id"]), "--as-user", who]
        return runner.invoke(app, [*args, "--out", str(target)]), target

    denied, nothing = letter("holder@other.jp")
    assert denied.exit_code == 2 and not nothing.exists()
    assert "not_found" in denied.output and NAME not in denied.output
    allowed, pdf = letter("holder@test.jp")
    assert allowed.exit_code == 0, allowed.output
    has(text_of(pdf.read_bytes()), ids["claim_number"], "3,900,000円", "96,100,000円")
    result = runner.invoke(app, ["documents", "incident", str(ids["incident_id"]), "--lang", "fr"])
    assert result.exit_code == 2 and "lang" in result.output


def test_a_caller_without_a_policy_gets_a_report_of_the_first_advice_only(
    case: tuple[TestClient, dict[str, Any]],
) -> None:
    client, _ = case
    desk = bearer(client, "desk@desk.jp")
    incident = client.post(
        "/api/v1/incidents",
        headers=desk,
        json={
            "summary": "不審なメールを開いた",
            "occurred_at": "2026-08-03T09:00:00+09:00",
            "caller_organisation": "未加入商事株式会社",
            "caller_name": "総務 佐藤",
        },
    ).json()
    assert incident["insured"] is False
    url = f"/api/v1/incidents/{incident['id']}/documents/report.pdf"
    text = text_of(download(client, url, "desk@desk.jp"))
    has(
        text,
        incident["number"],
        "未加入商事株式会社",
        "保険契約なし（初動アドバイスのみ）",
        "不審なメールを開いた",
        "2026年8月3日（令和8年8月3日）9時00分",
    )
    assert NAME not in text  # nothing of the insured company's case
