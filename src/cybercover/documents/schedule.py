"""保険証券 (policy schedule): the stored policy, with every term read from the product
version it was sold under."""

from __future__ import annotations

from cybercover.documents.formats import Lang, date_text, hours_text, limit_text, moment_text, yen
from cybercover.documents.layout import (
    Story,
    build_pdf,
    grid,
    heading,
    key_values,
    para,
    small,
    title_block,
)
from cybercover.documents.model import PolicySchedule, T
from cybercover.documents.terms import NOT_BOUGHT, part_name, waiting_text

__all__ = ["render_schedule"]

TITLE = T("保険証券", "Policy schedule")


def _two_lines(figure: str) -> str:
    """``5,000万円（50,000,000円）`` on two lines, to fit a table column."""
    return figure.replace("（", "\n（", 1)


def render_schedule(doc: PolicySchedule, lang: Lang) -> bytes:
    """The policy schedule as PDF bytes."""
    story: Story = title_block(
        f"{doc.product(lang)} {TITLE(lang)}",
        f"{T('承認番号', 'Approval')(lang)} {doc.approval_number} ・ "
        f"{T('商品版', 'product version')(lang)} {doc.product_version}",
        [
            f"{T('証券番号', 'Policy number')(lang)}: {doc.number}",
            f"{T('発行日', 'Issued')(lang)}: {date_text(doc.issued_at, lang)}",
            f"{T('契約状態', 'Status')(lang)}: {doc.status(lang)}",
        ],
    )
    story.append(heading(T("ご契約の内容", "The contract")(lang)))
    period = T(
        f"{moment_text(doc.start, 'ja')}から\n{moment_text(doc.end, 'ja')}まで（1年間）",
        f"from {moment_text(doc.start, 'en')}\nto {moment_text(doc.end, 'en')} (one year; "
        "the end moment itself is not covered)",
    )
    story.append(
        key_values(
            [
                (T("保険期間", "Policy period")(lang), period(lang)),
                (
                    T("遡及日（賠償責任）", "Retroactive date (liability)")(lang),
                    date_text(doc.retroactive_date, lang),
                ),
                (T("年間保険料", "Annual premium")(lang), yen(doc.annual_premium, lang)),
                (T("計上保険料", "Written premium")(lang), yen(doc.written_premium, lang)),
                (T("払込方法", "Payment")(lang), doc.payment(lang)),
            ]
        )
    )
    story.append(heading(T("被保険者", "Insured")(lang)))
    story.append(
        key_values(
            [
                (T("記名被保険者（保険契約者）", "Named insured")(lang), doc.company.name),
                (T("法人番号", "Corporate number")(lang), doc.company.corporate_number),
                (T("所在地", "Address")(lang), doc.company.address),
                (
                    T("賠償責任の被保険者", "Also insured for liability")(lang),
                    doc.insured_note(lang),
                ),
            ]
        )
    )

    story.append(heading(T("補償内容とお支払限度額", "Coverage and limits")(lang)))
    terms = doc.terms
    rows: list[list[str]] = []
    for part in terms.parts:
        name = part_name(part.number, part.label, lang)
        if part.shared is not None and part.bought:
            name += f"\n{T('共有', 'shares')(lang)}: {part.shared(lang)}"
        if not part.bought:
            rows.append([name, NOT_BOUGHT(lang), NOT_BOUGHT(lang), "—"])
        else:
            figure = _two_lines(limit_text(part.limit, lang))
            rows.append([name, figure, figure, yen(part.deductible, lang)])
    if terms.option_bought:
        for shared in terms.shared:
            figure = _two_lines(limit_text(shared.limit, lang))
            rows.append([f"{shared.label(lang)}\n{shared.parts(lang)}", figure, figure, "—"])
    agg = terms.aggregate
    rows.append(
        [f"{agg.label(lang)}\n{agg.parts(lang)}", "—", _two_lines(limit_text(agg.limit, lang)), "—"]
    )
    story.append(
        grid(
            [
                T("補償", "Coverage part")(lang),
                T("1事故あたり", "Per accident")(lang),
                T("保険期間中", "Per policy period")(lang),
                T("自己負担額（1事故）", "Deductible (per accident)")(lang),
            ],
            rows,
            ["37%", "23%", "23%", "17%"],
            numeric=(1, 2, 3),
            emphasis=(len(rows) - 1,),
        )
    )
    waiting = [(terms.waiting_label(lang), waiting_text(terms, lang))]
    if terms.option_label is not None:
        waiting.insert(
            0,
            (
                terms.option_label(lang),
                T("付帯あり", "bought")(lang) if terms.option_bought else NOT_BOUGHT(lang),
            ),
        )
    if terms.option_bought and terms.waiting_hours is not None:
        waiting.append(
            (
                T("免責時間の意味", "What the waiting period means")(lang),
                T(
                    f"利益損害・営業継続費用は、ネットワークの使用不能が{hours_text(terms.waiting_hours, 'ja')}を超えて継続した場合に限りお支払いします。",
                    f"Loss of profit and continuation costs are paid only when the outage lasts longer than {hours_text(terms.waiting_hours, 'en')} without a break.",
                )(lang),
            )
        )
    story.append(key_values(waiting))
    story.append(
        small(
            T(
                "②事故対応特別費用と③④の合算額は①賠償責任の限度額の内枠です。お支払いはお支払いを決定した順に各限度額から差し引かれます。",
                "Part ② and parts ③+④ are paid inside the liability limit ①; each payment uses up the limits in the order payments are decided.",
            )(lang)
        )
    )

    story.append(heading(T("保険金をお支払いできない主な場合", "Main exclusions")(lang)))
    ex_rows = [
        [
            label(lang),
            "、".join(p(lang) for p in parts)
            if lang == "ja"
            else ", ".join(p(lang) for p in parts),
        ]
        for label, parts in doc.exclusions
    ]
    story.append(
        grid(
            [T("主な事由", "Cause")(lang), T("対象となる補償", "Parts it applies to")(lang)],
            ex_rows,
            ["68%", "32%"],
        )
    )
    story.append(
        small(
            T(
                "上記は主な場合です（など）。詳細は約款によります。",
                "These are the main cases; the policy wording governs.",
            )(lang)
        )
    )

    story.append(heading(doc.emergency_label(lang)))
    story.append(
        key_values(
            [
                (
                    T("サービス", "Services")(lang),
                    ("、" if lang == "ja" else ", ").join(s(lang) for s in doc.emergency_services),
                ),
                (
                    T("費用", "Costs")(lang),
                    T(
                        f"保険金としてご契約の範囲内でお支払いします（{doc.emergency_paid_from('ja')}）",
                        f"paid as insurance money within the contract ({doc.emergency_paid_from('en')})",
                    )(lang),
                ),
                (T("事故・トラブルのご連絡", "How to reach the desk")(lang), doc.desk(lang)),
            ]
        )
    )

    story.append(
        heading(
            T("募集代理店（共同取扱）・引受保険会社", "Agencies (handled together) and insurer")(
                lang
            )
        )
    )
    ag_rows = [
        [
            a.name(lang) + (T("（お問い合わせ窓口）", " (enquiries)")(lang) if a.enquiries else ""),
            a.address,
            ("、" if lang == "ja" else ", ").join(t(lang) for t in a.tasks),
            f"{a.share_percent}%",
        ]
        for a in doc.agencies
    ]
    story.append(
        grid(
            [
                T("代理店", "Agency")(lang),
                T("所在地", "Address")(lang),
                T("担当業務", "Tasks")(lang),
                T("取扱割合", "Share")(lang),
            ],
            ag_rows,
            ["27%", "33%", "28%", "12%"],
            numeric=(3,),
        )
    )
    story.append(para(f"{T('引受保険会社', 'Insurer')(lang)}: {doc.insurer(lang)}", 10))
    for note in doc.notes:
        story.append(small(f"・{note(lang)}"))
    return build_pdf(
        story,
        title=f"{TITLE(lang)} {doc.number}",
        footer=f"{TITLE(lang)} {doc.number} — {doc.company.name}",
        lang=lang,
    )
