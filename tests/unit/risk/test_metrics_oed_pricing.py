"""Exceedance figures by hand, OED in and out (inclusive expiry), the technical price."""

from __future__ import annotations

import io
import math
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest

from cybercover.errors import InputError
from cybercover.product import default_product
from cybercover.risk.exposure import Insured
from cybercover.risk.metrics import loss_at_return_period, tvar
from cybercover.risk.model import default_loss_model
from cybercover.risk.oed import OedPolicy, read_oed, write_oed
from cybercover.risk.pricing import CapitalBasis, capital_ratio_for, technical_price
from cybercover.terms.build import build_policy_terms
from cybercover.timeutil import JST

# ten years' losses, worst first when sorted: 100, 90, …, 10
TEN = np.array([30, 10, 100, 50, 20, 90, 60, 40, 80, 70], np.int64)


def test_loss_at_return_period_by_hand() -> None:
    assert loss_at_return_period(TEN, 10) == 100  # k = 1: the worst year
    assert loss_at_return_period(TEN, 5) == 90  # k = 2
    assert loss_at_return_period(TEN, 1) == 10  # k = 10: every year exceeds it
    # k = 10 / 4 = 2.5: halfway between the 2nd (90) and 3rd (80) worst
    assert loss_at_return_period(TEN, 4) == pytest.approx(85)
    with pytest.raises(ValueError):
        loss_at_return_period(TEN, 11)


def test_tvar_by_hand() -> None:
    assert tvar(TEN, 0.8) == pytest.approx((100 + 90) / 2)
    # 10 × 0.25 = 2.5 years: (100 + 90 + 0.5 × 80) / 2.5 = 92
    assert tvar(TEN, 0.75) == pytest.approx(92)


OED_ROW = (
    "PortNumber,AccNumber,PolNumber,PolInceptionDate,PolExpiryDate,AnnualRevenue,"
    "AnnualRevenueCurrency,IndustryScheme1,IndustryCode1,PolLimitLIA,PolDedLIA,"
    "PolLimitINRE,PolDedINRE,PolLimitNPBI,FlexiPolLimitCONT,LayerAggLimit,BIWaitingPeriod,"
    "FlexiPolBIWaitingMode,CloudVendor,GrossProfitMargin,FlexiAccmfa,FlexiAccISMS,"
    "PolGrossPremium\n"
    "P,A1,CY-1,2026-04-01,2027-03-31,500000000,JPY,JSIC,2911,100000000,100000,"
    "30000000,100000,20000000,10000000,100000000,12,time_deductible,AWS,0.3,true,1,66500\n"
)


def test_oed_row_becomes_our_half_open_terms() -> None:
    product, model = default_product(), default_loss_model()
    insureds, premiums = read_oed(io.StringIO(OED_ROW), product, model)
    (ins,) = insureds
    t = ins.terms
    # OED's expiry 2027-03-31 is the last day covered: our period ends 2027-04-01 00:00 JST
    assert t.start == datetime(2026, 4, 1, tzinfo=JST)
    assert t.end == datetime(2027, 4, 1, tzinfo=JST)
    assert t.covers(datetime(2027, 3, 31, 23, 59, tzinfo=JST))
    assert not t.covers(datetime(2027, 4, 1, 0, 0, tzinfo=JST))
    parts = {p.code: p for p in t.parts}
    assert parts["liability"].limit == 100_000_000 and parts["liability"].deductible == 100_000
    assert parts["profit_loss"].bought and parts["profit_loss"].limit == 20_000_000
    assert parts["continuation_costs"].limit == 10_000_000
    assert t.aggregate == 100_000_000
    assert t.waiting.hours == 12 and t.waiting.mode == "time_deductible"
    assert ins.industry == "manufacturing"  # JSIC 29 (E 製造業)
    assert ins.cloud_vendor == "aws" and ins.profit_rate == 0.3
    assert ins.answers == {"mfa": True} and ins.isms
    assert premiums == [66500]


def test_oed_round_trip(tmp_path: Path) -> None:
    product, model = default_product(), default_loss_model()
    (ins,), _ = read_oed(io.StringIO(OED_ROW), product, model)
    out = tmp_path / "book.csv"
    write_oed(
        [
            OedPolicy(
                "CY-1", "テスト製作所", ins.revenue, "29", ins.industry, ins.terms, 66500, "aws"
            )
        ],
        out,
    )
    text = out.read_text(encoding="utf-8")
    assert "2026-04-01,2027-03-31" in text  # inclusive expiry written back
    (again,), premiums = read_oed(out, product, model)
    assert again.terms == ins.terms and premiums == [66500]


@pytest.mark.parametrize(
    ("change", "path", "rule"),
    [
        (("2027-03-31", "2027-04-01"), "rows[0].PolExpiryDate", "period_length"),
        (("500000000,JPY", "500000000,USD"), "rows[0].AnnualRevenueCurrency", "currency"),
        (("JSIC,2911", "NAICS,445110"), "rows[0].IndustryScheme1", "unsupported_scheme"),
        (("100000000,100000,3", "1e8x,100000,3"), "rows[0].PolLimitLIA", "not_a_number"),
        (("AWS", "Sakura?"), "rows[0].CloudVendor", "unknown_vendor"),
        (("2026-04-01,", "2026-13-01,"), "rows[0].PolInceptionDate", "not_a_date"),
    ],
)
def test_oed_errors_name_row_and_field(change: tuple[str, str], path: str, rule: str) -> None:
    text = OED_ROW.replace(*change)
    with pytest.raises(InputError) as err:
        read_oed(io.StringIO(text), default_product(), default_loss_model())
    assert (path, rule) in [(p.path, p.rule) for p in err.value.problems]


def test_capital_ratio_basis_choice() -> None:
    settings = default_product().pricing
    assert settings is not None
    basis = CapitalBasis(
        ratios={"retail": 2.0, "it_app_development": 5.0, "portfolio": 1.5},
        policies={"retail": 25, "it_app_development": 3},
        run_id=7,
    )
    assert capital_ratio_for("retail", basis, settings) == (2.0, "industry")
    # too few IT policies (3 < min_industry_policies 20): the portfolio's ratio
    assert capital_ratio_for("it_app_development", basis, settings) == (1.5, "portfolio")
    assert capital_ratio_for("retail", None, settings) == (3.0, "default")


def test_technical_price_arithmetic() -> None:
    product, model = default_product(), default_loss_model()
    terms = build_policy_terms(
        product,
        start=date(2026, 4, 1),
        limits={"liability": 100_000_000, "response_costs": 30_000_000},
        deductibles={"liability": 100_000, "response_costs": 100_000},
    )
    ins = Insured("Q", 500_000_000, "manufacturing", terms, {"mfa": True})
    price = technical_price(product, model, ins, table_premium=66_500, years=20_000, seed=3)
    el = price.expected_loss
    # default capital ratio 3.0, cost of capital 10%, loadings 30% + 5%, up to ¥10
    assert price.capital_ratio_basis == "default"
    assert price.capital == 3 * el
    assert price.capital_charge == round(3 * el * 0.10)
    gross = (el + price.capital_charge) / 0.65
    assert price.technical_premium == math.ceil(gross / 10) * 10
    assert price.technical_premium % 10 == 0
    assert price.ratio == pytest.approx(66_500 / price.technical_premium)
    # reproducible: the same seed, the same figures
    again = technical_price(product, model, ins, table_premium=66_500, years=20_000, seed=3)
    assert again == price


def test_exposure_by_industry_cloud_and_prefecture_by_hand() -> None:
    from cybercover.services.risk import exposure_of

    product = default_product()
    small = build_policy_terms(
        product,
        start=date(2026, 4, 1),
        limits={"liability": 100_000_000, "response_costs": 30_000_000},
    )
    big = build_policy_terms(
        product,
        start=date(2026, 4, 1),
        limits={"liability": 500_000_000, "response_costs": 100_000_000},
    )
    book = [
        Insured("A", 1, "retail", small, cloud_vendor="AWS"),
        Insured("B", 1, "retail", big, cloud_vendor=None),
        Insured("C", 1, "logistics", big, cloud_vendor="AWS"),
    ]
    out = exposure_of(book, [60_000, 150_000, 280_000], ["東京都", "大阪府", "東京都"])
    assert out["industry"]["retail"] == {
        "policies": 2,
        "liability_limit": 600_000_000,
        "premium": 210_000,
    }
    assert out["cloud_provider"]["AWS"]["liability_limit"] == 600_000_000
    assert out["cloud_provider"]["unknown"]["policies"] == 1
    assert out["prefecture"]["東京都"]["premium"] == 340_000
    assert "prefecture" not in exposure_of(book, None)  # an OED book has no prefecture
