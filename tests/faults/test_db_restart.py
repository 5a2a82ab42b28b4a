"""Restart PostgreSQL under load: requests fail cleanly (503 problem JSON with
Retry-After, no traceback anywhere) and succeed again once it is back. The scenario is
``bench/faults.py`` (figures in bench/README.md); here each figure is checked."""

from __future__ import annotations

from pathlib import Path

from bench.faults import restart_postgres_under_load
from bench.server import Cluster


def test_a_postgresql_restart_gives_clean_503s_then_service_again(
    cluster: Cluster, tmp_path: Path
) -> None:
    report = restart_postgres_under_load(cluster, log=tmp_path / "serve.log")

    assert set(report.statuses) <= {"200", "201", "503"}, report.statuses
    assert report.statuses.get("503", 0) > 0, "no request met the restart"
    assert report.unavailable_clean and report.retry_after_s == [5]
    assert report.served_again and report.tries_until_served <= 20
    assert not report.traceback_in_log
    assert report.acknowledged > 0
    assert report.acknowledged_stored == report.acknowledged  # every 201 is stored
