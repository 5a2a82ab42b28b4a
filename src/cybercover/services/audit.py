"""The append-only, hash-chained audit log and its verification.

Each row's hash is SHA-256 over its own fields and the previous row's hash, so a changed
row breaks its own hash and a deleted row breaks the chain (sequence numbers are
contiguous and the head row holds the last hash). Appends lock the head row
(``SELECT … FOR UPDATE`` on PostgreSQL; SQLite serialises writers with BEGIN IMMEDIATE),
so concurrent transactions never fork the chain.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cybercover.storage.models import AuditHead, AuditRecord

__all__ = ["GENESIS", "AuditEntry", "AuditReport", "append_audit", "jsonable", "verify_audit"]

GENESIS = "0" * 64


def jsonable(value: Any) -> Any:
    """Snapshot values as JSON: datetimes and dates in ISO form, Decimals as strings."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def _digest(fields: dict[str, Any]) -> str:
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _fields(record: AuditRecord) -> dict[str, Any]:
    return {
        "seq": record.seq,
        "at": record.at.isoformat(),
        "actor": record.actor_user_id,
        "action": record.action,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "before": record.before,
        "after": record.after,
        "request_id": record.request_id,
        "prev": record.prev_hash,
    }


@dataclass(frozen=True)
class AuditEntry:
    """One row to append: what was done, to what, by whom (snapshots already JSON)."""

    at: datetime
    actor_user_id: int | None
    action: str
    object_type: str
    object_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str | None


def append_audit(session: Session, entries: list[AuditEntry]) -> list[AuditRecord]:
    """Chain ``entries`` after the head, in order, under one lock of the head row."""
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
    records = []
    for entry in entries:
        record = AuditRecord(
            seq=head.seq + 1,
            at=entry.at,
            actor_user_id=entry.actor_user_id,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            before=entry.before,
            after=entry.after,
            request_id=entry.request_id,
            prev_hash=head.hash,
            hash="",
        )
        record.hash = _digest(_fields(record))
        session.add(record)
        head.seq = record.seq
        head.hash = record.hash
        records.append(record)
    session.flush()
    return records


@dataclass(frozen=True)
class AuditReport:
    ok: bool
    rows: int
    problems: tuple[str, ...]


def verify_audit(session: Session) -> AuditReport:
    """Recompute the chain; report every changed, missing or reordered row."""
    problems: list[str] = []
    prev = GENESIS
    expected_seq = 1
    rows = 0
    for record in session.execute(select(AuditRecord).order_by(AuditRecord.seq)).scalars():
        rows += 1
        if record.seq != expected_seq:
            problems.append(f"row {expected_seq} is missing (found {record.seq} next)")
            expected_seq = record.seq
        if record.prev_hash != prev:
            problems.append(f"row {record.seq}: does not follow the previous row's hash")
        if _digest(_fields(record)) != record.hash:
            problems.append(f"row {record.seq}: its content was changed")
        prev = record.hash
        expected_seq += 1
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != expected_seq - 1 or head.hash != prev):
        problems.append(f"the chain ends at row {expected_seq - 1} but the head says {head.seq}")
    if head is None and rows:
        problems.append("the chain head is missing")
    return AuditReport(not problems, rows, tuple(problems))


def verify_audit_as(db: Any, actor: Any) -> AuditReport:
    """``verify_audit`` for an admin (the API); the CLI calls ``verify_audit`` directly."""
    from cybercover.services.authz import authorize

    authorize(actor, "audit.read")
    with db.sessions() as session:
        return verify_audit(session)


def recent_audit(db: Any, actor: Any, limit: int = 100) -> list[dict[str, Any]]:
    from cybercover.services.authz import authorize

    authorize(actor, "audit.read")
    with db.sessions() as session:
        rows = session.execute(
            select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(limit)
        ).scalars()
        return [
            {
                "seq": r.seq,
                "at": r.at.isoformat(),
                "actor_user_id": r.actor_user_id,
                "action": r.action,
                "object_type": r.object_type,
                "object_id": r.object_id,
                "before": r.before,
                "after": r.after,
                "request_id": r.request_id,
                "hash": r.hash,
            }
            for r in rows
        ]
