"""見積書 (quotation): the company, each quoted option side by side, every rating
factor, the ISMS discount and the date the quote is valid until."""

from __future__ import annotations

from cybercover.documents.formats import Lang, date_text, moment_text, yen
from cybercover.documents.layout import Story, build_pdf, grid, heading, key_values, para, small
from cybercover.documents.layout import title_block as _title
from cybercover.documents.model import Quote, T
from cybercover.documents.terms import circled, terms_rows

__all__ = ["render_quote"]

TITLE = T("見積書", "Quotation")
# An option's name longer than this does not fit a column heading (repeated on each page,
# so it cannot break across pages): the columns are then headed 案1, 案2… and the names
# listed in full above the table.
_LABEL_MAX = 40


def _option_heads(doc: Quote, lang: Lang) -> tuple[list[str], Story]:
    """Each option's column heading, and the list naming them when the names are long."""
    if all(len(o.label) <= _LABEL_MAX for o in doc.options):
        return [o.label for o in doc.options], []
    heads = [T(f"案{i}", f"Option {i}")(lang) for i in range(1, len(doc.options) + 1)]
    sep = "：" if lang == "ja" else ": "
    names: Story = [
        para(f"{h}{sep}{o.label}", 8.5) for h, o in zip(heads, doc.options, strict=True)
    ]
    return heads, names


def render_quote(doc: Quote, lang: Lang) -> bytes:
    """The quotation as PDF bytes."""
    n = len(doc.options)
    story: Story = _title(
        TITLE(lang),
        f"{doc.product(lang)}（{T('承認番号', 'approval')(lang)} {doc.approval_number}）",
        [
            f"{T('見積番号', 'Reference')(lang)}: {doc.reference}",
            f"{T('作成日', 'Issued')(lang)}: {date_text(doc.issued_at, lang)}",
            f"{T('有効期限', 'Valid until')(lang)}: {date_text(doc.valid_until, lang)}",
        ],
    )
    story.append(
        para(
            f"{doc.company.name} 御中" if lang == "ja" else f"To: {doc.company.name}",
            12,
        )
    )
    story.append(heading(T("お客さま", "Applicant")(lang)))
    story.append(
        key_values(
            [
                (T("会社名", "Company")(lang), doc.company.name),
                (T("法人番号", "Corporate number")(lang), doc.company.corporate_number),
                (T("所在地", "Address")(lang), doc.company.address),
                (T("業種", "Industry")(lang), doc.industry(lang)),
                (
                    T("売上高（直近会計年度）", "Revenue (last fiscal year)")(lang),
                    yen(doc.annual_revenue, lang),
                ),
                (
                    T("保険期間", "Policy period")(lang),
                    T(
                        f"{moment_text(doc.start, 'ja')}から{moment_text(doc.end, 'ja')}まで（1年間）",
                        f"from {moment_text(doc.start, 'en')} to {moment_text(doc.end, 'en')} (one year)",
                    )(lang),
                ),
                (T("ISMS認証", "ISMS certification")(lang), doc.isms(lang)),
            ]
        )
    )

    story.append(heading(T("補償内容とお見積り（比較）", "Options side by side")(lang)))
    heads, names = _option_heads(doc, lang)
    story.extend(names)
    item_w = 34 if n <= 3 else 26
    widths = [f"{item_w}%"] + [f"{(100 - item_w) / n:.2f}%"] * n
    header = [T("項目", "Item")(lang), *heads]
    per_option = [terms_rows(o.terms, lang) for o in doc.options]
    rows: list[list[str]] = []
    for i, (name, _, _) in enumerate(per_option[0]):
        rows.append([name] + [opt[i][1] for opt in per_option])
    deductibles = [T("自己負担額（1事故）", "Deductible (per accident)")(lang)]
    for o in doc.options:
        parts = [p for p in o.terms.parts if p.bought]
        distinct = sorted({p.deductible for p in parts})
        deductibles.append(
            yen(distinct[0], lang)
            if len(distinct) == 1
            else "\n".join(f"{circled(p.number)} {yen(p.deductible, lang)}" for p in parts)
        )
    rows.append(deductibles)
    rows.append(
        [T("年間保険料", "Annual premium")(lang)] + [yen(o.premium, lang) for o in doc.options]
    )
    story.append(
        grid(header, rows, widths, numeric=tuple(range(1, n + 1)), emphasis=(len(rows) - 1,))
    )
    story.append(
        small(
            T(
                "限度額は1事故および保険期間中のお支払限度額です（同じ額が1事故ごとと保険期間中の合計の両方に適用されます）。",
                "Each limit applies per accident and to the policy period in total (the same figure caps both).",
            )(lang)
        )
    )

    story.append(
        heading(
            T(
                "保険料の算出（すべての料率要素）",
                "How the premium was worked out (every rating factor)",
            )(lang)
        )
    )
    codes: list[str] = []
    labels: dict[str, str] = {}
    for o in doc.options:
        for f in o.factors:
            if f.code not in labels:
                codes.append(f.code)
                labels[f.code] = f.label(lang)
    factor_rows: list[list[str]] = []
    for code in codes:
        row = [labels[code]]
        for o in doc.options:
            found = next((f for f in o.factors if f.code == code), None)
            if found is None:
                row.append("—")
            else:
                # the base premium is an amount, not a factor
                step = (
                    yen(found.amount, lang)
                    if found.factor == str(found.amount)
                    else f"×{found.factor} → {yen(found.amount, lang)}"
                )
                # a label carrying the option's own figure (a limit) is shown in its cell
                own = found.label(lang)
                row.append(step if own == labels[code] else f"{own}\n{step}")
        factor_rows.append(row)
    factor_rows.append(
        [T("年間保険料", "Annual premium")(lang)] + [yen(o.premium, lang) for o in doc.options]
    )
    story.append(
        grid(
            [T("料率要素", "Factor")(lang), *heads],
            factor_rows,
            widths,
            numeric=tuple(range(1, n + 1)),
            emphasis=(len(factor_rows) - 1,),
        )
    )
    story.append(
        small(
            T(
                "各段階で係数を乗じ、円未満を四捨五入した後の保険料を示します。",
                "Each step multiplies by the factor and rounds half up to the yen; the amount shown is the premium after the step.",
            )(lang)
        )
    )

    story.append(heading(T("ご注意", "Notes")(lang)))
    notes = [
        T(
            f"この見積書は{date_text(doc.valid_until, 'ja')}まで有効です。告知内容や保険期間の開始日が変わった場合は見積りをやり直します。",
            f"This quotation is valid until {date_text(doc.valid_until, 'en')}. A change in the disclosure or the start date needs a new quotation.",
        ),
        *doc.notes,
    ]
    for note in notes:
        story.append(para(f"・{note(lang)}", 8.5))
    story.append(heading(T("引受保険会社・取扱代理店", "Insurer and agencies")(lang)))
    story.append(
        key_values(
            [
                (T("引受保険会社", "Insurer")(lang), doc.insurer(lang)),
                (
                    T("取扱代理店（共同取扱）", "Agencies (handled together)")(lang),
                    "\n".join(a(lang) for a in doc.agencies),
                ),
            ]
        )
    )
    return build_pdf(
        story,
        title=f"{TITLE(lang)} {doc.reference}",
        footer=f"{TITLE(lang)} {doc.reference} — {doc.company.name}",
        lang=lang,
        wide=n > 3,
    )
