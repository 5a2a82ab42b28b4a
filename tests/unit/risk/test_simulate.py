"""The simulation: reproducible from a seed, the same on Dask workers, terms applied."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from cybercover.product import default_product
from cybercover.risk.exposure import Insured, Portfolio, controls_factor
from cybercover.risk.model import default_loss_model
from cybercover.risk.simulate import SimulationResult, simulate_local, year_blocks
from cybercover.terms.build import build_policy_terms
from tests.unit.risk.helpers import one_family

FIELDS = (
    "ground_up",
    "insured",
    "max_event_ground_up",
    "max_event_insured",
    "accidents",
    "by_source",
    "by_industry",
    "policy_ground_up",
    "policy_insured",
    "policy_accidents",
)


def _book(n: int = 60) -> list[Insured]:
    product = default_product()
    model = default_loss_model()
    industries = list(model.industries)
    plan1 = build_policy_terms(
        product,
        start=date(2026, 4, 1),
        limits={"liability": 100_000_000, "response_costs": 30_000_000},
        deductibles={"liability": 100_000, "response_costs": 100_000},
    )
    plan2 = build_policy_terms(
        product,
        start=date(2026, 4, 1),
        limits={
            "liability": 500_000_000,
            "response_costs": 100_000_000,
            "profit_loss": 50_000_000,
            "continuation_costs": 50_000_000,
        },
        options={"business_interruption": True},
    )
    return [
        Insured(
            f"CY-{i:04d}",
            50_000_000 * (1 + i % 7) ** 2,
            industries[i % len(industries)],
            plan1 if i % 2 else plan2,
            {"mfa": i % 3 == 0, "offline_backups": i % 4 == 0},
            cloud_vendor=("AWS", "Azure", None)[i % 3],
        )
        for i in range(n)
    ]


def _same(a: SimulationResult, b: SimulationResult) -> None:
    for name in FIELDS:
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_same_seed_same_years_different_seed_different_years() -> None:
    model = default_loss_model()
    pf = Portfolio.build(model, _book())
    a = simulate_local(model, pf, years=3000, seed=4, block_years=500)
    b = simulate_local(model, pf, years=3000, seed=4, block_years=500)
    c = simulate_local(model, pf, years=3000, seed=5, block_years=500)
    _same(a, b)
    assert not np.array_equal(a.insured, c.insured)
    assert a.insured.sum() == a.policy_insured.sum() == a.by_source.sum() == a.by_industry.sum()
    assert (a.insured <= a.ground_up).all()
    assert (a.max_event_insured <= a.insured).all()


def test_blocks_in_any_order_give_the_same_result() -> None:
    from cybercover.risk.simulate import combine, simulate_block

    model = default_loss_model()
    pf = Portfolio.build(model, _book())
    blocks = year_blocks(2500, 500)
    assert blocks[-1] == (4, 2000, 500)
    forward = [simulate_block(model, pf, 9, b, f, n) for b, f, n in blocks]
    backward = [simulate_block(model, pf, 9, b, f, n) for b, f, n in reversed(blocks)]
    _same(combine(model, pf, 9, forward), combine(model, pf, 9, backward))
    _same(
        combine(model, pf, 9, forward),
        simulate_local(model, pf, years=2500, seed=9, block_years=500),
    )


def test_two_dask_workers_give_the_one_process_result() -> None:
    from distributed import Client, LocalCluster

    from cybercover.risk.distributed import simulate_distributed, warm_up

    model = default_loss_model()
    pf = Portfolio.build(model, _book())
    local = simulate_local(model, pf, years=2000, seed=13, block_years=250)
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        warm_up(client, model, pf)
        seen: list[int] = []
        remote = simulate_distributed(
            client, model, pf, years=2000, seed=13, block_years=250, progress=seen.append
        )
    _same(local, remote)
    assert sum(seen) == 2000 and len(seen) == 8


def test_every_accident_a_total_loss_erodes_limit_and_aggregate_by_hand() -> None:
    """Losses far above every limit: each accident would pay ①'s limit L and ②'s, and a
    year pays at most the aggregate — within ①'s limit (PRODUCT.md §3), per period."""
    model, _ = one_family(
        "rights_infringement",
        frequency=1.0,
        median=40_000_000_000,
        sigma=0.01,
        tail_quantile=None,
        tail_alpha=None,
        split={"liability": 0.5, "response_costs": 0.5},
    )
    product = default_product()
    limit, costs, agg = 50_000_000, 20_000_000, 45_000_000
    terms = build_policy_terms(
        product,
        start=date(2026, 4, 1),
        limits={"liability": limit, "response_costs": costs, "aggregate": agg},
        deductibles={"liability": 1_000_000, "response_costs": 0},
    )
    pf = Portfolio.build(model, [Insured("X", 10_000_000_000, "manufacturing", terms)])
    res = simulate_local(model, pf, years=2000, seed=2, block_years=2000)
    # every accident's ground-up is capped at 5 × revenue = ¥50B (model max_loss_revenue),
    # split over ① and ②, each part floored to the yen (at most a yen lost per part)
    n = res.accidents
    assert (res.ground_up <= n * 50_000_000_000).all()
    assert (res.ground_up >= n * (50_000_000_000 - 2)).all()
    # one accident: 50M (①, deductible inside the loss) + 20M (②) = 70M > aggregate 45M
    expected = np.where(n == 0, 0, agg)
    assert np.array_equal(res.insured, expected)
    # accidents a year: 1.0 (family) × 1.00 (manufacturing) × 3.42 (band "large", ≥ ¥10B)
    assert abs(n.mean() - 3.42) < 4 * (3.42 / 2000) ** 0.5


def test_controls_factor_is_bounded() -> None:
    model = default_loss_model()
    best = {
        "mfa": True,
        "edr": True,
        "offline_backups": True,
        "email_filtering": True,
        "staff_training": True,
    }
    # 0.75 × 0.80 × 0.90 × 0.90 × 0.92 × 0.80 (ISMS) = 0.3577… → held at 0.40
    assert controls_factor(model, best, isms=True) == pytest.approx(0.40)
    assert controls_factor(model, {"mfa": True}, isms=False) == pytest.approx(0.75)
    worst = {"rdp_exposed": True, "prior_incidents_3y": 2}
    assert controls_factor(model, worst, isms=False) == pytest.approx(3.0)  # 3.75 → 3.00
    assert controls_factor(model, {}, isms=False) == 1.0


def test_cloud_vendor_from_the_declared_name_else_stable_draw() -> None:
    model = default_loss_model()
    book = _book(9)
    pf = Portfolio.build(model, book, seed=1)
    names = [model.vendors.names[v] for v in pf.vendor_index]
    assert names[0] == "aws" and names[1] == "azure" and names[3] == "aws"
    again = Portfolio.build(model, book, seed=1)
    assert np.array_equal(pf.vendor_index, again.vendor_index)
