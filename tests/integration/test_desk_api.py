"""A real case through the desk API: a ransomware outage reported by phone at night,
hand-over, three partners dispatched (one declines and is replaced), estimates approved
up to what remains of the response-cost limit and one refused for exceeding it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from cybercover.services.authz import SYSTEM, Actor
from cybercover.services.billing import record_payment
from cybercover.services.companies import create_company
from cybercover.services.partners import register_partner
from cybercover.services.people import (
    authenticate,
    bootstrap_admin,
    create_organisation,
    create_user,
)
from cybercover.services.policies import PREBIND_KINDS, bind_quote, get_policy, issue_policy
from cybercover.services.submissions import (
    create_submission,
    quote_submission,
    record_prebind,
    update_submission,
)
from cybercover.services.uow import Database
from tests.factories import CLEAN_ANSWERS
from tests.integration.api_helpers import PASSWORD, bearer, ok
from tests.integration.conftest import AppFactory, FakeClock
from tests.integration.seed import OTHER_COMPANY, START_DATE
from tests.integration.test_lifecycle_api import COMPANY, PLAN_1

PARTNERS = [
    ("forensics", "investigation", "T7000012050002"),
    ("pr", "public_relations", "T7000012050002"),
    ("callcenter-a", "call_centre", "T7000012050002"),
    ("callcenter-b", "call_centre", "T7000012050002"),
]


def seed(db: Database) -> dict[str, Any]:
    bootstrap_admin(db, email="admin@example.jp", password=PASSWORD)
    lac = create_organisation(db, SYSTEM, kind="agency", code="lac", name="LAC")
    create_organisation(db, SYSTEM, kind="agency", code="sjp", name="SJP")
    other_agency = create_organisation(db, SYSTEM, kind="agency", code="other", name="other")
    desk = create_organisation(
        db, SYSTEM, kind="desk", code="desk", name="SOMPOサイバーインシデントサポートデスク"
    )
    create_user(
        db,
        SYSTEM,
        organisation_id=lac,
        email="agent@lac.jp",
        display_name="agent",
        role="agent",
        password=PASSWORD,
    )
    create_user(
        db,
        SYSTEM,
        organisation_id=other_agency,
        email="agent@other.jp",
        display_name="o",
        role="agent",
        password=PASSWORD,
    )
    create_user(
        db,
        SYSTEM,
        organisation_id=desk,
        email="desk@desk.jp",
        display_name="受付 次郎",
        role="desk_operator",
        password=PASSWORD,
    )
    partner_ids = {}
    for code, service, number in PARTNERS:
        org = create_organisation(db, SYSTEM, kind="partner", code=code, name=f"{code} 株式会社")
        register_partner(
            db,
            SYSTEM,
            organisation_id=org,
            services=[service],
            regions=["全国"],
            registration_number=number,
            contact_email=f"{code}@partner.jp",
            webhook_url="https://forensics.example/hooks" if code == "forensics" else None,
        )
        create_user(
            db,
            SYSTEM,
            organisation_id=org,
            email=f"{code}@partner.jp",
            display_name=code,
            role="partner",
            password=PASSWORD,
        )
        partner_ids[code] = org
    agent: Actor = authenticate(db, "agent@lac.jp", PASSWORD)
    admin = authenticate(db, "admin@example.jp", PASSWORD)
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
    other = create_company(db, authenticate(db, "agent@other.jp", PASSWORD), OTHER_COMPANY)
    create_user(
        db,
        SYSTEM,
        organisation_id=other["organisation_id"],
        email="holder@other.jp",
        display_name="h",
        role="policyholder",
        password=PASSWORD,
    )
    sid = create_submission(db, agent, company_id=company["id"], start_date=START_DATE)["id"]
    update_submission(db, agent, sid, disclosure=CLEAN_ANSWERS)
    quote = quote_submission(db, agent, sid, [PLAN_1])["quotes"][0]
    for kind, result in PREBIND_KINDS.items():
        record_prebind(db, agent, sid, kind=kind, result=result)
    policy = bind_quote(db, agent, quote["id"], payment_plan="lump_sum", payment_method="invoice")
    issue_policy(db, agent, policy["id"])
    invoice = get_policy(db, admin, policy["id"])["invoices"][0]
    record_payment(db, admin, invoice["id"], amount=invoice["amount"])
    return {"company": company, "policy_id": policy["id"], "partners": partner_ids}


def test_a_ransomware_night_call_through_the_desk(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    app = make_app_for_test()
    world = seed(app.state.db)
    clock.now = datetime(2026, 7, 9, 17, 30, tzinfo=UTC)  # 02:30 on 10 July in Tokyo
    client = TestClient(app)
    desk = bearer(client, "desk@desk.jp")
    report = {
        "channel": "phone",
        "summary": "ランサムウェアでサーバーが停止 / ransomware, servers down",
        "occurred_at": "2026-07-10T02:10:00+09:00",
        "caller_name": "情報システム部 山田",
        "corporate_number": COMPANY["corporate_number"],
        "caller_contact": "03-0000-0000",
    }
    incident = ok(client.post("/api/v1/incidents", headers=desk, json=report), 201)
    assert incident["number"] == "INC-2026-000001"
    assert incident["insured"] is True and incident["policy_id"] == world["policy_id"]
    assert incident["coverage"]["parts"] == ["liability", "response_costs"]
    # the same event reported again by the insured's other staff is a report of its own:
    # the desk is shown it as a possible duplicate, and an operator links the two
    again = ok(
        client.post("/api/v1/incidents", headers=desk, json={**report, "caller_name": "総務部"}),
        201,
    )
    assert again["id"] != incident["id"] and again["number"] == "INC-2026-000002"
    seen = ok(client.get(f"/api/v1/incidents/{again['id']}", headers=desk))
    assert [d["number"] for d in seen["possible_duplicates"]] == ["INC-2026-000001"]
    linked = ok(
        client.post(
            f"/api/v1/incidents/{again['id']}/link",
            headers=desk,
            json={
                "to_incident_id": incident["id"],
                "reason": "同じランサムウェア事案の別部署からの連絡",
            },
        )
    )
    assert linked["linked_to_id"] == incident["id"]
    iid = incident["id"]
    primary = ok(client.get(f"/api/v1/incidents/{iid}", headers=desk))
    assert [r["number"] for r in primary["linked"]] == ["INC-2026-000002"]

    queue = ok(client.get("/api/v1/incidents/queue", headers=desk))
    assert [q["number"] for q in queue] == ["INC-2026-000001"]  # the linked report is not
    assert queue[0]["clocks"][0]["clock"] == "first_response"

    # first hearing; the insured became aware at 02:15 JST on 10 July
    answers = {
        "event_kind": "ransomware",
        "what_happened": "ファイルが暗号化され身代金を要求された",
        "aware_at": "2026-07-10T02:15:00+09:00",
        "began_at": "2026-07-10T01:50:00+09:00",
        "still_ongoing": True,
        "outage_started_at": "2026-07-10T01:55:00+09:00",
        "personal_data_count": 30_000,
        "improper_purpose": False,
        "eu_residents": True,
        "ransom_demand": True,
        "evidence_preserved": True,
    }
    heard = ok(client.put(f"/api/v1/incidents/{iid}/hearing", headers=desk, json=answers))
    assert heard["triage"]["severity"] == "critical"  # a ransom demand
    due = {d["rule"]: (d["target_at"], d["due_at"]) for d in heard["deadlines"]}
    # APPI: day 1 is 11 July; the preliminary report aims at the end of day 3, is due at
    # the end of day 5; the final report at the end of day 30 (9 August)
    assert due["appi_preliminary"] == ("2026-07-14T00:00:00+09:00", "2026-07-16T00:00:00+09:00")
    assert due["appi_final"] == (None, "2026-08-10T00:00:00+09:00")
    # GDPR art. 33: 72 hours from the moment of awareness
    assert due["gdpr_authority"][1] == "2026-07-13T02:15:00+09:00"
    assert not any(rule.startswith(("nis2", "my_number")) for rule in due)
    # unauthorised access found later: an improper purpose moves the final report to 60 days
    heard = ok(
        client.put(
            f"/api/v1/incidents/{iid}/hearing", headers=desk, json={"improper_purpose": True}
        )
    )
    final = next(d for d in heard["deadlines"] if d["rule"] == "appi_final")
    assert final["due_at"] == "2026-09-09T00:00:00+09:00"
    assert [(h["kind"], h["because"]) for h in final["history"]] == [
        (
            "appeared",
            [
                "aware_at",
                "began_at",
                "eu_residents",
                "event_kind",
                "evidence_preserved",
                "improper_purpose",
                "outage_started_at",
                "personal_data_count",
                "ransom_demand",
                "still_ongoing",
                "what_happened",
            ],
        ),
        ("moved", ["improper_purpose"]),
    ]
    advice = ok(client.post(f"/api/v1/incidents/{iid}/advice", headers=desk))["advice"]
    assert advice and all(a["ja"] and a["en"] for a in advice)
    assert ok(client.get(f"/api/v1/incidents/{iid}/deadlines", headers=desk))[0]["overdue"] is False
    ok(client.post(f"/api/v1/incidents/{iid}/hand-over", headers=desk))

    p = world["partners"]
    dispatched = {}
    for code, service in [
        ("forensics", "investigation"),
        ("pr", "public_relations"),
        ("callcenter-a", "call_centre"),
    ]:
        dispatched[code] = ok(
            client.post(
                f"/api/v1/incidents/{iid}/dispatches",
                headers=desk,
                json={"partner_id": p[code], "service": service},
            ),
            201,
        )["id"]
    partner = {code: bearer(client, f"{code}@partner.jp") for code, _, _ in PARTNERS}
    ok(
        client.post(
            f"/api/v1/dispatches/{dispatched['forensics']}/response",
            headers=partner["forensics"],
            json={"accept": True},
        )
    )
    ok(
        client.post(
            f"/api/v1/dispatches/{dispatched['pr']}/response",
            headers=partner["pr"],
            json={"accept": True},
        )
    )
    declined = ok(
        client.post(
            f"/api/v1/dispatches/{dispatched['callcenter-a']}/response",
            headers=partner["callcenter-a"],
            json={"accept": False, "reason": "要員不足 / no staff"},
        )
    )
    assert declined["status"] == "declined"
    replacement = ok(
        client.post(
            f"/api/v1/incidents/{iid}/dispatches",
            headers=desk,
            json={"partner_id": p["callcenter-b"], "service": "call_centre"},
        ),
        201,
    )["id"]
    ok(
        client.post(
            f"/api/v1/dispatches/{replacement}/response",
            headers=partner["callcenter-b"],
            json={"accept": True},
        )
    )

    # the partners were told through the outbox: mail to each, a signed webhook to forensics
    with app.state.db.sessions() as session:
        from cybercover.storage.models import OutboxMessage

        sent = (
            session.query(OutboxMessage).filter(OutboxMessage.topic == "dispatch.requested").all()
        )
        assert sorted(m.kind for m in sent) == ["mail"] * 4 + ["webhook"]
        hook = next(m for m in sent if m.kind == "webhook")
        assert (hook.recipient, hook.payload["version"], hook.payload["service"]) == (
            "https://forensics.example/hooks",
            1,
            "investigation",
        )

    # a partner sees only its own dispatch
    assert [d["id"] for d in ok(client.get("/api/v1/dispatches", headers=partner["pr"]))] == [
        dispatched["pr"]
    ]
    assert (
        client.post(
            f"/api/v1/dispatches/{dispatched['forensics']}/work",
            headers=partner["pr"],
            json={"note": "x"},
        ).status_code
        == 404
    )

    def estimate(code: str, dispatch_id: int, amount: int) -> dict[str, Any]:
        return ok(
            client.post(
                f"/api/v1/dispatches/{dispatch_id}/costs",
                headers=partner[code],
                json={
                    "kind": "estimate",
                    "description": "見積",
                    "amount_ex_tax": amount,
                    "tax_rate_percent": 10,
                    "registration_number": "T7000012050002",
                },
            ),
            201,
        )

    # response-cost limit 30,000,000 (plan ①); consumption tax 10 %, floored
    forensic = estimate("forensics", dispatched["forensics"], 15_000_000)
    assert (forensic["tax"], forensic["total"]) == (1_500_000, 16_500_000)
    assert (
        ok(
            client.post(
                f"/api/v1/costs/{forensic['id']}/decision", headers=desk, json={"approve": True}
            )
        )["status"]
        == "approved"
    )
    pr = estimate("pr", dispatched["pr"], 10_000_000)  # 11,000,000: 27,500,000 committed
    assert (
        ok(client.post(f"/api/v1/costs/{pr['id']}/decision", headers=desk, json={"approve": True}))[
            "status"
        ]
        == "approved"
    )
    too_much = estimate("callcenter-b", replacement, 3_000_000)  # 3,300,000 > 2,500,000 left
    refused = ok(
        client.post(
            f"/api/v1/costs/{too_much['id']}/decision", headers=desk, json={"approve": True}
        )
    )
    assert refused["status"] == "refused"
    check = refused["decision"]["limit_check"]
    assert (check["committed_before"], check["payable"]) == (27_500_000, 2_500_000)
    assert [(r["code"], r["amount"]) for r in check["reasons"]] == [("limit_period", 800_000)]
    fits = estimate("callcenter-b", replacement, 2_000_001)  # tax 200,000 (floored) → 2,200,001
    approved = ok(
        client.post(f"/api/v1/costs/{fits['id']}/decision", headers=desk, json={"approve": True})
    )
    assert (
        approved["status"] == "approved"
        and approved["decision"]["limit_check"]["remaining_after"] == 299_999
    )

    kinds = [e["kind"] for e in ok(client.get(f"/api/v1/incidents/{iid}/timeline", headers=desk))]
    assert kinds[:4] == ["reported", "report.linked", "hearing.answered", "triage"]
    assert "advice.given" in kinds and "deadline.moved" in kinds and "handed_over" in kinds
    assert (
        kinds.count("dispatched") == 4 and "dispatch.declined" in kinds and "cost.refused" in kinds
    )

    # four hours and a half later the call centre's estimate is still waiting: late, escalated once
    late_estimate = estimate("callcenter-b", replacement, 1_000)
    clock.advance(hours=4, minutes=30)
    queue = ok(client.get("/api/v1/incidents/queue", headers=desk))
    assert queue[0]["late"] is True
    assert [c["clock"] for c in queue[0]["clocks"] if c["late"]] == [
        f"approval:{late_estimate['id']}"
    ]
    escalated = ok(client.post("/api/v1/incidents/escalations", headers=desk))["escalated"]
    assert escalated == [f"INC-2026-000001:approval:{late_estimate['id']}"]
    assert ok(client.post("/api/v1/incidents/escalations", headers=desk))["escalated"] == []
    # reminders: the APPI preliminary report is due within a day (00:00 on 16 July) and the
    # GDPR notification is overdue (02:15 on 13 July); the final reports are weeks away
    clock.now = datetime(2026, 7, 15, 1, 0, tzinfo=UTC)  # 10:00 on 15 July in Tokyo
    desk = bearer(client, "desk@desk.jp")
    reminded = ok(client.post("/api/v1/incidents/reminders", headers=desk))["reminded"]
    rules = {
        d["id"]: d["rule"]
        for d in ok(client.get(f"/api/v1/incidents/{iid}/deadlines", headers=desk))
    }
    assert sorted(rules[i] for i in reminded) == ["appi_preliminary", "gdpr_authority"]
    assert ok(client.post("/api/v1/incidents/reminders", headers=desk))["reminded"] == []

    # the insured sees its incident; another company's policyholder and a partner see nothing else
    holder = bearer(client, "holder@test.jp")
    assert ok(client.get(f"/api/v1/incidents/{iid}", headers=holder))["number"] == "INC-2026-000001"
    other = bearer(client, "holder@other.jp")
    assert client.get(f"/api/v1/incidents/{iid}", headers=other).status_code == 404
    assert ok(client.get("/api/v1/incidents", headers=other)) == []
    # a partner with a dispatch reaches the incident (its summary and triage) but may not
    # read the case: its timeline, deadlines and report are the insured's and the desk's
    assert client.get(f"/api/v1/incidents/{iid}/timeline", headers=partner["pr"]).status_code == 403
    seen_by_partner = ok(client.get(f"/api/v1/incidents/{iid}", headers=partner["pr"]))
    assert set(seen_by_partner) == {"id", "number", "summary", "status", "triage"}
    # the insured's timeline has its steps, not the insurer's internal ones
    holder_kinds = {
        e["kind"] for e in ok(client.get(f"/api/v1/incidents/{iid}/timeline", headers=holder))
    }
    assert "handed_over" in holder_kinds and "dispatched" in holder_kinds
    assert not holder_kinds & {"escalated", "report.linked"}
    assert all(
        "actor_user_id" not in e
        for e in ok(client.get(f"/api/v1/incidents/{iid}/timeline", headers=holder))
    )
    assert client.get("/api/v1/incidents/queue", headers=other).status_code == 403
    assert client.post(
        f"/api/v1/costs/{pr['id']}/decision", headers=partner["pr"], json={"approve": True}
    ).status_code in (403, 404)


def test_a_policyholder_reports_for_its_own_company_only(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    app = make_app_for_test()
    world = seed(app.state.db)
    clock.now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    client = TestClient(app)
    other = bearer(client, "holder@other.jp")
    # naming another company's id changes nothing: a policyholder reports for its own
    mine = ok(
        client.post(
            "/api/v1/incidents",
            headers=other,
            json={
                "summary": "不審なメール / suspicious mail",
                "company_id": world["company"]["id"],
                "channel": "api",
            },
        ),
        201,
    )
    assert mine["company_id"] != world["company"]["id"] and mine["insured"] is False
    assert (
        client.post(f"/api/v1/incidents/{mine['id']}/hand-over", headers=other).status_code == 403
    )
    holder = bearer(client, "holder@test.jp")
    ours = ok(
        client.post(
            "/api/v1/incidents", headers=holder, json={"summary": "サーバー停止 / server down"}
        ),
        201,
    )
    assert (ours["company_id"], ours["insured"], ours["channel"]) == (
        world["company"]["id"],
        True,
        "web",
    )
    assert [i["id"] for i in ok(client.get("/api/v1/incidents", headers=holder))] == [ours["id"]]
    bad = client.post("/api/v1/incidents", headers=holder, json={"summary": "", "channel": "fax"})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"summary", "channel"}
