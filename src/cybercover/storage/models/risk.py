"""Portfolio risk runs: the summary a technical price reads its capital ratios from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cybercover.storage.models.base import Base, JsonDoc

__all__ = ["RiskRun"]


class RiskRun(Base):
    """One portfolio simulation: its inputs and the figures of :class:`Summary`.

    The year loss table itself stays in the run's output folder (it can be large); the
    summary holds every figure the pages and the technical price need."""

    __tablename__ = "risk_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_code: Mapped[str] = mapped_column(String(64), index=True)
    product_version: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))  # "database" or "oed"
    as_of: Mapped[datetime]
    years: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)
    policies: Mapped[int] = mapped_column(Integer)
    summary: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    exposure: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime]
