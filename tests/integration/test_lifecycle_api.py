"""The whole policy lifecycle through the HTTP API, on SQLite and PostgreSQL:
submission → disclosure → underwriting → quote → pre-bind → bind → issue → payment →
endorsement → commission → renewal → cancellation → reinstatement; audit verified."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from cybercover.policies.numbers import is_valid_policy_number
from cybercover.services.people import bootstrap_admin
from tests.factories import CLEAN_ANSWERS
from tests.integration.api_helpers import PASSWORD, bearer, ok
from tests.integration.conftest import AppFactory, FakeClock

COMPANY = {
    "corporate_number": "7000012050002",
    "name": "株式会社テスト製作所",
    "name_kana": "テストセイサクショ",
    "postal_code": "102-0093",
    "prefecture": "東京都",
    "address_line": "千代田区平河町2-16-1",
    "industry_group": "29",
    "annual_revenue": 500_000_000,
    "overseas_sales_ratio": "0",
    "employees": 120,
    "personal_data_records": 30_000,
    "handles_my_number": True,
    "handles_card_data": False,
    "cloud_vendors": ["AWS"],
    "key_software_vendors": ["Microsoft"],
    "agency_codes": ["lac", "sjp"],
}
PLAN_1 = {
    "label": "plan 1",
    "limits": {"liability": 100_000_000, "response_costs": 30_000_000},
    "deductibles": {"liability": 100_000, "response_costs": 100_000},
}
PLAN_2_BI = {
    "label": "plan 2 + BI",
    "limits": {
        "liability": 500_000_000,
        "response_costs": 100_000_000,
        "profit_loss": 50_000_000,
        "continuation_costs": 50_000_000,
        "business_interruption": 50_000_000,
    },
    "deductibles": {"liability": 100_000, "response_costs": 100_000},
    "business_interruption": True,
    "waiting_period": {"hours": 12, "mode": "qualifying"},
}


def people(client: TestClient) -> dict[str, dict[str, str]]:
    admin = bearer(client, "admin@example.jp")
    orgs = {}
    for kind, code, name in [
        ("agency", "lac", "株式会社ラック"),
        ("agency", "sjp", "損保ジャパンパートナーズ株式会社"),
        ("agency", "other", "他代理店株式会社"),
        ("partner", "forensics", "フォレンジック株式会社"),
    ]:
        orgs[code] = ok(
            client.post(
                "/api/v1/organisations",
                headers=admin,
                json={"kind": kind, "code": code, "name": name},
            ),
            201,
        )["id"]
    insurer = ok(client.get("/api/v1/users/me", headers=admin))["organisation"]["id"]
    users = [
        (orgs["lac"], "agent@lac.jp", "agent", 0),
        (orgs["sjp"], "agent@sjp.jp", "agent", 0),
        (orgs["other"], "agent@other.jp", "agent", 0),
        (orgs["forensics"], "partner@forensics.jp", "partner", 0),
        (insurer, "junior@insurer.jp", "underwriter", 1),
        (insurer, "chief@insurer.jp", "underwriter", 3),
    ]
    for org, email, role, authority in users:
        ok(
            client.post(
                "/api/v1/users",
                headers=admin,
                json={
                    "organisation_id": org,
                    "email": email,
                    "display_name": email,
                    "role": role,
                    "password": PASSWORD,
                    "underwriting_authority": authority,
                },
            ),
            201,
        )
    tokens = {email: bearer(client, email) for _, email, _, _ in users}
    tokens["admin"] = admin
    return tokens


def test_the_whole_lifecycle_through_the_api(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    app = make_app_for_test()
    bootstrap_admin(app.state.db, email="admin@example.jp", password=PASSWORD)
    client = TestClient(app)
    t = people(client)
    agent, junior, admin = (
        t["agent@lac.jp"],
        t["junior@insurer.jp"],
        t["admin"],
    )

    company = ok(client.post("/api/v1/companies", headers=agent, json=COMPANY), 201)
    assert company["corporate_number"] == "7000012050002"
    submission = ok(
        client.post(
            "/api/v1/submissions",
            headers=agent,
            json={"company_id": company["id"], "start_date": "2026-04-01"},
        ),
        201,
    )
    sid = submission["id"]
    ok(
        client.patch(
            f"/api/v1/submissions/{sid}",
            headers=agent,
            json={"disclosure": {**CLEAN_ANSWERS, "mfa": False}},
        )
    )

    # Underwriting: no MFA raises a referral that blocks binding, not quoting
    quoted = ok(
        client.post(
            f"/api/v1/submissions/{sid}/quotes",
            headers=agent,
            json={"options": [PLAN_1, PLAN_2_BI]},
        ),
        201,
    )
    assert quoted["status"] == "quoted"
    issues = {i["rule_code"]: i for i in quoted["issues"]}
    assert issues["no_mfa"]["status"] == "open" and issues["no_mfa"]["blocking_point"] == "bind"
    plan_1, plan_2 = quoted["quotes"]
    assert plan_1["premium"] < plan_2["premium"]
    assert plan_1["factors"][-1]["amount"] == plan_1["premium"]
    assert plan_1["valid_until"] == "2026-04-01"  # quoted 2 March JST, valid 30 days

    for kind, result in [
        ("important_matters", "explained"),
        ("intention_confirmation", "confirmed"),
        ("application", "received"),
        ("antisocial_check", "clear"),
    ]:
        ok(
            client.post(
                f"/api/v1/submissions/{sid}/prebind",
                headers=agent,
                json={"kind": kind, "result": result},
            )
        )
    refused = client.post(
        f"/api/v1/quotes/{plan_1['id']}/bind",
        headers=agent,
        json={"payment_plan": "lump_sum", "payment_method": "invoice"},
    )
    assert refused.status_code == 409 and refused.json()["rule"] == "underwriting_issues_open"

    # only an underwriter with enough authority clears it; the history is kept
    decision = {"kind": "clear", "reason": "MFA導入済みを電話で確認 / MFA confirmed by phone"}
    assert (
        client.post(
            f"/api/v1/underwriting-issues/{issues['no_mfa']['id']}/decision",
            headers=agent,
            json=decision,
        ).status_code
        == 403
    )
    cleared = ok(
        client.post(
            f"/api/v1/underwriting-issues/{issues['no_mfa']['id']}/decision",
            headers=junior,
            json=decision,
        )
    )
    assert cleared["status"] == "cleared"
    assert cleared["history"][0]["by_name"] == "junior@insurer.jp"

    # bind and issue
    policy = ok(
        client.post(
            f"/api/v1/quotes/{plan_1['id']}/bind",
            headers=agent,
            json={"payment_plan": "lump_sum", "payment_method": "invoice"},
        ),
        201,
    )
    assert policy["status"] == "bound" and policy["number"] is None
    policy = ok(client.post(f"/api/v1/policies/{policy['id']}/issue", headers=agent))
    pid, premium = policy["id"], plan_1["premium"]
    assert policy["number"].startswith("CY-2026-") and is_valid_policy_number(policy["number"])
    assert policy["period_start"] == "2026-03-31T15:00:00+00:00"  # 2026-04-01 00:00 JST
    assert policy["period_end"] == "2027-03-31T15:00:00+00:00"
    assert policy["retroactive_date"] == "2026-04-01"
    full = ok(client.get(f"/api/v1/policies/{pid}", headers=agent))
    assert [(i["amount"], i["due_date"]) for i in full["invoices"]] == [(premium, "2026-04-01")]
    assert sorted((a["share_percent"], a["commission_percent"]) for a in full["agencies"]) == [
        (50, 20),
        (50, 20),
    ]

    # cover only once the premium is received (保険料領収前の事故)
    at = "2026-04-10T12:00:00+09:00"
    assert (
        ok(client.get(f"/api/v1/policies/{pid}/coverage", params={"at": at}, headers=agent))[
            "covered"
        ]
        is False
    )
    invoice_id = full["invoices"][0]["id"]
    # a value date is never in the future (issue #17): booked on 6 April, dated the 5th
    clock.advance(days=35)  # 2026-04-06 10:00 JST
    ok(
        client.post(
            f"/api/v1/invoices/{invoice_id}/payments",
            headers=admin,
            json={"amount": premium, "paid_at": "2026-04-05T10:00:00+09:00"},
        )
    )
    coverage = ok(client.get(f"/api/v1/policies/{pid}/coverage", params={"at": at}, headers=agent))
    assert coverage["covered"] is True and coverage["parts"] == ["liability", "response_costs"]

    # commission on premium collected (issue #17): the receipt booked in April 2026,
    # 20 % × 50 % of the premium; nothing in March, when the policy was issued unpaid
    statement = ok(
        client.get(
            f"/api/v1/agencies/{t_org(client, admin, 'lac')}/commission",
            params={"month": "2026-04"},
            headers=agent,
        )
    )
    assert statement["rows"][0]["commission"] == premium * 20 * 50 // 10_000
    assert statement["commission_total"] == premium * 20 * 50 // 10_000
    march = ok(
        client.get(
            f"/api/v1/agencies/{t_org(client, admin, 'lac')}/commission",
            params={"month": "2026-03"},
            headers=agent,
        )
    )
    assert (march["rows"], march["commission_total"]) == ([], 0)

    # endorsement from 1 October 2026: raise the limits; pro rata for 182 of 365 days
    clock.advance(days=165)  # 200 days after 2 March
    agent = bearer(client, "agent@lac.jp")  # API tokens last 90 days
    endorsement = ok(
        client.post(
            f"/api/v1/policies/{pid}/endorsements",
            headers=agent,
            json={
                "effective_date": "2026-10-01",
                "option": {
                    **PLAN_1,
                    "limits": {"liability": 300_000_000, "response_costs": 100_000_000},
                },
            },
        ),
        201,
    )
    before, after = (
        endorsement["changes"]["annual_premium_before"],
        endorsement["changes"]["annual_premium_after"],
    )
    assert before == premium and after > premium
    assert endorsement["premium_delta"] == (after - premium) * 182 // 365
    applied = ok(client.post(f"/api/v1/endorsements/{endorsement['id']}/apply", headers=agent))
    assert applied["annual_premium"] == after
    assert applied["written_premium"] == premium + endorsement["premium_delta"]
    assert applied["terms"]["limits"]["liability"] == 300_000_000

    # renewal: new submission from the expiry, re-rated; the retroactive date carries over
    renewal = ok(client.post(f"/api/v1/policies/{pid}/renewal", headers=agent), 201)
    assert (renewal["kind"], renewal["start_date"]) == ("renewal", "2027-04-01")
    clock.advance(days=130)  # mid-March 2027
    agent, admin = bearer(client, "agent@lac.jp"), bearer(client, "admin@example.jp")
    # the renewal needs a new disclosure: the answers carried over still say no MFA
    assert (
        ok(client.get(f"/api/v1/submissions/{renewal['id']}", headers=agent))["disclosure"]["mfa"]
        is False
    )
    ok(
        client.patch(
            f"/api/v1/submissions/{renewal['id']}",
            headers=agent,
            json={"disclosure": {"mfa": True}},
        )
    )
    renewed_quote = ok(
        client.post(
            f"/api/v1/submissions/{renewal['id']}/quotes", headers=agent, json={"options": [PLAN_1]}
        ),
        201,
    )
    assert renewed_quote["status"] == "quoted", renewed_quote["issues"]
    for kind, result in [
        ("important_matters", "explained"),
        ("intention_confirmation", "confirmed"),
        ("application", "received"),
        ("antisocial_check", "clear"),
    ]:
        ok(
            client.post(
                f"/api/v1/submissions/{renewal['id']}/prebind",
                headers=agent,
                json={"kind": kind, "result": result},
            )
        )
    renewed = ok(
        client.post(
            f"/api/v1/quotes/{renewed_quote['quotes'][0]['id']}/bind",
            headers=agent,
            json={"payment_plan": "monthly", "payment_method": "direct_debit"},
        ),
        201,
    )
    renewed = ok(client.post(f"/api/v1/policies/{renewed['id']}/issue", headers=agent))
    assert renewed["retroactive_date"] == "2026-04-01"
    assert renewed["period_start"] == "2027-03-31T15:00:00+00:00"
    monthly = ok(client.get(f"/api/v1/policies/{renewed['id']}", headers=agent))["invoices"]
    total = renewed["annual_premium"]
    assert [i["amount"] for i in monthly] == [total // 12 + total % 12] + [total // 12] * 11
    # direct debit (issue #17): the first instalment is debited 27 days after the start
    # (product first_premium_due_days), 1 April + 27 = 28 April 2027; the next a month on
    assert [i["due_date"] for i in monthly[:2]] == ["2027-04-28", "2027-05-28"]

    # cancellation of the first policy at the insured's request on 1 December 2026:
    # 244 days elapsed → short rate keeps 80 % (≤ 245 days), returns 20 % of the written premium
    written = applied["written_premium"]
    cancelled = ok(
        client.post(
            f"/api/v1/policies/{pid}/cancel",
            headers=agent,
            json={
                "effective_date": "2026-12-01",
                "by": "insured",
                "reason": "事業譲渡 / business sold",
            },
        )
    )
    assert cancelled["method"] == "short_rate"
    assert cancelled["return_premium"] == written * 20 // 100
    assert cancelled["status"] == "cancelled"
    # only premium received goes back (issue #17): the lump sum was received, the
    # endorsement's additional premium never was; its invoice is cancelled, and the lump
    # sum is squared with the 80 % earned by a refund or a shortfall billed
    earned = written - written * 20 // 100
    assert (cancelled["earned_premium"], cancelled["received"]) == (earned, premium)
    assert (cancelled["refund"], cancelled["shortfall"]) == (
        max(premium - earned, 0),
        max(earned - premium, 0),
    )
    assert [i["amount"] for i in cancelled["cancelled_instalments"]] == [
        endorsement["premium_delta"]
    ]
    assert (
        ok(
            client.get(
                f"/api/v1/policies/{pid}/coverage",
                params={"at": "2026-12-02T00:00:00+09:00"},
                headers=agent,
            )
        )["in_force"]
        is False
    )
    # reinstatement is refused after 30 days: the clock is at mid-March 2027
    late = client.post(
        f"/api/v1/policies/{pid}/reinstate", headers=agent, json={"reason": "誤解約"}
    )
    assert late.status_code == 409

    # the audit chain of everything above verifies
    report = ok(client.get("/api/v1/audit/verify", headers=admin))
    assert report["ok"] is True and report["rows"] > 40


def t_org(client: TestClient, admin: dict[str, str], code: str) -> Any:
    orgs = ok(client.get("/api/v1/organisations", headers=admin, params={"kind": "agency"}))
    return next(o["id"] for o in orgs if o["code"] == code)
