"""The rate table applied: worked examples by hand, calibration, shape, bounds, caps."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cybercover.errors import InputError
from cybercover.product import Product, default_product
from cybercover.rating.engine import Premium, rate, round_half_up
from tests.factories import make_rate_request

ALL_CONTROLS: dict[str, object] = {
    "mfa": True,
    "edr": True,
    "offline_backups": True,
    "patch_cadence_days": 7,
    "incident_response_plan": True,
    "staff_training": True,
    "email_filtering": True,
    "privileged_access_management": True,
}
NO_CONTROLS: dict[str, object] = {
    "mfa": False,
    "edr": False,
    "offline_backups": False,
    "patch_cadence_days": 90,
    "incident_response_plan": False,
    "staff_training": False,
    "email_filtering": False,
    "privileged_access_management": False,
}


def steps(premium: Premium) -> dict[str, tuple[str, int]]:
    return {f.code: (f.factor, f.amount) for f in premium.factors}


# -- worked examples, computed by hand -------------------------------------------------


def test_a_manufacturer_on_plan_1_pays_the_published_basis_by_hand(product: Product) -> None:
    # base at ¥500M                              70,000
    # × 1.00 manufacturing × 1.00 (liability ¥100M) × 1.00 (costs ¥30M) × 1.00 (no BI)
    # × 0.95 deductible ¥100,000                 66,500
    # × 1.00 overseas × 1.00 security (unanswered) × 1.00 ISMS; floored to 10 → 66,500
    quote = rate(product, make_rate_request(product))
    assert quote.premium == 66_500
    assert [f.amount for f in quote.factors] == [70_000] * 5 + [66_500] * 7
    assert steps(quote)["deductible"] == ("0.95", 66_500)


def test_an_it_company_with_jqa_isms_every_control_and_overseas_sales_by_hand(
    product: Product,
) -> None:
    # base at ¥300M (a table point)              57,100
    # × 16.90 IT app development                964,990
    # × 1.40 liability ¥500M                  1,350,986
    # × 1.23 costs ¥100M = 1,661,712.78    →  1,661,713
    # × 1.00 no BI
    # × 0.91 deductible ¥300,000 = 1,512,158.83 → 1,512,159
    # × 1.25 overseas 15 % (band up to 0.3) = 1,890,198.75 → 1,890,199
    # × 0.80 every control = 1,512,159.2   →  1,512,159
    # × 0.50 ISMS JQA = 756,079.5          →    756,080 (half up)
    # ceiling 60 %: 1,890,199 × 0.40 = 756,079.6 → 756,080, not above → unchanged
    request = make_rate_request(
        product,
        revenue=300_000_000,
        industry="it_app_development",
        liability=500_000_000,
        response_costs=100_000_000,
        deductible=300_000,
        overseas="0.15",
        disclosure=ALL_CONTROLS,
        isms_body="JQA",
    )
    quote = rate(product, request)
    s = steps(quote)
    assert s["base"] == ("57100", 57_100)
    assert s["industry:it_app_development"] == ("16.90", 964_990)
    assert s["limit:liability"] == ("1.40", 1_350_986)
    assert s["limit:response_costs"] == ("1.23", 1_661_713)
    assert s["deductible"] == ("0.91", 1_512_159)
    assert s["overseas"] == ("1.25", 1_890_199)
    assert s["security"] == ("0.80", 1_512_159)
    assert s["isms"] == ("0.50", 756_080)
    assert s["discount_ceiling"] == ("1.00", 756_080)
    assert quote.premium == 756_080


def test_a_retailer_with_the_bi_option_and_surcharges_by_hand(product: Product) -> None:
    # base at ¥1.2B: 92,400 + (143,300 − 92,400) × 0.2/2.0 = 97,490
    # × 1.40 retail                          136,486
    # × 1.25 liability ¥300M = 170,607.5 →   170,608 (half up)
    # × 1.08 costs ¥50M = 184,256.64     →   184,257
    # × 1.15 BI, 12-hour wait = 211,895.55 → 211,896
    # × 0.95 deductible ¥100,000 = 201,301.2 → 201,301
    # × 1.00 overseas
    # security: 4 of 8 in place (0) + 1 incident (+0.10) + RDP (+0.30) = 1.40
    #   = 281,821.4 → 281,821;  floored to 10 yen → 281,820
    disclosure: dict[str, object] = {
        "mfa": True,
        "edr": True,
        "offline_backups": False,
        "patch_cadence_days": 60,
        "incident_response_plan": True,
        "staff_training": False,
        "email_filtering": True,
        "privileged_access_management": False,
        "prior_incidents_3y": 1,
        "rdp_exposed": True,
    }
    request = make_rate_request(
        product,
        revenue=1_200_000_000,
        industry="retail",
        liability=300_000_000,
        response_costs=50_000_000,
        bi=True,
        bi_limit=100_000_000,
        hours=12,
        disclosure=disclosure,
    )
    quote = rate(product, request)
    s = steps(quote)
    assert s["base"][1] == 97_490
    assert s["limit:liability"] == ("1.25", 170_608)
    assert s["business_interruption"] == ("1.15", 211_896)
    assert s["security"] == ("1.40", 281_821)
    assert s["rounding"] == ("floor:10", 281_820)
    assert quote.premium == 281_820


def test_every_step_rounds_half_up_to_the_yen() -> None:
    assert round_half_up(Fraction(15, 10)) == 2
    assert round_half_up(Fraction(25, 10)) == 3  # half up, not to even
    assert round_half_up(Fraction(149, 100)) == 1
    assert round_half_up(Fraction(0)) == 0
    with pytest.raises(ValueError):
        round_half_up(Fraction(-1))


def test_a_limit_between_table_points_is_interpolated_to_four_decimals(
    product: Product,
) -> None:
    # liability ¥133,333,333: 1.00 + (1.25 − 1.00) × 33,333,333 / 200,000,000
    #   = 1.041666666… → 1.0417; 70,000 × 1.0417 = 72,919
    quote = rate(product, make_rate_request(product, liability=133_333_333))
    assert steps(quote)["limit:liability"] == ("1.0417", 72_919)


def test_the_final_premium_is_floored_to_ten_yen(product: Product) -> None:
    # 70,000 × 1.40 retail × 1.40 (¥500M) × 1.23 (¥100M) × 0.95 = 160,318 → 160,310
    quote = rate(
        product,
        make_rate_request(
            product, industry="retail", liability=500_000_000, response_costs=100_000_000
        ),
    )
    assert steps(quote)["deductible"][1] == 160_318
    assert quote.premium == 160_310


# -- calibration against REFERENCE.md §1 ------------------------------------------------

PUBLISHED = {
    # industry: (plan ①, plan ②) at revenue ¥500M, deductible ¥100,000 (REFERENCE.md §1)
    "manufacturing": (67_000, 117_000),
    "retail": (93_000, 160_010),
    "wholesale": (62_000, 107_000),
    "logistics": (165_000, 284_000),
    "restaurants": (123_000, 213_000),
    "construction": (62_000, 107_000),
    "it_app_development": (1_190_000, 1_828_000),
}
PLANS = {1: (100_000_000, 30_000_000), 2: (500_000_000, 100_000_000)}


@pytest.mark.parametrize("industry", list(PUBLISHED))
@pytest.mark.parametrize("plan", [1, 2])
def test_the_table_reproduces_every_published_premium_within_15_percent(
    product: Product, industry: str, plan: int
) -> None:
    liability, costs = PLANS[plan]
    quote = rate(
        product,
        make_rate_request(product, industry=industry, liability=liability, response_costs=costs),
    )
    published = PUBLISHED[industry][plan - 1]
    assert abs(quote.premium - published) <= published * 0.15


def test_the_non_it_classes_are_within_3_percent(product: Product) -> None:
    for industry, figures in PUBLISHED.items():
        if industry == "it_app_development":
            continue
        for plan, published in zip((1, 2), figures, strict=True):
            liability, costs = PLANS[plan]
            premium = rate(
                product,
                make_rate_request(
                    product, industry=industry, liability=liability, response_costs=costs
                ),
            ).premium
            assert abs(premium - published) <= published * 0.03, (industry, plan, premium)


def test_premium_grows_with_revenue_to_the_power_0_4(product: Product) -> None:
    # ×10 revenue → ≈ ×10^0.4 = 2.51 premium (REFERENCE.md §1 shape)
    for low in (10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000):
        a = rate(product, make_rate_request(product, revenue=low, deductible=0)).premium
        b = rate(product, make_rate_request(product, revenue=low * 10, deductible=0)).premium
        assert 2.4 <= b / a <= 2.62, (low, a, b)


# -- monotonicity ------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=0, max_value=100_000_000_000),
    st.integers(min_value=0, max_value=100_000_000_000),
    st.sampled_from(["manufacturing", "retail", "logistics", "it_app_development", "other"]),
)
def test_more_revenue_is_never_cheaper(r1: int, r2: int, industry: str) -> None:
    product = default_product()  # not a fixture: hypothesis would print its repr
    low, high = sorted((r1, r2))
    a = rate(product, make_rate_request(product, revenue=low, industry=industry)).premium
    b = rate(product, make_rate_request(product, revenue=high, industry=industry)).premium
    assert a <= b


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=1, max_value=2_000_000_000),
    st.integers(min_value=1, max_value=2_000_000_000),
    st.integers(min_value=0, max_value=1_000_000_000),
)
def test_a_higher_limit_is_never_cheaper(l1: int, l2: int, costs: int) -> None:
    product = default_product()  # not a fixture: hypothesis would print its repr
    low, high = sorted((l1, l2))
    costs = min(costs, low)
    a = rate(product, make_rate_request(product, liability=low, response_costs=costs)).premium
    b = rate(product, make_rate_request(product, liability=high, response_costs=costs)).premium
    # twice the response costs, within ① and within ②'s product maximum (10億円)
    more = min(high, costs * 2, product.coverage("response_costs").max_limit)
    c = rate(product, make_rate_request(product, liability=high, response_costs=more)).premium
    assert a <= b <= c


def test_a_higher_deductible_or_a_longer_wait_is_never_dearer(product: Product) -> None:
    by_deductible = [
        rate(product, make_rate_request(product, deductible=d)).premium
        for d in (0, 50_000, 100_000, 300_000, 1_000_000, 20_000_000)
    ]
    assert by_deductible == sorted(by_deductible, reverse=True)
    by_wait = [
        rate(product, make_rate_request(product, bi=True, hours=h)).premium
        for h in (3, 5, 6, 12, 24, 100)
    ]
    assert by_wait == sorted(by_wait, reverse=True)
    without = rate(product, make_rate_request(product)).premium
    assert without < by_wait[-1]


def test_the_smallest_deductible_of_the_parts_bought_earns_the_credit(
    product: Product,
) -> None:
    from datetime import date

    from cybercover.rating.engine import RateRequest
    from cybercover.terms import build_policy_terms

    terms = build_policy_terms(
        product,
        start=date(2026, 4, 1),
        limits={"liability": 100_000_000, "response_costs": 30_000_000},
        deductibles={"liability": 1_000_000, "response_costs": 0},
    )
    quote = rate(product, RateRequest(500_000_000, "manufacturing", terms))
    assert steps(quote)["deductible"] == ("1.00", 70_000)


# -- security modifier -------------------------------------------------------------------


@pytest.mark.parametrize(
    "in_place",
    [
        ("mfa", "edr", "offline_backups", "patch_cadence_days"),
        (
            "incident_response_plan",
            "staff_training",
            "email_filtering",
            "privileged_access_management",
        ),
        ("mfa", "staff_training", "patch_cadence_days", "email_filtering"),
    ],
)
def test_any_four_of_eight_controls_in_place_is_neutral(
    product: Product, in_place: tuple[str, ...]
) -> None:
    answers = {
        code: ALL_CONTROLS[code] if code in in_place else NO_CONTROLS[code] for code in ALL_CONTROLS
    }
    quote = rate(product, make_rate_request(product, disclosure=answers))
    assert steps(quote)["security"] == ("1.00", 66_500)


def test_unanswered_controls_are_neutral(product: Product) -> None:
    # two in place, one not, five unanswered: 1 − 0.05 − 0.05 + 0.05 = 0.95
    quote = rate(
        product,
        make_rate_request(product, disclosure={"mfa": True, "edr": True, "offline_backups": False}),
    )
    factor, amount = steps(quote)["security"]
    assert factor == "0.95"
    assert amount == 63_175  # 66,500 × 0.95
    states = {d["code"]: d.get("state") for d in quote.factors[7].details}
    assert states["staff_training"] == "unanswered"


def test_patch_cadence_is_in_place_at_30_days_and_not_at_31(product: Product) -> None:
    for days, factor in ((30, "0.95"), (31, "1.05")):
        quote = rate(product, make_rate_request(product, disclosure={"patch_cadence_days": days}))
        assert steps(quote)["security"][0] == factor


def test_the_security_modifier_is_held_between_080_and_150(product: Product) -> None:
    best = rate(product, make_rate_request(product, disclosure=ALL_CONTROLS))
    assert steps(best)["security"] == ("0.80", 53_200)  # 66,500 × 0.80
    worst = rate(
        product,
        make_rate_request(
            product,
            disclosure={**NO_CONTROLS, "rdp_exposed": True, "prior_incidents_3y": 10},
        ),
    )
    # 1 + 8 × 0.05 + 0.30 + min(10, 3) × 0.10 = 2.00 → held at 1.50
    assert steps(worst)["security"] == ("1.50", 99_750)
    total = next(d for d in worst.factors[7].details if d["code"] == "sum")
    assert total["adjustment"] == "2.00"


def test_an_exposed_rdp_port_is_a_surcharge(product: Product) -> None:
    quote = rate(product, make_rate_request(product, disclosure={"rdp_exposed": True}))
    assert steps(quote)["security"] == ("1.30", 86_450)


# -- ISMS discount and its ceiling -------------------------------------------------------


def test_every_control_and_a_jqa_certificate_reach_exactly_the_60_percent_ceiling(
    product: Product,
) -> None:
    # 66,500 × 0.80 = 53,200; × 0.50 = 26,600 = 66,500 × 0.40: 60 % off, the page's maximum
    quote = rate(product, make_rate_request(product, disclosure=ALL_CONTROLS, isms_body="BSI-J"))
    assert quote.premium == 26_600
    assert steps(quote)["discount_ceiling"] == ("1.00", 26_600)


def test_the_isms_discount_never_exceeds_the_products_60_percent_ceiling(
    product: Product,
) -> None:
    table = product.rating
    generous = product.model_copy(
        update={
            "rating": table.model_copy(
                update={"isms": table.isms.model_copy(update={"full_bodies_percent": 90})}
            )
        }
    )
    quote = rate(generous, make_rate_request(generous, disclosure=ALL_CONTROLS, isms_body="JQA"))
    s = steps(quote)
    # the ISMS discount itself is capped at 60 %: 53,200 × 0.40 = 21,280
    assert s["isms"] == ("0.40", 21_280)
    # together at most 60 % off the 66,500 before discounts: lifted to 26,600 (× 5/4)
    assert s["discount_ceiling"] == ("5/4", 26_600)
    assert quote.premium == 26_600
    assert product.isms.max_discount_percent == 60


def test_other_certification_bodies_get_a_smaller_discount_and_ceiling(product: Product) -> None:
    # 53,200 × 0.80 (20 %) = 42,560 < 66,500 × 0.70 = 46,550 (ceiling 30 %) → 46,550
    quote = rate(
        product, make_rate_request(product, disclosure=ALL_CONTROLS, isms_body="Other Cert Ltd")
    )
    assert steps(quote)["isms"] == ("0.80", 42_560)
    assert quote.premium == 46_550


def test_the_body_name_is_matched_without_regard_to_case(product: Product) -> None:
    quote = rate(product, make_rate_request(product, isms_body="jqa"))
    assert steps(quote)["isms"] == ("0.50", 33_250)


# -- minimum premium and errors ----------------------------------------------------------


def test_the_minimum_premium_applies_to_a_tiny_company(product: Product) -> None:
    # 14,600 × 0.93 = 13,578; × 0.55 (¥10M) = 7,467.9 → 7,468; × 0.85 (¥10M) = 6,347.8 →
    # 6,348; × 0.70 (¥10M deductible) = 4,443.6 → 4,444; × 0.80 = 3,555.2 → 3,555;
    # × 0.50 = 1,777.5 → 1,778; floored 1,770; minimum → 10,000
    quote = rate(
        product,
        make_rate_request(
            product,
            revenue=0,
            industry="wholesale",
            liability=10_000_000,
            response_costs=10_000_000,
            deductible=10_000_000,
            disclosure=ALL_CONTROLS,
            isms_body="JQA",
        ),
    )
    s = steps(quote)
    assert s["isms"][1] == 1_778
    assert s["rounding"][1] == 1_770
    assert quote.premium == 10_000


def test_a_request_the_table_cannot_rate_names_every_field(product: Product) -> None:
    request = make_rate_request(product, revenue=100_000_000_001, industry="fishing")
    with pytest.raises(InputError) as err:
        rate(product, request)
    assert [(p.path, p.rule) for p in err.value.problems] == [
        ("company.annual_revenue", "above_rate_table"),
        ("company.industry", "unknown_industry"),
    ]


def test_a_wrongly_typed_answer_is_refused(product: Product) -> None:
    request = make_rate_request(
        product, disclosure={"mfa": "yes", "prior_incidents_3y": -1, "unknown_code": "kept"}
    )
    with pytest.raises(InputError) as err:
        rate(product, request)
    assert [(p.path, p.rule) for p in err.value.problems] == [
        ("disclosure.mfa", "bool_type"),
        ("disclosure.prior_incidents_3y", "negative"),
    ]


def test_amounts_are_int_and_factors_are_strings(product: Product) -> None:
    quote = rate(product, make_rate_request(product, overseas="0.05"))
    assert isinstance(quote.premium, int)
    assert all(isinstance(f.amount, int) and isinstance(f.factor, str) for f in quote.factors)
    assert steps(quote)["overseas"] == ("1.10", 73_150)  # 66,500 × 1.10
    assert Decimal(steps(quote)["overseas"][0]) == Decimal("1.1")
