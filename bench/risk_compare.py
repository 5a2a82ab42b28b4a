"""The written comparison of docs/risk-model.md, recomputed: model vs public figures.

    .venv/bin/python bench/risk_compare.py

Prints three Markdown tables: the model's loss per incident by family (mean and median,
ground-up, at the reference company and a ¥3B one) beside REFERENCE.md §2; accident
frequency; and the technical price of the published examples (REFERENCE.md §1) beside
the rate table, with the capital ratio of a 10,000-policy synthetic book's run.
"""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cybercover.product import default_product
from cybercover.rating.engine import RateRequest, rate
from cybercover.risk.exposure import Insured, Portfolio
from cybercover.risk.metrics import summarise
from cybercover.risk.model import default_loss_model
from cybercover.risk.pricing import CapitalBasis, technical_price
from cybercover.risk.simulate import draw_accidents, simulate_local
from cybercover.terms.build import build_policy_terms
from risk_bench import make_book

HALF = {  # about half of the controls in place, as the published examples assume
    "mfa": True,
    "edr": False,
    "offline_backups": True,
    "patch_cadence_days": 14,
    "incident_response_plan": False,
    "staff_training": True,
    "email_filtering": False,
    "privileged_access_management": False,
    "prior_incidents_3y": 0,
    "rdp_exposed": False,
}


def man(v: float) -> str:
    return f"¥{v / 1e6:,.1f}M"


def main() -> None:
    product, model = default_product(), default_loss_model()
    start = date(2026, 4, 1)
    plan = {
        "①": {"liability": 100_000_000, "response_costs": 30_000_000},
        "②": {"liability": 500_000_000, "response_costs": 100_000_000},
    }
    bi = build_policy_terms(
        product,
        start=start,
        limits={**plan["②"], "profit_loss": 50_000_000, "continuation_costs": 50_000_000},
        options={"business_interruption": True},
    )

    print("### Loss per incident (ground-up, all parts, before terms)\n")
    print("| family | revenue | mean | median | 90th pct |")
    print("|---|---|---|---|---|")
    for revenue in (500_000_000, 3_000_000_000):
        boosted = model.model_copy(
            update={
                "families": tuple(f.model_copy(update={"frequency": 0.5}) for f in model.families),
                "scenarios": (),
            }
        )
        pf = Portfolio.build(boosted, [Insured("R", revenue, "manufacturing", bi, HALF)])
        acc = draw_accidents(boosted, pf, seed=1, block=0, n_years=200_000)
        total = acc.losses.sum(axis=1)
        for f, fam in enumerate(model.families):
            x = total[acc.source == f]
            print(
                f"| {fam.code} | ¥{revenue / 1e8:,.0f}億 | {man(x.mean())} | "
                f"{man(float(np.median(x)))} | {man(float(np.quantile(x, 0.9)))} |"
            )

    print("\n### Technical price of the published examples (REFERENCE.md §1)\n")
    book = make_book(10_000)
    pf = Portfolio.build(model, book, seed=1)
    res = simulate_local(model, pf, years=10_000, seed=1, block_years=500)
    counts = np.bincount(pf.industry_index, minlength=len(pf.industries)).astype(np.int64)
    summary = summarise(res, counts)
    basis = CapitalBasis(
        ratios=summary.capital_ratio,
        policies={k: int(v["policies"]) for k, v in summary.by_industry.items()},
    )
    print(
        f"Capital ratio of the 10,000-policy book: portfolio {summary.capital_ratio['portfolio']:.2f}\n"
    )
    print(
        "| industry | plan | published | rate table | expected loss | technical | table / technical |"
    )
    print("|---|---|---|---|---|---|---|")
    published = {
        ("manufacturing", "①"): 67_000,
        ("manufacturing", "②"): 117_000,
        ("retail", "①"): 93_000,
        ("retail", "②"): 160_010,
        ("wholesale", "①"): 62_000,
        ("wholesale", "②"): 107_000,
        ("logistics", "①"): 165_000,
        ("logistics", "②"): 284_000,
        ("restaurants", "①"): 123_000,
        ("restaurants", "②"): 213_000,
        ("construction", "①"): 62_000,
        ("construction", "②"): 107_000,
        ("it_app_development", "①"): 1_190_000,
        ("it_app_development", "②"): 1_828_000,
    }
    for (industry, p), pub in published.items():
        terms = build_policy_terms(
            product,
            start=start,
            limits=plan[p],
            deductibles={"liability": 100_000, "response_costs": 100_000},
        )
        table = rate(
            product,
            RateRequest(
                annual_revenue=500_000_000,
                industry=industry,
                terms=terms,
                overseas_sales_ratio=Decimal(0),
                disclosure=HALF,
                isms_body=None,
            ),
        ).premium
        price = technical_price(
            product,
            model,
            Insured("Q", 500_000_000, industry, terms, HALF),
            table_premium=table,
            basis=basis,
        )
        print(
            f"| {industry} | {p} | ¥{pub:,} | ¥{table:,} | ¥{price.expected_loss:,} "
            f"(± {price.standard_error:,}) | ¥{price.technical_premium:,} | {price.ratio:.2f} |"
        )


if __name__ == "__main__":
    main()
