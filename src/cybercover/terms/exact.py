"""The exact path of the terms engine: integer yen, exact rationals, a reason per yen.

This is the policy wording as code (PRODUCT.md §3–§4, DESIGN.md "One idea at the
centre"). Claims use it one accident at a time; the vectorised path
(:mod:`cybercover.terms.vectorised`) must agree with it on every input, which a property
test holds.

Order of operations, for each accident in time order (equal times keep input order), and
within an accident for each part in the product's fixed order (liability,
response_costs, profit_loss, continuation_costs):

1. accident outside the half-open policy period → 0;
2. a cause the product excludes for that part → 0;
3. an optional part not bought → 0;
4. waiting period (parts with one): ``qualifying`` pays only when the longest unbroken
   outage is strictly longer than the hours; ``time_deductible`` keeps
   ``total × (outage − hours) / outage``, floored once to the yen, 0 when
   outage ≤ hours;
5. the part's deductible per accident;
6. the part's limit: the smaller of its per-accident limit and what remains of its period
   limit;
7. each shared limit the part belongs to, per accident and per period, first come first
   served in part order (not pro rata);
8. what remains of the overall period aggregate, first come first served.

What a part pays is allocated back to its input lines in input order (earlier lines
first). The yen withheld are laid out from the end of the part's total backwards, in
step order: the first step's yen fall on the last lines, the aggregate's next to what
was paid. Each line therefore carries the reasons for exactly its own withheld yen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

from cybercover.terms import reasons as R
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
)

__all__ = ["adjudicate", "remaining", "time_deductible_share"]


def time_deductible_share(total: int, outage: Fraction, hours: Fraction) -> int:
    """``total × (outage − hours) / outage`` floored once; 0 when outage ≤ hours."""
    if outage <= hours:
        return 0
    kept = Fraction(total) * (outage - hours) / outage
    return kept.numerator // kept.denominator


def _void(terms: PolicyTerms, part: PartTerms, claimed: int, accident: Accident) -> Reason | None:
    """Steps 1–3: the whole part pays nothing (outside the period, excluded, not bought)."""
    if not terms.covers(accident.occurred_at):
        return R.outside_period(terms, claimed, accident.occurred_at)
    for cause in accident.causes:
        if cause in part.excluded_by:
            return R.excluded(terms, claimed, part.code, cause)
    if not part.bought:
        return R.not_bought(terms, claimed, part.code)
    return None


def _heads(
    terms: PolicyTerms, part: PartTerms, lines: Sequence[LossLine]
) -> tuple[list[int], list[list[Reason]]]:
    """Cost heads first (REFERENCE.md §4): each head's lines in the accident are held to
    its per-victim cap, its payment share (floored once) and its head limit. Returns
    what each line brings into the part's total and the reasons for what it does not."""
    eligible = [line.amount for line in lines]
    reasons: list[list[Reason]] = [[] for _ in lines]
    for head in terms.cost_heads:
        if head.part != part.code:
            continue
        idx = [i for i, line in enumerate(lines) if line.category == head.code]
        if not idx:
            continue
        total = sum(lines[i].amount for i in idx)
        steps: list[Reason] = []
        amount = total
        if head.per_victim_cap is not None or head.per_company_cap is not None:
            victims = sum(lines[i].victims or 0 for i in idx)
            companies = sum(lines[i].victim_companies or 0 for i in idx)
            cap = (head.per_victim_cap or 0) * victims + (head.per_company_cap or 0) * companies
            if amount > cap:
                steps.append(R.head_victim_cap(terms, amount - cap, head, victims, companies))
                amount = cap
        if head.share_percent < 100:
            kept = amount * head.share_percent // 100
            if kept < amount:
                steps.append(R.head_share(terms, amount - kept, head))
                amount = kept
        if head.head_limit is not None and amount > head.head_limit:
            steps.append(R.head_limit(terms, amount - head.head_limit, head))
            amount = head.head_limit
        split = _allocate(
            PartResult(part.code, total, amount, tuple(steps)), [lines[i].amount for i in idx]
        )
        for i, line in zip(idx, split, strict=True):
            eligible[i] = line.paid
            reasons[i] = list(line.reasons)
    return eligible, reasons


def _part_result(
    terms: PolicyTerms,
    part: PartTerms,
    claimed: int,
    accident: Accident,
    ledger: Ledger,
    shared_this_accident: dict[str, int],
) -> PartResult:
    if claimed == 0:
        return PartResult(part.code, 0, 0, ())
    void = _void(terms, part, claimed, accident)
    if void is not None:
        return PartResult(part.code, claimed, 0, (void,))

    steps: list[Reason] = []
    amount = claimed

    def cut_to(cap: int, make: Reason) -> None:
        nonlocal amount
        if amount > cap:
            steps.append(make.with_amount(amount - cap))
            amount = cap

    if part.waiting:
        outage = accident.outage_hours
        if outage is None:
            raise ValueError(f"accident {accident.id}: outage_hours is needed for {part.code}")
        hours = terms.waiting.hours
        if terms.waiting.mode == "qualifying":
            if not outage > hours:
                cut_to(0, R.waiting_not_met(terms, 0, outage))
        else:
            cut_to(
                time_deductible_share(amount, outage, hours),
                R.waiting_time_deductible(terms, 0, outage),
            )

    cut_to(max(amount - part.deductible, 0), R.deductible(terms, 0, part.code))

    period_left = part.limit - ledger.parts.get(part.code, 0)
    cut_to(
        min(part.limit, period_left),
        R.part_limit(terms, 0, part.code, per_accident=part.limit <= period_left),
    )

    if part.shared is not None:
        shared = next(s for s in terms.shared if s.code == part.shared)
        accident_left = shared.limit - shared_this_accident.get(shared.code, 0)
        shared_period_left = shared.limit - ledger.shared.get(shared.code, 0)
        cut_to(
            min(accident_left, shared_period_left),
            R.shared_limit(
                terms,
                0,
                shared.code,
                shared.limit,
                per_accident=accident_left <= shared_period_left,
            ),
        )

    cut_to(terms.aggregate - ledger.aggregate, R.aggregate(terms, 0))

    # Erode the ledger by what is paid, in decision order.
    ledger.parts[part.code] = ledger.parts.get(part.code, 0) + amount
    if part.shared is not None:
        shared_this_accident[part.shared] = shared_this_accident.get(part.shared, 0) + amount
        ledger.shared[part.shared] = ledger.shared.get(part.shared, 0) + amount
    ledger.aggregate += amount
    return PartResult(part.code, claimed, amount, tuple(steps))


def _allocate(part: PartResult, amounts: Sequence[int]) -> list[LineResult]:
    """Split a part's payment and withheld yen over its lines (see the module doc)."""
    segments: list[tuple[int, int, Reason]] = []  # [lo, hi) of the part's total
    hi = part.claimed
    for step in part.reasons:
        segments.append((hi - step.amount, hi, step))
        hi -= step.amount
    lines: list[LineResult] = []
    lo = 0
    for amount in amounts:
        top = lo + amount
        paid = max(0, min(top, part.paid) - lo)
        line_reasons: list[Reason] = []
        for s_lo, s_hi, step in segments:
            overlap = min(top, s_hi) - max(lo, s_lo)
            if overlap > 0:
                line_reasons.append(step.with_amount(overlap))
        lines.append(LineResult(part.coverage, amount, paid, tuple(line_reasons)))
        lo = top
    return lines


def _adjudicate_one(terms: PolicyTerms, accident: Accident, ledger: Ledger) -> AccidentResult:
    shared_this_accident: dict[str, int] = {}
    parts: list[PartResult] = []
    line_results: dict[int, LineResult] = {}
    for part in terms.parts:
        indices = [i for i, line in enumerate(accident.losses) if line.coverage == part.code]
        lines = [accident.losses[i] for i in indices]
        amounts = [line.amount for line in lines]
        claimed = sum(amounts)
        if claimed and _void(terms, part, claimed, accident) is None:
            eligible, head_reasons = _heads(terms, part, lines)
        else:
            eligible, head_reasons = amounts, [[] for _ in lines]
        result = _part_result(terms, part, sum(eligible), accident, ledger, shared_this_accident)
        all_head = [r for rs in head_reasons for r in rs]
        parts.append(
            PartResult(part.code, claimed, result.paid, (*_merge(all_head), *result.reasons))
        )
        for i, line, own, amount in zip(
            indices, _allocate(result, eligible), head_reasons, amounts, strict=True
        ):
            line_results[i] = LineResult(part.code, amount, line.paid, (*own, *line.reasons))
    known = {p.code for p in terms.parts}
    unknown = [line.coverage for line in accident.losses if line.coverage not in known]
    if unknown:
        raise ValueError(f"accident {accident.id}: unknown coverage {unknown[0]}")
    return AccidentResult(
        accident.id,
        accident.occurred_at,
        tuple(parts),
        tuple(line_results[i] for i in range(len(accident.losses))),
    )


def _merge(reasons: Sequence[Reason]) -> list[Reason]:
    """The same reason (code and sentence) over several lines, added up, in first order."""
    out: dict[tuple[str, str], Reason] = {}
    for r in reasons:
        key = (r.code, r.ja)
        out[key] = out[key].with_amount(out[key].amount + r.amount) if key in out else r
    return list(out.values())


def remaining(terms: PolicyTerms, ledger: Ledger) -> dict[str, int]:
    """Each limit less what was paid against it: aggregate, every part, every shared limit."""
    out = {"aggregate": terms.aggregate - ledger.aggregate}
    for part in terms.parts:
        out[part.code] = part.limit - ledger.parts.get(part.code, 0)
    for shared in terms.shared:
        out[shared.code] = shared.limit - ledger.shared.get(shared.code, 0)
    return out


def adjudicate(
    terms: PolicyTerms, accidents: Iterable[Accident], ledger: Ledger | None = None
) -> Adjudication:
    """Decide what the policy pays for ``accidents``.

    ``ledger`` is what was already paid in the period (claims pass the policy's erosion
    ledger); it is not changed: the result carries the new one.
    """
    ledger = ledger.copy() if ledger is not None else Ledger()
    items = list(accidents)
    order = sorted(range(len(items)), key=lambda i: items[i].occurred_at)  # stable
    results: dict[int, AccidentResult] = {}
    for i in order:
        results[i] = _adjudicate_one(terms, items[i], ledger)
    return Adjudication(
        tuple(results[i] for i in range(len(items))), ledger, remaining(terms, ledger)
    )
