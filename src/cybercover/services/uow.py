"""The unit of work: one database transaction per use case, with its audit rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from cybercover.services.audit import append_audit
from cybercover.storage.db import make_session_factory

__all__ = ["Clock", "Database", "UnitOfWork", "serialise_numbering"]

Clock = Callable[[], datetime]
NUMBERING_LOCK = 0x63796263  # "cybc": the advisory lock of serialise_numbering


@dataclass
class UnitOfWork:
    """An open transaction: ``session`` for reads and writes, ``audit`` for the log."""

    session: Session
    now: datetime
    request_id: str | None = None
    _events: list[Any] = field(default_factory=list)

    def audit(
        self,
        actor_user_id: int | None,
        action: str,
        obj: tuple[str, object],
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        self.session.flush()
        append_audit(
            self.session,
            at=self.now,
            actor_user_id=actor_user_id,
            action=action,
            object_type=obj[0],
            object_id=str(obj[1]),
            before=before,
            after=after,
            request_id=self.request_id,
        )


@dataclass
class Database:
    """The engine, a session factory and the clock: what every use case needs."""

    engine: Engine
    clock: Clock
    sessions: sessionmaker[Session] = field(init=False)

    def __post_init__(self) -> None:
        self.sessions = make_session_factory(self.engine)

    @contextmanager
    def unit_of_work(self, request_id: str | None = None) -> Iterator[UnitOfWork]:
        """Commit on success, roll back on any error: never a half-written record."""
        with self.sessions() as session, session.begin():
            yield UnitOfWork(session=session, now=self.clock(), request_id=request_id)


def serialise_numbering(session: Session) -> None:
    """Hold the numbering lock until commit, before taking the next number by counting
    (INC-, CLM-, policy numbers). SQLite's ``BEGIN IMMEDIATE`` already serialises its
    writers; on PostgreSQL two reports at once got the same ``INC-`` number, a unique
    violation and HTTP 500 (found by bench/load.py). The lock is transaction-scoped."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": NUMBERING_LOCK})
