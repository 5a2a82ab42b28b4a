"""The incident desk: incidents, their timeline and deadlines; partners, dispatches and
the partners' estimates and invoices."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from cybercover.storage.models.base import Base, JsonDoc, Yen

__all__ = ["CostDocument", "Deadline", "Dispatch", "Incident", "IncidentEvent", "PartnerProfile"]


class Incident(Base):
    __tablename__ = "incidents"
    # one incident per request: a client's retransmission (the same reporter and
    # idempotency key) cannot insert twice, even at the same moment (migration 0011)
    __table_args__ = (
        Index(
            "uq_incidents_reporter_idempotency_key",
            "reported_by",
            "idempotency_key",
            unique=True,
            postgresql_where=text("idempotency_key IS NOT NULL"),
            sqlite_where=text("idempotency_key IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("companies.id"), nullable=True, index=True
    )
    policy_id: Mapped[int | None] = mapped_column(
        ForeignKey("policies.id"), nullable=True, index=True
    )
    insured: Mapped[bool] = mapped_column(Boolean, default=False)
    coverage: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    channel: Mapped[str] = mapped_column(String(16))
    caller_name: Mapped[str] = mapped_column(String(200))
    caller_organisation: Mapped[str] = mapped_column(String(200))
    caller_contact: Mapped[str] = mapped_column(String(200))
    reported_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    summary: Mapped[str] = mapped_column(Text)
    # reports that may be one event share it (services/incidents.py, similarity_key):
    # the desk is shown them; it never merges or selects anything by itself
    duplicate_key: Mapped[str] = mapped_column(String(64), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    request_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # set when an operator decided this report is part of another incident
    linked_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id"), nullable=True, index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime]
    aware_at: Mapped[datetime | None] = mapped_column(nullable=True)
    hearing: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    triage: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    advice: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc, default=list)
    reported_at: Mapped[datetime]
    first_response_at: Mapped[datetime | None] = mapped_column(nullable=True)
    handed_over_at: Mapped[datetime | None] = mapped_column(nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)


class IncidentEvent(Base):
    """One step on the incident's timeline, with its time and actor."""

    __tablename__ = "incident_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    at: Mapped[datetime]
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(48))
    data: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)


class Deadline(Base):
    """A regulatory clock the insured must meet; moved deadlines keep their history."""

    __tablename__ = "incident_deadlines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    rule_code: Mapped[str] = mapped_column(String(64))
    name_ja: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(300))
    target_at: Mapped[datetime | None] = mapped_column(nullable=True)
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))  # open, done, withdrawn
    done_at: Mapped[datetime | None] = mapped_column(nullable=True)
    reminded_at: Mapped[datetime | None] = mapped_column(nullable=True)
    history: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc, default=list)


class PartnerProfile(Base):
    """A partner firm (提携先企業): the emergency services it delivers and where."""

    __tablename__ = "partner_profiles"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    services: Mapped[list[str]] = mapped_column(JsonDoc)
    regions: Mapped[list[str]] = mapped_column(JsonDoc)  # prefectures, or ["全国"]
    invoice_registration_number: Mapped[str] = mapped_column(String(14))
    contact_email: Mapped[str] = mapped_column(String(254))
    webhook_url: Mapped[str | None] = mapped_column(String(500), nullable=True)


class Dispatch(Base):
    __tablename__ = "dispatches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    service: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))  # requested, accepted, declined
    requested_at: Mapped[datetime]
    responded_at: Mapped[datetime | None] = mapped_column(nullable=True)
    decline_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    work_log: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc, default=list)
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"))


class CostDocument(Base):
    """A partner's estimate (見積) or invoice (請求書), checked against the policy's limits
    before the desk approves it; an approved invoice is a cost for the claim."""

    __tablename__ = "cost_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dispatch_id: Mapped[int] = mapped_column(ForeignKey("dispatches.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # estimate, invoice
    description: Mapped[str] = mapped_column(String(500))
    amount_ex_tax: Mapped[int] = mapped_column(Yen)
    tax_rate_percent: Mapped[int] = mapped_column(Integer)
    tax: Mapped[int] = mapped_column(Yen)
    total: Mapped[int] = mapped_column(Yen)
    registration_number: Mapped[str] = mapped_column(String(14))
    status: Mapped[str] = mapped_column(String(16))  # submitted, approved, refused
    submitted_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)
    decision: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
