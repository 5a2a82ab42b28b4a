"""underwriting of endorsements, clearances tied to facts (issue #17)

An endorsement runs the same underwriting rules as new business; the issues it raises
are stored against the endorsement's transaction (``policy_transaction_id``; the
``submission_id`` stays the policy's submission, so the scoping layer reaches them as
before). A clearance records the digest of the facts it was given for
(``cleared_facts_digest``): when the rule fires again on other facts, the issue opens
again (docs/underwriting.md, "Clearance tied to facts").

Issues cleared before this revision keep their clearance for the facts stored on them
now (the facts of their latest evaluation): the digest is filled in from those.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 00:00:00
"""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

FK = "fk_underwriting_issues_policy_transaction"  # the convention's name is 64 characters


def _digest(facts: object) -> str:
    # as cybercover.underwriting.clearance.facts_digest, frozen here for this revision
    if isinstance(facts, str):
        facts = json.loads(facts)
    items = facts.items() if isinstance(facts, dict) else ()
    canonical = json.dumps(
        {str(k): str(v) for k, v in items},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table("underwriting_issues", schema=None) as batch_op:
        batch_op.add_column(sa.Column("policy_transaction_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cleared_facts_digest", sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f(FK),
            "policy_transactions",
            ["policy_transaction_id"],
            ["id"],
        )
        batch_op.create_index(
            batch_op.f("ix_underwriting_issues_policy_transaction_id"),
            ["policy_transaction_id"],
            unique=False,
        )
    bind = op.get_bind()
    issues = sa.table(
        "underwriting_issues",
        sa.column("id", sa.Integer()),
        sa.column("facts", sa.JSON()),
        sa.column("status", sa.String()),
        sa.column("cleared_facts_digest", sa.String()),
    )
    cleared = bind.execute(
        sa.select(issues.c.id, issues.c.facts).where(issues.c.status == "cleared")
    ).all()
    for ident, facts in cleared:
        bind.execute(
            issues.update().where(issues.c.id == ident).values(cleared_facts_digest=_digest(facts))
        )


def downgrade() -> None:
    # an endorsement's issues mean nothing without their transaction: they go with it
    op.execute("DELETE FROM underwriting_issues WHERE policy_transaction_id IS NOT NULL")
    with op.batch_alter_table("underwriting_issues", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_underwriting_issues_policy_transaction_id"))
        batch_op.drop_constraint(
            batch_op.f(FK),
            type_="foreignkey",
        )
        batch_op.drop_column("cleared_facts_digest")
        batch_op.drop_column("policy_transaction_id")
