"""claims and policies: terms versions, claim dates, corrections, payments as transactions

Issue #17. A policy's terms were one set, overwritten by each endorsement: an accident
before an endorsement was judged under the new limits. Now:

- ``policy_terms_versions``: version 1 from the start of the period, one more per applied
  endorsement from its effective moment. Existing policies are migrated from their
  transactions: version 1 is the terms the issue transaction recorded, then each applied
  endorsement's ``terms_after`` from its effective date; a policy bound but not yet
  issued gets version 1 from its terms, as binding now makes it.
- ``claims.notified_at``: when the insurer was first told (the incident's report time for
  a claim from an incident, else the claim's opening); ``outage_started_at`` for ③④;
  ``circumstance_notice_id`` / ``circumstance_noticed_at`` (a notice of circumstances given
  under the policy attaches a later claim to it) and ``known_at`` (when the insured first
  knew the facts), with the new table ``circumstance_notices``.
- ``loss_items``: an amended item points to what it replaces; who changed it, when, why.
- ``claim_payments``: part, cost head, payee, the statutory-lien basis, and who undid it
  (void, rejection, reversal) and why; idempotency keys are unique per claim (they were
  global: one tenant's key told another that it existed).
- ``policy_ledgers`` is dropped: the ledger is the sum of the payments
  (src/cybercover/claims/ledger.py), never a second copy to drift.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 00:00:00
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from cybercover.storage.models.base import JsonDoc, UTCDateTime, Yen

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _doc(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def upgrade() -> None:
    json_type, yen = JsonDoc, Yen
    op.create_table(
        "policy_terms_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("effective_from", UTCDateTime(timezone=True), nullable=False),
        sa.Column("terms", json_type, nullable=False),
        sa.Column("annual_premium", yen, nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["policies.id"],
            name=op.f("fk_policy_terms_versions_policy_id_policies"),
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["policy_transactions.id"],
            name=op.f("fk_policy_terms_versions_transaction_id_policy_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_terms_versions")),
        sa.UniqueConstraint("policy_id", "number", name=op.f("uq_policy_terms_versions_policy_id")),
    )
    op.create_index(
        op.f("ix_policy_terms_versions_policy_id"), "policy_terms_versions", ["policy_id"]
    )
    op.create_table(
        "circumstance_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("given_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("description", sa.String(2000), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_circumstance_notices_policy_id_policies")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_circumstance_notices_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_circumstance_notices")),
    )
    op.create_index(
        op.f("ix_circumstance_notices_policy_id"), "circumstance_notices", ["policy_id"]
    )
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("notified_at", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("outage_started_at", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("circumstance_notice_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("circumstance_noticed_at", UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("known_at", UTCDateTime(timezone=True), nullable=True))
        batch.create_foreign_key(
            op.f("fk_claims_circumstance_notice_id_circumstance_notices"),
            "circumstance_notices",
            ["circumstance_notice_id"],
            ["id"],
        )
    with op.batch_alter_table("loss_items") as batch:
        batch.add_column(sa.Column("replaces_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("changed_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("changed_at", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("change_reason", sa.String(500), nullable=True))
        batch.create_foreign_key(
            op.f("fk_loss_items_changed_by_users"), "users", ["changed_by"], ["id"]
        )
    with op.batch_alter_table("claim_payments") as batch:
        batch.drop_constraint(op.f("uq_claim_payments_idempotency_key"), type_="unique")
        batch.create_unique_constraint(
            op.f("uq_claim_payments_claim_id"), ["claim_id", "idempotency_key"]
        )
        for name, kind in (
            ("coverage", sa.String(32)),
            ("head", sa.String(48)),
            ("payee_kind", sa.String(16)),
            ("payee_name", sa.String(200)),
            ("payee_organisation_id", sa.Integer()),
            ("lien_basis", sa.String(32)),
            ("undone_by", sa.Integer()),
            ("undone_at", UTCDateTime(timezone=True)),
            ("undo_reason", sa.String(500)),
        ):
            batch.add_column(sa.Column(name, kind, nullable=True))
        batch.create_foreign_key(
            op.f("fk_claim_payments_payee_organisation_id_organisations"),
            "organisations",
            ["payee_organisation_id"],
            ["id"],
        )
        batch.create_foreign_key(
            op.f("fk_claim_payments_undone_by_users"), "users", ["undone_by"], ["id"]
        )

    bind = op.get_bind()
    # the date the insurer was told, for every existing claim
    bind.execute(
        sa.text(
            "UPDATE claims SET notified_at = COALESCE("
            "(SELECT reported_at FROM incidents WHERE incidents.id = claims.incident_id),"
            " opened_at)"
        )
    )
    with op.batch_alter_table("claims") as batch:
        batch.alter_column("notified_at", nullable=False)
    # a payment of old named no part: keep its parts; one part is its coverage
    for row in bind.execute(sa.text("SELECT id, by_part FROM claim_payments")).all():
        parts = _doc(row.by_part) or {}
        if len(parts) == 1:
            bind.execute(
                sa.text("UPDATE claim_payments SET coverage = :c WHERE id = :i"),
                {"c": next(iter(parts)), "i": row.id},
            )

    # terms versions from each issued policy's transactions
    versions = sa.table(
        "policy_terms_versions",
        sa.column("policy_id", sa.Integer()),
        sa.column("number", sa.Integer()),
        sa.column("effective_from", UTCDateTime(timezone=True)),
        sa.column("terms", json_type),
        sa.column("annual_premium", yen),
        sa.column("transaction_id", sa.Integer()),
        sa.column("created_at", UTCDateTime(timezone=True)),
    )
    txs = sa.table(
        "policy_transactions",
        sa.column("id", sa.Integer()),
        sa.column("policy_id", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("status", sa.String()),
        sa.column("effective_at", UTCDateTime(timezone=True)),
        sa.column("changes", json_type),
        sa.column("premium_delta", yen),
        sa.column("created_at", UTCDateTime(timezone=True)),
    )
    policies = sa.table(
        "policies",
        sa.column("id", sa.Integer()),
        sa.column("number", sa.String()),
        sa.column("period_start", UTCDateTime(timezone=True)),
        sa.column("terms", json_type),
        sa.column("annual_premium", yen),
        sa.column("created_at", UTCDateTime(timezone=True)),
    )
    rows: list[dict[str, Any]] = []
    for policy in bind.execute(sa.select(policies).order_by(policies.c.id)).all():
        history = bind.execute(
            sa.select(txs)
            .where(
                txs.c.policy_id == policy.id,
                txs.c.status == "applied",
                txs.c.kind.in_(("issue", "endorsement")),
            )
            .order_by(txs.c.id)
        ).all()
        issue = next((t for t in history if t.kind == "issue"), None)
        endorsements = [t for t in history if t.kind == "endorsement"]
        first_changes = _doc(endorsements[0].changes) if endorsements else {}
        first_terms = (
            _doc(issue.changes).get("terms")
            if issue is not None
            else first_changes.get("terms_before")
        ) or _doc(policy.terms)
        first_premium = first_changes.get("annual_premium_before", policy.annual_premium)
        created: datetime = issue.created_at if issue is not None else policy.created_at
        rows.append(
            {
                "policy_id": policy.id,
                "number": 1,
                "effective_from": policy.period_start,
                "terms": first_terms,
                "annual_premium": first_premium,
                "transaction_id": issue.id if issue is not None else None,
                "created_at": created,
            }
        )
        for n, t in enumerate(endorsements, start=2):
            changes = _doc(t.changes)
            rows.append(
                {
                    "policy_id": policy.id,
                    "number": n,
                    "effective_from": t.effective_at,
                    "terms": changes["terms_after"],
                    "annual_premium": changes["annual_premium_after"],
                    "transaction_id": t.id,
                    "created_at": t.created_at,
                }
            )
    if rows:
        op.bulk_insert(versions, rows)
    op.drop_table("policy_ledgers")


def downgrade() -> None:
    op.create_table(
        "policy_ledgers",
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("parts", JsonDoc, nullable=False),
        sa.Column("shared", JsonDoc, nullable=False),
        sa.Column("aggregate", Yen, nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_policy_ledgers_policy_id_policies")
        ),
        sa.PrimaryKeyConstraint("policy_id", name=op.f("pk_policy_ledgers")),
    )
    with op.batch_alter_table("claim_payments") as batch:
        batch.drop_constraint(op.f("fk_claim_payments_undone_by_users"), type_="foreignkey")
        batch.drop_constraint(
            op.f("fk_claim_payments_payee_organisation_id_organisations"), type_="foreignkey"
        )
        for name in (
            "undo_reason",
            "undone_at",
            "undone_by",
            "lien_basis",
            "payee_organisation_id",
            "payee_name",
            "payee_kind",
            "head",
            "coverage",
        ):
            batch.drop_column(name)
        batch.drop_constraint(op.f("uq_claim_payments_claim_id"), type_="unique")
        batch.create_unique_constraint(
            op.f("uq_claim_payments_idempotency_key"), ["idempotency_key"]
        )
    with op.batch_alter_table("loss_items") as batch:
        batch.drop_constraint(op.f("fk_loss_items_changed_by_users"), type_="foreignkey")
        for name in ("change_reason", "changed_at", "changed_by", "replaces_id"):
            batch.drop_column(name)
    with op.batch_alter_table("claims") as batch:
        batch.drop_constraint(
            op.f("fk_claims_circumstance_notice_id_circumstance_notices"), type_="foreignkey"
        )
        for name in (
            "known_at",
            "circumstance_noticed_at",
            "circumstance_notice_id",
            "outage_started_at",
            "notified_at",
        ):
            batch.drop_column(name)
    op.drop_index(op.f("ix_circumstance_notices_policy_id"), "circumstance_notices")
    op.drop_table("circumstance_notices")
    op.drop_index(op.f("ix_policy_terms_versions_policy_id"), "policy_terms_versions")
    op.drop_table("policy_terms_versions")
