"""支払通知 (settlement letter): the payments, each loss item with what was paid, each
yen withheld with its clause in plain words, and the limits left after payment."""

from __future__ import annotations

from cybercover.documents.formats import Lang, date_text, datetime_text, limit_text, yen
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
from cybercover.documents.model import SettlementLetter, T

__all__ = ["render_settlement"]

TITLE = T("保険金支払通知書", "Notice of insurance payment")


def render_settlement(doc: SettlementLetter, lang: Lang) -> bytes:
    """The settlement letter as PDF bytes."""
    story: Story = title_block(
        TITLE(lang),
        doc.insurer(lang),
        [
            f"{T('事故番号', 'Claim')(lang)}: {doc.claim_number}",
            f"{T('証券番号', 'Policy')(lang)}: {doc.policy_number}",
            f"{T('発行日', 'Issued')(lang)}: {date_text(doc.issued_at, lang)}",
        ],
    )
    story.append(
        para(f"{doc.company.name} 御中" if lang == "ja" else f"To: {doc.company.name}", 12)
    )
    story.append(
        para(
            T(
                f"{datetime_text(doc.accident_at, 'ja')}に発生した事故について、下記のとおり保険金をお支払いしましたのでお知らせします。",
                f"For the accident of {datetime_text(doc.accident_at, 'en')}, we have paid the insurance money set out below.",
            )(lang),
            9.5,
        )
    )
    story.append(heading(T("お支払いの内容", "Payments")(lang)))
    sep = "、" if lang == "ja" else ", "
    pay_rows = [
        [
            date_text(p.paid_at, lang),
            p.reference,
            sep.join(f"{label(lang)} {yen(amount, lang)}" for label, amount in p.by_part),
            yen(p.amount, lang),
        ]
        for p in doc.payments
    ]
    total = sum(p.amount for p in doc.payments)
    pay_rows.append(
        [
            "",
            "",
            T("今回お知らせする支払額 合計", "Total of the payments above")(lang),
            yen(total, lang),
        ]
    )
    story.append(
        grid(
            [
                T("支払日", "Paid on")(lang),
                T("支払番号", "Payment")(lang),
                T("内訳", "By coverage part")(lang),
                T("支払額", "Amount")(lang),
            ],
            pay_rows,
            ["20%", "14%", "44%", "22%"],
            numeric=(3,),
            emphasis=(len(pay_rows) - 1,),
        )
    )
    if doc.paid_to_date != total:
        story.append(
            small(
                T(
                    f"この事故についてこれまでにお支払いした保険金の合計は{yen(doc.paid_to_date, 'ja')}です。",
                    f"Insurance money paid on this claim to date: {yen(doc.paid_to_date, 'en')}.",
                )(lang)
            )
        )

    story.append(heading(T("損害の項目と査定", "Loss items and what was paid")(lang)))
    item_rows: list[list[str]] = []
    for item in doc.items:
        what = item.description
        if item.category is not None and item.category(lang) != item.description:
            what += f"\n（{item.category(lang)}）" if lang == "ja" else f"\n({item.category(lang)})"
        item_rows.append(
            [
                what,
                item.coverage(lang),
                yen(item.claimed, lang),
                yen(item.payable, lang),
                yen(item.claimed - item.payable, lang),
            ]
        )
    claimed = sum(i.claimed for i in doc.items)
    payable = sum(i.payable for i in doc.items)
    item_rows.append(
        [
            T("合計", "Total")(lang),
            "",
            yen(claimed, lang),
            yen(payable, lang),
            yen(claimed - payable, lang),
        ]
    )
    story.append(
        grid(
            [
                T("損害の項目", "Item")(lang),
                T("補償", "Part")(lang),
                T("損害額", "Claimed")(lang),
                T("お支払額", "Paid")(lang),
                T("お支払いできない額", "Withheld")(lang),
            ],
            item_rows,
            ["30%", "19%", "17%", "17%", "17%"],
            numeric=(2, 3, 4),
            emphasis=(len(item_rows) - 1,),
        )
    )

    story.append(heading(T("お支払いできない額とその理由", "Each yen withheld, and why")(lang)))
    reasons: list[list[str]] = []
    for item in doc.items:
        for w in item.withheld:
            reasons.append([item.description, yen(w.amount, lang), w.text(lang), w.clause])
    if reasons:
        story.append(
            grid(
                [
                    T("損害の項目", "Item")(lang),
                    T("金額", "Amount")(lang),
                    T("理由", "Reason")(lang),
                    T("根拠", "Clause")(lang),
                ],
                reasons,
                ["22%", "16%", "44%", "18%"],
                numeric=(1,),
                size=8,
            )
        )
    else:
        story.append(para(T("差し引いた金額はありません。", "Nothing was withheld.")(lang)))

    story.append(heading(T("お支払後の残りのお支払限度額", "Limits remaining after payment")(lang)))
    story.append(
        grid(
            [
                T("限度額", "Limit")(lang),
                T("保険期間中の限度額", "Period limit")(lang),
                T("残額", "Remaining")(lang),
            ],
            [
                [label(lang), limit_text(limit, lang), yen(left, lang)]
                for label, limit, left in doc.remaining
            ],
            ["44%", "32%", "24%"],
            numeric=(1, 2),
        )
    )
    for note in doc.notes:
        story.append(small(f"・{note(lang)}"))
    story.append(key_values([(T("引受保険会社", "Insurer")(lang), doc.insurer(lang))]))
    return build_pdf(
        story,
        title=f"{TITLE(lang)} {doc.claim_number}",
        footer=f"{TITLE(lang)} {doc.claim_number} — {doc.company.name}",
        lang=lang,
    )
