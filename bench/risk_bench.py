"""Benchmarks of the risk model (issue #6); figures in bench/README.md.

    .venv/bin/python bench/risk_bench.py [--policies 10000] [--years 10000] [--repeats 3]
    .venv/bin/python bench/risk_bench.py --write-oed examples/oed-demo-portfolio.csv \
        --policies 1000

Measures, each the median of ``--repeats`` runs after a warm-up that compiles the terms
kernel (reported apart as ``compile_s``):

* ``portfolio_local_s``: the whole portfolio, every year, one process;
* ``portfolio_dask1_s`` / ``portfolio_dask2_s``: the same on a Dask LocalCluster of one
  and of two worker processes (one thread each), results checked identical;
* ``quote_ms``: one quote's technical price from ``quote_years`` simulated years.

The portfolio is synthetic and reproducible (``make_book``): revenues log-uniform from
¥30M to ¥30B, every rating industry class, plan ① or plan ② with BI, mixed controls,
cloud vendors by the model's shares.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

from cybercover.product import default_product
from cybercover.risk.exposure import Insured, Portfolio
from cybercover.risk.model import default_loss_model
from cybercover.risk.oed import OedPolicy, write_oed
from cybercover.risk.pricing import technical_price
from cybercover.risk.simulate import simulate_local
from cybercover.terms.build import build_policy_terms

VENDORS = ("AWS", "Microsoft Azure", "Google Cloud", "さくらのクラウド", None)


def make_book(n: int, seed: int = 2026) -> list[Insured]:
    product = default_product()
    model = default_loss_model()
    rng = np.random.default_rng(seed)
    industries = list(model.industries)
    start = date(2026, 4, 1)
    plans = [
        build_policy_terms(
            product,
            start=start,
            limits={"liability": 100_000_000, "response_costs": 30_000_000},
            deductibles={"liability": 100_000, "response_costs": 100_000},
        ),
        build_policy_terms(
            product,
            start=start,
            limits={
                "liability": 500_000_000,
                "response_costs": 100_000_000,
                "profit_loss": 50_000_000,
                "continuation_costs": 50_000_000,
                "business_interruption": 50_000_000,
            },
            deductibles={"liability": 100_000, "response_costs": 100_000},
            options={"business_interruption": True},
            waiting_hours=None,
        ),
    ]
    book = []
    for i in range(n):
        answers = {
            "mfa": bool(rng.random() < 0.6),
            "edr": bool(rng.random() < 0.4),
            "offline_backups": bool(rng.random() < 0.5),
            "rdp_exposed": bool(rng.random() < 0.05),
            "patch_cadence_days": int(rng.choice([7, 14, 30, 60, 120])),
            "outsourced_it": str(rng.choice(["in_house", "partly", "fully"])),
        }
        book.append(
            Insured(
                key=f"CY-2026-{i + 1:06d}",
                revenue=int(round(10 ** rng.uniform(7.5, 10.5), -4)),
                industry=industries[int(rng.integers(len(industries)))],
                terms=plans[int(rng.random() < 0.4)],
                answers=answers,
                isms=bool(rng.random() < 0.15),
                cloud_vendor=VENDORS[int(rng.integers(len(VENDORS)))],
            )
        )
    return book


def _median_time(fn: object, repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--policies", type=int, default=10_000)
    ap.add_argument("--years", type=int, default=10_000)
    ap.add_argument("--block-years", type=int, default=500)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip-dask", action="store_true")
    ap.add_argument("--write-oed", type=Path)
    args = ap.parse_args()

    model, product = default_loss_model(), default_product()
    book = make_book(args.policies)
    if args.write_oed:
        rows = [
            OedPolicy(
                i.key,
                f"デモ企業{k + 1:05d}",
                i.revenue,
                None,
                i.industry,
                i.terms,
                None,
                i.cloud_vendor,
            )
            for k, i in enumerate(book)
        ]
        write_oed(rows, args.write_oed)
        print(json.dumps({"wrote": str(args.write_oed), "policies": len(rows)}))
        return
    pf = Portfolio.build(model, book, seed=args.seed)
    t0 = time.perf_counter()
    simulate_local(model, pf, years=10, seed=0, block_years=10)  # compiles the kernel
    compile_s = time.perf_counter() - t0
    figures: dict[str, object] = {
        "policies": args.policies,
        "years": args.years,
        "block_years": args.block_years,
        "compile_s": round(compile_s, 2),
    }

    def local() -> object:
        return simulate_local(
            model, pf, years=args.years, seed=args.seed, block_years=args.block_years
        )

    figures["portfolio_local_s"], ref = _median_time(local, args.repeats)
    figures["aal_insured"] = round(float(ref.insured.mean()))  # type: ignore[attr-defined]
    figures["accidents_per_year"] = float(ref.accidents.mean())  # type: ignore[attr-defined]
    print(json.dumps(figures), flush=True)

    if not args.skip_dask:
        from distributed import Client, LocalCluster

        from cybercover.risk.distributed import simulate_distributed, warm_up

        for workers in (1, 2):
            with (
                LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                ) as cluster,
                Client(cluster) as client,
            ):
                warm_up(client, model, pf)

                def run(client: object = client) -> object:
                    return simulate_distributed(
                        client,
                        model,
                        pf,
                        years=args.years,
                        seed=args.seed,
                        block_years=args.block_years,
                    )

                seconds, out = _median_time(run, args.repeats)
                same = np.array_equal(out.insured, ref.insured)  # type: ignore[attr-defined]
                figures[f"portfolio_dask{workers}_s"] = round(seconds, 2)
                figures[f"dask{workers}_identical"] = bool(same)
        figures["dask_speedup"] = round(
            float(figures["portfolio_dask1_s"]) / float(figures["portfolio_dask2_s"]),
            2,  # type: ignore[arg-type]
        )
        print(json.dumps(figures), flush=True)

    quote = book[0]
    technical_price(product, model, quote, years=1000)  # warm
    times = []
    for _ in range(max(args.repeats, 20)):
        t0 = time.perf_counter()
        technical_price(product, model, quote)
        times.append(time.perf_counter() - t0)
    figures["quote_years"] = product.pricing.quote_years if product.pricing else None
    figures["quote_ms"] = round(statistics.median(times) * 1000, 1)
    figures["portfolio_local_s"] = round(float(figures["portfolio_local_s"]), 2)  # type: ignore[arg-type]
    print(json.dumps(figures), flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
