"""Figures from simulated years: average annual loss, exceedance curves, PML, TVaR.

Conventions (docs/risk-model.md):

* **AEP** (aggregate): each year's total; **OEP** (occurrence): each year's largest
  event (an accumulation event counts all the insureds it hit as one occurrence).
* The loss at return period ``T`` of ``Y`` years is the ``k``-th largest year with
  ``k = Y / T``, linearly interpolated between whole ranks (rank 1 = the worst year);
  ``T`` may not exceed ``Y``.
* **TVaR at level p** is the mean of the worst ``Y·(1 − p)`` years, the last one
  counted by its fraction when ``Y·(1 − p)`` is not whole.
* Contributions to TVaR: the same tail years (by the portfolio's insured total, ties in
  year order), averaged per source or industry; they add up to the portfolio TVaR.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from cybercover.risk.simulate import SimulationResult

__all__ = [
    "RETURN_PERIODS",
    "Curve",
    "Summary",
    "loss_at_return_period",
    "summarise",
    "tail_years",
    "tvar",
]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

RETURN_PERIODS = (2, 5, 10, 20, 50, 100, 200, 250, 500, 1000)
PML_PERIODS = (100, 200, 250)


def loss_at_return_period(losses: I64, period: float) -> float:
    """The loss exceeded on average once in ``period`` years (see the module doc)."""
    years = len(losses)
    if period < 1 or period > years:
        raise ValueError(f"return period {period} is outside 1..{years} simulated years")
    ranked = np.sort(losses)[::-1]
    k = years / period
    lo = math.floor(k)
    frac = k - lo
    if frac == 0:
        return float(ranked[lo - 1])
    upper = float(ranked[lo - 1]) if lo >= 1 else float(ranked[0])
    lower = float(ranked[lo]) if lo < years else float(ranked[-1])
    return upper + (lower - upper) * frac


def tail_years(losses: I64, level: float) -> tuple[npt.NDArray[np.intp], F64]:
    """Indices of the tail years and each one's weight (the last may be fractional)."""
    years = len(losses)
    n = years * (1 - level)
    if n <= 0:
        raise ValueError("level must be below 1")
    order = np.argsort(-losses, kind="stable")
    whole = math.floor(n)
    frac = n - whole
    take = whole + (1 if frac > 1e-12 else 0)
    idx = order[:take]
    weights = np.ones(take)
    if frac > 1e-12:
        weights[-1] = frac
    return idx, weights / n


def tvar(losses: I64, level: float) -> float:
    idx, w = tail_years(losses, level)
    return float(np.dot(losses[idx].astype(np.float64), w))


@dataclass(frozen=True, slots=True)
class Curve:
    kind: str  # "AEP" or "OEP"
    basis: str  # "ground_up" or "insured"
    points: tuple[tuple[int, float], ...]  # (return period, loss)


@dataclass(frozen=True, slots=True)
class Summary:
    """Everything a portfolio page, a report or a price needs from one run."""

    years: int
    seed: int
    policies: int
    aal_ground_up: float
    aal_insured: float
    sd_insured: float
    curves: tuple[Curve, ...]
    pml: dict[str, dict[str, float]]  # basis → "AEP 1-in-100" → loss
    tvar99: dict[str, float]  # basis → TVaR 99%
    by_source: dict[str, dict[str, float]]  # source → aal, tvar99, accidents_per_year
    by_industry: dict[str, dict[str, float]]  # industry → aal, tvar99, policies
    capital_ratio: dict[str, float]  # industry → (co-TVaR − AAL) / AAL; "portfolio" too

    def as_dict(self) -> dict[str, Any]:
        return {
            "years": self.years,
            "seed": self.seed,
            "policies": self.policies,
            "aal": {"ground_up": self.aal_ground_up, "insured": self.aal_insured},
            "sd_insured": self.sd_insured,
            "curves": [
                {"kind": c.kind, "basis": c.basis, "points": [list(p) for p in c.points]}
                for c in self.curves
            ],
            "pml": self.pml,
            "tvar99": self.tvar99,
            "by_source": self.by_source,
            "by_industry": self.by_industry,
            "capital_ratio": self.capital_ratio,
        }


def _ratio(tail: float, mean: float) -> float:
    return (tail - mean) / mean if mean > 0 else 0.0


def summarise(result: SimulationResult, industry_policies: I64 | None = None) -> Summary:
    years = result.years
    periods = [t for t in RETURN_PERIODS if t <= years]
    series = {
        ("AEP", "ground_up"): result.ground_up,
        ("AEP", "insured"): result.insured,
        ("OEP", "ground_up"): result.max_event_ground_up,
        ("OEP", "insured"): result.max_event_insured,
    }
    curves = tuple(
        Curve(kind, basis, tuple((t, loss_at_return_period(values, t)) for t in periods))
        for (kind, basis), values in series.items()
    )
    pml = {
        basis: {
            f"{kind} 1-in-{t}": loss_at_return_period(series[(kind, basis)], t)
            for kind in ("AEP", "OEP")
            for t in PML_PERIODS
            if t <= years
        }
        for basis in ("ground_up", "insured")
    }
    can_tail = years >= 100
    tv = {b: tvar(series[("AEP", b)], 0.99) for b in ("ground_up", "insured")} if can_tail else {}
    idx, w = tail_years(result.insured, 0.99) if can_tail else (np.zeros(0, np.intp), None)

    def co_tvar(matrix: I64) -> F64:
        if w is None:
            return np.zeros(matrix.shape[1])
        out: F64 = w @ matrix[idx].astype(np.float64)
        return out

    src_mean = result.by_source.mean(axis=0)
    src_tail = co_tvar(result.by_source)
    by_source = {
        code: {
            "aal": float(src_mean[i]),
            "tvar99": float(src_tail[i]),
            "accidents_per_year": float(result.source_accidents[i]) / years,
            "ground_up_per_accident": (
                float(result.source_ground_up[i]) / float(result.source_accidents[i])
                if result.source_accidents[i]
                else 0.0
            ),
        }
        for i, code in enumerate(result.sources)
    }
    ind_mean = result.by_industry.mean(axis=0)
    ind_tail = co_tvar(result.by_industry)
    by_industry = {
        code: {
            "aal": float(ind_mean[i]),
            "tvar99": float(ind_tail[i]),
            "policies": float(industry_policies[i]) if industry_policies is not None else 0.0,
        }
        for i, code in enumerate(result.industries)
    }
    aal = float(result.insured.mean())
    capital = {
        code: _ratio(v["tvar99"], v["aal"]) for code, v in by_industry.items() if v["aal"] > 0
    }
    if can_tail:
        capital["portfolio"] = _ratio(tv["insured"], aal)
    return Summary(
        years=years,
        seed=result.seed,
        policies=len(result.keys),
        aal_ground_up=float(result.ground_up.mean()),
        aal_insured=aal,
        sd_insured=float(result.insured.std()),
        curves=curves,
        pml=pml,
        tvar99=tv,
        by_source=by_source,
        by_industry=by_industry,
        capital_ratio=capital,
    )
