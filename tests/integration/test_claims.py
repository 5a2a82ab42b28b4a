"""Claims: the page's leak example from items to payment, a payment above authority
needing a second approver, idempotent retries, and 20 concurrent payments on one policy
never passing its limits."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from cybercover.errors import ConflictError, ForbiddenError, InputError, NotFoundError
from cybercover.services.authz import SYSTEM, Actor
from cybercover.services.claims import (
    add_loss_item,
    adjudicate_claim,
    approve_payment,
    get_claim,
    open_claim,
    request_payment,
    set_reserve,
)
from cybercover.services.people import authenticate, create_user
from cybercover.services.uow import Database
from cybercover.storage.models import ClaimAdjudication, ClaimPayment
from cybercover.timeutil import JST
from tests.integration.api_helpers import PASSWORD
from tests.integration.conftest import FakeClock
from tests.integration.test_desk_api import seed


def get_policy_premium(db: Database, policy_id: int) -> int:
    from cybercover.storage.models import Policy

    with db.sessions() as session:
        policy = session.get(Policy, policy_id)
        assert policy is not None
        return policy.written_premium


ACCIDENT = datetime(2026, 9, 14, 9, 30, tzinfo=JST)
LATER = datetime(2027, 4, 2, 10, 0, tzinfo=JST)  # after every accident of this file


def travel(db: Database, to: datetime = LATER) -> None:
    """Move the test clock on: the policies are bound before their start (2 March 2026),
    the accidents happen and are reported later (an event is never in the future)."""
    assert isinstance(db.clock, FakeClock) and to >= db.clock()
    db.clock.now = to


def pay(
    db: Database,
    handler: Actor,
    claim_id: int,
    coverage: str,
    amount: int,
    key: str,
    *,
    reserve_by: Actor | None = None,
    payee_kind: str = "insured",
    head: str | None = None,
) -> dict[str, Any]:
    """Set the part's reserve to ``amount`` (by ``reserve_by``, whose authority allows it)
    and request a payment of ``amount`` of ``coverage``: liability to the victim (a third
    party), everything else to the insured."""
    set_reserve(
        db,
        reserve_by or handler,
        claim_id,
        coverage=coverage,
        amount=amount
        + sum(
            p["amount"]
            for p in get_claim(db, reserve_by or handler, claim_id)["payments"]
            if p["coverage"] == coverage and p["status"] in ("paid", "pending_approval")
        ),
        reason="見積りに合わせる / matches the estimate",
    )
    return request_payment(
        db,
        handler,
        claim_id,
        idempotency_key=key,
        coverage=coverage,
        amount=amount,
        payee_kind="third_party" if coverage == "liability" else payee_kind,
        payee_name="被害者 / the victim" if coverage == "liability" else "テスト製作所",
        head=head,
    )


LEAK_ITEMS = [  # examples/page-leak-gifts-lawsuit.json
    ("liability", "damages", 3_600_000),
    ("liability", "defence_costs", 2_500_000),
    ("response_costs", "forensics", 4_000_000),
    ("response_costs", "call_centre", 8_000_000),
    ("response_costs", "apology_gifts", 19_500_000),
    ("response_costs", "notices", 3_900_000),
    ("response_costs", "legal_advice", 1_000_000),
]


def handlers(db: Database) -> tuple[Actor, Actor]:
    create_user(
        db,
        SYSTEM,
        organisation_id=1,
        email="claims@insurer.jp",
        display_name="損害 花子",
        role="claims_handler",
        password=PASSWORD,
        payment_authority=10_000_000,
    )
    create_user(
        db,
        SYSTEM,
        organisation_id=1,
        email="manager@insurer.jp",
        display_name="課長",
        role="claims_handler",
        password=PASSWORD,
        payment_authority=50_000_000,
    )
    return authenticate(db, "claims@insurer.jp", PASSWORD), authenticate(
        db, "manager@insurer.jp", PASSWORD
    )


def test_the_page_leak_example_from_items_to_payment(db: Database) -> None:
    world = seed(db)
    handler, manager = handlers(db)
    travel(db)
    claim = open_claim(
        db,
        handler,
        policy_id=world["policy_id"],
        accident_at=ACCIDENT,
        claim_made_at=ACCIDENT + timedelta(days=6),  # the customers' first demand
    )
    for coverage, category, amount in LEAK_ITEMS:
        add_loss_item(
            db,
            handler,
            claim["id"],
            coverage=coverage,
            category=category,
            description=category,
            amount=amount,
            # ¥650 gifts to 30,000 customers: within the ¥1,000-per-person cap
            victims=30_000 if category == "apology_gifts" else None,
            consent=category == "apology_gifts",
        )
    sheet = adjudicate_claim(db, handler, claim["id"])
    # liability 6,100,000 − 100,000 deductible; response 36,400,000 − 100,000 → the 30,000,000 limit
    assert sheet["payable"] == {
        "liability": 6_000_000,
        "response_costs": 30_000_000,
        "profit_loss": 0,
        "continuation_costs": 0,
    }
    assert [
        (i["payable"], [(w["code"], w["amount"]) for w in i["withheld"]]) for i in sheet["items"]
    ][4:] == [
        (18_000_000, [("limit_per_accident", 1_500_000)]),
        (0, [("limit_per_accident", 3_900_000)]),
        (0, [("deductible", 100_000), ("limit_per_accident", 900_000)]),
    ]
    # ① 6,000,000 to the victim: within the handler's 10,000,000 authority, paid at once
    liability = pay(db, handler, claim["id"], "liability", 6_000_000, "leak-1")
    assert (liability["status"], liability["payee_kind"]) == ("paid", "third_party")
    # ② 30,000,000: its reserve is above the handler's authority (the manager sets it),
    # and 6,000,000 + 30,000,000 by the same handler is above 10,000,000: a second approver
    with pytest.raises(ForbiddenError):
        pay(db, handler, claim["id"], "response_costs", 30_000_000, "leak-2")
    payment = pay(
        db, handler, claim["id"], "response_costs", 30_000_000, "leak-2", reserve_by=manager
    )
    assert (payment["status"], payment["amount"]) == ("pending_approval", 30_000_000)
    with pytest.raises(ForbiddenError):
        approve_payment(db, handler, payment["id"])  # not the requester
    paid = approve_payment(db, manager, payment["id"])
    assert (paid["status"], paid["by_part"], paid["amount"]) == (
        "paid",
        {"response_costs": 30_000_000},
        30_000_000,  # exactly what was requested
    )
    # a retry with the same key returns the same payment; nothing more is due anyway
    again = request_payment(
        db,
        handler,
        claim["id"],
        idempotency_key="leak-2",
        coverage="response_costs",
        amount=30_000_000,
        payee_kind="insured",
        payee_name="テスト製作所",
    )
    assert (again["id"], again["repeated"]) == (payment["id"], True)
    with pytest.raises(InputError) as info:
        pay(db, handler, claim["id"], "response_costs", 1, "leak-3", reserve_by=manager)
    assert info.value.problems[0].rule == "above_due"
    with db.sessions() as session:
        payments = session.execute(select(ClaimPayment)).scalars().all()
        assert sorted((p.coverage, p.amount, p.status) for p in payments) == [
            ("liability", 6_000_000, "paid"),
            ("response_costs", 30_000_000, "paid"),
        ]
    assert get_claim(db, manager, claim["id"])["paid"] == {
        "liability": 6_000_000,
        "response_costs": 30_000_000,
    }


def test_twenty_concurrent_payments_never_pass_the_response_cost_limit(db: Database) -> None:
    world = seed(db)
    handler, manager = handlers(db)
    travel(db)
    claims = []
    for i in range(20):
        claim = open_claim(
            db, handler, policy_id=world["policy_id"], accident_at=ACCIDENT.replace(day=1 + i)
        )
        add_loss_item(
            db,
            handler,
            claim["id"],
            coverage="response_costs",
            category="forensics",
            description="調査",
            amount=5_000_000,
        )
        claims.append(claim["id"])

    for claim_id in claims:  # the manager reserves 4,900,000 on each
        set_reserve(
            db, manager, claim_id, coverage="response_costs", amount=4_900_000, reason="見積"
        )

    def pay_one(claim_id: int) -> dict[str, Any] | str:
        try:
            return request_payment(
                db,
                handler,
                claim_id,
                idempotency_key=f"c-{claim_id}",
                coverage="response_costs",
                amount=4_900_000,
                payee_kind="insured",
                payee_name="テスト製作所",
            )
        except (ConflictError, InputError) as exc:
            return exc.problems[0].rule if isinstance(exc, InputError) else exc.rule

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(pay_one, claims + claims))  # every request sent twice
    payments = {r["id"]: r["amount"] for r in results if isinstance(r, dict)}
    # each claim: 5,000,000 − 100,000 deductible = 4,900,000; the 30,000,000 response-cost
    # limit allows six in full (29,400,000); the seventh would pass it: 600,000 is due on
    # it, and a request for 4,900,000 is refused, whichever request comes first
    assert sorted(payments.values()) == [4_900_000] * 6
    assert all(r == "above_due" for r in results if isinstance(r, str))
    with db.sessions() as session:
        total = sum(
            p.amount
            for p in session.execute(select(ClaimPayment)).scalars()
            if p.status in ("paid", "pending_approval")
        )
        assert total == 29_400_000


def test_twelve_items_added_at_once_are_adjudicated_one_state_at_a_time(db: Database) -> None:
    """Each added item re-adjudicates the claim under the policy's lock: every stored
    worksheet shows the items committed before it plus its own, so the twelve worksheets
    hold 1, 2, … 12 items. (Found by bench/load.py: the items were read twice without
    the lock, and an item committed in between made a 500.)"""
    world = seed(db)
    handler, _ = handlers(db)
    travel(db)
    claim = open_claim(db, handler, policy_id=world["policy_id"], accident_at=ACCIDENT)

    def add(n: int) -> int:
        view = add_loss_item(
            db,
            handler,
            claim["id"],
            coverage="response_costs",
            category="forensics",
            description=f"調査 {n}",
            amount=1_000_000,
        )
        return int(view["id"])

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert set(pool.map(add, range(12))) == {claim["id"]}
    with db.sessions() as session:
        sheets = session.execute(
            select(ClaimAdjudication.worksheet).where(ClaimAdjudication.claim_id == claim["id"])
        ).scalars()
        assert sorted(len(sheet["items"]) for sheet in sheets) == list(range(1, 13))
    final = adjudicate_claim(db, handler, claim["id"])
    # 12 × 1,000,000 claimed, less the 100,000 deductible of response costs
    assert final["payable"] == {
        "liability": 0,
        "response_costs": 11_900_000,
        "profit_loss": 0,
        "continuation_costs": 0,
    }


def test_a_policyholder_reads_its_claim_and_others_do_not(db: Database) -> None:
    world = seed(db)
    handler, _ = handlers(db)
    travel(db)
    claim = open_claim(db, handler, policy_id=world["policy_id"], accident_at=ACCIDENT)
    holder = authenticate(db, "holder@test.jp", PASSWORD)
    assert get_claim(db, holder, claim["id"])["number"] == claim["number"]
    with pytest.raises(NotFoundError):
        get_claim(db, authenticate(db, "holder@other.jp", PASSWORD), claim["id"])
    with pytest.raises(ForbiddenError):
        add_loss_item(
            db, holder, claim["id"], coverage="liability", category="x", description="x", amount=1
        )


def test_a_ransom_payment_is_never_paid_and_says_why(db: Database) -> None:
    world = seed(db)
    handler, _ = handlers(db)
    travel(db)
    claim = open_claim(db, handler, policy_id=world["policy_id"], accident_at=ACCIDENT)
    add_loss_item(
        db,
        handler,
        claim["id"],
        coverage="response_costs",
        category="ransom",
        description="身代金 / ransom",
        amount=20_000_000,
    )
    add_loss_item(
        db,
        handler,
        claim["id"],
        coverage="response_costs",
        category="forensics",
        description="調査",
        amount=3_000_000,
    )
    sheet = adjudicate_claim(db, handler, claim["id"])
    ransom = next(i for i in sheet["items"] if i["category"] == "ransom")
    assert (ransom["payable"], ransom["withheld"][0]["code"]) == (0, "ransom_not_covered")
    assert (
        sheet["payable"]["response_costs"] == 3_000_000 - 100_000
    )  # the forensics, less the deductible


def test_a_liability_claim_from_an_act_before_the_retroactive_date_is_refused(db: Database) -> None:
    world = seed(db)
    handler, _ = handlers(db)
    travel(db)
    # the policy's 遡及日 is its first inception, 1 April 2026; the act was in March
    claim = open_claim(
        db,
        handler,
        policy_id=world["policy_id"],
        accident_at=ACCIDENT,
        act_at=datetime(2026, 3, 20, 12, tzinfo=JST),
        claim_made_at=ACCIDENT,
    )
    add_loss_item(
        db,
        handler,
        claim["id"],
        coverage="liability",
        category="damages",
        description="x",
        amount=2_000_000,
    )
    add_loss_item(
        db,
        handler,
        claim["id"],
        coverage="response_costs",
        category="forensics",
        description="x",
        amount=1_000_000,
    )
    sheet = adjudicate_claim(db, handler, claim["id"])
    assert [w["code"] for w in sheet["items"][0]["withheld"]] == ["before_retroactive_date"]
    # the costs are triggered by the accident found in the period: 1,000,000 − 100,000 deductible
    assert sheet["payable"] == {
        "liability": 0,
        "response_costs": 900_000,
        "profit_loss": 0,
        "continuation_costs": 0,
    }


def test_loss_of_profit_is_computed_and_kept_with_its_inputs(db: Database) -> None:
    from cybercover.services.claims import add_profit_loss_item

    world = seed(db)
    handler, _ = handlers(db)
    travel(db)
    claim = open_claim(
        db, handler, policy_id=world["policy_id"], accident_at=ACCIDENT, outage_hours=30
    )
    inputs = {
        "standard_revenue": 12_000_000,
        "trend_factor": "1.05",
        "actual_revenue": 4_000_000,
        "operating_profit": 30_000_000,
        "insured_fixed_costs": 50_000_000,
        "annual_revenue": 200_000_000,
        "fixed_costs_saved": 200_000,
        "mitigation_costs": 500_000,
        "shortfall_avoided": 1_000_000,
        "indemnity_period": {"start": "2026-09-14", "end": "2026-10-13", "max_days": 90},
    }
    view = add_profit_loss_item(db, handler, claim["id"], inputs)
    # 12,000,000 × 1.05 − 4,000,000 = 8,600,000; × 0.4 = 3,440,000; − 200,000 = 3,240,000;
    # mitigation min(500,000, 1,000,000 × 0.4) = 400,000 → 3,640,000
    (item,) = view["items"]
    assert (item["coverage"], item["amount"]) == ("profit_loss", 3_640_000)
    sheet = adjudicate_claim(db, handler, claim["id"])
    # plan ① has no business-interruption option: nothing is payable, and the sheet says why
    assert sheet["items"][0]["withheld"][0]["code"] == "not_bought"


def test_claims_made_foreign_judgement_grounds_clocks_and_recovery(db: Database) -> None:
    from cybercover.services.claims import complete_documents, record_recovery

    world = seed(db)
    handler, _ = handlers(db)
    travel(db)
    with pytest.raises(InputError) as info:  # an exclusion finding needs written grounds
        open_claim(
            db, handler, policy_id=world["policy_id"], accident_at=ACCIDENT, causes=["criminal"]
        )
    assert info.value.problems[0].path == "grounds"
    # a claim for damages first made after the period ends is refused (claims-made)
    late = open_claim(
        db,
        handler,
        policy_id=world["policy_id"],
        accident_at=ACCIDENT,
        claim_made_at=datetime(2027, 4, 1, 9, tzinfo=JST),
    )
    add_loss_item(
        db, handler, late["id"], coverage="liability", category="damages", description="x", amount=1
    )
    assert (
        adjudicate_claim(db, handler, late["id"])["items"][0]["withheld"][0]["code"]
        == "claim_not_made_in_period"
    )
    # a US judgement: 12,345.67 USD × 151.23 = 1,864,196.17 + 2,839.5041 = 1,867,035.6741 → 1,867,035 yen
    claim = open_claim(
        db,
        handler,
        policy_id=world["policy_id"],
        accident_at=ACCIDENT,
        claim_made_at=datetime(2026, 10, 1, 9, tzinfo=JST),
    )
    view = add_loss_item(
        db,
        handler,
        claim["id"],
        coverage="liability",
        category="lawsuit_abroad",
        description="US judgement",
        fx={"currency": "usd", "amount": "12345.67", "rate": "151.23", "rate_date": "2026-10-01"},
    )
    assert view["items"][0]["amount"] == 1_867_035
    assert view["items"][0]["details"]["fx"]["currency"] == "USD"
    # limitation: three years from the accident (保険法95条); payment due 30 days after the documents
    assert view["limitation_on"] == "2029-09-14" and view["payment_due_on"] is None
    completed = complete_documents(db, handler, claim["id"])
    assert completed["payment_due_on"] == "2027-05-02"  # the clock stands at 2 April 2027 JST
    payment = pay(db, handler, claim["id"], "liability", 1_867_035 - 100_000, "usd")
    assert payment["amount"] == 1_767_035  # 1,867,035 less the 100,000 liability deductible
    with pytest.raises(InputError):  # more than was paid
        record_recovery(db, handler, claim["id"], amount=2_000_000, from_party="委託先")
    after = record_recovery(
        db, handler, claim["id"], amount=500_000, from_party="委託先 / the vendor at fault"
    )
    assert after["recovered"] == 500_000


BI_OPTION = {
    "label": "BI",
    "limits": {
        "liability": 30_000_000,
        "response_costs": 10_000_000,
        "profit_loss": 20_000_000,
        "continuation_costs": 10_000_000,
        "business_interruption": 20_000_000,
    },
    "business_interruption": True,
    "waiting_period": {"hours": 3, "mode": "qualifying"},
}


def test_the_shared_limit_then_the_aggregate_across_two_claims(db: Database) -> None:
    """examples/shared-limit-then-aggregate.json, as two claims on one policy."""
    seed(db)
    handler, manager = handlers(db)
    policy = bi_policy(db, "2000012010019", BI_OPTION)
    travel(db)

    ransom = open_claim(
        db,
        handler,
        policy_id=policy["id"],
        accident_at=datetime(2026, 5, 10, 23, 40, tzinfo=JST),
        outage_hours=48,
    )
    for coverage, amount in [
        ("profit_loss", 15_000_000),
        ("continuation_costs", 8_000_000),
        ("response_costs", 6_000_000),
    ]:
        add_loss_item(
            db,
            handler,
            ransom["id"],
            coverage=coverage,
            category="x",
            description="x",
            amount=amount,
        )
    sheet = adjudicate_claim(db, handler, ransom["id"])
    # the shared limit of 20,000,000: 15,000,000 to profit, 5,000,000 left for continuation
    assert sheet["outstanding"] == {
        "liability": 0,
        "response_costs": 6_000_000,
        "profit_loss": 15_000_000,
        "continuation_costs": 5_000_000,
    }
    for part, amount in sheet["outstanding"].items():
        if amount:
            payment = pay(db, handler, ransom["id"], part, amount, f"r-{part}", reserve_by=manager)
            if payment["status"] == "pending_approval":  # the handler's total passed 10,000,000
                approve_payment(db, manager, payment["id"])
    assert get_claim(db, manager, ransom["id"])["paid"] == {
        "response_costs": 6_000_000,
        "profit_loss": 15_000_000,
        "continuation_costs": 5_000_000,
    }

    leak = open_claim(
        db,
        handler,
        policy_id=policy["id"],
        accident_at=datetime(2026, 11, 2, 11, tzinfo=JST),
        claim_made_at=datetime(2026, 11, 2, 11, tzinfo=JST),
    )
    add_loss_item(
        db,
        handler,
        leak["id"],
        coverage="liability",
        category="x",
        description="x",
        amount=9_000_000,
    )
    add_loss_item(
        db,
        handler,
        leak["id"],
        coverage="response_costs",
        category="x",
        description="x",
        amount=2_000_000,
    )
    sheet = adjudicate_claim(db, handler, leak["id"])
    # the aggregate (= liability 30,000,000) has 4,000,000 left: liability takes it all
    assert sheet["payable"] == {
        "liability": 4_000_000,
        "response_costs": 0,
        "profit_loss": 0,
        "continuation_costs": 0,
    }
    assert [w["code"] for w in sheet["items"][1]["withheld"]] == ["aggregate"]
    assert sheet["remaining_limits"]["aggregate"] == 0
    assert pay(db, handler, leak["id"], "liability", 4_000_000, "l")["amount"] == 4_000_000


def test_cost_heads_apply_to_claims_too(db: Database) -> None:
    world = seed(db)
    handler, _ = handlers(db)
    travel(db)
    claim = open_claim(db, handler, policy_id=world["policy_id"], accident_at=ACCIDENT)
    add_loss_item(
        db,
        handler,
        claim["id"],
        coverage="response_costs",
        category="apology_gifts",
        description="見舞品 650円 × 30,000人",
        amount=19_500_000,
        victims=15_000,
        consent=True,
    )
    sheet = adjudicate_claim(db, handler, claim["id"])
    # cap ¥1,000 × 15,000 people = 15,000,000; less the 100,000 deductible = 14,900,000
    assert sheet["payable"]["response_costs"] == 14_900_000
    assert [w["code"] for w in sheet["items"][0]["withheld"]] == [
        "cost_head_victim_cap",
        "deductible",
    ]


def bi_policy(
    db: Database, corporate_number: str, option: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A policy of ``option`` (by default plan ② + BI, 6 h qualifying, 100,000 deductibles)
    for a second company of the lac agency."""
    from cybercover.services.billing import record_payment
    from cybercover.services.companies import create_company
    from cybercover.services.policies import PREBIND_KINDS, bind_quote, get_policy, issue_policy
    from cybercover.services.submissions import (
        create_submission,
        quote_submission,
        record_prebind,
        update_submission,
    )
    from tests.factories import CLEAN_ANSWERS
    from tests.integration.seed import START_DATE
    from tests.integration.test_lifecycle_api import COMPANY, PLAN_2_BI

    agent = authenticate(db, "agent@lac.jp", PASSWORD)
    company = create_company(
        db,
        agent,
        {
            **COMPANY,
            "corporate_number": corporate_number,
            "name": "停止株式会社",
            "agency_codes": ["lac"],
        },
    )
    sid = create_submission(db, agent, company_id=company["id"], start_date=START_DATE)["id"]
    update_submission(db, agent, sid, disclosure=CLEAN_ANSWERS)
    option = option or {
        **PLAN_2_BI,
        "waiting_period": {"hours": 6, "mode": "qualifying"},
        "deductibles": {
            "liability": 100_000,
            "response_costs": 100_000,
            "profit_loss": 100_000,
            "continuation_costs": 100_000,
        },
    }
    quote = quote_submission(db, agent, sid, [option])["quotes"][0]
    for kind, result in PREBIND_KINDS.items():
        record_prebind(db, agent, sid, kind=kind, result=result)
    issued = issue_policy(
        db,
        agent,
        bind_quote(db, agent, quote["id"], payment_plan="lump_sum", payment_method="invoice")["id"],
    )
    admin = authenticate(db, "admin@example.jp", PASSWORD)
    invoice = get_policy(db, admin, issued["id"])["invoices"][0]
    record_payment(db, admin, invoice["id"], amount=invoice["amount"])  # before the start
    return issued


def test_the_page_server_down_and_short_outage_examples_from_claim_to_payment(db: Database) -> None:
    """examples/page-server-down.json and page-inventory-short-outages.json as claims."""
    seed(db)
    handler, _ = handlers(db)
    policy = bi_policy(db, "2000012010019")
    travel(db)
    down = open_claim(
        db,
        handler,
        policy_id=policy["id"],
        accident_at=datetime(2026, 10, 5, 2, 10, tzinfo=JST),
        claim_made_at=datetime(2026, 10, 6, 9, tzinfo=JST),
        outages=[
            (datetime(2026, 10, 5, 2, 10, tzinfo=JST), datetime(2026, 10, 6, 8, 10, tzinfo=JST))
        ],
    )
    assert down["outage_hours"] == "30"
    for coverage, amount in [
        ("liability", 5_000_000),
        ("response_costs", 3_500_000),
        ("profit_loss", 12_000_000),
        ("continuation_costs", 3_000_000),
    ]:
        add_loss_item(
            db, handler, down["id"], coverage=coverage, category="x", description="x", amount=amount
        )
    # 30 h > 6 h: everything from the first hour, less 100,000 per part (23,100,000 in all)
    assert adjudicate_claim(db, handler, down["id"])["payable"] == {
        "liability": 4_900_000,
        "response_costs": 3_400_000,
        "profit_loss": 11_900_000,
        "continuation_costs": 2_900_000,
    }
    # the inventory defect: two separate 2-hour outages, each under the waiting period
    short = open_claim(
        db,
        handler,
        policy_id=policy["id"],
        accident_at=datetime(2026, 7, 21, 14, tzinfo=JST),
        outages=[
            (datetime(2026, 7, 21, 14, tzinfo=JST), datetime(2026, 7, 21, 16, tzinfo=JST)),
            (datetime(2026, 7, 22, 9, tzinfo=JST), datetime(2026, 7, 22, 11, tzinfo=JST)),
        ],
    )
    view = add_loss_item(
        db,
        handler,
        short["id"],
        coverage="profit_loss",
        category="x",
        description="x",
        amount=800_000,
    )
    assert view["outage_hours"] == "2"
    sheet = adjudicate_claim(db, handler, short["id"])
    assert sheet["payable"]["profit_loss"] == 0
    assert sheet["items"][0]["withheld"][0]["code"] == "waiting_period_not_met"


def test_from_incident_to_payment_the_partner_invoice_becomes_a_loss_item(db: Database) -> None:
    """PRODUCT.md §2 (the My Number suspected leak): the desk hands over, the forensics
    partner's invoice is approved, the claim opened from the incident pays it."""
    from cybercover.services.dispatch import (
        decide_cost,
        dispatch_partner,
        hand_over,
        respond_dispatch,
        submit_cost,
    )
    from cybercover.services.incidents import report_incident

    world = seed(db)
    handler, _ = handlers(db)
    travel(db)
    desk = authenticate(db, "desk@desk.jp", PASSWORD)
    incident = report_incident(
        db,
        desk,
        {
            "summary": "マイナンバー流出の可能性 / My Number may have leaked",
            "company_id": world["company"]["id"],
            "occurred_at": "2026-08-03T08:15:00+09:00",
        },
    )
    hand_over(db, desk, incident["id"])
    dispatch = dispatch_partner(
        db, desk, incident["id"], partner_id=world["partners"]["forensics"], service="investigation"
    )
    partner = authenticate(db, "forensics@partner.jp", PASSWORD)
    respond_dispatch(db, partner, dispatch["id"], accept=True)
    invoice = submit_cost(
        db,
        partner,
        dispatch["id"],
        kind="invoice",
        description="フォレンジック調査",
        amount_ex_tax=3_500_000,
        tax_rate_percent=10,
        registration_number="T7000012050002",
    )
    assert decide_cost(db, desk, invoice["id"], approve=True)["status"] == "approved"
    claim = open_claim(db, handler, incident_id=incident["id"])
    (item,) = claim["items"]
    # 3,500,000 + 10 % tax = 3,850,000, as a response-cost loss item from the partner
    assert (item["coverage"], item["amount"], item["category"]) == (
        "response_costs",
        3_850_000,
        "partner:investigation",
    )
    # to the partner firm, on its head: 3,850,000 − 100,000 deductible, within authority
    set_reserve(
        db, handler, claim["id"], coverage="response_costs", amount=3_750_000, reason="請求書"
    )
    paid = request_payment(
        db,
        handler,
        claim["id"],
        idempotency_key="mynum",
        coverage="response_costs",
        head="partner:investigation",
        amount=3_750_000,
        payee_kind="partner",
        payee_organisation_id=world["partners"]["forensics"],
    )
    assert (paid["status"], paid["amount"], paid["payee_name"]) == (
        "paid",
        3_750_000,
        "forensics 株式会社",
    )
    # once paid, the invoice is no longer a commitment as well: the period's ② shows
    # 3,750,000 paid and nothing more committed
    from cybercover.services.claims import limits_left

    part = next(
        p
        for p in limits_left(db, handler, world["policy_id"])["parts"]
        if p["code"] == "response_costs"
    )
    assert (part["paid"], part["committed"]) == (3_750_000, 100_000)


def test_documents_are_attached_with_their_hash_and_bad_files_refused(db: Database) -> None:
    import hashlib

    from cybercover.services.claims import attach_document

    world = seed(db)
    handler, _ = handlers(db)
    travel(db)
    claim = open_claim(db, handler, policy_id=world["policy_id"], accident_at=ACCIDENT)
    pdf = b"%PDF-1.7 claim form"
    doc = attach_document(
        db,
        handler,
        claim["id"],
        filename="../secret/請求書.pdf",
        content_type="application/pdf",
        data=pdf,
        max_bytes=1_000,
    )
    assert (doc["filename"], doc["sha256"]) == ("請求書.pdf", hashlib.sha256(pdf).hexdigest())
    with pytest.raises(InputError):
        attach_document(
            db,
            handler,
            claim["id"],
            filename="x.exe",
            content_type="application/x-msdownload",
            data=b"MZ",
            max_bytes=1_000,
        )


def test_apology_gifts_without_the_insurers_prior_consent_are_not_paid(db: Database) -> None:
    world = seed(db)
    handler, _ = handlers(db)
    travel(db)
    claim = open_claim(db, handler, policy_id=world["policy_id"], accident_at=ACCIDENT)
    add_loss_item(
        db,
        handler,
        claim["id"],
        coverage="response_costs",
        category="apology_gifts",
        description="見舞品",
        amount=650_000,
        victims=1_000,
    )
    sheet = adjudicate_claim(db, handler, claim["id"])
    assert sheet["items"][0]["withheld"][0]["code"] == "consent_required"
    assert sheet["payable"]["response_costs"] == 0
