"""Endorsements are underwriting (issue #17, rule 3), through the HTTP API and the pages.

A change of limits, revenue or disclosure answers runs the product's underwriting rules
as new business does; its issues are decided with the same authority, and the
endorsement is applied only when none is open or declined. A clearance holds for the
facts it was given for: on other facts the issue opens again.

Thresholds and authorities are the product file's (products/cyber-sj22-13328.toml,
``[[underwriting.rules]]``, docs/underwriting.md), written here:

- ``high_liability_limit``: ``limits.liability > 500,000,000`` → refer, blocks the quote,
  ``senior_underwriter`` (level 2);
- ``large_revenue``: ``company.annual_revenue > 10,000,000,000`` → refer, blocks the
  quote, ``senior_underwriter`` (2);
- ``prior_incidents``: ``prior_incidents_3y >= 1`` → refer, ``underwriter`` (1);
- ``repeated_incidents``: ``prior_incidents_3y >= 3`` → decline, ``senior_underwriter``;
- ``no_mfa``: ``mfa = false`` → refer, blocks the bind, ``underwriter`` (1).
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from cybercover.services.people import bootstrap_admin
from tests.factories import CLEAN_ANSWERS
from tests.integration.api_helpers import PASSWORD, bearer, ok, signed_in
from tests.integration.conftest import AppFactory, FakeClock
from tests.integration.test_lifecycle_api import COMPANY, PLAN_1, people

LIABILITY_THRESHOLD = 500_000_000  # high_liability_limit: limits.liability > ¥500M
REVENUE_THRESHOLD = 10_000_000_000  # large_revenue: company.annual_revenue > ¥10B
PREBIND = [
    ("important_matters", "explained"),
    ("intention_confirmation", "confirmed"),
    ("application", "received"),
    ("antisocial_check", "clear"),
]


def _issued_policy(
    client: TestClient, t: dict[str, dict[str, str]], answers: dict[str, Any]
) -> dict[str, Any]:
    """A policy on plan ① (liability ¥100M), issued from 1 April 2026; an issue the
    answers raise is cleared by the junior underwriter (level 1) before binding."""
    agent, junior = t["agent@lac.jp"], t["junior@insurer.jp"]
    company = ok(client.post("/api/v1/companies", headers=agent, json=COMPANY), 201)
    sid = ok(
        client.post(
            "/api/v1/submissions",
            headers=agent,
            json={"company_id": company["id"], "start_date": "2026-04-01"},
        ),
        201,
    )["id"]
    ok(client.patch(f"/api/v1/submissions/{sid}", headers=agent, json={"disclosure": answers}))
    quoted = ok(
        client.post(f"/api/v1/submissions/{sid}/quotes", headers=agent, json={"options": [PLAN_1]}),
        201,
    )
    for issue in quoted["issues"]:
        ok(
            client.post(
                f"/api/v1/underwriting-issues/{issue['id']}/decision",
                headers=junior,
                json={"kind": "clear", "reason": "確認済み / checked"},
            )
        )
    for kind, result in PREBIND:
        ok(
            client.post(
                f"/api/v1/submissions/{sid}/prebind",
                headers=agent,
                json={"kind": kind, "result": result},
            )
        )
    policy = ok(
        client.post(
            f"/api/v1/quotes/{quoted['quotes'][0]['id']}/bind",
            headers=agent,
            json={"payment_plan": "lump_sum", "payment_method": "invoice"},
        ),
        201,
    )
    return dict(ok(client.post(f"/api/v1/policies/{policy['id']}/issue", headers=agent)))


def _setup(
    make_app_for_test: AppFactory, answers: dict[str, Any]
) -> tuple[Any, TestClient, dict[str, dict[str, str]], dict[str, Any]]:
    app = make_app_for_test()
    bootstrap_admin(app.state.db, email="admin@example.jp", password=PASSWORD)
    client = TestClient(app)
    t = people(client)
    return app, client, t, _issued_policy(client, t, answers)


def _fresh_tokens(client: TestClient, t: dict[str, dict[str, str]]) -> None:
    for email in ("agent@lac.jp", "agent@other.jp", "junior@insurer.jp", "chief@insurer.jp"):
        t[email] = bearer(client, email)  # API tokens last 90 days


def test_raising_liability_above_the_threshold_is_referred_until_a_senior_clears_it(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    # new business without MFA: no_mfa cleared by the junior underwriter before binding
    _app, client, t, policy = _setup(make_app_for_test, {**CLEAN_ANSWERS, "mfa": False})
    pid, premium = policy["id"], policy["annual_premium"]
    clock.advance(days=100)  # 10 June 2026
    _fresh_tokens(client, t)
    agent, junior, chief = t["agent@lac.jp"], t["junior@insurer.jp"], t["chief@insurer.jp"]

    raised = LIABILITY_THRESHOLD * 2  # ¥1B > ¥500M
    endorsement = ok(
        client.post(
            f"/api/v1/policies/{pid}/endorsements",
            headers=agent,
            json={
                "effective_date": "2026-07-01",
                "option": {**PLAN_1, "limits": {"liability": raised, "response_costs": 30_000_000}},
            },
        ),
        201,
    )
    assert endorsement["status"] == "referred"
    issues = {i["rule_code"]: i for i in endorsement["issues"]}
    high = issues["high_liability_limit"]
    assert (high["status"], high["blocking_point"]) == ("open", "quote")
    assert high["facts"] == {"limits.liability": str(raised)}
    assert high["policy_transaction_id"] == endorsement["id"]
    assert "authority" not in high and "history" not in high  # the agent's view
    # the policy's facts did not change for no_mfa: its clearance carries over
    assert issues["no_mfa"]["status"] == "cleared"
    # priced as new business: (new annual − old annual) × 274 days left / 365, floored
    after = endorsement["changes"]["annual_premium_after"]
    assert after > premium
    assert endorsement["premium_delta"] == (after - premium) * 274 // 365

    apply_url = f"/api/v1/endorsements/{endorsement['id']}/apply"
    refused = client.post(apply_url, headers=agent)
    assert refused.status_code == 409 and refused.json()["rule"] == "underwriting_issues_open"
    assert "high_liability_limit" in refused.json()["detail"]
    assert "no_mfa" not in refused.json()["detail"]

    # the referral queue on the API (the /underwriting page's list): the endorsement is
    # there with its open issue; an agent may not read the queue
    queue = ok(client.get("/api/v1/underwriting-issues/queue", headers=junior))
    (entry,) = [q for q in queue if q.get("endorsement")]
    assert entry["endorsement"]["id"] == endorsement["id"]
    assert [i["rule_code"] for i in entry["issues"] if i["status"] == "open"] == [
        "high_liability_limit"
    ]
    assert client.get("/api/v1/underwriting-issues/queue", headers=agent).status_code == 403

    decision_url = f"/api/v1/underwriting-issues/{high['id']}/decision"
    decision = {"kind": "clear", "reason": "実際のリスクを確認 / actual risk reviewed"}
    # an agent may not decide; an underwriter below the rule's authority is refused
    assert client.post(decision_url, headers=agent, json=decision).status_code == 403
    other_agent = client.post(decision_url, headers=t["agent@other.jp"], json=decision)
    assert other_agent.status_code in (403, 404)
    below = client.post(decision_url, headers=junior, json=decision)
    assert below.status_code == 403 and below.json()["type"].endswith("insufficient-authority")
    assert client.post(apply_url, headers=agent).status_code == 409

    cleared = ok(client.post(decision_url, headers=chief, json=decision))
    assert cleared["status"] == "cleared"
    assert cleared["history"][-1]["facts_cleared"] == {"limits.liability": str(raised)}
    assert cleared["history"][-1]["authority_required"] == 2
    now = ok(client.get(f"/api/v1/endorsements/{endorsement['id']}", headers=agent))
    assert now["status"] == "quoted"

    applied = ok(client.post(apply_url, headers=agent))
    assert applied["terms"]["limits"]["liability"] == raised
    assert applied["annual_premium"] == after
    assert applied["written_premium"] == premium + endorsement["premium_delta"]
    # the chief's clearance, for the same facts, carries to the next endorsement
    again = ok(
        client.post(
            f"/api/v1/policies/{pid}/endorsements",
            headers=agent,
            json={"effective_date": "2026-08-01"},  # no option: the terms in force
        ),
        201,
    )
    assert again["status"] == "quoted"
    assert {i["rule_code"]: i["status"] for i in again["issues"]} == {
        "high_liability_limit": "cleared",
        "no_mfa": "cleared",
    }


def test_a_declinable_disclosure_on_an_endorsement_declines_it(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    _app, client, t, policy = _setup(make_app_for_test, CLEAN_ANSWERS)
    clock.advance(days=100)
    _fresh_tokens(client, t)
    agent = t["agent@lac.jp"]
    pid = policy["id"]

    # bad input: named by field and rule, nothing written
    bad = client.post(
        f"/api/v1/policies/{pid}/endorsements",
        headers=agent,
        json={
            "effective_date": "2026-07-01",
            "company": {"annual_revenue": -1, "industry_group": "99x", "name": "x"},
            "disclosure": {"mfa": "maybe"},
        },
    )
    assert bad.status_code == 422
    assert {(p["field"], p["rule"]) for p in bad.json()["errors"]} == {
        ("company.annual_revenue", "greater_than_equal"),
        ("company.industry_group", "value_error"),
        ("company.name", "extra_forbidden"),
    }
    bad = client.post(
        f"/api/v1/policies/{pid}/endorsements",
        headers=agent,
        json={"effective_date": "2026-07-01", "disclosure": {"mfa": "maybe"}},
    )
    assert bad.status_code == 422
    assert [p["field"] for p in bad.json()["errors"]] == ["disclosure.mfa"]
    assert [
        x["kind"] for x in ok(client.get(f"/api/v1/policies/{pid}", headers=agent))["transactions"]
    ] == ["issue"]

    # three incidents in three years (repeated_incidents: ≥ 3, decline)
    declined = ok(
        client.post(
            f"/api/v1/policies/{pid}/endorsements",
            headers=agent,
            json={"effective_date": "2026-07-01", "disclosure": {"prior_incidents_3y": 3}},
        ),
        201,
    )
    assert declined["status"] == "declined"
    statuses = {i["rule_code"]: i["status"] for i in declined["issues"]}
    assert statuses == {"repeated_incidents": "declined", "prior_incidents": "open"}
    assert declined["changes"]["disclosure_before"] == {"prior_incidents_3y": 0}
    assert declined["changes"]["disclosure_after"] == {"prior_incidents_3y": 3}
    refused = client.post(f"/api/v1/endorsements/{declined['id']}/apply", headers=agent)
    assert refused.status_code == 409
    assert "repeated_incidents" in refused.json()["detail"]
    held = ok(client.get(f"/api/v1/policies/{pid}", headers=agent))
    assert held["terms"] == policy["terms"] and held["annual_premium"] == policy["annual_premium"]


def test_a_revenue_change_on_an_endorsement_is_referred_and_applied_to_the_company(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    _app, client, t, policy = _setup(make_app_for_test, CLEAN_ANSWERS)
    clock.advance(days=100)
    _fresh_tokens(client, t)
    agent, chief = t["agent@lac.jp"], t["chief@insurer.jp"]
    revenue = REVENUE_THRESHOLD + 5_000_000_000  # ¥15B > ¥10B
    endorsement = ok(
        client.post(
            f"/api/v1/policies/{policy['id']}/endorsements",
            headers=agent,
            json={"effective_date": "2026-07-01", "company": {"annual_revenue": revenue}},
        ),
        201,
    )
    assert endorsement["status"] == "referred"
    (issue,) = endorsement["issues"]
    assert issue["rule_code"] == "large_revenue"
    assert issue["facts"] == {"company.annual_revenue": str(revenue)}
    # rated on the new revenue: more premium than the ¥500M company's
    assert endorsement["changes"]["annual_premium_after"] > policy["annual_premium"]
    company_id = policy["company_id"]
    assert ok(client.get(f"/api/v1/companies/{company_id}", headers=agent))["annual_revenue"] == (
        500_000_000
    )  # a quote changes nothing
    ok(
        client.post(
            f"/api/v1/underwriting-issues/{issue['id']}/decision",
            headers=chief,
            json={"kind": "clear", "reason": "決算書を確認 / accounts checked"},
        )
    )
    ok(client.post(f"/api/v1/endorsements/{endorsement['id']}/apply", headers=agent))
    assert ok(client.get(f"/api/v1/companies/{company_id}", headers=agent))["annual_revenue"] == (
        revenue
    )


def test_a_cleared_referral_reopens_when_its_facts_change_and_holds_otherwise(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    app = make_app_for_test()
    bootstrap_admin(app.state.db, email="admin@example.jp", password=PASSWORD)
    client = TestClient(app)
    t = people(client)
    agent, chief = t["agent@lac.jp"], t["chief@insurer.jp"]
    revenue = 20_000_000_000  # ¥20B > ¥10B (and below the rate table's ¥100B top)
    company = ok(
        client.post(
            "/api/v1/companies", headers=agent, json={**COMPANY, "annual_revenue": revenue}
        ),
        201,
    )
    sid = ok(
        client.post(
            "/api/v1/submissions",
            headers=agent,
            json={"company_id": company["id"], "start_date": "2026-04-01"},
        ),
        201,
    )["id"]
    answers = {**CLEAN_ANSWERS, "prior_incidents_3y": 1}  # prior_incidents: ≥ 1, refer
    ok(client.patch(f"/api/v1/submissions/{sid}", headers=agent, json={"disclosure": answers}))

    def quote() -> dict[str, Any]:
        return dict(
            ok(
                client.post(
                    f"/api/v1/submissions/{sid}/quotes", headers=agent, json={"options": [PLAN_1]}
                ),
                201,
            )
        )

    def issue(result: dict[str, Any], code: str) -> dict[str, Any]:
        return dict(next(i for i in result["issues"] if i["rule_code"] == code))

    first = quote()
    assert first["status"] == "referred"
    for code in ("large_revenue", "prior_incidents"):
        ok(
            client.post(
                f"/api/v1/underwriting-issues/{issue(first, code)['id']}/decision",
                headers=chief,
                json={"kind": "clear", "reason": "確認済み / checked"},
            )
        )
    # the same facts: both clearances hold, the quote is given
    second = quote()
    assert second["status"] == "quoted"
    assert {issue(second, c)["status"] for c in ("large_revenue", "prior_incidents")} == {"cleared"}
    # an answer no rule looks at changes: still cleared
    ok(
        client.patch(
            f"/api/v1/submissions/{sid}",
            headers=agent,
            json={"disclosure": {"security_officer": "CISO 佐藤花子"}},
        )
    )
    third = quote()
    assert third["status"] == "quoted"
    assert issue(third, "large_revenue")["status"] == "cleared"
    assert issue(third, "prior_incidents")["status"] == "cleared"

    # the revenue the rule looked at changes: large_revenue opens again, with why
    ok(
        client.put(
            f"/api/v1/companies/{company['id']}",
            headers=agent,
            json={**COMPANY, "annual_revenue": 30_000_000_000},
        )
    )
    fourth = quote()
    assert fourth["status"] == "referred"
    reopened = ok(client.get(f"/api/v1/submissions/{sid}", headers=chief))
    large = issue(reopened, "large_revenue")
    assert large["status"] == "open"
    assert large["history"][-1]["decision"] == "reopen"
    assert large["history"][-1]["facts_cleared"] == {"company.annual_revenue": str(revenue)}
    assert large["history"][-1]["facts_now"] == {"company.annual_revenue": "30000000000"}
    assert issue(reopened, "prior_incidents")["status"] == "cleared"  # its facts held

    # the answer the other rule looked at changes: prior_incidents opens again too
    ok(
        client.patch(
            f"/api/v1/submissions/{sid}",
            headers=agent,
            json={"disclosure": {"prior_incidents_3y": 2}},
        )
    )
    fifth = quote()
    assert issue(fifth, "prior_incidents")["status"] == "open"


def test_the_pages_show_the_endorsements_issues_and_offer_apply_only_when_nothing_blocks(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    app, _client, _t, policy = _setup(make_app_for_test, CLEAN_ANSWERS)
    clock.advance(days=100)
    pid = policy["id"]
    page, csrf = signed_in(app, "agent@lac.jp")
    form = {
        "csrf_token": csrf,
        "effective_date": "2026-07-01",
        "option.label": "異動",
        "option.limits.liability": "1,000,000,000",
        "option.limits.response_costs": "30000000",
        "option.deductibles.liability": "100000",
        "option.deductibles.response_costs": "100000",
    }
    referred = page.post(f"/policies/{pid}/endorse", data=form)
    assert referred.status_code == 200
    assert "異動は引受担当者の確認待ちです" in referred.text
    assert 'data-rule="high_liability_limit"' in referred.text
    assert "異動を反映する" not in referred.text  # no apply while an issue is open

    underwriter, uw_csrf = signed_in(app, "chief@insurer.jp")
    queue = underwriter.get("/underwriting").text
    assert "data-endorsement=" in queue and 'data-rule="high_liability_limit"' in queue
    issue_id = int(queue.split('action="/underwriting/issues/')[1].split('"')[0])
    decided = underwriter.post(
        f"/underwriting/issues/{issue_id}",
        data={"csrf_token": uw_csrf, "kind": "clear", "reason": "確認済み"},
    )
    assert decided.status_code == 200 and "data-endorsement=" not in decided.text

    ready = page.get(f"/policies/{pid}").text
    assert "異動を反映する" in ready
    tx_id = int(ready.split('action="/endorsements/')[1].split("/")[0])
    applied = page.post(f"/endorsements/{tx_id}/apply", data={"csrf_token": csrf})
    assert "異動を反映しました。" in applied.text
    assert "反映待ちの異動" not in applied.text


def test_lowered_limits_on_an_endorsement_are_quoted_again_and_keep_their_clearance(
    make_app_for_test: AppFactory, clock: FakeClock
) -> None:
    _app, client, t, policy = _setup(make_app_for_test, CLEAN_ANSWERS)
    clock.advance(days=100)
    _fresh_tokens(client, t)
    agent, chief = t["agent@lac.jp"], t["chief@insurer.jp"]
    pid = policy["id"]

    def endorse(liability: int) -> dict[str, Any]:
        return dict(
            ok(
                client.post(
                    f"/api/v1/policies/{pid}/endorsements",
                    headers=agent,
                    json={
                        "effective_date": "2026-07-01",
                        "option": {
                            **PLAN_1,
                            "limits": {"liability": liability, "response_costs": 30_000_000},
                        },
                    },
                ),
                201,
            )
        )

    asked = endorse(1_000_000_000)
    (issue,) = asked["issues"]
    # the chief offers ¥800M: still above ¥500M, accepted at that figure
    lowered = ok(
        client.post(
            f"/api/v1/underwriting-issues/{issue['id']}/decision",
            headers=chief,
            json={
                "kind": "lower_limits",
                "reason": "実際のリスクに応じて",
                "limits": {"liability": 800_000_000},
            },
        )
    )
    assert lowered["status"] == "cleared"
    assert lowered["history"][-1]["facts_cleared"] == {"limits.liability": "800000000"}
    superseded = ok(client.get(f"/api/v1/endorsements/{asked['id']}", headers=agent))
    assert superseded["status"] == "superseded"
    assert superseded["changes"]["offered_limits"]["liability"] == 800_000_000
    refused = client.post(f"/api/v1/endorsements/{asked['id']}/apply", headers=agent)
    assert refused.status_code == 409 and refused.json()["rule"] == "not_quoted"
    # a decision on an issue of a superseded endorsement is refused
    closed = client.post(
        f"/api/v1/underwriting-issues/{issue['id']}/decision",
        headers=chief,
        json={"kind": "decline", "reason": "x"},
    )
    assert closed.status_code == 409 and closed.json()["rule"] == "endorsement_closed"
    # quoted again at the limit offered: the clearance for those facts carries over
    offered = endorse(800_000_000)
    assert offered["status"] == "quoted"
    assert [(i["rule_code"], i["status"]) for i in offered["issues"]] == [
        ("high_liability_limit", "cleared")
    ]
    # asking for more than offered is a new fact: referred again
    assert endorse(900_000_000)["status"] == "referred"
    ok(client.post(f"/api/v1/endorsements/{offered['id']}/apply", headers=agent))
