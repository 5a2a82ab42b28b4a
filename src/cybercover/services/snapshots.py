"""Plain-dict views of stored objects, for API responses and audit before/after rows."""

from __future__ import annotations

from typing import Any

from cybercover.storage.models import Company, Invoice, Policy, PolicyTransaction, Quote, Submission

__all__ = [
    "company_view",
    "invoice_view",
    "policy_view",
    "quote_view",
    "submission_view",
    "transaction_view",
]


def company_view(c: Company) -> dict[str, Any]:
    return {
        "id": c.id,
        "organisation_id": c.organisation_id,
        "corporate_number": c.corporate_number,
        "name": c.name,
        "name_kana": c.name_kana,
        "country": c.country,
        "postal_code": c.postal_code,
        "prefecture": c.prefecture,
        "address": c.address,
        "industry_division": c.industry_division,
        "industry_group": c.industry_group,
        "annual_revenue": c.annual_revenue,
        "overseas_sales_ratio": c.overseas_sales_ratio,
        "employees": c.employees,
        "personal_records": c.personal_records,
        "handles_my_number": c.handles_my_number,
        "handles_card_data": c.handles_card_data,
        "cloud_vendors": list(c.cloud_vendors),
        "software_vendors": list(c.software_vendors),
    }


def submission_view(s: Submission) -> dict[str, Any]:
    return {
        "id": s.id,
        "company_id": s.company_id,
        "agency_id": s.agency_id,
        "kind": s.kind,
        "renewal_of_id": s.renewal_of_id,
        "product": {"code": s.product_code, "version": s.product_version},
        "status": s.status,
        "start_date": s.start_date.isoformat(),
        "disclosure": s.disclosure,
        "isms": s.isms,
        "version": s.version,
    }


def quote_view(q: Quote) -> dict[str, Any]:
    return {
        "id": q.id,
        "submission_id": q.submission_id,
        "submission_version": q.submission_version,
        "label": q.label,
        "options": q.options,
        "premium": q.premium,
        "factors": q.factors,
        "status": q.status,
        "valid_until": q.valid_until.isoformat(),
    }


def policy_view(p: Policy) -> dict[str, Any]:
    return {
        "id": p.id,
        "number": p.number,
        "company_id": p.company_id,
        "submission_id": p.submission_id,
        "quote_id": p.quote_id,
        "product": {"code": p.product_code, "version": p.product_version},
        "status": p.status,
        "period_start": p.period_start.isoformat(),
        "period_end": p.period_end.isoformat(),
        "retroactive_date": p.retroactive_date.isoformat(),
        "terms": p.terms,
        "annual_premium": p.annual_premium,
        "written_premium": p.written_premium,
        "payment_plan": p.payment_plan,
        "payment_method": p.payment_method,
        "cancelled_at": p.cancelled_at.isoformat() if p.cancelled_at else None,
    }


def transaction_view(t: PolicyTransaction) -> dict[str, Any]:
    return {
        "id": t.id,
        "policy_id": t.policy_id,
        "kind": t.kind,
        "status": t.status,
        "effective_at": t.effective_at.isoformat(),
        "changes": t.changes,
        "premium_delta": t.premium_delta,
        "factors": t.factors,
    }


def invoice_view(i: Invoice) -> dict[str, Any]:
    return {
        "id": i.id,
        "policy_id": i.policy_id,
        "transaction_id": i.transaction_id,
        "sequence": i.sequence,
        "due_date": i.due_date.isoformat(),
        "amount": i.amount,
        "method": i.method,
        "paid_at": i.paid_at.isoformat() if i.paid_at else None,
        "paid_amount": i.paid_amount,
        # issue #17: issued when, and cancelled (with its policy: neither due nor lapsing)
        "issued_at": i.issued_at.isoformat() if i.issued_at else None,
        "cancelled_at": i.cancelled_at.isoformat() if i.cancelled_at else None,
        "status": (
            "cancelled"
            if i.cancelled_at is not None
            else "paid"
            if i.paid_amount == i.amount
            else "part_paid"
            if i.paid_amount
            else "open"
        ),
    }
