"""Integration fixtures: a fresh, migrated database per test on SQLite and, when
``CYBERCOVER_TEST_POSTGRES_URL`` is set (scripts/test.sh starts a local server), on
PostgreSQL too. Every test using ``db`` runs once per database."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import text

from cybercover.api.app import create_app
from cybercover.services.uow import Database
from cybercover.settings import Settings
from cybercover.storage.db import make_engine
from cybercover.storage.migrate import migrate

POSTGRES_URL = os.environ.get("CYBERCOVER_TEST_POSTGRES_URL")
AppFactory = Callable[[], FastAPI]
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


class FakeClock:
    """A clock the test moves by hand (the domain never reads the real time)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))  # 10:00 JST, 2 March 2026


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    assert POSTGRES_URL is not None
    engine = make_engine(POSTGRES_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    yield POSTGRES_URL


@pytest.fixture
def db(database_url: str, clock: FakeClock) -> Iterator[Database]:
    engine = make_engine(database_url)
    migrate(engine)
    yield Database(engine=engine, clock=clock)
    engine.dispose()


@pytest.fixture
def make_app_for_test(database_url: str, clock: FakeClock) -> Iterator[AppFactory]:
    """Build the app on this test's database; its engine is disposed afterwards."""
    apps: list[FastAPI] = []

    def build() -> FastAPI:
        app = create_app(Settings(environment="test", database_url=database_url), clock=clock)
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.state.db.engine.dispose()
