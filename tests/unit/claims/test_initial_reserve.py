"""The initial reserve of a part (claims/model.py): the product file's figure, capped at
the part's limit, never below what the claim has paid or asked to pay on the part."""

from __future__ import annotations

from cybercover.claims.model import initial_reserve


def test_the_product_figure_when_the_limit_allows_it() -> None:
    # ② 5,000,000 on a ② limit of 30,000,000, nothing paid yet
    assert initial_reserve(5_000_000, 30_000_000, 0) == 5_000_000


def test_never_above_the_parts_limit() -> None:
    # ① 10,000,000 on a ① limit of 3,000,000: the reserve is the limit
    assert initial_reserve(10_000_000, 3_000_000, 0) == 3_000_000


def test_never_below_what_is_already_paid_on_the_part() -> None:
    # a claim from before the rule paid 6,000,000 on ② with no reserve: the reserve
    # starts at 6,000,000 (a reserve is never below its payments), not 5,000,000
    assert initial_reserve(5_000_000, 30_000_000, 6_000_000) == 6_000_000
    # and a zero default gives a reserve equal to the payments
    assert initial_reserve(0, 30_000_000, 250_000) == 250_000
