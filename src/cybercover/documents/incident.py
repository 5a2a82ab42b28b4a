"""事故対応報告書 (incident report): the incident, the first hearing's answers, triage,
the advice given, the regulatory deadlines and their status, the partners dispatched
with their costs, and the whole timeline."""

from __future__ import annotations

from datetime import datetime

from cybercover.documents.formats import Lang, datetime_text, yen
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
from cybercover.documents.model import IncidentReport, T

__all__ = ["render_incident"]

TITLE = T("事故対応報告書", "Incident report")
NONE = T("なし", "none")


def _when(moment: datetime | None, lang: Lang) -> str:
    return datetime_text(moment, lang) if moment is not None else "—"


def render_incident(doc: IncidentReport, lang: Lang) -> bytes:
    """The incident report as PDF bytes."""
    story: Story = title_block(
        TITLE(lang),
        doc.desk(lang),
        [
            f"{T('事故受付番号', 'Incident')(lang)}: {doc.number}",
            f"{T('作成日時', 'Issued')(lang)}: {datetime_text(doc.issued_at, lang)}",
            f"{T('状態', 'Status')(lang)}: {doc.status(lang)}",
        ],
    )
    story.append(heading(T("事案の概要", "The incident")(lang)))
    story.append(
        key_values(
            [
                (T("会社・団体", "Company")(lang), doc.company),
                (
                    T("保険契約", "Policy")(lang),
                    doc.policy_number
                    if doc.policy_number
                    else T("保険契約なし（初動アドバイスのみ）", "not insured (first advice only)")(
                        lang
                    ),
                ),
                (T("受付経路", "Channel")(lang), doc.channel(lang)),
                (T("連絡者", "Caller")(lang), doc.caller),
                (T("概要", "Summary")(lang), doc.summary),
                (T("発生日時", "Occurred")(lang), _when(doc.occurred_at, lang)),
                (T("認知日時", "Aware")(lang), _when(doc.aware_at, lang)),
                (T("受付日時", "Reported")(lang), _when(doc.reported_at, lang)),
                (T("初動対応日時", "First response")(lang), _when(doc.first_response_at, lang)),
                (
                    T("緊急時サポートへの引継ぎ", "Handed over")(lang),
                    _when(doc.handed_over_at, lang),
                ),
            ]
        )
    )
    story.append(heading(T("初期ヒアリング", "First hearing")(lang)))
    if doc.hearing:
        story.append(
            grid(
                [T("質問", "Question")(lang), T("回答", "Answer")(lang)],
                [[q(lang), a(lang)] for q, a in doc.hearing],
                ["42%", "58%"],
            )
        )
    else:
        story.append(para(NONE(lang)))
    if doc.triage:
        story.append(heading(T("トリアージ", "Triage")(lang)))
        story.append(key_values([(k(lang), v(lang)) for k, v in doc.triage]))

    story.append(heading(T("初動アドバイス", "First advice given")(lang)))
    if doc.advice:
        story.append(
            grid(
                ["#", T("助言", "Advice")(lang), T("日時", "Given")(lang)],
                [
                    [str(i), text(lang), _when(at, lang)]
                    for i, (text, at) in enumerate(doc.advice, 1)
                ],
                ["5%", "67%", "28%"],
                size=8,
            )
        )
    else:
        story.append(para(NONE(lang)))

    story.append(heading(T("報告期限と対応状況", "Deadlines and their status")(lang)))
    if doc.deadlines:
        story.append(
            grid(
                [
                    T("期限", "Duty")(lang),
                    T("目安", "Aim")(lang),
                    T("期日", "Due")(lang),
                    T("状況", "Status")(lang),
                ],
                [
                    [
                        f"{d.name(lang)}\n{d.source}",
                        _when(d.target_at, lang),
                        _when(d.due_at, lang),
                        d.status(lang) + (f"\n{_when(d.done_at, lang)}" if d.done_at else ""),
                    ]
                    for d in doc.deadlines
                ],
                ["40%", "21%", "21%", "18%"],
                size=8,
            )
        )
    else:
        story.append(para(NONE(lang)))

    story.append(heading(T("提携先企業の手配と費用", "Partners dispatched and their costs")(lang)))
    if doc.dispatches:
        rows: list[list[str]] = []
        for d in doc.dispatches:
            costs = "\n".join(
                f"{c.kind(lang)}: {c.description} {yen(c.total, lang)}"
                + (
                    f"（税抜 {yen(c.amount_ex_tax, 'ja')}・消費税 {yen(c.tax, 'ja')}）{c.status('ja')}"
                    if lang == "ja"
                    else f" (ex tax {yen(c.amount_ex_tax, 'en')}, tax {yen(c.tax, 'en')}) {c.status('en')}"
                )
                for c in d.costs
            )
            rows.append(
                [
                    f"{d.partner}\n{d.service(lang)}",
                    f"{d.status(lang)}\n{_when(d.requested_at, lang)}",
                    costs or "—",
                ]
            )
        story.append(
            grid(
                [
                    T("提携先・サービス", "Partner and service")(lang),
                    T("状況・依頼日時", "Status, requested")(lang),
                    T("見積・請求", "Estimates and invoices")(lang),
                ],
                rows,
                ["28%", "24%", "48%"],
                size=8,
            )
        )
        approved = sum(
            c.total
            for d in doc.dispatches
            for c in d.costs
            if c.status.en == "approved" and c.kind.en == "invoice"
        )
        story.append(
            small(
                T(
                    f"承認済みの請求額 合計 {yen(approved, 'ja')}（税込）",
                    f"Approved invoices in total: {yen(approved, 'en')} (tax included)",
                )(lang)
            )
        )
    else:
        story.append(para(NONE(lang)))

    story.append(heading(T("経過", "Timeline")(lang)))
    story.append(
        grid(
            [
                T("日時", "When")(lang),
                T("内容", "What")(lang),
                T("担当", "By")(lang),
                T("詳細", "Detail")(lang),
            ],
            [[_when(e.at, lang), e.what(lang), e.actor, e.detail] for e in doc.timeline],
            ["26%", "22%", "16%", "36%"],
            size=7.5,
        )
    )
    return build_pdf(
        story,
        title=f"{TITLE(lang)} {doc.number}",
        footer=f"{TITLE(lang)} {doc.number} — {doc.company}",
        lang=lang,
    )
