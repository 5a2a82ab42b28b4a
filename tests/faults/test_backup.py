"""``cybercover db backup`` and ``db restore``: a seeded database is backed up while
open, restored into an empty database, and comes back whole — the same rows in every
table and an audit chain that verifies to the same head."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from cybercover.services.audit import verify_audit
from cybercover.services.backup import table_counts
from cybercover.services.uow import Database
from cybercover.storage.db import make_engine
from cybercover.storage.migrate import migrate
from cybercover.storage.models import AuditHead
from tests.integration.conftest import FakeClock
from tests.integration.seed import seed


def _cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cybercover", "db", *args],
        env={**os.environ, "CYBERCOVER_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def source_and_empty(
    request: pytest.FixtureRequest, backend_url: str, tmp_path: Path
) -> tuple[str, str]:
    if backend_url.startswith("sqlite"):
        return backend_url, f"sqlite:///{tmp_path / 'restored.db'}"
    engine = make_engine(backend_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("CREATE DATABASE restored"))
    engine.dispose()
    return backend_url, backend_url.rsplit("/", 1)[0] + "/restored"


def test_a_backup_restored_into_an_empty_database_has_every_row_and_a_sound_audit_chain(
    source_and_empty: tuple[str, str], clock: FakeClock, tmp_path: Path
) -> None:
    source_url, target_url = source_and_empty
    source = make_engine(source_url)
    migrate(source)
    seed(Database(engine=source, clock=clock))
    before = table_counts(source)
    with Session(source) as session:
        head = session.execute(select(AuditHead.seq, AuditHead.hash)).one()
    source.dispose()
    assert before["audit_log"] == head.seq > 30  # a real history, not an empty file

    file = tmp_path / "backups" / "cybercover.backup"
    made = _cli(source_url, "backup", str(file))
    assert made.returncode == 0, made.stderr
    assert file.stat().st_size > 10_000

    restored = _cli(target_url, "restore", str(file))
    assert restored.returncode == 0, restored.stderr
    rows = sum(n for t, n in before.items() if t != "alembic_version")
    assert f"restored {rows} rows" in restored.stdout
    assert f"audit: {head.seq} rows, ok" in restored.stdout

    target = make_engine(target_url)
    try:
        assert table_counts(target) == before
        with Session(target) as session:
            assert session.execute(select(AuditHead.seq, AuditHead.hash)).one() == head
            assert verify_audit(session).ok
    finally:
        target.dispose()

    # never over live data, and never from a file that is not a backup
    again = _cli(target_url, "restore", str(file))
    assert again.returncode == 2 and "Traceback" not in again.stderr
    assert "not empty" in again.stderr
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a backup", encoding="utf-8")
    refused = _cli(f"sqlite:///{tmp_path / 'other.db'}", "restore", str(bogus))
    assert refused.returncode == 2 and "[not_a_backup]" in refused.stderr
