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

__all__ = ["Clock", "Database", "UnitOfWork"]

Clock = Callable[[], datetime]
WRITER_LOCK = 0x63796263  # "cybc": the one advisory lock PostgreSQL writers take


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
            if self.engine.dialect.name == "postgresql":
                # writers serialise as SQLite's BEGIN IMMEDIATE makes them: numbers taken
                # by counting (INC-, CLM-, policy numbers) and read-then-write checks never
                # race (found by bench/load.py: duplicate incident numbers, HTTP 500)
                session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITER_LOCK})
            yield UnitOfWork(session=session, now=self.clock(), request_id=request_id)
