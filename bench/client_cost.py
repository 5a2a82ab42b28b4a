"""What one request costs the load generator itself: CPU seconds of this process per
request, httpx's async client against aiohttp's, on the same server.

The load bench (load.py) runs on the same 2 cores as the server, so a client that burns
CPU takes it from the server. Each client sends ``--requests`` rate-table quotes
(``POST /api/v1/rating``) twenty at a time; the figure is this process's user+system CPU
time divided by the requests (``resource.getrusage``), the median of ``--repeat`` rounds.

    .venv/bin/python bench/client_cost.py --postgres --requests 600 --repeat 3
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from pathlib import Path

import aiohttp
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cybercover.demo import DEMO_PASSWORD
from load import AGENT, RATE_BODY_TEXT
from server import postgres_cluster, serve

BATCH = 20


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def with_httpx(url: str, headers: dict[str, str], n: int) -> tuple[float, float]:
    async with httpx.AsyncClient(base_url=url, limits=httpx.Limits(max_connections=256)) as c:

        async def one() -> None:
            r = await c.post("/api/v1/rating", headers=headers, content=RATE_BODY_TEXT)
            if r.status_code != 200:
                raise RuntimeError(r.text)

        return await _timed(one, n)


async def with_aiohttp(url: str, headers: dict[str, str], n: int) -> tuple[float, float]:
    connector = aiohttp.TCPConnector(limit=256)
    async with aiohttp.ClientSession(url, connector=connector) as c:

        async def one() -> None:
            async with c.post("/api/v1/rating", headers=headers, data=RATE_BODY_TEXT) as r:
                await r.read()
                if r.status != 200:
                    raise RuntimeError(r.status)

        return await _timed(one, n)


async def _timed(one: Callable[[], Awaitable[None]], n: int) -> tuple[float, float]:
    """(client CPU ms per request, requests per second of wall time)."""
    cpu, start = _cpu(), time.perf_counter()
    for _ in range(0, n, BATCH):
        await asyncio.gather(*(one() for _ in range(BATCH)))
    return (_cpu() - cpu) / n * 1000, n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", action="store_true", help="a throw-away PostgreSQL")
    parser.add_argument("--database-url", default="sqlite:///bench/out/client-cost.db")
    args = parser.parse_args()
    clients = {"httpx": with_httpx, "aiohttp": with_aiohttp}
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in clients}
    with postgres_cluster() if args.postgres else nullcontext() as cluster:
        url = cluster.url if cluster is not None else args.database_url
        with serve(url, workers=2) as server:
            answer = httpx.post(
                server.url + "/api/v1/auth/tokens",
                json={"email": AGENT, "password": DEMO_PASSWORD},
                timeout=30,
            )
            answer.raise_for_status()
            headers = {
                "Authorization": f"Bearer {answer.json()['token']}",
                "Content-Type": "application/json",
            }
            for _ in range(args.repeat):  # interleaved, so that both meet the same machine
                for name, client in clients.items():
                    results[name].append(asyncio.run(client(server.url, headers, args.requests)))
    for name, runs in results.items():
        cpu = statistics.median(r[0] for r in runs)
        rate = statistics.median(r[1] for r in runs)
        print(
            f"{name:<8} client CPU {cpu:.2f} ms/request (median of {len(runs)}), {rate:.0f} req/s"
        )


if __name__ == "__main__":
    main()
