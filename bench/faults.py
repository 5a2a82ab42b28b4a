"""The fault scenarios of issue #8, with their figures: SIGKILL to the server in the
middle of a burst, and a PostgreSQL restart under load. ``tests/faults`` runs each once
per backend and asserts on the report; this script runs them ``--repeat`` times and
prints the figures (bench/README.md, "Faults").

- **kill**: incident reports (about 100 a second) and claim payments (a loss item of
  ¥300,000, then the payment of what it made due with its idempotency key — ¥200,000
  the first time, the item less the ¥100,000 deductible, ¥300,000 after — three claims
  in a loop) against ``cybercover serve`` with two workers; SIGKILL to the whole process
  group half a second after some of each were answered; restart; every payment that was
  sent is sent again with its key and body, as a client would. Then the database is
  counted. (Issue #17: a payment names its part, amount and payee, within the claim's
  reserve, which ``_open_claims`` sets.)
- **restart**: four clients report incidents and read ``/users/me`` in a loop while
  ``pg_ctl restart -m fast`` runs; every answer is kept, then the service is tried again.

    .venv/bin/python bench/faults.py kill --backend postgresql --repeat 3
    .venv/bin/python bench/faults.py restart --repeat 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cybercover.demo import DEMO_PASSWORD
from cybercover.storage.db import make_engine
from cybercover.storage.models import AuditRecord, ClaimPayment, Incident
from load import ledgers_match_payments, payment_body
from server import Cluster, Server, postgres_cluster, serve

__all__ = ["KillReport", "RestartReport", "kill_mid_burst", "restart_postgres_under_load"]

DESK = "desk@demo.cybercover.jp"
CLAIMS = "claims@demo.cybercover.jp"
ADMIN = "admin@demo.cybercover.jp"
ITEM = 300_000  # above the demo policies' ¥100,000 deductible: every payment pays
DEDUCTIBLE = 100_000  # ① of every demo policy, once per claim: the first payment is less
# a claim's reserve: 200,000 + 32 × 300,000 = 9,800,000, within the handler's 10,000,000
# authority; a claim's loop stops at its first payment refused (none is, before the kill)
RESERVE = 9_800_000


def token(url: str, email: str) -> dict[str, str]:
    response = httpx.post(
        url + "/api/v1/auth/tokens",
        json={"email": email, "password": DEMO_PASSWORD},
        timeout=30,
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['token']}"}


# ----------------------------------------------------------------------------- kill


@dataclass
class KillReport:
    """What a SIGKILL mid-burst left behind, counted in the database afterwards."""

    backend: str
    incidents_acknowledged: int
    incidents_acknowledged_stored: int
    cut_off: int  # requests whose connection the kill cut (no answer)
    payments_sent: int
    payments_acknowledged: int
    acknowledged_retries_repeated: int  # a re-sent acknowledged payment: the same one back
    retries_answered: dict[str, int]  # status of each re-sent payment after the restart
    payments_stored: int
    payments_acknowledged_stored: int
    paid_twice: int  # idempotency keys stored more than once
    half_written: int  # stored payments not fully paid, or whose parts differ from the sum
    amounts_by_claim: dict[int, list[int]]  # each claim's payments, in order
    ledgers_equal_payments: bool
    audit_rows_equal_payments: bool
    audit_verify_ok: bool
    restart_s: float  # from the kill to the restarted server's first answer
    server_errors: int  # 5xx answers before the kill

    @property
    def lost(self) -> int:
        return (self.incidents_acknowledged - self.incidents_acknowledged_stored) + (
            self.payments_acknowledged - self.payments_acknowledged_stored
        )


def _open_claims(url: str) -> dict[str, Any]:
    desk, claims = token(url, DESK), token(url, CLAIMS)
    companies = httpx.get(url + "/api/v1/companies", headers=token(url, ADMIN), timeout=30)
    policies = [
        p
        for p in httpx.get(url + "/api/v1/policies", headers=claims, timeout=30).json()
        if p["status"] == "in_force"
    ]
    claim_ids = []
    for policy in policies:
        now = datetime.now(UTC).isoformat()  # the accident, and the third party's claim
        opened = httpx.post(
            url + "/api/v1/claims",
            headers=claims,
            json={"policy_id": policy["id"], "accident_at": now, "claim_made_at": now},
            timeout=30,
        )
        opened.raise_for_status()
        claim_ids.append(opened.json()["id"])
        reserved = httpx.post(
            f"{url}/api/v1/claims/{claim_ids[-1]}/reserves",
            headers=claims,
            json={"coverage": "liability", "amount": RESERVE, "reason": "障害試験"},
            timeout=30,
        )
        reserved.raise_for_status()
    return {
        "desk": desk,
        "claims": claims,
        "company_id": companies.json()[0]["id"],
        "claim_ids": claim_ids,
    }


@dataclass
class _Burst:
    acked_incidents: list[str] = field(default_factory=list)
    sent_payments: list[tuple[int, str, int]] = field(default_factory=list)  # claim, key, yen
    acked_payments: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    server_errors: int = 0
    killed_at: float = 0.0


async def _burst(server: Server, ctx: dict[str, Any], kill_after: float) -> _Burst:
    burst = _Burst()
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
                        "idempotency_key": key,
                    },
                )
            except httpx.HTTPError as exc:
                burst.failures.append(type(exc).__name__)
                return
            burst.server_errors += answer.status_code >= 500
            if answer.is_success:
                burst.acked_incidents.append(key)

        async def payments(claim_id: int) -> None:
            i = 0
            while not killed.is_set():
                key = f"crash-pay-{claim_id}-{i}"
                amount = ITEM - DEDUCTIBLE if i == 0 else ITEM  # what the item made due
                i += 1
                try:
                    item = await client.post(
                        f"/api/v1/claims/{claim_id}/items",
                        headers=ctx["claims"],
                        json={"coverage": "liability", "category": "damages", "amount": ITEM},
                    )
                    if item.status_code != 201:
                        burst.server_errors += item.status_code >= 500
                        return
                    burst.sent_payments.append((claim_id, key, amount))
                    paid = await client.post(
                        f"/api/v1/claims/{claim_id}/payments",
                        headers=ctx["claims"],
                        json=payment_body(key, amount),
                    )
                except httpx.HTTPError as exc:
                    burst.failures.append(type(exc).__name__)
                    return
                burst.server_errors += paid.status_code >= 500
                if paid.status_code != 201:
                    return
                burst.acked_payments[key] = paid.json()

        async def kill() -> None:
            # mid-burst: once some of each kind were answered (a loaded machine may take
            # seconds for the first ones), while more are in flight
            deadline = asyncio.get_running_loop().time() + 60
            while len(burst.acked_payments) < 3 or len(burst.acked_incidents) < 10:
                if asyncio.get_running_loop().time() > deadline:
                    raise RuntimeError(f"no answers within 60 s: {burst.failures[:5]}")
                await asyncio.sleep(0.05)
            await asyncio.sleep(kill_after)
            burst.killed_at = time.perf_counter()
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
    return burst


def stored_keys(session: Session, prefix: str) -> set[str]:
    """The idempotency keys of the stored incidents that start with ``prefix``."""
    return set(
        session.execute(
            select(Incident.idempotency_key).where(Incident.idempotency_key.like(prefix + "%"))
        ).scalars()
    )


def audit_verify(database_url: str) -> bool:
    """``cybercover audit verify`` as an operator runs it: exit 0 and "ok"."""
    done = subprocess.run(
        [sys.executable, "-m", "cybercover", "audit", "verify"],
        env={**os.environ, "CYBERCOVER_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode == 0 and "ok" in done.stdout


def kill_mid_burst(
    database_url: str, *, log: Path | None = None, kill_after: float = 0.5
) -> KillReport:
    """Burst, SIGKILL, restart, retry, count (see the module's docstring)."""
    with serve(database_url, workers=2, log=log) as server:
        ctx = _open_claims(server.url)
        burst = asyncio.run(_burst(server, ctx, kill_after))
        time.sleep(0.5)
        server.start(demo=False)
        restart_s = time.perf_counter() - burst.killed_at
        # a client re-sends every payment it sent, with the same key
        retries: Counter[str] = Counter()
        repeated = 0
        for claim_id, key, amount in burst.sent_payments:
            answer = httpx.post(
                f"{server.url}/api/v1/claims/{claim_id}/payments",
                headers=ctx["claims"],
                json=payment_body(key, amount),
                timeout=30,
            )
            retries[str(answer.status_code)] += 1
            first = burst.acked_payments.get(key)
            if first is not None and answer.status_code == 201:
                again = answer.json()
                repeated += bool(
                    again["repeated"]
                    and (again["id"], again["amount"]) == (first["id"], first["amount"])
                )
    report = _count(database_url, burst)
    report.update(
        restart_s=round(restart_s, 2),
        retries_answered=dict(sorted(retries.items())),
        acknowledged_retries_repeated=repeated,
    )
    return KillReport(backend=database_url.split(":", 1)[0].split("+")[0], **report)


def _count(database_url: str, burst: _Burst) -> dict[str, Any]:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            stored = stored_keys(session, "crash-")
            payments = (
                session.execute(
                    select(ClaimPayment)
                    .where(ClaimPayment.idempotency_key.like("crash-%"))
                    .order_by(ClaimPayment.id)
                )
                .scalars()
                .all()
            )
            keys = [p.idempotency_key for p in payments]
            amounts: dict[int, list[int]] = {}
            for p in payments:
                amounts.setdefault(p.claim_id, []).append(p.amount)
            audited = [
                str((r.after or {}).get("idempotency_key", ""))
                for r in session.execute(
                    select(AuditRecord).where(AuditRecord.action == "claim.payment_paid")
                ).scalars()
            ]
            audited = [k for k in audited if k.startswith("crash-")]
        ledgers_ok = ledgers_match_payments(engine)
    finally:
        engine.dispose()
    return {
        "incidents_acknowledged": len(burst.acked_incidents),
        "incidents_acknowledged_stored": len(set(burst.acked_incidents) & stored),
        "cut_off": len(burst.failures),
        "payments_sent": len(burst.sent_payments),
        "payments_acknowledged": len(burst.acked_payments),
        "payments_stored": len(keys),
        "payments_acknowledged_stored": len(set(burst.acked_payments) & set(keys)),
        "paid_twice": len(keys) - len(set(keys)),
        "half_written": sum(
            not (
                p.status == "paid"
                and p.paid_at is not None
                and p.amount == sum(p.by_part.values()) > 0
            )
            for p in payments
        ),
        "amounts_by_claim": amounts,
        "ledgers_equal_payments": ledgers_ok,
        "audit_rows_equal_payments": sorted(audited) == sorted(keys),
        "audit_verify_ok": audit_verify(database_url),
        "server_errors": burst.server_errors,
    }


# -------------------------------------------------------------------------- restart


@dataclass
class RestartReport:
    """Every answer met by four clients while PostgreSQL restarted, and after."""

    statuses: dict[str, int]
    unavailable_clean: bool  # each 503: problem JSON, database-unavailable, Retry-After > 0
    retry_after_s: list[int]
    refused_for_s: float  # from the first 503 answer to the last
    served_again: bool
    tries_until_served: int
    acknowledged: int
    acknowledged_stored: int
    traceback_in_log: bool


def restart_postgres_under_load(
    cluster: Cluster, *, log: Path, clients: int = 4, before_s: float = 1.0, after_s: float = 1.5
) -> RestartReport:
    with serve(cluster.url, workers=2, log=log) as server:
        desk = token(server.url, DESK)
        answers: list[tuple[str, float, httpx.Response]] = []
        stop = threading.Event()

        def client(n: int) -> None:
            with httpx.Client(base_url=server.url, headers=desk, timeout=30) as http:
                i = 0
                while not stop.is_set():
                    key = f"restart-{n}-{i}"
                    i += 1
                    sent = http.post(
                        "/api/v1/incidents",
                        json={"summary": key, "channel": "api", "idempotency_key": key},
                    )
                    answers.append((key, time.perf_counter(), sent))
                    answers.append(("", time.perf_counter(), http.get("/api/v1/users/me")))

        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        for thread in threads:
            thread.start()
        try:
            time.sleep(before_s)
            cluster.restart()
            time.sleep(after_s)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
        tries, again = 0, None
        while tries < 20 and (again is None or again.status_code != 201):
            if tries:  # served again, on the first or a later try
                time.sleep(0.5)
            tries += 1
            again = httpx.post(
                server.url + "/api/v1/incidents",
                headers=desk,
                json={"summary": "after", "channel": "api", "idempotency_key": "restart-after"},
                timeout=30,
            )
    refused = [(t, r) for _, t, r in answers if r.status_code == 503]
    clean = all(
        r.headers.get("content-type") == "application/problem+json"
        and int(r.headers.get("Retry-After", "0")) > 0
        and r.json().get("type") == "/problems/database-unavailable"
        and "Traceback" not in r.text
        for _, r in refused
    )
    span = (max(t for t, _ in refused) - min(t for t, _ in refused)) if refused else 0.0
    acknowledged = {key for key, _, r in answers if key and r.status_code == 201}
    engine = make_engine(cluster.url)
    try:
        with Session(engine) as session:
            stored = stored_keys(session, "restart-")
    finally:
        engine.dispose()
    return RestartReport(
        statuses=dict(sorted(Counter(str(r.status_code) for _, _, r in answers).items())),
        unavailable_clean=clean,
        retry_after_s=sorted({int(r.headers.get("Retry-After", "0")) for _, r in refused}),
        refused_for_s=round(span, 2),
        served_again=again is not None and again.status_code == 201,
        tries_until_served=tries,
        acknowledged=len(acknowledged),
        acknowledged_stored=len(acknowledged & stored),
        traceback_in_log="Traceback" in log.read_text(encoding="utf-8"),
    )


# ------------------------------------------------------------------------------ CLI


@contextmanager
def _database(backend: str) -> Iterator[str]:
    if backend == "postgresql":
        with postgres_cluster() as cluster:
            yield cluster.url
        return
    with tempfile.TemporaryDirectory(prefix="cybercover-faults-") as directory:
        yield f"sqlite:///{directory}/faults.db"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", choices=["kill", "restart"])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--repeat", type=int, default=3, help="runs, each on a fresh database")
    parser.add_argument("--out", type=Path, default=None, help="write the reports as JSON")
    args = parser.parse_args()
    reports: list[dict[str, Any]] = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="cybercover-faults-log-") as logs:
            log = Path(logs) / "serve.log"
            if args.scenario == "kill":
                with _database(args.backend) as url:
                    kill = kill_mid_burst(url, log=log)
                reports.append({**asdict(kill), "lost": kill.lost})
            else:
                with postgres_cluster() as cluster:
                    reports.append(asdict(restart_postgres_under_load(cluster, log=log)))
    text = json.dumps(reports, indent=2, ensure_ascii=False)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    if args.scenario == "kill":
        for key in ("incidents_acknowledged", "payments_acknowledged", "cut_off", "restart_s"):
            values = [float(r[key]) for r in reports]
            print(f"{key}: median {statistics.median(values):g} (runs: {values})")


if __name__ == "__main__":
    main()
