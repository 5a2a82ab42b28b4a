"""Engines and sessions: SQLite (WAL) by default, PostgreSQL by URL.

SQLite transactions begin with ``BEGIN IMMEDIATE`` so that a use case that reads and then
writes (an audit append, a limit check) holds the write lock from its first statement:
writers are serialised and none fails half-way with a stale snapshot.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["insert_for", "make_engine", "make_session_factory", "normalise_url"]


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` as psycopg 3 URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            if parsed.database not in (None, "", ":memory:"):
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # No pool_pre_ping: its round trip on every checkout cost about a tenth of a worker
    # under load. A connection found dead (a PostgreSQL restart) fails its request with
    # a 503 and Retry-After, and SQLAlchemy then drops every older pooled connection, so
    # the retry gets a fresh one (tests/faults/test_db_restart.py); connections are
    # renewed after 30 minutes so that no idle one outlives a firewall's timeout.
    return create_engine(url, pool_recycle=1800, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Any]:
    return sessionmaker(bind=engine, expire_on_commit=False, future=True)


def insert_for(session: Session, model: Any) -> postgresql.Insert | sqlite.Insert:
    """An INSERT with ``ON CONFLICT`` clauses in the session's dialect (both have them)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)
