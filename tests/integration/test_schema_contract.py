"""Contract (issue #18): the migrations build exactly the schema the models declare, on
both databases — Alembic's autogenerate, run against a database brought to ``head``,
finds nothing to change. A model changed without its migration (or a migration that
drifts from its model) fails here, not in production."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table

from cybercover.services.uow import Database
from cybercover.storage.models.base import Base


def _differences(db: Database, metadata: MetaData) -> list[Any]:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": False}
        )
        return list(compare_metadata(context, metadata))


def test_the_migrations_build_the_models_schema(db: Database) -> None:
    assert _differences(db, Base.metadata) == []


def test_the_check_sees_a_model_without_its_migration(db: Database) -> None:
    """The comparison is not blind: a table only the models declare is reported."""
    metadata = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    Table("not_migrated", metadata, Column("id", Integer, primary_key=True))
    assert [d[0] for d in _differences(db, metadata)] == ["add_table"]
