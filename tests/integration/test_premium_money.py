"""Premium money (issue #17, rule 8) through the API and the services, on SQLite and
PostgreSQL: a cancellation returns only premium received (a monthly plan's unpaid
instalments are cancelled, a shortfall is billed), the value date of a receipt, a receipt
dated before a reported accident, commission on premium collected with return
commission, and the earned premium of a cancelled policy. Figures by hand.

The policy throughout: plan ① for the test company, ¥53,200 a year (70,000 × 0.95 × 0.80,
tests/web/test_pages_http.py), from 1 April 2026 00:00 JST, 365 days. Monthly: 53,200 / 12
= 4,433.33…: 12 × 4,433 = 53,196, the 4 yen left on the first → 4,437 + 11 × 4,433.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from cybercover.services.authz import SYSTEM
from cybercover.services.billing import lapse_overdue
from cybercover.services.companies import create_company
from cybercover.services.people import (
    authenticate,
    bootstrap_admin,
    create_organisation,
    create_user,
)
from cybercover.services.policies import (
    PREBIND_KINDS,
    bind_quote,
    issue_policy,
)
from cybercover.services.submissions import (
    create_submission,
    quote_submission,
    record_prebind,
    update_submission,
)
from cybercover.storage.models import AuditRecord, PremiumReceipt
from tests.factories import CLEAN_ANSWERS
from tests.integration.api_helpers import PASSWORD, bearer, ok
from tests.integration.conftest import AppFactory, FakeClock
from tests.integration.seed import START_DATE
from tests.integration.test_lifecycle_api import COMPANY, PLAN_1

ANNUAL = 53_200
FIRST, REST = 4_437, 4_433


@dataclass
class World:
    app: FastAPI
    client: TestClient
    policy_id: int
    lac: int  # the agency's organisation id
    junior_id: int

    def token(self, email: str) -> dict[str, str]:
        return bearer(self.client, email)

    def policy(self, who: str = "admin@example.jp") -> Any:
        return ok(self.client.get(f"/api/v1/policies/{self.policy_id}", headers=self.token(who)))

    def pay(self, invoice_id: int, body: dict[str, Any], who: str = "admin@example.jp") -> Any:
        return self.client.post(
            f"/api/v1/invoices/{invoice_id}/payments", headers=self.token(who), json=body
        )

    def coverage(self, at: str) -> Any:
        return ok(
            self.client.get(
                f"/api/v1/policies/{self.policy_id}/coverage",
                params={"at": at},
                headers=self.token("admin@example.jp"),
            )
        )

    def cancel(self, effective_date: str, by: str) -> Any:
        return ok(
            self.client.post(
                f"/api/v1/policies/{self.policy_id}/cancel",
                headers=self.token("agent@lac.jp"),
                json={"effective_date": effective_date, "by": by, "reason": "廃業"},
            )
        )


def world(make_app: AppFactory, plan: str) -> World:
    """An issued policy (invoice plan: the first instalment due on the start date) and the
    people: an agent, an underwriter (authority 1), a billing clerk (an underwriter's
    role with no underwriting authority), the administrator, the insured's user."""
    app = make_app()
    db = app.state.db
    bootstrap_admin(db, email="admin@example.jp", password=PASSWORD)
    lac = create_organisation(db, SYSTEM, kind="agency", code="lac", name="LAC")
    create_organisation(db, SYSTEM, kind="agency", code="sjp", name="SJP")
    create_user(
        db,
        SYSTEM,
        organisation_id=lac,
        email="agent@lac.jp",
        display_name="agent",
        role="agent",
        password=PASSWORD,
    )
    ids = {}
    for email, authority in (("junior@uw.jp", 1), ("clerk@uw.jp", 0)):
        ids[email] = create_user(
            db,
            SYSTEM,
            organisation_id=1,
            email=email,
            display_name=email,
            role="underwriter",
            password=PASSWORD,
            underwriting_authority=authority,
        )
    agent = authenticate(db, "agent@lac.jp", PASSWORD)
    company = create_company(db, agent, COMPANY)
    create_user(
        db,
        SYSTEM,
        organisation_id=company["organisation_id"],
        email="holder@test.jp",
        display_name="holder",
        role="policyholder",
        password=PASSWORD,
    )
    sid = create_submission(db, agent, company_id=company["id"], start_date=START_DATE)["id"]
    update_submission(db, agent, sid, disclosure=CLEAN_ANSWERS)
    quote = quote_submission(db, agent, sid, [PLAN_1])["quotes"][0]
    for kind, result in PREBIND_KINDS.items():
        record_prebind(db, agent, sid, kind=kind, result=result)
    policy = bind_quote(db, agent, quote["id"], payment_plan=plan, payment_method="invoice")
    issue_policy(db, agent, policy["id"])
    w = World(app, TestClient(app), policy["id"], lac, ids["junior@uw.jp"])
    assert w.policy()["annual_premium"] == ANNUAL
    return w


def test_monthly_plan_cancelled_by_the_insured_cancels_the_unpaid_and_bills_the_shortfall(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    w = world(make_app_for_test, "monthly")
    invoices = w.policy()["invoices"]
    assert [i["amount"] for i in invoices] == [FIRST] + [REST] * 11
    assert invoices[0]["issued_at"] == "2026-03-02T01:00:00+00:00"  # issued with the policy
    ok(w.pay(invoices[0]["id"], {"amount": FIRST}))  # 2 March: due 1 April
    clock.advance(days=60)  # 1 May 10:00 JST
    ok(w.pay(invoices[1]["id"], {"amount": REST}))
    clock.advance(days=10)  # 11 May: day 40 of the period (30 days of April + 10)

    # the insured cancels from 11 May: short rate keeps 35 % (32–62 days) →
    # 53,200 − 53,200 × 65 % (34,580) = 18,620 earned. Received 4,437 + 4,433 = 8,870:
    # nothing is refunded; the 10 unpaid instalments (44,330) are cancelled, and the
    # shortfall 18,620 − 8,870 = 9,750 is billed
    cancelled = w.cancel("2026-05-11", "insured")
    assert cancelled["method"] == "short_rate"
    assert (cancelled["earned_premium"], cancelled["return_premium"]) == (18_620, 34_580)
    assert (cancelled["received"], cancelled["refund"], cancelled["shortfall"]) == (8_870, 0, 9_750)
    assert [i["sequence"] for i in cancelled["cancelled_instalments"]] == list(range(3, 13))
    assert cancelled["written_premium"] == 18_620

    policy = w.policy()
    live = [i for i in policy["invoices"] if i["status"] != "cancelled"]
    assert [(i["amount"], i["status"], i["due_date"]) for i in live] == [
        (FIRST, "paid", "2026-04-01"),
        (REST, "paid", "2026-05-01"),
        (9_750, "open", "2026-05-11"),  # the shortfall, a receivable
    ]
    assert sum(i["amount"] for i in live) == 18_620  # billed = earned
    assert len([i for i in policy["invoices"] if i["status"] == "cancelled"]) == 10
    # the transaction keeps what it did
    tx = policy["transactions"][-1]
    assert tx["kind"] == "cancellation" and tx["premium_delta"] == -34_580
    assert tx["changes"]["cancelled_invoices"] == [i["id"] for i in invoices[2:]]
    assert (tx["changes"]["cancelled_unpaid"], tx["changes"]["shortfall"]) == (44_330, 9_750)
    assert (tx["changes"]["refund"], tx["changes"]["earned"]) == (0, 18_620)

    # a cancelled instalment can no longer be paid
    refused = w.pay(invoices[5]["id"], {"amount": REST})
    assert refused.status_code == 409 and refused.json()["rule"] == "invoice_cancelled"

    # earned: what the cancellation kept, never 0 — the policy page and the loss ratio
    assert policy["earned_premium"] == 18_620
    admin = w.token("admin@example.jp")
    ratio = ok(
        w.client.get(
            "/api/v1/reports/loss-ratio", params={"at": "2026-12-31T00:00:00+09:00"}, headers=admin
        )
    )
    assert ratio["earned_premium"] == 18_620
    # on 21 April, day 20 of the 40 it ran: 18,620 × 20 / 40 = 9,310
    ratio = ok(
        w.client.get(
            "/api/v1/reports/loss-ratio", params={"at": "2026-04-21T00:00:00+09:00"}, headers=admin
        )
    )
    assert ratio["earned_premium"] == 9_310


def test_monthly_plan_cancelled_by_the_insurer_refunds_only_what_was_received(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    w = world(make_app_for_test, "monthly")
    invoices = w.policy()["invoices"]
    ok(w.pay(invoices[0]["id"], {"amount": FIRST}))
    clock.advance(days=60)
    ok(w.pay(invoices[1]["id"], {"amount": REST}))
    clock.advance(days=10)
    # pro rata on day 40: 53,200 × 325 / 365 = 47,369.86… → 47,369 given up, 5,831
    # earned; received 8,870 → refund 8,870 − 5,831 = 3,039, not the 47,369
    cancelled = w.cancel("2026-05-11", "insurer")
    assert cancelled["method"] == "pro_rata"
    assert (cancelled["earned_premium"], cancelled["return_premium"]) == (5_831, 47_369)
    assert (cancelled["refund"], cancelled["shortfall"]) == (3_039, 0)
    assert len(cancelled["cancelled_instalments"]) == 10
    refund = cancelled["invoices"][-1]
    assert (refund["amount"], refund["status"]) == (-3_039, "open")
    assert w.policy()["earned_premium"] == 5_831


def test_lump_sum_cancelled_pro_rata_and_commission_on_collected_with_return_commission(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    w = world(make_app_for_test, "lump_sum")
    invoice = w.policy()["invoices"][0]
    ok(w.pay(invoice["id"], {"amount": ANNUAL}))  # booked 2 March
    clock.advance(days=70)  # 11 May
    # the insurer cancels on day 40: 47,369 back of the 53,200 received (5,831 earned)
    cancelled = w.cancel("2026-05-11", "insurer")
    assert (cancelled["refund"], cancelled["shortfall"]) == (47_369, 0)
    assert cancelled["cancelled_instalments"] == []
    refund = cancelled["invoices"][-1]
    paid = ok(w.pay(refund["id"], {"amount": -47_369}))  # the refund paid out
    assert (paid["status"], paid["receipt"]["amount"]) == ("paid", -47_369)

    agent = w.token("agent@lac.jp")

    def statement(month: str) -> Any:
        return ok(
            w.client.get(
                f"/api/v1/agencies/{w.lac}/commission", params={"month": month}, headers=agent
            )
        )

    # March: 20 % commission on the agency's 50 % share of the 53,200 collected:
    # 53,200 × 0.2 × 0.5 = 5,320; its share collected 26,600; remitted 26,600 − 5,320
    march = statement("2026-03")
    assert [(r["kind"], r["premium"], r["commission"]) for r in march["rows"]] == [
        ("receipt", 53_200, 5_320)
    ]
    assert (march["collected"], march["commission_total"], march["remittance"]) == (
        26_600,
        5_320,
        21_280,
    )
    assert statement("2026-04")["rows"] == []  # nothing collected in April
    # May: the refund paid takes its commission back: 47,369 × 0.1 = 4,736.9 → −4,736;
    # the share of it 47,369 × 0.5 = 23,684.5 → −23,684; remittance −23,684 + 4,736
    may = statement("2026-05")
    assert [(r["kind"], r["premium"], r["commission"]) for r in may["rows"]] == [
        ("refund", -47_369, -4_736)
    ]
    assert (may["return_commission"], may["collected"], may["remittance"]) == (
        4_736,
        -23_684,
        -18_948,
    )
    # a policyholder never reads a commission statement
    holder = w.token("holder@test.jp")
    denied = w.client.get(
        f"/api/v1/agencies/{w.lac}/commission", params={"month": "2026-05"}, headers=holder
    )
    assert denied.status_code in (403, 404)


def test_a_value_date_is_never_in_the_future_nor_before_the_invoice_was_issued(
    make_app_for_test: AppFactory,
) -> None:
    w = world(make_app_for_test, "lump_sum")
    invoice = w.policy()["invoices"][0]  # issued 2 March 2026 10:00 JST, which is now
    future = w.pay(invoice["id"], {"amount": ANNUAL, "paid_at": "2026-03-02T10:00:01+09:00"})
    assert future.status_code == 422
    assert [(e["field"], e["rule"]) for e in future.json()["errors"]] == [
        ("paid_at", "not_in_future")
    ]
    early = w.pay(invoice["id"], {"amount": ANNUAL, "paid_at": "2026-03-01T23:59:00+09:00"})
    assert early.status_code == 422
    assert [(e["field"], e["rule"]) for e in early.json()["errors"]] == [
        ("paid_at", "before_invoice_issued")
    ]
    assert w.policy()["invoices"][0]["paid_amount"] == 0  # nothing half-written
    # the day of issue is a good value date from its first moment
    paid = ok(w.pay(invoice["id"], {"amount": ANNUAL, "paid_at": "2026-03-02T00:00:00+09:00"}))
    assert paid["paid_at"] == "2026-03-01T15:00:00+00:00"
    assert paid["receipt"]["recorded_at"] == "2026-03-02T01:00:00+00:00"
    # a role that may not record a payment: 403
    agent_try = w.pay(invoice["id"], {"amount": 1}, who="agent@lac.jp")
    assert agent_try.status_code == 403


def _report_accident(w: World, clock: FakeClock) -> int:
    """The insured reports on 20 April an incident of 15 April 09:00: the first premium
    (due 1 April) was unpaid then, so it is not covered."""
    clock.advance(days=49)  # 20 April 10:00 JST
    incident = ok(
        w.client.post(
            "/api/v1/incidents",
            headers=w.token("holder@test.jp"),
            json={
                "channel": "web",
                "summary": "不正アクセス / unauthorised access",
                "occurred_at": "2026-04-15T09:00:00+09:00",
                "caller_name": "総務部",
                "caller_contact": "03-0000-0000",
            },
        ),
        201,
    )
    assert incident["policy_id"] == w.policy_id
    assert w.coverage("2026-04-15T09:00:00+09:00")["covered"] is False
    return int(incident["id"])


def test_a_receipt_dated_before_a_reported_accident_needs_an_underwriters_confirmation(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    w = world(make_app_for_test, "lump_sum")
    invoice = w.policy()["invoices"][0]
    _report_accident(w, clock)
    body = {"amount": ANNUAL, "paid_at": "2026-04-10T00:00:00+09:00"}  # before the 15th

    unconfirmed = w.pay(invoice["id"], body)
    assert unconfirmed.status_code == 409
    assert unconfirmed.json()["rule"] == "receipt_before_reported_accident"
    # the billing clerk and the administrator hold no underwriting authority: 403
    for clerk in ("clerk@uw.jp", "admin@example.jp"):
        refused = w.pay(invoice["id"], {**body, "confirm": True}, who=clerk)
        assert refused.status_code == 403, clerk
    # an agent may not record a payment at all
    assert w.pay(invoice["id"], {**body, "confirm": True}, who="agent@lac.jp").status_code == 403
    assert w.policy()["invoices"][0]["paid_amount"] == 0  # nothing written by the refusals

    confirmed = ok(w.pay(invoice["id"], {**body, "confirm": True}, who="junior@uw.jp"))
    assert confirmed["receipt"]["confirmed_by"] == w.junior_id
    assert confirmed["receipt"]["confirmed_accidents"] == ["2026-04-15T00:00:00+00:00"]
    assert w.coverage("2026-04-15T09:00:00+09:00")["covered"] is True

    with w.app.state.db.sessions() as session:
        audit = session.execute(
            select(AuditRecord).where(AuditRecord.action == "billing.receipt_confirmed")
        ).scalar_one()
        assert audit.actor_user_id == w.junior_id
        assert audit.after is not None
        assert audit.after["accidents_made_covered"] == ["2026-04-15T00:00:00+00:00"]
        assert audit.after["value_date"] == "2026-04-09T15:00:00+00:00"
        receipt = session.execute(select(PremiumReceipt)).scalar_one()
        assert (receipt.confirmed_by, receipt.recorded_by) == (w.junior_id, w.junior_id)


def test_a_receipt_dated_after_the_accident_needs_no_confirmation_and_leaves_it_uncovered(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    w = world(make_app_for_test, "lump_sum")
    invoice = w.policy()["invoices"][0]
    _report_accident(w, clock)
    paid = ok(w.pay(invoice["id"], {"amount": ANNUAL, "paid_at": "2026-04-16T00:00:00+09:00"}))
    assert paid["receipt"]["confirmed_by"] is None
    assert w.coverage("2026-04-15T09:00:00+09:00")["covered"] is False
    assert w.coverage("2026-04-16T09:00:00+09:00")["covered"] is True


def test_cancelled_instalments_are_neither_due_nor_lapsing(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    w = world(make_app_for_test, "monthly")
    invoices = w.policy()["invoices"]
    ok(w.pay(invoices[0]["id"], {"amount": FIRST}))
    clock.advance(days=60)
    ok(w.pay(invoices[1]["id"], {"amount": REST}))
    clock.advance(days=10)
    w.cancel("2026-05-11", "insured")  # 10 instalments cancelled, 9,750 billed
    # reinstated within 30 days: charged again the 34,580 the cancellation gave up
    ok(
        w.client.post(
            f"/api/v1/policies/{w.policy_id}/reinstate",
            headers=w.token("agent@lac.jp"),
            json={"reason": "誤解約"},
        )
    )
    for i in w.policy()["invoices"]:
        if i["status"] == "open":
            ok(w.pay(i["id"], {"amount": i["amount"]}))
    # 10 July: the cancelled 1 June instalment would be 9 days past its 30 days' grace
    clock.advance(days=60)
    assert lapse_overdue(w.app.state.db, SYSTEM) == []
    assert w.policy()["status"] == "in_force"
