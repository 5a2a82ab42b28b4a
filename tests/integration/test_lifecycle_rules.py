"""Rules of the lifecycle one by one: re-quote after an edit, quote expiry, lowering
limits, uploads, lapse and reinstatement, and the audit CLI."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from cybercover.errors import AuthenticationError, ConflictError, ForbiddenError, InputError
from cybercover.services.authz import SYSTEM, Actor
from cybercover.services.billing import coverage_at, lapse_overdue, record_payment
from cybercover.services.companies import create_company
from cybercover.services.people import (
    actor_from_token,
    authenticate,
    bootstrap_admin,
    create_organisation,
    create_user,
    issue_api_token,
)
from cybercover.services.policies import (
    PREBIND_KINDS,
    bind_quote,
    get_policy,
    issue_policy,
    reinstate_policy,
)
from cybercover.services.submissions import (
    create_submission,
    decide_issue,
    get_submission,
    quote_submission,
    record_prebind,
    update_submission,
    upload_document,
)
from cybercover.services.uow import Database
from cybercover.storage.models import AuditRecord
from tests.factories import CLEAN_ANSWERS
from tests.integration.api_helpers import PASSWORD
from tests.integration.conftest import FakeClock
from tests.integration.seed import START_DATE
from tests.integration.test_lifecycle_api import COMPANY, PLAN_1


def actors(db: Database) -> dict[str, Actor]:
    bootstrap_admin(db, email="admin@example.jp", password=PASSWORD)
    lac = create_organisation(db, SYSTEM, kind="agency", code="lac", name="LAC")
    create_organisation(db, SYSTEM, kind="agency", code="sjp", name="SJP")
    insurer = 1
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
        organisation_id=insurer,
        email="junior@uw.jp",
        display_name="junior",
        role="underwriter",
        password=PASSWORD,
        underwriting_authority=1,
    )
    create_user(
        db,
        SYSTEM,
        organisation_id=insurer,
        email="senior@uw.jp",
        display_name="senior",
        role="underwriter",
        password=PASSWORD,
        underwriting_authority=2,
    )
    return {
        k: authenticate(db, e, PASSWORD)
        for k, e in [
            ("admin", "admin@example.jp"),
            ("agent", "agent@lac.jp"),
            ("junior", "junior@uw.jp"),
            ("senior", "senior@uw.jp"),
        ]
    }


def submission_for(db: Database, agent: Actor, answers: dict[str, Any] | None = None) -> int:
    company = create_company(db, agent, COMPANY)
    sid: int = create_submission(db, agent, company_id=company["id"], start_date=START_DATE)["id"]
    update_submission(db, agent, sid, disclosure=answers or CLEAN_ANSWERS)
    return sid


def prebind(db: Database, agent: Actor, sid: int) -> None:
    for kind, result in PREBIND_KINDS.items():
        record_prebind(db, agent, sid, kind=kind, result=result)


def test_an_edit_after_quoting_sends_the_submission_back_to_draft(db: Database) -> None:
    a = actors(db)
    sid = submission_for(db, a["agent"])
    quote = quote_submission(db, a["agent"], sid, [PLAN_1])["quotes"][0]
    update_submission(db, a["agent"], sid, disclosure={"staff_training": False})
    state = get_submission(db, a["agent"], sid)
    assert (state["status"], state["version"]) == ("draft", 3)
    assert [q["status"] for q in state["quotes"]] == ["superseded"]
    prebind(db, a["agent"], sid)
    with pytest.raises(ConflictError) as info:
        bind_quote(db, a["agent"], quote["id"], payment_plan="lump_sum", payment_method="invoice")
    assert info.value.rule == "quote_not_open"


def test_a_quote_expires_after_30_days(db: Database, clock: FakeClock) -> None:
    a = actors(db)
    sid = submission_for(db, a["agent"])
    quote = quote_submission(db, a["agent"], sid, [PLAN_1])["quotes"][0]
    prebind(db, a["agent"], sid)
    clock.advance(days=31)  # quoted 2 March, valid until 1 April
    with pytest.raises(ConflictError) as info:
        bind_quote(db, a["agent"], quote["id"], payment_plan="lump_sum", payment_method="invoice")
    assert info.value.rule == "quote_expired"


def test_binding_needs_all_four_pre_bind_records(db: Database) -> None:
    a = actors(db)
    sid = submission_for(db, a["agent"])
    quote = quote_submission(db, a["agent"], sid, [PLAN_1])["quotes"][0]
    record_prebind(db, a["agent"], sid, kind="important_matters", result="explained")
    record_prebind(db, a["agent"], sid, kind="antisocial_check", result="hit")
    with pytest.raises(ConflictError) as info:
        bind_quote(db, a["agent"], quote["id"], payment_plan="lump_sum", payment_method="invoice")
    assert "antisocial_check" in info.value.en and "application" in info.value.en


def test_a_high_limit_is_referred_and_an_underwriter_lowers_it(db: Database) -> None:
    a = actors(db)
    sid = submission_for(db, a["agent"])
    big = {**PLAN_1, "limits": {"liability": 1_000_000_000, "response_costs": 100_000_000}}
    result = quote_submission(db, a["agent"], sid, [big])
    assert result["status"] == "referred" and result["quotes"] == []
    issue = next(i for i in result["issues"] if i["rule_code"] == "high_liability_limit")
    decision = {
        "kind": "lower_limits",
        "reason": "実態に照らし5億円まで (PRODUCT.md §3 ※1)",
        "limits": {"liability": 500_000_000},
    }
    with pytest.raises(ForbiddenError):
        decide_issue(db, a["junior"], issue["id"], decision)  # needs senior authority
    decided = decide_issue(db, a["senior"], issue["id"], decision)
    assert decided["status"] == "cleared"
    assert decided["history"][0]["limits_after"]["liability"] == 500_000_000
    with pytest.raises(InputError) as info:
        quote_submission(db, a["agent"], sid, [big])
    assert info.value.problems[0].path == "options[0].limits.liability"
    lowered = {**PLAN_1, "limits": {"liability": 500_000_000, "response_costs": 100_000_000}}
    assert quote_submission(db, a["agent"], sid, [lowered])["status"] == "quoted"


def test_uploads_are_limited_by_type_content_and_size_and_names_lose_their_paths(
    db: Database,
) -> None:
    a = actors(db)
    sid = submission_for(db, a["agent"])
    pdf = b"%PDF-1.7\n" + b"x" * 100
    stored = upload_document(
        db,
        a["agent"],
        sid,
        kind="isms_certificate",
        filename="../../etc/passwd.pdf",
        content_type="application/pdf",
        data=pdf,
        max_bytes=1_000,
    )
    assert stored["filename"] == "passwd.pdf" and stored["size"] == len(pdf)
    import hashlib

    assert stored["sha256"] == hashlib.sha256(pdf).hexdigest()
    for content_type, data, rule in [
        ("text/html", b"<script>", "content_type"),
        ("application/pdf", b"MZ\x90\x00", "content_mismatch"),
        ("application/pdf", b"%PDF-" + b"x" * 2_000, "too_large"),
        ("image/png", b"", "empty"),
    ]:
        with pytest.raises(InputError) as info:
            upload_document(
                db,
                a["agent"],
                sid,
                kind="isms_certificate",
                filename="c",
                content_type=content_type,
                data=data,
                max_bytes=1_000,
            )
        assert rule in [p.rule for p in info.value.problems]


def issued_policy(db: Database, a: dict[str, Actor]) -> dict[str, Any]:
    sid = submission_for(db, a["agent"])
    quote = quote_submission(db, a["agent"], sid, [PLAN_1])["quotes"][0]
    prebind(db, a["agent"], sid)
    policy = bind_quote(
        db, a["agent"], quote["id"], payment_plan="lump_sum", payment_method="invoice"
    )
    return issue_policy(db, a["agent"], policy["id"])


def test_an_unpaid_premium_lapses_the_policy_after_the_grace_period(
    db: Database, clock: FakeClock
) -> None:
    a = actors(db)
    policy = issued_policy(db, a)
    clock.advance(days=30 + 30)  # due 1 April; 30 days' grace ends 1 May
    assert lapse_overdue(db, SYSTEM) == []
    clock.advance(days=1)
    assert lapse_overdue(db, SYSTEM) == [policy["number"]]
    assert get_policy(db, a["admin"], policy["id"])["status"] == "lapsed"
    # paid late, within 30 days: reinstated, and covered again
    invoice = get_policy(db, a["admin"], policy["id"])["invoices"][0]
    record_payment(db, a["admin"], invoice["id"], amount=invoice["amount"])
    assert reinstate_policy(db, a["agent"], policy["id"], reason="入金確認")["status"] == "in_force"
    assert coverage_at(db, a["agent"], policy["id"], clock.now)["covered"] is True


def test_a_partial_payment_is_recorded_and_an_overpayment_refused(db: Database) -> None:
    a = actors(db)
    policy = issued_policy(db, a)
    invoice = get_policy(db, a["admin"], policy["id"])["invoices"][0]
    part = record_payment(db, a["admin"], invoice["id"], amount=1_000)
    assert (part["paid_amount"], part["paid_at"]) == (1_000, None)
    with pytest.raises(InputError):
        record_payment(db, a["admin"], invoice["id"], amount=invoice["amount"])
    with pytest.raises(ForbiddenError):
        record_payment(db, a["agent"], invoice["id"], amount=1)


def test_the_audit_cli_verifies_and_detects_tampering(
    db: Database, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cybercover.cli import app

    actors(db)
    monkeypatch.setenv("CYBERCOVER_DATABASE_URL", database_url)
    runner = CliRunner()
    good = runner.invoke(app, ["audit", "verify"])
    assert good.exit_code == 0 and "ok" in good.stdout
    with db.sessions() as session, session.begin():
        session.execute(
            update(AuditRecord).where(AuditRecord.seq == 2).values(action="user.delete")
        )
    bad = runner.invoke(app, ["audit", "verify"])
    assert bad.exit_code == 1
    assert "row 2: its content was changed" in bad.stderr


def test_the_users_cli_bootstraps_the_first_admin_once_and_creates_users(
    db: Database, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cybercover.cli import app

    monkeypatch.setenv("CYBERCOVER_DATABASE_URL", database_url)
    runner = CliRunner()
    first = runner.invoke(
        app, ["users", "bootstrap-admin", "--email", "root@example.jp", "--password", PASSWORD]
    )
    assert first.exit_code == 0, first.stderr
    again = runner.invoke(
        app, ["users", "bootstrap-admin", "--email", "two@example.jp", "--password", PASSWORD]
    )
    assert again.exit_code == 2 and "already_bootstrapped" in again.stderr
    create_organisation(db, SYSTEM, kind="agency", code="lac", name="LAC")
    made = runner.invoke(
        app,
        [
            "users",
            "create",
            "--email",
            "a@lac.jp",
            "--role",
            "agent",
            "--organisation",
            "lac",
            "--password",
            PASSWORD,
        ],
    )
    assert made.exit_code == 0, made.stderr
    assert authenticate(db, "a@lac.jp", PASSWORD).role == "agent"
    short = runner.invoke(
        app,
        [
            "users",
            "create",
            "--email",
            "b@lac.jp",
            "--role",
            "agent",
            "--organisation",
            "lac",
            "--password",
            "short",
        ],
    )
    assert short.exit_code == 2 and "password" in short.stderr and "Traceback" not in short.stderr

    # the system deactivates a user (e.g. the only administrator's account, which no
    # administrator may deactivate through the API), and reactivates it
    token = issue_api_token(db, authenticate(db, "a@lac.jp", PASSWORD), name="cli", days=30)
    off = runner.invoke(app, ["users", "deactivate", "--email", "a@lac.jp"])
    assert off.exit_code == 0, off.stderr
    assert off.stdout.strip().endswith("deactivated")
    with pytest.raises(AuthenticationError):
        authenticate(db, "a@lac.jp", PASSWORD)
    with pytest.raises(AuthenticationError):
        actor_from_token(db, token)
    unknown = runner.invoke(app, ["users", "deactivate", "--email", "nobody@lac.jp"])
    assert unknown.exit_code == 2 and "no user nobody@lac.jp" in unknown.stderr
    on = runner.invoke(app, ["users", "activate", "--email", "a@lac.jp"])
    assert on.exit_code == 0 and on.stdout.strip().endswith("active")
    assert authenticate(db, "a@lac.jp", PASSWORD).role == "agent"
    with pytest.raises(AuthenticationError):
        actor_from_token(db, token)  # stays revoked


WAIVABLE = (
    "mfa",
    "edr",
    "offline_backups",
    "patch_cadence_days",
    "incident_response_plan",
    "staff_training",
    "email_filtering",
    "privileged_access_management",
)
JQA = {
    "certified": True,
    "body": "JQA",
    "certificate_number": "JQA-IM1234",
    "expires_on": "2027-06-30",
    "scope": "本社",
}


def test_a_jqa_certificate_copy_answers_the_waived_questions_and_the_declaration_alone_does_not(
    db: Database,
) -> None:
    a = actors(db)
    answers = {k: v for k, v in CLEAN_ANSWERS.items() if k not in WAIVABLE}
    sid = submission_for(db, a["agent"], answers)
    update_submission(db, a["agent"], sid, isms=JQA)
    declared_only = quote_submission(db, a["agent"], sid, [PLAN_1])
    assert declared_only["status"] == "referred"
    assert "answers_missing_at_quote" in {i["rule_code"] for i in declared_only["issues"]}
    upload_document(
        db,
        a["agent"],
        sid,
        kind="isms_certificate",
        filename="jqa.pdf",
        content_type="application/pdf",
        data=b"%PDF-1.7 certificate",
        max_bytes=10_000,
    )
    with_copy = quote_submission(db, a["agent"], sid, [PLAN_1])
    assert with_copy["status"] == "quoted"
    open_issues = {i["rule_code"] for i in with_copy["issues"] if i["status"] == "open"}
    assert not open_issues & {"answers_missing_at_quote", "answers_missing_at_bind"}
    assert "isms" in {f["code"] for f in with_copy["quotes"][0]["factors"]}


def test_a_policy_is_never_bound_backdated(db: Database, clock: FakeClock) -> None:
    from datetime import date

    a = actors(db)
    company = create_company(db, a["agent"], COMPANY)
    sid = create_submission(db, a["agent"], company_id=company["id"], start_date=date(2026, 3, 10))[
        "id"
    ]
    update_submission(db, a["agent"], sid, disclosure=CLEAN_ANSWERS)
    quote = quote_submission(db, a["agent"], sid, [PLAN_1])["quotes"][0]
    assert quote["valid_until"] == "2026-04-01"
    prebind(db, a["agent"], sid)
    clock.advance(days=9)  # 11 March 2026 JST: the quote is valid, the start date has passed
    with pytest.raises(ConflictError) as info:
        bind_quote(db, a["agent"], quote["id"], payment_plan="lump_sum", payment_method="invoice")
    assert info.value.rule == "start_date_passed"


def test_quoting_again_supersedes_every_open_quote_and_only_those(db: Database) -> None:
    a = actors(db)
    sid = submission_for(db, a["agent"])
    for _ in range(3):
        quote_submission(db, a["agent"], sid, [PLAN_1])
    statuses = [q["status"] for q in get_submission(db, a["agent"], sid)["quotes"]]
    assert sorted(statuses) == ["quoted", "superseded", "superseded"]
