"""Build a policy's :class:`PolicyTerms` from the product and the options chosen.

Every product rule on limits lives here, read from the product file (PRODUCT.md §3):
product maxima, parts that must have a limit when bought, defaults (the aggregate and the
shared business-interruption limit default to the liability limit), the rules between
limits ("response costs ≤ liability", "shared ③+④ ≤ liability"), deductibles ≥ 0 with
the product default, and the waiting period (at least the product minimum, a known mode).
All problems are collected and raised together, each naming its field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from fractions import Fraction

from cybercover.errors import InputError, Problem, format_path
from cybercover.money import format_yen
from cybercover.product.model import Product
from cybercover.terms.model import CostHead, PartTerms, PolicyTerms, SharedTerms, WaitingPeriod
from cybercover.timeutil import add_years, period_start

__all__ = ["build_policy_terms", "hours_text"]


def hours_text(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else str(float(value))


def build_policy_terms(
    product: Product,
    *,
    start: date | datetime,
    limits: Mapping[str, int],
    deductibles: Mapping[str, int] | None = None,
    options: Mapping[str, bool] | None = None,
    waiting_hours: Fraction | None = None,
    waiting_mode: str | None = None,
    path: Sequence[str | int] = ("policy",),
) -> PolicyTerms:
    """Validate the chosen terms against ``product`` and return them resolved.

    ``limits`` may name coverage parts, shared limits and ``aggregate``; ``options``
    names which optional covers are bought (``{"business_interruption": True}``).
    Raises :class:`InputError` listing every problem.
    """
    deductibles = deductibles or {}
    options = options or {}
    problems: list[Problem] = []

    def at(*parts: str | int) -> str:
        return format_path([*path, *parts])

    coverage_codes = product.coverage_codes
    limit_keys = (*coverage_codes, *product.shared_limits, "aggregate")

    for key in options:
        if key not in product.options:
            problems.append(
                Problem(
                    at(key),
                    "unknown_option",
                    f"不明なオプションです（{', '.join(product.options)}）",
                    f"is not an option of the product ({', '.join(product.options)})",
                )
            )
    bought_options = {k for k, v in options.items() if v and k in product.options}

    for key in limits:
        if key not in limit_keys:
            problems.append(
                Problem(
                    at("limits", key),
                    "unknown_limit",
                    f"不明な限度額です（{', '.join(limit_keys)}）",
                    f"is not a limit of the product ({', '.join(limit_keys)})",
                )
            )
    for key in deductibles:
        if key not in coverage_codes:
            problems.append(
                Problem(
                    at("deductibles", key),
                    "unknown_coverage",
                    f"不明な補償です（{', '.join(coverage_codes)}）",
                    f"is not a coverage part of the product ({', '.join(coverage_codes)})",
                )
            )

    def check_amount(field: tuple[str, str], value: int, maximum: int | None) -> bool:
        if value < 0:
            problems.append(
                Problem(at(*field), "negative", "0円以上で指定してください", "must not be negative")
            )
            return False
        if maximum is not None and value > maximum:
            problems.append(
                Problem(
                    at(*field),
                    "above_product_maximum",
                    f"商品の上限 {format_yen(maximum)} を超えています（{format_yen(value)}）",
                    f"{value:,} yen is above the product maximum of {maximum:,} yen",
                )
            )
            return False
        return True

    resolved: dict[str, int] = {}
    bought: dict[str, bool] = {}
    for cov in product.coverages:
        is_bought = not cov.optional or cov.option in bought_options
        bought[cov.code] = is_bought
        if cov.code in limits:
            if check_amount(("limits", cov.code), limits[cov.code], cov.max_limit):
                resolved[cov.code] = limits[cov.code]
        elif is_bought:
            problems.append(
                Problem(
                    at("limits", cov.code),
                    "missing_limit",
                    f"{cov.short.ja}を付帯する場合は限度額が必要です",
                    f"a limit is required because {cov.short.en} is bought",
                )
            )

    def default_of(key: str | None) -> int | None:
        return resolved.get(key) if key is not None else None

    shared_bought: dict[str, bool] = {}
    for name, shared in product.shared_limits.items():
        shared_bought[name] = any(bought[p] for p in shared.parts)
        if name in limits:
            if check_amount(("limits", name), limits[name], shared.max_limit):
                resolved[name] = limits[name]
        elif shared_bought[name]:
            value = default_of(shared.default)
            if value is not None:
                resolved[name] = value
            elif shared.default is None:
                problems.append(
                    Problem(
                        at("limits", name),
                        "missing_limit",
                        "限度額が必要です",
                        "a limit is required",
                    )
                )

    if "aggregate" in limits:
        if check_amount(("limits", "aggregate"), limits["aggregate"], product.aggregate.max_limit):
            resolved["aggregate"] = limits["aggregate"]
    else:
        value = default_of(product.aggregate.default)
        if value is not None:
            resolved["aggregate"] = value

    for rule in product.limit_rules:
        left, right = resolved.get(rule.left), resolved.get(rule.right)
        if left is not None and right is not None and left > right:
            problems.append(
                Problem(
                    at("limits", rule.left),
                    rule.code,
                    f"{rule.label.ja}（{format_yen(left)} > {format_yen(right)}）",
                    f"{rule.label.en} ({left:,} > {right:,} yen)",
                )
            )

    for cov in product.coverages:
        if cov.code in deductibles and deductibles[cov.code] < 0:
            problems.append(
                Problem(
                    at("deductibles", cov.code),
                    "negative",
                    "0円以上で指定してください",
                    "must not be negative",
                )
            )

    wp = product.waiting_period
    hours = waiting_hours if waiting_hours is not None else Fraction(wp.default_hours)
    mode = waiting_mode if waiting_mode is not None else wp.default_mode
    if hours < wp.min_hours:
        problems.append(
            Problem(
                at("waiting_period", "hours"),
                "waiting_period_minimum",
                f"免責時間は{wp.min_hours}時間以上です（{hours_text(hours)}時間）",
                f"the waiting period must be at least {wp.min_hours} hours "
                f"(got {hours_text(hours)})",
            )
        )
    if mode not in wp.modes:
        problems.append(
            Problem(
                at("waiting_period", "mode"),
                "unknown_waiting_mode",
                f"指定できない方式です（{', '.join(wp.modes)}）",
                f"is not a waiting-period mode ({', '.join(wp.modes)})",
            )
        )

    if problems:
        raise InputError(problems)

    excluded_by: dict[str, set[str]] = {c: set() for c in coverage_codes}
    for exc in product.exclusions:
        for part in exc.applies_to:
            excluded_by[part].add(exc.code)
    parts = tuple(
        PartTerms(
            code=cov.code,
            bought=bought[cov.code],
            limit=resolved.get(cov.code, 0),
            deductible=deductibles.get(cov.code, cov.default_deductible),
            waiting=cov.waiting_period,
            shared=cov.shared_limit,
            excluded_by=frozenset(excluded_by[cov.code]),
        )
        for cov in product.coverages
    )
    shared_terms = tuple(
        SharedTerms(name, s.parts, resolved.get(name, 0))
        for name, s in product.shared_limits.items()
    )
    labels: dict[str, tuple[str, str]] = {
        c.code: (c.short.ja, c.short.en) for c in product.coverages
    }
    labels.update({n: (s.label.ja, s.label.en) for n, s in product.shared_limits.items()})
    labels["aggregate"] = (product.aggregate.label.ja, product.aggregate.label.en)
    labels.update({f"head:{h.code}": (h.label.ja, h.label.en) for h in product.cost_heads})
    labels.update({f"cause:{e.code}": (e.label.ja, e.label.en) for e in product.exclusions})
    begin = period_start(start)
    return PolicyTerms(
        start=begin,
        end=add_years(begin, product.period.years),
        parts=parts,
        shared=shared_terms,
        aggregate=resolved["aggregate"],
        waiting=WaitingPeriod(hours, "qualifying" if mode == "qualifying" else "time_deductible"),
        labels=labels,
        cost_heads=tuple(
            CostHead(
                h.code, h.part, h.share_percent, h.head_limit, h.per_victim_cap, h.per_company_cap
            )
            for h in product.cost_heads
        ),
    )
