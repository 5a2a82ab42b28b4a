"""Contract (issue #18): the generated kernel (terms/kernel.py, one per product shape)
pays what the exact engine pays for every product file shipped in ``products/`` — a new
product version with another shape is compiled and checked here before any policy is
sold on it."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from cybercover.product import load_product, products_dir
from cybercover.terms import Accident, LossLine, adjudicate, build_policy_terms
from cybercover.terms.vectorised import (
    VectorTerms,
    apply_terms,
    prepare_accidents,
    ticks_per_hour_for,
)
from tests.factories import jst

FILES = sorted(products_dir().glob("*.toml"))


def test_there_is_a_product_file_to_check() -> None:
    assert FILES, "products/ holds no product file"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_kernel_pays_what_the_exact_engine_pays(path: Path) -> None:
    product = load_product(path)
    codes = product.coverage_codes
    # a limit every part and every shared limit allows, the options bought, no deductible
    limit = min(c.max_limit for c in product.coverages)
    terms = build_policy_terms(
        product,
        start=date(2026, 4, 1),
        limits=dict.fromkeys(codes, limit),
        options=dict.fromkeys(product.options, True),
        waiting_hours=Fraction(6),
        waiting_mode="qualifying",
    )
    # one accident in the period, 10 hours down (past the 6-hour wait), ¥1,000,000 on
    # every part: each part pays its ¥1,000,000 in full (the limits are far above)
    accident = Accident(
        "A1",
        jst(2026, 7, 1, 12),
        Fraction(10),
        (),
        tuple(LossLine(code, 1_000_000) for code in codes),
    )
    # a second one, before the period: it pays nothing on either path
    before = Accident("A0", jst(2026, 3, 1), Fraction(10), (), (LossLine(codes[0], 5_000),))
    accidents = [before, accident]
    exact = adjudicate(terms, accidents)
    assert exact.accidents[1].paid == dict.fromkeys(codes, 1_000_000)
    assert sum(exact.accidents[0].paid.values()) == 0
    tph = ticks_per_hour_for([terms.waiting.hours, Fraction(10)])
    losses, outage, void, order = prepare_accidents(terms, accidents, tph)
    paid = apply_terms(
        VectorTerms.from_policies([terms], tph), losses, np.array([0, 2]), outage, void=void
    )
    for row, i in enumerate(order):
        assert paid[row].tolist() == [exact.accidents[i].paid[c] for c in codes]
    assert int(paid.sum()) == exact.total_paid == 1_000_000 * len(codes)
