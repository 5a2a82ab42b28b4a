"""Submissions, quotes, underwriting issues, policies and their transactions, billing."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cybercover.storage.models.base import Base, JsonDoc, Yen

__all__ = [
    "Invoice",
    "Policy",
    "PolicyAgency",
    "PolicyTermsVersion",
    "PolicyTransaction",
    "PreBindRecord",
    "PremiumReceipt",
    "Quote",
    "Submission",
    "UnderwritingIssueRow",
    "Upload",
]


class Submission(Base):
    """An application for a new policy or a renewal: company, disclosure, options."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    kind: Mapped[str] = mapped_column(String(16), default="new")
    renewal_of_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # policies.id
    product_code: Mapped[str] = mapped_column(String(64))
    product_version: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    start_date: Mapped[date] = mapped_column(Date)
    disclosure: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    isms: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc, nullable=True)
    options: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc, default=list)
    offered_limits: Mapped[dict[str, int]] = mapped_column(JsonDoc, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class UnderwritingIssueRow(Base):
    __tablename__ = "underwriting_issues"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    rule_code: Mapped[str] = mapped_column(String(64))
    title_ja: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    authority_name: Mapped[str] = mapped_column(String(32))
    facts: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    source: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(16))
    blocking_point: Mapped[str] = mapped_column(String(16))
    authority: Mapped[int] = mapped_column(Integer)
    message_ja: Mapped[str] = mapped_column(String(500))
    message_en: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="open")
    history: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc, default=list)
    created_at: Mapped[datetime]
    # issue #17 rule 3: an endorsement's issues (None: the submission's own), and the
    # digest of the facts a clearance was given for (underwriting/clearance.py)
    policy_transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("policy_transactions.id", name="fk_underwriting_issues_policy_transaction"),
        nullable=True,
        index=True,
    )
    cleared_facts_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Quote(Base):
    """One quoted option of a submission: terms, premium, every rating factor."""

    __tablename__ = "quotes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    submission_version: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(100))
    options: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    premium: Mapped[int] = mapped_column(Yen)
    factors: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc)
    status: Mapped[str] = mapped_column(String(16))
    valid_until: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime]


class Upload(Base):
    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class PreBindRecord(Base):
    """Documents Japanese sales rules require before binding (重要事項説明 etc.)."""

    __tablename__ = "prebind_records"
    __table_args__ = (UniqueConstraint("submission_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    kind: Mapped[str] = mapped_column(String(32))
    result: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]


class Policy(Base):
    __tablename__ = "policies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(32), unique=True, nullable=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id"))
    product_code: Mapped[str] = mapped_column(String(64))
    product_version: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    retroactive_date: Mapped[date] = mapped_column(Date)
    terms: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    annual_premium: Mapped[int] = mapped_column(Yen)
    written_premium: Mapped[int] = mapped_column(Yen)
    payment_plan: Mapped[str] = mapped_column(String(16))
    payment_method: Mapped[str] = mapped_column(String(16))
    cancelled_at: Mapped[datetime | None] = mapped_column(nullable=True)
    renewed_by_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime]


class PolicyAgency(Base):
    """共同取扱: each agency on a policy, its tasks and its commission share."""

    __tablename__ = "policy_agencies"

    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    tasks: Mapped[list[str]] = mapped_column(JsonDoc)
    share_bp: Mapped[int] = mapped_column(Integer)  # basis points of the commission
    commission_rate_bp: Mapped[int] = mapped_column(Integer)  # of the premium


class PolicyTransaction(Base):
    """Every change to a policy: issue, endorsement, renewal, cancellation, reinstatement."""

    __tablename__ = "policy_transactions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    effective_at: Mapped[datetime]
    changes: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    premium_delta: Mapped[int] = mapped_column(Yen, default=0)
    factors: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc, default=list)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime]


class Invoice(Base):
    """A premium instalment (or refund, negative) due from the insured."""

    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("policy_transactions.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(Yen)
    method: Mapped[str] = mapped_column(String(16))
    paid_at: Mapped[datetime | None] = mapped_column(nullable=True)  # value date, when paid in full
    paid_amount: Mapped[int] = mapped_column(Yen, default=0)
    # issue #17: when it was issued (a receipt's value date is never before that day), and
    # its cancellation (an instalment cancelled with its policy: neither due nor lapsing)
    issued_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None] = mapped_column(nullable=True)
    cancelled_by_transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("policy_transactions.id"), nullable=True
    )


class PremiumReceipt(Base):
    """One receipt on an invoice (premium received, or a refund paid out: negative), with
    the bank's value date and who booked it; a receipt dated before an accident already
    reported, which turns that accident covered, names the underwriter who confirmed it."""

    __tablename__ = "premium_receipts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    amount: Mapped[int] = mapped_column(Yen)
    paid_at: Mapped[datetime]  # the value date (着金日 / 支払日)
    recorded_at: Mapped[datetime]  # booked: the commission statement's month
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    confirmed_accidents: Mapped[list[str] | None] = mapped_column(JsonDoc, nullable=True)


class PolicyTermsVersion(Base):
    """A version of a policy's terms, in effect from ``effective_from`` until the next
    version (policies/cover.py). Bind makes version 1; each applied endorsement another."""

    __tablename__ = "policy_terms_versions"
    __table_args__ = (UniqueConstraint("policy_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[datetime]
    terms: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    annual_premium: Mapped[int] = mapped_column(Yen)
    transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("policy_transactions.id"), nullable=True
    )
    created_at: Mapped[datetime]
