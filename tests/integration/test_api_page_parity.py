"""Contract (issue #18): the API is the whole product — every use case a page offers has
its API route. Each page route is mapped here to the API route(s) that do the same work,
or to the reason it is not a use case (signing in, the language, a blank form, a home
that only gathers lists). A new page without its API route, or a mapping to a route
that does not exist, fails here; the page route list itself is held complete by
tests/security/test_adversarial.py (every route has an entry in the matrix)."""

from __future__ import annotations

from fastapi import FastAPI

from tests.integration.conftest import AppFactory
from tests.security.matrix import PAGES
from tests.security.test_adversarial import routes

NOT_A_USE_CASE = "not a use case"

PARITY: dict[tuple[str, str], tuple[str, ...] | str] = {
    # the web session, the language, the homes
    ("GET", "/"): NOT_A_USE_CASE + ": sends each role to its home",
    ("GET", "/login"): NOT_A_USE_CASE + ": the login form (API: POST /api/v1/auth/login)",
    ("POST", "/login"): ("POST /api/v1/auth/login",),
    ("POST", "/logout"): ("POST /api/v1/auth/logout",),
    ("GET", "/lang/{lang}"): NOT_A_USE_CASE + ": the page language (API: Accept-Language)",
    ("GET", "/incidents/new"): NOT_A_USE_CASE + ": a blank report form",
    # administration and audit
    ("GET", "/admin"): (
        "GET /api/v1/users",
        "GET /api/v1/organisations",
        "GET /api/v1/partners",
        "GET /api/v1/audit",
        "GET /api/v1/audit/verify",
    ),
    ("POST", "/admin/users"): ("POST /api/v1/users",),
    ("POST", "/admin/users/{user_id}/activate"): ("POST /api/v1/users/{user_id}/activate",),
    ("POST", "/admin/users/{user_id}/deactivate"): ("POST /api/v1/users/{user_id}/deactivate",),
    ("POST", "/admin/organisations"): ("POST /api/v1/organisations",),
    ("POST", "/admin/partners"): ("POST /api/v1/partners",),
    ("GET", "/audit"): ("GET /api/v1/audit", "GET /api/v1/audit/verify"),
    # sales and underwriting
    ("GET", "/agent"): ("GET /api/v1/companies", "GET /api/v1/submissions", "GET /api/v1/policies"),
    ("GET", "/agent/commission"): ("GET /api/v1/agencies/{agency_id}/commission",),
    ("POST", "/agent/companies"): ("POST /api/v1/companies",),
    ("POST", "/submissions"): ("POST /api/v1/submissions",),
    ("GET", "/submissions/{submission_id}"): ("GET /api/v1/submissions/{submission_id}",),
    ("POST", "/submissions/{submission_id}/disclosure"): (
        "PATCH /api/v1/submissions/{submission_id}",
    ),
    ("POST", "/submissions/{submission_id}/quote"): (
        "POST /api/v1/submissions/{submission_id}/quotes",
    ),
    ("POST", "/submissions/{submission_id}/prebind"): (
        "POST /api/v1/submissions/{submission_id}/prebind",
    ),
    ("POST", "/quotes/{quote_id}/bind"): ("POST /api/v1/quotes/{quote_id}/bind",),
    ("GET", "/underwriting"): ("GET /api/v1/underwriting-issues/queue",),
    ("POST", "/underwriting/issues/{issue_id}"): (
        "POST /api/v1/underwriting-issues/{issue_id}/decision",
    ),
    # policies and premium
    ("GET", "/policies/{policy_id}"): (
        "GET /api/v1/policies/{policy_id}",
        "GET /api/v1/policies/{policy_id}/terms",
        "GET /api/v1/policies/{policy_id}/limits",
    ),
    ("POST", "/policies/{policy_id}/issue"): ("POST /api/v1/policies/{policy_id}/issue",),
    ("POST", "/policies/{policy_id}/endorse"): ("POST /api/v1/policies/{policy_id}/endorsements",),
    ("POST", "/endorsements/{transaction_id}/apply"): (
        "POST /api/v1/endorsements/{transaction_id}/apply",
    ),
    ("POST", "/policies/{policy_id}/cancel"): ("POST /api/v1/policies/{policy_id}/cancel",),
    ("POST", "/policies/{policy_id}/reinstate"): ("POST /api/v1/policies/{policy_id}/reinstate",),
    ("POST", "/policies/{policy_id}/renew"): ("POST /api/v1/policies/{policy_id}/renewal",),
    ("POST", "/policies/{policy_id}/invoices/{invoice_id}/payment"): (
        "POST /api/v1/invoices/{invoice_id}/payments",
    ),
    # the policyholder
    ("GET", "/my"): (
        "GET /api/v1/policies",
        "GET /api/v1/policies/{policy_id}/coverage",
        "GET /api/v1/incidents",
        "GET /api/v1/claims",
    ),
    ("POST", "/my/claims/{claim_id}/documents"): ("POST /api/v1/claims/{claim_id}/documents",),
    # the incident desk and the partners
    ("GET", "/desk"): ("GET /api/v1/incidents/queue",),
    ("GET", "/desk/queue"): ("GET /api/v1/incidents/queue",),
    ("POST", "/incidents"): ("POST /api/v1/incidents",),
    ("GET", "/incidents/{incident_id}"): (
        "GET /api/v1/incidents/{incident_id}",
        "GET /api/v1/incidents/{incident_id}/timeline",
        "GET /api/v1/incidents/{incident_id}/deadlines",
    ),
    ("POST", "/incidents/{incident_id}/hearing"): ("PUT /api/v1/incidents/{incident_id}/hearing",),
    ("POST", "/incidents/{incident_id}/advice"): ("POST /api/v1/incidents/{incident_id}/advice",),
    ("POST", "/incidents/{incident_id}/hand-over"): (
        "POST /api/v1/incidents/{incident_id}/hand-over",
    ),
    ("POST", "/incidents/{incident_id}/link"): ("POST /api/v1/incidents/{incident_id}/link",),
    ("POST", "/incidents/{incident_id}/unlink"): ("POST /api/v1/incidents/{incident_id}/unlink",),
    ("POST", "/incidents/{incident_id}/dispatches"): (
        "POST /api/v1/incidents/{incident_id}/dispatches",
    ),
    ("POST", "/incidents/{incident_id}/costs/{cost_id}"): (
        "POST /api/v1/costs/{cost_id}/decision",
    ),
    ("POST", "/incidents/{incident_id}/deadlines/{deadline_id}"): (
        "POST /api/v1/deadlines/{deadline_id}/done",
    ),
    ("GET", "/partner"): ("GET /api/v1/dispatches",),
    ("POST", "/dispatches/{dispatch_id}/response"): (
        "POST /api/v1/dispatches/{dispatch_id}/response",
    ),
    ("POST", "/dispatches/{dispatch_id}/work"): ("POST /api/v1/dispatches/{dispatch_id}/work",),
    ("POST", "/dispatches/{dispatch_id}/costs"): ("POST /api/v1/dispatches/{dispatch_id}/costs",),
    # claims
    ("GET", "/claims"): ("GET /api/v1/claims",),
    ("POST", "/claims"): ("POST /api/v1/claims",),
    ("POST", "/claims/notices"): ("POST /api/v1/policies/{policy_id}/circumstance-notices",),
    ("GET", "/claims/{claim_id}"): (
        "GET /api/v1/claims/{claim_id}",
        "GET /api/v1/claims/{claim_id}/transactions",
    ),
    ("POST", "/claims/{claim_id}/items"): ("POST /api/v1/claims/{claim_id}/items",),
    ("POST", "/claims/{claim_id}/items/{item_id}/correction"): (
        "POST /api/v1/loss-items/{item_id}/correction",
    ),
    ("POST", "/claims/{claim_id}/adjudication"): ("POST /api/v1/claims/{claim_id}/adjudications",),
    ("POST", "/claims/{claim_id}/reserves"): ("POST /api/v1/claims/{claim_id}/reserves",),
    ("POST", "/claims/{claim_id}/payments"): ("POST /api/v1/claims/{claim_id}/payments",),
    ("POST", "/claims/{claim_id}/payments/{payment_id}/approval"): (
        "POST /api/v1/payments/{payment_id}/approval",
    ),
    ("POST", "/claims/{claim_id}/payments/{payment_id}/undo"): (
        "POST /api/v1/payments/{payment_id}/undo",
    ),
    ("POST", "/claims/{claim_id}/recoveries"): ("POST /api/v1/claims/{claim_id}/recoveries",),
    ("POST", "/claims/{claim_id}/documents-complete"): (
        "POST /api/v1/claims/{claim_id}/documents-complete",
    ),
    ("POST", "/claims/{claim_id}/close"): ("POST /api/v1/claims/{claim_id}/close",),
    ("POST", "/claims/{claim_id}/deny"): ("POST /api/v1/claims/{claim_id}/deny",),
    ("POST", "/claims/{claim_id}/reopen"): ("POST /api/v1/claims/{claim_id}/reopen",),
    # the risk model
    ("GET", "/portfolio"): ("GET /api/v1/risk/runs/latest",),
    ("POST", "/portfolio/runs"): ("POST /api/v1/risk/runs",),
}


def test_every_page_has_its_api_route(make_app_for_test: AppFactory) -> None:
    app: FastAPI = make_app_for_test()
    found = routes(app)
    assert sorted(set(PAGES) - set(PARITY)) == [], "pages without an API mapping"
    assert sorted(set(PARITY) - set(PAGES)) == [], "mappings for pages that do not exist"
    missing = sorted(
        (page, api)
        for page, apis in PARITY.items()
        if not isinstance(apis, str)
        for api in apis
        if tuple(api.split(" ", 1)) not in found
    )
    assert missing == [], "pages mapped to API routes that do not exist"
    # only a page that changes nothing (a GET) may be outside the API
    outside = [page for page, apis in PARITY.items() if isinstance(apis, str)]
    assert all(page[0] == "GET" for page in outside), outside
    assert all(str(PARITY[page]).startswith(NOT_A_USE_CASE) for page in outside)
