"""Kill the server mid-burst (SIGKILL to uvicorn's master and workers at once), restart
it, and check that nothing acknowledged was lost and nothing was written twice or by half.

On SQLite and on PostgreSQL, with two uvicorn workers: incident reports and claim
payments (a loss item, then the payment with its idempotency key) are fired together;
the process group is killed about a second in. After the restart every request that was
not answered is sent again with the same key, as a client would.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from bench.server import Server, serve
from sqlalchemy import select
from sqlalchemy.orm import Session

from cybercover.storage.db import make_engine
from cybercover.storage.models import AuditRecord, Claim, ClaimPayment, Incident, PolicyLedger
from tests.faults.conftest import token

DESK = "desk@demo.cybercover.jp"
CLAIMS = "claims@demo.cybercover.jp"
ADMIN = "admin@demo.cybercover.jp"
ITEM = 300_000  # above the demo policies' ¥100,000 deductible: every payment pays


def _prepare(url: str) -> dict[str, Any]:
    desk, claims = token(url, DESK), token(url, CLAIMS)
    companies = httpx.get(url + "/api/v1/companies", headers=token(url, ADMIN), timeout=30)
    policies = [
        p
        for p in httpx.get(url + "/api/v1/policies", headers=claims, timeout=30).json()
        if p["status"] == "in_force"
    ]
    assert len(policies) == 3, policies  # the demo issues three
    claim_ids = []
    for policy in policies:
        opened = httpx.post(
            url + "/api/v1/claims",
            headers=claims,
            json={"policy_id": policy["id"], "accident_at": datetime.now(UTC).isoformat()},
            timeout=30,
        )
        assert opened.status_code == 201, opened.text
        claim_ids.append(opened.json()["id"])
    return {
        "desk": desk,
        "claims": claims,
        "company_id": companies.json()[0]["id"],
        "claim_ids": claim_ids,
    }


async def _burst(server: Server, ctx: dict[str, Any], kill_after: float) -> dict[str, Any]:
    acked_incidents: list[str] = []
    sent_payments: list[tuple[int, str]] = []
    acked_payments: dict[str, dict[str, Any]] = {}
    failures: list[str] = []
    killed = asyncio.Event()

    async with httpx.AsyncClient(base_url=server.url, timeout=20) as client:

        async def incident(i: int) -> None:
            key = f"crash-incident-{i}"
            try:
                answer = await client.post(
                    "/api/v1/incidents",
                    headers=ctx["desk"],
                    json={
                        "summary": f"障害試験 {key}",
                        "company_id": ctx["company_id"],
                        "channel": "api",
                        "duplicate_key": key,
                    },
                )
            except httpx.HTTPError as exc:
                failures.append(type(exc).__name__)
                return
            assert answer.status_code < 500, answer.text
            if answer.is_success:
                acked_incidents.append(key)

        async def payments(claim_id: int) -> None:
            i = 0
            while not killed.is_set():
                key = f"crash-pay-{claim_id}-{i}"
                i += 1
                try:
                    item = await client.post(
                        f"/api/v1/claims/{claim_id}/items",
                        headers=ctx["claims"],
                        json={"coverage": "liability", "category": "damages", "amount": ITEM},
                    )
                    assert item.status_code == 201, item.text
                    sent_payments.append((claim_id, key))
                    paid = await client.post(
                        f"/api/v1/claims/{claim_id}/payments",
                        headers=ctx["claims"],
                        json={"idempotency_key": key},
                    )
                except httpx.HTTPError as exc:
                    failures.append(type(exc).__name__)
                    return
                assert paid.status_code == 201, paid.text
                acked_payments[key] = paid.json()

        async def kill() -> None:
            # mid-burst: once some of each kind were answered (a loaded machine may take
            # seconds for the first ones), while more are in flight
            deadline = asyncio.get_running_loop().time() + 60
            while len(acked_payments) < 3 or len(acked_incidents) < 10:
                assert asyncio.get_running_loop().time() < deadline, failures
                await asyncio.sleep(0.05)
            await asyncio.sleep(kill_after)
            await asyncio.to_thread(server.kill)
            killed.set()

        tasks = [asyncio.create_task(kill())]
        tasks += [asyncio.create_task(payments(c)) for c in ctx["claim_ids"]]
        for i in range(6000):  # ~100 reports a second until the kill
            tasks.append(asyncio.create_task(incident(i)))
            await asyncio.sleep(0.01)
            if killed.is_set():
                break
        await asyncio.gather(*tasks)
    return {
        "acked_incidents": acked_incidents,
        "sent_payments": sent_payments,
        "acked_payments": acked_payments,
        "failures": failures,
    }


def _audit_verify(database_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cybercover", "audit", "verify"],
        env={**os.environ, "CYBERCOVER_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_killed_server_loses_no_acknowledged_report_and_pays_nothing_twice(
    backend_url: str, tmp_path: Path
) -> None:
    with serve(backend_url, workers=2, log=tmp_path / "serve.log") as server:
        ctx = _prepare(server.url)
        burst = asyncio.run(_burst(server, ctx, kill_after=0.5))
        # the kill landed mid-burst: some answers came back, some requests were cut off
        assert burst["acked_incidents"] and burst["acked_payments"], burst["failures"]
        assert burst["failures"], "nothing was cut off: the kill came too late"

        time.sleep(0.5)
        server.start(demo=False)
        # a client retries what was not answered, with the same key; a retry of what
        # was answered gets the same payment back
        retried: dict[str, dict[str, Any]] = {}
        for claim_id, key in burst["sent_payments"]:
            answer = httpx.post(
                f"{server.url}/api/v1/claims/{claim_id}/payments",
                headers=ctx["claims"],
                json={"idempotency_key": key},
                timeout=30,
            )
            assert answer.status_code in (201, 409), answer.text
            if answer.status_code == 201:
                retried[key] = answer.json()
        for key, first in burst["acked_payments"].items():
            again = retried[key]
            assert again["repeated"] is True
            assert (again["id"], again["amount"]) == (first["id"], first["amount"])

    engine = make_engine(backend_url)
    try:
        with Session(engine) as session:
            stored = set(
                session.execute(
                    select(Incident.duplicate_key).where(Incident.duplicate_key.like("crash-%"))
                ).scalars()
            )
            assert set(burst["acked_incidents"]) <= stored
            payments = (
                session.execute(
                    select(ClaimPayment).where(ClaimPayment.idempotency_key.like("crash-%"))
                )
                .scalars()
                .all()
            )
            keys = [p.idempotency_key for p in payments]
            assert len(keys) == len(set(keys))  # no key paid twice
            assert set(burst["acked_payments"]) <= set(keys)
            for p in payments:  # nothing half-written
                assert p.status == "paid" and p.paid_at is not None, p.idempotency_key
                assert p.amount == sum(p.by_part.values()) > 0
            # the first payment of a claim pays its item less the ¥100,000 deductible,
            # every later one its item: ¥200,000 then ¥300,000 each
            for claim_id in {c for c, _ in burst["sent_payments"]}:
                amounts = sorted((p.id, p.amount) for p in payments if p.claim_id == claim_id)
                assert [a for _, a in amounts] == [200_000] + [300_000] * (len(amounts) - 1)
            # each policy's erosion ledger is the sum of its paid claim payments
            for ledger in session.execute(select(PolicyLedger)).scalars():
                paid = sum(
                    p.amount
                    for p in session.execute(
                        select(ClaimPayment)
                        .join(Claim, Claim.id == ClaimPayment.claim_id)
                        .where(Claim.policy_id == ledger.policy_id, ClaimPayment.status == "paid")
                    ).scalars()
                )
                assert ledger.aggregate == paid
                assert sum(ledger.parts.values()) == paid
            # data and audit row were written in one transaction: one audit row per payment
            audited = [
                r.after["key"]
                for r in session.execute(
                    select(AuditRecord).where(AuditRecord.action == "claim.payment_paid")
                ).scalars()
                if str((r.after or {}).get("key", "")).startswith("crash-")
            ]
            assert sorted(audited) == sorted(keys)
    finally:
        engine.dispose()
    verified = _audit_verify(backend_url)
    assert verified.returncode == 0, verified.stderr
    assert "ok" in verified.stdout
