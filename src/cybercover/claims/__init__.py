"""Claims: what a covered loss amounts to before the terms engine applies limits
(issue #5). Pure domain; see docs/claims.md."""

from cybercover.claims.outages import longest_unbroken_hours
from cybercover.claims.profit import (
    IndemnityPeriod,
    ProfitLossInput,
    ProfitLossResult,
    ProfitLossRow,
    compute_profit_loss,
    format_rate,
    parse_profit_loss_input,
)

__all__ = [
    "IndemnityPeriod",
    "ProfitLossInput",
    "ProfitLossResult",
    "ProfitLossRow",
    "compute_profit_loss",
    "format_rate",
    "longest_unbroken_hours",
    "parse_profit_loss_input",
]
