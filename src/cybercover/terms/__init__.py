"""The terms engine: what a policy of the programme pays for a loss (PRODUCT.md §3–§4).

Two paths with one semantics: :func:`adjudicate` (exact, integer yen, a reason for every
yen withheld) and :mod:`cybercover.terms.vectorised` (NumPy/Numba arrays for simulation).
"""

from cybercover.terms.build import build_policy_terms
from cybercover.terms.exact import adjudicate, remaining, time_deductible_share
from cybercover.terms.model import (
    Accident,
    AccidentResult,
    Adjudication,
    Ledger,
    LineResult,
    LossLine,
    PartResult,
    PartTerms,
    PolicyTerms,
    Reason,
    SharedTerms,
    WaitingPeriod,
)
from cybercover.terms.reasons import REASON_CODES

__all__ = [
    "REASON_CODES",
    "Accident",
    "AccidentResult",
    "Adjudication",
    "Ledger",
    "LineResult",
    "LossLine",
    "PartResult",
    "PartTerms",
    "PolicyTerms",
    "Reason",
    "SharedTerms",
    "WaitingPeriod",
    "adjudicate",
    "build_policy_terms",
    "remaining",
    "time_deductible_share",
]
