"""The ``[rating]`` section of the product file: every rate as data, broken tables refused."""

from __future__ import annotations

import copy
import tomllib
from typing import Any

import pytest

from cybercover.errors import ProductFileError
from cybercover.product import DEFAULT_PRODUCT_FILE, Product, parse_product, products_dir
from cybercover.rating.model import jsic_codes


def raw() -> dict[str, Any]:
    return tomllib.loads((products_dir() / DEFAULT_PRODUCT_FILE).read_text(encoding="utf-8"))


def problems_of(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ProductFileError) as err:
        parse_product(data)
    return [(p.path, p.rule) for p in err.value.problems]


def test_the_bundled_table_has_the_required_industry_classes(product: Product) -> None:
    keys = set(product.rating.industries)
    assert {
        "manufacturing",
        "retail",
        "wholesale",
        "logistics",
        "restaurants",
        "construction",
        "it_app_development",
        "other",
    } <= keys


@pytest.mark.parametrize(
    ("code", "industry"),
    [
        ("09", "manufacturing"),
        ("32", "manufacturing"),
        ("06", "construction"),
        ("50", "wholesale"),
        ("61", "retail"),
        ("44", "logistics"),
        ("47", "logistics"),
        ("43", "passenger_transport"),
        ("76", "restaurants"),
        ("77", "restaurants"),
        ("39", "it_app_development"),
        ("37", "information_communications"),
        ("99", "other"),
    ],
)
def test_jsic_middle_groups_map_to_one_class(product: Product, code: str, industry: str) -> None:
    assert product.rating.industry_for_jsic(code) == industry


def test_jsic_ranges_expand() -> None:
    assert jsic_codes("06-08") == ("06", "07", "08")
    assert jsic_codes("39") == ("39",)
    with pytest.raises(ValueError):
        jsic_codes("9")


def test_the_table_rates_every_limit_the_product_allows(product: Product) -> None:
    for key, factors in product.rating.limits.items():
        assert factors.points[-1].limit >= product.coverage(key).max_limit


def test_factors_are_exact_decimals_not_floats(product: Product) -> None:
    from decimal import Decimal

    factor = product.rating.industries["it_app_development"].factor
    assert isinstance(factor, Decimal)
    assert factor == Decimal("16.9")
    assert product.rating.limits["response_costs"].points[3].factor == Decimal("1.23")


def test_a_float_yen_figure_is_refused_with_its_path() -> None:
    data = raw()
    data["rating"]["minimum_premium"] = 10_000.5
    assert problems_of(data) == [("rating.minimum_premium", "int_type")]


def test_an_unknown_key_in_the_table_is_refused() -> None:
    data = raw()
    data["rating"]["industries"]["retail"]["discount"] = 0.1
    assert problems_of(data) == [("rating.industries.retail.discount", "extra_forbidden")]


def test_a_jsic_code_in_two_classes_or_in_none_is_refused() -> None:
    data = raw()
    data["rating"]["industries"]["retail"]["jsic"] = ["56-61", "39"]
    [(path, rule)] = problems_of(data)
    assert (path, rule) == ("rating", "value_error")
    data = copy.deepcopy(raw())
    data["rating"]["industries"]["logistics"]["jsic"] = ["44"]
    with pytest.raises(ProductFileError) as err:
        parse_product(data)
    assert "47, 48" in err.value.problems[0].en


def test_a_falling_limit_factor_or_a_non_positive_factor_is_refused() -> None:
    data = raw()
    data["rating"]["limits"]["liability"]["points"][4]["factor"] = 0.9
    assert problems_of(data) == [("rating.limits.liability", "value_error")]
    data = raw()
    data["rating"]["industries"]["retail"]["factor"] = 0
    assert problems_of(data) == [("rating.industries.retail.factor", "greater_than")]


def test_security_bounds_must_hold_one() -> None:
    data = raw()
    data["rating"]["security"]["min_factor"] = 1.1
    assert problems_of(data) == [("rating.security", "value_error")]


def test_a_missing_rating_section_is_refused() -> None:
    data = raw()
    del data["rating"]
    assert problems_of(data) == [("rating", "missing")]
