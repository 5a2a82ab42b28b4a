"""A claim's status history (issue #17, rule 7): one row per change of status, never
edited — who, when, from, to, on which event and why. A denial keeps its grounds here
(reason code, clause, the reason in both languages, and an internal note for the
insurer's staff only); the claim row keeps only its current status."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cybercover.storage.models.base import Base

__all__ = ["ClaimStatusChange"]


class ClaimStatusChange(Base):
    __tablename__ = "claim_status_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    at: Mapped[datetime]
    by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    event: Mapped[str] = mapped_column(String(24))  # claims/lifecycle.py EventKind
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500), default="")
    # a denial's grounds (empty for other events)
    reason_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    clause: Mapped[str | None] = mapped_column(String(200), nullable=True)
    reason_ja: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    reason_en: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    internal_note: Mapped[str] = mapped_column(String(1000), default="")
