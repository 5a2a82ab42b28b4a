"""Claims (1事故): loss items, adjudications, reserves and payments. The erosion ledger of
a policy period is not stored: it is the sum of the payments (claims/ledger.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cybercover.storage.models.base import Base, JsonDoc, Yen

__all__ = [
    "CircumstanceNotice",
    "Claim",
    "ClaimAdjudication",
    "ClaimDocument",
    "ClaimPayment",
    "ClaimRecovery",
    "ClaimReserve",
    "LossItem",
]


class Claim(Base):
    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    accident_at: Mapped[datetime]
    outage_hours: Mapped[str | None] = mapped_column(String(32), nullable=True)
    causes: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    act_at: Mapped[datetime | None] = mapped_column(nullable=True)  # the wrongful act, for 遡及日
    claim_made_at: Mapped[datetime | None] = mapped_column(nullable=True)  # claims-made trigger
    # when the insurer was first told (set by the server: the incident's report, or the
    # claim's opening); an event after it, or in the future, is refused
    notified_at: Mapped[datetime]
    outage_started_at: Mapped[datetime | None] = mapped_column(nullable=True)  # ③④ trigger
    # claims-made continuity: a notice of circumstances given under this policy attaches
    # the claim to it (① judged at the notice); when the insured first knew the facts
    circumstance_notice_id: Mapped[int | None] = mapped_column(
        ForeignKey("circumstance_notices.id"), nullable=True
    )
    circumstance_noticed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    known_at: Mapped[datetime | None] = mapped_column(nullable=True)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc, default=list)
    documents_complete_at: Mapped[datetime | None] = mapped_column(nullable=True)
    opened_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime]


class CircumstanceNotice(Base):
    """A notice of circumstances (事故のおそれの通知) given under a claims-made policy: a
    claim for damages first made later — in a renewal, or after the period — arising
    from them belongs to this policy (docs/claims.md, "Claims-made continuity")."""

    __tablename__ = "circumstance_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    given_at: Mapped[datetime]
    description: Mapped[str] = mapped_column(String(2000))
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]


class LossItem(Base):
    __tablename__ = "loss_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    coverage: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(48))
    description: Mapped[str] = mapped_column(String(500))
    amount: Mapped[int] = mapped_column(Yen)
    source: Mapped[str] = mapped_column(String(48))
    details: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    status: Mapped[str] = mapped_column(String(16))  # active, amended, withdrawn
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    replaces_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # amended item
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    changed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    change_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)


class ClaimAdjudication(Base):
    __tablename__ = "claim_adjudications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    at: Mapped[datetime]
    by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    payable: Mapped[dict[str, int]] = mapped_column(JsonDoc)
    worksheet: Mapped[dict[str, Any]] = mapped_column(JsonDoc)


class ClaimReserve(Base):
    __tablename__ = "claim_reserves"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    coverage: Mapped[str] = mapped_column(String(32))
    amount: Mapped[int] = mapped_column(Yen)
    reason: Mapped[str] = mapped_column(String(500))
    by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]


class ClaimPayment(Base):
    """One payment: its part, cost head, payee and amount. ``pending_approval`` → ``paid``
    (released) or ``rejected``; ``pending_approval`` → ``voided``; ``paid`` → ``reversed``.
    Nothing is deleted: an undone payment keeps who undid it and why."""

    __tablename__ = "claim_payments"
    __table_args__ = (UniqueConstraint("claim_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(100))
    amount: Mapped[int] = mapped_column(Yen)
    by_part: Mapped[dict[str, int]] = mapped_column(JsonDoc)
    status: Mapped[str] = mapped_column(String(24))
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime]
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    paid_at: Mapped[datetime | None] = mapped_column(nullable=True)
    coverage: Mapped[str | None] = mapped_column(String(32), nullable=True)
    head: Mapped[str | None] = mapped_column(String(48), nullable=True)
    payee_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    payee_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    payee_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id"), nullable=True
    )
    lien_basis: Mapped[str | None] = mapped_column(String(32), nullable=True)
    undone_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    undone_at: Mapped[datetime | None] = mapped_column(nullable=True)
    undo_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)


class ClaimRecovery(Base):
    """Money recovered from a party at fault (subrogation, 代位求償), netted in reports."""

    __tablename__ = "claim_recoveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    amount: Mapped[int] = mapped_column(Yen)
    from_party: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(String(500))
    by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]


class ClaimDocument(Base):
    """A document attached to a claim (claim form, invoices, court papers), with its hash."""

    __tablename__ = "claim_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]
