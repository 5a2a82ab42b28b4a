"""Rating: the product's rate table applied to a company and its terms (docs/rating.md).

:func:`rate` turns a :class:`RateRequest` into a :class:`Premium`: the annual premium in
integer yen and every factor applied, from the base premium to the final figure.

Only the rate-table model is imported eagerly: ``cybercover.product.model`` imports it
for ``Product.rating``, and the engine imports the product model, so the engine and the
request parser load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from cybercover.rating.model import RateTable

if TYPE_CHECKING:
    from cybercover.rating.engine import FactorLine, Premium, RateRequest, rate, round_half_up
    from cybercover.rating.request import load_rate_request, parse_rate_request

__all__ = [
    "FactorLine",
    "Premium",
    "RateRequest",
    "RateTable",
    "load_rate_request",
    "parse_rate_request",
    "rate",
    "round_half_up",
]

_LAZY = {
    "FactorLine": "cybercover.rating.engine",
    "Premium": "cybercover.rating.engine",
    "RateRequest": "cybercover.rating.engine",
    "rate": "cybercover.rating.engine",
    "round_half_up": "cybercover.rating.engine",
    "load_rate_request": "cybercover.rating.request",
    "parse_rate_request": "cybercover.rating.request",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
