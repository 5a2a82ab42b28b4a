"""INC-, CLM- and policy numbers come from counter rows (migration 0007): consecutive,
never shared by two transactions at once, given back by a rollback, and continued from
the numbers already given when an older database is upgraded."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from alembic import command

from cybercover.services.authz import Actor
from cybercover.services.incidents import report_incident
from cybercover.services.people import authenticate, create_organisation, create_user
from cybercover.services.uow import Database, next_number
from cybercover.storage.migrate import alembic_config
from tests.integration.api_helpers import PASSWORD


def desk_operator(db: Database) -> Actor:
    desk = create_organisation(db, None, kind="desk", code="desk", name="desk")
    create_user(
        db,
        None,
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
        {"summary": f"report {n}", "caller_organisation": f"会社{n}", "duplicate_key": f"k{n}"},
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
