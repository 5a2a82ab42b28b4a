"""Benchmark of the vectorised terms engine with every term on, against the exact path.

Run from the repository root with the project venv::

    .venv/bin/python bench/terms_bench.py [--years N] [--repeat K] [--exact-years N]

What it measures (bench/README.md has the figures):

* sampling of the simulated years (Poisson accidents, lognormal losses per part and
  lognormal outages), timed but not counted;
* the first call of ``apply_terms``: numba compile with an empty cache (a subprocess
  with ``NUMBA_CACHE_DIR`` set to a fresh temporary folder), then a second subprocess
  loading what the first one cached, and the first call in this process;
* the median of ``--repeat`` timed calls of ``apply_terms`` on all years, for each
  waiting-period mode, as loss values per second (accidents × 4 parts);
* a plain Python loop over the exact path (one ``adjudicate`` call per simulated year)
  on the first ``--exact-years`` years, its rate, the speed ratio, and a check that both
  paths pay the same yen per accident and part.

Results go to stdout as a table and to bench/out/terms_bench.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from functools import partial
from pathlib import Path
from statistics import median
from typing import Any, TypeVar

import numba
import numpy as np
import numpy.typing as npt

from cybercover.product import default_product
from cybercover.terms import Accident, LossLine, PolicyTerms, adjudicate, build_policy_terms
from cybercover.terms.vectorised import MAX_OUTAGE_TICKS, VectorTerms, apply_terms

I64 = npt.NDArray[np.int64]
T = TypeVar("T")

OUT = Path(__file__).resolve().parent / "out"
TICKS_PER_HOUR = 3600  # one tick = one second
START = date(2026, 4, 1)
ACCIDENTS_PER_YEAR = 0.5
LOSS_MEAN_LOG, LOSS_SIGMA = 15.0, 1.5  # median e^15 ≈ 3.3 million yen per part
OUTAGE_MEDIAN_HOURS, OUTAGE_SIGMA = 8.0, 1.0
WAITING_HOURS = Fraction(6)
MODES = ("qualifying", "time_deductible")
LIMITS = {
    "liability": 100_000_000,
    "response_costs": 50_000_000,
    "profit_loss": 30_000_000,
    "continuation_costs": 20_000_000,
    "business_interruption": 30_000_000,  # shared by profit_loss and continuation_costs
    # over all parts for the period, within ①'s limit (product rule
    # aggregate_within_liability, issue #17; 120M before, which the product now refuses)
    "aggregate": 100_000_000,
}
DEDUCTIBLES = {
    "liability": 1_000_000,
    "response_costs": 500_000,
    "profit_loss": 300_000,
    "continuation_costs": 200_000,
}


@dataclass(frozen=True, slots=True)
class Years:
    """Simulated policy years in the CSR layout of :func:`apply_terms`."""

    losses: I64  # (M, 4) yen per accident and part
    year_offsets: I64  # (Y + 1,)
    outage_ticks: I64  # (M,) seconds
    seconds: I64  # (M,) time into the period, increasing within each year

    @property
    def accidents(self) -> int:
        return int(self.losses.shape[0])

    @property
    def values(self) -> int:
        return int(self.losses.size)

    def head(self, years: int) -> Years:
        """The first ``years`` years."""
        rows = int(self.year_offsets[years])
        return Years(
            self.losses[:rows],
            self.year_offsets[: years + 1],
            self.outage_ticks[:rows],
            self.seconds[:rows],
        )


def make_terms(mode: str) -> PolicyTerms:
    return build_policy_terms(
        default_product(),
        start=START,
        limits=LIMITS,
        deductibles=DEDUCTIBLES,
        options={"business_interruption": True},
        waiting_hours=WAITING_HOURS,
        waiting_mode=mode,
    )


def sample_years(years: int, period_seconds: int, seed: int) -> Years:
    rng = np.random.default_rng(seed)
    counts = rng.poisson(ACCIDENTS_PER_YEAR, years)
    offsets = np.zeros(years + 1, np.int64)
    np.cumsum(counts, out=offsets[1:])
    m = int(offsets[-1])
    losses = np.rint(rng.lognormal(LOSS_MEAN_LOG, LOSS_SIGMA, (m, 4))).astype(np.int64)
    hours = rng.lognormal(np.log(OUTAGE_MEDIAN_HOURS), OUTAGE_SIGMA, m)
    outage = np.minimum(np.rint(hours * TICKS_PER_HOUR), MAX_OUTAGE_TICKS - 1).astype(np.int64)
    seconds = rng.integers(0, period_seconds, m, dtype=np.int64)
    seconds = seconds[np.lexsort((seconds, np.repeat(np.arange(years), counts)))]
    return Years(losses, offsets, outage, seconds)


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    """Seconds taken by ``fn()``, and what it returned."""
    t0 = time.perf_counter()
    value = fn()
    return time.perf_counter() - t0, value


def first_call_probe() -> None:
    """Print the seconds of the first and second ``apply_terms`` call (subprocess mode)."""
    vt = VectorTerms.from_policies([make_terms("time_deductible")], TICKS_PER_HOUR)
    losses = np.full((2, 4), 5_000_000, np.int64)
    offsets = np.array([0, 2], np.int64)
    outage = np.array([30_000, 40_000], np.int64)
    call = partial(apply_terms, vt, losses, offsets, outage)
    print(json.dumps({"first_s": timed(call)[0], "second_s": timed(call)[0]}))


def compile_times() -> dict[str, float]:
    """First-call seconds with an empty numba cache, then with that cache filled."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        runs = []
        for _ in range(2):
            done = subprocess.run(
                [sys.executable, __file__, "--probe"],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            runs.append(json.loads(done.stdout))
    return {"cold_compile_s": runs[0]["first_s"], "cache_load_s": runs[1]["first_s"]}


def make_accidents(terms: PolicyTerms, years: Years) -> list[list[Accident]]:
    """Each year's accidents as :class:`Accident` values, in time order."""
    codes = [p.code for p in terms.parts]
    out = []
    for y in range(years.year_offsets.shape[0] - 1):
        rows = range(int(years.year_offsets[y]), int(years.year_offsets[y + 1]))
        out.append(
            [
                Accident(
                    id=m,
                    occurred_at=terms.start + timedelta(seconds=int(years.seconds[m])),
                    outage_hours=Fraction(int(years.outage_ticks[m]), TICKS_PER_HOUR),
                    causes=(),
                    losses=tuple(
                        LossLine(c, int(x)) for c, x in zip(codes, years.losses[m], strict=True)
                    ),
                )
                for m in rows
            ]
        )
    return out


def exact_paid(terms: PolicyTerms, accidents: list[list[Accident]]) -> I64:
    """One ``adjudicate`` call per year; what it paid as ``(M, 4)``."""
    results = [adjudicate(terms, year) for year in accidents]
    paid = [[part.paid for part in acc.parts] for result in results for acc in result.accidents]
    return np.array(paid, np.int64).reshape(-1, 4)


def binding(terms: PolicyTerms, years: Years, paid: I64) -> dict[str, float]:
    """How often each kind of term bites in the qualifying-mode run (shares of cells)."""
    ded = np.array([p.deductible for p in terms.parts])
    lim = np.array([p.limit for p in terms.parts])
    bi = np.array([p.waiting for p in terms.parts])
    waiting_zero = years.outage_ticks <= int(WAITING_HOURS * TICKS_PER_HOUR)
    counts = np.diff(years.year_offsets)
    year_of = np.repeat(np.arange(counts.shape[0]), counts)
    year_paid = np.bincount(year_of, weights=paid.sum(axis=1), minlength=counts.shape[0])
    bi_paid = paid[:, bi].sum(axis=1)
    return {
        "cells_below_deductible": float(np.mean(years.losses <= ded)),
        "cells_over_part_limit_per_accident": float(np.mean(years.losses - ded > lim)),
        "accidents_within_waiting_period": float(np.mean(waiting_zero)),
        "accidents_bi_paid_at_shared_limit": float(np.mean(bi_paid == terms.shared[0].limit)),
        "years_with_accidents_at_aggregate": float(
            np.mean(year_paid[counts > 0] == terms.aggregate)
        ),
    }


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.machine()


def machine() -> dict[str, Any]:
    return {
        "cpu": cpu_model(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
    }


def run(years: int, repeat: int, exact_years: int, exact_repeat: int, seed: int) -> dict[str, Any]:
    terms = {mode: make_terms(mode) for mode in MODES}
    period = terms[MODES[0]].end - terms[MODES[0]].start
    t0 = time.perf_counter()
    sim = sample_years(years, int(period.total_seconds()), seed)
    sampling_s = time.perf_counter() - t0
    result: dict[str, Any] = {
        "machine": machine(),
        "years": years,
        "accidents": sim.accidents,
        "loss_values": sim.values,
        "repeat": repeat,
        "exact_repeat": exact_repeat,
        "seed": seed,
        "sampling_s": sampling_s,
        **compile_times(),
        "modes": {},
    }
    sub = sim.head(min(exact_years, years))
    for mode in MODES:
        vt = VectorTerms.from_policies([terms[mode]], TICKS_PER_HOUR)
        call = partial(apply_terms, vt, sim.losses, sim.year_offsets, sim.outage_ticks)
        first_s, paid = timed(call)
        times = [timed(call)[0] for _ in range(repeat)]
        accidents = make_accidents(terms[mode], sub)
        exact_times = [
            timed(partial(exact_paid, terms[mode], accidents)) for _ in range(exact_repeat)
        ]
        exact_s, exact = median(t for t, _ in exact_times), exact_times[0][1]
        med = median(times)
        result["modes"][mode] = {
            "first_call_s": first_s,
            "apply_terms_s": times,
            "median_s": med,
            "values_per_s": sim.values / med,
            "years_per_s": years / med,
            "exact_years": len(accidents),
            "exact_accidents": sub.accidents,
            "exact_s": [t for t, _ in exact_times],
            "exact_median_s": exact_s,
            "exact_values_per_s": sub.values / exact_s,
            "speed_ratio": (sim.values / med) / (sub.values / exact_s),
            "exact_equal": bool(np.array_equal(exact, paid[: sub.accidents])),
            "paid_total": int(paid.sum()),
        }
        if mode == "qualifying":
            result["binding"] = binding(terms[mode], sim, paid)
    return result


def report(r: dict[str, Any]) -> str:
    lines = [
        f"{r['years']:,} years, {r['accidents']:,} accidents, {r['loss_values']:,} loss values "
        f"(sampling {r['sampling_s']:.2f} s, not counted)",
        f"numba first call: {r['cold_compile_s']:.2f} s with an empty cache, "
        f"{r['cache_load_s']:.3f} s from the cache, "
        f"{r['modes']['qualifying']['first_call_s']:.3f} s for the first full call here "
        "(cache load + one run)",
        "",
        f"{'waiting mode':<16}{'median s':>10}{'values/s':>16}{'exact values/s':>16}"
        f"{'ratio':>9}  exact = vectorised",
    ]
    for mode, m in r["modes"].items():
        lines.append(
            f"{mode:<16}{m['median_s']:>10.4f}{m['values_per_s']:>16,.0f}"
            f"{m['exact_values_per_s']:>16,.0f}{m['speed_ratio']:>9,.0f}  "
            f"{'yes' if m['exact_equal'] else 'NO'} ({m['exact_years']:,} years)"
        )
    lines += ["", "how often terms bind (qualifying run):"]
    lines += [f"  {k:<38}{v:>9.4%}" for k, v in r["binding"].items()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--exact-years", type=int, default=20_000)
    parser.add_argument("--exact-repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20260401)
    parser.add_argument("--out", type=Path, default=OUT / "terms_bench.json")
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        first_call_probe()
        return
    result = run(args.years, args.repeat, args.exact_years, args.exact_repeat, args.seed)
    print(report(result))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwritten: {args.out}")
    if not all(m["exact_equal"] for m in result["modes"].values()):
        sys.exit("the exact and vectorised paths disagree")


if __name__ == "__main__":
    main()
