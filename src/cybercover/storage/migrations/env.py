"""Alembic environment: runs against the connection handed in by cybercover.storage.migrate."""

from __future__ import annotations

from alembic import context

from cybercover.storage.models import Base

config = context.config
target_metadata = Base.metadata

connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - alembic CLI use only
    raise RuntimeError("run migrations through cybercover.storage.migrate")
context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
