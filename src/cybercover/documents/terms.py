"""The coverage table shared by the quote and the policy schedule."""

from __future__ import annotations

from cybercover.documents.formats import Lang, hours_text, limit_text, yen
from cybercover.documents.model import T, Terms

__all__ = ["NOT_BOUGHT", "circled", "part_name", "terms_rows", "waiting_text"]

NOT_BOUGHT = T("付帯なし", "not bought")
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"


def part_name(number: int, label: T, lang: Lang) -> str:
    return f"{circled(number)}{label(lang)}"


def circled(number: int) -> str:
    """``1`` → ``①``: how Japanese product pages number coverage parts."""
    return _CIRCLED[number - 1] if 1 <= number <= len(_CIRCLED) else f"({number})"


def waiting_text(terms: Terms, lang: Lang) -> str:
    """``3時間（免責時間を超えて継続した場合に初時間から支払）`` or 付帯なし."""
    if terms.waiting_hours is None or not terms.option_bought:
        return NOT_BOUGHT(lang)
    mode = terms.waiting_mode(lang) if terms.waiting_mode else ""
    hours = hours_text(terms.waiting_hours, lang)
    return f"{hours}（{mode}）" if lang == "ja" else f"{hours} ({mode})"


def terms_rows(terms: Terms, lang: Lang) -> list[tuple[str, str, str]]:
    """(what, limit per accident and per period, deductible per accident) for each part,
    each shared limit and the aggregate, then the waiting period."""
    rows: list[tuple[str, str, str]] = []
    for part in terms.parts:
        name = part_name(part.number, part.label, lang)
        if not part.bought:
            rows.append((name, NOT_BOUGHT(lang), "—"))
            continue
        rows.append((name, limit_text(part.limit, lang), yen(part.deductible, lang)))
    for shared in terms.shared:  # always listed, so options side by side line up
        rows.append(
            (
                f"{shared.label(lang)}（{shared.parts(lang)}）"
                if lang == "ja"
                else f"{shared.label(lang)} ({shared.parts(lang)})",
                limit_text(shared.limit, lang) if terms.option_bought else NOT_BOUGHT(lang),
                "—",
            )
        )
    agg = terms.aggregate
    rows.append((agg.label(lang), limit_text(agg.limit, lang), "—"))
    rows.append((terms.waiting_label(lang), waiting_text(terms, lang), "—"))
    return rows
