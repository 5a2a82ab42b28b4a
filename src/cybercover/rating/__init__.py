"""Rating: the product's rate table applied to a company and its terms (docs/rating.md).

``cybercover.rating.engine.rate`` turns a ``RateRequest`` into a ``Premium``: the annual
premium in integer yen and every factor applied, from the base premium to the final
figure. ``cybercover.rating.request`` is the JSON form of ``cybercover rate``.

This package imports only the rate-table model, because ``cybercover.product.model``
imports it for ``Product.rating`` and the engine imports the product model: import the
engine from its module.
"""

from cybercover.rating.model import RateTable

__all__ = ["RateTable"]
