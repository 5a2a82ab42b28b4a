"""The portfolio run spread over Dask distributed workers, block by block.

Each task is one year block (:func:`cybercover.risk.simulate.simulate_block`); the model
and the portfolio are scattered to every worker once. Blocks draw from their own Philox
stream, and :func:`~cybercover.risk.simulate.combine` sums integers in block order, so
the result is identical to :func:`~cybercover.risk.simulate.simulate_local` whatever the
number of workers or the order the blocks finish in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cybercover.risk.exposure import Portfolio
from cybercover.risk.model import LossModel
from cybercover.risk.simulate import (
    BlockResult,
    SimulationResult,
    combine,
    simulate_block,
    year_blocks,
)

__all__ = ["simulate_distributed", "warm_up"]


def _warm(model: LossModel, portfolio: Portfolio) -> int:
    """Compile the terms kernel in a worker (a tiny block), so timings leave it out."""
    simulate_block(model, portfolio, 0, 0, 0, 1)
    return 1


def warm_up(client: Any, model: LossModel, portfolio: Portfolio) -> None:
    """Run one tiny block on every worker (one-time compilation, reported apart)."""
    workers = list(client.scheduler_info()["workers"])
    futures = [
        client.submit(_warm, model, portfolio, workers=[w], pure=False, allow_other_workers=False)
        for w in workers
    ]
    client.gather(futures)


def simulate_distributed(
    client: Any,
    model: LossModel,
    portfolio: Portfolio,
    *,
    years: int,
    seed: int,
    block_years: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> SimulationResult:
    """Run every block as a Dask task on ``client`` (a ``distributed.Client``)."""
    from distributed import as_completed

    # fresh keys on every call (hash=False, pure=False): a second run never waits on, or
    # loses, the data of a first one being released
    model_f, portfolio_f = client.scatter([model, portfolio], broadcast=True, hash=False)
    blocks = year_blocks(years, block_years)
    futures = [
        client.submit(simulate_block, model_f, portfolio_f, seed, block, first, n, pure=False)
        for block, first, n in blocks
    ]
    sizes = {future.key: n for future, (_, _, n) in zip(futures, blocks, strict=True)}
    results: list[BlockResult] = []
    for future in as_completed(futures):
        results.append(future.result())
        if progress is not None:
            progress(sizes[future.key])
    return combine(model, portfolio, seed, results)
