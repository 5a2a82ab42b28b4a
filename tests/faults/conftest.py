"""Fixtures for the fault tests: a database per backend (a SQLite file; a throw-away
PostgreSQL cluster of its own, so that it can be restarted). The scenarios are in
bench/faults.py; bench/server.py starts and always stops ``cybercover serve``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from glob import glob
from pathlib import Path
from typing import Any, TypeVar

import pytest
from bench.server import Cluster, postgres_cluster

from tests.integration.conftest import clock  # noqa: F401

HAS_POSTGRES = bool(glob("/usr/lib/postgresql/*/bin/pg_ctl"))
T = TypeVar("T")


def off_the_loop(scenario: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a bench scenario (which calls ``asyncio.run``) in a thread of its own: when the
    browser tests ran first in the same session, Playwright's sync API keeps an event loop
    running in the main thread until the session ends, and ``asyncio.run`` refuses to
    start another there."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(scenario, *args, **kwargs).result()


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    if not HAS_POSTGRES:
        pytest.skip("PostgreSQL is not installed (scripts/test.sh installs it)")
    with postgres_cluster() as running:
        yield running


@pytest.fixture(params=["sqlite", "postgresql"])
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'faults.db'}"
        return
    yield request.getfixturevalue("cluster").url
