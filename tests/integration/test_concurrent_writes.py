"""Writes that race (issue #8), on SQLite and PostgreSQL.

- INC-, CLM- and policy numbers come from counter rows (migration 0007): consecutive,
  never shared by two transactions at once, given back by a rollback, and continued
  from the numbers already given when an older database is upgraded.
- One report sent twelve times at the same moment (a client retrying) makes one
  incident: the unique (reporter, idempotency key) index of migration 0011 lets one
  insert win, and the others answer with it.
- Two administrators creating the same e-mail at once: one user, and a clean conflict
  for the other, never a 500."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from alembic import command

from cybercover.errors import ConflictError
from cybercover.services.authz import SYSTEM, Actor
from cybercover.services.incidents import list_incidents, report_incident
from cybercover.services.people import (
    authenticate,
    bootstrap_admin,
    create_organisation,
    create_user,
)
from cybercover.services.uow import Database, next_number
from cybercover.storage.migrate import alembic_config
from tests.integration.api_helpers import PASSWORD


def desk_operator(db: Database) -> Actor:
    desk = create_organisation(db, SYSTEM, kind="desk", code="desk", name="desk")
    create_user(
        db,
        SYSTEM,
        organisation_id=desk,
        email="desk@desk.jp",
        display_name="desk",
        role="desk_operator",
        password=PASSWORD,
    )
    return authenticate(db, "desk@desk.jp", PASSWORD)


def report(db: Database, actor: Actor, n: int) -> str:
    incident = report_incident(
        db,
        actor,
        {"summary": f"report {n}", "caller_organisation": f"会社{n}", "idempotency_key": f"k{n}"},
    )
    return str(incident["number"])


def test_numbers_are_consecutive_per_series_and_a_rollback_gives_its_number_back(
    db: Database,
) -> None:
    with db.unit_of_work() as uow:
        assert next_number(uow.session, "incident/INC-2026") == 1
        assert next_number(uow.session, "incident/INC-2026") == 2
        assert next_number(uow.session, "claim/CLM-2026") == 1  # its own series
    with pytest.raises(RuntimeError), db.unit_of_work() as uow:
        assert next_number(uow.session, "incident/INC-2026") == 3
        raise RuntimeError("the use case failed after taking its number")
    with db.unit_of_work() as uow:
        assert next_number(uow.session, "incident/INC-2026") == 3  # given back


def test_twelve_reports_at_once_get_twelve_consecutive_numbers(db: Database) -> None:
    actor = desk_operator(db)
    with ThreadPoolExecutor(max_workers=6) as pool:
        numbers = list(pool.map(lambda n: report(db, actor, n), range(12)))
    # the fake clock says 2 March 2026 in Tokyo
    assert sorted(numbers) == [f"INC-2026-{n:06d}" for n in range(1, 13)]


def test_an_upgraded_database_continues_from_the_numbers_already_given(db: Database) -> None:
    actor = desk_operator(db)
    assert [report(db, actor, n) for n in range(3)] == [
        "INC-2026-000001",
        "INC-2026-000002",
        "INC-2026-000003",
    ]
    config = alembic_config()
    with db.engine.connect() as connection:  # back to 0006 (no counters), then up again
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
        command.upgrade(config, "head")
        connection.commit()
    assert report(db, actor, 3) == "INC-2026-000004"


def test_one_report_sent_twelve_times_at_once_is_one_incident(db: Database) -> None:
    actor = desk_operator(db)
    report = {
        "summary": "ransomware on the file server",
        "caller_organisation": "株式会社同時",
        "idempotency_key": "retry-7f3a",
    }
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: report_incident(db, actor, dict(report)), range(12)))
    assert sorted(a["repeated"] for a in answers) == [False] + [True] * 11
    assert {a["number"] for a in answers} == {"INC-2026-000001"}
    assert [i["number"] for i in list_incidents(db, actor)] == ["INC-2026-000001"]


def test_two_callers_reporting_one_event_make_two_reports_until_a_person_links_them(
    db: Database,
) -> None:
    """Nothing is merged automatically: the desk decides (services/incidents.py)."""
    actor = desk_operator(db)

    def call(n: int) -> dict[str, object]:
        return report_incident(
            db,
            actor,
            {"summary": f"caller {n}: ransomware", "caller_organisation": "株式会社同時"},
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(call, range(2)))
    assert sorted(a["number"] for a in answers) == ["INC-2026-000001", "INC-2026-000002"]
    assert all(a["repeated"] is False for a in answers)


def test_the_same_email_created_twice_at_once_is_one_user_and_one_clean_conflict(
    db: Database,
) -> None:
    bootstrap_admin(db, email="admin@example.jp", password=PASSWORD)
    admin = authenticate(db, "admin@example.jp", PASSWORD)
    desk = create_organisation(db, admin, kind="desk", code="desk", name="desk")

    def create(n: int) -> str:
        try:
            create_user(
                db,
                admin,
                organisation_id=desk,
                email="same@desk.jp",
                display_name=f"twin {n}",
                role="desk_operator",
                password=PASSWORD,
            )
        except ConflictError as exc:
            return exc.rule
        return "created"

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = sorted(pool.map(create, range(4)))
    # the losers were told either by the service's own check or by the unique index
    assert outcomes.count("created") == 1
    assert set(outcomes) - {"created"} <= {"duplicate_email", "concurrent_write"}
    assert authenticate(db, "same@desk.jp", PASSWORD).display_name.startswith("twin")


def test_a_unique_violation_at_commit_is_a_clean_conflict_with_nothing_written(
    db: Database,
) -> None:
    """What the loser of any check-then-insert race meets: the unit of work turns the
    unique index's refusal into a 409 problem, and its transaction is rolled back."""
    from sqlalchemy import func, select

    from cybercover.storage.models import AuditRecord, Organisation

    create_organisation(db, SYSTEM, kind="agency", code="lac", name="LAC")
    with pytest.raises(ConflictError) as caught, db.unit_of_work() as uow:
        uow.session.add(Organisation(kind="agency", code="other", name="ok", created_at=uow.now))
        uow.session.add(
            Organisation(kind="agency", code="lac", name="LAC again", created_at=uow.now)
        )
        uow.audit(None, "organisation.create", ("organisation", "lac"))
    assert caught.value.rule == "concurrent_write"
    with db.sessions() as session:
        codes = session.execute(select(Organisation.code).order_by(Organisation.code)).scalars()
        assert list(codes) == ["lac"]  # "other" was rolled back with the duplicate
        audit_rows = session.execute(select(func.count()).select_from(AuditRecord)).scalar_one()
    assert audit_rows == 1  # the first organisation's row only
