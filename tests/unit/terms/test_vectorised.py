"""The vectorised path: worked examples, input checks, and equality with the exact path."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cybercover.product import Product, default_product
from cybercover.terms import Accident, LossLine, PolicyTerms, adjudicate, build_policy_terms
from cybercover.terms.vectorised import (
    VectorTerms,
    apply_terms,
    prepare_accidents,
    ticks_per_hour_for,
)
from tests.factories import jst, make_terms

LIAB, RESP, PL, CC = range(4)


def test_years_are_independent_and_erode_in_row_order(product: Product) -> None:
    terms = make_terms(
        product,
        limits={"liability": 1_000, "response_costs": 1_000, "business_interruption": 1_000},
        deductibles={"liability": 100},
    )
    vt = VectorTerms.from_policies([terms], ticks_per_hour=1)
    losses = np.array(
        [
            [800, 0, 0, 0],  # year 0: 700 after the deductible
            [900, 0, 0, 0],  # year 0: 800 after the deductible, 300 left of the limit
            [1_500, 0, 0, 0],  # year 1: 1,400 → the limit 1,000
        ],
        np.int64,
    )
    paid = apply_terms(vt, losses, np.array([0, 2, 3]), np.zeros(3, np.int64))
    assert paid[:, LIAB].tolist() == [700, 300, 1_000]


def test_an_empty_year_between_years_pays_nothing_and_resets_nothing(product: Product) -> None:
    terms = make_terms(product, limits={"response_costs": 500})
    vt = VectorTerms.from_policies([terms], ticks_per_hour=1)
    losses = np.array([[0, 400, 0, 0], [0, 400, 0, 0]], np.int64)
    paid = apply_terms(vt, losses, np.array([0, 1, 1, 2]), np.zeros(2, np.int64))
    assert paid[:, RESP].tolist() == [400, 400]


def test_each_year_uses_its_own_terms_row(product: Product) -> None:
    small = make_terms(product, limits={"response_costs": 100})
    large = make_terms(product, limits={"response_costs": 10_000})
    vt = VectorTerms.from_policies([small, large], ticks_per_hour=1)
    losses = np.array([[0, 5_000, 0, 0], [0, 5_000, 0, 0]], np.int64)
    paid = apply_terms(
        vt, losses, np.array([0, 1, 2]), np.zeros(2, np.int64), terms_index=np.array([1, 0])
    )
    assert paid[:, RESP].tolist() == [5_000, 100]


def test_time_deductible_in_ticks_matches_the_hand_figure(product: Product) -> None:
    # 20,000,000 × (5.5 − 3) / 5.5 = 9,090,909 (floored); in half-hour ticks: 11 and 6
    terms = make_terms(product, hours=3, mode="time_deductible")
    vt = VectorTerms.from_policies([terms], ticks_per_hour=2)
    paid = apply_terms(
        vt,
        np.array([[0, 0, 20_000_000, 7]], np.int64),
        np.array([0, 1]),
        np.array([11], np.int64),
    )
    assert paid[0].tolist() == [0, 0, 9_090_909, 3]


def test_the_time_deductible_is_exact_for_losses_too_large_for_the_fast_path(
    product: Product,
) -> None:
    terms = make_terms(
        product,
        hours=3,
        mode="time_deductible",
        limits={"profit_loss": 1_000_000_000, "business_interruption": 1_000_000_000},
    )
    vt = VectorTerms.from_policies([terms], ticks_per_hour=3600)
    outage = 2_999_999_999  # ticks: the largest allowed
    loss = 4_000_000_000_000_000  # x · kept would overflow int64: the division path runs
    paid = apply_terms(
        vt, np.array([[0, 0, loss, 0]], np.int64), np.array([0, 1]), np.array([outage], np.int64)
    )
    kept = Fraction(loss) * (outage - 3 * 3600) / outage
    expected = min(kept.numerator // kept.denominator, 1_000_000_000)
    assert paid[0, PL] == expected


@pytest.mark.parametrize(
    ("offsets", "outage", "message"),
    [
        ([0, 2, 1, 2], [0, 0], "never decrease"),
        ([0, 1], [0, 0], "from 0 to len"),
        ([0, 2], [0, -1], "outage ticks"),
    ],
)
def test_malformed_arrays_are_refused_with_a_clear_error(
    product: Product, offsets: list[int], outage: list[int], message: str
) -> None:
    vt = VectorTerms.from_policies([make_terms(product)], ticks_per_hour=1)
    with pytest.raises(ValueError, match=message):
        apply_terms(vt, np.zeros((2, 4), np.int64), np.array(offsets), np.array(outage))


def test_a_waiting_period_that_is_not_whole_ticks_is_refused(product: Product) -> None:
    with pytest.raises(ValueError, match="whole ticks"):
        VectorTerms.from_policies([make_terms(product, hours=Fraction(10, 3))], ticks_per_hour=2)


# -- property: the vectorised path equals the exact path ----------------------------------

PRODUCT = default_product()
CAUSES = PRODUCT.exclusion_codes
COVERAGES = PRODUCT.coverage_codes
START = date(2026, 4, 1)
HEADS = [h.code for h in PRODUCT.cost_heads]


@st.composite
def policies(draw: st.DrawFn) -> PolicyTerms:
    liability = draw(st.integers(0, 6_000))
    limits = {
        "liability": liability,
        "response_costs": draw(st.integers(0, liability)),
        "profit_loss": draw(st.integers(0, 4_000)),
        "continuation_costs": draw(st.integers(0, 4_000)),
    }
    if draw(st.booleans()):
        limits["business_interruption"] = draw(st.integers(0, liability))
    if draw(st.booleans()):
        # the aggregate is within ①'s limit (product rule aggregate_within_liability)
        limits["aggregate"] = draw(st.integers(0, liability))
    deductibles = {c: draw(st.integers(0, 600)) for c in COVERAGES if draw(st.booleans())}
    hours = draw(st.sampled_from([Fraction(3), Fraction(7, 2), Fraction(10, 3), Fraction(6)]))
    return build_policy_terms(
        PRODUCT,
        start=START,
        limits=limits,
        deductibles=deductibles,
        options={"business_interruption": draw(st.booleans())},
        waiting_hours=hours,
        waiting_mode=draw(st.sampled_from(["qualifying", "time_deductible"])),
    )


@st.composite
def accidents(draw: st.DrawFn) -> list[Accident]:
    # a few fixed instants so that equal times (and the period's edges) come up often
    instants = [
        jst(2026, 3, 31, 23, 59),
        jst(2026, 4, 1),
        jst(2026, 7, 1, 12),
        jst(2026, 7, 1, 12),
        jst(2026, 12, 24),
        jst(2027, 3, 31, 23, 59),
        jst(2027, 4, 1),
    ]
    out = []
    for i in range(draw(st.integers(0, 7))):
        when = draw(st.sampled_from(instants)) + timedelta(
            minutes=draw(st.sampled_from([0, 0, 1, 90]))
        )
        outage = Fraction(draw(st.integers(0, 60)), draw(st.sampled_from([1, 2, 3, 4, 10])))
        lines = draw(
            st.lists(
                st.tuples(
                    st.sampled_from(COVERAGES),
                    st.integers(0, 5_000),
                    st.sampled_from([None, None, *HEADS]),
                    st.integers(0, 4),
                    st.integers(0, 2),
                ),
                max_size=6,
            )
        )
        causes = draw(st.lists(st.sampled_from(CAUSES), max_size=2))
        out.append(
            Accident(
                f"A{i}",
                when,
                outage,
                tuple(causes),
                tuple(
                    LossLine("response_costs", a, cat, v, k) if cat else LossLine(c, a)
                    for c, a, cat, v, k in lines
                ),
            )
        )
    return out


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(terms=policies(), accs=accidents())
def test_the_vectorised_path_pays_what_the_exact_path_pays(
    terms: PolicyTerms, accs: list[Accident]
) -> None:
    exact = adjudicate(terms, accs)
    tph = ticks_per_hour_for(
        [terms.waiting.hours] + [a.outage_hours for a in accs if a.outage_hours is not None]
    )
    losses, outage, void, order = prepare_accidents(terms, accs, tph)
    vt = VectorTerms.from_policies([terms], tph)
    paid = apply_terms(vt, losses, np.array([0, len(accs)]), outage, void=void)
    for row, i in enumerate(order):
        assert paid[row].tolist() == [exact.accidents[i].paid[c] for c in COVERAGES]
    assert int(paid.sum()) == exact.total_paid


@settings(max_examples=100, deadline=None)
@given(
    terms=st.lists(policies(), min_size=1, max_size=3),
    years=st.lists(st.tuples(st.integers(0, 2), accidents()), min_size=1, max_size=5),
)
def test_many_years_with_several_policies_match_the_exact_path_year_by_year(
    terms: list[PolicyTerms], years: list[tuple[int, list[Accident]]]
) -> None:
    tph = ticks_per_hour_for(
        [t.waiting.hours for t in terms]
        + [a.outage_hours for _, accs in years for a in accs if a.outage_hours is not None]
    )
    vt = VectorTerms.from_policies(terms, tph)
    blocks, outages, voids, offsets, index, expected = [], [], [], [0], [], []
    for which, accs in years:
        policy = terms[which % len(terms)]
        losses, outage, void, order = prepare_accidents(policy, accs, tph)
        exact = adjudicate(policy, accs)
        blocks.append(losses)
        outages.append(outage)
        voids.append(void)
        offsets.append(offsets[-1] + len(accs))
        index.append(which % len(terms))
        expected.extend([exact.accidents[i].paid[c] for c in COVERAGES] for i in order)
    paid = apply_terms(
        vt,
        np.concatenate(blocks) if blocks else np.zeros((0, 4), np.int64),
        np.array(offsets),
        np.concatenate(outages),
        terms_index=np.array(index),
        void=np.concatenate(voids),
    )
    assert paid.tolist() == expected


def test_totals_per_accident_are_the_sum_of_the_parts(product: Product) -> None:
    terms = make_terms(
        product,
        limits={
            "liability": 1_000,
            "response_costs": 600,
            "business_interruption": 1_000,
            "aggregate": 1_000,  # within ①'s limit (aggregate_within_liability)
        },
        deductibles={"response_costs": 100},
    )
    vt = VectorTerms.from_policies([terms], ticks_per_hour=1)
    losses = np.array([[700, 100, 0, 0], [700, 500, 0, 0]], np.int64)
    offsets, outage = np.array([0, 2]), np.zeros(2, np.int64)
    # first: 700 + (100 − 100) = 700; second: liability 300 left, response 500 − 100 = 400
    # but the aggregate has 1,000 − 700 = 300 left: 300 in all
    assert apply_terms(vt, losses, offsets, outage, per_part=False).tolist() == [700, 300]
    assert apply_terms(vt, losses, offsets, outage).sum(axis=1).tolist() == [700, 300]
