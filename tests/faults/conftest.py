"""Fixtures for the fault tests: a database per backend (a SQLite file; a throw-away
PostgreSQL cluster of its own, so that it can be restarted) and helpers that talk to a
``cybercover serve`` subprocess (bench/server.py starts and always stops it)."""

from __future__ import annotations

from collections.abc import Iterator
from glob import glob
from pathlib import Path

import httpx
import pytest
from bench.server import Cluster, postgres_cluster

from cybercover.demo import DEMO_PASSWORD
from tests.integration.conftest import clock  # noqa: F401

HAS_POSTGRES = bool(glob("/usr/lib/postgresql/*/bin/pg_ctl"))


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


def token(url: str, email: str) -> dict[str, str]:
    response = httpx.post(
        url + "/api/v1/auth/tokens",
        json={"email": email, "password": DEMO_PASSWORD},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}
