"""Insureds as arrays for the simulation: rates, scales, footprints and terms.

An :class:`Insured` is one policy as the model reads it (revenue, rating industry class,
disclosure answers, ISMS, cloud vendor, the policy's own :class:`PolicyTerms`). A
:class:`Portfolio` stacks many of them into the arrays :mod:`cybercover.risk.simulate`
needs; everything that depends only on the insured (not on the draw) is computed here
once: each family's accident rate, the severity scale, the hourly profit, each
scenario's hit probability.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from cybercover.errors import InputError, Problem
from cybercover.risk.model import PARTS, LossModel
from cybercover.terms.model import PolicyTerms
from cybercover.terms.vectorised import VectorTerms

__all__ = ["TICKS_PER_HOUR", "Insured", "Portfolio", "controls_factor"]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

TICKS_PER_HOUR = 3600
"""Outages are simulated in whole seconds (waiting periods must be whole seconds)."""


@dataclass(frozen=True, slots=True)
class Insured:
    """One policy as the risk model reads it."""

    key: str
    revenue: int
    industry: str
    terms: PolicyTerms
    answers: Mapping[str, object] = field(default_factory=dict)
    isms: bool = False
    cloud_vendor: str | None = None
    profit_rate: float | None = None


def controls_factor(model: LossModel, answers: Mapping[str, object], isms: bool) -> float:
    """The bounded frequency factor that security controls earn (loss-model [controls])."""
    factor = 1.0
    for cond in model.controls.answers:
        if cond.matches(answers.get(cond.code)):
            factor *= cond.factor
    if isms:
        factor *= model.controls.isms_factor
    return min(max(factor, model.controls.min_factor), model.controls.max_factor)


def _vendor_of(model: LossModel, insured: Insured, seed: int) -> str:
    """The insured's cloud vendor: given, answered, or drawn by market share (stable)."""
    named = model.vendors.resolve(insured.cloud_vendor) if insured.cloud_vendor else None
    if named is not None:
        return named
    digest = hashlib.sha256(f"{seed}:{insured.key}".encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    acc = 0.0
    for name, share in model.vendors.shares.items():
        acc += share
        if u < acc:
            return name
    return model.vendors.names[-1]


@dataclass(frozen=True, slots=True)
class Portfolio:
    """``P`` insureds as arrays; build with :meth:`build`."""

    keys: tuple[str, ...]
    industries: tuple[str, ...]  # names, indexed by industry_index
    industry_index: I64  # (P,)
    family_rate: F64  # (P, F) accidents a year
    severity_scale: F64  # (P,) the size band's severity multiplier
    loss_cap: F64  # (P,) the largest ground-up loss of one accident
    hourly_profit: F64  # (P,) yen of gross profit an hour
    vendor_index: I64  # (P,) index into model.vendors.names
    scenario_prob: F64  # (P, S) hit probability per scenario event
    terms: VectorTerms

    @property
    def size(self) -> int:
        return len(self.keys)

    @classmethod
    def build(
        cls,
        model: LossModel,
        insureds: Sequence[Insured],
        *,
        seed: int = 0,
    ) -> Portfolio:
        """Stack insureds; raises :class:`InputError` naming ``insureds[i].field``."""
        if not insureds:
            raise InputError([Problem("insureds", "empty", "契約がありません", "no policies")])
        problems: list[Problem] = []
        industries = tuple(model.industries)
        fam_codes = model.family_codes
        n, f = len(insureds), len(fam_codes)
        family_rate = np.zeros((n, f))
        severity_scale = np.zeros(n)
        loss_cap = np.zeros(n)
        hourly = np.zeros(n)
        vendor = np.zeros(n, np.int64)
        scen = np.zeros((n, len(model.scenarios)))
        ind_idx = np.zeros(n, np.int64)
        base = np.array([fam.frequency for fam in model.families])
        for i, ins in enumerate(insureds):
            if ins.industry not in model.industries:
                problems.append(
                    Problem(
                        f"insureds[{i}].industry",
                        "unknown_industry",
                        f"業種区分がモデルにありません（{ins.industry}）",
                        f"is not an industry class of the model ({ins.industry})",
                    )
                )
                continue
            if ins.revenue <= 0:
                problems.append(
                    Problem(
                        f"insureds[{i}].revenue",
                        "not_positive",
                        "売上高は正の値です",
                        "revenue must be positive",
                    )
                )
                continue
            if tuple(p.code for p in ins.terms.parts) != PARTS:
                problems.append(
                    Problem(
                        f"insureds[{i}].terms",
                        "parts_mismatch",
                        "補償の構成がモデルと異なります",
                        f"the terms' parts differ from the model's {PARTS}",
                    )
                )
                continue
            industry = model.industries[ins.industry]
            band = model.band_index(ins.revenue)
            ind_idx[i] = industries.index(ins.industry)
            mult = np.array([industry.families.get(code, 1.0) for code in fam_codes])
            factor = controls_factor(model, ins.answers, ins.isms)
            family_rate[i] = (
                base * industry.frequency * mult * model.size_bands[band].frequency * factor
            )
            severity_scale[i] = model.size_bands[band].severity
            loss_cap[i] = min(
                float(model.model.max_loss), ins.revenue * model.model.max_loss_revenue_multiple
            )
            rate = ins.profit_rate if ins.profit_rate is not None else industry.profit_rate
            hourly[i] = ins.revenue * rate / model.model.hours_per_year
            vendor[i] = model.vendors.names.index(_vendor_of(model, ins, seed))
            for s, sc in enumerate(model.scenarios):
                p = sc.hit_probability
                for cond in sc.multipliers:
                    if cond.matches(ins.answers.get(cond.code)):
                        p *= cond.factor
                scen[i, s] = min(p, 1.0)
        if problems:
            raise InputError(problems)
        return cls(
            keys=tuple(ins.key for ins in insureds),
            industries=industries,
            industry_index=ind_idx,
            family_rate=family_rate,
            severity_scale=severity_scale,
            loss_cap=loss_cap,
            hourly_profit=hourly,
            vendor_index=vendor,
            scenario_prob=scen,
            terms=VectorTerms.from_policies([ins.terms for ins in insureds], TICKS_PER_HOUR),
        )
