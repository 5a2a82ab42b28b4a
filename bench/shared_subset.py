"""Our side of bench/oasis_bench.py: the vectorised engine on the inputs fmpy gets.

Run by bench/oasis_bench.py in the project venv (the Oasis venv has no cybercover)::

    .venv/bin/python bench/shared_subset.py --dir bench/out/oasis [--repeat K]

Reads ``losses.npy`` (one row per Oasis event × policy × sample, one column per part)
and ``terms.json`` written by the driver. Each row becomes one simulated year holding
exactly one accident, so our period limits and aggregate act per event as Oasis's terms
do; the aggregate is set to Oasis's policy limit over all coverages, the shared business
interruption limit to the liability limit and every outage to 24 h against a 3 h
qualifying period, so that the terms Oasis lacks never bind (they are still computed).
Writes ``ours_total.npy`` (what each row pays over all parts) and ``ours.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from datetime import date
from fractions import Fraction
from pathlib import Path
from statistics import median
from typing import Any

import numpy as np

from cybercover.product import default_product
from cybercover.terms import build_policy_terms
from cybercover.terms.vectorised import VectorTerms, apply_terms

TICKS_PER_HOUR = 3600
WAITING_HOURS = Fraction(3)
OUTAGE_TICKS = 24 * TICKS_PER_HOUR


def vector_terms(spec: dict[str, Any]) -> VectorTerms:
    """Our terms for the shared subset described by ``terms.json``."""
    limits = {
        **spec["limits"],
        "business_interruption": spec["limits"]["liability"],
        "aggregate": spec["overall_limit"],
    }
    terms = build_policy_terms(
        default_product(),
        start=date(2026, 4, 1),
        limits=limits,
        deductibles=spec["deductibles"],
        options={"business_interruption": True},
        waiting_hours=WAITING_HOURS,
        waiting_mode="qualifying",
    )
    return VectorTerms.from_policies([terms], TICKS_PER_HOUR)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    vt = vector_terms(json.loads((args.dir / "terms.json").read_text()))
    losses = np.load(args.dir / "losses.npy")
    rows = losses.shape[0]
    offsets = np.arange(rows + 1, dtype=np.int64)
    outage = np.full(rows, OUTAGE_TICKS, np.int64)

    t0 = time.perf_counter()
    paid = apply_terms(vt, losses, offsets, outage)
    first_s = time.perf_counter() - t0

    def timed(run: Callable[[], object]) -> list[float]:
        run()  # warm-up: pages of a reused buffer touched, kernel loaded
        out = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            run()
            out.append(time.perf_counter() - t0)
        return out

    totals = np.empty(rows, np.int64)
    by_part = np.empty((rows, 4), np.int64)
    # like for like with fmpy -a0, which writes each (event, policy, sample)'s total:
    # our total per accident (= per simulated year here), into a reused buffer
    times = timed(lambda: apply_terms(vt, losses, offsets, outage, per_part=False, out=totals))
    per_part = timed(lambda: apply_terms(vt, losses, offsets, outage, out=by_part))
    per_part_alloc = timed(lambda: apply_terms(vt, losses, offsets, outage))
    with_load = timed(
        lambda: apply_terms(
            vt, np.load(args.dir / "losses.npy"), offsets, outage, per_part=False, out=totals
        )
    )
    assert (totals == paid.sum(axis=1)).all()

    np.save(args.dir / "ours_total.npy", paid.sum(axis=1))
    result = {
        "values": int(losses.size),
        "first_call_s": first_s,
        "apply_terms_s": times,
        "median_s": median(times),
        "median_per_part_s": median(per_part),
        "median_per_part_new_buffer_s": median(per_part_alloc),
        "with_np_load_s": with_load,
        "median_with_np_load_s": median(with_load),
    }
    (args.dir / "ours.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
