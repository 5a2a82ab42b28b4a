"""A bounded load test of ``cybercover serve`` (loopback only; stops by itself).

Open-loop: each stream sends at its own fixed rate whatever the answers take, so a slow
server shows as latency, not as a politely lower rate.

- **rates**: ``POST /api/v1/rating`` as the agent: a rate-table quote (the premium and
  every factor of ``examples/rate-manufacturer-plan1.json``), stored nowhere;
- **quotes**: ``POST /api/v1/submissions/{id}/quotes`` with one option, as the agent:
  underwriting rules, the rate table and the premium, a stored quote and its audit row;
- **incidents**: ``POST /api/v1/incidents`` as the desk operator, each a distinct event;
- **payments**: a loss item of ¥300,000 and a claim payment of ¥300,000 of ① to the
  victim with its idempotency key, as the claims handler, on claims opened on the demo
  policies (each takes the policy's lock). A payment names its part, amount and payee
  (issue #17): each claim first gets an item of the ¥100,000 deductible and a reserve, so
  every later item makes exactly ¥300,000 due; enough claims are opened that none takes
  more than ``PAYMENTS_PER_CLAIM`` payments, which keeps each within the reserve and the
  handler's ¥10,000,000 authority (counted over all it paid on the claim).

Afterwards the database is counted: every acknowledged (2xx) incident and payment must be
there, the ledger each policy shows (``limits_left``: paid, and committed: payments
awaiting approval) must equal the sum of its stored payments, and the audit chain must
verify. The server is started here (``--workers``, on ``--database-url`` or a
throw-away PostgreSQL with ``--postgres``), or given with ``--url`` and ``--database-url``.

The client is one asyncio process on aiohttp: it shares the cores with the server, and
httpx's async client cost about twelve times its CPU per request (``client_cost.py``).

``exact=True`` (``--exact``) is for checking behaviour, not speed (tests/faults): each
stream sends exactly rate × seconds requests, on the same clock, however long a slow
machine takes to send them; none is skipped (the sender waits for one of the 256 to be
answered) and each may take ``timeout`` seconds (``--timeout``) to be answered. The
default, the benchmark's, is unchanged: a fixed time, skipping beyond the backlog.

    .venv/bin/python bench/load.py --postgres --workers 2 --seconds 30 --repeat 3 \
        --rates 200 --quotes 0 --incidents 50 --payments 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cybercover.demo import ANSWERS, DEMO_PASSWORD, OPTIONS
from cybercover.services.audit import verify_audit
from cybercover.services.authz import SYSTEM
from cybercover.services.claims import limits_left
from cybercover.services.uow import Database
from cybercover.storage.db import make_engine
from cybercover.storage.models import Claim, ClaimPayment, Incident
from server import postgres_cluster, serve

__all__ = ["LoadReport", "ledgers_match_payments", "run_load"]

AGENT = "agent@lac.demo.cybercover.jp"
DESK = "desk@demo.cybercover.jp"
CLAIMS = "claims@demo.cybercover.jp"
ITEM_YEN = 300_000
DEDUCTIBLE_YEN = 100_000  # ① of every demo policy: a first item of it leaves nothing due
PAYMENTS_PER_CLAIM = 30  # 30 × 300,000 = 9,000,000: within the handler's 10,000,000
RESERVE_YEN = PAYMENTS_PER_CLAIM * ITEM_YEN
QUOTES_PER_SUBMISSION = 25
# Open loop, bounded: beyond this many unanswered requests the server is not keeping up,
# and a longer queue in the client only burns the CPU the server needs; a request due
# then is counted as skipped.
MAX_IN_FLIGHT = 256
RATE_BODY = Path(__file__).resolve().parents[1] / "examples" / "rate-manufacturer-plan1.json"
RATE_BODY_TEXT = RATE_BODY.read_bytes()


@dataclass
class Stream:
    name: str
    rate: float
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    refusal: str = ""  # the first non-2xx answer's body, to say why
    server_error: str = ""  # the first 5xx: which request, its status and body
    skipped: int = 0  # due but not sent: MAX_IN_FLIGHT requests were already waiting

    def summary(self, seconds: float) -> dict[str, Any]:
        lat = sorted(self.latencies)

        def pct(p: float) -> float | None:
            return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 1) if lat else None

        return {
            "target_per_s": self.rate,
            "sent": len(self.latencies) + len(self.errors),
            "achieved_per_s": round(len(lat) / seconds, 1),
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
            "max_ms": round(lat[-1] * 1000, 1) if lat else None,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "transport_errors": len(self.errors),
            "skipped_backlog": self.skipped,
            "first_refusal": self.refusal[:300],
            "first_server_error": self.server_error[:500],
        }


@dataclass
class LoadReport:
    seconds: float
    probe_ms: float  # machine_probe() just before the run: how fast this machine was then
    streams: dict[str, dict[str, Any]]
    incidents_acknowledged: int
    incidents_stored: int
    payments_acknowledged: int
    payments_stored: int
    ledger_equals_payments: bool  # each policy's paid and committed = its stored payments
    audit_rows: int
    audit_ok: bool

    @property
    def server_errors(self) -> int:
        return sum(
            n for s in self.streams.values() for k, n in s["statuses"].items() if int(k) >= 500
        )

    @property
    def lost(self) -> int:
        return (self.incidents_acknowledged - self.incidents_stored) + (
            self.payments_acknowledged - self.payments_stored
        )


@dataclass(frozen=True)
class Answer:
    """One HTTP answer, read in full."""

    status: int
    body: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        return json.loads(self.body)

    def check(self) -> Answer:
        if not self.ok:
            raise RuntimeError(f"HTTP {self.status}: {self.body[:300]!r}")
        return self


class Client:
    """A thin aiohttp client. The load generator shares the cores with the server, so
    its own cost per request matters: httpx's async client took about 2.5 ms of CPU per
    request on this machine, aiohttp about 0.2 ms (bench/README.md, "The client")."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def call(
        self,
        method: str,
        path: str,
        headers: dict[str, str] | None = None,
        body: Any = None,
        raw: bytes | None = None,
    ) -> Answer:
        data = raw if raw is not None else (None if body is None else json.dumps(body))
        headers = {**(headers or {}), "Content-Type": "application/json"}
        async with self.session.request(method, path, headers=headers, data=data) as response:
            return Answer(response.status, await response.read())


async def _token(client: Client, email: str) -> dict[str, str]:
    response = await client.call(
        "POST", "/api/v1/auth/tokens", body={"email": email, "password": DEMO_PASSWORD}
    )
    return {"Authorization": f"Bearer {response.check().json()['token']}"}


async def _prepare(client: Client, tag: str, submissions: int, payments: int) -> dict[str, Any]:
    """Tokens, a submission to quote, and claims on the demo policies to pay on: enough
    that none takes more than ``PAYMENTS_PER_CLAIM`` of the ``payments`` to be sent."""
    agent, desk, claims = [await _token(client, e) for e in (AGENT, DESK, CLAIMS)]
    companies = (await client.call("GET", "/api/v1/companies", agent)).check().json()
    start_date = str(datetime.now(UTC).date() + timedelta(days=30))

    async def submission(company_id: int) -> int:
        made = await client.call(
            "POST",
            "/api/v1/submissions",
            agent,
            {"company_id": company_id, "start_date": start_date},
        )
        sub_id = int(made.check().json()["id"])
        patched = await client.call(
            "PATCH", f"/api/v1/submissions/{sub_id}", agent, {"disclosure": ANSWERS}
        )
        patched.check()
        return sub_id

    # an agent quotes a submission a few times, not thousands: spread the quotes
    sub_ids: list[int] = []
    while len(sub_ids) < submissions:
        batch = min(20, submissions - len(sub_ids))
        sub_ids += await asyncio.gather(
            *(
                submission(companies[(len(sub_ids) + k) % len(companies)]["id"])
                for k in range(batch)
            )
        )
    policies = [
        p
        for p in (await client.call("GET", "/api/v1/policies", claims)).check().json()
        if p.get("status") == "in_force"
    ]
    per_policy = max(1, -(-payments // (PAYMENTS_PER_CLAIM * max(len(policies), 1))))
    claim_ids = []
    for _ in range(per_policy):
        for policy in policies:
            claim_ids.append(await _open_claim(client, claims, policy["id"], tag))
    return {
        "agent": agent,
        "desk": desk,
        "claims": claims,
        "submission_ids": sub_ids,
        "company_id": companies[-1]["id"],
        "claim_ids": claim_ids,
    }


async def _open_claim(client: Client, claims: dict[str, str], policy_id: int, tag: str) -> int:
    """A claim on ``policy_id`` (an accident now, the third party's claim now), its first
    item the ¥100,000 deductible of ①, and a reserve for ``PAYMENTS_PER_CLAIM`` payments."""
    now = datetime.now(UTC).isoformat()
    opened = await client.call(
        "POST",
        "/api/v1/claims",
        claims,
        {"policy_id": policy_id, "accident_at": now, "claim_made_at": now, "grounds": tag},
    )
    claim_id = int(opened.check().json()["id"])
    for path, body in (
        ("items", {"coverage": "liability", "category": "damages", "amount": DEDUCTIBLE_YEN}),
        ("reserves", {"coverage": "liability", "amount": RESERVE_YEN, "reason": f"load {tag}"}),
    ):
        (await client.call("POST", f"/api/v1/claims/{claim_id}/{path}", claims, body)).check()
    return claim_id


def payment_body(key: str, amount: int) -> dict[str, Any]:
    """A payment of ``amount`` of ① to the victim (issue #17: a part, an amount, a payee)."""
    return {
        "idempotency_key": key,
        "coverage": "liability",
        "amount": amount,
        "payee_kind": "third_party",
        "payee_name": "被害者 / the victim",
    }


async def _timed(stream: Stream, request: Any, ack: str | None = None) -> Answer | None:
    start = time.perf_counter()
    try:
        response: Answer = await request
    except (aiohttp.ClientError, TimeoutError) as exc:
        stream.errors.append(type(exc).__name__)
        return None
    stream.latencies.append(time.perf_counter() - start)
    stream.statuses[response.status] = stream.statuses.get(response.status, 0) + 1
    if ack is not None and response.ok:
        stream.acknowledged.append(ack)
    if not response.ok and not stream.refusal:
        stream.refusal = response.body.decode("utf-8", "replace")
    if response.status >= 500 and not stream.server_error:
        stream.server_error = f"{response.status} {response.body.decode('utf-8', 'replace')}"
    return response


async def _payment(client: Client, stream: Stream, ctx: dict[str, Any], i: int) -> None:
    claim_id = ctx["claim_ids"][i % len(ctx["claim_ids"])]
    try:
        item = await client.call(
            "POST",
            f"/api/v1/claims/{claim_id}/items",
            ctx["claims"],
            {"coverage": "liability", "category": "damages", "amount": ITEM_YEN},
        )
    except (aiohttp.ClientError, TimeoutError) as exc:
        stream.errors.append(type(exc).__name__)
        return
    if not item.ok:
        stream.statuses[item.status] = stream.statuses.get(item.status, 0) + 1
        stream.refusal = stream.refusal or item.body.decode("utf-8", "replace")
        if item.status >= 500 and not stream.server_error:
            stream.server_error = f"loss item: {item.status} {item.body.decode('utf-8', 'replace')}"
        return
    key = f"{ctx['tag']}-pay-{i}"
    await _timed(
        stream,
        client.call(
            "POST",
            f"/api/v1/claims/{claim_id}/payments",
            ctx["claims"],
            payment_body(key, ITEM_YEN),
        ),
        ack=key,
    )


async def _drive(
    url: str,
    seconds: float,
    rates: dict[str, float],
    tag: str,
    *,
    exact: bool = False,
    timeout: float = 30,
) -> tuple[dict[str, Stream], dict[str, Any]]:
    connector = aiohttp.TCPConnector(limit=MAX_IN_FLIGHT)
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    async with aiohttp.ClientSession(url, connector=connector, timeout=client_timeout) as session:
        client = Client(session)
        quotes = rates.get("quotes", 0) * seconds
        payments = round(rates.get("payments", 0) * seconds)
        ctx = await _prepare(
            client, tag, max(1, int(quotes // QUOTES_PER_SUBMISSION) + 1), payments
        )
        ctx["tag"] = tag
        subs = ctx["submission_ids"]
        streams = {name: Stream(name, rate) for name, rate in rates.items() if rate > 0}
        option = OPTIONS[0]
        tasks: list[asyncio.Task[Any]] = []

        in_flight = 0

        async def tracked(coro: Any) -> None:
            nonlocal in_flight
            in_flight += 1
            try:
                await coro
            finally:
                in_flight -= 1

        def fire(name: str, i: int) -> bool:
            """Send request ``i`` of a stream; False when the backlog is full and it is
            kept for later (``exact``) rather than skipped."""
            stream = streams[name]
            if in_flight >= MAX_IN_FLIGHT:
                if exact:
                    return False
                stream.skipped += 1
                return True
            if name == "rates":
                coro: Any = _timed(
                    stream, client.call("POST", "/api/v1/rating", ctx["agent"], raw=RATE_BODY_TEXT)
                )
            elif name == "quotes":
                coro = _timed(
                    stream,
                    client.call(
                        "POST",
                        f"/api/v1/submissions/{subs[i % len(subs)]}/quotes",
                        ctx["agent"],
                        {"options": [option]},
                    ),
                )
            elif name == "incidents":
                key = f"{tag}-incident-{i}"
                coro = _timed(
                    stream,
                    client.call(
                        "POST",
                        "/api/v1/incidents",
                        ctx["desk"],
                        {
                            "summary": f"負荷試験 / load {key}",
                            "company_id": ctx["company_id"],
                            "channel": "api",
                            "idempotency_key": key,
                        },
                    ),
                    ack=key,
                )
            else:
                coro = _payment(client, stream, ctx, i)
            tasks.append(asyncio.ensure_future(tracked(coro)))
            return True

        loop = asyncio.get_running_loop()
        start = loop.time()
        sent = dict.fromkeys(streams, 0)
        # exact: every stream's whole count, however late (a slow machine sends it later)
        total = {name: round(stream.rate * seconds) for name, stream in streams.items()}
        while (elapsed := loop.time() - start) < seconds or (
            exact and any(sent[name] < total[name] for name in streams)
        ):
            for name, stream in streams.items():
                due = int(elapsed * stream.rate) + 1
                if exact:
                    due = min(due, total[name])
                while sent[name] < due and fire(name, sent[name]):
                    sent[name] += 1
            await asyncio.sleep(0.002)
        if tasks:
            wait = max(120.0, timeout + 30)
            _, pending = await asyncio.wait(tasks, timeout=wait)
            if pending:  # counting now would race the server's last writes
                raise RuntimeError(f"{len(pending)} requests still unanswered after {wait:g} s")
        return streams, ctx


def machine_probe() -> float:
    """Milliseconds of a fixed piece of pure Python (the median of five), taken before
    each run. The 2 cores are a virtual machine's: the same code measured up to a third
    slower at some hours than at others, and this says which hour a figure comes from."""
    times = []
    for _ in range(5):
        start = time.perf_counter()
        total = 0
        for i in range(300_000):
            total += i % 7
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000, 1)


def run_load(
    url: str,
    database_url: str,
    *,
    seconds: float,
    rates: dict[str, float],
    exact: bool = False,
    timeout: float = 30,
) -> LoadReport:
    """Drive the streams for ``seconds``, then count what the database holds.

    ``exact``: send exactly rate × seconds requests per stream, whatever the time it
    takes, never skipping; ``timeout``: the seconds each request may wait for its answer.
    """
    probe = machine_probe()
    tag = uuid.uuid4().hex[:8]
    streams, _ = asyncio.run(_drive(url, seconds, rates, tag, exact=exact, timeout=timeout))
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            stored_incidents = set(
                session.execute(
                    select(Incident.idempotency_key).where(
                        Incident.idempotency_key.like(f"{tag}-%")
                    )
                ).scalars()
            )
            payments = session.execute(
                select(ClaimPayment).where(ClaimPayment.idempotency_key.like(f"{tag}-%"))
            ).scalars()
            stored_payments = {p.idempotency_key for p in payments}
            audit = verify_audit(session)
        ledgers_ok = ledgers_match_payments(engine)
    finally:
        engine.dispose()
    incidents = streams.get("incidents", Stream("incidents", 0))
    pays = streams.get("payments", Stream("payments", 0))
    return LoadReport(
        seconds=seconds,
        probe_ms=probe,
        streams={name: s.summary(seconds) for name, s in streams.items()},
        incidents_acknowledged=len(incidents.acknowledged),
        incidents_stored=len(stored_incidents & set(incidents.acknowledged)),
        payments_acknowledged=len(pays.acknowledged),
        payments_stored=len(stored_payments & set(pays.acknowledged)),
        ledger_equals_payments=ledgers_ok,
        audit_rows=audit.rows,
        audit_ok=audit.ok,
    )


def ledgers_match_payments(engine: Any) -> bool:
    """The ledger is the sum of the payments (issue #17: no stored ledger any more): for
    every policy with a claim, what ``limits_left`` shows — paid, and committed (payments
    awaiting approval; the bench approves no partner cost) — equals its stored payments."""
    db = Database(engine=engine, clock=lambda: datetime.now(UTC))
    with Session(engine) as session:
        rows = session.execute(
            select(Claim.policy_id, ClaimPayment.status, ClaimPayment.amount).join(
                Claim, Claim.id == ClaimPayment.claim_id
            )
        ).all()
        policies = set(session.execute(select(Claim.policy_id)).scalars())
    for policy_id in policies:
        mine = [(status, amount) for pid, status, amount in rows if pid == policy_id]
        paid = sum(a for s, a in mine if s == "paid")
        pending = sum(a for s, a in mine if s == "pending_approval")
        shown = limits_left(db, SYSTEM, policy_id)["aggregate"]
        if (shown["paid"], shown["committed"]) != (paid, pending):
            return False
    return True


@contextmanager
def _target(args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    with ExitStack() as stack:
        database_url = args.database_url
        if args.postgres:
            database_url = stack.enter_context(postgres_cluster(durable=args.durable)).url
        if not database_url:
            raise SystemExit("--database-url or --postgres is needed")
        if args.url:
            yield args.url, database_url
            return
        server = stack.enter_context(serve(database_url, workers=args.workers, log=args.server_log))
        yield server.url, database_url


def _median_table(reports: list[LoadReport]) -> str:
    """One line per stream: the median over runs of each figure, and the runs' range."""
    lines = ["stream     target/s  achieved/s  p50 ms  p95 ms  p99 ms (runs' p99)"]
    for name in reports[0].streams:
        runs = [r.streams[name] for r in reports]

        def med(key: str, runs: list[dict[str, Any]] = runs) -> float:
            return float(statistics.median(float(s[key] or 0) for s in runs))

        p99s = ", ".join(f"{s['p99_ms']:.0f}" for s in runs)
        lines.append(
            f"{name:<10} {runs[0]['target_per_s']:>8.0f} {med('achieved_per_s'):>11.1f} "
            f"{med('p50_ms'):>7.0f} {med('p95_ms'):>7.0f} {med('p99_ms'):>7.0f} ({p99s})"
        )
    lost = sum(r.lost for r in reports)
    errors = sum(r.server_errors for r in reports)
    ok = all(r.audit_ok and r.ledger_equals_payments for r in reports)
    lines.append(f"lost={lost} 5xx={errors} audit+ledger ok={ok} over {len(reports)} runs")
    lines.append("machine probe ms: " + ", ".join(f"{r.probe_ms:g}" for r in reports))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument(
        "--rates", type=float, default=0, help="rate-table quote requests (/rating) per second"
    )
    parser.add_argument("--quotes", type=float, default=200, help="quote requests per second")
    parser.add_argument("--incidents", type=float, default=50, help="incident reports per s")
    parser.add_argument("--payments", type=float, default=5, help="claim payments per second")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers")
    parser.add_argument("--postgres", action="store_true", help="a throw-away PostgreSQL")
    parser.add_argument(
        "--durable", action="store_true", help="the throw-away PostgreSQL with fsync=on"
    )
    parser.add_argument("--database-url", default="")
    parser.add_argument("--url", default="", help="a server already running")
    parser.add_argument("--repeat", type=int, default=1, help="runs, each on a fresh server")
    parser.add_argument("--out", type=Path, default=None, help="write the reports as JSON")
    parser.add_argument(
        "--exact",
        action="store_true",
        help="send exactly rate x seconds requests per stream, however long it takes, "
        "never skipping (a check of behaviour, not a benchmark)",
    )
    parser.add_argument(
        "--timeout", type=float, default=30, help="seconds a request may wait for its answer"
    )
    parser.add_argument("--server-log", type=Path, default=None, help="keep the server's log")
    args = parser.parse_args()
    rates = {
        "rates": args.rates,
        "quotes": args.quotes,
        "incidents": args.incidents,
        "payments": args.payments,
    }
    reports = []
    for _ in range(args.repeat):
        with _target(args) as (url, database_url):
            reports.append(
                run_load(
                    url,
                    database_url,
                    seconds=args.seconds,
                    rates=rates,
                    exact=args.exact,
                    timeout=args.timeout,
                )
            )
    data = [{**r.__dict__, "server_errors": r.server_errors, "lost": r.lost} for r in reports]
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    print(_median_table(reports))


if __name__ == "__main__":
    main()
