"""One worked example per rule of the terms engine, figures computed by hand here."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from fractions import Fraction

from cybercover.product import Product
from cybercover.terms import adjudicate
from tests.factories import accident, jst, make_terms

LIAB, RESP, PL, CC = "liability", "response_costs", "profit_loss", "continuation_costs"


def codes(reasons: tuple[object, ...]) -> list[str]:
    return [r.code for r in reasons]  # type: ignore[attr-defined]


# -- 1. the policy period, half-open ------------------------------------------------------


def test_a_date_start_covers_from_midnight_tokyo_and_excludes_the_same_day_a_year_later(
    product: Product,
) -> None:
    terms = make_terms(product)
    assert terms.start == jst(2026, 4, 1)
    assert terms.end == jst(2027, 4, 1)
    result = adjudicate(
        terms,
        [
            accident("first-instant", jst(2026, 4, 1, 0, 0), (LIAB, 1_000)),
            accident("just-before", jst(2026, 3, 31, 23, 59, 59), (LIAB, 2_000)),
            accident("end-instant", jst(2027, 4, 1, 0, 0), (LIAB, 3_000)),
            accident("last-second", jst(2027, 3, 31, 23, 59, 59), (LIAB, 4_000)),
            # 15:00 UTC on 31 March is 00:00 on 1 April in Tokyo
            accident("utc", datetime(2026, 3, 31, 15, 0, tzinfo=UTC), (LIAB, 5_000)),
        ],
    )
    paid = [a.paid[LIAB] for a in result.accidents]
    assert paid == [1_000, 0, 0, 4_000, 5_000]
    assert codes(result.accidents[1].lines[0].reasons) == ["outside_period"]
    assert result.accidents[1].lines[0].reasons[0].amount == 2_000
    assert result.total_paid == 10_000


def test_a_start_on_29_february_ends_on_1_march(product: Product) -> None:
    terms = make_terms(product, start=date(2028, 2, 29))
    assert terms.end == jst(2029, 3, 1)
    result = adjudicate(
        terms,
        [
            accident("in", jst(2029, 2, 28, 23), (LIAB, 700)),
            accident("out", jst(2029, 3, 1, 0), (LIAB, 700)),
        ],
    )
    assert [a.total for a in result.accidents] == [700, 0]


def test_an_aware_datetime_start_runs_one_year_at_the_same_wall_clock_time(
    product: Product,
) -> None:
    start = datetime(2026, 4, 1, 12, 0, tzinfo=timezone(timedelta(hours=9)))
    terms = make_terms(product, start=start)
    assert terms.end == datetime(2027, 4, 1, 12, 0, tzinfo=timezone(timedelta(hours=9)))
    result = adjudicate(
        terms,
        [
            accident("before-noon", jst(2026, 4, 1, 11, 59), (LIAB, 100)),
            accident("noon", jst(2026, 4, 1, 12, 0), (LIAB, 100)),
            accident("end-noon", jst(2027, 4, 1, 12, 0), (LIAB, 100)),
        ],
    )
    assert [a.total for a in result.accidents] == [0, 100, 0]


# -- 2. exclusions per coverage -----------------------------------------------------------


def test_an_intentional_act_voids_liability_and_response_costs_but_not_business_interruption(
    product: Product,
) -> None:
    terms = make_terms(product)
    result = adjudicate(
        terms,
        [
            accident(
                "A",
                jst(2026, 6, 1),
                (LIAB, 5_000_000),
                (RESP, 2_000_000),
                (PL, 1_000_000),
                outage=10,
                causes=["intentional"],
            )
        ],
    )
    acc = result.accidents[0]
    assert acc.paid == {LIAB: 0, RESP: 0, PL: 1_000_000, CC: 0}
    assert codes(acc.lines[0].reasons) == ["excluded:intentional"]
    assert acc.lines[0].reasons[0].amount == 5_000_000
    assert codes(acc.lines[1].reasons) == ["excluded:intentional"]


def test_lent_equipment_off_site_voids_only_the_business_interruption_parts(
    product: Product,
) -> None:
    terms = make_terms(product)
    result = adjudicate(
        terms,
        [
            accident(
                "A",
                jst(2026, 6, 1),
                (LIAB, 300),
                (PL, 400),
                (CC, 500),
                outage=24,
                causes=["lent_equipment_offsite"],
            )
        ],
    )
    assert result.accidents[0].paid == {LIAB: 300, RESP: 0, PL: 0, CC: 0}
    assert codes(result.accidents[0].lines[2].reasons) == ["excluded:lent_equipment_offsite"]


def test_the_period_is_checked_before_the_exclusion(product: Product) -> None:
    terms = make_terms(product)
    result = adjudicate(terms, [accident("A", jst(2027, 5, 1), (LIAB, 300), causes=["criminal"])])
    assert codes(result.accidents[0].lines[0].reasons) == ["outside_period"]


# -- 3. business interruption not bought --------------------------------------------------


def test_business_interruption_pays_nothing_when_the_option_was_not_bought(
    product: Product,
) -> None:
    terms = make_terms(product, bi=False)
    result = adjudicate(
        terms, [accident("A", jst(2026, 6, 1), (LIAB, 100), (PL, 900), (CC, 800), outage=50)]
    )
    acc = result.accidents[0]
    assert acc.paid == {LIAB: 100, RESP: 0, PL: 0, CC: 0}
    assert codes(acc.lines[1].reasons) == ["not_bought"]
    assert acc.lines[2].reasons[0].amount == 800


# -- 4. waiting period ---------------------------------------------------------------------


def test_qualifying_pays_only_an_outage_strictly_longer_than_the_hours(product: Product) -> None:
    terms = make_terms(product, hours=3, mode="qualifying")
    result = adjudicate(
        terms,
        [
            accident("equal", jst(2026, 6, 1), (PL, 1_000_000), outage=3),
            accident("longer", jst(2026, 6, 2), (PL, 1_000_000), outage=Fraction("3.01")),
        ],
    )
    assert [a.paid[PL] for a in result.accidents] == [0, 1_000_000]
    assert codes(result.accidents[0].lines[0].reasons) == ["waiting_period_not_met"]


def test_two_short_outages_never_add_up_the_longest_unbroken_one_counts(product: Product) -> None:
    # REFERENCE.md §3: two separate 2-hour outages under a 3-hour waiting period pay nothing;
    # the scenario carries only the longest unbroken interruption, 2 hours.
    terms = make_terms(product, hours=3)
    result = adjudicate(terms, [accident("A", jst(2026, 6, 1), (PL, 500_000), outage=2)])
    assert result.total_paid == 0


def test_a_fractional_waiting_period_is_compared_exactly(product: Product) -> None:
    terms = make_terms(product, hours=Fraction("3.5"))
    result = adjudicate(
        terms,
        [
            accident("A", jst(2026, 6, 1), (CC, 10_000), outage=Fraction("3.5")),
            accident("B", jst(2026, 6, 2), (CC, 10_000), outage=Fraction("3.51")),
        ],
    )
    assert [a.paid[CC] for a in result.accidents] == [0, 10_000]


def test_time_deductible_keeps_the_share_of_the_loss_after_the_first_hours_floored_once(
    product: Product,
) -> None:
    # 20,000,000 × (5.5 − 3) / 5.5 = 9,090,909.09… → 9,090,909 (floored once, on the part total)
    terms = make_terms(product, hours=3, mode="time_deductible")
    result = adjudicate(
        terms,
        [
            accident(
                "A",
                jst(2026, 6, 1),
                (PL, 10_000_000),
                (PL, 10_000_000),
                (CC, 7),
                outage=Fraction("5.5"),
            )
        ],
    )
    acc = result.accidents[0]
    # CC: 7 × 2.5 / 5.5 = 3.18… → 3
    assert acc.paid == {LIAB: 0, RESP: 0, PL: 9_090_909, CC: 3}
    first, second, cc = acc.lines
    assert (first.paid, second.paid) == (9_090_909, 0)
    # withheld 10,909,091 = the waiting period's share, taken from the last line backwards
    assert [(r.code, r.amount) for r in second.reasons] == [
        ("waiting_period_time_deductible", 10_000_000)
    ]
    assert [(r.code, r.amount) for r in first.reasons] == [
        ("waiting_period_time_deductible", 909_091)
    ]
    assert cc.reasons[0].amount == 4


def test_time_deductible_pays_nothing_when_the_outage_does_not_exceed_the_hours(
    product: Product,
) -> None:
    terms = make_terms(product, hours=6, mode="time_deductible")
    result = adjudicate(
        terms,
        [
            accident("A", jst(2026, 6, 1), (PL, 1_000), outage=6),
            accident("B", jst(2026, 6, 2), (PL, 1_000), outage=0),
        ],
    )
    assert result.total_paid == 0


def test_the_waiting_period_applies_before_the_deductible(product: Product) -> None:
    # hours 4, outage 8: 1,200,000 × (8 − 4) / 8 = 600,000; less the deductible 100,000 = 500,000
    terms = make_terms(product, hours=4, mode="time_deductible", deductibles={PL: 100_000})
    result = adjudicate(terms, [accident("A", jst(2026, 6, 1), (PL, 1_200_000), outage=8)])
    part = result.accidents[0].parts[2]
    assert part.paid == 500_000
    assert [(r.code, r.amount) for r in part.reasons] == [
        ("waiting_period_time_deductible", 600_000),
        ("deductible", 100_000),
    ]


def test_the_waiting_period_does_not_touch_liability_or_response_costs(product: Product) -> None:
    terms = make_terms(product, hours=24, mode="time_deductible")
    result = adjudicate(
        terms, [accident("A", jst(2026, 6, 1), (LIAB, 100), (RESP, 200), (PL, 300), outage=1)]
    )
    assert result.accidents[0].paid == {LIAB: 100, RESP: 200, PL: 0, CC: 0}


# -- 5. deductible and 6. the part's limit ---------------------------------------------


def test_the_issue_example_a_loss_of_1200_with_deductible_300_and_limit_1000_pays_900(
    product: Product,
) -> None:
    terms = make_terms(
        product,
        limits={LIAB: 1_000, RESP: 1_000, "business_interruption": 1_000, PL: 1_000, CC: 1_000},
        deductibles={LIAB: 300},
    )
    result = adjudicate(terms, [accident("A", jst(2026, 6, 1), (LIAB, 1_200))])
    line = result.accidents[0].lines[0]
    assert line.paid == 900
    assert [(r.code, r.amount) for r in line.reasons] == [("deductible", 300)]


def test_a_deductible_larger_than_the_loss_leaves_nothing(product: Product) -> None:
    terms = make_terms(product, deductibles={RESP: 500})
    result = adjudicate(terms, [accident("A", jst(2026, 6, 1), (RESP, 300))])
    assert result.accidents[0].paid[RESP] == 0
    assert result.accidents[0].lines[0].reasons[0].amount == 300


def test_the_deductible_is_taken_once_per_accident_from_the_part_total(product: Product) -> None:
    terms = make_terms(product, deductibles={LIAB: 250})
    result = adjudicate(
        terms, [accident("A", jst(2026, 6, 1), (LIAB, 200), (LIAB, 200), (LIAB, 200))]
    )
    # 600 − 250 = 350: 200 + 150 + 0 to the lines in input order
    assert [line.paid for line in result.accidents[0].lines] == [200, 150, 0]


def test_the_part_limit_caps_each_accident_and_erodes_over_the_period(product: Product) -> None:
    terms = make_terms(product, limits={LIAB: 1_000, RESP: 1_000, "business_interruption": 1_000})
    result = adjudicate(
        terms,
        [
            accident("A", jst(2026, 5, 1), (LIAB, 1_300)),
            accident("B", jst(2026, 6, 1), (LIAB, 800)),
        ],
    )
    a, b = result.accidents
    assert (a.paid[LIAB], b.paid[LIAB]) == (1_000, 0)
    assert [(r.code, r.amount) for r in a.lines[0].reasons] == [("limit_per_accident", 300)]
    assert [(r.code, r.amount) for r in b.lines[0].reasons] == [("limit_period", 800)]


def test_response_costs_erode_their_own_period_limit(product: Product) -> None:
    terms = make_terms(product, limits={RESP: 1_000})
    result = adjudicate(
        terms,
        [
            accident("A", jst(2026, 5, 1), (RESP, 700)),
            accident("B", jst(2026, 6, 1), (RESP, 700)),
        ],
    )
    assert [a.paid[RESP] for a in result.accidents] == [700, 300]
    assert result.remaining[RESP] == 0


# -- 7. the shared business-interruption limit, first come first served ------------------


def test_the_shared_limit_goes_to_loss_of_profit_first_within_one_accident(
    product: Product,
) -> None:
    terms = make_terms(
        product, limits={PL: 800_000, CC: 800_000, "business_interruption": 1_000_000}
    )
    result = adjudicate(
        terms, [accident("A", jst(2026, 6, 1), (PL, 700_000), (CC, 700_000), outage=10)]
    )
    acc = result.accidents[0]
    # not pro rata (that would be 500,000 each): 700,000 then the 300,000 left
    assert (acc.paid[PL], acc.paid[CC]) == (700_000, 300_000)
    assert [(r.code, r.amount) for r in acc.lines[1].reasons] == [
        ("shared_limit_per_accident", 400_000)
    ]
    assert result.remaining["business_interruption"] == 0


def test_the_shared_limit_erodes_over_the_period(product: Product) -> None:
    terms = make_terms(
        product, limits={PL: 1_000_000, CC: 800_000, "business_interruption": 1_000_000}
    )
    result = adjudicate(
        terms,
        [
            accident("A", jst(2026, 6, 1), (PL, 600_000), outage=10),
            accident("B", jst(2026, 7, 1), (PL, 300_000), (CC, 300_000), outage=10),
        ],
    )
    b = result.accidents[1]
    # 400,000 of the shared limit is left for the period: 300,000 to PL, then 100,000 to CC
    assert (b.paid[PL], b.paid[CC]) == (300_000, 100_000)
    assert [(r.code, r.amount) for r in b.lines[1].reasons] == [("shared_limit_period", 200_000)]
    assert result.remaining == {
        "aggregate": 1_000_000_000 - 1_000_000,
        LIAB: 1_000_000_000,
        RESP: 500_000_000,
        PL: 1_000_000 - 900_000,
        CC: 800_000 - 100_000,
        "business_interruption": 0,
    }


def test_a_part_limit_binds_before_the_shared_limit(product: Product) -> None:
    terms = make_terms(
        product, limits={PL: 800_000, CC: 800_000, "business_interruption": 1_000_000}
    )
    result = adjudicate(
        terms,
        [
            accident("A", jst(2026, 6, 1), (PL, 600_000), outage=10),
            accident("B", jst(2026, 7, 1), (PL, 300_000), (CC, 300_000), outage=10),
        ],
    )
    b = result.accidents[1]
    # PL has 200,000 of its own limit left (100,000 withheld); the shared limit then has
    # 1,000,000 − 800,000 = 200,000 for CC (100,000 withheld by the shared limit)
    assert (b.paid[PL], b.paid[CC]) == (200_000, 200_000)
    assert [(r.code, r.amount) for r in b.lines[0].reasons] == [("limit_period", 100_000)]
    assert [(r.code, r.amount) for r in b.lines[1].reasons] == [("shared_limit_period", 100_000)]


# -- 8. the overall aggregate, first come first served ------------------------------------


def test_the_aggregate_is_taken_in_part_order_inside_one_accident(product: Product) -> None:
    terms = make_terms(
        product,
        limits={LIAB: 1_000, RESP: 1_000, "aggregate": 1_000, "business_interruption": 1_000},
    )
    result = adjudicate(terms, [accident("A", jst(2026, 6, 1), (RESP, 500), (LIAB, 700))])
    acc = result.accidents[0]
    assert acc.paid == {LIAB: 700, RESP: 300, PL: 0, CC: 0}
    # lines keep input order: the response-cost line is first in the output
    assert [(r.code, r.amount) for r in acc.lines[0].reasons] == [("aggregate", 200)]
    assert result.remaining["aggregate"] == 0


def test_the_aggregate_defaults_to_the_liability_limit_and_binds_across_accidents(
    product: Product,
) -> None:
    terms = make_terms(
        product,
        limits={
            LIAB: 10_000_000,
            RESP: 8_000_000,
            PL: 5_000_000,
            CC: 5_000_000,
            "business_interruption": 6_000_000,
        },
    )
    assert terms.aggregate == 10_000_000
    result = adjudicate(
        terms,
        [
            accident("A", jst(2026, 5, 1), (RESP, 7_000_000), (PL, 2_000_000), outage=12),
            accident("B", jst(2026, 8, 1), (LIAB, 4_000_000), (CC, 1_000_000), outage=12),
        ],
    )
    a, b = result.accidents
    assert a.total == 9_000_000
    # 1,000,000 of the aggregate is left: liability takes it, continuation gets nothing
    assert b.paid == {LIAB: 1_000_000, RESP: 0, PL: 0, CC: 0}
    assert [(r.code, r.amount) for r in b.lines[1].reasons] == [("aggregate", 1_000_000)]
    assert result.remaining == {
        "aggregate": 0,
        LIAB: 9_000_000,
        RESP: 1_000_000,
        PL: 3_000_000,
        CC: 5_000_000,
        "business_interruption": 4_000_000,
    }


# -- ordering and allocation ---------------------------------------------------------------


def test_accidents_erode_in_time_order_but_are_reported_in_input_order(product: Product) -> None:
    terms = make_terms(product, limits={LIAB: 1_000, RESP: 1_000, "business_interruption": 1_000})
    result = adjudicate(
        terms,
        [
            accident("later", jst(2026, 9, 1), (LIAB, 800)),
            accident("earlier", jst(2026, 5, 1), (LIAB, 800)),
        ],
    )
    assert [(a.id, a.paid[LIAB]) for a in result.accidents] == [("later", 200), ("earlier", 800)]


def test_accidents_at_the_same_instant_keep_input_order(product: Product) -> None:
    terms = make_terms(product, limits={LIAB: 1_000, RESP: 1_000, "business_interruption": 1_000})
    same = jst(2026, 5, 1, 9)
    same_in_utc = datetime(2026, 5, 1, 0, tzinfo=UTC)
    result = adjudicate(
        terms,
        [
            accident("first", same, (LIAB, 800)),
            accident("second", same_in_utc, (LIAB, 800)),
        ],
    )
    assert [a.paid[LIAB] for a in result.accidents] == [800, 200]


def test_withheld_yen_fall_on_the_last_lines_in_step_order(product: Product) -> None:
    terms = make_terms(
        product,
        limits={LIAB: 1_000, RESP: 1_000, "business_interruption": 1_000},
        deductibles={LIAB: 100},
    )
    result = adjudicate(
        terms, [accident("A", jst(2026, 6, 1), (LIAB, 600), (LIAB, 500), (LIAB, 400))]
    )
    lines = result.accidents[0].lines
    # 1,500 − 100 deductible = 1,400 → limit 1,000 (400 withheld). Paid 600 + 400 + 0.
    assert [line.paid for line in lines] == [600, 400, 0]
    assert [(r.code, r.amount) for r in lines[0].reasons] == []
    assert [(r.code, r.amount) for r in lines[1].reasons] == [("limit_per_accident", 100)]
    assert [(r.code, r.amount) for r in lines[2].reasons] == [
        ("deductible", 100),
        ("limit_per_accident", 300),
    ]


def test_every_withheld_yen_has_a_reason_and_sentences_in_both_languages(
    product: Product,
) -> None:
    terms = make_terms(product, deductibles={RESP: 1_000}, hours=4, mode="time_deductible")
    result = adjudicate(
        terms,
        [accident("A", jst(2026, 6, 1), (RESP, 50_000), (PL, 90_000), outage=Fraction(9, 2))],
    )
    for line in result.accidents[0].lines:
        assert line.claimed - line.paid == sum(r.amount for r in line.reasons)
        for r in line.reasons:
            assert r.ja and r.en and r.clause.startswith("PRODUCT.md")
    deductible = result.accidents[0].lines[0].reasons[0]
    assert "1,000円" in deductible.ja and "1,000 yen" in deductible.en


def test_an_earlier_ledger_is_respected_and_not_changed(product: Product) -> None:
    from cybercover.terms import Ledger

    terms = make_terms(product, limits={LIAB: 1_000, RESP: 1_000, "business_interruption": 1_000})
    before = Ledger(parts={LIAB: 900}, aggregate=900)
    result = adjudicate(terms, [accident("A", jst(2026, 6, 1), (LIAB, 500))], ledger=before)
    assert result.accidents[0].paid[LIAB] == 100
    assert before.parts == {LIAB: 900}
    assert result.ledger.parts[LIAB] == 1_000


# -- cost heads of part ② (REFERENCE.md §4) ------------------------------------------------


def test_apology_gifts_are_capped_per_victim_inside_the_response_cost_limit(
    product: Product,
) -> None:
    from cybercover.terms import LossLine

    terms = make_terms(product, limits={RESP: 30_000_000}, deductibles={RESP: 100_000})
    acc = accident("LEAK", jst(2026, 9, 14), (RESP, 4_000_000))
    acc = type(acc)(
        acc.id,
        acc.occurred_at,
        None,
        (),
        (
            LossLine(RESP, 4_000_000, "forensics"),
            LossLine(RESP, 19_500_000, "apology_gifts", 30_000),  # ¥650 × 30,000 people
            LossLine(RESP, 1_000_000),  # no head: paid as part ② at 100 %
        ),
    )
    result = adjudicate(terms, [acc]).accidents[0]
    # gifts: cap ¥1,000 × 30,000 = 30,000,000 ≥ 19,500,000 → all eligible;
    # part total 24,500,000 − 100,000 deductible = 24,400,000
    assert result.paid[RESP] == 24_400_000


def test_a_per_victim_cap_share_and_head_limit_cut_their_own_lines_first(product: Product) -> None:
    from cybercover.terms import LossLine

    terms = make_terms(product, limits={RESP: 100_000_000})
    acc = accident("A", jst(2026, 9, 14))
    acc = type(acc)(
        acc.id,
        acc.occurred_at,
        None,
        (),
        (
            LossLine(RESP, 3_000_000, "apology_gifts", 2_000),  # cap 1,000 × 2,000 = 2,000,000
            LossLine(
                RESP, 40_000_000, "recurrence_prevention"
            ),  # 90 % = 36,000,000 → limit 30,000,000
            LossLine(RESP, 500_000, "forensics"),
        ),
    )
    result = adjudicate(terms, [acc]).accidents[0]
    gifts, prevention, forensics = result.lines
    assert (gifts.paid, [(r.code, r.amount) for r in gifts.reasons]) == (
        2_000_000,
        [("cost_head_victim_cap", 1_000_000)],
    )
    assert (prevention.paid, [(r.code, r.amount) for r in prevention.reasons]) == (
        30_000_000,
        [("cost_head_share", 4_000_000), ("cost_head_limit", 6_000_000)],
    )
    assert (forensics.paid, forensics.reasons) == (500_000, ())
    assert result.paid[RESP] == 32_500_000
    part = result.parts[1]
    assert part.claimed == 43_500_000
    assert sum(r.amount for r in part.reasons) == 43_500_000 - 32_500_000


def test_apology_gifts_to_people_and_companies_are_capped_per_person_and_per_company(
    product: Product,
) -> None:
    from cybercover.terms import LossLine

    terms = make_terms(product, limits={RESP: 100_000_000})
    acc = accident("A", jst(2026, 9, 14))
    acc = type(acc)(
        acc.id, acc.occurred_at, None, (), (LossLine(RESP, 500_000, "apology_gifts", 100, 2),)
    )
    line = adjudicate(terms, [acc]).accidents[0].lines[0]
    # ¥1,000 × 100 people + ¥50,000 × 2 companies = 200,000
    assert (line.paid, [(r.code, r.amount) for r in line.reasons]) == (
        200_000,
        [("cost_head_victim_cap", 300_000)],
    )
    assert "50,000円" in line.reasons[0].ja
