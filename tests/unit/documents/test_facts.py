"""From the product file and the terms engine to document data."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from cybercover.documents import T
from cybercover.documents.facts import isms_text, terms_of
from cybercover.documents.model import Factor
from cybercover.product import default_product
from cybercover.terms import build_policy_terms


def test_terms_name_each_part_and_fill_the_defaults_the_engine_resolved() -> None:
    product = default_product()
    terms = terms_of(
        product,
        build_policy_terms(
            product,
            start=date(2026, 4, 1),
            limits={
                "liability": 300_000_000,
                "response_costs": 50_000_000,
                "profit_loss": 20_000_000,
                "continuation_costs": 10_000_000,
            },
            deductibles={"liability": 100_000},
            options={"business_interruption": True},
            waiting_hours=Fraction(6),
            waiting_mode="time_deductible",
        ),
    )
    assert [(p.number, p.label.ja, p.bought, p.limit, p.deductible) for p in terms.parts] == [
        (1, "賠償責任を負担することによって生じる損害", True, 300_000_000, 100_000),
        (
            2,
            "事故時の対応、事故後の対策等のために必要な費用（事故対応特別費用）",
            True,
            50_000_000,
            0,
        ),
        (3, "利益損害", True, 20_000_000, 0),
        (4, "営業継続費用", True, 10_000_000, 0),
    ]
    # no figure named for ③+④ or the aggregate: both default to ①'s limit (PRODUCT.md §3)
    (shared,) = terms.shared
    assert (shared.limit, shared.parts.ja) == (300_000_000, "③利益損害＋④営業継続費用")
    assert terms.aggregate.limit == 300_000_000
    assert (terms.waiting_hours, terms.option_bought) == (Fraction(6), True)
    assert terms.waiting_mode == T(
        "免責時間内の損害は支払わない（時間免責）",
        "Time deductible: the loss of the first hours is never paid",
    )


def test_the_isms_line_names_the_certificate_and_its_factor() -> None:
    product = default_product()
    assert isms_text(product, None, []).ja == "なし（ISMS割引の適用なし）"
    certificate = {
        "certified": True,
        "body": "JQA",
        "certificate_number": "JQA-IM0001",
        "expires_on": "2027-03-31",
    }
    factor = Factor("isms", T("ISMS認証割引 60%", "ISMS discount 60%"), "0.40", 28_000)
    line = isms_text(product, certificate, [factor])
    assert (
        line.ja
        == "JQA JQA-IM0001（有効期限 2027-03-31）: ISMS認証割引 60%、係数 ×0.40（割引は最大60%）"
    )
    assert "no discount" in isms_text(product, certificate, []).en
