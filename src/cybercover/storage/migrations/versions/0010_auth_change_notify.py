"""notify the workers when a token or a user changes

Each worker keeps a short cache of bearer token → actor (services/token_cache.py). On
PostgreSQL a statement trigger on ``api_tokens`` and ``users`` sends ``NOTIFY
cybercover_auth`` for any UPDATE, DELETE or TRUNCATE; PostgreSQL delivers it when the
change commits, and every worker clears its cache (storage/auth_notify.py). SQLite has no
notifications, and there the cache stays off.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 02:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TABLES = ("api_tokens", "users")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE OR REPLACE FUNCTION cybercover_auth_changed() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('cybercover_auth', TG_TABLE_NAME);
            RETURN NULL;
        END
        $$
        """
    )
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_auth_changed AFTER UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION cybercover_auth_changed()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_auth_changed ON {table}")
    op.execute("DROP FUNCTION IF EXISTS cybercover_auth_changed()")
