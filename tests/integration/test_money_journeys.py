"""Money integrity across the lifecycle (issue #17): journeys through the parts —
bind → endorse → incident → claim → payment → correction → reversal — with every
figure worked out by hand in the test.

The clock starts on 2 March 2026 (10:00 JST); policies start on 1 April 2026 and are
bound before it, then the story moves the clock on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from cybercover.errors import ConflictError, ForbiddenError, InputError
from cybercover.services.authz import SYSTEM, Actor
from cybercover.services.billing import lapse_overdue, record_payment
from cybercover.services.claims import (
    add_loss_item,
    adjudicate_claim,
    approve_payment,
    correct_loss_item,
    get_claim,
    limits_left,
    open_claim,
    request_payment,
    set_reserve,
    undo_payment,
)
from cybercover.services.dispatch import (
    decide_cost,
    dispatch_partner,
    hand_over,
    respond_dispatch,
    submit_cost,
)
from cybercover.services.endorsements import apply_endorsement, quote_endorsement
from cybercover.services.incidents import report_incident
from cybercover.services.people import authenticate, create_user
from cybercover.services.policies import (
    PREBIND_KINDS,
    bind_quote,
    cancel_policy,
    get_policy,
    issue_policy,
    reinstate_policy,
)
from cybercover.services.reports import claims_register
from cybercover.services.submissions import (
    create_submission,
    quote_submission,
    record_prebind,
    update_submission,
)
from cybercover.services.terms_versions import terms_at
from cybercover.services.uow import Database
from cybercover.storage.models import AuditRecord
from cybercover.timeutil import JST
from tests.factories import CLEAN_ANSWERS
from tests.integration.api_helpers import PASSWORD
from tests.integration.conftest import AppFactory, FakeClock
from tests.integration.seed import START_DATE
from tests.integration.test_desk_api import seed
from tests.integration.test_lifecycle_api import COMPANY, PLAN_1


def jst(y: int, m: int, d: int, h: int = 10, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=JST)


def travel(db: Database, to: datetime) -> None:
    assert isinstance(db.clock, FakeClock) and to >= db.clock()
    db.clock.now = to


def people(db: Database) -> dict[str, Actor]:
    """Three claims handlers (authority 10M, 50M, 200M), the agent, the admin, the desk."""
    for email, authority in [
        ("claims@insurer.jp", 10_000_000),
        ("manager@insurer.jp", 50_000_000),
        ("director@insurer.jp", 200_000_000),
    ]:
        create_user(
            db,
            SYSTEM,
            organisation_id=1,
            email=email,
            display_name=email,
            role="claims_handler",
            password=PASSWORD,
            payment_authority=authority,
        )
    return {
        "handler": authenticate(db, "claims@insurer.jp", PASSWORD),
        "manager": authenticate(db, "manager@insurer.jp", PASSWORD),
        "director": authenticate(db, "director@insurer.jp", PASSWORD),
        "agent": authenticate(db, "agent@lac.jp", PASSWORD),
        "admin": authenticate(db, "admin@example.jp", PASSWORD),
        "desk": authenticate(db, "desk@desk.jp", PASSWORD),
    }


def new_policy(
    db: Database,
    who: dict[str, Actor],
    corporate_number: str,
    *,
    plan: str = "lump_sum",
    method: str = "invoice",
    pay_first: bool = True,
) -> dict[str, Any]:
    """Plan ① (① 100M, ② 30M, 100,000 deductibles) for a new company, issued on the
    clock's day (before the 1 April 2026 start), its first instalment received then."""
    agent, admin = who["agent"], who["admin"]
    company = _company(db, agent, corporate_number)
    sid = create_submission(db, agent, company_id=company["id"], start_date=START_DATE)["id"]
    update_submission(db, agent, sid, disclosure=CLEAN_ANSWERS)
    quote = quote_submission(db, agent, sid, [PLAN_1])["quotes"][0]
    for kind, result in PREBIND_KINDS.items():
        record_prebind(db, agent, sid, kind=kind, result=result)
    policy = issue_policy(
        db,
        agent,
        bind_quote(db, agent, quote["id"], payment_plan=plan, payment_method=method)["id"],
    )
    if pay_first:
        first = get_policy(db, admin, policy["id"])["invoices"][0]
        record_payment(db, admin, first["id"], amount=first["amount"])
    return {**policy, "company_id": company["id"]}


def _company(db: Database, agent: Actor, corporate_number: str) -> dict[str, Any]:
    from cybercover.services.companies import create_company

    return create_company(
        db,
        agent,
        {**COMPANY, "corporate_number": corporate_number, "name": f"会社{corporate_number[-4:]}"},
    )


def pay(
    db: Database,
    actor: Actor,
    claim_id: int,
    coverage: str,
    amount: int,
    key: str,
    **payee: Any,
) -> dict[str, Any]:
    payee = payee or (
        {"payee_kind": "third_party", "payee_name": "被害者"}
        if coverage == "liability"
        else {"payee_kind": "insured", "payee_name": "被保険者"}
    )
    return request_payment(
        db, actor, claim_id, idempotency_key=key, coverage=coverage, amount=amount, **payee
    )


def item(db: Database, actor: Actor, claim_id: int, coverage: str, amount: int, **kw: Any) -> None:
    add_loss_item(
        db,
        actor,
        claim_id,
        coverage=coverage,
        category=kw.pop("category", "damages" if coverage == "liability" else "forensics"),
        description="x",
        amount=amount,
        **kw,
    )


# -- rule 1: terms in force at the time ---------------------------------------------------


def test_an_accident_before_an_endorsement_is_paid_within_the_old_limit_less_the_erosion(
    db: Database, make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    seed(db)
    who = people(db)
    director = who["director"]
    policy = new_policy(db, who, "2000012010019")
    # claim A, made on 1 May: ① 60,000,000 less the 100,000 deductible = 59,900,000, paid
    travel(db, jst(2026, 5, 2))
    a = open_claim(
        db,
        director,
        policy_id=policy["id"],
        accident_at=jst(2026, 5, 1),
        claim_made_at=jst(2026, 5, 1, 12),
    )
    item(db, director, a["id"], "liability", 60_000_000)
    set_reserve(db, director, a["id"], coverage="liability", amount=59_900_000, reason="判決")
    assert pay(db, director, a["id"], "liability", 59_900_000, "a")["status"] == "paid"
    # day 200 (18 October 2026): ① raised to 200,000,000 (the aggregate follows ①)
    travel(db, jst(2026, 10, 20))
    endorsement = quote_endorsement(
        db,
        who["agent"],
        policy["id"],
        effective_date=datetime(2026, 10, 18).date(),
        option={**PLAN_1, "limits": {"liability": 200_000_000, "response_costs": 30_000_000}},
    )
    apply_endorsement(db, who["agent"], endorsement["id"])
    # claim B, first made on 1 September (before the endorsement): version 1, ① 100,000,000
    # per accident and period, of which the period has eroded 59,900,000 → 40,100,000 left
    # (the aggregate, = ① of version 1, likewise); 80,000,000 − 100,000 is cut to 40,100,000
    b = open_claim(
        db,
        director,
        policy_id=policy["id"],
        accident_at=jst(2026, 8, 30),
        claim_made_at=jst(2026, 9, 1),
    )
    item(db, director, b["id"], "liability", 80_000_000)
    sheet_b = adjudicate_claim(db, director, b["id"])
    assert sheet_b["payable"]["liability"] == 40_100_000
    assert sheet_b["terms_versions"] == [1]
    assert {k: datetime.fromisoformat(v) for k, v in sheet_b["triggers"].items()} == {
        "liability": jst(2026, 9, 1)
    }
    set_reserve(db, director, b["id"], coverage="liability", amount=40_100_000, reason="残額")
    pay(db, director, b["id"], "liability", 40_100_000, "b")
    # claim C, first made on 1 November: version 2, ① 200,000,000; the period has eroded
    # 59,900,000 + 40,100,000 = 100,000,000 → 100,000,000 left: 80,000,000 − 100,000 paid
    travel(db, jst(2026, 11, 2))
    c = open_claim(
        db,
        director,
        policy_id=policy["id"],
        accident_at=jst(2026, 10, 30),
        claim_made_at=jst(2026, 11, 1),
    )
    item(db, director, c["id"], "liability", 80_000_000)
    sheet_c = adjudicate_claim(db, director, c["id"])
    assert (sheet_c["payable"]["liability"], sheet_c["terms_versions"]) == (79_900_000, [2])
    # the API answers which terms were in force
    version_then = terms_at(db, director, policy["id"], jst(2026, 9, 1))
    assert version_then["version"]["number"] == 1
    assert version_then["version"]["terms"]["limits"]["liability"] == 100_000_000
    app = make_app_for_test()
    from fastapi.testclient import TestClient

    from tests.integration.api_helpers import bearer

    client = TestClient(app)
    headers = bearer(client, "agent@lac.jp")
    at_day_200 = client.get(
        f"/api/v1/policies/{policy['id']}/terms",
        params={"at": "2026-10-18T00:00:00+09:00"},
        headers=headers,
    )
    assert at_day_200.status_code == 200
    assert at_day_200.json()["version"]["number"] == 2
    assert at_day_200.json()["version"]["terms"]["limits"]["liability"] == 200_000_000
    day_before = client.get(
        f"/api/v1/policies/{policy['id']}/terms",
        params={"at": "2026-10-17T23:59:59+09:00"},
        headers=headers,
    ).json()
    assert day_before["version"]["number"] == 1
    history = client.get(f"/api/v1/policies/{policy['id']}/terms", headers=headers).json()
    assert [(v["number"], v["effective_from"][:10]) for v in history["versions"]] == [
        (1, "2026-03-31"),  # 00:00 JST on 1 April is 15:00 UTC on 31 March
        (2, "2026-10-17"),
    ]
    naive = client.get(
        f"/api/v1/policies/{policy['id']}/terms",
        params={"at": "2026-10-18T00:00:00"},
        headers=headers,
    )
    assert naive.status_code == 422
    # another company's policyholder does not reach it
    other = client.get(
        f"/api/v1/policies/{policy['id']}/terms", headers=bearer(client, "holder@other.jp")
    )
    assert other.status_code == 404


def test_a_lapse_gap_is_covered_neither_at_the_desk_nor_by_a_claim(db: Database) -> None:
    seed(db)
    who = people(db)
    # monthly plan: 12 instalments, the first (due 1 April) received on 2 March; the
    # second falls due on 1 May and is not paid
    policy = new_policy(db, who, "2000012010019", plan="monthly")
    # the grace period is 30 days: unpaid after 31 May, the policy lapses on 1 June
    travel(db, jst(2026, 6, 1, 3))
    assert lapse_overdue(db, SYSTEM) == [policy["number"]]
    travel(db, jst(2026, 6, 20, 10))
    second = get_policy(db, who["admin"], policy["id"])["invoices"][1]
    record_payment(db, who["admin"], second["id"], amount=second["amount"])
    reinstate_policy(db, who["agent"], policy["id"], reason="未収保険料の入金")
    travel(db, jst(2026, 6, 21, 9))
    # an incident on 10 June, in the gap: the desk says not insured …
    gap = report_incident(
        db,
        who["desk"],
        {
            "summary": "停止",
            "company_id": policy["company_id"],
            "occurred_at": jst(2026, 6, 10).isoformat(),
        },
    )
    assert gap["insured"] is False
    assert gap["coverage"]["reason"] == "lapse_gap"
    # … and so does a claim: its costs are withheld, with the clause
    handler = who["handler"]
    claim = open_claim(db, handler, policy_id=policy["id"], accident_at=jst(2026, 6, 10))
    item(db, handler, claim["id"], "response_costs", 1_000_000)
    sheet = adjudicate_claim(db, handler, claim["id"])
    assert sheet["payable"]["response_costs"] == 0
    assert sheet["items"][0]["withheld"][0]["code"] == "not_in_force"
    # after the reinstatement (20 June 10:00) it is covered again: 1,000,000 − 100,000
    after = open_claim(db, handler, policy_id=policy["id"], accident_at=jst(2026, 6, 20, 11))
    item(db, handler, after["id"], "response_costs", 1_000_000)
    assert adjudicate_claim(db, handler, after["id"])["payable"]["response_costs"] == 900_000
    # before the lapse (1 June 03:00) it was covered
    before = report_incident(
        db,
        who["desk"],
        {
            "summary": "前",
            "company_id": policy["company_id"],
            "occurred_at": jst(2026, 5, 31).isoformat(),
        },
    )
    assert before["insured"] is True


# -- rule 2: cover before money -----------------------------------------------------------


def test_a_cancelled_policy_pays_nothing_after_its_end_as_the_desk_says(db: Database) -> None:
    seed(db)
    who = people(db)
    policy = new_policy(db, who, "2000012010019")
    travel(db, jst(2026, 7, 25))
    cancel_policy(
        db,
        who["agent"],
        policy["id"],
        effective_date=datetime(2026, 8, 1).date(),
        by="insured",
        reason="廃業",
    )
    travel(db, jst(2026, 8, 6))
    desk = report_incident(
        db,
        who["desk"],
        {
            "summary": "解約後",
            "company_id": policy["company_id"],
            "occurred_at": jst(2026, 8, 5).isoformat(),
        },
    )
    assert desk["insured"] is False
    handler = who["handler"]
    late = open_claim(db, handler, policy_id=policy["id"], accident_at=jst(2026, 8, 5))
    item(db, handler, late["id"], "response_costs", 2_000_000)
    sheet = adjudicate_claim(db, handler, late["id"])
    assert (sheet["payable"]["response_costs"], sheet["items"][0]["withheld"][0]["code"]) == (
        0,
        "not_in_force",
    )
    set_reserve(db, handler, late["id"], coverage="response_costs", amount=1_900_000, reason="x")
    with pytest.raises(InputError) as refused:
        pay(db, handler, late["id"], "response_costs", 1_900_000, "late")
    assert refused.value.problems[0].rule == "above_due"  # nothing is due: 0 yen
    # an accident on 31 July, the last day, is covered: 2,000,000 − 100,000
    last = open_claim(db, handler, policy_id=policy["id"], accident_at=jst(2026, 7, 31, 23, 59))
    item(db, handler, last["id"], "response_costs", 2_000_000)
    assert adjudicate_claim(db, handler, last["id"])["payable"]["response_costs"] == 1_900_000


def test_the_premium_condition_follows_the_payment_plan(db: Database) -> None:
    seed(db)
    who = people(db)
    handler, admin = who["handler"], who["admin"]
    # invoiced, due on 1 April, never paid: an accident on 10 April is 保険料領収前の事故
    unpaid = new_policy(db, who, "2000012010019", pay_first=False)
    # direct debit: the first debit falls due 27 days after the start, on 28 April
    debit = new_policy(db, who, "3000012010018", method="direct_debit", pay_first=False)
    invoice = get_policy(db, admin, debit["id"])["invoices"][0]
    assert invoice["due_date"] == "2026-04-28"
    travel(db, jst(2026, 4, 15))
    refused = open_claim(db, handler, policy_id=unpaid["id"], accident_at=jst(2026, 4, 10))
    item(db, handler, refused["id"], "response_costs", 1_000_000)
    sheet = adjudicate_claim(db, handler, refused["id"])
    assert (sheet["payable"]["response_costs"], sheet["items"][0]["withheld"][0]["code"]) == (
        0,
        "premium_not_received",
    )
    # the direct debit: covered, the payment held until the premium arrives
    held = open_claim(db, handler, policy_id=debit["id"], accident_at=jst(2026, 4, 10))
    item(db, handler, held["id"], "response_costs", 1_000_000)
    sheet = adjudicate_claim(db, handler, held["id"])
    assert sheet["payable"]["response_costs"] == 900_000 and "response_costs" in sheet["held"]
    set_reserve(db, handler, held["id"], coverage="response_costs", amount=900_000, reason="x")
    with pytest.raises(ConflictError) as info:
        pay(db, handler, held["id"], "response_costs", 900_000, "held")
    assert info.value.rule == "premium_pending"
    # the bank debits it on 28 April: the same payment goes through
    travel(db, jst(2026, 4, 28, 12))
    record_payment(db, admin, invoice["id"], amount=invoice["amount"])
    assert pay(db, handler, held["id"], "response_costs", 900_000, "held")["status"] == "paid"


def test_dates_in_the_future_or_after_the_notice_are_refused_at_the_desk_and_the_claim(
    db: Database,
) -> None:
    seed(db)
    who = people(db)
    policy = new_policy(db, who, "2000012010019")
    travel(db, jst(2026, 6, 1))
    with pytest.raises(InputError) as desk:
        report_incident(
            db,
            who["desk"],
            {
                "summary": "未来",
                "company_id": policy["company_id"],
                "occurred_at": jst(2026, 6, 2).isoformat(),
            },
        )
    assert (desk.value.problems[0].path, desk.value.problems[0].rule) == (
        "occurred_at",
        "not_in_future",
    )
    handler = who["handler"]
    with pytest.raises(InputError) as future:
        open_claim(db, handler, policy_id=policy["id"], accident_at=jst(2026, 6, 1, 11))
    assert (future.value.problems[0].path, future.value.problems[0].rule) == (
        "accident_at",
        "not_in_future",
    )
    with pytest.raises(InputError) as made:
        open_claim(
            db,
            handler,
            policy_id=policy["id"],
            accident_at=jst(2026, 5, 1),
            claim_made_at=jst(2026, 7, 1),
        )
    assert made.value.problems[0].path == "claim_made_at"
    # a liability item needs the third party's claim date; given with the item, it is kept
    claim = open_claim(db, handler, policy_id=policy["id"], accident_at=jst(2026, 5, 1))
    assert datetime.fromisoformat(claim["notified_at"]) == jst(2026, 6, 1)  # by the server
    with pytest.raises(InputError) as needed:
        item(db, handler, claim["id"], "liability", 1_000_000)
    assert (needed.value.problems[0].path, needed.value.problems[0].rule) == (
        "claim_made_at",
        "required_for_liability",
    )
    item(db, handler, claim["id"], "liability", 1_000_000, claim_made_at=jst(2026, 5, 20))
    made_at = get_claim(db, handler, claim["id"])["claim_made_at"]
    assert datetime.fromisoformat(made_at) == jst(2026, 5, 20)
    with db.sessions() as session:
        assert (
            session.execute(select(AuditRecord).where(AuditRecord.action == "claim.dates"))
            .scalars()
            .first()
            is not None
        )


# -- rule 4: one ledger -------------------------------------------------------------------


def _dispatched(
    db: Database, who: dict[str, Actor], company_id: int, partner: int
) -> tuple[int, int]:
    incident = report_incident(
        db,
        who["desk"],
        {"summary": "侵害", "company_id": company_id, "occurred_at": jst(2026, 5, 1).isoformat()},
    )
    hand_over(db, who["desk"], incident["id"])
    dispatch = dispatch_partner(
        db, who["desk"], incident["id"], partner_id=partner, service="investigation"
    )
    respond_dispatch(
        db, authenticate(db, "forensics@partner.jp", PASSWORD), dispatch["id"], accept=True
    )
    return incident["id"], dispatch["id"]


def _cost(db: Database, dispatch_id: int, kind: str, ex_tax: int) -> dict[str, Any]:
    return submit_cost(
        db,
        authenticate(db, "forensics@partner.jp", PASSWORD),
        dispatch_id,
        kind=kind,
        description=kind,
        amount_ex_tax=ex_tax,
        tax_rate_percent=10,
        registration_number="T7000012050002",
    )


def test_an_invoice_replaces_its_estimate_and_an_incident_is_one_claim(db: Database) -> None:
    world = seed(db)
    who = people(db)
    travel(db, jst(2026, 5, 2))
    desk, handler = who["desk"], who["handler"]
    incident_id, dispatch_id = _dispatched(
        db, who, world["company"]["id"], world["partners"]["forensics"]
    )
    # the estimate: 1,000,000 + 10 % = 1,100,000, committed against ②
    decide_cost(db, desk, _cost(db, dispatch_id, "estimate", 1_000_000)["id"], approve=True)
    part = _part(limits_left(db, handler, world["policy_id"]), "response_costs")
    assert (part["paid"], part["committed"], part["left"]) == (0, 1_100_000, 28_900_000)
    # the invoice, 900,000 + 10 % = 990,000, replaces it (never both: not 2,090,000)
    decision = decide_cost(db, desk, _cost(db, dispatch_id, "invoice", 900_000)["id"], approve=True)
    assert decision["status"] == "approved"
    part = _part(limits_left(db, handler, world["policy_id"]), "response_costs")
    assert (part["committed"], part["left"]) == (990_000, 29_010_000)
    claim = open_claim(db, handler, incident_id=incident_id)
    assert [(i["category"], i["amount"]) for i in claim["items"]] == [
        ("partner:investigation", 990_000)
    ]
    # one incident is one accident: a second claim on it is refused
    with pytest.raises(ConflictError) as second:
        open_claim(db, handler, incident_id=incident_id)
    assert second.value.rule == "incident_has_claim"
    # paying the partner replaces the commitment: paid 890,000 (990,000 − 100,000), and
    # 100,000 of the invoice stays committed (the deductible is the insured's to pay)
    set_reserve(
        db, handler, claim["id"], coverage="response_costs", amount=890_000, reason="請求書"
    )
    pay(
        db,
        handler,
        claim["id"],
        "response_costs",
        890_000,
        "partner",
        payee_kind="partner",
        payee_organisation_id=world["partners"]["forensics"],
        head="partner:investigation",
    )
    part = _part(limits_left(db, handler, world["policy_id"]), "response_costs")
    assert (part["paid"], part["committed"], part["left"]) == (890_000, 100_000, 29_010_000)


def test_the_desks_estimate_check_counts_what_claims_already_paid(db: Database) -> None:
    world = seed(db)
    who = people(db)
    travel(db, jst(2026, 5, 2))
    manager = who["manager"]
    # a claim without the desk: ② 29,100,000 − 100,000 = 29,000,000 paid
    direct = open_claim(db, manager, policy_id=world["policy_id"], accident_at=jst(2026, 4, 20))
    item(db, manager, direct["id"], "response_costs", 29_100_000)
    set_reserve(db, manager, direct["id"], coverage="response_costs", amount=29_000_000, reason="x")
    assert pay(db, manager, direct["id"], "response_costs", 29_000_000, "d")["status"] == "paid"
    # ② has 1,000,000 left: an estimate of 1,000,000 + 10 % = 1,100,000 is refused for the
    # limit (the engine would pay 1,000,000 of it)
    _, dispatch_id = _dispatched(db, who, world["company"]["id"], world["partners"]["forensics"])
    refused = decide_cost(
        db, who["desk"], _cost(db, dispatch_id, "estimate", 1_000_000)["id"], approve=True
    )
    assert refused["status"] == "refused"
    assert refused["decision"]["reason"] == "limit"
    assert refused["decision"]["limit_check"]["payable"] == 1_000_000
    # 900,000 + 10 % = 990,000 fits
    fits = decide_cost(
        db, who["desk"], _cost(db, dispatch_id, "estimate", 900_000)["id"], approve=True
    )
    assert fits["status"] == "approved"


def _part(limits: dict[str, Any], code: str) -> dict[str, Any]:
    return next(p for p in limits["parts"] if p["code"] == code)


# -- the product file's figures: initial reserves (初期備金) ---------------------------------


def test_a_part_starts_with_the_product_files_initial_reserve(db: Database) -> None:
    """[claims] initial_reserve (products/cyber-sj22-13328.toml, ours): ① 10,000,000,
    ② 5,000,000. A part gets it when its first item arrives and it is covered at its
    trigger; the reserve caps the payment, the bordereau's outstanding follows it, and
    from then on the handler moves it."""
    world = seed(db)
    who = people(db)
    travel(db, jst(2026, 5, 2))
    handler = who["handler"]
    incident_id, dispatch_id = _dispatched(
        db, who, world["company"]["id"], world["partners"]["forensics"]
    )
    # the partner's invoice: 900,000 + 10 % = 990,000, the claim's first ② item
    decide_cost(db, who["desk"], _cost(db, dispatch_id, "invoice", 900_000)["id"], approve=True)
    claim = open_claim(db, handler, incident_id=incident_id)
    assert claim["reserves"] == {"response_costs": 5_000_000}
    with db.sessions() as session:
        (audit,) = [
            a
            for a in session.execute(
                select(AuditRecord).where(AuditRecord.action == "claim.reserve")
            ).scalars()
        ]
    assert audit.actor_user_id == handler.user_id
    assert (audit.after or {})["rule"] == "initial_reserve"
    assert (audit.after or {})["amount"] == 5_000_000
    assert (audit.after or {})["terms_version"] == 1

    # the partner is paid 990,000 − 100,000 (the deductible) = 890,000 within the reserve
    paid = pay(
        db,
        handler,
        claim["id"],
        "response_costs",
        890_000,
        "r1",
        payee_kind="partner",
        payee_organisation_id=world["partners"]["forensics"],
        head="partner:investigation",
    )
    assert paid["status"] == "paid"
    row = next(r for r in claims_register(db, handler) if r["claim_number"] == claim["number"])
    # outstanding 5,000,000 − 890,000 = 4,110,000; incurred 890,000 + 4,110,000
    assert (row["paid_response_costs"], row["outstanding_response_costs"]) == (890_000, 4_110_000)
    assert row["incurred_total"] == 5_000_000

    # a second ② item sets no second reserve: 7,000,000 is due now (one accident, the
    # deductible taken once), but the reserve has 4,110,000 open
    item(db, handler, claim["id"], "response_costs", 7_000_000)
    assert get_claim(db, handler, claim["id"])["reserves"] == {"response_costs": 5_000_000}
    with pytest.raises(InputError) as over:
        pay(db, handler, claim["id"], "response_costs", 4_110_001, "r2")
    assert [p.rule for p in over.value.problems] == ["above_reserve"]

    # the first ① item (the victim's claim for damages made on 1 May): ① gets 10,000,000
    item(
        db,
        handler,
        claim["id"],
        "liability",
        2_000_000,
        claim_made_at=jst(2026, 5, 1, 15),
    )
    assert get_claim(db, handler, claim["id"])["reserves"] == {
        "response_costs": 5_000_000,
        "liability": 10_000_000,
    }
    # the handler lowers ① to 1,900,000 (2,000,000 − the 100,000 deductible); a later ①
    # item does not put the product's figure back
    set_reserve(db, handler, claim["id"], coverage="liability", amount=1_900_000, reason="和解額")
    item(db, handler, claim["id"], "liability", 500_000)
    assert get_claim(db, handler, claim["id"])["reserves"]["liability"] == 1_900_000

    # an accident before the policy's start (1 April): ② is not covered at its trigger,
    # so the rule sets no reserve (the handler decides)
    early = open_claim(db, handler, policy_id=world["policy_id"], accident_at=jst(2026, 3, 20))
    item(db, handler, early["id"], "response_costs", 1_000_000)
    assert get_claim(db, handler, early["id"])["reserves"] == {}
    assert adjudicate_claim(db, handler, early["id"])["payable"]["response_costs"] == 0


# -- rule 5: payments are transactions -----------------------------------------------------


def test_authority_counts_every_step_and_the_reserve_caps_the_payment(db: Database) -> None:
    world = seed(db)
    who = people(db)
    travel(db, jst(2026, 5, 2))
    handler, manager = who["handler"], who["manager"]
    claim = open_claim(db, handler, policy_id=world["policy_id"], accident_at=jst(2026, 4, 20))
    item(db, handler, claim["id"], "response_costs", 20_100_000)  # payable 20,000,000
    set_reserve(db, manager, claim["id"], coverage="response_costs", amount=15_000_000, reason="x")
    # the handler's authority is 10,000,000: 6,000,000 is paid at once …
    first = pay(db, handler, claim["id"], "response_costs", 6_000_000, "p1")
    assert first["status"] == "paid"
    # … a second 6,000,000 makes 12,000,000 by the same handler: it waits for an approver
    second = pay(db, handler, claim["id"], "response_costs", 6_000_000, "p2")
    assert second["status"] == "pending_approval"
    # the reserve (15,000,000) has 3,000,000 open: 3,000,001 more is refused, due or not
    # a retry of p2 returns it; the same key for another request is refused
    assert pay(db, handler, claim["id"], "response_costs", 6_000_000, "p2")["repeated"] is True
    with pytest.raises(ConflictError) as reused:
        pay(db, handler, claim["id"], "response_costs", 5_000_000, "p2")
    assert reused.value.rule == "idempotency_key_reused"
    with pytest.raises(InputError) as over:
        pay(db, handler, claim["id"], "response_costs", 3_000_001, "p3")
    assert [p.rule for p in over.value.problems] == ["above_reserve"]
    # the manager approves exactly the 6,000,000 asked for
    approved = approve_payment(db, manager, second["id"])
    assert (approved["status"], approved["amount"]) == ("paid", 6_000_000)
    # raise the reserve to 20,000,000: 8,000,000 is still due and open
    set_reserve(db, manager, claim["id"], coverage="response_costs", amount=20_000_000, reason="y")
    with pytest.raises(InputError) as due:
        pay(db, manager, claim["id"], "response_costs", 8_000_001, "p4")
    # 8,000,001 is above both the 8,000,000 due and the 8,000,000 open reserve
    assert [p.rule for p in due.value.problems] == ["above_due", "above_reserve"]
    rejected_req = pay(db, handler, claim["id"], "response_costs", 8_000_000, "p5")
    assert rejected_req["status"] == "pending_approval"
    with pytest.raises(InputError):  # a rejection needs its reason
        approve_payment(db, manager, rejected_req["id"], approve=False)
    rejected = approve_payment(db, manager, rejected_req["id"], approve=False, reason="重複請求")
    assert rejected["status"] == "rejected"
    assert get_claim(db, handler, claim["id"])["paid"] == {"response_costs": 12_000_000}


def test_liability_money_goes_to_the_victim_unless_the_insured_paid_or_the_victim_consents(
    db: Database,
) -> None:
    world = seed(db)
    who = people(db)
    travel(db, jst(2026, 5, 2))
    handler = who["handler"]
    claim = open_claim(
        db,
        handler,
        policy_id=world["policy_id"],
        accident_at=jst(2026, 4, 20),
        claim_made_at=jst(2026, 4, 25),
    )
    item(db, handler, claim["id"], "liability", 3_100_000)  # payable 3,000,000
    set_reserve(db, handler, claim["id"], coverage="liability", amount=3_000_000, reason="和解")
    with pytest.raises(InputError) as lien:
        pay(
            db,
            handler,
            claim["id"],
            "liability",
            1_000_000,
            "l1",
            payee_kind="insured",
            payee_name="テスト製作所",
        )
    assert (lien.value.problems[0].path, lien.value.problems[0].rule) == (
        "lien_basis",
        "statutory_lien",
    )
    to_insured = pay(
        db,
        handler,
        claim["id"],
        "liability",
        1_000_000,
        "l2",
        payee_kind="insured",
        payee_name="テスト製作所",
        lien_basis="victim_paid",
    )
    assert (to_insured["status"], to_insured["lien_basis"]) == ("paid", "victim_paid")
    to_victim = pay(db, handler, claim["id"], "liability", 2_000_000, "l3")
    assert to_victim["payee_kind"] == "third_party"
    # a partner payee must be a firm dispatched on the claim's incident (this claim has none)
    with pytest.raises(InputError) as partner:
        pay(
            db,
            handler,
            claim["id"],
            "liability",
            1,
            "l4",
            payee_kind="partner",
            payee_organisation_id=world["partners"]["forensics"],
            head="partner:investigation",
        )
    assert partner.value.problems[0].path == "payee_organisation_id"


def test_a_payment_is_voided_or_reversed_and_the_ledger_and_reports_follow(db: Database) -> None:
    world = seed(db)
    who = people(db)
    travel(db, jst(2026, 5, 2))
    handler, manager = who["handler"], who["manager"]
    claim = open_claim(db, handler, policy_id=world["policy_id"], accident_at=jst(2026, 4, 20))
    item(db, handler, claim["id"], "response_costs", 20_100_000)  # payable 20,000,000
    set_reserve(db, manager, claim["id"], coverage="response_costs", amount=20_000_000, reason="x")
    paid = pay(db, handler, claim["id"], "response_costs", 8_000_000, "v1")
    pending = pay(db, handler, claim["id"], "response_costs", 4_000_000, "v2")
    assert (paid["status"], pending["status"]) == ("paid", "pending_approval")
    # the pending one takes from the limits already: ② 30,000,000 − 12,000,000
    part = _part(limits_left(db, handler, world["policy_id"]), "response_costs")
    assert (part["paid"], part["committed"], part["left"]) == (8_000_000, 4_000_000, 18_000_000)
    with pytest.raises(InputError):  # a reason is required
        undo_payment(db, handler, pending["id"], reason=" ")
    voided = undo_payment(db, handler, pending["id"], reason="二重依頼")
    assert voided["status"] == "voided"
    reversed_ = undo_payment(db, manager, paid["id"], reason="振込先誤り / wrong account")
    assert reversed_["status"] == "reversed"
    with pytest.raises(ConflictError):  # a reversed payment is not reversed twice
        undo_payment(db, manager, paid["id"], reason="again")
    part = _part(limits_left(db, handler, world["policy_id"]), "response_costs")
    assert (part["paid"], part["committed"], part["left"]) == (0, 0, 30_000_000)
    row = next(r for r in claims_register(db, manager) if r["claim_number"] == claim["number"])
    # the bordereau: nothing paid; outstanding = the 20,000,000 reserve
    assert (row["paid_response_costs"], row["outstanding_response_costs"]) == (0, 20_000_000)
    with db.sessions() as session:
        audits = [
            (a.action, a.actor_user_id, (a.after or {}).get("reason"))
            for a in session.execute(
                select(AuditRecord).where(AuditRecord.action.like("claim.payment_%"))
            ).scalars()
        ]
    assert ("claim.payment_voided", handler.user_id, "二重依頼") in audits
    assert ("claim.payment_reversed", manager.user_id, "振込先誤り / wrong account") in audits
    # the claim can be paid again after the reversal: 20,000,000 is due once more
    again = pay(db, manager, claim["id"], "response_costs", 20_000_000, "v3")
    assert again["status"] == "paid"


# -- rule 6: corrections ------------------------------------------------------------------


def test_a_wrong_exchange_rate_is_amended_and_the_overpayment_is_a_receivable(
    db: Database,
) -> None:
    world = seed(db)
    who = people(db)
    travel(db, jst(2026, 5, 2))
    director, handler = who["director"], who["director"]
    claim = open_claim(
        db,
        director,
        policy_id=world["policy_id"],
        accident_at=jst(2026, 4, 20),
        claim_made_at=jst(2026, 4, 25),
    )
    # a US judgement of 250,000 USD entered at 400 yen to the dollar: 100,000,000 yen
    add_loss_item(
        db,
        director,
        claim["id"],
        coverage="liability",
        category="lawsuit_abroad",
        description="US judgement",
        fx={"currency": "USD", "amount": "250000", "rate": "400", "rate_date": "2026-04-30"},
    )
    # ① 100,000,000 limit: 100,000,000 − 100,000 deductible = 99,900,000, paid
    set_reserve(db, director, claim["id"], coverage="liability", amount=99_900_000, reason="判決")
    pay(db, director, claim["id"], "liability", 99_900_000, "fx")
    wrong = get_claim(db, handler, claim["id"])["items"][0]
    # the rate was 150: 250,000 × 150 = 37,500,000 yen; payable 37,400,000
    view = correct_loss_item(
        db,
        director,
        wrong["id"],
        reason="為替レートの誤り / wrong rate",
        fx={"currency": "USD", "amount": "250000", "rate": "150", "rate_date": "2026-04-30"},
    )
    original, amended = view["items"]
    assert (original["status"], original["amount"]) == ("amended", 100_000_000)
    assert (amended["status"], amended["amount"], amended["replaces_id"]) == (
        "active",
        37_500_000,
        original["id"],
    )
    # paid stays 99,900,000 (never a negative payment); 62,500,000 is to recover
    assert view["paid"] == {"liability": 99_900_000}
    assert view["receivable"] == {"liability": 99_900_000 - 37_400_000}
    # an item can be withdrawn, with its reason, and is kept
    add_loss_item(
        db,
        director,
        claim["id"],
        coverage="response_costs",
        category="forensics",
        description="x",
        amount=500_000,
    )
    extra = get_claim(db, director, claim["id"])["items"][-1]
    withdrawn = correct_loss_item(db, director, extra["id"], reason="重複", withdraw=True)
    assert [i["status"] for i in withdrawn["items"]] == ["amended", "active", "withdrawn"]
    with pytest.raises(ConflictError):
        correct_loss_item(db, director, extra["id"], reason="again", withdraw=True)
    with pytest.raises(ForbiddenError):  # a policyholder cannot correct
        holder = authenticate(db, "holder@test.jp", PASSWORD)
        correct_loss_item(db, holder, extra["id"], reason="x", withdraw=True)


# -- the migration: one set of terms becomes versions --------------------------------------


def test_the_migration_rebuilds_the_terms_versions_from_the_transactions(db: Database) -> None:
    """Down to 0011 (one set of terms per policy, overwritten by endorsements) and up
    again: version 1 is what the issue recorded, version 2 the endorsement from its date;
    a payment of old keeps its part."""
    from alembic import command

    from cybercover.storage.migrate import alembic_config
    from cybercover.storage.models import PolicyTermsVersion

    seed(db)
    who = people(db)
    policy = new_policy(db, who, "2000012010019")
    # a second policy, bound on 2 March but not yet issued when the database is upgraded
    agent = who["agent"]
    company = _company(db, agent, "3000012010018")
    sid = create_submission(db, agent, company_id=company["id"], start_date=START_DATE)["id"]
    update_submission(db, agent, sid, disclosure=CLEAN_ANSWERS)
    quote = quote_submission(db, agent, sid, [PLAN_1])["quotes"][0]
    for kind, result in PREBIND_KINDS.items():
        record_prebind(db, agent, sid, kind=kind, result=result)
    bound = bind_quote(db, agent, quote["id"], payment_plan="lump_sum", payment_method="invoice")
    travel(db, jst(2026, 6, 1))
    endorsement = quote_endorsement(
        db,
        who["agent"],
        policy["id"],
        effective_date=datetime(2026, 6, 15).date(),
        option={**PLAN_1, "limits": {"liability": 150_000_000, "response_costs": 30_000_000}},
    )
    apply_endorsement(db, who["agent"], endorsement["id"])

    def versions() -> list[tuple[int, datetime, int, int]]:
        with db.sessions() as session:
            return [
                (v.number, v.effective_from, v.terms["limits"]["liability"], v.annual_premium)
                for v in session.execute(
                    select(PolicyTermsVersion)
                    .where(PolicyTermsVersion.policy_id == policy["id"])
                    .order_by(PolicyTermsVersion.number)
                ).scalars()
            ]

    before = versions()
    assert [(n, at, limit) for n, at, limit, _ in before] == [
        (1, jst(2026, 4, 1, 0), 100_000_000),
        (2, jst(2026, 6, 15, 0), 150_000_000),
    ]
    config = alembic_config()
    with db.engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0011")
        command.upgrade(config, "head")
        connection.commit()
    assert versions() == before
    # the bound policy has its version 1 from its terms: issued now, it is in force
    issue_policy(db, agent, bound["id"])
    cover = terms_at(db, agent, bound["id"], jst(2026, 6, 2))
    assert (cover["in_force"], cover["version"]["number"]) == (True, 1)
    assert cover["version"]["terms"]["limits"]["liability"] == 100_000_000


# -- rule 9: claims-made continuity ---------------------------------------------------------


def test_claims_made_continuity_across_a_renewal(db: Database) -> None:
    """The expiring policy E runs 1 April 2026 – 1 April 2027, its renewal R 1 April 2027
    – 1 April 2028; R carries E's retroactive date, 1 April 2026 (the first inception)."""
    from cybercover.services.claims import give_circumstance_notice
    from cybercover.services.submissions import renew_policy

    seed(db)
    who = people(db)
    agent, admin, manager = who["agent"], who["admin"], who["manager"]
    expiring = new_policy(db, who, "2000012010019")
    # 10 February 2027: the insured tells of circumstances X under E (a vendor's breach)
    travel(db, jst(2027, 2, 10))
    notice = give_circumstance_notice(
        db, manager, expiring["id"], description="委託先の侵害の兆候 / a vendor's breach"
    )
    with pytest.raises(ForbiddenError):  # a policyholder does not record it here
        give_circumstance_notice(
            db, authenticate(db, "holder@test.jp", PASSWORD), expiring["id"], description="x"
        )
    # the renewal, bound and issued in March; its first premium received then
    travel(db, jst(2027, 3, 10))
    renewal = renew_policy(db, agent, expiring["id"])
    update_submission(db, agent, renewal["id"], disclosure=CLEAN_ANSWERS)
    quote = quote_submission(db, agent, renewal["id"], [PLAN_1])["quotes"][0]
    for kind, result in PREBIND_KINDS.items():
        record_prebind(db, agent, renewal["id"], kind=kind, result=result)
    renewed = issue_policy(
        db,
        agent,
        bind_quote(db, agent, quote["id"], payment_plan="lump_sum", payment_method="invoice")["id"],
    )
    assert renewed["retroactive_date"] == "2026-04-01"
    first = get_policy(db, admin, renewed["id"])["invoices"][0]
    record_payment(db, admin, first["id"], amount=first["amount"])
    travel(db, jst(2027, 6, 1))

    def liability(policy_id: int, made: datetime, **kw: Any) -> dict[str, Any]:
        claim = open_claim(
            db,
            manager,
            policy_id=policy_id,
            accident_at=kw.pop("accident_at", jst(2026, 8, 1)),
            claim_made_at=made,
            **kw,
        )
        item(db, manager, claim["id"], "liability", 5_000_000)
        return adjudicate_claim(db, manager, claim["id"])

    # a claim first made on 10 May 2027, for an act of 1 August 2026 (after the
    # retroactive date): R covers it, 5,000,000 − 100,000 deductible
    covered = liability(renewed["id"], jst(2027, 5, 10), act_at=jst(2026, 8, 1))
    assert covered["payable"]["liability"] == 4_900_000
    # the same on E is refused: it was not made in E's period
    on_e = liability(expiring["id"], jst(2027, 5, 10), act_at=jst(2026, 8, 1))
    assert on_e["items"][0]["withheld"][0]["code"] == "claim_not_made_in_period"
    # a claim from circumstances X, first made on 20 May 2027, belongs to E (the notice
    # was given under it): on E it is judged at the notice, 10 February 2027, and paid
    attached = liability(expiring["id"], jst(2027, 5, 20), circumstance_notice_id=notice["id"])
    assert attached["payable"]["liability"] == 4_900_000
    assert {k: datetime.fromisoformat(v) for k, v in attached["triggers"].items()} == {
        "liability": jst(2027, 2, 10)
    }
    with pytest.raises(InputError) as elsewhere:  # not on R
        open_claim(
            db,
            manager,
            policy_id=renewed["id"],
            accident_at=jst(2026, 8, 1),
            claim_made_at=jst(2027, 5, 20),
            circumstance_notice_id=notice["id"],
        )
    assert elsewhere.value.problems[0].rule == "notice_of_another_policy"
    # a claim first made on 15 March 2027, before R's start, belongs to E
    before_r = liability(renewed["id"], jst(2027, 3, 15))
    assert before_r["items"][0]["withheld"][0]["code"] == "claim_not_made_in_period"
    assert liability(expiring["id"], jst(2027, 3, 15))["payable"]["liability"] == 4_900_000
    # an act before the carried retroactive date (20 March 2026) is refused on R too
    old_act = liability(renewed["id"], jst(2027, 5, 10), act_at=jst(2026, 3, 20))
    assert old_act["items"][0]["withheld"][0]["code"] == "before_retroactive_date"
    # facts the insured knew before the first inception (1 March 2026) are excluded
    known = liability(renewed["id"], jst(2027, 5, 10), known_at=jst(2026, 3, 1))
    assert known["items"][0]["withheld"][0]["code"] == "known_before_inception"


# -- the pages: the same steps, and their denial ---------------------------------------------


def test_the_claim_page_pays_by_part_and_payee_undoes_and_corrects(
    db: Database, make_app_for_test: AppFactory
) -> None:
    import re

    from tests.integration.api_helpers import signed_in

    world = seed(db)
    who = people(db)
    travel(db, jst(2026, 5, 2))
    handler, manager = who["handler"], who["manager"]
    claim = open_claim(db, handler, policy_id=world["policy_id"], accident_at=jst(2026, 4, 20))
    item(db, handler, claim["id"], "response_costs", 5_100_000)  # payable 5,000,000
    set_reserve(db, manager, claim["id"], coverage="response_costs", amount=5_000_000, reason="x")
    app = make_app_for_test()
    page, csrf = signed_in(app, "claims@insurer.jp")
    url = f"/claims/{claim['id']}"
    form = {
        "csrf_token": csrf,
        "idempotency_key": "page-1",
        "coverage": "response_costs",
        "amount": "5,000,001",
        "payee_kind": "insured",
        "payee_name": "テスト製作所",
    }
    too_much = page.post(f"{url}/payments", data=form)
    assert too_much.status_code == 422
    assert 'id="f-pay.amount"' in too_much.text and "aria-invalid" in too_much.text
    paid = page.post(
        f"{url}/payments", data={**form, "amount": "3,000,000"}, follow_redirects=False
    )
    assert paid.status_code == 303 and paid.headers["location"] == f"{url}?done=payment"
    shown = page.get(url).text
    (payment_id,) = re.findall(r'data-payment="(\d+)"', shown)
    assert "テスト製作所" in shown and f"{url}/payments/{payment_id}/undo" in shown
    # reverse it, with a reason (without one: 422 at the reason field)
    refused = page.post(
        f"{url}/payments/{payment_id}/undo", data={"csrf_token": csrf, "reason": ""}
    )
    assert refused.status_code == 422
    undone = page.post(
        f"{url}/payments/{payment_id}/undo",
        data={"csrf_token": csrf, "reason": "振込先誤り"},
        follow_redirects=False,
    )
    assert undone.status_code == 303
    assert get_claim(db, handler, claim["id"])["payments"][0]["status"] == "reversed"
    # amend the item, with a reason: the original stays, amended
    (item_id,) = re.findall(r'data-item="(\d+)" data-status="active"', page.get(url).text)
    amended = page.post(
        f"{url}/items/{item_id}/correction",
        data={"csrf_token": csrf, "amount": "4,100,000", "reason": "見積の誤り", "action": "amend"},
        follow_redirects=False,
    )
    assert amended.status_code == 303
    statuses = [i["status"] for i in get_claim(db, handler, claim["id"])["items"]]
    assert statuses == ["amended", "active"]
    # the policy page shows the terms versions and the limits with what is committed
    policy_page = page.get(f"/policies/{world['policy_id']}").text
    assert 'data-version="1"' in policy_page and 'data-part="aggregate"' in policy_page
    # the policyholder reads the claim but is offered none of these steps, and is refused
    holder, holder_csrf = signed_in(app, "holder@test.jp")
    seen = holder.get(url)
    assert seen.status_code == 200
    assert "/undo" not in seen.text and "/correction" not in seen.text
    assert "見積の誤り" not in seen.text  # the correction's reason is the insurer's note
    for path, data in [
        (f"{url}/payments", {**form, "amount": "1", "idempotency_key": "h"}),
        (f"{url}/payments/{payment_id}/undo", {"reason": "x"}),
        (f"{url}/items/{item_id}/correction", {"reason": "x", "action": "withdraw"}),
    ]:
        response = holder.post(path, data={**data, "csrf_token": holder_csrf})
        assert response.status_code == 403, path
    # another company's policyholder does not find the claim at all
    other, other_csrf = signed_in(app, "holder@other.jp")
    assert other.get(url).status_code == 404
    assert (
        other.post(
            f"{url}/payments/{payment_id}/undo", data={"reason": "x", "csrf_token": other_csrf}
        ).status_code
        == 404
    )
