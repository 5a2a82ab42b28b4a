"""The unit of work: one database transaction per use case, with its audit rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cybercover.services.audit import AuditEntry, append_audit, jsonable
from cybercover.storage.db import insert_for, make_session_factory
from cybercover.storage.models import NumberSeries

__all__ = ["Clock", "Database", "UnitOfWork", "next_number"]

Clock = Callable[[], datetime]


@dataclass
class UnitOfWork:
    """An open transaction: ``session`` for reads and writes, ``audit`` for the log.

    Audit rows are written last, just before the commit: ``audit()`` flushes the use
    case's own writes (so a constraint fails where it is broken) and keeps the row; the
    chain's head is then locked once for all of them. The head lock, which every writer
    takes, is so held for a few statements, not for the rest of the use case
    (bench/README.md, load)."""

    session: Session
    now: datetime
    request_id: str | None = None
    _events: list[Any] = field(default_factory=list)
    _audit: list[AuditEntry] = field(default_factory=list)

    def audit(
        self,
        actor_user_id: int | None,
        action: str,
        obj: tuple[str, object],
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        self.session.flush()
        self._audit.append(
            AuditEntry(
                at=self.now,
                actor_user_id=actor_user_id,
                action=action,
                object_type=obj[0],
                object_id=str(obj[1]),
                before=jsonable(before) if before is not None else None,
                after=jsonable(after) if after is not None else None,
                request_id=self.request_id,
            )
        )

    def write_audit(self) -> None:
        """Append the kept rows to the chain (``Database.unit_of_work`` calls it)."""
        if self._audit:
            append_audit(self.session, self._audit)
            self._audit.clear()


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
            uow = UnitOfWork(session=session, now=self.clock(), request_id=request_id)
            yield uow
            uow.write_audit()


def next_number(session: Session, series: str) -> int:
    """The next number of ``series`` (1 for a new one), from its counter row.

    One upsert: the row stays locked until this transaction ends, so two reports at once
    never get the same ``INC-`` number, and a rolled-back one gives its number back. It
    replaces counting this year's numbers under an advisory lock, which grew with the
    table and held every other writer for the whole count (bench/README.md, load)."""
    statement = (
        insert_for(session, NumberSeries)
        .values(series=series, last=1)
        .on_conflict_do_update(
            index_elements=[NumberSeries.series], set_={"last": NumberSeries.last + 1}
        )
        .returning(NumberSeries.last)
    )
    return int(session.execute(statement).scalar_one())
