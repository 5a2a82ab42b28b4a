"""お支払いできない旨のご通知 (denial letter): the addressee, the policy and claim numbers,
the accident, and why the claim is not paid — the reason and the clause of the wording
it rests on (with the exclusion's wording when an exclusion is the reason). Made like
the settlement letter (``settlement.py``): plain data in, PDF bytes out.

The data holds no reserve and no internal note: what is not given cannot be printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cybercover.documents.formats import Lang, date_text, datetime_text
from cybercover.documents.layout import (
    Story,
    build_pdf,
    heading,
    key_values,
    para,
    small,
    title_block,
)
from cybercover.documents.model import Insured, T

__all__ = ["DenialLetter", "render_denial"]

TITLE = T("保険金をお支払いできない旨のご通知", "Notice that the claim will not be paid")


@dataclass(frozen=True, slots=True)
class DenialLetter:
    """What the insured is told of a denied claim (services/claim_lifecycle.py)."""

    claim_number: str
    policy_number: str
    issued_at: datetime
    denied_at: datetime
    insurer: T
    company: Insured
    accident_at: datetime
    accident: str  # the incident's summary as reported, or empty
    reason_heading: T  # the reason code's heading
    reason: T  # the handler's reason, Japanese and English
    clause: str  # the clause of the wording, as the handler names it
    exclusion: T | None = None  # the exclusion's wording, when one is the reason


def render_denial(doc: DenialLetter, lang: Lang) -> bytes:
    """The denial letter as PDF bytes."""
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
    if doc.company.address:
        story.append(para(doc.company.address, 8.5))
    story.append(
        para(
            T(
                f"{datetime_text(doc.accident_at, 'ja')}に発生した事故についてご請求いただいた保険金は、"
                "慎重に検討いたしましたが、下記の理由によりお支払いすることができません。",
                f"We have carefully considered your claim for the accident of "
                f"{datetime_text(doc.accident_at, 'en')}. For the reason below, "
                "the insurance money claimed will not be paid.",
            )(lang),
            9.5,
        )
    )
    story.append(heading(T("ご請求の内容", "The claim")(lang)))
    rows: list[tuple[str, str]] = [
        (T("事故番号", "Claim number")(lang), doc.claim_number),
        (T("証券番号", "Policy number")(lang), doc.policy_number),
        (T("事故日時", "Accident")(lang), datetime_text(doc.accident_at, lang)),
    ]
    if doc.accident:
        rows.append((T("事故の内容", "What happened")(lang), doc.accident))
    story.append(key_values(rows))

    story.append(heading(T("お支払いできない理由", "Why the claim is not paid")(lang)))
    reasons: list[tuple[str, str]] = [
        (T("理由", "Reason")(lang), doc.reason_heading(lang)),
        (T("ご説明", "Explanation")(lang), doc.reason(lang)),
        (T("根拠となる約款の条項", "Clause of the policy wording")(lang), doc.clause),
    ]
    if doc.exclusion is not None:
        reasons.append((T("該当する免責事由", "Exclusion that applies")(lang), doc.exclusion(lang)))
    reasons.append((T("決定日", "Decided on")(lang), date_text(doc.denied_at, lang)))
    story.append(key_values(reasons))
    story.append(
        small(
            T(
                "この決定についてご不明な点やご異議がございましたら、担当者までお申し出ください。"
                "新たな資料をいただいた場合は、改めて検討いたします。",
                "If anything in this decision is unclear, or you disagree with it, please "
                "contact us. We will consider the claim again on any new documents.",
            )(lang)
        )
    )
    story.append(key_values([(T("引受保険会社", "Insurer")(lang), doc.insurer(lang))]))
    return build_pdf(
        story,
        title=f"{TITLE(lang)} {doc.claim_number}",
        footer=f"{TITLE(lang)} {doc.claim_number} — {doc.company.name}",
        lang=lang,
    )
