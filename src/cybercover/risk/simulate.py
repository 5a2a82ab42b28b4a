"""Year-by-year Monte Carlo through each policy's own terms.

The simulated years are cut into blocks. Block ``b`` draws from its own counter-based
generator, NumPy's Philox keyed by ``SeedSequence(seed, spawn_key=(b,))``, so a block's
draws depend only on the seed and its index: the result is the same whether the blocks
run in one process or spread over Dask workers in any order, and :func:`combine` adds the
blocks' integer sums in block order.

In one block:

1. **Attritional accidents.** Each insured × family is a Poisson process; the block's
   accidents are drawn as one Poisson count with the total rate and spread over insured ×
   family by their rates, and uniformly over the block's years and the time within the
   year (the superposition of independent Poisson processes).
2. **Accumulation events.** Each scenario (each vendor for ``per_vendor`` ones) has a
   Poisson count of events; each event hits every candidate insured with its own hit
   probability, all at the same moment.
3. **Losses.** Severity: spliced lognormal–Pareto, scaled by the size band, capped;
   split over ① ② ④ (Dirichlet around the family's shares); outage hours lognormal;
   ③ loss of profit = hourly gross profit × hours × impact (Beta).
4. **Terms.** Accidents are grouped by (year, insured) in time order and run through
   :func:`cybercover.terms.vectorised.apply_terms`, each policy-year with its policy's
   terms row: limits, deductibles, waiting period and mode, the BI option, shared limits
   and the aggregate eroded in time order.
5. **Sums.** Per year: ground-up and insured totals, the largest event (occurrence), by
   source (family or scenario) and by industry; per insured: totals and counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

from cybercover.risk.exposure import TICKS_PER_HOUR, Portfolio
from cybercover.risk.model import PARTS, LossModel
from cybercover.terms.vectorised import MAX_OUTAGE_TICKS, apply_terms

__all__ = [
    "Accidents",
    "BlockResult",
    "SimulationResult",
    "block_generator",
    "combine",
    "draw_accidents",
    "simulate_block",
    "simulate_local",
    "year_blocks",
]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

_LIABILITY, _RESPONSE, _PROFIT, _CONTINUATION = range(4)
_SPLIT_COLUMN = {"liability": _LIABILITY, "response_costs": _RESPONSE}
_SPLIT_COLUMN["continuation_costs"] = _CONTINUATION
_MAX_HOURS = (MAX_OUTAGE_TICKS - 1) // TICKS_PER_HOUR


def block_generator(seed: int, block: int) -> np.random.Generator:
    """The counter-based generator of one year block (Philox, keyed by seed and block)."""
    return np.random.Generator(np.random.Philox(np.random.SeedSequence(seed, spawn_key=(block,))))


def year_blocks(years: int, block_years: int) -> list[tuple[int, int, int]]:
    """``(block, first_year, n_years)`` covering ``years`` in blocks of ``block_years``."""
    if years < 1 or block_years < 1:
        raise ValueError("years and block_years must be at least 1")
    return [
        (b, first, min(block_years, years - first))
        for b, first in enumerate(range(0, years, block_years))
    ]


@dataclass(frozen=True, slots=True)
class Accidents:
    """The accidents of one block, unsorted: one row each."""

    policy: I64
    year: I64  # block-local year
    time: F64  # fraction of the year
    source: I64  # index into model.source_codes
    event: I64  # block-local event id (an accumulation event's hits share one)
    losses: I64  # (M, 4) ground-up per part
    outage_ticks: I64  # seconds
    n_events: int


def _severity(
    rng: np.random.Generator,
    n: int,
    median: float,
    sigma: float,
    tail_quantile: float | None,
    tail_alpha: float | None,
) -> F64:
    """Lognormal(median, sigma); beyond the ``tail_quantile`` point, Pareto(alpha)."""
    z = rng.standard_normal(n)
    x: F64 = median * np.exp(sigma * z)
    if tail_quantile is not None and tail_alpha is not None and n:
        zq = NormalDist().inv_cdf(tail_quantile)
        threshold = median * np.exp(sigma * zq)
        tail = z > zq
        v = 1.0 - rng.random(int(tail.sum()))  # (0, 1]
        x[tail] = threshold * v ** (-1.0 / tail_alpha)
    return x


def _outage_ticks(
    rng: np.random.Generator, n: int, probability: float, median_hours: float, sigma: float
) -> I64:
    hours = median_hours * np.exp(sigma * rng.standard_normal(n))
    hours = np.minimum(hours, _MAX_HOURS)
    down = rng.random(n) < probability
    ticks: I64 = np.where(down, np.rint(hours * TICKS_PER_HOUR), 0).astype(np.int64)
    return ticks


def _fill_losses(
    rng: np.random.Generator,
    model: LossModel,
    portfolio: Portfolio,
    policy: I64,
    severity: F64,
    shares: F64,
    ticks: I64,
    continuation_share: float,
) -> I64:
    """Ground-up per part: severity split by ``shares`` (M, 3: ① ② ④), a continuation
    share moved to ④ when down, and ③ from the outage."""
    severity = np.minimum(severity * portfolio.severity_scale[policy], portfolio.loss_cap[policy])
    out = np.zeros((len(policy), len(PARTS)))
    down = ticks > 0
    keep = np.where(down, 1.0 - continuation_share, 1.0)
    out[:, _LIABILITY] = severity * shares[:, 0] * keep
    out[:, _RESPONSE] = severity * shares[:, 1] * keep
    out[:, _CONTINUATION] = severity * shares[:, 2] * keep + np.where(
        down, severity * continuation_share, 0.0
    )
    info = model.model
    impact = rng.beta(info.outage_impact_a, info.outage_impact_b, len(policy))
    profit = portfolio.hourly_profit[policy] * (ticks / TICKS_PER_HOUR) * impact
    out[:, _PROFIT] = np.minimum(profit, portfolio.loss_cap[policy])
    losses: I64 = np.floor(out).astype(np.int64)
    return losses


def _split_matrix(
    rng: np.random.Generator, split: dict[str, float], concentration: float | None, n: int
) -> F64:
    """(n, 3) shares over ① ② ④: Dirichlet around ``split`` or exactly ``split``."""
    cols = [_SPLIT_COLUMN[p] for p in split]
    alpha = np.array(list(split.values()))
    shares = np.zeros((n, 3))
    index = {_LIABILITY: 0, _RESPONSE: 1, _CONTINUATION: 2}
    if concentration is None or len(cols) == 1:
        drawn = np.broadcast_to(alpha, (n, len(cols)))
    else:
        drawn = rng.dirichlet(alpha * concentration, n)
    for j, col in enumerate(cols):
        shares[:, index[col]] = drawn[:, j]
    return shares


def draw_accidents(
    model: LossModel, portfolio: Portfolio, seed: int, block: int, n_years: int
) -> Accidents:
    """Every accident of one block (attritional and accumulation), in draw order."""
    rng = block_generator(seed, block)
    fam_count = len(model.families)
    parts: list[Accidents] = []

    # 1. attritional: one Poisson count, spread over insured × family by rate
    rates = portfolio.family_rate.ravel()
    total = float(rates.sum())
    n = int(rng.poisson(total * n_years)) if total > 0 else 0
    cells = np.searchsorted(np.cumsum(rates) / total, rng.random(n), side="right") if n else None
    cell = np.minimum(cells, len(rates) - 1) if cells is not None else np.zeros(0, np.int64)
    policy = (cell // fam_count).astype(np.int64)
    family = (cell % fam_count).astype(np.int64)
    year = rng.integers(0, n_years, n, dtype=np.int64)
    time = rng.random(n)
    losses = np.zeros((n, len(PARTS)), np.int64)
    ticks = np.zeros(n, np.int64)
    for f, fam in enumerate(model.families):
        rows = np.flatnonzero(family == f)
        k = len(rows)
        if not k:
            continue
        sev = _severity(rng, k, fam.median, fam.sigma, fam.tail_quantile, fam.tail_alpha)
        shares = _split_matrix(rng, fam.split, fam.split_concentration, k)
        t = _outage_ticks(rng, k, fam.outage_probability, fam.outage_median_hours, fam.outage_sigma)
        ticks[rows] = t
        losses[rows] = _fill_losses(
            rng, model, portfolio, policy[rows], sev, shares, t, fam.continuation_share
        )
    parts.append(
        Accidents(policy, year, time, family, np.arange(n, dtype=np.int64), losses, ticks, n)
    )
    next_event = n

    # 2. accumulation scenarios
    for s, sc in enumerate(model.scenarios):
        vendors = model.vendors
        groups: Iterable[int | None] = (
            [i for i, v in enumerate(vendors.names) if v != vendors.on_premises]
            if sc.per_vendor
            else [None]
        )
        for vendor in groups:
            n_ev = int(rng.poisson(sc.rate * n_years))
            if not n_ev:
                continue
            prob = portfolio.scenario_prob[:, s]
            mask = prob > 0
            if vendor is not None:
                mask &= portfolio.vendor_index == vendor
            cand = np.flatnonzero(mask)
            ev_year = rng.integers(0, n_years, n_ev, dtype=np.int64)
            ev_time = rng.random(n_ev)
            if not len(cand):
                next_event += n_ev
                continue
            hit = rng.random((n_ev, len(cand))) < prob[cand]
            ev, which = np.nonzero(hit)
            k = len(ev)
            hit_policy = cand[which].astype(np.int64)
            sev = _severity(rng, k, sc.median, sc.sigma, None, None)
            shares = _split_matrix(rng, sc.split, None, k)
            t = _outage_ticks(
                rng, k, sc.outage_probability, sc.outage_median_hours, sc.outage_sigma
            )
            parts.append(
                Accidents(
                    hit_policy,
                    ev_year[ev],
                    ev_time[ev],
                    np.full(k, fam_count + s, np.int64),
                    (next_event + ev).astype(np.int64),
                    _fill_losses(rng, model, portfolio, hit_policy, sev, shares, t, 0.0),
                    t,
                    n_ev,
                )
            )
            next_event += n_ev

    return Accidents(
        policy=np.concatenate([a.policy for a in parts]),
        year=np.concatenate([a.year for a in parts]),
        time=np.concatenate([a.time for a in parts]),
        source=np.concatenate([a.source for a in parts]),
        event=np.concatenate([a.event for a in parts]),
        losses=np.concatenate([a.losses for a in parts]),
        outage_ticks=np.concatenate([a.outage_ticks for a in parts]),
        n_events=next_event,
    )


@dataclass(frozen=True, slots=True)
class BlockResult:
    """One block's sums: per year (block-local) and per insured."""

    block: int
    first_year: int
    ground_up: I64  # (Y,)
    insured: I64  # (Y,)
    max_event_ground_up: I64  # (Y,)
    max_event_insured: I64  # (Y,)
    accidents: I64  # (Y,)
    by_source: I64  # (Y, S) insured
    by_industry: I64  # (Y, I) insured
    policy_ground_up: I64  # (P,)
    policy_insured: I64  # (P,)
    policy_accidents: I64  # (P,)
    source_accidents: I64  # (S,)
    source_ground_up: I64  # (S,)


def simulate_block(
    model: LossModel, portfolio: Portfolio, seed: int, block: int, first_year: int, n_years: int
) -> BlockResult:
    """Draw one block and run it through the terms; see the module doc."""
    acc = draw_accidents(model, portfolio, seed, block, n_years)
    p = portfolio.size
    order = np.lexsort((acc.time, acc.policy, acc.year))
    policy = acc.policy[order]
    year = acc.year[order]
    losses = np.ascontiguousarray(acc.losses[order])
    ticks = acc.outage_ticks[order]
    source = acc.source[order]
    event = acc.event[order]
    m = len(order)

    group_key = year * p + policy
    starts = np.flatnonzero(np.r_[True, group_key[1:] != group_key[:-1]]) if m else np.zeros(0)
    year_offsets = np.r_[starts, m].astype(np.int64)
    terms_index = policy[starts].astype(np.int64) if m else np.zeros(0, np.int64)
    insured = np.empty(m, np.int64)
    if m:
        apply_terms(
            portfolio.terms,
            losses,
            year_offsets,
            ticks,
            terms_index,
            per_part=False,
            out=insured,
        )
    ground = losses.sum(axis=1)

    n_src = len(model.source_codes)
    n_ind = len(portfolio.industries)
    gu_year = np.zeros(n_years, np.int64)
    in_year = np.zeros(n_years, np.int64)
    count_year = np.zeros(n_years, np.int64)
    np.add.at(gu_year, year, ground)
    np.add.at(in_year, year, insured)
    np.add.at(count_year, year, 1)
    by_source = np.zeros((n_years, n_src), np.int64)
    np.add.at(by_source, (year, source), insured)
    by_industry = np.zeros((n_years, n_ind), np.int64)
    np.add.at(by_industry, (year, portfolio.industry_index[policy]), insured)

    ev_gu = np.zeros(acc.n_events, np.int64)
    ev_in = np.zeros(acc.n_events, np.int64)
    ev_year = np.full(acc.n_events, -1, np.int64)
    np.add.at(ev_gu, event, ground)
    np.add.at(ev_in, event, insured)
    ev_year[event] = year
    seen = ev_year >= 0
    max_gu = np.zeros(n_years, np.int64)
    max_in = np.zeros(n_years, np.int64)
    np.maximum.at(max_gu, ev_year[seen], ev_gu[seen])
    np.maximum.at(max_in, ev_year[seen], ev_in[seen])

    pol_gu = np.zeros(p, np.int64)
    pol_in = np.zeros(p, np.int64)
    pol_n = np.zeros(p, np.int64)
    np.add.at(pol_gu, policy, ground)
    np.add.at(pol_in, policy, insured)
    np.add.at(pol_n, policy, 1)
    src_n = np.bincount(source, minlength=n_src).astype(np.int64)
    src_gu = np.zeros(n_src, np.int64)
    np.add.at(src_gu, source, ground)
    return BlockResult(
        block=block,
        first_year=first_year,
        ground_up=gu_year,
        insured=in_year,
        max_event_ground_up=max_gu,
        max_event_insured=max_in,
        accidents=count_year,
        by_source=by_source,
        by_industry=by_industry,
        policy_ground_up=pol_gu,
        policy_insured=pol_in,
        policy_accidents=pol_n,
        source_accidents=src_n,
        source_ground_up=src_gu,
    )


@dataclass(frozen=True, slots=True)
class SimulationResult:
    """All years of a run; built by :func:`combine`."""

    seed: int
    years: int
    keys: tuple[str, ...]
    sources: tuple[str, ...]
    industries: tuple[str, ...]
    ground_up: I64
    insured: I64
    max_event_ground_up: I64
    max_event_insured: I64
    accidents: I64
    by_source: I64
    by_industry: I64
    policy_ground_up: I64
    policy_insured: I64
    policy_accidents: I64
    source_accidents: I64
    source_ground_up: I64


def combine(
    model: LossModel, portfolio: Portfolio, seed: int, blocks: Sequence[BlockResult]
) -> SimulationResult:
    """Blocks in block order: year arrays concatenated, insured sums added (integers, so
    the order of arrival never changes a figure)."""
    ordered = sorted(blocks, key=lambda b: b.block)

    def cat(name: str) -> I64:
        out: I64 = np.concatenate([getattr(b, name) for b in ordered])
        return out

    def add(name: str) -> I64:
        out: I64 = np.sum([getattr(b, name) for b in ordered], axis=0, dtype=np.int64)
        return out

    return SimulationResult(
        seed=seed,
        years=sum(len(b.ground_up) for b in ordered),
        keys=portfolio.keys,
        sources=model.source_codes,
        industries=portfolio.industries,
        ground_up=cat("ground_up"),
        insured=cat("insured"),
        max_event_ground_up=cat("max_event_ground_up"),
        max_event_insured=cat("max_event_insured"),
        accidents=cat("accidents"),
        by_source=cat("by_source"),
        by_industry=cat("by_industry"),
        policy_ground_up=add("policy_ground_up"),
        policy_insured=add("policy_insured"),
        policy_accidents=add("policy_accidents"),
        source_accidents=add("source_accidents"),
        source_ground_up=add("source_ground_up"),
    )


def simulate_local(
    model: LossModel,
    portfolio: Portfolio,
    *,
    years: int,
    seed: int,
    block_years: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> SimulationResult:
    """Run every block in this process (``progress`` gets each block's year count)."""
    results = []
    for block, first, n in year_blocks(years, block_years):
        results.append(simulate_block(model, portfolio, seed, block, first, n))
        if progress is not None:
            progress(n)
    return combine(model, portfolio, seed, results)
