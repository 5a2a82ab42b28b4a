"""Every API route, called by users of other organisations, is refused and leaks nothing.

The route list comes from the app itself: a new route without a case here fails
``test_every_route_has_a_case``. Outsiders: an agent of an agency that does not handle
the company, a policyholder of another company, a partner firm's user.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from cybercover.services.authz import Actor
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
from tests.integration.api_helpers import PASSWORD, bearer
from tests.integration.conftest import AppFactory, FakeClock
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


def seed(db: Database) -> dict[str, Any]:
    bootstrap_admin(db, email="admin@example.jp", password=PASSWORD)
    orgs = {
        code: create_organisation(db, None, kind=kind, code=code, name=code)
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
            None,
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
        None,
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

    forensics = create_organisation(db, None, kind="partner", code="forensics", name="forensics")
    register_partner(
        db,
        None,
        organisation_id=forensics,
        services=["investigation"],
        regions=["全国"],
        registration_number="T7000012050002",
        contact_email="f@partner.jp",
    )
    create_user(
        db,
        None,
        organisation_id=forensics,
        email="f@partner.jp",
        display_name="f",
        role="partner",
        password=PASSWORD,
    )
    desk_org = create_organisation(db, None, kind="desk", code="desk", name="desk")
    create_user(
        db,
        None,
        organisation_id=desk_org,
        email="desk@desk.jp",
        display_name="d",
        role="desk_operator",
        password=PASSWORD,
    )
    desk = authenticate(db, "desk@desk.jp", PASSWORD)
    incident = report_incident(
        db,
        desk,
        {
            "summary": "テスト製作所の事故",
            "company_id": company["id"],
            "occurred_at": "2026-05-01T10:00:00+09:00",
        },
    )
    from cybercover.services.hearing import record_hearing

    heard = record_hearing(
        db,
        desk,
        incident["id"],
        {"aware_at": "2026-05-01T10:00:00+09:00", "personal_data_count": 5_000},
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
    from cybercover.services.claims import add_loss_item, open_claim, request_payment

    create_user(
        db,
        None,
        organisation_id=1,
        email="claims@insurer.jp",
        display_name="c",
        role="claims_handler",
        password=PASSWORD,
        payment_authority=1,
    )
    handler = authenticate(db, "claims@insurer.jp", PASSWORD)
    claim = open_claim(db, handler, incident_id=incident["id"])
    add_loss_item(
        db,
        handler,
        claim["id"],
        coverage="liability",
        category="damages",
        description="x",
        amount=5_000_000,
    )
    pending = request_payment(db, handler, claim["id"], idempotency_key="seed")
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


BODIES: dict[tuple[str, str], Any] = {
    ("PUT", "/api/v1/companies/{company_id}"): COMPANY,
    ("PATCH", "/api/v1/submissions/{submission_id}"): {"disclosure": {"mfa": True}},
    ("POST", "/api/v1/submissions/{submission_id}/quotes"): {"options": [PLAN_1]},
    ("POST", "/api/v1/submissions/{submission_id}/prebind"): {
        "kind": "application",
        "result": "received",
    },
    ("POST", "/api/v1/underwriting-issues/{issue_id}/decision"): {"kind": "clear", "reason": "ok"},
    ("POST", "/api/v1/quotes/{quote_id}/bind"): {
        "payment_plan": "lump_sum",
        "payment_method": "invoice",
    },
    ("POST", "/api/v1/policies/{policy_id}/issue"): None,
    ("POST", "/api/v1/policies/{policy_id}/cancel"): {
        "effective_date": "2026-05-01",
        "by": "insured",
        "reason": "x",
    },
    ("POST", "/api/v1/policies/{policy_id}/reinstate"): {"reason": "x"},
    ("POST", "/api/v1/policies/{policy_id}/renewal"): None,
    ("POST", "/api/v1/policies/{policy_id}/endorsements"): {
        "effective_date": "2026-06-01",
        "option": PLAN_1,
    },
    ("POST", "/api/v1/endorsements/{transaction_id}/apply"): None,
    ("POST", "/api/v1/invoices/{invoice_id}/payments"): {"amount": 1},
    ("GET", "/api/v1/companies/{company_id}"): None,
    ("GET", "/api/v1/submissions/{submission_id}"): None,
    ("GET", "/api/v1/quotes/{quote_id}"): None,
    ("GET", "/api/v1/policies/{policy_id}"): None,
    ("GET", "/api/v1/policies/{policy_id}/coverage"): None,
    ("GET", "/api/v1/agencies/{agency_id}/commission"): None,
    ("POST", "/api/v1/submissions/{submission_id}/documents"): "upload",
    ("GET", "/api/v1/incidents/{incident_id}"): None,
    ("GET", "/api/v1/incidents/{incident_id}/timeline"): None,
    ("POST", "/api/v1/incidents/{incident_id}/hand-over"): None,
    ("POST", "/api/v1/incidents/{incident_id}/dispatches"): {
        "partner_id": 1,
        "service": "investigation",
    },
    ("POST", "/api/v1/dispatches/{dispatch_id}/response"): {"accept": True},
    ("POST", "/api/v1/dispatches/{dispatch_id}/work"): {"note": "x"},
    ("POST", "/api/v1/dispatches/{dispatch_id}/costs"): {
        "kind": "estimate",
        "description": "x",
        "amount_ex_tax": 1,
        "registration_number": "T7000012050002",
    },
    ("POST", "/api/v1/costs/{cost_id}/decision"): {"approve": True},
    ("PUT", "/api/v1/incidents/{incident_id}/hearing"): {"ransom_demand": True},
    ("POST", "/api/v1/incidents/{incident_id}/advice"): None,
    ("GET", "/api/v1/incidents/{incident_id}/deadlines"): None,
    ("POST", "/api/v1/deadlines/{deadline_id}/done"): None,
    ("GET", "/api/v1/claims/{claim_id}"): None,
    ("POST", "/api/v1/claims/{claim_id}/items"): {
        "coverage": "liability",
        "category": "x",
        "amount": 1,
    },
    ("POST", "/api/v1/claims/{claim_id}/adjudications"): None,
    ("POST", "/api/v1/claims/{claim_id}/documents-complete"): None,
    ("POST", "/api/v1/claims/{claim_id}/documents"): "claim_upload",
    ("POST", "/api/v1/claims/{claim_id}/recoveries"): {"amount": 1, "from_party": "x"},
    ("POST", "/api/v1/claims/{claim_id}/profit-loss"): {"standard_revenue": 1},
    ("POST", "/api/v1/claims/{claim_id}/reserves"): {
        "coverage": "liability",
        "amount": 1,
        "reason": "x",
    },
    ("POST", "/api/v1/claims/{claim_id}/payments"): {"idempotency_key": "outsider"},
    ("POST", "/api/v1/payments/{payment_id}/approval"): None,
    # documents (issue #9): the PDF routes
    ("GET", "/api/v1/submissions/{submission_id}/documents/quote.pdf"): None,
    ("GET", "/api/v1/policies/{policy_id}/documents/schedule.pdf"): None,
    ("GET", "/api/v1/claims/{claim_id}/documents/settlement.pdf"): None,
    ("GET", "/api/v1/incidents/{incident_id}/documents/report.pdf"): None,
    # tokens and users (issue #8): another user's token, an administrator's acts
    ("DELETE", "/api/v1/auth/tokens/{token_id}"): None,
    ("POST", "/api/v1/users/{user_id}/deactivate"): None,
    ("POST", "/api/v1/users/{user_id}/activate"): None,
    # the risk model (issue #6): the insurer's own figures
    ("GET", "/api/v1/quotes/{quote_id}/technical-price"): None,
}
QUERY = {
    "/api/v1/policies/{policy_id}/coverage": {"at": "2026-05-01T00:00:00+09:00"},
    "/api/v1/agencies/{agency_id}/commission": {"month": "2026-04"},
    "/api/v1/claims/{claim_id}/documents/settlement.pdf": {"lang": "en"},
}
# routes with no resource of another organisation in their path: what each outsider gets
UNSCOPED = {
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/api/v1/auth/tokens"),
    ("GET", "/api/v1/auth/tokens"),  # the caller's own: tests/integration/test_api_people.py
    ("DELETE", "/api/v1/auth/tokens/current"),
    ("GET", "/api/v1/users/me"),
    ("GET", "/api/v1/users"),
    ("POST", "/api/v1/users"),
    ("GET", "/api/v1/organisations"),
    ("POST", "/api/v1/organisations"),
    ("GET", "/api/v1/companies"),
    ("POST", "/api/v1/companies"),
    ("GET", "/api/v1/submissions"),
    ("POST", "/api/v1/submissions"),
    ("GET", "/api/v1/policies"),
    ("POST", "/api/v1/billing/lapse-overdue"),
    ("GET", "/api/v1/audit"),
    ("GET", "/api/v1/audit/verify"),
    ("POST", "/api/v1/risk/runs"),
    ("POST", "/api/v1/rating"),
    ("GET", "/api/v1/risk/runs/latest"),
    ("GET", "/api/v1/risk/runs/latest/ep-curve.svg"),
}
OUTSIDERS = ["agent@other.jp", "holder@other.jp", "partner@pr.jp"]


def api_routes(client: TestClient) -> set[tuple[str, str]]:
    out = set()
    for route in client.app.routes:  # type: ignore[attr-defined]
        if isinstance(route, APIRoute) and route.path.startswith("/api/v1"):
            for method in route.methods:
                out.add((method, route.path))
    return out


@pytest.fixture
def world(make_app_for_test: AppFactory, clock: FakeClock) -> tuple[TestClient, dict[str, Any]]:
    app = make_app_for_test()
    ids = seed(app.state.db)
    return TestClient(app), ids


def test_every_route_has_a_case(world: tuple[TestClient, dict[str, Any]]) -> None:
    client, _ = world
    missing = api_routes(client) - set(BODIES) - UNSCOPED
    assert not missing, f"routes without an access case: {sorted(missing)}"


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_are_refused_every_scoped_route_and_see_nothing(
    world: tuple[TestClient, dict[str, Any]], outsider: str
) -> None:
    client, ids = world
    headers = bearer(client, outsider)
    for (method, path), body in sorted(BODIES.items()):
        url = path.format(**ids)
        if body == "claim_upload":
            response = client.post(
                url, headers=headers, files={"file": ("c.pdf", b"%PDF-1.4 x", "application/pdf")}
            )
        elif body == "upload":
            response = client.post(
                url,
                headers=headers,
                data={"kind": "isms_certificate"},
                files={"file": ("c.pdf", b"%PDF-1.4 x", "application/pdf")},
            )
        else:
            response = client.request(
                method, url, headers=headers, json=body, params=QUERY.get(path)
            )
        assert response.status_code in (403, 404), (
            outsider,
            method,
            path,
            response.status_code,
            response.text,
        )
        assert not any(marker in response.text for marker in SECRET_MARKERS), (method, path)


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_lists_show_outsiders_none_of_the_company(
    world: tuple[TestClient, dict[str, Any]], outsider: str
) -> None:
    client, _ = world
    headers = bearer(client, outsider)
    for path in ("/api/v1/companies", "/api/v1/submissions", "/api/v1/policies"):
        response = client.get(path, headers=headers)
        assert response.status_code in (200, 403, 404)
        assert not any(marker in response.text for marker in SECRET_MARKERS), path
    for path in (
        "/api/v1/users",
        "/api/v1/organisations",
        "/api/v1/audit",
        "/api/v1/audit/verify",
        "/api/v1/reports/bordereau.csv",
        "/api/v1/risk/runs/latest",
        "/api/v1/risk/runs/latest/ep-curve.svg",
    ):
        assert client.get(path, headers=headers).status_code == 403
    assert client.post("/api/v1/risk/runs", headers=headers, json={"years": 100}).status_code == 403


def test_the_handling_agent_and_the_co_agency_see_the_company(
    world: tuple[TestClient, dict[str, Any]],
) -> None:
    client, ids = world
    lac = bearer(client, "agent@lac.jp")
    assert client.get(f"/api/v1/companies/{ids['company_id']}", headers=lac).status_code == 200
    assert [c["id"] for c in client.get("/api/v1/companies", headers=lac).json()] == [
        ids["company_id"]
    ]
    assert client.get(f"/api/v1/policies/{ids['policy_id']}", headers=lac).status_code == 200


# who owns each scoped read in the seed: the desk its incidents, the claims handler its
# claims, the handling agent the rest (company, submission, quote, policy, commission)
OWNERS = {
    "/api/v1/quotes/{quote_id}/technical-price": "admin@example.jp",
    "/api/v1/incidents/": "desk@desk.jp",
    "/api/v1/claims/": "claims@insurer.jp",
}
# reads the owner may make that the seed's state refuses after the permission check: the
# seed's only payment waits for a second approver, so there is no settlement letter yet
AFTER_AUTHORISATION = {"/api/v1/claims/{claim_id}/documents/settlement.pdf": "no_payment"}


def test_the_owning_role_gets_every_scoped_read(
    world: tuple[TestClient, dict[str, Any]],
) -> None:
    """The other side of the refusals above: the same reads succeed for their owner, so a
    route refusing everyone would not pass as "secure"."""
    client, ids = world
    reads = [path for (method, path), body in BODIES.items() if method == "GET"]
    assert len(reads) >= 10
    failed = []
    for path in sorted(reads):
        owner = next((u for p, u in OWNERS.items() if path.startswith(p)), "agent@lac.jp")
        response = client.get(
            path.format(**ids), headers=bearer(client, owner), params=QUERY.get(path)
        )
        if path in AFTER_AUTHORISATION and response.status_code == 409:
            assert response.json()["rule"] == AFTER_AUTHORISATION[path]
        elif response.status_code != 200:
            failed.append((owner, path, response.status_code, response.text[:200]))
    assert not failed, failed
