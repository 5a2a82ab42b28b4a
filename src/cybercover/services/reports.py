"""Claims reports: the claims register (bordereau) and the loss ratio.

Per claim and coverage part: paid; outstanding = the latest reserve less what was paid
(not below 0); incurred = paid + outstanding. The loss ratio is incurred over the premium
earned by day up to the report date (docs/claims.md).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import select

from cybercover.policies.premium import earned_at
from cybercover.services.authz import Actor, authorize
from cybercover.services.uow import Database
from cybercover.storage.models import (
    Claim,
    ClaimPayment,
    ClaimRecovery,
    ClaimReserve,
    Company,
    Policy,
)
from cybercover.timeutil import JST

__all__ = ["BORDEREAU_COLUMNS", "bordereau_csv", "claims_register", "loss_ratio"]

PARTS = ("liability", "response_costs", "profit_loss", "continuation_costs")
BORDEREAU_COLUMNS = (
    ["claim_number", "policy_number", "insured", "accident_date_jst", "status"]
    + [f"paid_{p}" for p in PARTS]
    + [f"outstanding_{p}" for p in PARTS]
    + ["paid_total", "outstanding_total", "incurred_total", "recovered", "net_incurred"]
)


def claims_register(db: Database, actor: Actor) -> list[dict[str, Any]]:
    authorize(actor, "report.read")
    rows = []
    with db.sessions() as session:
        for claim in session.execute(select(Claim).order_by(Claim.id)).scalars():
            policy = session.get(Policy, claim.policy_id)
            assert policy is not None
            company = session.get(Company, policy.company_id)
            paid = dict.fromkeys(PARTS, 0)
            for payment in session.execute(
                select(ClaimPayment).where(
                    ClaimPayment.claim_id == claim.id, ClaimPayment.status == "paid"
                )
            ).scalars():
                for part, amount in payment.by_part.items():
                    paid[part] += amount
            reserve: dict[str, int] = {}
            for r in session.execute(
                select(ClaimReserve)
                .where(ClaimReserve.claim_id == claim.id)
                .order_by(ClaimReserve.id)
            ).scalars():
                reserve[r.coverage] = r.amount
            outstanding = {p: max(reserve.get(p, 0) - paid[p], 0) for p in PARTS}
            row: dict[str, Any] = {
                "claim_number": claim.number,
                "policy_number": policy.number,
                "insured": company.name if company else "",
                "accident_date_jst": claim.accident_at.astimezone(JST).date().isoformat(),
                "status": claim.status,
            }
            row.update({f"paid_{p}": paid[p] for p in PARTS})
            row.update({f"outstanding_{p}": outstanding[p] for p in PARTS})
            row["paid_total"] = sum(paid.values())
            row["outstanding_total"] = sum(outstanding.values())
            row["incurred_total"] = row["paid_total"] + row["outstanding_total"]
            row["recovered"] = sum(
                r.amount
                for r in session.execute(
                    select(ClaimRecovery).where(ClaimRecovery.claim_id == claim.id)
                ).scalars()
            )
            row["net_incurred"] = row["incurred_total"] - row["recovered"]
            rows.append(row)
    return rows


def bordereau_csv(db: Database, actor: Actor) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=BORDEREAU_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(claims_register(db, actor))
    return out.getvalue()


def loss_ratio(db: Database, actor: Actor, at: datetime) -> dict[str, Any]:
    """Paid, outstanding and incurred by coverage part; premium earned by day to ``at``;
    the loss ratio (incurred net of recoveries over earned) as an exact fraction and a
    percentage to one decimal."""
    rows = claims_register(db, actor)
    with db.sessions() as session:
        earned = sum(
            earned_at(  # a cancelled policy earns what its cancellation kept (issue #17)
                p.written_premium,
                p.period_start,
                p.period_end,
                p.cancelled_at,
                at,
                cancelled=p.status == "cancelled",
            )
            for p in session.execute(select(Policy).where(Policy.number.is_not(None))).scalars()
        )
    by_part = {
        p: {
            "paid": sum(r[f"paid_{p}"] for r in rows),
            "outstanding": sum(r[f"outstanding_{p}"] for r in rows),
        }
        for p in PARTS
    }
    for figures in by_part.values():
        figures["incurred"] = figures["paid"] + figures["outstanding"]
    by_period: dict[str, dict[str, int]] = {}
    for r in rows:
        month = r["accident_date_jst"][:7]
        bucket = by_period.setdefault(
            month, {"paid": 0, "outstanding": 0, "incurred": 0, "recovered": 0}
        )
        bucket["paid"] += r["paid_total"]
        bucket["outstanding"] += r["outstanding_total"]
        bucket["incurred"] += r["incurred_total"]
        bucket["recovered"] += r["recovered"]
    recovered = sum(r["recovered"] for r in rows)
    incurred = sum(f["incurred"] for f in by_part.values()) - recovered
    ratio = Fraction(incurred, earned) if earned else None
    return {
        "at": at.isoformat(),
        "earned_premium": earned,
        "by_part": by_part,
        "incurred": incurred,
        "loss_ratio": str(ratio) if ratio is not None else None,
        "loss_ratio_percent": f"{float(ratio * 100):.1f}" if ratio is not None else None,
    }
