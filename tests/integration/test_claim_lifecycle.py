"""The claim lifecycle (issue #17, rule 7) through the API, the pages and the services:
open → denied with its reason and clause → items refused → reopened with a reason →
closed; the denial letter for the insured and nobody else; what the insured (and an
agent or partner) never sees — reserves, internal notes, who did what; the claims list
by status, policy and handler; the pages offering exactly the transitions allowed; a
payment and its reversal moving the status."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from cybercover.claims.lifecycle import TransitionRefused
from cybercover.errors import ConflictError
from cybercover.services import claim_lifecycle as lifecycle
from cybercover.services import visibility as table
from cybercover.services.authz import SYSTEM, Actor
from cybercover.services.claim_lifecycle import (
    claim_lifecycle,
    claim_transactions,
    close_claim,
    deny_claim,
    ensure_open_for_money,
    record_money_event,
    reopen_claim,
)
from cybercover.services.claims import (
    INITIAL_RESERVE_REASON,
    add_loss_item,
    get_claim,
    list_claims,
    open_claim,
    set_reserve,
    undo_payment,
)
from cybercover.services.people import authenticate, create_user
from cybercover.services.scope import load_claim
from cybercover.services.uow import Database
from cybercover.storage.models import AuditRecord, Claim, ClaimStatusChange
from tests.integration.api_helpers import PASSWORD, bearer, signed_in
from tests.integration.conftest import AppFactory, FakeClock
from tests.integration.test_claims import ACCIDENT, handlers, pay, travel
from tests.integration.test_desk_api import seed
from tests.security.test_visibility import unclassified
from tests.unit.documents.pdftext import has, text_of

INTERNAL = "社内メモ：故意の疑いあり、調査継続 INTERNAL-NOTE"
RESERVE_REASON = "保守的な見積り RESERVE-NOTE"
RESERVE = 7_654_321
SECRETS = (INTERNAL, "INTERNAL-NOTE", RESERVE_REASON, "RESERVE-NOTE", "7654321", "7,654,321")
DENIAL = {
    "reason_code": "excluded:intentional",
    "clause": "サイバー保険約款 第4条第1項第1号",
    "reason_ja": "被保険者の故意による事故であることが調査で判明したため",
    "reason_en": "the investigation found the accident was the insured's intentional act",
    "internal_note": INTERNAL,
}


@dataclass
class Case:
    app: FastAPI
    db: Database
    world: dict[str, Any]
    handler: Actor
    manager: Actor
    claim_id: int
    client: TestClient
    tokens: dict[str, dict[str, str]] = field(default_factory=dict)

    def as_(self, email: str) -> dict[str, str]:
        if email not in self.tokens:
            self.tokens[email] = bearer(self.client, email)
        return self.tokens[email]

    def get(self, url: str, email: str, **params: Any) -> Any:
        return self.client.get(url, headers=self.as_(email), params=params)

    def post(self, url: str, email: str, body: Any = None) -> Any:
        return self.client.post(url, headers=self.as_(email), json=body)


@pytest.fixture
def case(make_app_for_test: AppFactory, clock: FakeClock) -> Case:
    """The desk world's policy (¥100,000 deductibles), two claims handlers, and a claim on
    it with a forensics item of ¥1,100,000 (payable 1,100,000 − 100,000 = 1,000,000), the
    product file's initial reserve of ② set with it (¥5,000,000), then a reserve of
    ¥7,654,321 with its reason."""
    app = make_app_for_test()
    db = app.state.db
    world = seed(db)
    handler, manager = handlers(db)
    travel(db)
    claim = open_claim(db, handler, policy_id=world["policy_id"], accident_at=ACCIDENT)
    add_loss_item(
        db,
        handler,
        claim["id"],
        coverage="response_costs",
        category="forensics",
        description="調査費用",
        amount=1_100_000,
    )
    set_reserve(
        db,
        handler,
        claim["id"],
        coverage="response_costs",
        amount=RESERVE,
        reason=RESERVE_REASON,
    )
    return Case(app, db, world, handler, manager, claim["id"], TestClient(app))


def _problem_fields(response: Any) -> list[str]:
    return [e["field"] for e in response.json().get("errors", [])]


def test_a_claim_is_denied_refuses_items_is_reopened_and_closed(case: Case) -> None:
    cid, url = case.claim_id, f"/api/v1/claims/{case.claim_id}"
    clerk = "claims@insurer.jp"
    item = {"coverage": "response_costs", "category": "forensics", "amount": 10_000}

    # bad grounds: every problem named by its field, nothing written
    bad = case.post(f"{url}/deny", clerk, {**DENIAL, "reason_code": "ransom", "clause": " "})
    assert bad.status_code == 422
    assert _problem_fields(bad) == ["reason_code", "clause"]
    assert case.get(url, clerk).json()["status"] == "open"

    denied = case.post(f"{url}/deny", clerk, DENIAL)
    assert denied.status_code == 200, denied.text
    view = denied.json()
    assert view["status"] == "denied" and view["allowed_events"] == ["reopen"]
    (entry,) = view["history"]
    assert (entry["event"], entry["from_status"], entry["to_status"]) == ("deny", "open", "denied")
    assert entry["clause"] == DENIAL["clause"] and entry["internal_note"] == INTERNAL
    assert entry["by"] == case.handler.user_id

    # a denied claim takes no item, and no second decision
    assert case.post(f"{url}/items", clerk, item).status_code == 409
    again = case.post(f"{url}/deny", clerk, DENIAL)
    assert again.status_code == 409 and again.json()["rule"] == "claim_denied"
    assert case.post(f"{url}/close", clerk, {"reason": "x"}).json()["rule"] == "claim_denied"

    # reopened with a reason (none: 422 naming it), then it takes items again
    assert _problem_fields(case.post(f"{url}/reopen", clerk, {"reason": " "})) == ["reason"]
    reopened = case.post(f"{url}/reopen", clerk, {"reason": "新たな調査報告書が届いた"})
    assert reopened.status_code == 200 and reopened.json()["status"] == "reopened"
    assert case.post(f"{url}/items", clerk, item).status_code == 201

    closed = case.post(f"{url}/close", clerk, {"reason": "請求者から取下げ"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert [(h["event"], h["to_status"]) for h in closed.json()["history"]] == [
        ("deny", "denied"),
        ("reopen", "reopened"),
        ("close", "closed"),
    ]
    assert case.post(f"{url}/items", clerk, item).status_code == 409
    assert case.get(url, clerk).json()["status"] == "closed"

    # each change is audited with its reason, in the same unit of work as its row
    with case.db.sessions() as session:
        actions = list(
            session.execute(
                select(AuditRecord.action, AuditRecord.after)
                .where(AuditRecord.object_type == "claim", AuditRecord.object_id == str(cid))
                .where(AuditRecord.action.in_(("claim.deny", "claim.reopen", "claim.close")))
                .order_by(AuditRecord.seq)
            ).all()
        )
        rows = session.execute(
            select(ClaimStatusChange).where(ClaimStatusChange.claim_id == cid)
        ).scalars()
        assert [r.to_status for r in rows] == ["denied", "reopened", "closed"]
    assert [a for a, _ in actions] == ["claim.deny", "claim.reopen", "claim.close"]
    assert actions[0][1]["clause"] == DENIAL["clause"]
    assert actions[2][1] == {"status": "closed", "reason": "請求者から取下げ"}


def test_the_denial_letter_is_the_insureds_and_shows_the_reason_not_the_internals(
    case: Case,
) -> None:
    letter = f"/api/v1/claims/{case.claim_id}/denial-letter.pdf"
    # not denied yet: there is no letter, for anyone
    assert case.get(letter, "claims@insurer.jp").status_code == 404
    assert case.get(letter, "holder@test.jp").status_code == 404
    deny_claim(case.db, case.handler, case.claim_id, **DENIAL)

    response = case.get(letter, "holder@test.jp")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    text = text_of(response.content)
    number = get_claim(case.db, case.handler, case.claim_id)["number"]
    has(
        text,
        "保険金をお支払いできない旨のご通知",
        "株式会社テスト製作所",
        number,
        # the accident: 14 September 2026 09:30 in Tokyo
        "2026年9月14日（令和8年9月14日）9時30分",
        "約款の免責事由に該当するため",
        DENIAL["reason_ja"],
        DENIAL["clause"],
        # the exclusion's wording, from the product file
        "被保険者の故意または他人に損害を与えることを予見しながら行った行為",
    )
    assert not [s for s in SECRETS if s.replace(" ", "") in text]
    english = text_of(case.get(letter, "holder@test.jp", lang="en").content)
    has(english, "Notice that the claim will not be paid", DENIAL["reason_en"], number)

    # another company's insured: as for a claim that does not exist; an agent and a
    # partner reach no claim at all; the desk reaches it but may not read claims
    assert case.get(letter, "holder@other.jp").status_code == 404
    missing = "/api/v1/claims/9999999/denial-letter.pdf"
    assert case.get(missing, "holder@other.jp").status_code == 404
    assert case.get(letter, "agent@lac.jp").status_code == 404
    assert case.get(letter, "forensics@partner.jp").status_code == 404
    assert case.get(letter, "desk@desk.jp").status_code == 403
    assert case.get(letter, "claims@insurer.jp").status_code == 200

    # reopened: the letter is no longer the claim's answer
    reopen_claim(case.db, case.handler, case.claim_id, reason="異議申立てにより再検討")
    assert case.get(letter, "holder@test.jp").status_code == 404


def test_the_insured_reads_its_claim_without_reserves_or_internal_notes(case: Case) -> None:
    deny_claim(case.db, case.handler, case.claim_id, **DENIAL)
    url = f"/api/v1/claims/{case.claim_id}"

    # the handler sees the reserve (with its reason) and the internal note
    staff = case.get(f"{url}/transactions", "claims@insurer.jp").json()
    assert [t["kind"] for t in staff] == ["reserve", "reserve", "status"]
    # the product file's initial reserve of ② (¥5,000,000), set with the first ② item
    initial = staff[0]
    assert initial["amount"] == 5_000_000 and initial["internal_note"] == INITIAL_RESERVE_REASON
    assert staff[1]["amount"] == RESERVE and staff[1]["internal_note"] == RESERVE_REASON
    assert staff[2]["internal_note"] == INTERNAL and staff[2]["by"] == case.handler.user_id

    # the insured: the change of status and its grounds, no reserve, no note, no names
    holder = case.get(f"{url}/transactions", "holder@test.jp")
    assert holder.status_code == 200
    (change,) = holder.json()
    assert change["kind"] == "status" and change["to_status"] == "denied"
    assert change["reason_ja"] == DENIAL["reason_ja"] and change["clause"] == DENIAL["clause"]
    assert not {"internal_note", "by"} & set(change)
    claim = case.get(url, "holder@test.jp").json()
    assert "reserves" not in claim
    for answer in (holder.text, case.get(url, "holder@test.jp").text):
        assert not [s for s in SECRETS if s in answer]

    # the page: the history with the reason, never the note or the reserve
    page, _ = signed_in(case.app, "holder@test.jp")
    html = page.get(f"/claims/{case.claim_id}").text
    assert DENIAL["reason_ja"] in html and "denial-letter.pdf" in html
    assert not [s for s in SECRETS if s in html]
    handler_page, _ = signed_in(case.app, "claims@insurer.jp")
    assert INTERNAL in handler_page.get(f"/claims/{case.claim_id}").text

    # an agent and a partner reach no claim (404), nor read the list (403); the other
    # company's insured gets the answer of a claim that does not exist
    for who in ("agent@lac.jp", "forensics@partner.jp"):
        assert case.get(f"{url}/transactions", who).status_code == 404
        assert case.get("/api/v1/claims", who).status_code == 403
        browser, _ = signed_in(case.app, who)
        assert browser.get(f"/claims/{case.claim_id}").status_code == 404
    foreign = case.get(f"{url}/transactions", "holder@other.jp")
    nowhere = case.get("/api/v1/claims/9999999/transactions", "holder@other.jp")
    assert foreign.status_code == nowhere.status_code == 404
    assert foreign.json() == nowhere.json()


def test_the_actuary_and_internal_audit_read_the_reserves_and_change_nothing(case: Case) -> None:
    """Rule 10: reserves go to the staff whose work needs them — the reinsurance and
    actuarial staff and internal audit read them on the API and the page; neither may set
    a reserve, pay or deny, and only internal audit (and the administrators) read the
    audit trail."""
    for email, role in (("actuary@insurer.jp", "actuary"), ("auditor@insurer.jp", "auditor")):
        create_user(
            case.db,
            SYSTEM,
            organisation_id=1,
            email=email,
            display_name=role,
            role=role,
            password=PASSWORD,
        )
    url = f"/api/v1/claims/{case.claim_id}"
    for email in ("actuary@insurer.jp", "auditor@insurer.jp"):
        claim = case.get(url, email).json()
        # the latest reserve of ②: the fixture's 7,654,321 after the initial 5,000,000
        assert claim["reserves"] == {"response_costs": RESERVE}
        money = case.get(f"{url}/transactions", email).json()
        assert [t["amount"] for t in money if t["kind"] == "reserve"] == [5_000_000, RESERVE]
        assert case.get("/api/v1/claims", email).json()[0]["id"] == case.claim_id
        # … and change nothing: 403 for the role, the reserve as it was
        refused = case.post(
            f"{url}/reserves",
            email,
            {"coverage": "response_costs", "amount": 1, "reason": "x"},
        )
        assert refused.status_code == 403
        assert case.post(f"{url}/deny", email, DENIAL).status_code == 403
        page, csrf = signed_in(case.app, email)
        html = page.get(f"/claims/{case.claim_id}").text
        assert "7,654,321" in html and 'id="reserves"' in html
        assert f'action="/claims/{case.claim_id}/reserves"' not in html  # no form to set it
        assert (
            '<form method="post" action="/claims"' not in page.get("/claims").text
        )  # nor to open one
        posted = page.post(
            f"/claims/{case.claim_id}/reserves",
            data={"coverage": "response_costs", "amount": "1", "reason": "x", "csrf_token": csrf},
        )
        assert posted.status_code == 403
    assert get_claim(case.db, case.handler, case.claim_id)["reserves"] == {
        "response_costs": RESERVE
    }
    # the audit trail: internal audit reads it (API and page, with who did what); the
    # actuary and the claims handler do not
    rows = case.get("/api/v1/audit", "auditor@insurer.jp", limit=500).json()
    reserve_rows = [r for r in rows if r["action"] == "claim.reserve"]
    assert [r["after"]["amount"] for r in reversed(reserve_rows)] == [5_000_000, RESERVE]
    assert {r["actor_name"] for r in reserve_rows} == {"損害 花子"}
    assert case.get("/api/v1/audit/verify", "auditor@insurer.jp").json()["ok"] is True
    auditor_page, _ = signed_in(case.app, "auditor@insurer.jp")
    audit_html = auditor_page.get("/audit?verify=1").text
    assert 'id="audit-result" class="ok"' in audit_html and "claim.reserve" in audit_html
    for email in ("actuary@insurer.jp", "claims@insurer.jp", "holder@test.jp"):
        assert case.get("/api/v1/audit", email).status_code == 403
        browser, _ = signed_in(case.app, email)
        assert browser.get("/audit").status_code == 403


def test_the_claims_list_filters_by_status_policy_and_handler(case: Case) -> None:
    second = open_claim(
        case.db, case.manager, policy_id=case.world["policy_id"], accident_at=ACCIDENT
    )["id"]
    deny_claim(case.db, case.handler, case.claim_id, **DENIAL)

    def numbers(email: str, **params: Any) -> list[int]:
        response = case.get("/api/v1/claims", email, **params)
        assert response.status_code == 200, response.text
        return [c["id"] for c in response.json()]

    clerk = "claims@insurer.jp"
    assert numbers(clerk) == [second, case.claim_id]  # newest first
    assert numbers(clerk, status="denied") == [case.claim_id]
    assert numbers(clerk, status="open") == [second]
    assert numbers(clerk, status="closed") == []
    assert numbers(clerk, handler_id=case.manager.user_id) == [second]
    assert numbers(clerk, handler_id=case.handler.user_id, status="open") == []
    assert numbers(clerk, policy_id=case.world["policy_id"]) == [second, case.claim_id]
    assert numbers(clerk, policy_id=9_999_999) == []
    bad = case.get("/api/v1/claims", clerk, status="archived")
    assert bad.status_code == 422 and _problem_fields(bad) == ["status"]

    # the insured: its own claims; the handler filter is the claims staff's
    assert numbers("holder@test.jp", status="denied") == [case.claim_id]
    assert numbers("holder@other.jp") == []
    assert numbers("holder@other.jp", policy_id=case.world["policy_id"]) == []
    refused = case.get("/api/v1/claims", "holder@test.jp", handler_id=case.handler.user_id)
    assert refused.status_code == 403

    # the page: the same filters, a bad one named at its field
    page, _ = signed_in(case.app, clerk)
    numbers_of = {
        cid: get_claim(case.db, case.handler, cid)["number"] for cid in (second, case.claim_id)
    }
    html = page.get("/claims", params={"status": "denied"}).text
    assert numbers_of[case.claim_id] in html and numbers_of[second] not in html
    html = page.get("/claims", params={"handler_id": str(case.manager.user_id)}).text
    assert numbers_of[second] in html and numbers_of[case.claim_id] not in html
    assert 'id="f-filter.handler_id"' in html
    wrong = page.get("/claims", params={"policy_id": "abc"})
    assert wrong.status_code == 422 and 'id="err-filter.policy_id"' in wrong.text
    holder_page, _ = signed_in(case.app, "holder@test.jp")
    assert 'id="f-filter.handler_id"' not in holder_page.get("/claims").text


def _forms(html: str) -> set[str]:
    return {f for f in ("close-form", "deny-form", "reopen-form") if f'id="{f}"' in html}


def test_the_claim_page_offers_exactly_the_transitions_allowed(case: Case) -> None:
    cid = case.claim_id
    page, csrf = signed_in(case.app, "claims@insurer.jp")
    holder, _ = signed_in(case.app, "holder@test.jp")

    assert _forms(page.get(f"/claims/{cid}").text) == {"close-form", "deny-form"}
    assert _forms(holder.get(f"/claims/{cid}").text) == set()

    # a denial without its clause: the message at the deny form's field, nothing done
    form = {k: v for k, v in DENIAL.items() if k != "clause"} | {"csrf_token": csrf}
    refused = page.post(f"/claims/{cid}/deny", data=form)
    assert refused.status_code == 422 and 'id="err-deny.clause"' in refused.text
    assert claim_lifecycle(case.db, case.handler, cid)["status"] == "open"

    done = page.post(
        f"/claims/{cid}/deny", data={**DENIAL, "csrf_token": csrf}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"].endswith("done=claim_denied")
    html = page.get(f"/claims/{cid}").text
    assert _forms(html) == {"reopen-form"} and 'id="denial-letter"' in html
    assert "お支払いできない決定をしました" in page.get(done.headers["location"]).text

    done = page.post(f"/claims/{cid}/reopen", data={"reason": "再検討", "csrf_token": csrf})
    assert done.status_code == 200  # followed to the page
    assert _forms(done.text) == {"close-form", "deny-form"}
    page.post(f"/claims/{cid}/close", data={"reason": "取下げ", "csrf_token": csrf})
    html = page.get(f"/claims/{cid}").text
    assert _forms(html) == {"reopen-form"} and 'data-status="closed"' in html
    assert _forms(holder.get(f"/claims/{cid}").text) == set()

    # a closed claim refuses a second close from a stale form: the rule, at the top
    stale = page.post(f"/claims/{cid}/close", data={"reason": "二重", "csrf_token": csrf})
    assert stale.status_code == 422 and "先に再開してください" in stale.text


def test_roles_that_may_not_manage_claims_are_refused(case: Case) -> None:
    url = f"/api/v1/claims/{case.claim_id}"
    reason = {"reason": "権限なし"}
    for action, body in (("close", reason), ("deny", DENIAL), ("reopen", reason)):
        # the insured reads its claim but may not decide on it; the desk reaches it and
        # may not either; another company's insured, an agent, a partner reach nothing
        assert case.post(f"{url}/{action}", "holder@test.jp", body).status_code == 403
        assert case.post(f"{url}/{action}", "desk@desk.jp", body).status_code == 403
        for who in ("holder@other.jp", "agent@lac.jp", "forensics@partner.jp"):
            assert case.post(f"{url}/{action}", who, body).status_code == 404, (action, who)
    holder, csrf = signed_in(case.app, "holder@test.jp")
    assert (
        holder.post(
            f"/claims/{case.claim_id}/close", data={**reason, "csrf_token": csrf}
        ).status_code
        == 403
    )
    assert claim_lifecycle(case.db, case.handler, case.claim_id)["history"] == []


def test_a_payment_moves_the_status_and_a_reversal_moves_it_back(case: Case) -> None:
    """A payment released moves the claim's status, a reversal moves it back
    (services/claims.py calls record_money_event in the payment's own unit of work): the
    payable 1,000,000 (1,100,000 − the 100,000 deductible) paid in 400,000 then 600,000.
    The clock moves a minute before each step, so the transactions have their order."""
    db, handler, cid = case.db, case.handler, case.claim_id
    assert isinstance(db.clock, FakeClock)
    clock = db.clock

    def status() -> str:
        return str(claim_lifecycle(db, handler, cid)["status"])

    clock.advance(minutes=1)
    first = pay(db, handler, cid, "response_costs", 400_000, "first")
    assert status() == "partly_paid"  # 600,000 still due
    with pytest.raises(TransitionRefused, match="deny_after_payment"):
        deny_claim(db, handler, cid, **DENIAL)
    assert claim_lifecycle(db, handler, cid)["allowed_events"] == ["close"]
    clock.advance(minutes=1)
    second = pay(db, handler, cid, "response_costs", 600_000, "second")
    assert status() == "paid"  # 400,000 + 600,000 = 1,000,000: nothing due

    clock.advance(minutes=1)
    undo_payment(db, handler, second["id"], reason="二重払い")
    assert status() == "partly_paid"  # 400,000 stays paid
    clock.advance(minutes=1)
    undo_payment(db, handler, first["id"], reason="誤払い")
    assert status() == "open"  # nothing stays paid
    history = claim_lifecycle(db, handler, cid)["history"]
    assert [(h["event"], h["to_status"]) for h in history] == [
        ("payment", "partly_paid"),
        ("payment", "paid"),
        ("payment_reversed", "partly_paid"),
        ("payment_reversed", "open"),
    ]
    # nothing paid any more: the claim may be denied now, and then takes no money
    clock.advance(minutes=1)
    deny_claim(db, handler, cid, **DENIAL)
    with db.sessions() as session:
        claim = session.execute(select(Claim).where(Claim.id == cid)).scalar_one()
        with pytest.raises(ConflictError, match="claim_not_open"):
            ensure_open_for_money(claim)
    with pytest.raises(ValueError), db.unit_of_work() as uow:
        record_money_event(
            uow, handler, load_claim(uow.session, handler, cid, "claim.manage"), "close"
        )
    # the claim's money in order: the initial reserve and the fixture's, then each
    # payment with the reserve set for it, its release, the status it moved; the
    # reversals; the denial
    assert [t["kind"] for t in claim_transactions(db, handler, cid)] == [
        "reserve",
        "reserve",
        "reserve",
        "payment_requested",
        "payment_paid",
        "status",
        "reserve",
        "payment_requested",
        "payment_paid",
        "status",
        "payment_reversed",
        "status",
        "payment_reversed",
        "status",
        "status",
    ]
    # the insured: the same, less the reserves and the undo reasons
    holder = authenticate(db, "holder@test.jp", PASSWORD)
    seen = claim_transactions(db, holder, cid)
    assert "reserve" not in [t["kind"] for t in seen] and len(seen) == 11
    assert all("internal_note" not in t and "by" not in t for t in seen)


def test_every_field_of_the_lifecycle_views_is_in_the_visibility_table(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, dict[str, Any]]] = []
    real: Callable[..., dict[str, Any]] = table.shape

    def recording(actor: Actor, kind: str, view: dict[str, Any]) -> dict[str, Any]:
        seen.append((kind, view))
        return real(actor, kind, view)

    monkeypatch.setattr(lifecycle, "shape", recording)
    monkeypatch.setattr(lifecycle, "shape_all", lambda a, k, vs: [recording(a, k, v) for v in vs])
    admin = authenticate(case.db, "admin@example.jp", PASSWORD)
    pay(case.db, case.handler, case.claim_id, "response_costs", 1_000_000, "all")
    deny_refused = True
    try:
        deny_claim(case.db, admin, case.claim_id, **DENIAL)
        deny_refused = False
    except TransitionRefused:
        pass
    assert deny_refused
    close_claim(case.db, admin, case.claim_id, reason="支払完了")
    reopen_claim(case.db, admin, case.claim_id, reason="追加請求")
    claim_lifecycle(case.db, admin, case.claim_id)
    claim_transactions(case.db, admin, case.claim_id)
    list_claims(case.db, admin, status="reopened")
    kinds = {kind for kind, _ in seen}
    assert kinds >= {"claim_lifecycle", "claim_transaction"}
    missing = sorted({m for kind, view in seen for m in unclassified(kind, view)})
    assert missing == []
