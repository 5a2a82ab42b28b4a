"""claims

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 19:46:00.277035
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import cybercover.storage.models.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_ledgers",
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column(
            "parts",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "shared",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "aggregate", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_policy_ledgers_policy_id_policies")
        ),
        sa.PrimaryKeyConstraint("policy_id", name=op.f("pk_policy_ledgers")),
    )
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "accident_at", cybercover.storage.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("outage_hours", sa.String(length=32), nullable=True),
        sa.Column(
            "causes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "act_at", cybercover.storage.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "claim_made_at",
            cybercover.storage.models.base.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "findings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "documents_complete_at",
            cybercover.storage.models.base.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column("opened_by", sa.Integer(), nullable=False),
        sa.Column(
            "opened_at", cybercover.storage.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_claims_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by"], ["users.id"], name=op.f("fk_claims_opened_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_claims_policy_id_policies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sa.UniqueConstraint("number", name=op.f("uq_claims_number")),
    )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claims_policy_id"), ["policy_id"], unique=False)

    op.create_table(
        "claim_adjudications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("at", cybercover.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("by", sa.Integer(), nullable=False),
        sa.Column(
            "payable",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "worksheet",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["by"], ["users.id"], name=op.f("fk_claim_adjudications_by_users")),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_adjudications_claim_id_claims")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_adjudications")),
    )
    with op.batch_alter_table("claim_adjudications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_claim_adjudications_claim_id"), ["claim_id"], unique=False
        )

    op.create_table(
        "claim_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("by", sa.Integer(), nullable=False),
        sa.Column("at", cybercover.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["by"], ["users.id"], name=op.f("fk_claim_documents_by_users")),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_documents_claim_id_claims")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_documents")),
    )
    with op.batch_alter_table("claim_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_documents_claim_id"), ["claim_id"], unique=False)

    op.create_table(
        "claim_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("amount", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "by_part",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column(
            "requested_at",
            cybercover.storage.models.base.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column(
            "paid_at", cybercover.storage.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["users.id"], name=op.f("fk_claim_payments_approved_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_payments_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["users.id"], name=op.f("fk_claim_payments_requested_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_payments")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_claim_payments_idempotency_key")),
    )
    with op.batch_alter_table("claim_payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_payments_claim_id"), ["claim_id"], unique=False)

    op.create_table(
        "claim_recoveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("from_party", sa.String(length=200), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("by", sa.Integer(), nullable=False),
        sa.Column("at", cybercover.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["by"], ["users.id"], name=op.f("fk_claim_recoveries_by_users")),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_recoveries_claim_id_claims")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_recoveries")),
    )
    with op.batch_alter_table("claim_recoveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_claim_recoveries_claim_id"), ["claim_id"], unique=False
        )

    op.create_table(
        "claim_reserves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("coverage", sa.String(length=32), nullable=False),
        sa.Column("amount", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("by", sa.Integer(), nullable=False),
        sa.Column("at", cybercover.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["by"], ["users.id"], name=op.f("fk_claim_reserves_by_users")),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_reserves_claim_id_claims")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_reserves")),
    )
    with op.batch_alter_table("claim_reserves", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_reserves_claim_id"), ["claim_id"], unique=False)

    op.create_table(
        "loss_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("coverage", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=48), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("amount", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("source", sa.String(length=48), nullable=False),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", cybercover.storage.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_loss_items_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_loss_items_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loss_items")),
    )
    with op.batch_alter_table("loss_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loss_items_claim_id"), ["claim_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("loss_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loss_items_claim_id"))

    op.drop_table("loss_items")
    with op.batch_alter_table("claim_reserves", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_reserves_claim_id"))

    op.drop_table("claim_reserves")
    with op.batch_alter_table("claim_recoveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_recoveries_claim_id"))

    op.drop_table("claim_recoveries")
    with op.batch_alter_table("claim_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_payments_claim_id"))

    op.drop_table("claim_payments")
    with op.batch_alter_table("claim_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_documents_claim_id"))

    op.drop_table("claim_documents")
    with op.batch_alter_table("claim_adjudications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_adjudications_claim_id"))

    op.drop_table("claim_adjudications")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claims_policy_id"))

    op.drop_table("claims")
    op.drop_table("policy_ledgers")
