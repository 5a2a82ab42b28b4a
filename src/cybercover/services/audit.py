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
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from cybercover.storage.models import AuditHead, AuditRecord, User
from cybercover.storage.models.base import JsonDoc, UTCDateTime

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


def _own_fields(row: AuditRecord | AuditEntry) -> dict[str, Any]:
    """What a row says of itself: every hashed key but ``prev``, ``request_id`` and
    ``seq`` (which sort after all of these)."""
    return {
        # in UTC, as the row is stored and read back: a clock that gave another offset
        # (Tokyo time) would otherwise hash a text the stored row no longer gives
        "at": row.at.astimezone(UTC).isoformat(),
        "actor": row.actor_user_id,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "before": row.before,
        "after": row.after,
    }


def _fields(record: AuditRecord) -> dict[str, Any]:
    return {
        **_own_fields(record),
        "seq": record.seq,
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


def append_audit(session: Session, entries: list[AuditEntry]) -> None:
    """Chain ``entries`` after the head, in order, holding the head row's lock.

    On PostgreSQL each row is one statement: the head's ``UPDATE … RETURNING`` computes
    the new hash in the database (``sha256`` over the same canonical text as
    :func:`_digest`, split around the previous hash and the sequence number) and the
    ``INSERT`` takes its result, so the lock every writer waits for is held from this
    statement to the commit, two round trips. SQLite serialises writers anyway."""
    if session.get_bind().dialect.name == "postgresql":
        for entry in entries:
            before_prev, after_prev = _split_text(entry)
            seq = session.execute(
                _PG_APPEND, {"a": before_prev, "b": after_prev, **asdict(entry)}
            ).scalar_one_or_none()
            if seq is None:
                raise RuntimeError("the audit chain's head row is missing (migration 0008)")
        return
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS, prev=GENESIS)
        session.add(head)
    for entry in entries:
        record = AuditRecord(seq=head.seq + 1, prev_hash=head.hash, hash="", **asdict(entry))
        record.hash = _digest(_fields(record))
        session.add(record)
        head.prev, head.hash, head.seq = head.hash, record.hash, record.seq
    session.flush()


def _split_text(entry: AuditEntry) -> tuple[str, str]:
    """The canonical text of :func:`_fields` as ``a + prev + b + str(seq) + "}"``.

    Keys are sorted, and every key before ``prev`` is the entry's own; ``prev``,
    ``request_id`` and ``seq`` come last, in that order."""
    text = json.dumps(_own_fields(entry), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    request_id = json.dumps(entry.request_id, ensure_ascii=False)
    return text[:-1] + ',"prev":"', '","request_id":' + request_id + ',"seq":'


_PG_APPEND = text(
    """
    WITH h AS (
        UPDATE audit_head
        SET prev = hash,
            hash = encode(sha256(convert_to(
                CAST(:a AS text) || hash || CAST(:b AS text) || CAST(seq + 1 AS text) || '}',
                'UTF8')), 'hex'),
            seq = seq + 1
        WHERE id = 1
        RETURNING seq, prev, hash
    )
    INSERT INTO audit_log (seq, at, actor_user_id, action, object_type, object_id,
                           before, after, request_id, prev_hash, hash)
    SELECT h.seq, :at, :actor_user_id, :action, :object_type, :object_id,
           :before, :after, :request_id, h.prev, h.hash
    FROM h
    RETURNING seq
    """
).bindparams(
    bindparam("at", type_=UTCDateTime()),
    bindparam("before", type_=JsonDoc),
    bindparam("after", type_=JsonDoc),
)


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
            select(AuditRecord, User.display_name)
            .outerjoin(User, User.id == AuditRecord.actor_user_id)
            .order_by(AuditRecord.seq.desc())
            .limit(limit)
        ).all()
        return [
            {
                "seq": r.seq,
                "at": r.at.isoformat(),
                "actor_user_id": r.actor_user_id,
                # who, by name (the system's own steps have no user)
                "actor_name": name or ("system" if r.actor_user_id is None else ""),
                "action": r.action,
                "object_type": r.object_type,
                "object_id": r.object_id,
                "before": r.before,
                "after": r.after,
                "request_id": r.request_id,
                "hash": r.hash,
            }
            for r, name in rows
        ]
