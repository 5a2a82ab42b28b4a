"""From the product file and the terms engine to document data: pure conversions the
service layer uses while it gathers a document (no database, no clock)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cybercover.documents import model as m
from cybercover.documents.formats import datetime_text
from cybercover.documents.terms import circled
from cybercover.product.model import Product
from cybercover.terms.model import PolicyTerms

__all__ = ["hearing_answer", "isms_text", "terms_of", "text"]


def text(label: Any) -> m.T:
    """A label of the product file or a data file (``ja``/``en``) as a document text."""
    return m.T(label.ja, label.en)


def terms_of(product: Product, terms: PolicyTerms) -> m.Terms:
    """What the terms engine resolved (limits with their defaults, deductibles, the
    waiting period), named and numbered as the product file words each part."""
    parts: list[m.CoverageLine] = []
    for cov in product.coverages:
        part = terms.part(cov.code)
        shared = product.shared_limits.get(part.shared) if part.shared else None
        parts.append(
            m.CoverageLine(
                cov.number,
                text(cov.label),
                part.bought,
                part.limit,
                part.deductible,
                part.waiting,
                text(shared.label) if shared else None,
            )
        )
    numbers = {c.code: c for c in product.coverages}
    shared_lines = []
    for s in terms.shared:
        definition = product.shared_limits[s.code]
        names = [numbers[p] for p in s.parts]
        shared_lines.append(
            m.LimitLine(
                text(definition.label),
                s.limit,
                m.T(
                    "＋".join(f"{circled(c.number)}{c.short.ja}" for c in names),
                    " + ".join(c.short.en for c in names),
                ),
            )
        )
    bought = [p for p in terms.parts if p.bought]
    first, last = product.coverages[0].number, product.coverages[-1].number
    aggregate = m.LimitLine(
        text(product.aggregate.label),
        terms.aggregate,
        m.T(
            f"{circled(first)}～{circled(last)}の合算、"
            f"{product.coverage(product.aggregate.default).short.ja}の限度額の内枠",
            f"parts {first} to {last} together, inside the "
            f"{product.coverage(product.aggregate.default).short.en.lower()} limit",
        ),
    )
    option = next(iter(product.options.values()), None)
    waits = any(p.bought and p.waiting for p in bought)
    mode = product.waiting_period.modes.get(terms.waiting.mode)
    return m.Terms(
        parts=tuple(parts),
        shared=tuple(shared_lines),
        aggregate=aggregate,
        waiting_label=text(product.waiting_period.label),
        waiting_hours=terms.waiting.hours if waits else None,
        waiting_mode=text(mode.label) if mode else None,
        option_label=text(option.label) if option else None,
        option_bought=waits,
    )


def isms_text(product: Product, isms: dict[str, Any] | None, factors: list[m.Factor]) -> m.T:
    discount = next((f for f in factors if f.code == "isms"), None)
    if not isms or not isms.get("certified"):
        return m.T("なし（ISMS割引の適用なし）", "none (no ISMS discount)")
    body = isms.get("body") or ""
    number = isms.get("certificate_number") or ""
    expires = isms.get("expires_on") or ""
    ceiling = product.isms.max_discount_percent
    if discount is None:
        return m.T(
            f"{body} {number}（有効期限 {expires}）: 割引の適用なし",
            f"{body} {number} (expires {expires}): no discount applied",
        )
    return m.T(
        f"{body} {number}（有効期限 {expires}）: {discount.label.ja}、係数 ×{discount.factor}"
        f"（割引は最大{ceiling}%）",
        f"{body} {number} (expires {expires}): {discount.label.en}, factor ×{discount.factor} "
        f"(at most {ceiling}% off)",
    )


def hearing_answer(question: Any, value: Any) -> m.T:
    if question.type == "bool":
        return m.T("はい", "yes") if value else m.T("いいえ", "no")
    if question.type == "choice":
        found = next((c for c in question.choices if c.value == value), None)
        return text(found.label) if found else m.T.same(str(value))
    if question.type == "datetime":
        moment = datetime.fromisoformat(str(value))
        return m.T(datetime_text(moment, "ja"), datetime_text(moment, "en"))
    if question.type == "int" and isinstance(value, int):
        return m.T.same(f"{value:,}")
    return m.T.same(str(value))
