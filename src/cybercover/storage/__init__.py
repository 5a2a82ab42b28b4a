"""Storage: the SQLAlchemy models, the engine and the Alembic migrations (no rules)."""
