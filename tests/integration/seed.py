"""A seeded world for API tests: a company with a submission (an open underwriting
issue), a bound, issued and paid policy with an endorsement quoted, an incident heard,
handed over and dispatched with an estimate, a claim with a payment waiting for a second
approver, and users of every role (schemathesis, uploads, stored XSS, backups, risk).

The story keeps the clock's order (issue #17): the policy is bound, issued and paid on
2 March 2026 (the test clock's start), before its start on 1 April; the incident happens at
10:00 on 1 May and is reported at noon, where the clock is left (``REPORTED``).

Who may call which route is tested by tests/security/test_adversarial.py, generated from
the route table and the role matrix.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from cybercover.services.authz import SYSTEM, Actor
from cybercover.services.billing import record_payment
from cybercover.services.companies import create_company
from cybercover.services.endorsements import quote_endorsement
from cybercover.services.people import (
    authenticate,
    bootstrap_admin,
    create_organisation,
    create_user,
    issue_api_token,
    list_api_tokens,
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
from tests.integration.api_helpers import PASSWORD
from tests.integration.conftest import FakeClock
from tests.integration.test_lifecycle_api import COMPANY, PLAN_1

OTHER_COMPANY = {
    **COMPANY,
    "corporate_number": "5000012010024",
    "name": "別会社株式会社",
    "postal_code": "163-0417",
    "prefecture": "東京都",
    "address_line": "新宿区西新宿2-1-1",
    "agency_codes": ["other"],
}
SECRET_MARKERS = ("テスト製作所", "7000012050002")
START_DATE = date(2026, 4, 1)
OCCURRED = "2026-05-01T10:00:00+09:00"
REPORTED = datetime.fromisoformat(OCCURRED) + timedelta(hours=2)  # noon on 1 May (JST)


def seed(db: Database) -> dict[str, Any]:
    bootstrap_admin(db, email="admin@example.jp", password=PASSWORD)
    orgs = {
        code: create_organisation(db, SYSTEM, kind=kind, code=code, name=code)
        for kind, code in [
            ("agency", "lac"),
            ("agency", "sjp"),
            ("agency", "other"),
            ("partner", "pr"),
        ]
    }
    for org, email, role in [
        (orgs["lac"], "agent@lac.jp", "agent"),
        (orgs["other"], "agent@other.jp", "agent"),
        (orgs["pr"], "partner@pr.jp", "partner"),
    ]:
        create_user(
            db,
            SYSTEM,
            organisation_id=org,
            email=email,
            display_name=email,
            role=role,
            password=PASSWORD,
        )
    agent: Actor = authenticate(db, "agent@lac.jp", PASSWORD)
    other_agent = authenticate(db, "agent@other.jp", PASSWORD)
    admin = authenticate(db, "admin@example.jp", PASSWORD)
    company = create_company(db, agent, COMPANY)
    other = create_company(db, other_agent, OTHER_COMPANY)
    create_user(
        db,
        SYSTEM,
        organisation_id=other["organisation_id"],
        email="holder@other.jp",
        display_name="holder",
        role="policyholder",
        password=PASSWORD,
    )
    submission = create_submission(db, agent, company_id=company["id"], start_date=START_DATE)
    update_submission(db, agent, submission["id"], disclosure={**CLEAN_ANSWERS, "mfa": False})
    quoted = quote_submission(db, agent, submission["id"], [PLAN_1])
    issue_id = next(i["id"] for i in quoted["issues"] if i["rule_code"] == "no_mfa")
    # a second submission, with its own quote, bound and issued (no issue raised)
    clean = create_submission(db, agent, company_id=company["id"], start_date=START_DATE)
    update_submission(db, agent, clean["id"], disclosure=CLEAN_ANSWERS)
    clean_quote = quote_submission(db, agent, clean["id"], [PLAN_1])["quotes"][0]
    for kind, result in PREBIND_KINDS.items():
        record_prebind(db, agent, clean["id"], kind=kind, result=result)
    policy = bind_quote(
        db, agent, clean_quote["id"], payment_plan="lump_sum", payment_method="invoice"
    )
    issue_policy(db, agent, policy["id"])
    invoice = get_policy(db, admin, policy["id"])["invoices"][0]
    record_payment(db, admin, invoice["id"], amount=invoice["amount"])
    endorsement = quote_endorsement(
        db,
        agent,
        policy["id"],
        effective_date=START_DATE.replace(month=6),
        option={**PLAN_1, "limits": {"liability": 200_000_000, "response_costs": 50_000_000}},
    )
    from cybercover.services.dispatch import (
        dispatch_partner,
        hand_over,
        respond_dispatch,
        submit_cost,
    )
    from cybercover.services.incidents import report_incident
    from cybercover.services.partners import register_partner

    forensics = create_organisation(db, SYSTEM, kind="partner", code="forensics", name="forensics")
    register_partner(
        db,
        SYSTEM,
        organisation_id=forensics,
        services=["investigation"],
        regions=["全国"],
        registration_number="T7000012050002",
        contact_email="f@partner.jp",
    )
    create_user(
        db,
        SYSTEM,
        organisation_id=forensics,
        email="f@partner.jp",
        display_name="f",
        role="partner",
        password=PASSWORD,
    )
    desk_org = create_organisation(db, SYSTEM, kind="desk", code="desk", name="desk")
    create_user(
        db,
        SYSTEM,
        organisation_id=desk_org,
        email="desk@desk.jp",
        display_name="d",
        role="desk_operator",
        password=PASSWORD,
    )
    desk = authenticate(db, "desk@desk.jp", PASSWORD)
    # the policy was bound, issued and paid before its start; the incident is reported on
    # 1 May, two hours after it happened (an event is never in the future)
    assert isinstance(db.clock, FakeClock), "the seed moves the test clock"
    db.clock.now = max(db.clock(), REPORTED.astimezone(UTC))  # the clock keeps UTC
    incident = report_incident(
        db,
        desk,
        {
            "summary": "テスト製作所の事故",
            "company_id": company["id"],
            "occurred_at": OCCURRED,
        },
    )
    from cybercover.services.hearing import record_hearing

    heard = record_hearing(
        db,
        desk,
        incident["id"],
        {"aware_at": OCCURRED, "personal_data_count": 5_000},
    )
    hand_over(db, desk, incident["id"])
    dispatch = dispatch_partner(
        db, desk, incident["id"], partner_id=forensics, service="investigation"
    )
    f = authenticate(db, "f@partner.jp", PASSWORD)
    respond_dispatch(db, f, dispatch["id"], accept=True)
    cost = submit_cost(
        db,
        f,
        dispatch["id"],
        kind="estimate",
        description="x",
        amount_ex_tax=1_000,
        tax_rate_percent=10,
        registration_number="T7000012050002",
    )
    from cybercover.services.claims import add_loss_item, open_claim, request_payment, set_reserve

    for email, authority in (("claims@insurer.jp", 1), ("claims-manager@insurer.jp", 50_000_000)):
        create_user(
            db,
            SYSTEM,
            organisation_id=1,
            email=email,
            display_name="c",
            role="claims_handler",
            password=PASSWORD,
            payment_authority=authority,
        )
    handler = authenticate(db, "claims@insurer.jp", PASSWORD)
    manager = authenticate(db, "claims-manager@insurer.jp", PASSWORD)
    # the victims claimed damages when the incident was reported (claims-made ①)
    claim = open_claim(db, handler, incident_id=incident["id"], claim_made_at=REPORTED)
    add_loss_item(
        db,
        handler,
        claim["id"],
        coverage="liability",
        category="damages",
        description="x",
        amount=5_000_000,
    )
    # 5,000,000 less the ¥100,000 deductible: 4,900,000, to the victim; the handler's
    # authority (1 yen) is below the reserve, so the manager sets it, and the payment waits
    # for a second approver
    set_reserve(db, manager, claim["id"], coverage="liability", amount=4_900_000, reason="見積り")
    pending = request_payment(
        db,
        handler,
        claim["id"],
        idempotency_key="seed",
        coverage="liability",
        amount=4_900_000,
        payee_kind="third_party",
        payee_name="被害者 / the victim",
    )
    assert pending["status"] == "pending_approval"
    issue_api_token(db, agent, name="lac-integration", days=30)
    (lac_token,) = list_api_tokens(db, agent)
    return {
        "token_id": lac_token["id"],
        "user_id": agent.user_id,
        "claim_id": claim["id"],
        "payment_id": pending["id"],
        "incident_id": incident["id"],
        "deadline_id": heard["deadlines"][0]["id"],
        "dispatch_id": dispatch["id"],
        "cost_id": cost["id"],
        "company_id": company["id"],
        "submission_id": submission["id"],
        "quote_id": quoted["quotes"][0]["id"],
        "issue_id": issue_id,
        "policy_id": policy["id"],
        "invoice_id": invoice["id"],
        "transaction_id": endorsement["id"],
        "agency_id": orgs["lac"],
        "user_ids": None,
    }
