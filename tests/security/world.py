"""Two tenants with everything a case has, and one user of every role.

Company A is the callers' own: its agency (``agent@a.jp``), its policyholder
(``holder@a.jp``) and the partner dispatched on its incident (``partner@p1.jp``). Company B
is the foreign tenant, with the same objects, its own agency, policyholder and partner.
The insurer's staff (underwriter, desk operator, claims handlers, administrator) reach
both. Every object a route can name exists for both tenants: company, submission with an
open underwriting issue, quote, an issued and paid policy with an endorsement quoted, its
invoice, an incident heard and handed over with a deadline, a dispatch accepted with an
estimate waiting, a claim with a loss item (``item_id``), its reserve and a payment
waiting for a second approver.

The story keeps the clock's order (issue #17: an event is never in the future, and a
claim is paid only if the first premium was received before the accident): both tenants'
policies are bound, issued and paid on 2 March 2026 (the test clock's start), before their
start on 1 April; then the clock moves to noon on 1 May 2026, two hours after the
incidents, which are reported then, and stays there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from cybercover.services.authz import SYSTEM
from cybercover.services.billing import record_payment
from cybercover.services.claims import add_loss_item, open_claim, request_payment, set_reserve
from cybercover.services.companies import create_company
from cybercover.services.dispatch import dispatch_partner, hand_over, respond_dispatch, submit_cost
from cybercover.services.endorsements import quote_endorsement
from cybercover.services.hearing import record_hearing
from cybercover.services.incidents import report_incident
from cybercover.services.partners import register_partner
from cybercover.services.people import (
    authenticate,
    bootstrap_admin,
    create_organisation,
    create_user,
    issue_api_token,
    list_api_tokens,
)
from cybercover.services.policies import PREBIND_KINDS, bind_quote, get_policy, issue_policy
from cybercover.services.risk import run_portfolio
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

START = date(2026, 4, 1)
NIGHT_OF_THE_INCIDENT = "2026-05-01T10:00:00+09:00"
# reported two hours after it happened: 12:00 JST on 1 May 2026; the world's clock stays here
REPORTED = datetime.fromisoformat(NIGHT_OF_THE_INCIDENT) + timedelta(hours=2)
# the liability item, 5,000,000, less the ¥100,000 deductible: 4,900,000 payable, asked for
# by the clerk and waiting for a second approver. The reserve is the estimate, 5,000,000:
# 5,000,000 − 4,900,000 = 100,000 of it stays open for the matrix's own small payments
DAMAGES = 5_000_000
PENDING = DAMAGES - 100_000

TENANTS = {
    "A": {
        **COMPANY,
        "corporate_number": "7000012050002",
        "name": "株式会社甲テスト製作所",
        "agency_codes": ["agency-a"],
    },
    "B": {
        **COMPANY,
        "corporate_number": "5000012010024",
        "name": "乙秘密工業株式会社",
        "postal_code": "163-0417",
        "prefecture": "東京都",
        "address_line": "新宿区西新宿2-1-1",
        "agency_codes": ["agency-b"],
    },
}
# what of tenant B must never appear in an answer to A's people
SECRETS_OF_B = ("乙秘密工業", "5000012010024", "乙の社外秘", "03-9999-0002")

# one user per role; "own" objects are tenant A's
ROLE_USERS = {
    "policyholder": "holder@a.jp",
    "agent": "agent@a.jp",
    "partner": "partner@p1.jp",
    "underwriter": "uw@insurer.jp",
    "desk_operator": "desk@desk.jp",
    "claims_handler": "claims@insurer.jp",
    "admin": "admin@example.jp",
    "actuary": "actuary@insurer.jp",
    "auditor": "auditor@insurer.jp",
}


@dataclass
class World:
    """Ids of tenant A's objects (``own``) and tenant B's (``foreign``)."""

    own: dict[str, Any] = field(default_factory=dict)
    foreign: dict[str, Any] = field(default_factory=dict)


def build_world(db: Database) -> World:
    bootstrap_admin(db, email="admin@example.jp", password=PASSWORD)
    admin = authenticate(db, "admin@example.jp", PASSWORD)
    insurer = admin.organisation_id
    orgs = {
        code: create_organisation(db, SYSTEM, kind=kind, code=code, name=code)
        for kind, code in [
            ("agency", "agency-a"),
            ("agency", "agency-b"),
            ("agency", "lac"),  # the programme's co-agents (the product's [policy.co_agency])
            ("agency", "sjp"),
            ("partner", "p1"),
            ("partner", "p2"),
            ("desk", "desk"),
        ]
    }
    for org, email, role, extra in [
        (orgs["agency-a"], "agent@a.jp", "agent", {}),
        (orgs["agency-b"], "agent@b.jp", "agent", {}),
        (orgs["p1"], "partner@p1.jp", "partner", {}),
        (orgs["p2"], "partner@p2.jp", "partner", {}),
        (orgs["desk"], "desk@desk.jp", "desk_operator", {}),
        (insurer, "uw@insurer.jp", "underwriter", {"underwriting_authority": 3}),
        # a payment of 4,900,000 yen waits for a second approver: the requester's
        # authority is 1 yen, the approver's (who also sets the reserve) fifty million
        (insurer, "claims-clerk@insurer.jp", "claims_handler", {"payment_authority": 1}),
        (insurer, "claims@insurer.jp", "claims_handler", {"payment_authority": 50_000_000}),
        (insurer, "actuary@insurer.jp", "actuary", {}),
        (insurer, "auditor@insurer.jp", "auditor", {}),
    ]:
        create_user(
            db,
            SYSTEM,
            organisation_id=org,
            email=email,
            display_name=email,
            role=role,
            password=PASSWORD,
            **extra,
        )
    for code in ("p1", "p2"):
        register_partner(
            db,
            SYSTEM,
            organisation_id=orgs[code],
            services=["investigation"],
            regions=["全国"],
            registration_number="T7000012050002",
            contact_email=f"{code}@partner.jp",
        )
    world = World()
    # both policies are bound, issued and paid before their start (1 April) ...
    for tenant, side in (("A", world.own), ("B", world.foreign)):
        side.update(_contract(db, tenant, orgs))
    # ... then the incidents happen on 1 May and are reported two hours later
    assert isinstance(db.clock, FakeClock), "the world moves the test clock"
    db.clock.now = max(db.clock(), REPORTED.astimezone(UTC))  # the clock keeps UTC
    for tenant, side in (("A", world.own), ("B", world.foreign)):
        side.update(_case(db, tenant, orgs, side, partner="p1" if tenant == "A" else "p2"))
    # the users whose accounts and tokens the people routes name
    for side, email in ((world.own, "victim@a.jp"), (world.foreign, "victim@b.jp")):
        company_org = side["company_org"]
        create_user(
            db,
            SYSTEM,
            organisation_id=company_org,
            email=email,
            display_name=email,
            role="policyholder",
            password=PASSWORD,
        )
        victim = authenticate(db, email, PASSWORD)
        side["user_id"] = victim.user_id
        issue_api_token(db, victim, name="victim", days=30)
        side["token_id"] = list_api_tokens(db, victim)[0]["id"]
    # the risk pages read the latest run (as of a day the two policies are in force)
    run_portfolio(db, SYSTEM, years=100, seed=16, as_of=datetime(2026, 5, 1, tzinfo=UTC))
    return world


def _contract(db: Database, tenant: str, orgs: dict[str, int]) -> dict[str, Any]:
    """The company, its submissions and quote, and its policy: bound, issued and paid
    (the first premium received before the start), an endorsement quoted."""
    agency = orgs[f"agency-{tenant.lower()}"]
    agent = authenticate(db, f"agent@{tenant.lower()}.jp", PASSWORD)
    admin = authenticate(db, "admin@example.jp", PASSWORD)
    company = create_company(db, agent, TENANTS[tenant])
    create_user(
        db,
        SYSTEM,
        organisation_id=company["organisation_id"],
        email=f"holder@{tenant.lower()}.jp",
        display_name=f"holder {tenant}",
        role="policyholder",
        password=PASSWORD,
    )
    # a submission with an open underwriting issue (no MFA)
    submission = create_submission(db, agent, company_id=company["id"], start_date=START)
    update_submission(db, agent, submission["id"], disclosure={**CLEAN_ANSWERS, "mfa": False})
    referred = quote_submission(db, agent, submission["id"], [PLAN_1])
    issue_id = next(i["id"] for i in referred["issues"] if i["rule_code"] == "no_mfa")
    # a clean submission, quoted, bound, issued and paid
    clean = create_submission(db, agent, company_id=company["id"], start_date=START)
    update_submission(db, agent, clean["id"], disclosure=CLEAN_ANSWERS)
    quote = quote_submission(db, agent, clean["id"], [PLAN_1])["quotes"][0]
    for kind, result in PREBIND_KINDS.items():
        record_prebind(db, agent, clean["id"], kind=kind, result=result)
    policy = bind_quote(db, agent, quote["id"], payment_plan="lump_sum", payment_method="invoice")
    issue_policy(db, agent, policy["id"])
    invoice = get_policy(db, admin, policy["id"])["invoices"][0]
    record_payment(db, admin, invoice["id"], amount=invoice["amount"])
    endorsement = quote_endorsement(
        db,
        agent,
        policy["id"],
        effective_date=START.replace(month=6),
        option={**PLAN_1, "limits": {"liability": 200_000_000, "response_costs": 50_000_000}},
    )
    return {
        "company_id": company["id"],
        "company_org": company["organisation_id"],
        "agency_id": agency,
        "submission_id": submission["id"],
        "clean_submission_id": clean["id"],
        "quote_id": quote["id"],
        "issue_id": issue_id,
        "policy_id": policy["id"],
        "invoice_id": invoice["id"],
        "transaction_id": endorsement["id"],
    }


def _case(
    db: Database, tenant: str, orgs: dict[str, int], side: dict[str, Any], partner: str
) -> dict[str, Any]:
    """The incident, its hearing, hand-over and dispatch, and the claim on it."""
    desk = authenticate(db, "desk@desk.jp", PASSWORD)
    # the incident: reported, heard (a deadline), handed over, a partner dispatched
    incident = report_incident(
        db,
        desk,
        {
            "summary": f"{TENANTS[tenant]['name']}：ランサムウェア"
            + ("（乙の社外秘）" if tenant == "B" else ""),
            "company_id": side["company_id"],
            "occurred_at": NIGHT_OF_THE_INCIDENT,
            "caller_contact": "03-9999-0002" if tenant == "B" else "03-1111-0001",
        },
    )
    heard = record_hearing(
        db,
        desk,
        incident["id"],
        {"aware_at": NIGHT_OF_THE_INCIDENT, "personal_data_count": 5_000},
    )
    hand_over(db, desk, incident["id"])
    dispatch = dispatch_partner(
        db, desk, incident["id"], partner_id=orgs[partner], service="investigation"
    )
    partner_user = authenticate(db, f"partner@{partner}.jp", PASSWORD)
    respond_dispatch(db, partner_user, dispatch["id"], accept=True)
    cost = submit_cost(
        db,
        partner_user,
        dispatch["id"],
        kind="estimate",
        description="フォレンジック調査",
        amount_ex_tax=1_000,
        tax_rate_percent=10,
        registration_number="T7000012050002",
    )
    # the claim, with an item, its reserve and a payment waiting for a second approver:
    # the victims claimed damages when the incident was reported (claims-made ①)
    clerk = authenticate(db, "claims-clerk@insurer.jp", PASSWORD)
    manager = authenticate(db, "claims@insurer.jp", PASSWORD)
    claim = open_claim(db, clerk, incident_id=incident["id"], claim_made_at=REPORTED)
    item = add_loss_item(
        db,
        clerk,
        claim["id"],
        coverage="liability",
        category="damages",
        description="損害賠償金",
        amount=DAMAGES,
    )["items"][0]
    # the clerk's authority (1 yen) is below the reserve: the manager sets it
    set_reserve(db, manager, claim["id"], coverage="liability", amount=DAMAGES, reason="見積り")
    payment = request_payment(
        db,
        clerk,
        claim["id"],
        idempotency_key=f"seed-{tenant}",
        coverage="liability",
        amount=PENDING,
        payee_kind="third_party",  # ① is paid to the victim (保険法22条)
        payee_name="被害者 / the victim",
    )
    assert payment["status"] == "pending_approval"
    return {
        "partner_org": orgs[partner],
        "incident_id": incident["id"],
        "deadline_id": heard["deadlines"][0]["id"],
        "dispatch_id": dispatch["id"],
        "cost_id": cost["id"],
        "claim_id": claim["id"],
        "item_id": item["id"],
        "payment_id": payment["id"],
    }
