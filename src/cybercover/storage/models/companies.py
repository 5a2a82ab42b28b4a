"""Insured companies and which agencies handle them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cybercover.storage.models.base import Base, JsonDoc, Yen

__all__ = ["Company", "CompanyAgency"]


class Company(Base):
    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), unique=True)
    corporate_number: Mapped[str] = mapped_column(String(13), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_normalized: Mapped[str] = mapped_column(String(200), index=True)
    name_kana: Mapped[str | None] = mapped_column(String(200), nullable=True)
    country: Mapped[str] = mapped_column(String(2), default="JP")
    postal_code: Mapped[str] = mapped_column(String(7))
    prefecture: Mapped[str] = mapped_column(String(8))
    address: Mapped[str] = mapped_column(String(300))
    industry_division: Mapped[str] = mapped_column(String(1))
    industry_group: Mapped[str] = mapped_column(String(2))
    annual_revenue: Mapped[int] = mapped_column(Yen)
    overseas_sales_ratio: Mapped[str] = mapped_column(String(16), default="0")
    employees: Mapped[int] = mapped_column(Integer)
    personal_records: Mapped[int] = mapped_column(Yen, default=0)
    handles_my_number: Mapped[bool] = mapped_column(Boolean, default=False)
    handles_card_data: Mapped[bool] = mapped_column(Boolean, default=False)
    cloud_vendors: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    software_vendors: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    def as_dict(self) -> dict[str, Any]:
        return {c.name: getattr(self, c.name) for c in self.__table__.columns}


class CompanyAgency(Base):
    """An agency that handles the company (both agencies under 共同取扱)."""

    __tablename__ = "company_agencies"

    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
