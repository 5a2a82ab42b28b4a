"""incident desk

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 18:59:15.554588
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import cybercover.storage.models.base

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "partner_profiles",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column(
            "services",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "regions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("invoice_registration_number", sa.String(length=14), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("webhook_url", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_partner_profiles_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_partner_profiles")),
    )
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=True),
        sa.Column("policy_id", sa.Integer(), nullable=True),
        sa.Column("insured", sa.Boolean(), nullable=False),
        sa.Column(
            "coverage",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("caller_name", sa.String(length=200), nullable=False),
        sa.Column("caller_organisation", sa.String(length=200), nullable=False),
        sa.Column("caller_contact", sa.String(length=200), nullable=False),
        sa.Column("reported_by", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("duplicate_key", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "occurred_at", cybercover.storage.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "aware_at", cybercover.storage.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "hearing",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "triage",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "advice",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "reported_at", cybercover.storage.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "first_response_at",
            cybercover.storage.models.base.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "handed_over_at",
            cybercover.storage.models.base.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "closed_at", cybercover.storage.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_incidents_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_incidents_policy_id_policies")
        ),
        sa.ForeignKeyConstraint(
            ["reported_by"], ["users.id"], name=op.f("fk_incidents_reported_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
        sa.UniqueConstraint("number", name=op.f("uq_incidents_number")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incidents_company_id"), ["company_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_incidents_duplicate_key"), ["duplicate_key"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_incidents_policy_id"), ["policy_id"], unique=False)

    op.create_table(
        "dispatches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "requested_at",
            cybercover.storage.models.base.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column(
            "responded_at", cybercover.storage.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("decline_reason", sa.String(length=500), nullable=True),
        sa.Column(
            "work_log",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_dispatches_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["organisations.id"],
            name=op.f("fk_dispatches_partner_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["users.id"], name=op.f("fk_dispatches_requested_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatches")),
    )
    with op.batch_alter_table("dispatches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dispatches_incident_id"), ["incident_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_dispatches_partner_id"), ["partner_id"], unique=False)

    op.create_table(
        "incident_deadlines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("rule_code", sa.String(length=64), nullable=False),
        sa.Column("name_ja", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column(
            "target_at", cybercover.storage.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "due_at", cybercover.storage.models.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "done_at", cybercover.storage.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "reminded_at", cybercover.storage.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "history",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_deadlines_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_deadlines")),
    )
    with op.batch_alter_table("incident_deadlines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_deadlines_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "incident_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("at", cybercover.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["actor_user_id"], ["users.id"], name=op.f("fk_incident_events_actor_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_incident_events_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_events")),
    )
    with op.batch_alter_table("incident_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_events_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "cost_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dispatch_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column(
            "amount_ex_tax", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("tax_rate_percent", sa.Integer(), nullable=False),
        sa.Column("tax", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("total", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("registration_number", sa.String(length=14), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("submitted_by", sa.Integer(), nullable=False),
        sa.Column(
            "submitted_at",
            cybercover.storage.models.base.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column(
            "decided_at", cybercover.storage.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "decision",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_cost_documents_decided_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["dispatch_id"],
            ["dispatches.id"],
            name=op.f("fk_cost_documents_dispatch_id_dispatches"),
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by"], ["users.id"], name=op.f("fk_cost_documents_submitted_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cost_documents")),
    )
    with op.batch_alter_table("cost_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cost_documents_dispatch_id"), ["dispatch_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("cost_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cost_documents_dispatch_id"))

    op.drop_table("cost_documents")
    with op.batch_alter_table("incident_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_events_incident_id"))

    op.drop_table("incident_events")
    with op.batch_alter_table("incident_deadlines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_deadlines_incident_id"))

    op.drop_table("incident_deadlines")
    with op.batch_alter_table("dispatches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispatches_partner_id"))
        batch_op.drop_index(batch_op.f("ix_dispatches_incident_id"))

    op.drop_table("dispatches")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incidents_policy_id"))
        batch_op.drop_index(batch_op.f("ix_incidents_duplicate_key"))
        batch_op.drop_index(batch_op.f("ix_incidents_company_id"))

    op.drop_table("incidents")
    op.drop_table("partner_profiles")
