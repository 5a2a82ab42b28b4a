"""incidents: idempotency keys per reporter, links decided by an operator

Until now a report carried a ``duplicate_key`` that the client could supply and that
selected an open incident of *any* company: a policyholder posting another company's key
received that company's incident and wrote into its timeline (issue #16). Reports are no
longer merged by a key. Instead:

- ``idempotency_key`` + ``request_digest``: a client's retransmission of its own request
  (the same reporter, the same key) gives back the incident it made; a unique index on
  (reported_by, idempotency_key) holds this when both tries arrive at once.
- ``linked_to_id``: an operator links a report to the incident it belongs to, with a
  reason on both timelines (services/incidents.py, ``link_incident``).
- ``duplicate_key`` stays as the server's similarity key (same company, same day in
  Tokyo): the desk sees reports that share it as possible duplicates. Its unique index
  (migration 0009) is dropped: two real reports of one day are two incidents until a
  person links them.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

WHERE = sa.text("idempotency_key IS NOT NULL")


# Plain ALTER TABLE, no batch copy: SQLite (3.35+) adds and drops these columns in place,
# and a batch copy would have to drop ``incidents``, which the timeline, deadlines,
# dispatches and claims reference.


def upgrade() -> None:
    op.drop_index("uq_incidents_open_duplicate_key", table_name="incidents")
    op.add_column("incidents", sa.Column("idempotency_key", sa.String(length=64), nullable=True))
    op.add_column("incidents", sa.Column("request_digest", sa.String(length=64), nullable=True))
    if op.get_bind().dialect.name == "sqlite":  # alembic adds no constraint there: say it
        op.execute(
            "ALTER TABLE incidents ADD COLUMN linked_to_id INTEGER REFERENCES incidents (id)"
        )
    else:
        op.add_column(
            "incidents",
            sa.Column(
                "linked_to_id",
                sa.Integer(),
                sa.ForeignKey("incidents.id", name="fk_incidents_linked_to_id_incidents"),
                nullable=True,
            ),
        )
    op.create_index("ix_incidents_linked_to_id", "incidents", ["linked_to_id"], unique=False)
    op.create_index(
        "uq_incidents_reporter_idempotency_key",
        "incidents",
        ["reported_by", "idempotency_key"],
        unique=True,
        postgresql_where=WHERE,
        sqlite_where=WHERE,
    )


def downgrade() -> None:
    op.drop_index("uq_incidents_reporter_idempotency_key", table_name="incidents")
    op.drop_index("ix_incidents_linked_to_id", table_name="incidents")
    for column in ("linked_to_id", "request_digest", "idempotency_key"):
        op.drop_column("incidents", column)
    where = sa.text("status <> 'closed'")
    op.create_index(  # fails, as 0009 did, if two open reports share a key: close one first
        "uq_incidents_open_duplicate_key",
        "incidents",
        ["duplicate_key"],
        unique=True,
        postgresql_where=where,
        sqlite_where=where,
    )
