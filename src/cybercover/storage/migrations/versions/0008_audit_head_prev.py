"""audit head: the hash before the last, so that an append is one statement

The head row is made here if the chain is still empty, so that an append on PostgreSQL
can be a single ``UPDATE … RETURNING`` inside an ``INSERT`` (services/audit.py).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 23:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def upgrade() -> None:
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("prev", sa.String(length=64), nullable=False, server_default=GENESIS)
        )
    bind = op.get_bind()
    last = bind.execute(
        sa.text("SELECT prev_hash FROM audit_log ORDER BY seq DESC LIMIT 1")
    ).scalar_one_or_none()
    if bind.execute(sa.text("SELECT count(*) FROM audit_head")).scalar_one() == 0:
        bind.execute(
            sa.text("INSERT INTO audit_head (id, seq, hash, prev) VALUES (1, 0, :g, :g)"),
            {"g": GENESIS},
        )
    elif last is not None:
        bind.execute(sa.text("UPDATE audit_head SET prev = :p WHERE id = 1"), {"p": last})


def downgrade() -> None:
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.drop_column("prev")
