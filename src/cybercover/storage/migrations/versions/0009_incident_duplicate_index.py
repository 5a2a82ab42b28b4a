"""one open incident per duplicate key

The duplicate check of a report was read-then-insert: on PostgreSQL two identical reports
at the same moment could make two incidents. This partial unique index makes the second
insert fail, and the service then lands it on the first (services/incidents.py).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    twice = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT duplicate_key FROM incidents WHERE status <> 'closed' "
                "GROUP BY duplicate_key HAVING count(*) > 1"
            )
        )
        .scalars()
        .all()
    )
    if twice:  # made by the old race: a person decides which incident stays open
        raise RuntimeError(
            "open incidents share a duplicate key; close all but one of each, then migrate "
            f"again: {', '.join(sorted(twice))}"
        )
    where = sa.text("status <> 'closed'")
    op.create_index(
        "uq_incidents_open_duplicate_key",
        "incidents",
        ["duplicate_key"],
        unique=True,
        postgresql_where=where,
        sqlite_where=where,
    )


def downgrade() -> None:
    op.drop_index("uq_incidents_open_duplicate_key", table_name="incidents")
