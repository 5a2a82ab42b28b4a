"""billing: premium received, cancelled instalments, receipts (issue #17)

Premium money (issue #17, rule 8):

- ``invoices.issued_at``: when the invoice was issued (a receipt's value date is never on
  a day before it). Existing rows take their transaction's ``created_at``.
- ``invoices.cancelled_at`` / ``cancelled_by_transaction_id``: an instalment cancelled
  with its policy (a monthly plan's unpaid instalments are cancelled, not refunded): it is
  neither due nor lapsing.
- ``premium_receipts``: one row per receipt (premium received, or a refund paid out,
  negative) with the bank's value date, when it was booked and by whom, and the
  underwriter who confirmed a receipt dated before an accident already reported. The
  commission statement is built from it (commission on premium collected). Existing
  invoices with money on them get one receipt each: dated their ``paid_at`` or, for a part
  payment (which kept no date), their transaction's ``created_at``.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from cybercover.storage.models.base import JsonDoc, UTCDateTime, Yen

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(sa.Column("issued_at", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("cancelled_at", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("cancelled_by_transaction_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_invoices_cancelled_by_transaction_id_policy_transactions"),
            "policy_transactions",
            ["cancelled_by_transaction_id"],
            ["id"],
        )
    op.execute(
        "UPDATE invoices SET issued_at = (SELECT created_at FROM policy_transactions"
        " WHERE policy_transactions.id = invoices.transaction_id)"
    )
    with op.batch_alter_table("invoices") as batch:
        batch.alter_column("issued_at", existing_type=UTCDateTime(timezone=True), nullable=False)

    op.create_table(
        "premium_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("amount", Yen, nullable=False),
        sa.Column("paid_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
        sa.Column("confirmed_accidents", JsonDoc, nullable=True),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_premium_receipts_invoice_id_invoices")
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_premium_receipts_policy_id_policies")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_premium_receipts_recorded_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by"], ["users.id"], name=op.f("fk_premium_receipts_confirmed_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_premium_receipts")),
    )
    op.create_index(
        op.f("ix_premium_receipts_invoice_id"), "premium_receipts", ["invoice_id"], unique=False
    )
    op.create_index(
        op.f("ix_premium_receipts_policy_id"), "premium_receipts", ["policy_id"], unique=False
    )
    op.execute(
        "INSERT INTO premium_receipts (invoice_id, policy_id, amount, paid_at, recorded_at)"
        " SELECT id, policy_id, paid_amount, COALESCE(paid_at, issued_at),"
        " COALESCE(paid_at, issued_at) FROM invoices WHERE paid_amount <> 0 ORDER BY id"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_premium_receipts_policy_id"), table_name="premium_receipts")
    op.drop_index(op.f("ix_premium_receipts_invoice_id"), table_name="premium_receipts")
    op.drop_table("premium_receipts")
    with op.batch_alter_table("invoices") as batch:
        batch.drop_constraint(
            op.f("fk_invoices_cancelled_by_transaction_id_policy_transactions"),
            type_="foreignkey",
        )
        batch.drop_column("cancelled_by_transaction_id")
        batch.drop_column("cancelled_at")
        batch.drop_column("issued_at")
