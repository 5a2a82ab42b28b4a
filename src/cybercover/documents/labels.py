"""Words the documents print for stored codes (statuses, channels, tasks, event kinds),
and how to reach the desk through this system.

A code with no entry is printed as it is, so a new status never breaks a document. The
product's own words (who is insured, what the desk does) come from the product file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from cybercover.documents.model import T

__all__ = ["HOW_TO_REPORT", "code_label", "desk_contact", "event_detail"]

HOW_TO_REPORT = T(
    "被害のおそれがある段階で、本システムの事故報告（Web画面、または API の "
    "POST /api/v1/incidents）からご連絡ください。",
    "Report as soon as damage is possible, through this system's incident report (the "
    "web page, or POST /api/v1/incidents in the API).",
)
"""Ours, not the product's: how this system takes a report (docs/incident-desk.md)."""


def desk_contact(name: T, role: T | None) -> T:
    """How to reach the incident desk: its name (the desk organisation registered in the
    system, else the product's), 24 hours, how to report, and what the desk does (the
    product file's words, PRODUCT.md §6)."""
    ja = f"{name.ja}（24時間受付）。{HOW_TO_REPORT.ja}"
    en = f"{name.en} (24 hours). {HOW_TO_REPORT.en}"
    if role is not None:
        ja, en = ja + role.ja, f"{en} {role.en}"
    return T(ja, en)


_LABELS: dict[str, dict[str, T]] = {
    "policy_status": {
        "bound": T("引受済（未発行）", "bound, not yet issued"),
        "in_force": T("有効", "in force"),
        "cancelled": T("解約", "cancelled"),
        "lapsed": T("失効", "lapsed"),
        "expired": T("満期", "expired"),
    },
    "plan": {
        "lump_sum": T("一時払", "single payment"),
        "monthly": T("月払（12回）", "monthly (12 instalments)"),
    },
    "method": {
        "invoice": T("請求書払い", "invoice"),
        "direct_debit": T("口座振替", "direct debit"),
    },
    "task": {
        "sales": T("募集", "sales"),
        "security_consulting": T("セキュリティ相談", "security consulting"),
        "enquiries": T("お問い合わせ", "enquiries"),
        "emergency_line": T("サイバー救急センター", "cyber emergency line"),
        "contract_administration": T("契約管理", "contract administration"),
        "premium_collection": T("保険料収納", "premium collection"),
        "claims_liaison": T("事故受付の取次ぎ", "claims liaison"),
    },
    "severity": {
        "low": T("低", "low"),
        "medium": T("中", "medium"),
        "high": T("高", "high"),
        "critical": T("緊急", "critical"),
    },
    "deadline": {
        "open": T("対応中", "open"),
        "overdue": T("期限超過", "overdue"),
        "done": T("完了", "done"),
        "withdrawn": T("取下げ（不要）", "withdrawn (not needed)"),
    },
    "dispatch": {
        "requested": T("依頼中", "requested"),
        "accepted": T("受諾", "accepted"),
        "declined": T("辞退", "declined"),
    },
    "cost_kind": {"estimate": T("見積", "estimate"), "invoice": T("請求", "invoice")},
    "cost": {
        "submitted": T("審査中", "submitted"),
        "approved": T("承認", "approved"),
        "refused": T("不承認", "refused"),
    },
    "incident": {
        "open": T("対応中", "open"),
        "handed_over": T("緊急時サポートへ引継ぎ済", "handed over"),
        "closed": T("終了", "closed"),
    },
    "channel": {
        "phone": T("電話", "phone"),
        "mail": T("メール", "mail"),
        "web": T("Web", "web"),
        "api": T("API", "API"),
    },
    "event": {
        "reported": T("受付", "reported"),
        "hearing.answered": T("初期ヒアリング", "hearing answered"),
        "triage": T("トリアージ", "triage"),
        "advice.given": T("初動アドバイス", "advice given"),
        "deadline.appeared": T("報告期限の設定", "deadline set"),
        "deadline.moved": T("報告期限の変更", "deadline moved"),
        "deadline.withdrawn": T("報告期限の取下げ", "deadline withdrawn"),
        "deadline.done": T("報告期限の完了", "deadline done"),
        "deadline.reminded": T("報告期限の通知", "deadline reminder"),
        "handed_over": T("緊急時サポートへ引継ぎ", "handed over"),
        "dispatched": T("提携先の手配", "partner dispatched"),
        "dispatch.accepted": T("手配の受諾", "dispatch accepted"),
        "dispatch.declined": T("手配の辞退", "dispatch declined"),
        "dispatch.work": T("作業記録", "work logged"),
        "cost.estimate": T("見積の提出", "estimate submitted"),
        "cost.invoice": T("請求の提出", "invoice submitted"),
        "cost.approved": T("費用の承認", "cost approved"),
        "cost.refused": T("費用の不承認", "cost refused"),
        "escalated": T("エスカレーション", "escalated"),
    },
}


def code_label(kind: str, code: str) -> T:
    """The words for a stored code; the code itself when there are none."""
    return _LABELS.get(kind, {}).get(code, T.same(code))


def event_detail(data: Mapping[str, Any]) -> str:
    """A timeline event's data in one short line (``key: value``), amounts with commas."""
    parts = []
    for key, value in data.items():
        if isinstance(value, bool) or value is None:
            text = str(value).lower()
        elif isinstance(value, int):
            text = f"{value:,}"
        elif isinstance(value, str):
            text = value
        else:
            text = json.dumps(value, ensure_ascii=False)
        parts.append(f"{key}: {text}")
    line = ", ".join(parts)
    return line if len(line) <= 300 else line[:299] + "…"
