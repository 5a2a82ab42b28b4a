"""Counters for the numbers people quote: INC-, CLM- and policy numbers."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cybercover.storage.models.base import Base

__all__ = ["NumberSeries"]


class NumberSeries(Base):
    """The last number given in one series (``incident/2026``, ``claim/2026``,
    ``policy/CY-2026``); taken with one upsert whose row lock is held until commit, so
    two transactions never get the same number and a rolled-back one gives its number
    back."""

    __tablename__ = "number_series"

    series: Mapped[str] = mapped_column(String(64), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)
