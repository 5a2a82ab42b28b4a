"""Fixtures for the fault tests: a database per backend (a SQLite file; a throw-away
PostgreSQL cluster of its own, so that it can be restarted). The scenarios are in
bench/faults.py; bench/server.py starts and always stops ``cybercover serve``."""

from __future__ import annotations

from collections.abc import Iterator
from glob import glob
from pathlib import Path

import pytest
from bench.server import Cluster, postgres_cluster

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
