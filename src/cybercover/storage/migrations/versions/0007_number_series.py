"""number series: counters for INC-, CLM- and policy numbers

Before, each number was the count of this year's numbers plus one, taken under an
advisory lock; the count grew with the table and the lock serialised every report. The
counters start from the numbers already given.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 23:40:00
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# (kind, table): INC-2026-000012, CLM-2026-000003, CY-2026-000001-7 (a check digit)
_SOURCES = (("incident", "incidents"), ("claim", "claims"), ("policy", "policies"))
_NUMBER = re.compile(r"^(?P<series>[A-Z0-9]+-\d{4})-(?P<n>\d{6})(?:-\d)?$")


def upgrade() -> None:
    table = op.create_table(
        "number_series",
        sa.Column("series", sa.String(length=64), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("series", name=op.f("pk_number_series")),
    )
    bind = op.get_bind()
    last: dict[str, int] = {}
    for kind, source in _SOURCES:
        for (number,) in bind.execute(sa.text(f"SELECT number FROM {source}")):
            match = _NUMBER.match(number or "")
            if match:
                key = f"{kind}/{match['series']}"
                last[key] = max(last.get(key, 0), int(match["n"]))
    if last:
        op.bulk_insert(table, [{"series": k, "last": v} for k, v in sorted(last.items())])


def downgrade() -> None:
    op.drop_table("number_series")
