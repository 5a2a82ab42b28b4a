"""The product catalogue (issue #18): one place resolves the product version a thing
belongs to; nothing outside it looks a product up."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from cybercover.errors import ProductFileError
from cybercover.product.catalogue import named, on_sale, sold_under

SRC = Path(__file__).resolve().parents[3] / "src" / "cybercover"


@dataclass
class Sold:
    product_code: str
    product_version: str


def test_a_thing_keeps_the_version_it_was_sold_under() -> None:
    product = sold_under(Sold("sj-cyber", "2023-01-06"))
    assert (product.product.code, product.product.version) == ("sj-cyber", "2023-01-06")
    assert named({"code": "sj-cyber", "version": "2023-01-06"}) is product
    # a version that is not in products/ is an error naming the product, not a fallback
    with pytest.raises(ProductFileError) as missing:
        sold_under(Sold("sj-cyber", "2099-01-01"))
    assert missing.value.problems[0].rule == "unknown_product"


def test_new_business_is_quoted_on_the_version_on_sale() -> None:
    assert on_sale().product.version == "2023-01-06"


def test_nothing_outside_the_product_package_looks_a_product_up() -> None:
    """``find_product``/``default_product`` are the catalogue's own: every other module
    asks the catalogue (sold under, on sale, named), so the rule is in one place."""
    offenders = [
        f"{path.relative_to(SRC)}:{n}"
        for path in sorted(SRC.rglob("*.py"))
        if "product" not in path.relative_to(SRC).parts[:1]
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\b(find_product|default_product)\(", line)
    ]
    assert offenders == []
