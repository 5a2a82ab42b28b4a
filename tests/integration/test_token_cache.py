"""The token cache in running apps: a worker answers a known token from memory, and a
revocation made anywhere (another worker, plain SQL) reaches it through PostgreSQL's
notification, not its TTL; without the listener nothing is cached.

Two apps on one database stand for two uvicorn workers; ``with TestClient(app)`` runs
each app's startup, which starts its listener."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, text

from cybercover.api.app import create_app
from cybercover.settings import Settings
from tests.integration.api_helpers import bearer, ok
from tests.integration.conftest import POSTGRES_URL, FakeClock
from tests.integration.test_api_people import seed_people

TTL_S = 300.0  # far longer than any test: only a notification can explain a refusal


def token_lookups(engine: Engine) -> list[str]:
    """Every statement of ``engine`` that reads the token table, as it runs."""
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _count(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        if "FROM api_tokens" in statement:
            seen.append(statement)

    return seen


def until(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.fixture
def workers(database_url: str, clock: FakeClock) -> Iterator[list[TestClient]]:
    """Two running apps ("workers") on this test's database, listeners connected."""
    with ExitStack() as stack:
        apps: list[FastAPI] = []
        for _ in range(2):
            settings = Settings(
                environment="test", database_url=database_url, token_cache_seconds=TTL_S
            )
            app = create_app(settings, clock=clock)
            stack.callback(app.state.db.engine.dispose)
            apps.append(app)
        seed_people(apps[0].state.db)
        clients = [stack.enter_context(TestClient(app)) for app in apps]
        for app in apps:
            listener = app.state.auth_listener
            assert listener is None or listener.connected.wait(10)
        yield clients


postgres_only = pytest.mark.skipif(POSTGRES_URL is None, reason="needs PostgreSQL")


@postgres_only
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_worker_answers_a_known_token_from_memory_until_another_revokes_it(
    workers: list[TestClient],
) -> None:
    first, second = workers
    lookups = token_lookups(first.app.state.db.engine)  # type: ignore[attr-defined]
    agent = bearer(first, "agent@lac.example.jp")
    for _ in range(3):
        assert ok(first.get("/api/v1/users/me", headers=agent))["email"] == "agent@lac.example.jp"
    assert len(lookups) == 1  # the first call asked the database, the next two did not
    assert first.app.state.token_cache.hits == 2  # type: ignore[attr-defined]

    # the other worker revokes it: this one refuses as soon as the notification lands
    (token,) = ok(second.get("/api/v1/auth/tokens", headers=agent))
    ok(second.delete(f"/api/v1/auth/tokens/{token['id']}", headers=agent), 204)
    assert until(lambda: first.get("/api/v1/users/me", headers=agent).status_code == 401)


@postgres_only
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_change_made_outside_the_app_reaches_every_worker(
    workers: list[TestClient],
) -> None:
    """Any change to users or tokens notifies, by whatever path it is made: here an
    administrator's plain SQL deactivating the user."""
    first, _ = workers
    agent = bearer(first, "agent@lac.example.jp")
    for client in workers:
        ok(client.get("/api/v1/users/me", headers=agent))
        ok(client.get("/api/v1/users/me", headers=agent))
    assert [c.app.state.token_cache.hits for c in workers] == [1, 1]  # type: ignore[attr-defined]
    with first.app.state.db.engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(text("UPDATE users SET active = false WHERE email = 'agent@lac.example.jp'"))
    for client in workers:
        assert until(lambda c=client: c.get("/api/v1/users/me", headers=agent).status_code == 401)


@postgres_only
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_while_the_listener_is_cut_off_every_request_asks_the_database(
    workers: list[TestClient],
) -> None:
    first, _ = workers
    app: Any = first.app
    lookups = token_lookups(app.state.db.engine)
    agent = bearer(first, "agent@lac.example.jp")
    ok(first.get("/api/v1/users/me", headers=agent))
    listener = app.state.auth_listener
    killed_pid = listener.backend_pid
    with app.state.db.engine.begin() as conn:  # cut the listener's connection
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": killed_pid})
    assert until(lambda: not app.state.token_cache.live)
    # whatever was known is forgotten (changes may have been missed meanwhile): the
    # next call asks the database, whether or not the listener is back yet
    before = len(lookups)
    ok(first.get("/api/v1/users/me", headers=agent))
    assert len(lookups) == before + 1
    # it reconnects by itself, and the cache answers again
    assert until(lambda: app.state.token_cache.live and listener.backend_pid != killed_pid)
    hits, before = app.state.token_cache.hits, len(lookups)
    ok(first.get("/api/v1/users/me", headers=agent))
    ok(first.get("/api/v1/users/me", headers=agent))
    # at most the first of the two asks the database (none if the call above was already
    # kept by the reconnected cache); the second is answered from memory
    assert len(lookups) - before <= 1
    assert app.state.token_cache.hits - hits == 2 - (len(lookups) - before)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_on_sqlite_nothing_is_cached(workers: list[TestClient]) -> None:
    first, _ = workers
    lookups = token_lookups(first.app.state.db.engine)  # type: ignore[attr-defined]
    agent = bearer(first, "agent@lac.example.jp")
    for _ in range(3):
        ok(first.get("/api/v1/users/me", headers=agent))
    assert len(lookups) == 3
    assert first.app.state.auth_listener is None  # type: ignore[attr-defined]
    assert first.app.state.token_cache.hits == 0  # type: ignore[attr-defined]
