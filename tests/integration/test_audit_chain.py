"""The audit log is hash-chained: a changed or deleted row is detected."""

from __future__ import annotations

from sqlalchemy import delete, update

from cybercover.services.audit import verify_audit
from cybercover.services.authz import SYSTEM
from cybercover.services.people import bootstrap_admin, create_organisation
from cybercover.services.uow import Database
from cybercover.storage.models import AuditRecord


def seed(db: Database) -> None:
    bootstrap_admin(db, email="admin@example.jp", password="correct horse battery")
    create_organisation(db, SYSTEM, kind="agency", code="lac", name="株式会社ラック")
    create_organisation(
        db, SYSTEM, kind="agency", code="sjp", name="損保ジャパンパートナーズ株式会社"
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


def test_the_split_text_is_the_canonical_text_the_chain_hashes() -> None:
    """PostgreSQL hashes ``a + prev + b + seq + "}"``; Python hashes the canonical JSON
    of the row. Both must be the same text, Japanese, nesting and nulls included."""
    import json
    from datetime import UTC, datetime

    from cybercover.services.audit import AuditEntry, _split_text

    entry = AuditEntry(
        at=datetime(2026, 3, 2, 1, 0, 0, 123456, tzinfo=UTC),
        actor_user_id=None,
        action="incident.report",
        object_type="incident",
        object_id="7",
        before={"z": [1, None, '引用符"と\\'], "a": {"b": True}},
        after=None,
        request_id='req-"1"',
    )
    prev, seq = "ab" * 32, 41
    a, b = _split_text(entry)
    canonical = json.dumps(
        {
            "seq": seq,
            "at": entry.at.isoformat(),
            "actor": None,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "before": entry.before,
            "after": None,
            "request_id": entry.request_id,
            "prev": prev,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    assert a + prev + b + str(seq) + "}" == canonical


def test_several_rows_of_one_use_case_and_concurrent_writers_chain_and_verify(
    db: Database,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    seed(db)  # four rows

    def two_rows(n: int) -> None:
        with db.unit_of_work() as uow:
            uow.audit(None, "test.first", ("thing", n), after={"名前": f"第{n}"})
            uow.audit(None, "test.second", ("thing", n), before={"n": n})

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(two_rows, range(12)))
    with db.sessions() as session:
        report = verify_audit(session)
        rows = session.query(AuditRecord).order_by(AuditRecord.seq).all()
    assert report.ok, report.problems
    assert report.rows == 4 + 24 and [r.seq for r in rows] == list(range(1, 29))
    # each use case's two rows are next to each other: one lock for both
    for first, second in zip(rows[4::2], rows[5::2], strict=True):
        assert (first.action, second.action) == ("test.first", "test.second")
        assert first.object_id == second.object_id
