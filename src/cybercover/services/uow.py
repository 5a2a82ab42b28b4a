"""The unit of work: one database transaction per use case, with its audit rows."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from cybercover.errors import ConflictError
from cybercover.services.audit import AuditEntry, append_audit, jsonable
from cybercover.storage.db import insert_for, make_session_factory
from cybercover.storage.models import NumberSeries

__all__ = [
    "Clock",
    "Database",
    "UnitOfWork",
    "assign_number",
    "is_unique_violation",
    "next_number",
    "placeholder_number",
]

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
    # called after a committed change to who may call (a token revoked, a user
    # deactivated): the app clears its token cache here, so that this worker refuses at
    # once; other workers hear of it from PostgreSQL (services/token_cache.py)
    on_auth_change: list[Callable[[], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.sessions = make_session_factory(self.engine)

    def auth_changed(self) -> None:
        for callback in self.on_auth_change:
            callback()

    @contextmanager
    def unit_of_work(self, request_id: str | None = None) -> Iterator[UnitOfWork]:
        """Commit on success, roll back on any error: never a half-written record."""
        try:
            with self.sessions() as session, session.begin():
                uow = UnitOfWork(session=session, now=self.clock(), request_id=request_id)
                yield uow
                uow.write_audit()
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise
            # two requests wrote the same thing at once (the same e-mail, the same
            # company): each checked first, only one insert can win; the other is told
            # so, cleanly, and nothing of it was written
            raise ConflictError(
                "concurrent_write",
                "同じ内容が同時に登録されました。再読み込みしてご確認ください",
                "the same record was written at the same moment; reload and check",
            ) from None


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


def placeholder_number() -> str:
    """A unique stand-in for a row numbered by :func:`assign_number` before its commit
    (the column stays NOT NULL and unique; no other transaction ever sees it)."""
    return "~" + uuid.uuid4().hex[:31]


def assign_number(session: Session, row: Any, series: str, prefix: str) -> str:
    """Give a flushed ``row`` its number (``prefix`` and six digits) as the last write
    before its audit row, so that the counter's lock is held for this statement, the
    audit append and the commit only: on PostgreSQL one statement takes the number and
    writes it. Incident reports, the desk's busiest write, are numbered this way."""
    if session.get_bind().dialect.name != "postgresql":
        number = f"{prefix}{next_number(session, series):06d}"
        row.number = number
        session.flush()
        return number
    table = type(row).__table__.name
    number = session.execute(
        text(
            f"""
            WITH n AS (
                INSERT INTO number_series (series, last) VALUES (:series, 1)
                ON CONFLICT (series) DO UPDATE SET last = number_series.last + 1
                RETURNING last
            )
            UPDATE {table} SET number = CAST(:prefix AS text)
                || lpad(CAST(n.last AS text), greatest(6, length(CAST(n.last AS text))), '0')
            FROM n WHERE {table}.id = :id
            RETURNING {table}.number
            """
        ),
        {"series": series, "prefix": prefix, "id": row.id},
    ).scalar_one()
    set_committed_value(row, "number", number)
    return str(number)


def is_unique_violation(exc: IntegrityError) -> bool:
    """A unique constraint broken (PostgreSQL's SQLSTATE 23505, SQLite's message)."""
    code = getattr(exc.orig, "sqlstate", None)
    return code == "23505" or "UNIQUE constraint failed" in str(exc.orig)
