"""claim lifecycle: statuses, denial, reopening (issue #17)

A claim moves open → partly paid / paid → closed, or is denied, and is reopened from
either (src/cybercover/claims/lifecycle.py). Each change of status is one row of
``claim_status_history``: who, when, from, to, the event and the reason; a denial keeps
its grounds there (reason code, clause, the reason in Japanese and English, an internal
note). The claim row keeps only its current status (``claims.status``, unchanged):
existing claims stay ``open`` and have no history row until their first change.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from cybercover.storage.models.base import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claim_status_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("by", sa.Integer(), nullable=True),
        sa.Column("event", sa.String(length=24), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=False),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("reason_code", sa.String(length=64), nullable=True),
        sa.Column("clause", sa.String(length=200), nullable=True),
        sa.Column("reason_ja", sa.String(length=1000), nullable=True),
        sa.Column("reason_en", sa.String(length=1000), nullable=True),
        sa.Column("internal_note", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_status_history_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["by"], ["users.id"], name=op.f("fk_claim_status_history_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_status_history")),
    )
    op.create_index(op.f("ix_claim_status_history_claim_id"), "claim_status_history", ["claim_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_claim_status_history_claim_id"), table_name="claim_status_history")
    op.drop_table("claim_status_history")
    # before this revision a claim took money only while ``open``: the statuses that
    # take money become ``open`` again; ``closed`` and ``denied`` keep refusing it
    op.execute(
        "UPDATE claims SET status = 'open' WHERE status IN ('partly_paid', 'paid', 'reopened')"
    )
