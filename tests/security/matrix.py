"""The route × role matrix of the adversarial suite (tests/security/test_adversarial.py).

Every route of the app — the JSON API and the pages — has exactly one entry here: the
action it performs (whose roles come from the one rule table, ``services/authz.py``), a
body that would succeed, and which identifiers in that body the caller chooses. A route
without an entry, or an entry without a route, fails ``test_every_route_has_an_entry``,
so a new route cannot ship without deciding who may call it.

Path parameters are filled from the world (tests/security/world.py): ``{claim_id}`` is
tenant A's claim for the "own" call and tenant B's for the "foreign" call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cybercover.services.authz import PEOPLE, Role, roles_for
from tests.factories import CLEAN_ANSWERS
from tests.integration.test_lifecycle_api import COMPANY, PLAN_1

Body = Any  # a JSON value, a form dict, UPLOAD, or a function of the world's ids
UPLOAD = "upload"
EVERYONE = PEOPLE


def act(*actions: str) -> frozenset[Role]:
    """The roles that may do every one of ``actions``."""
    roles = EVERYONE
    for action in actions:
        roles &= roles_for(action)
    return roles


def only(*roles: Role) -> frozenset[Role]:
    return frozenset(roles)


@dataclass(frozen=True)
class Case:
    roles: frozenset[Role]
    body: Body = None
    query: dict[str, str] | None = None
    ids: dict[str, str] = field(default_factory=dict)  # body field → the world's key
    # the body each identifier is tried in, when it is not ``body`` (one id per body)
    id_bodies: dict[str, Body] = field(default_factory=dict)
    # identifier → the roles for which the server ignores it and uses the caller's own
    ignored_by: dict[str, frozenset[Role]] = field(default_factory=dict)
    last: bool = False  # ends the caller's own access: called last
    session: bool = False  # an API route for a page session (cookie and CSRF header)
    public: bool = False  # answered without signing in
    literal: dict[str, str] = field(default_factory=dict)  # path values not from the world


def _company(ids: dict[str, Any]) -> dict[str, Any]:
    return {**COMPANY, "agency_codes": ["agency-a"], "name": "株式会社甲テスト製作所"}


API: dict[tuple[str, str], Case] = {
    # people and access
    ("POST", "/api/v1/auth/login"): Case(EVERYONE, public=True),
    ("POST", "/api/v1/auth/tokens"): Case(EVERYONE, public=True),
    ("POST", "/api/v1/auth/logout"): Case(EVERYONE, last=True, session=True),
    ("GET", "/api/v1/auth/tokens"): Case(EVERYONE),
    ("DELETE", "/api/v1/auth/tokens/current"): Case(EVERYONE, last=True),
    ("DELETE", "/api/v1/auth/tokens/{token_id}"): Case(EVERYONE),
    ("GET", "/api/v1/users/me"): Case(EVERYONE),
    ("GET", "/api/v1/users"): Case(act("user.manage")),
    ("POST", "/api/v1/users"): Case(
        act("user.manage"),
        {
            "organisation_id": 0,
            "email": "new@a.jp",
            "display_name": "new",
            "role": "policyholder",
            "password": "correct horse battery",
        },
        ids={"organisation_id": "company_org"},
    ),
    ("POST", "/api/v1/users/{user_id}/deactivate"): Case(act("user.manage")),
    ("POST", "/api/v1/users/{user_id}/activate"): Case(act("user.manage")),
    ("GET", "/api/v1/organisations"): Case(act("organisation.read")),
    ("POST", "/api/v1/organisations"): Case(
        act("organisation.manage"), {"kind": "agency", "code": "new-agency", "name": "新代理店"}
    ),
    # companies, submissions, quotes, policies, billing
    ("GET", "/api/v1/companies"): Case(act("company.read")),
    ("POST", "/api/v1/companies"): Case(act("company.create"), _company),
    ("GET", "/api/v1/companies/postal-codes/{code}"): Case(EVERYONE, literal={"code": "1020093"}),
    ("GET", "/api/v1/companies/{company_id}"): Case(act("company.read")),
    ("PUT", "/api/v1/companies/{company_id}"): Case(act("company.update"), _company),
    ("GET", "/api/v1/submissions"): Case(act("submission.read")),
    ("POST", "/api/v1/submissions"): Case(
        act("submission.write", "company.read"),
        {"company_id": 0, "start_date": "2026-06-01"},  # after the world's clock (1 May)
        ids={"company_id": "company_id", "agency_id": "agency_id"},
        id_bodies={
            "agency_id": lambda w: {
                "company_id": w["company_id"],
                "start_date": "2026-06-01",
                "agency_id": 0,
            }
        },
        ignored_by={"agency_id": only(Role.AGENT)},  # an agent's is its own agency's
    ),
    ("GET", "/api/v1/submissions/{submission_id}"): Case(act("submission.read")),
    ("PATCH", "/api/v1/submissions/{submission_id}"): Case(
        act("submission.write"), {"disclosure": {"mfa": True}}
    ),
    ("POST", "/api/v1/submissions/{submission_id}/documents"): Case(
        act("submission.write"), UPLOAD
    ),
    ("POST", "/api/v1/submissions/{submission_id}/quotes"): Case(
        act("quote.create"), {"options": [PLAN_1]}
    ),
    ("POST", "/api/v1/submissions/{submission_id}/prebind"): Case(
        act("submission.write"), {"kind": "application", "result": "received"}
    ),
    ("GET", "/api/v1/underwriting-issues/queue"): Case(act("underwriting.decide")),
    ("POST", "/api/v1/underwriting-issues/{issue_id}/decision"): Case(
        act("underwriting.decide"), {"kind": "clear", "reason": "MFAを導入済みと確認"}
    ),
    ("GET", "/api/v1/quotes/{quote_id}"): Case(act("submission.read")),
    ("POST", "/api/v1/quotes/{quote_id}/bind"): Case(
        act("policy.bind"), {"payment_plan": "lump_sum", "payment_method": "invoice"}
    ),
    ("GET", "/api/v1/quotes/{quote_id}/technical-price"): Case(act("risk.read", "submission.read")),
    ("GET", "/api/v1/policies"): Case(act("policy.read")),
    ("GET", "/api/v1/policies/{policy_id}"): Case(act("policy.read")),
    ("GET", "/api/v1/policies/{policy_id}/coverage"): Case(
        act("policy.read"), query={"at": "2026-05-01T00:00:00+09:00"}
    ),
    ("POST", "/api/v1/policies/{policy_id}/issue"): Case(act("policy.bind")),
    ("GET", "/api/v1/policies/{policy_id}/terms"): Case(
        act("policy.read"), query={"at": "2026-05-01T10:00:00+09:00"}
    ),
    ("POST", "/api/v1/policies/{policy_id}/endorsements"): Case(
        act("policy.change"), {"effective_date": "2026-06-01", "option": PLAN_1}
    ),
    ("POST", "/api/v1/endorsements/{transaction_id}/apply"): Case(act("policy.change")),
    ("GET", "/api/v1/endorsements/{transaction_id}"): Case(act("policy.read")),
    ("POST", "/api/v1/policies/{policy_id}/renewal"): Case(act("policy.change")),
    ("POST", "/api/v1/policies/{policy_id}/cancel"): Case(
        act("policy.change"), {"effective_date": "2026-09-01", "by": "insured", "reason": "廃業"}
    ),
    ("POST", "/api/v1/policies/{policy_id}/reinstate"): Case(
        act("policy.change"), {"reason": "取消の撤回"}
    ),
    ("POST", "/api/v1/invoices/{invoice_id}/payments"): Case(
        act("billing.record_payment"), {"amount": 1}
    ),
    ("POST", "/api/v1/billing/lapse-overdue"): Case(act("billing.lapse")),
    ("GET", "/api/v1/agencies/{agency_id}/commission"): Case(
        act("commission.read"), query={"month": "2026-04"}
    ),
    ("POST", "/api/v1/rating"): Case(act("quote.create"), {"company": {}, "options": [PLAN_1]}),
    # the incident desk
    ("POST", "/api/v1/incidents"): Case(
        act("incident.report"),
        {"summary": "画面に脅迫文が出ている", "company_id": 0},
        ids={"company_id": "company_id"},
        ignored_by={"company_id": only(Role.POLICYHOLDER)},  # it reports for its own
    ),
    ("GET", "/api/v1/incidents"): Case(act("incident.read")),
    ("GET", "/api/v1/incidents/queue"): Case(act("incident.manage")),
    ("POST", "/api/v1/incidents/escalations"): Case(act("incident.remind")),
    ("POST", "/api/v1/incidents/reminders"): Case(act("incident.remind")),
    ("GET", "/api/v1/incidents/{incident_id}"): Case(act("incident.read")),
    ("POST", "/api/v1/incidents/{incident_id}/link"): Case(
        act("incident.manage"),
        {"to_incident_id": 0, "reason": "同じ事故"},
        ids={"to_incident_id": "incident_id"},
    ),
    ("POST", "/api/v1/incidents/{incident_id}/unlink"): Case(
        act("incident.manage"), {"reason": "別の事故"}
    ),
    ("GET", "/api/v1/incidents/{incident_id}/timeline"): Case(act("incident.case")),
    ("GET", "/api/v1/incidents/{incident_id}/deadlines"): Case(act("incident.case")),
    ("GET", "/api/v1/incidents/{incident_id}/documents/report.pdf"): Case(act("incident.case")),
    ("PUT", "/api/v1/incidents/{incident_id}/hearing"): Case(
        act("incident.manage"), {"ransom_demand": True}
    ),
    ("POST", "/api/v1/incidents/{incident_id}/advice"): Case(act("incident.manage")),
    ("POST", "/api/v1/incidents/{incident_id}/hand-over"): Case(act("incident.manage")),
    ("POST", "/api/v1/incidents/{incident_id}/dispatches"): Case(
        act("incident.manage"),
        {"partner_id": 0, "service": "investigation"},
        ids={"partner_id": "partner_org"},
    ),
    ("POST", "/api/v1/deadlines/{deadline_id}/done"): Case(act("incident.manage")),
    ("GET", "/api/v1/dispatches"): Case(act("incident.read")),
    ("POST", "/api/v1/dispatches/{dispatch_id}/response"): Case(
        act("dispatch.respond"), {"accept": True}
    ),
    ("POST", "/api/v1/dispatches/{dispatch_id}/work"): Case(
        act("dispatch.respond"), {"note": "ログを保全した", "hours": "2"}
    ),
    ("POST", "/api/v1/dispatches/{dispatch_id}/costs"): Case(
        act("dispatch.respond"),
        {
            "kind": "invoice",
            "description": "調査費用",
            "amount_ex_tax": 1_000,
            "registration_number": "T7000012050002",
        },
    ),
    ("POST", "/api/v1/costs/{cost_id}/decision"): Case(act("cost.approve"), {"approve": True}),
    ("GET", "/api/v1/partners"): Case(act("partner.read")),
    ("POST", "/api/v1/partners"): Case(
        act("partner.manage"),
        {
            "organisation_id": 0,
            "services": ["investigation"],
            "registration_number": "T7000012050002",
            "contact_email": "p@partner.jp",
        },
        ids={"organisation_id": "partner_org"},
    ),
    # claims
    ("POST", "/api/v1/claims"): Case(
        act("claim.manage"),
        {"incident_id": 0},
        ids={"incident_id": "incident_id", "policy_id": "policy_id"},
        id_bodies={"policy_id": {"policy_id": 0, "accident_at": "2026-05-01T10:00:00+09:00"}},
    ),
    ("GET", "/api/v1/claims/{claim_id}"): Case(act("claim.read")),
    ("POST", "/api/v1/claims/{claim_id}/items"): Case(
        act("claim.manage"), {"coverage": "liability", "category": "damages", "amount": 1_000}
    ),
    ("POST", "/api/v1/claims/{claim_id}/adjudications"): Case(act("claim.manage")),
    ("POST", "/api/v1/claims/{claim_id}/reserves"): Case(
        act("claim.manage"), {"coverage": "liability", "amount": 6_000_000, "reason": "見込み"}
    ),
    # a payment names its part, amount and payee (issue #17): 1,000 of ① to the victim,
    # within the world's open reserve and the item the matrix added just before
    ("POST", "/api/v1/claims/{claim_id}/payments"): Case(
        act("claim.manage"),
        {
            "idempotency_key": "adversarial",
            "coverage": "liability",
            "amount": 1_000,
            "payee_kind": "third_party",
            "payee_name": "被害者",
        },
    ),
    ("POST", "/api/v1/payments/{payment_id}/approval"): Case(act("claim.manage")),
    ("GET", "/api/v1/policies/{policy_id}/limits"): Case(act("policy.read")),
    ("POST", "/api/v1/policies/{policy_id}/circumstance-notices"): Case(
        act("claim.manage"), {"description": "委託先の侵害の兆候 / a vendor's breach"}
    ),
    ("POST", "/api/v1/payments/{payment_id}/undo"): Case(
        act("claim.manage"), {"reason": "二重に依頼した"}
    ),
    ("POST", "/api/v1/loss-items/{item_id}/correction"): Case(
        act("claim.manage"), {"reason": "請求額の訂正", "amount": 4_000_000}
    ),
    ("POST", "/api/v1/claims/{claim_id}/profit-loss"): Case(
        act("claim.manage"), {"standard_revenue": 1}
    ),
    ("POST", "/api/v1/claims/{claim_id}/documents-complete"): Case(act("claim.manage")),
    ("POST", "/api/v1/claims/{claim_id}/recoveries"): Case(
        act("claim.manage"), {"amount": 1, "from_party": "攻撃者"}
    ),
    # the handler attaches documents here; the insured sends its own through its page
    # (/my/claims/{claim_id}/documents)
    ("POST", "/api/v1/claims/{claim_id}/documents"): Case(act("claim.manage"), UPLOAD),
    ("GET", "/api/v1/claims/{claim_id}/documents/settlement.pdf"): Case(act("claim.read")),
    # the claim lifecycle (issue #17, rule 7): services/claim_lifecycle.py
    ("GET", "/api/v1/claims"): Case(act("claim.read")),
    ("POST", "/api/v1/claims/{claim_id}/close"): Case(act("claim.manage"), {"reason": "終了"}),
    ("POST", "/api/v1/claims/{claim_id}/deny"): Case(
        act("claim.manage"),
        {
            "reason_code": "not_covered",
            "clause": "第1条",
            "reason_ja": "補償対象外",
            "reason_en": "not covered",
            "internal_note": "社内メモ",
        },
    ),
    ("POST", "/api/v1/claims/{claim_id}/reopen"): Case(act("claim.manage"), {"reason": "再開"}),
    ("GET", "/api/v1/claims/{claim_id}/transactions"): Case(act("claim.read")),
    # the world's claim is never denied (a payment waits for approval there, so a denial
    # is refused): its letter is 404 for every role. The insured's own letter (200) and
    # another company's (404) are in tests/integration/test_claim_lifecycle.py
    ("GET", "/api/v1/claims/{claim_id}/denial-letter.pdf"): Case(frozenset()),
    ("GET", "/api/v1/reports/bordereau.csv"): Case(act("report.read")),
    ("GET", "/api/v1/reports/loss-ratio"): Case(
        act("report.read"), query={"at": "2026-12-31T00:00:00+09:00"}
    ),
    # documents
    ("GET", "/api/v1/submissions/{submission_id}/documents/quote.pdf"): Case(
        act("submission.read")
    ),
    ("GET", "/api/v1/policies/{policy_id}/documents/schedule.pdf"): Case(act("policy.read")),
    # the risk model and the audit log
    ("POST", "/api/v1/risk/runs"): Case(act("risk.run"), {"years": 100}),
    ("GET", "/api/v1/risk/runs/latest"): Case(act("risk.read")),
    ("GET", "/api/v1/risk/runs/latest/ep-curve.svg"): Case(act("risk.read")),
    ("GET", "/api/v1/audit"): Case(act("audit.read")),
    ("GET", "/api/v1/audit/verify"): Case(act("audit.read")),
}

PAGES: dict[tuple[str, str], Case] = {
    ("GET", "/"): Case(EVERYONE),
    ("GET", "/login"): Case(EVERYONE, public=True),
    ("POST", "/login"): Case(EVERYONE, public=True),
    ("POST", "/logout"): Case(EVERYONE, last=True),
    ("GET", "/lang/{lang}"): Case(EVERYONE, public=True, literal={"lang": "en"}),
    ("GET", "/my"): Case(act("policy.read", "incident.read", "claim.read")),
    ("POST", "/my/claims/{claim_id}/documents"): Case(act("claim.read"), UPLOAD),
    ("GET", "/policies/{policy_id}"): Case(act("policy.read")),
    ("POST", "/policies/{policy_id}/issue"): Case(act("policy.bind"), {}),
    ("POST", "/policies/{policy_id}/endorse"): Case(
        act("policy.change"),
        {
            "effective_date": "2026-06-01",
            "option.label": "plan 1",
            "option.limits.liability": "200000000",
            "option.limits.response_costs": "50000000",
        },
    ),
    ("POST", "/policies/{policy_id}/renew"): Case(act("policy.change"), {}),
    ("POST", "/endorsements/{transaction_id}/apply"): Case(act("policy.change"), {}),
    ("POST", "/policies/{policy_id}/cancel"): Case(
        act("policy.change"), {"effective_date": "2026-09-01", "by": "insured", "reason": "廃業"}
    ),
    ("POST", "/policies/{policy_id}/reinstate"): Case(act("policy.change"), {"reason": "撤回"}),
    ("POST", "/policies/{policy_id}/invoices/{invoice_id}/payment"): Case(
        act("billing.record_payment"), {"amount": "1"}
    ),
    ("GET", "/agent"): Case(act("company.read", "submission.read", "policy.read")),
    ("POST", "/agent/companies"): Case(
        act("company.create"),
        {"corporate_number": "7000012050002", "name": "株式会社甲テスト製作所"},
    ),
    ("POST", "/submissions"): Case(
        act("submission.write", "company.read"),
        {"company_id": "0", "start_date": "2026-06-01"},
        ids={"company_id": "company_id"},
    ),
    ("GET", "/submissions/{submission_id}"): Case(act("submission.read")),
    ("POST", "/submissions/{submission_id}/disclosure"): Case(
        act("submission.write"), {f"disclosure.{k}": str(v) for k, v in CLEAN_ANSWERS.items()}
    ),
    ("POST", "/submissions/{submission_id}/quote"): Case(
        act("quote.create"),
        {
            "options[0].label": "plan 1",
            "options[0].limits.liability": "100000000",
            "options[0].limits.response_costs": "30000000",
        },
    ),
    ("POST", "/submissions/{submission_id}/prebind"): Case(
        act("submission.write"), {"application": "yes"}
    ),
    ("POST", "/quotes/{quote_id}/bind"): Case(
        act("policy.bind"), {"payment_plan": "lump_sum", "payment_method": "invoice"}
    ),
    ("GET", "/agent/commission"): Case(only(Role.AGENT), query={"month": "2026-04"}),
    ("GET", "/underwriting"): Case(act("underwriting.decide")),
    ("POST", "/underwriting/issues/{issue_id}"): Case(
        act("underwriting.decide"), {"kind": "clear", "reason": "確認済み"}
    ),
    ("GET", "/incidents/new"): Case(act("incident.report")),
    ("POST", "/incidents"): Case(act("incident.report"), {"summary": "ファイルが開けない"}),
    ("GET", "/incidents/{incident_id}"): Case(act("incident.case")),
    ("POST", "/incidents/{incident_id}/hearing"): Case(
        act("incident.manage"), {"hearing.ransom_demand": "yes"}
    ),
    ("POST", "/incidents/{incident_id}/link"): Case(
        act("incident.manage"),
        {"to_incident_id": "0", "reason": "同じ事故"},
        ids={"to_incident_id": "incident_id"},
    ),
    ("POST", "/incidents/{incident_id}/unlink"): Case(act("incident.manage"), {"reason": "別"}),
    ("POST", "/incidents/{incident_id}/advice"): Case(act("incident.manage"), {}),
    ("POST", "/incidents/{incident_id}/hand-over"): Case(act("incident.manage"), {}),
    ("POST", "/incidents/{incident_id}/deadlines/{deadline_id}"): Case(act("incident.manage"), {}),
    ("POST", "/incidents/{incident_id}/dispatches"): Case(
        act("incident.manage"), lambda w: {"partner_service": f"{w['partner_org']}:investigation"}
    ),
    ("POST", "/incidents/{incident_id}/costs/{cost_id}"): Case(
        act("cost.approve"), {"approve": "yes"}
    ),
    ("GET", "/desk"): Case(act("incident.manage")),
    ("GET", "/desk/queue"): Case(act("incident.manage")),
    ("GET", "/partner"): Case(act("incident.read")),
    ("POST", "/dispatches/{dispatch_id}/response"): Case(
        act("dispatch.respond"), {"accept": "yes"}
    ),
    ("POST", "/dispatches/{dispatch_id}/work"): Case(
        act("dispatch.respond"), {"note": "調査中", "hours": "1"}
    ),
    ("POST", "/dispatches/{dispatch_id}/costs"): Case(
        act("dispatch.respond"),
        {
            "kind": "invoice",
            "description": "調査",
            "amount_ex_tax": "1000",
            "tax_rate_percent": "10",
            "registration_number": "T7000012050002",
        },
    ),
    ("GET", "/claims"): Case(act("claim.read")),
    ("POST", "/claims"): Case(
        act("claim.manage"), {"incident_id": "0"}, ids={"incident_id": "incident_id"}
    ),
    ("POST", "/claims/notices"): Case(
        act("claim.manage"),
        {"policy_id": "0", "description": "委託先の侵害の兆候"},
        ids={"policy_id": "policy_id"},
    ),
    ("GET", "/claims/{claim_id}"): Case(act("claim.read")),
    ("POST", "/claims/{claim_id}/items"): Case(
        act("claim.manage"), {"coverage": "liability", "category": "damages", "amount": "1000"}
    ),
    ("POST", "/claims/{claim_id}/adjudication"): Case(act("claim.manage"), {}),
    ("POST", "/claims/{claim_id}/reserves"): Case(
        act("claim.manage"), {"coverage": "liability", "amount": "6000000", "reason": "見込み"}
    ),
    ("POST", "/claims/{claim_id}/payments"): Case(
        act("claim.manage"),
        {
            "idempotency_key": "page-payment",
            "coverage": "liability",
            "amount": "1000",
            "payee_kind": "third_party",
            "payee_name": "被害者",
        },
    ),
    ("POST", "/claims/{claim_id}/documents-complete"): Case(act("claim.manage"), {}),
    ("POST", "/claims/{claim_id}/recoveries"): Case(
        act("claim.manage"), {"amount": "1", "from_party": "攻撃者"}
    ),
    ("POST", "/claims/{claim_id}/payments/{payment_id}/approval"): Case(act("claim.manage"), {}),
    ("POST", "/claims/{claim_id}/payments/{payment_id}/undo"): Case(
        act("claim.manage"), {"reason": "取消"}
    ),
    ("POST", "/claims/{claim_id}/items/{item_id}/correction"): Case(
        act("claim.manage"), {"action": "amend", "amount": "4000000", "reason": "訂正"}
    ),
    ("POST", "/claims/{claim_id}/close"): Case(act("claim.manage"), {"reason": "終了"}),
    ("POST", "/claims/{claim_id}/deny"): Case(
        act("claim.manage"),
        {"reason_code": "other", "clause": "第1条", "reason_ja": "理由", "reason_en": "why"},
    ),
    ("POST", "/claims/{claim_id}/reopen"): Case(act("claim.manage"), {"reason": "再開"}),
    ("GET", "/admin"): Case(act("user.manage")),
    ("GET", "/audit"): Case(act("audit.read")),
    ("POST", "/admin/users"): Case(
        act("user.manage"),
        lambda w: {
            "organisation_id": str(w["company_org"]),
            "email": "page-new@a.jp",
            "display_name": "new",
            "role": "policyholder",
            "password": "correct horse battery",
        },
    ),
    ("POST", "/admin/users/{user_id}/deactivate"): Case(act("user.manage"), {}),
    ("POST", "/admin/users/{user_id}/activate"): Case(act("user.manage"), {}),
    ("POST", "/admin/partners"): Case(
        act("partner.manage"),
        lambda w: {
            "organisation_id": str(w["partner_org"]),
            "services": "investigation",
            "regions": "全国",
            "registration_number": "T7000012050002",
            "contact_email": "p@partner.jp",
        },
    ),
    ("POST", "/admin/organisations"): Case(
        act("organisation.manage"), {"kind": "agency", "code": "page-agency", "name": "代理店"}
    ),
    ("GET", "/portfolio"): Case(act("risk.read")),
    ("POST", "/portfolio/runs"): Case(act("risk.run"), {"years": "100"}),
}

# the routes that are not the product's: the API's own description and the health check
INFRASTRUCTURE = {
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
    ("GET", "/healthz"),
}

# path parameter → which of the world's objects it names (the key in World.own/foreign)
PATH_OBJECTS = {
    "company_id": "company_id",
    "submission_id": "submission_id",
    "quote_id": "quote_id",
    "issue_id": "issue_id",
    "policy_id": "policy_id",
    "invoice_id": "invoice_id",
    "transaction_id": "transaction_id",
    "agency_id": "agency_id",
    "incident_id": "incident_id",
    "deadline_id": "deadline_id",
    "dispatch_id": "dispatch_id",
    "cost_id": "cost_id",
    "claim_id": "claim_id",
    "item_id": "item_id",
    "payment_id": "payment_id",
    "user_id": "user_id",
    "token_id": "token_id",
}

BodyMaker = Callable[[dict[str, Any]], Any]
