"""The vectorised path of the terms engine: the exact path's semantics over arrays.

For pricing and portfolio simulation (DESIGN.md): many simulated years × accidents ×
coverage parts at once, each year's accidents eroding the period limits in time order.
A property test (tests/unit/terms/test_vectorised_property.py) holds this path equal to
:func:`cybercover.terms.exact.adjudicate` on random policies and accident sequences.

Layout (CSR, so that only real accidents are touched, never padding):

* ``losses``: int64 ``(M, P)`` — each accident's total per part, in yen; accidents are
  grouped by year and in time order within the year;
* ``year_offsets``: int64 ``(Y + 1,)`` — year ``y`` owns rows
  ``year_offsets[y]:year_offsets[y + 1]``;
* ``outage_ticks``: int64 ``(M,)`` — the longest unbroken outage, in integer ticks of a
  ``ticks_per_hour`` chosen by the caller so that the waiting period is whole ticks too
  (seconds for simulation; the least common denominator for exact comparisons);
* ``terms_index``: int64 ``(Y,)`` — which row of :class:`VectorTerms` each year uses
  (one policy: all zeros; a portfolio: the policy of each policy-year);
* ``void``: optional bool ``(M, P)`` — cells that pay nothing whatever the terms (an
  accident outside the period, a cause the product excludes for that part).

The time deductible ``total × (O − H) / O`` is computed exactly in int64 as
``q·(O − H) + (r·(O − H)) // O`` with ``total = q·O + r``, so it equals the exact path's
rational floor as long as ``O² < 2⁶³`` (outages under about 3·10⁹ ticks).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import lcm

import numpy as np
import numpy.typing as npt

from cybercover.terms.kernel import KernelShape, kernel_for
from cybercover.terms.model import Accident, PolicyTerms

__all__ = [
    "MAX_OUTAGE_TICKS",
    "VectorTerms",
    "apply_cost_heads",
    "apply_terms",
    "prepare_accidents",
    "ticks_per_hour_for",
]

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

MAX_OUTAGE_TICKS = 3_000_000_000
"""Outages must stay below this many ticks for the int64 time deductible to be exact."""


@dataclass(frozen=True, slots=True)
class VectorTerms:
    """Terms as arrays: ``T`` term rows × ``P`` parts × ``G`` shared limits.

    Build from one or more :class:`PolicyTerms` with :meth:`from_policies`.
    """

    parts: tuple[str, ...]
    limit: I64  # (T, P)
    deductible: I64  # (T, P)
    bought: Bools  # (T, P)
    waiting: Bools  # (P,)
    shared_index: I64  # (P,), -1 when the part shares no limit
    shared_limit: I64  # (T, G)
    aggregate: I64  # (T,)
    waiting_ticks: I64  # (T,)
    time_deductible: Bools  # (T,)
    ticks_per_hour: int

    @property
    def shape(self) -> KernelShape:
        """What the compiled kernel is specialised on (terms/kernel.py)."""
        return KernelShape(
            waiting=tuple(bool(w) for w in self.waiting),
            shared_index=tuple(int(g) for g in self.shared_index),
            n_shared=int(self.shared_limit.shape[1]),
        )

    @classmethod
    def from_policies(cls, policies: Sequence[PolicyTerms], ticks_per_hour: int) -> VectorTerms:
        """Stack policies sharing one product's part layout into term rows."""
        if not policies:
            raise ValueError("at least one policy is needed")
        first = policies[0]
        parts = tuple(p.code for p in first.parts)
        shared_codes = tuple(s.code for s in first.shared)
        for pol in policies:
            if tuple(p.code for p in pol.parts) != parts:
                raise ValueError("all policies must have the same parts in the same order")
        waiting_ticks = []
        for pol in policies:
            ticks = pol.waiting.hours * ticks_per_hour
            if ticks.denominator != 1:
                raise ValueError(
                    f"waiting period {pol.waiting.hours} h is not whole ticks at "
                    f"{ticks_per_hour} ticks per hour"
                )
            waiting_ticks.append(int(ticks))
        return cls(
            parts=parts,
            limit=np.array([[p.limit for p in pol.parts] for pol in policies], np.int64),
            deductible=np.array([[p.deductible for p in pol.parts] for pol in policies], np.int64),
            bought=np.array([[p.bought for p in pol.parts] for pol in policies], np.bool_),
            waiting=np.array([p.waiting for p in first.parts], np.bool_),
            shared_index=np.array(
                [shared_codes.index(p.shared) if p.shared is not None else -1 for p in first.parts],
                np.int64,
            ),
            shared_limit=np.array(
                [[s.limit for s in pol.shared] for pol in policies], np.int64
            ).reshape(len(policies), len(shared_codes)),
            aggregate=np.array([pol.aggregate for pol in policies], np.int64),
            waiting_ticks=np.array(waiting_ticks, np.int64),
            time_deductible=np.array(
                [pol.waiting.mode == "time_deductible" for pol in policies], np.bool_
            ),
            ticks_per_hour=ticks_per_hour,
        )


def apply_terms(
    terms: VectorTerms,
    losses: I64,
    year_offsets: I64,
    outage_ticks: I64,
    terms_index: I64 | None = None,
    void: Bools | None = None,
    *,
    per_part: bool = True,
    out: I64 | None = None,
) -> I64:
    """What each accident's each part pays, as int64 ``(M, P)``; see the module doc.

    ``per_part=False`` returns each accident's total over the parts as ``(M,)`` instead:
    the same figures summed, for pricing and accumulation, which need no split by part
    (and a quarter of the memory written). ``out`` may pass a C-contiguous int64 buffer of
    the result's shape to be filled and returned, so a simulation running block after
    block reuses one buffer instead of allocating (and page-faulting) a new one."""
    losses = np.ascontiguousarray(losses, dtype=np.int64)
    n_rows, n_parts = losses.shape
    if n_parts != len(terms.parts):
        raise ValueError(f"losses have {n_parts} parts, terms {len(terms.parts)}")
    year_offsets = np.ascontiguousarray(year_offsets, dtype=np.int64)
    n_years = year_offsets.shape[0] - 1
    if year_offsets.shape[0] < 1 or year_offsets[0] != 0 or year_offsets[-1] != n_rows:
        raise ValueError("year_offsets must run from 0 to len(losses)")
    outage_ticks = np.ascontiguousarray(outage_ticks, dtype=np.int64)
    if outage_ticks.shape != (n_rows,):
        raise ValueError("outage_ticks must have one value per accident")
    single_row = 0
    if terms_index is None:
        terms_index = np.zeros(0, np.int64)  # every year uses row 0
    else:
        single_row = -1
        terms_index = np.ascontiguousarray(terms_index, dtype=np.int64)
        if terms_index.shape != (n_years,):
            raise ValueError("terms_index must have one value per year")
    has_void = void is not None
    void_arr = (
        np.ascontiguousarray(void, dtype=np.bool_)
        if void is not None
        else np.zeros((0, n_parts), np.bool_)
    )
    if has_void and void_arr.shape != losses.shape:
        raise ValueError("void must have the shape of losses")
    shape = (n_rows, n_parts) if per_part else (n_rows,)
    if out is None:
        out = np.empty(shape, np.int64)
    elif out.shape != shape or out.dtype != np.int64 or not out.flags.c_contiguous:
        raise ValueError(f"out must be a C-contiguous int64 array of shape {shape}")
    kernel = kernel_for(terms.shape, MAX_OUTAGE_TICKS)
    status = kernel(
        losses,
        year_offsets,
        outage_ticks,
        void_arr,
        has_void,
        terms_index,
        single_row,
        terms.limit,
        terms.deductible,
        terms.bought,
        terms.shared_limit,
        terms.aggregate,
        terms.waiting_ticks,
        terms.time_deductible,
        per_part,
        out if per_part else out.reshape(n_rows, 1),
    )
    if status == 1:
        raise ValueError("year_offsets must never decrease")
    if status == 2:
        raise ValueError(f"outage ticks must lie in [0, {MAX_OUTAGE_TICKS})")
    if status == 3:
        raise ValueError("terms_index names a term row that does not exist")
    return out


def ticks_per_hour_for(hours: Sequence[Fraction]) -> int:
    """The smallest tick (per hour) in which every value of ``hours`` is whole."""
    return lcm(1, *(h.denominator for h in hours))


def prepare_accidents(
    terms: PolicyTerms, accidents: Sequence[Accident], ticks_per_hour: int
) -> tuple[I64, I64, Bools, npt.NDArray[np.intp]]:
    """One policy-year of :class:`Accident` values as arrays for :func:`apply_terms`.

    Returns ``(losses, outage_ticks, void, order)``: rows sorted by time (stable), each
    part's lines summed, ``void`` set outside the period and for excluded causes, and
    ``order`` mapping each row back to its input accident.
    """
    codes = [p.code for p in terms.parts]
    order = np.array(
        sorted(range(len(accidents)), key=lambda i: accidents[i].occurred_at), dtype=np.intp
    )
    losses = np.zeros((len(accidents), len(codes)), np.int64)
    outage = np.zeros(len(accidents), np.int64)
    void = np.zeros((len(accidents), len(codes)), np.bool_)
    heads = [(h.part, h.code) for h in terms.cost_heads]
    head_totals = np.zeros((len(accidents), len(heads)), np.int64)
    head_victims = np.zeros((len(accidents), len(heads)), np.int64)
    head_companies = np.zeros((len(accidents), len(heads)), np.int64)
    for row, i in enumerate(order):
        acc = accidents[int(i)]
        for line in acc.losses:
            key = (line.coverage, line.category or "")
            if key in heads:
                h = heads.index(key)
                head_totals[row, h] += line.amount
                head_victims[row, h] += line.victims or 0
                head_companies[row, h] += line.victim_companies or 0
            else:
                losses[row, codes.index(line.coverage)] += line.amount
        if acc.outage_hours is not None:
            ticks = acc.outage_hours * ticks_per_hour
            if ticks.denominator != 1:
                raise ValueError(f"outage {acc.outage_hours} h is not whole ticks")
            outage[row] = int(ticks)
        in_period = terms.covers(acc.occurred_at)
        for p, part in enumerate(terms.parts):
            void[row, p] = not in_period or any(c in part.excluded_by for c in acc.causes)
    adjusted = apply_cost_heads(terms, head_totals, head_victims, head_companies)
    for h, head in enumerate(terms.cost_heads):
        losses[:, codes.index(head.part)] += adjusted[:, h]
    return losses, outage, void, order


def apply_cost_heads(
    terms: PolicyTerms, totals: I64, victims: I64, companies: I64 | None = None
) -> I64:
    """Cost heads over arrays (REFERENCE.md §4): ``totals`` and ``victims`` are ``(M, H)``
    per accident and head (``terms.cost_heads`` order); each is held to its per-victim cap,
    its payment share (floored) and its head limit, exactly as the exact path does. Add
    the result to the head's part before :func:`apply_terms`."""
    heads = terms.cost_heads
    out = np.array(totals, dtype=np.int64, copy=True)
    for h, head in enumerate(heads):
        column = out[:, h]
        if head.per_victim_cap is not None or head.per_company_cap is not None:
            cap = (head.per_victim_cap or 0) * victims[:, h]
            if companies is not None:
                cap = cap + (head.per_company_cap or 0) * companies[:, h]
            np.minimum(column, cap, out=column)
        if head.share_percent < 100:
            column[:] = column * head.share_percent // 100
        if head.head_limit is not None:
            np.minimum(column, head.head_limit, out=column)
    return out
