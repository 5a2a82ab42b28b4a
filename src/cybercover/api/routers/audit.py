"""The audit log: recent rows and verification of the hash chain (admins)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from cybercover.api.deps import CurrentActor, Db
from cybercover.services.audit import recent_audit, verify_audit_as

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("")
def recent(actor: CurrentActor, db: Db, limit: int = 100) -> list[dict[str, Any]]:
    return recent_audit(db, actor, min(max(limit, 1), 1000))


@router.get("/verify")
def verify(actor: CurrentActor, db: Db) -> dict[str, Any]:
    report = verify_audit_as(db, actor)
    return {"ok": report.ok, "rows": report.rows, "problems": list(report.problems)}
