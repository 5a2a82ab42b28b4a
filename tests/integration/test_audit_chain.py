"""The audit log is hash-chained: a changed or deleted row is detected."""

from __future__ import annotations

from sqlalchemy import delete, update

from cybercover.services.audit import verify_audit
from cybercover.services.people import bootstrap_admin, create_organisation
from cybercover.services.uow import Database
from cybercover.storage.models import AuditRecord


def seed(db: Database) -> None:
    bootstrap_admin(db, email="admin@example.jp", password="correct horse battery")
    create_organisation(db, None, kind="agency", code="lac", name="株式会社ラック")
    create_organisation(
        db, None, kind="agency", code="sjp", name="損保ジャパンパートナーズ株式会社"
    )


def test_every_write_appends_a_chained_row_and_the_chain_verifies(db: Database) -> None:
    seed(db)
    with db.sessions() as session:
        report = verify_audit(session)
        rows = session.query(AuditRecord).order_by(AuditRecord.seq).all()
    # insurer organisation, admin user, two agencies
    assert [r.action for r in rows] == [
        "organisation.create",
        "user.create",
        "organisation.create",
        "organisation.create",
    ]
    assert [r.seq for r in rows] == [1, 2, 3, 4]
    assert rows[1].prev_hash == rows[0].hash
    assert "password" not in str(rows[1].after)
    assert report.ok and report.rows == 4


def test_a_changed_row_is_detected(db: Database) -> None:
    seed(db)
    with db.sessions() as session, session.begin():
        session.execute(
            update(AuditRecord).where(AuditRecord.seq == 3).values(after={"code": "evil"})
        )
    with db.sessions() as session:
        report = verify_audit(session)
    assert not report.ok
    assert report.problems == ("row 3: its content was changed",)


def test_a_deleted_row_is_detected(db: Database) -> None:
    seed(db)
    with db.sessions() as session, session.begin():
        session.execute(delete(AuditRecord).where(AuditRecord.seq == 2))
    with db.sessions() as session:
        report = verify_audit(session)
    assert not report.ok
    assert "row 2 is missing (found 3 next)" in report.problems


def test_deleting_the_last_row_is_detected_through_the_head(db: Database) -> None:
    seed(db)
    with db.sessions() as session, session.begin():
        session.execute(delete(AuditRecord).where(AuditRecord.seq == 4))
    with db.sessions() as session:
        report = verify_audit(session)
    assert not report.ok
    assert report.problems == ("the chain ends at row 3 but the head says 4",)


def test_a_failed_use_case_writes_neither_data_nor_audit(db: Database) -> None:
    seed(db)
    try:
        with db.unit_of_work() as uow:
            uow.audit(None, "test.write", ("thing", 1), after={"x": 1})
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with db.sessions() as session:
        assert verify_audit(session).rows == 4
