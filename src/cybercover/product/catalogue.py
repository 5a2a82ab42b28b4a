"""The product catalogue (issue #18): the one place that says which product version a
thing belongs to.

- **Sold under**: a policy, a submission or a quote keeps the product version it was sold
  under (``product_code``, ``product_version``): its terms, rules and labels come from
  that version, never from whatever is on sale today.
- **On sale**: new business and renewals are quoted on the version on sale now.
- **Named in a view**: a service's view carries ``{"code", "version"}``; a page that
  needs the product's labels resolves it here.

A claim belongs to its policy's version (``sold_under(policy)``); an incident to its
policy's, or without one to the version on sale (``services/catalogue.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from cybercover.product.loader import default_product, find_product
from cybercover.product.model import Product

__all__ = ["SoldUnder", "named", "on_sale", "sold_under"]


class SoldUnder(Protocol):
    """Anything that keeps the product version it was sold under."""

    @property
    def product_code(self) -> str: ...

    @property
    def product_version(self) -> str: ...


def on_sale() -> Product:
    """The product version new business and renewals are quoted on."""
    return default_product()


def sold_under(thing: SoldUnder) -> Product:
    """The product version a policy, submission or quote was sold under."""
    return find_product(thing.product_code, thing.product_version)


def named(view: Mapping[str, Any]) -> Product:
    """The product a view names (``{"code": …, "version": …}``)."""
    return find_product(str(view["code"]), str(view["version"]))
