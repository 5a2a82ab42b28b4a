"""Restart PostgreSQL under load: requests fail cleanly (503 problem JSON with
Retry-After, no traceback anywhere) and succeed again once it is back."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx
from bench.server import Cluster, serve
from sqlalchemy import select
from sqlalchemy.orm import Session

from cybercover.storage.db import make_engine
from cybercover.storage.models import Incident
from tests.faults.conftest import token


def test_a_postgresql_restart_gives_clean_503s_then_service_again(
    cluster: Cluster, tmp_path: Path
) -> None:
    log = tmp_path / "serve.log"
    with serve(cluster.url, workers=2, log=log) as server:
        desk = token(server.url, "desk@demo.cybercover.jp")
        company_id = httpx.get(server.url + "/api/v1/companies", headers=desk, timeout=30)
        answers: list[tuple[str, httpx.Response]] = []
        stop = threading.Event()

        def client(n: int) -> None:
            with httpx.Client(base_url=server.url, headers=desk, timeout=30) as http:
                i = 0
                while not stop.is_set():
                    key = f"restart-{n}-{i}"
                    i += 1
                    answers.append(
                        (
                            key,
                            http.post(
                                "/api/v1/incidents",
                                json={"summary": key, "channel": "api", "duplicate_key": key},
                            ),
                        )
                    )
                    answers.append(("", http.get("/api/v1/users/me")))

        threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        try:
            time.sleep(1.0)
            cluster.restart()
            time.sleep(1.5)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)

        statuses = [r.status_code for _, r in answers]
        assert set(statuses) <= {200, 201, 503}, sorted(set(statuses))
        refused = [r for _, r in answers if r.status_code == 503]
        assert refused, "no request met the restart"
        for response in refused:
            assert response.headers["content-type"] == "application/problem+json"
            assert int(response.headers["Retry-After"]) > 0
            body: dict[str, Any] = response.json()
            assert body["type"] == "/problems/database-unavailable"
            assert body["status"] == 503
            assert "Traceback" not in response.text
        # served again after the restart, on the first or a later try
        for _ in range(20):
            again = httpx.post(
                server.url + "/api/v1/incidents",
                headers=desk,
                json={"summary": "after", "channel": "api", "duplicate_key": "restart-after"},
                timeout=30,
            )
            if again.status_code == 201:
                break
            time.sleep(0.5)
        assert again.status_code == 201, again.text
        assert company_id.status_code == 200

    assert "Traceback" not in log.read_text(encoding="utf-8")
    acknowledged = {key for key, r in answers if key and r.status_code == 201}
    assert acknowledged
    engine = make_engine(cluster.url)
    try:
        with Session(engine) as session:
            stored = set(
                session.execute(
                    select(Incident.duplicate_key).where(Incident.duplicate_key.like("restart-%"))
                ).scalars()
            )
    finally:
        engine.dispose()
    assert acknowledged <= stored
